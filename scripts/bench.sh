#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The syncmap benchmark, end to end: builds a production-like kernel from
# the lab's kernel source (scripts/bench.config, cached beside the lab
# kernel under its own key), syncmap.ko and syncmap_bench.ko against it,
# the userspace benchmark, an initramfs; boots QEMU; prints the table of
# ns/op, ops/s and ratios against every peer and the SPEC section 6
# targets; writes CSV and plots into build/bench/results/<run>/.
#
# Usage: scripts/bench.sh [--smoke] [--stock] [--tests DIGITS] [--no-user]
#                         [--kernel] [-h|--help]
#   --smoke         small sizes, 3 repetitions (a few minutes once the
#                   kernel is cached); default: the full run
#   --tests DIGITS  targets to run, e.g. 15 for P1 and P5 (default
#                   12345678; P6/P7 are the userspace part)
#   --stock         run on Debian's stock kernel (linux-image-amd64, also
#                   production-like) instead of building one: what
#                   "make check" does for its smoke run
#   --maps NAMES    kernel maps to run, comma separated (default all:
#                   syncmap,rhashtable,mutex,rwlock,sharded)
#   --no-user       skip the userspace part (P6, P7)
#   --rows NAMES    userspace rows to run, comma separated, e.g. P7store
#                   (default: the rows of the targets in --tests)
#   --perf          profile both parts with perf in the guest
#                   (cpu-clock samples) and print the hottest symbols
#   --kernel        only build (or find) the benchmark kernel; print its
#                   build directory
#
# QEMU runs under TCG: absolute times are emulator times and mean
# nothing; every map runs in the same guest in the same run, so the
# ratios between them are the result.
#
# Exit status: 0 when the run completed (missed targets included: this
# measures, it does not judge), 1 when something failed to build or the
# guest did not finish.

set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
build=$repo/build/bench

profile=full tests=12345678 rows= maps=all user=1 perf=0 kernel_only=0 stock=0
while (($#)); do
	case $1 in
	--smoke) profile=smoke ;;
	--full) profile=full ;;
	--tests) tests=${2:?--tests needs digits}; shift ;;
	--maps) maps=${2:?--maps needs names}; shift ;;
	--rows) rows=${2:?--rows needs names}; shift ;;
	--no-user) user=0 ;;
	--perf) perf=1 ;;
	--kernel) kernel_only=1 ;;
	--stock) stock=1 ;;
	-h | --help) sed -n '3,/^$/s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) echo "bench: unknown argument '$1' (see --help)" >&2; exit 2 ;;
	esac
	shift
done
[[ $tests =~ ^[0-9]+$ ]] || { echo "bench: --tests takes digits" >&2; exit 2; }
[[ $maps =~ ^[a-z,]+$ ]] || { echo "bench: --maps takes names" >&2; exit 2; }
[[ $rows =~ ^[A-Za-z0-9,]*$ ]] || { echo "bench: --rows takes names" >&2; exit 2; }

log() { printf 'bench: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

"$here/install-deps.sh"
if ! command -v gnuplot >/dev/null; then
	log "installing gnuplot-nox (plots)"
	sudo=
	((EUID == 0)) || sudo=sudo
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q \
		--no-install-recommends gnuplot-nox >&2 ||
		log "no gnuplot: the run goes on without plots"
fi

# ---- the benchmark kernel -------------------------------------------------

if ((stock)); then
	rel=$("$here/install-deps.sh" --stock | tail -n1)
	kdir=/usr/src/linux-headers-$rel
	bzimage=/boot/vmlinuz-$rel
	log "stock kernel: $bzimage"
else
	# Built by the lab's recipe from scripts/bench.config, cached beside
	# the lab kernel under its own key.
	kdir=$("$here/lab-kernel.sh" --config bench | tail -n1)
fi
bzimage=${bzimage:-$kdir/arch/x86/boot/bzImage}
if ((kernel_only)); then
	echo "$kdir"
	exit 0
fi

# ---- modules, userspace, initramfs ------------------------------------------

mkdir -p "$build"
# Copies of the sources, build products kept (P) so rebuilds are
# incremental: Kbuild before 6.13 has no separate output directory for M=
# builds.  syncmap.ko is built with the top-level Kbuild, as the lab does.
keep=()
for p in '*.o' '*.ko' '*.mod' '*.mod.c' '.*.cmd' '*.a' '*.order' \
	'*.symvers' '.*.d' '.tmp_*'; do
	keep+=(--filter="P $p" --filter="- $p")
done
rsync -a --delete --delete-excluded "${keep[@]}" --filter='+ /Kbuild' \
	--filter='+ /module/***' --filter='- *' "$repo/" "$build/mod/"
# The benchmark module is small and is built afresh: its record of the
# CRCs of syncmap's symbols is not redone when only syncmap.ko changed.
rsync -a --delete "$repo/tools/bench/kernel/" "$build/kmod/"
log "building syncmap.ko and syncmap_bench.ko against $kdir"
make -s -C "$kdir" M="$build/mod" SYNCMAP_DIRS=module modules >&2
make -s -C "$kdir" M="$build/kmod" \
	syncmap_include="$repo/module/include" \
	KBUILD_EXTRA_SYMBOLS="$build/mod/Module.symvers" modules >&2
rm -rf "$build/ko" "$build/rootfs"
mkdir -p "$build/ko" "$build/rootfs/usr/bin"
cp "$build/mod/module/syncmap.ko" "$build/kmod/syncmap_bench.ko" "$build/ko/"

make -s -C "$repo/tools/bench" O="$build/user" >&2
cp "$build/user/syncmap-bench-user" "$build/rootfs/usr/bin/"
if ((perf)); then
	p=$(command -v perf) || die "--perf: no perf on this machine"
	cp "$p" "$build/rootfs/usr/bin/"
fi

"$here/mkinitramfs.sh" -o "$build/initramfs.cpio.gz" \
	-i "$here/guest-bench.sh" -m "$build/ko" -x "$build/rootfs"

# ---- run ------------------------------------------------------------------

run_id=$profile$( ((stock)) && echo -stock)-$(date -u +%Y%m%d-%H%M%S)
out=$build/results/$run_id
mkdir -p "$out"
# tsc=reliable: no clocksource watchdog switching the guest to a slow
# emulated clock in the middle of a measurement.
append="tsc=reliable bench_profile=$profile bench_tests=$tests"
append+=" bench_maps=$maps bench_user=$user bench_perf=$perf"
[[ -z $rows ]] || append+=" bench_rows=$rows"
if [[ $profile == smoke ]]; then tmo=900; else tmo=5400; fi
rc=0
"$here/run-qemu.sh" -k "$bzimage" \
	-i "$build/initramfs.cpio.gz" -l "$out/console.log" -a "$append" \
	-t "${SYNCMAP_BENCH_TIMEOUT:-$tmo}" -r 'bench| guest up' || rc=$?
ln -sfn "$run_id" "$build/results/latest"

if grep -aE 'bench\| FAIL|syncmap_bench: .*failed|BUG:|Oops|WARNING:' \
	"$out/console.log" >&2; then
	rc=1
fi
python3 "$repo/tools/bench/report.py" "$out/console.log" "$out" || rc=1
log "results: $out (table.txt, results.csv, targets.csv, plots)"
((rc == 0)) || log "the run did not complete cleanly (console: $out/console.log)"
exit "$rc"
