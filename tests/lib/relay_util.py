"""Helpers for the data-path (relay) black-box tests: cellsockd on the
simulator with local endpoints, loopback servers that echo, record or read
slowly, local clients, and the daemon's account of bytes (status records
"relay name=... accepted=... sent=..."). Everything waits with deadlines."""

import json
import os
import random
import socket
import threading
import time

from cellsock_harness import Daemon, wait_until
from modemsim import ModemSim
from supervisor_rig import Monitor


def relay_config(sim_link, ctl_sock, links, log_level="info", top_extra="", modem_extra=""):
    """links: dicts with name, port, socket, local and optional session,
    resend (bool), tx, rx, keepalive (text inside keepalive: { }), extra.
    modem_extra: more keys of the modem group (e.g. 'dialect = "auto";')."""
    parts = []
    for ln in links:
        ka = ln.get("keepalive", 'probe = ""; ack_timeout = 30.0;')
        parts.append(
            '{ name = "%s"; host = "127.0.0.1"; port = %d; socket = %d; local = "%s";\n'
            '  session = "%s"; resend_unacked = %s; tx_buffer = %d; rx_buffer = %d;\n'
            '  keepalive: { %s };\n'
            '  reconnect: { min = 0.2; max = 1.0; stable = 2.0; quiet_time = 0.2;\n'
            '               teardown_timeout = 5.0; }; %s }'
            % (ln["name"], ln["port"], ln["socket"], ln["local"],
               ln.get("session", "transparent"), "true" if ln.get("resend") else "false",
               ln.get("tx", 65536), ln.get("rx", 65536), ka, ln.get("extra", "")))
    return ('modem: { device = "%s"; command_timeout = 2.0; %s};\n'
            'network: { apn = "internet"; registration_timeout = 30.0; };\n'
            'links = ( %s );\n'
            'control: { socket = "%s"; group = ""; mode = "0660"; };\n'
            'log: { level = "%s"; };\n%s'
            % (sim_link, modem_extra, ",\n".join(parts), ctl_sock, log_level, top_extra))


class Server:
    """A loopback TCP server in a thread. mode "echo" sends back what it
    reads; "record" keeps each connection's bytes (reading `rate` bytes per
    second if rate is set); "hold" accepts and leaves the connection
    (live[i]) to the test. conns[i] is a bytearray per connection."""

    def __init__(self, mode="echo", rate=None, rcvbuf=None, greeting=None):
        self.mode = mode
        self.rate = rate
        self.greeting = greeting
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if rcvbuf:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self.conns = []
        self.live = []
        self.lock = threading.Lock()
        self.stopping = False
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        while not self.stopping:
            try:
                c, _ = self.sock.accept()
            except (socket.timeout, OSError):
                continue
            buf = bytearray()
            with self.lock:
                self.conns.append(buf)
                self.live.append(c)
            threading.Thread(target=self._serve, args=(c, buf), daemon=True).start()

    def _serve(self, c, buf):
        c.settimeout(0.1)
        if self.greeting:
            c.sendall(self.greeting)
        if self.mode == "hold":
            return      # the test reads and writes live[i] itself
        try:
            while not self.stopping:
                want = 65536
                if self.rate:
                    want = max(1, int(self.rate / 20))
                try:
                    data = c.recv(want)
                except socket.timeout:
                    continue
                except OSError:
                    break
                if not data:
                    break
                with self.lock:
                    buf += data
                if self.mode == "echo":
                    c.sendall(data)
                if self.rate:
                    time.sleep(0.05)
        except OSError:
            pass
        finally:
            c.close()

    def send(self, i, data, timeout=300.0):
        """Send all of data on connection i (another thread may be reading;
        the socket has a short timeout, so send in a loop)."""
        with self.lock:
            c = self.live[i]
        deadline = time.monotonic() + timeout
        view = memoryview(data)
        while len(view):
            try:
                view = view[c.send(view):]
            except socket.timeout:
                if time.monotonic() > deadline:
                    raise

    def count(self):
        with self.lock:
            return len(self.conns)

    def length(self, i):
        """Bytes received on connection i so far (cheap)."""
        with self.lock:
            return len(self.conns[i]) if i < len(self.conns) else 0

    def received(self, i):
        with self.lock:
            return bytes(self.conns[i]) if i < len(self.conns) else b""

    def close(self):
        self.stopping = True
        self.thread.join(timeout=2)
        with self.lock:
            for c in self.live:
                try:
                    c.close()
                except OSError:
                    pass
        self.sock.close()


