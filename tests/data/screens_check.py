#!/usr/bin/env python3
"""SIPp's screens on a terminal (issue 16). Runs sipbench with
pseudo-terminals as its standard input and standard error and reads what
it draws there.

  keys:     against sipbench -sn uas, a -sn uac run at 5 calls/s: the
            scenario screen comes first; each key 2, 3, 4, 6, 7, 8, 9, h,
            ?, 1 draws its screen; + * / - change the rate the header shows
            (-rate_scale 1); p pauses (the footer says so) and p resumes;
            0 leaves the screens for the one-line status and 1 comes back;
            c runs a command (set rate, set index; an unknown one said,
            Esc drops one); s writes the screens to the -trace_screen
            file; q winds the
            run down (the footer says so) and the run ends with exit 0,
            the last scenario screen and the statistics left on the
            terminal, their counters the --json report's. Then a second
            run: Q aborts at once ("Forcing quit").
  counts:   a uas whose 200 comes 700 ms after the INVITE (the uac
            retransmits it once, T1 500 ms) and which sends a 180 after
            the ACK (unexpected in the uac's pause: the call fails); 20
            calls. The scenario screen left on the terminal, and the one
            in the -trace_screen file, equal the --json step counters, and
            are exactly: INVITE 20 sent, 20 retransmitted; 200 20
            received; ACK 20; the pause 20 calls, 20 unexpected; BYE 0.
            The statistics screen: 20 calls created, 0 successful, 20
            failed.
  sipp:     SIPp 3.6.1 and sipbench run that uac scenario, 10 calls each,
            with -trace_screen against that uas: the screen files have
            the same screens in the same order, lines of at most 80
            columns; the scenario screens the same header, the same rows
            with the same counters (but the pause's first column: SIPp
            shows the calls in the pause at that moment, sipbench the
            calls that entered it); the statistics screens the same
            counter names in the same order, and the same call counts.
  display:  -display line on a terminal: the one-line status, no screen;
            -f 200ms: the periodic figures cover 0.2 s; -display x and -f 0
            refused (exit 255); hide=, hiderest= and crlf= shape the
            scenario screen of -trace_screen as SIPp's. SIGUSR2 (twice)
            appends the screens to <scenario>_<pid>_screen.log without
            -trace_screen, SIGUSR1 ends the run as q: no new calls, exit 0.

Usage: screens_check.py MODE SIPBENCH LOGDIR PORT [SIPP]"""
import json, os, pty, re, signal, subprocess, sys, threading, time

mode, sipbench, log, port = sys.argv[1:5]
problems = []
SCN_HEAD = "Messages  Retrans   Timeout   Unexpected-Msg"


def check(ok, what):
    print(("ok: " if ok else "NOT OK: ") + what)
    if not ok:
        problems.append(what)


class Term:
    """sipbench with ptys as stdin and stderr; everything drawn is kept."""

    def __init__(self, args):
        self.inm, ins = pty.openpty()
        self.outm, outs = pty.openpty()
        print("run:", " ".join(args))
        self.p = subprocess.Popen(args, stdin=ins, stdout=subprocess.PIPE, stderr=outs, cwd=log)
        os.close(ins)
        os.close(outs)
        self.buf = bytearray()
        self.lock = threading.Lock()
        self.t = threading.Thread(target=self.read, daemon=True)
        self.t.start()

    def read(self):
        while True:
            try:
                c = os.read(self.outm, 65536)
            except OSError:
                return
            if not c:
                return
            with self.lock:
                self.buf.extend(c)

    def pos(self):
        with self.lock:
            return len(self.buf)

    def text(self, start=0):
        with self.lock:
            return bytes(self.buf[start:]).decode(errors="replace")

    def key(self, k, wait=0.5):
        at = self.pos()
        os.write(self.inm, k.encode())
        time.sleep(wait)
        return self.text(at)

    def end(self, timeout=30):
        try:
            out, _ = self.p.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.p.kill()
            out, _ = self.p.communicate()
        self.t.join(2)
        os.close(self.inm)
        return out.decode(errors="replace")


def plain(s):
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", s).replace("\r", "")


