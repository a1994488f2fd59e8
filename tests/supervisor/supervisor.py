#!/usr/bin/env python3
"""Black-box tests of the connection supervisor (issue 4/7): cellsockd
against cellsock-modemsim and a real TCP server on loopback. Each scenario
waits on the daemon's events and state with deadlines. Runs once per
dialect (CELLSOCK_DIALECTS, tests/lib/dialects.py); the 12.00.004 reconnect
scenario is Telit's firmware quirk and runs on Telit only."""

import os
import re
import sys
import time

import dialects
from cellsock_harness import Checker, wait_until
from supervisor_rig import Rig

t = Checker("supervisor")
RECONNECTS = int(os.environ.get("CELLSOCK_RECONNECTS", "50"))


scenario = t.scenario


@scenario
def cold_start_and_server_close():
    with Rig() as r:
        conn = r.server.accept(timeout=20)
        up = r.wait_link("up")
        t.check(up["connects"] == 1, "cold start: the link comes up (modem %s)" % r.status()["modem"]["state"])
        wait_until(lambda: "connect check passed" in r.daemon.logtext(), what="connect check")
        t.check(conn.recv_exact(1) == b"\xff", "the connect probe reaches the server and is acknowledged")
        m = r.status()["modem"]
        t.check(m["model"] == dialects.model() and m["registration"] == "home" and
                m["sim"] == "ready", "status shows model, SIM and registration (%s)" % m["model"])
        mark = r.monitor.mark()
        conn.close()
        ev = r.monitor.wait("link-dead", since=mark, timeout=10)
        t.check(ev["cause"] == "remote-close", "server FIN -> link-dead cause=remote-close (%s)" % ev)
        r.server.accept(timeout=15)
        r.wait_link("up")
        t.check(r.link()["connects"] == 2, "the link redials after the server closed")


@scenario
def refused_backoff():
    with Rig() as r:
        conn = r.server.accept(timeout=20)
        r.wait_link("up")
        port = r.server.port
        r.server.sock.close()       # nobody listens any more: connects are refused
        mark = r.monitor.mark()
        conn.close()
        wait_until(lambda: len(r.monitor.find("link-state", since=mark, state="backoff")) >= 5,
                   timeout=30, what="five backoffs")
        delays = [float(x) for x in re.findall(r"next attempt in ([0-9.]+) s", r.daemon.logtext())]
        t.check(len(delays) >= 5 and min(delays) >= 0.2,
                "refused: every backoff delay is at least reconnect.min (%s)" % delays)
        t.check(max(delays[-3:]) > 0.2 or len(set(delays)) > 1,
                "refused: delays grow and vary (jitter) (%s)" % delays)
        t.check("connection refused" in r.link()["last_error"] or "failed" in r.link()["last_error"],
                "last_error says why (%s)" % r.link()["last_error"])
        import socket
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", port))
        s.listen(4)
        s.settimeout(15)
        c, _ = s.accept()
        r.wait_link("up")
        t.check(True, "refused: the link comes back when the server listens again")
        c.close()
        s.close()


@scenario
def pdp_drop():
    with Rig() as r:
        r.server.accept(timeout=20)
        r.wait_link("up")
        mark = r.monitor.mark()
        r.sim.control("pdp-drop")
        ev = r.monitor.wait("link-dead", since=mark, timeout=10)
        t.check(ev["cause"] == "pdp-lost", "pdp-drop -> link-dead cause=pdp-lost (%s)" % ev)
        r.monitor.wait("modem-state", since=mark, state="attaching", timeout=10)
        r.server.accept(timeout=20)
        r.wait_link("up")
        t.check(r.sim.state().get("pdp_active", "1") in ("1", "yes"),
                "pdp-drop: the context is re-activated and the link is back")


