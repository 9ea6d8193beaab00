// SPDX-License-Identifier: GPL-2.0
/*
 * Concurrency: kthreads bound to the CPUs doing mixed operations on
 * disjoint and shared keys while Range, Clear and promotions run.  Threads
 * count what went wrong; the test thread checks the counts, since KUnit
 * assertions belong to the test thread.
 */
#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/numa.h>
#include <linux/prandom.h>
#include <linux/sched.h>
#include <linux/slab.h>

#include "syncmap_test.h"
#include "syncmap_worker.h"

#define SHARED_KEYS	32
#define SHARED_BASE	100000

struct tval *wval(struct worker *w, u64 n)
{
	struct tval *v = kmalloc(sizeof(*v), GFP_KERNEL);

	if (!v)
		return NULL;
	v->n = n;
	v->tracker = w->tr;
	atomic_long_inc(&w->tr->made);
	return v;
}

static u64 wkey(struct worker *w, u32 i)
{
	return (u64)w->id * 1000 + i;
}

struct worker_start {
	struct worker *w;
	worker_fn fn;
};

static int worker_thread(void *arg)
{
	struct worker_start *s = arg;
	struct worker *w = s->w;
	worker_fn fn = s->fn;

	kfree(s);
	fn(w);
	complete(&w->done);
	return 0;
}

/* Start @fn in a kthread bound to the @id-th online CPU (modulo). */
void worker_start(struct kunit *test, struct worker *w, worker_fn fn)
{
	struct worker_start *s = kmalloc(sizeof(*s), GFP_KERNEL);
	struct task_struct *t;

	KUNIT_ASSERT_NOT_NULL(test, s);
	s->w = w;
	s->fn = fn;
	init_completion(&w->done);
	prandom_seed_state(&w->rnd, 0x5eed0000 + w->id);
	t = kthread_create(worker_thread, s, "syncmap-kunit/%u", w->id);
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	kthread_bind(t, cpumask_local_spread(w->id, NUMA_NO_NODE));
	wake_up_process(t);
}

u32 wrand(struct worker *w, u32 n)
{
	return prandom_u32_state(&w->rnd) % n;
}

/* Mixed operations on the worker's own keys, checked against its model. */
static void own_key_op(struct worker *w)
{
	u32 i = wrand(w, OWN_KEYS), r = wrand(w, 10);
	u64 n = ((u64)w->id << 40) | ++w->ops;
	struct tkey k;
	struct tval *v;
	void *got;
	int ret;

	tkey_set(&k, wkey(w, i));
	switch (r) {
	case 0 ... 2:
		v = wval(w, n);
		if (!v || syncmap_store(w->map, k.buf, k.len, v)) {
			w->errors++;
			return;
		}
		w->own[i] = n;
		break;
	case 3:
		ret = syncmap_delete(w->map, k.buf, k.len);
		if (ret != !!w->own[i])
			w->errors++;
		w->own[i] = 0;
		break;
	case 4:
		v = wval(w, n);
		if (!v)
			return;
		ret = syncmap_load_or_store(w->map, k.buf, k.len, v, NULL);
		if (ret != !!w->own[i])
			w->errors++;
		if (ret)
			tval_free(v);
		else
			w->own[i] = n;
		break;
	case 5:
		v = wval(w, n);
		if (!v)
			return;
		ret = syncmap_swap(w->map, k.buf, k.len, v, NULL);
		if (ret != !!w->own[i])
			w->errors++;
		w->own[i] = n;
		break;
	case 6:
		ret = syncmap_load_and_delete(w->map, k.buf, k.len, NULL);
		if (ret != !!w->own[i])
			w->errors++;
		w->own[i] = 0;
		break;
	default:
		rcu_read_lock();
		got = syncmap_load(w->map, k.buf, k.len);
		if ((got ? ((struct tval *)got)->n : 0) != w->own[i])
			w->errors++;
		rcu_read_unlock();
		break;
	}
}

