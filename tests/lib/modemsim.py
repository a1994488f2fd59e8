"""Drive cellsock-modemsim from tests (stdlib only).

    from modemsim import ModemSim, TcpServer, connect_socket, deadline, check_eq

    deadline(60)                                   # hard limit for the test
    with TcpServer() as srv, ModemSim(firmware="he910-12.00.004",
                                      baud=115200) as sim:
        port = sim.open_port()                     # raw, non-blocking Port on sim.link
        port.at("AT+CGMR")                         # Response(lines=['12.00.004'], final='OK')
        connect_socket(port, srv.port)             # ATE0 ... #SGACT, #SD (command mode)
        conn = srv.accept()                        # ServerConn
        port.send_ext(1, b"\x00\xff")             # AT#SSENDEXT with the exact bytes
        conn.send(b"hi"); port.read_until(b"SRING: 1\r\n"); port.srecv(1)
        sim.control("drop 1")                      # a fault; ModemSimError on ERR
        sim.state()["jammed"], sim.sockets()[1]["ack_waiting"]
        sim.wait_state("registered", "1")          # poll with a deadline
        sim.wait_event(r"stack jammed")            # the event log ("events")
        sim.control("reboot 500"); sim.next_pty()  # the new pty path from stdout

ModemSim(firmware=None, baud=None, args=(), reg_delay=0, sgact_delay=0,
trace=True) starts the simulator (firmware None: the simulator's default, or
in a suite's run of one dialect that dialect's profile: see dialects.py) in
its own session with --link, --control and --trace in a private temporary
directory (.workdir; .link, .control_path,
.trace_path, .stderr_path), reads the pty path from the first stdout line
(.pty; every path printed so far in .ptys), and stop() sends SIGTERM, waits,
kills the process group if needed, closes the ports it opened and removes the
directory. Used as a context manager it also fails the test when the
simulator did not exit with 0 or a sanitizer reported anything. Note the test
defaults: registration and #SGACT are immediate (reg_delay=0,
sgact_delay=0); pass other values to see the real delays.

Other helpers: sim.try_control(line) -> (ok, lines, terminal line),
sim.events(n), sim.trace_text(), sim.received(since), sim.stderr_text(), sim.dump(file);
Port.write/read_until/read_exact/read_available/expect_line/at/at_ok/prompt/
send_ext/srecv; Response.lines/.final/.raw/.ok/.find(prefix); TcpServer (a
loopback listener: .port, accept(timeout) -> ServerConn with send,
recv_exact, recv_some, wait_eof); wait_for(pred, timeout); skip(reason)
exits 77; check/check_eq raise AssertionError. The binary is $MODEMSIM, else
$top_builddir/src/modemsim/cellsock-modemsim.
"""

import os
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import termios
import time

SANITIZER_RE = re.compile(r"ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:")
FINAL_RE = re.compile(rb"\r\n(OK|ERROR|\+CME ERROR: [^\r\n]*|CONNECT|NO CARRIER[^\r\n]*)\r\n")


class ModemSimError(Exception):
    """The simulator failed, refused a control command, or a wait timed out."""


def skip(reason):
    """End the test as SKIP (exit status 77) with a reason."""
    print("SKIP: " + reason)
    sys.stdout.flush()
    sys.exit(77)


def deadline(seconds):
    """A hard deadline for the whole test: SIGALRM raises ModemSimError so
    that the finally/with blocks still clean up."""
    def expired(signum, frame):
        raise ModemSimError("test deadline of %ds passed" % seconds)
    signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)


def check(cond, msg):
    """Fail the test with msg unless cond."""
    if not cond:
        raise AssertionError(msg)


def check_eq(got, want, what):
    if got != want:
        raise AssertionError("%s: got %r, want %r" % (what, got, want))


def sim_binary():
    """The simulator to test: $MODEMSIM, else $top_builddir/src/modemsim/..."""
    if os.environ.get("MODEMSIM"):
        return os.environ["MODEMSIM"]
    top = os.environ.get("top_builddir", ".")
    return os.path.join(top, "src", "modemsim", "cellsock-modemsim")


