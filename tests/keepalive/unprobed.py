#!/usr/bin/env python3
"""The death deadline and the cause `unprobed` (issue 13, item 1): two AT
ports (`modem.ports`, so the daemon counts no blocking by dials and closes
in the bounds), two links. Link "busy" sends, and the module takes 15 s to
answer its send (`delay #SSENDEXT`), holding the live links' channel; link
"quiet" needs a probe meanwhile. Its probe cannot get the channel, and its
deadline runs from its last sign of life whatever the channel does: it is
declared dead with cause `unprobed` long before the send ends, counted in
its link record, and comes back up once the channel is free."""

import os
import sys
import time

from cellsock_harness import Checker, wait_until
from cellsock_harness import Daemon
from relay_util import RelayRig, Server, connect_local, relay_config
from supervisor_rig import Monitor

t = Checker("unprobed")
QUIET_KA = 'probe = "FF"; idle = 2.0; timeout = 1.0; retries = 0; ack_timeout = 60.0;'
HOLD_MS = 15000


class TwoPortRig(RelayRig):
    """The relay rig with the simulator's two ports in modem.ports."""

    def __enter__(self):
        self.sim.start()
        self.daemon = Daemon()
        for ln in self.links:
            ln["local"] = "unix:" + os.path.join(self.daemon.dir, ln["name"] + ".sock")
        extra = 'ports = [ "%s", "%s.1" ]; ' % (self.sim.link, self.sim.link)
        self.daemon.write_config(relay_config(self.sim.link, self.daemon.sock, self.links,
                                              self.log_level, modem_extra=extra))
        self.daemon.start()
        self.monitor = Monitor(self.daemon.sock)
        wait_until(lambda: self.status()["daemon"]["monitors"] >= 1, what="monitor")
        return self


def main():
    server = Server("echo")
    links = [dict(name="busy", port=server.port, socket=1, local="unix:",
                  keepalive='probe = ""; ack_timeout = 60.0;'),
             dict(name="quiet", port=server.port, socket=2, local="unix:", keepalive=QUIET_KA)]
    try:
        with TwoPortRig(links, firmware="he910-12.00.006", sim_args=["--ports", "2"]) as r:
            r.wait_link("busy", "up")
            r.wait_link("quiet", "up")
            c = connect_local(links[0]["local"])
            # right after quiet's probe comes back (the server echoes it:
            # a sign of life), its next one is 2 s away: hold the channel
            # with busy's send from now on
            n = r.relay("quiet")["received"]
            wait_until(lambda: r.relay("quiet")["received"] > n, timeout=15, interval=0.05,
                       what="quiet's probe echoed")
            mark = r.monitor.mark()
            r.sim.control("delay #SSENDEXT %d" % HOLD_MS)
            t0 = time.monotonic()
            c.sendall(b"x" * 100)
            ev = r.wait_event("link-dead", since=mark, name="quiet", timeout=HOLD_MS / 1000.0)
            took = time.monotonic() - t0
            t.check(ev["cause"] == "unprobed", "quiet: dead with cause unprobed (%s)" % ev)
            t.check(took < HOLD_MS / 1000.0 - 2,
                    "quiet: declared dead after %.1f s, while busy's send still held the "
                    "channel (%d s)" % (took, HOLD_MS // 1000))
            link = r.link("quiet")
            t.check(link["unprobed"] >= 1, "quiet: counted in the link record (unprobed=%s)"
                    % link["unprobed"])
            r.sim.control("delay #SSENDEXT 0")
            r.wait_link("quiet", "up", timeout=60)
            t.check(True, "quiet: up again once the channel is free")
            c.close()
    finally:
        server.close()
    return t.finish()


if __name__ == "__main__":
    sys.exit(main())
