#!/bin/sh
# Quick start: build cellsock, then run cellsockd against the bundled modem
# simulator and a local TCP server, showing what the daemon does.
# Usage: sh scripts/quickstart.sh [--stay]
#   --stay   keep everything running until Ctrl-C (try cellsockctl by hand)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
stay=0
[ "${1:-}" = "--stay" ] && stay=1

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

echo "== the modem simulator (cellsock-modemsim, Telit HE910 firmware 12.00.006)"
"$b/src/modemsim/cellsock-modemsim" --link "$run/modem" --control "$run/modemsim.sock" \
	--firmware he910-12.00.006 >"$run/modemsim.out" 2>"$run/modemsim.log" &
pids="$pids $!"
wait_for "test -e $run/modem" 10
echo "   modem port: $run/modem -> $(readlink "$run/modem")"

cat >"$run/cellsockd.conf" <<CONF
modem:   { device = "$run/modem"; baudrate = 115200; };
network: { apn = "internet"; };
links = ( { name = "server"; host = "127.0.0.1"; port = $port; socket = 1;
            local = "unix:$run/server.sock";
            keepalive: { idle = 30.0; timeout = 5.0; retries = 2; probe = "FF"; reply = "any"; }; } );
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

echo "== cellsockctl monitor (in the background: events appear below)"
ctl monitor &
pids="$pids $!"
wait_for "ctl -j status | grep -q '\"monitors\":1'" 5

echo "== cellsockctl status"
ctl status
echo
echo "== cellsockctl -j links"
ctl -j links
echo
echo "== SIGHUP: the daemon reloads its configuration"
kill -HUP "$(ctl -j status | python3 -c 'import json,sys; print(json.load(sys.stdin)["daemon"]["pid"])')"
wait_for "grep -q 'configuration reloaded' $run/cellsockd.log" 5
echo
echo "== the daemon's log"
cat "$run/cellsockd.log"

if [ $stay -eq 1 ]; then
	echo
	echo "Running. Try:  $b/src/ctl/cellsockctl -s $run/control.sock status"
	echo "Ctrl-C stops everything."
	wait
fi
echo "== done: stopping the daemon, the simulator and the server"
