#!/usr/bin/env python3
"""Benchmark: time to detect a silent drop, side by side in one run, through
real packet loss (issue 5/7, item 9). The simulator and four plain Linux TCP
clients run in network namespace A, a probe-answering echo server in B, the
daemon in the root namespace; one nft rule in B drops everything between A
and B for all of them at the same instant. Compared:
  cellsockd          idle 5 s, timeout 5 s, retries 2, ack_timeout 10 s
  SO_KEEPALIVE       TCP_KEEPIDLE 5, TCP_KEEPINTVL 5, TCP_KEEPCNT 2
  + TCP_USER_TIMEOUT the same plus TCP_USER_TIMEOUT (20 s by default)
each on an idle connection and on one with 2000 unacknowledged bytes written
just after the drop. Just before the drop every connection shows a sign of
life (cellsockd's idle link: a probe answered; the others: a byte echoed),
so the idle times are the worst case of each mechanism. Each figure stands
beside its bound: for cellsockd the dead_within_idle / dead_within_busy that
`cellsockctl links` showed before the drop; for Linux the time its own rules
give for these settings (keepalive: KEEPIDLE + KEEPINTVL x KEEPCNT; busy:
tcp_retries2's retransmission give-up; with TCP_USER_TIMEOUT: the first
keepalive tick at or past it, or the timeout itself when busy). A figure more
than 1 s (timer and event latency) past its bound is flagged. Waits are
capped at 120 s. Not a test: needs root, ip and nft; prints a Markdown table (also
written to --out) and an SVG bar chart if gnuplot is installed; the line
"summary: ..." is for scripts/bench_summary.py.

usage: detect.py [--runs N] [--out FILE] [--svg FILE] [--user-timeout MS] [--log FILE]"""

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

from cellsock_harness import CELLSOCKCTL, CELLSOCKD, MODEMSIM, Daemon, wait_until
from supervisor_rig import Monitor

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "netns"))
from netns_lib import LinkRig, NetnsPair, daemon_config, preflight  # noqa: E402

CAP = 120.0
IDLE, INTVL, CNT = 5, 5, 2
KEEPALIVE = "idle = 5.0; timeout = 5.0; retries = 2; ack_timeout = 10.0;"
BURST = 2000


