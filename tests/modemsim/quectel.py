#!/usr/bin/env python3
"""cellsock-modemsim --firmware bg96|ec25|eg25: the Quectel personality.
RDY at boot, identity, +QICSGP/+QIACT contexts, +QIOPEN answering OK and
then its URC (success, refused, DNS, id in use), +QISTATE, byte-exact
+QISEND/+QIRD with every byte value, the kernel's counters in
+QISEND=<id>,0 and +QIRD=<id>,0, the "recv" URC once until drained, the
peer's close -> "closed" -> state 4 -> 563 on reuse -> +QICLOSE -> state 0,
SEND FAIL on a full buffer and +QICLOSE blocking the channel, pdp-drop ->
"pdpdeact", +CME ERROR texts, +QICFG keepalive lost on AT+CFUN=1,1 and RDY
after it."""

import re
import socket
import time

from modemsim import ModemSim, TcpServer, check, check_eq, deadline, wait_for

QIOPEN_RE = r'^\+QIOPEN: %d,(\d+)$'


def qiopen(p, sock_id, port, host="127.0.0.1", ctx=1):
    """AT+QIOPEN: OK at once, then the URC; returns its error code."""
    p.at_ok('AT+QIOPEN=%d,%d,"TCP","%s",%d,0,0' % (ctx, sock_id, host, port))
    return int(p.expect_line(QIOPEN_RE % sock_id).group(1))


def qistate(p, sock_id):
    """The +QISTATE=1,<id> fields, or None when no line comes back."""
    line = p.at("AT+QISTATE=1,%d" % sock_id).find("+QISTATE: ")
    return None if line is None else line.split(": ", 1)[1].split(",")


def qisend(p, sock_id, data):
    p.write("AT+QISEND=%d,%d\r" % (sock_id, len(data)))
    p.read_until(b"> ")
    p.write(data)
    m = p.expect_line(r"^(SEND OK|SEND FAIL|ERROR)$")
    return m.group(1)


def qird(p, sock_id, n=1500):
    p.write("AT+QIRD=%d,%d\r" % (sock_id, n))
    m = re.search(rb"\+QIRD: (\d+)\r\n", p.read_until(re.compile(rb"\+QIRD: \d+\r\n")))
    count = int(m.group(1))
    data = p.read_exact(count) if count else b""
    p.read_until(b"\r\nOK\r\n")
    return data


def counters(p, cmd):
    prefix = cmd[2:cmd.index("=")] + ": "
    line = next(l for l in p.at(cmd).lines if l.startswith(prefix))
    return tuple(int(x) for x in line.split(": ")[1].split(","))


def identity_and_context(sim, p):
    p.read_until(b"\r\nRDY\r\n", 3)
    p.at_ok("ATE0")
    p.at_ok("AT+CMEE=2")
    check_eq(p.at_ok("AT+CGMI"), ["Quectel"], "+CGMI")
    check_eq(p.at_ok("AT+CGMM"), ["BG96"], "+CGMM")
    check_eq(p.at_ok("AT+CGMR"), ["BG96MAR02A07M1G"], "+CGMR")
    check_eq(p.at_ok("AT+CPIN?"), ["+CPIN: READY"], "+CPIN?")
    check_eq(p.at_ok("AT+CEREG?"), ["+CEREG: 0,1"], "+CEREG?")
    check_eq(p.at_ok("AT+QIACT?"), [], "no context active")
    p.at_ok('AT+QICSGP=1,1,"internet","user","pw",1')
    check_eq(p.at_ok("AT+QICSGP=1"), ['+QICSGP: 1,"internet","user","pw",1'], "+QICSGP read")
    t0 = time.monotonic()
    p.at_ok("AT+QIACT=1")
    check(time.monotonic() - t0 >= 0.15, "+QIACT takes its time")
    check_eq(p.at_ok("AT+QIACT?"), ['+QIACT: 1,1,1,"10.64.0.2"'], "+QIACT?")
    check_eq(p.at_ok("AT+QICFG=?"),
             ['+QICFG: "tcp/keepalive",(0,1),(1-120),(25-100),(3-10)'], "+QICFG=?")
    p.at_ok('AT+QICFG="tcp/keepalive",1,2,30,3')
    check_eq(p.at("AT+QIOPEN=1,12,\"TCP\",\"127.0.0.1\",1,0,0").final, "ERROR", "id 12")
    sim.control("error +QIACT 561")
    check_eq(p.at("AT+QIACT=2").final, "+CME ERROR: PDP context opening failed", "CMEE=2 text")
    p.at_ok("AT+CMEE=1")
    sim.control("error +QIACT 566")
    check_eq(p.at("AT+QIACT=2").final, "+CME ERROR: 566", "CMEE=1 number")


