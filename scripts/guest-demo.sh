#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# /init of the demo initramfs ("make demo"): on Debian's stock kernel,
# load syncmap and the sample consumer and show what they logged.  The
# kernel runs with "quiet", so the console carries little besides what
# this script prints; the host prints the part between the DEMO markers.
# If the userspace tools were packed in (tools/demo.sh installed as
# /usr/share/syncmap/demo.sh, with syncmapctl), their scripted walk-through
# runs while both modules are loaded.

/bin/busybox --install -s /bin
export PATH=/bin:/sbin:/usr/bin:/usr/sbin

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null

echo "==== DEMO BEGIN ===="
echo "kernel: $(uname -r)"
cd /modules
dmesg -c >/dev/null

step() {
	echo "\$ $*"
	"$@" 2>&1
	echo "[rc=$?] dmesg:"
	dmesg -c | sed 's/^/    /'
}

step insmod syncmap.ko
step insmod syncmap_sample.ko
echo "\$ lsmod"
lsmod | grep syncmap
if [ -x /usr/share/syncmap/demo.sh ]; then
	/usr/share/syncmap/demo.sh 2>&1
	echo "dmesg:"
	dmesg -c | sed 's/^/    /'
fi
step rmmod syncmap_sample
step rmmod syncmap
echo "tainted=$(cat /proc/sys/kernel/tainted)"
echo "==== DEMO END ===="
sync
reboot -f
