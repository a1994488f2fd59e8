#!/usr/bin/env python3
"""The headline table of bench-report.md, from the benchmarks' saved outputs.

usage: bench_summary.py DIR [--svg-dir DIR]

DIR holds one output per benchmark, as scripts/bench.sh saves them: at.txt
(tests/at/bench_at.py), recovery.txt, throughput.txt
(tests/relay/bench_throughput.py), wakeups.txt, detect.txt, resources.txt,
outage.txt, idle.txt.
Scripts under tests/bench/ end with a "summary: key=value ..." line; the two
others are parsed from their tables. Prints one Markdown table; a missing or
failed benchmark shows as such. With --svg-dir and gnuplot installed, also
writes bench-throughput.svg and bench-memory.svg there and prints links."""

import argparse
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

GOAL_RSS_KIB = 4096
GOAL_ANON_KIB = 1024


def read(d, name):
    try:
        with open(os.path.join(d, name), errors="replace") as f:
            return f.read()
    except OSError:
        return None


def summary_fields(text):
    """The key=value pairs of the last "summary:" line, or {}."""
    if not text:
        return {}
    lines = [l for l in text.splitlines() if l.startswith("summary: ")]
    if not lines:
        return {}
    return dict(kv.split("=", 1) for kv in shlex.split(lines[-1][len("summary: "):])
                if "=" in kv)


def why_missing(text):
    """A short reason for a benchmark without numbers."""
    if text is None:
        return "not run"
    for line in text.splitlines():
        if line.startswith("SKIP") or "not installed" in line or line.startswith("(failed"):
            return line.strip()
    return "no numbers (see its section)"


def at_rows(text):
    m = re.search(r"^overhead median_us=([\d.-]+) p99_us=([\d.-]+) cpu_us_per_command=([\d.]+)",
                  text or "", re.M)
    if not m:
        return [("AT engine", "overhead per AT command", why_missing(text), "")]
    return [("AT engine", "overhead per AT command (median, p99)",
             "%s µs, %s µs" % (m.group(1), m.group(2)),
             "engine CPU %s µs per command; simulator unpaced" % m.group(3))]


def recovery_rows(text):
    f = summary_fields(text)
    names = [("fin", "server FIN"), ("rst", "server RST"), ("pdp", "PDP drop"),
             ("reboot", "modem reboot")]
    if not f:
        return [("Recovery", "time to first byte after a fault", why_missing(text), "")]
    rows = []
    for key, label in names:
        if key + "_p50" in f:
            rows.append(("Recovery (115200)", "%s: p50 / p95" % label,
                         "%s s / %s s" % (f[key + "_p50"], f[key + "_p95"]),
                         "of which configured waits %s s" % f.get(key + "_waits", "?")))
    return rows


THROUGHPUT_RE = re.compile(r"^(\d+)\s+(client->server|server->client)\s+(\d+)\s+(\d+)\s+"
                           r"([\d.]+)%\s+([\d.]+)", re.M)


def throughput(text):
    """{baud: {direction: (% of line, CPU s/MiB)}}"""
    out = {}
    for m in THROUGHPUT_RE.finditer(text or ""):
        out.setdefault(int(m.group(1)), {})[m.group(2)] = (float(m.group(5)),
                                                           float(m.group(6)))
    return out


def throughput_rows(text):
    tp = throughput(text)
    if not tp:
        return [("Throughput", "% of line rate", why_missing(text), "")]
    rows = []
    for baud in sorted(tp):
        d = tp[baud]
        up, down = d.get("client->server"), d.get("server->client")
        cell = "%s up, %s down" % ("%.1f %%" % up[0] if up else "-",
                                   "%.1f %%" % down[0] if down else "-")
        cpu = "CPU %s / %s s per MiB" % ("%.3f" % up[1] if up else "-",
                                          "%.3f" % down[1] if down else "-")
        rows.append(("Throughput (%d baud)" % baud, "% of line rate (8N1: baud/10 B/s)",
                     cell, cpu))
    return rows


