#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot a kernel + initramfs in QEMU and capture the serial console.
#
# Usage: run-qemu.sh -k KERNEL -i INITRD -l LOG [-a EXTRA_APPEND]
#                    [-t TIMEOUT_SECS] [-r MARKER]
#
# -r MARKER: the line /init prints first.  TCG occasionally breaks the
# kernel's own code patching during boot ("Oops: int3" before userspace
# starts), and QEMU itself occasionally crashes; if the kernel oopses or
# QEMU dies of a signal before MARKER reaches the console, nothing of the
# project has run yet: the log is kept as LOG.boot-failed and the machine
# boots once more.
#
# Always TCG: the lab must work where /dev/kvm does not exist (CI,
# containers).  thread=multi gives the two vCPUs real parallelism, which
# the concurrency tests need.  The guest powers off by itself
# ("reboot -f" with -no-reboot); panic=-1 turns a panic into an immediate
# reboot, i.e. an exit, so a crashed guest does not sit out the timeout.
# The timeout is the last resort for a hung guest.
#
# Exit status: QEMU's, or 124 on timeout.  The log is judged separately
# (scripts/check-log.sh); this script only runs the machine.

set -euo pipefail

kernel= initrd= log= extra= marker= tmo=${SYNCMAP_QEMU_TIMEOUT:-900}
while getopts 'k:i:l:a:t:r:' opt; do
	case $opt in
	k) kernel=$OPTARG ;;
	i) initrd=$OPTARG ;;
	l) log=$OPTARG ;;
	a) extra=$OPTARG ;;
	t) tmo=$OPTARG ;;
	r) marker=$OPTARG ;;
	*) exit 2 ;;
	esac
done
[[ -n $kernel && -n $initrd && -n $log ]] || {
	echo "usage: $0 -k KERNEL -i INITRD -l LOG [-a APPEND] [-t SECS]" >&2
	exit 2
}
[[ -r $kernel ]] || { echo "run-qemu: cannot read $kernel" >&2; exit 1; }
[[ -r $initrd ]] || { echo "run-qemu: cannot read $initrd" >&2; exit 1; }

append="console=ttyS0 panic=-1 printk.devkmsg=on $extra"
mkdir -p "$(dirname "$log")"

boot() {
	echo "run-qemu: booting $(basename "$kernel") (TCG, timeout ${tmo}s), console -> $log" >&2
	start=$SECONDS
	rc=0
	# stdin from /dev/null: CI has none, and QEMU must never wait on a tty.
	timeout -k 10 "$tmo" \
		qemu-system-x86_64 \
		-accel tcg,thread=multi -smp 2 -m 2G \
		-nographic -no-reboot \
		-kernel "$kernel" -initrd "$initrd" \
		-append "$append" \
		</dev/null >"$log" 2>&1 || rc=$?

	if ((rc == 124)); then
		echo "run-qemu: guest did not finish within ${tmo}s" >&2
		echo "run-qemu: TIMEOUT after ${tmo}s" >>"$log"
	elif ((rc != 0)); then
		echo "run-qemu: qemu exited with $rc" >&2
	fi
	echo "run-qemu: guest ran $((SECONDS - start))s" >&2
}

boot
# QEMU 7.2's TCG itself also crashes now and then while the kernel boots
# (seen: SIGSEGV in qemu-system-x86_64 during PCI enumeration, exit 139).
# Before MARKER that too is nothing of the project's: boot once more.
if [[ -n $marker ]] && ! grep -aqF -- "$marker" "$log" &&
	{ grep -aq 'Oops' "$log" || ((rc > 128 && rc != 124)); }; then
	mv "$log" "$log.boot-failed"
	echo "run-qemu: the guest failed before /init ran (rc $rc, $log.boot-failed): booting again" >&2
	boot
fi
exit "$rc"
