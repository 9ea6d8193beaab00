#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Host test of the user's path: the Debian packages and "make install".
#
# 1. "make deb" builds syncmap-dkms, syncmap-tools, libsyncmap0 and
#    libsyncmap-dev (dpkg-buildpackage -b) into build/deb; lintian
#    reports nothing on them (overrides in debian/*.lintian-overrides).
# 2. They are installed on this machine, over whatever version was there
#    (packages left by an interrupted run are purged first), so that DKMS
#    builds syncmap.ko for the stock 6.1 headers; then installed once more
#    over themselves.  The module is never loaded here: DKMS is checked to
#    be configured not to, and /sys/module/syncmap must stay absent.
#    libsyncmap-dev is used the way a user would (pkg-config, cc), the
#    installed man pages must render without a warning.
# 3. The stock 6.1 kernel boots in QEMU with the DKMS-built .ko and the
#    packaged syncmapctl and libsyncmap.so.0 (extracted from the .debs),
#    and scripts/guest-packages.sh runs them, syncmapctl_test.sh included.
# 4. The packages are purged again, which must remove the module, the
#    DKMS tree and the tools: the machine is left as it was found.
#    "make dkms-install" and dkms add/build/install by hand do the same,
#    and are undone.
# 5. "make install DESTDIR=<tmp>" against the stock headers, and checks of
#    the installed tree: the module, the library's soname and exports, the
#    pkg-config file, the headers, the man pages and the bash completion.
#
# Needs root (dpkg -i), which make check has.  Prints TAP.  Takes no lock:
# the caller runs it under the guest lock (make check, make host-tests).
#
# Usage: scripts/test-packages.sh
#   PKGTEST_GUEST=0 leaves the guest out (reported as a skipped test), to
#   try the rest while another guest runs.

set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(dirname "$here")
build=$top/build
deb=$build/deb
work=$build/test-packages
pkgs=(syncmap-dkms syncmap-tools libsyncmap0 libsyncmap-dev)
sudo=
((EUID == 0)) || sudo=sudo

n=0
fails=0
res=$(mktemp)
trap 'rm -f "$res"' EXIT

ok() {
	n=$((n + 1))
	if [[ $1 == 0 ]]; then
		echo "ok $n $2" >>"$res"
	else
		echo "not ok $n $2" >>"$res"
		fails=$((fails + 1))
		[[ -s $work/out ]] && tail -n 20 "$work/out" | sed 's/^/# /' >>"$res"
	fi
	return "$1"
}

# t DESC CMD...: one test, its output kept in $work/out for the report.
t() {
	local desc=$1 rc=0
	shift
	"$@" >"$work/out" 2>&1 || rc=$?
	ok "$rc" "$desc"
}

finish() {
	echo "TAP version 13"
	echo "1..$n"
	cat "$res"
	echo "# passed=$((n - fails)) failed=$fails"
	((fails == 0))
	exit
}

rm -rf "$work"
mkdir -p "$work"
stock=$("$here/install-deps.sh" --stock) || {
	echo "TAP version 13"
	echo "1..0 # SKIP no stock 6.1 kernel with headers"
	exit 4
}
hdrs=/usr/src/linux-headers-$stock
version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$top/dkms.conf")

installed() {
	local p
	for p in "${pkgs[@]}"; do
		dpkg-query -W -f='${db:Status-Abbrev}\n' "$p" 2>/dev/null | grep -q '^.i' &&
			return 0
	done
	return 1
}

purge() {
	$sudo env DEBIAN_FRONTEND=noninteractive dpkg --purge "${pkgs[@]}"
}

# --- 1. build and lint ---
t "make deb builds the packages" make -C "$top" deb
: >"$work/out"
for p in "${pkgs[@]}"; do
	f=$(ls "$deb/${p}_${version}_"*.deb 2>/dev/null | head -n1)
	ok "$([[ -n $f ]]; echo $?)" "package $p $version built"
