#!/usr/bin/env python3
"""cellsock-modemsim: payload through real TCP sockets: the byte-exact
#SSENDEXT/#SRECV round trip with all 256 byte values, #SSEND, hex modes,
SRING in srMode 0 and 1, ack_waiting back to 0, and the bounded receive
buffer (TCP flow control)."""

import re
import socket
import time

from modemsim import (ModemSim, TcpServer, check, check_eq, connect_socket, deadline,
                      wait_for)


def si(p, sock_id=1):
    """(sent, received, buff_in, ack_waiting) from AT#SI."""
    line = p.at("AT#SI=%d" % sock_id).find("#SI: %d," % sock_id)
    return tuple(int(x) for x in line.split(": ")[1].split(",")[1:])


def binary_round_trip(p, conn):
    every = bytes(range(256))
    p.send_ext(1, every)
    check_eq(conn.recv_exact(256), every, "modem -> server, all byte values")
    big = bytes((i * 7 + 3) % 256 for i in range(1500))
    p.send_ext(1, big)
    check_eq(conn.recv_exact(1500), big, "1500-byte #SSENDEXT")
    conn.send(every)
    p.read_until(b"\r\nSRING: 1\r\n")
    wait_for(lambda: si(p)[2] == 256, 2, what="buff_in 256")
    check_eq(p.srecv(1, 1500), every, "server -> modem, all byte values")
    payload = bytes(range(256)) * 16
    conn.send(payload)
    got = b""
    wait_for(lambda: si(p)[2] == len(payload), 2, what="4 KB buffered")
    while len(got) < len(payload):
        chunk = p.srecv(1, 1500)
        check(0 < len(chunk) <= 1500, "#SRECV chunk within maxByte")
        got += chunk
    check_eq(got, payload, "4 KB read in #SRECV chunks")
    # Nothing left: ack_waiting drains to 0 once the server's kernel ACKs.
    wait_for(lambda: si(p)[3] == 0, 2, what="ack_waiting back to 0")
    sent, received, buff_in, _ = si(p)
    check_eq((sent, received, buff_in), (1756, 256 + 4096, 0), "#SI counters")


def ssend_text(p, conn):
    p.prompt("AT#SSEND=1")
    p.write(b"hello\x1a")
    p.read_until(b"\r\nOK\r\n")
    check_eq(conn.recv_exact(5), b"hello", "#SSEND up to Ctrl-Z")
    p.prompt("AT#SSEND=1")
    p.write(b"helx\x08p\x1a")
    p.read_until(b"\r\nOK\r\n")
    check_eq(conn.recv_exact(4), b"help", "backspace in #SSEND")
    p.prompt("AT#SSEND=1")
    p.write(b"never\x1b")
    p.read_until(b"\r\nOK\r\n")
    check_eq(conn.recv_some(0.2), None, "ESC aborts #SSEND")


def hex_modes(p, conn):
    p.at_ok("AT#SCFGEXT=1,0,1,0,0,1")
    p.prompt("AT#SSEND=1")
    p.write(b"41420043\x1a")
    p.read_until(b"\r\nOK\r\n")
    check_eq(conn.recv_exact(4), b"AB\x00C", "sendDataMode 1 (hex)")
    conn.send(b"\x00\xff\r\n")
    p.read_until(b"\r\nSRING: 1\r\n")
    wait_for(lambda: si(p)[2] == 4, 2, what="4 bytes buffered")
    p.write("AT#SRECV=1,100\r")
    p.read_until(b"\r\n#SRECV: 1,4\r\n00FF0D0A\r\n\r\nOK\r\n")
    p.at_ok("AT#SCFGEXT=1,0,0,0,0,0")


def srings(p, conn):
    # srMode 0: one SRING until the host reads, then one again.
    conn.send(b"one")
    p.read_until(b"\r\nSRING: 1\r\n")
    wait_for(lambda: si(p)[2] == 3, 2, what="3 bytes")
    conn.send(b"two")
    wait_for(lambda: si(p)[2] == 6, 2, what="6 bytes")
    check(b"SRING" not in p.read_available(0.1), "no second SRING before a read")
    check_eq(p.srecv(1, 2), b"on", "partial read")
    conn.send(b"3")
    p.read_until(b"\r\nSRING: 1\r\n")
    wait_for(lambda: si(p)[2] == 5, 2, what="5 bytes")
    check_eq(p.srecv(1), b"etwo3", "the rest")
    # srMode 1: SRING: <id>,<pending bytes> for each arrival.
    p.at_ok("AT#SCFGEXT=1,1,0,0")
    conn.send(b"12345")
    p.read_until(b"\r\nSRING: 1,5\r\n")
    conn.send(b"678")
    p.read_until(b"\r\nSRING: 1,8\r\n")
    check_eq(p.srecv(1), b"12345678", "srMode 1 data")
    p.at_ok("AT#SCFGEXT=1,0,0,0")