def scenario_rows(text):
    """The rows of the last scenario screen in text: (name, [4 columns])."""
    lines = plain(text).split("\n")
    at = max((i for i, l in enumerate(lines) if l.strip() == SCN_HEAD), default=None)
    if at is None:
        return None
    rows = []
    for l in lines[at + 1:]:
        if not l.strip() or l.startswith("-") or l.startswith("Last Error"):
            break
        l = l.ljust(80)
        rows.append((l[:33].strip(), [l[c:c + 9].strip() for c in (33, 43, 53, 63)]))
    return rows


def expected_rows(report):
    """The --json steps as the scenario screen shows them."""
    rows = []
    for s in report["steps"]:
        k = s["kind"]
        if k == "send":
            rows.append([s["sent"], s["retransmissions"], s["timeouts"], s["unexpected"]])
        elif k == "recv":
            rows.append([s["received"], s["retransmissions"], s["timeouts"], s["unexpected"]])
        elif k in ("pause", "timewait"):
            rows.append([s["sent"], 0, 0, s["unexpected"]])
    return rows


def same(rows, report):
    if not rows:
        return False
    got = [[int(c) if c else 0 for c in r[1]] for r in rows]
    return got == expected_rows(report)


def stat_value(text, name):
    """The cumulative figure of a statistics screen line."""
    m = None
    for m in re.finditer(r"^  %s +\| +(\d*) *\| +(\d+)" % re.escape(name), plain(text), re.M):
        pass
    return int(m.group(2)) if m else None


def start_uas(args):
    cmd = [sipbench] + args + ["-i", "127.0.0.1", "-p", port, "-nostdin"]
    print("run:", " ".join(cmd))
    p = subprocess.Popen(cmd, cwd=log, stdout=open(os.path.join(log, "uas.stdout"), "w"),
                         stderr=open(os.path.join(log, "uas.stderr"), "w"))
    time.sleep(0.4)
    return p


def stop(p):
    if p.poll() is None:
        p.send_signal(signal.SIGTERM)
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


