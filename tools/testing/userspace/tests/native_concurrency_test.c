// SPDX-License-Identifier: GPL-2.0
/*
 * Concurrency properties at native scale, on as many threads as there are
 * cores and more (the sanitizer builds run the same with fewer operations:
 * NATIVE_SCALE, percent, default 100, ASan 50, TSan 15):
 *
 *  - per-thread models: every thread runs every operation on keys of its
 *    own and checks each result against its own model, while a Range
 *    thread walks the map;
 *  - exclusivity: CompareAndSwap, CompareAndDelete and Swap on shared
 *    keys; a value is replaced (or deleted) by at most one of them;
 *  - Range visits each key at most once, and every key present for the
 *    whole walk, with a value of that key, while writers churn other keys
 *    through promotions, copies and growths;
 *  - growth and the incremental copy racing lock-free loads: keys known
 *    to be present are never missed, with workers that run at once and
 *    with workers that start late (the copy then advances by the writers'
 *    steps only, and the windows stay open longer).
 *
 * Worker threads count what went wrong; the test thread checks the counts.
 */
#include <syncmap_test_hooks.h>

#include "syncmap_test.h"

#define MAGIC_LIVE	0x11fe11fe11fe11feULL
#define MAGIC_DEAD	0xdeaddeaddeaddeadULL

static unsigned int cscale(void)
{
	const char *s = getenv("NATIVE_SCALE");

	if (s)
		return (unsigned int)atoi(s);
#if defined(__SANITIZE_THREAD__)
	return 15;
#elif defined(__SANITIZE_ADDRESS__)
	return 50;
#else
	return 100;
#endif
}

#define SCALED(n)	((u64)(n) * cscale() / 100 + 1)

/*
 * Values of these tests: the key they belong to, a serial number, how
 * often an operation reported replacing them, and a magic word that the
 * release callback kills before freeing (a reader seeing it dead read a
 * value after its release).
 */
struct cval {
	u64 magic;
	u64 key;
	u64 serial;
	int replaced;
};

struct cbooks {
	atomic_long_t made;
	atomic_long_t released;
	atomic_long_t freed;
	atomic_long_t twice;	/* values replaced more than once */
};

static void cval_release(void *value, void *priv)
{
	struct cbooks *b = priv;
	struct cval *v = value;

	if (v->magic != MAGIC_LIVE || __atomic_load_n(&v->replaced, __ATOMIC_RELAXED) > 1)
		atomic_long_inc(&b->twice);
	v->magic = MAGIC_DEAD;
	atomic_long_inc(&b->released);
	free(v);
}

static const struct syncmap_ops cval_ops = {
	.release = cval_release,
};

static struct cval *cval_new(struct cbooks *b, u64 key, u64 serial)
{
	struct cval *v = malloc(sizeof(*v));

	if (!v)
		abort();
	v->magic = MAGIC_LIVE;
	v->key = key;
	v->serial = serial;
	v->replaced = 0;
	atomic_long_inc(&b->made);
	return v;
}

static void cval_free(struct cbooks *b, struct cval *v)
{
	atomic_long_inc(&b->freed);
	free(v);
}

static struct syncmap *cmap_new(struct kunit *test, struct cbooks *b)
{
	struct syncmap_params p = { .ops = &cval_ops, .priv = b };
	struct syncmap *map;

	memset(b, 0, sizeof(*b));
	map = syncmap_create(&p);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(map));
	return map;
}

/* Destroy and check that every value went exactly one way. */
static void cmap_destroy(struct kunit *test, struct syncmap *map,
			 struct cbooks *b)
{
	syncmap_destroy(map);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&b->made),
			atomic_long_read(&b->released) +
			atomic_long_read(&b->freed));
	KUNIT_EXPECT_EQ(test, atomic_long_read(&b->twice), 0);
}

/* Key n as bytes: "c<n>" and a tail, so lengths vary. */
struct ckey {
	char buf[40];
	size_t len;
};