@scenario
def deregister_register():
    with Rig() as r:
        r.server.accept(timeout=20)
        r.wait_link("up")
        mark = r.monitor.mark()
        r.sim.control("deregister")
        r.monitor.wait("modem-state", since=mark, state="registering", timeout=10)
        t.check(r.wait_link("waiting", timeout=10)["state"] == "waiting",
                "deregister: the link waits for registration")
        r.sim.control("register")
        r.wait_link("up", timeout=30)
        t.check(True, "register: the link is back up")


@scenario
def hang_then_resync():
    with Rig() as r:
        r.server.accept(timeout=20)
        r.wait_link("up")
        mark = r.monitor.mark()
        r.sim.control("hang")
        r.ctl("reconnect", "server")
        r.monitor.wait("modem-state", since=mark, state="closed", timeout=30)
        t.check("not answering" in r.daemon.logtext(),
                "hang: consecutive timeouts close the port (modem not answering)")
        r.sim.control("unhang")
        r.wait_link("up", timeout=40)
        t.check("not answering" in r.daemon.logtext(), "hang: the port is reopened, resynced and the link is back")


@scenario
def reboot_port_comes_back():
    with Rig() as r:
        r.server.accept(timeout=20)
        r.wait_link("up")
        mark = r.monitor.mark()
        r.sim.control("reboot 1500")
        ev = r.monitor.wait("link-dead", since=mark, timeout=10)
        t.check(ev["cause"] == "modem-gone", "reboot: link-dead cause=modem-gone (%s)" % ev)
        r.server.accept(timeout=30)
        r.wait_link("up", timeout=30)
        t.check("vanished" in r.daemon.logtext(), "reboot: the port is reopened and the link is back")


@scenario
def stale_socket_closed_before_dial():
    with Rig(start_daemon=False) as r:
        port = r.sim.open_port()
        dialects.connect_socket(port, r.server.port)
        first = r.server.accept(timeout=10)
        port.close()
        t.check(r.sim.sockets()[1]["state"] != "0", "stale: the simulator has socket 1 open before the daemon starts")
        seen = len(r.sim.trace_text())
        r.start()
        second = r.server.accept(timeout=20)
        r.wait_link("up")
        t.check(first.wait_eof(timeout=10), "stale: the old connection is closed")
        t.check("still open (stale)" in r.daemon.logtext(), "stale: the daemon says it closed a stale socket first")
        trace = r.sim.received(seen)
        if dialects.is_telit():
            sh, ext = trace.find("AT#SH=1\\r"), trace.find("AT#SCFGEXT=1,")
            t.check(0 <= sh < ext, "stale: the socket is closed (#SH) before the link "
                    "configures it (#SCFGEXT) (at %d and %d)" % (sh, ext))
        else:
            close, dial = trace.find("AT+QICLOSE=1,"), re.search(r"AT\+QIOPEN=\d+,1,", trace)
            t.check(0 <= close and dial is not None and close < dial.start(),
                    "stale: the id is closed (QICLOSE) before it is opened again (QIOPEN)")
        second.close()


@scenario
def sockets_tied_before_activation():
    """HE910 answers #SGACT with ERROR while no socket is tied to the cid:
    with network.cid = 2 (the module ties its sockets to cid 1), the
    daemon sends the link's #SCFG before activating."""
    with Rig(network="cid = 2;") as r:
        r.server.accept(timeout=20)
        r.wait_link("up")
        trace = r.sim.received()
        if dialects.is_telit():
            scfg, sgact = trace.find("AT#SCFG=1,2,"), trace.find("AT#SGACT=2,1")
            t.check(0 <= scfg < sgact, "cid 2: #SCFG ties socket 1 to cid 2 before #SGACT "
                    "(at %d and %d)" % (scfg, sgact))
        else:	# Quectel ties nothing before QIACT: the dial names the context
            t.check("AT+QIACT=2" in trace and re.search(r"AT\+QIOPEN=2,", trace) is not None,
                    "cid 2: QIACT=2, then QIOPEN on context 2")
        t.check("PDP activation failed" not in r.daemon.logtext(),
                "cid 2: the first activation succeeds")


