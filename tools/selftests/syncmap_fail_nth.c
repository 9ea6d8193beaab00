// SPDX-License-Identifier: GPL-2.0
/*
 * fail-nth sweep of the /dev/syncmap ioctls, after the kernel's
 * tools/testing/selftests/iommu/iommufd_fail_nth.c.
 *
 * Every case runs one ioctl on a map in a known state, first without a
 * fault, then with n = 1, 2, ... written to /proc/self/task/<tid>/fail-nth
 * before the call: the n-th fault-injection point the call passes fails.
 * The sweep ends with the first n that the call does not reach (fail-nth
 * reads back non-zero: nothing was injected).  Every n is run on a fresh
 * map built the same way, and after each call the map's whole contents
 * (a dump, or packed loads of every key of the larger state, compared
 * with a model) and its len must be what the ABI says:
 *
 * - the call failed: -ENOMEM for an injected allocation failure, -EFAULT
 *   for an injected usercopy failure, and the map is exactly as before;
 * - the call succeeded (the fault hit an allocation whose failure is
 *   absorbed: kmemleak's own metadata, which falls back to its pool, the
 *   kmalloc() attempt of a kvmalloc(), a bulk allocation with a fallback,
 *   or a 0-byte copy): the answer and the map are those of a call without
 *   a fault;
 * - BATCH and PACKED: a failed operation reports the errno in its result
 *   and changes nothing, the others run; @done counts what ran, and when
 *   the call itself fails the map holds exactly the first @done
 *   operations (with one fault per call, each of those succeeded);
 * - a call that gives ERANGE without a fault gives ERANGE and the length
 *   needed, or the errno of the fault, the map unchanged.
 *
 * Two passes per case.  The "slab" pass injects failslab faults only
 * (sleeping allocations included: failslab/ignore-gfp-wait is N), the
 * "usercopy" pass only fail_usercopy faults (CONFIG_FAULT_INJECTION_USERCOPY:
 * copy_from_user() and copy_to_user() fail as on an unmapped page).  The
 * class not under test is switched off with the stack-trace filter
 * (reject-start/reject-end covering every address).  fail_page_alloc is
 * switched off the same way: every allocation of the module that can go
 * to the page allocator is a kvmalloc() whose failure there only means the
 * vmalloc fallback, and a page allocation failure inside a slab refill
 * looks to the module exactly like a failslab fault.  In the slab pass
 * failslab skips allocations made inside __vmalloc_node_range(): a
 * vmalloc() failure logs a warning with a stack dump, which the lab
 * counts as a kernel report; the kmalloc() attempt of each kvmalloc() is
 * still injected, and a kvmalloc() of at most a page is a plain kmalloc().
 * tools/README.md has the details.
 *
 * A TAP diagnostic line per case gives the number of injection points the
 * call passed ("points"), how many of them made it fail and how many it
 * absorbed; one line per ioctl sums them up.  Run as root in the lab
 * guest; kmemleak is scanned after all tests.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "libsyncmap.h"

/* Each test sweeps several cases under TCG, KASAN and kmemleak. */
#undef TEST_TIMEOUT_DEFAULT
#define TEST_TIMEOUT_DEFAULT 300

#define DEV		SYNCMAP_DEFAULT_PATH
#define NOBODY		65534
#define DEBUGFS		"/sys/kernel/debug"
#define QUOTA_PARAM	"/sys/module/syncmap/parameters/max_maps_per_user"

/* A call that passes more injection points than this is a test failure. */
#define MAX_NTH		400

/* ---- fault-injection setup ------------------------------------------ */

enum pass { PASS_SLAB, PASS_USERCOPY, PASS_NR };

static const char *const pass_name[PASS_NR] = { "slab", "usercopy" };
static const int pass_errno[PASS_NR] = { ENOMEM, EFAULT };

/* debugfs files this test changes, and what they held before. */
static const char *const fi_files[] = {
	"failslab/ignore-gfp-wait",
	"failslab/verbose",
	"failslab/stacktrace-depth",
	"failslab/reject-start",
	"failslab/reject-end",
	"fail_usercopy/verbose",
	"fail_usercopy/stacktrace-depth",
	"fail_usercopy/reject-start",
	"fail_usercopy/reject-end",
	"fail_page_alloc/verbose",
	"fail_page_alloc/stacktrace-depth",
	"fail_page_alloc/reject-start",
	"fail_page_alloc/reject-end",
};

#define FI_NR	(sizeof(fi_files) / sizeof(fi_files[0]))

static char fi_saved[FI_NR][64];
static bool fi_have_saved[FI_NR];
static bool have_fault_injection;
/* __vmalloc_node_range_noprof(), as [start, end); 0 when not found. */
static unsigned long vmalloc_start, vmalloc_end;

static int fi_write(const char *file, const char *val)
{
	char path[256];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), DEBUGFS "/%s", file);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -1;
	n = write(fd, val, strlen(val));
	close(fd);
	return n == (ssize_t)strlen(val) ? 0 : -1;
}

static int fi_read(const char *file, char *buf, size_t len)
{
	char path[256];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), DEBUGFS "/%s", file);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

/*
 * The reject-start and reject-end files of the three attributes, opened
 * once: the CREATE sweep switches fault classes after dropping root.
 */
static const char *const fi_attrs[] = {
	"failslab", "fail_usercopy", "fail_page_alloc",
};
static int fi_reject_fd[3][2] = { { -1, -1 }, { -1, -1 }, { -1, -1 } };

static int fi_range(unsigned int attr, unsigned long start,
		    unsigned long end)
{
	char val[32];
	int len;

	/* debugfs attributes are not seekable and ignore the position. */
	len = snprintf(val, sizeof(val), "0x%lx", start);
	if (write(fi_reject_fd[attr][0], val, len) != len)
		return -1;
	len = snprintf(val, sizeof(val), "0x%lx", end);
	return write(fi_reject_fd[attr][1], val, len) == len ? 0 : -1;
}

/* Let only the faults of @p count for fail-nth. */
static int fi_mode(enum pass p)
{
	int err = 0;

	err |= fi_range(2, 0, ULONG_MAX);
	if (p == PASS_SLAB) {
		err |= fi_range(1, 0, ULONG_MAX);
		err |= fi_range(0, vmalloc_start, vmalloc_end);
	} else {
		err |= fi_range(0, 0, ULONG_MAX);
		err |= fi_range(1, 0, 0);
	}
	return err;
}

/* [start, end) of a kernel function, from /proc/kallsyms. */
static void find_function(const char *name, unsigned long *start,
			  unsigned long *end)
{
	unsigned long addr, found = 0, next = ULONG_MAX;
	char line[512], sym[256], type;
	FILE *f = fopen("/proc/kallsyms", "r");

	*start = *end = 0;
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx %c %255s", &addr, &type, sym) != 3)
			continue;
		if (!found && !strcmp(sym, name) && tolower(type) == 't')
			found = addr;
		else if (found && addr > found && addr < next)
			next = addr;
	}
	fclose(f);
	if (found && next != ULONG_MAX) {
		*start = found;
		*end = next;
	}
}

static void fi_restore(void)
{
	unsigned int i;

	for (i = 0; i < FI_NR; i++)
		if (fi_have_saved[i])
			fi_write(fi_files[i], fi_saved[i]);
}

/*
 * Without the module there is nothing to test, without fault injection
 * nothing to sweep: skip the whole suite (exit 4).  Otherwise set the
 * fault-injection attributes up for the sweeps (restored at exit).
 */
__attribute__((constructor)) static void setup_fault_injection(void)
{
	unsigned int i;
	char kptr[16] = "";

	if (access(DEV, F_OK) && access("/sys/module/syncmap", F_OK)) {
		printf("TAP version 13\n1..1\nok 1 syncmap_fail_nth # SKIP syncmap not loaded\n");
		exit(KSFT_SKIP);
	}
	if (access("/proc/self/fail-nth", F_OK) ||
	    access(DEBUGFS "/failslab/reject-start", F_OK) ||
	    access(DEBUGFS "/fail_usercopy/reject-start", F_OK) ||
	    access(DEBUGFS "/fail_page_alloc/reject-start", F_OK)) {
		printf("TAP version 13\n1..1\nok 1 syncmap_fail_nth # SKIP no fault injection with stack-trace filters\n");
		exit(KSFT_SKIP);
	}
	for (i = 0; i < FI_NR; i++)
		fi_have_saved[i] = !fi_read(fi_files[i], fi_saved[i],
					    sizeof(fi_saved[i]));
	atexit(fi_restore);

	/* Every sleeping allocation may fail; nothing logs a failure. */
	if (fi_write("failslab/ignore-gfp-wait", "N") ||
	    fi_write("failslab/verbose", "0") ||
	    fi_write("fail_usercopy/verbose", "0") ||
	    fi_write("fail_page_alloc/verbose", "0") ||
	    fi_write("failslab/stacktrace-depth", "32") ||
	    fi_write("fail_usercopy/stacktrace-depth", "32") ||
	    fi_write("fail_page_alloc/stacktrace-depth", "32"))
		return;

	for (i = 0; i < 6; i++) {
		char path[128];

		snprintf(path, sizeof(path), DEBUGFS "/%s/reject-%s",
			 fi_attrs[i / 2], i % 2 ? "end" : "start");
		fi_reject_fd[i / 2][i % 2] = open(path, O_WRONLY | O_CLOEXEC);
		if (fi_reject_fd[i / 2][i % 2] < 0)
			return;
	}

	find_function("__vmalloc_node_range_noprof", &vmalloc_start,
		      &vmalloc_end);
	if (!vmalloc_start) {
		/* Addresses hidden: show them to root for a moment. */
		int fd = open("/proc/sys/kernel/kptr_restrict", O_RDWR);

		if (fd >= 0 && read(fd, kptr, sizeof(kptr) - 1) > 0 &&
		    pwrite(fd, "0", 1, 0) == 1) {
			find_function("__vmalloc_node_range_noprof",
				      &vmalloc_start, &vmalloc_end);
			kptr[strcspn(kptr, "\n")] = '\0';
			if (pwrite(fd, kptr, strlen(kptr), 0) < 0)
				perror("kptr_restrict");
		}
		if (fd >= 0)
			close(fd);
	}
	have_fault_injection = !fi_mode(PASS_SLAB);
}

/* ---- fail-nth --------------------------------------------------------- */

static int nth_fd = -1;

/* The calling thread's fail-nth file, opened once per test process. */
static int nth_open(void)
{
	char path[64];

	if (nth_fd >= 0)
		close(nth_fd);
	snprintf(path, sizeof(path), "/proc/self/task/%d/fail-nth", gettid());
	nth_fd = open(path, O_RDWR);
	return nth_fd < 0 ? -1 : 0;
}

static int nth_arm(unsigned int n)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%u", n);

	return pwrite(nth_fd, buf, len, 0) == len ? 0 : -1;
}

/*
 * Disarm; 1 when the fault was injected (fail-nth counted down to 0), 0
 * when the call passed fewer points, -1 on error.  In the usercopy pass
 * reading and writing the file are injection points themselves: a read
 * that faults means the count was still 1 (iommufd's test does the same).
 */
static int nth_disarm(void)
{
	char buf[32];
	ssize_t r, w;
	bool left;

	r = pread(nth_fd, buf, sizeof(buf) - 1, 0);
	if (r < 0 && errno == EFAULT) {
		left = true;
	} else if (r <= 0) {
		return -1;
	} else {
		buf[r] = '\0';
		left = strtoul(buf, NULL, 10) != 0;
	}
	w = pwrite(nth_fd, "0", 1, 0);
	if (w < 0 && errno == EFAULT) {
		w = pwrite(nth_fd, "0", 1, 0);
		left = true;
	}
	if (w != 1)
		return -1;
	return !left;
}

/*
 * Everything a call touches is resident before the sweep: a page fault
 * inside the call must not be where an injected fault lands.
 */
/*
 * Closing the fd of a map frees the map, which waits for its grace
 * periods: a thread of its own does that, while the sweep builds the
 * next map.  Its fail-nth is 0: nothing it does is injected.
 */
static int closer_pipe[2] = { -1, -1 };

