#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Host test of scripts/lab-kernel.sh: the kernel build must not inherit
# anything from the make that asked for it.  "make check" used to run
# "make modules W=1", the W=1 travelled in MAKEFLAGS into the kernel
# build, and CONFIG_WERROR=y made every cold build fail.
#
# The recipe runs against a stub source tarball whose "make" (first in
# PATH) and merge_config.sh only record their arguments and environment
# and create the files the recipe checks for.  The caller is a real make
# invoked the way "make check" invokes its sub-makes, with W=1 C=2 M=...
# on its command line and KBUILD_* in the environment.  Prints TAP.
#
# Usage: scripts/test-lab-kernel.sh

set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# --- the stub kernel source and tools ---
mkdir -p "$tmp/tar/linux-source-6.12/scripts/kconfig" \
	"$tmp/tar/linux-source-6.12/kernel/configs" "$tmp/bin"
echo 'CONFIG_HYPERVISOR_GUEST=y' >"$tmp/tar/linux-source-6.12/kernel/configs/kvm_guest.config"
cat >"$tmp/tar/linux-source-6.12/scripts/kconfig/merge_config.sh" <<'EOF'
#!/bin/bash
# merge_config.sh -m -O DIR BASE FRAGMENT...: the merged .config is
# simply every fragment, so that each option "survives".
out=$3; shift 4
cat "$@" >"$out/.config"
EOF
chmod +x "$tmp/tar/linux-source-6.12/scripts/kconfig/merge_config.sh"
tar -cJf "$tmp/src.tar.xz" -C "$tmp/tar" linux-source-6.12

cat >"$tmp/bin/make" <<'EOF'
#!/bin/bash
# Records each kernel make call: its arguments, then its environment
# (in a file beside bin/: the recipe passes no variable of ours on).
{
	echo "ARGS $*"
	env | sed 's/^/ENV /'
} >>"$(dirname "$0")/../record"
for a; do
	case $a in O=*) kdir=${a#O=} ;; esac
done
case " $* " in
*" all "*) mkdir -p "$kdir/arch/x86/boot" && touch "$kdir/arch/x86/boot/bzImage" ;;
*" x86_64_defconfig "*) mkdir -p "$kdir" && : >"$kdir/.config" ;;
esac
EOF
chmod +x "$tmp/bin/make"

# --- the caller: a make recipe with polluted variables ---
cat >"$tmp/Makefile" <<EOF
all:
	PATH=$tmp/bin:\$\$PATH $here/lab-kernel.sh >$tmp/kdir
EOF

record=$tmp/record
n=0
fails=0
ok() {
	n=$((n + 1))
	if [[ $1 == 0 ]]; then
		echo "ok $n $2"
	else
		echo "not ok $n $2"
		fails=$((fails + 1))
	fi
}

echo "TAP version 13"
echo "1..4"

rc=0
out=$(SYNCMAP_CACHE=$tmp/cache \
	SYNCMAP_KSRC_TAR=$tmp/src.tar.xz KBUILD_VERBOSE=1 KBUILD_EXTMOD=/nowhere \
	CFLAGS=-Werror ARCH=um CC=false \
	/usr/bin/make -C "$tmp" W=1 C=2 M=/nowhere V=1 2>&1) || rc=$?
((rc == 0)) || sed 's/^/# /' <<<"$out"
ok "$rc" "the recipe builds when called from make with W=1 C=2 M= V=1"

calls=$(grep -c '^ARGS ' "$record" 2>/dev/null)
[[ $calls -ge 3 ]]
ok $? "the kernel make ran $calls times (defconfig, olddefconfig, all)"

# Nothing of the caller may reach the kernel make, in its arguments or
# its environment.
leaks=$(grep -E '^ENV (MAKEFLAGS|MFLAGS|MAKEOVERRIDES|MAKELEVEL|MAKEFILES|GNUMAKEFLAGS|W|C|M|V|CC|CFLAGS|ARCH|KBUILD_[A-Z_]*)=' "$record" | sort -u || true)
[[ -z $leaks ]]
ok $? "the kernel make's environment holds none of the caller's variables"
[[ -z $leaks ]] || sed 's/^/# /' <<<"$leaks"

bad=$(grep -E '^ARGS ' "$record" | grep -E ' (W|C|M|V)=' || true)
[[ -z $bad ]]
ok $? "the kernel make's command line holds only the recipe's own variables"
[[ -z $bad ]] || sed 's/^/# /' <<<"$bad"

((fails == 0))
