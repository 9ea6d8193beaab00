// SPDX-License-Identifier: GPL-2.0
/*
 * syncmap_bench - syncmap against the kernel's own maps, side by side in
 * one run (SPEC section 6, targets P1-P5 and P8).
 *
 * Loading the module runs every workload on kthreads pinned to the CPUs,
 * on every map of bench_maps.c, and prints one line per measurement:
 *
 *   syncmap_bench: csv <test>,<size>,<map>,<threads>,<metric>,<value>
 *
 * Metrics: ps_per_op (picoseconds of wall time per operation, summed over
 * threads: the inverse of throughput), the median of several repetitions
 * after a warm-up; p50_ns, p99_ns, max_ns, first_max_ns (latency
 * distribution); bytes_per_entry.  "syncmap_bench: done" ends the run.
 * scripts/bench.sh turns the lines into a table, CSV files and plots.
 *
 * Parameters: profile=smoke|full, tests=<digits> (e.g. "1258": the P
 * numbers to run), maps=<names> (e.g. "syncmap,rhashtable"; default all),
 * reps=<n>.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/random.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <linux/vmalloc.h>
#include <linux/wait.h>

#include <syncmap.h>

#include "bench_maps.h"

#define BENCH_KEY_LEN	16
#define BENCH_MAX_THREADS 2
#define BENCH_MAX_REPS	15

static char *profile = "smoke";
module_param(profile, charp, 0444);
MODULE_PARM_DESC(profile, "smoke (small sizes, a few minutes) or full");
static char *tests = "123458";
module_param(tests, charp, 0444);
MODULE_PARM_DESC(tests, "which targets to run, e.g. 1258");
static char *maps = "all";
module_param(maps, charp, 0444);
MODULE_PARM_DESC(maps, "maps to run, comma separated, or all");
static unsigned int reps;
module_param(reps, uint, 0444);
MODULE_PARM_DESC(reps, "repetitions per measurement (default by profile)");

/* Sizes of one profile. */
struct bench_sizes {
	unsigned long p1_keys[3];
	unsigned long p1_ops;
	unsigned long p2_keys;
	unsigned long p2_ops;
	unsigned long p3_keys;
	unsigned long p3_ops;
	unsigned long p4_keys;
	unsigned long p5_keys;
	unsigned long p5_rounds;
	unsigned long p5_stores;
	unsigned long p8_keys;
	unsigned int reps;
};

static const struct bench_sizes bench_smoke = {
	.p1_keys = { 1000, 100000, 0 },
	.p1_ops = 100000,
	.p2_keys = 10000,
	.p2_ops = 50000,
	.p3_keys = 10000,
	.p3_ops = 25000,
	.p4_keys = 20000,
	.p5_keys = 100000,
	.p5_rounds = 10,
	.p5_stores = 1000,
	.p8_keys = 100000,
	.reps = 5,
};

static const struct bench_sizes bench_full = {
	.p1_keys = { 1000, 100000, 1000000 },
	.p1_ops = 1000000,
	.p2_keys = 100000,
	.p2_ops = 500000,
	.p3_keys = 100000,
	.p3_ops = 200000,
	.p4_keys = 200000,
	.p5_keys = 1000000,
	.p5_rounds = 20,
	.p5_stores = 5000,
	.p8_keys = 1000000,
	.reps = 7,
};

static const struct bench_sizes *sz;
static unsigned int nreps;

/* The key space: key i is BENCH_KEY_LEN hex digits of a scrambled i. */
static u8 *keyspace;
static unsigned long keyspace_n;

static inline const u8 *key_of(unsigned long i)
{
	return keyspace + i * BENCH_KEY_LEN;
}

static int keyspace_init(unsigned long n)
{
	unsigned long i;
	char buf[BENCH_KEY_LEN + 1];

	keyspace = vmalloc(array_size(n, BENCH_KEY_LEN));
	if (!keyspace)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		snprintf(buf, sizeof(buf), "%016llx",
			 (u64)i * 0x9e3779b97f4a7c15ULL);
		memcpy(keyspace + i * BENCH_KEY_LEN, buf, BENCH_KEY_LEN);
	}
	keyspace_n = n;
	return 0;
}

