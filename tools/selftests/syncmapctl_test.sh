#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# CLI tests of syncmapctl: every verb, --help, --version, prefixed verbs,
# exit codes, and the -j and -p output validated by a strict JSON parser
# (json_check).  Prints TAP.
# POSIX sh only: it runs in a busybox guest.
#
# Environment: SYNCMAPCTL and JSON_CHECK override the programs used.

here=$(cd "$(dirname "$0")" && pwd)
ctl=${SYNCMAPCTL:-$(command -v syncmapctl || echo "$here/../out/syncmapctl")}
jc=${JSON_CHECK:-/usr/libexec/syncmap/json_check}
[ -x "$jc" ] || jc=$here/../out/json_check

n=0
failed=0
out=${TMPDIR:-/tmp}/syncmapctl_test.$$
map=cli-test-$$
# Results are collected and printed after the plan, which TAP parsers
# (kunit.py) want first.
res=$out.tap
: >"$res"

echo "TAP version 13"

if [ ! -e /dev/syncmap ] && [ ! -e /sys/module/syncmap ] &&
   [ -z "$SYNCMAP_DEVICE" ]; then
	echo "1..1"
	echo "ok 1 syncmapctl # SKIP syncmap not loaded"
	exit 4
fi

ok() {
	n=$((n + 1))
	echo "ok $n $1" >>"$res"
}

not_ok() {
	n=$((n + 1))
	failed=$((failed + 1))
	echo "not ok $n $1" >>"$res"
	sed 's/^/# /' "$out" "$out.err" 2>/dev/null >>"$res"
}

# run WANT_RC DESC CMD...: run CMD (stdin from $stdin if set), check the
# exit status.
run() {
	want=$1
	desc=$2
	shift 2
	if [ -n "$stdin" ]; then
		"$@" <"$stdin" >"$out" 2>"$out.err"
	else
		"$@" </dev/null >"$out" 2>"$out.err"
	fi
	rc=$?
	if [ "$rc" -eq "$want" ]; then
		ok "$desc (rc=$rc)"
		return 0
	fi
	echo "# expected rc=$want, got rc=$rc" >>"$res"
	not_ok "$desc"
	return 1
}

# expect_out DESC TEXT: the last output equals TEXT.
expect_out() {
	if [ "$(cat "$out")" = "$2" ]; then
		ok "$1"
	else
		echo "# expected: $2" >>"$res"
		not_ok "$1"
	fi
}

# expect_has DESC TEXT: the last output contains TEXT.
expect_has() {
	if grep -qF -- "$2" "$out"; then
		ok "$1"
	else
		echo "# missing: $2" >>"$res"
		not_ok "$1"
	fi
}

# expect_err DESC TEXT: the last stderr contains TEXT.
expect_err() {
	if grep -qF -- "$2" "$out.err"; then
		ok "$1"
	else
		echo "# missing on stderr: $2" >>"$res"
		not_ok "$1"
	fi
}

# json DESC [TYPE]: the last output is valid JSON (of TYPE).
json() {
	if [ -n "$2" ]; then
		"$jc" -t "$2" <"$out" 2>"$out.jerr"
	else
		"$jc" <"$out" 2>"$out.jerr"
	fi
	if [ $? -eq 0 ]; then
		ok "$1: valid JSON"
	else
		cat "$out.jerr" >>"$out.err"
		not_ok "$1: valid JSON"
	fi
}

# The validator itself must reject what is not JSON.
for bad in '{"a":1,}' '[1 2]' '{"a"}' '"\x"' 'tru' '01' '{"a":1}x' ''; do
	if printf '%s' "$bad" | "$jc" 2>/dev/null; then
		not_ok "json_check rejects '$bad'"
	else
		ok "json_check rejects '$bad'"
	fi
done
printf '{"a":[1,-2.5e3,"\\u00e9",true,false,null,{}]}' >"$out"
json "json_check accepts a good document" object

# Help and usage errors.
run 0 "--help" "$ctl" --help
for v in create destroy list show load store load-or-store delete \
	 load-and-delete swap cas cad clear dump batch; do
	expect_has "--help lists $v" "  $v "
done
for v in create destroy list show load store load-or-store delete \
	 load-and-delete swap cas cad clear dump batch help; do
	run 0 "$v --help" "$ctl" "$v" --help
	expect_has "$v --help shows its usage" "syncmapctl [-j] [--hex] $v"
done
run 0 "help load" "$ctl" help load
run 2 "no verb" "$ctl"
run 2 "unknown verb" "$ctl" frobnicate
run 2 "unknown option" "$ctl" --frob list
run 2 "too few arguments" "$ctl" store "$map" k
run 2 "too many arguments" "$ctl" load "$map" k v
run 2 "create with an unknown option" "$ctl" create "$map" colour blue
run 2 "create with a bad number" "$ctl" create "$map" entries many
run 2 "bad hex" "$ctl" --hex load "$map" 0g

