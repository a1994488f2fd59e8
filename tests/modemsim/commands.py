#!/usr/bin/env python3
"""cellsock-modemsim: the response format of each AT command, per profile."""

import re
import socket

from modemsim import (ModemSim, TcpServer, check, check_eq, connect_socket, deadline,
                      wait_for)


def luhn_ok(digits):
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def basics(sim, p):
    # Echo is on at power up: the command comes back, then the result.
    r = p.at("AT")
    check_eq(r.raw, b"AT\r\r\nOK\r\n", "AT with echo")
    r = p.at("ATE0")
    check_eq(r.raw, b"ATE0\r\r\nOK\r\n", "ATE0 is still echoed")
    check_eq(p.at("AT").raw, b"\r\nOK\r\n", "AT without echo")
    check_eq(p.at("ATI").lines, ["HE910"], "ATI")
    check_eq(p.at("ATI3").lines, ["Telit"], "ATI3")
    check_eq(p.at("AT+CGMI").raw, b"\r\nTelit\r\n\r\nOK\r\n", "+CGMI bytes")
    check_eq(p.at("AT+CGMM").lines, ["HE910"], "+CGMM")
    check_eq(p.at("AT+CGMR").lines, ["12.00.006"], "+CGMR")
    check_eq(p.at("AT+GMR").lines, ["12.00.006"], "+GMR")
    imei = p.at("AT+CGSN").lines
    check(len(imei) == 1 and re.fullmatch(r"\d{15}", imei[0]) and luhn_ok(imei[0]),
          "+CGSN is a valid IMEI: %r" % imei)
    pkg = p.at("AT#SWPKGV").lines
    check(len(pkg) == 4 and pkg[1] == "12.00.006" and pkg[0].startswith("12.00.006"),
          "#SWPKGV: four lines without prefix: %r" % pkg)
    check_eq(p.at("AT&K0").final, "OK", "&K0")
    check_eq(p.at("AT&K3;&C1;&D0").final, "OK", "&K3;&C1;&D0")
    check_eq(p.at("AT#SELINT=2").final, "OK", "#SELINT=2")
    check_eq(p.at("AT#SELINT?").lines, ["#SELINT: 2"], "#SELINT?")
    check_eq(p.at("AT+CPIN?").lines, ["+CPIN: READY"], "+CPIN?")
    check(re.fullmatch(r"\+CSQ: \d+,\d+", p.at("AT+CSQ").lines[0]), "+CSQ")
    check_eq(p.at("AT+COPS?").lines, ['+COPS: 0,0,"SIMNET",2'], "+COPS?")
    check_eq(p.at("AT+CMEE=?").lines, ["+CMEE: (0-2)"], "+CMEE=?")
    check_eq(p.at("AT+FOO").final, "ERROR", "unknown command")
    check_eq(p.at("AT#SS=9").final, "ERROR", "bad connId")
    check_eq(p.at("ATX").final, "OK", "ATX accepted")
    # The HE910 line buffer holds 80 characters after "AT".
    apn = "a" * (80 - len('+CGDCONT=5,"IP",""'))
    check_eq(p.at('AT+CGDCONT=5,"IP","%s"' % apn).final, "OK", "80-character line")
    check_eq(p.at('AT+CGDCONT=5,"IP","%sb"' % apn).final, "ERROR", "81-character line")
    check_eq(p.at("AT+CGDCONT=5").final, "OK", "undefine a context")
    check_eq(p.at("AT+CGDCONT?").lines, [], "no contexts defined")
    check_eq(p.at("ATS12?").lines, ["050"], "S12 default")
    p.write("A/")
    check_eq(p.read_until(b"\r\nOK\r\n"), b"\r\n050\r\n\r\nOK\r\n", "A/ repeats the line")


def errors(sim, p):
    # No context defined yet: #SGACT fails with 555 in all three +CMEE modes.
    check_eq(p.at("AT+CMEE=1").final, "OK", "+CMEE=1")
    check_eq(p.at("AT#SGACT=1,1").final, "+CME ERROR: 555", "numeric +CME ERROR")
    check_eq(p.at("AT+CMEE=2").final, "OK", "+CMEE=2")
    check_eq(p.at("AT#SGACT=1,1").final, "+CME ERROR: activation failed", "text +CME ERROR")
    p.at_ok("AT+CMEE=0")
    check_eq(p.at("AT#SGACT=1,1").final, "ERROR", "+CMEE=0")
    check_eq(p.at("AT+CMEE?").lines, ["+CMEE: 0"], "+CMEE?")
    p.at_ok("AT+CMEE=1")