static inline u64 xorshift(u64 *s)
{
	u64 x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*s = x;
	return x;
}

/* A uniform index below n without a division. */
static inline unsigned long pick(u64 *s, unsigned long n)
{
	return (unsigned long)(((xorshift(s) >> 32) * (u64)n) >> 32);
}

static void emit(const char *test, unsigned long size, enum bench_kind kind,
		 unsigned int threads, const char *metric, u64 value)
{
	pr_info("csv %s,%lu,%s,%u,%s,%llu\n", test, size,
		bench_kind_name[kind], threads, metric, value);
}

/* ---- threads ---------------------------------------------------------- */

struct bench_run;

struct bench_thread {
	struct bench_run *run;
	unsigned int id;
	u64 ops;
	u64 ns;
	u64 sink;
	u64 rng;
	int err;
	struct completion done;
};

struct bench_run {
	struct bench_map *m;
	unsigned long keys;	/* keys present: 0..keys-1 */
	unsigned long ops;	/* per thread */
	unsigned long next_key;	/* first new key (inserts) */
	void (*fn)(struct bench_thread *t);
	unsigned int nthreads;
	bool go;
	atomic_t started;
	wait_queue_head_t wq;
	struct bench_thread th[BENCH_MAX_THREADS];
};

static int bench_thread_fn(void *arg)
{
	struct bench_thread *t = arg;
	struct bench_run *r = t->run;
	u64 t0;

	wait_event(r->wq, READ_ONCE(r->go));
	/* Start together: the other thread is already awake on its CPU. */
	atomic_inc(&r->started);
	while (atomic_read(&r->started) < r->nthreads)
		cpu_relax();
	t0 = ktime_get_ns();
	r->fn(t);
	t->ns = ktime_get_ns() - t0;
	kthread_complete_and_exit(&t->done, 0);
}

/*
 * Run r->fn on r->nthreads kthreads, thread i pinned to CPU i.  Return the
 * wall time per operation of all threads together, in picoseconds.
 */
static int bench_run_threads(struct bench_run *r, u64 *ps_per_op)
{
	struct task_struct *task;
	unsigned int i, cpu = cpumask_first(cpu_online_mask);
	u64 ops = 0, ns = 0;
	int err = 0;

	r->go = false;
	atomic_set(&r->started, 0);
	init_waitqueue_head(&r->wq);
	for (i = 0; i < r->nthreads; i++) {
		struct bench_thread *t = &r->th[i];

		t->run = r;
		t->id = i;
		t->ops = 0;
		t->ns = 0;
		t->err = 0;
		t->rng = get_random_u64() | 1;
		init_completion(&t->done);
		task = kthread_create(bench_thread_fn, t, "syncmap_bench/%u", i);
		if (IS_ERR(task))
			return PTR_ERR(task);	/* earlier ones never start */
		kthread_bind(task, cpu);
		wake_up_process(task);
		cpu = cpumask_next(cpu, cpu_online_mask);
		if (cpu >= nr_cpu_ids)
			cpu = cpumask_first(cpu_online_mask);
	}
	WRITE_ONCE(r->go, true);
	wake_up_all(&r->wq);
	for (i = 0; i < r->nthreads; i++) {
		wait_for_completion(&r->th[i].done);
		ops += r->th[i].ops;
		ns = max(ns, r->th[i].ns);
		if (r->th[i].err)
			err = r->th[i].err;
	}
	*ps_per_op = ops ? div64_u64(ns * 1000, ops) : 0;
	return err;
}

static int cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

/* ---- workloads ---------------------------------------------------------- */

static int store_new_value(struct bench_map *m, unsigned long i, u64 data)
{
	struct bench_val *v = bench_val_new(data);
	int err;

	if (!v)
		return -ENOMEM;
	err = bench_map_store(m, key_of(i), BENCH_KEY_LEN, v);
	if (err)
		bench_val_free(v);
	return err;
}

static int fill(struct bench_map *m, unsigned long from, unsigned long to)
{
	unsigned long i;
	int err;

	for (i = from; i < to; i++) {
		err = store_new_value(m, i, i + 1);
		if (err)
			return err;
		if (!(i & 1023))
			cond_resched();
	}
	bench_map_settle(m);
	return 0;
}

