#!/usr/bin/env python3
"""Quectel end to end (issue 14): cellsockd with modem.dialect = "auto"
against cellsock-modemsim --firmware ec25 (and bg96 for a subset) and a
loopback echo server. Bring-up picks quectel (cellsockctl -j modem says so
and why), the link comes up on connectID 0, 100 KB go byte-exact both ways
with every byte value, and the link recovers from a reset connection (a
verified close: AT+QICLOSE before the next AT+QIOPEN on that id), a
dropped PDP context and a module reboot. After a boot the module answers AT
before it prints RDY (the simulator's --ready-delay): the daemon starts the
bring-up only once RDY came, or once its bound (10 s) passed without it
(the operator's reset modem, AT+CFUN=1,1, with RDY held back longer). A
forced dialect = "telit" still drives a Telit profile. Every wait has a
deadline; the whole run < 120 s."""

import json
import os
import re
import signal
import sys
import traceback

from cellsock_harness import CELLSOCKCTL, CELLSOCKD, Checker, skip, wait_until
from modemsim import sim_binary
from relay_util import RelayRig, Server, connect_local, fast_random, recv_exact

SIZE = 100 * 1024
t = Checker("quectel-e2e")


def modem(r):
    rc, out, err = r.daemon.ctl("modem", json=True)
    if rc != 0:
        raise AssertionError("cellsockctl -j modem failed: %s %s" % (out, err))
    m = json.loads(out)["modem"]
    return m[0] if isinstance(m, list) else m


def echo_exact(r, links, seed, what):
    c = connect_local(links[0]["local"])
    try:
        data = fast_random(seed, SIZE)
        c.sendall(data)
        got = recv_exact(c, SIZE, timeout=30)
        t.check(got == data, "%s: %d bytes, every byte value, byte-exact both ways"
                % (what, SIZE))
    finally:
        c.close()


def dead_and_up(r, name, since, what, timeout=30.0):
    r.wait_event("link-state", since=since, name=name, state="up", timeout=timeout)
    t.check(True, "%s: the link is up again" % what)


def up_after_death(r, name, since):
    """A link-dead event, then the link up again, after since."""
    with r.monitor.lock:
        evs = list(r.monitor.events[since:])
    dead = [i for i, e in enumerate(evs) if e.get("event") == "link-dead" and
            e.get("name") == name]
    return dead and any(e.get("event") == "link-state" and e.get("name") == name and
                        e.get("state") == "up" for e in evs[dead[0]:])


def verified_close(trace, connid):
    """After the last reset, AT+QICLOSE=<id> comes before the next
    AT+QIOPEN=...,<id>."""
    close = trace.find("AT+QICLOSE=%d," % connid)
    m = re.search(r"AT\+QIOPEN=\d+,%d," % connid, trace)
    return close >= 0 and m is not None and close < m.start()


def after_boot(trace):
    """The simulator's trace after its last boot, as (direction, text) lines."""
    tail = trace[trace.rfind(" event boot "):]
    return [tuple(l.split(None, 2)[1:3]) for l in tail.splitlines() if len(l.split(None, 2)) == 3]


def waited_for_rdy(trace, what):
    """Commands were answered before RDY (the resync), and the bring-up
    (AT+CMEE=2, the first init command) came only after it."""
    lines = after_boot(trace)
    rdy = next((i for i, (d, s) in enumerate(lines) if d == "tx" and "RDY" in s), None)
    init = next((i for i, (d, s) in enumerate(lines) if d == "rx" and "AT+CMEE=" in s), None)
    early = [s for d, s in lines[:rdy] if d == "rx"] if rdy is not None else []
    t.check(rdy is not None and init is not None and early and init > rdy,
            "%s: AT answered before RDY (%s), the bring-up (AT+CMEE=2) only after it"
            % (what, ", ".join(x.replace("\\r", "") for x in early[:3])))


def ec25(echo):
    links = [dict(name="q", port=echo.port, socket=0, local="unix:")]
    with RelayRig(links, firmware="ec25", dialect="auto", trace=True,
                  sim_args=["--ready-delay", "1500"]) as r:
        r.wait_link("q", "up")
        m = modem(r)
        t.check(m.get("dialect") == "quectel", "auto picks quectel on ec25 (%s)"
                % m.get("dialect"))
        t.check("+CGMI answered Quectel" in m.get("dialect_reason", ""),
                "dialect_reason says why: %r" % m.get("dialect_reason"))
        t.check(r.link("q")["state"] == "up", "the link is up on connectID 0")
        t.check(m.get("operator") == "SIMNET", "the operator +COPS? names once registered "
                "(%r)" % m.get("operator"))
        echo_exact(r, links, 1, "ec25")

        # a reset connection: dead, verified close, up again
        mark = r.monitor.mark()
        trace_before = len(r.sim.trace_text())
        # The local client just left: a transparent session redials, so
        # the socket may be between connections; reset it once it is up.
        wait_until(lambda: r.link("q")["state"] == "up" and r.sim.try_control("rst 0")[0],
                   timeout=30, what="socket 0 connected to reset it")
        wait_until(lambda: up_after_death(r, "q", mark), timeout=40,
                   what="link q dead and up again")
        t.check(True, "rst 0: the link is up again")
        t.check(verified_close(r.sim.received(trace_before), 0),
                "rst 0: AT+QICLOSE=0 before the next AT+QIOPEN on id 0")
        echo_exact(r, links, 2, "after rst")

        # the network drops the PDP context
        mark = r.monitor.mark()
        r.sim.control("pdp-drop")
        dead_and_up(r, "q", mark, "pdp-drop")
        echo_exact(r, links, 3, "after pdp-drop")

        # the module reboots: the port goes and comes back
        mark = r.monitor.mark()
        r.sim.control("reboot 300")
        r.monitor.wait("modem-state", since=mark, state="closed", timeout=15)
        dead_and_up(r, "q", mark, "reboot", timeout=40)
        t.check(modem(r).get("dialect") == "quectel", "after the reboot: quectel again")
        waited_for_rdy(r.sim.trace_text(), "reboot")
        t.check("module reports ready after its boot" in r.daemon.logtext(),
                "reboot: the daemon waited for RDY and says so")
        echo_exact(r, links, 4, "after reboot")