def keys():
    uas = start_uas(["-sn", "uas"])
    try:
        scr = os.path.join(log, "keys_screen.log")
        t = Term([sipbench, "-sn", "uac", "-i", "127.0.0.1", "-r", "5", "-m", "1000",
                  "-timeout", "60", "-trace_screen", "-screen_file", scr,
                  "--json", os.path.join(log, "keys.json"), "127.0.0.1:" + port])
        time.sleep(1.5)
        first = t.text()
        check(" Scenario Screen " in first and "\x1b[?1049h" in first and
              "Call rate (length)" in first and "      INVITE ---------->" in plain(first),
              "the scenario screen first, on the alternate screen")
        for k, want in (("2", " Statistics Screen "), ("3", " Repartition Screen "),
                        ("4", " Variables Screen "), ("6", " Repartition 2 Screen "),
                        ("7", " Repartition 3 Screen "), ("8", " Repartition 4 Screen "),
                        ("9", " Repartition 5 Screen "), ("h", " Keys "), ("?", " Keys "),
                        ("1", " Scenario Screen ")):
            got = t.key(k)
            check(want in got, "key %s draws%s" % (k, want.rstrip()))
        got = t.key("3")
        check("Average Call Length Repartition" in got, "3: the call length repartition too")
        got = t.key("h")
        check("p        pause new calls" in plain(got) and "Q        abort" in plain(got),
              "h: the keys listed")
        t.key("1")
        for k, rate in (("+", "6.0"), ("*", "16.0"), ("/", "6.0"), ("-", "5.0")):
            got = t.key(k)
            check(re.search(r"^  %s\(0 ms\)/1\.000s " % re.escape(rate), plain(got), re.M),
                  "key %s: the header's rate is %s" % (k, rate))
        got = t.key("p")
        check("Traffic Paused - Press [p] again to resume" in got, "p: the footer says paused")
        got = t.key("p")
        check("[+|-|*|/]: Adjust rate" in got, "p again: resumed, the keys' footer back")
        got = t.key("0", 1.2)
        check("\x1b[?1049l" in got and "calls/s (target 5.0)" in got,
              "0: the one-line status instead of the screens")
        got = t.key("1")
        check("\x1b[?1049h" in got and " Scenario Screen " in got, "1: the screens again")
        got = t.key("c", 0.2)
        check("Command: " in got, "c: the command line opens")
        got = t.key("set rate 8\r")
        check(re.search(r"^  8\.0\(0 ms\)/1\.000s ", plain(got), re.M) and
              'Command "set rate 8" done' in got, "c set rate 8: the header's rate is 8.0")
        got = t.key("cset index true\r")
        check(re.search(r"^0 : +INVITE ---------->", plain(got), re.M),
              "c set index true: each row's step number")
        got = t.key("cset index false\r")
        check(re.search(r"^ +INVITE ---------->", plain(got), re.M), "c set index false: none")
        got = t.key("cset users 3\r")
        check("the run has a rate, not -users" in got, "c set users: refused, the run has a rate")
        got = t.key("cbogus 3\r")
        check('Command "bogus": sipbench knows' in got, "c bogus: said to be unknown")
        got = t.key("cset rate x\x1b")
        check("Command" not in got.split("\x1b[H")[-1], "Esc drops a command")
        t.key("cset rate 5\r")
        got = t.key("s")
        dumped = open(scr).read() if os.path.exists(scr) else ""
        check(dumped.count(" Scenario Screen ") == 1 and " Statistics Screen " in dumped,
              "s: the screens written to the screen file")
        got = t.key("q", 0.3)
        check("Waiting for active calls to end. Press [q] again to force exit." in got,
              "q: the footer says the calls in progress end")
        out = t.end()
        rc = t.p.returncode
        check(rc == 0, "exit 0 after q: %d" % rc)
        tail = t.text()
        tail = tail[tail.rfind("\x1b[?1049l"):]
        report = json.load(open(os.path.join(log, "keys.json")))
        rows = scenario_rows(tail)
        check(" Test Terminated " in tail and same(rows, report),
              "the last scenario screen stays on the terminal, its counters the report's: %s"
              % (rows and [r[1] for r in rows]))
        check(stat_value(tail, "Total Calls created") == report["calls"]["started"] and
              stat_value(tail, "Successful call") == report["calls"]["successful"],
              "the statistics screen after it: %s calls, %s successful" % (
                  stat_value(tail, "Total Calls created"), stat_value(tail, "Successful call")))
        check("Calls\n  started" in out, "the summary on stdout as before")
        dumped = open(scr).read()
        check(dumped.count(" Scenario Screen ") == 2 and dumped.count(" Test Terminated ") == 3,
              "-trace_screen: the screens of s, then the end's")
        # Q: abort now
        t = Term([sipbench, "-sn", "uac", "-i", "127.0.0.1", "-r", "5", "-d", "5000",
                  "-timeout", "60", "--json", os.path.join(log, "Q.json"), "127.0.0.1:" + port])
        time.sleep(1.5)
        at = time.time()
        got = t.key("Q", 0.2)
        t.end()
        took = time.time() - at
        report = json.load(open(os.path.join(log, "Q.json")))
        check("Forcing quit" in got and took < 3 and report["calls"]["unfinished"] >= 5,
              "Q: forcing quit, ended in %.1f s, %d calls unfinished" % (
                  took, report["calls"]["unfinished"]))
    finally:
        stop(uas)


SLOW_UAS = """<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="slow answer, then a late 180">
  <recv request="INVITE"/>
  <pause milliseconds="700"/>
  <send><![CDATA[
SIP/2.0 200 OK
[last_Via:]
[last_From:]
[last_To:];tag=[pid]t[call_number]
[last_Call-ID:]
[last_CSeq:]
Contact: <sip:[local_ip]:[local_port];transport=[transport]>
Content-Length: 0

]]></send>
  <recv request="ACK"/>
  <send><![CDATA[
SIP/2.0 180 Ringing
[last_Via:]
[last_From:]
[last_To:]
[last_Call-ID:]
CSeq: 1 INVITE
Content-Length: 0

]]></send>
  <recv request="BYE"/>
  <send><![CDATA[
SIP/2.0 200 OK
[last_Via:]
[last_From:]
[last_To:]
[last_Call-ID:]
[last_CSeq:]
Content-Length: 0

]]></send>
</scenario>
"""