static void *closer_fn(void *arg)
{
	int fd;

	while (read(closer_pipe[0], &fd, sizeof(fd)) == sizeof(fd))
		close(fd);
	return NULL;
}

static void close_later(int fd)
{
	if (closer_pipe[1] < 0 ||
	    write(closer_pipe[1], &fd, sizeof(fd)) != sizeof(fd))
		close(fd);
}

static struct timespec t0;

/* Every test starts with PREP(): a test process of its own. */
#define PREP() do {							\
	if (!have_fault_injection)					\
		SKIP(return, "fault injection could not be set up");	\
	ASSERT_EQ(0, prep());						\
} while (0)

static int prep(void)
{
	pthread_t closer;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (mlockall(MCL_CURRENT | MCL_FUTURE) || pipe(closer_pipe) ||
	    pthread_create(&closer, NULL, closer_fn, NULL))
		return -1;
	return nth_open();
}

/* ---- keys, values and the model -------------------------------------- */

/*
 * Keys 0..89 are "fn-key-NN" (9 bytes, the size packed calls use), 94
 * and 95 are 100 bytes long: the device stages keys above 64 bytes in an
 * allocation of their own.  Keys from KBIG on, "fn-big-NNN", fill the
 * larger state (state_map(true)).
 */
#define KLONG2		94
#define KLONG		95
#define KBIG		100
#define NBIG		200
#define NKEYS		(KBIG + NBIG)
#define KEYMAX		128
#define NVER		4
#define OUTCAP		32768

/*
 * Value sizes: the three small-blob caches, a kmalloc()ed blob, a value
 * too large for the device's inline staging (192 bytes), a kvmalloc() of
 * two pages and one past the largest kmalloc cache.
 */
static const size_t vsizes[] = { 1, 8, 27, 60, 124, 150, 300, 5000, 20000 };
#define NSIZES	(sizeof(vsizes) / sizeof(vsizes[0]))

static size_t key_of(int k, unsigned char *buf)
{
	if (k >= KBIG) {
		memcpy(buf, "fn-big-", 7);
		buf[7] = '0' + (k - KBIG) / 100 % 10;
		buf[8] = '0' + (k - KBIG) / 10 % 10;
		buf[9] = '0' + (k - KBIG) % 10;
		return 10;
	}
	if (k >= KLONG2) {
		memset(buf, 'a' + (k - KLONG2), 100);
		memcpy(buf, "long-key-", 9);
		return 100;
	}
	memcpy(buf, "fn-key-", 7);
	buf[7] = '0' + k / 10 % 10;
	buf[8] = '0' + k % 10;
	return 9;
}

/* The key index of a key, or -1. */
static int key_index(const unsigned char *key, size_t len)
{
	unsigned char buf[KEYMAX];
	int k;

	if (len == 9 && !memcmp(key, "fn-key-", 7) && isdigit(key[7]) &&
	    isdigit(key[8]))
		return (key[7] - '0') * 10 + key[8] - '0';
	if (len == 10 && !memcmp(key, "fn-big-", 7) && isdigit(key[7]) &&
	    isdigit(key[8]) && isdigit(key[9]))
		return KBIG + (key[7] - '0') * 100 + (key[8] - '0') * 10 +
		       key[9] - '0';
	for (k = KLONG2; k <= KLONG; k++)
		if (len == key_of(k, buf) && !memcmp(key, buf, len))
			return k;
	return -1;
}

static size_t val_len(int k, int ver)
{
	return vsizes[(k + ver) % NSIZES];
}

static unsigned char *val_cache[NKEYS][NVER];

/* Version @ver of the value of key @k, val_len(k, ver) bytes. */
static const unsigned char *val(int k, int ver)
{
	unsigned char *v = val_cache[k][ver];
	size_t i, len = val_len(k, ver);

	if (!v) {
		v = malloc(len);
		if (!v)
			abort();
		for (i = 0; i < len; i++)
			v[i] = (unsigned char)(k * 31 + ver * 101 + i * 7 + 1);
		val_cache[k][ver] = v;
	}
	return v;
}

struct model {
	unsigned char *v[NKEYS];
	size_t len[NKEYS];
	bool has[NKEYS];
};

static void m_set(struct model *m, int k, const void *v, size_t len)
{
	free(m->v[k]);
	m->v[k] = malloc(len ? len : 1);
	if (!m->v[k])
		abort();
	memcpy(m->v[k], v, len);
	m->len[k] = len;
	m->has[k] = true;
}

static void m_del(struct model *m, int k)
{
	free(m->v[k]);
	m->v[k] = NULL;
	m->len[k] = 0;
	m->has[k] = false;
}

static void m_free(struct model *m)
{
	int k;

	for (k = 0; k < NKEYS; k++)
		m_del(m, k);
}

static void m_clone(struct model *dst, const struct model *src)
{
	int k;

	memset(dst, 0, sizeof(*dst));
	for (k = 0; k < NKEYS; k++)
		if (src->has[k])
			m_set(dst, k, src->v[k], src->len[k]);
}

static size_t m_count(const struct model *m)
{
	size_t n = 0;
	int k;

	for (k = 0; k < NKEYS; k++)
		n += m->has[k];
	return n;
}

static bool m_holds(const struct model *m, int k, const void *v, size_t len)
{
	return m->has[k] && m->len[k] == len && !memcmp(m->v[k], v, len);
}

/* Does @got equal @want?  If not, why in @why. */
static bool m_equal(const struct model *want, const struct model *got,
		    char *why, size_t wl)
{
	int k;

	for (k = 0; k < NKEYS; k++) {
		if (want->has[k] != got->has[k]) {
			snprintf(why, wl, "key %d %s", k,
				 want->has[k] ? "missing" : "present");
			return false;
		}
		if (want->has[k] &&
		    !m_holds(got, k, want->v[k], want->len[k])) {
			snprintf(why, wl, "key %d holds another value (%zu bytes, want %zu)",
				 k, got->len[k], want->len[k]);
			return false;
		}
	}
	return true;
}

static bool op_has_value(unsigned int code)
{
	return code == SYNCMAP_OP_STORE || code == SYNCMAP_OP_LOAD_OR_STORE ||
	       code == SYNCMAP_OP_SWAP || code == SYNCMAP_OP_COMPARE_AND_SWAP;
}

static bool op_has_old(unsigned int code)
{
	return code == SYNCMAP_OP_COMPARE_AND_SWAP ||
	       code == SYNCMAP_OP_COMPARE_AND_DELETE;
}

static bool op_has_out(unsigned int code)
{
	return code == SYNCMAP_OP_LOAD || code == SYNCMAP_OP_LOAD_OR_STORE ||
	       code == SYNCMAP_OP_LOAD_AND_DELETE || code == SYNCMAP_OP_SWAP;
}

/*
 * Go's sync.Map semantics of one operation on the model: the result, and
 * the value the operation returns in @out (*@out_len bytes, 0 for none).
 */
static int m_apply(struct model *m, unsigned int code, int k,
		   const void *v, size_t vlen, const void *old, size_t olen,
		   unsigned char *out, size_t *out_len)
{
	bool has = m->has[k];

	*out_len = 0;
	if (has && op_has_out(code) && code != SYNCMAP_OP_LOAD_OR_STORE) {
		memcpy(out, m->v[k], m->len[k]);
		*out_len = m->len[k];
	}
	switch (code) {
	case SYNCMAP_OP_LOAD:
		return has;
	case SYNCMAP_OP_STORE:
		m_set(m, k, v, vlen);
		return 0;
	case SYNCMAP_OP_LOAD_OR_STORE:
		if (has) {
			memcpy(out, m->v[k], m->len[k]);
			*out_len = m->len[k];
			return 1;
		}
		m_set(m, k, v, vlen);
		return 0;
	case SYNCMAP_OP_LOAD_AND_DELETE:
	case SYNCMAP_OP_DELETE:
		if (has)
			m_del(m, k);
		return has;
	case SYNCMAP_OP_SWAP:
		m_set(m, k, v, vlen);
		return has;
	case SYNCMAP_OP_COMPARE_AND_SWAP:
		if (!m_holds(m, k, old, olen))
			return 0;
		m_set(m, k, v, vlen);
		return 1;
	case SYNCMAP_OP_COMPARE_AND_DELETE:
		if (!m_holds(m, k, old, olen))
			return 0;
		m_del(m, k);
		return 1;
	}
	abort();
}

/* ---- the map ------------------------------------------------------------ */

static __u64 p64(const void *p)
{
	return (__u64)(uintptr_t)p;
}

static unsigned long op_cmd(unsigned int code)
{
	return _IOWR(SYNCMAP_IOC_MAGIC, SYNCMAP_IOC_OP_BASE + code,
		     struct syncmap_ioc_op);
}

static const struct syncmap_opts map_opts = { .max_value_len = 65536 };

#define DUMP_BUF	(96 * 1024)
static unsigned char *dump_buf;

static unsigned char *xmalloc(size_t len)
{
	unsigned char *p = calloc(1, len);

	if (!p)
		abort();
	return p;
}

/* The map's contents, through DUMP. */
static int map_read(int fd, struct model *got, char *why, size_t wl)
{
	struct syncmap_ioc_dump d = { .size = sizeof(d) };
	struct syncmap_dump_rec rec;
	size_t off;
	__u32 i;
	int k;

	memset(got, 0, sizeof(*got));
	if (!dump_buf)
		dump_buf = xmalloc(DUMP_BUF);
	do {
		d.buf = p64(dump_buf);
		d.buf_len = DUMP_BUF;
		if (ioctl(fd, SYNCMAP_IOC_DUMP, &d)) {
			snprintf(why, wl, "dump: %s", strerror(errno));
			return -1;
		}
		for (i = 0, off = 0; i < d.count; i++) {
			memcpy(&rec, dump_buf + off, sizeof(rec));
			k = key_index(dump_buf + off + sizeof(rec), rec.key_len);
			if (k < 0 || got->has[k]) {
				snprintf(why, wl, "dump: %s key of %u bytes",
					 k < 0 ? "unknown" : "repeated",
					 rec.key_len);
				return -1;
			}
			m_set(got, k, dump_buf + off + sizeof(rec) + rec.key_len,
			      rec.value_len);
			off += SYNCMAP_DUMP_REC_SIZE(rec.key_len, rec.value_len);
		}
	} while (!d.end);
	return 0;
}

/*
 * The values of keys @first..@last (all of one size) through packed
 * loads into slots of @slot bytes.
 */
static int map_read_keys(int fd, struct model *got, int first, int last,
			 unsigned int slot, char *why, size_t wl)
{
	static struct syncmap_packed_result res[NBIG];
	static unsigned char *vals;
	static unsigned char keys[NBIG * 10];
	unsigned int n = last - first + 1, i;
	size_t klen = key_of(first, keys);

	if (!vals)
		vals = xmalloc(90 * 20000);
	for (i = 1; i < n; i++)
		key_of(first + i, keys + i * klen);
	if (syncmap_packed(fd, SYNCMAP_OP_LOAD, keys, klen, vals, slot, res,
			   n, 0) != (int)n) {
		snprintf(why, wl, "packed load: %s", strerror(errno));
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (res[i].result < 0) {
			snprintf(why, wl, "packed load of key %u: %d",
				 first + i, res[i].result);
			return -1;
		}
		if (res[i].result)
			m_set(got, first + i, vals + (size_t)i * slot,
			      res[i].value_len);
	}
	return 0;
}

/*
 * The larger state's contents, without a dump (which allocates for every
 * record): every key of the universe loaded; map_is() checks the len,
 * which any other key would change.
 */
static int map_read_universe(int fd, struct model *got, char *why,
			     size_t wl)
{
	memset(got, 0, sizeof(*got));
	if (map_read_keys(fd, got, 0, 89, 20000, why, wl) ||
	    map_read_keys(fd, got, KLONG2, KLONG, 20000, why, wl) ||
	    map_read_keys(fd, got, KBIG, KBIG + NBIG - 1, 512, why, wl)) {
		m_free(got);
		return -1;
	}
	return 0;
}

