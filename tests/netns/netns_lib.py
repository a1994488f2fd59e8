"""Real packet loss for cellsock's tests: two network namespaces joined by a
veth pair, the simulator in one (its sockets bound to that end), a
probe-answering server in the other, and an nft rule in the server's
namespace that silently drops everything between them. The daemon stays in
the root namespace and talks to the simulator over its pty. Addresses exist
only inside the namespaces made here; everything is removed by close().

    pair = NetnsPair()            # after preflight() returned None
    try:
        pair.setup()
        srv = pair.start_server()
        sim = pair.sim()          # a modemsim.ModemSim inside namespace A
        ...
        pair.drop(); pair.undrop()
    finally:
        pair.close()              # processes, namespaces
"""

import json
import os
import select
import shutil
import signal
import subprocess
import sys
import threading
import time

from modemsim import ModemSim

HERE = os.path.dirname(os.path.abspath(__file__))
PREFIX = "csns-"
SERVER_PORT = 7000
TABLE = "cellsock_drop"


def run(*argv, check=True):
    """Run a command; its stdout. Raises with stderr when check and it fails."""
    p = subprocess.run(list(argv), capture_output=True, timeout=20)
    if check and p.returncode != 0:
        raise RuntimeError("%s: %s" % (" ".join(argv), p.stderr.decode(errors="replace").strip()))
    return p.stdout.decode(errors="replace")


def preflight():
    """None when namespaces, veth and nft can be used here, else the reason."""
    if os.geteuid() != 0:
        return "needs root (network namespaces and nft)"
    for tool in ("ip", "nft"):
        if shutil.which(tool) is None:
            return "`%s` is not installed" % tool
    probe = "%s%d-probe" % (PREFIX, os.getpid())
    try:
        run("ip", "netns", "add", probe)
    except (RuntimeError, OSError, subprocess.TimeoutExpired) as e:
        return "cannot create a network namespace: %s" % e
    try:
        run("ip", "netns", "exec", probe, "nft", "add", "table", "inet", TABLE)
    except (RuntimeError, OSError, subprocess.TimeoutExpired) as e:
        return "nft does not work in a network namespace: %s" % e
    finally:
        run("ip", "netns", "del", probe, check=False)
    return None


def remove_stale():
    """Delete namespaces left by earlier runs of these tests whose process is
    gone (a run killed by SIGKILL cannot clean up after itself)."""
    for line in run("ip", "netns", "list", check=False).splitlines():
        name = line.split()[0] if line.split() else ""
        if not name.startswith(PREFIX):
            continue
        try:
            pid = int(name[len(PREFIX):].split("-")[0])
            os.kill(pid, 0)
        except (ValueError, ProcessLookupError):
            run("ip", "netns", "del", name, check=False)
        except PermissionError:
            pass


def hard_deadline(seconds):
    """SIGALRM raises after seconds so that finally blocks still clean up."""
    def expired(signum, frame):
        raise TimeoutError("hard deadline of %d s passed" % seconds)
    signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)


