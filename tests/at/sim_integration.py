#!/usr/bin/env python3
"""The AT engine against cellsock-modemsim with faults injected while it
works: garbage bytes, a URC storm, URCs in the middle of a response, a hang
and the port vanishing. The engine (driven by tests/at/at_drive) must never
crash, never give a command another command's answer, and never stay out of
step for more than one command after each fault."""

import os
import re
import select
import signal
import subprocess
import sys
import time

from modemsim import ModemSim, ModemSimError, sim_binary, skip

TOP_BUILDDIR = os.environ.get("top_builddir", ".")
DRIVE = os.path.join(TOP_BUILDDIR, "tests/at/at_drive")
TEST_DEADLINE = 90.0        # the whole test ends by then, whatever happens

# Each command and what its own answer looks like (all lines must match).
COMMANDS = [
    ("AT+CSQ", re.compile(r"^\+CSQ: \d+,\d+$"), 1),
    ("AT+CGMR", re.compile(r"^\d+\.\d+\.\d+"), 1),
    ("AT+CGSN", re.compile(r"^\d{15}$"), 1),
    ("AT#SS=1", re.compile(r"^#SS: 1,\d"), 1),
    ("AT+CREG?", re.compile(r"^\+CREG: [0-9A-F\",]+$"), None),
]
ROUNDS = 60

# Faults, injected when the drive announces the command with this index.
FAULTS = {
    20: "garbage 64",
    45: "urc-mid SRING: 1,20",
    70: "urc-mid NO CARRIER: 1,2",
    95: "storm 300",
    120: "urc-mid SRING : 2",
    145: "hang 1200",
    200: "garbage 300",
    240: "urc-mid +CREG: 5",
}


def fail(why):
    print("FAIL: " + why)
    sys.exit(1)


class Drive:
    """at_drive on the simulator's port; its output read line by line."""

    def __init__(self, port, args):
        self.proc = subprocess.Popen(
            [DRIVE, "-t", "400"] + args + [port] +
            [c for c, _, _ in COMMANDS],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            start_new_session=True)
        self.buf = b""

    def lines(self, deadline):
        """Yield output lines until the process ends or the deadline."""
        fd = self.proc.stdout.fileno()
        while True:
            while b"\n" in self.buf:
                line, self.buf = self.buf.split(b"\n", 1)
                yield line.decode(errors="replace")
            left = deadline - time.monotonic()
            if left <= 0:
                fail("at_drive did not finish in time")
            r, _, _ = select.select([fd], [], [], left)
            if not r:
                continue
            chunk = os.read(fd, 65536)
            if not chunk:
                return
            self.buf += chunk

    def stop(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()


def judge(cmd_index, lines, result):
    """True when a command got its own, complete answer."""
    _, pattern, count = COMMANDS[cmd_index % len(COMMANDS)]
    if result != "OK":
        return False
    if count is not None and len(lines) != count:
        return False
    return len(lines) > 0 and all(pattern.match(l) for l in lines)


def run_faults(sim, deadline):
    """Commands in a loop with faults injected; returns the verdicts."""
    drive = Drive(sim.link, ["-r", str(ROUNDS)])
    verdicts, urcs, stats = [], [], None
    cur, lines = None, []
    try:
        for line in drive.lines(deadline):
            word, _, rest = line.partition(" ")
            if word == "CMD":
                cur, lines = int(rest.split(" ")[0]), []
                if cur in FAULTS:
                    sim.control(FAULTS[cur])
            elif word == "LINE":
                lines.append(rest)
            elif word == "RESULT":
                verdicts.append((cur, judge(cur, lines, rest.split()[0]),
                                 list(lines), rest))
            elif word == "URC":
                urcs.append(rest)
            elif word == "STATS":
                stats = rest
            elif word == "GONE":
                fail("the port vanished during the fault run")
        drive.proc.wait(timeout=max(1, deadline - time.monotonic()))
        err = drive.proc.stderr.read().decode(errors="replace")
    finally:
        drive.stop()
    if drive.proc.returncode != 0:
        fail("at_drive exited with %d: %s" % (drive.proc.returncode, err))
    return verdicts, urcs, stats


def check_verdicts(verdicts, urcs, stats):
    total = ROUNDS * len(COMMANDS)
    if len(verdicts) != total:
        fail("%d results for %d commands" % (len(verdicts), total))
    bad = [v for v in verdicts if not v[1]]
    run = longest = 0
    for v in verdicts:
        run = 0 if v[1] else run + 1
        longest = max(longest, run)
    for v in bad:
        print("  not right: #%d %s lines=%r result=%s" %
              (v[0], COMMANDS[v[0] % len(COMMANDS)][0], v[2], v[3]))
    print("%d commands, %d not right, longest run %d; %s" %
          (total, len(bad), longest, stats))
    if longest > 1:
        fail("out of step for %d commands in a row" % longest)
    if len(bad) > len(FAULTS):
        fail("%d commands failed for %d faults" % (len(bad), len(FAULTS)))
    for want in ("SRING: 1,20", "NO CARRIER: 1,2", "SRING : 2"):
        if want not in urcs:
            fail("URC %r was not delivered as a URC" % want)
    if sum(1 for u in urcs if u.startswith(("+CREG", "+CGREG"))) < 100:
        fail("the storm's URCs did not reach the registry")
    if "timeouts=0" in stats:
        fail("the hang did not cause a timeout")


def check_vanish(sim, deadline):
    """A rebooting module takes its port away: the engine reports it."""
    drive = Drive(sim.link, ["-r", "100000"])
    seen = set()
    try:
        for line in drive.lines(deadline):
            word = line.split(" ")[0]
            if word == "CMD" and "reboot" not in seen and \
                    line.startswith("CMD 10 "):
                sim.control("reboot 3000")
                seen.add("reboot")
            if word == "GONE":
                seen.add("gone")
        drive.proc.wait(timeout=5)
    finally:
        drive.stop()
    if "gone" not in seen or drive.proc.returncode != 3:
        fail("vanished port not reported (exit %s)" % drive.proc.returncode)
    print("vanished port reported")


def main():
    if not os.access(sim_binary(), os.X_OK):
        skip("cellsock-modemsim not built at " + sim_binary())
    if not os.access(DRIVE, os.X_OK):
        skip("at_drive not built (make check builds it)")
    deadline = time.monotonic() + TEST_DEADLINE
    sim = ModemSim(args=["--seed", "7"])
    try:
        sim.start()
        verdicts, urcs, stats = run_faults(sim, deadline)
        check_verdicts(verdicts, urcs, stats)
        check_vanish(sim, deadline)
    except (ModemSimError, SystemExit) as e:
        if not isinstance(e, SystemExit) or e.code not in (0, None):
            sim.dump(sys.stdout)
        raise
    finally:
        sim.stop()
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
