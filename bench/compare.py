#!/usr/bin/env python3
"""sipbench against SIPp on this machine, side by side (see bench/compare.sh).

For each pair of client and server (SIPp/SIPp, sipbench/sipbench and the
two crossed pairs) it finds the highest rate with no failed call and no
retransmission over a window, records the CPU seconds per 1,000 calls of
each process (from /proc), then measures the RSS of 10,000 concurrent
calls and the instructions per call (perf stat, else callgrind on a smaller
run). Loopback only; every process it starts is stopped by its pid; every
run is bounded in calls and time.

Usage: compare.py [--window S] [--rates R1,R2,...] [--quick]"""
import argparse, json, os, re, shutil, signal, socket, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SIPBENCH = os.environ.get("SIPBENCH", os.path.join(ROOT, "src", "sipbench"))
SIPP = shutil.which("sipp")
TMP = tempfile.mkdtemp(prefix="sipbench-bench-")
CLK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


def free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


class Proc:
    """A process of ours, with its CPU time sampled from /proc until it ends."""

    def __init__(self, argv, name):
        self.name = name
        self.out = open(os.path.join(TMP, name + ".out"), "w")
        self.p = subprocess.Popen(argv, stdout=self.out, stderr=subprocess.STDOUT,
                                  stdin=subprocess.DEVNULL, cwd=TMP)
        self.cpu = 0.0
        self.rss = 0

    def sample(self):
        try:
            with open("/proc/%d/stat" % self.p.pid) as f:
                fields = f.read().rsplit(")", 1)[1].split()
            self.cpu = (int(fields[11]) + int(fields[12])) / CLK
            self.rss = int(fields[21]) * PAGE
        except (OSError, IndexError, ValueError):
            pass

    def alive(self):
        return self.p.poll() is None

    def stop(self):
        if self.alive():
            self.p.send_signal(signal.SIGTERM)
            try:
                self.p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()
        self.out.close()


def wait_all(procs, deadline):
    while time.time() < deadline and any(p.alive() for p in procs):
        for p in procs:
            if p.alive():
                p.sample()
        time.sleep(0.2)
    for p in procs:
        p.stop()


def server_cmd(kind, port, calls):
    if kind == "sipp":
        return [SIPP, "-sn", "uas", "-i", "127.0.0.1", "-p", str(port), "-nostdin",
                "-m", str(calls), "-trace_stat", "-stf", os.path.join(TMP, "srv.csv"),
                "-fd", "1"]
    return [SIPBENCH, "-sn", "uas", "-i", "127.0.0.1", "-p", str(port), "-m", str(calls),
            "-nostdin", "--json", os.path.join(TMP, "srv.json")]


def client_cmd(kind, port, rate, calls, pause_ms=0):
    if kind == "sipp":
        return [SIPP, "-sn", "uac", "-i", "127.0.0.1", "-p", str(free_port()), "-nostdin",
                "-r", str(rate), "-m", str(calls), "-d", str(pause_ms), "-trace_stat",
                "-stf", os.path.join(TMP, "cli.csv"), "-fd", "1",
                "127.0.0.1:%d" % port]
    return [SIPBENCH, "-sn", "uac", "-i", "127.0.0.1", "-r", str(rate), "-m", str(calls),
            "-d", str(pause_ms), "-nostdin", "--json", os.path.join(TMP, "cli.json"),
            "127.0.0.1:%d" % port]


def sipp_counts(path):
    """(successful, failed, retransmissions) from the last line of a SIPp CSV."""
    try:
        rows = [l.rstrip("\n").split(";") for l in open(path)]
        h, last = rows[0], rows[-1]
        return tuple(int(last[h.index(k)]) for k in
                     ("SuccessfulCall(C)", "FailedCall(C)", "Retransmissions(C)"))
    except (OSError, ValueError, IndexError):
        return (0, 1, 0)


def sipbench_counts(path):
    try:
        j = json.load(open(path))
        return (j["calls"]["successful"], j["calls"]["failed"],
                sum(s["retransmissions"] for s in j["steps"]))
    except (OSError, ValueError, KeyError):
        return (0, 1, 0)


def counts(kind, side):
    if kind == "sipp":
        return sipp_counts(os.path.join(TMP, side + ".csv"))
    return sipbench_counts(os.path.join(TMP, side + ".json"))


def trial(cli, srv, rate, window):
    """One run at rate for window seconds: (clean, ok, failed, retrans, cpu_cli, cpu_srv)."""
    for f in ("cli.csv", "srv.csv", "cli.json", "srv.json"):
        try:
            os.remove(os.path.join(TMP, f))
        except OSError:
            pass
    port = free_port()
    calls = int(rate * window)
    s = Proc(server_cmd(srv, port, calls), "server")
    time.sleep(0.5)
    c = Proc(client_cmd(cli, port, rate, calls), "client")
    wait_all([c], time.time() + window + 40)
    wait_all([s], time.time() + 5)
    ok, failed, rtx = counts(cli, "cli")
    sok, sfailed, srtx = counts(srv, "srv")
    clean = ok == calls and failed == 0 and rtx == 0 and srtx == 0
    return clean, ok, failed, rtx + srtx, c.cpu, s.cpu


def best_rate(cli, srv, rates, window, log):
    """The highest clean rate, climbing the list and stopping at the first failure."""
    best = None
    for r in rates:
        clean, ok, failed, rtx, ccpu, scpu = trial(cli, srv, r, window)
        log("  %-8s -> %-8s %6d calls/s: %s (ok %d, failed %d, retrans %d, cpu %.2f + %.2f s)"
            % (cli, srv, r, "clean" if clean else "NOT clean", ok, failed, rtx, ccpu, scpu))
        if not clean:
            break
        best = (r, 1000.0 * ccpu / max(ok, 1), 1000.0 * scpu / max(ok, 1))
    return best