static void ckey_set(struct ckey *k, u64 n)
{
	k->len = scnprintf(k->buf, sizeof(k->buf), "c%llu%.*s", n,
			   (int)(n % 17), "-----------------");
}

static bool ckey_parse(const void *key, size_t len, u64 *n)
{
	char buf[40];
	struct ckey k;
	unsigned long v;
	size_t i;

	if (len < 2 || len >= sizeof(buf) || *(const char *)key != 'c')
		return false;
	memcpy(buf, key, len);
	buf[len] = '\0';
	for (i = 1; i < len && isdigit((unsigned char)buf[i]); i++)
		;
	buf[i] = '\0';
	if (kstrtoul(buf + 1, 10, &v))
		return false;
	ckey_set(&k, v);
	if (k.len != len || memcmp(k.buf, key, len))
		return false;
	*n = v;
	return true;
}

struct cthread {
	pthread_t thread;
	struct syncmap *map;
	struct cbooks *books;
	int id;
	bool *stop;
	u64 ops;
	u64 done;
	unsigned long errors;
	struct rnd_state rnd;
	void *shared;
};

static u32 crand(struct cthread *t, u32 n)
{
	return (u32)(((u64)prandom_u32_state(&t->rnd) * n) >> 32);
}

static void cthreads_run(struct cthread *t, int n, void *(*fn)(void *))
{
	int i;

	for (i = 0; i < n; i++) {
		prandom_seed_state(&t[i].rnd, 0xc0ffee00 + i);
		if (pthread_create(&t[i].thread, NULL, fn, &t[i]))
			abort();
	}
}

static void cthreads_join(struct cthread *t, int n)
{
	int i;

	for (i = 0; i < n; i++)
		pthread_join(t[i].thread, NULL);
}

static bool stopped(const bool *stop)
{
	return __atomic_load_n(stop, __ATOMIC_ACQUIRE);
}

/* ---- per-thread models ------------------------------------------------ */

#define OWN_KEYS	512
#define OWN_BASE(id)	((u64)(id) * 1000000)

struct own_model {
	struct cval *val[OWN_KEYS];
};

static void own_op(struct cthread *t, struct own_model *m)
{
	u32 i = crand(t, OWN_KEYS), r = crand(t, 100);
	u64 key = OWN_BASE(t->id) + i;
	struct cval *v, *cur = m->val[i];
	struct ckey k;
	void *got = NULL;
	int ret, idx;

	ckey_set(&k, key);
	if (r < 20) {
		v = cval_new(t->books, key, t->done);
		ret = syncmap_store(t->map, k.buf, k.len, v);
		t->errors += ret != 0;
		m->val[i] = v;
	} else if (r < 30) {
		ret = syncmap_delete(t->map, k.buf, k.len);
		t->errors += ret != !!cur;
		m->val[i] = NULL;
	} else if (r < 40) {
		v = cval_new(t->books, key, t->done);
		ret = syncmap_load_or_store(t->map, k.buf, k.len, v, &got);
		if (cur) {
			t->errors += ret != 1 || got != cur;
			cval_free(t->books, v);
		} else {
			t->errors += ret != 0 || got != v;
			m->val[i] = v;
		}
	} else if (r < 50) {
		v = cval_new(t->books, key, t->done);
		ret = syncmap_swap(t->map, k.buf, k.len, v, &got);
		t->errors += ret != !!cur || (ret && got != cur);
		m->val[i] = v;
	} else if (r < 58) {
		idx = syncmap_read_lock(t->map);
		ret = syncmap_load_and_delete(t->map, k.buf, k.len, &got);
		t->errors += ret != !!cur || (ret && got != cur);
		if (ret)
			t->errors += ((struct cval *)got)->magic != MAGIC_LIVE;
		syncmap_read_unlock(t->map, idx);
		m->val[i] = NULL;
	} else if (r < 66) {
		/* Half the time against the present value, else a stale one. */
		struct cval *old = cur && crand(t, 2) ? cur :
				   cval_new(t->books, key, ~0ULL);

		v = cval_new(t->books, key, t->done);
		ret = syncmap_compare_and_swap(t->map, k.buf, k.len, old, v);
		t->errors += ret != (cur && old == cur);
		if (ret)
			m->val[i] = v;
		else
			cval_free(t->books, v);
		if (old != cur)
			cval_free(t->books, old);
	} else if (r < 72) {
		struct cval *old = cur && crand(t, 2) ? cur :
				   cval_new(t->books, key, ~0ULL);

		ret = syncmap_compare_and_delete(t->map, k.buf, k.len, old);
		t->errors += ret != (cur && old == cur);
		if (ret)
			m->val[i] = NULL;
		if (old != cur)
			cval_free(t->books, old);
	} else {
		rcu_read_lock();
		v = syncmap_load(t->map, k.buf, k.len);
		t->errors += v != cur || (v && v->magic != MAGIC_LIVE);
		rcu_read_unlock();
	}
}

