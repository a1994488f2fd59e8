#!/usr/bin/env python3
"""cellsock-modemsim: fault injection through the control socket and
--script, the event log, and the --trace transcript."""

import os
import re
import subprocess
import time

from modemsim import (ModemSim, TcpServer, check, check_eq, connect_socket, deadline,
                      sim_binary, wait_for)

TS = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"


def si(p, sock_id):
    line = p.at("AT#SI=%d" % sock_id).find("#SI: %d," % sock_id)
    return tuple(int(x) for x in line.split(": ")[1].split(",")[1:])


def open_socket(p, srv, sock_id):
    p.at_ok("AT#SCFG=%d,1,300,0,600,50" % sock_id)
    p.at_ok('AT#SD=%d,0,%d,"127.0.0.1",0,0,1' % (sock_id, srv.port))
    return srv.accept()


def drop(sim, p, srv):
    """drop: the socket stays open for the host, nothing moves, ack_waiting
    grows; an untouched socket beside it returns to ack_waiting 0."""
    c1 = open_socket(p, srv, 1)
    c2 = open_socket(p, srv, 2)
    sim.control("drop 1")
    p.send_ext(1, b"a" * 100)
    check_eq(si(p, 1)[3], 100, "ack_waiting after drop")
    p.send_ext(1, b"b" * 50)
    check_eq(si(p, 1)[3], 150, "ack_waiting keeps growing")
    p.send_ext(2, b"c" * 100)
    check_eq(c2.recv_exact(100), b"c" * 100, "the other socket still works")
    wait_for(lambda: si(p, 2)[3] == 0, 2, what="ack_waiting 0 on the healthy socket")
    check_eq(c1.recv_some(0.2), None, "nothing reaches the server")
    c1.send(b"lost")
    check(b"SRING" not in p.read_available(0.2), "no SRING from a dropped socket")
    check_eq(si(p, 1)[2], 0, "buff_in stays 0")
    check(p.at("AT#SS=1").find("#SS: 1,").startswith("#SS: 1,2,"), "still reported open")
    check_eq(sim.sockets()[1]["dropped"], "1", "sockets shows the drop")
    check_eq(sim.sockets()[1]["ack_waiting"], "150", "sockets shows ack_waiting")
    p.at_ok("AT#SH=1")
    check(not c1.wait_eof(0.3), "the server never hears of the close")
    check_eq(sim.state()["zombies"], "1", "the forgotten connection is kept")
    p.at_ok("AT#SH=2")
    check(c2.wait_eof(2), "a normal close reaches the server")


def rst_fin(sim, p, srv):
    c = open_socket(p, srv, 1)
    sim.control("rst 1")
    try:
        c.sock.settimeout(2)
        data = c.sock.recv(10)
        check(False, "expected a reset, got %r" % data)
    except ConnectionResetError:
        pass
    p.read_until(b"\r\nNO CARRIER\r\n")
    check_eq(p.at("AT#SLASTCLOSURE=1").find("#SLASTCLOSURE"), "#SLASTCLOSURE: 1,2", "rst cause")
    # fin with unread data: SRING, state 3, the data, then NO CARRIER.
    c = open_socket(p, srv, 1)
    c.send(b"last words")
    p.read_until(b"\r\nSRING: 1\r\n")
    wait_for(lambda: si(p, 1)[2] == 10, 2, what="10 bytes buffered")
    sim.control("fin 1")
    check(c.wait_eof(2), "the server sees the FIN")
    check(p.at("AT#SS=1").find("#SS: 1,").startswith("#SS: 1,3,"), "open until read")
    check_eq(p.srecv(1), b"last words", "data before the FIN")
    p.read_until(b"\r\nNO CARRIER\r\n")
    check_eq(p.at("AT#SLASTCLOSURE=1").find("#SLASTCLOSURE"), "#SLASTCLOSURE: 1,1", "fin cause")
    check_eq(sim.try_control("fin 1")[2].split()[:2], ["ERR", "failed"], "fin on a closed socket")


