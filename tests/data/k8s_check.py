#!/usr/bin/env python3
"""deploy/kubernetes/: the manifests parse (PyYAML; exit 77, skip, without
it: the structure is the point of the case) and agree with each other: an indexed Job whose completions,
parallelism and -shard .../N agree, whose reports go to the volume the
merge Job reads, whose metrics file is the one the sidecar serves on the
annotated port. Then the Job's own command line, with the cluster's
values put in (index, pod address, target, paths) and the load made
small, is run for each index against an embedded target on loopback,
and the merge Job's command merges the reports. No cluster is used. Every
process started exits 0, and no stderr of theirs holds a sanitizer report.
Usage: k8s_check.py SIPBENCH SRCDIR LOGDIR PORT"""
import glob, json, os, re, signal, subprocess, sys, time

sipbench, srcdir, log, port = sys.argv[1:5]
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(srcdir, "tests", "tools"))
import sanitizer  # noqa: E402  (the suite's one sanitizer-report scan)
try:
    import yaml
except ImportError:
    print("SKIP: PyYAML is not installed (Debian: python3-yaml): the manifests' "
          "structure cannot be checked")
    sys.exit(77)
problems = []


def check(ok, what):
    print(("ok: " if ok else "NOT OK: ") + what)
    if not ok:
        problems.append(what)


here = os.path.join(srcdir, "deploy", "kubernetes")


def structure():
    """The manifests, read with PyYAML, checked against each other.
    Returns the Job's args, the mounts of reports and metrics, and the
    merge Job's command."""
    docs = list(yaml.safe_load_all(open(os.path.join(here, "job.yaml"))))
    merge_docs = list(yaml.safe_load_all(open(os.path.join(here, "merge-job.yaml"))))
    kinds = [d["kind"] for d in docs]
    check(kinds == ["PersistentVolumeClaim", "Job"], "job.yaml: a PVC and a Job (%s)" % kinds)
    pvc, job = docs
    spec = job["spec"]
    n = spec["completions"]
    check(spec["completionMode"] == "Indexed", "an indexed Job")
    check(spec["parallelism"] == n, "parallelism == completions == %d" % n)
    check(spec.get("backoffLimitPerIndex") == 0, "a failed shard is not run again")
    pod = spec["template"]["spec"]
    check(pod["restartPolicy"] == "Never", "restartPolicy Never")
    (c,) = pod["containers"]
    args = c["args"]
    opt = lambda name: args[args.index(name) + 1] if name in args else None
    check(opt("-shard") == "$(JOB_COMPLETION_INDEX)/%d" % n, "-shard $(JOB_COMPLETION_INDEX)/%d"
          % n)
    defined = {e["name"] for e in c.get("env", [])} | {"JOB_COMPLETION_INDEX"}
    used = set(re.findall(r"\$\((\w+)\)", " ".join(args)))
    check(used <= defined, "every $(VAR) of the args is defined (%s)" % sorted(used))
    mounts = {m["name"]: m["mountPath"] for m in c["volumeMounts"]}
    vols = {v["name"]: v for v in pod["volumes"]}
    rep = [k for k, v in vols.items() if v.get("persistentVolumeClaim", {}).get("claimName") ==
           pvc["metadata"]["name"]]
    check(len(rep) == 1 and opt("-json").startswith(mounts[rep[0]] + "/") and
          "$(JOB_COMPLETION_INDEX)" in opt("-json"), "-json %s: one file per index on the PVC"
          % opt("-json"))
    (side,) = pod["initContainers"]
    check(side.get("restartPolicy") == "Always", "the metrics server is a native sidecar")
    side_dir = side["command"][side["command"].index("-h") + 1]
    side_port = side["ports"][0]["containerPort"]
    ann = spec["template"]["metadata"]["annotations"]
    side_mount = {m["name"]: m["mountPath"] for m in side["volumeMounts"]}
    metrics = opt("-metrics")
    shared = [k for k in side_mount if side_mount[k] == side_dir and k in mounts]
    check(len(shared) == 1 and metrics == mounts[shared[0]] + ann["prometheus.io/path"],
          "the sidecar serves the -metrics file %s" % metrics)
    check(str(side_port) == ann["prometheus.io/port"], "scrape port %s" % side_port)
    (mjob,) = merge_docs
    mpod = mjob["spec"]["template"]["spec"]
    (mc,) = mpod["containers"]
    mvol = mpod["volumes"][0]["persistentVolumeClaim"]["claimName"]
    check(mvol == pvc["metadata"]["name"], "the merge Job reads the same PVC")
    mcmd = mc["args"][0]
    check(mc["volumeMounts"][0]["mountPath"] == mounts[rep[0]] and "sipbench merge" in mcmd,
          "the merge Job runs sipbench merge on the reports' mount")

    return args, n, mounts[rep[0]], mounts[shared[0]], mcmd


