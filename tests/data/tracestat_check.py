#!/usr/bin/env python3
"""-trace_stat read as SIPp's (issue 16): SIPp 3.6.1 and sipbench run the
same scenarios against one SIPp uas, each with -trace_stat, and their CSV
files are compared: sipbench's header equals SIPp's, column for column,
before sipbench's own columns; every value of SIPp's columns has the shape
of SIPp's value (time stamp, HH:MM:SS, HH:MM:SS:uuuuuu, number, empty);
the counters mean what SIPp's mean (calls created, successful, failed by
a receive timeout; StartTime is the run's start, LastResetTime the
previous line's time; the repartition counts add up to the calls).
Three scenarios: the built-in uac (one rtd, both repartitions), a file
with two named rtds and no repartition, written with -stat_delimiter ","
by both, a file whose last <recv> times out and one whose regexp should
not match and does; and the server side, sipbench's uas against SIPp's
uas (which took the calls above). An empty delimiter, or
one with a line break, is refused (exit 255). Starts its own
processes and stops them by pid.
Usage: tracestat_check.py SIPBENCH SIPP LOGDIR PORT1 PORT2 PORT3"""
import csv, os, re, signal, subprocess, sys, time

sipbench, sipp, log = sys.argv[1], sys.argv[2], sys.argv[3]
uas_port, sipp_port, sb_port = sys.argv[4], sys.argv[5], sys.argv[6]
problems = []
CALLS = 5


def check(ok, what):
    print(("ok: " if ok else "NOT OK: ") + what)
    if not ok:
        problems.append(what)


HDRS = """      From: sipp <sip:sipp@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: [service] <sip:[service]@[remote_ip]:[remote_port]>%s
      Call-ID: [call_id]
      CSeq: %s
      Contact: sip:sipp@[local_ip]:[local_port]
      Max-Forwards: 70
      Content-Length: 0
"""


def req(method, cseq, extra, to_tag):
    return """  <send retrans="500"%s>
    <![CDATA[
      %s sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
%s
    ]]>
  </send>
""" % (extra, method, HDRS % ("[peer_tag_param]" if to_tag else "", cseq))


def scenario(name, tail):
    return ('<?xml version="1.0" encoding="ISO-8859-1" ?>\n<scenario name="%s">\n' % name
            + req("INVITE", "1 INVITE", ' start_rtd="setup"', False)
            + '  <recv response="100" optional="true"/>\n'
            + '  <recv response="180" optional="true"/>\n'
            + '  <recv response="200" rtd="setup"/>\n'
            + req("ACK", "1 ACK", "", True).replace(' retrans="500"', "")
            + tail + "</scenario>\n")


# two named response-time counters, no repartition elements
TWO_RTDS = scenario("two rtds", '  <pause milliseconds="20"/>\n'
                    + req("BYE", "2 BYE", ' start_rtd="bye"', True)
                    + '  <recv response="200" rtd="bye"/>\n')
# the 200 matches a regexp that should not match: the call fails
def regexp_scenario():
    sc = scenario("regexp", "")
    return sc.replace('<recv response="200" rtd="setup"/>',
                      '<recv response="200" rtd="setup">\n    <action>\n'
                      '      <ereg regexp="^SIP/2.0 200" search_in="msg" check_it_inverse="true"'
                      ' assign_to="dummy"/>\n    </action>\n  </recv>\n'
                      '  <nop>\n    <action>\n      <log message="[$dummy]"/>\n'
                      '    </action>\n  </nop>')


REGEXP = regexp_scenario()
# SIPp's uas never sends a BYE: the <recv> times out
RECV_TIMEOUT = scenario("recv timeout", '  <recv request="BYE" timeout="300"/>\n')

STAMP = re.compile(r"^\d{4}-\d\d-\d\d\t\d\d:\d\d:\d\d\.\d{6}\t\d{10}\.\d{6}$")
# (SIPp writes a standard deviation of one value as a huge hour count)
HMS = re.compile(r"^\d{2,}:\d\d:\d\d$")
HMSU = re.compile(r"^\d{2,}:\d\d:\d\d:\d{6}$")
NUM = re.compile(r"^-?\d+(\.\d+)?(e[-+]\d+)?$")


def shape(v):
    for name, rx in (("stamp", STAMP), ("hh:mm:ss", HMS), ("hh:mm:ss:uuuuuu", HMSU),
                     ("number", NUM)):
        if rx.match(v):
            return name
    return "empty" if v == "" else "other: %r" % v


def hmsu_ms(v):
    h, m, sec, us = (int(x) for x in v.split(":"))
    return ((h * 60 + m) * 60 + sec) * 1000 + us / 1000.0


def epoch(v):
    return float(v.split("\t")[2])


def run(cmd, timeout=30):
    print("run:", " ".join(cmd))
    r = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                       timeout=timeout)
    if r.stderr.strip():
        print("  stderr:", r.stderr.strip()[-400:])
    return r.returncode


def read(path, delim):
    raw = open(path).read()
    rows = list(csv.reader(raw.splitlines(), delimiter=delim, quoting=csv.QUOTE_NONE))
    return raw, rows


