# Quectel end to end: cellsockd with modem.dialect = "auto" on the
# simulator's Quectel profiles (ec25, bg96) and a Telit profile.
QUECTEL_BB_TESTS = tests/quectel/e2e.py
TESTS += $(QUECTEL_BB_TESTS)
EXTRA_DIST += $(QUECTEL_BB_TESTS)
