#!/bin/sh
# The whole test suite, from a fresh clone: install dependencies, bootstrap,
# configure with warnings as errors, `make check`, the same suite under
# ASan+UBSan, a short run of every fuzz target, and `make distcheck`.
# Then, as root, the Debian packages are built, installed, tried and purged
# (scripts/deb-test.sh, about 70 s).
# Usage: scripts/test.sh            (everything)
#        QUICK=1 scripts/test.sh    (skip the sanitizer build, fuzzing, distcheck
#                                    and the Debian packages)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
jobs=$(nproc 2>/dev/null || echo 2)
FUZZ_SECONDS=${FUZZ_SECONDS:-15}

sh scripts/install-deps.sh
autoreconf -fi >/dev/null

summary() {	# the closing line: N passed, N failed, N skipped (from automake's logs)
	log="$1/test-suite.log"
	[ -f "$log" ] || return 0
	p=$(sed -n 's/^# PASS: *//p' "$log"); f=$(sed -n 's/^# FAIL: *//p' "$log")
	x=$(sed -n 's/^# ERROR: *//p' "$log"); s=$(sed -n 's/^# SKIP: *//p' "$log")
	echo "$2: ${p:-0} passed, $(( ${f:-0} + ${x:-0} )) failed, ${s:-0} skipped"
}

run_suite() {	# dir, label, configure flags...
	dir="$1"; label="$2"; shift 2
	rm -rf "$dir"; mkdir -p "$dir"
	(cd "$dir" && "$top/configure" -q "$@" && make -j"$jobs" >/dev/null) || return 1
	status=0
	(cd "$dir" && make -j"$jobs" check) || status=1
	if [ $status -ne 0 ]; then
		for f in $(grep -l -E '^(FAIL|ERROR)' "$dir"/tests/*/*.log "$dir"/tests/*.log 2>/dev/null); do
			echo "==== $f"; tail -n 60 "$f"
		done
	fi
	summary "$dir" "$label"
	return $status
}

status=0
CELLSOCK_DIALECTS="telit quectel" \
	run_suite build/check "tests" --enable-werror --enable-fuzzing || status=1
if [ "${QUICK:-0}" != 1 ]; then
	# The sanitized and distcheck runs repeat the suite; the long 12.00.004
	# reconnect test runs 10 reconnects there instead of 50, the chaos soak
	# 60 s instead of 120. The behavioural suites run once per dialect
	# (CELLSOCK_DIALECTS, tests/lib/dialects.py): both in the normal and
	# the sanitized run, Telit only in distcheck, which keeps the whole
	# script under ~38 minutes on two cores. Tests that take a minute
	# or more of wall time to measure something (the two-link outage)
	# run once, in the normal build (CELLSOCK_LONG_ONCE=done skips them).
	CELLSOCK_DIALECTS="telit quectel" CELLSOCK_LONG_ONCE=done \
	CELLSOCK_RECONNECTS=10 CELLSOCK_SOAK_SECONDS=60 ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
		UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		run_suite build/sanitize "sanitized" --enable-werror --enable-sanitizers || status=1
	(cd build/check && make fuzz-run FUZZ_SECONDS="$FUZZ_SECONDS") || status=1
	(cd build/check && CELLSOCK_DIALECTS=telit CELLSOCK_LONG_ONCE=done CELLSOCK_RECONNECTS=10 CELLSOCK_SOAK_SECONDS=60 \
		make distcheck \
		DISTCHECK_CONFIGURE_FLAGS=--enable-werror >distcheck.log 2>&1) \
		&& echo "distcheck: ok" || { tail -n 80 build/check/distcheck.log; status=1; }
fi
if [ "${QUICK:-0}" = 1 ]; then
	echo "deb-test: SKIP (QUICK=1)"
elif [ "$(id -u)" -ne 0 ]; then
	echo "deb-test: SKIP (needs root for dpkg -i)"
else
	rc=0; sh scripts/deb-test.sh || rc=$?
	[ $rc -eq 0 ] || [ $rc -eq 77 ] || status=1
fi
[ $status -eq 0 ] && echo "scripts/test.sh: all green" || echo "scripts/test.sh: FAILED"
exit $status
