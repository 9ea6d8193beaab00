#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# /init of the lab initramfs (busybox).  Loads the syncmap modules in the
# debug kernel, lets KUnit run, dumps the results, runs the userspace
# selftests, unloads everything, asks kmemleak for leaks and powers the
# machine off.  scripts/check-log.sh judges the console log afterwards.
#
# Everything this script reports goes through /dev/kmsg, one line per
# write, prefixed with "lab| " (say() of guest-lib.sh), so the results on
# the console are always complete lines.  Markers:
#   lab| BEGIN KTAP <suite>   ... lab| END KTAP <suite>
#   lab| BEGIN TAP <test>     ... lab| END TAP <test> rc=<exit code>
#   lab| BEGIN KMEMLEAK       ... lab| END KMEMLEAK
#   lab| FAIL <what>          a step of this script failed
#   lab| tainted=<n>
#   lab| done                 reached the end (anything less is a crash)
#
# For a quicker look at one part, the kernel command line may narrow the
# run (make run LAB_APPEND='...'): lab.kunit=0 skips the KUnit module
# (kunit.filter_glob=SUITE[.CASE] picks suites, KUnit's own parameter),
# lab.selftests=NAME[,NAME...] runs only those selftests (none: none),
# lab.torture=0 skips the torture module, lab.torture_args=A=1,B=2 gives
# it parameters (commas for spaces; join phase names with '+').
# make check passes none of them to the lab kernel; the KCSAN kernel,
# which has no kmemleak, gets lab.kmemleak=0 and its own selection.
#
# No "set -e": a failing step is reported and the run goes on, so one
# broken test does not hide the results of the others.

/bin/busybox --install -s /bin
export PATH=/bin:/sbin:/usr/bin:/usr/sbin

tag=lab
. /lib/guest-lib.sh

run() {
	"$@" >/tmp/run.out 2>&1
	rc=$?
	say_file /tmp/run.out
	[ $rc -eq 0 ] || say "FAIL $* (rc=$rc)"
	return $rc
}

want_kunit=1
want_selftests=all
want_kmemleak=1
want_torture=1
torture_args=
for arg in $(cat /proc/cmdline); do
	case $arg in
	lab.torture=*) want_torture=${arg#lab.torture=} ;;
	lab.torture_args=*) torture_args=$(echo "${arg#lab.torture_args=}" | tr ',' ' ') ;;
	lab.kunit=*) want_kunit=${arg#lab.kunit=} ;;
	lab.selftests=*) want_selftests=${arg#lab.selftests=} ;;
	lab.kmemleak=*) want_kmemleak=${arg#lab.kmemleak=} ;;
	esac
done
selftest_wanted() {
	[ "$want_selftests" = all ] && return 0
	case ",$want_selftests," in
	*",$1,"*) return 0 ;;
	esac
	return 1
}

say "guest up: $(uname -r)"
cd /modules || say "FAIL no /modules"

if run insmod syncmap.ko; then
	# The sample consumer: load, let it exercise the API, unload.
	if [ -e syncmap_sample.ko ] && run insmod syncmap_sample.ko; then
		run rmmod syncmap_sample
	fi

	# The torture test runs while it loads, and says PASS or FAIL in
	# one line; insmod fails on FAIL.  Reported as a TAP test.  The
	# default cap suits the debug kernel under TCG: about a minute of
	# running, plus the setup and checks of each phase.
	if [ -e syncmap_torture.ko ] && [ "$want_torture" != 0 ]; then
		: "${torture_args:=duration=60}"
		# Once: busybox's insmod would load it again when it fails.
		load=insmod
		[ -x /bin/finit-module ] && load=finit-module
		say "torture: insmod syncmap_torture.ko $torture_args"
		start=$(cut -d. -f1 /proc/uptime)
		# shellcheck disable=SC2086 # the arguments are words
		$load syncmap_torture.ko $torture_args >/tmp/torture.out 2>&1
		rc=$?
		secs=$(($(cut -d. -f1 /proc/uptime) - start))
		line=$(dmesg | sed -n 's/^.*\(syncmap_torture: \(PASS\|FAIL\) .*\)$/\1/p' | tail -n 1)
		{
			echo "TAP version 13"
			echo "1..1"
			sed 's/^/# insmod: /' /tmp/torture.out
			echo "# ${line:-no result line}"
			echo "# insmod returned $rc after ${secs}s"
			if [ $rc -eq 0 ] && [ "${line#syncmap_torture: PASS }" != "$line" ]; then
				echo "ok 1 syncmap_torture"
			else
				echo "not ok 1 syncmap_torture"
			fi
		} >/tmp/tap
		say "BEGIN TAP torture"
		say_file /tmp/tap
		say "END TAP torture rc=$rc"
		lsmod | grep -q '^syncmap_torture' && run rmmod syncmap_torture
	fi

	# The KUnit fail-nth tests need failslab to fail sleeping
	# allocations too, and quietly: by default it ignores GFP_KERNEL and
	# dumps a stack for every failure it injects.
	if [ -d /sys/kernel/debug/failslab ]; then
		echo N >/sys/kernel/debug/failslab/ignore-gfp-wait
		echo 0 >/sys/kernel/debug/failslab/verbose
	fi

	# KUnit runs the suites synchronously while the module loads.
	if [ -e syncmap_kunit.ko ] && [ "$want_kunit" != 0 ]; then
		run insmod syncmap_kunit.ko
		for d in /sys/kernel/debug/kunit/*/; do
			[ -r "$d/results" ] || continue
			suite=$(basename "$d")
			cat "$d/results" >/tmp/ktap 2>&1
			say "BEGIN KTAP $suite"
			say_file /tmp/ktap
			say "END KTAP $suite"
		done
	fi

	# kselftest binaries (if the tools were built): each prints TAP.
	if [ -d /selftests ]; then
		cd /selftests
		for t in ./*; do
			[ -f "$t" ] && [ -x "$t" ] || continue
			name=$(basename "$t")
			selftest_wanted "$name" || continue
			timeout 600 "$t" </dev/null >/tmp/tap 2>&1
			rc=$?
			say "BEGIN TAP $name"
			say_file /tmp/tap
			say "END TAP $name rc=$rc"
		done
		cd /modules
	fi

	lsmod | grep -q '^syncmap_kunit' && run rmmod syncmap_kunit
	run rmmod syncmap
fi

# After the unload: whatever the modules allocated and did not free is
# now unreferenced.  kmemleak needs two scans to report an object (the
# first one only marks it), and objects younger than 5 s are ignored.
if [ "$want_kmemleak" = 0 ]; then
	:
elif [ -w /sys/kernel/debug/kmemleak ]; then
	sleep 6
	echo scan >/sys/kernel/debug/kmemleak
	sleep 6
	echo scan >/sys/kernel/debug/kmemleak
	cat /sys/kernel/debug/kmemleak >/tmp/kmemleak 2>&1
	say "BEGIN KMEMLEAK"
	say_file /tmp/kmemleak
	say "END KMEMLEAK"
else
	say "FAIL kmemleak not available"
fi

say "tainted=$(cat /proc/sys/kernel/tainted)"
say "done"
sync
reboot -f