def compare(tag, scen_args, delim, expect):
    """Run SIPp then sipbench on the same scenario; compare their CSVs."""
    sp_csv, sb_csv = os.path.join(log, tag + "-sipp.csv"), os.path.join(log, tag + "-sb.csv")
    extra = ["-stat_delimiter", delim] if delim != ";" else []
    common = scen_args + ["-i", "127.0.0.1", "-m", str(CALLS), "-r", "4", "-nostdin",
                          "-trace_stat", "-fd", "1"] + extra
    rc = run([sipp] + common + ["-p", sipp_port, "-stf", sp_csv, "127.0.0.1:" + uas_port])
    check(rc == expect["rc"], "%s: SIPp exits %d (%d)" % (tag, expect["rc"], rc))
    t0 = time.time()
    rc = run([sipbench] + common + ["-p", sb_port, "-stf", sb_csv, "127.0.0.1:" + uas_port])
    t1 = time.time()
    check(rc == expect["rc"], "%s: sipbench exits %d (%d)" % (tag, expect["rc"], rc))
    sp_raw, sp = read(sp_csv, delim)
    sb_raw, sb = read(sb_csv, delim)
    # SIPp ends every field with the delimiter: the last split field is ""
    n = len(sp[0]) - 1
    check(sp[0][n] == "" and n > 60, "%s: SIPp's header has %d columns" % (tag, n))
    check(sb[0][:n] == sp[0][:n], "%s: sipbench's first %d header fields are SIPp's" % (tag, n))
    for i in range(n):
        if i < len(sb[0]) and sb[0][i] != sp[0][i]:
            print("  column %d: SIPp %r, sipbench %r" % (i + 1, sp[0][i], sb[0][i]))
            break
    extras = sb[0][n:-1]
    check(len(extras) >= 2 and extras[-2:] == ["UnfinishedCall(P)", "UnfinishedCall(C)"]
          and all(x.endswith(")") for x in extras),
          "%s: sipbench's own columns come after SIPp's: %s" % (tag, ",".join(extras)))
    check(all(line.endswith(delim) for line in sb_raw.splitlines()),
          "%s: every sipbench line ends with %r, as SIPp's" % (tag, delim))
    if delim != ";":
        check(";" not in sb_raw.splitlines()[0], "%s: no ';' in the header with -stat_delimiter %s"
              % (tag, delim))
    check(all(len(r) == len(sb[0]) for r in sb[1:]) and len(sb) >= 3,
          "%s: %d sipbench lines of %d fields" % (tag, len(sb) - 1, len(sb[0])))
    h = {name: i for i, name in enumerate(sb[0])}
    last, first = sb[-1], sb[1]
    bad = [(sp[0][i], sp[-1][i], last[i]) for i in range(n) if shape(sp[-1][i]) != shape(last[i])]
    check(not bad, "%s: each of SIPp's columns has SIPp's format in sipbench's last line%s"
          % (tag, "" if not bad else ": " + repr(bad[:4])))
    col = lambda row, name: row[h[name]]
    for name, want in expect["cols"].items():
        check(col(last, name) == str(want), "%s: %s = %s (%s); SIPp's %s"
              % (tag, name, want, col(last, name), sp[-1][sp[0].index(name)]))
    if "min_call_ms" in expect:
        got, spv = hmsu_ms(col(last, "CallLength(C)")), hmsu_ms(sp[-1][sp[0].index("CallLength(C)")])
        check(got >= expect["min_call_ms"] and spv >= expect["min_call_ms"],
              "%s: CallLength(C) counts the failed calls as SIPp's: %.3f ms, SIPp %.3f ms"
              % (tag, got, spv))
    # StartTime: the run's start, the same in every line; LastResetTime:
    # the start on the first line, then the previous line's CurrentTime
    starts = set(r[h["StartTime"]] for r in sb[1:])
    st = epoch(first[h["StartTime"]])
    check(len(starts) == 1 and t0 - 0.01 <= st <= t0 + 1.0,
          "%s: StartTime is the run's start in every line (%.3f, run at %.3f)" % (tag, st, t0))
    check(first[h["LastResetTime"]] == first[h["StartTime"]],
          "%s: the first line's LastResetTime is StartTime" % tag)
    check(all(sb[k][h["LastResetTime"]] == sb[k - 1][h["CurrentTime"]] for k in range(2, len(sb))),
          "%s: each LastResetTime is the previous line's CurrentTime" % tag)
    cur = epoch(last[h["CurrentTime"]])
    check(st < cur <= t1 + 0.01, "%s: the last CurrentTime is the end (%.3f in %.3f..%.3f)"
          % (tag, cur, st, t1))
    for name in expect["reps"]:
        i = h[name]
        got = [int(x) for x in last[i + 1:i + 1 + expect["reps"][name]]]
        spv = [int(x) for x in sp[-1][i + 1:i + 1 + len(got)]]
        check(last[i] == "" and sum(got) == CALLS and sum(spv) == CALLS,
              "%s: %s counts add up to %d: sipbench %s, SIPp %s" % (tag, name, CALLS, got, spv))
    return sb, h


