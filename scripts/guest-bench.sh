#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# /init of the benchmark initramfs (busybox): loads syncmap.ko, runs the
# kernel benchmark (syncmap_bench.ko, which prints its results with
# printk) and the userspace one (syncmap-bench-user, whose lines go
# through /dev/kmsg so that they reach the console whole), then powers
# off.  scripts/bench.sh reads the console log.
#
# Kernel command line (unknown parameters reach /init as environment):
#   bench_profile=smoke|full   sizes and repetitions (default smoke)
#   bench_tests=<digits>       targets to run (default 12345678); 6 and 7
#                              are the userspace part's
#   bench_maps=<names>         kernel maps to run (default all)
#   bench_user=0               skip P6/P7
#   bench_rows=<names>         userspace rows to run, e.g. P7store
#                              (default: those of the targets asked for)
#   bench_perf=1               profile both parts with perf (cpu-clock
#                              samples: the emulated CPU has no PMU) and
#                              print the hottest symbols
#
# Markers: "bench| <line>" for everything this script reports,
# "bench| done" at the end, "bench| FAIL <what>" for a failed step.

/bin/busybox --install -s /bin
export PATH=/bin:/sbin:/usr/bin:/usr/sbin

tag=bench
. /lib/guest-lib.sh

profile=${bench_profile:-smoke}
tests=${bench_tests:-12345678}
rows=${bench_rows:-}
if [ -z "$rows" ]; then
	case $tests in *6*) rows=P6 ;; esac
	case $tests in *7*) rows=${rows:+$rows,}P7 ;; esac
fi
maps=${bench_maps:-all}
cs=/sys/devices/system/clocksource/clocksource0/current_clocksource
say "guest up: $(uname -r), $(grep -c ^processor /proc/cpuinfo) cpus, clocksource $(cat $cs), profile $profile"

cd /modules || say "FAIL no /modules"
if ! insmod syncmap.ko; then
	say "FAIL insmod syncmap.ko"
else
	set -- insmod syncmap_bench.ko profile="$profile" tests="$tests" \
		maps="$maps"
	if [ "${bench_perf:-0}" = 1 ] && command -v perf >/dev/null; then
		echo 0 >/proc/sys/kernel/kptr_restrict
		echo -1 >/proc/sys/kernel/perf_event_paranoid
		# A profile of the kernel part only when it runs a target.
		case $tests in
		*[1-58]*) set -- perf record -q -a -e cpu-clock -F 4000 \
				-o /tmp/perf.data "$@" ;;
		esac
	fi
	"$@" || say "FAIL syncmap_bench.ko (rc=$?)"
	if [ -e /tmp/perf.data ]; then
		perf report -i /tmp/perf.data --stdio --sort sym --no-children \
			2>/dev/null | grep -v '^#' | grep -v '^$' | head -n 60 \
			>/tmp/perf.out
		say "BEGIN PERF"
		say "kernel part (P1-P5, P8):"
		say_file /tmp/perf.out
		say "END PERF"
	fi
	rmmod syncmap_bench 2>/dev/null

	if [ "${bench_user:-1}" != 0 ] && [ -n "$rows" ]; then
		opt=
		[ "$profile" = full ] || opt=-s
		set -- syncmap-bench-user $opt -t "$rows"
		if [ "${bench_perf:-0}" = 1 ] && command -v perf >/dev/null; then
			# Samples of the timed calls only: the benchmark
			# switches perf on and off through these fifos.
			mkfifo /tmp/perf.ctl /tmp/perf.ack
			export SYNCMAP_BENCH_PERF_CTL=/tmp/perf.ctl
			export SYNCMAP_BENCH_PERF_ACK=/tmp/perf.ack
			set -- perf record -q -a -e cpu-clock -F 4000 -D -1 \
				--control=fifo:/tmp/perf.ctl,/tmp/perf.ack \
				-o /tmp/perf-user.data "$@"
		fi
		"$@" >/tmp/user.out 2>&1
		rc=$?
		say_file /tmp/user.out
		[ $rc -eq 0 ] || say "FAIL syncmap-bench-user (rc=$rc)"
		if [ -e /tmp/perf-user.data ]; then
			perf report -i /tmp/perf-user.data --stdio --sort sym \
				--no-children 2>/dev/null | grep -v '^#' |
				grep -v '^$' | head -n 60 >/tmp/perf.out
			say "BEGIN PERF"
			say "userspace part (P6, P7):"
			say_file /tmp/perf.out
			say "END PERF"
		fi
	else
		say "done"
	fi
	rmmod syncmap
fi

say "tainted=$(cat /proc/sys/kernel/tainted)"
say "end"
sync
reboot -f