static void w_load(struct bench_thread *t)
{
	struct bench_run *r = t->run;
	unsigned long i, k;
	u64 sum = 0, data;

	for (i = 0; i < r->ops; i++) {
		k = pick(&t->rng, r->keys);
		data = bench_map_load(r->m, key_of(k), BENCH_KEY_LEN);
		if (unlikely(!data))
			t->err = -ENOENT;
		sum += data;
		if (!(i & 1023))
			cond_resched();
	}
	t->sink = sum;
	t->ops = r->ops;
}

/* P2: 99% loads, 1% stores of a fresh value, over the whole key set. */
static void w_mixed(struct bench_thread *t)
{
	struct bench_run *r = t->run;
	unsigned long i, k;
	u64 sum = 0, x;
	int err;

	for (i = 0; i < r->ops; i++) {
		x = xorshift(&t->rng);
		k = (unsigned long)(((x >> 32) * (u64)r->keys) >> 32);
		if ((x & 0xffff) < 655) {	/* 1% */
			err = store_new_value(r->m, k, x | 1);
			if (err)
				t->err = err;
		} else {
			sum += bench_map_load(r->m, key_of(k), BENCH_KEY_LEN);
		}
		if (!(i & 1023))
			cond_resched();
	}
	t->sink = sum;
	t->ops = r->ops;
}

/* P3: each thread overwrites keys of its own half of the key set. */
static void w_overwrite(struct bench_thread *t)
{
	struct bench_run *r = t->run;
	unsigned long i, half = r->keys / r->nthreads;
	unsigned long base = t->id * half;
	int err;

	for (i = 0; i < r->ops; i++) {
		err = store_new_value(r->m, base + pick(&t->rng, half), i + 1);
		if (err)
			t->err = err;
		if (!(i & 1023))
			cond_resched();
	}
	t->ops = r->ops;
}

/* P4: inserts of new keys into an empty map. */
static void w_insert(struct bench_thread *t)
{
	struct bench_run *r = t->run;
	unsigned long i;
	int err;

	for (i = 0; i < r->keys; i++) {
		err = store_new_value(r->m, i, i + 1);
		if (err)
			t->err = err;
		if (!(i & 1023))
			cond_resched();
	}
	t->ops = r->keys;
}

static struct bench_map *new_map(enum bench_kind kind, unsigned long hint,
				 bool own)
{
	struct bench_map *m = bench_map_create(kind, hint, own);

	if (IS_ERR(m))
		pr_err("creating %s: %ld\n", bench_kind_name[kind], PTR_ERR(m));
	return m;
}

/* Let values and tables of destroyed maps go before the next one. */
static void quiesce(void)
{
	rcu_barrier();
	msleep(20);
	rcu_barrier();
}

static bool map_selected(enum bench_kind kind);

/*
 * A throughput measurement over every selected map.  The maps take turns
 * within each repetition (a warm-up round first), so that whatever else
 * the host does slows them all alike and the ratios hold.
 */
struct bench_case {
	const char *test;
	void (*fn)(struct bench_thread *t);
	unsigned int nthreads;
	unsigned long keys;
	unsigned long ops;
	bool fresh;	/* a new empty map per run, not a filled one */
};

