#!/usr/bin/env python3
"""Chaos soak (issue 8, item 1): cellsockd + cellsock-modemsim + a loopback
server carrying a sequence-numbered stream in both directions, while a
seeded schedule injects every simulator fault (and two operator actions)
and several clients hammer the control socket.

    python3 soak.py [--seed N] [--seconds S] [--exclude KIND,...] [--log-dir DIR]
                    [--rate B] [--baud N] [--hammers N] [--list N]

Defaults come from CELLSOCK_SOAK_SEED (1) and CELLSOCK_SOAK_SECONDS (120).
The schedule is a function of the seed (and --exclude) only: a round of
every fault kind in an order shuffled by random.Random(seed), then faults
drawn at random. A run always finishes its first round (so a short run
still covers every kind) and draws no new fault after --seconds. --list N
prints the first N faults of a seed without running anything; --log-dir
keeps the daemon's log and the simulator's stderr. What the daemon happens
to be doing when a fault lands is timing, not seed: a timing-dependent
failure may take a few runs of its seed to come back.

The link is a persistent session with resend_unacked: the local client
stays connected across every reconnect, so one stream crosses every fault,
and the daemon's promise is exact -- the server sees every byte, in order,
duplicated only where a data-loss event said the unacknowledged bytes would
be sent again, missing only where one said they were lost. (A transparent
session would restart the stream with each connection and only test the
tail of each.) The server -> client direction cannot be as exact: bytes the
server wrote into a connection that died were never seen by the daemon, so
they are lost without a report, as with any TCP connection; there the soak
checks that each connection's bytes arrive as a prefix of what the server
sent, connections in order, nothing duplicated or reordered, and that the
losses the daemon reports are no more than the bytes actually missing.

Two faults end the link for good and start it again (issue 16): stop-restart
(SIGTERM, then the daemon starts again) and reload-remove (a reload removes
the link, or renames it, and a second one brings it back). Before either the
client pauses until the daemon has accepted all it wrote; the stop or the
removal drains, reports what did not arrive (data-loss with why=stop or
why=removed) and closes the socket (the server sees EOF); the client is
closed and connects again. The stream invariant stays the same: every byte
delivered or reported.

Invariants, checked each cycle and reported at the end: the daemon never
exits or restarts except where stop-restart did (same pid between restarts,
answering; a stop ends within its bound with status 0); after each fault clears, the link
is up and carrying bytes both ways within the bound its configuration
implies (printed); the streams as above, completed after a final drain;
every control request is answered; open descriptors do not grow and the
anonymous RSS does not grow beyond what the bounded buffers allow after a
warm-up round;
neither process reports a sanitizer error. Exit 0 pass, 1 fail, 77 skip.

It runs once per dialect (CELLSOCK_DIALECTS, tests/lib/dialects.py), each
run on one firmware profile of that dialect's vendor, rotated by the seed:
Telit he910-12.00.006, le910, he910-12.00.004; Quectel ec25, bg96, eg25
(--firmware forces one). The injected URCs and the commands that the error
and delay faults hit are the dialect's own."""

import argparse
import collections
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time
import traceback

# run by hand from anywhere: the helpers are in ../lib
sys.path.insert(1, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))

import dialects
from cellsock_harness import CELLSOCKCTL, CELLSOCKD, Daemon, skip
from modemsim import SANITIZER_RE, ModemSim, sim_binary
from soak_lib import (Hammer, LocalClient, StreamServer, ctl_request, fd_kinds, is_sanitized,
                      locate_up, proc_status, records, settled_fds, up_bytes)
from supervisor_rig import Monitor

LINK = "soak"

# The configuration; the recovery bound is computed from these numbers.
CONF = dict(command_timeout=1.0, registration_timeout=10.0,
            idle=2.0, ka_timeout=1.0, retries=1, ack_timeout=3.0,
            rmin=0.2, rmax=2.0, stable=3.0, quiet=0.2, teardown_timeout=5.0,
            pdp_after=3, radio_after=4, reboot_after=5, cooldown=5.0,
            tx_buffer=65536, rx_buffer=65536, stop_timeout=5.0)
SIM = dict(reg_delay_ms=200, sgact_delay_ms=100, reboot_ms=1000, sh_timeout_ms=2000,
           ready_delay_ms=500)
# Compiled into the daemon (src/modem/modem.c, src/at/atq.c, src/dialect/telit/dialect_telit.c).
MODEM_REOPEN_MIN, MODEM_REOPEN_MAX, REOPEN_FACTOR = 0.5, 30.0, 1.6
RESYNC_TIMEOUT, NOT_ANSWERING_AFTER = 1.0, 3
FIRMWARE_QUIET = {"he910-12.00.004": 5.0}    # the daemon's quiet time floor (quirk)
SEND_DEADLINE = 20.0    # AT#SSENDEXT: prompt, payload and result (TELIT_SEND_TIMEOUT_MS)
# Faults that can swallow a command in flight (a hung module discards it,
# garbage can hide a prompt): the engine then waits out its whole deadline.
SWALLOW = ("hang", "garbage")

KINDS = ["drop", "rst", "fin", "hang", "garbage", "storm", "urc", "urc-mid", "deregister",
         "pdp-drop", "reboot", "error", "delay", "jam", "nat-timeout", "signal",
         "reconnect", "reset", "stop-restart", "reload-remove"]
# how often each kind comes after the first round
WEIGHTS = dict(drop=3, rst=3, fin=3, hang=2, garbage=2, storm=2, urc=1, signal=1,
               deregister=2, reboot=2, error=3, delay=2, jam=2, reconnect=1, reset=1,
               **{"urc-mid": 1, "pdp-drop": 2, "nat-timeout": 1, "stop-restart": 1,
                  "reload-remove": 1})
# the names the stream's link goes by (reload-remove renames it and back)
NAMES = (LINK, LINK + "-b")
# Per dialect: the URCs the urc faults inject (urc-mid takes the first five),
# the storm's line, (command, +CME code, max count, operator action that
# makes the daemon issue it) for the error fault, the commands delay slows.
DIALECT_FAULTS = {
    "telit": dict(
        urcs=["+CREG: 1", "+CGREG: 1", "+CREG: 5", "SRING: 1", "SRING: 1,100", "RING",
              "NO CARRIER", "+CME ERROR: 3", "#SLASTCLOSURE: 1,1"],
        storm=" SRING: 1",
        errors=[("#SSENDEXT", 563, 3, None), ("#SSENDEXT", 3, 1, None), ("#SRECV", 3, 2, None),
                ("#SI", 3, 2, None), ("#SD", 559, 3, "reconnect"), ("#SH", 3, 1, "reconnect"),
                ("#SS", 3, 1, "reconnect"), ("*", 3, 2, None)],
        delays=["#SI", "#SRECV", "#SSENDEXT", "#SS", "*"]),
    "quectel": dict(
        urcs=["+CREG: 1", "+CGREG: 1", "+CEREG: 5", '+QIURC: "recv",1', "RDY", "RING",
              "NO CARRIER", "+CME ERROR: 3", '+QIND: "csq",20,99'],
        storm=' +QIURC: "recv",1',
        errors=[("+QISEND", 3, 2, None), ("+QIRD", 3, 2, None), ("+QIOPEN", 566, 3, "reconnect"),
                ("+QICLOSE", 3, 1, "reconnect"), ("+QISTATE", 3, 1, "reconnect"),
                ("*", 3, 2, None)],
        delays=["+QISEND", "+QIRD", "+QISTATE", "*"]),
}
URCS = ERRORS = DELAYS = STORM = None     # this run's, set by use_dialect()