UAC = """<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="screens uac">
  <send retrans="500"><![CDATA[
INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:a@[local_ip]:[local_port]>;tag=[pid]a[call_number]
To: <sip:[service]@[remote_ip]:[remote_port]>
Call-ID: [call_id]
CSeq: 1 INVITE
Contact: <sip:a@[local_ip]:[local_port]>
Max-Forwards: 70
Content-Length: 0

]]></send>
  <recv response="100" optional="true"/>
  <recv response="200" rtd="true"/>
  <send><![CDATA[
ACK sip:[service]@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:a@[local_ip]:[local_port]>;tag=[pid]a[call_number]
To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
Call-ID: [call_id]
CSeq: 1 ACK
Max-Forwards: 70
Content-Length: 0

]]></send>
  <pause milliseconds="1000"/>
  <send><![CDATA[
BYE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:a@[local_ip]:[local_port]>;tag=[pid]a[call_number]
To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
Call-ID: [call_id]
CSeq: 2 BYE
Max-Forwards: 70
Content-Length: 0

]]></send>
  <recv response="200"/>
</scenario>
"""


def counts():
    for name, text in (("uas.xml", SLOW_UAS), ("uac.xml", UAC)):
        open(os.path.join(log, name), "w").write(text)
    uas = start_uas(["-sf", os.path.join(log, "uas.xml"), "-m", "20"])
    try:
        scr = os.path.join(log, "counts_screen.log")
        t = Term([sipbench, "-sf", os.path.join(log, "uac.xml"), "-i", "127.0.0.1", "-r", "20",
                  "-m", "20", "-timeout", "60", "-trace_screen", "-screen_file", scr,
                  "--json", os.path.join(log, "counts.json"), "127.0.0.1:" + port])
        time.sleep(1.2)
        live = scenario_rows(t.text())
        t.end()
        rc = t.p.returncode
        check(rc == 1, "exit 1 (the calls failed on the late 180): %d" % rc)
        check(live is not None and len(live) == 7, "the scenario screen while the run goes: %s"
              % (live and [r[1] for r in live]))
        report = json.load(open(os.path.join(log, "counts.json")))
        want = [[20, 20, 0, 0], [0, 0, 0, 0], [20, 0, 0, 0], [20, 0, 0, 0], [20, 0, 0, 20],
                [0, 0, 0, 0], [0, 0, 0, 0]]
        check(expected_rows(report) == want, "the report: INVITE 20 sent, 20 retransmitted; "
              "the pause 20 calls, 20 unexpected: %s" % expected_rows(report))
        tail = t.text()
        tail = tail[tail.rfind("\x1b[?1049l"):]
        rows = scenario_rows(tail)
        check(same(rows, report), "the terminal's last scenario screen equals the report: %s"
              % (rows and [r[1] for r in rows]))
        check(rows is not None and [r[0] for r in rows] == [
            "INVITE ---------->", "100 <----------", "200 <----------  E-RTD1",
            "ACK ---------->", "Pause [   1000ms]", "BYE ---------->", "200 <----------"],
              "its rows named as SIPp's: %s" % (rows and [r[0] for r in rows]))
        dumped = open(scr).read() if os.path.exists(scr) else ""
        check(same(scenario_rows(dumped.split(" Statistics Screen ")[0]), report),
              "the -trace_screen file's scenario screen equals the report")
        check(stat_value(dumped, "Total Calls created") == 20 and
              stat_value(dumped, "Successful call") == 0 and
              stat_value(dumped, "Failed call") == 20,
              "its statistics screen: 20 created, 0 successful, 20 failed")
    finally:
        stop(uas)


def screen_file(d):
    got = [f for f in os.listdir(d) if f.endswith("_screen.log")]
    return open(os.path.join(d, got[0])).read() if len(got) == 1 else ""


def stat_names(text):
    stats = text.split(" Statistics Screen ")[1] if " Statistics Screen " in text else ""
    stats = stats.split(" Repartition Screen ")[0]
    return [m.group(1).strip() for m in re.finditer(r"^  ([A-Z][^|]*?) *\|", stats, re.M)]