static int run_case(const struct bench_case *c)
{
	u64 (*v)[BENCH_MAX_REPS + 1];
	struct bench_run *r;
	unsigned int kind, rep;
	int err = 0;

	r = kcalloc(BENCH_NR_KINDS, sizeof(*r), GFP_KERNEL);
	v = kcalloc(BENCH_NR_KINDS, sizeof(*v), GFP_KERNEL);
	if (!r || !v) {
		err = -ENOMEM;
		goto out;
	}
	for (kind = 0; kind < BENCH_NR_KINDS && !err; kind++) {
		r[kind].nthreads = c->nthreads;
		r[kind].fn = c->fn;
		r[kind].keys = c->keys;
		r[kind].ops = c->ops;
		if (!map_selected(kind) || c->fresh)
			continue;
		r[kind].m = new_map(kind, c->keys, true);
		if (IS_ERR(r[kind].m)) {
			err = PTR_ERR(r[kind].m);
			r[kind].m = NULL;
			break;
		}
		err = fill(r[kind].m, 0, c->keys);
	}
	for (rep = 0; rep <= nreps && !err; rep++) {
		for (kind = 0; kind < BENCH_NR_KINDS && !err; kind++) {
			if (!map_selected(kind))
				continue;
			if (c->fresh) {
				r[kind].m = new_map(kind, c->keys, true);
				if (IS_ERR(r[kind].m)) {
					err = PTR_ERR(r[kind].m);
					r[kind].m = NULL;
					break;
				}
			}
			err = bench_run_threads(&r[kind], &v[kind][rep]);
			if (err)
				pr_err("%s on %s failed: %d\n", c->test,
				       bench_kind_name[kind], err);
			if (c->fresh) {
				bench_map_destroy(r[kind].m);
				r[kind].m = NULL;
				quiesce();
			}
		}
	}
	for (kind = 0; kind < BENCH_NR_KINDS; kind++) {
		if (r[kind].m)
			bench_map_destroy(r[kind].m);
		if (err || !map_selected(kind))
			continue;
		/* v[kind][0] was the warm-up. */
		sort(&v[kind][1], nreps, sizeof(v[0][0]), cmp_u64, NULL);
		emit(c->test, c->keys, kind, c->nthreads, "ps_per_op",
		     v[kind][1 + nreps / 2]);
	}
	quiesce();
out:
	kfree(r);
	kfree(v);
	return err;
}

static int p1(void)
{
	struct bench_case c = { .test = "P1", .fn = w_load, .nthreads = 1,
				.ops = sz->p1_ops };
	unsigned int i;
	int err = 0;

	for (i = 0; i < ARRAY_SIZE(sz->p1_keys) && sz->p1_keys[i] && !err;
	     i++) {
		c.keys = sz->p1_keys[i];
		err = run_case(&c);
	}
	return err;
}

static int p2(void)
{
	struct bench_case c = { .test = "P2", .fn = w_mixed, .nthreads = 2,
				.keys = sz->p2_keys, .ops = sz->p2_ops };

	return run_case(&c);
}

static int p3(void)
{
	struct bench_case c = { .test = "P3", .fn = w_overwrite,
				.nthreads = 2, .keys = sz->p3_keys,
				.ops = sz->p3_ops };

	return run_case(&c);
}

/* P4: a fresh empty map per run; creation and teardown untimed. */
static int p4(void)
{
	struct bench_case c = { .test = "P4", .fn = w_insert, .nthreads = 1,
				.keys = sz->p4_keys, .fresh = true };

	return run_case(&c);
}

static void emit_latencies(const char *test, unsigned long size,
			   enum bench_kind kind, u64 *lat, unsigned long n)
{
	sort(lat, n, sizeof(*lat), cmp_u64, NULL);
	emit(test, size, kind, 1, "p50_ns", lat[n / 2]);
	emit(test, size, kind, 1, "p99_ns", lat[n - 1 - n / 100]);
	emit(test, size, kind, 1, "max_ns", lat[n - 1]);
}

/*
 * P5: single stores at p5_keys keys.  Rounds of: bring the map to its
 * steady state (syncmap: promote), then p5_stores timed stores, the first
 * of a new key (the first new key after a promotion, Go #21035), the rest
 * alternating overwrites of random present keys and new keys.  The stores
 * during which the thread was switched out are counted, and the worst of
 * the others reported apart: it is the map's own worst case, without the
 * time other tasks (the maps' own work items among them) took the CPU.
 * Then "P5grow": a map filled from empty to p5_keys, every insert timed, which
 * crosses every resize of the map.
 */