def resources_rows(text, wake):
    f = summary_fields(text)
    w = summary_fields(wake)
    rows = []
    if f:
        rss, anon = int(f["vmrss_idle_kib"]), int(f["rssanon_idle_kib"])
        rows += [
            ("Memory (1 modem, 2 links)", "VmRSS idle", "%d KiB" % rss,
             "goal ≤ %d KiB: %s" % (GOAL_RSS_KIB, "met" if rss <= GOAL_RSS_KIB else "**not met**")),
            ("Memory (1 modem, 2 links)", "RssAnon idle", "%d KiB" % anon,
             "goal ≤ %d KiB: %s" % (GOAL_ANON_KIB,
                                   "met" if anon <= GOAL_ANON_KIB else "**not met**")),
            ("Memory (1 modem, 2 links)", "VmRSS / RssAnon under load (peak)",
             "%s KiB / %s KiB" % (f["vmrss_load_kib"], f["rssanon_load_kib"]),
             "bulk traffic through both links both ways"),
            ("CPU", "per MiB relayed (2 links, both ways, 115200)",
             "%s s" % f["cpu_s_per_mib"], "idle: %s s CPU per hour" % f["idle_cpu_s_per_hour"]),
        ]
        if "syscalls_per_hour" in f:
            rows.append(("Idle (2 links, idle %s s)" % f.get("idle_s", "?"),
                         "syscalls / wake-ups per idle hour",
                         "%s / %s" % (f["syscalls_per_hour"], f["wakeups_per_hour"]),
                         "strace -f; %s probes/h, watchdog 30 s; untraced: %s sleeps/h "
                         "(voluntary context switches)" % (f["probes_per_hour"],
                                                            f.get("sleeps_per_hour", "?"))))
    else:
        rows.append(("Memory, CPU, idle", "resources.py", why_missing(text), ""))
    if w:
        rows.append(("Idle (1 link, idle %s s)" % w.get("idle_s", "?"),
                     "syscalls / wake-ups per idle hour",
                     "%s / %s" % (w["syscalls_per_hour"], w["wakeups_per_hour"]),
                     "wakeups.py: strace -f; %s probes/h, no watchdog" % w["probes_per_hour"]))
    else:
        rows.append(("Idle (1 link)", "wakeups.py", why_missing(wake), ""))
    if f:
        if "mm_vmrss_kib" in f:
            mm = "VmRSS %s KiB, RssAnon %s KiB" % (f["mm_vmrss_kib"], f["mm_rssanon_kib"])
        else:
            mm = f.get("mm", "not measured")
        rows.append(("Reference", "ModemManager idle, no modems", mm, "same machine"))
    return rows


def detect_rows(text):
    f = summary_fields(text)
    if not f:
        return [("Silent-drop detection", "cellsockd vs Linux keepalive", why_missing(text), "")]

    def cell(k):
        v, b = f.get(k, "none"), f.get(k + "_bound", "none")
        if v == "none":
            text = "not detected (cap %s s)" % f.get("cap", "?")
        else:
            text = v + " s"
        if b == "none":
            return text
        cap, slack = float(f.get("cap", "120")), float(f.get("slack", "1"))
        if v == "none":
            ok = float(b) >= cap
        else:
            ok = float(v) <= float(b) + slack
        return "%s (bound %s s, %s)" % (text, b, "ok" if ok else "**missed**")
    ut = int(f.get("user_timeout_ms", "0")) // 1000
    return [("Silent-drop detection", "cellsockd idle / busy (idle 5, timeout 5, retries 2, "
             "ack_timeout 10)", "%s / %s" % (cell("cellsockd_idle"), cell("cellsockd_busy")),
             "nft drop in a network namespace"),
            ("Silent-drop detection", "SO_KEEPALIVE idle / busy (5, 5, 2)",
             "%s / %s" % (cell("keepalive_idle"), cell("keepalive_busy")), "Linux reference"),
            ("Silent-drop detection", "+ TCP_USER_TIMEOUT %d s idle / busy" % ut,
             "%s / %s" % (cell("user_timeout_idle"), cell("user_timeout_busy")),
             "Linux reference")]


def idle_rows(text):
    f = summary_fields(text)
    if not f:
        return [("Adaptive idle", "idle.py", why_missing(text), "")]
    rows = []
    for T in ("60", "100", "150", "600"):
        if "settle%s_ratio" % T in f:
            r = float(f["settle%s_ratio" % T])
            rows.append(("Adaptive idle (T = %s s)" % T, "settled idle / T, time to settle",
                         "%.2f T, %s s (model)" % (r, f["settle%s_s" % T]),
                         "bound 0.75..0.90 T: %s" % ("met" if 0.75 <= r <= 0.90 else
                                                    "**not met**")))
    for k in sorted(f):
        if k.startswith("change") and k.endswith("_deaths"):
            a, b = k[len("change"):-len("_deaths")].split("_")
            rows.append(("Adaptive idle (T %s -> %s s)" % (a, b), "deaths until adapted",
                         f[k], "bound 1: %s" % ("met" if int(f[k]) <= 1 else
                                               "**not met** (see its section)")))
    return rows