def use_dialect(name):
    """The fault tables of this run's dialect."""
    global URCS, ERRORS, DELAYS, STORM
    t = DIALECT_FAULTS[name]
    URCS, ERRORS, DELAYS, STORM = t["urcs"], t["errors"], t["delays"], t["storm"]


use_dialect(dialects.current())

# What the daemon may legitimately keep after a stall: its bounded buffers
# (the queue toward the server, the retransmit window, the queue toward the
# client) and one control client's unread replies (CONTROL_OUTBUF_MAX in
# src/control/control.h). glibc keeps freed heap, so a stall that fills them
# late in a run raises the floor by up to this much without any leak.
CONTROL_OUTBUF_KIB = 1024
RSS_TOLERANCE_KIB = (2 * CONF["tx_buffer"] + CONF["rx_buffer"]) // 1024 + CONTROL_OUTBUF_KIB


class Fault:
    """One scheduled fault: simulator control lines (or an operator
    command), how long it holds, what clears it, the gap before it."""

    def __init__(self, kind, lines, hold=0.0, clear=(), ctl=None, gap=1.0, pause=False,
                 self_clear_ms=0, error=None, trigger=None):
        self.kind = kind
        self.lines = lines
        self.hold = hold
        self.clear = list(clear)
        self.ctl = ctl
        self.gap = gap
        self.pause = pause
        self.self_clear_ms = self_clear_ms
        self.error = error
        self.trigger = trigger

    def describe(self):
        if self.kind == "stop-restart":
            return "SIGTERM, start again"
        if self.kind == "reload-remove":
            return "reload %s %s, %.1fs, reload it back" % (
                "without" if self.ctl[1] == "remove" else "renaming", LINK, self.hold)
        what = "; ".join(self.lines) if self.lines else "cellsockctl " + " ".join(self.ctl)
        if self.trigger:
            what += "; cellsockctl %s %s" % (self.trigger, LINK)
        if self.hold:
            what += " | hold %.1fs" % self.hold
        if self.clear:
            what += " | clear: " + "; ".join(self.clear)
        if self.pause:
            what += " | streams paused"
        return what


def make_fault(rng, kind):
    """Draw the parameters of one fault of this kind (a fixed number of
    draws for each kind: the schedule depends on the seed only)."""
    gap = round(rng.uniform(0.3, 2.5), 1)
    hold = round(rng.uniform(1.0, 4.0), 1)
    if kind in ("drop", "rst", "fin"):
        return Fault(kind, ["%s 1" % kind], gap=gap)
    if kind == "hang":
        if rng.random() < 0.5:
            return Fault(kind, ["hang %d" % int(hold * 1000)], hold=hold, gap=gap,
                         self_clear_ms=int(hold * 1000))
        return Fault(kind, ["hang"], hold=hold, clear=["unhang"], gap=gap)
    if kind == "garbage":
        n = rng.randint(1, 64) if rng.random() < 0.3 else rng.randint(64, 4096)
        return Fault(kind, ["garbage %d" % n], gap=gap)
    if kind == "storm":
        n = rng.randint(20, 1500)
        text = rng.choice(["", "", STORM])
        return Fault(kind, ["storm %d%s" % (n, text)], gap=gap)
    if kind == "urc":
        return Fault(kind, ["urc " + rng.choice(URCS)], gap=gap)
    if kind == "urc-mid":
        return Fault(kind, ["urc-mid " + rng.choice(URCS[:5])], gap=gap)
    if kind == "deregister":
        stat = rng.choice([2, 2, 3, 0, 4])
        again = rng.choice(["register", "register", "register roaming"])
        return Fault(kind, ["deregister %d" % stat], hold=hold, clear=[again], gap=gap)
    if kind == "pdp-drop":
        return Fault(kind, [rng.choice(["pdp-drop", "pdp-drop 1"])], gap=gap)
    if kind == "reboot":
        ms = rng.randint(200, 3000)
        return Fault(kind, ["reboot %d" % ms], gap=gap, self_clear_ms=ms)
    if kind == "error":
        cmd, code, most, trigger = rng.choice(ERRORS)
        count = rng.randint(1, most)
        return Fault(kind, ["error %s %d %d" % (cmd, code, count)], gap=gap,
                     error=(cmd, count), trigger=trigger)
    if kind == "delay":
        cmd = rng.choice(DELAYS)
        ms = rng.choice([rng.randint(100, 900), rng.randint(900, 2500)])
        return Fault(kind, ["delay %s %d" % (cmd, ms)], hold=hold,
                     clear=["delay %s 0" % cmd], gap=gap)
    if kind == "jam":
        # long enough for at least one ack-stall and a jammed connect
        return Fault(kind, ["jam"], hold=round(hold * 1.5 + 3.0, 1), clear=["unjam"], gap=gap)
    if kind == "nat-timeout":
        which = rng.choice(["1", "all"])
        return Fault(kind, ["nat-timeout %s 1" % which], hold=round(hold + 3.0, 1),
                     clear=["nat-timeout %s 0" % which], gap=gap, pause=True)
    if kind == "signal":
        return Fault(kind, ["signal %d" % rng.choice([0, 5, 12, 20, 31, 99])], gap=gap)
    if kind == "reconnect":
        return Fault(kind, [], ctl=["reconnect", LINK], gap=gap)
    if kind == "reset":
        return Fault(kind, [], ctl=["reset", rng.choice(["pdp", "radio", "modem"])], gap=gap)
    if kind == "stop-restart":
        return Fault(kind, [], ctl=["SIGTERM"], gap=gap)
    if kind == "reload-remove":
        how = rng.choice(["remove", "rename"])
        return Fault(kind, [], ctl=["reload", how], hold=round(hold / 2, 1), gap=gap)
    raise ValueError(kind)


def schedule(seed, kinds=KINDS):
    """The endless fault schedule of a seed (over these kinds): every kind
    once in a shuffled order, then weighted random draws."""
    rng = random.Random(seed)
    first = list(kinds)
    rng.shuffle(first)
    for kind in first:
        yield make_fault(rng, kind)
    kinds = sorted(kinds)
    weights = [WEIGHTS[k] for k in kinds]
    while True:
        yield make_fault(rng, rng.choices(kinds, weights)[0])