def registration(sim, p):
    check_eq(p.at("AT+CREG?").lines, ["+CREG: 0,1"], "+CREG?")
    check_eq(p.at("AT+CGREG?").lines, ["+CGREG: 0,1"], "+CGREG?")
    check_eq(p.at("AT+CEREG?").final, "ERROR", "+CEREG on a 3G module")
    p.at_ok("AT+CREG=1")
    p.at_ok("AT+CGREG=2")
    check_eq(p.at("AT+CGREG?").lines, ['+CGREG: 2,1,"00C3","0000A1B2"'], "+CGREG? n=2")
    sim.control("deregister")
    check_eq(p.expect_line(r"^\+CREG: ").group(0), "+CREG: ", "URC")
    p.read_until(b"+CGREG: 2\r\n")
    check_eq(p.at("AT+CREG?").lines, ["+CREG: 1,2"], "+CREG? while searching")
    check_eq(p.at("AT+COPS?").lines, ["+COPS: 0"], "+COPS? unregistered")
    sim.control("register")
    p.read_until(b"\r\n+CREG: 1\r\n")
    p.read_until(b'\r\n+CGREG: 1,"00C3","0000A1B2"\r\n')
    p.at_ok("AT+CREG=0")
    p.at_ok("AT+CGREG=0")


def contexts(sim, p):
    p.at_ok('AT+CGDCONT=1,"IP","internet"')
    check_eq(p.at("AT+CGDCONT?").lines, ['+CGDCONT: 1,"IP","internet","",0,0'], "+CGDCONT?")
    p.at_ok("AT#SCFG=1,1,300,0,600,50")
    check_eq(p.at("AT#SCFG?").lines[0], "#SCFG: 1,1,300,0,600,50", "#SCFG?")
    check_eq(p.at("AT#SCFG=1,1,300,0,5,50").final, "ERROR", "#SCFG connTo < 10")
    p.at_ok("AT#SCFGEXT=1,1,0,5")
    check_eq(p.at("AT#SCFGEXT?").lines[0], "#SCFGEXT: 1,1,0,5,0,0", "#SCFGEXT?")
    check_eq(p.at("AT#SCFGEXT=1,3,0,0").final, "ERROR", "srMode 3 unsupported")
    check_eq(p.at("AT#SCFGEXT=1,0,0,241").final, "ERROR", "keepalive > 240")
    p.at_ok("AT#SCFGEXT2=1,1,0,0,0")
    check_eq(p.at("AT#SCFGEXT2=1,1,0,0,0,2").final, "ERROR", "HE910: no noCarrierMode")
    check_eq(p.at("AT#SCFGEXT3=1,1").final, "ERROR", "HE910: no #SCFGEXT3")
    r = p.at("AT#SGACT=1,1")
    check_eq((r.lines, r.final), (["#SGACT: 10.64.0.2"], "OK"), "#SGACT=1,1")
    check_eq(p.at("AT#SGACT=1,1").final, "+CME ERROR: 553", "already active")
    check_eq(p.at("AT#SGACT?").lines[0], "#SGACT: 1,1", "#SGACT?")
    check_eq(p.at("AT+CGPADDR=1").lines, ['+CGPADDR: 1,"10.64.0.2"'], "+CGPADDR")