done
changes=$deb/syncmap_${version}_$(dpkg --print-architecture).changes
lint() {
	local tags
	tags=$(lintian -I --pedantic "$changes" 2>&1 | grep -v 'running with root privileges')
	echo "$tags"
	! grep -qE '^[EWIPXCON]: ' <<<"$tags"
}
t "lintian -I --pedantic reports no tag" lint
t "debian/changelog has the version of dkms.conf" \
	test "$(dpkg-parsechangelog -l "$top/debian/changelog" -S Version)" = "$version"
[[ -n ${f:-} ]] || finish

# --- 2. install on this machine ---
no_modprobe() {
	! grep -rsE '^[[:space:]]*modprobe_on_install=' /etc/dkms/framework.conf \
		/etc/dkms/framework.conf.d/
}
t "DKMS is not configured to load modules (modprobe_on_install)" no_modprobe
if installed; then
	t "packages of an earlier run purged" purge
fi
debs=()
for p in "${pkgs[@]}"; do
	debs+=("$(ls "$deb/${p}_${version}_"*.deb)")
done
install_debs() {
	$sudo env DEBIAN_FRONTEND=noninteractive dpkg -i "${debs[@]}"
}
ko=/lib/modules/$stock/updates/dkms/syncmap.ko
check_installed() {
	local when=$1
	t "dkms status: syncmap/$version installed for $stock ($when)" \
		bash -c "dkms status syncmap/$version -k $stock | grep -q ': installed'"
	t "DKMS built $ko ($when)" test -f "$ko"
	t "its vermagic is $stock ($when)" \
		bash -c "modinfo -F vermagic '$ko' | grep -q '^$stock '"
	t "syncmap.ko is not loaded on the build machine ($when)" test ! -e /sys/module/syncmap
}
t "dpkg -i installs the packages (DKMS builds the module)" install_debs
check_installed "first install"
t "syncmapctl is /usr/sbin/syncmapctl, version $version" \
	bash -c "/usr/sbin/syncmapctl --version | grep -qx 'syncmapctl $version'"
t "group syncmap exists for the udev rule" getent group syncmap
t "udev rule installed" grep -q 'GROUP="syncmap"' /lib/udev/rules.d/60-syncmap.rules

# libsyncmap-dev as a user uses it.
cat >"$work/user.c" <<'EOF'
#include <errno.h>
#include <stdio.h>
#include <libsyncmap.h>

int main(void)
{
	struct syncmap_opts o = { .mode = 0600 };
	int fd = syncmap_create(NULL, &o);

	/* No module on the build machine: the device is missing. */
	if (fd < 0 && errno == ENOENT) {
		printf("no device\n");
		return 0;
	}
	printf("fd %d errno %d\n", fd, errno);
	return 1;
}
EOF
t "a program builds with pkg-config --cflags --libs syncmap" \
	bash -c "cc -Wall -Werror -o '$work/user' '$work/user.c' \$(pkg-config --cflags --libs syncmap)"
t "it links the installed libsyncmap.so.0" \
	bash -c "ldd '$work/user' | grep -qE 'libsyncmap.so.0 => (/usr)?/lib/.*/libsyncmap.so.0'"
t "it runs (ENOENT without the module)" bash -c "'$work/user' | grep -qx 'no device'"
t "a program builds with the static library" \
	bash -c "cc -static -o '$work/user-static' '$work/user.c' \$(pkg-config --cflags syncmap) \
		-l:libsyncmap.a && '$work/user-static' | grep -qx 'no device'"
man_clean() {
	local err
	err=$(MANWIDTH=80 man --warnings "$@" 2>&1 >/dev/null) && [[ -z $err ]] ||
		{ echo "$err"; return 1; }
}
for page in "8 syncmapctl" "4 syncmap" "3 libsyncmap" "3 syncmap_create" \
	"3 syncmap_store" "3 syncmap_packed" "3 syncmap_iter_next"; do
	# shellcheck disable=SC2086
	t "man $page renders without warnings" man_clean $page
