#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Summarise one RTP direction of a capture, with tshark, in lines a case
can match exactly (cases 0234-0236):

  rtp_check.py PCAP SRC_PORT DST_PORT [--file F --offset N]

  packets N                 RTP packets from SRC_PORT to DST_PORT
  payload types 8[,101]     the payload types seen, in order of first use
  payload bytes 160         the payload sizes seen (sorted)
  ssrcs 1                   distinct SSRCs
  sequence consecutive      (or "sequence gaps N")
  gap ms mean M             mean gap between packets closer than 100 ms,
                            rounded to a whole ms
  gaps over 100 ms N        longer gaps (a pause)
  long gap s G              the longest gap, rounded to 0.1 s
  timestamps follow the clock   each step of the RTP timestamp is 8 x the
                            gap in ms (8 kHz) within one packet (160),
                            the long gap included (or "timestamps off N")
  first payload is F at N   the first packet's payload equals the bytes of
                            F from offset N (or "first payload differs")
Exit 0 whenever tshark could read the capture, else 1."""
import subprocess
import sys


def main():
    args = sys.argv[1:]
    fname, offset = None, 0
    if "--file" in args:
        i = args.index("--file")
        fname = args[i + 1]
        del args[i:i + 2]
    if "--offset" in args:
        i = args.index("--offset")
        offset = int(args[i + 1])
        del args[i:i + 2]
    pcap, sport, dport = args[0], int(args[1]), int(args[2])
    r = subprocess.run(["tshark", "-r", pcap, "-d", "udp.port==%d,rtp" % dport,
                        "-Y", "udp.srcport==%d && udp.dstport==%d" % (sport, dport),
                        "-T", "fields", "-E", "separator=;", "-e", "frame.time_epoch",
                        "-e", "rtp.p_type", "-e", "rtp.seq", "-e", "rtp.timestamp",
                        "-e", "rtp.ssrc", "-e", "rtp.payload"],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if r.returncode:
        print("tshark failed: %s" % r.stderr.strip())
        return 1
    pk = []
    for line in r.stdout.splitlines():
        t, pt, seq, ts, ssrc, pl = line.split(";")
        if not pt:
            continue
        pk.append((float(t), int(pt), int(seq), int(ts), ssrc,
                   bytes.fromhex(pl.replace(":", ""))))
    print("packets %d" % len(pk))
    if not pk:
        return 0
    pts = []
    for p in pk:
        if p[1] not in pts:
            pts.append(p[1])
    print("payload types %s" % ",".join(str(x) for x in pts))
    print("payload bytes %s" % ",".join(str(x) for x in sorted({len(p[5]) for p in pk})))
    print("ssrcs %d" % len({p[4] for p in pk}))
    holes = sum(1 for a, b in zip(pk, pk[1:]) if (b[2] - a[2]) % 65536 != 1)
    print("sequence consecutive" if not holes else "sequence gaps %d" % holes)
    gaps = [(b[0] - a[0]) * 1000 for a, b in zip(pk, pk[1:])]
    short = [g for g in gaps if g < 100]
    if short:
        print("gap ms mean %d" % round(sum(short) / len(short)))
    print("gaps over 100 ms %d" % (len(gaps) - len(short)))
    if gaps:
        print("long gap s %.1f" % (max(gaps) / 1000))
    if len({p[1] for p in pk}) == 1:
        off = 0
        for a, b in zip(pk, pk[1:]):
            step = (b[3] - a[3]) % (1 << 32)
            if abs(step - (b[0] - a[0]) * 8000) > 160:
                off += 1
        print("timestamps follow the clock" if not off else "timestamps off %d" % off)
    if fname:
        with open(fname, "rb") as f:
            want = f.read()[offset:offset + len(pk[0][5])]
        print("first payload is %s at %d" % (fname, offset) if want == pk[0][5]
              else "first payload differs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
