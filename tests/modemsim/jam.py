#!/usr/bin/env python3
"""cellsock-modemsim: the HE910 12.00.004 teardown bug (seed 000).

#SH answers at once but the FIN waits; a #SD while it waits is an overlap;
after the default 4 overlaps the stack jams (connections complete, payload
never passes, ack_waiting grows) until AT#REBOOT. 12.00.006 does not jam,
and on 12.00.004 a host that lets the FIN go first does not jam either."""

import os

from modemsim import (ModemSim, TcpServer, check, check_eq, connect_socket, deadline,
                      wait_for)


def si(p, sock_id=1):
    line = p.at("AT#SI=%d" % sock_id).find("#SI: %d," % sock_id)
    return tuple(int(x) for x in line.split(": ")[1].split(",")[1:])


def exchange(p, conn, timeout=1.0):
    """The application dialogue: the server speaks first, the device answers.
    True when both directions pass."""
    conn.send(b"HELLO-DEVICE\n")
    try:
        p.read_until(b"\r\nSRING: 1\r\n", timeout)
    except Exception:
        return False
    if p.srecv(1) != b"HELLO-DEVICE\n":
        return False
    p.send_ext(1, b"HELLO-SERVER\n")
    try:
        return conn.recv_exact(13, timeout) == b"HELLO-SERVER\n"
    except Exception:
        return False


def reconnect(p, srv):
    """The firmware's way: #SH, then straight on to #SD (no wait here)."""
    p.at_ok("AT#SH=1")
    p.at_ok('AT#SD=1,0,%d,"127.0.0.1",0,0,1' % srv.port)
    return srv.accept()


def jam_and_cure():
    with ModemSim(firmware="he910-12.00.004") as sim, TcpServer() as srv:
        p = sim.open_port()
        connect_socket(p, srv.port)
        check(exchange(p, srv.accept()), "first connection works")
        results = []
        for n in range(1, 5):
            conn = reconnect(p, srv)
            results.append(exchange(p, conn))
            check_eq(int(sim.state()["overlaps"]), n, "overlap counted on reconnect %d" % n)
        check_eq(results, [True, True, True, False], "jammed on the 4th overlap")
        st = sim.state()
        check_eq((st["jammed"], st["jams"]), ("1", "1"), "state shows the jam")
        check(p.at("AT#SS=1").find("#SS: 1,").startswith("#SS: 1,2,"), "reported connected")
        before = si(p)[3]
        p.send_ext(1, b"more")
        check_eq(si(p)[3], before + 4, "ack_waiting only grows")
        # A new connection still completes, and is jammed too.
        conn = reconnect(p, srv)
        check(not exchange(p, conn, 0.3), "still jammed")
        # The cure: AT#REBOOT. OK first, then the port goes away.
        check_eq(p.at("AT#REBOOT").final, "OK", "AT#REBOOT")
        try:
            p.read_until(b"never", 3)
            check(False, "the port should have closed")
        except EOFError:
            pass
        sim.next_pty(5)
        wait_for(lambda: os.path.exists(sim.link) and os.path.realpath(sim.link) == sim.ptys[-1],
                 5, what="the link to the new pty")
        p = sim.open_port()
        sim.wait_state("registered", "1", 5)
        st = sim.state()
        check_eq((st["jammed"], st["overlaps"], st["reboots"]), ("0", "0", "1"), "after reboot")
        connect_socket(p, srv.port)
        check(exchange(p, srv.accept()), "works again after AT#REBOOT")


def fixed_firmware():
    with ModemSim(firmware="he910-12.00.006") as sim, TcpServer() as srv:
        p = sim.open_port()
        connect_socket(p, srv.port)
        old = srv.accept()
        check(exchange(p, old), "first connection")
        for n in range(6):
            conn = reconnect(p, srv)
            check(old.wait_eof(0.5), "12.00.006 closed the old connection before OK")
            check(exchange(p, conn), "12.00.006 reconnect %d works" % (n + 1))
            old = conn
        st = sim.state()
        check_eq((st["overlaps"], st["jammed"]), ("0", "0"), "no overlaps on 12.00.006")


def careful_host():
    """12.00.004 with a host that avoids the overlap: wait for the deferred
    FIN (--close-defer), or cycle the context, before the next #SD."""
    with ModemSim(firmware="he910-12.00.004", args=["--close-defer", "200"]) as sim, \
            TcpServer() as srv:
        p = sim.open_port()
        connect_socket(p, srv.port)
        old = srv.accept()
        for n in range(5):
            p.at_ok("AT#SH=1")
            check_eq(sim.state()["deferred_closes"], "1", "FIN deferred after #SH")
            check(old.wait_eof(2), "the deferred FIN goes out by itself")
            p.at_ok('AT#SD=1,0,%d,"127.0.0.1",0,0,1' % srv.port)
            old = srv.accept()
            check(exchange(p, old), "waiting host, reconnect %d" % (n + 1))
        for n in range(5):
            p.at_ok("AT#SH=1")
            p.at_ok("AT#SGACT=1,0")
            check(old.wait_eof(2), "#SGACT sends the deferred FIN")
            p.at_ok("AT#SGACT=1,1")
            p.at_ok('AT#SD=1,0,%d,"127.0.0.1",0,0,1' % srv.port)
            old = srv.accept()
            check(exchange(p, old), "context-cycling host, reconnect %d" % (n + 1))
        st = sim.state()
        check_eq((st["overlaps"], st["jammed"]), ("0", "0"), "no overlap, no jam")


def main():
    deadline(60)
    jam_and_cure()
    fixed_firmware()
    careful_host()
    print("PASS")


if __name__ == "__main__":
    main()
