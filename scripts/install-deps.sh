#!/bin/sh
# Install what cellsock needs to build, test and run its demo, from Debian's
# archive. Safe to run again: apt-get skips what is already there.
set -eu
PKGS="build-essential autoconf automake pkg-config
libevent-dev libserialport-dev libconfig-dev libsystemd-dev libcmocka-dev
clang libclang-rt-14-dev python3 socat ppp mandoc groff-base
iproute2 nftables systemd procps strace mosquitto mosquitto-clients
valgrind gnuplot-nox bash-completion
debhelper dpkg-dev fakeroot lintian udev"

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && { echo "install-deps: all packages present"; exit 0; }
if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: missing:$missing — run as root (or: sudo $0)" >&2
	exit 1
fi
echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing
