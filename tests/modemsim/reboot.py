#!/usr/bin/env python3
"""cellsock-modemsim: the port survives the reader closing and reopening it;
"reboot" makes the pty disappear (EOF, link removed) and a new one appear at
the same link path; AT+CFUN=1,1 does the same; the module state is reset."""

import os

from modemsim import (ModemSim, TcpServer, check, check_eq, connect_socket, deadline,
                      wait_for)


def reopen(sim):
    p = sim.open_port()
    p.at_ok("ATE0")
    sim.wait_state("reader", "1", 2)
    p.close()
    sim.wait_state("reader", "0", 2)
    before = int(sim.state()["bytes_dropped"])
    sim.control("urc NOBODY LISTENS")
    check(int(sim.state()["bytes_dropped"]) > before, "output without a reader is dropped")
    p = sim.open_port()
    sim.wait_state("reader", "1", 2)
    check_eq(p.at("AT").raw, b"\r\nOK\r\n", "the same port works after reopening")
    check(b"NOBODY" not in p.read_available(0.05), "nothing stale after reopening")
    return p


def reboot_fault(sim, p, srv):
    sim.wait_state("registered", "1", 3)
    connect_socket(p, srv.port)
    conn = srv.accept()
    old_pty = sim.pty
    sim.control("reboot 300")
    try:
        p.read_until(b"never", 2)
        check(False, "the reader should see EOF")
    except EOFError:
        pass
    check(not os.path.lexists(sim.link), "the link is gone while rebooting")
    check_eq(sim.state()["port"], "down", "state while rebooting")
    new_pty = sim.next_pty(5)
    wait_for(lambda: os.path.realpath(sim.link) == new_pty, 3, what="the link to the new pty")
    check(os.path.exists(new_pty), "the new pty exists")
    p = sim.open_port()
    r = p.at("AT")
    check_eq(r.raw, b"AT\r\r\nOK\r\n", "echo is on again")
    check_eq(p.at("AT+CMEE?").lines, ["+CMEE: 0"], "+CMEE reset")
    check_eq(p.at("AT#SGACT?").find("#SGACT: 1"), "#SGACT: 1,0", "context inactive")
    check_eq(p.at("AT#SS=1").lines, ["#SS: 1,0"], "sockets closed")
    wait_for(lambda: p.at("AT+CREG?").lines == ["+CREG: 0,1"], 3, what="registered again")
    st = sim.state()
    check_eq((st["reboots"], st["pty"]), ("1", new_pty), "state after reboot")
    check(old_pty in sim.ptys, "first pty recorded")
    # The module forgot the old connection: the server gets a reset when it
    # next sends.
    conn.send(b"anyone there?")
    conn.sock.settimeout(2)
    try:
        data = conn.sock.recv(10)
        check(data == b"", "expected a reset, got %r" % data)
    except ConnectionResetError:
        pass
    return p


def cfun_reset(sim, p):
    p.at_ok("ATE0")
    check_eq(p.at("AT+CFUN=1,1").final, "OK", "+CFUN=1,1")
    try:
        p.read_until(b"never", 3)
        check(False, "the reader should see EOF")
    except EOFError:
        pass
    new_pty = sim.next_pty(5)
    wait_for(lambda: os.path.realpath(sim.link) == new_pty, 3, what="the link after +CFUN=1,1")
    p = sim.open_port()
    check_eq(p.at("AT").raw, b"AT\r\r\nOK\r\n", "reset by +CFUN=1,1")
    check_eq(sim.state()["reboots"], "2", "counted")


def main():
    deadline(60)
    with ModemSim(args=["--reboot-time", "200"], reg_delay=200) as sim, TcpServer() as srv:
        p = reopen(sim)
        p = reboot_fault(sim, p, srv)
        cfun_reset(sim, p)
        check(any("reboot (fault)" in e for e in sim.events()), "reboot logged")
    print("PASS")


if __name__ == "__main__":
    main()
