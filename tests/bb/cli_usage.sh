#!/bin/sh
# cellsockctl's own usage handling: --help from the command table, exit codes.
ctl="$top_builddir/src/ctl/cellsockctl"
[ -x "$ctl" ] || { echo "SKIP: cellsockctl not built"; exit 77; }
pass=0 fail=0
check() { if eval "$2"; then pass=$((pass+1)); echo "ok - $1"; else fail=$((fail+1)); echo "not ok - $1"; fi; }

out=$("$ctl" --help); rc=$?
check "--help exits 0" '[ $rc -eq 0 ]'
for c in status modem links connect disconnect reconnect send monitor metrics at reset reload log-level version; do
	check "--help lists $c" 'printf "%s\n" "$out" | grep -q "^  $c"'
done
"$ctl" >/dev/null 2>&1; rc=$?
check "no command exits 2" '[ $rc -eq 2 ]'
"$ctl" bogus >/dev/null 2>&1; rc=$?
check "unknown command exits 2" '[ $rc -eq 2 ]'
"$ctl" -s /nonexistent/sock status >/dev/null 2>&1; rc=$?
check "unreachable daemon exits 3" '[ $rc -eq 3 ]'
"$ctl" -x status >/dev/null 2>&1; rc=$?
check "unknown option exits 2" '[ $rc -eq 2 ]'
echo "cli_usage: $pass passed, $fail failed"
[ $fail -eq 0 ]
