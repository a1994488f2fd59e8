"""The two-link outage of issue 13, shared by tests/keepalive/contention.py
(make check, wide margin) and tests/bench/outage.py (numbers): two links on
one modem to the same server, the simulator (115200 baud, he910-12.00.006)
in network namespace A, the server in B, the daemon in the root namespace.
One link is busy (a local client keeps writing), the other idle. While both
are quiet (a probe just answered on the idle link, an echo on the busy one)
an nft rule drops everything between A and B. Measured: each link's time
from the drop to its link-dead event, beside the bound `cellsockctl links`
showed for it (dead_within_idle for the idle link, dead_within_busy for the
busy one).

    res = run_outage(ports=1, cap=120)   # after netns_lib.preflight() is None
    res["idle"] -> {"took": s or None, "cause": ..., "silent": ..., "bound": ...}
"""

import os
import socket
import subprocess
import tempfile
import shutil
import time

from cellsock_harness import MODEMSIM, Daemon, wait_until
from supervisor_rig import Monitor
from netns_lib import LinkRig, NetnsPair, Stream, daemon_config

KEEPALIVE = "idle = 10.0; timeout = 4.0; retries = 2; ack_timeout = 10.0;"
SIM_ARGS = ["--baud", "115200", "--firmware", "he910-12.00.006"]


def sim_ports_supported():
    """Whether this simulator has --ports (several AT ports onto one module)."""
    try:
        p = subprocess.run([MODEMSIM, "--help"], capture_output=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return b"--ports" in p.stdout + p.stderr


def config_with_ports(text, link, ports):
    """The modem section naming ports link, link.1, ... instead of device."""
    if ports <= 1:
        return text
    names = ", ".join('"%s"' % (link if i == 0 else "%s.%d" % (link, i)) for i in range(ports))
    return text.replace('device = "%s";' % link, "ports = [ %s ];" % names, 1)


class Outage(LinkRig):
    def __init__(self, ports=1):
        self.ports = ports
        self.tmp = tempfile.mkdtemp(prefix="cellsock-outage-")
        self.local = os.path.join(self.tmp, "busy.sock")
        self.pair = NetnsPair()
        self.daemon = None
        self.monitor = None

    def setup(self):
        self.pair.setup()
        port = self.pair.start_server()
        args = SIM_ARGS + (["--ports", str(self.ports)] if self.ports > 1 else [])
        self.sim = self.pair.sim(args)
        self.daemon = Daemon()
        text = daemon_config(self.sim.link, self.daemon.sock,
                             [("idle", 1, KEEPALIVE, None), ("busy", 2, KEEPALIVE, self.local)],
                             self.pair.addr_b, port, teardown=None)
        self.daemon.write_config(config_with_ports(text, self.sim.link, self.ports))
        self.daemon.start()
        self.monitor = Monitor(self.daemon.sock)

    def run(self, cap):
        """One outage: {"idle"|"busy": {took, cause, silent, bound}}."""
        wait_until(self.ready, timeout=60, what="both links up and checked")
        c = socket.socket(socket.AF_UNIX)
        wait_until(lambda: c.connect_ex(self.local) == 0, timeout=10, what="local endpoint")
        self.echo(c, b"before")
        before = self.links()["idle"]["probes_answered"]
        wait_until(lambda: self.links()["idle"]["probes_answered"] > before, timeout=25,
                   what="a probe answered on the idle link")
        self.echo(c, b"last")
        links = self.links()
        res = {"idle": {"bound": links["idle"]["dead_within_idle"]},
               "busy": {"bound": links["busy"]["dead_within_busy"]}}
        mark = self.monitor.mark()
        self.pair.drop()
        t0 = time.monotonic()
        writer = Stream(c)

        def done():
            for name in ("idle", "busy"):
                ev = [e for e in self.monitor.find("link-dead", mark) if e.get("name") == name]
                if ev and "took" not in res[name]:
                    res[name].update(took=ev[0]["_t"] - t0, cause=ev[0]["cause"],
                                     silent=ev[0].get("silent"))
            return all("took" in r for r in res.values()) or time.monotonic() - t0 > cap
        try:
            wait_until(done, timeout=cap + 10, interval=0.05, what="both links dead")
        finally:
            writer.close()
            self.pair.undrop()
        links = self.links()
        for name in res:
            res[name].setdefault("took", None)
            res[name]["probe_wait_max_ms"] = links[name].get("probe_wait_max_ms")
            res[name]["unprobed"] = links[name].get("unprobed")
        return res

    def close(self):
        try:
            if self.monitor:
                self.monitor.stop()
            if self.daemon:
                self.daemon.cleanup()
        finally:
            self.pair.close()
            shutil.rmtree(self.tmp, ignore_errors=True)

    def dump(self, lines=80):
        if self.daemon:
            print("---- daemon log (tail)")
            print("\n".join(self.daemon.logtext().splitlines()[-lines:]))