static void *own_thread(void *arg)
{
	struct cthread *t = arg;
	struct own_model *m = calloc(1, sizeof(*m));
	struct ckey k;
	struct cval *v;
	u32 i;

	for (t->done = 0; t->done < t->ops; t->done++)
		own_op(t, m);
	/* Each own key ends as this thread last left it. */
	for (i = 0; i < OWN_KEYS; i++) {
		ckey_set(&k, OWN_BASE(t->id) + i);
		rcu_read_lock();
		v = syncmap_load(t->map, k.buf, k.len);
		t->errors += v != m->val[i];
		rcu_read_unlock();
	}
	t->shared = m;
	return NULL;
}

struct range_seen {
	struct cthread *t;
	u8 *seen;
	u64 keys;
	u64 visits;
};

/* Own keys of threads 1..n, or stable keys: each at most once. */
static bool range_own_fn(const void *key, size_t len, void *value, void *arg)
{
	struct range_seen *rs = arg;
	struct cval *v = value;
	u64 n, slot;

	rs->visits++;
	if (!ckey_parse(key, len, &n) || v->key != n ||
	    v->magic != MAGIC_LIVE) {
		rs->t->errors++;
		return true;
	}
	slot = n / 1000000 * OWN_KEYS + n % 1000000;
	if (n % 1000000 >= OWN_KEYS || slot >= rs->keys || rs->seen[slot]++)
		rs->t->errors++;
	return true;
}

static void *own_range_thread(void *arg)
{
	struct cthread *t = arg;
	struct range_seen rs = { .t = t, .keys = (u64)(t->id) * OWN_KEYS };

	rs.seen = malloc(rs.keys);
	while (!stopped(t->stop)) {
		memset(rs.seen, 0, rs.keys);
		syncmap_range(t->map, range_own_fn, &rs);
		t->done++;
	}
	free(rs.seen);
	return NULL;
}

static bool count_fn(const void *key, size_t len, void *value, void *arg)
{
	(*(size_t *)arg)++;
	return true;
}

static void per_thread_models(struct kunit *test)
{
	enum { N = 4 };
	struct cthread t[N + 1] = {};
	struct cbooks b;
	struct syncmap *map = cmap_new(test, &b);
	struct syncmap_stats st;
	size_t counted = 0, len = 0;
	bool stop = false;
	int i, j;

	for (i = 0; i <= N; i++) {
		t[i].map = map;
		t[i].books = &b;
		t[i].id = i + 1;
		t[i].stop = &stop;
		t[i].ops = SCALED(300000);
	}
	t[N].id = N + 1;	/* the Range thread: keys of threads 1..N+1 */
	cthreads_run(t, N, own_thread);
	cthreads_run(&t[N], 1, own_range_thread);
	cthreads_join(t, N);
	__atomic_store_n(&stop, true, __ATOMIC_RELEASE);
	cthreads_join(&t[N], 1);

	for (i = 0; i <= N; i++)
		KUNIT_EXPECT_EQ_MSG(test, t[i].errors, 0, "thread %d", i);
	KUNIT_EXPECT_GT(test, t[N].done, 0);
	for (i = 0; i < N; i++) {
		struct own_model *m = t[i].shared;

		for (j = 0; j < OWN_KEYS; j++)
			len += !!m->val[j];
		free(m);
	}
	syncmap_range(map, count_fn, &counted);
	KUNIT_EXPECT_EQ(test, syncmap_len(map), len);
	KUNIT_EXPECT_EQ(test, counted, len);
	syncmap_fill_stats(map, &st);
	kunit_info(test, "%d threads x %llu ops, %llu ranges, %llu promotions, %llu expunged",
		   N, t[0].ops, t[N].done, st.promotions, st.expunged);
	cmap_destroy(test, map, &b);
}

