"""A test rig for the supervisor: the simulator, a loopback TCP server and
cellsockd wired together, plus a monitor that collects the daemon's events.
Everything waits on events or polled state with deadlines."""

import json
import os
import subprocess
import threading
import time

from cellsock_harness import CELLSOCKCTL, Daemon, wait_until
from modemsim import ModemSim, TcpServer


RECOVERY = "pdp_cycle_after = 3; radio_cycle_after = 5; modem_reboot_after = 7; cooldown = 1.0;"


def link_config(sim_link, port, sock, extra_link="", extra_top="", keepalive="", name="server",
                recovery=RECOVERY, modem="", network=""):
    return """modem: { device = "%s"; command_timeout = 1.0; %s };
network: { apn = "internet"; registration_timeout = 30.0; %s };
links = ( { name = "%s"; host = "127.0.0.1"; port = %d; socket = 1;
            keepalive: { probe = "FF"; ack_timeout = 2.0; %s };
            reconnect: { min = 0.2; max = 2.0; stable = 3.0; quiet_time = 0.2;
                         teardown_timeout = 5.0; }; %s } );
recovery: { %s };
control: { socket = "%s"; group = ""; mode = "0660"; };
log: { level = "debug"; };
%s""" % (sim_link, modem, network, name, port, keepalive, extra_link, recovery, sock, extra_top)


class Monitor:
    """Collects `cellsockctl -j monitor` events in a thread."""

    def __init__(self, sock):
        self.events = []
        self.lock = threading.Lock()
        self.proc = subprocess.Popen([CELLSOCKCTL, "-s", sock, "-j", "monitor"],
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                     bufsize=0, start_new_session=True)
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        for line in self.proc.stdout:
            try:
                ev = json.loads(line)
            except ValueError:
                continue
            ev["_t"] = time.monotonic()
            with self.lock:
                self.events.append(ev)

    def find(self, name, since=0, **fields):
        with self.lock:
            evs = list(self.events[since:])
        return [e for e in evs if e.get("event") == name and
                all(str(e.get(k)) == str(v) for k, v in fields.items())]

    def mark(self):
        with self.lock:
            return len(self.events)

    def wait(self, name, since=0, timeout=20.0, **fields):
        return wait_until(lambda: self.find(name, since, **fields), timeout=timeout,
                          what="event %s %s" % (name, fields))[0]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
        self.proc.wait(timeout=5)


class Rig:
    """sim + server + daemon + monitor; use as a context manager."""

    def __init__(self, firmware=None, sim_args=(), extra_link="", extra_top="", keepalive="",
                 start_daemon=True, recovery=RECOVERY, modem="", network=""):
        self.sim = ModemSim(firmware=firmware, args=list(sim_args), trace=True)
        self.server = None
        self.daemon = None
        self.monitor = None
        self.extra = (extra_link, extra_top, keepalive)
        self.recovery = recovery
        self.groups = {"modem": modem, "network": network}
        self.start_daemon = start_daemon

    def __enter__(self):
        self.sim.start()
        self.server = TcpServer()
        if self.start_daemon:
            self.start()
        return self

    def start(self):
        self.daemon = Daemon()
        self.daemon.write_config(link_config(self.sim.link, self.server.port, self.daemon.sock,
                                             *self.extra, recovery=self.recovery,
                                             **self.groups))
        self.daemon.start()
        self.monitor = Monitor(self.daemon.sock)
        wait_until(lambda: self.status()["daemon"]["monitors"] >= 1, what="monitor")
        return self

    def status(self):
        rc, out, err = self.daemon.ctl("status", json=True)
        if rc != 0:
            raise AssertionError("status failed: %s %s" % (out, err))
        return json.loads(out)

    def link(self):
        return self.status()["link"][0]

    def wait_link(self, state, timeout=20.0):
        return wait_until(lambda: self.link()["state"] == state and self.link(),
                          timeout=timeout, what="link %s" % state)

    def ctl(self, *args):
        return self.daemon.ctl(*args)

    def dump(self):
        print("---- daemon log (tail)")
        print("\n".join(self.daemon.logtext().splitlines()[-60:]))
        print("---- simulator events (tail)")
        try:
            print("\n".join(self.sim.events()[-30:]))
        except Exception as e:  # the simulator may be gone
            print(e)

    def __exit__(self, *exc):
        if exc[0] is not None and self.daemon is not None:
            self.dump()
        if self.monitor:
            self.monitor.stop()
        if self.daemon:
            self.daemon.cleanup()
        if self.server:
            self.server.close()
        self.sim.stop()
