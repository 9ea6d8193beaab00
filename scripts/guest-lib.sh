# SPDX-License-Identifier: GPL-2.0
#
# Sourced by the /init scripts of the lab and benchmark initramfs images
# (guest-init.sh, guest-bench.sh), which set $tag first; mkinitramfs.sh
# installs it as /lib/guest-lib.sh.  Mounts what the scripts use and
# defines how they report: every line goes through /dev/kmsg as
# "<tag>| <line>", one record per write.  The console is shared with the
# kernel, and a printk arriving in the middle of a userspace write would
# split a line in two; kmsg records are printed whole.  run-qemu.sh
# passes printk.devkmsg=on, which lifts the rate limit on /dev/kmsg (and
# locks the sysctl).

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t debugfs debugfs /sys/kernel/debug
mkdir -p /tmp && mount -t tmpfs tmpfs /tmp

say() {
	echo "$tag| $*" >/dev/kmsg
}

# Copy a file to the console line by line through kmsg.
say_file() {
	while IFS= read -r l || [ -n "$l" ]; do
		echo "$tag| $l" >/dev/kmsg
	done <"$1"
}