def nat_timeout(sim, p, srv):
    c = open_socket(p, srv, 1)
    sim.control("nat-timeout 1 1")
    sim.wait_event(r"socket 1 forgotten by the network \(nat-timeout\)", 3)
    p.send_ext(1, b"x" * 10)
    check_eq(si(p, 1)[3], 10, "ack_waiting after the NAT forgot")
    check_eq(c.recv_some(0.2), None, "nothing passes")
    sim.control("nat-timeout 1 0")
    p.at_ok("AT#SH=1")
    # fractions of a second (time-scaled benchmarks); bad values refused
    c = open_socket(p, srv, 1)
    sim.control("nat-timeout 1 0.25")
    sim.wait_event(r"socket 1 forgotten by the network \(nat-timeout\)", 3)
    for bad in ("-1", "abc", "nan", "604801"):
        check_eq(sim.try_control("nat-timeout 1 " + bad)[2].split()[:2], ["ERR", "usage"],
                 "nat-timeout %s refused" % bad)
    sim.control("nat-timeout 1 0")
    p.at_ok("AT#SH=1")


def inactivity(sim, p, srv):
    """#SCFG maxTo: no byte for maxTo seconds closes the socket, cause 3."""
    p.at_ok("AT#SCFG=1,1,300,1,600,50")
    p.at_ok('AT#SD=1,0,%d,"127.0.0.1",0,0,1' % srv.port)
    c = srv.accept()
    p.read_until(b"\r\nNO CARRIER\r\n", 3)
    check(c.wait_eof(2), "the module closes with a FIN")
    check_eq(p.at("AT#SLASTCLOSURE=1").find("#SLASTCLOSURE"), "#SLASTCLOSURE: 1,3",
             "inactivity cause")
    p.at_ok("AT#SCFG=1,1,300,0,600,50")


def pdp_drop(sim, p, srv):
    c = open_socket(p, srv, 1)
    sim.control("pdp-drop")
    p.read_until(b"\r\nNO CARRIER\r\n")
    check_eq(p.at("AT#SLASTCLOSURE=1").find("#SLASTCLOSURE"), "#SLASTCLOSURE: 1,4", "pdp cause")
    check_eq(p.at("AT#SGACT?").find("#SGACT: 1"), "#SGACT: 1,0", "context down")
    check(not c.wait_eof(0.2), "the server is not told")
    check_eq(p.at('AT#SD=1,0,%d,"127.0.0.1",0,0,1' % srv.port).final, "+CME ERROR: 556",
             "#SD without a context")
    check_eq(p.at("AT#SGACT=1,1").find("#SGACT:"), "#SGACT: 10.64.0.2", "context again")


def deregistered_stall(sim, p, srv):
    c = open_socket(p, srv, 1)
    sim.control("deregister")
    p.send_ext(1, b"queued")
    check_eq(c.recv_some(0.2), None, "no payload while unregistered")
    sim.control("register")
    check_eq(c.recv_exact(6), b"queued", "the queue drains after registration")
    p.at_ok("AT#SH=1")


def port_faults(sim, p):
    sim.control("hang 300")
    p.write("AT\r")
    check_eq(p.read_available(0.15), b"", "a hung module answers nothing")
    sim.wait_event("hang over", 2)
    check_eq(p.at("AT").final, "OK", "answers after the hang")
    sim.control("hang")
    p.write("AT\r")
    check_eq(p.read_available(0.1), b"", "hung until unhang")
    sim.control("unhang")
    check_eq(p.at("AT").final, "OK", "after unhang")
    sim.control("garbage 200")
    junk = p.read_exact(200)
    check(b"\x00" in junk, "garbage includes NUL")
    check_eq(p.at("AT").final, "OK", "the module is fine after garbage")
    sim.control("urc +CREG: 5")
    p.read_until(b"\r\n+CREG: 5\r\n")
    sim.control("urc-mid RING")
    r = p.at("AT#SS")
    check_eq(r.lines[:3], ["#SS: 1,0", "RING", "#SS: 2,0"], "a URC inside a response")
    sim.control("urc-mid RING")
    check(re.fullmatch(rb"\r\nRING\r\n\r\nOK\r\n", p.at("AT").raw), "before a bare OK")
    sim.control("storm 100")
    for i in range(100):
        p.read_until(b"+CGREG: 1\r\n" if i % 2 else b"+CREG: 1\r\n")
    sim.control("storm 3 SRING: 9")
    for _ in range(3):
        p.read_until(b"\r\nSRING: 9\r\n")


