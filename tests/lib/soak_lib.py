"""Helpers for the chaos soak (tests/soak/soak.py): the two sequence-numbered
streams and their checkers, a loopback server and a local client that carry
them at a steady rate, a raw control-protocol client, the control-socket
hammer and the daemon's resource samples. Stdlib only; every wait has a
deadline.

The streams are ASCII so that the keepalive probe (0xFF) and its reply
(0xFE) can never be mistaken for stream bytes: the server strips 0xFF and
answers each with 0xFE between its own chunks, the client strips 0xFE.

  up (client -> server): one endless stream, record r = b"U%014d\\n" % r
      (16 bytes), byte i is record i // 16, byte i % 16. In a persistent
      session every server connection carries a slice of it.
  down (server -> client): server connection k carries b"\\x01" followed by
      records b"D%06d%08d\\n" % (k, r). 0x01 never occurs in a record, so the
      client sees exactly where one connection's bytes end and the next
      one's begin.
"""

import collections
import json
import os
import random
import re
import select
import selectors
import socket
import subprocess
import threading
import time
import urllib.parse

REC = 16
DOWN_MARK = 0x01
PROBE = 0xFF
REPLY = 0xFE
UP_RE = re.compile(rb"U(\d{14})\n")
DOWN_HEAD_RE = re.compile(rb"D(\d{6})00000000\n")
DOWN_REC_RE = re.compile(rb"D(\d{6})(\d{8})\n")


def up_bytes(off, n):
    """Bytes [off, off + n) of the up stream."""
    if n <= 0:
        return b""
    first, last = off // REC, (off + n - 1) // REC
    blob = b"".join(b"U%014d\n" % r for r in range(first, last + 1))
    start = off - first * REC
    return blob[start:start + n]


def down_bytes(k, off, n):
    """Bytes [off, off + n) of connection k's down stream (0x01 first)."""
    if n <= 0:
        return b""
    out = b""
    if off == 0:
        out, off, n = bytes([DOWN_MARK]), 1, n - 1
        if n == 0:
            return out
    rel = off - 1
    first, last = rel // REC, (rel + n - 1) // REC
    blob = b"".join(b"D%06d%08d\n" % (k, r) for r in range(first, last + 1))
    start = rel - first * REC
    return out + blob[start:start + n]


def common_prefix(a, b):
    """Length of the common prefix of two byte strings."""
    n = min(len(a), len(b))
    if a[:n] == b[:n]:
        return n
    lo, hi = 0, n
    while lo < hi:                      # a[:lo] == b[:lo], a[:hi] != b[:hi]
        mid = (lo + hi + 1) // 2
        if a[:mid] == b[:mid]:
            lo = mid
        else:
            hi = mid - 1
    return lo