@scenario
def uc864_bare_ss_and_line_limit():
    """UC864 has only the bare AT#SS and an 80-character command line: the
    daemon picks its socket's row from the listing, and says at bring-up
    which setting makes a command too long."""
    long_init = 'AT+CGDCONT=5,\\"IP\\",\\"%s\\"' % ("a" * 62)
    with Rig(firmware="uc864", modem='init = [ "%s" ];' % long_init) as r:
        conn = r.server.accept(timeout=20)
        r.wait_link("up")
        trace = r.sim.received()
        t.check("AT#SS\\r" in trace, "uc864: the bare AT#SS is used after AT#SS=<id> fails")
        why = r.status()["modem"]["last_error"]
        t.check("modem.init[0]" in why and "80" in why,
                "uc864: last_error names the too-long init command (%s)" % why)
        mark = r.monitor.mark()
        rc, _, err = r.ctl("reconnect", "server")
        t.check(rc == 0, "uc864: reconnect accepted (%s)" % err)
        r.monitor.wait("link-state", since=mark, state="closing", timeout=10)
        r.server.accept(timeout=30)
        r.wait_link("up", timeout=30)
        t.check("verified closed" in r.daemon.logtext(),
                "uc864: a close is verified with the bare AT#SS")
        conn.close()


@scenario
def he910_004_reconnects_without_overlap():
    with Rig(firmware="he910-12.00.004") as r:
        conns = [r.server.accept(timeout=20)]
        r.wait_link("up")
        t.check("12.00.006" in r.daemon.logtext() and "quiet time" in r.daemon.logtext(),
                "12.00.004: the daemon warns and names the fixed firmware")
        start = time.monotonic()
        for i in range(RECONNECTS):
            rc, out, err = r.ctl("reconnect", "server")
            if rc != 0:
                t.check(False, "reconnect %d refused: %s" % (i, err))
                break
            conns.append(r.server.accept(timeout=30))
            wait_until(lambda: r.link()["state"] == "up" and r.link()["connects"] == i + 2,
                       timeout=30, what="reconnect %d up" % i)
        st = r.sim.state()
        t.check(st.get("overlaps") == "0" and st.get("jammed") == "0",
                "12.00.004: %d forced reconnects, overlaps=%s jammed=%s (%.0f s)" %
                (RECONNECTS, st.get("overlaps"), st.get("jammed"), time.monotonic() - start))
        for c in conns:
            c.close()


@scenario
def forced_jam_cured_by_reboot():
    with Rig(extra_top="", sim_args=["--jam-after", "1000"]) as r:
        r.server.accept(timeout=20)
        r.wait_link("up")
        mark = r.monitor.mark()
        r.sim.control("jam")
        r.ctl("reconnect", "server")
        ev = r.monitor.wait("link-dead", since=mark, cause="ack-stall", timeout=20)
        t.check(True, "jam: a connect that carries nothing is detected (ack-stall)")
        r.monitor.wait("escalation", since=mark, step="modem-reboot", timeout=90)
        steps = [e["step"] for e in r.monitor.find("escalation", since=mark)]
        t.check(steps[:3] == ["pdp-cycle", "radio-cycle", "modem-reboot"],
                "jam: the ladder climbs pdp-cycle, radio-cycle, modem-reboot (%s)" % steps)
        wait_until(lambda: r.link()["state"] == "up" and "passed" in r.daemon.logtext().split("modem-reboot")[-1],
                   timeout=60, what="verified link after reboot")
        t.check(r.sim.state().get("jammed") == "0", "jam: cured by the reboot; the link is up and verified")


