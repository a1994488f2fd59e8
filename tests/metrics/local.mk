# Metrics (issue 7/7): the exposition checked by a strict parser in a cmocka
# test, and black-box through cellsockd + cellsock-modemsim + cellsockctl.
check_PROGRAMS += tests/metrics/test_metrics
TESTS += tests/metrics/test_metrics
tests_metrics_test_metrics_SOURCES = tests/metrics/test_metrics.c
tests_metrics_test_metrics_CPPFLAGS = $(DAEMON_TEST_CPPFLAGS)
tests_metrics_test_metrics_LDADD = $(DAEMON_TEST_LIBS)

TESTS += tests/metrics/metrics.py
EXTRA_DIST += tests/metrics/metrics.py