class DownChecker:
    """Follows what the local client receives: each server connection's
    bytes must be a prefix of its stream, connections in increasing order,
    a new one starting only at its 0x01. Anything else is an error."""

    def __init__(self):
        self.lock = threading.Lock()
        self.pending = b""
        self.cur = None                 # connection being received
        self.off = 0                    # its offset
        self.last = 0                   # highest connection seen
        self.delivered = {}             # k -> bytes received of its stream
        self.total = 0                  # stream bytes received (0xFE excluded)
        self.replies = 0                # 0xFE bytes removed
        self.truncated_heads = 0        # connections cut inside their header
        self.errors = []
        self.lost_sync = False
        self.skipped = 0                # bytes passed over after an error

    def feed(self, data):
        with self.lock:
            n = len(data)
            data = data.replace(bytes([REPLY]), b"")
            self.replies += n - len(data)
            self.total += len(data)
            self.pending += data
            self._run()

    def _error(self, what):
        if len(self.errors) < 20:
            self.errors.append(what)
        self.lost_sync = True
        self.cur = None

    def _resync(self):
        """After an error: continue at the next connection start or the
        next whole record of a connection not seen to end; False to wait
        for bytes."""
        p = self.pending
        mark = p.find(bytes([DOWN_MARK]))
        m = next((m for m in DOWN_REC_RE.finditer(p, 0, mark if mark >= 0 else len(p))
                  if int(m.group(1)) >= self.last), None)
        if m:
            self.skipped += m.start()
            self.cur, self.off = int(m.group(1)), 1 + int(m.group(2)) * REC
            self.last = self.cur
            self.pending = p[m.start():]
            self.lost_sync = False
            return True
        if mark >= 0:
            self.skipped += mark
            self.pending = p[mark:]
            self.lost_sync = False
            return True
        keep = max(0, len(p) - 2 * REC)
        self.skipped += keep
        self.pending = p[keep:]
        return False

    def _start(self):
        """At a 0x01: begin the next connection; False to wait for bytes."""
        p = self.pending
        if p[0] != DOWN_MARK:
            self._error("down: unexpected bytes %r where a connection should start" % p[:32])
            return True
        nxt = p.find(bytes([DOWN_MARK]), 1)
        if 0 < nxt < 1 + REC:
            if not re.fullmatch(rb"D\d{0,14}", p[1:nxt]):
                self._error("down: a connection cut inside its first record is garbled %r"
                            % p[:nxt])
                self.pending = p[1:]
                return True
            self.truncated_heads += 1
            self.pending = p[nxt:]
            return True
        if len(p) < 1 + REC:
            return False
        m = DOWN_HEAD_RE.fullmatch(p[1:1 + REC])
        if not m:
            self._error("down: bad first record %r" % p[:1 + REC])
            self.pending = p[1:]
            return True
        k = int(m.group(1))
        if k <= self.last:
            self._error("down: connection %d's bytes after connection %d's (duplicated or "
                        "reordered)" % (k, self.last))
            self.pending = p[1:]
            return True
        self.cur, self.off, self.last = k, 0, k
        self.lost_sync = False
        return True

    def _run(self):
        while self.pending:
            if self.lost_sync:
                if not self._resync():
                    return
                continue
            if self.cur is None:
                if not self._start():
                    return
                continue
            want = down_bytes(self.cur, self.off, len(self.pending))
            m = common_prefix(self.pending, want)
            self.off += m
            self.delivered[self.cur] = self.off
            self.pending = self.pending[m:]
            if not self.pending:
                return
            if self.pending[0] == DOWN_MARK:
                self.cur = None
                continue
            self._error("down: connection %d at offset %d: got %r, want %r (a gap, a "
                        "duplicate or corruption)" % (self.cur, self.off, self.pending[:24],
                                                      want[m:m + 24]))

    def snapshot(self):
        with self.lock:
            return dict(total=self.total, cur=self.cur, off=self.off, errors=list(self.errors),
                        delivered=dict(self.delivered), replies=self.replies,
                        truncated_heads=self.truncated_heads, skipped=self.skipped)


def locate_up(data, hint):
    """Where in the up stream a connection's bytes start, or None."""
    j = data.find(b"\n")
    if j >= 0 and len(data) >= j + 1 + REC:
        m = UP_RE.fullmatch(data[j + 1:j + 1 + REC])
        if m:
            return int(m.group(1)) * REC - (j + 1)
    # too short to hold a whole record: the match nearest the hint
    lo = max(0, hint - 262144)
    window = up_bytes(lo, 524288 + len(data))
    best, i = None, window.find(data)
    while i >= 0:
        if best is None or abs(lo + i - hint) < abs(best - hint):
            best = lo + i
        i = window.find(data, i + 1)
    return best


class Conn:
    """One connection the server accepted."""

    def __init__(self, k, sock):
        self.k = k
        self.sock = sock
        self.t_accept = time.monotonic()
        self.t_first = None
        self.t_eof = None
        self.data = bytearray()         # up stream bytes, probes removed
        self.probes = 0
        self.outq = collections.deque()     # [is_reply, bytes]
        self.queued = 0                 # stream bytes in outq
        self.gen = 0                    # down stream bytes generated
        self.sent = 0                   # down stream bytes written
        self.replies_sent = 0
        self.open = True


