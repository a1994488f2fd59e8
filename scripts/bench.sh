#!/bin/sh
# Run every benchmark against the built tree and write one Markdown report.
# Usage (from a build directory): sh $top_srcdir/scripts/bench.sh [REPORT]
# `make bench` runs it with REPORT=bench-report.md. Benchmarks print numbers;
# none of them is a pass/fail test. Takes several minutes.
set -u
top_builddir=${top_builddir:-$(pwd)}
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
export top_builddir top_srcdir PYTHONPATH="$top_srcdir/tests/lib"
report=${1:-bench-report.md}
run() {	# title, command...
	title="$1"; shift
	printf '\n## %s\n\n```\n' "$title" >>"$report"
	"$@" 2>&1 | grep -v '^20[0-9][0-9]-\|^<[0-9]>' >>"$report" || echo "(failed: $*)" >>"$report"
	printf '```\n' >>"$report"
	echo "bench: $title done"
}
{
	echo "# cellsock benchmark report"
	echo
	echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(uname -srm), $(nproc) cores"
} >"$report"
run "AT engine: per-command overhead (10,000 AT round trips)" \
	python3 "$top_srcdir/tests/at/bench_at.py"
run "Recovery time by cause (115200 baud)" python3 "$top_srcdir/tests/bench/recovery.py" 20
run "Data path throughput (115200 and 921600 baud)" \
	python3 "$top_srcdir/tests/relay/bench_throughput.py" --seconds 10
run "Wake-ups on an idle link" python3 "$top_srcdir/tests/bench/wakeups.py" 120 30
if [ -f "$top_srcdir/tests/bench/detect.py" ]; then
	run "Silent-drop detection: cellsockd vs Linux keepalive and TCP_USER_TIMEOUT" \
		python3 "$top_srcdir/tests/bench/detect.py"
fi
echo "bench: report in $report"
