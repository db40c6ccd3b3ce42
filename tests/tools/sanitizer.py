# SPDX-License-Identifier: GPL-2.0-or-later
"""The one place the test suite recognises a sanitizer report
(./configure --enable-sanitizers: ASan, LeakSanitizer, UBSan write it to
stderr). tests/run-case scans each <proc>'s stderr and every *.stderr
file under the case's %LOG: what tests/tools/netns-run's bg_c/bg_t and
the scripts of the fault cases write, and what the checkers of
tests/data/ write for the processes they start; the checkers also call
scan_dir() themselves, so that their own verdict says it.

As a program: sanitizer.py PATH... (files, or directories searched for
*.stderr) prints each report's first line and exits 1 if there is one."""
import os
import re
import sys

REPORT_RE = re.compile(
    r"^(?:==\d+==ERROR: (?:Address|Leak)Sanitizer: .*"
    r"|.*: runtime error: .*"
    r"|SUMMARY: (?:Address|Leak|UndefinedBehavior)Sanitizer: .*)$", re.M)


def first_report(path):
    """The first line of a sanitizer report in the file at PATH, or None
    (also when it cannot be read)."""
    try:
        with open(path, "rb") as f:
            text = f.read().decode("utf-8", "replace")
    except OSError:
        return None
    m = REPORT_RE.search(text)
    return m.group(0).strip() if m else None


def stderr_files(top):
    """Every *.stderr file under the directory TOP, sorted."""
    found = []
    for d, _, names in os.walk(top):
        found += [os.path.join(d, n) for n in names if n.endswith(".stderr")]
    return sorted(found)


def scan_dir(top):
    """[(path, first report line)] for each *.stderr file under TOP
    holding a report."""
    return [(p, r) for p, r in ((p, first_report(p)) for p in stderr_files(top)) if r]


def main(paths):
    bad = []
    for p in paths:
        if os.path.isdir(p):
            bad += scan_dir(p)
        else:
            r = first_report(p)
            if r:
                bad.append((p, r))
    for p, r in bad:
        print("%s: sanitizer report: %s" % (p, r))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