def sipp():
    sipp_bin = sys.argv[5]
    for name, text in (("uas.xml", SLOW_UAS), ("uac.xml", UAC)):
        open(os.path.join(log, name), "w").write(text)
    uas = start_uas(["-sf", os.path.join(log, "uas.xml"), "-m", "20"])
    files = {}
    try:
        for who, prog in (("sipp", sipp_bin), ("sb", sipbench)):
            d = os.path.join(log, who)
            os.makedirs(d, exist_ok=True)
            cmd = [prog, "-sf", os.path.join(log, "uac.xml"), "-i", "127.0.0.1", "-m", "10",
                   "-r", "10", "-nostdin", "-trace_screen", "127.0.0.1:" + port]
            print("run:", " ".join(cmd))
            r = subprocess.run(cmd, cwd=d, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               text=True, timeout=60)
            check(r.returncode == 1, "%s exits 1 (failed calls): %d" % (who, r.returncode))
            files[who] = screen_file(d)
    finally:
        stop(uas)
    sp, sb = files["sipp"], files["sb"]
    titles = {w: re.findall(r"^-+ ([A-Za-z0-9 ]+ Screen) -+ \[1-9\]: Change Screen --$", t, re.M)
              for w, t in files.items()}
    check(titles["sb"] == titles["sipp"] == ["Scenario Screen", "Statistics Screen",
                                             "Repartition Screen"],
          "the same screens in the same order: %s" % titles)
    width = max(len(l) for l in sb.split("\n"))
    check(width <= 80, "sipbench's lines are at most 80 columns: %d" % width)
    head = {w: re.search(r"^  Call rate \(length\).*\n  (.+?) +\d+ +[\d.]+ s +(\d+)  (\S+)$",
                         t, re.M) for w, t in files.items()}
    head = {w: h and h.groups() for w, h in head.items()}
    check(head["sb"] == head["sipp"] == ("10.0(0 ms)/1.000s", "10", "127.0.0.1:%s(UDP)" % port),
          "the same header (rate, calls, target): %s" % head)
    rows = {w: scenario_rows(t.split(" Statistics Screen ")[0]) for w, t in files.items()}
    check(rows["sb"] and rows["sipp"] and [r[0] for r in rows["sb"]] == [r[0] for r in rows["sipp"]],
          "the same rows: %s" % [r[0] for r in rows["sb"] or []])
    def cols(rs):
        return [r[1][1:] if r[0].startswith("Pause") else r[1] for r in rs or []]
    check(rows["sb"] and cols(rows["sb"]) == cols(rows["sipp"]) and rows["sb"][0][1][:2] == ["10", "10"]
          and rows["sb"][4][1][3] == "10",
          "the same counters (INVITE 10 sent, 10 retransmitted; the pause 10 unexpected): "
          "sipbench %s, SIPp %s" % (cols(rows["sb"]), cols(rows["sipp"])))
    check(stat_names(sb) == stat_names(sp) and len(stat_names(sb)) >= 12,
          "the statistics screens' counters named alike, in order: %s" % stat_names(sb))
    for name, want in (("Total Calls created", 10), ("Successful call", 0), ("Failed call", 10)):
        check(stat_value(sb, name) == stat_value(sp, name) == want,
              "%s: sipbench %s, SIPp %s" % (name, stat_value(sb, name), stat_value(sp, name)))


HIDE = """<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="hide">
  <send hide="true"><![CDATA[
OPTIONS sip:[service]@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:a@[local_ip]:[local_port]>;tag=[pid]a[call_number]
To: <sip:[service]@[remote_ip]:[remote_port]>
Call-ID: [call_id]
CSeq: 1 OPTIONS
Max-Forwards: 70
Content-Length: 0

]]></send>
  <recv response="200" crlf="true"/>
  <nop hiderest="true"/>
  <pause milliseconds="10"/>
  <pause milliseconds="10" hide="false"/>
</scenario>
"""