class StreamServer:
    """A loopback server in one thread (selectors): records the up stream
    of every connection, sends the down stream on the newest connection at
    `rate` bytes/s, answers probes. With attach_monitor() the same thread
    also reads the daemon's events, each stamped with the number of
    connections accepted so far (_conn): which connections an event came
    between is then decided by one thread's order, not by two clocks."""

    def __init__(self, rate):
        self.rate = rate
        self.lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.lsock.bind(("127.0.0.1", 0))
        self.lsock.listen(16)
        self.lsock.setblocking(False)
        self.port = self.lsock.getsockname()[1]
        self.conns = []
        self.lock = threading.Lock()
        self.paused = False
        self.sending = True
        self.stopping = False
        self.error = None
        self.events = []
        self.mon = None                 # the monitor connection, once attached
        self.mon_new = None
        self.mon_closing = False        # the daemon stops: its EOF is expected
        self.mon_buf = b""
        self.sel = selectors.DefaultSelector()
        self.sel.register(self.lsock, selectors.EVENT_READ, None)
        self.thread = threading.Thread(target=self._loop, name="server", daemon=True)
        self.thread.start()

    def _loop(self):
        tokens, last = 0.0, time.monotonic()
        try:
            while not self.stopping:
                if self.mon_new is not None:
                    if self.mon is not None:        # a daemon that stopped
                        try:
                            self.sel.unregister(self.mon)
                        except (KeyError, ValueError):
                            pass
                        self.mon.close()
                    self.mon, self.mon_new = self.mon_new, None
                    self.mon_closing = False
                    self.sel.register(self.mon, selectors.EVENT_READ, "monitor")
                # events first: an event read in the same round as an
                # accept happened before it (the daemon dials after it)
                ready = sorted(self.sel.select(0.02), key=lambda kv: kv[0].data != "monitor")
                for key, _ in ready:
                    if key.data is None:
                        self._accept()
                    elif key.data == "monitor":
                        self._read_monitor()
                    else:
                        self._read(key.data)
                now = time.monotonic()
                tokens = min(tokens + self.rate * (now - last), self.rate * 0.25)
                last = now
                tokens = self._generate(tokens)
                self._flush()
        except Exception as e:          # reported by the test
            self.error = "server thread: %r" % e

    def _accept(self):
        try:
            s, _ = self.lsock.accept()
        except (BlockingIOError, OSError):
            return
        s.setblocking(False)
        with self.lock:
            for c in self.conns:        # the client moved on: write no more there
                c.outq.clear()
                c.queued = 0
            c = Conn(len(self.conns) + 1, s)
            self.conns.append(c)
        self.sel.register(s, selectors.EVENT_READ, c)

    def attach_monitor(self, path):
        """Subscribe to the daemon's events (read by the server thread)."""
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(path)
        s.sendall(b"monitor\n")
        s.setblocking(False)
        self.mon_new = s

    def _read_monitor(self):
        try:
            data = self.mon.recv(65536)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if not data:
            if not self.mon_closing:
                self.error = "the server's monitor connection was closed by the daemon"
            self.sel.unregister(self.mon)
            self.mon.close()
            return
        *lines, self.mon_buf = (self.mon_buf + data).split(b"\n")
        with self.lock:
            for line in lines:
                words = line.decode(errors="replace").split(" ")
                if words[0] != "EVENT" or len(words) < 2:
                    continue
                _, fields = parse_record(" ".join(words[1:]))
                fields["event"] = words[1]
                fields["_conn"] = len(self.conns)
                fields["_t"] = time.monotonic()
                self.events.append(fields)

    def loss_events(self, name):
        with self.lock:
            return [e for e in self.events if e["event"] == "data-loss" and
                    e.get("name") == name]

    def _read(self, c):
        try:
            data = c.sock.recv(65536)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        with self.lock:
            if not data:
                self._close(c)
                return
            if c.t_first is None:
                c.t_first = time.monotonic()
            n = data.count(bytes([PROBE]))
            if n:
                data = data.replace(bytes([PROBE]), b"")
                c.probes += n
                c.outq.append([True, bytes([REPLY]) * n])
            c.data += data

    def _close(self, c):
        if not c.open:
            return
        c.open = False
        c.t_eof = time.monotonic()
        c.outq.clear()
        c.queued = 0
        try:
            self.sel.unregister(c.sock)
        except (KeyError, ValueError):
            pass
        c.sock.close()

    def _generate(self, tokens):
        with self.lock:
            if not self.conns or self.paused or not self.sending:
                return tokens
            c = self.conns[-1]
            room = 4096 - c.queued
            n = int(min(tokens, room))
            if not c.open or n <= 0:
                return tokens
            c.outq.append([False, down_bytes(c.k, c.gen, n)])
            c.gen += n
            c.queued += n
            return tokens - n

    def _flush(self):
        with self.lock:
            for c in self.conns:
                while c.open and c.outq:
                    is_reply, buf = c.outq[0]
                    try:
                        n = c.sock.send(buf)
                    except BlockingIOError:
                        break
                    except OSError:
                        self._close(c)
                        break
                    if is_reply:
                        c.replies_sent += n
                    else:
                        c.sent += n
                        c.queued -= n
                    if n < len(buf):
                        c.outq[0][1] = buf[n:]
                        break
                    c.outq.popleft()

    def count(self):
        with self.lock:
            return len(self.conns)

    def newest(self):
        """(k, up bytes received, down bytes sent) of the newest connection."""
        with self.lock:
            if not self.conns:
                return 0, 0, 0
            c = self.conns[-1]
            return c.k, len(c.data), c.sent

    def totals(self):
        with self.lock:
            return (sum(len(c.data) for c in self.conns), sum(c.sent for c in self.conns),
                    sum(c.probes for c in self.conns))

    def conn_view(self):
        """[(k, t_accept, bytes(data), sent, open)] for the analysis."""
        with self.lock:
            return [(c.k, c.t_accept, bytes(c.data), c.sent, c.open) for c in self.conns]

    def close(self):
        self.stopping = True
        self.thread.join(timeout=5)
        with self.lock:
            for c in self.conns:
                if c.open:
                    c.open = False
                    c.sock.close()
        self.sel.close()
        self.lsock.close()
        if self.mon is not None:
            self.mon.close()


