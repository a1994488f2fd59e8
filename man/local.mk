dist_man_MANS += man/cellsockd.8 man/cellsockctl.8 man/cellsockd.conf.5

# Every man page renders without warnings.
TESTS += tests/bb/man_lint.sh
EXTRA_DIST += tests/bb/man_lint.sh
