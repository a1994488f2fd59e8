#!/usr/bin/env python3
"""Command timing and send size (issue 7, item 1 and the throughput goal):
the daemon learns the largest send from AT#SSENDEXT=?, waits a short gap
after each final result (command_gap = "auto"), and falls back to Telit's
20 ms when the module misses a command sent sooner -- the simulator's
--min-gap drops such a line the way a module that was not ready would.
Data still passes byte-exact, without a reconnect. Lost commands on the data
path: a send or a read whose line the module never saw is tried again on
the same connection; a read the module ran but whose answer was lost (the
bytes it took are gone) is found by #SI, reported in a data-loss event and
ends the connection -- never a silent hole in the stream. Runs once per
dialect (tests/lib/dialects.py): Quectel's send is AT+QISEND, its read
AT+QIRD and its counters AT+QISEND=<id>,0; the 20 ms fallback is Telit's
documented spacing (Quectel documents none) and runs on Telit only."""

import os
import signal
import traceback

import dialects
from cellsock_harness import CELLSOCKCTL, CELLSOCKD, Checker, skip, wait_until
from modemsim import sim_binary
from relay_util import RelayRig, Server, connect_local, fast_random, recv_exact, wait_eof

t = Checker("relay-gap")


def modem(r):
    return r.status()["modem"]


def echo_roundtrip(links, n, seed):
    c = connect_local(links[0]["local"])
    try:
        data = fast_random(seed, n)
        c.sendall(data)
        return recv_exact(c, n, timeout=60) == data
    finally:
        c.close()


def scenario(sim_args, check):
    echo = Server("echo")
    links = [dict(name="echo", port=echo.port, socket=1, local="unix:")]
    try:
        with RelayRig(links, sim_args=sim_args) as r:
            r.wait_link("echo", "up")
            check(r, links)
    except Exception:
        t.check(False, "raised:\n" + traceback.format_exc())
    finally:
        echo.close()


def check_fast(r, links):
    m = modem(r)
    want, why = dialects.MAX_SEND[dialects.current()]
    t.check(m["max_send"] == want, "max_send %d, %s (%s)" % (want, why, m["max_send"]))
    t.check(m["command_gap_ms"] == 5, "auto gap starts at 5 ms (%s)" % m["command_gap_ms"])
    t.check(echo_roundtrip(links, 20000, 1), "20000 bytes echoed byte-exact")
    state = r.sim.state()
    t.check(state["ignored_total"] == "0", "no command ignored without --min-gap")
    t.check(r.link("echo")["connects"] == 1, "one connect, no reconnect")


def check_fallback(r, links):
    m = modem(r)
    t.check(m["command_gap_ms"] == 20,
            "a missed command widens the gap to 20 ms (%s)" % m["command_gap_ms"])
    t.check("waiting 20 ms instead of 5 ms" in r.daemon.logtext(), "the widening is logged")
    ignored = int(r.sim.state()["ignored_total"])
    t.check(ignored >= 1, "the simulator ignored %d early command(s)" % ignored)
    t.check(echo_roundtrip(links, 20000, 2), "20000 bytes echoed byte-exact after widening")
    later = int(r.sim.state()["ignored_total"])
    t.check(later == ignored, "no command ignored once the gap is 20 ms (%d -> %d)"
            % (ignored, later))
    t.check(r.link("echo")["connects"] == 1, "one connect, no reconnect")


def echo_across_lost(r, links, cmd, seed, n):
    """Arm "lose CMD" and echo n bytes through it; returns the link and its
    byte account as they were before the client left."""
    c = connect_local(links[0]["local"])
    try:
        r.sim.control("lose " + cmd)
        data = fast_random(seed, n)
        c.sendall(data)
        t.check(recv_exact(c, len(data), timeout=60) == data,
                "%d bytes echoed byte-exact across a lost AT%s" % (n, cmd))
        link, acct = r.link("echo"), r.relay("echo")
    finally:
        c.close()
    t.check(any("lose: no answer to " + cmd in e for e in r.sim.events()),
            "the simulator lost one AT" + cmd)
    return link, acct


def check_lost_send(r, links):
    """A send whose command line is lost gets no prompt: nothing was
    written, so the relay tries again on the same connection."""
    link, acct = echo_across_lost(r, links, dialects.cmd("send"), 3, 5000)
    t.check("(no prompt)" in r.daemon.logtext(), "the daemon saw no prompt")
    t.check(link["connects"] == 1 and link["state"] == "up",
            "no reconnect (connects=%s state=%s)" % (link["connects"], link["state"]))
    t.check(acct["lost_unsent"] == 0 and acct["lost_unacked"] == 0,
            "nothing reported lost (%s/%s)" % (acct["lost_unsent"], acct["lost_unacked"]))


def check_lost_read(r, links):
    """The line of an AT#SRECV (AT+QIRD) is lost: nothing was taken, the
    bytes are read again."""
    link, acct = echo_across_lost(r, links, dialects.cmd("read"), 4, 3000)
    t.check(link["connects"] == 1 and acct["lost_unread"] == 0,
            "no reconnect, nothing lost (connects=%s lost_unread=%s)"
            % (link["connects"], acct["lost_unread"]))


def check_muted_read(r, links):
    """An AT#SRECV (AT+QIRD) runs but its answer is lost: the bytes it took
    are gone. The daemon finds the hole with #SI (AT+QISEND=<id>,0),
    reports it and ends the session."""
    c = connect_local(links[0]["local"])
    try:
        since = r.monitor.mark()
        r.sim.control("mute " + dialects.cmd("read"))
        c.sendall(fast_random(5, 1000))
        ev = r.wait_event("data-loss", since=since, timeout=30, name="echo")
        t.check(int(ev["unread"]) == 1000 and int(ev["lost"]) >= 1000,
                "data-loss reports the 1000 bytes the lost answer carried (%s)" % ev)
        t.check("answer never came" in r.daemon.logtext(), "the hole is logged")
        t.check(wait_eof(c, timeout=20) is not None, "the local client sees its session end")
    finally:
        c.close()
    r.wait_link("echo", "up")
    t.check(echo_roundtrip(links, 2000, 6), "a new session works after the hole")


def main():
    dialects.run_per_dialect()
    for exe in (CELLSOCKD, CELLSOCKCTL, sim_binary()):
        if not os.access(exe, os.X_OK):
            skip("not built: %s" % exe)
    signal.alarm(180)
    scenario(["--baud", "115200"], check_fast)
    if dialects.is_telit():
        scenario(["--baud", "115200", "--min-gap", "15"], check_fallback)
    scenario(["--baud", "115200"], check_lost_send)
    scenario(["--baud", "115200"], check_lost_read)
    scenario(["--baud", "115200"], check_muted_read)
    return t.finish()


if __name__ == "__main__":
    raise SystemExit(main())
