#!/usr/bin/env python3
"""SIPp's <sample distribution=> laws: reads the lines "NAME VALUE" that
case 0212's scenario logs (N draws of each law) and checks each law's
sample mean against its theoretical mean within 5 standard errors, and
the sample variance (laws with a finite fourth moment) within 15%. A
wrong law, or wrong parameter names or order, moves a mean by far more.
Usage: dist_check.py LOGFILE N"""
import math, sys

path, n = sys.argv[1], int(sys.argv[2])
g = math.gamma
# name: (mean, variance, check the variance)
theory = {
    "uniform": (2.0, 4.0 / 12, True),                        # min 1 max 3
    "normal": (100.0, 100.0, True),                          # mean 100 stdev 10
    "lognormal": (math.exp(1 + 0.125), (math.exp(0.25) - 1) * math.exp(2.25), True),
    "exponential": (50.0, 2500.0, True),                     # mean 50
    "weibull": (2 * g(1 + 1 / 1.5), 4 * (g(1 + 2 / 1.5) - g(1 + 1 / 1.5) ** 2), True),
    "pareto": (3.0, 3.0, False),                             # k 3 x_m 2
    "gpareto": (1 / 0.8, 1 / (0.8 ** 2 * 0.6), False),       # shape 0.2 scale 1
    "gamma": (6.0, 18.0, True),                              # k 2 theta 3
    "gamma_small": (1.0, 2.0, True),                         # k 0.5 theta 2
    "negbin": (3.0, 6.0, True),                              # n 3 p 0.5
}
vals = {}
for line in open(path):
    name, v = line.split()
    vals.setdefault(name, []).append(float(v))
bad = 0
for name, (mu, var, check_var) in theory.items():
    xs = vals.get(name, [])
    if len(xs) != n:
        print(f"{name}: {len(xs)} draws, expected {n}")
        bad += 1
        continue
    m = sum(xs) / n
    s2 = sum((x - m) ** 2 for x in xs) / (n - 1)
    se = math.sqrt(var / n)
    ok = abs(m - mu) <= 5 * se and (not check_var or abs(s2 - var) <= 0.15 * var)
    print(f"{name}: mean {m:.4f} (law {mu:.4f}, 5 SE {5 * se:.4f}), variance {s2:.4f} "
          f"(law {var:.4f}{'' if check_var else ', not checked'}): {'ok' if ok else 'WRONG'}")
    bad += not ok
if min(vals.get("negbin", [0])) < 0 or any(x != int(x) for x in vals.get("negbin", [])):
    print("negbin: a draw that is not a whole number of failures")
    bad += 1
sys.exit(1 if bad else 0)