def outage_rows(text):
    """tests/bench/outage.py: the two-link outage and PDP-loss recovery."""
    f = summary_fields(text)
    if not f:
        return [("Two-link outage", "idle and busy link on one modem", why_missing(text), "")]
    rows = []
    for ports in ("1", "2"):
        if "idle_%sport" % ports not in f:
            continue
        cells = []
        for name in ("idle", "busy"):
            k = "%s_%sport" % (name, ports)
            cells.append("%s s (bound %s s, %s)" % (f[k], f.get(k + "_bound", "?"),
                                                     f.get(k + "_flag", "?")))
        rows.append(("Two-link outage", "idle / busy link, %s AT port(s)" % ports,
                     " / ".join(cells), "nft drop; idle 10, timeout 4, retries 2, ack 10"))
    if "pdp_p50" in f:
        rows.append(("Recovery (115200)", "PDP loss vs server RST (p50)",
                     "%s s / %s s" % (f["pdp_p50"], f.get("rst_p50", "?")),
                     "keepalive as the outage"))
    return rows


def gnuplot(script):
    subprocess.run(["gnuplot"], input=script.encode(), check=True, timeout=30)


def plot_throughput(text, svg, tmp):
    tp = throughput(text)
    if not tp:
        return False
    data = os.path.join(tmp, "tp")
    n = len(tp)
    with open(data, "w") as f:
        for baud in sorted(tp):
            d = tp[baud]
            f.write('"%d baud" %.1f %.1f\n' % (baud, d.get("client->server", (0,))[0],
                                                d.get("server->client", (0,))[0]))
    gnuplot("""set terminal svg size 640,360
set output '%s'
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.6
set xrange [-0.6:%f]
set yrange [0:110]
set ylabel '%% of the serial line rate'
set title 'Data-path throughput through cellsockd and the simulator'
set key top right
plot '%s' using 2:xtic(1) title 'client -> server', '' using 3 title 'server -> client'
""" % (svg, n - 0.4, data))
    return True


def plot_memory(text, svg, tmp):
    f = summary_fields(text)
    if not f:
        return False
    data = os.path.join(tmp, "mem")
    n = 2
    with open(data, "w") as out:
        out.write('"cellsockd idle" %s %s\n' % (f["vmrss_idle_kib"], f["rssanon_idle_kib"]))
        out.write('"cellsockd load" %s %s\n' % (f["vmrss_load_kib"], f["rssanon_load_kib"]))
        if "mm_vmrss_kib" in f:
            n += 1
            out.write('"ModemManager" %s %s\n' % (f["mm_vmrss_kib"], f["mm_rssanon_kib"]))
    gnuplot("""set terminal svg size 640,360
set output '%s'
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.6
set xrange [-0.6:%f]
set yrange [0:*]
set ylabel 'KiB'
set title 'Memory: one modem, two links (ModemManager: no modem)'
set key top left
plot '%s' using 2:xtic(1) title 'VmRSS', '' using 3 title 'RssAnon', \\
     %d with lines dt 2 lc rgb 'red' title 'VmRSS goal', \\
     %d with lines dt 3 lc rgb 'dark-red' title 'RssAnon goal'
""" % (svg, n - 0.4, data, GOAL_RSS_KIB, GOAL_ANON_KIB))
    return True


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dir")
    ap.add_argument("--svg-dir", help="write the plots here (needs gnuplot)")
    a = ap.parse_args()
    rows = []
    rows += at_rows(read(a.dir, "at.txt"))
    rows += recovery_rows(read(a.dir, "recovery.txt"))
    rows += throughput_rows(read(a.dir, "throughput.txt"))
    rows += resources_rows(read(a.dir, "resources.txt"), read(a.dir, "wakeups.txt"))
    rows += detect_rows(read(a.dir, "detect.txt"))
    rows += idle_rows(read(a.dir, "idle.txt"))
    rows += outage_rows(read(a.dir, "outage.txt"))
    print("| benchmark | measure | result | goal / notes |")
    print("|---|---|---|---|")
    for r in rows:
        print("| %s |" % " | ".join(c.replace("|", "\\|") for c in r))
    if not a.svg_dir:
        return 0
    if shutil.which("gnuplot") is None:
        print("\nNo plots: gnuplot is not installed.")
        return 0
    tmp = tempfile.mkdtemp(prefix="cellsock-bench-")
    links = []
    try:
        for name, fn, src in (("bench-throughput.svg", plot_throughput, "throughput.txt"),
                              ("bench-memory.svg", plot_memory, "resources.txt")):
            try:
                if fn(read(a.dir, src), os.path.join(a.svg_dir, name), tmp):
                    links.append(name)
            except (subprocess.SubprocessError, OSError) as e:
                print("\n(plot %s failed: %s)" % (name, e))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    for extra in ("bench-recovery.svg", "bench-detect.svg"):
        if os.path.exists(os.path.join(a.svg_dir, extra)):
            links.append(extra)
    if links:
        print("\nPlots: " + " ".join("[%s](%s)" % (n, n) for n in links))
    return 0


if __name__ == "__main__":
    sys.exit(main())