# create, show, list.
run 0 "create" "$ctl" -j create "$map" mode 0640 entries 100 value-size 64
json "create -j" object
expect_has "create -j reports the mode" '"mode":"0640"'
expect_has "create -j reports the limit" '"max_entries":100'
run 3 "create an existing map" "$ctl" create "$map"
expect_err "create error names the errno text" "File exists"
run 3 "create -j error" "$ctl" -j create "$map"
json "create -j error" object
expect_has "create -j error carries errno" '"errno":17'

# store, load, exit codes.
run 0 "store" "$ctl" store "$map" greeting hello
run 0 "load" "$ctl" load "$map" greeting
expect_out "load prints the value" "hello"
run 0 "load -j" "$ctl" -j load "$map" greeting
json "load -j" object
expect_out "load -j output" '{"op":"load","key":"greeting","found":true,"value":"hello"}'
run 1 "load a missing key" "$ctl" load "$map" nope
run 1 "load -j a missing key" "$ctl" -j load "$map" nope
json "load -j missing" object
expect_has "load -j missing says so" '"found":false'
run 1 "load from a missing map" "$ctl" load no-such-map-$$ k
run 1 "load -j from a missing map" "$ctl" -j load no-such-map-$$ k
json "missing map -j" object

# load-or-store, swap, cas, cad, delete, load-and-delete.
run 0 "load-or-store stores" "$ctl" load-or-store "$map" los first
expect_out "load-or-store says stored" "stored"
run 0 "load-or-store loads" "$ctl" -j load-or-store "$map" los second
json "load-or-store -j" object
expect_has "load-or-store returns the first value" '"loaded":true,"value":"first"'
run 0 "swap inserts" "$ctl" swap "$map" sw one
expect_out "swap says inserted" "inserted"
run 0 "swap replaces" "$ctl" -j swap "$map" sw two
json "swap -j" object
expect_has "swap returns the previous value" '"replaced":true,"value":"one"'
run 1 "cas with a wrong old value" "$ctl" cas "$map" sw one three
run 0 "cas" "$ctl" cas "$map" sw two three
run 0 "load after cas" "$ctl" load "$map" sw
expect_out "cas stored the new value" "three"
run 1 "cas never inserts" "$ctl" -j cas "$map" absent x y
json "cas -j" object
expect_has "cas -j says not swapped" '"swapped":false'
run 1 "cad with a wrong old value" "$ctl" cad "$map" sw two
run 0 "cad" "$ctl" cad "$map" sw three
run 1 "delete a missing key" "$ctl" delete "$map" sw
run 0 "delete" "$ctl" delete "$map" los
run 0 "store for load-and-delete" "$ctl" store "$map" lad bye
run 0 "load-and-delete" "$ctl" load-and-delete "$map" lad
expect_out "load-and-delete prints the value" "bye"
run 1 "load-and-delete again" "$ctl" load-and-delete "$map" lad

# Hex keys and values, binary bytes.
run 0 "store --hex" "$ctl" --hex store "$map" 00ff10 deadbeef00
run 0 "load --hex" "$ctl" --hex load "$map" 00ff10
expect_out "load --hex prints hex" "deadbeef00"
run 0 "load -j --hex" "$ctl" -j --hex load "$map" 00ff10
json "load -j --hex" object
expect_has "hex value in JSON" '"value":"deadbeef00"'

# Limits: value-size 64 was set at create.
run 3 "store a too-long value" "$ctl" store "$map" big \
	0123456789012345678901234567890123456789012345678901234567890123456789
expect_err "too-long value reports E2BIG" "Argument list too long"

# dump, show, list.
run 0 "dump" "$ctl" dump "$map"
expect_has "dump text shows a key" "greeting	hello"
expect_has "dump text escapes bytes" '\x00\xff\x10	\xde\xad\xbe\xef\x00'
run 0 "dump -j" "$ctl" -j dump "$map"
json "dump -j" array
expect_has "dump -j has a record" '{"key":"greeting","value":"hello"}'
expect_has "dump -j escapes bytes" '"key":"\u0000\u00ff\u0010"'
run 0 "show" "$ctl" show "$map"
expect_has "show prints len" "len:             2"
run 0 "show -j" "$ctl" -j show "$map"
json "show -j" object
expect_has "show -j len" '"len":2'
expect_has "show -j stats" '"stats":{'
run 0 "list" "$ctl" list
expect_has "list shows the map" "$map"
run 0 "list -j" "$ctl" -j list
json "list -j" array
expect_has "list -j shows the map" "\"name\":\"$map\""