/* Operations on keys every worker touches: only crashes and books count. */
static void shared_key_op(struct worker *w)
{
	u32 i = wrand(w, SHARED_KEYS), r = wrand(w, 6);
	struct tkey k;
	struct tval *v;
	void *got;

	tkey_set(&k, SHARED_BASE + i);
	switch (r) {
	case 0:
	case 1:
		v = wval(w, SHARED_BASE + i);
		if (v && syncmap_store(w->map, k.buf, k.len, v))
			tval_free(v);
		break;
	case 2:
		syncmap_delete(w->map, k.buf, k.len);
		break;
	case 3:
		v = wval(w, SHARED_BASE + i);
		if (v && syncmap_load_or_store(w->map, k.buf, k.len, v, NULL))
			tval_free(v);
		break;
	default:
		rcu_read_lock();
		got = syncmap_load(w->map, k.buf, k.len);
		if (got && ((struct tval *)got)->n != SHARED_BASE + i)
			w->errors++;
		rcu_read_unlock();
		break;
	}
}

static int mixed_worker(struct worker *w)
{
	unsigned int i;

	for (i = 0; i < 8000; i++) {
		if (i % 4 == 3)
			shared_key_op(w);
		else
			own_key_op(w);
		if (i % 64 == 0)
			cond_resched();
	}
	return 0;
}

struct range_check {
	struct worker *w;
	u8 seen[4][OWN_KEYS];
	u8 shared_seen[SHARED_KEYS];
};

static bool range_check_fn(const void *key, size_t len, void *value, void *arg)
{
	struct range_check *rc = arg;
	struct tval *v = value;
	unsigned long n;
	char buf[24];

	memcpy(buf, key, min(len, sizeof(buf) - 1));
	buf[min(len, sizeof(buf) - 1)] = '\0';
	if (kstrtoul(buf + 1, 10, &n)) {
		rc->w->errors++;
		return true;
	}
	if (n >= SHARED_BASE && n < SHARED_BASE + SHARED_KEYS) {
		if (rc->shared_seen[n - SHARED_BASE]++ || v->n != n)
			rc->w->errors++;
	} else if (n / 1000 < 4 && n % 1000 < OWN_KEYS) {
		if (rc->seen[n / 1000][n % 1000]++ ||
		    v->n >> 40 != n / 1000)
			rc->w->errors++;
	} else {
		rc->w->errors++;
	}
	return true;
}

static int range_worker(struct worker *w)
{
	struct range_check *rc = kmalloc(sizeof(*rc), GFP_KERNEL);

	if (!rc) {
		w->errors++;
		return 0;
	}
	while (!atomic_read(w->stop)) {
		memset(rc, 0, sizeof(*rc));
		rc->w = w;
		syncmap_range(w->map, range_check_fn, rc);
		w->ops++;
		cond_resched();
	}
	kfree(rc);
	return 0;
}

static bool count_fn(const void *key, size_t len, void *value, void *arg)
{
	(*(size_t *)arg)++;
	return true;
}

static void mixed_ops_with_range(struct kunit *test)
{
	struct worker *w = kunit_kcalloc(test, 3, sizeof(*w), GFP_KERNEL);
	struct tracker tr;
	struct syncmap *map = tmap_new(test, &tr, 0);
	atomic_t stop = ATOMIC_INIT(0);
	size_t counted = 0;
	unsigned int t, i;

	KUNIT_ASSERT_NOT_NULL(test, w);
	for (t = 0; t < 3; t++) {
		w[t].map = map;
		w[t].tr = &tr;
		w[t].stop = &stop;
		w[t].id = t + 1;
	}
	worker_start(test, &w[0], mixed_worker);
	worker_start(test, &w[1], mixed_worker);
	worker_start(test, &w[2], range_worker);
	wait_for_completion(&w[0].done);
	wait_for_completion(&w[1].done);
	atomic_set(&stop, 1);
	wait_for_completion(&w[2].done);

	for (t = 0; t < 3; t++)
		KUNIT_EXPECT_EQ_MSG(test, w[t].errors, 0, "worker %u", t);
	KUNIT_EXPECT_GT(test, w[2].ops, 0);
	/* Every thread's own keys end as that thread last wrote them. */
	for (t = 0; t < 2; t++)
		for (i = 0; i < OWN_KEYS; i++)
			KUNIT_EXPECT_EQ(test, tload(map, wkey(&w[t], i)),
					w[t].own[i] ? (s64)w[t].own[i] : -1);
	syncmap_range(map, count_fn, &counted);
	KUNIT_EXPECT_EQ(test, syncmap_len(map), counted);
	tmap_destroy_check(test, map, &tr);
}

/* ---- CompareAndSwap against CompareAndDelete ------------------------ */

#define CAS_ROUNDS 1000

