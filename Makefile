# SPDX-License-Identifier: GPL-2.0
#
# syncmap: out-of-tree module, its userspace tools, and the test lab.
#
# Build and install (any kernel from 6.1 to 6.12 with its headers):
#   make           syncmap.ko against KDIR (default: the running kernel,
#                  /lib/modules/$(uname -r)/build), libsyncmap and
#                  syncmapctl
#   make install   modules_install (INSTALL_MOD_PATH=$(DESTDIR)), the
#                  kernel headers and Module.symvers under
#                  $(PREFIX)/src/syncmap-VERSION, syncmapctl, libsyncmap
#                  (.so, .a, headers, syncmap.pc), man pages, bash
#                  completion and the udev rule; DESTDIR, PREFIX
#                  (/usr/local) and the directories below PREFIX move it
#   make modules / utils / install-modules / install-utils   the halves
#   make dkms-install  the DKMS source tree in $(DESTDIR)/usr/src/syncmap-VERSION
#   make deb       the Debian packages (dpkg-buildpackage -b) into build/deb
#
# The lab (the lab kernel is built and cached on first use, see
# scripts/lab-kernel.sh):
#   make lab-modules  every module (syncmap, KUnit, sample, torture)
#                  against the lab kernel, in build/lab
#   make check     everything: deps, host tests, lab kernel, modules (W=1), lint,
#                  compat build, tools, initramfs, QEMU, log check; the
#                  last line printed is "N passed, N failed"
#   make demo      load the modules on Debian's stock 6.1 kernel in QEMU
#   make torture   the torture module on the stock 6.1 kernel in QEMU,
#                  10 million operations and more (TORTURE_ARGS)
#   make run-kcsan the KUnit suites, selftests and torture run in the
#                  KCSAN kernel (scripts/kcsan.config; part of check)
#   make lint      checkpatch --strict, sparse (C=2), kernel-doc, htmldocs
#   make htmldocs  Documentation/ as HTML in build/htmldocs (Sphinx with the
#                  kernel's kernel-doc extension)
#   make bench     the benchmark (P1-P8) in a production-like kernel:
#                  table of ratios against rhashtable, locked hash maps
#                  and BPF, CSV and plots (scripts/bench.sh)
#   make bench-smoke  the same with small sizes
#   make bench-check  the smoke run on the stock kernel (part of check)
#   make bench-native  Go's sync.Map benchmark shapes natively: syncmap,
#                  Go's sync.Map, cds_lfht, an rwlock map; table, CSV, plot
#   make native    the core built in userspace, plain, ASan+UBSan and TSan,
#                  running the KUnit suites and the native ones (about a
#                  minute and a half, no kernel, no QEMU; part of check)
#   make compat    build against the stock 6.1 headers, W=1, no warnings
#   make host-tests  the tests run on the build machine (part of check),
#                  among them scripts/test-packages.sh: the packages built,
#                  installed (DKMS), and their module and tool run in the
#                  stock 6.1 guest
#   make clean     remove build/ and the in-tree module build (the kernel
#                  cache outside the repo stays)
#
# LAB_KDIR=<dir> builds lab-modules against another kernel tree instead
# of the lab kernel.  SYNCMAP_CACHE moves the kernel cache (default
# ~/.cache/syncmap).
#
# "make" builds in the tree, as DKMS does.  The lab's modules are never
# built in the source tree: each flavour (lab, sparse, compat) gets an
# rsync'd copy under build/, because Kbuild before 6.13 has no separate
# output directory for M= builds and the lab and stock-kernel objects
# would otherwise overwrite each other.

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.ONESHELL:
.DEFAULT_GOAL := all
MAKEFLAGS += --no-print-directory

BUILD := $(CURDIR)/build
SCRIPTS := $(CURDIR)/scripts
RESULTS := $(BUILD)/results
MODDIRS := module kunit samples torture
# DESTDIR for the userspace tools; becomes part of the lab initramfs.
ROOTFS := $(BUILD)/rootfs

# Evaluated in recipes (shell syntax), so the lab kernel is only looked up
# or built by targets that need it.
lab_kdir = $$($(SCRIPTS)/lab-kernel.sh | tail -n1)
ksrc = $$($(SCRIPTS)/lab-kernel.sh --source | tail -n1)
stock_rel = $$($(SCRIPTS)/install-deps.sh --stock | tail -n1)