def sockets(sim, p, srv):
    p.at_ok("AT#SCFGEXT=1,0,0,0")
    r = p.at('AT#SD=1,0,%d,"127.0.0.1",0,0,1' % srv.port)
    check_eq(r.final, "OK", "#SD command mode")
    conn = srv.accept()
    ss = p.at("AT#SS=1").lines[0]
    check(re.fullmatch(r"#SS: 1,2,10\.64\.0\.2,\d+,127\.0\.0\.1,%d" % srv.port, ss), ss)
    check_eq(p.at('AT#SD=1,0,%d,"127.0.0.1",0,0,1' % srv.port).final, "+CME ERROR: 551",
             "#SD on a connected socket")
    conn.send(b"abc")
    p.read_until(b"\r\nSRING: 1\r\n")
    check(p.at("AT#SS=1").lines[0].startswith("#SS: 1,3,"), "state 3 with pending data")
    check_eq(p.at("AT#SI=1").lines, ["#SI: 1,0,3,3,0"], "#SI")
    check_eq(len(p.at("AT#SI").lines), 6, "#SI for all sockets")
    check_eq(p.srecv(1), b"abc", "#SRECV")
    check_eq(p.at("AT#SRECV=1,10").final, "+CME ERROR: 555", "#SRECV with nothing buffered")
    # The server closes: bare NO CARRIER on the HE910, cause 1 (remote FIN).
    conn.close()
    p.read_until(b"\r\nNO CARRIER\r\n")
    check_eq(p.at("AT#SS=1").lines, ["#SS: 1,0"], "closed")
    check_eq(p.at("AT#SLASTCLOSURE=1").lines, ["#SLASTCLOSURE: 1,1"], "#SLASTCLOSURE")
    check_eq(p.at("AT#SH=1").final, "OK", "#SH on a closed socket")
    # #SH on an open socket: closed before the answer (12.00.006).
    p.at_ok('AT#SD=1,0,%d,"127.0.0.1",0,0,1' % srv.port)
    conn = srv.accept()
    check_eq(p.at("AT#SLASTCLOSURE=1").lines, ["#SLASTCLOSURE: 1,0"], "reset by #SD")
    check_eq(p.at("AT#SH=1").final, "OK", "#SH")
    check(conn.wait_eof(2), "the server sees the FIN")
    check_eq(p.at("AT#SLASTCLOSURE=1").lines, ["#SLASTCLOSURE: 1,0"], "#SH is not recorded")


def online(sim, p, srv):
    p.at_ok("ATS12=20")          # 400 ms guard time
    p.at_ok("AT#SCFG=2,1,300,0,600,50")
    r = p.at('AT#SD=2,0,%d,"127.0.0.1"' % srv.port)
    check_eq(r.final, "CONNECT", "#SD online mode")
    conn = srv.accept()
    p.write(b"to server +x")
    check_eq(conn.recv_exact(12), b"to server +x", "online data out")
    conn.send(b"from server")
    check_eq(p.read_exact(11), b"from server", "online data in")
    p.read_available(0.45)       # the guard time before the escape
    p.write(b"+++")
    p.read_until(b"\r\nOK\r\n", 3)
    check(p.at("AT#SS=2").lines[0].startswith("#SS: 2,2,"), "suspended after +++")
    check_eq(conn.recv_some(0.2), None, "+++ was not sent to the server")
    conn.send(b"while suspended")
    p.read_until(b"\r\nSRING: 2\r\n")
    check_eq(p.at("AT#SO=2").final, "CONNECT", "#SO resumes")
    check_eq(p.read_exact(15), b"while suspended", "buffered data after #SO")
    p.read_available(0.45)
    p.write(b"+++")
    p.read_until(b"\r\nOK\r\n", 3)
    check_eq(p.at("AT#SH=2").final, "OK", "#SH after escape")
    check(conn.wait_eof(2), "closed")
    # Online mode ends with NO CARRIER when the server closes.
    check_eq(p.at('AT#SD=2,0,%d,"127.0.0.1",0,0,0' % srv.port).final, "CONNECT", "again")
    conn = srv.accept()
    conn.close()
    p.read_until(b"\r\nNO CARRIER\r\n")
    check_eq(p.at("AT").final, "OK", "command mode after NO CARRIER")


def ping_and_power(sim, p):
    r = p.at('AT#PING="127.0.0.1",2')
    check_eq(r.lines, ['#PING: 01,"127.0.0.1",1,64', '#PING: 02,"127.0.0.1",1,64'], "#PING")
    sim.control("deregister")
    r = p.at('AT#PING="127.0.0.1",1,32,1')
    check_eq(r.lines[-1], '#PING: 01,"127.0.0.1",600,255', "#PING while unregistered")
    sim.control("register")
    check_eq(p.at("AT+CFUN?").lines, ["+CFUN: 1"], "+CFUN?")
    p.at_ok("AT+CFUN=4")
    check_eq(p.at("AT+CREG?").lines, ["+CREG: 0,0"], "radio off")
    check_eq(p.at("AT#SGACT?").lines[0], "#SGACT: 1,0", "context down with the radio")
    check_eq(p.at("AT+CSQ").lines, ["+CSQ: 99,99"], "no signal with the radio off")
    p.at_ok("AT+CFUN=1")
    wait_for(lambda: p.at("AT+CREG?").lines == ["+CREG: 0,1"], 3, what="registered again")


