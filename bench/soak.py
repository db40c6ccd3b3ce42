#!/usr/bin/env python3
"""A bounded soak run (see bench/soak.sh): does memory stay flat?

Runs the shipped basic-call scenario (two parties, digest, per-call users)
at a steady rate against sipbench's embedded target started on its own
(`sipbench --serve`), for a fixed time, and samples the resident set size
of both processes every INTERVAL seconds from /proc. The target keeps
every callee's registration for its Expires (60 s), so its memory rises
for the first minute and must then stay level; the generator's must be
level once the rate is reached. After the warm-up the growth of each
process is the last sample against the first sample past the warm-up;
more than GROWTH percent (default 5) fails the run.

Loopback only; both processes are ours and stopped by their pids; the run
is bounded by its call count (-m) and by -timeout.

Usage: soak.py [--minutes M] [--rate R] [--interval S] [--warmup S]
               [--growth PCT] [--csv FILE]"""
import argparse, json, os, signal, socket, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SIPBENCH = os.environ.get("SIPBENCH", os.path.join(ROOT, "src", "sipbench"))
PAGE = os.sysconf("SC_PAGE_SIZE")


def free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def rss_kb(pid):
    try:
        with open("/proc/%d/statm" % pid) as f:
            return int(f.read().split()[1]) * PAGE // 1024
    except OSError:
        return None


def wait_udp(port, deadline):
    """The target is up once its port is bound."""
    while time.time() < deadline:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return True
        finally:
            s.close()
        time.sleep(0.05)
    return False


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, default=10)
    ap.add_argument("--rate", type=int, default=400, help="calls per second")
    ap.add_argument("--interval", type=float, default=10, help="seconds between samples")
    ap.add_argument("--warmup", type=float, default=120, help="seconds before growth counts")
    ap.add_argument("--growth", type=float, default=5, help="allowed growth after warm-up, %%")
    ap.add_argument("--csv", help="write the samples here too")
    a = ap.parse_args()

    tmp = tempfile.mkdtemp(prefix="sipbench-soak-")
    port = free_port()
    seconds = a.minutes * 60
    calls = int(a.rate * seconds)
    report = os.path.join(tmp, "run.json")
    target = subprocess.Popen([SIPBENCH, "--serve", "127.0.0.1:%d" % port],
                              stdout=open(os.path.join(tmp, "target.out"), "w"),
                              stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    gen = None
    try:
        if not wait_udp(port, time.time() + 10):
            sys.exit("soak: the target did not start (see %s/target.out)" % tmp)
        gen = subprocess.Popen(
            [SIPBENCH, "-sf", os.path.join(ROOT, "scenarios", "basic-call.xml"),
             "-r", str(a.rate), "-m", str(calls), "-timeout", "%ds" % (seconds + 60),
             "-nostdin", "-json", report, "127.0.0.1:%d" % port],
            stdout=open(os.path.join(tmp, "generator.out"), "w"),
            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        t0 = time.time()
        samples = []
        print("%8s %14s %14s" % ("t (s)", "generator KB", "target KB"), flush=True)
        while gen.poll() is None:
            t = time.time() - t0
            row = (round(t), rss_kb(gen.pid), rss_kb(target.pid))
            if row[1] is None:
                break
            samples.append(row)
            print("%8d %14d %14d" % row, flush=True)
            time.sleep(max(0.0, a.interval * len(samples) - (time.time() - t0)))
        rc = gen.wait()
    finally:
        if gen and gen.poll() is None:
            gen.send_signal(signal.SIGKILL)
            gen.wait()
        target.send_signal(signal.SIGTERM)
        try:
            target.wait(10)
        except subprocess.TimeoutExpired:
            target.kill()
            target.wait()

    if a.csv:
        with open(a.csv, "w") as f:
            f.write("t_s,generator_rss_kb,target_rss_kb\n")
            for row in samples:
                f.write("%d,%d,%d\n" % row)
    with open(report) as f:
        r = json.load(f)
    tot = r["calls"]
    print("generator exit %d; calls: %d started, %d successful, %d failed, %d timed out" %
          (rc, tot["started"], tot["successful"], tot["failed"], tot["timed_out"]))
    after = [s for s in samples if s[0] >= a.warmup]
    ok = rc == 0
    if len(after) < 2:
        print("soak: too short for a verdict (no samples after the %d s warm-up)" % a.warmup)
        sys.exit(1)
    for col, name in ((1, "generator"), (2, "target")):
        first, last = after[0][col], after[-1][col]
        peak = max(s[col] for s in after)
        growth = 100.0 * (last - first) / first
        print("%s RSS after warm-up: %d KB at %d s, %d KB at %d s (%+.1f%%), peak %d KB" %
              (name, first, after[0][0], last, after[-1][0], growth, peak))
        if growth > a.growth:
            ok = False
    print("soak: %s (logs in %s)" % ("PASS" if ok else "FAIL", tmp))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
