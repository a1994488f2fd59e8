#!/usr/bin/env python3
"""A real client nobody on the team wrote (issue 7, item 7): Debian's
mosquitto broker as the server, on a free loopback port with its own minimal
configuration, and mosquitto_sub / mosquitto_pub through two links' local
endpoints (tcp and unix). MQTT's own keepalive (PINGREQ/PINGRESP) flows
through the link; a forced reconnect of the subscriber's link closes its
local connection (transparent session), mosquitto_sub reconnects by itself,
and messages, one of them binary, keep arriving. SKIPs without mosquitto."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback

import dialects
from cellsock_harness import CELLSOCKCTL, CELLSOCKD, Checker, skip, wait_until
from modemsim import sim_binary
from relay_util import RelayRig

t = Checker("relay-mqtt")
MOSQUITTO = shutil.which("mosquitto") or ("/usr/sbin/mosquitto"
                                           if os.access("/usr/sbin/mosquitto", os.X_OK) else None)
MOSQUITTO_SUB = shutil.which("mosquitto_sub")
MOSQUITTO_PUB = shutil.which("mosquitto_pub")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Broker:
    """mosquitto on 127.0.0.1:port with a private configuration."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="relay-mqtt-")
        self.port = free_port()
        self.conf = os.path.join(self.dir, "mosquitto.conf")
        self.log = os.path.join(self.dir, "mosquitto.log")
        with open(self.conf, "w") as f:
            f.write("listener %d 127.0.0.1\nallow_anonymous true\npersistence false\n"
                    "log_dest stderr\nlog_type all\nconnection_messages true\n" % self.port)
        logf = open(self.log, "wb")
        self.proc = subprocess.Popen([MOSQUITTO, "-c", self.conf], stdout=logf,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        logf.close()

        def up():
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return True
            except OSError:
                return self.proc.poll() is not None
        wait_until(up, timeout=10, what="mosquitto to listen")
        if self.proc.poll() is not None:
            raise AssertionError("mosquitto exited: %s" % self.logtext())

    def logtext(self):
        with open(self.log, errors="replace") as f:
            return f.read()

    def stop(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


class Subscriber:
    """mosquitto_sub printing every payload as hex, one line each."""

    def __init__(self, port, topic):
        self.lines = []
        self.lock = threading.Lock()
        self.proc = subprocess.Popen([MOSQUITTO_SUB, "-h", "127.0.0.1", "-p", str(port),
                                      "-t", topic, "-q", "1", "-k", "5", "-i", "relay-sub",
                                      "-F", "%x"],
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        threading.Thread(target=self._read, daemon=True).start()

    def output(self):
        with self.lock:
            return "\n".join(self.lines)

    def _read(self):
        for line in self.proc.stdout:
            with self.lock:
                self.lines.append(line.decode(errors="replace").strip())

    def got(self, payload):
        with self.lock:
            return payload.hex() in self.lines

    def stop(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


def publish(pub_path, topic, payload, tmpdir):
    f = os.path.join(tmpdir, "payload")
    with open(f, "wb") as out:
        out.write(payload)
    p = subprocess.run([MOSQUITTO_PUB, "--unix", pub_path, "-t", topic, "-q", "1",
                        "-f", f], capture_output=True, timeout=40)
    return p.returncode, p.stdout.decode(errors="replace") + p.stderr.decode(errors="replace")


def main():
    dialects.run_per_dialect()
    if not (MOSQUITTO and MOSQUITTO_SUB and MOSQUITTO_PUB):
        skip("mosquitto and mosquitto-clients are not installed")
    for exe in (CELLSOCKD, CELLSOCKCTL, sim_binary()):
        if not os.access(exe, os.X_OK):
            skip("not built: %s" % exe)
    signal.alarm(170)
    broker = Broker()
    sub = None
    tmp = tempfile.mkdtemp(prefix="relay-mqtt-pub-")
    sub_port = free_port()
    links = [dict(name="sub", port=broker.port, socket=1, local="tcp:127.0.0.1:%d" % sub_port),
             dict(name="pub", port=broker.port, socket=2, local="unix:")]
    try:
        with RelayRig(links) as r:
            r.wait_link("sub", "up")
            r.wait_link("pub", "up")
            sub = Subscriber(sub_port, "relay/test")
            wait_until(lambda: "relay-sub" in broker.logtext(), timeout=20,
                       what="the subscriber to reach the broker")
            pub_path = links[1]["local"][5:]

            # the subscription is in place once a message gets through
            def delivered(payload):
                rc, out = publish(pub_path, "relay/test", payload, tmp)
                if rc != 0:
                    print("mosquitto_pub: %s" % out)
                    return False
                try:
                    wait_until(lambda: sub.got(payload), timeout=5, what="the message")
                    return True
                except AssertionError:
                    return False
            t.check(wait_until(lambda: delivered(b"msg-1"), timeout=40, interval=0.5,
                               what="msg-1"), "mosquitto_pub -> link -> broker -> link -> "
                    "mosquitto_sub: msg-1")

            # MQTT keepalive (5 s): PINGREQ/PINGRESP flow while nothing else does
            a0 = r.relay("sub")
            wait_until(lambda: r.relay("sub")["accepted"] >= a0["accepted"] + 4 and
                       r.relay("sub")["delivered"] >= a0["delivered"] + 4, timeout=20,
                       what="two keepalive exchanges")
            t.check(sub.proc.poll() is None, "MQTT keepalive flows through the link "
                    "(PINGREQ/PINGRESP counted), the subscriber stays connected")

            # a forced reconnect of the subscriber's link
            clients = r.relay("sub")["clients"]
            mark = r.monitor.mark()
            rc, out, err = r.ctl("reconnect", "sub")
            t.check(rc == 0, "cellsockctl reconnect sub")
            r.wait_event("link-state", since=mark, name="sub", state="up", timeout=30)
            wait_until(lambda: r.relay("sub")["clients"] > clients, timeout=30,
                       what="mosquitto_sub to reconnect")
            t.check(True, "mosquitto_sub reconnected by itself after its local connection "
                    "was closed")
            blob = bytes(range(256))
            t.check(wait_until(lambda: delivered(blob), timeout=40, interval=0.5,
                               what="the binary message"),
                    "after the reconnect a binary message (all 256 values) arrives")
            t.check(wait_until(lambda: delivered(b"msg-3"), timeout=40, interval=0.5,
                               what="msg-3"), "and the next one")
            t.check(sub.proc.poll() is None, "the subscriber is still running")
    except Exception:
        t.check(False, "raised:\n" + traceback.format_exc())
        print("---- mosquitto log (tail)\n" + "\n".join(broker.logtext().splitlines()[-40:]))
        if sub is not None:
            print("---- mosquitto_sub output\n" + sub.output()[-2000:])
    finally:
        if sub is not None:
            sub.stop()
        broker.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    return t.finish()


if __name__ == "__main__":
    sys.exit(main())
