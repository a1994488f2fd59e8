#!/usr/bin/env python3
"""Benchmark (issue 8, item 8): what cellsockd costs on a gateway with ONE
modem (the simulator paced at 115200 baud) and TWO links, each with a local
endpoint and an echo server on loopback. Measured:

  memory   VmRSS and RssAnon (/proc/PID/status) idle (links up, no traffic,
           settled) and the peak under bulk traffic through both links both
           ways (sampled every 20 ms; VmHWM as a cross-check);
  CPU      the daemon's CPU time (/proc/PID/schedstat, ns; utime+stime from
           /proc/PID/stat when absent) per MiB relayed (bytes in from local
           clients plus bytes out to them);
  idle     syscalls per idle hour (strace -f -p over whole keepalive
           periods, scaled to an hour) and wake-ups per idle hour (epoll_wait
           returns after a sleep under strace; context switches untraced);
  ModemManager's idle RSS as a reference row, started on a private system bus
           with no modems, when it is installed.

The daemon runs as under the shipped unit: WATCHDOG_USEC=30 s with a
NOTIFY_SOCKET of our own (so WATCHDOG=1 every 15 s is counted), log level
info, keepalive idle 30 s (probe FF, any reply). Prints Markdown; the last
line "summary: key=value ..." is for scripts/bench_summary.py. Not a test.

usage: resources.py [--window SECONDS] [--idle SECONDS] [--load-bytes N] [--no-mm]
                    [--memory-only] [--daemon-env KEY=VALUE]...
--memory-only with --daemon-env is for experiments, e.g. MALLOC_ARENA_MAX=1 or
LD_LIBRARY_PATH=DIR holding a replacement library.
"""

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

from cellsock_harness import CELLSOCKCTL, CELLSOCKD, Daemon, wait_until
from modemsim import ModemSim, sim_binary
from relay_util import Server, connect_local, fast_random, relay_config

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wakeups import classify  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")
GOAL_RSS_KIB = 4096
GOAL_ANON_KIB = 1024
BAUD = 115200


def status_kib(pid, key):
    """A "Key:   N kB" field of /proc/PID/status, in KiB (None if absent)."""
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return None


def cpu_seconds(pid):
    """CPU time used so far: /proc/PID/schedstat (ns), else utime+stime."""
    try:
        with open("/proc/%d/schedstat" % pid) as f:
            return int(f.read().split()[0]) / 1e9
    except (OSError, ValueError, IndexError):
        pass
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def smaps_breakdown(pid):
    """[(mapping, Rss KiB, Pss KiB, Anonymous KiB)] summed per file or kind,
    largest Rss first."""
    per = {}
    name = None
    with open("/proc/%d/smaps" % pid) as f:
        for line in f:
            parts = line.split()
            if re.match(r"^[0-9a-f]+-[0-9a-f]+ ", line):
                name = parts[5] if len(parts) > 5 else "[anon]"
                name = os.path.basename(name) if name.startswith("/") else name
                per.setdefault(name, [0, 0, 0])
            elif parts and parts[0] in ("Rss:", "Pss:", "Anonymous:"):
                per[name][("Rss:", "Pss:", "Anonymous:").index(parts[0])] += int(parts[1])
    rows = [(k, v[0], v[1], v[2]) for k, v in per.items() if v[0]]
    return sorted(rows, key=lambda r: -r[1])


class Notify:
    """A NOTIFY_SOCKET of our own: counts WATCHDOG=1 datagrams."""

    def __init__(self, path):
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(path)
        self.sock.settimeout(0.2)
        self.watchdogs = 0
        self.stopping = False
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        while not self.stopping:
            try:
                msg = self.sock.recv(4096)
            except socket.timeout:
                continue
            except OSError:
                return
            if b"WATCHDOG=1" in msg:
                self.watchdogs += 1

    def close(self):
        self.stopping = True
        self.thread.join(timeout=2)
        self.sock.close()


