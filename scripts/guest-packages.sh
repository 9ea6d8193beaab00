#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# /init of the package test's initramfs (scripts/test-packages.sh): on
# Debian's stock kernel, load the syncmap.ko DKMS built on the host from
# the syncmap-dkms package (in /modules) and run the packaged syncmapctl
# (/usr/sbin, from syncmap-tools) with its shared library (libsyncmap0):
# the path of a user who installed the packages.  Each check is one line
# "pkg| ok DESC" or "pkg| not ok DESC", then the CLI tests'
# (syncmapctl_test.sh) TAP between "pkg| BEGIN TAP" and "pkg| END TAP
# rc=N"; the host turns them into TAP.

/bin/busybox --install -s /bin
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
tag=pkg
. /lib/guest-lib.sh

ctl=/usr/sbin/syncmapctl
map=pkg-test
PKG_VERSION=$(cat /usr/share/syncmap-test/version)
say "guest up $(uname -r)"

check() {
	desc=$1
	shift
	if "$@" >/tmp/out 2>&1; then
		say "ok $desc"
	else
		say "not ok $desc"
		say_file /tmp/out
	fi
}

# has DESC TEXT: the last check's output holds TEXT.
has() {
	if grep -qF -- "$2" /tmp/out; then
		say "ok $1"
	else
		say "not ok $1"
		say_file /tmp/out
	fi
}

check "insmod the DKMS-built syncmap.ko" insmod /modules/syncmap.ko
check "/dev/syncmap exists" test -c /dev/syncmap
# The loader lists what it would map (what ldd does).
check "syncmapctl runs with the packaged libsyncmap.so.0" \
	env LD_TRACE_LOADED_OBJECTS=1 "$ctl"
# mkinitramfs may also have copied it to where the host's loader finds it
# (/lib, merged /usr): what is loaded must be the packaged file.
lib=$(sed -n 's/^.*libsyncmap.so.0 => \([^ ]*\) .*$/\1/p' /tmp/out)
check "syncmapctl loads the packaged libsyncmap.so.0 ($lib)" \
	cmp "$lib" /usr/lib/x86_64-linux-gnu/libsyncmap.so.0
check "syncmapctl --version" "$ctl" --version
has "syncmapctl --version names the package's version" "syncmapctl $PKG_VERSION"
check "create" "$ctl" create "$map" mode 0644 entries 100
check "store" "$ctl" store "$map" greeting hello
check "load" "$ctl" load "$map" greeting
has "load returns the stored value" "hello"
check "list" "$ctl" list
has "list shows the map" "$map"
check "show -p" "$ctl" -p show "$map"
has "show -p shows the length" '"len": 1'
check "destroy" "$ctl" destroy "$map"
if "$ctl" show "$map" >/tmp/out 2>&1; then
	say "not ok the destroyed map is gone"
else
	say "ok the destroyed map is gone (rc=$?)"
fi

say "BEGIN TAP syncmapctl_test"
SYNCMAPCTL=$ctl JSON_CHECK=/usr/libexec/syncmap/json_check \
	sh /usr/share/syncmap-test/syncmapctl_test.sh >/tmp/tap 2>&1
rc=$?
say_file /tmp/tap
say "END TAP syncmapctl_test rc=$rc"

check "rmmod syncmap" rmmod syncmap
say "tainted=$(cat /proc/sys/kernel/tainted)"
say "guest done"
sync
reboot -f