struct cas_duel {
	struct syncmap *map;
	struct tracker *tr;
	atomic_t gen;		/* round the swapper has set up */
	atomic_t done;		/* rounds the deleter has finished */
	struct tval *cur;	/* the value both compare against */
	u8 swapped[CAS_ROUNDS];
	u8 deleted[CAS_ROUNDS];
	unsigned long errors;
};

static int cas_swapper(struct worker *w)
{
	struct cas_duel *d = w->shared;
	struct tval *v, *next;
	int r;

	for (r = 0; r < CAS_ROUNDS; r++) {
		v = wval(w, r);
		next = wval(w, r + CAS_ROUNDS);
		if (!v || !next || syncmap_store(d->map, "duel", 4, v)) {
			d->errors++;
			break;
		}
		WRITE_ONCE(d->cur, v);
		atomic_set_release(&d->gen, r + 1);
		d->swapped[r] = syncmap_compare_and_swap(d->map, "duel", 4, v,
							 next) == 1;
		if (!d->swapped[r])
			tval_free(next);
		while (atomic_read_acquire(&d->done) < r + 1)
			cond_resched();
	}
	atomic_set_release(&d->gen, CAS_ROUNDS + 1);
	return 0;
}

static int cas_deleter(struct worker *w)
{
	struct cas_duel *d = w->shared;
	int r;

	for (r = 0; r < CAS_ROUNDS; r++) {
		while (atomic_read_acquire(&d->gen) < r + 1)
			cond_resched();
		if (atomic_read(&d->gen) > CAS_ROUNDS)
			break;
		/* Compares by pointer only: cur may already be released. */
		d->deleted[r] = syncmap_compare_and_delete(d->map, "duel", 4,
							   READ_ONCE(d->cur)) == 1;
		atomic_set_release(&d->done, r + 1);
	}
	return 0;
}

static void cas_and_cad_never_both_succeed(struct kunit *test)
{
	struct worker *w = kunit_kcalloc(test, 2, sizeof(*w), GFP_KERNEL);
	struct cas_duel *d = kunit_kzalloc(test, sizeof(*d), GFP_KERNEL);
	struct tracker tr;
	struct syncmap *map = tmap_new(test, &tr, 0);
	unsigned int r, both = 0, neither = 0, cas = 0;

	KUNIT_ASSERT_TRUE(test, w && d);
	d->map = map;
	d->tr = &tr;
	for (r = 0; r < 2; r++) {
		w[r].map = map;
		w[r].tr = &tr;
		w[r].id = r;
		w[r].shared = d;
	}
	worker_start(test, &w[0], cas_swapper);
	worker_start(test, &w[1], cas_deleter);
	wait_for_completion(&w[0].done);
	wait_for_completion(&w[1].done);

	KUNIT_EXPECT_EQ(test, d->errors, 0);
	for (r = 0; r < CAS_ROUNDS; r++) {
		both += d->swapped[r] && d->deleted[r];
		neither += !d->swapped[r] && !d->deleted[r];
		cas += d->swapped[r];
	}
	/* The value was present when both started: exactly one wins. */
	KUNIT_EXPECT_EQ(test, both, 0);
	KUNIT_EXPECT_EQ(test, neither, 0);
	kunit_info(test, "compare_and_swap won %u of %u rounds", cas,
		   CAS_ROUNDS);
	tmap_destroy_check(test, map, &tr);
}

/*
 * Run @reader in w[0] until @writer in w[1] has ended on its own, both on
 * @map and @tr, with @shared as their per-test state.
 */
void run_reader_while_writer(struct kunit *test, struct worker *w,
			     struct syncmap *map, struct tracker *tr,
			     void *shared, worker_fn reader, worker_fn writer)
{
	atomic_t stop = ATOMIC_INIT(0);
	unsigned int i;

	for (i = 0; i < 2; i++) {
		w[i].map = map;
		w[i].tr = tr;
		w[i].id = i;
		w[i].stop = &stop;
		w[i].shared = shared;
	}
	worker_start(test, &w[0], reader);
	worker_start(test, &w[1], writer);
	wait_for_completion(&w[1].done);
	atomic_set(&stop, 1);
	wait_for_completion(&w[0].done);
}

/* ---- readers during rebuilds and promotions -------------------------- */

#define STABLE_KEYS 300

static int stable_reader(struct worker *w)
{
	unsigned int i, rounds = 0;

	while (!atomic_read(w->stop) || rounds < 3) {
		for (i = 0; i < STABLE_KEYS; i++)
			if (tload(w->map, i) != i)
				w->errors++;
		rounds++;
		cond_resched();
	}
	w->ops = rounds;
	return 0;
}

