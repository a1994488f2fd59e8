#!/bin/sh
# tests/systemd/units.sh — check the systemd units, sysusers entry and udev rule.
#
# 1. The generated cellsockd.service and cellsockd@.service (the template:
#    one daemon per modem) have no @placeholder@ left and keep the directives
#    the product relies on (Type=notify, watchdog, user, ...); the template
#    names /etc/cellsock/%i.conf, /run/cellsock/%i.sock and a state directory
#    per instance.
# 2. `systemd-analyze verify` passes on cellsockd.service, cellsockd.socket
#    and the template instantiated as cellsockd@test.service, and prints
#    nothing about them (it exits 0 on unknown keys, so its output counts
#    too).
# 3. `systemd-analyze security --offline=true` rates cellsockd.service and
#    cellsockd@test.service 1.4 or lower (today's rating: no unit gets worse).
# 4. systemd-sysusers accepts the sysusers entry (dry run in a scratch root).
# 5. `udevadm verify` accepts the udev rule, where udevadm has it (>= 253).
#
# verify insists that every Exec*= binary exists, so the Exec lines are
# pointed at the built src/daemon/cellsockd, or at a stub script when the
# daemon is not built (the test says which). Exits 77 (SKIP) when
# systemd-analyze is missing.

set -u

srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
builddir=${top_builddir:-.}
threshold=1.4
fail=0

say() { printf '%s\n' "$*"; }
bad() { say "FAIL: $*"; fail=1; }

if ! command -v systemd-analyze >/dev/null 2>&1; then
	say "SKIP: systemd-analyze not found (apt-get install systemd)"
	exit 77
fi
to=
if command -v timeout >/dev/null 2>&1; then
	to="timeout 60"
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/cellsock-units.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
trap 'exit 99' HUP INT TERM

# --- 1. the generated units --------------------------------------------------
# generated NAME: the unit make generated, else the .in with the paths filled.
generated() {
	g=$builddir/systemd/$1
	if test -f "$g"; then
		say "unit: $g" >&2
	else
		say "note: $g not generated (run make first); using the .in" >&2
		sed -e 's|@sbindir@|/usr/sbin|g' -e 's|@sysconfdir@|/etc|g' \
		    "$srcdir/systemd/$1.in" >"$tmp/generated-$1" || exit 99
		g=$tmp/generated-$1
	fi
	printf '%s\n' "$g"
}
unit=$(generated cellsockd.service)
template=$(generated cellsockd@.service)
for u in "$unit" "$template"; do
	if grep -n '@[A-Za-z_]*@' "$u"; then
		bad "unsubstituted placeholder in $u"
	fi
	for d in Type=notify NotifyAccess=main WatchdogSec= Restart=on-failure \
	    User=cellsock Group=cellsock SupplementaryGroups=dialout \
	    RuntimeDirectory=cellsock StateDirectory=cellsock DevicePolicy=closed \
	    'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6' \
	    CapabilityBoundingSet= SystemCallFilter=@system-service; do
		grep -q "^$d" "$u" || bad "$u lacks $d"
	done
	if grep -q '^PrivateNetwork=yes' "$u"; then
		bad "PrivateNetwork=yes would cut tcp: local endpoints off the host"
	fi
	for l in ExecStartPre ExecStart; do
		grep -q "^$l=[^ ]*/cellsockd " "$u" || bad "$u: $l does not run cellsockd"
	done
done
grep -q '^ExecStart=[^ ]*/cellsockd -d -f [^ ]*/cellsock/%i\.conf -s /run/cellsock/%i\.sock$' \
    "$template" || bad "$template: ExecStart does not use %i.conf and /run/cellsock/%i.sock"
for l in ExecStartPre ExecReload; do
	grep -q "^$l=[^ ]*/cellsockd -n -f [^ ]*/cellsock/%i\\.conf\$" "$template" ||
	    bad "$template: $l does not check %i.conf"
done
grep -q '^StateDirectory=cellsock/%i$' "$template" ||
    bad "$template: no state directory per instance"
grep -q '^RuntimeDirectoryPreserve=yes$' "$template" ||
    bad "$template: stopping one instance would remove the others' sockets"

# --- 2. systemd-analyze verify -----------------------------------------------
bin=$builddir/src/daemon/cellsockd
if test -x "$bin" && test -f "$bin"; then
	bin=$(cd "$(dirname "$bin")" && pwd)/cellsockd
	say "verify: Exec lines point at the built daemon $bin"
