#!/usr/bin/env python3
"""Benchmark: the two-link outage of issue 13 and recovery after a PDP loss.

1. Two links on one modem to the same server inside network namespaces,
   an nft drop while both are quiet (tests/netns/outage_lib.py): idle 10 s,
   timeout 4 s, retries 2, ack_timeout 10 s; simulator at 115200 baud,
   firmware he910-12.00.006; one busy link (a local client keeps writing)
   and one idle link. Time from the drop to each link's link-dead event,
   beside the bound `cellsockctl links` showed; a time over its bound is
   flagged MISS. Run with one AT port, and with --ports N (default 2) when
   the simulator has --ports (else that variant is skipped, said so).
2. Recovery with the same keepalive settings (loopback, 115200 baud): from
   a PDP loss and from a server RST to the first byte on the new
   connection (tests/bench/recovery.py's runs).

Not a test: needs root, ip and nft for part 1 (skipped otherwise); prints a
Markdown report; the last line "summary: ..." is for scripts/bench_summary.py.

usage: outage.py [--runs N] [--ports N] [--recovery-runs N] [--log DIR]"""

import argparse
import os
import shutil
import statistics
import sys

from cellsock_harness import CELLSOCKCTL, CELLSOCKD, MODEMSIM

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "netns"))
sys.path.insert(0, HERE)
from netns_lib import preflight  # noqa: E402
from outage_lib import KEEPALIVE, Outage, sim_ports_supported  # noqa: E402

CAP = 120.0


def outage(ports, runs, log):
    """[result of each run] for this many ports."""
    got = []
    for i in range(runs):
        o = Outage(ports=ports)
        try:
            o.setup()
            got.append(o.run(cap=CAP))
        finally:
            if log:
                shutil.copy(o.daemon.log, os.path.join(log, "outage-%dport-%d.log" % (ports, i)))
            o.close()
        print("# %d port(s), run %d done" % (ports, i + 1), flush=True)
    return got


def rows(ports, runs):
    out = []
    for name in ("busy", "idle"):
        took = [r[name]["took"] for r in runs]
        bound = max(r[name]["bound"] for r in runs)
        causes = sorted(set(str(r[name].get("cause")) for r in runs))
        wait = max(int(r[name].get("probe_wait_max_ms") or 0) for r in runs)
        if any(t is None for t in took):
            cell, flag = "not dead within %d s" % CAP, "MISS"
        else:
            cell = "%.1f" % max(took) if len(took) == 1 else \
                "%.1f (max %.1f)" % (statistics.mean(took), max(took))
            flag = "ok" if max(took) <= bound else "MISS"
        out.append(("%s link" % name, ports, cell, "%.1f" % bound, flag, ", ".join(causes), wait))
    return out


def recovery(runs):
    """p50 seconds for server RST and PDP drop with the outage's keepalive."""
    import recovery as rec
    from supervisor_rig import Rig
    times = {"server RST": [], "PDP drop": []}
    conf = ("pdp_cycle_after = 50; radio_cycle_after = 60; modem_reboot_after = 70; "
            "cooldown = 1.0;")
    keepalive = KEEPALIVE.replace("ack_timeout = 10.0;", "")
    with Rig(sim_args=["--baud", "115200", "--firmware", "he910-12.00.006"], recovery=conf,
             keepalive=keepalive) as r:
        r.daemon.write_config(open(r.daemon.conf).read()
                              .replace("ack_timeout = 2.0;", "ack_timeout = 10.0;")
                              .replace("min = 0.2;", "min = %.1f;" % rec.BACKOFF_MIN)
                              .replace("quiet_time = 0.2;", "quiet_time = %.1f;" % rec.QUIET)
                              .replace("stable = 3.0;", "stable = 0.3;"))
        r.ctl("reload")
        conn = r.server.accept(timeout=30)
        conn.recv_exact(1)
        connects = 1
        rec.wait_stable(r, connects)
        for cause in times:
            for _ in range(runs):
                took, conn = rec.one_run(r, cause, conn)
                connects += 1
                times[cause].append(took)
                rec.wait_stable(r, connects)
    return {c: statistics.median(t) for c, t in times.items()}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--ports", type=int, default=2, help="ports of the second variant")
    ap.add_argument("--recovery-runs", type=int, default=5)
    ap.add_argument("--log", help="copy the daemons' logs into this directory")
    ap.add_argument("--no-outage", action="store_true", help="only the recovery part")
    args = ap.parse_args()
    for binary in (CELLSOCKD, CELLSOCKCTL, MODEMSIM):
        if not os.access(binary, os.X_OK):
            print("not built: %s (set top_builddir)" % binary)
            return 77
    summary = {}
    print("### Two links, one modem, an nft drop while both are quiet\n")
    print("Keepalive: %s simulator 115200 baud, he910-12.00.006. Time from the drop "
          "to link-dead; bound: what `cellsockctl links` showed before the drop.\n" % KEEPALIVE)
    reason = "--no-outage" if args.no_outage else preflight()
    if reason:
        print("SKIP: " + reason + "\n")
    else:
        table = []
        variants = [1]
        if args.ports > 1 and sim_ports_supported():
            variants.append(args.ports)
        for ports in variants:
            for row in rows(ports, outage(ports, args.runs, args.log)):
                table.append(row)
                key = "%s_%dport" % (row[0].split()[0], ports)
                summary[key] = "none" if row[2].startswith("not") else row[2].split()[0]
                summary[key + "_bound"] = row[3]
                summary[key + "_flag"] = row[4]
        print("| link | AT ports | dead after drop (s) | bound shown (s) | within | cause "
              "| longest probe wait (ms) |")
        print("|---|---|---|---|---|---|---|")
        for row in table:
            print("| %s | %d | %s | %s | %s | %s | %d |" % row)
        if len(variants) == 1:
            print("\n%d ports: skipped (this simulator has no --ports)." % args.ports)
        print()
    print("### Recovery with the same keepalive settings (loopback, 115200 baud)\n")
    p50 = recovery(args.recovery_runs)
    print("| cause | p50 to the first byte (s), %d runs |" % args.recovery_runs)
    print("|---|---|")
    for cause, v in p50.items():
        print("| %s | %.2f |" % (cause, v))
        summary[{"server RST": "rst", "PDP drop": "pdp"}[cause] + "_p50"] = "%.2f" % v
    print()
    print("summary: " + " ".join("%s=%s" % kv for kv in summary.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
