#!/usr/bin/env python3
"""cellsock-modemsim: command line, exit status, clean shutdown, and the man
page documenting every option, AT command and control command."""

import os
import re
import shutil
import signal
import subprocess
import tempfile

from modemsim import ModemSim, check, check_eq, deadline, sim_binary

MAN = os.path.join(os.environ.get("top_srcdir", "."), "man", "cellsock-modemsim.1")


def run(*args):
    return subprocess.run([sim_binary()] + list(args), stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, timeout=10)


def usage():
    r = run("--help")
    check_eq(r.returncode, 0, "--help")
    text = r.stdout.decode()
    for profile in ("he910-12.00.004", "he910-12.00.006", "le910"):
        check(profile in text, "--help lists %s" % profile)
    check(re.match(rb"cellsock-modemsim \d", run("--version").stdout), "--version")
    for bad in (["--bogus"], ["--baud", "fast"], ["--baud", "-1"], ["--firmware", "he910-99"],
                ["extra"], ["--rx-buffer", "0"]):
        check_eq(run(*bad).returncode, 2, "usage error %r" % bad)
    r = run("--trace", "/nonexistent/dir/trace")
    check_eq(r.returncode, 1, "unwritable trace")
    return text


def shutdown(sig):
    sim = ModemSim()
    sim.start()
    try:
        check(os.path.islink(sim.link), "link created")
        check_eq(os.path.realpath(sim.link), sim.pty, "link points at the printed pty")
        check(os.path.exists(sim.control_path), "control socket created")
        # A second instance on the same control socket refuses to start.
        r = run("--control", sim.control_path)
        check_eq(r.returncode, 1, "control socket in use")
        check(b"in use" in r.stderr, "says why: %r" % r.stderr)
        sim.proc.send_signal(sig)
        check_eq(sim.proc.wait(5), 0, "exit status after signal %d" % sig)
        check(not os.path.lexists(sim.link), "link removed")
        check(not os.path.exists(sim.control_path), "control socket removed")
        check(not os.path.exists(sim.pty), "pty gone")
    finally:
        sim.stop()


def man_page(help_text):
    with open(MAN) as f:
        src = f.read()
    for opt in set(re.findall(r"--([a-z-]+)", help_text)):
        check(("Fl \\-%s" % opt.replace("-", "\\-")) in src, "man page documents --%s" % opt)
    with ModemSim() as sim:
        for line in sim.control("help"):
            name = line.split()[0]
            check((".It Ic %s" % name) in src, "man page documents control command %s" % name)
        rendered = src.replace("\\&", "").replace("\\(dq", '"')
        for cmd in sim.control("commands"):
            if cmd == "Sn":
                check("ATS Ns Ar n" in src, "man page documents S-registers")
                continue
            word = "AT" + cmd
            check(re.search(r"(Cm|Li) %s(\s|=|\?|\d|$)" % re.escape(word), rendered, re.M),
                  "man page documents %s" % word)
    if shutil.which("mandoc"):
        r = subprocess.run(["mandoc", "-Tlint", MAN], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=30)
        noise = re.compile(r"referenced manual not found|outdated mandoc\.db")
        problems = [l for l in r.stdout.decode().splitlines() if l and not noise.search(l)]
        check_eq(problems, [], "mandoc -Tlint")
    else:
        print("note: mandoc not installed, lint skipped")
    if shutil.which("groff"):
        with tempfile.TemporaryFile() as out:
            r = subprocess.run(["groff", "-ww", "-man", "-Tutf8", MAN], stdout=out,
                               stderr=subprocess.PIPE, timeout=30)
        check_eq((r.returncode, r.stderr.decode()), (0, ""), "groff -ww")
    else:
        print("note: groff not installed, render check skipped")


def main():
    deadline(60)
    text = usage()
    shutdown(signal.SIGTERM)
    shutdown(signal.SIGINT)
    man_page(text)
    print("PASS")


if __name__ == "__main__":
    main()