# batch from stdin.
cat >"$out.in" <<EOF
# a comment
store b1 v1
store b2 v2
load b1
load-or-store b2 other
swap b1 w1
cas b2 v2 w2
cad b2 nope
delete missing
load-and-delete b1
EOF
stdin=$out.in
run 0 "batch" "$ctl" batch "$map"
expect_has "batch text result" "load b1: found v1"
run 0 "batch -j" "$ctl" -j batch "$map"
json "batch -j" array
expect_has "batch -j load" '{"op":"load","key":"b1","found":true,"value":"v1"}'
expect_has "batch -j cad" '{"op":"cad","key":"b2","deleted":false}'
printf 'store a\n' >"$out.in"
run 2 "batch with a bad line" "$ctl" batch "$map"
printf 'store k 0123456789012345678901234567890123456789012345678901234567890123456789\nstore ok v\n' >"$out.in"
run 3 "batch with a failing operation" "$ctl" -j batch "$map"
json "batch -j with an error" array
expect_has "batch -j error entry" '"errno":7'
expect_has "batch went on after the error" '{"op":"store","key":"ok","stored":true}'
stdin=

# --version, -p, prefixed verbs, options after the verb, errors on stderr.
run 0 "--version" "$ctl" --version
if grep -qE '^syncmapctl [0-9]+\.[0-9]+' "$out"; then
	ok "--version prints the version"
else
	not_ok "--version prints the version"
fi
run 0 "-V" "$ctl" -V
expect_has "-V prints the version" "syncmapctl "
run 0 "show -j for -p" "$ctl" -j show "$map"
# Counters may move between the two calls (values released after a
# grace period): the numbers are left out of the comparison.
tr -d '\n' <"$out" | sed 's/[0-9][0-9]*/N/g' >"$out.j"
run 0 "show -p" "$ctl" -p show "$map"
json "show -p" object
expect_has "show -p indents members" '    "name": "'"$map"'",'
expect_has "show -p indents nested members" '        "hits": '
if [ "$(sed 's/^ *//' "$out" | tr -d '\n' | sed 's/": /":/g; s/[0-9][0-9]*/N/g')" = \
     "$(cat "$out.j")" ]; then
	ok "show -p holds what show -j holds"
else
	echo "# -j: $(cat "$out.j")" >>"$res"
	not_ok "show -p holds what show -j holds"
fi
run 0 "list --pretty" "$ctl" --pretty list
json "list --pretty" array
run 0 "dump -p" "$ctl" -p dump "$map"
json "dump -p" array
run 1 "load -p a missing key" "$ctl" -p load "$map" nope
json "load -p missing" object
run 0 "a prefix of a verb" "$ctl" sh "$map"
expect_has "sh is show" "len:             "
run 1 "load-a is load-and-delete (absent key)" "$ctl" -j load-a "$map" nope
expect_has "load-a ran load-and-delete" '"op":"load-and-delete"'
run 0 "an exact verb beats longer ones" "$ctl" -j load "$map" greeting
expect_has "load is load, not load-or-store" '"op":"load"'
run 2 "an ambiguous prefix" "$ctl" lo "$map" greeting
expect_err "the ambiguous prefix names the candidates" \
	"could be: load load-or-store load-and-delete"
if [ -s "$out" ]; then
	not_ok "a usage error prints nothing on stdout"
else
	ok "a usage error prints nothing on stdout"
fi
run 2 "an ambiguous prefix for help" "$ctl" help c
expect_err "help c names the candidates" "could be: create cas cad clear"
run 0 "help with a prefix" "$ctl" help cr
expect_has "help cr is create's usage" "syncmapctl [-j] [--hex] create"
run 0 "a prefix with --help" "$ctl" des --help
expect_has "des --help is destroy's usage" "syncmapctl [-j] [--hex] destroy"
run 0 "options after the verb" "$ctl" load "$map" greeting -j
expect_out "-j after the verb" '{"op":"load","key":"greeting","found":true,"value":"hello"}'
run 0 "-- ends the options" "$ctl" store "$map" -- dash -v
run 0 "load a value starting with -" "$ctl" load "$map" -- dash
expect_out "the value starting with - came back" "-v"
run 1 "an error on a missing map" "$ctl" show no-such-map-$$
expect_err "the error goes to stderr" "syncmapctl: map 'no-such-map-$$'"
if [ -s "$out" ]; then
	not_ok "the error prints nothing on stdout"
else
	ok "the error prints nothing on stdout"
fi
run 0 "create with a prefix" "$ctl" cr "$map-2"
run 0 "destroy with a prefix" "$ctl" des "$map-2"
run 1 "the prefixed destroy destroyed it" "$ctl" show "$map-2"

# clear, destroy.
run 0 "clear" "$ctl" clear "$map"
run 0 "show after clear" "$ctl" -j show "$map"
expect_has "clear emptied the map" '"len":0'
run 0 "destroy" "$ctl" destroy "$map"
run 1 "destroy again" "$ctl" destroy "$map"
run 1 "show a destroyed map" "$ctl" show "$map"

echo "1..$n"
cat "$res"
rm -f "$out" "$out.err" "$out.in" "$out.jerr" "$out.j" "$res"
echo "# passed=$((n - failed)) failed=$failed"
[ "$failed" -eq 0 ]
