#!/usr/bin/env python3
"""Two AT ports onto one module (issue 13, item 3): cellsockd with
modem.ports = [ port0, port1 ] against `cellsock-modemsim --ports 2`, which
creates LINK (port 0) and LINK.1 (port 1). The link comes up, its dial and
close go to the last port, its probes and data to the first. SKIP when the
simulator has no --ports yet."""

import subprocess
import sys

from cellsock_harness import Checker, wait_until
from modemsim import sim_binary, skip
from supervisor_rig import Rig, link_config

t = Checker("ports")
scenario = t.scenario


def sim_has_ports():
    try:
        out = subprocess.run([sim_binary(), "--help"], capture_output=True, text=True,
                             timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return "--ports" in out.stdout + out.stderr


class PortsRig(Rig):
    """The supervisor rig with the simulator's two ports in modem.ports."""

    def start(self):
        from cellsock_harness import Daemon
        from supervisor_rig import Monitor
        self.daemon = Daemon()
        text = link_config(self.sim.link, self.server.port, self.daemon.sock, *self.extra,
                           recovery=self.recovery)
        text = text.replace('device = "%s";' % self.sim.link,
                            'ports = [ "%s", "%s.1" ];' % (self.sim.link, self.sim.link))
        text = text.replace('log: { level = "debug"; };', 'log: { level = "debug"; at_trace = true; };')
        self.daemon.write_config(text)
        self.daemon.start()
        self.monitor = Monitor(self.daemon.sock)
        wait_until(lambda: self.status()["daemon"]["monitors"] >= 1, what="monitor")
        return self


def port_lines(log, port):
    """Lines of the daemon's AT trace sent on one port ("PORT: > AT...")."""
    return [l for l in log.splitlines() if ("%s: > " % port) in l]


@scenario
def two_ports_split_the_work():
    with PortsRig(sim_args=["--ports", "2"]) as r:
        conn = r.server.accept(timeout=20)
        r.wait_link("up")
        wait_until(lambda: "connect check passed" in r.daemon.logtext(), what="connect check")
        t.check(conn.recv_exact(1) == b"\xff", "the connect probe reaches the server")
        log = r.daemon.logtext()
        first, last = port_lines(log, r.sim.link), port_lines(log, r.sim.link + ".1")
        t.check(any("#SD=" in l or "QIOPEN" in l for l in last),
                "the dial went to the last port")
        t.check(not any("#SD=" in l or "QIOPEN" in l for l in first),
                "no dial on the first port")
        t.check(any("CMEE=2" in l for l in first) and any("CMEE=2" in l for l in last),
                "both ports get verbose errors")
        mark = r.monitor.mark()
        conn.close()
        ev = r.monitor.wait("link-dead", since=mark, timeout=10)
        t.check(ev["cause"] == "remote-close", "a server FIN is seen (URCs from either port)")
        r.server.accept(timeout=15)
        r.wait_link("up")


def main():
    if not sim_has_ports():
        skip("cellsock-modemsim has no --ports yet")
    return t.run_with_simulator((two_ports_split_the_work,))


if __name__ == "__main__":
    sys.exit(main())