def closure_255(p, srv):
    """closureType 255: the socket stays open after the remote closes, until
    #SH; sending on it fails."""
    p.at_ok('AT#SD=2,0,%d,"127.0.0.1",255,0,1' % srv.port)
    conn = srv.accept()
    conn.close()
    check(b"NO CARRIER" not in p.read_available(0.2), "no NO CARRIER with closureType 255")
    check(p.at("AT#SS=2").find("#SS: 2,").startswith("#SS: 2,2,"), "still open")
    check_eq(p.at("AT#SSENDEXT=2,3").final, "ERROR", "no sending after the remote closed")
    p.at_ok("AT#SH=2")
    check_eq(p.at("AT#SS=2").lines, ["#SS: 2,0"], "closed by #SH")


def sh_timeout():
    """#SH waits for the ACK of its FIN at most --sh-timeout, also when the
    peer never reads and the module still holds unsent data."""
    lsock = socket.socket()
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    lsock.bind(("127.0.0.1", 0))
    lsock.listen(1)
    try:
        with ModemSim(args=["--sh-timeout", "300", "--tx-buffer", "8192"]) as sim:
            p = sim.open_port()
            connect_socket(p, lsock.getsockname()[1])
            peer, _ = lsock.accept()
            block = bytes(1500)
            for _ in range(2000):
                p.prompt("AT#SSENDEXT=1,1500")
                p.write(block)
                final = p.read_until(re.compile(rb"\r\n(OK|\+CME ERROR: \d+)\r\n"))
                if b"563" in final:
                    break
            check(b"563" in final, "the module's send buffer fills up")
            t0 = time.monotonic()
            check_eq(p.at("AT#SH=1", timeout=3).final, "OK", "#SH")
            took = time.monotonic() - t0
            check(0.25 <= took < 1.5, "#SH gave up after --sh-timeout (%.2fs)" % took)
            check_eq(sim.state()["closing"], "1", "the connection keeps closing")
            peer.close()
    finally:
        lsock.close()


def flow_control():
    """The receive buffer is bounded: the sim stops reading the kernel socket,
    the server's sends block, and reading resumes the flow."""
    with ModemSim(args=["--rx-buffer", "4096"]) as sim, TcpServer() as srv:
        p = sim.open_port()
        connect_socket(p, srv.port)
        conn = srv.accept()
        conn.sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 32768)
        conn.sock.setblocking(False)
        pushed = 0
        chunk = b"x" * 65536
        stalled = 0
        while stalled < 20 and pushed < 64 << 20:
            try:
                pushed += conn.sock.send(chunk)
                stalled = 0
            except BlockingIOError:
                stalled += 1
                p.read_available(0.01)
        check(pushed < 64 << 20, "the server's sends stop (flow control)")
        wait_for(lambda: si(p)[2] == 4096, 2, what="buff_in at --rx-buffer")
        conn.sock.setblocking(True)
        total = 0
        while total < pushed:
            got = len(p.srecv(1, 1500))
            check(got > 0, "data keeps coming after reads (%d of %d)" % (total, pushed))
            total += got
            check(si(p)[2] <= 4096, "buff_in never exceeds --rx-buffer")
        check_eq(total, pushed, "every byte pushed arrived")


def main():
    deadline(90)
    with ModemSim() as sim, TcpServer() as srv:
        p = sim.open_port()
        connect_socket(p, srv.port)
        conn = srv.accept()
        conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        binary_round_trip(p, conn)
        ssend_text(p, conn)
        hex_modes(p, conn)
        srings(p, conn)
        closure_255(p, srv)
    sh_timeout()
    flow_control()
    print("PASS")


if __name__ == "__main__":
    main()
