#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Install everything the lab needs (Debian 12).  Idempotent: when all
# packages are present it touches nothing and does not even refresh the
# package lists, so a warm "make check" does not wait on the network.
#
# With --stock it installs nothing and prints the stock kernel's release (e.g.
# 6.1.0-NN-amd64): the newest one for which both the headers and the
# bootable image are installed.  It is found by globbing, never
# hard-coded, because Debian bumps the ABI number with each point release
# and linux-image-amd64 follows it.

set -euo pipefail

pkgs=(
	linux-source-6.12	# the lab kernel's source (+ checkpatch, kunit.py)
	qemu-system-x86		# the guest, always TCG
	busybox-static		# the initramfs userland
	linux-image-amd64	# stock 6.1 kernel for "make demo"
	linux-headers-amd64	# ... and its headers for "make compat"
	sparse			# "make lint" (C=2)
	bc flex bison libelf-dev libssl-dev dwarves	# kernel build
	cpio xz-utils kmod	# source tarball, initramfs, modinfo
	python3			# kunit.py parse
	rsync gcc make
	gcc-multilib		# the 32-bit (compat ioctl) selftest
	perl			# checkpatch.pl
	liburcu-dev		# the core built in userspace (tools/testing/userspace)
	golang-go		# make bench-native: Go's own sync.Map
	python3-sphinx		# make htmldocs (Documentation/conf.py)
	# make deb and scripts/test-packages.sh: the Debian packages, DKMS,
	# the man pages and the bash completion
	dpkg-dev debhelper dh-dkms dkms lintian fakeroot adduser
	pkg-config man-db groff-base bash-completion
)

log() { printf 'install-deps: %s\n' "$*" >&2; }

install_missing() {
	local p st missing=() sudo=
	for p in "${pkgs[@]}"; do
		st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
		[[ $st == "install ok installed" ]] || missing+=("$p")
	done
	if ((${#missing[@]} == 0)); then
		log "all ${#pkgs[@]} packages present"
		return 0
	fi
	log "installing: ${missing[*]}"
	((EUID == 0)) || sudo=sudo
	export DEBIAN_FRONTEND=noninteractive
	$sudo apt-get update -q >&2
	$sudo apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
}

# The newest stock 6.1 release with both headers and a bootable image.
stock_release() {
	local h rel best=
	for h in /usr/src/linux-headers-6.1.*-amd64; do
		[[ -d $h ]] || continue
		rel=${h#/usr/src/linux-headers-}
		[[ -e /boot/vmlinuz-$rel ]] || continue
		best+="$rel"$'\n'
	done
	[[ -n $best ]] || return 1
	# Globs sort lexically (-9 after -56); sort by version instead.
	printf '%s' "$best" | sort -V | tail -n1
}

case ${1:-} in
"")
	install_missing
	;;
--stock)
	stock_release || {
		log "no stock kernel found (/usr/src/linux-headers-6.1.*-amd64 with /boot/vmlinuz-*)"
		exit 1
	}
	;;
*)
	echo "usage: $0 [--stock]" >&2
	exit 2
	;;
esac