class LocalClient:
    """The local application: writes the up stream at `rate` bytes/s to the
    link's local endpoint and checks the down stream it reads."""

    def __init__(self, path, rate):
        self.path = path
        self.rate = rate
        self.written = 0
        self.paused = False
        self.writing = True
        self.stopping = False
        self.down = DownChecker()
        self.write_idle = threading.Event()
        self.eofs = []                  # times the daemon closed us
        self.error = None
        self.lock = threading.Lock()
        self.sock = self._connect(10.0)
        self.threads = [threading.Thread(target=self._writer, name="writer", daemon=True),
                        threading.Thread(target=self._reader, name="reader", daemon=True)]
        for t in self.threads:
            t.start()

    def _connect(self, timeout):
        deadline = time.monotonic() + timeout
        while True:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                s.connect(self.path)
                s.setblocking(False)
                return s
            except OSError:
                s.close()
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def _writer(self):
        tokens, last = 0.0, time.monotonic()
        try:
            while not self.stopping:
                now = time.monotonic()
                tokens = min(tokens + self.rate * (now - last), self.rate * 0.25)
                last = now
                if not self.writing:
                    self.write_idle.set()
                if self.paused or not self.writing or tokens < 1:
                    time.sleep(0.02)
                    continue
                sock = self.sock
                try:
                    _, w, _ = select.select([], [sock], [], 0.1)
                except (ValueError, OSError):
                    time.sleep(0.05)    # closed: the reader connects again
                    continue
                if not w:
                    continue
                n = int(min(tokens, 2048))
                try:
                    sent = sock.send(up_bytes(self.written, n))
                except (BlockingIOError, InterruptedError):
                    continue
                except OSError:
                    time.sleep(0.05)    # the reader reconnects
                    continue
                with self.lock:
                    self.written += sent
                tokens -= sent
        except Exception as e:
            self.error = "writer thread: %r" % e

    def _reader(self):
        try:
            while not self.stopping:
                sock = self.sock
                try:
                    r, _, _ = select.select([sock], [], [], 0.1)
                except (ValueError, OSError):
                    time.sleep(0.05)
                    continue
                if not r:
                    continue
                try:
                    data = sock.recv(65536)
                except (BlockingIOError, InterruptedError):
                    continue
                except OSError:
                    data = b""
                if data:
                    self.down.feed(data)
                    continue
                # a persistent session never closes its client
                self.eofs.append(time.monotonic())
                sock.close()
                self.sock = self._connect(30.0)
        except Exception as e:
            self.error = "reader thread: %r" % e

    def stop_writing(self, timeout=10.0):
        """Write no more; returns once the writer is idle (written is final)."""
        self.writing = False
        return self.write_idle.wait(timeout)

    def close(self):
        self.stopping = True
        for t in self.threads:
            t.join(timeout=5)
        try:
            self.sock.close()
        except OSError:
            pass


# ---- the control protocol, raw ----