done

t "dpkg -i again, over the installed version" install_debs
check_installed "reinstall"

# --- 3. the guest: the DKMS module and the packaged tool ---
mkdir -p "$work/ko" "$work/root/usr/libexec/syncmap" "$work/root/usr/share/syncmap-test"
cp "$ko" "$work/ko/" 2>/dev/null
for p in syncmap-tools libsyncmap0; do
	dpkg-deb -x "$(ls "$deb/${p}_${version}_"*.deb)" "$work/root"
done
cp "$top/tools/selftests/syncmapctl_test.sh" "$work/root/usr/share/syncmap-test/"
echo "$version" >"$work/root/usr/share/syncmap-test/version"
t "json_check builds for the guest" \
	cc -O2 -Wall -Werror -o "$work/root/usr/libexec/syncmap/json_check" \
	"$top/tools/selftests/json_check.c"
guest() {
	"$here/mkinitramfs.sh" -o "$work/initramfs.cpio.gz" -i "$here/guest-packages.sh" \
		-m "$work/ko" -x "$work/root" &&
		"$here/run-qemu.sh" -k "/boot/vmlinuz-$stock" -i "$work/initramfs.cpio.gz" \
			-l "$work/console.log" -t 600 -r 'pkg| guest up'
	grep -aq 'pkg| guest done' "$work/console.log"
}
if [[ ${PKGTEST_GUEST:-1} == 0 ]]; then
	echo "ok $((++n)) the stock $stock guest # SKIP PKGTEST_GUEST=0" >>"$res"
else
t "the stock $stock guest boots and runs the checks" guest
tr -d '\r' <"$work/console.log" 2>/dev/null | sed -nE 's/^\[[^]]*\] pkg\| ?//p' \
	>"$work/stream.txt"
# The guest's own checks, one line each; then syncmapctl_test.sh's TAP.
while IFS= read -r l; do
	case $l in
	"ok "*) ok 0 "guest: ${l#ok }" ;;
	"not ok "*) : >"$work/out"; ok 1 "guest: ${l#not ok }" ;;
	"# "*) echo "$l" >>"$res" ;;
	esac
done < <(sed '/^BEGIN TAP/,/^END TAP/d' "$work/stream.txt")
sed -n '/^BEGIN TAP/,/^END TAP/p' "$work/stream.txt" | sed '1d;$d' >"$work/cli.tap"
cli_pass=$(grep -c '^ok ' "$work/cli.tap")
cli_fail=$(grep -c '^not ok ' "$work/cli.tap")
grep -B0 -A3 '^not ok ' "$work/cli.tap" | sed 's/^/# /' >>"$res"
: >"$work/out"
ok "$( ((cli_pass > 100 && cli_fail == 0)) && grep -q '^END TAP syncmapctl_test rc=0' \
	"$work/stream.txt"; echo $?)" \
	"guest: syncmapctl_test.sh on the packaged syncmapctl: $cli_pass passed, $cli_fail failed"
reports='BUG:|WARNING:|Oops|general protection fault|Call Trace:|Kernel panic'
grep -aE "$reports" "$work/console.log" >"$work/out" 2>/dev/null
ok "$([[ ! -s $work/out ]]; echo $?)" "guest: no kernel report on the console"
# Out of tree (O, 4096) and unsigned (E, 8192) are expected; nothing else.
taint=$(sed -n 's/^tainted=//p' "$work/stream.txt")
: >"$work/out"
ok "$(( (${taint:-1} & ~(4096 | 8192)) != 0 ))" \
	"guest: no taint but out-of-tree and unsigned (tainted=${taint:-none})"
fi

