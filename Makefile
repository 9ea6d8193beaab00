# SPDX-License-Identifier: GPL-2.0
#
# syncmap: out-of-tree build and test lab.
#
#   make           build the modules against the lab kernel (built and
#                  cached on first use, see scripts/lab-kernel.sh)
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
#   make clean     remove build/ (the kernel cache outside the repo stays)
#
# KDIR=<dir> builds the modules against another kernel tree instead of the
# lab kernel.  SYNCMAP_CACHE moves the kernel cache (default
# ~/.cache/syncmap).
#
# The modules are never built in the source tree: each flavour (lab,
# sparse, compat) gets an rsync'd copy under build/, because Kbuild before
# 6.13 has no separate output directory for M= builds and the lab and
# stock-kernel objects would otherwise overwrite each other.

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.ONESHELL:
.DEFAULT_GOAL := modules
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

.PHONY: all modules check demo lint checkpatch sparse kernel-doc htmldocs \
	compat tools \
	initramfs run kcsan run-kcsan torture bench bench-smoke bench-check \
	host-tests clean help

all: modules

modules:
	@kdir=$(if $(KDIR),$(KDIR),$(lab_kdir))
	$(call sync-tree,lab)
	$(MAKE) -C "$$kdir" M=$(BUILD)/lab modules
	find $(BUILD)/lab -name '*.ko' | sort

check:
	@$(SCRIPTS)/install-deps.sh
	$(MAKE) host-tests || true   # judged by check-log
	$(MAKE) modules W=1
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
HOST_TESTS := $(SCRIPTS)/test-lab-kernel.sh $(SCRIPTS)/test-userspace-core.sh
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
	@files=$$(find $(MODDIRS) -name '*.[ch]' | sort)
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
	@files=$$(find $(MODDIRS) -name '*.[ch]' 2>/dev/null | sort)
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

# Hook for the userspace side.  If tools/Makefile exists it is run as
#   make -C tools KSRC=<6.12 source> KDIR=<lab kernel build>
#   make -C tools install KSRC=... KDIR=... DESTDIR=build/rootfs
# KSRC has tools/testing/selftests/kselftest_harness.h.  Whatever is
# installed under DESTDIR is copied over the root of the lab initramfs
# (shared libraries of dynamic executables come along); every executable
# in DESTDIR/selftests is run by the guest, must print TAP on stdout and
# exit 0 (pass) or 4 (skip), and is counted by scripts/check-log.sh.
tools:
	@rm -rf $(ROOTFS)
	mkdir -p $(ROOTFS)
	if [[ -f tools/Makefile ]]; then
		src=$(ksrc); kdir=$(lab_kdir)
		$(MAKE) -C tools KSRC="$$src" KDIR="$$kdir"
		$(MAKE) -C tools install KSRC="$$src" KDIR="$$kdir" DESTDIR=$(ROOTFS)
	fi

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

# Boot the lab kernel with the modules built by "make modules".  The old
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
# tools/demo.sh) when tools/Makefile exists: no kernel source needed.
demo:
	@$(MAKE) compat
	rel=$(stock_rel)
	rm -f $(BUILD)/demo/console.log
	rm -rf $(BUILD)/demo-rootfs
	mkdir -p $(BUILD)/demo-rootfs
	if [[ -f tools/Makefile ]]; then
		$(MAKE) -C tools install-cli DESTDIR=$(BUILD)/demo-rootfs
	fi
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
	if [[ -f tools/Makefile ]]; then $(MAKE) -C tools clean || true; fi

help:
	@sed -n '3,/^$$/s/^# \{0,1\}//p' $(firstword $(MAKEFILE_LIST))