def connect_local(local, timeout=10.0):
    """Connect to a local endpoint "unix:PATH" or "tcp:ADDR:PORT"."""
    if local.startswith("unix:"):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        addr = local[5:]
    else:
        host, port = local[4:].rsplit(":", 1)
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        addr = (host, int(port))
    s.settimeout(timeout)
    deadline = time.monotonic() + timeout
    while True:
        try:
            s.connect(addr)
            return s
        except (FileNotFoundError, ConnectionRefusedError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def recv_exact(s, n, timeout=30.0):
    deadline = time.monotonic() + timeout
    out = bytearray()
    while len(out) < n:
        left = deadline - time.monotonic()
        if left <= 0:
            raise AssertionError("timed out: %d of %d bytes" % (len(out), n))
        s.settimeout(left)
        chunk = s.recv(min(65536, n - len(out)))
        if not chunk:
            raise AssertionError("EOF after %d of %d bytes" % (len(out), n))
        out += chunk
    return bytes(out)


def wait_eof(s, timeout=10.0):
    """Read until EOF; returns what came before it."""
    deadline = time.monotonic() + timeout
    out = bytearray()
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise AssertionError("no EOF within %.1fs (%d bytes read)" % (timeout, len(out)))
        s.settimeout(left)
        try:
            chunk = s.recv(65536)
        except ConnectionResetError:
            return bytes(out)
        if not chunk:
            return bytes(out)
        out += chunk


def send_chunked(s, data, rng, max_chunk=7000):
    """sendall in random-sized pieces."""
    i = 0
    while i < len(data):
        n = rng.randint(1, max_chunk)
        s.sendall(data[i:i + n])
        i += n


def vm_kib(pid, key="VmRSS"):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


class RelayRig:
    """simulator + daemon (+ monitor) for the given links; servers are the
    caller's. Use as a context manager. firmware: the simulator's profile
    (its default when None); dialect: modem.dialect (the daemon's default
    when None); trace: keep the simulator's --trace (sim.trace_text())."""

    def __init__(self, links, sim_args=(), log_level="info", firmware=None, dialect=None,
                 trace=False):
        self.links = links
        self.sim = ModemSim(firmware=firmware, args=list(sim_args), trace=trace)
        self.daemon = None
        self.monitor = None
        self.log_level = log_level
        self.modem_extra = 'dialect = "%s"; ' % dialect if dialect else ""

    def __enter__(self):
        self.sim.start()
        self.daemon = Daemon()
        for ln in self.links:
            if ln["local"] == "unix:":
                ln["local"] = "unix:" + os.path.join(self.daemon.dir, ln["name"] + ".sock")
        self.daemon.write_config(relay_config(self.sim.link, self.daemon.sock, self.links,
                                              self.log_level, modem_extra=self.modem_extra))
        self.daemon.start()
        self.monitor = Monitor(self.daemon.sock)
        wait_until(lambda: self.status()["daemon"]["monitors"] >= 1, what="monitor")
        return self

    def status(self):
        rc, out, err = self.daemon.ctl("status", json=True)
        if rc != 0:
            raise AssertionError("status failed: %s %s" % (out, err))
        return json.loads(out)

    def link(self, name):
        return next(l for l in self.status()["link"] if l["name"] == name)

    def relay(self, name):
        """The byte account of link name (accepted, sent, acked, received,
        delivered, lost_*, resent, undelivered, tx_queued, rx_queued, client,
        clients, refused): from a "relay" record, or from the link record if
        the counters are shown there. Numbers as ints."""
        st = self.status()
        rec = next((r for r in st.get("relay", []) if r.get("name") == name), None)
        if rec is None:
            rec = next((r for r in st.get("link", []) if r.get("name") == name), {})
            if "accepted" not in rec:
                raise AssertionError("status shows no byte counters for %s: %s" % (name, st))
        return {k: (int(v) if isinstance(v, str) and v.isdigit() else v)
                for k, v in rec.items()}

    def events(self, ev, since=0, **fields):
        """Monitor events named ev whose fields match (a field may be
        called name, which Monitor.find cannot take)."""
        return [e for e in self.monitor.find(ev, since)
                if all(str(e.get(k)) == str(v) for k, v in fields.items())]

    def wait_event(self, ev, since=0, timeout=20.0, **fields):
        return wait_until(lambda: self.events(ev, since, **fields), timeout=timeout,
                          what="event %s %s" % (ev, fields))[0]

    def wait_link(self, name, state, timeout=30.0):
        return wait_until(lambda: self.link(name)["state"] == state,
                          timeout=timeout, what="link %s %s" % (name, state))

    def ctl(self, *args):
        return self.daemon.ctl(*args)

    def dump(self):
        print("---- daemon log (tail)")
        print("\n".join(self.daemon.logtext().splitlines()[-80:]))
        print("---- simulator events (tail)")
        try:
            print("\n".join(self.sim.events()[-30:]))
        except Exception as e:
            print(e)

    def __exit__(self, *exc):
        if exc[0] is not None and self.daemon is not None:
            self.dump()
        if self.monitor:
            self.monitor.stop()
        if self.daemon:
            self.daemon.cleanup()
        self.sim.stop()


def rng_bytes(rng, n):
    """n bytes: every value first, then random ones."""
    head = bytes(range(256)) * (n // 256 + 1)
    if n <= 256 * 2:
        return head[:n]
    return head[:512] + bytes(rng.getrandbits(8) for _ in range(n - 512))


def fast_random(seed, n):
    """n pseudo-random bytes quickly (random.randbytes exists since 3.9)."""
    r = random.Random(seed)
    if hasattr(r, "randbytes"):
        return bytes(range(256)) + r.randbytes(max(0, n - 256)) if n > 256 else bytes(range(256))[:n]
    return rng_bytes(r, n)
