#!/usr/bin/env python3
"""cellsock-modemsim --ports N: several AT ports onto one module.
Telit: each port its own parser and echo; a blocking #SGACT on port 1 leaves
port 0 answering (ordering by events: port 0's OK arrives while port 1 has
said nothing); a socket opened on port 1 gets its SRING there and is read
with #SRECV on port 0; a reboot takes both ports away and brings both back.
Quectel (ec25): RDY on port 0 (usbat), +QURCCFG "urcport" moves the URCs to
port 1 (usbmodem), a socket opened on port 0 is read with +QIRD on port 1,
+QISTATE names the opening port, a blocking +QICLOSE on port 1 leaves port 0
answering. --ports 1 (the default) has no second port; --help mentions
--ports."""

import os
import re
import socket
import subprocess
import time

from modemsim import (ModemSim, TcpServer, check, check_eq, deadline, sim_binary,
                      wait_for)


def open_both(sim):
    """Ports 0 and 1: the link and the link's ".1"."""
    link1 = sim.link + ".1"
    wait_for(lambda: os.path.exists(link1), 5, what="the link of port 1")
    return sim.open_port(), sim.open_port(link1)


def blocked_port_holds_only_itself(sim, p0, p1):
    """A blocking #SGACT on port 1; port 0 keeps answering meanwhile."""
    p1.write("AT#SGACT=1,1\r")
    sim.wait_state("mode1", "busy")
    t0 = time.monotonic()
    check_eq(p0.at_ok("AT+CGMR"), ["12.00.006"], "port 0 answers while port 1 blocks")
    took = time.monotonic() - t0
    check_eq(sim.state()["mode1"], "busy", "port 1 still busy after port 0's answer")
    check(b"OK" not in p1.read_available(0), "port 1 has not answered yet")
    check(took < 1.5, "port 0 answered in %.2fs, not after port 1's 3 s #SGACT" % took)
    raw = p1.read_until(re.compile(rb"\r\n(OK|\+CME ERROR: \d+)\r\n"), 8)
    check(b"#SGACT: " in raw and raw.endswith(b"\r\nOK\r\n"), "#SGACT on port 1: %r" % raw)


def telit(srv):
    with ModemSim(firmware="he910-12.00.006", args=("--ports", "2"), sgact_delay=3000) as sim:
        st = sim.state()
        check_eq(st["ports"], "2", "state ports")
        check(st["pty1"].startswith("/dev/"), "state pty1=%r" % st["pty1"])
        check(st["pty1"] != st["pty"], "two different ptys")
        p0, p1 = open_both(sim)
        check_eq(os.path.realpath(p1.path), st["pty1"], "link.1 -> pty1")
        p0.at_ok("ATE0")
        check(b"AT\r" not in p0.at("AT").raw, "port 0 echo off")
        check(p1.at("AT").raw.startswith(b"AT\r"), "port 1 still echoes")
        p1.at_ok("ATE0")
        check_eq(sim.state()["echo1"], "0", "state echo1")
        p0.at_ok("AT+CMEE=1")
        p0.at_ok('AT+CGDCONT=1,"IP","internet"')
        blocked_port_holds_only_itself(sim, p0, p1)
        # A socket opened on port 1: its SRING there, read from port 0.
        p1.at_ok("AT#SCFG=1,1,300,0,600,50")
        check_eq(p1.at('AT#SD=1,0,%d,"127.0.0.1",0,0,1' % srv.port).final, "OK", "#SD on 1")
        conn = srv.accept()
        conn.send(b"hello")
        p1.expect_line(r"^SRING: 1$", 5)
        check_eq(p0.read_available(0.2), b"", "no SRING on port 0")
        r = p0.at("AT#SRECV=1,100")
        check(r.ok and b"hello" in r.raw, "#SRECV on port 0: %r" % r.raw)
        p0.at_ok("AT#SH=1")
        conn.wait_eof()
        # A reboot takes every port away; both come back.
        old1 = st["pty1"]
        sim.control("reboot 200")
        sim.next_pty()
        wait_for(lambda: sim.state().get("pty1", "") not in ("", old1), 5,
                 what="port 1 back with a new pty")
        wait_for(lambda: os.path.realpath(sim.link + ".1") == sim.state()["pty1"], 5,
                 what="link.1 follows port 1")