# --- 4. purge: the machine as it was ---
t "dpkg --purge removes the packages" purge
t "dkms knows syncmap no more" bash -c "! dkms status syncmap | grep -q ."
t "the DKMS-built module is gone" test ! -e "$ko"
t "the DKMS source tree is gone" test ! -e "/usr/src/syncmap-$version"
t "syncmapctl and libsyncmap are gone" \
	bash -c "! ls /usr/sbin/syncmapctl /usr/lib/*/libsyncmap.so* /usr/include/libsyncmap.h 2>/dev/null | grep -q ."

# --- 4b. DKMS by hand, from the tree: make dkms-install, dkms add/build/install ---
dkms_by_hand() {
	$sudo make -C "$top" dkms-install &&
		$sudo dkms add "syncmap/$version" &&
		$sudo dkms build "syncmap/$version" -k "$stock" &&
		$sudo dkms install "syncmap/$version" -k "$stock" &&
		test -f "$ko" && modinfo -F vermagic "$ko" | grep -q "^$stock " &&
		test ! -e /sys/module/syncmap
}
dkms_cleanup() {
	$sudo dkms remove "syncmap/$version" --all &&
		$sudo rm -rf "/usr/src/syncmap-$version" && test ! -e "$ko"
}
t "make dkms-install; dkms add, build -k $stock, install: $ko, not loaded" dkms_by_hand
t "dkms remove --all and the tree removed: the module is gone" dkms_cleanup

# --- 5. make install into a DESTDIR ---
dest=$work/dest
t "make install KDIR=<stock headers> DESTDIR=<tmp>" \
	make -C "$top" install KDIR="$hdrs" DESTDIR="$dest"
dko=$(find "$dest/lib/modules/$stock" -name syncmap.ko 2>/dev/null | head -n1)
t "modules_install put syncmap.ko under lib/modules/$stock" test -n "$dko"
t "the kernel headers and Module.symvers for $stock" \
	test -f "$dest/usr/local/src/syncmap-$version/include/syncmap.h" -a \
	-f "$dest/usr/local/src/syncmap-$version/include/uapi/syncmap.h" -a \
	-f "$dest/usr/local/src/syncmap-$version/$stock/Module.symvers"
t "Module.symvers exports syncmap's API" \
	grep -q 'syncmap_load' "$dest/usr/local/src/syncmap-$version/$stock/Module.symvers"
lib=$dest/usr/local/lib
t "libsyncmap.so.0's soname" \
	bash -c "readelf -d '$lib/libsyncmap.so.$version' | grep -q 'SONAME.*\[libsyncmap.so.0\]'"
t "the .so and .so.0 links" \
	test "$(readlink "$lib/libsyncmap.so")" = libsyncmap.so.0 -a \
	"$(readlink "$lib/libsyncmap.so.0")" = "libsyncmap.so.$version"
# What the header declares, what the library exports (all at LIBSYNCMAP_0).
# The functions libsyncmap.h declares: "TYPE name(" at the start of a line.
declared=$(grep -oE '^[a-z].*\bsyncmap_[a-z_]+\(' "$top/tools/lib/libsyncmap.h" |
	grep -oE 'syncmap_[a-z_]+\($' | tr -d '(' | sort)
# objdump -T: ADDR g DF .text SIZE VERSION NAME.
objdump -T "$lib/libsyncmap.so.$version" | awk '$2 == "g" && $3 == "DF"' >"$work/dynsym"
exported=$(awk '$(NF-1) == "LIBSYNCMAP_0" { print $NF }' "$work/dynsym" | sort)
others=$(awk '$(NF-1) != "LIBSYNCMAP_0" { print $NF }' "$work/dynsym")
: >"$work/out"
diff <(echo "$declared") <(echo "$exported") >"$work/out"
ok "$(( $? != 0 || $(wc -w <<<"$declared") < 20 ))" \
	"the library exports every function of libsyncmap.h at LIBSYNCMAP_0, and no other"