/* ---- exclusivity on shared keys --------------------------------------- */

#define SHARED_KEYS	8

struct excl_counts {
	u64 cas, cad, swap, inserted;
};

static void *excl_thread(void *arg)
{
	struct cthread *t = arg;
	struct excl_counts *c = calloc(1, sizeof(*c));
	struct cval *cur, *v;
	struct ckey k;
	void *got;
	int idx, ret;
	u32 r;
	u64 key;

	for (t->done = 0; t->done < t->ops; t->done++) {
		key = crand(t, SHARED_KEYS);
		ckey_set(&k, key);
		r = crand(t, 10);
		/* The section keeps cur alive until the count is made. */
		idx = syncmap_read_lock(t->map);
		cur = syncmap_load(t->map, k.buf, k.len);
		if (cur && cur->magic != MAGIC_LIVE)
			t->errors++;
		if (!cur) {
			v = cval_new(t->books, key, t->done);
			ret = syncmap_load_or_store(t->map, k.buf, k.len, v, NULL);
			if (ret)
				cval_free(t->books, v);
			else
				c->inserted++;
		} else if (r < 5) {
			v = cval_new(t->books, key, t->done);
			ret = syncmap_compare_and_swap(t->map, k.buf, k.len, cur, v);
			if (ret == 1) {
				__atomic_fetch_add(&cur->replaced, 1, __ATOMIC_RELAXED);
				c->cas++;
			} else {
				cval_free(t->books, v);
			}
		} else if (r < 8) {
			ret = syncmap_compare_and_delete(t->map, k.buf, k.len, cur);
			if (ret == 1) {
				__atomic_fetch_add(&cur->replaced, 1, __ATOMIC_RELAXED);
				c->cad++;
			}
		} else {
			v = cval_new(t->books, key, t->done);
			got = NULL;
			ret = syncmap_swap(t->map, k.buf, k.len, v, &got);
			if (ret < 0)
				t->errors++;
			if (got) {
				__atomic_fetch_add(&((struct cval *)got)->replaced,
						   1, __ATOMIC_RELAXED);
				c->swap++;
			} else if (!ret) {
				c->inserted++;	/* deleted meanwhile */
			}
		}
		syncmap_read_unlock(t->map, idx);
	}
	t->shared = c;
	return NULL;
}

static void cas_cad_swap_exclusive(struct kunit *test)
{
	enum { N = 4 };
	struct cthread t[N] = {};
	struct excl_counts sum = {};
	struct cbooks b;
	struct syncmap *map = cmap_new(test, &b);
	int i;

	for (i = 0; i < N; i++) {
		t[i].map = map;
		t[i].books = &b;
		t[i].id = i;
		t[i].ops = SCALED(200000);
	}
	cthreads_run(t, N, excl_thread);
	cthreads_join(t, N);
	for (i = 0; i < N; i++) {
		struct excl_counts *c = t[i].shared;

		KUNIT_EXPECT_EQ_MSG(test, t[i].errors, 0, "thread %d", i);
		sum.cas += c->cas;
		sum.cad += c->cad;
		sum.swap += c->swap;
		sum.inserted += c->inserted;
		free(c);
	}
	/* Values put in = values replaced or deleted + values still there. */
	KUNIT_EXPECT_EQ(test, sum.inserted + sum.cas + sum.swap,
			sum.cas + sum.cad + sum.swap + syncmap_len(map));
	KUNIT_EXPECT_GT(test, sum.cas, 0);
	KUNIT_EXPECT_GT(test, sum.cad, 0);
	kunit_info(test, "%llu compare-and-swaps, %llu compare-and-deletes, %llu swaps won",
		   sum.cas, sum.cad, sum.swap);
	cmap_destroy(test, map, &b);
}