def quectel_urcs(sim, p0, p1, srv):
    """RDY on port 0; +QURCCFG moves the URCs to port 1."""
    p0.read_until(b"\r\nRDY\r\n", 3)
    for p in (p0, p1):
        p.at_ok("ATE0")
    check_eq(p1.at_ok('AT+QURCCFG="urcport"'), ['+QURCCFG: "urcport","usbat"'],
             "the default URC port")
    p0.at_ok('AT+QICSGP=1,1,"internet","","",0')
    p0.at_ok("AT+QIACT=1")
    p0.at_ok('AT+QIOPEN=1,0,"TCP","127.0.0.1",%d,0,0' % srv.port)
    p0.expect_line(r"^\+QIOPEN: 0,0$", 5)
    conn = srv.accept()
    p0.at_ok('AT+QURCCFG="urcport","usbmodem"')
    check_eq(sim.state()["urc_port"], "1", "state urc_port")
    conn.send(b"ping")
    p1.expect_line(r'^\+QIURC: "recv",0$', 5)
    check_eq(p0.read_available(0.2), b"", "no URC on port 0")
    r = p1.at("AT+QIRD=0,100")
    check(r.ok and b"+QIRD: 4\r\nping" in r.raw, "+QIRD on port 1: %r" % r.raw)
    line = p1.at("AT+QISTATE=1,0").find("+QISTATE: ")
    check(line is not None and line.endswith('"usbat"'), "+QISTATE names port 0: %r" % line)
    return conn


def quectel_blocking_close(sim, p0, p1):
    """+QICLOSE waiting for its timeout on port 1; port 0 answers."""
    lsock = socket.socket()
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    lsock.bind(("127.0.0.1", 0))
    lsock.listen(1)
    try:
        p0.at_ok('AT+QIOPEN=1,3,"TCP","127.0.0.1",%d,0,0' % lsock.getsockname()[1])
        p1.expect_line(r"^\+QIOPEN: 3,0$", 5)
        peer, _ = lsock.accept()
        while True:
            p0.write("AT+QISEND=3,1460\r")
            p0.read_until(b"> ")
            p0.write(b"x" * 1460)
            if p0.expect_line(r"^(SEND OK|SEND FAIL)$").group(1) == "SEND FAIL":
                break
        p1.write("AT+QICLOSE=3,3\r")
        sim.wait_state("mode1", "busy")
        check_eq(p0.at_ok("AT+CGMR"), ["EC25EFAR06A06M4G"], "port 0 answers during +QICLOSE")
        check_eq(sim.state()["mode1"], "busy", "+QICLOSE still holds port 1")
        check_eq(p1.read_available(0), b"", "port 1 has not answered yet")
        p1.read_until(b"\r\nOK\r\n", 8)
        peer.close()
    finally:
        lsock.close()


def quectel(srv):
    with ModemSim(firmware="ec25", args=("--ports", "2")) as sim:
        p0, p1 = open_both(sim)
        conn = quectel_urcs(sim, p0, p1, srv)
        quectel_blocking_close(sim, p0, p1)
        conn.close()


def one_port():
    with ModemSim() as sim:
        st = sim.state()
        check_eq(st["ports"], "1", "default: one port")
        check("pty1" not in st and "mode1" not in st, "no second port in state")
        check(not os.path.exists(sim.link + ".1"), "no link for a second port")
        p = sim.open_port()
        check_eq(p.at_ok("AT+CGMR"), ["12.00.006"], "AT on the one port")
    out = subprocess.run([sim_binary(), "--help"], stdout=subprocess.PIPE, check=True).stdout
    check(b"--ports" in out, "--help mentions --ports")
    bad = subprocess.run([sim_binary(), "--ports", "5"], stderr=subprocess.PIPE)
    check_eq(bad.returncode, 2, "--ports 5 refused")


def main():
    deadline(90)
    with TcpServer() as srv:
        telit(srv)
    with TcpServer() as srv:
        quectel(srv)
    one_port()
    print("PASS: ports")


if __name__ == "__main__":
    main()