/* Does the map hold exactly @want, and is its len right? */
static bool map_is(int fd, const struct model *want, char *why, size_t wl)
{
	struct syncmap_ioc_info info = { .size = sizeof(info) };
	struct model got;
	bool ok;

	if (want->has[KBIG] || want->has[KBIG + NBIG - 1] ?
	    map_read_universe(fd, &got, why, wl) :
	    map_read(fd, &got, why, wl))
		return false;
	ok = m_equal(want, &got, why, wl);
	m_free(&got);
	if (!ok)
		return false;
	if (ioctl(fd, SYNCMAP_IOC_INFO, &info)) {
		snprintf(why, wl, "info: %s", strerror(errno));
		return false;
	}
	if (info.len != m_count(want)) {
		snprintf(why, wl, "len %llu, want %zu",
			 (unsigned long long)info.len, m_count(want));
		return false;
	}
	return true;
}

/* One operation for a batch (or a single command), @out of @cap bytes. */
static void op_fill(struct syncmap_ioc_op *op, unsigned int code, int k,
		    unsigned char *keybuf, const void *v, size_t vlen,
		    const void *old, size_t olen, unsigned char *out,
		    size_t cap)
{
	size_t klen = key_of(k, keybuf);

	syncmap_op_init(op, code, keybuf, klen,
			op_has_value(code) ? v : NULL,
			op_has_value(code) ? vlen : 0,
			op_has_old(code) ? old : NULL,
			op_has_old(code) ? olen : 0,
			op_has_out(code) ? out : NULL,
			op_has_out(code) ? cap : 0);
}

/* Store (k, ver) pairs in one batch; every one must succeed. */
static int store_all(int fd, const int (*kv)[2], unsigned int n)
{
	struct syncmap_ioc_op ops[32];
	unsigned char keys[32][KEYMAX];
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (kv[i][1] < 0) {
			op_fill(&ops[i], SYNCMAP_OP_DELETE, kv[i][0], keys[i],
				NULL, 0, NULL, 0, NULL, 0);
			continue;
		}
		op_fill(&ops[i], SYNCMAP_OP_STORE, kv[i][0], keys[i],
			val(kv[i][0], kv[i][1]), val_len(kv[i][0], kv[i][1]),
			NULL, 0, NULL, 0);
	}
	if (syncmap_batch(fd, ops, n, 0) != (int)n)
		return -1;
	for (i = 0; i < n; i++)
		if (ops[i].result < 0)
			return -1;
	return 0;
}

/*
 * The state every call starts from: keys 0..15 and KLONG in the read
 * snapshot (promoted), key 3 deleted there and key 5 overwritten in place,
 * then keys 16..19 stored, which starts a dirty map that the read
 * snapshot is copied into a slice at a time (key 3 expunged on the way),
 * and key 17 deleted from it again.  The dirty map is amended and not
 * promoted.  (k, ver) pairs; ver -1 deletes.
 */
static const int state_a[][2] = {
	{ 0, 0 }, { 1, 0 }, { 2, 0 }, { 3, 0 }, { 4, 0 }, { 5, 0 }, { 6, 0 },
	{ 7, 0 }, { 8, 0 }, { 9, 0 }, { 10, 0 }, { 11, 0 }, { 12, 0 },
	{ 13, 0 }, { 14, 0 }, { 15, 0 }, { KLONG, 0 },
};
static const int state_b[][2] = {
	{ 3, -1 }, { 5, 1 }, { 16, 0 }, { 17, 0 }, { 18, 0 }, { 19, 0 },
	{ 17, -1 },
};

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* The 8-byte value of big key @k. */
static void big_value(unsigned char *v, int k)
{
	unsigned int i;

	for (i = 0; i < 8; i++)
		v[i] = (unsigned char)(k * 17 + i * 5 + 3);
}

static void state_model(struct model *m, bool big)
{
	unsigned char v[8];
	unsigned int i;

	memset(m, 0, sizeof(*m));
	for (i = 0; big && i < NBIG; i++) {
		big_value(v, KBIG + i);
		m_set(m, KBIG + i, v, sizeof(v));
	}
	for (i = 0; i < NELEM(state_a); i++)
		m_set(m, state_a[i][0], val(state_a[i][0], state_a[i][1]),
		      val_len(state_a[i][0], state_a[i][1]));
	for (i = 0; i < NELEM(state_b); i++) {
		if (state_b[i][1] < 0)
			m_del(m, state_b[i][0]);
		else
			m_set(m, state_b[i][0],
			      val(state_b[i][0], state_b[i][1]),
			      val_len(state_b[i][0], state_b[i][1]));
	}
}

/*
 * Calls made on the larger state, and how many of them found the dirty
 * map's copy from the read snapshot still running (the work item that
 * finishes it runs on the other CPU meanwhile).
 */
static unsigned int big_calls, big_copying;

/*
 * A new anonymous map in the state of state_model(); its fd or -1.  The
 * larger state has NBIG more keys in the read snapshot: the copy into
 * the dirty map, 16 slots per locked operation, may still be running.
 */
static int state_map(bool big)
{
	struct syncmap_ioc_info info = { .size = sizeof(info) };
	struct syncmap_ioc_dump d = { .size = sizeof(d) };
	struct syncmap_packed_result res[NBIG];
	static unsigned char bk[NBIG][10], bv[NBIG][8];
	int fd = syncmap_create(NULL, &map_opts), i;

	if (fd < 0)
		return -1;
	for (i = 0; big && i < NBIG; i++) {
		key_of(KBIG + i, bk[i]);
		big_value(bv[i], KBIG + i);
	}
	if (big && syncmap_packed(fd, SYNCMAP_OP_STORE, bk, sizeof(bk[0]), bv,
				  sizeof(bv[0]), res, NBIG, 0) != NBIG)
		goto fail;
	if (store_all(fd, state_a, NELEM(state_a)))
		goto fail;
	/* A dump promotes the dirty map first (Go's Range). */
	if (!ioctl(fd, SYNCMAP_IOC_DUMP, &d) || errno != ERANGE)
		goto fail;
	if (store_all(fd, state_b, NELEM(state_b)))
		goto fail;
	if (big) {
		if (ioctl(fd, SYNCMAP_IOC_INFO, &info))
			goto fail;
		/* Key 3 is expunged by the copy: it never reaches the dirty map. */
		big_calls++;
		big_copying += info.dirty_entries + 1 < info.read_entries;
	}
	return fd;
fail:
	close(fd);
	return -1;
}

/* ---- the sweep ---------------------------------------------------------- */

enum outcome { BAD, CLEAN, FAILED };

struct sweep_ops {
	/* Make the state of the call; 0 or -1. */
	int (*setup)(void *c, char *why, size_t wl);
	/* The call: the ioctl's return value, errno set. */
	int (*call)(void *c);
	/*
	 * Judge the call: @err its errno (0 on success), @injected whether
	 * fail-nth fired, @want the errno of this pass.  CLEAN: it
	 * succeeded as without a fault; FAILED: the fault made it (or one
	 * of its operations) fail as it should; BAD with @why.
	 */
	enum outcome (*check)(void *c, int ret, int err, bool injected,
			      int want, char *why, size_t wl);
	void (*teardown)(void *c);
};

struct pstats {
	unsigned int points, failed, absorbed;
};

struct ioc_stats {
	const char *ioc;
	struct pstats p[PASS_NR];
	unsigned int cases, bad;
};

static void stats_line(const char *ioc, const char *what,
		       const struct pstats *p)
{
	ksft_print_msg("fail-nth %s%s%s: slab %u points (%u -ENOMEM, %u absorbed), usercopy %u points (%u -EFAULT, %u absorbed)\n",
		       ioc, what ? " " : "", what ? what : "",
		       p[PASS_SLAB].points, p[PASS_SLAB].failed,
		       p[PASS_SLAB].absorbed, p[PASS_USERCOPY].points,
		       p[PASS_USERCOPY].failed, p[PASS_USERCOPY].absorbed);
}

/* Sweep one case; failures are counted in @st->bad and printed. */
static void sweep(struct ioc_stats *st, const char *what,
		  const struct sweep_ops *o, void *c)
{
	struct pstats p[PASS_NR] = { };
	char why[256];
	enum outcome out;
	unsigned int n;
	int pass, ret, err, inj, bad = 0;

	big_calls = big_copying = 0;
	for (pass = 0; pass < PASS_NR; pass++) {
		if (fi_mode(pass)) {
			ksft_print_msg("FAIL %s %s: cannot set up %s faults\n",
				       st->ioc, what, pass_name[pass]);
			bad++;
			continue;
		}
		/* n = 0: the call without a fault, once. */
		for (n = pass ? 1 : 0;; n++) {
			why[0] = '\0';
			if (n > MAX_NTH) {
				ksft_print_msg("FAIL %s %s: more than %u %s points\n",
					       st->ioc, what, MAX_NTH,
					       pass_name[pass]);
				bad++;
				break;
			}
			if (o->setup(c, why, sizeof(why))) {
				ksft_print_msg("FAIL %s %s: setup: %s\n",
					       st->ioc, what, why);
				bad++;
				break;
			}
			if (n && nth_arm(n)) {
				ksft_print_msg("FAIL %s %s: fail-nth: %s\n",
					       st->ioc, what, strerror(errno));
				o->teardown(c);
				bad++;
				break;
			}
			ret = o->call(c);
			err = ret ? errno : 0;
			inj = n ? nth_disarm() : 0;
			if (inj < 0) {
				ksft_print_msg("FAIL %s %s: fail-nth read back: %s\n",
					       st->ioc, what, strerror(errno));
				o->teardown(c);
				bad++;
				break;
			}
			out = o->check(c, ret, err, inj, pass_errno[pass],
				       why, sizeof(why));
			o->teardown(c);
			if (out == BAD) {
				if (bad++ < 10)
					ksft_print_msg("FAIL %s %s: %s nth %u%s: %s\n",
						       st->ioc, what,
						       pass_name[pass], n,
						       inj ? "" : " (not reached)",
						       why);
			}
			if (!inj) {
				if (n)
					break;
				continue;
			}
			p[pass].points++;
			if (out == FAILED)
				p[pass].failed++;
			else if (out == CLEAN)
				p[pass].absorbed++;
		}
	}
	stats_line(st->ioc, what, p);
	if (big_calls)
		ksft_print_msg("fail-nth %s %s: the dirty map's copy was still running at %u of %u calls\n",
			       st->ioc, what, big_copying, big_calls);
	for (pass = 0; pass < PASS_NR; pass++) {
		st->p[pass].points += p[pass].points;
		st->p[pass].failed += p[pass].failed;
		st->p[pass].absorbed += p[pass].absorbed;
	}
	st->cases++;
	st->bad += bad;
}

static void stats_total(const struct ioc_stats *st)
{
	struct timespec t;
	char what[48];

	clock_gettime(CLOCK_MONOTONIC, &t);
	snprintf(what, sizeof(what), "total (%u cases, %ld s)", st->cases,
		 (long)(t.tv_sec - t0.tv_sec));
	stats_line(st->ioc, what, st->p);
}

/* A call without an injected fault must succeed. */
static bool plain_call_ok(int ret, int err, bool injected, char *why,
			  size_t wl)
{
	if (!injected && ret) {
		snprintf(why, wl, "failed without a fault: %s", strerror(err));
		return false;
	}
	return true;
}

/* A failed call: the errno of the pass. */
static bool errno_ok(int err, int want, char *why, size_t wl)
{
	if (err != want) {
		snprintf(why, wl, "errno %d (%s), want %d", err, strerror(err),
			 want);
		return false;
	}
	return true;
}

/* ---- single operations ------------------------------------------------ */

#define OLD_MATCH	(-1)	/* the key's current value */
#define OLD_NONE	(-2)

struct single {
	const char *what;
	unsigned int code;
	int key;
	int ver;	/* of the value to store */
	int old;	/* OLD_MATCH, or a version that the key does not hold */
	unsigned int cap;	/* of the output buffer; 0 for OUTCAP */
	bool big;	/* on the larger state */
};

struct single_ctx {
	const struct single *s;
	struct model pre, post;
	int fd;
	int exp_result;
	int exp_err;	/* ERANGE when the value does not fit @cap */
	unsigned char *exp_out, *out, *old;
	size_t exp_out_len, old_len;
	unsigned char key[KEYMAX];
	struct syncmap_ioc_op op;
};

