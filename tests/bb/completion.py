#!/usr/bin/env python3
"""Issue 15, item 4: the bash completion of cellsockctl, generated from the
command table at build time (completion/cellsockctl), sourced in a real bash
and asked for COMPREPLY: commands, options, link names from a running daemon
(driving the simulator) through -s and through the text fallback, reset
steps, log levels; nothing where nothing fits."""

import os
import shutil
import stat
import subprocess
import tempfile

from cellsock_harness import CELLSOCKCTL, TOP_BUILDDIR, Checker, Daemon, deadline, skip, wait_until
from modemsim import ModemSim

t = Checker("completion")
SCRIPT = os.path.join(TOP_BUILDDIR, "completion/cellsockctl")
COMMANDS = ["status", "modem", "links", "connect", "disconnect", "reconnect", "send", "monitor",
            "metrics", "at", "reset", "reload", "log-level", "version", "help"]


def complete(words, path_dirs=()):
    """COMPREPLY for the command line words (the last one is being typed)."""
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join(list(path_dirs) + [os.path.dirname(CELLSOCKCTL), env["PATH"]])
    quoted = " ".join("'%s'" % w.replace("'", "'\\''") for w in words)
    prog = ('source "$1" || exit 9; COMP_WORDS=(%s); COMP_CWORD=%d; COMP_LINE="${COMP_WORDS[*]}"; '
            '_cellsockctl; printf "%%s\\n" "${COMPREPLY[@]}"' % (quoted, len(words) - 1))
    p = subprocess.run(["bash", "--norc", "--noprofile", "-c", prog, "bash", SCRIPT], env=env,
                       capture_output=True, text=True, timeout=20)
    if p.returncode != 0 or p.stderr:
        raise AssertionError("bash: exit %d: %s" % (p.returncode, p.stderr))
    return sorted(w for w in p.stdout.split("\n") if w)


def config(device, sock):
    return """modem: { device = "%s"; };
network: { apn = "internet"; };
links = ( { name = "alpha"; host = "127.0.0.1"; port = 9; socket = 1; },
          { name = "beta-2"; host = "127.0.0.1"; port = 9; socket = 2; },
          { name = "gamma"; host = "127.0.0.1"; port = 9; socket = 3; } );
control: { socket = "%s"; group = ""; mode = "0660"; };
""" % (device, sock)


def offline():
    t.check(complete(["cellsockctl", ""]) == sorted(COMMANDS),
            "every command of the table completes after cellsockctl")
    t.check(complete(["cellsockctl", "re"]) == ["reconnect", "reload", "reset"],
            "'re' completes to reconnect, reload, reset")
    t.check(complete(["cellsockctl", "-j", "log"]) == ["log-level"], "options before the command")
    t.check("--json" in complete(["cellsockctl", "--j"]), "long options complete")
    t.check(complete(["cellsockctl", "reset", ""]) == ["modem", "pdp", "radio"],
            "reset completes its steps")
    t.check(complete(["cellsockctl", "log-level", "d"]) == ["debug"], "log-level completes levels")
    t.check(complete(["cellsockctl", "log-level", ""]) ==
            sorted(["error", "warning", "notice", "info", "debug"]), "every log level")
    t.check(complete(["cellsockctl", "reset", "pdp", ""]) == [], "nothing after the last argument")
    t.check(complete(["cellsockctl", "-s", "/nonexistent/sock", "connect", ""]) == [],
            "no daemon: no link names, no error")


def text_fallback():
    """A cellsockctl whose -j output has no names: the text table's first column."""
    d = tempfile.mkdtemp(prefix="cellsock-compl-")
    try:
        fake = os.path.join(d, "cellsockctl")
        with open(fake, "w") as f:
            f.write('#!/bin/sh\nfor a; do [ "$a" = -j ] && exit 3; done\n'
                    'printf "NAME   STATE\\nuno    up\\ndos    backoff\\n"\n')
        os.chmod(fake, stat.S_IRWXU)
        got = complete(["cellsockctl", "disconnect", ""], path_dirs=[d])
        t.check(got == ["dos", "uno"], "text output: names from the first column (%s)" % got)
    finally:
        shutil.rmtree(d, ignore_errors=True)


def live():
    with ModemSim() as sim:
        d = Daemon()
        try:
            d.write_config(config(sim.link, d.sock))
            d.start()
            wait_until(lambda: d.ctl("links")[0] == 0, what="links")
            names = ["alpha", "beta-2", "gamma"]
            got = complete(["cellsockctl", "-s", d.sock, "connect", ""])
            t.check(got == names, "connect completes the daemon's link names (%s)" % got)
            got = complete(["cellsockctl", "-s", d.sock, "-j", "reconnect", "b"])
            t.check(got == ["beta-2"], "a prefix narrows the names (%s)" % got)
            got = complete(["cellsockctl", "--socket", d.sock, "send", "al"])
            t.check(got == ["alpha"], "send's NAME completes too (%s)" % got)
            t.check(complete(["cellsockctl", "-s", d.sock, "send", "alpha", ""]) == [],
                    "DATA completes nothing")
        finally:
            d.cleanup()


def main():
    deadline(90)
    if not os.path.exists(SCRIPT):
        skip("completion/cellsockctl not generated (run make)")
    if shutil.which("bash") is None:
        skip("bash not found")
    for fn in (offline, text_fallback):
        t.scenario(fn)()
    if not os.path.exists(os.path.join(TOP_BUILDDIR, "src/daemon/cellsockd")):
        print("# daemon not built: live link names not checked")
    else:
        t.scenario(live)()
    return t.finish()


if __name__ == "__main__":
    raise SystemExit(main())
