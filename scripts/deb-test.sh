#!/bin/sh
# scripts/deb-test.sh — build the Debian packages, check them with lintian,
# install them, try them, purge them and check that nothing is left.
#
# Builds from `git archive` of the committed tree plus tracked changes (`git
# stash create`; untracked files are left out) in a temporary directory, with
# DEB_BUILD_OPTIONS="nocheck parallel=2" (CI runs the test suite separately).
# Then, on this machine, as root:
#   1. lintian reports no error (warnings are printed, not failed);
#   2. `dpkg -i` of cellsock and cellsock-modemsim;
#   3. the shipped /etc/cellsock/cellsockd.conf passes `cellsockd -n`, is a
#      conffile, mode 0640 group cellsock; user cellsock exists;
#      `cellsockctl --version` and the simulator answer;
#      cellsockd.service is enabled and cellsockd.socket is not;
#      the service's start condition refuses the unedited example and accepts
#      an edited file; `systemd-analyze security` of every installed unit is
#      at or below 1.4;
#   4. `dpkg --purge` of both, then no file of theirs, no unit symlink and no
#      state directory is left (user and group cellsock may stay, as Debian
#      policy asks; this script deletes them again if it created them, so that
#      the machine is left as it was found).
# Prints SKIP and exits 77 when not root, without dpkg-buildpackage, or when
# a cellsock package is already installed (it would be purged).
# Usage: sh scripts/deb-test.sh    (KEEP=1 keeps the temporary directory)

set -u
top=$(cd "$(dirname "$0")/.." && pwd)
limit=1.4
fail=0
say() { printf 'deb-test: %s\n' "$*"; }
bad() { say "FAIL: $*"; fail=1; }
now() { date +%s; }

if [ "$(id -u)" -ne 0 ]; then
	say "SKIP: needs root (dpkg -i)"; exit 77
fi
for t in dpkg-buildpackage lintian fakeroot dh git; do
	command -v $t >/dev/null 2>&1 ||
	    { say "SKIP: $t not found (sh scripts/install-deps.sh)"; exit 77; }
done
if dpkg-query -W -f='${Status}\n' cellsock cellsock-modemsim 2>/dev/null |
    grep -q -v 'not-installed'; then
	say "SKIP: a cellsock package is installed already; not touching it"
	exit 77
fi