static int single_setup(void *p, char *why, size_t wl)
{
	struct single_ctx *c = p;
	const struct single *s = c->s;

	c->fd = state_map(s->big);
	if (c->fd < 0) {
		snprintf(why, wl, "state: %s", strerror(errno));
		return -1;
	}
	op_fill(&c->op, s->code, s->key, c->key, val(s->key, s->ver),
		val_len(s->key, s->ver), c->old, c->old_len, c->out,
		s->cap ?: OUTCAP);
	memset(c->out, 0, OUTCAP);
	return 0;
}

static int single_call(void *p)
{
	struct single_ctx *c = p;

	return ioctl(c->fd, op_cmd(c->s->code), &c->op);
}

static enum outcome single_check(void *p, int ret, int err, bool injected,
				 int want, char *why, size_t wl)
{
	struct single_ctx *c = p;

	if (c->exp_err) {
		/* Too small a buffer: the length needed, nothing changed. */
		if (!ret) {
			snprintf(why, wl, "succeeded, want %s",
				 strerror(c->exp_err));
			return BAD;
		}
		if (err == c->exp_err) {
			if (c->op.out_len != c->exp_out_len) {
				snprintf(why, wl, "out_len %u, want %zu",
					 c->op.out_len, c->exp_out_len);
				return BAD;
			}
			return map_is(c->fd, &c->pre, why, wl) ? CLEAN : BAD;
		}
		if (!injected || !errno_ok(err, want, why, wl) ||
		    !map_is(c->fd, &c->pre, why, wl)) {
			if (!why[0])
				snprintf(why, wl, "%s without a fault",
					 strerror(err));
			return BAD;
		}
		return FAILED;
	}
	if (!plain_call_ok(ret, err, injected, why, wl))
		return BAD;
	if (ret) {
		if (!errno_ok(err, want, why, wl) ||
		    !map_is(c->fd, &c->pre, why, wl))
			return BAD;
		return FAILED;
	}
	if (c->op.result != c->exp_result) {
		snprintf(why, wl, "result %d, want %d", c->op.result,
			 c->exp_result);
		return BAD;
	}
	if (op_has_out(c->s->code) &&
	    (c->op.out_len != c->exp_out_len ||
	     memcmp(c->out, c->exp_out, c->exp_out_len))) {
		snprintf(why, wl, "returned another value (%u bytes, want %zu)",
			 c->op.out_len, c->exp_out_len);
		return BAD;
	}
	return map_is(c->fd, &c->post, why, wl) ? CLEAN : BAD;
}

static void single_teardown(void *p)
{
	struct single_ctx *c = p;

	close_later(c->fd);
}

static const struct sweep_ops single_ops = {
	.setup = single_setup,
	.call = single_call,
	.check = single_check,
	.teardown = single_teardown,
};

static void sweep_single(struct ioc_stats *st, const struct single *s)
{
	struct single_ctx c = { .s = s };

	state_model(&c.pre, s->big);
	c.out = xmalloc(OUTCAP);
	c.exp_out = xmalloc(OUTCAP);
	c.old = xmalloc(OUTCAP);
	if (s->old == OLD_MATCH && c.pre.has[s->key]) {
		memcpy(c.old, c.pre.v[s->key], c.pre.len[s->key]);
		c.old_len = c.pre.len[s->key];
	} else if (s->old >= 0) {
		c.old_len = val_len(s->key, s->old);
		memcpy(c.old, val(s->key, s->old), c.old_len);
	}
	m_clone(&c.post, &c.pre);
	c.exp_result = m_apply(&c.post, s->code, s->key, val(s->key, s->ver),
			       val_len(s->key, s->ver), c.old, c.old_len,
			       c.exp_out, &c.exp_out_len);
	/* A value that comes back must fit: else ERANGE, no change. */
	if (s->cap && c.exp_out_len > s->cap &&
	    (s->code != SYNCMAP_OP_LOAD_OR_STORE || c.exp_result == 1)) {
		c.exp_err = ERANGE;
		m_free(&c.post);
		m_clone(&c.post, &c.pre);
	}
	sweep(st, s->what, &single_ops, &c);
	m_free(&c.pre);
	m_free(&c.post);
	free(c.out);
	free(c.exp_out);
	free(c.old);
}

static int sweep_singles(const char *ioc, const struct single *s,
			 unsigned int n)
{
	struct ioc_stats st = { .ioc = ioc };
	unsigned int i;

	for (i = 0; i < n; i++)
		sweep_single(&st, &s[i]);
	stats_total(&st);
	return st.bad;
}

#define SWEEP_SINGLES(ioc, cases) \
	ASSERT_EQ(0, sweep_singles(ioc, cases, NELEM(cases)))

/*
 * In the state: keys 0..15 but 3 and KLONG in the read snapshot (5
 * overwritten in place), 16, 18 and 19 only in the dirty map; 3 and 17
 * deleted; 20.. and KLONG2 never stored.  Key k holds val(k, 0) (key 5:
 * val(5, 1)), of val_len(k, 0) bytes: key 6 holds 300 bytes, 7 and 16
 * 5000, 8 and 17 20000, 14 150.
 */