def display():
    uas = start_uas(["-sn", "uas"])
    try:
        t = Term([sipbench, "-sn", "uac", "-i", "127.0.0.1", "-r", "5", "-m", "6",
                  "-display", "line", "127.0.0.1:" + port])
        time.sleep(1.2)
        t.end()
        text = t.text()
        check(t.p.returncode == 0 and "calls/s (target 5.0)" in text and
              " Scenario Screen " not in text and "\x1b[?1049h" not in text,
              "-display line: the one-line status on a terminal, no screen")
        t = Term([sipbench, "-sn", "uac", "-i", "127.0.0.1", "-r", "5", "-m", "12",
                  "-f", "200ms", "127.0.0.1:" + port])
        time.sleep(1.6)
        got = t.key("2", 0.7)
        t.end()
        per = [int(x) for x in re.findall(r"Elapsed Time +\| 00:00:00:(\d{6}) ", plain(got))]
        check(t.p.returncode == 0 and len(per) >= 3 and all(x < 300000 for x in per) and
              sum(1 for x in per if x >= 150000) >= 2,
              "-f 200ms: the statistics screen redrawn every 0.2 s, its periodic elapsed time "
              "under 0.3 s: %s" % per)
        d = os.path.join(log, "usr")
        os.makedirs(d, exist_ok=True)
        cmd = [sipbench, "-sn", "uac", "-i", "127.0.0.1", "-r", "10", "-timeout", "60", "-nostdin",
               "--json", os.path.join(d, "r.json"), "127.0.0.1:" + port]
        print("run:", " ".join(cmd))
        p = subprocess.Popen(cmd, cwd=d, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        time.sleep(1.5)
        p.send_signal(signal.SIGUSR2)
        time.sleep(0.5)
        p.send_signal(signal.SIGUSR2)
        time.sleep(0.5)
        at = time.time()
        p.send_signal(signal.SIGUSR1)
        try:
            _, err = p.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            p.kill()
            _, err = p.communicate()
        took = time.time() - at
        name = "uac_%d_screen.log" % p.pid
        text = open(os.path.join(d, name)).read() if os.path.exists(os.path.join(d, name)) else ""
        check(text.count(" Scenario Screen ") == 2 and text.count(" Statistics Screen ") == 2,
              "SIGUSR2 twice: the screens appended twice to %s" % name)
        c = json.load(open(os.path.join(d, "r.json")))["calls"]
        check(p.returncode == 0 and took < 3 and "SIGUSR1: no new calls" in err and
              c["started"] == c["successful"] and 20 <= c["started"] <= 40,
              "SIGUSR1: no new calls, the run ends as with q: exit %d in %.1f s, %d of %d "
              "calls successful" % (p.returncode, took, c["successful"], c["started"]))
    finally:
        stop(uas)
    hide = os.path.join(log, "hide.xml")
    open(hide, "w").write(HIDE)
    scr = os.path.join(log, "hide_screen.log")
    r = subprocess.run([sipbench, "-sf", hide, "-i", "127.0.0.1", "-m", "1", "-recv_timeout", "100",
                        "-trace_screen", "-screen_file", scr, "127.0.0.1:" + port],
                       capture_output=True, text=True, timeout=20)
    text = open(scr).read() if os.path.exists(scr) else ""
    body = text.split(SCN_HEAD)[1].split(" Test Terminated ")[0] if SCN_HEAD in text else ""
    rows = [l.strip()[:17].strip() for l in body.split("\n")[1:-1]]
    check(rows == ["200 <----------", "", "Pause [     10ms]"],
          "hide= leaves out the OPTIONS, crlf= adds a blank line, hiderest= hides the nop "
          "and the first pause, hide=false shows the second: %s" % rows)
    for args, what in ((["-display", "x"], "-display: 'x' (expected screens or line)"),
                       (["-f", "0"], "-f: the period must be above 0")):
        r = subprocess.run([sipbench, "-sn", "uac", "-m", "1"] + args + ["127.0.0.1:" + port],
                           capture_output=True, text=True, timeout=20)
        check(r.returncode == 255 and what in r.stderr, "%s refused, exit 255 (%d): %s" % (
            " ".join(args), r.returncode, r.stderr.strip()[:120]))


{"keys": keys, "counts": counts, "display": display, "sipp": sipp}[mode]()
print("%d problems" % len(problems))
sys.exit(1 if problems else 0)
