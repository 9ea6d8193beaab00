#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The syncmapctl part of "make demo": a scripted session against
# /dev/syncmap.  Run in the demo guest after syncmap.ko (and
# syncmap_sample.ko, whose map "sample" is shown from userspace) are
# loaded.  Prints each command and its exit status.

ctl=${SYNCMAPCTL:-syncmapctl}

# Show a command as typed, quoting words with spaces.
show() {
	printf '$'
	for a in "$@"; do
		case $a in
		*" "* | "") printf " '%s'" "$a" ;;
		*) printf ' %s' "$a" ;;
		esac
	done
	echo
}

step() {
	show "$@"
	"$@" 2>&1
	echo "[exit $?]"
}

step ls -l /dev/syncmap
step "$ctl" create demo mode 0644 entries 1000
step "$ctl" store demo greeting "hello, world"
step "$ctl" store demo counter 1
step "$ctl" load demo greeting
step "$ctl" load demo missing
step "$ctl" cas demo counter 1 2
step "$ctl" cas demo counter 1 3
step "$ctl" load-or-store demo counter 100
step "$ctl" swap demo greeting "goodbye"
step "$ctl" --hex store demo 00ff c0ffee
echo "\$ printf 'store a 1\\nstore b 2\\nload a\\nload-and-delete b\\ncad a 9\\n' | $ctl batch demo"
printf 'store a 1\nstore b 2\nload a\nload-and-delete b\ncad a 9\n' | "$ctl" batch demo 2>&1
echo "[exit $?]"
step "$ctl" dump demo
step "$ctl" -j dump demo
step "$ctl" show demo
step "$ctl" list
if "$ctl" show sample >/dev/null 2>&1; then
	step "$ctl" -j show sample
	step "$ctl" dump sample
	step "$ctl" load sample greeting
fi
step "$ctl" destroy demo
step "$ctl" load demo greeting
step "$ctl" list