def command_faults(sim, p, srv):
    sim.control("error #SD 560")
    check_eq(p.at('AT#SD=1,0,%d,"127.0.0.1",0,0,1' % srv.port).final, "+CME ERROR: 560",
             "forced error")
    p.at_ok('AT#SD=1,0,%d,"127.0.0.1",0,0,1' % srv.port)
    conn = srv.accept()
    conn.send(b"PAYLOAD-0123456789")
    p.read_until(b"SRING: 1\r\n")
    sim.control("urc-mid SRING: 1")
    p.write("AT#SRECV=1,100\r")
    check_eq(p.read_until(b"OK\r\n"),
             b"\r\n#SRECV: 1,18\r\nPAYLOAD-0123456789\r\n\r\nSRING: 1\r\n\r\nOK\r\n",
             "urc-mid never splits #SRECV's header from its payload")
    p.at_ok("AT#SH=1")
    p.at_ok("AT+CMEE=2")
    sim.control("error AT+CGMR 100 2")
    check_eq(p.at("AT+CGMR").final, "+CME ERROR: unknown", "text form")
    check_eq(p.at("AT+CGMR").final, "+CME ERROR: unknown", "COUNT 2")
    check_eq(p.at("AT+CGMR").final, "OK", "then normal")
    p.at_ok("AT+CMEE=1")
    sim.control("delay +cgmr 300")
    t0 = time.monotonic()
    p.at_ok("AT+CGMR")
    check(time.monotonic() - t0 >= 0.3, "delayed answer")
    sim.control("delay +CGMR 0")
    t0 = time.monotonic()
    p.at_ok("AT+CGMR")
    check(time.monotonic() - t0 < 0.25, "delay cleared")


def control_errors(sim):
    check_eq(sim.try_control("bogus")[2].split()[:2], ["ERR", "unknown-command"], "unknown")
    check_eq(sim.try_control("drop 9")[2].split()[:2], ["ERR", "usage"], "bad id")
    check_eq(sim.try_control("drop 3")[2].split()[:2], ["ERR", "failed"], "not connected")
    check_eq(sim.try_control("drop")[2].split()[:2], ["ERR", "usage"], "missing id")
    check(any(l.startswith("nat-timeout") for l in sim.control("help")), "help lists commands")


def logs(sim):
    events = sim.events()
    check(any(re.fullmatch(TS + r" fault drop 1", e) for e in events), "fault logged: %r" % events[-5:])
    check(any(re.fullmatch(TS + r" fault rst 1", e) for e in events), "rst logged")
    err = sim.stderr_text()
    check(re.search(TS + r" fault pdp-drop", err), "faults on stderr")
    trace = sim.trace_text()
    check(re.search(r"(?m)^" + TS + r" rx   AT\+CGMR\\r$", trace), "trace has the input")
    check(re.search(r"(?m)^" + TS + r" tx   \\r\\n12\.00\.006\\r\\n\\r\\nOK\\r\\n$", trace),
          "trace has the output")
    check(re.search(r"(?m)^" + TS + r" fault hang 300$", trace), "trace has the faults")


def script():
    workdir = os.environ.get("TMPDIR", "/tmp")
    path = os.path.join(workdir, "modemsim-script-%d" % os.getpid())
    try:
        with open(path, "w") as f:
            f.write("# timed faults\n100 deregister\n\n300 register roaming\n")
        with ModemSim(args=["--script", path]) as sim:
            p = sim.open_port()
            p.at_ok("AT+CREG=1")
            p.read_until(b"\r\n+CREG: 2\r\n", 3)
            p.read_until(b"\r\n+CREG: 5\r\n", 3)
            check(any(re.search(r" fault register roaming$", e) for e in sim.events()),
                  "script faults are logged")
        with open(path, "w") as f:
            f.write("100 deregister\n200 explode\n")
        r = subprocess.run([sim_binary(), "--script", path], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=10)
        check_eq(r.returncode, 2, "a bad script is a usage error")
        check(("%s:2: unknown command explode" % path).encode() in r.stderr,
              "file:line in the message: %r" % r.stderr)
    finally:
        os.unlink(path)


def main():
    deadline(60)
    with ModemSim() as sim, TcpServer() as srv:
        p = sim.open_port()
        connect_socket(p, srv.port, conn_mode=1)
        srv.accept().close()
        p.read_until(b"\r\nNO CARRIER\r\n")
        drop(sim, p, srv)
        rst_fin(sim, p, srv)
        nat_timeout(sim, p, srv)
        inactivity(sim, p, srv)
        pdp_drop(sim, p, srv)
        deregistered_stall(sim, p, srv)
        port_faults(sim, p)
        command_faults(sim, p, srv)
        control_errors(sim)
        logs(sim)
    script()
    print("PASS")


if __name__ == "__main__":
    main()
