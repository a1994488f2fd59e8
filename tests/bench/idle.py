#!/usr/bin/env python3
"""Benchmark: keepalive.idle = "auto" against the simulator's nat-timeout
fault (the network forgets a connection idle T seconds), beside fixed idle
periods. Not a test: it prints Markdown tables with each number beside its
bound (issue 17) and flags misses; the last line, "summary: ...", is for
scripts/bench_summary.py.

Time scale. A real run at T = 600 s takes hours per scenario, so every
duration on BOTH sides is divided by --scale (default 10): the network's T,
and the daemon's idle_min, idle_max, idle_probe_up, timeout and ack_timeout.
A scale that only sped up the simulator would not be a model of anything:
the daemon's timers run in real time. Durations are measured in real time
and reported multiplied by the scale ("model seconds"). What does not scale
(AT command round trips, ~10-50 ms; the reconnect backoff of the test rig,
0.2..2 s; the daemon's one-day window for the trial death budget) is
therefore magnified by the scale in the outages reported, which makes them
pessimistic; and the probe's own latency (the status poll before it) weighs
10x more against T than on a real modem, which makes the margin test harder.

Daemon settings (model seconds): idle_min 20, idle_max 1800, timeout 20,
retries 2, probe FF answered FE (ack_timeout 2 s real, the test rig's), one
trial death a day; idle_probe_up the default 86400 (never reached within a
run), except in the runs where T changes: 600, so that a rising T is tried
within the run.

usage: idle.py [--scale N] [--window MODEL_SECONDS] [--only NAME,...]"""

import argparse
import os
import shutil
import sys
import tempfile
import threading
import time

from cellsock_harness import Daemon, wait_until
from supervisor_rig import Monitor, Rig, link_config

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "keepalive"))
from keepalive import ProbeServer  # noqa: E402

TCPIP = 52          # bytes of TCP/IPv4 headers with timestamps per segment (cellsockctl(8))
PER_PROBE = 1 + 2 * TCPIP   # probe FF: its segment and the server's ACK
PER_REPLY = 1 + 2 * TCPIP   # reply FE: its segment and our ACK

args = None


class Run:
    """One simulator + probe server + daemon, sampled from a thread."""

    def __init__(self, name, policy, probe_up=86400):
        self.name = name
        self.state = tempfile.mkdtemp(prefix="cellsock-bench-idle-")
        s = args.scale
        if policy == "auto":
            idle = ('idle = "auto"; idle_min = %g; idle_max = %g; idle_probe_up = %g; '
                    'idle_trial_deaths_per_day = 1;' % (20 / s, 1800 / s, probe_up / s))
        else:
            idle = "idle = %g;" % (policy / s)
        # (the rig's own keepalive line sets ack_timeout = 2 s, real time)
        self.ka = idle + ' timeout = %g; retries = 2; reply = "FE";' % (20 / s)
        self.srv = ProbeServer()
        self.rig = Rig(start_daemon=False, keepalive=self.ka)
        self.samples = []       # (t, link record)
        self.stop = False

    def __enter__(self):
        try:
            return self._start()
        except BaseException:
            self.__exit__(*sys.exc_info())   # no simulator, daemon or directory left
            raise

    def _start(self):
        r = self.rig
        r.__enter__()
        r.server.close()
        r.server = self.srv
        r.daemon = Daemon(env={"STATE_DIRECTORY": self.state})
        r.daemon.write_config(link_config(r.sim.link, self.srv.port, r.daemon.sock, "", "",
                                          self.ka, recovery=r.recovery))
        r.daemon.start()
        r.monitor = Monitor(r.daemon.sock)
        r.ctl("log-level", "info")
        r.wait_link("up", timeout=30)
        threading.Thread(target=self._sample, daemon=True).start()
        return self

    def _sample(self):
        while not self.stop:
            try:
                self.samples.append((time.monotonic(), self.rig.link()))
            except Exception:   # the daemon may be restarting; keep sampling
                pass
            time.sleep(0.25)

    def __exit__(self, *exc):
        self.stop = True
        self.rig.__exit__(*exc)
        shutil.rmtree(self.state, ignore_errors=True)

    def set_T(self, T):
        """The network forgets connections idle T model seconds."""
        self.rig.sim.control("nat-timeout all %.3f" % (T / args.scale))
        return time.monotonic()

    def link(self):
        return self.rig.link()

    def wait(self, pred, model_s, what):
        def check():
            link = self.link()
            return pred(link) and link
        return wait_until(check, timeout=model_s / args.scale,
                          interval=0.25, what=what)

    def deaths(self, t0, t1):
        return [e for e in self.rig.monitor.find("link-dead") if t0 <= e["_t"] <= t1]

    def unusable(self, t0, t1, T):
        """Model seconds in [t0, t1] the link was no use: from when the
        network forgot the connection (the death's silence minus T) until
        the link was up again."""
        total = 0.0
        states = [e for e in self.rig.monitor.find("link-state")]
        for d in self.deaths(t0, t1):
            forgot = d["_t"] - max(0.0, float(d.get("silent", 0)) - T / args.scale)
            ups = [e["_t"] for e in states if e.get("state") == "up" and e["_t"] > d["_t"]]
            back = min(ups) if ups else t1
            total += min(back, t1) - max(forgot, t0)
        return total * args.scale

    def window(self, T, model_s):
        """Probes, deaths, bytes and unusable time over model_s from now."""
        a, t0 = self.link(), time.monotonic()
        time.sleep(model_s / args.scale)
        b, t1 = self.link(), time.monotonic()
        hours = (t1 - t0) * args.scale / 3600.0
        sent = b["probes_sent"] - a["probes_sent"]
        answered = b["probes_answered"] - a["probes_answered"]
        return {
            "probes_h": sent / hours,
            "deaths_h": len(self.deaths(t0, t1)) / hours,
            "bytes_day": (sent * PER_PROBE + answered * PER_REPLY) / hours * 24,
            "unusable_h_day": self.unusable(t0, t1, T) / 3600.0 / hours * 24,
            "idle": b["idle"] * args.scale,
        }