int churn_writer(struct worker *w)
{
	unsigned int i;
	struct tkey k;
	struct tval *v;

	for (i = 0; i < 5000; i++) {
		tkey_set(&k, 10000 + i % 3000);
		if (wrand(w, 3)) {
			v = wval(w, i);
			if (!v || syncmap_store(w->map, k.buf, k.len, v))
				w->errors++;
		} else {
			syncmap_delete(w->map, k.buf, k.len);
		}
		/* Misses on new keys drive promotions. */
		tload(w->map, 10000 + wrand(w, 3000));
		if (i % 64 == 0)
			cond_resched();
	}
	return 0;
}

static void loads_see_present_keys_through_rebuilds(struct kunit *test)
{
	struct worker *w = kunit_kcalloc(test, 2, sizeof(*w), GFP_KERNEL);
	struct tracker tr;
	struct syncmap *map = tmap_new(test, &tr, 0);
	struct syncmap_stats st;
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, w);
	for (i = 0; i < STABLE_KEYS; i++)
		KUNIT_ASSERT_EQ(test, tstore(test, map, &tr, i, i), 0);
	run_reader_while_writer(test, w, map, &tr, NULL, stable_reader,
				churn_writer);

	syncmap_fill_stats(map, &st);
	KUNIT_EXPECT_EQ(test, w[0].errors, 0);
	KUNIT_EXPECT_EQ(test, w[1].errors, 0);
	KUNIT_EXPECT_GE(test, st.promotions, 2);
	KUNIT_EXPECT_GE(test, st.dirty_rebuilds, 2);
	kunit_info(test, "%u reader rounds, %llu promotions, %llu rebuilds, %llu expunged",
		   w[0].ops, st.promotions, st.dirty_rebuilds, st.expunged);
	tmap_destroy_check(test, map, &tr);
}

static int clearer(struct worker *w)
{
	unsigned int i;

	for (i = 0; i < 100; i++) {
		if (syncmap_clear(w->map))
			w->errors++;
		cond_resched();
	}
	return 0;
}

static void clear_races_with_writers(struct kunit *test)
{
	struct worker *w = kunit_kcalloc(test, 2, sizeof(*w), GFP_KERNEL);
	struct tracker tr;
	struct syncmap *map = tmap_new(test, &tr, 0);
	size_t counted = 0;
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, w);
	for (i = 0; i < 2; i++) {
		w[i].map = map;
		w[i].tr = &tr;
		w[i].id = i;
	}
	worker_start(test, &w[0], clearer);
	worker_start(test, &w[1], churn_writer);
	wait_for_completion(&w[0].done);
	wait_for_completion(&w[1].done);
	KUNIT_EXPECT_EQ(test, w[0].errors, 0);
	KUNIT_EXPECT_EQ(test, w[1].errors, 0);
	/* The length stays exact although Clear raced with the stores. */
	syncmap_range(map, count_fn, &counted);
	KUNIT_EXPECT_EQ(test, syncmap_len(map), counted);
	tmap_destroy_check(test, map, &tr);
}

/* ---- loads during growths of the dirty map --------------------------- */

#define GROWTH_KEYS 20000

/*
 * Stores keys 0, 1, 2, ... and publishes, after each store, how many are
 * in: every key below that count is present from then on.
 */
static int growing_writer(struct worker *w)
{
	atomic_t *high = w->shared;
	unsigned int i;
	struct tkey k;
	struct tval *v;

	for (i = 0; i < GROWTH_KEYS; i++) {
		tkey_set(&k, i);
		v = wval(w, i);
		if (!v || syncmap_store(w->map, k.buf, k.len, v)) {
			w->errors++;
			break;
		}
		atomic_set_release(high, i + 1);
		if (i % 64 == 0)
			cond_resched();
	}
	return 0;
}

/* Loads keys known to be present; each miss is a lost key. */
static int present_reader(struct worker *w)
{
	atomic_t *high = w->shared;
	unsigned int n;
	u32 key;

	while (!atomic_read(w->stop)) {
		n = atomic_read_acquire(high);
		if (!n) {
			cond_resched();
			continue;
		}
		key = wrand(w, n);
		if (tload(w->map, key) != key)
			w->errors++;
		if (++w->ops % 256 == 0)
			cond_resched();
	}
	return 0;
}

