#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Judge a lab console log (written by scripts/run-qemu.sh while the guest
# ran scripts/guest-init.sh).
#
# Usage: check-log.sh [--ksrc DIR] [--bench DIR] [--host DIR]
#                     [--guest NAME=CONSOLE_LOG]... [CONSOLE_LOG]
#
# CONSOLE_LOG is the lab guest's log; --guest adds the log of another
# guest (e.g. kcsan=build/results/kcsan/console.log), judged the same way
# and reported under its name.  --ksrc is the kernel source tree with
# kunit.py (looked up when not given).
#
# - Cuts out each KUnit suite's KTAP (from debugfs) and each selftest's
#   TAP and parses them with the kernel's own "kunit.py parse".  Only the
#   blocks between the guest's markers are parsed: the empty
#   "KTAP version 1 / 1..0" that built-in KUnit prints at boot never is.
# - Scans the kernel's console output for reports (table below), checks
#   the kmemleak dump, the taint flags and that the guest reached its end.
#   A KCSAN report fails the run when its first line ("data-race in A /
#   B") names syncmap; one between two functions of the rest of the kernel
#   is shown but not counted (the KCSAN kernel instruments all of it, and
#   its own races are not ours, even when an interrupt hit syncmap code).
# - With --bench DIR ("make bench-check"): one more test, passed when
#   the benchmark's smoke run exited 0 and reported every target P1-P8.
# - With --host DIR ("make host-tests"): every NAME.tap in it is the TAP
#   of a test run on the build machine, NAME.rc its exit status; they are
#   parsed and counted like the guest's selftests.
#
# Prints the details, then, as the very last line, "N passed, N failed":
# the tests that passed, and the tests that failed plus one per lab-level
# problem (kernel report, crash, leak, taint...).  Exits non-zero if
# anything failed or if no test ran at all.

set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# Kernel reports that fail the run.  Each row: a label, then an extended
# regex (grep -E) matched against every console line the kernel printed
# (the guest's own "lab| " lines are excluded: test names and KTAP
# diagnostics are not kernel reports).
reports=(
	# label             regex
	"BUG"               'BUG:|kernel BUG at'
	"WARNING"           'WARNING:'
	"lockdep"           'possible recursive locking|inconsistent lock state|circular locking|possible circular|possible irq lock inversion|bad unlock balance|held lock freed|lock held when returning|possible deadlock'
	"RCU lockdep"       'suspicious RCU usage'
	"KASAN"             'KASAN:|kasan: .*(bad access|invalid)'
	"UBSAN"             'UBSAN:'
	"kmemleak"          'kmemleak: [0-9]+ new suspected memory leaks|unreferenced object 0x'
	"debugobjects"      'ODEBUG:'
	"list corruption"   'list_(add|del) corruption'
	"RCU stall"         'rcu_.*detected stall|rcu: INFO|rcu_.*self-detected|RCU Tasks.*stall'
	"Oops/panic"        'Oops|general protection fault|Unable to handle|Kernel panic'
	"stack trace"       'Call Trace:'
	"lockup/hang"       'soft lockup|hard LOCKUP|blocked for more than [0-9]+ seconds|hung_task'
	"user crash"        'segfault at|traps: .* trap '
	"refcount"          'refcount_t: '
)

# Taint bits that are expected: O (out-of-tree module, 4096) and
# N (KUnit test module loaded, 262144).
taint_allowed=$((4096 | 262144))
taint_letters=PFSRMBUDAWCIOELKXTN

ksrc= bench= host=
logs=()
usage() {
	echo "usage: check-log.sh [--ksrc DIR] [--bench DIR] [--host DIR] [--guest NAME=LOG]... [LOG]" >&2
	exit 2
}
while (($#)); do
	case $1 in
	--ksrc) ksrc=${2:?}; shift 2 ;;
	--bench) bench=${2:?}; shift 2 ;;
	--host) host=${2:?}; shift 2 ;;
	--guest) [[ ${2:-} == *=* ]] || usage; logs+=("$2"); shift 2 ;;
	-*) usage ;;
	*) logs=("lab=$1" "${logs[@]}"); shift ;;
	esac