echo "$others" >"$work/out"
ok "$([[ -z $others ]]; echo $?)" "no function exported outside the version script"
t "the static library holds libsyncmap.o" bash -c "ar t '$lib/libsyncmap.a' | grep -qx libsyncmap.o"
t "syncmap.pc: version $version, prefix /usr/local" \
	bash -c "PKG_CONFIG_PATH='$lib/pkgconfig' pkg-config --modversion syncmap | grep -qx '$version' &&
		grep -qx 'prefix=/usr/local' '$lib/pkgconfig/syncmap.pc'"
t "a program builds and links against the DESTDIR tree (pkg-config sysroot)" \
	bash -c "cc -o '$work/user-dest' '$work/user.c' \$(PKG_CONFIG_SYSROOT_DIR='$dest' \
		PKG_CONFIG_PATH='$lib/pkgconfig' pkg-config --cflags --libs syncmap) &&
		LD_LIBRARY_PATH='$lib' '$work/user-dest' | grep -qx 'no device'"
t "syncmapctl in sbin runs with the installed library" \
	bash -c "LD_LIBRARY_PATH='$lib' '$dest/usr/local/sbin/syncmapctl' -V | grep -qx 'syncmapctl $version'"
t "the udev rule" test -f "$dest/etc/udev/rules.d/60-syncmap.rules"
man_tree() {
	local m err rc=0
	cd "$dest/usr/local/share/man" || return 1
	for m in man*/*; do
		err=$(MANWIDTH=80 man --warnings -l "$m" 2>&1 >/dev/null)
		[[ -z $err ]] || { echo "$m: $err"; rc=1; }
	done
	return "$rc"
}
t "every installed man page (links included) renders without warnings" man_tree
man_functions() {
	local f rc=0
	for f in $declared; do
		[[ -f $dest/usr/local/share/man/man3/$f.3 ]] || { echo "no page: $f"; rc=1; }
	done
	return "$rc"
}
t "a man page for every function of libsyncmap.h" man_functions
verbs_help=$(LD_LIBRARY_PATH=$lib "$dest/usr/local/sbin/syncmapctl" --help |
	sed -n '/^Verbs/,/^$/{/^  [a-z]/s/^  \([a-z-]*\).*/\1/p}' | sort)
# Each verb has its own item: ".B list", ".BI load\-or\-store ...".
man_verbs() {
	local v re rc=0
	[[ -n $verbs_help ]] || return 1
	for v in $verbs_help; do
		re="^\.(B|BI|BR) $(sed 's/-/\\\\-/g' <<<"$v")( |$)"
		grep -qE "$re" "$top/man/syncmapctl.8" || { echo "not in syncmapctl.8: $v"; rc=1; }
	done
	return "$rc"
}
t "syncmapctl(8) describes every verb of --help" man_verbs

# The completion, with a stub syncmapctl that lists two maps.
complete_words() {
	bash -c '
		. /usr/share/bash-completion/bash_completion
		. "$1"
		shift
		syncmapctl() {
			if [[ $* == list ]]; then
				printf "%s\n" "ID     NAME  UID" "1      sessions  0" "2      cache  0"
			fi
		}
		COMP_WORDS=(syncmapctl "$@")
		COMP_CWORD=$(($# ))
		COMP_LINE="syncmapctl $*"
		COMP_POINT=${#COMP_LINE}
		_syncmapctl
		printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " "
	' _ "$dest/usr/local/share/bash-completion/completions/syncmapctl" "$@"
}
comp() {
	local want=$1 got
	shift
	got=$(complete_words "$@")
	echo "completing '$*': got '$got', want '$want'"
	[[ $got == "$want" ]]
}
t "completion: verbs of a prefix" comp "load load-and-delete load-or-store " lo
t "completion: every verb, as --help lists them" \
	comp "$(echo "$verbs_help" | tr '\n' ' ')" ""
t "completion: options" comp "-p " -p
t "completion: map names from syncmapctl list" comp "sessions " show s
t "completion: map names after options" comp "cache " -j dump c
t "completion: create's options" comp "entries " create m e

finish
