// SPDX-License-Identifier: GPL-2.0
/*
 * Lifetime: values are released exactly once, only after the readers that
 * could see them are gone; maps are refcounted and found by name; every
 * allocation failure leaves the map as it was.
 */
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/sched.h>
#include <linux/slab.h>

#include "syncmap_test.h"

static void destroy_releases_everything(struct kunit *test)
{
	struct tracker tr;
	struct syncmap *map = tmap_new(test, &tr, 0);
	int i;

	for (i = 0; i < 300; i++) {
		KUNIT_ASSERT_EQ(test, tstore(test, map, &tr, i % 200, i), 0);
		if (i == 100)
			tmap_promote(map);
	}
	KUNIT_EXPECT_EQ(test, syncmap_len(map), 200);
	syncmap_destroy(map);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&tr.released), 300);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&tr.freed), 0);
}

static void release_waits_for_read_lock(struct kunit *test)
{
	struct tracker tr;
	struct syncmap *map = tmap_new(test, &tr, 0);
	struct tval *v;
	int idx;

	KUNIT_ASSERT_EQ(test, tstore(test, map, &tr, 1, 7), 0);
	idx = syncmap_read_lock(map);
	v = syncmap_load(map, "k1", 2);
	KUNIT_ASSERT_NOT_NULL(test, v);
	/* Overwrite and delete while the section holds the old value. */
	KUNIT_EXPECT_EQ(test, tstore(test, map, &tr, 1, 8), 0);
	KUNIT_EXPECT_EQ(test, tdelete(map, 1), 1);
	msleep(100);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&tr.released), 0);
	KUNIT_EXPECT_EQ(test, v->n, 7);		/* KASAN watches this read */
	syncmap_read_unlock(map, idx);
	syncmap_synchronize(map);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&tr.released), 2);
	tmap_destroy_check(test, map, &tr);
}

struct rcu_holder {
	struct syncmap *map;
	struct tracker *tr;
	struct completion loaded;
	struct completion done;
	long released_inside;
	u64 seen;
};

static int rcu_holder_fn(void *arg)
{
	struct rcu_holder *h = arg;
	struct tval *v;

	rcu_read_lock();
	v = syncmap_load(h->map, "k1", 2);
	complete(&h->loaded);
	mdelay(100);	/* the test thread overwrites meanwhile */
	h->released_inside = atomic_long_read(&h->tr->released);
	h->seen = v ? v->n : 0;
	rcu_read_unlock();
	complete(&h->done);
	return 0;
}

static void release_waits_for_rcu_reader(struct kunit *test)
{
	struct rcu_holder *h = kunit_kzalloc(test, sizeof(*h), GFP_KERNEL);
	struct tracker tr;
	struct syncmap *map = tmap_new(test, &tr, 0);
	struct task_struct *t;

	KUNIT_ASSERT_NOT_NULL(test, h);
	KUNIT_ASSERT_EQ(test, tstore(test, map, &tr, 1, 7), 0);
	h->map = map;
	h->tr = &tr;
	init_completion(&h->loaded);
	init_completion(&h->done);
	t = kthread_run(rcu_holder_fn, h, "syncmap-kunit-rcu");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	wait_for_completion(&h->loaded);
	KUNIT_EXPECT_EQ(test, tstore(test, map, &tr, 1, 8), 0);
	syncmap_synchronize(map);	/* returns after the reader's section */
	wait_for_completion(&h->done);
	KUNIT_EXPECT_EQ(test, h->released_inside, 0);
	KUNIT_EXPECT_EQ(test, h->seen, 7);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&tr.released), 1);
	tmap_destroy_check(test, map, &tr);
}

