"""Shared helpers for cellsock's black-box tests: start the real daemon on a
private socket, talk to it with the real cellsockctl, wait on events with
deadlines (never fixed sleeps), and clean up everything that was made."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

TOP_BUILDDIR = os.environ.get("top_builddir", os.getcwd())
TOP_SRCDIR = os.environ.get("top_srcdir", os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CELLSOCKD = os.path.join(TOP_BUILDDIR, "src/daemon/cellsockd")
CELLSOCKCTL = os.path.join(TOP_BUILDDIR, "src/ctl/cellsockctl")
MODEMSIM = os.path.join(TOP_BUILDDIR, "src/modemsim/cellsock-modemsim")

SKIP = 77


def skip(reason):
    print("SKIP: " + reason)
    sys.exit(SKIP)


class Deadline(BaseException):
    """The test's hard deadline passed (not an Exception: nothing swallows it)."""


def deadline(seconds):
    """A hard deadline for the whole test: SIGALRM raises Deadline."""
    def expired(signum, frame):
        raise Deadline("test deadline of %ds passed" % seconds)
    signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)


def wait_until(predicate, timeout=10.0, interval=0.02, what="condition"):
    """Poll predicate until it returns a true value or the deadline passes."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("timed out after %.1fs waiting for %s" % (timeout, what))
        time.sleep(interval)


class Checker:
    """Counts checks and prints a closing 'N passed, N failed' line."""

    def __init__(self, name):
        self.name = name
        self.passed = 0
        self.failed = 0

    def check(self, cond, what):
        if cond:
            self.passed += 1
            print("ok - " + what)
        else:
            self.failed += 1
            print("not ok - " + what)
        return cond

    def scenario(self, fn):
        """Decorator: run fn as one scenario; an exception is a failed check
        carrying its traceback, and the next scenario still runs."""
        import traceback

        def run():
            try:
                fn()
            except Exception:
                self.check(False, "%s raised:\n%s" % (fn.__name__, traceback.format_exc()))
        run.__name__ = fn.__name__
        return run

    def run_with_simulator(self, scenarios):
        """Skip unless the daemon and the simulator are built; run the
        scenarios named on the command line (all by default), timing each;
        return the exit status."""
        from modemsim import sim_binary
        if not os.path.exists(CELLSOCKD):
            skip("cellsockd not built")
        try:
            sim_binary()
        except Exception as e:
            skip(str(e))
        only = sys.argv[1:]
        for sc in scenarios:
            if only and sc.__name__ not in only:
                continue
            start = time.monotonic()
            sc()
            print("# %s: %.1f s" % (sc.__name__, time.monotonic() - start))
        return self.finish()

    def finish(self):
        print("%s: %d passed, %d failed" % (self.name, self.passed, self.failed))
        return 1 if self.failed else 0


def minimal_config(sock, links=1, extra=""):
    """A small valid configuration text for tests."""
    parts = []
    for i in range(links):
        parts.append('{ name = "link%d"; host = "127.0.0.1"; port = %d; socket = %d; }'
                     % (i + 1, 40000 + i, i + 1))
    return ('modem: { device = "/dev/null"; };\n'
            'links = ( %s );\n'
            'control: { socket = "%s"; group = ""; mode = "0660"; };\n'
            'log: { level = "info"; };\n%s' % (",\n ".join(parts), sock, extra))


class Daemon:
    """A cellsockd process in its own temporary directory."""

    def __init__(self, config_text=None, links=1, env=None, args=()):
        self.dir = tempfile.mkdtemp(prefix="cellsock-test-")
        self.sock = os.path.join(self.dir, "control.sock")
        self.conf = os.path.join(self.dir, "cellsockd.conf")
        self.log = os.path.join(self.dir, "cellsockd.log")
        self.write_config(config_text or minimal_config(self.sock, links))
        self.env = dict(os.environ)
        self.env.pop("NOTIFY_SOCKET", None)
        self.env.pop("LISTEN_FDS", None)
        self.env.update(env or {})
        self.args = list(args)
        self.proc = None

    def write_config(self, text):
        with open(self.conf, "w") as f:
            f.write(text)

    def start(self, wait=True, preexec_fn=None, pass_fds=(), argv=None):
        logf = open(self.log, "ab")
        cmd = argv or [CELLSOCKD, "-d", "-f", self.conf, "-s", self.sock] + self.args
        self.proc = subprocess.Popen(cmd, stdout=logf, stderr=subprocess.STDOUT, env=self.env,
                                     preexec_fn=preexec_fn, pass_fds=pass_fds,
                                     start_new_session=True)
        logf.close()
        if wait:
            wait_until(lambda: self.ctl("status")[0] == 0 or self.proc.poll() is not None,
                       timeout=10, what="the daemon to answer")
            if self.proc.poll() is not None:
                raise AssertionError("cellsockd exited with %s:\n%s" % (self.proc.returncode, self.logtext()))
        return self

    def ctl(self, *args, json=False, timeout=10, input=None, sock=None, preexec_fn=None):
        """Run cellsockctl; returns (exit status, stdout, stderr)."""
        cmd = [CELLSOCKCTL, "-s", sock or self.sock] + (["-j"] if json else []) + list(args)
        p = subprocess.run(cmd, capture_output=True, timeout=timeout, input=input,
                           preexec_fn=preexec_fn)
        return p.returncode, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")

    def logtext(self):
        try:
            with open(self.log, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def signal(self, sig):
        self.proc.send_signal(sig)

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout=10):
        """SIGTERM and wait; returns the exit status (None if it had to be killed)."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
                return None
        return self.proc.returncode

    def cleanup(self):
        try:
            self.stop()
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.cleanup()


def raw_client(path, timeout=5.0):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.connect(path)
    return s


def read_reply(s, timeout=5.0):
    """Read until a terminal OK/ERR line or EOF; returns the text."""
    s.settimeout(timeout)
    data = b""
    while True:
        try:
            chunk = s.recv(65536)
        except socket.timeout:
            break
        if not chunk:
            break
        data += chunk
        lines = data.decode(errors="replace").split("\n")
        if any(l == "OK" or l.startswith("ERR ") for l in lines[:-1]):
            break
    return data.decode(errors="replace")