done
((${#logs[@]})) || usage
if [[ -z $ksrc ]]; then
	ksrc=$("$here/lab-kernel.sh" --source | tail -n1)
fi
kunit=$ksrc/tools/testing/kunit/kunit.py

passed=0
failed=0
skipped=0
problems=0
# Findings go to stdout (not stderr) so that they come out in order with
# the summary line, which must be the last thing printed.
problem() {
	echo "check-log: FAIL: $*"
	problems=$((problems + 1))
}
show() {
	# Offending lines, indented, at most 40 of them.
	sed -e 's/^/    /' | head -n 40
}

count_json() {
	python3 - "$1" <<'EOF'
import json, sys
p = f = s = 0
def walk(g):
    global p, f, s
    for c in g.get("test_cases", []):
        st = c.get("status")
        if st == "PASS":
            p += 1
        elif st == "SKIP":
            s += 1
        else:
            f += 1
    for sub in g.get("sub_groups", []):
        walk(sub)
walk(json.load(open(sys.argv[1])))
print(p, f, s)
EOF
}

judge_log() {
	local log=$1 tag=$2 host_dir=$3
	local outdir clean stream kernel_lines kind name file rc json p f s label re hits taint flags b r tap
	if [[ ! -s $log ]]; then
		problem "${tag}console log $log missing or empty"
		return
	fi

	outdir=$(cd "$(dirname "$log")" && pwd)/parsed
	rm -rf "$outdir"
	mkdir -p "$outdir"

	# QEMU's serial output has CRLF line ends.
	clean=$outdir/console.txt
	tr -d '\r' <"$log" >"$clean"

	# The guest's stream: kmsg records "[ time] lab| text" -> "text".
	stream=$outdir/stream.txt
	sed -nE 's/^\[[^]]*\] lab\| ?//p' "$clean" >"$stream"
	# Everything else the kernel (or QEMU) printed, with line numbers.
	kernel_lines=$outdir/kernel.txt
	grep -nvE '^\[[^]]*\] lab\|' "$clean" >"$kernel_lines" || true

	# --- 1. Cut the result blocks out of the stream ---
	awk -v dir="$outdir" '
		/^BEGIN (KTAP|TAP) / {
			kind = $2; name = $3
			file = dir "/" tolower(kind) "-" name ".txt"
			printf "" >file
			inblk = 1
			next
		}
		/^END (KTAP|TAP) / && inblk {
			close(file)
			rc = $4; sub(/^rc=/, "", rc)
			print tolower($2) "\t" $3 "\t" file "\t" (rc == "" ? "-" : rc) >(dir "/blocks.tsv")
			inblk = 0
			next
		}
		inblk { print >file }
		END { if (inblk) print "incomplete\t" name "\t" file "\t-" >(dir "/blocks.tsv") }
	' "$stream"
	touch "$outdir/blocks.tsv"
	if [[ -n $host_dir ]]; then
		for tap in "$host_dir"/*.tap; do
			[[ -e $tap ]] || continue
			name=$(basename "$tap" .tap)
			cp "$tap" "$outdir/tap-host-$name.txt"
			printf 'tap\thost-%s\t%s\t%s\n' "$name" "$outdir/tap-host-$name.txt" \
				"$(cat "${tap%.tap}.rc" 2>/dev/null || echo none)" >>"$outdir/blocks.tsv"
		done
	fi

	# --- 2. Parse each block with kunit.py ---

	while IFS=$'\t' read -r kind name file rc; do
		if [[ $kind == incomplete ]]; then
			problem "${tag}result block '$name' never ended (guest crashed or hung)"
			continue
		fi
		json=${file%.txt}.json
		python3 "$kunit" parse --json="$json" "$file" >"${file%.txt}.parsed" 2>&1 || true
		if [[ ! -s $json ]]; then
			problem "${tag}kunit.py could not parse $kind '$name'"
			show <"${file%.txt}.parsed"
			continue
		fi
		read -r p f s < <(count_json "$json")
		echo "check-log: $tag$kind $name: $p passed, $f failed, $s skipped"
		if ((f > 0)); then
			grep -E '^ *not ok' "$file" | show
		fi
		# kselftest exit codes: 0 pass, 4 skip.  A non-zero exit that the TAP
		# does not explain (crash, timeout = 124) is a failure of its own.
		if [[ $kind == tap && $rc != 0 && $rc != 4 ]] && ((f == 0)); then
			problem "${tag}selftest $name exited with status $rc"
			tail -n 5 "$file" | show
		fi
		if ((p + f + s == 0)); then
			problem "$tag$kind block '$name' holds no test results"
		fi
		passed=$((passed + p))
		failed=$((failed + f))
		skipped=$((skipped + s))
	done <"$outdir/blocks.tsv"

	# --- 3. Kernel reports ---
	# KCSAN reports first: those that do not name syncmap leave the scan.
	awk -v dir="$outdir" '
		/BUG: KCSAN:/ { inr = 1; n++; blk = "" }
		inr { blk = blk $0 "\n" }
		inr && /^[0-9]+:\[[^]]*\] =+$/ && blk ~ /Reported by Kernel Concurrency Sanitizer/ {
			inr = 0
			f = dir "/kcsan-" n ".txt"
			printf "%s", blk >f
			close(f)
		}
		END { if (inr) { f = dir "/kcsan-" n ".txt"; printf "%s", blk >f } }
	' "$kernel_lines"
	for r in "$outdir"/kcsan-*.txt; do
		[[ -e $r ]] || continue
		# The racing functions are in the report's first line; the stacks
	# below may pass through syncmap merely because an interrupt hit it.
	if head -n1 "$r" | grep -q 'syncmap'; then
			problem "${tag}kernel report: KCSAN data race in syncmap"
			show <"$r"
		else
			echo "check-log: ${tag}note: KCSAN report outside syncmap, not counted:"
			show <"$r"
		fi
		# Its lines are judged here, not again below.
		cut -d: -f1 "$r" | sed 's/$/:/' >"$r.lines"
		grep -vF -f "$r.lines" "$kernel_lines" >"$kernel_lines.tmp" || true
		mv "$kernel_lines.tmp" "$kernel_lines"
	done
	for ((i = 0; i < ${#reports[@]}; i += 2)); do
		label=${reports[i]}
		re=${reports[i + 1]}
		if hits=$(grep -E -- "$re" "$kernel_lines"); then
			problem "${tag}kernel report: $label"
			show <<<"$hits"
		fi
	done

	# --- 4. kmemleak dump ---
	if grep -qx 'BEGIN KMEMLEAK' "$stream"; then
		sed -n '/^BEGIN KMEMLEAK$/,/^END KMEMLEAK$/p' "$stream" >"$outdir/kmemleak.txt"
		if grep -q 'unreferenced object' "$outdir/kmemleak.txt"; then
			problem "${tag}kmemleak found unreferenced objects"
			show <"$outdir/kmemleak.txt"
		fi
	fi

	# --- 5. Steps the guest reported as failed ---
	if hits=$(grep -E '^FAIL ' "$stream"); then
		problem "${tag}guest steps failed"
		show <<<"$hits"
	fi

	# --- 6. Taint ---
	taint=$(sed -nE 's/^tainted=([0-9]+)$/\1/p' "$stream" | tail -n1)
	if [[ -z $taint ]]; then
		problem "${tag}guest did not report the taint flags"
	elif ((taint & ~taint_allowed)); then
		flags=
		for ((b = 0; b < ${#taint_letters}; b++)); do
			((taint & (1 << b))) && flags+=${taint_letters:b:1}
		done
		problem "${tag}kernel tainted=$taint ($flags); only O and N are expected"
	fi

	# --- 7. Did the guest get to the end? ---
	if ! grep -qx 'done' "$stream"; then
		problem "${tag}guest did not reach the end of its script (crash, panic or timeout)"
		tail -n 15 "$clean" | show
	fi

}

[[ -r $kunit ]] || { problem "kunit.py not found in $ksrc"; echo "0 passed, $problems failed"; exit 1; }
for entry in "${logs[@]}"; do
	name=${entry%%=*}
	tag=
	[[ $name == lab ]] || tag="$name: "
	# Host tests are counted once, with the lab guest.
	judge_log "${entry#*=}" "$tag" "$([[ $name == lab ]] && echo "$host")"
done

# --- 8. The benchmark's smoke run ---
if [[ -n $bench ]]; then
	missing=
	for t in P1 P2 P3 P4 P5 P6 P7 P8; do
		grep -q "^$t," "$bench/targets.csv" 2>/dev/null || missing+=" $t"
	done
	if [[ $(cat "$bench/rc" 2>/dev/null) == 0 && -z $missing ]]; then
		echo "check-log: bench smoke: completed, every target reported"
		passed=$((passed + 1))
	else
		echo "check-log: bench smoke: FAILED (rc $(cat "$bench/rc" 2>/dev/null || echo none), missing:${missing:- none})"
		tail -n 20 "$bench/output.txt" 2>/dev/null | show
		failed=$((failed + 1))
	fi
fi

if ((passed + failed + skipped == 0)); then
	problem "no test ran"
fi

failed=$((failed + problems))
line="$passed passed, $failed failed"
((skipped == 0)) || line+=", $skipped skipped"
echo "$line"
((failed == 0))