/* ---- Range: at most once, every stable key ------------------------------ */

#define STABLE_KEYS	3000
#define CHURN_BASE	100000
#define CHURN_KEYS	20000

static bool range_stable_fn(const void *key, size_t len, void *value,
			    void *arg)
{
	struct range_seen *rs = arg;
	struct cval *v = value;
	u64 n;

	rs->visits++;
	if (!ckey_parse(key, len, &n) || v->key != n ||
	    v->magic != MAGIC_LIVE) {
		rs->t->errors++;
		return true;
	}
	if (n < STABLE_KEYS) {
		if (rs->seen[n]++)
			rs->t->errors++;
	} else if (n >= CHURN_BASE && n < CHURN_BASE + CHURN_KEYS) {
		if (rs->seen[STABLE_KEYS + n - CHURN_BASE]++)
			rs->t->errors++;
	} else {
		rs->t->errors++;
	}
	return true;
}

static void *stable_range_thread(void *arg)
{
	struct cthread *t = arg;
	struct range_seen rs = { .t = t, .keys = STABLE_KEYS + CHURN_KEYS };
	u64 i;

	rs.seen = malloc(rs.keys);
	while (!stopped(t->stop) || t->done < 3) {
		memset(rs.seen, 0, rs.keys);
		syncmap_range(t->map, range_stable_fn, &rs);
		for (i = 0; i < STABLE_KEYS; i++)
			if (!rs.seen[i])
				t->errors++;
		t->done++;
	}
	free(rs.seen);
	return NULL;
}

/* Overwrites stable keys (never deletes them), churns the others. */
static void *churn_thread(void *arg)
{
	struct cthread *t = arg;
	struct cval *v;
	struct ckey k;
	u64 key;
	int ret;

	for (t->done = 0; t->done < t->ops; t->done++) {
		if (crand(t, 8) == 0) {
			key = crand(t, STABLE_KEYS);
			ckey_set(&k, key);
			v = cval_new(t->books, key, t->done);
			if (syncmap_store(t->map, k.buf, k.len, v))
				t->errors++;
			continue;
		}
		key = CHURN_BASE + crand(t, CHURN_KEYS);
		ckey_set(&k, key);
		if (crand(t, 3)) {
			v = cval_new(t->books, key, t->done);
			ret = syncmap_store(t->map, k.buf, k.len, v);
			if (ret)
				t->errors++;
		} else {
			syncmap_delete(t->map, k.buf, k.len);
		}
		/* Misses on churned keys drive promotions. */
		ckey_set(&k, CHURN_BASE + crand(t, CHURN_KEYS));
		rcu_read_lock();
		v = syncmap_load(t->map, k.buf, k.len);
		if (v && v->magic != MAGIC_LIVE)
			t->errors++;
		rcu_read_unlock();
	}
	return NULL;
}