# ---- the bound ----

def reopen_ceiling(attempts):
    return min(MODEM_REOPEN_MAX, MODEM_REOPEN_MIN * REOPEN_FACTOR ** attempts)


def bound_parts(fault=None):
    """The recovery bound after a fault clears, from the configuration:
    detection + verified teardown + reconnect + bring-up + one escalation."""
    c = CONF
    poll = min(2.0, max(0.25, c["ack_timeout"] / 8))
    parts = collections.OrderedDict()
    parts["detect"] = max(c["idle"] + (c["retries"] + 1) * c["ka_timeout"] + 1,
                          c["ack_timeout"] + poll + 1)
    parts["teardown"] = SIM["sh_timeout_ms"] / 1000 + c["teardown_timeout"]
    quiet = max(c["quiet"], FIRMWARE_QUIET.get(SIM.get("firmware"), 0.0))
    parts["reconnect"] = quiet + c["rmax"] + c["command_timeout"]
    # reopen attempts that can fail while the module is away: each waits at
    # least MODEM_REOPEN_MIN; one that opens a silent module also spends
    # NOT_ANSWERING_AFTER resync timeouts
    attempts = 2
    if fault is not None and fault.kind == "reboot":
        attempts += int(fault.self_clear_ms / 1000 / MODEM_REOPEN_MIN)
    elif fault is not None and fault.kind in ("hang", "delay"):
        attempts += int(fault.hold / (MODEM_REOPEN_MIN + NOT_ANSWERING_AFTER * RESYNC_TIMEOUT))
    # after a reboot a Quectel module answers before its RDY, which the
    # daemon waits for (the simulator's --ready-delay)
    ready = SIM["ready_delay_ms"] / 1000 if dialects.is_quectel() else 0.0
    parts["bring-up"] = (reopen_ceiling(attempts) + NOT_ANSWERING_AFTER * RESYNC_TIMEOUT +
                         ready +
                         (SIM["reg_delay_ms"] + SIM["sgact_delay_ms"]) / 1000 +
                         4 * c["command_timeout"])
    if fault is not None and fault.kind in SWALLOW:
        parts["lost command"] = SEND_DEADLINE
    if fault is not None and fault.kind in ("stop-restart", "reload-remove"):
        # the old link drains and closes (cellsockd.conf(5), stop_timeout)
        parts["stop"] = stop_bound()
    parts["escalation"] = (SIM["reboot_ms"] / 1000 + ready +
                           NOT_ANSWERING_AFTER * RESYNC_TIMEOUT +
                           (SIM["reg_delay_ms"] + SIM["sgact_delay_ms"]) / 1000)
    return parts


def stop_bound():
    """How long a stop or a removal may take: drain, close, a second."""
    return CONF["stop_timeout"] + CONF["teardown_timeout"] + 1.0


def bound(fault=None):
    return round(sum(bound_parts(fault).values()), 1)


# ---- the rig ----

def config_text(sim_link, port, ctl_sock, local, name=LINK):
    """The configuration; name None: without the link (links = ( ))."""
    c = CONF
    text = """modem: { device = "%s"; command_timeout = %.1f; };
network: { apn = "internet"; registration_timeout = %.1f; };
links = ( { name = "%s"; host = "127.0.0.1"; port = %d; socket = 1; local = "unix:%s";
            session = "persistent"; resend_unacked = true; stop_timeout = %.1f;
            tx_buffer = %d; rx_buffer = %d;
            keepalive: { idle = %.1f; timeout = %.1f; retries = %d; probe = "FF";
                         reply = "FE"; ack_timeout = %.1f; };
            reconnect: { min = %.1f; max = %.1f; stable = %.1f; quiet_time = %.1f;
                         teardown_timeout = %.1f; }; } );
recovery: { pdp_cycle_after = %d; radio_cycle_after = %d; modem_reboot_after = %d;
            cooldown = %.1f; };
control: { socket = "%s"; group = ""; mode = "0660"; };
log: { level = "info"; };
""" % (sim_link, c["command_timeout"], c["registration_timeout"], name or LINK, port, local,
       c["stop_timeout"], c["tx_buffer"], c["rx_buffer"], c["idle"], c["ka_timeout"], c["retries"],
       c["ack_timeout"], c["rmin"], c["rmax"], c["stable"], c["quiet"],
       c["teardown_timeout"], c["pdp_after"], c["radio_after"], c["reboot_after"],
       c["cooldown"], ctl_sock)
    if name is None:
        text = re.sub(r"links = \( \{.*?\} \);\n", "links = ( );\n", text, flags=re.S)
    return text


class Failed(Exception):
    """An invariant that makes going on pointless (the daemon is gone)."""


class Deadline(Exception):
    pass