static void registry_names(struct kunit *test)
{
	struct syncmap *a = syncmap_create(NULL), *b = syncmap_create(NULL);
	char name[SYNCMAP_NAME_MAX + 1];
	struct syncmap_info info;
	struct syncmap *found;
	u32 id = 0;
	bool seen = false;

	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(a));
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(b));
	KUNIT_EXPECT_EQ(test, syncmap_register(a, ""), -EINVAL);
	KUNIT_EXPECT_EQ(test, syncmap_register(a, "has space"), -EINVAL);
	KUNIT_EXPECT_EQ(test, syncmap_register(a, "a/b"), -EINVAL);
	memset(name, 'x', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';		/* SYNCMAP_NAME_MAX chars */
	KUNIT_EXPECT_EQ(test, syncmap_register(a, name), -EINVAL);
	name[SYNCMAP_NAME_MAX - 1] = '\0';	/* the longest valid name */
	KUNIT_EXPECT_EQ(test, syncmap_register(b, name), 0);
	KUNIT_EXPECT_TRUE(test, syncmap_unregister(b));
	KUNIT_EXPECT_EQ(test, syncmap_register(a, "kunit.map-1"), 0);
	KUNIT_EXPECT_EQ(test, syncmap_register(a, "kunit.other"), -EBUSY);
	KUNIT_EXPECT_EQ(test, syncmap_register(b, "kunit.map-1"), -EEXIST);
	KUNIT_EXPECT_EQ(test, syncmap_register(b, "kunit.map-2"), 0);

	found = syncmap_find("kunit.map-1");
	KUNIT_EXPECT_PTR_EQ(test, found, a);
	syncmap_fill_info(a, &info);
	KUNIT_EXPECT_STREQ(test, info.name, "kunit.map-1");
	KUNIT_EXPECT_NE(test, info.id, 0);
	KUNIT_EXPECT_EQ(test, info.mode, 0600);
	KUNIT_EXPECT_EQ(test, info.max_key_len, SYNCMAP_DEFAULT_KEY_LEN);
	syncmap_put(found);
	KUNIT_EXPECT_NULL(test, syncmap_find("kunit.map-3"));

	while ((found = syncmap_find_next(&id))) {
		seen |= found == b;
		syncmap_put(found);
		id++;
	}
	KUNIT_EXPECT_TRUE(test, seen);

	KUNIT_EXPECT_TRUE(test, syncmap_unregister(b));
	KUNIT_EXPECT_FALSE(test, syncmap_unregister(b));
	KUNIT_EXPECT_NULL(test, syncmap_find("kunit.map-2"));
	/* The name is free again. */
	KUNIT_EXPECT_EQ(test, syncmap_register(b, "kunit.map-2"), 0);
	syncmap_destroy(a);
	syncmap_destroy(b);
	KUNIT_EXPECT_NULL(test, syncmap_find("kunit.map-1"));
	KUNIT_EXPECT_NULL(test, syncmap_find("kunit.map-2"));
}

static void found_map_outlives_destroy(struct kunit *test)
{
	struct tracker tr;
	struct syncmap *map = tmap_new(test, &tr, 0);
	struct syncmap *found;

	KUNIT_ASSERT_EQ(test, syncmap_register(map, "kunit.outlive"), 0);
	KUNIT_ASSERT_EQ(test, tstore(test, map, &tr, 1, 1), 0);
	found = syncmap_find("kunit.outlive");
	KUNIT_ASSERT_PTR_EQ(test, found, map);
	syncmap_destroy(map);		/* the creator is done */
	KUNIT_EXPECT_NULL(test, syncmap_find("kunit.outlive"));
	/* The holder of the found reference keeps a working map. */
	KUNIT_EXPECT_EQ(test, tstore(test, found, &tr, 2, 2), 0);
	KUNIT_EXPECT_EQ(test, tload(found, 1), 1);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&tr.released), 0);
	syncmap_put(found);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&tr.released), 2);
}

static void destroy_op_runs_once_after_the_last_release(struct kunit *test)
{
	struct tracker tr;
	struct syncmap *map = tmap_new_ops(test, &tr, &tval_destroy_ops, 0);
	struct syncmap *ref;
	int i;

	for (i = 0; i < 300; i++)
		KUNIT_ASSERT_EQ(test, tstore(test, map, &tr, i % 100, i), 0);
	/* Values in flight and values still in the map: 200 + 100. */
	ref = syncmap_get(map);
	syncmap_destroy(map);
	KUNIT_EXPECT_EQ(test, atomic_read(&tr.destroyed), 0);
	syncmap_put(ref);
	KUNIT_EXPECT_EQ(test, atomic_read(&tr.destroyed), 1);
	KUNIT_EXPECT_EQ(test, tr.released_before_destroy, 300);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&tr.released), 300);
}

static void many_maps_come_and_go(struct kunit *test)
{
	struct tracker tr;
	struct syncmap *map;
	int m, i;

	for (m = 0; m < 20; m++) {
		map = tmap_new(test, &tr, 0);
		for (i = 0; i < 50 + m * 10; i++)
			KUNIT_ASSERT_EQ(test, tstore(test, map, &tr, i, i), 0);
		if (m % 2)
			tmap_promote(map);
		for (i = 0; i < 20; i++)
			tdelete(map, i * 3);
		tmap_destroy_check(test, map, &tr);
		KUNIT_EXPECT_EQ(test, atomic_long_read(&tr.freed), 0);
	}
}

/* ---- allocation failures (fail-nth) -------------------------------- */

#ifdef CONFIG_FAULT_INJECTION
/* The n-th fault-injection point this task passes fails (fail-nth). */
static void fail_nth_set(unsigned int n)
{
	current->fail_nth = n;
}

