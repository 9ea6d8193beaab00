// SPDX-License-Identifier: GPL-2.0
/*
 * syncmap-bench-user - /dev/syncmap against a bpf(2) hash map on the same
 * kernel, measured side by side (SPEC section 6, P6 and P7):
 *
 *   P6         one SYNCMAP_IOC_LOAD vs one BPF_MAP_LOOKUP_ELEM (hits)
 *   P6store    one SYNCMAP_IOC_STORE vs one BPF_MAP_UPDATE_ELEM (overwrites)
 *   P7load     SYNCMAP_IOC_PACKED of loads vs BPF_MAP_LOOKUP_BATCH
 *   P7store    SYNCMAP_IOC_PACKED of stores vs BPF_MAP_UPDATE_BATCH
 *   P7recload  SYNCMAP_IOC_BATCH of load records vs BPF_MAP_LOOKUP_BATCH
 *   P7recstore SYNCMAP_IOC_BATCH of store records vs BPF_MAP_UPDATE_BATCH
 *
 * Both maps hold the same keys (16 bytes) and values (64 bytes); the BPF
 * map is a BPF_MAP_TYPE_HASH with max_entries = keys.  BPF's lookup batch
 * walks the map rather than looking keys up; it is still the cheapest way
 * BPF offers to read many entries, which is the comparison P7 asks for.
 * The packed calls and BPF's update batch take the same arrays: a run of
 * consecutive keys (and values) from a random place in the key array,
 * whose order has nothing to do with either map's.  The BPF batches are
 * measured once and reported under both P7 rows of their kind.
 *
 * Output, one line per measurement, like the kernel module's:
 *   csv <test>,<keys>,<syncmap|bpf>,1,ps_per_op,<median over repetitions>
 *
 * Raw syscalls only (ioctl(2), bpf(2)): no library between the caller and
 * the kernel.  Needs root (BPF map creation) and the syncmap module.
 *
 * Usage: syncmap-bench-user [-s] [-k KEYS[,KEYS...]] [-r REPS] [-b BATCH]
 *                           [-n ITERATIONS] [-t ROWS]
 *   -s  smoke: fewer iterations (and 3 repetitions)
 *   -n  single calls per repetition (batched calls: 4 * ITERATIONS / BATCH)
 *   -t  only the rows whose names start with one of ROWS (comma
 *       separated), e.g. "P7store" or "P6,P7load"; default all
 *
 * Under "perf record --control=fifo:CTL,ACK -D -1", with CTL and ACK in
 * SYNCMAP_BENCH_PERF_CTL and SYNCMAP_BENCH_PERF_ACK, perf samples only
 * the timed repetitions, not the setup of the maps.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "syncmap.h"

#define KEY_LEN		16
#define VAL_LEN		64
#define MAX_REPS	15
#define MAX_SIZES	8
#define SETTLE_US	100000

static unsigned int iters = 20000, reps = 5, batch = 256;
static const char *rows;	/* -t: prefixes of the rows to run */