args, n, rep_dir, metrics_dir, mcmd = structure()
# the Job's command lines, run here: small load, loopback, paths in LOG
target = subprocess.Popen([sipbench, "--serve", "127.0.0.1:" + port],
                          stdout=open(os.path.join(log, "target.stdout"), "w"),
                          stderr=open(os.path.join(log, "target.stderr"), "w"))
try:
    for _ in range(100):
        if "Ctrl-C" in open(os.path.join(log, "target.stdout")).read():
            break
        time.sleep(0.1)
    local = lambda s: s.replace(rep_dir, log).replace(metrics_dir, log)
    procs = []
    for k in range(n):
        env = {"JOB_COMPLETION_INDEX": str(k), "POD_IP": "127.0.0.1",
               "TARGET": "127.0.0.1:" + port}
        a = [re.sub(r"\$\((\w+)\)", lambda m: env[m.group(1)], local(x)) for x in args]
        a[a.index("-m") + 1] = str(3 * n)
        a[a.index("-r") + 1] = "30"
        a[a.index("-sf") + 1] = os.path.join(srcdir, "scenarios", os.path.basename(
            a[a.index("-sf") + 1]))
        a[a.index("-metrics") + 1] = os.path.join(log, "m%d.prom" % k)
        print("shard %d: %s" % (k, " ".join(a)))
        procs.append(subprocess.Popen([sipbench] + a, stdout=open(os.path.join(
            log, "shard%d.stdout" % k), "w"), stderr=open(os.path.join(
            log, "shard%d.stderr" % k), "w")))
    codes = [p.wait(timeout=60) for p in procs]
    check(codes == [0] * n, "the Job's command exits 0 for every index (%s)" % codes)
    cmd = local(mcmd)
    merge = subprocess.run(["sh", "-c", cmd.replace("sipbench ", sipbench + " ", 1)],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           timeout=60)
    print(merge.stdout[-400:], merge.stderr)
    open(os.path.join(log, "merge.stderr"), "w").write(merge.stderr)
    check(merge.returncode == 0, "the merge Job's command exits 0")
    mg = json.load(open(os.path.join(log, "merged.json")))
    check(mg["shard"] == {"merged": list(range(n)), "count": n}, "merged shards %s" %
          mg["shard"])
    check(mg["calls"]["successful"] == 3 * n, "%d calls in all" % (3 * n))
    prom = open(os.path.join(log, "m1.prom")).read()
    check(re.search(r'^sipbench_calls_successful_total\{shard="1",scenario="basic call"\} 3$',
                    prom, re.M) is not None, "shard 1's metrics carry its labels")
    # -r 30 in all: each of the 3 shards asks for 10 calls/s
    check(re.search(r'^sipbench_target_rate\{shard="1",scenario="basic call"\} 10\.000$',
                    prom, re.M) is not None, "shard 1 runs at 1/%d of the rate" % n)
    check(re.search(r'^sipbench_response_time_hist_seconds_bucket\{shard="1",scenario='
                    r'"basic call",rtd="1",le="\+Inf"\} 3$', prom, re.M) is not None,
          "shard 1's response times as a histogram (+Inf bucket = count)")
finally:
    target.send_signal(signal.SIGTERM)
    rc = target.wait(timeout=30)
check(rc == 0, "the target exits 0 on SIGTERM (%d)" % rc)
for path, line in sanitizer.scan_dir(log):
    check(False, "sanitizer report in %s: %s" % (os.path.basename(path), line))
print("%d problems" % len(problems))
sys.exit(1 if problems else 0)