class Client:
    """One tcp_client.py inside namespace A, its output lines collected."""

    def __init__(self, pair, port, mode, user_timeout):
        self.mode = mode
        self.lines = []
        self.lock = threading.Lock()
        self.p = pair.spawn(pair.a, [sys.executable, os.path.join(pair_dir(), "tcp_client.py"),
                                     pair.addr_b, str(port), pair.addr_a, mode, str(IDLE),
                                     str(INTVL), str(CNT), str(user_timeout)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0)
        threading.Thread(target=self._read, daemon=True).start()
        self.wait("ready", 10)

    def _read(self):
        for line in self.p.stdout:
            with self.lock:
                self.lines.append(line.decode().strip())

    def find(self, word):
        with self.lock:
            return next((l for l in self.lines if l.split()[0] == word), None)

    def wait(self, word, timeout):
        return wait_until(lambda: self.find(word), timeout=timeout, what="client %s" % word)

    def say(self, cmd):
        self.p.stdin.write(cmd.encode() + b"\n")
        self.p.stdin.flush()

    def result(self):
        """(detected at, how) or (None, None)."""
        line = self.find("dead")
        if not line:
            return None, None
        _, t, err = line.split()
        return float(t), err


def pair_dir():
    return os.path.join(os.path.dirname(HERE), "netns")


class Bench(LinkRig):
    def __init__(self, pair, tmp, user_timeout):
        self.pair = pair
        self.user_timeout = user_timeout
        self.local = os.path.join(tmp, "busy.sock")
        pair.setup()
        self.port = pair.start_server()
        self.sim = pair.sim()
        self.daemon = Daemon()
        self.daemon.write_config(daemon_config(
            self.sim.link, self.daemon.sock,
            [("idle", 1, KEEPALIVE, None), ("busy", 2, KEEPALIVE, self.local)],
            pair.addr_b, self.port, teardown=None))
        self.monitor = None
        self.daemon.start()
        self.monitor = Monitor(self.daemon.sock)

    def local_client(self):
        c = socket.socket(socket.AF_UNIX)
        wait_until(lambda: c.connect_ex(self.local) == 0, timeout=10, what="local endpoint")
        return c

    def run_once(self):
        """One drop for all six cases: {case: (seconds or None, how)}."""
        wait_until(self.ready, timeout=60, what="both links up and checked")
        local = self.local_client()
        self.echo(local, b"before")
        clients = {(kind, mode): Client(self.pair, self.port, mode, ut)
                   for kind, ut in (("keepalive", 0), ("user_timeout", self.user_timeout))
                   for mode in ("idle", "busy")}
        before = self.links()["idle"]["probes_answered"]
        wait_until(lambda: self.links()["idle"]["probes_answered"] > before, timeout=20,
                   what="a probe answered on the idle link")
        for c in clients.values():
            c.say("ping")
        for c in clients.values():
            c.wait("pong", 10)
        self.echo(local, b"last")
        shown = self.links()
        mark = self.monitor.mark()
        self.pair.drop()
        t0 = time.monotonic()
        local.sendall(b"u" * BURST)
        for c in clients.values():
            c.say("go")
        results = {}

        def done():
            for name in ("idle", "busy"):
                ev = [e for e in self.monitor.find("link-dead", mark) if e.get("name") == name]
                if ev and ("cellsockd", name) not in results:
                    results[("cellsockd", name)] = (ev[0]["_t"] - t0, "%s (silent=%s)"
                                                    % (ev[0]["cause"], ev[0]["silent"]))
            for key, c in clients.items():
                t, how = c.result()
                if t is not None and key not in results:
                    results[key] = (t - t0, how)
            return len(results) == 6 or time.monotonic() - t0 > CAP
        wait_until(done, timeout=CAP + 10, interval=0.05, what="detections")
        results[("bound", "idle")] = shown["idle"]["dead_within_idle"]
        results[("bound", "busy")] = shown["busy"]["dead_within_busy"]
        self.pair.undrop()
        local.close()
        for c in clients.values():
            c.p.stdin.close()
        return results

    def close(self):
        if self.monitor:
            self.monitor.stop()
        self.daemon.cleanup()


LABELS = {"cellsockd": "cellsockd (idle 5, timeout 5, retries 2, ack_timeout 10)",
          "keepalive": "SO_KEEPALIVE (KEEPIDLE 5, KEEPINTVL 5, KEEPCNT 2)",
          "user_timeout": "SO_KEEPALIVE + TCP_USER_TIMEOUT %d ms"}
ORDER = [(k, m) for k in ("cellsockd", "keepalive", "user_timeout") for m in ("idle", "busy")]


SLACK = 1.0	# timer and event latency allowed past a bound


def retries2_giveup():
    """Seconds until Linux gives up retransmitting (tcp_retries2, RTO from
    200 ms doubling to 120 s), as tcp_retransmit_timer computes it."""
    try:
        with open("/proc/sys/net/ipv4/tcp_retries2") as f:
            retries = int(f.read())
    except (OSError, ValueError):
        retries = 15
    boundary = 9			# ilog2(TCP_RTO_MAX / TCP_RTO_MIN)
    if retries <= boundary:
        return ((2 << retries) - 1) * 0.2
    return ((2 << boundary) - 1) * 0.2 + (retries - boundary) * 120.0


def bound(key, runs, user_timeout):
    """The bound of one case in seconds: shown by cellsockd, or Linux's own."""
    kind, mode = key
    if kind == "cellsockd":
        shown = [r[("bound", mode)] for r in runs if ("bound", mode) in r]
        return max(shown) if shown else None
    ut = user_timeout / 1000.0
    if kind == "keepalive":
        return IDLE + INTVL * CNT if mode == "idle" else retries2_giveup()
    if mode == "busy":
        return ut
    ticks = max(0, -(-(ut - IDLE) // INTVL))	# keepalive ticks after KEEPIDLE
    return IDLE + ticks * INTVL


def table(runs, user_timeout):
    rows = ["| mechanism | link | detected after drop (s) | bound (s) | met | runs | how |",
            "|---|---|---|---|---|---|---|"]
    summary = {}
    for key in ORDER:
        got = [r[key] for r in runs if key in r]
        label = LABELS[key[0]] % user_timeout if "%" in LABELS[key[0]] else LABELS[key[0]]
        link = "idle" if key[1] == "idle" else "busy (%d B unacked)" % BURST
        if len(got) < len(runs):
            cell = "not detected within %d s" % CAP
            if got:
                cell += " (%d of %d runs detected)" % (len(got), len(runs))
            summary[key] = None
        else:
            secs = [g[0] for g in got]
            cell = "%.1f" % statistics.mean(secs)
            if len(secs) > 1:
                cell += " (min %.1f, max %.1f)" % (min(secs), max(secs))
            summary[key] = statistics.mean(secs)
        how = "; ".join(sorted(set(g[1] for g in got))) or "-"
        b = bound(key, runs, user_timeout)
        summary[key + ("bound",)] = b
        if b is None:
            met = "-"
        elif b >= CAP and len(got) < len(runs):
            met = "ok (bound past the cap)"
        elif len(got) < len(runs):
            met = "**missed**"
        else:
            met = "ok" if max(g[0] for g in got) <= b + SLACK else "**missed**"
        rows.append("| %s | %s | %s | %s | %s | %d | %s |" % (
            label, link, cell, "-" if b is None else "%.1f" % b, met, len(runs), how))
    return "\n".join(rows) + "\n", summary


def plot(summary, svg, user_timeout):
    """A bar chart of the detection times with gnuplot (not-detected at the cap)."""
    if shutil.which("gnuplot") is None:
        print("# gnuplot not installed: no plot")
        return
    names = {"cellsockd": "cellsockd", "keepalive": "SO\\\\_KEEPALIVE",
             "user_timeout": "+USER\\\\_TIMEOUT %ds" % (user_timeout // 1000)}
    tmp = tempfile.mkdtemp(prefix="cellsock-detect-")
    try:
        data = os.path.join(tmp, "data")
        with open(data, "w") as f:
            for key in ORDER:
                v = summary[key]
                f.write('"%s %s" %.2f %s\n' % (names[key[0]], key[1], CAP if v is None else v,
                                              '"none"' if v is None else '"%.1f"' % v))
        script = """set terminal svg size 800,420
set output '%s'
set style fill solid 0.6
set boxwidth 0.6
set yrange [0:%d]
set ylabel 'seconds from drop to detection'
set title 'Silent drop (nft) detection, capped at %d s'
set xtics rotate by -20
plot '%s' using 0:2:xtic(1) with boxes notitle, '' using 0:2:3 with labels offset 0,1 notitle
""" % (svg, CAP + 15, CAP, data)
        subprocess.run(["gnuplot"], input=script.encode(), check=True, timeout=30)
        print("# plot: %s" % svg)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--out", help="also write the table to this file")
    ap.add_argument("--svg", help="the plot (default: --out with .svg, else detect.svg)")
    ap.add_argument("--user-timeout", type=int, default=20000, help="TCP_USER_TIMEOUT in ms")
    ap.add_argument("--log", help="copy the daemon's log here")
    args = ap.parse_args()
    for binary in (CELLSOCKD, CELLSOCKCTL, MODEMSIM):
        if not os.access(binary, os.X_OK):
            print("not built: %s (set top_builddir)" % binary)
            return 77
    reason = preflight()
    if reason:
        print("SKIP: " + reason)
        return 77
    tmp = tempfile.mkdtemp(prefix="cellsock-detect-")
    pair = NetnsPair()
    bench = None
    runs = []
    try:
        bench = Bench(pair, tmp, args.user_timeout)
        for i in range(args.runs):
            t0 = time.monotonic()
            runs.append(bench.run_once())
            print("# run %d: %.0f s" % (i + 1, time.monotonic() - t0), flush=True)
    finally:
        if bench and args.log:
            shutil.copy(bench.daemon.log, args.log)
        if bench:
            bench.close()
        pair.close()
        shutil.rmtree(tmp, ignore_errors=True)
    text, summary = table(runs, args.user_timeout)
    text = ("Time to detect a silent drop (nft drop in the server's namespace), "
            "measured from the drop; %d run(s), cap %d s.\n\n" % (len(runs), CAP)) + text
    print(text)
    print("summary: " + " ".join("%s_%s=%s" % (k[0], k[1], "none" if summary[k] is None
                                               else "%.1f" % summary[k]) for k in ORDER)
          + " " + " ".join("%s_%s_bound=%s" % (k[0], k[1], "none" if summary[k + ("bound",)]
                                                is None else "%.1f" % summary[k + ("bound",)])
                           for k in ORDER)
          + " cap=%d user_timeout_ms=%d slack=%.1f" % (CAP, args.user_timeout, SLACK))
    if args.out:
        with open(args.out, "w") as f:
            f.write(text)
    svg = args.svg or (os.path.splitext(args.out)[0] + ".svg" if args.out else "detect.svg")
    plot(summary, svg, args.user_timeout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