def rdy_late(echo):
    """RDY held back past the daemon's bound: after AT+CFUN=1,1 (the
    operator's reset modem) the bring-up goes on without it."""
    links = [dict(name="late", port=echo.port, socket=1, local="unix:")]
    with RelayRig(links, firmware="ec25", trace=True, sim_args=["--ready-delay", "13000"]) as r:
        r.wait_link("late", "up", timeout=30)
        mark = r.monitor.mark()
        rc, out, err = r.daemon.ctl("reset", "modem")
        t.check(rc == 0, "reset modem accepted (%s)" % err.strip())
        r.monitor.wait("modem-state", since=mark, state="closed", timeout=20)
        dead_and_up(r, "late", mark, "reset modem, RDY late", timeout=40)
        t.check("AT+CFUN=1,1" in r.sim.received(), "reset modem: AT+CFUN=1,1")
        log = r.daemon.logtext()
        t.check("no ready report within 10 s of the boot; going on" in log,
                "RDY late: the daemon waited its 10 s bound, then went on")
        lines = after_boot(r.sim.trace_text())
        t.check(not any(d == "tx" and "RDY" in s for d, s in lines) and
                any(d == "rx" and "AT+CMEE=" in s for d, s in lines),
                "RDY late: the bring-up ran before RDY came")
        echo_exact(r, links, 7, "after RDY late")


def bg96(echo):
    links = [dict(name="b", port=echo.port, socket=0, local="unix:"),
             dict(name="hi", port=echo.port, socket=11, local="unix:")]
    with RelayRig(links, firmware="bg96", trace=False) as r:
        r.wait_link("b", "up")
        r.wait_link("hi", "up")
        t.check(modem(r).get("dialect") == "quectel",
                "bg96, dialect unset (auto): quectel, ids 0 and 11 up")
        echo_exact(r, links, 5, "bg96")


def telit_range(echo):
    """auto on a Telit profile: socket 0 is not a Telit id: waiting, said once."""
    links = [dict(name="ok", port=echo.port, socket=1, local="unix:"),
             dict(name="zero", port=echo.port, socket=0, local="unix:")]
    with RelayRig(links, firmware="he910-12.00.006", dialect="auto") as r:
        r.wait_link("ok", "up")
        m = modem(r)
        t.check(m.get("dialect") == "telit" and "+CGMI answered Telit" in
                m.get("dialect_reason", ""), "auto picks telit on the Telit profile (%s)" % m)
        z = wait_until(lambda: "not a telit socket id" in r.link("zero").get("last_error", "")
                       and r.link("zero"), timeout=10, what="socket 0 refused")
        t.check(z["state"] == "waiting", "a link on socket 0 stays waiting (%s)" % z["state"])
        n = r.daemon.logtext().count("not a telit socket id")
        t.check(n == 1, "and it is logged once (%d)" % n)
        t.check("outside the telit dialect's socket ids 1 to 6" in m.get("last_error", ""),
                "the modem's last_error names the link out of range (%s)" % m.get("last_error"))


def telit_forced(echo):
    links = [dict(name="t", port=echo.port, socket=1, local="unix:")]
    with RelayRig(links, firmware="he910-12.00.006", dialect="telit") as r:
        r.wait_link("t", "up")
        m = modem(r)
        t.check(m.get("dialect") == "telit" and m.get("dialect_reason") == "configured",
                "dialect = \"telit\" forced: %s (%s)" % (m.get("dialect"),
                                                      m.get("dialect_reason")))
        t.check(m.get("operator") == "SIMNET", "Telit: the operator +COPS? names once "
                "registered (%r)" % m.get("operator"))
        echo_exact(r, links, 6, "telit forced")


def main():
    for exe in (CELLSOCKD, CELLSOCKCTL, sim_binary()):
        if not os.access(exe, os.X_OK):
            skip("not built: %s" % exe)
    signal.alarm(120)
    echo = Server("echo")
    try:
        for part in (ec25, rdy_late, bg96, telit_range, telit_forced):
            try:
                part(echo)
            except Exception:
                t.check(False, "%s raised:\n%s" % (part.__name__, traceback.format_exc()))
    finally:
        echo.close()
    return t.finish()


if __name__ == "__main__":
    sys.exit(main())
