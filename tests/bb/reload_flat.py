#!/usr/bin/env python3
"""Refused reloads keep the daemon's memory flat (issue 16 item 6).
libconfig 1.5 leaks the buffer of a string token on which a syntax error is
found (64 bytes a time): cellsockd parses a reloaded file first in a
short-lived child and only parses it itself when it is valid.

A file with that error is reloaded many times over one control connection.
In a sanitized build the daemon runs with LeakSanitizer and its exit report
must name no leak; otherwise the daemon's RssAnon after a warm-up must not
grow by more than half of what the leak would cost. A good reload at the
end still works."""

import os
import re
import signal
import subprocess
import sys

from cellsock_harness import (CELLSOCKD, TOP_BUILDDIR, Checker, Daemon, minimal_config, raw_client,
                              read_reply, skip)

t = Checker("reload_flat")
WARMUP = 200
N = 3000
N_SANITIZED = 50                # LeakSanitizer sees a single leak; forks are slow there
LEAK = 64                       # bytes lost per refused reload before the fix
BAD = 'nonsense = 1 "a string token on which the syntax error is found";\n'


def sanitized():
    p = subprocess.run(["ldd", CELLSOCKD], capture_output=True, text=True)
    if re.search(r"lib(asan|lsan)\.so", p.stdout):
        return True
    try:
        with open(os.path.join(TOP_BUILDDIR, "Makefile")) as f:
            return any(l.startswith("SAN_CFLAGS =") and "-fsanitize" in l for l in f)
    except OSError:
        return False


def rss_anon(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("RssAnon:"):
                return int(line.split()[1]) * 1024
    return 0


def reloads(s, n):
    refused = 0
    for _ in range(n):
        s.sendall(b"reload\n")
        if "refused" in read_reply(s, timeout=10):
            refused += 1
    return refused


def main():
    if not os.path.exists(CELLSOCKD):
        skip("cellsockd not built")
    san = sanitized()
    n = N_SANITIZED if san else N
    env = {"ASAN_OPTIONS": "detect_leaks=1:exitcode=0"} if san else {}
    with Daemon(env=env) as d:
        good = minimal_config(d.sock)
        d.start()
        d.write_config(good + BAD)
        s = raw_client(d.sock, timeout=10)
        try:
            t.check(reloads(s, WARMUP) == WARMUP, "the bad file is refused")
            before = rss_anon(d.proc.pid)
            refused = reloads(s, n)
            after = rss_anon(d.proc.pid)
            d.write_config(good)
            s.sendall(b"reload\n")
            reply = read_reply(s, timeout=10)
        finally:
            s.close()
        t.check(refused == n, "%d bad reloads refused (%d)" % (n, refused))
        t.check(reply.rstrip().endswith("OK"), "a good reload afterwards works (%r)" % reply[-80:])
        if san:
            rc = d.stop(timeout=30)
            log = d.logtext()
            t.check(rc is not None and "LeakSanitizer" not in log,
                    "LeakSanitizer: no leak after %d refused reloads%s" %
                    (WARMUP + n, "" if "LeakSanitizer" not in log else
                     ":\n" + log[log.index("LeakSanitizer"):][:1500]))
        else:
            grew = after - before
            t.check(grew < N * LEAK // 2,
                    "RssAnon flat over %d refused reloads: %+d bytes (the leak would be %d)"
                    % (N, grew, N * LEAK))
    return t.finish()


if __name__ == "__main__":
    sys.exit(main())
