#!/usr/bin/env python3
"""Relative -f and -s (issue 16 item 6): cellsockd started without -d and
outside systemd detaches with daemon(), which changes to /. The relative
paths must have been made absolute before: the control socket is where -s
said (relative to the starting directory), status shows the absolute
configuration path, and a reload reads the file again."""

import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time

from cellsock_harness import CELLSOCKCTL, CELLSOCKD, Checker, minimal_config, skip, wait_until

t = Checker("relative_paths")


def ctl(sock, *args, json_out=False):
    cmd = [CELLSOCKCTL, "-s", sock] + (["-j"] if json_out else []) + list(args)
    p = subprocess.run(cmd, capture_output=True, timeout=10)
    return p.returncode, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")


def daemons_with(word):
    """Pids of cellsockd processes whose command line contains word."""
    pids = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % d, "rb") as f:
                argv = f.read().split(b"\0")
        except OSError:
            continue
        if argv and argv[0] == CELLSOCKD.encode() and word.encode() in argv:
            pids.append(int(d))
    return pids


def stop(word):
    """SIGTERM the detached daemon(s), SIGKILL after 10 s; wait until gone."""
    pids = daemons_with(word)
    for pid in pids:
        os.kill(pid, signal.SIGTERM)
    end = time.monotonic() + 10
    while any(os.path.exists("/proc/%d" % p) for p in pids) and time.monotonic() < end:
        time.sleep(0.05)
    for pid in daemons_with(word):
        os.kill(pid, signal.SIGKILL)


def main():
    if not os.path.exists(CELLSOCKD) or not os.path.exists(CELLSOCKCTL):
        skip("cellsockd or cellsockctl not built")
    tmp = tempfile.mkdtemp(prefix="cellsock-rel-")
    sockname = os.path.basename(tmp) + ".sock"     # unique: also finds the process
    sock = os.path.join(tmp, sockname)
    conf = os.path.join(tmp, "cellsockd.conf")
    env = {k: v for k, v in os.environ.items()
           if k not in ("NOTIFY_SOCKET", "INVOCATION_ID", "LISTEN_FDS", "LISTEN_PID")}
    try:
        with open(conf, "w") as f:
            f.write(minimal_config(os.path.join(tmp, "unused.sock"), links=1))
        p = subprocess.run([CELLSOCKD, "-f", "cellsockd.conf", "-s", sockname], cwd=tmp, env=env,
                           stdin=subprocess.DEVNULL, capture_output=True, timeout=15)
        t.check(p.returncode == 0, "cellsockd detaches (exit %d %s)" % (p.returncode, p.stderr[-200:]))
        try:
            wait_until(lambda: ctl(sock, "status")[0] == 0, timeout=10,
                       what="the control socket at the relative -s path")
            t.check(True, "relative -s: the control socket is in the starting directory")
        except AssertionError as e:
            t.check(False, "relative -s: %s" % e)
            sock = os.path.join("/", sockname)     # where daemon() put it: go on there
        st = json.loads(ctl(sock, "status", json_out=True)[1])
        t.check(st["daemon"]["config"] == conf,
                "status shows the absolute configuration path (%s)" % st["daemon"]["config"])
        with open(conf, "w") as f:
            f.write(minimal_config(os.path.join(tmp, "unused.sock"), links=2))
        rc, out, err = ctl(sock, "reload")
        t.check(rc == 0, "relative -f: a reload after detaching reads the file (%s)" % (out + err).strip())
        rc, out, _ = ctl(sock, "links", json_out=True)
        t.check(rc == 0 and len(json.loads(out)["link"]) == 2, "the reloaded configuration runs")
    finally:
        stop(sockname)
        stray = os.path.join("/", sockname)      # where the old code put it
        try:
            if stat.S_ISSOCK(os.lstat(stray).st_mode):
                os.unlink(stray)
        except OSError:
            pass
        shutil.rmtree(tmp, ignore_errors=True)
    return t.finish()


if __name__ == "__main__":
    sys.exit(main())
