#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build a busybox initramfs (gzip'd newc cpio) for the lab or demo guest.
#
# Usage: mkinitramfs.sh -o OUT.cpio.gz -i INIT_SCRIPT -m MODULE_TREE
#                       [-x OVERLAY_DIR] [-b PROGRAM]...
#   -m  directory searched (recursively) for *.ko; they land flat in
#       /modules
#   -b  a statically linked program for /bin (e.g. finit-module)
#   -x  directory copied as is over the root, e.g. the DESTDIR of
#       "make -C tools install" with selftests in ./selftests; dynamically
#       linked executables in it get their shared libraries copied too,
#       so the tools need not be built static
#
# Needs only busybox-static, cpio and gzip; no root privileges (cpio -R
# records root ownership without chown).

set -euo pipefail

out= init= modtree= overlay=
progs=()
while getopts 'o:i:m:x:b:' opt; do
	case $opt in
	o) out=$OPTARG ;;
	i) init=$OPTARG ;;
	m) modtree=$OPTARG ;;
	x) overlay=$OPTARG ;;
	b) progs+=("$OPTARG") ;;
	*) exit 2 ;;
	esac
done
[[ -n $out && -n $init && -n $modtree ]] || {
	echo "usage: $0 -o OUT -i INIT -m MODULE_TREE [-x OVERLAY] [-b PROGRAM]..." >&2
	exit 2
}

busybox=${BUSYBOX:-/bin/busybox}
[[ -x $busybox ]] || { echo "mkinitramfs: $busybox missing" >&2; exit 1; }
# A dynamically linked busybox would die in a root without libc.
if ldd "$busybox" >/dev/null 2>&1; then
	echo "mkinitramfs: $busybox is not static (install busybox-static)" >&2
	exit 1
fi

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT

mkdir -p "$root"/{bin,sbin,dev,lib,proc,sys,tmp,modules,usr/bin,usr/sbin}
cp "$busybox" "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
install -m 0755 "$init" "$root/init"
# What the lab's and the benchmark's /init scripts share.
install -m 0644 "$here/guest-lib.sh" "$root/lib/guest-lib.sh"
for p in "${progs[@]}"; do
	if ldd "$p" >/dev/null 2>&1; then
		echo "mkinitramfs: $p is not static" >&2
		exit 1
	fi
	install -m 0755 "$p" "$root/bin/$(basename "$p")"
done

mods=$(find "$modtree" -name '*.ko' | sort)
[[ -n $mods ]] || { echo "mkinitramfs: no .ko under $modtree" >&2; exit 1; }
for m in $mods; do
	cp "$m" "$root/modules/"
done

if [[ -n $overlay && -d $overlay ]]; then
	cp -a "$overlay/." "$root/"
	# Bring the shared libraries (and the dynamic loader) of every
	# dynamically linked executable along, at the same paths.
	while IFS= read -r -d '' f; do
		ldd "$f" >/dev/null 2>&1 || continue
		ldd "$f" | grep -oE '/[^ ]+' | while read -r lib; do
			[[ -e $lib ]] || continue
			mkdir -p "$root$(dirname "$lib")"
			cp -L "$lib" "$root$lib"
		done
	done < <(find "$overlay" -type f -perm -u+x -print0)
fi

mkdir -p "$(dirname "$out")"
out=$(cd "$(dirname "$out")" && pwd)/$(basename "$out")
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) |
	gzip -1 >"$out.tmp"
mv "$out.tmp" "$out"
echo "mkinitramfs: $out ($(du -h "$out" | cut -f1), modules: $(ls "$root/modules" | tr '\n' ' '))" >&2