else
	mkdir -p "$tmp/sbin"
	printf '#!/bin/sh\nexit 0\n' >"$tmp/sbin/cellsockd"
	chmod 755 "$tmp/sbin/cellsockd"
	bin=$tmp/sbin/cellsockd
	say "verify: daemon not built; Exec lines point at a stub $bin"
fi
mkdir -p "$tmp/units"
for u in "$unit" "$template"; do
	case $u in *@*) name=cellsockd@.service;; *) name=cellsockd.service;; esac
	sed -e "s#^\(Exec[A-Za-z]*=[-+!@:]*\)[^ ]*/cellsockd\( \|\$\)#\1$bin\2#" \
	    "$u" >"$tmp/units/$name" || exit 99
done
cp "$srcdir/systemd/cellsockd.socket" "$tmp/units/" || exit 99
if grep -h '^Exec' "$tmp/units/cellsockd.service" "$tmp/units/cellsockd@.service" |
    grep '/cellsockd' |
    grep -v -q "=[-+!@:]*$bin"; then
	bad "could not point every Exec line at $bin"
fi

$to systemd-analyze verify --man=no --generators=no \
    "$tmp/units/cellsockd.service" "$tmp/units/cellsockd.socket" \
    "$tmp/units/cellsockd@test.service" >"$tmp/verify.out" 2>&1
rc=$?
cat "$tmp/verify.out"
if test $rc -ne 0; then
	bad "systemd-analyze verify exited $rc"
fi
# Complaints about other units (this machine's own) are shown, not failed.
if grep -i 'cellsock' "$tmp/verify.out" >/dev/null; then
	bad "systemd-analyze verify complained about our units"
fi

# --- 3. systemd-analyze security ---------------------------------------------
if ! systemd-analyze --help 2>&1 | grep -q -e '--offline'; then
	say "SKIP: systemd-analyze has no --offline (systemd < 250); verify passed"
	test $fail -eq 0 || exit 1
	exit 77
fi
for name in cellsockd.service cellsockd@test.service; do
	$to systemd-analyze security --offline=true --no-pager \
	    "$tmp/units/$name" >"$tmp/security.out" 2>&1
	rc=$?
	grep -v '^✓' "$tmp/security.out"
	if test $rc -ne 0; then
		bad "systemd-analyze security $name exited $rc"
	fi
	score=$(sed -n "s/.*Overall exposure level for $name: \([0-9.]*\).*/\1/p" \
	    "$tmp/security.out")
	if test -z "$score"; then
		bad "no exposure score for $name in systemd-analyze security output"
	elif awk -v s="$score" -v t="$threshold" 'BEGIN { exit !(s > t) }'; then
		bad "$name: exposure $score is above $threshold"
	else
		say "$name: exposure $score (limit $threshold)"
	fi
done

# --- 4. sysusers entry ---------------------------------------------------------
if command -v systemd-sysusers >/dev/null 2>&1; then
	mkdir -p "$tmp/root/etc"
	printf 'root:x:0:0:root:/root:/bin/sh\n' >"$tmp/root/etc/passwd"
	printf 'root:x:0:\ndialout:x:20:\n' >"$tmp/root/etc/group"
	$to systemd-sysusers --dry-run --root="$tmp/root" \
	    "$srcdir/systemd/cellsock.sysusers.conf" >"$tmp/sysusers.out" 2>&1
	rc=$?
	cat "$tmp/sysusers.out"
	test $rc -eq 0 || bad "systemd-sysusers exited $rc"
	grep -q "Creating group 'cellsock'" "$tmp/sysusers.out" ||
	    bad "sysusers entry does not create group cellsock"
	grep -q "Creating user 'cellsock'" "$tmp/sysusers.out" ||
	    bad "sysusers entry does not create user cellsock"
else
	say "note: systemd-sysusers not found; sysusers entry not checked"
fi

# --- 5. udev rule ----------------------------------------------------------------
rule=$srcdir/udev/60-cellsock-modem.rules
grep -q '^SUBSYSTEMS=="usb", ATTRS{idVendor}=="1bc7", ENV{ID_MM_DEVICE_IGNORE}="1"' \
    "$rule" || bad "$rule does not ignore Telit (1bc7) modems"
if command -v udevadm >/dev/null 2>&1 && udevadm verify --help >/dev/null 2>&1; then
	$to udevadm verify --resolve-names=never "$rule" || bad "udevadm verify $rule"
else
	say "note: no udevadm verify here (udev < 253); udev rule only grepped"
fi

exit $fail