for fname, text in (("rtds.xml", TWO_RTDS), ("timeout.xml", RECV_TIMEOUT),
                    ("regexp.xml", REGEXP)):
    with open(os.path.join(log, fname), "w") as f:
        f.write(text)
# a delimiter that would break the file: refused before any traffic
for bad in ("", "a\nb"):
    r = subprocess.run([sipbench, "-sn", "uac", "-m", "1", "-stat_delimiter", bad, "-trace_stat",
                        "-stf", os.path.join(log, "bad.csv"), "127.0.0.1:" + uas_port],
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, timeout=10)
    check(r.returncode == 255 and "-stat_delimiter" in r.stderr
          and not os.path.exists(os.path.join(log, "bad.csv")),
          "-stat_delimiter %r: exit 255 (%d), no file: %s" % (bad, r.returncode, r.stderr.strip()))
# the one uas for every run; it stops when this script ends it
uas_csv = os.path.join(log, "uas-sipp.csv")
sbuas = None
uas = subprocess.Popen([sipp, "-sn", "uas", "-i", "127.0.0.1", "-p", uas_port, "-m", "1000",
                        "-nostdin", "-trace_stat", "-fd", "1", "-stf", uas_csv],
                       stdout=subprocess.DEVNULL,
                       stderr=open(os.path.join(log, "uas.stderr"), "w"))
try:
    time.sleep(0.5)
    ok = {"SuccessfulCall(C)": CALLS, "OutgoingCall(C)": CALLS, "IncomingCall(C)": 0,
          "TotalCallCreated": CALLS, "FailedCall(C)": 0, "CurrentCall": 0}
    compare("uac", ["-sn", "uac"], ";", {
        "rc": 0, "cols": ok,
        "reps": {"ResponseTimeRepartition1": 9, "CallLengthRepartition": 8}})
    sb, h = compare("rtds", ["-sf", os.path.join(log, "rtds.xml")], ",",
                    {"rc": 0, "cols": ok, "reps": {}})
    check("ResponseTimebyeStDev(C)" in h and not any("Repartition" in x for x in h),
          "rtds: two named rtds, no repartition columns without the elements")
    fail = {"SuccessfulCall(C)": 0, "FailedCall(C)": CALLS, "FailedTimeoutOnRecv(C)": CALLS,
            "FailedUnexpectedMessage(C)": 0, "TotalCallCreated": CALLS}
    compare("timeout", ["-sf", os.path.join(log, "timeout.xml")], ";",
            {"rc": 1, "cols": fail, "reps": {}, "min_call_ms": 300})
    fail = {"FailedCall(C)": CALLS, "FailedRegexpShouldntMatch(C)": CALLS,
            "FailedRegexpDoesntMatch(C)": 0, "FailedTimeoutOnRecv(C)": 0}
    compare("regexp", ["-sf", os.path.join(log, "regexp.xml")], ";",
            {"rc": 1, "cols": fail, "reps": {}})
    # the server side: sipbench -sn uas called by SIPp's uac, against
    # the SIPp uas that took every call above
    sb_csv = os.path.join(log, "uas-sb.csv")
    cmd = [sipbench, "-sn", "uas", "-i", "127.0.0.1", "-p", sb_port, "-m", str(CALLS),
           "-nostdin", "-trace_stat", "-fd", "1", "-stf", sb_csv]
    print("run:", " ".join(cmd))
    sbuas = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.5)
    rc = run([sipp, "-sn", "uac", "-i", "127.0.0.1", "-p", sipp_port, "-m", str(CALLS), "-r", "10",
              "-nostdin", "127.0.0.1:" + sb_port])
    check(rc == 0 and sbuas.wait(timeout=20) == 0, "uas: SIPp's uac and sipbench's uas exit 0")
    sp, sb = read(uas_csv, ";")[1], read(sb_csv, ";")[1]
    n = len(sp[0]) - 1
    check(sb[0][:n] == sp[0][:n], "uas: sipbench's first %d header fields are SIPp's uas's" % n)
    bad = [(sp[0][i], sp[-1][i], sb[-1][i]) for i in range(n) if shape(sp[-1][i]) != shape(sb[-1][i])]
    check(not bad, "uas: each of SIPp's columns has SIPp's format%s" % ("" if not bad else
                                                                         ": " + repr(bad[:4])))
    h = sb[0]
    got = dict((k, sb[-1][h.index(k)]) for k in ("IncomingCall(C)", "OutgoingCall(C)",
                                                 "SuccessfulCall(C)", "TotalCallCreated"))
    check(got == {"IncomingCall(C)": str(CALLS), "OutgoingCall(C)": "0",
                  "SuccessfulCall(C)": str(CALLS), "TotalCallCreated": str(CALLS)},
          "uas: %d incoming, successful and created calls: %s" % (CALLS, got))
finally:
    if sbuas is not None and sbuas.poll() is None:
        sbuas.kill()
        sbuas.wait()
    uas.send_signal(signal.SIGTERM)
    try:
        uas.wait(timeout=10)
    except subprocess.TimeoutExpired:
        uas.kill()
        uas.wait()
print("%d problems" % len(problems))
sys.exit(1 if problems else 0)
