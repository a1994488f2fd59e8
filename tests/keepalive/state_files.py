#!/usr/bin/env python3
"""Black-box tests of the idle = "auto" state files (issue 16, item 5):
the daemon writes idle-NAME in $STATE_DIRECTORY without following a link
planted at the old temporary name, never blocks on a FIFO where the file
should be, and discards a kept value that is NaN, infinite or outside
keepalive.idle_min..idle_max with a warning naming the file."""

import os
import shutil
import sys
import tempfile
import time

from cellsock_harness import Checker, Daemon, wait_until
from supervisor_rig import Monitor, Rig, link_config

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from keepalive import ProbeServer  # noqa: E402

t = Checker("state_files")
scenario = t.scenario

IDLE_MIN, IDLE_MAX = 1.0, 10.0
KA = ('idle = "auto"; idle_min = %.1f; idle_max = %.1f; timeout = 1.0; retries = 0; reply = "FE";'
      % (IDLE_MIN, IDLE_MAX))


class StateRig:
    """The simulator, a probe server and a daemon with its own state dir."""

    def __init__(self):
        self.state = tempfile.mkdtemp(prefix="cellsock-state-")
        self.srv = ProbeServer()
        self.rig = Rig(start_daemon=False, keepalive=KA)

    def __enter__(self):
        self.rig.__enter__()
        self.rig.server.close()
        self.rig.server = self.srv
        return self

    def path(self, name="idle-server"):
        return os.path.join(self.state, name)

    def start(self, wait=True):
        """A fresh daemon on the same simulator; wait=False does not wait
        for the control socket (the caller bounds that itself)."""
        r = self.rig
        if r.monitor:
            r.monitor.stop()
            r.monitor = None
        if r.daemon:
            r.daemon.cleanup()
        r.daemon = Daemon(env={"STATE_DIRECTORY": self.state})
        r.daemon.write_config(link_config(r.sim.link, self.srv.port, r.daemon.sock, "", "", KA,
                                          recovery=r.recovery))
        r.daemon.start(wait=wait)
        if wait:
            r.monitor = Monitor(r.daemon.sock)
        return r.daemon

    def __exit__(self, *exc):
        self.rig.__exit__(*exc)     # closes self.srv as the rig's server
        shutil.rmtree(self.state, ignore_errors=True)


@scenario
def symlink_at_tmp_path():
    """A link planted at idle-server.tmp: its target stays untouched."""
    with StateRig() as s:
        victim = os.path.join(s.state, "victim")
        with open(victim, "w") as f:
            f.write("precious\n")
        os.symlink(victim, s.path("idle-server.tmp"))
        s.start()
        s.rig.wait_link("up")
        wait_until(lambda: os.path.exists(s.path()), timeout=30, what="idle-server written")
        with open(victim) as f:
            got = f.read()
        t.check(got == "precious\n", "a symlink at idle-server.tmp: its target is untouched (%r)" % got)
        t.check(not os.path.islink(s.path()) and os.path.isfile(s.path()),
                "idle-server is a regular file, not the planted link")
        with open(s.path()) as f:
            words = f.read().split()
        t.check(len(words) in (3, 5) and words[2] == "learning", "idle-server holds what was learned (%s)" % words)
        left = [n for n in os.listdir(s.state) if n not in ("victim", "idle-server", "idle-server.tmp")]
        t.check(left == [], "no temporary file is left behind (%s)" % left)


@scenario
def fifo_at_state_path():
    """A FIFO where idle-server should be: the daemon starts anyway."""
    with StateRig() as s:
        os.mkfifo(s.path())
        d = s.start(wait=False)
        t0 = time.monotonic()
        try:
            wait_until(lambda: d.ctl("status", timeout=2)[0] == 0 or not d.alive(), timeout=10,
                       what="the control socket to answer")
            up = d.alive()
        except AssertionError:
            up = False
        t.check(up, "a FIFO at idle-server: the control socket answers (%.1f s)" % (time.monotonic() - t0))
        log = d.logtext()
        t.check("idle-server" in log and "not a regular file" in log,
                "a warning names the file: %s" % [l for l in log.splitlines() if "idle-server" in l][:2])
        t.check(os.path.exists(s.path()) and not os.path.isfile(s.path()), "the FIFO itself is left alone")


def bad_value(s, text, what):
    """Start with idle-server holding text: it is discarded with a warning,
    learning starts at idle_min, probes come at that pace."""
    with open(s.path(), "w") as f:
        f.write("127.0.0.1:%d %s\n" % (s.srv.port, text))
    d = s.start()
    s.rig.wait_link("up")
    t0 = time.monotonic()
    link = s.rig.link()
    t.check(link["idle_mode"] == "learning" and link["idle"] == IDLE_MIN,
            "%s: discarded, learning from idle_min (%s %s)" % (what, link["idle"], link["idle_mode"]))
    log = d.logtext()
    t.check("discard" in log and s.path() in log,
            "%s: a warning names the file: %s" % (what, [l for l in log.splitlines() if "idle-server" in l][:2]))
    base = link["probes_sent"]
    wait_until(lambda: s.rig.link()["probes_answered"] >= 3, timeout=15, what="three answered probes")
    sent = s.rig.link()["probes_sent"] - base
    took = time.monotonic() - t0
    t.check(sent <= took / IDLE_MIN + 2, "%s: %d probes in %.1f s, no faster than idle_min" % (what, sent, took))


@scenario
def bad_values_discarded():
    with StateRig() as s:
        for text, what in (("nan settled", "nan"), ("inf settled", "inf"), ("-inf learning", "-inf"),
                           ("99999.000 settled", "above idle_max"), ("0.010 settled", "below idle_min"),
                           ("1e999 learning", "overflow")):
            try:
                bad_value(s, text, what)
            except Exception as e:  # one value's failure must not hide the others
                t.check(False, "%s raised %s" % (what, e))
        with open(s.path(), "w") as f:
            f.write("127.0.0.1:%d 4.000 settled\n" % s.srv.port)
        s.start()
        link = s.rig.link()
        t.check(link["idle_mode"] == "settled" and link["idle"] == 4.0,
                "a value within range is still taken (%s %s)" % (link["idle"], link["idle_mode"]))
        # issue 17: the bracket beside it (survived, died); a bad one is
        # dropped with a warning, the period still taken
        for text, want, what in (("4.000 settled 4.400 5.100", (4.4, 5.1), "a good bracket"),
                                 ("4.000 settled nan 5.000", (0, 0), "a NaN bracket"),
                                 ("4.000 settled 5.000 4.500", (0, 0), "survived above died"),
                                 ("4.000 settled 1.000 1e999", (0, 0), "an infinite bracket")):
            with open(s.path(), "w") as f:
                f.write("127.0.0.1:%d %s\n" % (s.srv.port, text))
            d = s.start()
            link = s.rig.link()
            got = (link["idle_survived"] or 0, link["idle_died"] or 0)
            t.check(link["idle_mode"] == "settled" and link["idle"] == 4.0 and got == want,
                    "%s: period %s %s, bracket %s" % (what, link["idle"], link["idle_mode"], got))
            if want == (0, 0):
                t.check("bracket" in d.logtext(), "%s: a warning" % what)


def main():
    return t.run_with_simulator((
        symlink_at_tmp_path,
        fifo_at_state_path,
        bad_values_discarded,
    ))


if __name__ == "__main__":
    sys.exit(main())