def rss_per_10k(kind_cli, kind_srv, concurrent):
    """RSS of each side holding `concurrent` calls in a long pause."""
    port = free_port()
    rate = 5000
    s = Proc(server_cmd(kind_srv, port, concurrent), "rss-server")
    time.sleep(0.5)
    c = Proc(client_cmd(kind_cli, port, rate, concurrent, pause_ms=60000), "rss-client")
    t_end = time.time() + concurrent / rate + 8
    while time.time() < t_end and c.alive():
        c.sample()
        s.sample()
        time.sleep(0.5)
    c.sample()
    s.sample()
    cr, sr = c.rss, s.rss
    c.stop()
    s.stop()
    return cr * 10000 / concurrent, sr * 10000 / concurrent


def instructions_per_call(kind, calls):
    """Instructions per call of a client: perf stat, else callgrind (smaller run)."""
    port = free_port()
    tool = None
    if shutil.which("perf"):
        probe = subprocess.run(["perf", "stat", "-e", "instructions", "-x,", "true"],
                               capture_output=True, text=True)
        if probe.returncode == 0 and "not supported" not in probe.stderr:
            tool = "perf"
    if not tool and shutil.which("valgrind"):
        tool, calls = "callgrind", min(calls, 500)
    if not tool:
        return None, None
    s = Proc(server_cmd("sipbench", port, calls), "ipc-server")
    time.sleep(0.5)
    argv = client_cmd(kind, port, 500 if tool == "callgrind" else 2000, calls)
    if tool == "perf":
        argv = ["perf", "stat", "-e", "instructions", "-x,", "-o",
                os.path.join(TMP, "perf.txt")] + argv
    else:
        argv = ["valgrind", "--tool=callgrind", "--callgrind-out-file=" +
                os.path.join(TMP, "cg.out")] + argv
    c = Proc(argv, "ipc-client")
    wait_all([c], time.time() + 300)
    wait_all([s], time.time() + 5)
    try:
        if tool == "perf":
            for line in open(os.path.join(TMP, "perf.txt")):
                f = line.split(",")
                if len(f) > 2 and "instructions" in f[2] and f[0].strip().isdigit():
                    return int(f[0]) / calls, tool
        else:
            for line in open(os.path.join(TMP, "cg.out")):
                if line.startswith("summary:") or line.startswith("totals:"):
                    return int(line.split()[1]) / calls, tool
    except (OSError, ValueError):
        pass
    return None, tool


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--window", type=float, default=20)
    ap.add_argument("--rates", default="1000,2000,3000,5000,7000,10000,12500,15000,20000")
    ap.add_argument("--quick", action="store_true", help="5 s windows, fewer rates")
    a = ap.parse_args()
    if a.quick:
        a.window, a.rates = 5, "1000,2000,5000,10000"
    rates = [int(r) for r in a.rates.split(",")]
    if not SIPP or not os.access(SIPBENCH, os.X_OK):
        print("needs sipp on PATH and a built %s" % SIPBENCH)
        return 2

    def log(s):
        print(s)
        sys.stdout.flush()

    log("machine: %d cores, %s" % (os.cpu_count(), open("/proc/cpuinfo").read().split(
        "model name")[1].split("\n")[0].strip(": \t") if "model name" in
        open("/proc/cpuinfo").read() else "?"))
    log("window %g s, rates %s; work files in %s" % (a.window, a.rates, TMP))
    pairs = [("sipp", "sipp"), ("sipbench", "sipbench"), ("sipbench", "sipp"),
             ("sipp", "sipbench")]
    res = {}
    for cli, srv in pairs:
        res[(cli, srv)] = best_rate(cli, srv, rates, a.window, log)
    log("measuring RSS of 10,000 concurrent calls ...")
    rss = {k: rss_per_10k(k, k, 10000) for k in ("sipp", "sipbench")}
    log("measuring instructions per call ...")
    ipc = {k: instructions_per_call(k, 5000) for k in ("sipp", "sipbench")}

    log("")
    log("%-22s %12s %16s %16s" % ("client -> server", "clean rate", "cpu/1000 client",
                                  "cpu/1000 server"))
    for (cli, srv), b in res.items():
        if b:
            log("%-22s %10d/s %14.3f s %14.3f s" % (cli + " -> " + srv, b[0], b[1], b[2]))
        else:
            log("%-22s %12s" % (cli + " -> " + srv, "none clean"))
    log("%-22s %14s %14s" % ("RSS per 10,000 calls", "client", "server"))
    for k, (cr, sr) in rss.items():
        log("%-22s %11.1f MB %11.1f MB" % (k, cr / 1e6, sr / 1e6))
    for k, (n, tool) in ipc.items():
        log("%-22s %s" % ("instructions/call " + k, "%.0f (%s)" % (n, tool) if n else "n/a"))
    sp, sb = res.get(("sipp", "sipp")), res.get(("sipbench", "sipbench"))
    if sp and sb:
        log("ratio sipbench/SIPp: clean rate %.2fx, client CPU per call %.2fx, "
            "RSS per call %.2fx" % (sb[0] / sp[0], sb[1] / sp[1] if sp[1] else 0,
                                   rss["sipbench"][0] / rss["sipp"][0] if rss["sipp"][0] else 0))
    shutil.rmtree(TMP, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