static void range_once_and_every_stable_key(struct kunit *test)
{
	enum { W = 3, R = 2 };
	struct cthread t[W + R] = {};
	struct syncmap_stats st;
	struct cbooks b;
	struct syncmap *map = cmap_new(test, &b);
	bool stop = false;
	struct ckey k;
	u64 i;

	for (i = 0; i < STABLE_KEYS; i++) {
		ckey_set(&k, i);
		KUNIT_ASSERT_EQ(test, syncmap_store(map, k.buf, k.len,
						    cval_new(&b, i, 0)), 0);
	}
	for (i = 0; i < W + R; i++) {
		t[i].map = map;
		t[i].books = &b;
		t[i].id = (int)i;
		t[i].stop = &stop;
		t[i].ops = SCALED(150000);
	}
	cthreads_run(t, W, churn_thread);
	cthreads_run(&t[W], R, stable_range_thread);
	cthreads_join(t, W);
	__atomic_store_n(&stop, true, __ATOMIC_RELEASE);
	cthreads_join(&t[W], R);
	for (i = 0; i < W + R; i++)
		KUNIT_EXPECT_EQ_MSG(test, t[i].errors, 0, "thread %llu", i);
	syncmap_fill_stats(map, &st);
	kunit_info(test, "%llu + %llu ranges, %llu promotions, %llu rebuilds, %llu expunged",
		   t[W].done, t[W + 1].done, st.promotions, st.dirty_rebuilds,
		   st.expunged);
	KUNIT_EXPECT_GE(test, st.promotions, 2);
	cmap_destroy(test, map, &b);
}

/* ---- growth and copy racing lock-free loads ------------------------------ */

struct growth {
	u64 high;		/* keys below are present from now on */
	u64 keys;
	u64 misses;
	u64 loads;
};

/* Stores 0, 1, 2, ... and deletes keys of a range of its own meanwhile. */
static void *grow_writer(void *arg)
{
	struct cthread *t = arg;
	struct growth *g = t->shared;
	struct cval *v;
	struct ckey k;
	u64 i;

	for (i = 0; i < g->keys; i++) {
		ckey_set(&k, i);
		v = cval_new(t->books, i, i);
		if (syncmap_store(t->map, k.buf, k.len, v)) {
			t->errors++;
			break;
		}
		__atomic_store_n(&g->high, i + 1, __ATOMIC_RELEASE);
		/* Tombstones and expunged entries along the way. */
		ckey_set(&k, 10000000 + i % 512);
		if (i % 3)
			syncmap_store(t->map, k.buf, k.len,
				      cval_new(t->books, 10000000 + i % 512, i));
		else
			syncmap_delete(t->map, k.buf, k.len);
	}
	return NULL;
}

/* Loads keys known to be present; each miss is a lost key. */
static void *grow_reader(void *arg)
{
	struct cthread *t = arg;
	struct growth *g = t->shared;
	struct cval *v;
	struct ckey k;
	u64 n, key;
	int idx;

	while (!stopped(t->stop)) {
		n = __atomic_load_n(&g->high, __ATOMIC_ACQUIRE);
		if (!n) {
			sched_yield();
			continue;
		}
		/* Mostly the newest keys: those live in the dirty map. */
		key = crand(t, 4) ? n - 1 - crand(t, min_t(u64, n, 4096)) :
				     crand(t, (u32)n);
		ckey_set(&k, key);
		if (t->done % 16 == 0) {
			idx = syncmap_read_lock(t->map);
			v = syncmap_load(t->map, k.buf, k.len);
			if (!v || v->key != key || v->magic != MAGIC_LIVE)
				t->errors++;
			syncmap_read_unlock(t->map, idx);
		} else {
			rcu_read_lock();
			v = syncmap_load(t->map, k.buf, k.len);
			if (!v || v->key != key || v->magic != MAGIC_LIVE)
				t->errors++;
			rcu_read_unlock();
		}
		t->done++;
	}
	return NULL;
}

/*
 * A load that missed the growing table stalls now and then before it
 * looks at the old one, as a reader preempted or interrupted there would:
 * the window review finding 1 lost keys in is microseconds wide then, not
 * nanoseconds, and the writer's steps of the move land in it.
 */
static __thread u32 jitter_calls;

static void jitter_between_probes(struct syncmap *map, void *arg)
{
	u32 n = ++jitter_calls;

	if (n % 8 == 0)
		udelay(1 + n / 8 % 4);
	else if (n % 8 == 1)
		sched_yield();
}

static const struct syncmap_test_hooks jitter_hooks = {
	.load_between_probes = jitter_between_probes,
};

