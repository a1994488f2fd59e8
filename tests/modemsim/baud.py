#!/usr/bin/env python3
"""cellsock-modemsim: --baud paces bytes in both directions at N baud 8N1
(N/10 bytes per second), within 5% of the nominal rate."""

import os
import select
import time

from modemsim import ModemSim, TcpServer, check, connect_socket, deadline

BAUD = 115200
RATE = BAUD / 10.0          # bytes per second
SIZE = int(RATE * 1.5)      # 1.5 s of data each way
TOLERANCE = 0.05


def to_host(p, conn):
    """Server -> modem -> host: the host times the arrivals."""
    conn.send(b"d" * SIZE)
    got = 0
    first = last = None
    first_len = 0
    end = time.monotonic() + 10
    while got < SIZE and time.monotonic() < end:
        r, _, _ = select.select([p.fd], [], [], 1)
        if not r:
            continue
        n = len(os.read(p.fd, 65536))
        now = time.monotonic()
        if first is None:
            first, first_len = now, n
        got += n
        last = now
    check(got == SIZE, "received %d of %d bytes" % (got, SIZE))
    return (got - first_len) / (last - first)


def to_server(p, conn):
    """Host -> modem -> server: the server times the arrivals."""
    data = b"u" * SIZE
    sent = got = 0
    first = last = None
    first_len = 0
    conn.sock.setblocking(False)
    end = time.monotonic() + 10
    while got < SIZE and time.monotonic() < end:
        wl = [p.fd] if sent < SIZE else []
        r, w, _ = select.select([conn.sock], wl, [], 1)
        if w:
            try:
                sent += os.write(p.fd, data[sent:sent + 4096])
            except BlockingIOError:
                pass
        if r:
            n = len(conn.sock.recv(65536))
            now = time.monotonic()
            if first is None:
                first, first_len = now, n
            got += n
            last = now
    check(got == SIZE, "server received %d of %d bytes" % (got, SIZE))
    return (got - first_len) / (last - first)


def main():
    deadline(60)
    with ModemSim(baud=BAUD) as sim, TcpServer() as srv:
        p = sim.open_port()
        connect_socket(p, srv.port, conn_mode=0)
        conn = srv.accept()
        down = to_host(p, conn)
        up = to_server(p, conn)
        print("nominal %.0f B/s; modem->host %.0f B/s (%+.2f%%); host->modem %.0f B/s (%+.2f%%)"
              % (RATE, down, (down / RATE - 1) * 100, up, (up / RATE - 1) * 100))
        check(abs(down / RATE - 1) <= TOLERANCE, "modem->host rate %.0f B/s" % down)
        check(abs(up / RATE - 1) <= TOLERANCE, "host->modem rate %.0f B/s" % up)
        check(sim.state()["baud"] == str(BAUD), "state reports the baud rate")
    print("PASS")


if __name__ == "__main__":
    main()