def ctl_request(path, line, timeout=5.0):
    """Send one request line; (terminal line, [records]) where a record is
    (type, {key: value}). Raises on timeout or a closed connection."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    try:
        s.connect(path)
        s.sendall(line.encode() + b"\n")
        data = b""
        deadline = time.monotonic() + timeout
        while True:
            lines = data.split(b"\n")
            for i, l in enumerate(lines[:-1]):
                if l == b"OK" or l.startswith(b"ERR "):
                    return l.decode(), [parse_record(x.decode()) for x in lines[:i]]
            if time.monotonic() > deadline:
                raise TimeoutError("no answer to %r" % line)
            chunk = s.recv(65536)
            if not chunk:
                raise ConnectionError("closed before answering %r" % line)
            data += chunk
    finally:
        s.close()


def parse_record(line):
    words = line.split(" ")
    fields = {}
    for w in words[1:]:
        k, _, v = w.partition("=")
        fields[k] = urllib.parse.unquote(v)
    return words[0], fields


def records(path, line, rtype, timeout=5.0):
    term, recs = ctl_request(path, line, timeout)
    if term != "OK":
        raise AssertionError("%s: %s" % (line, term))
    return [f for t, f in recs if t == rtype]


# ---- the control socket hammer ----

READS = ["status", "links", "metrics", "modem", "version", "help", "log-level"]
# (request bytes, expected terminal: "OK", an ERR code, or None for no reply;
# True when the daemon closes the connection after it)
JUNK = [
    (b"nosuchcommand\n", "unknown-command", False),
    (b"status extra words\n", "usage", False),
    (b"connect\n", "usage", False),
    (b"reconnect no-such-link\n", "no-such-link", False),
    (b"\x01\x02 bad\n", "bad-request", True),
    (b"A" * 5000 + b"\n", "line-too-long", True),
    (b"a b c d e f g h i j k l m n o p q r\n", "usage", False),
    (b"\n", None, False),
]


class Hammer:
    """Several threads hammering the control socket: pipelined reads,
    junk, short-lived monitors, bursts of clients and the real cellsockctl;
    every request must be answered. pause() waits until they are all idle
    (no connection open), so that the daemon's descriptors can be counted."""

    def __init__(self, sock, ctl_binary, rng_seed, threads=3):
        self.sock = sock
        self.ctl = ctl_binary
        self.stopping = False
        self.pause_req = threading.Event()
        self.idle = [threading.Event() for _ in range(threads)]
        self.lock = threading.Lock()
        self.counts = collections.Counter()
        self.failures = []
        self.threads = []
        for i in range(threads):
            rng = random.Random(rng_seed * 1000 + i)
            t = threading.Thread(target=self._run, args=(i, rng), name="hammer%d" % i,
                                 daemon=True)
            self.threads.append(t)
            t.start()

    def _fail(self, what):
        with self.lock:
            self.counts["failed"] += 1
            if len(self.failures) < 20:
                self.failures.append("%.1f %s" % (time.monotonic(), what))

    def _count(self, what, n=1):
        with self.lock:
            self.counts[what] += n

    def _run(self, i, rng):
        while not self.stopping:
            if self.pause_req.is_set():
                self.idle[i].set()
                time.sleep(0.02)
                continue
            self.idle[i].clear()
            action = rng.choices(["reads", "junk", "monitor", "burst", "cli"],
                                 [6, 3, 2, 1, 1])[0]
            try:
                getattr(self, "_" + action)(rng)
            except Exception as e:
                self._fail("%s: %r" % (action, e))
            time.sleep(rng.uniform(0.01, 0.08))

    def _connect(self):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(10.0)
        s.connect(self.sock)
        return s

    @staticmethod
    def _terminals(s, n, timeout=10.0):
        """Read until n terminal lines or EOF; returns them."""
        data, terms = b"", []
        deadline = time.monotonic() + timeout
        while len(terms) < n:
            if time.monotonic() > deadline:
                break
            try:
                chunk = s.recv(65536)
            except (socket.timeout, ConnectionResetError):
                break
            if not chunk:
                break
            data += chunk
            *lines, data = data.split(b"\n")
            terms += [l.decode(errors="replace") for l in lines
                      if l == b"OK" or l.startswith(b"ERR ")]
        return terms

    def _reads(self, rng):
        reqs = [rng.choice(READS) for _ in range(rng.randint(1, 4))]
        s = self._connect()
        try:
            s.sendall("".join(r + "\n" for r in reqs).encode())
            terms = self._terminals(s, len(reqs))
        finally:
            s.close()
        self._count("requests", len(reqs))
        if terms != ["OK"] * len(reqs):
            self._fail("pipelined %s answered %s" % (reqs, terms))

    def _junk(self, rng):
        line, want, closes = rng.choice(JUNK)
        s = self._connect()
        try:
            # one write: the daemon answers and closes once it has read the
            # bad line, and a reset then only means it left bytes unread
            s.sendall(line if closes else line + b"version\n")
            terms = self._terminals(s, 1 if closes or want is None else 2)
            if closes:
                try:
                    eof = s.recv(1) == b""
                except ConnectionResetError:
                    eof = True
        finally:
            s.close()
        self._count("junk")
        expect = ([] if want is None else ["ERR " + want]) + ([] if closes else ["OK"])
        got = [t.split(" ")[0] + (" " + t.split(" ")[1] if t.startswith("ERR") else "")
               for t in terms]
        if got != expect or (closes and not eof):
            self._fail("junk %r answered %s (want %s%s)" % (line[:20], terms, expect,
                                                          ", then EOF" if closes else ""))

    def _monitor(self, rng):
        s = self._connect()
        try:
            s.sendall(b"monitor\n")
            terms = self._terminals(s, 1)
            s.settimeout(rng.uniform(0.05, 0.5))
            try:
                s.recv(65536)
            except socket.timeout:
                pass
        finally:
            s.close()
        self._count("monitors")
        if terms != ["OK"]:
            self._fail("monitor answered %s" % terms)

    def _burst(self, rng):
        socks = []
        try:
            for _ in range(rng.randint(5, 20)):
                socks.append(self._connect())
            for s in socks:
                s.sendall(b"version\n")
            bad = sum(1 for s in socks if self._terminals(s, 1) != ["OK"])
        finally:
            for s in socks:
                s.close()
        self._count("requests", len(socks))
        if bad:
            self._fail("burst of %d clients: %d unanswered" % (len(socks), bad))

    def _cli(self, rng):
        cmd = rng.choice(["status", "links", "metrics", "modem"])
        p = subprocess.run([self.ctl, "-s", self.sock, "-j", "-t", "10", cmd],
                           capture_output=True, timeout=20)
        self._count("cli")
        ok = p.returncode == 0
        if ok:
            try:
                ok = json.loads(p.stdout).get("ok") is True
            except ValueError:
                ok = False
        if not ok:
            self._fail("cellsockctl -j %s: status %d %r" % (cmd, p.returncode, p.stdout[:200]))

    def pause(self, timeout=15.0):
        """Stop and wait until every thread is idle; False on timeout."""
        self.pause_req.set()
        deadline = time.monotonic() + timeout
        for ev in self.idle:
            if not ev.wait(max(0.0, deadline - time.monotonic())):
                return False
        return True

    def resume(self):
        for ev in self.idle:
            ev.clear()
        self.pause_req.clear()

    def stop(self):
        self.stopping = True
        self.pause_req.clear()
        for t in self.threads:
            t.join(timeout=12)


