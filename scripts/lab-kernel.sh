#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build (or find in the cache) a syncmap kernel: Debian's
# linux-source-6.12 with x86_64 defconfig + kvm_guest.config + a fragment:
# scripts/lab.config, the debug lab kernel (KUnit, lockdep, PROVE_RCU,
# KASAN, kmemleak, fault injection, ...), scripts/bench.config, the
# production-like benchmark kernel, or scripts/kcsan.config, the data-race
# detector's kernel (KCSAN cannot share a kernel with KASAN).
#
# Usage:
#   scripts/lab-kernel.sh [--config lab|bench|kcsan]
#                         build if needed; last stdout line = KDIR
#   scripts/lab-kernel.sh --source
#                         extract if needed; last stdout line = the
#                         kernel source tree (checkpatch, kunit.py)
#
# The source is extracted once and the build lives in an O= directory, both
# under ${SYNCMAP_CACHE:-$HOME/.cache/syncmap} so that nothing big lands in
# the repository and a fresh clone reuses a previous build.  The build
# directory is named after a hash of everything that determines the
# result (fragment, source package version, compiler, this recipe's
# version), so a warm run only checks a stamp file and prints the path.
#
# All chatter goes to stderr and the full make output to a log in the
# build directory: stdout carries only the path, for the Makefile.
#
# The kernel is built the same whoever asks for it: the script re-runs
# itself in an environment that keeps only PATH, HOME and the two
# SYNCMAP_* variables it reads, so nothing of the caller's make (W=1,
# C=2, M=, KBUILD_*, CC, ARCH... which make passes on in MAKEFLAGS and in
# the environment) reaches the kernel build.  scripts/test-lab-kernel.sh
# checks that.

set -euo pipefail

if [[ ${SYNCMAP_CLEAN_ENV:-} != 1 ]]; then
	keep=(SYNCMAP_CLEAN_ENV=1 "PATH=$PATH" "HOME=$HOME" LC_ALL=C)
	[[ -v SYNCMAP_CACHE ]] && keep+=("SYNCMAP_CACHE=$SYNCMAP_CACHE")
	[[ -v SYNCMAP_KSRC_TAR ]] && keep+=("SYNCMAP_KSRC_TAR=$SYNCMAP_KSRC_TAR")
	exec env -i "${keep[@]}" bash "${BASH_SOURCE[0]}" "$@"
fi

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
pkg=linux-source-6.12
src_tar=${SYNCMAP_KSRC_TAR:-/usr/src/$pkg.tar.xz}
cache=${SYNCMAP_CACHE:-$HOME/.cache/syncmap}
flavor=lab
if [[ ${1:-} == --config ]]; then
	flavor=${2:-}
	shift 2 || true
fi
case $flavor in
lab) prefix=build ;;
bench) prefix=bench ;;
kcsan) prefix=kcsan ;;
*) echo "lab-kernel: --config takes lab, bench or kcsan" >&2; exit 2 ;;
esac
fragment=$here/$flavor.config
# Bump when the build steps below change in a way that changes the result.
recipe=1

log() { printf 'lab-kernel: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

[[ -r $src_tar ]] || die "$src_tar missing (run scripts/install-deps.sh)"
[[ -r $fragment ]] || die "$fragment missing"

# Version of the source package: part of the cache key and of the source
# dir name, so a Debian point release gets a fresh tree and build.
ver=$(dpkg-query -W -f='${Version}' "$pkg" 2>/dev/null || true)
[[ -n $ver ]] || ver=$(stat -c %Y "$src_tar")

mkdir -p "$cache"
# Debian versions contain '~' and ':'; keep paths plain for make.
srcdir=$cache/src/$pkg-${ver//[^A-Za-z0-9.+_-]/_}

# One build at a time per cache: two concurrent "make check" runs must not
# both extract or compile into the same directory.  Taken only when there
# is work to do, so that "--source" or a warm lookup never waits for
# somebody else's build; whoever gets it looks again before working.
locked=0
lock() {
	((locked)) && return 0
	exec 9>"$cache/.lock"
	flock 9
	locked=1
}

extract_source() {
	[[ -e $srcdir/.syncmap-extracted ]] && return 0
	lock
	[[ -e $srcdir/.syncmap-extracted ]] && return 0
	log "extracting $src_tar into $srcdir"
	local tmp=$cache/src/.tmp-$$
	rm -rf "$tmp"
	mkdir -p "$tmp"
	tar -xJf "$src_tar" -C "$tmp"
	rm -rf "$srcdir"
	# Extract-then-rename: an interrupted extraction never looks complete.
	mv "$tmp/$pkg" "$srcdir"
	rmdir "$tmp"
	touch "$srcdir/.syncmap-extracted"
}

extract_source

if [[ ${1:-} == --source ]]; then
	echo "$srcdir"
	exit 0
fi
[[ $# -eq 0 ]] || die "usage: $0 [--config lab|bench|kcsan] | --source"

key=$({
	echo "recipe $recipe"
	echo "source $pkg $ver"
	gcc --version | head -n1
	cat "$fragment"
} | sha256sum | cut -c1-16)
kdir=$cache/$prefix-$key
stamp=$kdir/.syncmap-built

built() { [[ -e $stamp && -e $kdir/arch/x86/boot/bzImage ]]; }
if built || { lock && built; }; then
	log "cached: $kdir"
	echo "$kdir"
	exit 0
fi

mkdir -p "$kdir"
buildlog=$kdir/build.log
: >"$buildlog"

run() {
	# Keep the terminal readable; on failure show the end of the log.
	if ! "$@" >>"$buildlog" 2>&1; then
		tail -n 60 "$buildlog" >&2
		die "failed: $* (full log: $buildlog)"
	fi
}

kmake() { run make -C "$srcdir" O="$kdir" ARCH=x86_64 "$@"; }

log "configuring $kdir"
kmake x86_64_defconfig
# -m: only merge, the olddefconfig below resolves dependencies.  The
# fragment comes last so it wins over kvm_guest.config where they differ
# (preemption model, DRM).
run "$srcdir/scripts/kconfig/merge_config.sh" -m -O "$kdir" \
	"$kdir/.config" "$srcdir/kernel/configs/kvm_guest.config" "$fragment"
kmake olddefconfig

# Every option of the fragment must have survived olddefconfig: Kconfig
# drops options with unmet dependencies without a word.
missing=0
while IFS= read -r line; do
	if [[ $line =~ ^(CONFIG_[A-Za-z0-9_]+)=(.*)$ ]]; then
		if ! grep -qxF -- "$line" "$kdir/.config"; then
			got=$(grep -E "^(# )?${BASH_REMATCH[1]}[= ]" "$kdir/.config" || true)
			log "config check: want '$line', got '${got:-<absent>}'"
			missing=1
		fi
	elif [[ $line =~ ^#\ (CONFIG_[A-Za-z0-9_]+)\ is\ not\ set$ ]]; then
		if grep -qE "^${BASH_REMATCH[1]}=" "$kdir/.config"; then
			got=$(grep -E "^${BASH_REMATCH[1]}=" "$kdir/.config")
			log "config check: want '$line', got '$got'"
			missing=1
		fi
	fi
done <"$fragment"
((missing == 0)) || die "$flavor.config options did not end up in $kdir/.config"

jobs=$(nproc)
log "building the $flavor kernel with -j$jobs (log: $buildlog)"
start=$SECONDS
# "all" = bzImage + modules + what M= builds need (Module.symvers, headers).
kmake -j"$jobs" all
log "kernel built in $((SECONDS - start))s"

echo "$key" >"$stamp"
echo "$kdir"
