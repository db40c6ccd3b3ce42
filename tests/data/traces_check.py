#!/usr/bin/env python3
"""SIPp's trace files (issue 16): SIPp 3.6.1 and sipbench run the same
scenario against one SIPp uas, each in its own directory, with
-trace_logs, -trace_shortmsg, -trace_counts, -trace_error_codes and
-trace_rtt, and
their files are compared: the default names <scenario>_<pid>_<kind>, the
counts and rtt headers equal to SIPp's column for column, the <log> lines equal,
the short messages in SIPp's tab-separated form with the same sequence
(direction, CSeq, first line) per call, the unexpected 180s listed in
the error codes file as SIPp lists them; -log_file and
-shortmessage_file; -error_overwrite false appending; an unwritable -log_file refused before any traffic
(exit 255); SIGTERM still writes the last counts line and -trace_screen's
screens (SIPp's). Starts its own
processes and stops them by pid.
Usage: traces_check.py SIPBENCH SIPP LOGDIR PORT1 PORT2 PORT3"""
import glob, os, re, signal, subprocess, sys, time

sipbench, sipp, log = sys.argv[1], sys.argv[2], sys.argv[3]
uas_port, sipp_port, sb_port = sys.argv[4], sys.argv[5], sys.argv[6]
problems = []
CALLS = 3


def check(ok, what):
    print(("ok: " if ok else "NOT OK: ") + what)
    if not ok:
        problems.append(what)


def req(method, cseq, retrans, to_tag):
    return """  <send%s>
    <![CDATA[
      %s sip:service@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: a <sip:a@[local_ip]:[local_port]>;tag=[pid]t[call_number]
      To: b <sip:service@[remote_ip]:[remote_port]>%s
      Call-ID: [call_id]
      CSeq: %s
      Contact: sip:a@[local_ip]:[local_port]
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
""" % (' retrans="500"' if retrans else "", method, "[peer_tag_param]" if to_tag else "", cseq)


CALL = ('<?xml version="1.0" encoding="ISO-8859-1" ?>\n<scenario name="logs">\n'
        + req("INVITE", "1 INVITE", True, False)
        + '  <recv response="100" optional="true"/>\n'
        + '  <recv response="180" optional="true"/>\n'
        + '  <recv response="200" rtd="true">\n    <action>\n'
        + '      <log message="call [call_number] answered"/>\n    </action>\n  </recv>\n'
        + req("ACK", "1 ACK", False, True)
        + '  <pause milliseconds="10"/>\n'
        + req("BYE", "2 BYE", True, True)
        + '  <recv response="200"/>\n</scenario>\n')
# no 180 expected: SIPp's uas sends one, an unexpected response
UNEXP = CALL.replace('  <recv response="180" optional="true"/>\n', "").replace(
    'name="logs"', 'name="unexp"')
STAMP = r"\d{4}-\d\d-\d\d\t\d\d:\d\d:\d\d\.\d{6}\t\d{10}\.\d{6}"
SHORT = re.compile(r"^" + STAMP + r"\t([SR])\t(\S+)\tCSeq:(\d+ [A-Z]+)\t(.*)$")
EL = r"\d\d:\d\d:\d\d:\d{6}"


def run(cmd, cwd, timeout=30):
    print("run:", " ".join(cmd))
    r = subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                       text=True, timeout=timeout)
    if r.stderr.strip():
        print("  stderr:", r.stderr.strip()[-400:])
    return r


def one(d, kind):
    got = glob.glob(os.path.join(d, "*_*_" + kind))
    return open(got[0]).read() if len(got) == 1 else None


def both(name, text, flags, rc):
    """Run SIPp then sipbench on text in LOG/NAME-sipp and LOG/NAME-sb."""
    out = {}
    for who, prog, port in (("sipp", sipp, sipp_port), ("sb", sipbench, sb_port)):
        d = os.path.join(log, name + "-" + who)
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, name + ".xml"), "w") as f:
            f.write(text)
        r = run([prog, "-sf", name + ".xml", "-i", "127.0.0.1", "-p", port, "-m", str(CALLS),
                 "-r", "10", "-nostdin"] + flags + ["127.0.0.1:" + uas_port], d)
        check(r.returncode == rc, "%s: %s exits %d (%d)" % (name, who, rc, r.returncode))
        out[who] = d
    return out["sipp"], out["sb"]


def calls(text):
    """The (direction, CSeq, first line) sequence of each call, by Call-ID."""
    seq, bad = {}, []
    for line in text.splitlines():
        m = SHORT.match(line)
        if not m:
            bad.append(line)
            continue
        seq.setdefault(m.group(2), []).append((m.group(1), m.group(3),
                                               re.sub(r":\d+ ", " ", m.group(4))))
    return list(seq.values()), bad