/*
 * The stress side of review finding 1 (the deterministic side is in
 * syncmap_race_test.c): a reader on another CPU loads keys that are
 * present while the dirty map grows under it again and again, and the
 * loads' misses promote it.
 */
static void loads_see_keys_of_a_growing_dirty_map(struct kunit *test)
{
	struct worker *w = kunit_kcalloc(test, 2, sizeof(*w), GFP_KERNEL);
	atomic_t high = ATOMIC_INIT(0);
	struct tracker tr;
	struct syncmap *map = tmap_new(test, &tr, 0);
	struct syncmap_stats st;

	KUNIT_ASSERT_NOT_NULL(test, w);
	run_reader_while_writer(test, w, map, &tr, &high, present_reader,
				growing_writer);

	syncmap_fill_stats(map, &st);
	KUNIT_EXPECT_EQ(test, w[1].errors, 0);
	KUNIT_EXPECT_EQ_MSG(test, w[0].errors, 0,
			    "%lu of %u loads missed a present key",
			    w[0].errors, w[0].ops);
	KUNIT_EXPECT_EQ(test, syncmap_len(map), GROWTH_KEYS);
	kunit_info(test, "%u loads, %llu promotions, %llu rebuilds",
		   w[0].ops, st.promotions, st.dirty_rebuilds);
	tmap_destroy_check(test, map, &tr);
}

/* ---- conditional changes racing writers ------------------------------ */

#define COND_KEYS	4
#define COND_OPS	2000
#define COND_WORKERS	3
#define COND_IDS	(COND_WORKERS * COND_OPS + 1)

/*
 * The books of cond_ops_race: each value has an id (its payload) and a
 * key.  Every value that leaves the map through these operations is
 * handed to exactly one caller, so a value stored is, at the end, either
 * taken once or present once.
 */
struct cond_books {
	atomic_t next_id;
	u8 key_of[COND_IDS];
	u8 stored[COND_IDS];
	atomic_t taken[COND_IDS];
	u8 present[COND_IDS];
	atomic_long_t rejected;
	atomic_long_t accepted_taken;
	atomic_long_t calls;
};

/*
 * Values whose id is a multiple of 4 are pinned: the _if ops leave them.
 * The delay widens the window in which another writer changes the value
 * between the verdict and the cmpxchg().
 */
static bool cond_pinned(const void *value, void *arg)
{
	const struct tval *v = value;
	struct cond_books *b = arg;

	atomic_long_inc(&b->calls);
	udelay(3);
	return v->n % 4;
}

/* Book a value taken from key @key; @cond: by an _if operation. */
static void cond_take(struct worker *w, u32 key, void *prev, bool cond)
{
	struct cond_books *b = w->shared;
	const struct tval *v = prev;

	if (v->n >= COND_IDS || b->key_of[v->n] != key ||
	    atomic_inc_return(&b->taken[v->n]) != 1 || (cond && !(v->n % 4)))
		w->errors++;
	if (cond)
		atomic_long_inc(&b->accepted_taken);
}

static int cond_worker(struct worker *w)
{
	struct cond_books *b = w->shared;
	unsigned int i, r;
	struct tval *v;
	struct tkey k;
	void *prev;
	int idx, ret;
	u32 key, id;

	for (i = 0; i < COND_OPS; i++) {
		key = wrand(w, COND_KEYS);
		tkey_set(&k, SHARED_BASE + key);
		r = wrand(w, 8);
		idx = syncmap_read_lock(w->map);
		if (r < 5) {
			id = atomic_inc_return(&b->next_id);
			v = id < COND_IDS ? wval(w, id) : NULL;
			if (!v) {
				syncmap_read_unlock(w->map, idx);
				w->errors++;
				break;
			}
			b->key_of[id] = key;
			if (r < 4)
				ret = syncmap_swap_if(w->map, k.buf, k.len, v,
						      &prev, cond_pinned, b);
			else
				ret = syncmap_swap(w->map, k.buf, k.len, v,
						   &prev);
			if (ret >= 0)
				b->stored[id] = 1;
			if (ret == 1)
				cond_take(w, key, prev, r < 4);
			if (ret == -ECANCELED && r < 4) {
				atomic_long_inc(&b->rejected);
				tval_free(v);
			} else if (ret < 0) {
				w->errors++;
				tval_free(v);
			}
		} else {
			if (r < 7)
				ret = syncmap_load_and_delete_if(w->map, k.buf,
								 k.len, &prev,
								 cond_pinned,
								 b);
			else
				ret = syncmap_load_and_delete(w->map, k.buf,
							      k.len, &prev);
			if (ret == 1)
				cond_take(w, key, prev, r < 7);
			if (ret == -ECANCELED && r < 7)
				atomic_long_inc(&b->rejected);
			else if (ret < 0)
				w->errors++;
		}
		syncmap_read_unlock(w->map, idx);
		/* Misses on the dirty map drive promotions. */
		tload(w->map, SHARED_BASE + wrand(w, COND_KEYS));
		if (i % 64 == 0)
			cond_resched();
	}
	return 0;
}