static int p5(enum bench_kind kind)
{
	unsigned long n = sz->p5_keys, total = sz->p5_rounds * sz->p5_stores;
	unsigned long round, i, next, k, at = 0, nnew = 0, nover = 0;
	unsigned long switched = 0, sw;
	struct syncmap_stats st;
	u64 *lat, *lat_new, *lat_over, first_max = 0, calm_max = 0, t0, d;
	u64 rng = get_random_u64() | 1;
	struct bench_map *m;
	int err;

	lat = vmalloc(array_size(max(total, n) + 2 * total, sizeof(*lat)));
	if (!lat)
		return -ENOMEM;
	lat_new = lat + max(total, n);
	lat_over = lat_new + total;
	m = new_map(kind, n, true);
	if (IS_ERR(m)) {
		vfree(lat);
		return PTR_ERR(m);
	}
	err = fill(m, 0, n);
	next = n;
	for (round = 0; round < sz->p5_rounds && !err; round++) {
		bench_map_settle(m);
		for (i = 0; i < sz->p5_stores && !err; i++) {
			k = (i & 1) ? pick(&rng, n) : next++;
			sw = current->nvcsw + current->nivcsw;
			t0 = ktime_get_ns();
			err = store_new_value(m, k, k + 1);
			d = ktime_get_ns() - t0;
			lat[at++] = d;
			if (current->nvcsw + current->nivcsw != sw)
				switched++;
			else
				calm_max = max(calm_max, d);
			if (i & 1)
				lat_over[nover++] = d;
			else
				lat_new[nnew++] = d;
			if (!i)
				first_max = max(first_max, d);
			if (!(i & 255))
				cond_resched();
		}
	}
	/* Big tables a writer had to allocate under syncmap's lock. */
	if (bench_map_syncmap_stats(m, &st))
		emit("P5", n, kind, 1, "locked_allocs", st.locked_allocs);
	bench_map_destroy(m);
	quiesce();
	if (err)
		goto out;
	emit_latencies("P5", n, kind, lat, at);
	emit("P5", n, kind, 1, "p999_ns", lat[at - 1 - at / 1000]);
	for (i = at; i && lat[i - 1] > NSEC_PER_MSEC; i--)
		;
	emit("P5", n, kind, 1, "over_1ms", at - i);
	emit("P5", n, kind, 1, "first_max_ns", first_max);
	/* Stores during which the thread was switched out, and the rest. */
	emit("P5", n, kind, 1, "switched", switched);
	emit("P5", n, kind, 1, "calm_max_ns", calm_max);
	/* Where the tail is: stores of new keys, overwrites. */
	sort(lat_new, nnew, sizeof(*lat), cmp_u64, NULL);
	sort(lat_over, nover, sizeof(*lat), cmp_u64, NULL);
	if (nnew && nover) {
		emit("P5", n, kind, 1, "new_p99_ns", lat_new[nnew - 1 - nnew / 100]);
		emit("P5", n, kind, 1, "new_max_ns", lat_new[nnew - 1]);
		emit("P5", n, kind, 1, "over_p99_ns",
		     lat_over[nover - 1 - nover / 100]);
		emit("P5", n, kind, 1, "over_max_ns", lat_over[nover - 1]);
	}

	m = new_map(kind, n, true);
	if (IS_ERR(m)) {
		err = PTR_ERR(m);
		goto out;
	}
	for (i = 0; i < n && !err; i++) {
		t0 = ktime_get_ns();
		err = store_new_value(m, i, i + 1);
		lat[i] = ktime_get_ns() - t0;
		if (!(i & 255))
			cond_resched();
	}
	bench_map_destroy(m);
	quiesce();
	if (!err)
		emit_latencies("P5grow", n, kind, lat, n);
out:
	vfree(lat);
	return err;
}

/*
 * Kernel memory in use that a map can take: slab (kmalloc, and large
 * kmallocs, which are accounted with it) plus vmalloc (kvmalloc'd tables),
 * in kB, from /proc/meminfo: nothing finer is exported to modules.
 * Free-page counts would not do: pages freed by one map wait in per-CPU
 * lists, where the next map takes them without the count moving.
 */
