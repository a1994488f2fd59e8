#!/usr/bin/env python3
"""cellsock-modemsim: seed 000 end to end, driven by pppd's chat(8).

The field firmware reconnects "on top of" an open socket with the same
sequence every time: AT#SH, wait 1 s, AT+CGDCONT, AT#SCFG, AT#SGACT, AT#SD,
then the server speaks first and the device answers. On HE910 12.00.004 this
jams within about four reconnects; on 12.00.006 it does not. This is the
baseline the daemon must beat."""

import os
import shutil
import subprocess
import threading

from modemsim import ModemSim, ModemSimError, TcpServer, check, check_eq, deadline, skip

ATTEMPTS = 6


def find_chat():
    for path in (shutil.which("chat"), "/usr/sbin/chat", "/sbin/chat"):
        if path and os.access(path, os.X_OK):
            return path
    skip("chat(8) not found: install the Debian package 'ppp'")


class Firmware:
    """The device firmware of seed 000, as chat scripts over the port."""

    def __init__(self, chat, tty, server_port):
        self.chat = chat
        self.fd = os.open(tty, os.O_RDWR | os.O_NOCTTY)
        self.server_port = server_port
        self.transcript = []

    def close(self):
        os.close(self.fd)

    def run(self, timeout, *script):
        r = subprocess.run([self.chat, "-s", "-v", "-t", str(timeout)] + list(script),
                           stdin=self.fd, stdout=self.fd, stderr=subprocess.PIPE,
                           timeout=timeout * len(script) + 10)
        self.transcript.append(r.stderr.decode("utf-8", "replace"))
        return r.returncode

    def connect(self):
        """Teardown, configure, connect: the firmware's fixed sequence."""
        rc = self.run(3, "", "AT#SH=1", "OK",
                      r'\dAT+CGDCONT=1,"IP","internet"', "OK",
                      "AT#SCFG=1,1,300,90,600,50", "OK")
        check_eq(rc, 0, "#SH / +CGDCONT / #SCFG")
        # The context is usually active already: ERROR (553) is fine.
        rc = self.run(3, "ABORT", "ERROR", "", "AT#SGACT=1,1", "OK")
        check(rc in (0, 4), "#SGACT: chat exit %d" % rc)
        rc = self.run(5, "ABORT", "ERROR", "",
                      'AT#SD=1,0,%d,"127.0.0.1",0,0,1' % self.server_port, "OK")
        check_eq(rc, 0, "#SD")

    def answer(self):
        """Wait for the server's greeting, read it, answer PONG. chat exits 0
        when the dialogue completes and 3 when it times out."""
        return self.run(2, "SRING", "AT#SRECV=1,100", "OK", "AT#SSEND=1", "> ",
                        r"PONG^Z\c", "OK")


def attempt(fw, srv):
    """One reconnect and one application exchange; True if payload passed."""
    fw.connect()
    conn = srv.accept(5)
    conn.send(b"HELLO-DEVICE\r\n")
    if fw.answer() != 0:
        return False
    try:
        return conn.recv_exact(4, 2) == b"PONG"
    except ModemSimError:
        return False


def run(firmware, chat):
    with ModemSim(firmware=firmware, sgact_delay=100) as sim, TcpServer() as srv:
        fw = Firmware(chat, sim.link, srv.port)
        try:
            results = []
            for _ in range(ATTEMPTS):
                results.append(attempt(fw, srv))
                if not results[-1]:
                    break
            st = sim.state()
        except Exception:
            print("\n".join(fw.transcript[-4:]))
            raise
        finally:
            fw.close()
        print("%s: %s, overlaps=%s jammed=%s" % (firmware, results, st["overlaps"],
                                                 st["jammed"]))
        return results, st


def main():
    deadline(120)
    chat = find_chat()
    # The two firmware runs are independent: run them side by side.
    outcome = {}

    def worker(fw):
        try:
            outcome[fw] = run(fw, chat)
        except BaseException as e:         # reported by the main thread
            outcome[fw] = e
    threads = [threading.Thread(target=worker, args=(fw,))
               for fw in ("he910-12.00.004", "he910-12.00.006")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for value in outcome.values():
        if isinstance(value, BaseException):
            raise value
    results, st = outcome["he910-12.00.004"]
    failed_at = results.index(False) if False in results else None
    # Attempt 1 is the first connect; attempt k is reconnect k-1.
    check(failed_at is not None, "12.00.004 should jam: %r" % results)
    check(3 <= failed_at <= 5, "jammed within about four reconnects: %r" % results)
    check_eq(st["jammed"], "1", "12.00.004 state")
    results, st = outcome["he910-12.00.006"]
    check_eq(results, [True] * ATTEMPTS, "12.00.006 never jams")
    check_eq((st["overlaps"], st["jammed"]), ("0", "0"), "12.00.006 state")
    print("PASS")


if __name__ == "__main__":
    main()
