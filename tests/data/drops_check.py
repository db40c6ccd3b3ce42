#!/usr/bin/env python3
"""UDP drops are sipbench's own (issue 14 point 8): the summary's `udp
drops` and the bottleneck verdict count only datagrams sipbench's sockets
dropped (SO_RXQ_OVFL, SO_MEMINFO), never another program's.

others: one call, -sn uac against -sn uas, while another socket on this
  machine (a tiny receive buffer, never read) is flooded with COUNT
  datagrams: the machine's RcvbufErrors grow by about COUNT during the
  call, sipbench reports 0 drops and no bottleneck.
own: -sn uas stopped (SIGSTOP) while COUNT datagrams of 1000 bytes reach
  its socket, then resumed and stopped by SIGINT: its 8 MB buffer holds a
  few thousand, and the report says exactly how many it dropped (received
  + dropped = COUNT) and that sipbench may be the bottleneck.

Starts its own processes and stops them by pid.
Usage: drops_check.py SIPBENCH LOGDIR MODE PORT1 PORT2 PORT3 COUNT"""
import json, os, re, signal, socket, subprocess, sys, time

sipbench, log, mode = sys.argv[1], sys.argv[2], sys.argv[3]
port1, port2, port3, count = (int(x) for x in sys.argv[4:8])
problems = []


def check(ok, what):
    print(("ok: " if ok else "NOT OK: ") + what)
    if not ok:
        problems.append(what)


def rcvbuf_errors():
    """The machine's UDP RcvbufErrors (/proc/net/snmp)."""
    lines = [l.split() for l in open("/proc/net/snmp") if l.startswith("Udp:")]
    return int(lines[1][lines[0].index("RcvbufErrors")])


def start(name, args):
    print("run %s: %s" % (name, " ".join(args)))
    return subprocess.Popen(args, stdout=open(os.path.join(log, name + ".stdout"), "w"),
                            stderr=open(os.path.join(log, name + ".stderr"), "w"))


def wait_bound(port, limit=10.0):
    """Until something holds UDP port on 127.0.0.1 (a bind fails)."""
    end = time.time() + limit
    while time.time() < end:
        t = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            t.bind(("127.0.0.1", port))
        except OSError:
            return True
        finally:
            t.close()
        time.sleep(0.05)
    return False


def flood(port, n, size):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sent = 0
    for _ in range(n):
        sent += s.sendto(b"x" * size, ("127.0.0.1", port)) == size
    s.close()
    return sent


def finish(p, limit):
    try:
        return p.wait(timeout=limit)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
        check(False, "process %d ended within %d s" % (p.pid, limit))
        return None


def read(name):
    return open(os.path.join(log, name)).read()


if mode == "others":
    victim = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    victim.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1024)  # a few datagrams
    victim.bind(("127.0.0.1", port3))
    uas = start("uas", [sipbench, "-sn", "uas", "-i", "127.0.0.1", "-p", str(port1), "-m", "1"])
    check(wait_bound(port1), "the uas is up")
    before = rcvbuf_errors()
    uac = start("uac", [sipbench, "-sn", "uac", "-i", "127.0.0.1", "-p", str(port2), "-m", "1",
                        "-d", "1500", "-json", os.path.join(log, "uac.json"),
                        "127.0.0.1:%d" % port1])
    time.sleep(0.3)
    sent = flood(port3, count, 500)
    check(uac.poll() is None, "the flood (%d datagrams sent) ended while the call was on" % sent)
    rc = finish(uac, 30)
    after = rcvbuf_errors()
    urc = finish(uas, 10)
    victim.close()
    machine = after - before
    check(machine >= count * 9 // 10,
          "the machine dropped datagrams during the call (RcvbufErrors +%d)" % machine)
    check(rc == 0, "the uac exits 0 (%s)" % rc)
    check(urc == 0, "the uas exits 0 (%s)" % urc)
    g = json.load(open(os.path.join(log, "uac.json")))["generator"]
    check(g["udp_drops"] == 0, "the uac's JSON: udp_drops 0 (%s)" % g["udp_drops"])
    check(g["bottleneck"] is False, "the uac's JSON: no bottleneck (%s)" % g["verdict"])
    out = read("uac.stdout")
    check(re.search(r"^  udp drops    0 \(", out, re.M) is not None, "summary: udp drops 0")
    check("bottleneck" not in out, "summary: no bottleneck claim")
    check("kept up: the figures are the target's" in out, "summary: kept up")
elif mode == "own":
    uas = start("uas", [sipbench, "-sn", "uas", "-i", "127.0.0.1", "-p", str(port1),
                        "-json", os.path.join(log, "uas.json")])
    check(wait_bound(port1), "the uas is up")
    before = rcvbuf_errors()
    uas.send_signal(signal.SIGSTOP)
    sent = flood(port1, count, 1000)
    uas.send_signal(signal.SIGCONT)
    time.sleep(1)
    uas.send_signal(signal.SIGINT)
    rc = finish(uas, 20)
    machine = rcvbuf_errors() - before
    check(rc is not None and 0 <= rc < 128, "the uas ends on SIGINT, not killed (%s)" % rc)
    check(sent == count, "%d datagrams sent" % sent)
    j = json.load(open(os.path.join(log, "uas.json")))
    g, m = j["generator"], j["messages"]
    got = m["unparsable"]
    print("received %d, dropped %d (the machine: %d)" % (got, g["udp_drops"], machine))
    check(0 < g["udp_drops"] < count, "some dropped, some not: %d" % g["udp_drops"])
    check(got + g["udp_drops"] == count,
          "received (%d unparsable) + dropped (%d) = sent (%d)" % (got, g["udp_drops"], count))
    check(machine >= g["udp_drops"], "the machine's count holds ours (+%d)" % machine)
    check(g["bottleneck"] is True and "its sockets dropped %d UDP datagrams" % g["udp_drops"]
          in g["verdict"], "JSON verdict: %s" % g["verdict"])
    out = read("uas.stdout")
    check(re.search(r"^  udp drops    %d \(" % g["udp_drops"], out, re.M) is not None,
          "summary: udp drops %d" % g["udp_drops"])
    check("sipbench may be the bottleneck: its sockets dropped %d" % g["udp_drops"] in out,
          "summary: the bottleneck claim, with sipbench's own count")
else:
    sys.exit("unknown mode " + mode)
print("%d problems" % len(problems))
sys.exit(1 if problems else 0)