def wait_for(pred, timeout=5.0, interval=0.02, what="condition"):
    """Poll pred() until it returns a true value (returned) or time runs out."""
    deadline = time.monotonic() + timeout
    while True:
        value = pred()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise ModemSimError("timed out after %.1fs waiting for %s" % (timeout, what))
        time.sleep(interval)


class Response:
    """An AT command's answer: information lines (echo and blanks removed),
    the final result code, and every byte read."""

    def __init__(self, lines, final, raw):
        self.lines = lines
        self.final = final
        self.raw = raw

    @property
    def ok(self):
        return self.final == "OK"

    def find(self, prefix):
        """The first line starting with prefix (URCs may be mixed in), or None."""
        return next((l for l in self.lines if l.startswith(prefix)), None)

    def __repr__(self):
        return "Response(%r, %r)" % (self.lines, self.final)


class Port:
    """The host side of the serial port: raw, non-blocking, with deadlines."""

    def __init__(self, path, timeout=5.0):
        self.path = path
        self.timeout = timeout
        self.buf = b""
        self.fd = os.open(path, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
        attrs = termios.tcgetattr(self.fd)
        attrs[0] = 0                               # iflag
        attrs[1] = 0                               # oflag
        attrs[2] = termios.CS8 | termios.CREAD | termios.CLOCAL
        attrs[3] = 0                               # lflag: no echo, not canonical
        termios.tcsetattr(self.fd, termios.TCSANOW, attrs)

    def close(self):
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def write(self, data):
        """Write all of data (bytes or str), waiting while the pty is full."""
        if isinstance(data, str):
            data = data.encode("latin-1")
        deadline = time.monotonic() + self.timeout
        while data:
            try:
                n = os.write(self.fd, data)
                data = data[n:]
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise ModemSimError("write to %s timed out" % self.path)
                select.select([], [self.fd], [], 0.05)

    def _fill(self, deadline):
        """Read what is available, waiting until deadline. False on timeout.
        Raises EOFError when the simulator closed the pty (reboot, exit)."""
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        r, _, _ = select.select([self.fd], [], [], left)
        if not r:
            return False
        try:
            data = os.read(self.fd, 65536)
        except BlockingIOError:
            return True
        except OSError as e:
            raise EOFError("%s: %s" % (self.path, e))
        if not data:
            raise EOFError("%s: end of file" % self.path)
        self.buf += data
        return True

    def read_until(self, pattern, timeout=None):
        """Bytes up to and including the first match of pattern (bytes or
        compiled regex); the rest stays buffered. Raises on timeout."""
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while True:
            if isinstance(pattern, bytes):
                i = self.buf.find(pattern)
                end = i + len(pattern) if i >= 0 else -1
            else:
                m = pattern.search(self.buf)
                end = m.end() if m else -1
            if end >= 0:
                out, self.buf = self.buf[:end], self.buf[end:]
                return out
            if not self._fill(deadline):
                raise ModemSimError("timed out waiting for %r; have %r" % (pattern, self.buf[-300:]))

    def read_exact(self, n, timeout=None):
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while len(self.buf) < n:
            if not self._fill(deadline):
                raise ModemSimError("timed out reading %d bytes; have %d" % (n, len(self.buf)))
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def read_available(self, timeout=0.0):
        """Whatever arrives within timeout (possibly nothing)."""
        deadline = time.monotonic() + timeout
        try:
            while self._fill(deadline):
                pass
        except EOFError:
            pass
        out, self.buf = self.buf, b""
        return out

    def expect_line(self, regex, timeout=None):
        """Read CRLF-separated lines until one matches regex (str); returns the
        match. Lines before it are discarded."""
        rx = re.compile(regex)
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while True:
            line = self.read_until(b"\r\n", max(0.001, deadline - time.monotonic()))
            text = line[:-2].decode("latin-1").lstrip("\r")
            m = rx.search(text)
            if m:
                return m

    def at(self, cmd, timeout=None, final_re=FINAL_RE):
        """Send an AT command line, read to its final result code."""
        self.write(cmd + "\r")
        raw = self.read_until(final_re, timeout)
        m = list(final_re.finditer(raw))[-1]
        body = raw[:m.start()]
        lines = []
        for part in body.split(b"\r\n"):
            text = part.decode("latin-1").strip("\r")
            if text == "" or text == cmd:
                continue
            lines.append(text)
        return Response(lines, m.group(1).decode("latin-1"), raw)

    def at_ok(self, cmd, timeout=None):
        """at(), raising unless the result is OK. Returns the info lines."""
        r = self.at(cmd, timeout)
        if r.final != "OK":
            raise ModemSimError("%s -> %r" % (cmd, r))
        return r.lines

    def prompt(self, cmd, timeout=None):
        """Send a #SSEND/#SSENDEXT command and wait for the "> " prompt."""
        self.write(cmd + "\r")
        return self.read_until(b"> ", timeout)

    def send_ext(self, sock_id, data, timeout=None):
        """AT#SSENDEXT: the prompt, exactly len(data) raw bytes, then OK."""
        self.prompt("AT#SSENDEXT=%d,%d" % (sock_id, len(data)), timeout)
        self.write(data)
        raw = self.read_until(FINAL_RE, timeout)
        final = list(FINAL_RE.finditer(raw))[-1].group(1).decode()
        if final != "OK":
            raise ModemSimError("#SSENDEXT -> %s" % final)

    def srecv(self, sock_id, maxbytes=1500, timeout=None):
        """AT#SRECV: returns the payload bytes (b"" when the module answers
        an error because nothing is buffered)."""
        self.write("AT#SRECV=%d,%d\r" % (sock_id, maxbytes))
        rx = re.compile(rb"#SRECV: %d,(\d+)\r\n|\r\n(ERROR|\+CME ERROR: [^\r]*)\r\n" % sock_id)
        head = self.read_until(rx, timeout)
        m = rx.search(head)
        if m.group(2):
            return b""
        data = self.read_exact(int(m.group(1)), timeout)
        self.read_until(b"\r\n\r\nOK\r\n", timeout)
        return data


class ModemSim:
    """One simulator process with its own link, control socket and trace."""

    def __init__(self, firmware=None, baud=None, args=(), reg_delay=0, sgact_delay=0,
                 trace=True, binary=None, start_timeout=10.0):
        self.binary = binary or sim_binary()
        self.workdir = tempfile.mkdtemp(prefix="modemsim-")
        self.link = os.path.join(self.workdir, "tty")
        self.control_path = os.path.join(self.workdir, "control.sock")
        self.trace_path = os.path.join(self.workdir, "trace.log") if trace else None
        self.stderr_path = os.path.join(self.workdir, "stderr.log")
        self.argv = [self.binary, "--link", self.link, "--control", self.control_path,
                     "--reg-delay", str(reg_delay), "--sgact-delay", str(sgact_delay)]
        if firmware is None and os.environ.get("CELLSOCK_DIALECT"):
            import dialects     # a suite's run of one dialect (tests/lib/dialects.py)
            firmware = dialects.default_firmware()
        self.firmware = firmware
        if firmware:
            self.argv += ["--firmware", firmware]
        if baud:
            self.argv += ["--baud", str(baud)]
        if trace:
            self.argv += ["--trace", self.trace_path]
        self.argv += list(args)
        self.start_timeout = start_timeout
        self.proc = None
        self.pty = None
        self.ptys = []
        self._out = b""
        self.ports = []
        self.final_stderr = ""

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        if exc[0] is not None:
            self.dump(sys.stderr)
        rc = self.stop()
        if exc[0] is None:
            self.check_clean(rc)

    def check_clean(self, rc):
        """Raise if the simulator crashed or a sanitizer reported anything."""
        if SANITIZER_RE.search(self.final_stderr):
            raise ModemSimError("sanitizer report:\n" + self.final_stderr[-6000:])
        if rc not in (0, None):
            raise ModemSimError("simulator exited with status %s:\n%s"
                                % (rc, self.final_stderr[-3000:]))

    def start(self):
        if not os.access(self.binary, os.X_OK):
            raise ModemSimError("simulator not built: %s" % self.binary)
        self._stderr = open(self.stderr_path, "wb")
        self.proc = subprocess.Popen(self.argv, stdout=subprocess.PIPE, stderr=self._stderr,
                                     stdin=subprocess.DEVNULL, start_new_session=True)
        os.set_blocking(self.proc.stdout.fileno(), False)
        self.pty = self.next_pty(self.start_timeout)
        wait_for(lambda: os.path.exists(self.control_path), self.start_timeout,
                 what="the control socket")
        return self

    def next_pty(self, timeout=10.0):
        """The next pty path the simulator prints (at start, after a reboot)."""
        deadline = time.monotonic() + timeout
        while b"\n" not in self._out:
            if self.proc.poll() is not None:
                raise ModemSimError("simulator exited with %s: %s" % (self.proc.returncode,
                                                                     self.stderr_text()))
            left = deadline - time.monotonic()
            if left <= 0:
                raise ModemSimError("no pty path on stdout within %.1fs" % timeout)
            r, _, _ = select.select([self.proc.stdout], [], [], min(left, 0.1))
            if r:
                chunk = self.proc.stdout.read()
                if chunk:
                    self._out += chunk
        line, self._out = self._out.split(b"\n", 1)
        path = line.decode().strip()
        self.ptys.append(path)
        return path

    def stderr_text(self):
        try:
            with open(self.stderr_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def trace_text(self):
        if not self.trace_path:
            return ""
        with open(self.trace_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def received(self, since=0):
        """What the module received on every port, in order, as one escaped
        text (the trace's "rx" lines from offset since, joined): a command
        split over two reads is found whole."""
        out = []
        for line in self.trace_text()[since:].splitlines():
            parts = line.split(" ", 1)
            if len(parts) == 2 and parts[1][:4].strip().startswith("rx"):
                out.append(parts[1][5:])
        return "".join(out)

    def dump(self, out):
        """Print stderr and the tail of the trace (for a failing test)."""
        out.write("---- modemsim stderr ----\n%s\n" % self.stderr_text()[-6000:])
        if self.trace_path and os.path.exists(self.trace_path):
            out.write("---- modemsim trace (tail) ----\n%s\n" % self.trace_text()[-6000:])

    def open_port(self, path=None, timeout=5.0):
        """Open the port (the link by default); closed again by stop()."""
        port = Port(path or self.link, timeout)
        self.ports.append(port)
        return port

    def try_control(self, line, timeout=5.0):
        """(ok, reply lines, terminal line) for one control request."""
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(timeout)
        try:
            s.connect(self.control_path)
            s.sendall(line.encode() + b"\n")
            data = b""
            deadline = time.monotonic() + timeout
            while True:
                lines = data.split(b"\n")
                for i, l in enumerate(lines[:-1]):
                    if l == b"OK" or l.startswith(b"ERR "):
                        body = [x.decode() for x in lines[:i]]
                        return l == b"OK", body, l.decode()
                if time.monotonic() >= deadline:
                    raise ModemSimError("control %r: no terminal line" % line)
                chunk = s.recv(65536)
                if not chunk:
                    raise ModemSimError("control %r: connection closed" % line)
                data += chunk
        finally:
            s.close()

    def control(self, line, timeout=5.0):
        """Run a control command; its reply lines. Raises on ERR."""
        ok, body, last = self.try_control(line, timeout)
        if not ok:
            raise ModemSimError("control %r: %s" % (line, last))
        return body

    def state(self):
        return dict(l.split("=", 1) for l in self.control("state"))

    def sockets(self):
        """{id: {"state": "2", "sent": ..., ...}} from the "sockets" command."""
        out = {}
        for line in self.control("sockets"):
            fields = dict(f.split("=", 1) for f in line.split())
            out[int(fields["id"])] = fields
        return out

    def events(self, n=None):
        return self.control("events" if n is None else "events %d" % n)

    def wait_state(self, key, value, timeout=5.0):
        return wait_for(lambda: self.state().get(key) == str(value), timeout,
                        what="state %s=%s" % (key, value))

    def wait_event(self, regex, timeout=5.0):
        rx = re.compile(regex)
        return wait_for(lambda: next((e for e in self.events() if rx.search(e)), None),
                        timeout, what="event /%s/" % regex)

    def stop(self, timeout=5.0):
        """SIGTERM, wait, then kill the group; remove the work directory.
        Returns the exit status."""
        for port in self.ports:
            port.close()
        rc = None
        if self.proc is not None:
            if self.proc.poll() is None:
                self.proc.send_signal(signal.SIGTERM)
                try:
                    rc = self.proc.wait(timeout)
                except subprocess.TimeoutExpired:
                    pass
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            if rc is None:
                rc = self.proc.wait()
            self.proc.stdout.close()
            self._stderr.close()
            self.proc = None
        self.final_stderr = self.stderr_text()
        shutil.rmtree(self.workdir, ignore_errors=True)
        return rc


class ServerConn:
    """One accepted connection of TcpServer (blocking, with deadlines)."""

    def __init__(self, sock, addr):
        self.sock = sock
        self.addr = addr

    def send(self, data):
        self.sock.sendall(data)

    def recv_exact(self, n, timeout=5.0):
        deadline = time.monotonic() + timeout
        out = b""
        while len(out) < n:
            left = deadline - time.monotonic()
            if left <= 0:
                raise ModemSimError("server: timed out, %d of %d bytes" % (len(out), n))
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(n - len(out))
            except socket.timeout:
                continue
            if not chunk:
                raise ModemSimError("server: EOF after %d of %d bytes" % (len(out), n))
            out += chunk
        return out

    def recv_some(self, timeout=5.0):
        """Bytes available within timeout; b"" on EOF; None on timeout."""
        self.sock.settimeout(timeout)
        try:
            return self.sock.recv(65536)
        except socket.timeout:
            return None

    def wait_eof(self, timeout=5.0):
        """True when the peer closes (after discarding data), False on timeout."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                data = self.recv_some(max(0.001, deadline - time.monotonic()))
            except ConnectionResetError:
                return True
            if data == b"":
                return True
        return False

    def close(self):
        self.sock.close()


class TcpServer:
    """A listening TCP socket on loopback; accept() with a deadline."""

    def __init__(self, host="127.0.0.1"):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((host, 0))
        self.sock.listen(16)
        self.host = host
        self.port = self.sock.getsockname()[1]
        self.conns = []

    def accept(self, timeout=5.0):
        self.sock.settimeout(timeout)
        try:
            s, addr = self.sock.accept()
        except socket.timeout:
            raise ModemSimError("server: no connection within %.1fs" % timeout)
        s.setblocking(True)
        conn = ServerConn(s, addr)
        self.conns.append(conn)
        return conn

    def close(self):
        for c in self.conns:
            c.close()
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def connect_socket(port, tcp_port, sock_id=1, conn_mode=1, cid=1, apn="internet", host="127.0.0.1"):
    """The usual bring-up on an opened Port: echo off, numeric errors, context,
    socket configuration, #SGACT, #SD in command (1) or online (0) mode."""
    port.at_ok("ATE0")
    port.at_ok("AT+CMEE=1")
    port.at_ok('AT+CGDCONT=%d,"IP","%s"' % (cid, apn))
    port.at_ok("AT#SCFG=%d,%d,300,0,600,50" % (sock_id, cid))
    r = port.at("AT#SGACT=%d,1" % cid)
    if r.final not in ("OK", "+CME ERROR: 553"):
        raise ModemSimError("#SGACT -> %r" % r)
    r = port.at('AT#SD=%d,0,%d,"%s",0,0,%d' % (sock_id, tcp_port, host, conn_mode))
    want = "OK" if conn_mode == 1 else "CONNECT"
    if r.final != want:
        raise ModemSimError("#SD -> %r" % r)
    return r


def connect_socket_quectel(port, tcp_port, sock_id=1, cid=1, apn="internet", host="127.0.0.1"):
    """The same on a Quectel profile: echo off, context with +QICSGP and
    +QIACT, +QIOPEN in buffer access mode; returns the +QIOPEN URC line."""
    port.at_ok("ATE0")
    port.at_ok("AT+CMEE=1")
    port.at_ok('AT+QICSGP=%d,1,"%s","","",1' % (cid, apn))
    if cid not in [int(l.split(":")[1].split(",")[0]) for l in port.at_ok("AT+QIACT?")]:
        port.at_ok("AT+QIACT=%d" % cid)
    port.at_ok('AT+QIOPEN=%d,%d,"TCP","%s",%d,0,0' % (cid, sock_id, host, tcp_port))
    m = port.expect_line(r"^\+QIOPEN: %d,(\d+)$" % sock_id, timeout=10)
    if m.group(1) != "0":
        raise ModemSimError("+QIOPEN -> %s" % m.group(0))
    return m.group(0)