static void growth_run(struct kunit *test, unsigned int delay_ms)
{
	enum { R = 3 };
	struct cthread t[R + 1] = {};
	struct growth g = { .keys = SCALED(300000) };
	struct syncmap_stats st;
	struct cbooks b;
	struct syncmap *map;
	bool stop = false;
	u64 loads = 0;
	int i;

	shim_wq_set_delay_ms(delay_ms);
	map = cmap_new(test, &b);
	syncmap_set_test_hooks(map, &jitter_hooks);
	for (i = 0; i <= R; i++) {
		t[i].map = map;
		t[i].books = &b;
		t[i].id = i;
		t[i].stop = &stop;
		t[i].shared = &g;
	}
	cthreads_run(&t[R], 1, grow_writer);
	cthreads_run(t, R, grow_reader);
	cthreads_join(&t[R], 1);
	__atomic_store_n(&stop, true, __ATOMIC_RELEASE);
	cthreads_join(t, R);
	shim_wq_set_delay_ms(0);
	syncmap_fill_stats(map, &st);
	for (i = 0; i <= R; i++) {
		KUNIT_EXPECT_EQ_MSG(test, t[i].errors, 0,
				    "thread %d: %lu of %llu loads missed a present key",
				    i, t[i].errors, t[i].done);
		loads += i < R ? t[i].done : 0;
	}
	KUNIT_EXPECT_EQ(test, __atomic_load_n(&g.high, __ATOMIC_RELAXED),
			g.keys);
	kunit_info(test, "workers %u ms late: %llu keys, %llu loads, %llu promotions, %llu rebuilds, %llu slots",
		   delay_ms, g.keys, loads, st.promotions, st.dirty_rebuilds,
		   st.read_slots);
	cmap_destroy(test, map, &b);
}

static void growth_races_loads_prompt_workers(struct kunit *test)
{
	growth_run(test, 0);
}

static void growth_races_loads_late_workers(struct kunit *test)
{
	growth_run(test, 5);
}

/* ---- Clear racing writers: the length stays exact ----------------------- */

static void *clear_thread(void *arg)
{
	struct cthread *t = arg;

	for (t->done = 0; t->done < t->ops; t->done++) {
		if (syncmap_clear(t->map))
			t->errors++;
		usleep_range(50, 100);
	}
	return NULL;
}

static void clear_races_writers(struct kunit *test)
{
	enum { W = 3 };
	struct cthread t[W + 1] = {};
	struct cbooks b;
	struct syncmap *map = cmap_new(test, &b);
	size_t counted = 0;
	int i;

	for (i = 0; i <= W; i++) {
		t[i].map = map;
		t[i].books = &b;
		t[i].id = i;
		t[i].ops = i < W ? SCALED(100000) : SCALED(2000);
	}
	cthreads_run(t, W, churn_thread);
	cthreads_run(&t[W], 1, clear_thread);
	cthreads_join(t, W + 1);
	for (i = 0; i <= W; i++)
		KUNIT_EXPECT_EQ_MSG(test, t[i].errors, 0, "thread %d", i);
	syncmap_range(map, count_fn, &counted);
	KUNIT_EXPECT_EQ(test, syncmap_len(map), counted);
	cmap_destroy(test, map, &b);
}

static struct kunit_case native_concurrency_cases[] = {
	KUNIT_CASE_SLOW(per_thread_models),
	KUNIT_CASE_SLOW(cas_cad_swap_exclusive),
	KUNIT_CASE_SLOW(range_once_and_every_stable_key),
	KUNIT_CASE_SLOW(growth_races_loads_prompt_workers),
	KUNIT_CASE_SLOW(growth_races_loads_late_workers),
	KUNIT_CASE_SLOW(clear_races_writers),
	{}
};

static struct kunit_suite native_concurrency_suite = {
	.name = "syncmap_native_concurrency",
	.test_cases = native_concurrency_cases,
};

kunit_native_suites(&native_concurrency_suite);