static long mem_used_kb(void)
{
	static const char *const fields[] = { "\nSlab:", "\nVmallocUsed:" };
	struct file *f;
	loff_t pos = 0;
	long total = 0, v;
	unsigned int i;
	ssize_t n;
	char *buf, *p;

	buf = kzalloc(PAGE_SIZE, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	f = filp_open("/proc/meminfo", O_RDONLY, 0);
	if (IS_ERR(f)) {
		kfree(buf);
		return PTR_ERR(f);
	}
	buf[0] = '\n';
	n = kernel_read(f, buf + 1, PAGE_SIZE - 2, &pos);
	filp_close(f, NULL);
	for (i = 0; n > 0 && i < ARRAY_SIZE(fields); i++) {
		p = strstr(buf, fields[i]);
		if (!p || sscanf(p + strlen(fields[i]), "%ld", &v) != 1) {
			total = -EINVAL;
			break;
		}
		total += v;
	}
	kfree(buf);
	return n > 0 ? total : -EIO;
}

static int p8(enum bench_kind kind)
{
	static struct bench_val shared = { .data = 1 };
	unsigned long n = sz->p8_keys, i;
	u64 v[BENCH_MAX_REPS];
	struct bench_map *m;
	unsigned int rep;
	long before, after;
	int err = 0;

	for (rep = 0; rep < nreps && !err; rep++) {
		quiesce();
		msleep(100);
		before = mem_used_kb();
		if (before < 0)
			return before;
		m = new_map(kind, n, false);
		if (IS_ERR(m))
			return PTR_ERR(m);
		for (i = 0; i < n && !err; i++) {
			err = bench_map_store(m, key_of(i), BENCH_KEY_LEN,
					      &shared);
			if (!(i & 1023))
				cond_resched();
		}
		bench_map_settle(m);
		quiesce();
		msleep(100);
		after = mem_used_kb();
		bench_map_destroy(m);
		if (after < 0)
			return after;
		v[rep] = after > before ?
			div64_u64((u64)(after - before) * 1024, n) : 0;
	}
	if (err)
		return err;
	sort(v, nreps, sizeof(v[0]), cmp_u64, NULL);
	emit("P8", n, kind, 1, "bytes_per_entry", v[nreps / 2]);
	quiesce();
	return 0;
}

/* Throughput tests run all maps at once; the others one map at a time. */
static int (*const bench_cases[])(void) = {
	['1'] = p1, ['2'] = p2, ['3'] = p3, ['4'] = p4,
};

static int (*const bench_per_map[])(enum bench_kind) = {
	['5'] = p5, ['8'] = p8,
};

static bool map_selected(enum bench_kind kind)
{
	const char *name = bench_kind_name[kind], *p = maps;
	size_t len = strlen(name);

	if (!strcmp(maps, "all"))
		return true;
	while ((p = strstr(p, name))) {
		if ((p == maps || p[-1] == ',') && (!p[len] || p[len] == ','))
			return true;
		p += len;
	}
	return false;
}

static int __init syncmap_bench_init(void)
{
	unsigned long need;
	unsigned int kind, t;
	const char *c;
	int err = 0;

	if (!strcmp(profile, "full"))
		sz = &bench_full;
	else if (!strcmp(profile, "smoke"))
		sz = &bench_smoke;
	else
		return -EINVAL;
	nreps = clamp_val(reps ?: sz->reps, 1, BENCH_MAX_REPS);

	need = max3(sz->p1_keys[0], sz->p1_keys[1], sz->p1_keys[2]);
	need = max3(need, sz->p2_keys, sz->p3_keys);
	need = max3(need, sz->p4_keys, sz->p8_keys);
	need = max(need, sz->p5_keys + sz->p5_rounds * sz->p5_stores / 2 + 1);
	err = keyspace_init(need);
	if (err)
		return err;

	pr_info("start profile=%s reps=%u cpus=%u tests=%s maps=%s\n", profile,
		nreps, num_online_cpus(), tests, maps);
	for (c = tests; *c && !err; c++) {
		t = (unsigned char)*c;
		if (t < ARRAY_SIZE(bench_cases) && bench_cases[t]) {
			err = bench_cases[t]();
			continue;
		}
		if (t >= ARRAY_SIZE(bench_per_map) || !bench_per_map[t])
			continue;
		for (kind = 0; kind < BENCH_NR_KINDS && !err; kind++) {
			if (!map_selected(kind))
				continue;
			err = bench_per_map[t](kind);
			if (err)
				pr_err("P%c on %s failed: %d\n", *c,
				       bench_kind_name[kind], err);
		}
	}
	vfree(keyspace);
	if (err)
		return err;
	pr_info("done\n");
	return 0;
}

static void __exit syncmap_bench_exit(void)
{
}

module_init(syncmap_bench_init);
module_exit(syncmap_bench_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("syncmap against rhashtable and lock-based hash maps");
MODULE_IMPORT_NS(SYNCMAP);
