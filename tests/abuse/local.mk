# Abuse tests (issue 8/7, items 4-6): the control socket, the configuration
# file and the serial port under hostile input. Each runs in under 90 s.
# CELLSOCK_ABUSE_KNOWN_BUGS=1 also runs the check of a known daemon bug
# (control_abuse: a client that never reads its replies).
TESTS += tests/abuse/control_abuse.py tests/abuse/config_abuse.py tests/abuse/serial_abuse.py
EXTRA_DIST += tests/abuse/control_abuse.py tests/abuse/config_abuse.py tests/abuse/serial_abuse.py
