#!/usr/bin/env python3
"""A probe-answering echo server for the network-namespace tests, run inside
the server's namespace (`ip netns exec NS python3 probe_server.py ADDR PORT`).
Each probe byte 0xFF at the start of a segment is answered with 0xFE, the
rest is echoed. Prints "ready" once listening; exits when its standard input
closes, so it never outlives the test that started it."""

import socket
import sys
import threading


def serve(c):
    try:
        while True:
            data = c.recv(4096)
            if not data:
                return
            probes = len(data) - len(data.lstrip(b"\xff"))
            c.sendall(b"\xfe" * probes + data[probes:])
    except OSError:
        return
    finally:
        c.close()


def accept(s):
    while True:
        try:
            c, _ = s.accept()
        except OSError:
            return
        threading.Thread(target=serve, args=(c,), daemon=True).start()


def main():
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((sys.argv[1], int(sys.argv[2])))
    s.listen(16)
    threading.Thread(target=accept, args=(s,), daemon=True).start()
    print("ready", flush=True)
    sys.stdin.read()            # until the test closes the pipe (or dies)
    return 0


if __name__ == "__main__":
    sys.exit(main())
