#!/bin/sh
# cellsockctl's own usage handling: --help from the command table, exit codes.
# GNU conventions of cellsockd and cellsock-modemsim: --help on stdout and
# --version exit 0, every short option still known, usage errors exit 2.
ctl="$top_builddir/src/ctl/cellsockctl"
daemon="$top_builddir/src/daemon/cellsockd"
sim="$top_builddir/src/modemsim/cellsock-modemsim"
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
"$ctl" -m 'a/b' status >/dev/null 2>&1; rc=$?
check "-m with a slash exits 2" '[ $rc -eq 2 ]'
err=$("$ctl" -m gw1 status 2>&1 >/dev/null); rc=$?
check "-m gw1 reaches /run/cellsock/gw1.sock (exit 3 without a daemon)" \
	'[ $rc -eq 3 ] && printf "%s\n" "$err" | grep -q "/cellsock/gw1\.sock"'

out=$("$ctl" -j -s /nonexistent/cellsock.sock status 2>/dev/null); rc=$?
check "-j without a daemon: a JSON error on stdout, exit 3" \
	'[ $rc -eq 3 ] && printf "%s\n" "$out" | python3 -c "import json,sys; d=json.load(sys.stdin); sys.exit(0 if d[\"ok\"] is False and d[\"error\"][\"code\"] == \"unreachable\" else 1)"'

# gnu_program NAME PATH SHORT_OPTS: --help, --version, -h, -V, bad options.
gnu_program() {
	name=$1 prog=$2
	if [ ! -x "$prog" ]; then
		echo "# $name not built: not checked"
		return
	fi
	out=$("$prog" --help 2>/dev/null); rc=$?
	check "$name --help exits 0" '[ $rc -eq 0 ]'
	check "$name --help prints usage on stdout" 'printf "%s\n" "$out" | grep -q "^usage: $name"'
	err=$("$prog" --help 2>&1 >/dev/null)
	check "$name --help prints nothing on stderr" '[ -z "$err" ]'
	out=$("$prog" -h); rc=$?
	check "$name -h is --help" '[ $rc -eq 0 ] && printf "%s\n" "$out" | grep -q "^usage:"'
	out=$("$prog" --version); rc=$?
	check "$name --version exits 0" '[ $rc -eq 0 ]'
	check "$name --version names the program" 'printf "%s\n" "$out" | grep -q "^$name [0-9]"'
	out=$("$prog" -V); rc=$?
	check "$name -V is --version" '[ $rc -eq 0 ] && printf "%s\n" "$out" | grep -q "^$name [0-9]"'
	out=$("$prog" --bogus-option 2>/dev/null); rc=$?
	check "$name --bogus-option exits 2, nothing on stdout" '[ $rc -eq 2 ] && [ -z "$out" ]'
	"$prog" -x >/dev/null 2>&1; rc=$?
	check "$name -x exits 2" '[ $rc -eq 2 ]'
	"$prog" stray-argument >/dev/null 2>&1; rc=$?
	check "$name with a stray argument exits 2" '[ $rc -eq 2 ]'
}
gnu_program cellsockd "$daemon"
gnu_program cellsock-modemsim "$sim"
gnu_program cellsockctl "$ctl"

# Every short option of cellsockd is still known (a missing argument is a
# usage error, a known flag with a bad file is not).
if [ -x "$daemon" ]; then
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/cellsock-cli.XXXXXX") || exit 99
	trap 'rm -rf "$tmp"' EXIT
	printf 'modem: { device = "/dev/null"; };\nlinks = ( { name = "a"; host = "h"; port = 1; socket = 1; } );\n' >"$tmp/c.conf"
	for o in "-n" "-n -d" "-n -v" "-n -vv" "--check --verbose"; do
		# shellcheck disable=SC2086
		"$daemon" $o -f "$tmp/c.conf" -s "$tmp/s" >/dev/null 2>&1; rc=$?
		check "cellsockd $o -f FILE -s SOCKET -n: accepted, exit 0" '[ $rc -eq 0 ]'
	done
	"$daemon" --config="$tmp/c.conf" --check >/dev/null 2>&1; rc=$?
	check "cellsockd --config=FILE --check exits 0" '[ $rc -eq 0 ]'
	"$daemon" -n -f "$tmp/missing.conf" >/dev/null 2>&1; rc=$?
	check "cellsockd -n on a missing file exits 1 (not a usage error)" '[ $rc -eq 1 ]'
	"$daemon" -f >/dev/null 2>&1; rc=$?
	check "cellsockd -f without a file exits 2" '[ $rc -eq 2 ]'
fi
if [ -x "$sim" ]; then
	"$sim" --baud nope >/dev/null 2>&1; rc=$?
	check "cellsock-modemsim --baud nope exits 2" '[ $rc -eq 2 ]'
	"$sim" --firmware no-such-profile >/dev/null 2>&1; rc=$?
	check "cellsock-modemsim --firmware no-such-profile exits 2" '[ $rc -eq 2 ]'
fi
echo "cli_usage: $pass passed, $fail failed"
[ $fail -eq 0 ]