class NetnsPair:
    """Namespaces A (simulator, .1) and B (server, .2) on a /30 of
    10.250.0.0/16, veth between them; nothing in the root namespace."""

    def __init__(self):
        pid = os.getpid()
        self.a = "%s%d-a" % (PREFIX, pid)
        self.b = "%s%d-b" % (PREFIX, pid)
        self.veth_a = "csv%da" % pid
        self.veth_b = "csv%db" % pid
        net = pid % 16384                       # a /30 block inside 10.250/16
        self.addr_a = "10.250.%d.%d" % (net // 64, (net % 64) * 4 + 1)
        self.addr_b = "10.250.%d.%d" % (net // 64, (net % 64) * 4 + 2)
        self.procs = []
        self.sims = []
        self.made = []
        self.dropping = False

    def setup(self):
        remove_stale()
        for ns in (self.a, self.b):
            run("ip", "netns", "add", ns)
            self.made.append(ns)
            run("ip", "-n", ns, "link", "set", "lo", "up")
        run("ip", "link", "add", self.veth_a, "netns", self.a, "type", "veth",
            "peer", "name", self.veth_b, "netns", self.b)
        for ns, dev, addr in ((self.a, self.veth_a, self.addr_a), (self.b, self.veth_b, self.addr_b)):
            run("ip", "-n", ns, "addr", "add", addr + "/30", "dev", dev)
            run("ip", "-n", ns, "link", "set", dev, "up")
        return self

    def exec_argv(self, ns, argv):
        return ["ip", "netns", "exec", ns] + list(argv)

    def spawn(self, ns, argv, **kw):
        """A process inside ns in its own session (killed by close())."""
        p = subprocess.Popen(self.exec_argv(ns, argv), start_new_session=True, **kw)
        self.procs.append(p)
        return p

    def start_server(self, timeout=10.0):
        """The probe-answering echo server in B; returns its port."""
        p = self.spawn(self.b, [sys.executable, os.path.join(HERE, "probe_server.py"),
                                self.addr_b, str(SERVER_PORT)],
                       stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        line = read_line(p, timeout)
        if line != "ready":
            raise RuntimeError("probe server did not start (%r)" % line)
        return SERVER_PORT

    def sim(self, args=()):
        """A started ModemSim inside A, its sockets bound to A's address."""
        sim = ModemSim(args=["--bind", self.addr_a] + list(args), trace=True)
        sim.argv = self.exec_argv(self.a, sim.argv)
        self.sims.append(sim)
        return sim.start()

    def drop(self):
        """Silently drop every packet between A and B, in B, both ways."""
        rules = ("table inet {t} {{\n"
                 " chain input {{ type filter hook input priority 0; policy accept;\n"
                 "  ip saddr {a} ip daddr {b} drop; }}\n"
                 " chain output {{ type filter hook output priority 0; policy accept;\n"
                 "  ip saddr {b} ip daddr {a} drop; }}\n"
                 "}}\n").format(t=TABLE, a=self.addr_a, b=self.addr_b)
        p = subprocess.run(self.exec_argv(self.b, ["nft", "-f", "-"]), input=rules.encode(),
                           capture_output=True, timeout=20)
        if p.returncode != 0:
            raise RuntimeError("nft: %s" % p.stderr.decode(errors="replace"))
        self.dropping = True

    def undrop(self):
        run(*self.exec_argv(self.b, ["nft", "delete", "table", "inet", TABLE]))
        self.dropping = False

    def close(self):
        """Kill what was started, stop the simulators, delete the namespaces."""
        for p in self.procs:
            if p.stdin:
                try:
                    p.stdin.close()
                except OSError:
                    pass
            if p.poll() is None:
                try:
                    os.killpg(p.pid, signal.SIGTERM)
                except (ProcessLookupError, PermissionError):
                    pass
        for p in self.procs:
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(p.pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
                p.wait()
            if p.stdout:
                p.stdout.close()
        for sim in self.sims:
            try:
                sim.stop()
            except Exception as e:          # keep cleaning up
                print("# simulator stop: %s" % e)
        for ns in self.made:
            run("ip", "netns", "del", ns, check=False)
        self.made = []


def read_line(p, timeout):
    """One line from p's stdout within timeout ("" on timeout or EOF)."""
    fd = p.stdout.fileno()
    deadline = time.monotonic() + timeout
    buf = b""
    while not buf.endswith(b"\n"):
        left = deadline - time.monotonic()
        if left <= 0:
            return ""
        r, _, _ = select.select([fd], [], [], left)
        if not r:
            return ""
        c = os.read(fd, 1)
        if not c:
            return ""
        buf += c
    return buf.decode(errors="replace").strip()


def daemon_config(sim_link, sock, links, host, port, teardown=5.0):
    """cellsockd configuration for several links to host:port. links: a list
    of (name, socket id, keepalive settings, local path or None). teardown:
    reconnect.teardown_timeout (None: the daemon's default)."""
    items = []
    for name, sid, keepalive, local in links:
        items.append("""{ name = "%s"; host = "%s"; port = %d; socket = %d;
            keepalive: { probe = "FF"; reply = "FE"; %s };
            reconnect: { min = 0.2; max = 1.0; stable = 3.0; quiet_time = 0.2; %s }; %s }"""
                     % (name, host, port, sid, keepalive,
                        ("teardown_timeout = %.1f;" % teardown) if teardown else "",
                        ('local = "unix:%s";' % local) if local else ""))
    return """modem: { device = "%s"; command_timeout = 2.0; };
network: { apn = "internet"; registration_timeout = 30.0; };
links = ( %s );
recovery: { pdp_cycle_after = 3; radio_cycle_after = 5; modem_reboot_after = 7; cooldown = 1.0; };
control: { socket = "%s"; group = ""; mode = "0660"; };
log: { level = "debug"; };
""" % (sim_link, ",\n          ".join(items), sock)


class Stream:
    """A local client writing 100 bytes every 100 ms until stopped or refused."""

    def __init__(self, c):
        self.c = c
        self.sent = 0
        self.stop = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        self.c.settimeout(1.0)
        while not self.stop:
            try:
                self.c.sendall(b"x" * 100)
                self.sent += 100
            except OSError:
                return
            time.sleep(0.1)

    def close(self):
        self.stop = True
        self.thread.join(timeout=5)
        self.c.close()


class LinkRig:
    """What the netns rigs ask of their daemon (self.daemon): its links by
    name, whether all are up and connect-checked, an echo through one."""

    def links(self):
        rc, out, err = self.daemon.ctl("status", json=True)
        if rc != 0:
            raise RuntimeError("status: %s %s" % (out, err))
        return {l["name"]: l for l in json.loads(out)["link"]}

    def ready(self):
        links = self.links()
        if any(l["state"] != "up" for l in links.values()):
            return False
        connects = sum(l["connects"] for l in links.values())
        return self.daemon.logtext().count("connect check passed") >= connects

    @staticmethod
    def echo(c, data):
        c.settimeout(10)
        c.sendall(data)
        got = b""
        while data not in got:
            chunk = c.recv(4096)
            if not chunk:
                raise RuntimeError("local endpoint closed")
            got += chunk