static void die(const char *what)
{
	fprintf(stderr, "syncmap-bench-user: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* perf's control and ack fifos, when running under perf --control. */
static int perf_ctl = -1, perf_ack = -1;

static void perf_open(void)
{
	const char *ctl = getenv("SYNCMAP_BENCH_PERF_CTL");
	const char *ack = getenv("SYNCMAP_BENCH_PERF_ACK");

	if (!ctl || !ack)
		return;
	/* O_RDWR: perf holds the other ends, so neither open waits. */
	perf_ctl = open(ctl, O_RDWR | O_CLOEXEC);
	perf_ack = open(ack, O_RDWR | O_CLOEXEC);
	if (perf_ctl < 0 || perf_ack < 0)
		die("perf control fifos");
}

/* Tell perf to start or stop sampling ("enable", "disable"); wait for it. */
static void perf_command(const char *cmd)
{
	char ack[8];

	if (perf_ctl < 0)
		return;
	if (write(perf_ctl, cmd, strlen(cmd)) != (ssize_t)strlen(cmd) ||
	    read(perf_ack, ack, sizeof(ack)) <= 0)
		die("perf control");
}

static uint64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static long sys_bpf(int cmd, union bpf_attr *attr)
{
	return syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

static uint64_t rng = 88172645463325252ull;

static unsigned int pick(unsigned int n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned int)(((rng >> 32) * n) >> 32);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

struct maps {
	int sm;			/* /dev/syncmap fd bound to an anonymous map */
	int bpf;		/* BPF_MAP_TYPE_HASH */
	unsigned int n;
	unsigned char *keys;	/* n * KEY_LEN */
	unsigned char *vals;	/* n * VAL_LEN */
	unsigned char out[VAL_LEN * 4096];
	struct syncmap_ioc_op *ops;
	struct syncmap_packed_result res[4096];
};

static inline unsigned char *key_of(struct maps *m, unsigned int i)
{
	return m->keys + (size_t)i * KEY_LEN;
}

static inline unsigned char *val_of(struct maps *m, unsigned int i)
{
	return m->vals + (size_t)i * VAL_LEN;
}

static void sm_op(struct syncmap_ioc_op *op, unsigned int code,
		  const void *key, const void *val, void *out)
{
	memset(op, 0, sizeof(*op));
	op->size = sizeof(*op);
	op->op = code;
	op->key = (uintptr_t)key;
	op->key_len = KEY_LEN;
	if (val) {
		op->value = (uintptr_t)val;
		op->value_len = VAL_LEN;
	}
	if (out) {
		op->out = (uintptr_t)out;
		op->out_len = VAL_LEN;
	}
}

static int sm_load(struct maps *m, unsigned int i)
{
	struct syncmap_ioc_op op;

	sm_op(&op, SYNCMAP_OP_LOAD, key_of(m, i), NULL, m->out);
	if (ioctl(m->sm, SYNCMAP_IOC_LOAD, &op))
		die("SYNCMAP_IOC_LOAD");
	return op.result;
}

static void sm_store(struct maps *m, unsigned int i)
{
	struct syncmap_ioc_op op;

	sm_op(&op, SYNCMAP_OP_STORE, key_of(m, i), val_of(m, i), NULL);
	if (ioctl(m->sm, SYNCMAP_IOC_STORE, &op))
		die("SYNCMAP_IOC_STORE");
}

static void bpf_lookup(struct maps *m, unsigned int i)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.map_fd = m->bpf;
	a.key = (uintptr_t)key_of(m, i);
	a.value = (uintptr_t)m->out;
	if (sys_bpf(BPF_MAP_LOOKUP_ELEM, &a))
		die("BPF_MAP_LOOKUP_ELEM");
}

static void bpf_update(struct maps *m, unsigned int i)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.map_fd = m->bpf;
	a.key = (uintptr_t)key_of(m, i);
	a.value = (uintptr_t)val_of(m, i);
	if (sys_bpf(BPF_MAP_UPDATE_ELEM, &a))
		die("BPF_MAP_UPDATE_ELEM");
}

/* SYNCMAP_IOC_BATCH of @batch records of random keys. */
static void sm_batch(struct maps *m, unsigned int code)
{
	struct syncmap_ioc_batch b;
	unsigned int j, k;

	for (j = 0; j < batch; j++) {
		k = pick(m->n);
		if (code == SYNCMAP_OP_LOAD)
			sm_op(&m->ops[j], code, key_of(m, k), NULL,
			      m->out + (size_t)j * VAL_LEN);
		else
			sm_op(&m->ops[j], code, key_of(m, k), val_of(m, k),
			      NULL);
	}
	memset(&b, 0, sizeof(b));
	b.size = sizeof(b);
	b.ops = (uintptr_t)m->ops;
	b.count = batch;
	b.op_size = sizeof(m->ops[0]);
	if (ioctl(m->sm, SYNCMAP_IOC_BATCH, &b) || b.done != batch)
		die("SYNCMAP_IOC_BATCH");
	for (j = 0; j < batch; j++)
		if (m->ops[j].result != (code == SYNCMAP_OP_LOAD)) {
			errno = m->ops[j].result < 0 ? -m->ops[j].result :
							ENOENT;
			die("batch operation");
		}
}

/* SYNCMAP_IOC_PACKED of @batch consecutive keys from a random place. */
static void sm_packed(struct maps *m, unsigned int code)
{
	unsigned int base = pick(m->n - batch + 1), j;
	struct syncmap_ioc_packed p;

	memset(&p, 0, sizeof(p));
	p.size = sizeof(p);
	p.op = code;
	p.count = batch;
	p.key_size = KEY_LEN;
	p.value_size = VAL_LEN;
	p.keys = (uintptr_t)key_of(m, base);
	p.values = (uintptr_t)(code == SYNCMAP_OP_LOAD ? m->out :
							 val_of(m, base));
	p.results = (uintptr_t)m->res;
	if (ioctl(m->sm, SYNCMAP_IOC_PACKED, &p) || p.done != batch)
		die("SYNCMAP_IOC_PACKED");
	for (j = 0; j < batch; j++)
		if (m->res[j].result != (code == SYNCMAP_OP_LOAD)) {
			errno = m->res[j].result < 0 ? -m->res[j].result :
						       ENOENT;
			die("packed operation");
		}
}

/* BPF_MAP_UPDATE_BATCH of the same arrays as sm_packed(). */
static void bpf_update_batch(struct maps *m)
{
	unsigned int base = pick(m->n - batch + 1);
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.batch.map_fd = m->bpf;
	a.batch.keys = (uintptr_t)key_of(m, base);
	a.batch.values = (uintptr_t)val_of(m, base);
	a.batch.count = batch;
	if (sys_bpf(BPF_MAP_UPDATE_BATCH, &a) || a.batch.count != batch)
		die("BPF_MAP_UPDATE_BATCH");
}

/* One BPF_MAP_LOOKUP_BATCH call, restarting at the end of the map. */
static unsigned char bkeys[KEY_LEN * 4096];
static uint64_t bpf_token;
static int bpf_token_valid;

static unsigned int bpf_lookup_batch(struct maps *m)
{
	union bpf_attr a;
	long r;

	memset(&a, 0, sizeof(a));
	a.batch.map_fd = m->bpf;
	a.batch.in_batch = bpf_token_valid ? (uintptr_t)&bpf_token : 0;
	a.batch.out_batch = (uintptr_t)&bpf_token;
	a.batch.keys = (uintptr_t)bkeys;
	a.batch.values = (uintptr_t)m->out;
	a.batch.count = batch;
	r = sys_bpf(BPF_MAP_LOOKUP_BATCH, &a);
	if (r && errno != ENOENT)
		die("BPF_MAP_LOOKUP_BATCH");
	bpf_token_valid = !r;
	return a.batch.count;
}

enum which { SM_LOAD, SM_STORE, SM_PLOAD, SM_PSTORE, SM_BLOAD, SM_BSTORE,
	     BPF_LOOKUP, BPF_UPDATE, BPF_BLOOKUP, BPF_BUPDATE, NR_WHICH };

/* What each measurement is reported as; BPF's batches under two names. */
static const struct {
	const char *test, *test2, *map;
	int batched;
} what[NR_WHICH] = {
	[SM_LOAD] = { "P6", NULL, "syncmap", 0 },
	[SM_STORE] = { "P6store", NULL, "syncmap", 0 },
	[SM_PLOAD] = { "P7load", NULL, "syncmap", 1 },
	[SM_PSTORE] = { "P7store", NULL, "syncmap", 1 },
	[SM_BLOAD] = { "P7recload", NULL, "syncmap", 1 },
	[SM_BSTORE] = { "P7recstore", NULL, "syncmap", 1 },
	[BPF_LOOKUP] = { "P6", NULL, "bpf", 0 },
	[BPF_UPDATE] = { "P6store", NULL, "bpf", 0 },
	[BPF_BLOOKUP] = { "P7load", "P7recload", "bpf", 1 },
	[BPF_BUPDATE] = { "P7store", "P7recstore", "bpf", 1 },
};

/* Whether row @name was asked for with -t (every row without -t). */
static int row_selected(const char *name)
{
	const char *p = rows, *end;
	size_t len;

	if (!name)
		return 0;
	if (!p)
		return 1;
	while (*p) {
		end = strchrnul(p, ',');
		len = (size_t)(end - p);
		if (len && !strncmp(name, p, len))
			return 1;
		p = *end ? end + 1 : end;
	}
	return 0;
}

/* Whether measurement @w reports a row that was asked for. */
static int selected(enum which w)
{
	return row_selected(what[w].test) || row_selected(what[w].test2);
}

/* Run @it rounds of one kind of call; return ps per map operation. */
static uint64_t run(struct maps *m, enum which w, unsigned int it)
{
	uint64_t t0 = now_ns(), ops = 0;
	unsigned int i;

	for (i = 0; i < it; i++) {
		switch (w) {
		case SM_LOAD:
			if (sm_load(m, pick(m->n)) != 1) {
				errno = ENOENT;
				die("syncmap load missed");
			}
			ops++;
			break;
		case SM_STORE:
			sm_store(m, pick(m->n));
			ops++;
			break;
		case SM_PLOAD:
			sm_packed(m, SYNCMAP_OP_LOAD);
			ops += batch;
			break;
		case SM_PSTORE:
			sm_packed(m, SYNCMAP_OP_STORE);
			ops += batch;
			break;
		case SM_BLOAD:
			sm_batch(m, SYNCMAP_OP_LOAD);
			ops += batch;
			break;
		case SM_BSTORE:
			sm_batch(m, SYNCMAP_OP_STORE);
			ops += batch;
			break;
		case BPF_LOOKUP:
			bpf_lookup(m, pick(m->n));
			ops++;
			break;
		case BPF_UPDATE:
			bpf_update(m, pick(m->n));
			ops++;
			break;
		case BPF_BLOOKUP:
			ops += bpf_lookup_batch(m);
			break;
		case BPF_BUPDATE:
			bpf_update_batch(m);
			ops += batch;
			break;
		default:
			break;
		}
	}
	return ops ? (now_ns() - t0) * 1000 / ops : 0;
}

/*
 * Let the work a measurement left behind finish before the next one
 * starts (syncmap releases overwritten values after a grace period, in a
 * worker), so that it is not billed to whichever map runs next.
 */
static void settle(void)
{
	usleep(SETTLE_US);
}

static void setup(struct maps *m, unsigned int n)
{
	struct syncmap_ioc_create c;
	union bpf_attr a;
	unsigned int i, j;
	char buf[KEY_LEN + 1];

	m->n = n;
	m->keys = malloc((size_t)n * KEY_LEN);
	m->vals = malloc((size_t)n * VAL_LEN);
	m->ops = calloc(batch, sizeof(*m->ops));
	if (!m->keys || !m->vals || !m->ops)
		die("malloc");
	for (i = 0; i < n; i++) {
		snprintf(buf, sizeof(buf), "%016llx",
			 (unsigned long long)i * 0x9e3779b97f4a7c15ull);
		memcpy(key_of(m, i), buf, KEY_LEN);
		for (j = 0; j < VAL_LEN; j++)
			val_of(m, i)[j] = (unsigned char)(i + j);
	}

	m->sm = open("/dev/syncmap", O_RDWR | O_CLOEXEC);
	if (m->sm < 0)
		die("/dev/syncmap");
	memset(&c, 0, sizeof(c));
	c.size = sizeof(c);
	c.flags = SYNCMAP_CREATE_ANON;
	c.max_entries = n;
	c.max_key_len = KEY_LEN;
	c.max_value_len = VAL_LEN;
	if (ioctl(m->sm, SYNCMAP_IOC_CREATE, &c))
		die("SYNCMAP_IOC_CREATE");

	memset(&a, 0, sizeof(a));
	a.map_type = BPF_MAP_TYPE_HASH;
	a.key_size = KEY_LEN;
	a.value_size = VAL_LEN;
	a.max_entries = n;
	m->bpf = (int)sys_bpf(BPF_MAP_CREATE, &a);
	if (m->bpf < 0)
		die("BPF_MAP_CREATE");

	for (i = 0; i < n; i++) {
		sm_store(m, i);
		bpf_update(m, i);
	}
	/* Loads of every key: syncmap promotes its dirty map on misses. */
	for (i = 0; i < 2 * n; i++)
		sm_load(m, i % n);
}

static void teardown(struct maps *m)
{
	close(m->sm);
	close(m->bpf);
	free(m->keys);
	free(m->vals);
	free(m->ops);
}

int main(int argc, char **argv)
{
	unsigned int sizes[MAX_SIZES] = { 1000, 65536 }, nsizes = 2;
	uint64_t v[NR_WHICH][MAX_REPS];
	static struct maps m;
	unsigned int s, r, w, it;
	char *p;
	int c;

	while ((c = getopt(argc, argv, "sk:r:b:n:t:")) != -1) {
		switch (c) {
		case 's':
			iters = 4000;
			reps = 3;
			break;
		case 'k':
			nsizes = 0;
			for (p = strtok(optarg, ","); p && nsizes < MAX_SIZES;
			     p = strtok(NULL, ","))
				sizes[nsizes++] = strtoul(p, NULL, 0);
			break;
		case 'r':
			reps = strtoul(optarg, NULL, 0);
			break;
		case 'b':
			batch = strtoul(optarg, NULL, 0);
			break;
		case 'n':
			iters = strtoul(optarg, NULL, 0);
			break;
		case 't':
			rows = optarg;
			break;
		default:
			fprintf(stderr,
				"usage: %s [-s] [-k KEYS,...] [-r REPS] [-b BATCH]\n"
				"       [-n ITERATIONS] [-t ROWS]\n",
				argv[0]);
			return 2;
		}
	}
	if (reps < 1 || reps > MAX_REPS || batch < 1 ||
	    batch > SYNCMAP_BATCH_MAX || iters < 4) {
		fprintf(stderr, "syncmap-bench-user: 1 <= REPS <= %d, 1 <= BATCH <= %u, ITERATIONS >= 4\n",
			MAX_REPS, SYNCMAP_BATCH_MAX);
		return 2;
	}

	perf_open();
	for (s = 0; s < nsizes; s++) {
		if (sizes[s] < batch) {
			fprintf(stderr, "syncmap-bench-user: %u keys < batch\n",
				sizes[s]);
			return 2;
		}
		setup(&m, sizes[s]);
		/* Warm-up, then alternate the two maps in every repetition. */
		for (w = 0; w < NR_WHICH; w++)
			if (selected(w))
				run(&m, w, what[w].batched ? iters / batch + 1 :
							     iters / 4);
		for (r = 0; r < reps; r++)
			for (w = 0; w < NR_WHICH; w++) {
				if (!selected(w))
					continue;
				it = what[w].batched ? 4 * iters / batch + 1 :
						       iters;
				settle();
				perf_command("enable\n");
				v[w][r] = run(&m, w, it);
				perf_command("disable\n");
			}
		for (w = 0; w < NR_WHICH; w++) {
			if (!selected(w))
				continue;
			qsort(v[w], reps, sizeof(v[w][0]), cmp_u64);
			if (row_selected(what[w].test))
				printf("csv %s,%u,%s,1,ps_per_op,%llu\n",
				       what[w].test, sizes[s], what[w].map,
				       (unsigned long long)v[w][reps / 2]);
			if (row_selected(what[w].test2))
				printf("csv %s,%u,%s,1,ps_per_op,%llu\n",
				       what[w].test2, sizes[s], what[w].map,
				       (unsigned long long)v[w][reps / 2]);
		}
		fflush(stdout);
		teardown(&m);
	}
	printf("done\n");
	return 0;
}
