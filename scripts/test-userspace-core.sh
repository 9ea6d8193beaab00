#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Host test: the syncmap core built in userspace (tools/testing/userspace)
# three ways, plain, ASan+UBSan and TSan, each running the KUnit suites of
# kunit/ and the native suites (model quick-check, concurrency).  Prints
# KTAP: one subtest per flavour holding its build, its suites and a check
# that the sanitizer reported nothing.  Any sanitizer report, kernel
# report of the shim (WARNING, lockdep, RCU, sleeping in atomic context)
# or failed case fails the flavour.
#
# Usage: scripts/test-userspace-core.sh [FLAVOUR...]   (default: plain asan tsan)
# Environment: KSRC (kernel source tree; default: the lab's, extracted
# if needed), SYNCMAP_USERSPACE_OUT (default build/userspace),
# NATIVE_SCALE (percent of the native suites' operations).

set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(dirname "$here")
src=$top/tools/testing/userspace
out=${SYNCMAP_USERSPACE_OUT:-$top/build/userspace}
flavours=("$@")
((${#flavours[@]})) || flavours=(plain asan tsan)
ksrc=${KSRC:-$("$here/lab-kernel.sh" --source 2>/dev/null | tail -n1)}
log=$out/logs
mkdir -p "$log"

# Sanitizers: every report fails.  ASan and UBSan stop at the first (the
# build has -fno-sanitize-recover); TSan goes on and exits 66 at the end.
export ASAN_OPTIONS=detect_leaks=1:halt_on_error=1:detect_stack_use_after_return=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export TSAN_OPTIONS=halt_on_error=0:exitcode=66:second_deadlock_stack=1
report_re='ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:|WARNING: ThreadSanitizer|ThreadSanitizer: reported'

indent() { sed 's/^/    /'; }
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

total_start=$(now)
echo "KTAP version 1"
echo "1..${#flavours[@]}"
n=0
fails=0
for f in "${flavours[@]}"; do
	n=$((n + 1))
	fl_fail=0
	{
		echo "KTAP version 1"
		echo "# Subtest: $f"
		echo "1..3"
		t0=$(now)
		if make -C "$src" -j2 --no-print-directory OUT="$out" KSRC="$ksrc" \
			FLAVOURS="$f" >"$log/build-$f.log" 2>&1; then
			echo "ok 1 build # $(secs "$t0" "$(now)") s"
		else
			echo "not ok 1 build"
			tail -n 30 "$log/build-$f.log" | sed 's/^/# /'
			echo "not ok 2 suites # SKIP not built"
			echo "not ok 3 no_sanitizer_reports # SKIP not built"
			fl_fail=1
		fi
		if ((!fl_fail)); then
			t0=$(now)
			rc=0
			timeout 900 "$out/$f/syncmap-kunit" >"$log/run-$f.ktap" \
				2>"$log/run-$f.stderr" || rc=$?
			took=$(secs "$t0" "$(now)")
			# The runner's KTAP is this case's subtest.
			{
				echo "KTAP version 1"
				echo "# Subtest: suites"
				sed -n '2,$p' "$log/run-$f.ktap"
			} | indent
			if ((rc == 0)); then
				echo "ok 2 suites # $took s"
			else
				echo "not ok 2 suites # exit status $rc after $took s"
				fl_fail=1
			fi
			reports=$(grep -cE "$report_re" "$log/run-$f.stderr")
			if ((reports == 0)); then
				echo "ok 3 no_sanitizer_reports"
			else
				echo "not ok 3 no_sanitizer_reports # $reports report lines"
				grep -m1 -B2 -A40 -E "$report_re" "$log/run-$f.stderr" | sed 's/^/# /'
				fl_fail=1
			fi
		fi
	} >"$log/tap-$f.txt"
	indent <"$log/tap-$f.txt"
	if ((fl_fail)); then
		echo "not ok $n $f"
		fails=$((fails + 1))
	else
		echo "ok $n $f"
	fi
done
echo "# userspace core: ${#flavours[@]} flavours in $(secs "$total_start" "$(now)") s"
((fails == 0))
