#!/usr/bin/env python3
"""A unix endpoint whose path another process is listening on: the daemon
leaves that socket alone and says why it cannot listen, with the real error
(issue #16: it used to log "trying again in 5 s: Success"). Once per
dialect, forced in the configuration (tests/lib/dialects.py)."""

import os
import socket
import sys

import dialects
from cellsock_harness import CELLSOCKD, Checker, Daemon, skip, wait_until

t = Checker("endpoint-busy")


def main():
    dialects.run_per_dialect()
    if not os.access(CELLSOCKD, os.X_OK):
        skip("not built: %s" % CELLSOCKD)
    d = Daemon()
    path = os.path.join(d.dir, "app.sock")
    other = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    other.bind(path)
    other.listen(1)
    d.write_config('modem: { device = "/dev/null"; dialect = "%s"; };\n' % dialects.current() +
                   'links = ( { name = "app"; host = "127.0.0.1"; port = 40000; socket = 1;'
                   ' local = "unix:%s"; } );\n'
                   'control: { socket = "%s"; group = ""; mode = "0660"; };\n'
                   'log: { level = "info"; };\n' % (path, d.sock))
    try:
        d.start()
        wait_until(lambda: "cannot listen on unix:" in d.logtext(), timeout=10,
                   what="the endpoint's failure in the log")
        line = [l for l in d.logtext().splitlines() if "cannot listen on unix:" in l][0]
        t.check("Success" not in line, "the reason is a real error: %r" % line)
        t.check("Address already in use" in line, "it says the address is in use: %r" % line)
        probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        probe.settimeout(5)
        probe.connect(path)	# the other process's socket is still there
        probe.close()
        t.check(True, "the other process's socket was left alone")
    finally:
        d.stop()
        other.close()
        d.cleanup()
    return t.finish()


if __name__ == "__main__":
    sys.exit(main())