# Copy the module sources to build/$(1).  Build products on either side
# are neither copied nor deleted (P = protect), so rebuilds stay
# incremental; sources that disappeared from the repo disappear here too.
products := *.o *.ko *.mod *.mod.c .*.cmd *.a *.order *.symvers .*.d .tmp_*
define sync-tree
mkdir -p $(BUILD)/$(1)
rsync -a --delete --delete-excluded \
	$(foreach p,$(products),--filter='P $(p)') \
	$(foreach p,$(products),--filter='- $(p)') \
	--filter='+ /Kbuild' \
	$(foreach d,$(MODDIRS),--filter='+ /$(d)/***') \
	--filter='- *' \
	$(CURDIR)/ $(BUILD)/$(1)/
endef

.PHONY: all modules modules-clean utils install install-modules \
	install-utils dkms-install deb lab-modules check demo lint checkpatch \
	sparse kernel-doc htmldocs compat tools initramfs run kcsan run-kcsan \
	torture bench bench-smoke bench-check host-tests clean help

# --- Build and install for a user's kernel ---

KDIR ?= /lib/modules/$(shell uname -r)/build
# The module directories "make" builds (Kbuild): the one a user installs.
SYNCMAP_DIRS ?= module
# The project's version, kept in one place: dkms.conf.
VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"$$/\1/p' $(CURDIR)/dkms.conf)
PREFIX ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
DATADIR ?= $(PREFIX)/share
MANDIR ?= $(DATADIR)/man
BASHCOMPDIR ?= $(DATADIR)/bash-completion/completions
# udev ignores $(PREFIX): by default the rule goes where an admin's do.
UDEVRULESDIR ?= /etc/udev/rules.d
KSRCDIR ?= $(PREFIX)/src/syncmap-$(VERSION)
install_dirs = DESTDIR=$(DESTDIR) PREFIX=$(PREFIX) SBINDIR=$(SBINDIR) \
	LIBDIR=$(LIBDIR) INCLUDEDIR=$(INCLUDEDIR) BASHCOMPDIR=$(BASHCOMPDIR)

kbuild = $(MAKE) -C "$(KDIR)" M=$(CURDIR) SYNCMAP_DIRS="$(SYNCMAP_DIRS)"
define need-kdir
if [[ ! -f "$(KDIR)/Makefile" ]]; then
	echo "syncmap: no kernel build tree at $(KDIR)." >&2
	echo "  Install the headers of that kernel (Debian: linux-headers-$$(uname -r))," >&2
	echo "  pass KDIR=<kernel build tree>, or use 'make lab-modules' for the lab kernel." >&2
	exit 1
fi
endef

all: modules utils

modules:
	@$(need-kdir)
	$(kbuild) modules

modules-clean:
	@$(need-kdir)
	$(kbuild) clean

utils:
	@$(MAKE) -C tools utils

install: install-modules install-utils

# Kbuild's modules_install (into INSTALL_MOD_PATH/lib/modules/RELEASE/
# extra, depmod run when the tree has a System.map), then what a module
# built against syncmap's exported API needs, as openzfs lays it out:
# the in-kernel header, the uapi header it includes, and the
# Module.symvers of that kernel release (KBUILD_EXTRA_SYMBOLS).
install-modules: modules
	@# The release the module was built for, as modules_install names it
	# (Debian's headers have the upstream version in kernel.release).
	rel=$$(modinfo -F vermagic module/syncmap.ko | cut -d' ' -f1)
	$(kbuild) INSTALL_MOD_PATH=$(DESTDIR) modules_install
	install -D -m 0644 module/include/syncmap.h $(DESTDIR)$(KSRCDIR)/include/syncmap.h
	install -D -m 0644 module/include/uapi/syncmap.h \
		$(DESTDIR)$(KSRCDIR)/include/uapi/syncmap.h
	install -D -m 0644 Module.symvers $(DESTDIR)$(KSRCDIR)/$$rel/Module.symvers