t0=$(now)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cellsock-deb.XXXXXX") || exit 99
had_user=0; getent passwd cellsock >/dev/null && had_user=1
had_group=0; getent group cellsock >/dev/null && had_group=1
installed=0
# dpkg, waiting up to 5 minutes for another apt-get/dpkg to let go of its lock.
dpkg_wait() {
	n=0
	while :; do
		dpkg "$@" >"$tmp/dpkg.log" 2>&1 && return 0
		if ! grep -q 'lock' "$tmp/dpkg.log" || [ $n -ge 150 ]; then
			cat "$tmp/dpkg.log"; return 1
		fi
		n=$((n + 1)); sleep 2
	done
}
cleanup() {
	if [ $installed = 1 ]; then
		dpkg_wait --purge cellsock cellsock-modemsim >/dev/null 2>&1
	fi
	if [ $had_user = 0 ] && getent passwd cellsock >/dev/null; then
		userdel cellsock 2>/dev/null
	fi
	if [ $had_group = 0 ] && getent group cellsock >/dev/null; then
		groupdel cellsock 2>/dev/null
	fi
	if [ "${KEEP:-0}" = 1 ]; then say "kept $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
trap 'exit 99' HUP INT TERM

# --- build ------------------------------------------------------------------
ref=$(cd "$top" && git stash create 2>/dev/null) || ref=
mkdir -p "$tmp/src"
(cd "$top" && git archive "${ref:-HEAD}") | tar -x -C "$tmp/src" || exit 99
say "building from ${ref:-HEAD} in $tmp/src"
if ! (cd "$tmp/src" && DEB_BUILD_OPTIONS="nocheck parallel=2" \
    dpkg-buildpackage -us -uc -b >"$tmp/build.log" 2>&1); then
	tail -n 60 "$tmp/build.log"
	say "FAIL: dpkg-buildpackage"; exit 1
fi
t1=$(now)
main=$(ls "$tmp"/cellsock_*.deb)
sim=$(ls "$tmp"/cellsock-modemsim_*.deb)
say "built $(basename "$main") $(basename "$sim") in $((t1 - t0)) s"

# --- lintian ----------------------------------------------------------------
lintian --fail-on error "$tmp"/cellsock_*.changes >"$tmp/lintian.out" 2>&1
rc=$?
grep -v 'running with root privileges' "$tmp/lintian.out"
[ $rc -eq 0 ] || bad "lintian reports errors (exit $rc)"
say "lintian: $(grep -c '^E:' "$tmp/lintian.out") errors," \
    "$(grep -c '^W:' "$tmp/lintian.out") warnings"
t2=$(now)

# --- install ----------------------------------------------------------------
installed=1
dpkg_wait -i "$main" "$sim" || { bad "dpkg -i"; exit 1; }
conf=/etc/cellsock/cellsockd.conf
cellsockd -n || bad "cellsockd -n on the shipped $conf"
cellsockd -n -f "$conf" >/dev/null 2>&1 || bad "cellsockd -n -f $conf"
dpkg-query -W -f='${Conffiles}\n' cellsock | grep -q " $conf " ||
    bad "$conf is not a conffile"
getent passwd cellsock >/dev/null || bad "postinst did not create user cellsock"
perm=$(stat -c '%a %U:%G' "$conf")
[ "$perm" = "640 root:cellsock" ] || bad "$conf is $perm, not 640 root:cellsock"
cellsockctl --version | grep -q "^cellsockctl " || bad "cellsockctl --version"
cellsock-modemsim --version >/dev/null || bad "cellsock-modemsim --version"
man -w cellsockd.conf >/dev/null 2>&1 || [ -f /usr/share/man/man5/cellsockd.conf.5.gz ] ||
    bad "no man page cellsockd.conf(5)"
wants=/etc/systemd/system
[ -L $wants/multi-user.target.wants/cellsockd.service ] ||
    bad "cellsockd.service is not enabled"
[ -e $wants/sockets.target.wants/cellsockd.socket ] &&
    bad "cellsockd.socket is enabled"

# The drop-in's start condition: skip on the unedited example, run otherwise.
units=$(dpkg -L cellsock | grep -E '/systemd/system/[^/]+\.(service|socket)$')
dropin=$(dpkg -L cellsock | grep 'cellsockd.service.d/.*\.conf$')
cond=$(sed -n 's/^ExecCondition=//p' "$dropin")
[ -n "$cond" ] || bad "no ExecCondition in $dropin"
if eval "$cond" 2>/dev/null; then
	bad "the start condition accepts the unedited example"
fi
printf '# edited\n' >>"$conf"
eval "$cond" || bad "the start condition refuses an edited configuration"

# The installed units with their drop-ins; verify exits 0 on unknown keys, so
# anything it prints about our units counts too.
systemd-analyze verify --man=no --generators=no $units >"$tmp/verify.out" 2>&1 ||
    bad "systemd-analyze verify $units"
if grep -i cellsock "$tmp/verify.out"; then
	bad "systemd-analyze verify complained about the installed units"
fi

# Exposure of every installed unit (systemd >= 250 has --offline).
if systemd-analyze --help 2>&1 | grep -q -e '--offline'; then
	for u in $units; do
		case $u in *.service) ;; *) continue;; esac
		case $u in *@.service) n=$(basename "$u" .service)test.service;;
		    *) n=$(basename "$u");; esac
		systemd-analyze security --offline=true --no-pager "$n" \
		    >"$tmp/security.out" 2>&1
		score=$(sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p' \
		    "$tmp/security.out")
		if [ -z "$score" ]; then
			cat "$tmp/security.out"; bad "no exposure score for $n"
		elif awk -v s="$score" -v t="$limit" 'BEGIN { exit !(s > t) }'; then
			bad "$n exposure $score is above $limit"
		else
			say "$n exposure $score (limit $limit)"
		fi
	done
else
	say "note: systemd-analyze has no --offline; exposure not checked"
fi

# --- purge ------------------------------------------------------------------
files=$(dpkg -L cellsock cellsock-modemsim | sort -u)
dpkg_wait --purge cellsock cellsock-modemsim || bad "dpkg --purge"
installed=0
dpkg-query -W -f='${Status}\n' cellsock cellsock-modemsim 2>/dev/null |
    grep -v 'not-installed' && bad "packages still known to dpkg"
left=
for f in $files; do
	case $f in /|/.|/etc|/lib|/usr|/usr/*/) continue;; esac
	if [ -e "$f" ] && ! [ -d "$f" ]; then left="$left $f"; fi
done
for d in /etc/cellsock /usr/share/cellsock /var/lib/cellsock /run/cellsock \
    /usr/share/doc/cellsock /usr/share/doc/cellsock-modemsim \
    $wants/multi-user.target.wants/cellsockd.service \
    /var/lib/systemd/deb-systemd-helper-enabled/cellsockd.service.dsh-also; do
	if [ -e "$d" ] || [ -L "$d" ]; then left="$left $d"; fi
done
[ -z "$left" ] || bad "left after purge:$left"
t3=$(now)

say "times: build $((t1 - t0)) s, lintian $((t2 - t1)) s," \
    "install/check/purge $((t3 - t2)) s, total $((t3 - t0)) s"
[ $fail -eq 0 ] && say "ok" || say "FAILED"
exit $fail