static unsigned int fail_nth_get(void)
{
	return current->fail_nth;
}
#else
static void fail_nth_set(unsigned int n)
{
}

static unsigned int fail_nth_get(void)
{
	return 0;
}
#endif

/*
 * Whether failslab fails the n-th allocation of this task on request.  It
 * ignores sleeping allocations unless told otherwise: the lab's guest sets
 * failslab/ignore-gfp-wait to N (and verbose to 0) before loading the tests.
 */
static bool fault_injection_on(void)
{
	void *p;

	if (!IS_ENABLED(CONFIG_FAILSLAB))
		return false;
	fail_nth_set(1);
	p = kmalloc(16, GFP_KERNEL);
	fail_nth_set(0);
	kfree(p);
	return !p;
}

enum fail_op {
	FAIL_STORE_NEW, FAIL_STORE_OVERWRITE, FAIL_STORE_EXPUNGED,
	FAIL_LOAD_OR_STORE, FAIL_SWAP, FAIL_LOAD_AND_DELETE, FAIL_DELETE,
	FAIL_CAS, FAIL_CAD, FAIL_CLEAR, FAIL_GROW, FAIL_NR
};

/*
 * The state every attempt starts from: keys 0..19 in the read snapshot,
 * key 5 deleted and expunged, keys 20..23 only in the dirty map.
 */
static struct syncmap *fail_state(struct kunit *test, struct tracker *tr,
				  enum fail_op op)
{
	struct syncmap *map = tmap_new(test, tr, 0);
	int i;

	for (i = 0; i < 20; i++)
		KUNIT_ASSERT_EQ(test, tstore(test, map, tr, i, i), 0);
	tmap_promote(map);
	KUNIT_ASSERT_EQ(test, tdelete(map, 5), 1);
	for (i = 20; i < 24; i++)
		KUNIT_ASSERT_EQ(test, tstore(test, map, tr, i, i), 0);
	/* For growth: fill the dirty map (64 slots) to its 3/4 limit. */
	for (i = 200; op == FAIL_GROW && syncmap_len(map) < 48; i++)
		KUNIT_ASSERT_EQ(test, tstore(test, map, tr, i, i), 0);
	syncmap_synchronize(map);
	return map;
}

static bool fail_state_intact(struct syncmap *map, size_t len)
{
	int i;

	for (i = 0; i < 40; i++)
		if (tload(map, i) != (i < 24 && i != 5 ? i : -1))
			return false;
	return syncmap_len(map) == len;
}

static int fail_run(struct kunit *test, struct syncmap *map,
		    struct tracker *tr, enum fail_op op, unsigned int nth,
		    unsigned int *left)
{
	struct tval *v = tval_new(test, tr, 1000), *cur = NULL;
	struct tkey k;
	int ret = -EINVAL;

	rcu_read_lock();
	cur = syncmap_load(map, "k7", 2);
	rcu_read_unlock();
	tkey_set(&k, op == FAIL_STORE_EXPUNGED ? 5 :
		 op == FAIL_STORE_NEW || op == FAIL_GROW ? 100 : 7);

	fail_nth_set(nth);
	switch (op) {
	case FAIL_STORE_NEW:
	case FAIL_STORE_OVERWRITE:
	case FAIL_STORE_EXPUNGED:
	case FAIL_GROW:
		ret = syncmap_store(map, k.buf, k.len, v);
		break;
	case FAIL_LOAD_OR_STORE:
		tkey_set(&k, 101);
		ret = syncmap_load_or_store(map, k.buf, k.len, v, NULL);
		break;
	case FAIL_SWAP:
		ret = syncmap_swap(map, k.buf, k.len, v, NULL);
		break;
	case FAIL_LOAD_AND_DELETE:
		ret = syncmap_load_and_delete(map, k.buf, k.len, NULL);
		break;
	case FAIL_DELETE:
		tkey_set(&k, 21);	/* dirty-only key */
		ret = syncmap_delete(map, k.buf, k.len);
		break;
	case FAIL_CAS:
		ret = syncmap_compare_and_swap(map, k.buf, k.len, cur, v);
		break;
	case FAIL_CAD:
		ret = syncmap_compare_and_delete(map, k.buf, k.len, cur);
		break;
	case FAIL_CLEAR:
		ret = syncmap_clear(map);
		break;
	case FAIL_NR:
		break;
	}
	*left = fail_nth_get();
	fail_nth_set(0);

	/* Values the map did not take go back to the test. */
	if (ret < 0 || (op == FAIL_CAS && ret == 0) ||
	    op == FAIL_LOAD_AND_DELETE || op == FAIL_DELETE ||
	    op == FAIL_CAD || op == FAIL_CLEAR)
		tval_free(v);
	return ret;
}

