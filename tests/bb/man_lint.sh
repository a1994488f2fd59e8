#!/bin/sh
# Every man page renders without warnings under groff -ww and mandoc -Tlint
# -Wwarning (STYLE notes about cross references depend on the installed man
# database, so they are not counted).
cd "$top_srcdir" || exit 1
pass=0 fail=0
for m in man/*.[0-9]; do
	if out=$(groff -ww -man -Tutf8 "$m" 2>&1 >/dev/null) && [ -z "$out" ]; then
		pass=$((pass+1)); echo "ok - groff $m"
	else
		fail=$((fail+1)); echo "not ok - groff $m: $out"
	fi
	if command -v mandoc >/dev/null; then
		if out=$(mandoc -Tlint -Wwarning "$m" 2>&1) && [ -z "$out" ]; then
			pass=$((pass+1)); echo "ok - mandoc $m"
		else
			fail=$((fail+1)); echo "not ok - mandoc $m: $out"
		fi
	fi
done
echo "man_lint: $pass passed, $fail failed"
[ $fail -eq 0 ]