def learn(run, T, t0, settled_ok, budget_s):
    """Wait until the idle settles (settled_ok(link)); what it took."""
    deaths0 = len(run.deaths(0, t0))
    probes0 = run.link()["probes_sent"]
    link = run.wait(lambda l: l["idle_mode"] == "settled" and settled_ok(l), budget_s,
                    "%s settled" % run.name)
    t1 = time.monotonic()
    return {
        "settled": link["idle"] * args.scale,
        "survived": (link["idle_survived"] or 0) * args.scale,
        "died": (link["idle_died"] or 0) * args.scale,
        "took": (t1 - t0) * args.scale,
        "deaths": len(run.deaths(0, t1)) - deaths0,
        "outage": run.unusable(t0, t1, T),
        "probes": link["probes_sent"] - probes0,
    }


def within(v, lo, hi):
    return "ok" if lo <= v <= hi else "**MISS**"


results = {}
lock = threading.Lock()


def scenario_settle(T):
    with Run("settle-%d" % T, "auto") as run:
        t0 = run.set_T(T)
        got = learn(run, T, t0, lambda l: True, 12 * T + 600)
        got["after"] = run.window(T, max(args.window, 6 * T))
    with lock:
        results["settle-%d" % T] = got


def scenario_change(T1, T2):
    with Run("change-%d-%d" % (T1, T2), "auto", probe_up=600) as run:
        t0 = run.set_T(T1)
        learn(run, T1, t0, lambda l: True, 12 * T1 + 600)
        t1 = run.set_T(T2)
        lo = 0.75 * T2 / args.scale
        hi = 0.90 * T2 / args.scale
        # adapted: settled again within the margin of the new T
        got = learn(run, T2, t1, lambda l: lo <= l["idle"] <= hi, 12 * max(T1, T2) + 2400)
        got["trials"] = run.link()["idle_trials"]
    with lock:
        results["change-%d-%d" % (T1, T2)] = got


def scenario_fixed(idle, T):
    with Run("fixed-%d-%d" % (idle, T), idle) as run:
        run.set_T(T)
        got = run.window(T, args.window)
    with lock:
        results["fixed-%d-%d" % (idle, T)] = got


def run_all(jobs):
    errors = []

    def guard(fn, *a):
        try:
            fn(*a)
        except Exception as e:      # a benchmark reports, it does not stop
            with lock:
                errors.append("%s%s: %s" % (fn.__name__, a, e))

    threads = [threading.Thread(target=guard, args=j, daemon=True) for j in jobs]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return errors


