#!/usr/bin/env python3
"""The recovery hook (issue 16 item 4), black-box: cellsockd against
cellsock-modemsim, whose port vanishes for a minute (a long "reboot"), so
that three failed reopens run the hook quickly. The hook is a shell script
that records its environment, signal masks, open descriptors and process
group, starts a background `sleep` that ignores SIGTERM, and then ignores
SIGTERM itself. Checks: the hook runs in its own process group with the
documented environment only and default signal dispositions; at
hook_timeout the whole group is killed; a SIGTERM to the daemon while the
hook runs ends the daemon within a bound and kills the group too."""

import os
import shutil
import signal
import sys
import tempfile
import time

from cellsock_harness import Checker, wait_until
from supervisor_rig import Rig

t = Checker("hook")
scenario = t.scenario

# The signal state is read first and with builtins only: while the shell
# waits for a child it blocks signals itself, which a reader of its status
# would see.
HOOK = """#!/bin/sh
d=%(dir)s
while IFS= read -r l; do case "$l" in Sig[IB][gl][nk]:*) echo "$l";; esac; done < /proc/$$/status > "$d/sig"
tr '\\000' '\\n' < /proc/$$/environ > "$d/env.tmp" && mv "$d/env.tmp" "$d/env"
cut -d' ' -f5 /proc/$$/stat > "$d/pgid"
exec 9>&1 1>"$d/fds"
ls -l /proc/$$/fd
exec 1>&9 9>&-
(trap '' TERM; exec sleep 300) &
echo $! >> "$d/sleep.pid"
echo $$ >> "$d/hook.pid"
trap '' TERM
while :; do sleep 1; done
"""
DOCUMENTED = {"PATH", "CELLSOCK_DEVICE", "CELLSOCK_STEP", "CELLSOCK_FAILURES", "CELLSOCK_REASON"}
SIGPIPE_BIT = 1 << (signal.SIGPIPE - 1)
RECOVERY = ('pdp_cycle_after = 1; radio_cycle_after = 2; modem_reboot_after = 3; '
            'cooldown = 1.0; hook = "%s"; hook_timeout = %s;')


def gone(pid):
    """The process no longer exists (or is a zombie waiting to be reaped)."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


def read(path):
    with open(path) as f:
        return f.read()


class HookRig:
    """A Rig whose daemon runs the recording hook once the port stays away."""

    def __init__(self, timeout):
        self.dir = tempfile.mkdtemp(prefix="cellsock-hook-")
        self.hook = os.path.join(self.dir, "hook")
        with open(self.hook, "w") as f:
            f.write(HOOK % {"dir": self.dir})
        os.chmod(self.hook, 0o755)
        self.timeout = timeout
        self.rig = Rig(start_daemon=False, recovery=RECOVERY % (self.hook, timeout))

    def path(self, name):
        return os.path.join(self.dir, name)

    def pids(self, name):
        """Every pid written to the file (the hook may run more than once)."""
        try:
            return [int(x) for x in read(self.path(name)).split()]
        except (OSError, ValueError):
            return []

    def pid(self, name):
        return self.pids(name)[0]

    def __enter__(self):
        r = self.rig.__enter__()
        os.environ["CELLSOCK_TEST_SECRET"] = "must-not-reach-the-hook"
        try:
            r.start()
        finally:
            del os.environ["CELLSOCK_TEST_SECRET"]
        try:
            r.server.accept(timeout=20)
            r.wait_link("up")
            r.sim.control("reboot 60000")   # the port stays away: reopens fail
            r.monitor.wait("escalation", step="hook", timeout=60)
            wait_until(lambda: os.path.exists(self.path("hook.pid")) and
                       os.path.exists(self.path("sleep.pid")), timeout=15, what="the hook to run")
        except BaseException:
            self.__exit__(*sys.exc_info())
            raise
        return self

    def __exit__(self, *exc):
        for name in ("sleep.pid", "hook.pid"):
            for pid in self.pids(name):
                try:        # only if the pid is still ours (not reused)
                    with open("/proc/%d/cmdline" % pid, "rb") as f:
                        cmdline = f.read()
                    if b"sleep" in cmdline or self.hook.encode() in cmdline:
                        os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
        try:
            self.rig.__exit__(*exc)
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


@scenario
def hook_environment_and_group_killed_at_timeout():
    with HookRig(timeout="2.0") as h:
        r = h.rig
        hook, sleeper = h.pid("hook.pid"), h.pid("sleep.pid")
        env = dict(line.split("=", 1) for line in read(h.path("env")).splitlines() if "=" in line)
        t.check(set(env) == DOCUMENTED,
                "hook: the environment is exactly the documented one (%s)" % sorted(env))
        t.check(env.get("CELLSOCK_DEVICE") == r.sim.link and env.get("CELLSOCK_STEP") == "hook"
                and env.get("CELLSOCK_FAILURES", "").isdigit() and env.get("CELLSOCK_REASON"),
                "hook: device, step, failures and reason are set (%s)" % env)
        sig = dict(line.split(":", 1) for line in read(h.path("sig")).splitlines())
        ign, blk = int(sig["SigIgn"], 16), int(sig["SigBlk"], 16)
        t.check(ign & SIGPIPE_BIT == 0 and blk == 0,
                "hook: SIGPIPE at its default, no signal blocked (SigIgn %x SigBlk %x)" % (ign, blk))
        t.check(int(read(h.path("pgid"))) == hook, "hook: it leads its own process group")
        fds = dict((l.split(" -> ")[0].split()[-1], l.split(" -> ")[1])
                   for l in read(h.path("fds")).splitlines() if " -> " in l)
        extra = {fd: target for fd, target in fds.items()
                 if fd not in ("0", "1", "2", "9") and target != h.hook}
        t.check(not extra, "hook: it inherits no descriptor of the daemon beyond 0-2 (%s)" % fds)
        wait_until(lambda: gone(hook) and gone(sleeper), timeout=15,
                   what="the hook's group to be killed after hook_timeout")
        t.check(True, "hook_timeout: the hook and its background child (ignoring SIGTERM) are killed")
        wait_until(lambda: "recovery hook finished" in r.daemon.logtext(), timeout=10,
                   what="the daemon to see the hook end")
        t.check(r.daemon.alive(), "hook_timeout: the daemon goes on after killing the hook")


@scenario
def stop_while_hook_runs_is_bounded():
    with HookRig(timeout="120.0") as h:
        r = h.rig
        hook, sleeper = h.pid("hook.pid"), h.pid("sleep.pid")
        start = time.monotonic()
        r.daemon.signal(signal.SIGTERM)
        try:
            r.daemon.proc.wait(timeout=15)
        except Exception:
            pass
        took = time.monotonic() - start
        t.check(not r.daemon.alive(),
                "stop: the daemon exits within 15 s while a hook ignores SIGTERM (%.1f s)" % took)
        wait_until(lambda: gone(hook) and gone(sleeper), timeout=5,
                   what="the hook's group to be killed at stop")
        t.check(True, "stop: the hook and its background child are gone")


def main():
    return t.run_with_simulator((
        hook_environment_and_group_killed_at_timeout,
        stop_while_hook_runs_is_bounded,
    ))


if __name__ == "__main__":
    sys.exit(main())