static bool cond_present_fn(const void *key, size_t len, void *value,
			    void *arg)
{
	struct worker *w = arg;
	struct cond_books *b = w->shared;
	const struct tval *v = value;
	unsigned long n;
	char buf[24];

	memcpy(buf, key, min(len, sizeof(buf) - 1));
	buf[min(len, sizeof(buf) - 1)] = '\0';
	if (kstrtoul(buf + 1, 10, &n) || v->n >= COND_IDS ||
	    b->key_of[v->n] != n - SHARED_BASE || b->present[v->n]++)
		w->errors++;
	return true;
}

/*
 * Three writers race Swap_if and LoadAndDelete_if, whose condition spares
 * pinned values, against plain Swap and LoadAndDelete on a few keys.  Every
 * value stored ends taken by exactly one caller or present exactly once,
 * on its own key; no _if operation takes a pinned value; the map releases
 * exactly the values taken, then exactly those present.
 */
static void cond_ops_race(struct kunit *test)
{
	struct worker *w = kunit_kcalloc(test, COND_WORKERS + 1, sizeof(*w),
					 GFP_KERNEL);
	struct cond_books *b = kunit_kzalloc(test, sizeof(*b), GFP_KERNEL);
	unsigned long taken = 0, present = 0, lost = 0;
	struct tracker tr;
	struct syncmap *map = tmap_new(test, &tr, 0);
	unsigned int t, id;

	KUNIT_ASSERT_TRUE(test, w && b);
	for (t = 0; t < COND_WORKERS; t++) {
		w[t].map = map;
		w[t].tr = &tr;
		w[t].id = t;
		w[t].shared = b;
		worker_start(test, &w[t], cond_worker);
	}
	for (t = 0; t < COND_WORKERS; t++)
		wait_for_completion(&w[t].done);
	for (t = 0; t < COND_WORKERS; t++)
		KUNIT_EXPECT_EQ_MSG(test, w[t].errors, 0, "worker %u", t);

	w[COND_WORKERS].shared = b;
	syncmap_range(map, cond_present_fn, &w[COND_WORKERS]);
	KUNIT_EXPECT_EQ(test, w[COND_WORKERS].errors, 0);
	for (id = 1; id < COND_IDS; id++) {
		taken += atomic_read(&b->taken[id]);
		present += b->present[id];
		if (atomic_read(&b->taken[id]) + b->present[id] !=
		    b->stored[id])
			lost++;
	}
	KUNIT_EXPECT_EQ(test, lost, 0);
	KUNIT_EXPECT_EQ(test, syncmap_len(map), present);
	KUNIT_EXPECT_GT(test, atomic_long_read(&b->rejected), 0);
	KUNIT_EXPECT_GT(test, atomic_long_read(&b->accepted_taken), 0);
	syncmap_synchronize(map);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&tr.released), taken);
	kunit_info(test, "%lu taken (%ld by _if), %ld rejected, %lu present, %ld conditions asked",
		   taken, atomic_long_read(&b->accepted_taken),
		   atomic_long_read(&b->rejected), present,
		   atomic_long_read(&b->calls));
	tmap_destroy_check(test, map, &tr);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&tr.released), taken + present);
}

static struct kunit_case syncmap_concurrency_cases[] = {
	KUNIT_CASE_SLOW(mixed_ops_with_range),
	KUNIT_CASE_SLOW(cas_and_cad_never_both_succeed),
	KUNIT_CASE_SLOW(loads_see_present_keys_through_rebuilds),
	KUNIT_CASE_SLOW(clear_races_with_writers),
	KUNIT_CASE_SLOW(loads_see_keys_of_a_growing_dirty_map),
	KUNIT_CASE_SLOW(cond_ops_race),
	{}
};

struct kunit_suite syncmap_concurrency_suite = {
	.name = "syncmap_concurrency",
	.test_cases = syncmap_concurrency_cases,
};