def print_tables():
    print("## Settling (auto) against the network's timeout T\n")
    print("| T | settled idle | bound 0.75-0.90 T | bracket survived/died | time to settle | "
          "probes while learning | deaths while learning (bound 1) | outage | probes/h after |")
    print("|---|---|---|---|---|---|---|---|---|")
    summary = {}
    for T in (60, 100, 150, 600):
        g = results.get("settle-%d" % T)
        if not g:
            print("| %d s | (not run or failed) |||||||" % T)
            continue
        r = g["settled"] / T
        print("| %d s | %.1f s (%.2f T) | %s | %.1f / %.1f s | %.0f s | %d | %d %s | %.0f s | %.1f |"
              % (T, g["settled"], r, within(r, 0.75, 0.90), g["survived"], g["died"], g["took"],
                 g["probes"], g["deaths"], within(g["deaths"], 0, 1), g["outage"],
                 g["after"]["probes_h"]))
        summary["settle%d_ratio" % T] = "%.2f" % r
        summary["settle%d_s" % T] = "%.0f" % g["took"]
    print("\n## The network's T changes while running (auto)\n")
    print("| change of T | time to adapt | deaths (bound 1) | outage | settled at | "
          "bound 0.75-0.90 T |")
    print("|---|---|---|---|---|---|")
    for T1, T2 in ((150, 60), (60, 30), (30, 60)):
        g = results.get("change-%d-%d" % (T1, T2))
        if not g:
            print("| %d -> %d | (not run or failed; see below) ||||" % (T1, T2))
            continue
        r = g["settled"] / T2
        print("| %d -> %d s | %.0f s | %d %s | %.0f s | %.1f s (%.2f T) | %s |"
              % (T1, T2, g["took"], g["deaths"], within(g["deaths"], 0, 1), g["outage"],
                 g["settled"], r, within(r, 0.75, 0.90)))
        summary["change%d_%d_deaths" % (T1, T2)] = g["deaths"]
    print("\n## Cost beside fixed idle periods (steady state, %.0f model s each)\n" % args.window)
    print("| T | idle | probes/h | deaths/h | bytes/day (probes, TCP/IP included) | "
          "hours unusable/day |")
    print("|---|---|---|---|---|---|")
    for T in (60, 150):
        rows = [("auto (settled %.1f s)" % results["settle-%d" % T]["settled"],
                 results["settle-%d" % T]["after"])] if "settle-%d" % T in results else []
        rows += [("fixed %d s" % i, results["fixed-%d-%d" % (i, T)])
                 for i in (30, 300) if "fixed-%d-%d" % (i, T) in results]
        for what, w in rows:
            print("| %d s | %s | %.1f | %.1f | %.0f | %.2f |"
                  % (T, what, w["probes_h"], w["deaths_h"], w["bytes_day"], w["unusable_h_day"]))
        if "settle-%d" % T in results:
            summary["auto%d_bytes_day" % T] = "%.0f" % results["settle-%d" % T]["after"]["bytes_day"]
    return summary


def main():
    global args
    p = argparse.ArgumentParser()
    p.add_argument("--scale", type=float, default=10.0)
    p.add_argument("--window", type=float, default=3600.0, help="model seconds")
    p.add_argument("--only", default="")
    args = p.parse_args()
    jobs = [(scenario_settle, T) for T in (60, 100, 150, 600)]
    jobs += [(scenario_change, a, b) for a, b in ((150, 60), (60, 30), (30, 60))]
    jobs += [(scenario_fixed, i, T) for i in (30, 300) for T in (60, 150)]
    if args.only:
        keep = args.only.split(",")
        jobs = [j for j in jobs if "-".join([j[0].__name__.split("_")[1]] +
                                            [str(x) for x in j[1:]]) in keep]
    t0 = time.monotonic()
    errors = run_all(jobs)
    print("*Model seconds: every duration on both sides divided by %g while running, "
          "multiplied back here; %d runs in parallel, %.0f s of real time. "
          "Per probe %d bytes, per reply %d (payload, %d bytes of TCP/IPv4 headers on "
          "the segment and on its ACK).*\n"
          % (args.scale, len(jobs), time.monotonic() - t0, PER_PROBE, PER_REPLY, TCPIP))
    summary = print_tables()
    for e in errors:
        print("\n(failed: %s)" % e)
    print()
    print("summary: " + " ".join("%s=%s" % kv for kv in sorted(summary.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