static void allocation_failures_change_nothing(struct kunit *test)
{
	unsigned int nth, left, failures = 0;
	struct tracker tr;
	struct syncmap *map;
	enum fail_op op;
	size_t len;
	int ret;

	if (!fault_injection_on())
		kunit_skip(test, "failslab does not fail sleeping allocations");

	for (op = 0; op < FAIL_NR; op++) {
		for (nth = 1; nth < 64; nth++) {
			map = fail_state(test, &tr, op);
			len = syncmap_len(map);
			ret = fail_run(test, map, &tr, op, nth, &left);
			if (ret == -ENOMEM) {
				failures++;
				KUNIT_EXPECT_TRUE_MSG(test,
						      fail_state_intact(map, len),
						      "op %d nth %u", op, nth);
			} else {
				KUNIT_EXPECT_GE_MSG(test, ret, 0,
						    "op %d nth %u", op, nth);
			}
			tmap_destroy_check(test, map, &tr);
			if (ret >= 0 && left)
				break;	/* the op ran out of allocations */
		}
		KUNIT_EXPECT_LT_MSG(test, nth, 64, "op %d never finished", op);
	}
	/* Every op that allocates was made to fail at least once. */
	KUNIT_EXPECT_GE(test, failures, FAIL_NR);
	kunit_info(test, "%u injected allocation failures, map intact each time",
		   failures);
}

static void create_and_register_fail_cleanly(struct kunit *test)
{
	unsigned int nth, left, failures = 0;
	struct syncmap *map;

	if (!fault_injection_on())
		kunit_skip(test, "failslab does not fail sleeping allocations");
	for (nth = 1; nth < 64; nth++) {
		fail_nth_set(nth);
		map = syncmap_create(NULL);
		left = fail_nth_get();
		fail_nth_set(0);
		if (IS_ERR(map)) {
			KUNIT_EXPECT_EQ(test, PTR_ERR(map), -ENOMEM);
			failures++;
			continue;
		}
		fail_nth_set(1);
		if (syncmap_register(map, "kunit.failing") == -ENOMEM)
			failures++;
		fail_nth_set(0);
		syncmap_destroy(map);
		if (left)
			break;
	}
	KUNIT_EXPECT_GE(test, failures, 2);
}

/*
 * The one name checker, shared by syncmap_register() and /dev/syncmap:
 * letters, digits, '.', '_' and '-', 1 to SYNCMAP_NAME_MAX - 1 of them.
 */
static void name_valid_charset(struct kunit *test)
{
	static const char ok[] = "AZaz09._-";
	static const char bad[] = " /\\:@+~,;*?'\"\t\n\x7f\x80\xff";
	char name[SYNCMAP_NAME_MAX + 1];
	const char *c;

	for (c = ok; *c; c++) {
		char one[2] = { *c, '\0' };

		KUNIT_EXPECT_TRUE_MSG(test, syncmap_name_valid(one), "%#x", *c);
	}
	KUNIT_EXPECT_TRUE(test, syncmap_name_valid(ok));
	for (c = bad; *c; c++) {
		char one[4] = { 'a', *c, 'b', '\0' };

		KUNIT_EXPECT_FALSE_MSG(test, syncmap_name_valid(one), "%#x",
				       (u8)*c);
	}
	KUNIT_EXPECT_FALSE(test, syncmap_name_valid(""));
	memset(name, 'x', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';		/* SYNCMAP_NAME_MAX chars */
	KUNIT_EXPECT_FALSE(test, syncmap_name_valid(name));
	name[SYNCMAP_NAME_MAX - 1] = '\0';	/* the longest valid name */
	KUNIT_EXPECT_TRUE(test, syncmap_name_valid(name));
}

static struct kunit_case syncmap_lifetime_cases[] = {
	KUNIT_CASE(destroy_releases_everything),
	KUNIT_CASE(release_waits_for_read_lock),
	KUNIT_CASE(release_waits_for_rcu_reader),
	KUNIT_CASE(registry_names),
	KUNIT_CASE(name_valid_charset),
	KUNIT_CASE(found_map_outlives_destroy),
	KUNIT_CASE(destroy_op_runs_once_after_the_last_release),
	KUNIT_CASE(many_maps_come_and_go),
	KUNIT_CASE(allocation_failures_change_nothing),
	KUNIT_CASE(create_and_register_fail_cleanly),
	{}
};

struct kunit_suite syncmap_lifetime_suite = {
	.name = "syncmap_lifetime",
	.test_cases = syncmap_lifetime_cases,
};