def le910(srv):
    with ModemSim(firmware="le910") as sim:
        p = sim.open_port()
        p.at_ok("ATE0")
        check_eq(p.at("AT+CGMM").lines, ["LE910-EU V2"], "LE910 model")
        p.at_ok("AT+CEREG=1")
        check_eq(p.at("AT+CEREG?").lines, ["+CEREG: 1,1"], "+CEREG?")
        sim.control("deregister")
        p.read_until(b"\r\n+CEREG: 2\r\n")
        sim.control("register")
        p.read_until(b"\r\n+CEREG: 1\r\n")
        check_eq(p.at("AT+COPS?").lines, ['+COPS: 0,0,"SIMNET",7'], "LTE AcT")
        p.at_ok("AT#SCFGEXT2=1,0,0,0,0,2")
        connect_socket(p, srv.port)
        conn = srv.accept()
        conn.close()
        p.read_until(b"\r\nNO CARRIER: 1,1\r\n")
        # immRsp: #SD answers at once and #SS shows 7 while connecting.
        p.at_ok("AT#SCFGEXT3=1,1")
        blocked = socket.socket()
        blocked.bind(("127.0.0.1", 0))
        blocked.listen(0)
        fillers = []
        try:
            for _ in range(3):
                c = socket.socket()
                c.setblocking(False)
                c.connect_ex(blocked.getsockname())
                fillers.append(c)
            p.at_ok('AT#SD=1,0,%d,"127.0.0.1",0,0,1' % blocked.getsockname()[1])
            state = p.at("AT#SS=1").lines[0]
            check(state.startswith("#SS: 1,7") or state.startswith("#SS: 1,2"),
                  "LE910 state while connecting: %r" % state)
            blocked.settimeout(0.1)

            def connected():
                try:
                    fillers.append(blocked.accept()[0])
                except socket.timeout:
                    pass
                return any(l.startswith("#SS: 1,2,") for l in p.at("AT#SS=1").lines)
            # The SYN was dropped by the full backlog; its retry gets in.
            wait_for(connected, 5, what="the immRsp connect to complete")
        finally:
            for c in fillers:
                c.close()
            blocked.close()


def pin():
    with ModemSim(args=["--pin", "1234"]) as sim:
        p = sim.open_port()
        p.at_ok("ATE0")
        p.at_ok("AT+CMEE=1")
        check_eq(p.at("AT+CPIN?").lines, ["+CPIN: SIM PIN"], "PIN required")
        check_eq(p.at("AT+CREG?").lines, ["+CREG: 0,0"], "not registered without PIN")
        check_eq(p.at("AT#SGACT=1,1").final, "+CME ERROR: 11", "#SGACT needs the PIN")
        check_eq(p.at('AT+CPIN="0000"').final, "+CME ERROR: 16", "wrong PIN")
        p.at_ok('AT+CPIN="1234"')
        check_eq(p.at("AT+CPIN?").lines, ["+CPIN: READY"], "PIN accepted")
        wait_for(lambda: sim.state()["registered"] == "1", 3, what="registration")


def bind_and_roaming(srv):
    """--bind: the sockets' source address (and what the module reports);
    --roaming: registered with stat 5."""
    with ModemSim(args=["--bind", "127.0.0.2", "--roaming"]) as sim:
        p = sim.open_port()
        p.at_ok("ATE0")
        check_eq(p.at("AT+CREG?").lines, ["+CREG: 0,5"], "roaming")
        connect_socket(p, srv.port)
        conn = srv.accept()
        check_eq(conn.addr[0], "127.0.0.2", "bound source address")
        check(p.at("AT#SS=1").lines[0].startswith("#SS: 1,2,127.0.0.2,%d," % conn.addr[1]),
              "#SS shows the bound address and the real port")


def main():
    deadline(60)
    with TcpServer() as srv:
        with ModemSim() as sim:
            p = sim.open_port()
            basics(sim, p)
            errors(sim, p)
            registration(sim, p)
            contexts(sim, p)
            sockets(sim, p, srv)
            online(sim, p, srv)
            ping_and_power(sim, p)
            check(int(sim.state()["cmds_total"]) > 50, "commands counted")
        le910(srv)
        bind_and_roaming(srv)
    pin()
    print("PASS")


if __name__ == "__main__":
    main()