# Every further name in a page's NAME line gets a ".so" page of its own,
# so "man syncmap_store" finds syncmap_load(3).
MAN_PAGES := $(wildcard man/*.[348])
install-utils: utils
	@$(MAKE) -C tools install-utils $(install_dirs)
	for m in $(MAN_PAGES); do
		page=$${m#man/}; sec=$${m##*.}
		install -D -m 0644 "$$m" "$(DESTDIR)$(MANDIR)/man$$sec/$$page"
		for n in $$(sed -n '/^\.SH NAME/{n;s/ \\-.*//;s/,/ /g;p;q}' "$$m"); do
			[[ $$n.$$sec == "$$page" ]] && continue
			echo ".so man$$sec/$$page" >"$(DESTDIR)$(MANDIR)/man$$sec/$$n.$$sec"
		done
	done
	install -D -m 0644 tools/udev/60-syncmap.rules \
		$(DESTDIR)$(UDEVRULESDIR)/60-syncmap.rules

# The tree DKMS builds from: what dkms.conf's MAKE needs and nothing
# else.  "dkms add/build/install syncmap/$(VERSION)" then takes it.
DKMS_SRC := $(DESTDIR)/usr/src/syncmap-$(VERSION)
dkms-install:
	@install -d $(DKMS_SRC)
	install -m 0644 dkms.conf Kbuild Makefile $(DKMS_SRC)/
	(cd module && find . -name '*.[ch]' -o -name Kbuild) | sort | while read -r f; do
		install -D -m 0644 "module/$$f" "$(DKMS_SRC)/module/$$f"
	done