uas = subprocess.Popen([sipp, "-sn", "uas", "-i", "127.0.0.1", "-p", uas_port, "-m", "1000",
                        "-nostdin"], stdout=subprocess.DEVNULL,
                       stderr=open(os.path.join(log, "uas.stderr"), "w"))
sb = None
try:
    time.sleep(0.5)
    flags = ["-trace_logs", "-trace_shortmsg", "-trace_counts", "-trace_error_codes",
             "-trace_rtt", "-rtt_freq", "2"]
    sp_d, sb_d = both("logs", CALL, flags, 0)
    names = sorted(re.sub(r"_\d+_", "_PID_", f) for f in os.listdir(sb_d) if f != "logs.xml")
    check(names == ["logs_PID_counts.csv", "logs_PID_error_codes.csv", "logs_PID_logs.log",
                    "logs_PID_rtt.csv", "logs_PID_shortmessages.log"], "default file names: %s" % names)
    sp, s = one(sp_d, "counts.csv"), one(sb_d, "counts.csv")
    sph, sbh = sp.splitlines()[0], s.splitlines()[0]
    check(sph == sbh and sph.count(";") > 20, "counts: the header is SIPp's (%d columns)"
          % sph.count(";"))
    if sph != sbh:
        print("  SIPp:     " + sph + "\n  sipbench: " + sbh)
    rows = s.splitlines()[1:]
    check(len(rows) >= 2 and all(re.match("^" + STAMP + ";" + EL + ";(\\d+;)+$", r) for r in rows),
          "counts: %d lines of a stamp, an elapsed time and counters" % len(rows))
    last = dict(zip(sbh.split(";"), rows[-1].split(";")))
    want = {"0_INVITE_Sent": "3", "3_200_Recv": "3", "4_ACK_Sent": "3", "6_BYE_Sent": "3",
            "7_200_Recv": "3", "0_INVITE_Timeout": "0"}
    check(all(last.get(k) == v for k, v in want.items()),
          "counts: the last line counts the %d calls: %s" % (CALLS, {k: last.get(k) for k in want}))
    spr, sbr = one(sp_d, "rtt.csv").splitlines(), one(sb_d, "rtt.csv").splitlines()
    # (SIPp 3.6.1 loses the lines after the last -rtt_freq batch)
    check(sbr[0] == spr[0] == "Date_ms;response_time_ms;rtd_no" and len(sbr) == CALLS + 1
          and len(spr) >= 2
          and all(re.match(r"^\d+(\.\d+)?;\d+(\.\d+)?;1$", l) for l in sbr[1:]),
          "rtt: SIPp's header, one line per call: %s" % sbr[:2])
    spl, sbl = one(sp_d, "logs.log"), one(sb_d, "logs.log")
    check(sbl == "".join("call %d answered\n" % (i + 1) for i in range(CALLS)) and sbl == spl,
          "logs: the <log> lines, as SIPp's: %r" % sbl)
    spc, spbad = calls(one(sp_d, "shortmessages.log"))
    sbc, sbbad = calls(one(sb_d, "shortmessages.log"))
    check(not sbbad and not spbad and len(sbc) == CALLS,
          "shortmsg: every line in SIPp's form, %d calls%s" % (len(sbc), sbbad[:2]))
    check(sbc and spc and sbc[0] == spc[0], "shortmsg: a call's messages as SIPp's: %s"
          % [" ".join(x[:2]) for x in (sbc[0] if sbc else [])])
    codes = one(sb_d, "error_codes.csv").splitlines()
    check(len(codes) >= 2 and all(re.match("^" + STAMP + ";" + EL + ";$", c) for c in codes),
          "error codes: %d lines, no code when nothing was unexpected" % len(codes))
    # the 180 that no step expects: listed by both
    sp_d, sb_d = both("unexp", UNEXP, ["-trace_error_codes", "-trace_counts"], 1)
    spe, sbe = one(sp_d, "error_codes.csv"), one(sb_d, "error_codes.csv")
    got = lambda t: "".join(l.split(";", 2)[2] for l in t.splitlines())
    check(got(sbe) == "180," * CALLS and got(spe) == got(sbe),
          "error codes: the unexpected 180s: sipbench %r, SIPp %r" % (got(sbe), got(spe)))
    sbu = one(sb_d, "counts.csv").splitlines()
    check(sbu[0] == one(sp_d, "counts.csv").splitlines()[0]
          and dict(zip(sbu[0].split(";"), sbu[-1].split(";"))).get("1_100_Unexp") == str(CALLS),
          "counts: the header is SIPp's; 1_100_Unexp = %d" % CALLS)
    # -error_overwrite false appends to the error file; the default replaces it
    d = os.path.join(log, "unexp-sb")
    lines = []
    for ow in ("true", "false", "false", "true"):
        run([sipbench, "-sf", "unexp.xml", "-i", "127.0.0.1", "-p", sb_port, "-m", "1", "-nostdin",
             "-trace_err", "-error_file", "e.log", "-error_overwrite", ow, "127.0.0.1:" + uas_port], d)
        lines.append(open(os.path.join(d, "e.log")).read().count("\n"))
    n = lines[0]
    check(n > 0 and lines == [n, 2 * n, 3 * n, n],
          "-error_overwrite: error file lines true, false, false, true: %s" % lines)
    # the server side: sipbench's uas and SIPp's, each called by SIPp's uac
    hdr = {}
    for who, prog in (("sb", sipbench), ("sipp", sipp)):
        d = os.path.join(log, "uas-" + who)
        os.makedirs(d, exist_ok=True)
        cmd = [prog, "-sn", "uas", "-i", "127.0.0.1", "-p", sb_port, "-m", "1", "-nostdin",
               "-trace_counts"]
        print("run:", " ".join(cmd))
        u = subprocess.Popen(cmd, cwd=d, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(0.5)
        run([sipp, "-sn", "uac", "-i", "127.0.0.1", "-p", sipp_port, "-m", "1", "-nostdin",
             "127.0.0.1:" + sb_port], d)
        try:
            u.wait(timeout=10)
        except subprocess.TimeoutExpired:
            u.kill()
            u.wait()
        hdr[who] = (one(d, "counts.csv") or "\n").splitlines()[0]
    check(hdr["sb"] == hdr["sipp"] and "2_200_Timeout" in hdr["sb"],
          "uas counts: the header is SIPp's uas's (%d columns)" % hdr["sb"].count(";"))
    if hdr["sb"] != hdr["sipp"]:
        print("  SIPp:     " + hdr["sipp"] + "\n  sipbench: " + hdr["sb"])
    # the override names; an unwritable one refused before any traffic
    d = os.path.join(log, "names")
    os.makedirs(d, exist_ok=True)
    r = run([sipbench, "-sn", "uac", "-i", "127.0.0.1", "-p", sb_port, "-m", "1", "-nostdin",
             "-trace_logs", "-log_file", "a.log", "-trace_shortmsg", "-shortmessage_file",
             "s.log", "127.0.0.1:" + uas_port], d)
    check(r.returncode == 0 and sorted(os.listdir(d)) == ["a.log", "s.log"]
          and open(os.path.join(d, "s.log")).read().count("\n") == 6,
          "-log_file, -shortmessage_file: %s" % sorted(os.listdir(d)))
    for opt in ("-log_file", "-shortmessage_file"):
        r = run([sipbench, "-sn", "uac", "-i", "127.0.0.1", "-p", sb_port, "-m", "1", "-nostdin",
                 "-trace_logs", "-trace_shortmsg", opt, "/nonexistent/x.log",
                 "127.0.0.1:" + uas_port], d)
        check(r.returncode == 255 and (opt + " /nonexistent/x.log: cannot write") in r.stderr,
              "%s unwritable: exit 255 (%d) before traffic" % (opt, r.returncode))
    # SIGTERM: the last counts and error codes lines are written
    d = os.path.join(log, "sigterm")
    os.makedirs(d, exist_ok=True)
    cmd = [sipbench, "-sn", "uac", "-i", "127.0.0.1", "-p", sb_port, "-m", "1000", "-r", "5",
           "-nostdin", "-trace_counts", "-trace_error_codes", "-trace_screen", "-fd", "10",
           "127.0.0.1:" + uas_port]
    print("run:", " ".join(cmd))
    sb = subprocess.Popen(cmd, cwd=d, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1.5)
    sb.send_signal(signal.SIGTERM)
    rc = sb.wait(timeout=20)
    c = one(d, "counts.csv").splitlines()
    last = dict(zip(c[0].split(";"), c[-1].split(";")))
    check(len(c) == 3 and int(last.get("0_INVITE_Sent", "0")) >= 5
          and len(one(d, "error_codes.csv").splitlines()) == 2,
          "SIGTERM (exit %d): the counts' last line written, %s INVITEs" % (rc,
                                                                          last.get("0_INVITE_Sent")))
    scr = one(d, "screen.log") or ""
    inv = re.search(r"^ +INVITE -+> +(\d+) ", scr, re.M)
    check(inv and int(inv.group(1)) >= 5 and " Scenario Screen " in scr and
          " Statistics Screen " in scr and " Repartition Screen " in scr and
          scr.count(" Test Terminated ") == 3,
          "SIGTERM: -trace_screen wrote SIPp's screens (scenario, statistics, repartition) "
          "to uac_PID_screen.log")
finally:
    if sb is not None and sb.poll() is None:
        sb.kill()
        sb.wait()
    uas.send_signal(signal.SIGTERM)
    try:
        uas.wait(timeout=10)
    except subprocess.TimeoutExpired:
        uas.kill()
        uas.wait()
print("%d problems" % len(problems))
sys.exit(1 if problems else 0)