@scenario
def operator_disconnect_connect_reset():
    with Rig() as r:
        first = r.server.accept(timeout=20)
        r.wait_link("up")
        mark = r.monitor.mark()
        rc, out, _ = r.ctl("disconnect", "server")
        t.check(rc == 0, "disconnect is accepted")
        r.wait_link("idle")
        t.check(first.wait_eof(timeout=10), "disconnect: the server sees the connection close")
        t.check(r.sim.sockets()[1]["state"] == "0", "disconnect: the modem socket is verified closed")
        ev = r.monitor.find("link-dead", since=mark)
        t.check(ev and ev[0]["cause"] == "operator", "disconnect: link-dead cause=operator")
        t.check(r.link()["state"] == "idle", "disconnect: the link stays idle")
        rc, _, err = r.ctl("reconnect", "server")
        t.check(rc == 1 and "use connect" in err, "reconnect of an idle link is refused")
        r.ctl("connect", "server")
        r.server.accept(timeout=20)
        r.wait_link("up")
        t.check(True, "connect: the link comes back up")
        rc, out, err = r.ctl("at", "AT+CGMM")
        t.check(rc == 0 and out.splitlines() == [dialects.model()],
                "at: a raw command passes through the queue and returns lines and result (%r)" % out)
        rc, out, err = r.ctl("at", "AT+BOGUS")
        t.check(rc == 1 and "ERROR" in out + err, "at: a final ERROR exits 1")
        for word, step in (("pdp", "pdp-cycle"), ("radio", "radio-cycle"), ("modem", "modem-reboot")):
            mark = r.monitor.mark()
            wait_until(lambda: r.ctl("reset", word)[0] == 0, timeout=30, what="reset %s accepted" % word)
            r.monitor.wait("escalation", since=mark, step=step, timeout=10)
            t.check(r.status()["modem"]["escalation"] in (step, ""),
                    "status shows the step in progress (%s)" % step)
            r.server.accept(timeout=40)
            r.wait_link("up", timeout=40)
            t.check(r.status()["modem"][step.replace("-cycle", "_cycles").replace("modem-reboot", "reboots")] >= 1,
                    "reset %s: the step runs, is counted in status, and the link is back" % word)


@scenario
def hook_for_unreachable_module():
    import tempfile
    tmp = tempfile.mkdtemp(prefix="cellsock-hook-")
    marker = os.path.join(tmp, "ran")
    hook = os.path.join(tmp, "power-cycle")
    try:
        with Rig(start_daemon=False) as r:
            with open(hook, "w") as f:
                f.write("#!%s\nimport socket, sys\nopen(%r, 'a').write(' '.join(sys.argv[1:]) + '\\n')\n"
                        "s = socket.socket(socket.AF_UNIX); s.connect(%r); s.sendall(b'reboot 300\\n'); s.recv(100)\n"
                        % (sys.executable, marker, r.sim.control_path))
            os.chmod(hook, 0o755)
            r.recovery = ('pdp_cycle_after = 3; radio_cycle_after = 5; modem_reboot_after = 7; '
                          'cooldown = 1.0; hook = "%s"; hook_timeout = 10.0;' % hook)
            r.start()
            r.server.accept(timeout=20)
            r.wait_link("up")
            mark = r.monitor.mark()
            r.sim.control("hang")
            r.ctl("reconnect", "server")
            r.monitor.wait("escalation", since=mark, step="hook", timeout=90)
            wait_until(lambda: os.path.exists(marker), timeout=15, what="the hook to run")
            t.check(open(marker).read().strip() == r.sim.link,
                    "hook: an unreachable module runs the hook with the device path")
            r.server.accept(timeout=40)
            r.wait_link("up", timeout=40)
            t.check(r.status()["modem"]["hooks"] == 1, "hook: after the power cycle the link is back")
    finally:
        import shutil
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    dialects.run_per_dialect()
    telit_only = (he910_004_reconnects_without_overlap,) if dialects.is_telit() else ()
    return t.run_with_simulator((
        cold_start_and_server_close,
        refused_backoff,
        pdp_drop,
        deregister_register,
        hang_then_resync,
        reboot_port_comes_back,
        stale_socket_closed_before_dial,
        sockets_tied_before_activation,
        uc864_bare_ss_and_line_limit,
        operator_disconnect_connect_reset,
        hook_for_unreachable_module,
        forced_jam_cured_by_reboot,
    ) + telit_only)


if __name__ == "__main__":
    sys.exit(main())