/* A case: the operation on @key, storing version @ver of its value. */
#define S(what, code, key, ver) \
	{ what, SYNCMAP_OP_##code, key, ver, OLD_NONE, 0, false }
/* ... expecting version @old (or OLD_MATCH: the value it holds). */
#define S_OLD(what, code, key, ver, old) \
	{ what, SYNCMAP_OP_##code, key, ver, old, 0, false }
/* ... with an output buffer of @cap bytes. */
#define S_CAP(what, code, key, ver, cap) \
	{ what, SYNCMAP_OP_##code, key, ver, OLD_NONE, cap, false }
/* ... on the larger state. */
#define S_BIG(what, code, key, ver, old) \
	{ what, SYNCMAP_OP_##code, key, ver, old, 0, true }

static const struct single load_cases[] = {
	S("small value", LOAD, 1, 0),
	S("300-byte value", LOAD, 6, 0),
	S("5000-byte value", LOAD, 7, 0),
	S("20000-byte value", LOAD, 8, 0),
	S("dirty-only key", LOAD, 16, 0),
	S("long key", LOAD, KLONG, 0),
	S("deleted key", LOAD, 3, 0),
	S("absent key", LOAD, 20, 0),
	S_CAP("300-byte value, 100-byte buffer", LOAD, 6, 0, 100),
	S_CAP("20000-byte value, 4096-byte buffer", LOAD, 8, 0, 4096),
	S_BIG("larger state, dirty-only key", LOAD, 16, 0, OLD_NONE),
};

static const struct single store_cases[] = {
	S("new key", STORE, 20, 0),
	S("new key, 300-byte value", STORE, 24, 0),
	S("new key, 5000-byte value", STORE, 25, 0),
	S("new key, 20000-byte value", STORE, 26, 0),
	S("new long key", STORE, KLONG2, 0),
	S("overwrite read key", STORE, 0, 1),
	S("overwrite, 5000-byte value", STORE, 6, 1),
	S("overwrite dirty-only key", STORE, 16, 1),
	S("overwrite long key", STORE, KLONG, 2),
	S("expunged key", STORE, 3, 1),
	S("key deleted from dirty map", STORE, 17, 1),
	S_BIG("larger state, new key", STORE, 20, 0, OLD_NONE),
	S_BIG("larger state, overwrite read key", STORE, 0, 1, OLD_NONE),
};

static const struct single los_cases[] = {
	S("absent key (stores)", LOAD_OR_STORE, 21, 0),
	S("absent key, 5000-byte value", LOAD_OR_STORE, 25, 0),
	S("expunged key (stores)", LOAD_OR_STORE, 3, 1),
	S("read key, 300-byte value (loads)", LOAD_OR_STORE, 6, 1),
	S("read key, 20000-byte value", LOAD_OR_STORE, 8, 1),
	S("dirty-only key (loads)", LOAD_OR_STORE, 18, 1),
	S_CAP("300-byte value, 100-byte buffer", LOAD_OR_STORE, 6, 1, 100),
	S_CAP("absent key, 1-byte buffer", LOAD_OR_STORE, 21, 0, 1),
	S_BIG("larger state, absent key", LOAD_OR_STORE, 21, 0, OLD_NONE),
};

static const struct single lad_cases[] = {
	S("read key, 300-byte value", LOAD_AND_DELETE, 6, 0),
	S("read key, 20000-byte value", LOAD_AND_DELETE, 8, 0),
	S("small value", LOAD_AND_DELETE, 1, 0),
	S("dirty-only key", LOAD_AND_DELETE, 16, 0),
	S("long key", LOAD_AND_DELETE, KLONG, 0),
	S("absent key", LOAD_AND_DELETE, 20, 0),
	S_CAP("300-byte value, 100-byte buffer", LOAD_AND_DELETE, 6, 0, 100),
	S_CAP("20000-byte value, 4096-byte buffer", LOAD_AND_DELETE, 8, 0,
	      4096),
	S_BIG("larger state, big key", LOAD_AND_DELETE, KBIG + 1, 0,
	      OLD_NONE),
};

static const struct single delete_cases[] = {
	S("read key", DELETE, 2, 0),
	S("dirty-only key", DELETE, 19, 0),
	S("long key", DELETE, KLONG, 0),
	S("deleted key", DELETE, 3, 0),
	S("absent key", DELETE, 20, 0),
	S_BIG("larger state, dirty-only key", DELETE, 19, 0, OLD_NONE),
};

static const struct single swap_cases[] = {
	S("read key, 300-byte value", SWAP, 6, 1),
	S("read key, 5000 -> 20000 bytes", SWAP, 7, 1),
	S("small value", SWAP, 1, 1),
	S("dirty-only key", SWAP, 18, 1),
	S("absent key (inserts)", SWAP, 22, 0),
	S("expunged key", SWAP, 3, 1),
	S("long key", SWAP, KLONG, 1),
	S_CAP("300-byte value, 10-byte buffer", SWAP, 6, 1, 10),
	S_CAP("absent key, 1-byte buffer", SWAP, 22, 0, 1),
	S_BIG("larger state, absent key", SWAP, 22, 0, OLD_NONE),
};

static const struct single cas_cases[] = {
	S_OLD("read key, match", COMPARE_AND_SWAP, 9, 1, OLD_MATCH),
	S_OLD("5000-byte value, match", COMPARE_AND_SWAP, 7, 1, OLD_MATCH),
	S_OLD("dirty-only key, match", COMPARE_AND_SWAP, 16, 2, OLD_MATCH),
	S_OLD("read key, mismatch", COMPARE_AND_SWAP, 9, 1, 2),
	S_OLD("absent key", COMPARE_AND_SWAP, 23, 1, 0),
	S_OLD("long key, match", COMPARE_AND_SWAP, KLONG, 1, OLD_MATCH),
	S_BIG("larger state, read key, match", COMPARE_AND_SWAP, 9, 1,
	      OLD_MATCH),
};

static const struct single cad_cases[] = {
	S_OLD("read key, match", COMPARE_AND_DELETE, 9, 0, OLD_MATCH),
	S_OLD("20000-byte value, match", COMPARE_AND_DELETE, 8, 0, OLD_MATCH),
	S_OLD("dirty-only key, match", COMPARE_AND_DELETE, 18, 0, OLD_MATCH),
	S_OLD("read key, mismatch", COMPARE_AND_DELETE, 9, 0, 2),
	S_OLD("absent key", COMPARE_AND_DELETE, 23, 0, 0),
	S_OLD("long key, match", COMPARE_AND_DELETE, KLONG, 0, OLD_MATCH),
	S_BIG("larger state, dirty-only key, match", COMPARE_AND_DELETE, 18,
	      0, OLD_MATCH),
};

TEST(load)
{
	PREP();
	if (vmalloc_start)
		ksft_print_msg("fail-nth: failslab skips the %lu bytes of __vmalloc_node_range_noprof()\n",
			       vmalloc_end - vmalloc_start);
	else
		ksft_print_msg("fail-nth: __vmalloc_node_range_noprof() not found: vmalloc failures may log stack dumps\n");
	SWEEP_SINGLES("LOAD", load_cases);
}

TEST(store)
{
	PREP();
	SWEEP_SINGLES("STORE", store_cases);
}

TEST(load_or_store)
{
	PREP();
	SWEEP_SINGLES("LOAD_OR_STORE", los_cases);
}

TEST(load_and_delete)
{
	PREP();
	SWEEP_SINGLES("LOAD_AND_DELETE", lad_cases);
}

TEST(delete)
{
	PREP();
	SWEEP_SINGLES("DELETE", delete_cases);
}

TEST(swap)
{
	PREP();
	SWEEP_SINGLES("SWAP", swap_cases);
}

TEST(compare_and_swap)
{
	PREP();
	SWEEP_SINGLES("COMPARE_AND_SWAP", cas_cases);
}

TEST(compare_and_delete)
{
	PREP();
	SWEEP_SINGLES("COMPARE_AND_DELETE", cad_cases);
}

/* ---- BATCH ----------------------------------------------------------- */

struct bop {
	unsigned int code;
	int key;
	int ver;
	int old;
};

#define BOP(code, key, ver)	{ SYNCMAP_OP_##code, key, ver, OLD_NONE }
#define BOP_OLD(code, key, ver, old)	{ SYNCMAP_OP_##code, key, ver, old }

/* Every operation, on read, dirty-only, expunged, long and absent keys. */
static const struct bop batch_mix[] = {
	BOP(STORE, 20, 0),
	BOP(STORE, 0, 1),
	BOP(LOAD_OR_STORE, 21, 0),
	BOP(LOAD_OR_STORE, 6, 0),
	BOP(SWAP, 7, 1),
	BOP(SWAP, 22, 0),
	BOP_OLD(COMPARE_AND_SWAP, 9, 1, OLD_MATCH),
	BOP_OLD(COMPARE_AND_SWAP, 10, 1, 2),
	BOP_OLD(COMPARE_AND_DELETE, 16, 0, OLD_MATCH),
	BOP(LOAD_AND_DELETE, 18, 0),
	BOP(LOAD_AND_DELETE, KLONG, 0),
	BOP(DELETE, 11, 0),
	BOP(DELETE, 23, 0),
	BOP(LOAD, 12, 0),
	BOP(LOAD, 8, 0),
	BOP(STORE, 3, 2),
	BOP(STORE, 25, 0),
};

static const struct bop batch_one[] = {
	BOP(STORE, 24, 0),
};

#define NB	NELEM(batch_mix)

struct batch_ctx {
	const struct bop *ops;
	unsigned int n, flags, op_size;
	bool big;
	int fd;
	struct model pre;
	unsigned char keys[NB][KEYMAX];
	unsigned char *olds[NB];
	size_t old_len[NB];
	unsigned char *tmpl, *recs, *outs, *exp_out;
	struct syncmap_ioc_batch b;
};

static int batch_setup(void *p, char *why, size_t wl)
{
	struct batch_ctx *c = p;

	c->fd = state_map(c->big);
	if (c->fd < 0) {
		snprintf(why, wl, "state: %s", strerror(errno));
		return -1;
	}
	memcpy(c->recs, c->tmpl, (size_t)c->n * c->op_size);
	memset(c->outs, 0, (size_t)c->n * OUTCAP);
	memset(&c->b, 0, sizeof(c->b));
	c->b.size = sizeof(c->b);
	c->b.flags = c->flags;
	c->b.ops = p64(c->recs);
	c->b.count = c->n;
	c->b.op_size = c->op_size;
	return 0;
}

static int batch_call(void *p)
{
	struct batch_ctx *c = p;

	return ioctl(c->fd, SYNCMAP_IOC_BATCH, &c->b);
}

static int batch_apply(struct batch_ctx *c, struct model *m, unsigned int i,
		       size_t *out_len)
{
	const struct bop *o = &c->ops[i];

	return m_apply(m, o->code, o->key, val(o->key, o->ver),
		       val_len(o->key, o->ver), c->olds[i], c->old_len[i],
		       c->exp_out, out_len);
}

static enum outcome batch_check(void *p, int ret, int err, bool injected,
				int want, char *why, size_t wl)
{
	struct batch_ctx *c = p;
	struct syncmap_ioc_op *rec;
	unsigned int i, fails = 0, exp_done = c->n;
	enum outcome out = BAD;
	struct model m;
	size_t len;
	int exp;

	m_clone(&m, &c->pre);
	if (c->b.done > c->n) {
		snprintf(why, wl, "done %u of %u", c->b.done, c->n);
		goto out;
	}
	if (ret) {
		/* One fault per call: whatever ran before it succeeded. */
		if (!plain_call_ok(ret, err, injected, why, wl) ||
		    !errno_ok(err, want, why, wl))
			goto out;
		for (i = 0; i < c->b.done; i++)
			batch_apply(c, &m, i, &len);
		if (map_is(c->fd, &m, why, wl))
			out = FAILED;
		goto out;
	}
	for (i = 0; i < c->b.done; i++) {
		rec = (struct syncmap_ioc_op *)(c->recs + (size_t)i * c->op_size);
		if (rec->result < 0) {
			if (!injected || rec->result != -want || fails++) {
				snprintf(why, wl, "operation %u: result %d",
					 i, rec->result);
				goto out;
			}
			if (rec->out_len) {
				snprintf(why, wl, "operation %u failed with out_len %u",
					 i, rec->out_len);
				goto out;
			}
			if (c->flags & SYNCMAP_BATCH_STOP_ON_ERROR)
				exp_done = i + 1;
			continue;
		}
		exp = batch_apply(c, &m, i, &len);
		if (rec->result != exp) {
			snprintf(why, wl, "operation %u: result %d, want %d",
				 i, rec->result, exp);
			goto out;
		}
		if (op_has_out(c->ops[i].code) &&
		    (rec->out_len != len ||
		     memcmp(c->outs + (size_t)i * OUTCAP, c->exp_out, len))) {
			snprintf(why, wl, "operation %u returned another value (%u bytes, want %zu)",
				 i, rec->out_len, len);
			goto out;
		}
	}
	if (c->b.done != exp_done) {
		snprintf(why, wl, "done %u, want %u", c->b.done, exp_done);
		goto out;
	}
	if (map_is(c->fd, &m, why, wl))
		out = fails ? FAILED : CLEAN;
out:
	m_free(&m);
	return out;
}

static void batch_teardown(void *p)
{
	struct batch_ctx *c = p;

	close_later(c->fd);
}

static const struct sweep_ops batch_sweep_ops = {
	.setup = batch_setup,
	.call = batch_call,
	.check = batch_check,
	.teardown = batch_teardown,
};

static void sweep_batch(struct ioc_stats *st, const char *what,
			const struct bop *ops, unsigned int n,
			unsigned int flags, unsigned int op_size, bool big)
{
	struct batch_ctx *c = calloc(1, sizeof(*c));
	struct syncmap_ioc_op op;
	struct model m;
	unsigned int i;
	size_t len;

	if (!c)
		abort();
	c->ops = ops;
	c->n = n;
	c->flags = flags;
	c->op_size = op_size;
	c->big = big;
	state_model(&c->pre, big);
	c->tmpl = xmalloc((size_t)n * op_size);
	c->recs = xmalloc((size_t)n * op_size);
	c->outs = xmalloc((size_t)n * OUTCAP);
	c->exp_out = xmalloc(OUTCAP);
	/* The expected values of compare-and-*: the ones a clean run meets. */
	m_clone(&m, &c->pre);
	for (i = 0; i < n; i++) {
		c->olds[i] = xmalloc(OUTCAP);
		if (ops[i].old == OLD_MATCH && m.has[ops[i].key]) {
			c->old_len[i] = m.len[ops[i].key];
			memcpy(c->olds[i], m.v[ops[i].key], c->old_len[i]);
		} else if (ops[i].old >= 0) {
			c->old_len[i] = val_len(ops[i].key, ops[i].old);
			memcpy(c->olds[i], val(ops[i].key, ops[i].old),
			       c->old_len[i]);
		}
		batch_apply(c, &m, i, &len);
		op_fill(&op, ops[i].code, ops[i].key, c->keys[i],
			val(ops[i].key, ops[i].ver),
			val_len(ops[i].key, ops[i].ver), c->olds[i],
			c->old_len[i], c->outs + (size_t)i * OUTCAP, OUTCAP);
		op.size = op_size;
		memcpy(c->tmpl + (size_t)i * op_size, &op, sizeof(op));
	}
	m_free(&m);
	sweep(st, what, &batch_sweep_ops, c);
	for (i = 0; i < n; i++)
		free(c->olds[i]);
	m_free(&c->pre);
	free(c->tmpl);
	free(c->recs);
	free(c->outs);
	free(c->exp_out);
	free(c);
}

TEST(batch)
{
	struct ioc_stats st = { .ioc = "BATCH" };

	PREP();
	sweep_batch(&st, "17 mixed operations", batch_mix, NB, 0,
		    sizeof(struct syncmap_ioc_op), false);
	sweep_batch(&st, "17 mixed operations, stop on error", batch_mix, NB,
		    SYNCMAP_BATCH_STOP_ON_ERROR, sizeof(struct syncmap_ioc_op),
		    false);
	/* Records of another size are read and written one at a time. */
	sweep_batch(&st, "17 mixed operations, 72-byte records", batch_mix,
		    NB, 0, sizeof(struct syncmap_ioc_op) + 8, false);
	sweep_batch(&st, "one store", batch_one, 1, 0,
		    sizeof(struct syncmap_ioc_op), false);
	stats_total(&st);
	ASSERT_EQ(0, st.bad);
}

/* ---- PACKED ------------------------------------------------------------ */

#define PK	9	/* key size of keys 0..89 */

struct packed_case {
	const char *what;
	unsigned int code;
	int first[3], last[3];	/* key ranges, inclusive; last < first ends */
	unsigned int value_size;
	unsigned int flags;
	bool big;
};

/* The bytes a packed store puts in key @k's slot. */
static void packed_value(unsigned char *slot, int k, unsigned int size)
{
	unsigned int i;

	for (i = 0; i < size; i++)
		slot[i] = (unsigned char)(k * 13 + i * 3 + 7);
}

static const struct packed_case packed_cases[] = {
	{ "store 40 keys of 8 bytes (5 present)", SYNCMAP_OP_STORE,
	  { 0, 40 }, { 4, 74, -1 }, 8, 0, false },
	{ "store 10 keys of 8 bytes, stop on error", SYNCMAP_OP_STORE,
	  { 0, 40 }, { 4, 44, -1 }, 8, SYNCMAP_BATCH_STOP_ON_ERROR, false },
	{ "store 12 keys of 300 bytes", SYNCMAP_OP_STORE,
	  { 0, 16, 40 }, { 3, 17, 45 }, 300, 0, false },
	{ "store 10 empty values", SYNCMAP_OP_STORE,
	  { 10, 40 }, { 14, 44, -1 }, 0, 0, false },
	{ "load 24 keys into 5000-byte slots", SYNCMAP_OP_LOAD,
	  { 0, 40 }, { 19, 43, -1 }, 5000, 0, false },
	/* Small slots: the staging buffer is a kmalloc() (and most ERANGE). */
	{ "load 24 keys into 8-byte slots", SYNCMAP_OP_LOAD,
	  { 0, 40 }, { 19, 43, -1 }, 8, 0, false },
	{ "load-and-delete 20 keys, 5000-byte slots",
	  SYNCMAP_OP_LOAD_AND_DELETE, { 0 }, { 19, -1, -1 }, 5000, 0, false },
	{ "load-and-delete 20 keys, 20000-byte slots, stop on error",
	  SYNCMAP_OP_LOAD_AND_DELETE, { 0 }, { 19, -1, -1 }, 20000,
	  SYNCMAP_BATCH_STOP_ON_ERROR, false },
	{ "load-and-delete 20 keys, 5000-byte slots, larger state",
	  SYNCMAP_OP_LOAD_AND_DELETE, { 0 }, { 19, -1, -1 }, 5000, 0, true },
	{ "delete 24 keys", SYNCMAP_OP_DELETE, { 0, 40 }, { 19, 43, -1 }, 0,
	  0, false },
	{ "delete 24 keys, larger state", SYNCMAP_OP_DELETE, { 0, 40 },
	  { 19, 43, -1 }, 0, 0, true },
};

struct packed_ctx {
	const struct packed_case *pc;
	int fd;
	unsigned int n;
	int keyidx[SYNCMAP_BATCH_MAX];
	struct model pre;
	unsigned char *keys, *tmpl_vals, *vals, *exp_slot;
	struct syncmap_packed_result *res;
	struct syncmap_ioc_packed p;
};

/*
 * Key @i of the call on the model: its result, value_len and, for loads,
 * the slot it should leave in @slot.
 */
static int packed_apply(struct packed_ctx *c, struct model *m, unsigned int i,
			__u32 *vlen)
{
	unsigned int vs = c->pc->value_size;
	int k = c->keyidx[i];
	int r = 0;

	*vlen = 0;
	memset(c->exp_slot, 0, vs);
	switch (c->pc->code) {
	case SYNCMAP_OP_STORE:
		m_set(m, k, c->tmpl_vals + (size_t)i * vs, vs);
		return 0;
	case SYNCMAP_OP_DELETE:
		r = m->has[k];
		m_del(m, k);
		return r;
	}
	if (!m->has[k])
		return 0;
	*vlen = m->len[k];
	if (m->len[k] > vs)
		return -ERANGE;
	memcpy(c->exp_slot, m->v[k], m->len[k]);
	if (c->pc->code == SYNCMAP_OP_LOAD_AND_DELETE)
		m_del(m, k);
	return 1;
}

static int packed_setup(void *p, char *why, size_t wl)
{
	struct packed_ctx *c = p;
	size_t vbytes = (size_t)c->n * c->pc->value_size;

	c->fd = state_map(c->pc->big);
	if (c->fd < 0) {
		snprintf(why, wl, "state: %s", strerror(errno));
		return -1;
	}
	if (c->pc->code == SYNCMAP_OP_STORE)
		memcpy(c->vals, c->tmpl_vals, vbytes);
	else if (vbytes)
		memset(c->vals, 0xa5, vbytes);
	memset(c->res, 0x5a, c->n * sizeof(*c->res));
	memset(&c->p, 0, sizeof(c->p));
	c->p.size = sizeof(c->p);
	c->p.flags = c->pc->flags;
	c->p.op = c->pc->code;
	c->p.count = c->n;
	c->p.key_size = PK;
	c->p.value_size = c->pc->value_size;
	c->p.keys = p64(c->keys);
	c->p.values = c->pc->value_size ? p64(c->vals) : 0;
	c->p.results = p64(c->res);
	return 0;
}

static int packed_call(void *p)
{
	struct packed_ctx *c = p;

	return ioctl(c->fd, SYNCMAP_IOC_PACKED, &c->p);
}

static enum outcome packed_check(void *p, int ret, int err, bool injected,
				 int want, char *why, size_t wl)
{
	struct packed_ctx *c = p;
	bool loads = c->pc->code == SYNCMAP_OP_LOAD ||
		     c->pc->code == SYNCMAP_OP_LOAD_AND_DELETE;
	bool stop = c->pc->flags & SYNCMAP_BATCH_STOP_ON_ERROR;
	unsigned int vs = c->pc->value_size, i, fails = 0, exp_done = c->n;
	enum outcome out = BAD;
	struct model m;
	__u32 vlen;
	int exp;

	m_clone(&m, &c->pre);
	if (c->p.done > c->n) {
		snprintf(why, wl, "done %u of %u", c->p.done, c->n);
		goto out;
	}
	if (ret) {
		if (!plain_call_ok(ret, err, injected, why, wl) ||
		    !errno_ok(err, want, why, wl))
			goto out;
		for (i = 0; i < c->p.done; i++)
			packed_apply(c, &m, i, &vlen);
		if (map_is(c->fd, &m, why, wl))
			out = FAILED;
		goto out;
	}
	for (i = 0; i < c->p.done; i++) {
		struct syncmap_packed_result *r = &c->res[i];
		unsigned char *slot = c->vals + (size_t)i * vs;

		if (r->result < 0 && r->result != -ERANGE) {
			if (!injected || r->result != -want || fails++) {
				snprintf(why, wl, "key %u: result %d", i,
					 r->result);
				goto out;
			}
			memset(c->exp_slot, 0, vs);
			if (r->value_len || (loads && memcmp(slot, c->exp_slot, vs))) {
				snprintf(why, wl, "key %u failed with value_len %u or a slot not zeroed",
					 i, r->value_len);
				goto out;
			}
			if (stop)
				exp_done = i + 1;
			continue;
		}
		exp = packed_apply(c, &m, i, &vlen);
		if (r->result != exp || r->value_len != vlen) {
			snprintf(why, wl, "key %u: result %d value_len %u, want %d and %u",
				 i, r->result, r->value_len, exp, vlen);
			goto out;
		}
		if (loads && memcmp(slot, c->exp_slot, vs)) {
			snprintf(why, wl, "key %u: another slot", i);
			goto out;
		}
		if (exp < 0 && stop && exp_done == c->n)
			exp_done = i + 1;
	}
	if (c->p.done != exp_done) {
		snprintf(why, wl, "done %u, want %u", c->p.done, exp_done);
		goto out;
	}
	if (map_is(c->fd, &m, why, wl))
		out = fails ? FAILED : CLEAN;
out:
	m_free(&m);
	return out;
}

static void packed_teardown(void *p)
{
	struct packed_ctx *c = p;

	close_later(c->fd);
}

static const struct sweep_ops packed_sweep_ops = {
	.setup = packed_setup,
	.call = packed_call,
	.check = packed_check,
	.teardown = packed_teardown,
};

static void sweep_packed(struct ioc_stats *st, const struct packed_case *pc)
{
	struct packed_ctx *c = calloc(1, sizeof(*c));
	unsigned int r, vs = pc->value_size;
	int k;

	if (!c)
		abort();
	c->pc = pc;
	for (r = 0; r < 3; r++)
		for (k = pc->first[r]; k <= pc->last[r]; k++)
			c->keyidx[c->n++] = k;
	state_model(&c->pre, pc->big);
	c->keys = xmalloc((size_t)c->n * PK);
	c->tmpl_vals = xmalloc((size_t)c->n * vs + 1);
	c->vals = xmalloc((size_t)c->n * vs + 1);
	c->exp_slot = xmalloc(vs + 1);
	c->res = calloc(c->n, sizeof(*c->res));
	if (!c->res)
		abort();
	for (r = 0; r < c->n; r++) {
		key_of(c->keyidx[r], c->keys + (size_t)r * PK);
		packed_value(c->tmpl_vals + (size_t)r * vs, c->keyidx[r], vs);
	}
	sweep(st, pc->what, &packed_sweep_ops, c);
	m_free(&c->pre);
	free(c->keys);
	free(c->tmpl_vals);
	free(c->vals);
	free(c->exp_slot);
	free(c->res);
	free(c);
}

TEST(packed)
{
	struct ioc_stats st = { .ioc = "PACKED" };
	unsigned int i;

	PREP();
	for (i = 0; i < NELEM(packed_cases); i++)
		sweep_packed(&st, &packed_cases[i]);
	stats_total(&st);
	ASSERT_EQ(0, st.bad);
}

/* ---- DUMP ------------------------------------------------------------- */

struct dump_ctx {
	int fd;
	bool big;
	int clean_err;	/* ERANGE: the buffer cannot take a record */
	struct model pre;
	__u64 cursor;
	__u32 buf_len;
	unsigned char *buf, *base;
	bool have_base;
	struct syncmap_ioc_dump d, base_d;
};

static int dump_setup(void *p, char *why, size_t wl)
{
	struct dump_ctx *c = p;

	c->fd = state_map(c->big);
	if (c->fd < 0) {
		snprintf(why, wl, "state: %s", strerror(errno));
		return -1;
	}
	memset(c->buf, 0, c->buf_len);
	memset(&c->d, 0, sizeof(c->d));
	c->d.size = sizeof(c->d);
	c->d.cursor = c->cursor;
	c->d.buf = p64(c->buf);
	c->d.buf_len = c->buf_len;
	return 0;
}

static int dump_call(void *p)
{
	struct dump_ctx *c = p;

	return ioctl(c->fd, SYNCMAP_IOC_DUMP, &c->d);
}

/* The first answer: every record one of the model's, once. */
static bool dump_valid(struct dump_ctx *c, char *why, size_t wl)
{
	struct syncmap_dump_rec rec;
	bool seen[NKEYS] = { };
	size_t off = 0;
	__u32 i;
	int k;

	for (i = 0; i < c->d.count; i++) {
		memcpy(&rec, c->buf + off, sizeof(rec));
		k = key_index(c->buf + off + sizeof(rec), rec.key_len);
		if (k < 0 || seen[k] ||
		    !m_holds(&c->pre, k, c->buf + off + sizeof(rec) + rec.key_len,
			     rec.value_len)) {
			snprintf(why, wl, "record %u is not in the map", i);
			return false;
		}
		seen[k] = true;
		off += SYNCMAP_DUMP_REC_SIZE(rec.key_len, rec.value_len);
	}
	if (off != c->d.buf_len || !c->d.count ||
	    (c->d.end && !c->cursor && c->d.count != m_count(&c->pre))) {
		snprintf(why, wl, "%u records in %u bytes, end %u", c->d.count,
			 c->d.buf_len, c->d.end);
		return false;
	}
	return true;
}

static enum outcome dump_check(void *p, int ret, int err, bool injected,
			       int want, char *why, size_t wl)
{
	struct dump_ctx *c = p;

	if (c->clean_err && (!ret || err == c->clean_err)) {
		/* The buffer cannot take the first record: its size back. */
		if (!ret || (c->have_base && c->d.buf_len != c->base_d.buf_len) ||
		    c->d.buf_len <= c->buf_len) {
			snprintf(why, wl, "%s, buf_len %u",
				 ret ? strerror(err) : "succeeded", c->d.buf_len);
			return BAD;
		}
		c->base_d = c->d;
		c->have_base = true;
		return map_is(c->fd, &c->pre, why, wl) ? CLEAN : BAD;
	}
	if (!plain_call_ok(ret, err, injected, why, wl))
		return BAD;
	if (ret) {
		if (!errno_ok(err, want, why, wl) ||
		    !map_is(c->fd, &c->pre, why, wl))
			return BAD;
		return FAILED;
	}
	if (!c->have_base) {
		if (!dump_valid(c, why, wl))
			return BAD;
		memcpy(c->base, c->buf, c->d.buf_len);
		c->base_d = c->d;
		c->have_base = true;
	} else if (c->d.count != c->base_d.count ||
		   c->d.buf_len != c->base_d.buf_len ||
		   c->d.cursor != c->base_d.cursor ||
		   c->d.end != c->base_d.end ||
		   memcmp(c->buf, c->base, c->d.buf_len)) {
		/* Same keys, same hashes: the same answer. */
		snprintf(why, wl, "another answer: %u records, %u bytes, end %u",
			 c->d.count, c->d.buf_len, c->d.end);
		return BAD;
	}
	return map_is(c->fd, &c->pre, why, wl) ? CLEAN : BAD;
}

static void dump_teardown(void *p)
{
	struct dump_ctx *c = p;

	close_later(c->fd);
}

static const struct sweep_ops dump_sweep_ops = {
	.setup = dump_setup,
	.call = dump_call,
	.check = dump_check,
	.teardown = dump_teardown,
};

/*
 * Sweep a dump call; returns its cursor (that of a clean run).  With
 * @clean_err the call fails so without a fault.
 */
static __u64 sweep_dump(struct ioc_stats *st, const char *what,
			__u64 cursor, __u32 buf_len, bool big, int clean_err)
{
	struct dump_ctx c = {
		.cursor = cursor, .buf_len = buf_len, .big = big,
		.clean_err = clean_err,
	};

	state_model(&c.pre, big);
	c.buf = xmalloc(buf_len);
	c.base = xmalloc(buf_len);
	sweep(st, what, &dump_sweep_ops, &c);
	m_free(&c.pre);
	free(c.buf);
	free(c.base);
	return c.base_d.cursor;
}

/*
 * A cursor from which a dump call with a buffer of @len bytes returns at
 * least two records: the records of every piece before it, walked
 * without a fault (a record too large for @len taken with a buffer of
 * its size).  Returns 0 with *@cursor set, or -1.
 */
static int small_piece(__u32 len, __u64 *cursor)
{
	struct syncmap_ioc_dump d;
	unsigned char *buf = xmalloc(SYNCMAP_DUMP_REC_SIZE(KEYMAX, 20000));
	int fd = state_map(false), i, ret = -1;

	*cursor = 0;
	for (i = 0; fd >= 0 && i < 64; i++) {
		memset(&d, 0, sizeof(d));
		d.size = sizeof(d);
		d.cursor = *cursor;
		d.buf = p64(buf);
		d.buf_len = len;
		if (ioctl(fd, SYNCMAP_IOC_DUMP, &d)) {
			if (errno != ERANGE || ioctl(fd, SYNCMAP_IOC_DUMP, &d))
				break;
		} else if (d.count >= 2) {
			ret = 0;
			break;
		}
		if (d.end)
			break;
		*cursor = d.cursor;
	}
	if (fd >= 0)
		close(fd);
	free(buf);
	return ret;
}

TEST(dump)
{
	struct ioc_stats st = { .ioc = "DUMP" };
	__u64 cursor;

	PREP();
	sweep_dump(&st, "whole map, 256 KiB buffer", 0, 256 * 1024, false, 0);
	/* A piece: the records that fit, the rest left for the next call. */
	cursor = sweep_dump(&st, "first piece, 24 KiB buffer", 0, 24576,
			    false, 0);
	ASSERT_NE(0, cursor);
	sweep_dump(&st, "second piece, 24 KiB buffer", cursor, 24576, false,
		   0);
	sweep_dump(&st, "16-byte buffer (ERANGE)", 0, 16, false, ERANGE);
	/* Records and their copy in at most 8 KiB: kmalloc()s both. */
	ASSERT_EQ(0, small_piece(8192, &cursor));
	sweep_dump(&st, "a piece of at most 8 KiB", cursor, 8192, false, 0);
	stats_total(&st);
	ASSERT_EQ(0, st.bad);
}

/* ---- CLEAR and INFO ------------------------------------------------------ */

struct simple_ctx {
	int fd;
	bool promote;	/* start from a promoted map, without a dirty map */
	bool big;
	struct model pre, post;
	struct syncmap_ioc_simple s;
	struct syncmap_ioc_info info;
};

static int clear_setup(void *p, char *why, size_t wl)
{
	struct simple_ctx *c = p;
	struct syncmap_ioc_dump d = { .size = sizeof(d) };

	c->fd = state_map(c->big);
	if (c->fd < 0) {
		snprintf(why, wl, "state: %s", strerror(errno));
		return -1;
	}
	if (c->promote && (!ioctl(c->fd, SYNCMAP_IOC_DUMP, &d) ||
			   errno != ERANGE)) {
		snprintf(why, wl, "promote: %s", strerror(errno));
		close(c->fd);
		return -1;
	}
	c->s.size = sizeof(c->s);
	c->s.flags = 0;
	return 0;
}

static int clear_call(void *p)
{
	struct simple_ctx *c = p;

	return ioctl(c->fd, SYNCMAP_IOC_CLEAR, &c->s);
}

static enum outcome simple_check(void *p, int ret, int err, bool injected,
				 int want, char *why, size_t wl)
{
	struct simple_ctx *c = p;

	if (!plain_call_ok(ret, err, injected, why, wl))
		return BAD;
	if (ret) {
		if (!errno_ok(err, want, why, wl) ||
		    !map_is(c->fd, &c->pre, why, wl))
			return BAD;
		return FAILED;
	}
	return map_is(c->fd, &c->post, why, wl) ? CLEAN : BAD;
}

static void simple_teardown(void *p)
{
	struct simple_ctx *c = p;

	close_later(c->fd);
}

static const struct sweep_ops clear_sweep_ops = {
	.setup = clear_setup,
	.call = clear_call,
	.check = simple_check,
	.teardown = simple_teardown,
};

TEST(clear)
{
	struct ioc_stats st = { .ioc = "CLEAR" };
	struct simple_ctx c = { };

	PREP();
	state_model(&c.pre, false);
	sweep(&st, "read snapshot and dirty map", &clear_sweep_ops, &c);
	c.promote = true;
	sweep(&st, "promoted, no dirty map", &clear_sweep_ops, &c);
	m_free(&c.pre);
	c.promote = false;
	c.big = true;
	state_model(&c.pre, true);
	sweep(&st, "larger state", &clear_sweep_ops, &c);
	stats_total(&st);
	m_free(&c.pre);
	ASSERT_EQ(0, st.bad);
}

static int info_setup(void *p, char *why, size_t wl)
{
	struct simple_ctx *c = p;

	c->fd = state_map(false);
	if (c->fd < 0) {
		snprintf(why, wl, "state: %s", strerror(errno));
		return -1;
	}
	memset(&c->info, 0, sizeof(c->info));
	c->info.size = sizeof(c->info);
	return 0;
}

static int info_call(void *p)
{
	struct simple_ctx *c = p;

	return ioctl(c->fd, SYNCMAP_IOC_INFO, &c->info);
}

static enum outcome info_check(void *p, int ret, int err, bool injected,
			       int want, char *why, size_t wl)
{
	struct simple_ctx *c = p;
	const struct syncmap_ioc_info *i = &c->info;

	if (!ret && (i->len != m_count(&c->pre) || i->name[0] || i->id ||
		     i->uid != geteuid() || i->mode != 0600 ||
		     i->map_flags != SYNCMAP_INFO_WRITABLE ||
		     i->max_entries != SYNCMAP_DEFAULT_ENTRIES ||
		     i->max_key_len != SYNCMAP_DEFAULT_KEY_SIZE ||
		     i->max_value_len != map_opts.max_value_len)) {
		snprintf(why, wl, "another answer: len %llu flags %#x",
			 (unsigned long long)i->len, i->map_flags);
		return BAD;
	}
	return simple_check(p, ret, err, injected, want, why, wl);
}

static const struct sweep_ops info_sweep_ops = {
	.setup = info_setup,
	.call = info_call,
	.check = info_check,
	.teardown = simple_teardown,
};

TEST(info)
{
	struct ioc_stats st = { .ioc = "INFO" };
	struct simple_ctx c = { };

	PREP();
	state_model(&c.pre, false);
	m_clone(&c.post, &c.pre);
	sweep(&st, "read snapshot and dirty map", &info_sweep_ops, &c);
	stats_total(&st);
	m_free(&c.pre);
	m_free(&c.post);
	ASSERT_EQ(0, st.bad);
}

/* ---- named maps: LIST, OPEN, DESTROY, CREATE ---------------------------- */

#define NLIST	3

/* A named map holding keys 0..n-1 (version 0). */
static int named_map(const char *name, int n)
{
	unsigned char key[KEYMAX];
	int fd = syncmap_create(name, &map_opts), k;

	if (fd < 0)
		return -1;
	for (k = 0; k < n; k++) {
		if (syncmap_store(fd, key, key_of(k, key), val(k, 0),
				  val_len(k, 0)) < 0) {
			syncmap_destroy(fd);
			close(fd);
			return -1;
		}
	}
	return fd;
}

static void keys_model(struct model *m, int n)
{
	int k;

	memset(m, 0, sizeof(*m));
	for (k = 0; k < n; k++)
		m_set(m, k, val(k, 0), val_len(k, 0));
}

struct list_ctx {
	int fd[NLIST];
	char names[NLIST][SYNCMAP_NAME_LEN];
	struct model m[NLIST];
	struct syncmap_list_entry e[64];
	struct syncmap_ioc_list l;
	int dev;
};

static int list_setup(void *p, char *why, size_t wl)
{
	struct list_ctx *c = p;

	memset(c->e, 0, sizeof(c->e));
	memset(&c->l, 0, sizeof(c->l));
	c->l.size = sizeof(c->l);
	c->l.entries = p64(c->e);
	c->l.count = NELEM(c->e);
	c->l.entry_size = sizeof(c->e[0]);
	return 0;
}

static int list_call(void *p)
{
	struct list_ctx *c = p;

	return ioctl(c->dev, SYNCMAP_IOC_LIST, &c->l);
}

static enum outcome list_check(void *p, int ret, int err, bool injected,
			       int want, char *why, size_t wl)
{
	struct list_ctx *c = p;
	unsigned int i, j, found = 0;

	if (!plain_call_ok(ret, err, injected, why, wl))
		return BAD;
	if (ret && !errno_ok(err, want, why, wl))
		return BAD;
	for (j = 0; !ret && j < c->l.count; j++) {
		for (i = 0; i < NLIST; i++) {
			if (strcmp(c->e[j].name, c->names[i]))
				continue;
			if (c->e[j].len != m_count(&c->m[i]) ||
			    c->e[j].mode != 0600 ||
			    c->e[j].uid != geteuid() ||
			    c->e[j].max_value_len != map_opts.max_value_len) {
				snprintf(why, wl, "%s: len %llu mode %o",
					 c->names[i],
					 (unsigned long long)c->e[j].len,
					 c->e[j].mode);
				return BAD;
			}
			found++;
		}
	}
	if (!ret && found != NLIST) {
		snprintf(why, wl, "%u of %u maps listed", found, NLIST);
		return BAD;
	}
	for (i = 0; i < NLIST; i++)
		if (!map_is(c->fd[i], &c->m[i], why, wl))
			return BAD;
	return ret ? FAILED : CLEAN;
}

static void list_teardown(void *p)
{
}

static const struct sweep_ops list_sweep_ops = {
	.setup = list_setup,
	.call = list_call,
	.check = list_check,
	.teardown = list_teardown,
};

TEST(list)
{
	struct ioc_stats st = { .ioc = "LIST" };
	struct list_ctx c = { };
	int i;

	PREP();
	for (i = 0; i < NLIST; i++) {
		snprintf(c.names[i], sizeof(c.names[i]), "fn-list-%d-%d",
			 getpid(), i);
		c.fd[i] = named_map(c.names[i], 2 + 3 * i);
		ASSERT_LE(0, c.fd[i]);
		keys_model(&c.m[i], 2 + 3 * i);
	}
	c.dev = syncmap_dev_open(O_RDWR);
	ASSERT_LE(0, c.dev);
	sweep(&st, "3 maps of ours among the registered", &list_sweep_ops, &c);
	stats_total(&st);
	for (i = 0; i < NLIST; i++) {
		EXPECT_EQ(0, syncmap_destroy(c.fd[i]));
		close(c.fd[i]);
		m_free(&c.m[i]);
	}
	close(c.dev);
	ASSERT_EQ(0, st.bad);
}

struct open_ctx {
	char name[SYNCMAP_NAME_LEN];
	int owner, fd;
	struct model m;
	struct syncmap_ioc_open o;
};

static int open_setup(void *p, char *why, size_t wl)
{
	struct open_ctx *c = p;

	c->fd = syncmap_dev_open(O_RDWR);
	if (c->fd < 0) {
		snprintf(why, wl, "open: %s", strerror(errno));
		return -1;
	}
	memset(&c->o, 0, sizeof(c->o));
	c->o.size = sizeof(c->o);
	memcpy(c->o.name, c->name, sizeof(c->o.name));
	return 0;
}

static int open_call(void *p)
{
	struct open_ctx *c = p;

	return ioctl(c->fd, SYNCMAP_IOC_OPEN, &c->o);
}

/* Is @fd bound?  An unbound fd answers INFO with EBADFD. */
static int fd_bound(int fd, struct syncmap_ioc_info *info)
{
	memset(info, 0, sizeof(*info));
	info->size = sizeof(*info);
	if (!ioctl(fd, SYNCMAP_IOC_INFO, info))
		return 1;
	return errno == EBADFD ? 0 : -1;
}

static enum outcome open_check(void *p, int ret, int err, bool injected,
			       int want, char *why, size_t wl)
{
	struct open_ctx *c = p;
	struct syncmap_ioc_info info;
	int bound = fd_bound(c->fd, &info);

	if (!plain_call_ok(ret, err, injected, why, wl))
		return BAD;
	if (ret && !errno_ok(err, want, why, wl))
		return BAD;
	if (bound != !ret) {
		snprintf(why, wl, "the fd is %sbound", bound ? "" : "not ");
		return BAD;
	}
	if (!ret && (strcmp(info.name, c->name) || !c->o.id ||
		     c->o.id != info.id || !map_is(c->fd, &c->m, why, wl))) {
		snprintf(why + strlen(why), wl - strlen(why),
			 " (opened %s, id %u)", info.name, c->o.id);
		return BAD;
	}
	if (!map_is(c->owner, &c->m, why, wl))
		return BAD;
	return ret ? FAILED : CLEAN;
}

static void open_teardown(void *p)
{
	struct open_ctx *c = p;

	close(c->fd);
}

static const struct sweep_ops open_sweep_ops = {
	.setup = open_setup,
	.call = open_call,
	.check = open_check,
	.teardown = open_teardown,
};

TEST(open_map)
{
	struct ioc_stats st = { .ioc = "OPEN" };
	struct open_ctx c = { };

	PREP();
	snprintf(c.name, sizeof(c.name), "fn-open-%d", getpid());
	c.owner = named_map(c.name, 10);
	ASSERT_LE(0, c.owner);
	keys_model(&c.m, 10);
	sweep(&st, "named map of 10 keys", &open_sweep_ops, &c);
	stats_total(&st);
	EXPECT_EQ(0, syncmap_destroy(c.owner));
	close(c.owner);
	m_free(&c.m);
	ASSERT_EQ(0, st.bad);
}

struct destroy_ctx {
	char name[SYNCMAP_NAME_LEN];
	int fd;
	struct model m;
	struct syncmap_ioc_simple s;
};

static int destroy_setup(void *p, char *why, size_t wl)
{
	struct destroy_ctx *c = p;

	c->fd = named_map(c->name, 10);
	if (c->fd < 0) {
		snprintf(why, wl, "create: %s", strerror(errno));
		return -1;
	}
	c->s.size = sizeof(c->s);
	c->s.flags = 0;
	return 0;
}

static int destroy_call(void *p)
{
	struct destroy_ctx *c = p;

	return ioctl(c->fd, SYNCMAP_IOC_DESTROY, &c->s);
}

static enum outcome destroy_check(void *p, int ret, int err, bool injected,
				  int want, char *why, size_t wl)
{
	struct destroy_ctx *c = p;
	int other;

	if (!plain_call_ok(ret, err, injected, why, wl))
		return BAD;
	if (ret && !errno_ok(err, want, why, wl))
		return BAD;
	other = syncmap_open(c->name, O_RDWR);
	if (other >= 0)
		close(other);
	if (ret ? other < 0 : other >= 0 || errno != ENOENT) {
		snprintf(why, wl, "the name %s", other >= 0 ? "is still there" :
			 "is gone");
		return BAD;
	}
	/* The fd works on, named or not. */
	if (!map_is(c->fd, &c->m, why, wl))
		return BAD;
	return ret ? FAILED : CLEAN;
}

static void destroy_teardown(void *p)
{
	struct destroy_ctx *c = p;

	syncmap_destroy(c->fd);
	close(c->fd);
}

static const struct sweep_ops destroy_sweep_ops = {
	.setup = destroy_setup,
	.call = destroy_call,
	.check = destroy_check,
	.teardown = destroy_teardown,
};

TEST(destroy)
{
	struct ioc_stats st = { .ioc = "DESTROY" };
	struct destroy_ctx c = { };

	PREP();
	snprintf(c.name, sizeof(c.name), "fn-destroy-%d", getpid());
	keys_model(&c.m, 10);
	sweep(&st, "named map of 10 keys", &destroy_sweep_ops, &c);
	stats_total(&st);
	m_free(&c.m);
	ASSERT_EQ(0, st.bad);
}

/* Is a map of that name registered (and readable by the caller)? */
static int name_listed(int dev, const char *name)
{
	struct syncmap_list_entry e[16];
	unsigned int start = 0;
	int n, i;

	do {
		n = syncmap_list(dev, e, NELEM(e), &start);
		if (n < 0)
			return -1;
		for (i = 0; i < n; i++)
			if (!strcmp(e[i].name, name))
				return 1;
	} while (start);
	return 0;
}

struct create_ctx {
	bool named;
	char name[SYNCMAP_NAME_LEN];
	/* Unbound fds opened beforehand (after dropping root), or none. */
	int *pool;
	unsigned int npool, next;
	int dev;	/* an unbound fd for LIST */
	int fd;
	bool bound;
	struct syncmap_ioc_create c;
};

static void create_fill(struct create_ctx *c)
{
	memset(&c->c, 0, sizeof(c->c));
	c->c.size = sizeof(c->c);
	if (c->named)
		memcpy(c->c.name, c->name, sizeof(c->c.name));
	else
		c->c.flags = SYNCMAP_CREATE_ANON;
	c->c.max_value_len = map_opts.max_value_len;
}

static int create_setup(void *p, char *why, size_t wl)
{
	struct create_ctx *c = p;

	if (c->pool && c->next >= c->npool) {
		snprintf(why, wl, "out of fds");
		return -1;
	}
	c->fd = c->pool ? c->pool[c->next] : syncmap_dev_open(O_RDWR);
	if (c->fd < 0) {
		snprintf(why, wl, "open: %s", strerror(errno));
		return -1;
	}
	c->bound = false;
	create_fill(c);
	return 0;
}

static int create_call(void *p)
{
	struct create_ctx *c = p;

	return ioctl(c->fd, SYNCMAP_IOC_CREATE, &c->c);
}

static enum outcome create_check(void *p, int ret, int err, bool injected,
				 int want, char *why, size_t wl)
{
	struct create_ctx *c = p;
	struct syncmap_ioc_info info;
	struct model empty = { };
	int bound = fd_bound(c->fd, &info);
	int listed = c->named ? name_listed(c->dev, c->name) : 0;

	c->bound = bound > 0;
	if (!plain_call_ok(ret, err, injected, why, wl))
		return BAD;
	if (ret && !errno_ok(err, want, why, wl))
		return BAD;
	if (bound != !ret || listed != (c->named && !ret)) {
		snprintf(why, wl, "the fd is %sbound, the name %slisted",
			 bound ? "" : "not ", listed ? "" : "not ");
		return BAD;
	}
	if (!ret) {
		if (strcmp(info.name, c->named ? c->name : "") ||
		    c->c.id != info.id || !c->c.id != !c->named ||
		    c->c.mode != 0600 || info.uid != geteuid() ||
		    c->c.max_value_len != map_opts.max_value_len ||
		    !map_is(c->fd, &empty, why, wl)) {
			snprintf(why + strlen(why), wl - strlen(why),
				 " (created \"%s\", id %u)", info.name,
				 c->c.id);
			return BAD;
		}
		return CLEAN;
	}
	/* Nothing is left of the failed call: the same create works. */
	create_fill(c);
	if (ioctl(c->fd, SYNCMAP_IOC_CREATE, &c->c)) {
		snprintf(why, wl, "create after the failure: %s",
			 strerror(errno));
		return BAD;
	}
	c->bound = true;
	return FAILED;
}

static void create_teardown(void *p)
{
	struct create_ctx *c = p;

	if (c->bound && c->named)
		syncmap_destroy(c->fd);
	if (!c->pool) {
		close(c->fd);
	} else if (c->bound) {
		close(c->fd);
		c->pool[c->next++] = -1;
	}
}

static const struct sweep_ops create_sweep_ops = {
	.setup = create_setup,
	.call = create_call,
	.check = create_check,
	.teardown = create_teardown,
};

static void sweep_create(struct ioc_stats *st, const char *what,
			 struct create_ctx *c, bool named)
{
	c->named = named;
	snprintf(c->name, sizeof(c->name), "fn-create-%d", getpid());
	sweep(st, what, &create_sweep_ops, c);
}

/* Bind the next fd of the pool to a new map; 0 or the errno. */
static int pool_create(struct create_ctx *c, const char *name)
{
	if (c->next >= c->npool)
		return -1;
	if (syncmap_create_fd(c->pool[c->next], name, &map_opts))
		return errno;
	c->next++;
	return 0;
}

#define POOL	400

/*
 * The user NOBODY, with max_maps_per_user 2: sweep CREATE, then create
 * as many maps as the quota allows.  A failed create that left a charge
 * behind shows as ENOSPC too early.  Returns the failures.
 */
static int create_as_nobody(struct ioc_stats *st)
{
	struct create_ctx c = { .npool = POOL };
	unsigned int first;
	int bad = 0, i;

	/* The closer thread stayed with the parent. */
	close(closer_pipe[1]);
	closer_pipe[1] = -1;

	/*
	 * The device is root's: open the fds first.  They are this
	 * process's alone, so that closing one releases its map (and the
	 * charge of an anonymous one).
	 */
	c.pool = calloc(POOL, sizeof(int));
	if (!c.pool)
		return 1;
	for (i = 0; i < POOL; i++) {
		c.pool[i] = syncmap_dev_open(O_RDWR);
		if (c.pool[i] < 0)
			return 1;
	}
	c.dev = syncmap_dev_open(O_RDWR);
	if (c.dev < 0 || nth_open() || munlockall() ||
	    mlockall(MCL_CURRENT) || setresgid(NOBODY, NOBODY, NOBODY) ||
	    setresuid(NOBODY, NOBODY, NOBODY))
		return 1;
	sweep_create(st, "anonymous, unprivileged user", &c, false);
	sweep_create(st, "named, unprivileged user", &c, true);

	/* Two named maps and two anonymous ones, not one more. */
	first = c.next;
	for (i = 0; i < 2; i++) {
		char name[SYNCMAP_NAME_LEN];

		snprintf(name, sizeof(name), "fn-quota-%d-%d", getpid(), i);
		if (pool_create(&c, name)) {
			ksft_print_msg("FAIL CREATE: named map %d of 2: %s\n",
				       i + 1, strerror(errno));
			bad++;
		}
	}
	if (pool_create(&c, "fn-quota-extra") != ENOSPC) {
		ksft_print_msg("FAIL CREATE: a third named map was not ENOSPC\n");
		bad++;
	}
	for (i = 0; i < 2; i++) {
		if (pool_create(&c, NULL)) {
			ksft_print_msg("FAIL CREATE: anonymous map %d of 2: %s\n",
				       i + 1, strerror(errno));
			bad++;
		}
	}
	if (pool_create(&c, NULL) != ENOSPC) {
		ksft_print_msg("FAIL CREATE: a third anonymous map was not ENOSPC\n");
		bad++;
	}
	for (i = first; i < (int)c.next; i++)
		syncmap_destroy(c.pool[i]);
	return bad;
}

TEST(create)
{
	struct ioc_stats *st;
	struct create_ctx c = { };
	char quota[16] = "";
	int status, fd;
	pid_t pid;

	PREP();
	/* Shared with the unprivileged child, which adds its sweeps. */
	st = mmap(NULL, sizeof(*st), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, st);
	st->ioc = "CREATE";
	c.dev = syncmap_dev_open(O_RDWR);
	ASSERT_LE(0, c.dev);
	sweep_create(st, "anonymous", &c, false);
	sweep_create(st, "named", &c, true);
	close(c.dev);

	fd = open(QUOTA_PARAM, O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_LT(0, read(fd, quota, sizeof(quota) - 1));
	ASSERT_EQ(1, pwrite(fd, "2", 1, 0));
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		int bad = create_as_nobody(st);

		fflush(stdout);
		_exit(bad ? 1 : 0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ((ssize_t)strlen(quota), pwrite(fd, quota, strlen(quota), 0));
	close(fd);
	stats_total(st);
	EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status));
	EXPECT_EQ(0, st->bad);
	munmap(st, sizeof(*st));
}

TEST_HARNESS_MAIN
