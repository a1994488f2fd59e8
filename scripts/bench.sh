#!/bin/sh
# Run every benchmark against the built tree and write one Markdown report:
# a summary table of the headline numbers (scripts/bench_summary.py), links to
# the SVG plots (when gnuplot is installed), then each benchmark's full output.
# Usage (from a build directory): sh $top_srcdir/scripts/bench.sh [REPORT]
# `make bench` runs it with REPORT=bench-report.md; the plots are written next
# to the report as bench-*.svg. Benchmarks print numbers; none of them is a
# pass/fail test. Takes about half an hour (idle.py alone about 13 minutes:
# its runs go in parallel, time-scaled). The silent-drop detection
# benchmark needs root (network namespaces, nft) and is skipped otherwise.
# BENCH_QUICK=1 runs each benchmark briefly (to try the report, not to quote).
set -u
top_builddir=${top_builddir:-$(pwd)}
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
export top_builddir top_srcdir PYTHONPATH="$top_srcdir/tests/lib"
export PYTHONDONTWRITEBYTECODE=1
report=${1:-bench-report.md}
dir=$(dirname "$report")
work=$(mktemp -d "${TMPDIR:-/tmp}/cellsock-bench.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM
rm -f "$dir"/bench-*.svg

# run NAME FORMAT TITLE COMMAND...: save the output (daemon log lines
# removed) as $work/NAME.txt; FORMAT md is pasted as it is, text is fenced.
run() {
	name=$1 format=$2 title=$3
	shift 3
	start=$(date +%s)
	"$@" >"$work/$name.raw" 2>&1
	rc=$?
	grep -v '^20[0-9][0-9]-\|^<[0-9]>' "$work/$name.raw" >"$work/$name.txt"
	case $rc in
	0) ;;
	77) ;;
	*)
		echo "(failed: exit status $rc: $*)" >>"$work/$name.txt"
		format=text
		;;
	esac
	took=$(($(date +%s) - start))
	printf '%s\t%s\t%s\t%s\n' "$name" "$format" "$took" "$title" >>"$work/order"
	echo "bench: $title: done in $took s"
}

if [ "${BENCH_QUICK:-0}" = 1 ]; then
	at_n=1000 rec_runs=3 tp_s=2 wk_s=30 idle=10 res_w=20 out_runs=2 ai_scale=20 ai_w=1800
else
	at_n=10000 rec_runs=20 tp_s=10 wk_s=120 idle=30 res_w=60 out_runs=10 ai_scale=10 ai_w=3600
fi
run at text "AT engine: per-command overhead ($at_n AT round trips)" \
	python3 "$top_srcdir/tests/at/bench_at.py" "$at_n"
run recovery text "Recovery time by cause (115200 baud)" \
	python3 "$top_srcdir/tests/bench/recovery.py" "$rec_runs" --svg "$dir/bench-recovery.svg"
run throughput text "Data path throughput (115200 and 921600 baud)" \
	python3 "$top_srcdir/tests/relay/bench_throughput.py" --seconds "$tp_s"
run wakeups md "Wake-ups on an idle link" \
	python3 "$top_srcdir/tests/bench/wakeups.py" "$wk_s" "$idle"
run resources md "Resources: memory, CPU per MiB, syscalls per idle hour (1 modem, 2 links)" \
	python3 "$top_srcdir/tests/bench/resources.py" --window "$res_w" --idle "$idle"
run idle md "Adaptive idle (idle = auto) against the network's idle timeout" \
	python3 "$top_srcdir/tests/bench/idle.py" --scale "$ai_scale" --window "$ai_w"
if [ "$(id -u)" -eq 0 ]; then
	run detect md "Silent-drop detection: cellsockd vs Linux keepalive and TCP_USER_TIMEOUT" \
		python3 "$top_srcdir/tests/bench/detect.py" --svg "$dir/bench-detect.svg"
else
	echo "SKIP: needs root (network namespaces and nft); run make bench as root" \
		>"$work/detect.txt"
	printf 'detect\ttext\t0\t%s\n' "Silent-drop detection (skipped)" >>"$work/order"
fi
# the outage part needs root too and says SKIP itself; recovery runs anyway
run outage md "Two links on one modem: an outage under contention, PDP-loss recovery" \
	python3 "$top_srcdir/tests/bench/outage.py" --ports 2 --recovery-runs "$out_runs"

{
	echo "# cellsock benchmark report"
	echo
	echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(uname -srm), $(nproc) cores."
	echo "Each section below has the benchmark's full output; this table picks the"
	echo "headline numbers."
	echo
	echo "## Summary"
	echo
	python3 "$top_srcdir/scripts/bench_summary.py" "$work" --svg-dir "$dir" ||
		echo "(bench_summary.py failed)"
	while IFS="$(printf '\t')" read -r name format took title; do
		printf '\n## %s\n\n' "$title"
		echo "Run in $took s."
		echo
		if [ "$format" = md ]; then
			# comment lines ("# run 1: 126 s") are not headings
			sed 's/^# \(.*\)$/*\1*/' "$work/$name.txt"
		else
			echo '```'
			cat "$work/$name.txt"
			echo '```'
		fi
	done <"$work/order"
} >"$report"
echo "bench: report in $report"
