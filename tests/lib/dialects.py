"""Run a behavioural suite against every dialect (issue 14 item 5).

CELLSOCK_DIALECTS (default "telit quectel") names the dialects to run the
suites on. A suite calls run_per_dialect() first thing in main(): without
CELLSOCK_DIALECT set it runs itself once per dialect in a child process with
CELLSOCK_DIALECT=<one> (each run prints which one) and exits with the
combined status (a failure wins; 77 only when every run skipped); with it
set (in the child, or by hand) it returns and the suite runs once.

The rigs (ModemSim, Rig, RelayRig, the soak) take their default firmware
from the dialect run: the simulator's own default (Telit) for "telit",
FIRMWARE["quectel"] (ec25) for "quectel". The daemon runs with its default
modem.dialect ("auto") and picks the dialect itself. Assertions about one
vendor's AT dialogue are guarded with is_telit() / is_quectel()."""

import os
import subprocess
import sys

KNOWN = ("telit", "quectel")
# The profile each dialect's suites run on (None: the simulator's default)
# and the profiles the chaos soak rotates through.
FIRMWARE = {"telit": None, "quectel": "ec25"}
PROFILES = {"telit": ("he910-12.00.006", "le910", "he910-12.00.004"),
            "quectel": ("ec25", "bg96", "eg25")}
# What +CGMM answers on each dialect's default profile.
MODEL = {"telit": "HE910", "quectel": "EC25"}
# The simulator's names of the data-path commands (for its "lose", "mute",
# "delay" and "error" faults): send, read, the acknowledgement counters,
# dial, close, socket state.
CMD = {"telit": dict(send="#SSENDEXT", read="#SRECV", info="#SI", dial="#SD", close="#SH",
                     state="#SS"),
       "quectel": dict(send="+QISEND", read="+QIRD", info="+QISEND", dial="+QIOPEN",
                       close="+QICLOSE", state="+QISTATE")}
# The largest send the daemon uses on the default profile, and where it
# comes from.
MAX_SEND = {"telit": (1500, "learned from AT#SSENDEXT=?"),
            "quectel": (1460, "AT+QISEND's maximum")}


def dialects():
    """The dialects CELLSOCK_DIALECTS names, in order (unknown ones: an error)."""
    names = os.environ.get("CELLSOCK_DIALECTS", "telit quectel").replace(",", " ").split()
    for n in names:
        if n not in KNOWN:
            raise SystemExit("CELLSOCK_DIALECTS: unknown dialect %r (known: %s)"
                             % (n, " ".join(KNOWN)))
    return names or list(KNOWN[:1])


def current():
    """The dialect of this run: CELLSOCK_DIALECT, else the first one named."""
    return os.environ.get("CELLSOCK_DIALECT") or dialects()[0]


def is_telit():
    return current() == "telit"


def is_quectel():
    return current() == "quectel"


def default_firmware():
    """The simulator profile for this run (None: the simulator's default)."""
    return FIRMWARE[current()]


def combine(statuses):
    """One exit status for several runs: a failure wins, 77 only if all skipped."""
    bad = [s for s in statuses if s not in (0, 77)]
    if bad:
        return bad[0]
    if statuses and all(s == 77 for s in statuses):
        return 77
    return 0


def run_per_dialect():
    """In the parent: run this script once per dialect and exit. In a run of
    one dialect: print which and return."""
    if os.environ.get("CELLSOCK_DIALECT"):
        if current() not in KNOWN:
            raise SystemExit("CELLSOCK_DIALECT: unknown dialect %r" % current())
        print("# dialect: %s (firmware %s)" % (current(), default_firmware() or "default"))
        sys.stdout.flush()
        return
    statuses = []
    for d in dialects():
        print("#### dialect %s" % d)
        sys.stdout.flush()
        env = dict(os.environ, CELLSOCK_DIALECT=d)
        rc = subprocess.call([sys.executable, sys.argv[0]] + sys.argv[1:], env=env)
        print("#### dialect %s: exit %d" % (d, rc))
        statuses.append(rc)
    sys.stdout.flush()
    sys.exit(combine(statuses))


def cmd(what):
    """The simulator's name of a data-path command in this run's dialect."""
    return CMD[current()][what]


def dial_text(sock_id, port, host="127.0.0.1"):
    """What the daemon's dial of sock_id to host:port looks like on the line."""
    if is_quectel():
        return '+QIOPEN=1,%d,"TCP","%s",%d' % (sock_id, host, port)
    return "#SD=%d,0,%d" % (sock_id, port)


def model():
    """+CGMM of this run's default profile."""
    return MODEL[current()]


def connect_socket(port, tcp_port, sock_id=1):
    """Open a socket by hand on an opened simulator Port, in this run's
    dialect (a stale socket the daemon must find and close)."""
    import modemsim
    if is_quectel():
        return modemsim.connect_socket_quectel(port, tcp_port, sock_id=sock_id)
    return modemsim.connect_socket(port, tcp_port, sock_id=sock_id)