class Soak:
    def __init__(self, args):
        self.args = args
        self.t0 = time.monotonic()
        self.sim = self.server = self.daemon = self.monitor = self.client = None
        self.hammer = None
        self.pid = None
        self.failures = []
        self.notes = []
        self.cycles = []                # dicts: kind, desc, recovery, bound, ...
        self.samples = []               # (cycle, rss, anon, fds)
        self.up_cache = {}
        self.up_result = None
        self.sanitized = False
        self.unanswered = 0             # the soak's own requests that failed
        self.suspects = []
        self.local = None               # the link's local endpoint (a path)
        self.restarts = 0               # stop-restart faults done
        self.stops = []                 # seconds each SIGTERM took
        self.eofs_allowed = 0           # the daemon closed the client on purpose
        self.acc_off = 0                # client offset of the link's accepted = 0
        self.resent_prev = 0            # bytes resent by links that ended

    # -- output --
    def now(self):
        return time.monotonic() - self.t0

    def say(self, text):
        print("[%7.2f] %s" % (self.now(), text))
        sys.stdout.flush()

    def fail(self, what):
        if what not in self.failures:
            self.failures.append(what)
            self.say("FAIL: " + what)

    # -- setup --
    def start(self):
        a = self.args
        self.sanitized = is_sanitized(CELLSOCKD)
        self.sim = ModemSim(baud=a.baud, trace=False, reg_delay=SIM["reg_delay_ms"],
                            sgact_delay=SIM["sgact_delay_ms"], firmware=SIM["firmware"],
                            args=["--seed", str(a.seed), "--reboot-time", str(SIM["reboot_ms"]),
                                  "--sh-timeout", str(SIM["sh_timeout_ms"]),
                                  "--ready-delay", str(SIM["ready_delay_ms"])])
        self.sim.start()
        self.server = StreamServer(a.rate)
        self.daemon = Daemon()
        local = self.local = os.path.join(self.daemon.dir, "soak.sock")
        self.daemon.write_config(config_text(self.sim.link, self.server.port, self.daemon.sock,
                                             local))
        self.daemon.start()
        self.pid = self.daemon.proc.pid
        self.monitor = Monitor(self.daemon.sock)
        self.server.attach_monitor(self.daemon.sock)
        self.wait(lambda: self.status_rec("daemon")["monitors"] == "2", 10, "the monitors")
        self.wait(lambda: self.state() == "up", 30, "the link up at start")
        self.client = LocalClient(local, a.rate)
        self.wait(lambda: self.server.totals()[0] > 0 and self.client.down.total > 0, 20,
                  "bytes both ways at start")
        self.hammer = Hammer(self.daemon.sock, CELLSOCKCTL, a.seed, threads=a.hammers)
        self.say("rig up: daemon pid %d, server port %d, simulator %s, baud %d, %d B/s each way"
                 % (self.pid, self.server.port, self.sim.pty, a.baud, a.rate))

    def wait(self, pred, timeout, what):
        deadline = time.monotonic() + timeout
        while not pred():
            if time.monotonic() > deadline:
                raise Failed("timed out after %.0fs waiting for %s" % (timeout, what))
            self.health()
            time.sleep(0.05)

    def status_rec(self, rtype):
        return records(self.daemon.sock, "status", rtype)[0]

    def state(self):
        try:
            return records(self.daemon.sock, "links", "link")[0]["state"]
        except (OSError, AssertionError, IndexError) as e:
            self.health()
            self.unanswered += 1
            if self.unanswered == 1:
                self.say("control: the soak's own 'links' request failed: %r" % e)
            return "unreachable (%s)" % e

    def health(self):
        """Abort when the daemon is gone; record thread and monitor trouble."""
        if self.daemon.proc.poll() is not None:
            raise Failed("cellsockd exited with status %s" % self.daemon.proc.returncode)
        if self.sim.proc is None or self.sim.proc.poll() is not None:
            raise Failed("cellsock-modemsim exited")
        if self.monitor.proc.poll() is not None:
            self.fail("the monitor (cellsockctl -j monitor) lost its connection")
        for who in (self.server, self.client):
            if who is not None and who.error:
                self.fail(who.error)

    def drain_stdout(self):
        """Throw away the pty paths the simulator printed after reboots."""
        try:
            self.sim.proc.stdout.read()
        except (OSError, ValueError, TypeError):
            pass

    # -- one cycle --
    def sim_control(self, line):
        ok, _, last = self.sim.try_control(line)
        if not ok:
            self.notes.append("%.1f: simulator refused %r: %s" % (self.now(), line, last))
            self.say("note: simulator refused %r: %s" % (line, last))
        return ok

    def ctl(self, words):
        try:
            term, _ = ctl_request(self.daemon.sock, " ".join(words), timeout=10)
        except OSError as e:
            self.health()
            self.fail("control: %s unanswered: %r" % (" ".join(words), e))
            return "unanswered"
        if term != "OK":
            self.say("note: cellsockctl %s: %s" % (" ".join(words), term))
        return term

    def watch(self, seconds):
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            self.health()
            time.sleep(min(0.1, max(0.0, end - time.monotonic())))

    def inject(self, f):
        """Run the fault; returns (applied, time it cleared)."""
        if f.kind == "stop-restart":
            return True, self.restart()
        if f.kind == "reload-remove":
            return True, self.remove_link(f)
        applied = True
        reboots = int(self.sim.state()["reboots"])
        if f.ctl:
            applied = self.ctl(f.ctl) == "OK"
        for line in f.lines:
            applied = self.sim_control(line) and applied
        if f.pause:
            self.client.paused = self.server.paused = True
        if f.trigger:
            self.ctl([f.trigger, LINK])
        if applied and (f.kind == "reboot" or (f.kind == "reset" and f.ctl[1] == "modem")):
            return applied, self.wait_reboot(f, reboots)
        if f.error:
            return applied, self.wait_error(f)
        self.watch(f.hold)
        for line in f.clear:
            self.sim_control(line)
        if f.pause:
            self.client.paused = self.server.paused = False
        return applied, time.monotonic()

    # -- the link ends for good, and comes back --
    def quiesce(self):
        """Pause the client until the daemon has accepted all it wrote:
        bytes still in the local socket when the link ends would be lost
        without the daemon having seen them."""
        self.client.paused = True
        deadline = time.monotonic() + 20
        agreed = 0
        while agreed < 3:
            time.sleep(0.1)
            acc = int(self.status_rec("relay")["accepted"])
            agreed = agreed + 1 if self.acc_off + acc == self.client.written else 0
            if time.monotonic() > deadline:
                self.fail("the daemon did not accept what the client wrote within 20 s "
                          "(%d of %d)" % (self.acc_off + acc, self.client.written))
                break
            self.health()
        self.resent_prev += int(self.status_rec("relay")["resent"])   # its counters end

    def resume_client(self):
        """The link is a new one: its account starts where the client is."""
        self.acc_off = self.client.written
        self.client.paused = False

    def restart(self):
        """SIGTERM: the daemon drains, reports, closes and exits within its
        bound; then it starts again (a new pid) with new monitors."""
        self.quiesce()
        if not self.hammer.pause():
            self.fail("the control hammer did not pause within 15 s")
        self.server.mon_closing = True
        t = time.monotonic()
        self.daemon.signal(signal.SIGTERM)
        try:
            rc = self.daemon.proc.wait(timeout=stop_bound() + 10)
        except subprocess.TimeoutExpired:
            raise Failed("cellsockd did not exit within %.1f s of SIGTERM" % (stop_bound() + 10))
        took = time.monotonic() - t
        self.stops.append(took)
        if rc != 0:
            self.fail("cellsockd exited with status %s on SIGTERM" % rc)
        if took > stop_bound() + 1:
            self.fail("cellsockd took %.1f s to stop, bound %.1f s" % (took, stop_bound()))
        old_pid, old = self.pid, self.monitor
        old.stop()
        self.daemon.start()
        self.pid = self.daemon.proc.pid
        self.restarts += 1
        self.monitor = Monitor(self.daemon.sock)
        with self.monitor.lock:
            self.monitor.events[:0] = old.events
        self.server.attach_monitor(self.daemon.sock)
        self.say("stop-restart: pid %d stopped in %.2f s; pid %d started"
                 % (old_pid, took, self.pid))
        self.wait(lambda: self.status_rec("daemon")["monitors"] == "2", 10,
                  "the monitors after the restart")
        self.hammer.resume()
        self.eofs_allowed += 1
        self.resume_client()
        return time.monotonic()

    def reload_as(self, name):
        self.daemon.write_config(config_text(self.sim.link, self.server.port, self.daemon.sock,
                                             self.local, name))
        term = self.ctl(["reload"])
        if term != "OK":
            self.fail("reload (link %s) answered %s" % (name, term))

    def wait_removed(self, name, before):
        """Until the log says the removed link is done (drained, closed)."""
        what = "link %s: removed: done" % name
        deadline = time.monotonic() + stop_bound() + 5
        while self.daemon.logtext().count(what) <= before:
            if time.monotonic() > deadline:
                self.fail("link %s not done %.1f s after its removal" % (name, stop_bound() + 5))
                return
            self.health()
            time.sleep(0.2)

    def remove_link(self, f):
        """A reload removes the link (or renames it), the old link drains,
        reports and closes; a second reload brings it back."""
        other = None if f.ctl[1] == "remove" else NAMES[1]
        self.quiesce()
        before = self.daemon.logtext().count("link %s: removed: done" % LINK)
        self.reload_as(other)
        self.wait_removed(LINK, before)
        self.watch(f.hold)
        before = self.daemon.logtext().count("link %s: removed: done" % NAMES[1])
        self.reload_as(LINK)
        if other is not None:
            # the client may be on the other name's endpoint, which takes
            # nothing more from now on: write again once it has gone
            self.wait_removed(other, before)
        self.eofs_allowed += 1 if other is None else 2
        self.resume_client()
        return time.monotonic()

    def wait_reboot(self, f, before):
        """The reboot is over when the simulator's port is back."""
        limit = time.monotonic() + f.self_clear_ms / 1000 + 30
        while time.monotonic() < limit:
            st = self.sim.state()
            if int(st["reboots"]) > before and st["port"] == "up":
                return time.monotonic()
            self.health()
            time.sleep(0.05)
        self.notes.append("%.1f: the simulator did not reboot" % self.now())
        return time.monotonic()

    def wait_error(self, f):
        """An armed error clears once the module answered it count times."""
        cmd, count = f.error
        armed = re.compile(r"fault error %s \d+ \d+$" % re.escape(cmd))
        answered = re.compile(r"fault error %s answered" % (r"\S+" if cmd == "*" else
                                                              re.escape(cmd)))
        limit = time.monotonic() + 40
        nudged = False
        while time.monotonic() < limit:
            events = self.sim.events()
            start = max((i for i, e in enumerate(events) if armed.search(e)), default=-1)
            done = sum(1 for e in events[start + 1:] if answered.search(e))
            if start >= 0 and done >= count:
                return time.monotonic()
            if not nudged and time.monotonic() > limit - 20:
                self.ctl(["reconnect", LINK])   # make the daemon issue socket commands
                nudged = True
            self.health()
            time.sleep(0.1)
        self.notes.append("%.1f: error %s %d not all answered in 40 s" % (self.now(), cmd, count))
        return time.monotonic()

    def wait_recovered(self, t_clear, limit):
        """Seconds from t_clear until the link is up and bytes moved both
        ways since it was last seen not up; None after limit seconds."""
        base = None
        while time.monotonic() < t_clear + limit:
            st = self.state()
            up_n = self.server.totals()[0]
            down_n = self.client.down.total
            if st != "up":
                base = None
            elif base is None:
                base = (up_n, down_n)
            elif up_n > base[0] and down_n > base[1]:
                return time.monotonic() - t_clear
            self.health()
            time.sleep(0.1)
        return None

    def sample(self, cycle):
        """RSS and descriptors with the hammer idle and the link up."""
        if not self.hammer.pause():
            self.fail("the control hammer did not pause within 15 s")
        try:
            if self.state() != "up":
                return
            fds = settled_fds(self.pid)
            mem = proc_status(self.pid)
            self.samples.append((cycle, mem["VmRSS"], mem.get("RssAnon", 0), fds,
                                 dict(fd_kinds(self.pid))))
        finally:
            self.hammer.resume()

    def cycle(self, n, f):
        self.watch(f.gap)
        b = bound(f)
        self.say("cycle %d: %s: %s (bound %.1fs)" % (n, f.kind, f.describe(), b))
        mark = self.monitor.mark()
        t_inject = time.monotonic()
        applied, t_clear = self.inject(f)
        rec = self.wait_recovered(t_clear, b)
        late = None
        if rec is None:
            late = self.wait_recovered(time.monotonic(), max(60.0, b))
            self.fail("cycle %d (%s: %s): the link was not up and carrying bytes within %.1f s "
                      "of the fault clearing (%s)" % (n, f.kind, f.describe(), b,
                                                      "up %.1f s later" % late if late is not None
                                                      else "never"))
            self.dump_context(mark)
            if late is None:
                raise Failed("the link never recovered after cycle %d" % n)
        evs = self.monitor.events[mark:]
        deaths = [e.get("cause") for e in evs if e.get("event") == "link-dead"]
        steps = [e.get("step") for e in evs if e.get("event") == "escalation"]
        losses = [e for e in evs if e.get("event") == "data-loss"]
        self.cycles.append(dict(n=n, kind=f.kind, desc=f.describe(), applied=applied,
                                hold=t_clear - t_inject, recovery=rec, bound=b))
        self.drain_stdout()
        self.sample(n)
        mem = self.samples[-1] if self.samples and self.samples[-1][0] == n else None
        up, down, _ = self.server.totals()
        k, _, sent = self.server.newest()
        lag = sent - self.client.down.snapshot()["delivered"].get(k, 0)
        self.say("cycle %d: %s recovered in %s (held %.1fs); deaths %s%s%s; up %d B, down %d B "
                 "(lag %d B)%s"
                 % (n, f.kind, "%.2fs" % rec if rec is not None else "MISSED",
                    t_clear - t_inject, ",".join(deaths) or "-",
                    "; escalation " + ",".join(steps) if steps else "",
                    "; data-loss " + "; ".join("%s unacked%s, %s lost" % (
                        e.get("unacked"), " resent" if e.get("resend") in (1, True, "1") else "",
                        e.get("lost")) for e in losses) if losses else "",
                    up, self.client.down.total, lag,
                    "; rss %d KiB anon %d KiB fds %d" % mem[1:4] if mem else ""))
        self.check_streams(final=False)
        self.check_pid()

    def check_pid(self):
        d = self.status_rec("daemon")
        if int(d["pid"]) != self.pid:
            raise Failed("the daemon's pid changed: %s, was %d" % (d["pid"], self.pid))

    def dump_context(self, mark):
        print("---- events since the fault")
        for e in self.monitor.events[mark:][-40:]:
            print("   ", {k: v for k, v in e.items() if k != "_t"})
        print("---- daemon log (tail)")
        print("\n".join(self.daemon.logtext().splitlines()[-60:]))
        print("---- simulator events (tail)")
        try:
            print("\n".join(self.sim.events()[-40:]))
        except Exception as e:
            print(e)
        sys.stdout.flush()

    # -- the streams --
    def loss_events(self):
        """data-loss events as the server thread read them (see _conn)."""
        return [e for name in NAMES for e in self.server.loss_events(name)]

    def check_streams(self, final):
        """Check the up stream of every connection (the newest only when
        final) against the data-loss events. Bytes that are not the stream
        fail at once; a gap or duplicate between connections is only
        suspected during the run (an old connection's last bytes may still
        be on their way) and judged after the final drain."""
        conns = self.server.conn_view()
        if not final:
            conns = conns[:-1]
        events = self.loss_events()
        segs, errors, suspect = [], [], []
        hint = 0
        for k, t_acc, data, sent, is_open in conns:
            if not data:
                segs.append((k, t_acc, None, None))
                continue
            key = (k, len(data))
            if key not in self.up_cache:
                self.up_cache[key] = self.place(k, data, hint)
            s, good, err = self.up_cache[key]
            if err and err.startswith("filler:"):
                # a send past its deadline was ended with CR bytes the
                # module took and sent (cellsockd.conf(5), command_timeout):
                # allowed only where a data-loss event reported them
                n = int(err.split(":")[1])
                reported = sum(int(e.get("filler", 0)) for e in events if e["_conn"] == k)
                err = None if n <= reported else (
                    "up: connection %d ends with %d CR filler bytes, %d reported"
                    % (k, n, reported))
            if err:
                errors.append(err)
            if s is None:
                continue
            # a corrupted connection counts up to its first bad byte
            segs.append((k, t_acc, s, s + good))
            hint = s + good
        dup_total = gap_total = 0
        transitions = []
        prev = None
        for k, t_acc, s, e in segs:
            if s is None:
                continue
            if prev is None:
                if s != 0:
                    suspect.append("up: the first bytes the server saw start at offset %d" % s)
                prev = (k, t_acc, s, e)
                continue
            pk, pt, ps, pe = prev
            dup, gap = max(0, pe - s), max(0, s - pe)
            dup_total += dup
            gap_total += gap
            credit = self.credit(events, pk, k)
            ok = dup <= credit[0] and gap <= credit[1]
            transitions.append((pk, k, dup, gap, credit))
            if not ok:
                suspect.append("up: from connection %d (ended at %d) to %d (starts at %d): %s "
                              "but the data-loss events between them report %d unacknowledged "
                              "bytes resent and %d lost"
                              % (pk, pe, k, s, "%d bytes duplicated" % dup if dup else
                                 "%d bytes missing" % gap, credit[0], credit[1]))
            prev = (k, t_acc, s, e)
        for err in errors + (suspect if final else []):
            self.fail(err)
        for what in ([] if final else suspect):
            if what not in self.suspects:
                self.suspects.append(what)
                self.say("suspect (judged after the drain): " + what)
        self.up_result = dict(dup=dup_total, gap=gap_total, transitions=transitions,
                              end=prev[3] if prev else 0, segments=len([x for x in segs
                                                                         if x[2] is not None]))
        for err in self.client.down.snapshot()["errors"]:
            self.fail(err)

    @staticmethod
    def place(k, data, hint):
        """(stream offset, length of the good prefix, error) of what one
        connection carried."""
        s = locate_up(data, hint)
        if s is None:
            return None, 0, ("up: connection %d: %d bytes that are nowhere in the stream: %r"
                             % (k, len(data), data[:40]))
        want = up_bytes(s, len(data))
        if want == data:
            return s, len(data), None
        i = next(i for i in range(len(data)) if data[i] != want[i])
        if data[i:].strip(b"\r") == b"":
            return s, i, "filler:%d" % (len(data) - i)
        return s, i, ("up: connection %d, stream offset %d: got %r, want %r (corrupt, "
                      "reordered or a gap inside one connection)"
                      % (k, s + i, data[i:i + 24], want[i:i + 24]))

    @staticmethod
    def credit(events, k_from, k_to):
        """(bytes resent, bytes lost toward the server) reported between
        the accepts of connections k_from and k_to: the old connection's
        death is accounted before the next dial."""
        sel = [e for e in events if k_from <= e["_conn"] < k_to]
        resent = sum(int(e["unacked"]) for e in sel if e["resend"] in (1, True, "1"))
        lost = sum(max(0, int(e["lost"]) - int(e["unread"])) for e in sel)
        return resent, lost

    # -- the end --
    def drain(self):
        """Stop both writers and wait until everything written arrived: the
        up stream ends at the server where the client stopped, the newest
        connection's down stream reached the client whole."""
        self.client.stop_writing()
        self.server.sending = False
        written = self.client.written
        limit = bound() + 60
        t = time.monotonic()
        while True:
            conns = [c for c in self.server.conn_view() if c[2]]
            data = conns[-1][2] if conns else b""
            s = locate_up(data, written - len(data)) if data else None
            end = s + len(data) if s is not None else None
            k, _, sent = self.server.newest()
            down = self.client.down.snapshot()
            down_done = sent == 0 or (down["cur"] == k and down["off"] == sent)
            if end == written and down_done:
                return True
            if time.monotonic() - t > limit:
                self.fail("drain: after %.0f s the server's stream ends at %s of the %d bytes "
                          "written, the client has %d of the %d sent on connection %d (link %s)"
                          % (limit, end, written, down["off"] if down["cur"] == k else 0, sent,
                             k, self.state()))
                return False
            self.health()
            time.sleep(0.1)

    def final_checks(self):
        self.check_streams(final=True)
        relay = self.status_rec("relay")
        link = self.status_rec("link")
        events = self.loss_events()

        def printed():
            return len([e for e in self.monitor.find("data-loss") if e.get("name") in NAMES])
        deadline = time.monotonic() + 5
        while printed() != len(events) and time.monotonic() < deadline:
            time.sleep(0.05)
        cli = printed()
        if cli != len(events):
            self.fail("monitors disagree: cellsockctl monitor printed %d data-loss events, "
                      "a raw monitor client read %d" % (cli, len(events)))
        rep_resent = sum(int(e["unacked"]) for e in events if e["resend"] in (1, True, "1"))
        rep_lost_tx = sum(max(0, int(e["lost"]) - int(e["unread"])) for e in events)
        rep_lost_rx = sum(int(e["unread"]) + int(e["undelivered"]) for e in events)
        u = self.up_result
        up_total, down_sent, probes = self.server.totals()
        down = self.client.down.snapshot()
        rx_missing = down_sent - down["total"]
        status_resent = int(relay["resent"]) + self.resent_prev
        if u["dup"] > rep_resent or u["dup"] > status_resent:
            self.fail("up: %d bytes duplicated in all, more than reported resent (%d in events, "
                      "%d in status, over every link that ended)"
                      % (u["dup"], rep_resent, status_resent))
        if u["gap"] > rep_lost_tx:
            self.fail("up: %d bytes missing in all, %d reported lost" % (u["gap"], rep_lost_tx))
        if rep_lost_rx > rx_missing:
            self.fail("down: data-loss events report %d bytes lost toward the client, only %d "
                      "are missing" % (rep_lost_rx, rx_missing))
        if u["end"] != self.client.written:
            self.fail("up: the stream ends at %d at the server, the client wrote %d"
                      % (u["end"], self.client.written))
        if len(self.client.eofs) > self.eofs_allowed:
            self.fail("the persistent session closed its local client %d times (%d by a stop "
                      "or a removal)" % (len(self.client.eofs), self.eofs_allowed))
        self.stream_report = dict(
            written=self.client.written, up_received=up_total, up_dup=u["dup"], up_gap=u["gap"],
            rep_resent=rep_resent, rep_lost_tx=rep_lost_tx, down_sent=down_sent,
            down_received=down["total"], rx_missing=rx_missing, rep_lost_rx=rep_lost_rx,
            connections=self.server.count(), segments=u["segments"], loss_events=len(events),
            probes=probes, replies=down["replies"], relay=relay, link=link,
            truncated_heads=down["truncated_heads"])

    def check_resources(self, warm):
        """A leak raises the floor: the lowest of the last samples must not
        exceed the baseline. Descriptors: the count before the first fault
        (the same state: link up, hammer idle), last quarter of all cycles.
        Anonymous RSS: the warm-up maximum plus a tolerance, last quarter
        of the cycles after the warm-up (only reported under ASan, whose
        quarantine keeps freed memory). Bounded buffers filling for a while
        make peaks, not a higher floor."""
        if len(self.samples) < 4 or self.samples[0][0] != 0:
            self.notes.append("resources: too few samples to judge")
            return
        later = self.samples[1:]
        tail = later[-max(3, len(later) // 4):]
        floor = min(tail, key=lambda s: s[3])
        base = self.samples[0]
        if floor[3] > base[3]:
            self.fail("descriptors: at least %d in the last %d samples (cycles %d-%d), %d "
                      "before the first fault (now %s, was %s)"
                      % (floor[3], len(tail), tail[0][0], tail[-1][0], base[3], floor[4],
                         base[4]))
        before = [s for s in self.samples if s[0] <= warm]
        after = [s for s in self.samples if s[0] > warm]
        if len(after) < 5:
            self.notes.append("RSS: %d samples after the warm-up (%d cycles), too few to judge "
                              "growth" % (len(after), warm))
            return
        tail = after[-max(5, len(after) // 4):]
        anon_base = max(s[2] for s in before)
        floor = min(tail, key=lambda s: s[2])
        if floor[2] > anon_base + RSS_TOLERANCE_KIB:
            what = ("RssAnon at least %d KiB in the last %d samples (cycles %d-%d), at most "
                    "%d KiB during the warm-up (tolerance %d KiB)"
                    % (floor[2], len(tail), tail[0][0], tail[-1][0], anon_base,
                       RSS_TOLERANCE_KIB))
            if self.sanitized:
                self.notes.append("ASan build, not judged: " + what)
            else:
                self.fail(what)

    def stop(self):
        if self.unanswered:
            self.fail("control: %d of the soak's own requests went unanswered"
                      % self.unanswered)
        if self.client is not None:
            self.client.close()
        if self.hammer is not None:
            h = self.hammer
            h.stop()
            self.hammer_report = (dict(h.counts), list(h.failures))
            for what in h.failures:
                self.fail("control: " + what)
        if self.monitor is not None:
            self.monitor.stop()
        if self.daemon is not None:
            rc = self.daemon.stop(timeout=20)
            log = self.daemon.logtext()
            if rc != 0 and rc is not None and not self.failures_mention_exit():
                self.fail("cellsockd stopped with status %s" % rc)
            if SANITIZER_RE.search(log):
                self.fail("cellsockd: sanitizer report:\n" + "\n".join(
                    l for l in log.splitlines() if SANITIZER_RE.search(l))[:3000])
            if self.args.log_dir:
                self.save(log)
            self.daemon.cleanup()
        if self.server is not None:
            self.server.close()
        if self.sim is not None:
            rc = self.sim.stop()
            try:
                self.sim.check_clean(rc)
            except Exception as e:
                self.fail("cellsock-modemsim: %s" % e)

    def kill_all(self):
        """Last resort when stopping hangs: kill every process group we
        started and remove the directories."""
        for part in (self.monitor, self.daemon, self.sim):
            proc = getattr(part, "proc", None)
            if proc is not None and proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except OSError:
                    pass
        if self.daemon is not None:
            shutil.rmtree(self.daemon.dir, ignore_errors=True)
        if self.sim is not None:
            shutil.rmtree(self.sim.workdir, ignore_errors=True)

    def failures_mention_exit(self):
        return any("exited" in f for f in self.failures)

    def save(self, log):
        os.makedirs(self.args.log_dir, exist_ok=True)
        with open(os.path.join(self.args.log_dir, "cellsockd.log"), "w") as f:
            f.write(log)
        with open(os.path.join(self.args.log_dir, "modemsim.stderr"), "w") as f:
            f.write(self.sim.stderr_text())
        with open(os.path.join(self.args.log_dir, "events.txt"), "w") as f:
            for e in self.server.events:    # _conn: connections accepted before it
                f.write("%.3f %s\n" % (e["_t"] - self.t0, " ".join(
                    "%s=%s" % kv for kv in e.items() if kv[0] != "_t")))
        print("logs saved in %s" % self.args.log_dir)


# ---- the report ----

def soak_profile(seed):
    """The firmware profile of this dialect's run: rotated by the seed."""
    profiles = dialects.PROFILES[dialects.current()]
    return profiles[(seed - 1) % len(profiles)]


def repro_args(a):
    """The options that reproduce this run's schedule."""
    words = ["--seed", str(a.seed), "--seconds", str(a.seconds)]
    for opt, default in (("rate", 2500), ("baud", 230400), ("firmware", None),
                         ("exclude", "")):
        if getattr(a, opt) != default:
            words += ["--" + opt, str(getattr(a, opt))]
    return " ".join(words)


def report(soak, warm):
    a = soak.args
    print("\n==== chaos soak report: seed %d, %d s asked, %.0f s run, %d cycles ===="
          % (a.seed, a.seconds, soak.now(), len(soak.cycles)))
    by = collections.OrderedDict((k, []) for k in KINDS)
    for c in soak.cycles:
        by[c["kind"]].append(c)
    print("%-12s %6s %9s %9s %9s" % ("fault", "count", "p50 (s)", "max (s)", "bound (s)"))
    for kind, cs in by.items():
        if kind not in a.kinds:
            continue
        recs = [c["recovery"] for c in cs if c["recovery"] is not None]
        missed = len(cs) - len(recs)
        print("%-12s %6d %9s %9s %9s%s" % (
            kind, len(cs), "%.2f" % statistics.median(recs) if recs else "-",
            "%.2f" % max(recs) if recs else "-",
            "%.1f" % max(c["bound"] for c in cs) if cs else "-",
            "  %d MISSED" % missed if missed else ""))
    sr = getattr(soak, "stream_report", None)
    if not sr and soak.server is not None and soak.client is not None:
        up, down, probes = soak.server.totals()
        print("streams (not drained, not judged as a whole): up %d bytes written, %d received "
              "over %d connections; down %d bytes sent, %d received"
              % (soak.client.written, up, soak.server.count(), down, soak.client.down.total))
    if sr:
        print("up (client -> server): %d bytes written, %d received over %d connections "
              "(%d with data); duplicated %d (reported resent %d, status resent %s); "
              "missing %d (reported lost %d)"
              % (sr["written"], sr["up_received"], sr["connections"], sr["segments"],
                 sr["up_dup"], sr["rep_resent"], sr["relay"]["resent"], sr["up_gap"],
                 sr["rep_lost_tx"]))
        print("down (server -> client): %d bytes sent, %d received; %d lost with their "
              "connection (reported unread/undelivered %d); %d probe replies delivered, "
              "%d stripped by the daemon" % (sr["down_sent"], sr["down_received"],
                                             sr["rx_missing"], sr["rep_lost_rx"],
                                             sr["replies"], int(sr["relay"]["probe_replies"])))
        print("data-loss events %d; probes at the server %d; link connects %s, failures %s"
              % (sr["loss_events"], sr["probes"], sr["link"]["connects"], sr["link"]["failures"]))
    if soak.samples:
        first, last = soak.samples[0], soak.samples[-1]
        print("resources (hammer idle, link up; fds against cycle 0, RSS against the first "
              "%d cycles):" % warm)
        print("  VmRSS  KiB first %d last %d max %d" % (first[1], last[1],
                                                       max(s[1] for s in soak.samples)))
        print("  RssAnon KiB first %d last %d max %d%s" % (
            first[2], last[2], max(s[2] for s in soak.samples),
            " (ASan build: not judged)" if soak.sanitized else ""))
        print("  fds        first %d last %d max %d  %s" % (first[3], last[3],
                                                          max(s[3] for s in soak.samples),
                                                          last[4]))
    hr = getattr(soak, "hammer_report", None)
    if hr:
        print("control hammer: %s" % ", ".join("%s %d" % kv for kv in sorted(hr[0].items())))
    print("daemon pid the same between restarts (%d restart%s%s): %s" % (
        soak.restarts, "" if soak.restarts == 1 else "s",
        "; stops took %s s" % ", ".join("%.1f" % x for x in soak.stops) if soak.stops else "",
        "yes" if not any("pid" in f or "exited" in f for f in soak.failures) else "NO"))
    for n in soak.notes[:20]:
        print("note: " + n)
    if soak.failures:
        print("%d invariant(s) FAILED; reproduce with: python3 soak.py %s"
              % (len(soak.failures), repro_args(a)))
        for f in soak.failures:
            print("  - " + f.splitlines()[0])
    else:
        print("all invariants held")


def main():
    dialects.run_per_dialect()
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--seed", type=int, default=int(os.environ.get("CELLSOCK_SOAK_SEED", "1")))
    p.add_argument("--seconds", type=int,
                   default=int(os.environ.get("CELLSOCK_SOAK_SECONDS", "120")))
    p.add_argument("--rate", type=int, default=2500, help="stream bytes/s each way")
    p.add_argument("--baud", type=int, default=230400, help="simulator pacing")
    p.add_argument("--firmware", default=None, help="simulator firmware profile")
    p.add_argument("--hammers", type=int, default=3, help="control hammer threads")
    p.add_argument("--exclude", default="", metavar="KIND,...",
                   help="leave these fault kinds out (to look at the others)")
    p.add_argument("--list", type=int, metavar="N", help="print N faults of the schedule, exit")
    p.add_argument("--log-dir", help="keep the daemon log and simulator stderr here")
    args = p.parse_args()
    excluded = [k for k in args.exclude.split(",") if k]
    unknown = [k for k in excluded if k not in KINDS]
    if unknown:
        p.error("unknown fault kind %s (kinds: %s)" % (",".join(unknown), ",".join(KINDS)))
    args.kinds = [k for k in KINDS if k not in excluded]
    SIM["firmware"] = args.firmware or soak_profile(args.seed)
    if not args.kinds:
        p.error("every fault kind is excluded")

    if args.list:
        print("seed %d: bound %.1f s = %s" % (args.seed, bound(), ", ".join(
            "%s %.1f" % kv for kv in bound_parts().items())))
        for i, f in zip(range(args.list), schedule(args.seed, args.kinds)):
            print("%4d %-12s gap %.1fs  %s" % (i + 1, f.kind, f.gap, f.describe()))
        return 0
    for exe in (CELLSOCKD, CELLSOCKCTL, sim_binary()):
        if not os.access(exe, os.X_OK):
            skip("not built: %s" % exe)

    warm = len(args.kinds)              # the first round is the warm-up
    # the first round may run past --seconds (10 s a fault is twice the
    # usual); one missed recovery, the drain and the stop come on top
    worst = bound(make_fault(random.Random(0), "hang"))
    hard = args.seconds + 10 * len(args.kinds) + worst + max(60, worst) + bound() + 60 + 60

    def expired(signum, frame):
        raise Deadline("hard deadline of %d s passed" % hard)
    signal.signal(signal.SIGALRM, expired)
    signal.alarm(int(hard))

    soak = Soak(args)
    print("chaos soak: seed %d, %d s, dialect %s, firmware %s (reproduce: "
          "CELLSOCK_DIALECT=%s python3 soak.py %s)"
          % (args.seed, args.seconds, dialects.current(), SIM["firmware"], dialects.current(),
             repro_args(args)))
    if args.exclude:
        print("fault kinds left out: %s" % args.exclude)
    print("recovery bound %.1f s = %s (plus reopen growth for reboot/hang/delay, and %.0f s "
          "for a command swallowed by hang/garbage); hard deadline %d s"
          % (bound(), " + ".join("%s %.1f" % kv for kv in bound_parts().items()),
             SEND_DEADLINE, hard))
    sys.stdout.flush()
    try:
        try:
            soak.start()
            soak.sample(0)
            for n, f in enumerate(schedule(args.seed, args.kinds), 1):
                if n > len(args.kinds) and soak.now() >= args.seconds:
                    break
                soak.cycle(n, f)
            soak.say("no more faults; draining both streams")
            if soak.drain():
                soak.final_checks()
            else:
                for what in soak.suspects:
                    soak.fail(what + " (the drain did not finish)")
            soak.check_resources(warm)
        except (Failed, Deadline) as e:
            soak.fail(str(e))
            if soak.daemon is not None and soak.monitor is not None:
                soak.dump_context(max(0, soak.monitor.mark() - 40))
            for what in soak.suspects:
                soak.fail(what + " (not drained: the run stopped early)")
        except Exception:
            soak.fail("the soak itself failed:\n" + traceback.format_exc())
        finally:
            signal.alarm(120)           # stopping is bounded too
            soak.stop()
            signal.alarm(0)
    except Deadline as e:
        soak.fail(str(e))
        soak.kill_all()
    report(soak, warm)
    return 1 if soak.failures else 0


if __name__ == "__main__":
    sys.exit(main())