class Rig:
    """The simulator, two echo servers, cellsockd with two links."""

    def __init__(self, idle, env=None):
        self.env = dict(env or {})
        self.sim = ModemSim(baud=BAUD, trace=False)
        self.servers = [Server("echo"), Server("echo")]
        self.daemon = None
        self.notify = None
        self.idle = idle

    def __enter__(self):
        self.sim.start()
        self.daemon = Daemon(env=dict({"WATCHDOG_USEC": "30000000"}, **self.env))
        self.notify = Notify(os.path.join(self.daemon.dir, "notify.sock"))
        self.daemon.env["NOTIFY_SOCKET"] = self.notify.path
        ka = 'idle = %.1f; timeout = 10.0; probe = "FF"; reply = "any"; ack_timeout = 30.0;' \
            % self.idle
        self.links = [dict(name="link%d" % (i + 1), port=s.port, socket=i + 1,
                           local="unix:" + os.path.join(self.daemon.dir, "l%d.sock" % i),
                           keepalive=ka) for i, s in enumerate(self.servers)]
        self.daemon.write_config(relay_config(self.sim.link, self.daemon.sock, self.links))
        self.daemon.start()
        return self

    def links_status(self):
        rc, out, err = self.daemon.ctl("status", json=True)
        if rc != 0:
            raise AssertionError("status failed: %s %s" % (out, err))
        return {l["name"]: l for l in json.loads(out)["link"]}

    def ready(self):
        """Both links up and their connect checks passed."""
        links = self.links_status()
        if any(l["state"] != "up" for l in links.values()):
            return False
        connects = sum(l["connects"] for l in links.values())
        return self.daemon.logtext().count("connect check passed") >= connects

    def __exit__(self, *exc):
        if exc[0] is not None and self.daemon is not None:
            print("---- daemon log (tail)")
            print("\n".join(self.daemon.logtext().splitlines()[-40:]))
        try:
            if self.daemon:
                self.daemon.cleanup()
        finally:
            if self.notify:
                self.notify.close()
            for s in self.servers:
                s.close()
            self.sim.stop()


def settle(pid, seconds=3.0, timeout=30.0):
    """Wait until VmRSS has not changed for `seconds` (after bring-up)."""
    deadline = time.monotonic() + timeout
    last, since = status_kib(pid, "VmRSS"), time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.25)
        now = status_kib(pid, "VmRSS")
        if now != last:
            last, since = now, time.monotonic()
        elif time.monotonic() - since >= seconds:
            return
    return


def memory(pid):
    return {k: status_kib(pid, k) for k in ("VmRSS", "RssAnon", "RssFile", "RssShmem",
                                            "VmHWM", "VmData", "VmSize")}


def load(r, pid, nbytes):
    """nbytes through each link both ways at once (echo servers); returns
    (peak VmRSS, peak RssAnon, CPU seconds, bytes relayed, seconds)."""
    clients = [connect_local(l["local"], timeout=20) for l in r.links]
    peak = {"VmRSS": 0, "RssAnon": 0}
    done = []
    errors = []

    def one(c, seed):
        data = fast_random(seed, nbytes)
        c.settimeout(60 + nbytes * 4 / (BAUD / 10.0))   # for sendall and recv alike
        sender = threading.Thread(target=c.sendall, args=(data,), daemon=True)
        sender.start()
        got = 0
        try:
            while got < nbytes:
                chunk = c.recv(65536)
                if not chunk:
                    raise AssertionError("local endpoint closed after %d bytes" % got)
                got += len(chunk)
        except Exception as e:  # reported by the caller
            errors.append(e)
        done.append(got)

    cpu0 = cpu_seconds(pid)
    t0 = time.monotonic()
    threads = [threading.Thread(target=one, args=(c, i + 1), daemon=True)
               for i, c in enumerate(clients)]
    for th in threads:
        th.start()
    deadline = t0 + 60 + nbytes * 4 / (BAUD / 10.0)
    while len(done) < len(threads) and time.monotonic() < deadline:
        for k in peak:
            peak[k] = max(peak[k], status_kib(pid, k))
        time.sleep(0.02)
    took = time.monotonic() - t0
    cpu = cpu_seconds(pid) - cpu0
    for c in clients:
        c.close()
    if errors or len(done) < len(threads):
        raise AssertionError("load did not complete: %s" % (errors or "timeout"))
    return peak["VmRSS"], peak["RssAnon"], cpu, sum(done) * 2, took


def wait_probe(r, name, idle):
    """Return half a keepalive period after link `name` sent a probe, so that
    a window of whole periods holds exactly one probe per period."""
    before = r.links_status()[name]["probes_sent"]
    wait_until(lambda: r.links_status()[name]["probes_sent"] > before, timeout=idle * 2 + 30,
               interval=0.2, what="a probe on %s" % name)
    time.sleep(idle / 2)


def ctx_switches(pid):
    out = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if "ctxt_switches" in line:
                k, v = line.split(":")
                out[k.strip()] = int(v)
    return out["voluntary_ctxt_switches"], out["nonvoluntary_ctxt_switches"]


