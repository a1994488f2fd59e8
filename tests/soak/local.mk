# Chaos soak (issue 8, item 1): cellsockd + cellsock-modemsim + a loopback
# server carrying a sequence-numbered stream both ways, every simulator fault
# on a seeded schedule, the control socket hammered. CELLSOCK_SOAK_SECONDS
# (120) and CELLSOCK_SOAK_SEED (1) set its length and schedule; the helpers
# are in tests/lib/soak_lib.py (distributed with tests/lib).
TESTS += tests/soak/soak.py
EXTRA_DIST += tests/soak/soak.py
