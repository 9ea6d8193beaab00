#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# /init of the torture initramfs ("make torture"): on Debian's stock
# kernel, load syncmap and run syncmap_torture.ko, which tortures the map
# while it loads and logs one result line, then show that line.  The
# kernel runs with "quiet"; the host prints the part between the TORTURE
# markers and judges the result line.  The module's parameters come from
# lab.torture_args=A=1,B=2 on the command line (commas for spaces, '+'
# between phase names).

/bin/busybox --install -s /bin
export PATH=/bin:/sbin:/usr/bin:/usr/sbin

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null

args=
for arg in $(cat /proc/cmdline); do
	case $arg in
	lab.torture_args=*) args=$(echo "${arg#lab.torture_args=}" | tr ',' ' ') ;;
	esac
done

echo "==== TORTURE BEGIN ===="
echo "kernel: $(uname -r), $(nproc) CPUs"
cd /modules
insmod syncmap.ko
# Once: busybox's insmod would load it again when it fails.
echo "\$ finit-module syncmap_torture.ko $args"
start=$(cut -d. -f1 /proc/uptime)
# shellcheck disable=SC2086 # the arguments are words
finit-module syncmap_torture.ko $args
rc=$?
echo "[rc=$rc after $(($(cut -d. -f1 /proc/uptime) - start))s] dmesg:"
dmesg | grep 'syncmap_torture' | sed 's/^/    /'
lsmod | grep -q '^syncmap_torture' && rmmod syncmap_torture
rmmod syncmap
echo "tainted=$(cat /proc/sys/kernel/tainted)"
echo "==== TORTURE END ===="
sync
reboot -f
