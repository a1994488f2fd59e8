#!/bin/sh
# Quick start: build cellsock, then run cellsockd against the bundled modem
# simulator and a local TCP server, showing what the daemon does.
# Usage: sh scripts/quickstart.sh [--stay] [--firmware PROFILE]
#   --stay               keep everything running until Ctrl-C (try cellsockctl by hand)
#   --firmware PROFILE   the simulated module (default he910-12.00.006, a Telit
#                        HE910; ec25, eg25 or bg96: a Quectel module). The daemon
#                        runs with modem.dialect = "auto" and finds out which.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
stay=0
firmware=he910-12.00.006
while [ $# -gt 0 ]; do
	case "$1" in
	--stay) stay=1 ;;
	--firmware) [ $# -ge 2 ] || { echo "--firmware needs a profile" >&2; exit 2; }
		firmware=$2; shift ;;
	--firmware=*) firmware=${1#--firmware=} ;;
	*) echo "usage: sh scripts/quickstart.sh [--stay] [--firmware PROFILE]" >&2; exit 2 ;;
	esac
	shift
done
# Telit connIds are 1..6, Quectel connectIDs 0..11: the demo uses the first.
case "$firmware" in
bg9*|ec2*|eg2*|eg9*) sock=0; module="a Quectel $(echo "$firmware" | tr a-z A-Z)" ;;
*) sock=1; module="a Telit, firmware $firmware" ;;
esac

sh scripts/install-deps.sh
if [ ! -x build/quickstart/src/daemon/cellsockd ]; then
	echo "== building (build/quickstart)"
	autoreconf -fi >/dev/null
	mkdir -p build/quickstart
	(cd build/quickstart && "$top/configure" -q && make -j"$(nproc)" >/dev/null)
fi
b="$top/build/quickstart"
run=$(mktemp -d /tmp/cellsock-demo.XXXXXX)
pids=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$run"
}
trap cleanup EXIT INT TERM

# Wait up to $2 seconds for the command $1 to succeed.
wait_for() {
	i=0
	while ! eval "$1" >/dev/null 2>&1; do
		i=$((i + 1)); [ $i -le $(($2 * 20)) ] || { echo "timed out: $1"; return 1; }
		sleep 0.05
	done
}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

port=$(free_port)
echo "== a local echo server on 127.0.0.1:$port (socat)"
socat TCP-LISTEN:"$port",bind=127.0.0.1,reuseaddr,fork EXEC:cat &
pids="$pids $!"

echo "== the modem simulator (cellsock-modemsim --firmware $firmware: $module, 115200 baud)"
"$b/src/modemsim/cellsock-modemsim" --link "$run/modem" --control "$run/modemsim.sock" \
	--firmware "$firmware" --baud 115200 >"$run/modemsim.out" 2>"$run/modemsim.log" &
pids="$pids $!"
wait_for "test -S $run/modemsim.sock" 10
echo "   modem port: $run/modem -> $(readlink "$run/modem")"
sim() { printf '%s\n' "$*" | socat - UNIX-CONNECT:"$run/modemsim.sock" | grep -v '^OK$' || true; }

cat >"$run/cellsockd.conf" <<CONF
modem:   { device = "$run/modem"; baudrate = 115200; dialect = "auto"; };
network: { apn = "internet"; };
links = ( { name = "server"; host = "127.0.0.1"; port = $port; socket = $sock;
            keepalive: { probe = "FF"; ack_timeout = 5.0; };
            reconnect: { min = 1.0; max = 60.0; stable = 30.0; quiet_time = 1.0; }; } );
control: { socket = "$run/control.sock"; group = ""; mode = "0660"; };
log:     { level = "info"; };
CONF
echo "== cellsockd -n (check the configuration)"
"$b/src/daemon/cellsockd" -n -f "$run/cellsockd.conf"

echo "== cellsockd -d (logs in $run/cellsockd.log)"
"$b/src/daemon/cellsockd" -d -f "$run/cellsockd.conf" 2>"$run/cellsockd.log" &
pids="$pids $!"
ctl() { "$b/src/ctl/cellsockctl" -s "$run/control.sock" "$@"; }
wait_for "ctl version" 10

echo "== cellsockctl monitor (in the background: events appear as they happen)"
ctl monitor | sed -u 's/^/   [monitor] /' &
pids="$pids $!"
wait_for "ctl -j status | grep -q '\"monitors\":1'" 5

echo "== waiting for the link to come up (modem bring-up, PDP context, dial)"
wait_for "ctl -j links | grep -q '\"state\":\"up\"'" 30
wait_for "grep -q 'connect check passed' $run/cellsockd.log" 15
echo
echo "== cellsockctl status (dialect: what +CGMI answered)"
ctl status
echo
echo "== fault: the server resets the connection (simulator: rst $sock)"
sim rst "$sock"
wait_for "ctl -j links | grep -q '\"connects\":2'" 30
wait_for "ctl -j links | grep -q '\"state\":\"up\"'" 30
echo "   detected (remote-reset), socket closed and verified, link back up"
echo
echo "== fault: the network deactivates the PDP context (simulator: pdp-drop)"
sim pdp-drop
wait_for "ctl -j links | grep -q '\"connects\":3'" 30
wait_for "ctl -j links | grep -q '\"state\":\"up\"'" 30
echo "   detected (pdp-lost), context re-activated, link back up"
echo
echo "== fault: the module reboots and its port disappears (simulator: reboot 1500)"
sim reboot 1500
wait_for "ctl -j links | grep -q '\"connects\":4'" 40
wait_for "ctl -j links | grep -q '\"state\":\"up\"'" 30
echo "   detected (modem-gone), port reopened, full bring-up, link back up"
echo
echo "== cellsockctl links"
ctl links
echo
echo "== the daemon's log"
sed 's/^/   /' "$run/cellsockd.log"

if [ $stay -eq 1 ]; then
	echo
	echo "Running. Try:"
	echo "  $b/src/ctl/cellsockctl -s $run/control.sock status"
	echo "  printf 'fin $sock\\n' | socat - UNIX-CONNECT:$run/modemsim.sock     # inject a fault"
	echo "Ctrl-C stops everything."
	wait
fi
echo "== done: stopping the daemon, the simulator and the server"