def idle_untraced(r, pid, window):
    """Context switches, CPU time and probes over `window` seconds, untraced."""
    probes0 = sum(l["probes_sent"] for l in r.links_status().values())
    wd0 = r.notify.watchdogs
    cs0, cpu0 = ctx_switches(pid), cpu_seconds(pid)
    time.sleep(window)
    cs1, cpu = ctx_switches(pid), cpu_seconds(pid) - cpu0
    cs = (cs1[0] - cs0[0], cs1[1] - cs0[1])
    probes = sum(l["probes_sent"] for l in r.links_status().values()) - probes0
    return cs, cpu, probes, r.notify.watchdogs - wd0


def idle_traced(pid, window, tmp):
    """strace -f -p PID for window seconds: ({syscall: calls}, total, table
    text, wake-ups) where wake-ups are epoll_wait returns after a sleep."""
    out = os.path.join(tmp, "strace.txt")
    p = subprocess.Popen(["strace", "-f", "-o", out, "-p", str(pid)],
                         stderr=subprocess.DEVNULL)
    time.sleep(window)
    p.send_signal(signal.SIGINT)
    try:
        p.wait(timeout=20)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
    with open(out) as f:
        text = f.read()
    total, events, timers, polls = classify(text)
    calls = {}
    for m in re.finditer(r"^\d+\s+(\w+)\(", text, re.M):
        calls[m.group(1)] = calls.get(m.group(1), 0) + 1
    table = ["| syscall | calls in %.0f s | per idle hour |" % window, "|---|---|---|"]
    for name, n in sorted(calls.items(), key=lambda kv: -kv[1]):
        table.append("| %s | %d | %.0f |" % (name, n, n * 3600.0 / window))
    table.append("| epoll_wait: woken by events / by a timer / polls without sleep | "
                 "%d / %d / %d | |" % (events, timers, polls))
    return calls, total, "\n".join(table), events + timers


def modemmanager(tmp):
    """ModemManager's idle (VmRSS, RssAnon) in KiB on a private system bus,
    or a reason string."""
    mm = shutil.which("ModemManager") or next(
        (p for p in ("/usr/sbin/ModemManager", "/usr/bin/ModemManager") if os.path.exists(p)),
        None)
    if mm is None:
        return "not installed (apt install modemmanager)"
    if shutil.which("dbus-daemon") is None:
        return "dbus-daemon not installed"
    busdir = os.path.join(tmp, "bus")
    os.mkdir(busdir)
    conf = os.path.join(busdir, "bus.conf")
    addr = "unix:path=" + os.path.join(busdir, "socket")
    with open(conf, "w") as f:
        f.write("""<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>%s</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/><allow own="*"/>
    <allow send_destination="*" eavesdrop="true"/><allow receive_sender="*"/>
  </policy>
</busconfig>
""" % addr)
    bus = mmp = None
    try:
        bus = subprocess.Popen(["dbus-daemon", "--config-file=" + conf, "--nofork",
                                "--nopidfile"], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)
        try:
            wait_until(lambda: os.path.exists(os.path.join(busdir, "socket")) or
                       bus.poll() is not None, timeout=10, what="the private bus")
        except AssertionError:
            return "private dbus-daemon did not start"
        if bus.poll() is not None:
            return "private dbus-daemon exited with %d" % bus.returncode
        env = dict(os.environ, DBUS_SYSTEM_BUS_ADDRESS=addr)
        log = open(os.path.join(tmp, "mm.log"), "wb")
        mmp = subprocess.Popen([mm], env=env, stdout=log, stderr=subprocess.STDOUT,
                               start_new_session=True)
        log.close()

        def on_bus():
            if mmp.poll() is not None:
                return True
            p = subprocess.run(["dbus-send", "--bus=" + addr, "--print-reply",
                                "--dest=org.freedesktop.DBus", "/org/freedesktop/DBus",
                                "org.freedesktop.DBus.NameHasOwner",
                                "string:org.freedesktop.ModemManager1"],
                               capture_output=True, text=True, timeout=5)
            return "boolean true" in p.stdout
        try:
            wait_until(on_bus, timeout=30, interval=0.2, what="ModemManager on the bus")
        except AssertionError:
            return "ModemManager did not claim its bus name within 30 s"
        if mmp.poll() is not None:
            with open(os.path.join(tmp, "mm.log"), errors="replace") as f:
                why = " ".join(f.read().split())[-160:]
            return "ModemManager exited with %d: %s" % (mmp.returncode, why)
        settle(mmp.pid, seconds=3.0, timeout=30.0)
        return status_kib(mmp.pid, "VmRSS"), status_kib(mmp.pid, "RssAnon")
    finally:
        for p in (mmp, bus):
            if p is None:
                continue
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    pass
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            p.wait()


def verdict(value, goal):
    return "yes" if value <= goal else "**no**"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--window", type=float, default=60.0,
                    help="each idle window (untraced, then traced), a multiple of --idle")
    ap.add_argument("--idle", type=float, default=30.0, help="keepalive idle (s)")
    ap.add_argument("--load-bytes", type=int, default=49152,
                    help="bytes through each link each way under load")
    ap.add_argument("--no-mm", action="store_true", help="skip the ModemManager row")
    ap.add_argument("--memory-only", action="store_true",
                    help="idle memory and its breakdown only (for experiments)")
    ap.add_argument("--daemon-env", action="append", default=[], metavar="KEY=VALUE",
                    help="extra environment for cellsockd (e.g. MALLOC_ARENA_MAX=1)")
    a = ap.parse_args()
    for exe in (CELLSOCKD, CELLSOCKCTL, sim_binary()):
        if not os.access(exe, os.X_OK):
            print("SKIP: not built: %s" % exe)
            return 77
    signal.alarm(int(2 * a.window + 600))
    tmp = tempfile.mkdtemp(prefix="cellsock-res-")
    try:
        return run(a, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def run(a, tmp):
    have_strace = shutil.which("strace") is not None
    env = dict(kv.split("=", 1) for kv in a.daemon_env)
    with Rig(a.idle, env) as r:
        pid = r.daemon.proc.pid
        wait_until(r.ready, timeout=60, interval=0.2, what="both links up and checked")
        settle(pid)
        idle_mem = memory(pid)
        breakdown = smaps_breakdown(pid)
        if a.memory_only:
            print("VmRSS %d KiB, RssAnon %d KiB, RssFile %d KiB (env %s)" %
                  (idle_mem["VmRSS"], idle_mem["RssAnon"], idle_mem["RssFile"], env))
            print_breakdown(breakdown)
            return 0
        peak_rss, peak_anon, cpu, relayed, took = load(r, pid, a.load_bytes)
        hwm = status_kib(pid, "VmHWM")
        wait_until(r.ready, timeout=60, interval=0.2, what="both links up after the load")
        settle(pid, seconds=1.0)
        after_mem = memory(pid)
        wait_probe(r, "link1", a.idle)
        cs, idle_cpu, probes, wds = idle_untraced(r, pid, a.window)
        traced = None
        if have_strace:
            wait_probe(r, "link1", a.idle)
            traced = idle_traced(pid, a.window, tmp)
    mm = None if a.no_mm else modemmanager(tmp)
    report(a, idle_mem, after_mem, breakdown, peak_rss, peak_anon, hwm, cpu, relayed, took,
           cs, idle_cpu, probes, wds, traced, mm)
    return 0


def report(a, idle_mem, after_mem, breakdown, peak_rss, peak_anon, hwm, cpu, relayed, took,
           cs, idle_cpu, probes, wds, traced, mm):
    scale = 3600.0 / a.window
    mib = relayed / 1048576.0
    print("One modem (simulator, %d baud), two links with local endpoints and echo servers, "
          "keepalive idle %.0f s, log level info, systemd watchdog 30 s.\n" % (BAUD, a.idle))
    print("| measure | cellsockd | goal | met |")
    print("|---|---|---|---|")
    print("| VmRSS idle | %d KiB | ≤ %d KiB | %s |" % (idle_mem["VmRSS"], GOAL_RSS_KIB,
                                                    verdict(idle_mem["VmRSS"], GOAL_RSS_KIB)))
    print("| RssAnon idle | %d KiB | ≤ %d KiB | %s |" %
          (idle_mem["RssAnon"], GOAL_ANON_KIB, verdict(idle_mem["RssAnon"], GOAL_ANON_KIB)))
    print("| VmRSS under load (peak) | %d KiB (VmHWM %d) | | |" % (peak_rss, hwm))
    print("| RssAnon under load (peak) | %d KiB | | |" % peak_anon)
    print("| VmRSS / RssAnon idle after the load | %d / %d KiB | | |" %
          (after_mem["VmRSS"], after_mem["RssAnon"]))
    print("| CPU per MiB relayed | %.3f s (%.3f s for %.2f MiB in %.1f s) | | |" %
          (cpu / mib, cpu, mib, took))
    print("| CPU per idle hour | %.2f s | | |" % (idle_cpu * scale))
    if traced:
        total = traced[1]
        print("| syscalls per idle hour (strace -f) | %.0f | | |" % (total * scale))
        print("| wake-ups per idle hour (epoll_wait returns after a sleep) | %.0f | | |" %
              (traced[3] * scale))
    else:
        print("| syscalls per idle hour | strace not installed | | |")
    print("| sleeps per idle hour, untraced (voluntary context switches) | %.0f | | |" %
          (cs[0] * scale))
    print("| preemptions per idle hour, untraced (involuntary context switches) | %.0f | | |" %
          (cs[1] * scale))
    print("| probes per idle hour (2 links) | %.0f | | |" % (probes * scale))
    print("| watchdog pings per idle hour | %.0f | | |" % (wds * scale))
    print("| ModemManager idle, no modems (reference) | %s | | |" % mm_cell(mm))
    print("\nCPU from /proc/PID/schedstat (ns; utime+stime from /proc/PID/stat count in "
          "%d ms ticks). Idle windows: %.0f s untraced, then %.0f s under strace, each "
          "starting half a keepalive period after a probe." % (1000 // TICK, a.window, a.window))
    print("\nIdle memory in detail (KiB): RssFile %d, RssShmem %d, VmData %d, VmSize %d.\n" %
          (idle_mem["RssFile"], idle_mem["RssShmem"], idle_mem["VmData"], idle_mem["VmSize"]))
    print_breakdown(breakdown)
    if traced:
        print("\nSyscalls over %.0f s of idle (strace -f; the watchdog's sd_notify is the "
              "socket, sendmsg, close and get*id calls):\n" % a.window)
        print(traced[2])
    print("\nsummary: " + summary(a.idle, idle_mem, peak_rss, peak_anon, hwm, cpu / mib,
                                  idle_cpu * scale, cs[0] * scale, probes * scale, traced,
                                  scale, mm))


def mm_cell(mm):
    if mm is None:
        return "not measured (--no-mm)"
    if isinstance(mm, tuple):
        return "VmRSS %d KiB, RssAnon %d KiB" % mm
    return mm


def summary(idle, idle_mem, peak_rss, peak_anon, hwm, cpu_mib, idle_cpu_h, cs_h, probes_h,
            traced, scale, mm):
    """The machine-readable line for scripts/bench_summary.py."""
    fields = [("idle_s", "%.0f" % idle), ("vmrss_idle_kib", idle_mem["VmRSS"]),
              ("rssanon_idle_kib", idle_mem["RssAnon"]),
              ("vmrss_load_kib", peak_rss), ("rssanon_load_kib", peak_anon), ("vmhwm_kib", hwm),
              ("cpu_s_per_mib", "%.3f" % cpu_mib), ("idle_cpu_s_per_hour", "%.2f" % idle_cpu_h),
              ("sleeps_per_hour", "%.0f" % cs_h), ("probes_per_hour", "%.0f" % probes_h)]
    if traced:
        fields += [("syscalls_per_hour", "%.0f" % (traced[1] * scale)),
                   ("wakeups_per_hour", "%.0f" % (traced[3] * scale))]
    if isinstance(mm, tuple):
        fields += [("mm_vmrss_kib", mm[0]), ("mm_rssanon_kib", mm[1])]
    else:
        fields += [("mm", '"%s"' % (mm or "not measured").replace('"', "'"))]
    return " ".join("%s=%s" % kv for kv in fields)


def print_breakdown(breakdown):
    print("Where the idle VmRSS is (/proc/PID/smaps, per file; Pss shares pages among the "
          "processes mapping them):\n")
    print("| mapping | Rss KiB | Pss KiB | Anonymous KiB |")
    print("|---|---|---|---|")
    for name, rss, pss, anon in breakdown[:14]:
        print("| %s | %d | %d | %d |" % (name, rss, pss, anon))
    rest = breakdown[14:]
    if rest:
        print("| (%d others) | %d | %d | %d |" % (len(rest), sum(x[1] for x in rest),
                                                sum(x[2] for x in rest), sum(x[3] for x in rest)))
    print("| total | %d | %d | %d |" % (sum(x[1] for x in breakdown),
                                        sum(x[2] for x in breakdown),
                                        sum(x[3] for x in breakdown)))


if __name__ == "__main__":
    sys.exit(main())
