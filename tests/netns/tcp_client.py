#!/usr/bin/env python3
"""A plain Linux TCP client for the detection benchmark, run inside the
simulator's namespace: `tcp_client.py ADDR PORT BIND MODE KEEPIDLE KEEPINTVL
KEEPCNT USER_TIMEOUT_MS` (MODE idle or busy; USER_TIMEOUT_MS 0 for none).
It connects with SO_KEEPALIVE and the given TCP_KEEP* (and TCP_USER_TIMEOUT),
prints "ready", then obeys lines on standard input:
  ping  send one byte, wait for its echo, print "pong T"
  go    (busy: send 2000 bytes that stay unacknowledged) then wait in recv()
        for at most 130 s and print "dead T ERRNO" when the kernel gives up,
        or "alive" when it never did.
T is time.monotonic() (the same clock as the parent's). Exits at the end of
standard input."""

import errno
import socket
import sys
import time


def main():
    addr, port, bind, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    idle, intvl, cnt, user_timeout = (int(x) for x in sys.argv[5:9])
    s = socket.socket()
    s.bind((bind, 0))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, idle)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, intvl)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT, cnt)
    if user_timeout:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_USER_TIMEOUT, user_timeout)
    s.settimeout(10)
    s.connect((addr, port))
    print("ready", flush=True)
    for line in sys.stdin:
        cmd = line.strip()
        if cmd == "ping":
            s.settimeout(10)
            s.sendall(b"p")
            s.recv(1)
            print("pong %.3f" % time.monotonic(), flush=True)
        elif cmd == "go":
            if mode == "busy":
                s.sendall(b"d" * 2000)
            s.settimeout(130)
            try:
                while s.recv(4096):
                    pass
                print("dead %.3f EOF" % time.monotonic(), flush=True)
            except OSError as e:
                # ETIMEDOUT is a TimeoutError too: only errno None is ours.
                if e.errno is None:
                    print("alive", flush=True)
                    continue
                print("dead %.3f %s" % (time.monotonic(), errno.errorcode.get(e.errno, e.errno)),
                      flush=True)
    s.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