# The Debian packages (debian/), built from a copy of the tree in
# build/deb/src; the .debs and .changes land in build/deb.
deb:
	@$(SCRIPTS)/install-deps.sh
	rm -rf $(BUILD)/deb
	mkdir -p $(BUILD)/deb/src
	rsync -a --exclude=/build --exclude=/.git --exclude=/tools/out \
		$(foreach p,$(products),--exclude='$(p)') $(CURDIR)/ $(BUILD)/deb/src/
	cd $(BUILD)/deb/src
	dpkg-buildpackage -b -us -uc
	ls $(BUILD)/deb/*.deb

# --- The lab ---

lab-modules:
	@kdir=$(if $(LAB_KDIR),$(LAB_KDIR),$(lab_kdir))
	$(call sync-tree,lab)
	$(MAKE) -C "$$kdir" M=$(BUILD)/lab modules
	find $(BUILD)/lab -name '*.ko' | sort

check:
	@$(SCRIPTS)/install-deps.sh
	$(MAKE) host-tests || true   # judged by check-log
	$(MAKE) lab-modules W=1
	$(MAKE) lint
	$(MAKE) compat
	$(MAKE) tools
	$(MAKE) initramfs
	$(MAKE) run || true   # a crashed or hung guest is judged by check-log
	$(MAKE) run-kcsan || true   # judged by check-log too
	$(MAKE) bench-check || true   # judged by check-log too
	$(SCRIPTS)/check-log.sh --ksrc "$(ksrc)" --bench $(RESULTS)/bench-smoke \
		--host $(RESULTS)/host --guest kcsan=$(RESULTS)/kcsan/console.log \
		$(RESULTS)/console.log

# Tests that run on the build machine, not in a guest: each prints TAP to
# $(RESULTS)/host/NAME.tap and its exit status to NAME.rc, for check-log.
HOST_TESTS := $(SCRIPTS)/test-lab-kernel.sh $(SCRIPTS)/test-userspace-core.sh \
	$(SCRIPTS)/test-packages.sh
host-tests:
	@rm -rf $(RESULTS)/host
	mkdir -p $(RESULTS)/host
	rc=0
	for t in $(HOST_TESTS); do
		n=$$(basename "$$t" .sh)
		r=0
		"$$t" >$(RESULTS)/host/$$n.tap 2>&1 || r=$$?
		echo "$$r" >$(RESULTS)/host/$$n.rc
		sed 's/^/  /' $(RESULTS)/host/$$n.tap
		((r == 0)) || rc=1
	done
	exit "$$rc"

# tools/testing/userspace: the core and the KUnit suites in userspace,
# three builds; KTAP on stdout, as host-tests runs it.
.PHONY: native bench-native
native:
	@$(SCRIPTS)/install-deps.sh
	$(SCRIPTS)/test-userspace-core.sh

lint: checkpatch sparse kernel-doc htmldocs

# kernel-doc of every source and header: any warning fails.
kernel-doc:
	@files=$$(find $(MODDIRS) -name '*.[ch]' ! -name '*.mod.c' | sort)
	out=$$(perl "$(ksrc)/scripts/kernel-doc" -none -Wall $$files 2>&1)
	if [[ -n $$out ]]; then echo "$$out"; echo "kernel-doc: FAILED"; exit 1; fi
	echo "kernel-doc: clean ($$(wc -w <<<"$$files") files)"

# Documentation/ as HTML in build/htmldocs, with the kernel's own Sphinx
# extension and kernel-doc script (Documentation/conf.py); any warning
# fails.
htmldocs:
	@$(SCRIPTS)/install-deps.sh
	rm -rf $(BUILD)/htmldocs
	KSRC="$(ksrc)" sphinx-build -W --keep-going -q -b html \
		-d $(BUILD)/htmldocs/.doctrees Documentation $(BUILD)/htmldocs
	echo "htmldocs: $(BUILD)/htmldocs/index.html"

# checkpatch from the lab kernel's source; --strict makes CHECKs count,
# and any ERROR, WARNING or CHECK fails.
checkpatch:
	@files=$$(find $(MODDIRS) -name '*.[ch]' ! -name '*.mod.c' 2>/dev/null | sort)
	if [[ -z $$files ]]; then echo "checkpatch: no sources yet"; exit 0; fi
	rc=0
	out=$$("$(ksrc)/scripts/checkpatch.pl" --strict --no-tree --show-types \
		--no-summary --terse -f $$files 2>&1) || rc=$$?
	if grep -E '(ERROR|WARNING|CHECK):' <<<"$$out"; then
		echo "checkpatch: FAILED"; exit 1
	elif ((rc)); then
		echo "$$out"; echo "checkpatch: FAILED (exit $$rc)"; exit 1
	fi
	echo "checkpatch: clean ($$(wc -w <<<"$$files") files)"

# sparse on every file (C=2) against the lab kernel; any sparse or
# compiler warning fails.
sparse:
	@kdir=$(lab_kdir)
	$(call sync-tree,sparse)
	mkdir -p $(RESULTS)
	$(MAKE) -C "$$kdir" M=$(BUILD)/sparse C=2 modules 2>&1 | tee $(RESULTS)/sparse.log
	# Findings point into the copy; show them against the repo's paths.
	if grep -E '(warning|error):' $(RESULTS)/sparse.log | sed 's|$(BUILD)/sparse/||'; then
		echo "sparse: FAILED"; exit 1
	fi
	echo "sparse: clean"

# The stock Debian 6.1 headers, W=1, and not a single warning.
compat:
	@$(SCRIPTS)/install-deps.sh
	hdrs=/usr/src/linux-headers-$(stock_rel)
	$(call sync-tree,compat)
	mkdir -p $(RESULTS)
	$(MAKE) -C "$$hdrs" M=$(BUILD)/compat W=1 modules 2>&1 | tee $(RESULTS)/compat.log
	if grep -E '(warning|error):' $(RESULTS)/compat.log | sed 's|$(BUILD)/compat/||'; then
		echo "compat: FAILED"; exit 1
	fi
	echo "compat: clean against $$hdrs"

# The userspace side of the lab:
#   make -C tools KSRC=<6.12 source>
#   make -C tools install KSRC=... DESTDIR=build/rootfs
# KSRC has tools/testing/selftests/kselftest_harness.h.  Whatever is
# installed under DESTDIR is copied over the root of the lab initramfs
# (shared libraries of dynamic executables come along); every executable
# in DESTDIR/selftests is run by the guest, must print TAP on stdout and
# exit 0 (pass) or 4 (skip), and is counted by scripts/check-log.sh.
tools:
	@rm -rf $(ROOTFS)
	mkdir -p $(ROOTFS)
	src=$(ksrc)
	$(MAKE) -C tools KSRC="$$src"
	$(MAKE) -C tools install KSRC="$$src" DESTDIR=$(ROOTFS)

# One finit_module() call per load: busybox's insmod retries with
# init_module() when finit_module() fails, which would run the torture
# test twice when it fails (scripts/finit-module.c).
FINIT := $(BUILD)/finit-module
$(FINIT): $(SCRIPTS)/finit-module.c
	@mkdir -p $(BUILD)
	$(CC) -static -O2 -Wall -Wextra -Werror -o $@ $<

initramfs: $(FINIT)
	@$(SCRIPTS)/mkinitramfs.sh -o $(BUILD)/initramfs-lab.cpio.gz \
		-i $(SCRIPTS)/guest-init.sh -m $(BUILD)/lab -x $(ROOTFS) -b $(FINIT)

# Boot the lab kernel with the modules built by "make lab-modules".  The old
# log goes first: check-log must never judge a previous run.  The KUnit
# suites alone take ~20 min under TCG with KASAN and lockdep; the timeout
# leaves room for that and the selftests within CI's 90 min (a cold kernel
# build is ~30 min of it).
# LAB_APPEND narrows a run by hand, see scripts/guest-init.sh (e.g.
# LAB_APPEND='lab.selftests=none kunit.filter_glob=syncmap_state').
LAB_TIMEOUT ?= 2700
LAB_APPEND ?=
run:
	@kdir=$(lab_kdir)
	rm -f $(RESULTS)/console.log $(RESULTS)/console.log.boot-failed
	$(SCRIPTS)/run-qemu.sh -k "$$kdir/arch/x86/boot/bzImage" \
		-i $(BUILD)/initramfs-lab.cpio.gz -l $(RESULTS)/console.log \
		-t $(LAB_TIMEOUT) -r 'lab| guest up' -a "$(LAB_APPEND)"

# The KCSAN kernel (scripts/kcsan.config, built by the lab's recipe):
# the modules built against it in build/kcsan, the same initramfs as the
# lab's, every KUnit suite and selftest (about 4 minutes: no KASAN), no
# kmemleak.  check-log judges its console with the lab's; a KCSAN report
# that names syncmap fails it.
kcsan_kdir = $$($(SCRIPTS)/lab-kernel.sh --config kcsan | tail -n1)
KCSAN_APPEND ?= lab.kmemleak=0
kcsan:
	@kdir=$(kcsan_kdir)
	$(call sync-tree,kcsan)
	$(MAKE) -C "$$kdir" M=$(BUILD)/kcsan modules

run-kcsan: kcsan $(FINIT)
	@kdir=$(kcsan_kdir)
	$(SCRIPTS)/mkinitramfs.sh -o $(BUILD)/initramfs-kcsan.cpio.gz \
		-i $(SCRIPTS)/guest-init.sh -m $(BUILD)/kcsan -x $(ROOTFS) -b $(FINIT)
	rm -f $(RESULTS)/kcsan/console.log $(RESULTS)/kcsan/console.log.boot-failed
	$(SCRIPTS)/run-qemu.sh -k "$$kdir/arch/x86/boot/bzImage" \
		-i $(BUILD)/initramfs-kcsan.cpio.gz -l $(RESULTS)/kcsan/console.log \
		-t $(LAB_TIMEOUT) -r 'lab| guest up' -a "$(KCSAN_APPEND) $(LAB_APPEND)"

# The demo initramfs also gets "make -C tools install-cli" (syncmapctl and
# tools/demo.sh): no kernel source needed.
demo:
	@$(MAKE) compat
	rel=$(stock_rel)
	rm -f $(BUILD)/demo/console.log
	rm -rf $(BUILD)/demo-rootfs
	mkdir -p $(BUILD)/demo-rootfs
	$(MAKE) -C tools install-cli DESTDIR=$(BUILD)/demo-rootfs
	$(SCRIPTS)/mkinitramfs.sh -o $(BUILD)/initramfs-demo.cpio.gz \
		-i $(SCRIPTS)/guest-demo.sh -m $(BUILD)/compat -x $(BUILD)/demo-rootfs
	$(SCRIPTS)/run-qemu.sh -k /boot/vmlinuz-$$rel \
		-i $(BUILD)/initramfs-demo.cpio.gz -l $(BUILD)/demo/console.log \
		-a quiet -t 600 || true
	# The firmware's terminal escapes share a line with the first marker.
	out=$$(tr -d '\r' <$(BUILD)/demo/console.log |
		sed -n 's/^.*\(==== DEMO BEGIN ====\)$$/\1/; /^==== DEMO BEGIN ====$$/,/^==== DEMO END ====$$/p')
	if [[ -z $$out ]]; then
		echo "demo: the guest printed nothing; console:"; tail -n 30 $(BUILD)/demo/console.log
		exit 1
	fi
	echo "$$out"
	grep -q '^==== DEMO END ====$$' <<<"$$out"
	! grep -q '^\[rc=[1-9]' <<<"$$out"

# syncmap_torture.ko on the stock 6.1 kernel, like the demo: built against
# its headers (make compat), booted in QEMU, the module's one result line
# printed and judged.  It fails on FAIL, on no result line, and on fewer
# operations than TORTURE_MIN_OPS.  TORTURE_ARGS are the module's
# parameters, commas for spaces.
TORTURE_ARGS ?= threads=4,ops=500000,duration=1800
TORTURE_MIN_OPS ?= 10000000
TORTURE_TIMEOUT ?= 2400
torture: $(FINIT)
	@$(MAKE) compat
	rel=$(stock_rel)
	rm -f $(BUILD)/torture/console.log
	$(SCRIPTS)/mkinitramfs.sh -o $(BUILD)/initramfs-torture.cpio.gz \
		-i $(SCRIPTS)/guest-torture.sh -m $(BUILD)/compat -b $(FINIT)
	start=$$SECONDS
	$(SCRIPTS)/run-qemu.sh -k /boot/vmlinuz-$$rel \
		-i $(BUILD)/initramfs-torture.cpio.gz -l $(BUILD)/torture/console.log \
		-a "quiet lab.torture_args=$(TORTURE_ARGS)" -t $(TORTURE_TIMEOUT) || true
	secs=$$((SECONDS - start))
	out=$$(tr -d '\r' <$(BUILD)/torture/console.log |
		sed -n 's/^.*\(==== TORTURE BEGIN ====\)$$/\1/; /^==== TORTURE BEGIN ====$$/,/^==== TORTURE END ====$$/p')
	if [[ -z $$out ]]; then
		echo "torture: the guest printed nothing; console:"; tail -n 30 $(BUILD)/torture/console.log
		exit 1
	fi
	echo "$$out"
	line=$$(grep -o 'syncmap_torture: \(PASS\|FAIL\) .*' <<<"$$out" | tail -n 1)
	ops=$$(sed -n 's/^.* ops=\([0-9]*\) .*$$/\1/p' <<<"$$line")
	echo "torture: $${line:-no result line}"
	echo "torture: guest ran $${secs}s on $$rel (TCG, 2 CPUs)"
	[[ $$line == "syncmap_torture: PASS "* ]] || { echo "torture: FAILED"; exit 1; }
	grep -q '^==== TORTURE END ====$$' <<<"$$out" || { echo "torture: the guest did not finish"; exit 1; }
	if (($${ops:-0} < $(TORTURE_MIN_OPS))); then
		echo "torture: FAILED: $${ops:-0} operations, fewer than $(TORTURE_MIN_OPS)"
		exit 1
	fi

bench:
	@$(SCRIPTS)/install-deps.sh
	$(SCRIPTS)/bench.sh

bench-native:
	@$(SCRIPTS)/install-deps.sh
	$(SCRIPTS)/bench-native.sh $(BENCH_NATIVE_ARGS)

bench-smoke:
	@$(SCRIPTS)/install-deps.sh
	$(SCRIPTS)/bench.sh --smoke

# make check's smoke run: the benchmark in short mode on the stock kernel
# (production-like, and no second kernel build within CI's budget).  It
# measures, it does not judge speed: check-log counts it as one test that
# passes when the run completed and reported every target, P1 to P8.
bench-check:
	@rm -rf $(RESULTS)/bench-smoke
	mkdir -p $(RESULTS)/bench-smoke
	rc=0
	$(SCRIPTS)/bench.sh --smoke --stock >$(RESULTS)/bench-smoke/output.txt 2>&1 || rc=$$?
	echo "$$rc" >$(RESULTS)/bench-smoke/rc
	cp $(BUILD)/bench/results/latest/targets.csv $(RESULTS)/bench-smoke/ 2>/dev/null || true
	sed -n '/^SPEC section 6 targets/,$$p' $(RESULTS)/bench-smoke/output.txt
	exit "$$rc"

clean:
	@rm -rf $(BUILD)
	$(MAKE) -C tools clean
	if [[ -f "$(KDIR)/Makefile" ]]; then $(MAKE) modules-clean SYNCMAP_DIRS="$(MODDIRS)"; fi

help:
	@sed -n '3,/^$$/s/^# \{0,1\}//p' $(firstword $(MAKEFILE_LIST))