# ---- resources of a process ----

def proc_status(pid):
    """{VmRSS, RssAnon, VmHWM} in KiB from /proc/PID/status."""
    out = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "RssAnon", "VmHWM"):
                out[key] = int(rest.split()[0])
    return out


def fd_kinds(pid):
    """Counter of the kinds of open descriptors (socket, pipe, tty, ...)."""
    kinds = collections.Counter()
    base = "/proc/%d/fd" % pid
    for name in os.listdir(base):
        try:
            target = os.readlink(os.path.join(base, name))
        except OSError:
            continue
        kind = target.split(":")[0] if ":" in target else (
            "tty" if target.startswith("/dev/pts") else "file")
        kinds[kind] += 1
    return kinds


def settled_fds(pid, timeout=3.0):
    """The descriptor count once it stops changing (three equal reads)."""
    deadline = time.monotonic() + timeout
    seen = []
    while True:
        seen.append(len(os.listdir("/proc/%d/fd" % pid)))
        if len(seen) >= 3 and seen[-1] == seen[-2] == seen[-3]:
            return seen[-1]
        if time.monotonic() > deadline:
            return min(seen[-3:])
        time.sleep(0.05)


def is_sanitized(binary):
    """True when the binary was built with AddressSanitizer."""
    try:
        with open(binary, "rb") as f:
            return b"__asan_init" in f.read()
    except OSError:
        return False