def data_round_trip(sim, p, srv):
    check_eq(qiopen(p, 0, srv.port), 0, "+QIOPEN success")
    conn = srv.accept()
    st = qistate(p, 0)
    check_eq(st[1:3] + st[5:], ['"TCP"', '"127.0.0.1"', "2", "1", "0", "0", '"uart1"'], "+QISTATE")
    check_eq(int(st[3]), srv.port, "+QISTATE remote port")
    every = bytes(range(256))
    check_eq(qisend(p, 0, every), "SEND OK", "+QISEND")
    check_eq(conn.recv_exact(256), every, "modem -> server, all byte values")
    wait_for(lambda: counters(p, "AT+QISEND=0,0") == (256, 256, 0), 2, what="+QISEND: 256,256,0")
    conn.send(every)
    p.expect_line(r'^\+QIURC: "recv",0$')
    conn.send(b"more\r\nOK\r\n")
    wait_for(lambda: counters(p, "AT+QIRD=0,0") == (266, 0, 266), 2, what="+QIRD: 266,0,266")
    check_eq(qird(p, 0, 100), every[:100], "first 100 bytes")
    conn.send(b"x")
    wait_for(lambda: counters(p, "AT+QIRD=0,0")[2] == 167, 2, what="167 unread")
    check_eq(qird(p, 0), every[100:] + b"more\r\nOK\r\nx", "the rest, byte-exact")
    check_eq(qird(p, 0), b"", "+QIRD: 0 when empty")
    check_eq(counters(p, "AT+QIRD=0,0"), (267, 267, 0), "+QIRD counters")
    check(b"recv" not in p.read_available(0.2), "no second recv URC before draining")
    conn.send(b"again")
    p.expect_line(r'^\+QIURC: "recv",0$')
    check_eq(qird(p, 0), b"again", "recv URC again once drained")
    return conn


def peer_close(sim, p, srv, conn):
    conn.close()
    p.expect_line(r'^\+QIURC: "closed",0$')
    check_eq(qistate(p, 0)[5], "4", "state 4 after the peer closed")
    check_eq(p.at("AT+QISEND=0,4").final, "ERROR", "+QISEND on a closed socket")
    check_eq(qiopen(p, 0, srv.port), 563, "+QIOPEN on an id not closed")
    p.at_ok("AT+QICLOSE=0")
    check_eq(qistate(p, 0), None, "state 0 after +QICLOSE: no line")
    check_eq(qiopen(p, 1, 1), 566, "refused")
    check_eq(qiopen(p, 2, 80, host="nonexistent.invalid"), 565, "DNS")
    check_eq(p.at_ok("AT+QIGETERROR"), ["+QIGETERROR: 565,DNS parse failed"], "+QIGETERROR")


def send_fail_and_blocking_close(sim, p):
    lsock = socket.socket()
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    lsock.bind(("127.0.0.1", 0))
    lsock.listen(1)
    try:
        check_eq(qiopen(p, 3, lsock.getsockname()[1]), 0, "+QIOPEN 3")
        peer, _ = lsock.accept()
        block = bytes(1460)
        for _ in range(3000):
            res = qisend(p, 3, block)
            if res != "SEND OK":
                break
        check_eq(res, "SEND FAIL", "the module's send buffer fills up")
        sent, acked, unacked = counters(p, "AT+QISEND=3,0")
        check(unacked > 0 and sent == acked + unacked, "unacked bytes counted by the kernel")
        t0 = time.monotonic()
        p.write("AT+QICLOSE=3,1\r")
        time.sleep(0.3)
        p.write("AT\r")
        raw = p.read_until(b"\r\nOK\r\n", 4)
        took = time.monotonic() - t0
        check(0.8 <= took < 2.5, "+QICLOSE blocked until its timeout (%.2fs)" % took)
        check_eq(p.read_available(0.3), b"", "the AT sent meanwhile was not answered")
        check_eq(raw.count(b"OK"), 1, "one OK")
        peer.close()
    finally:
        lsock.close()


def pdp_drop_and_reboot(sim, p, srv):
    check_eq(qiopen(p, 5, srv.port), 0, "+QIOPEN 5")
    srv.accept()
    sim.control("pdp-drop")
    p.expect_line(r'^\+QIURC: "pdpdeact",1$')
    check_eq(qistate(p, 5)[5], "4", "state 4 after pdpdeact")
    check_eq(p.at_ok("AT+QIACT?"), [], "context gone")
    p.at_ok("AT+QIDEACT=1")
    check_eq(qistate(p, 5), None, "state 0 after +QIDEACT")
    p.at_ok("AT+CFUN=1,1")
    wait_for(lambda: sim.state().get("mode") == "off", 2, what="reboot")
    sim.next_pty()
    p2 = wait_for(lambda: sim.open_port(), 3, what="the port back")
    p2.read_until(b"\r\nRDY\r\n", 3)
    p2.at_ok("ATE0")
    check_eq(p2.at_ok('AT+QICFG="tcp/keepalive"'), ['+QICFG: "tcp/keepalive",0,0,0,0'],
             "keepalive lost on reset")
    check_eq(p2.at_ok("AT+QIACT?"), [], "no context after reset")


def main():
    deadline(120)
    with TcpServer() as srv, ModemSim(firmware="bg96", sgact_delay=200,
                                      args=["--tx-buffer", "8192"]) as sim:
        p = sim.open_port()
        identity_and_context(sim, p)
        conn = data_round_trip(sim, p, srv)
        peer_close(sim, p, srv, conn)
        send_fail_and_blocking_close(sim, p)
        pdp_drop_and_reboot(sim, p, srv)
        check("+QIOPEN" in sim.trace_text(), "--trace has the dialogue")
    with ModemSim(firmware="ec25") as sim:
        p = sim.open_port()
        p.read_until(b"\r\nRDY\r\n\r\n+CFUN: 1\r\n\r\n+CPIN: READY\r\n", 3)
        check_eq(p.at_ok("AT+CGMM"), ["EC25"], "ec25 +CGMM")
        check_eq(p.at_ok("AT+CGMR"), ["EC25EFAR06A06M4G"], "ec25 +CGMR")
    print("PASS")


main()
