// SPDX-License-Identifier: GPL-2.0
/*
 * Semantics of every operation, with Go's edge cases: each test checks
 * results, the length and the release books.
 */
#include <linux/bottom_half.h>
#include <linux/delay.h>
#include <linux/irqflags.h>
#include <linux/slab.h>
#include <linux/timer.h>

#include "syncmap_test.h"

static void load_missing(struct kunit *test)
{
	static const char big[SYNCMAP_DEFAULT_KEY_LEN + 1];
	struct tracker tr;
	struct syncmap *map = tmap_new(test, &tr, 0);

	KUNIT_EXPECT_EQ(test, tload(map, 1), -1);
	rcu_read_lock();
	KUNIT_EXPECT_NULL(test, syncmap_load(map, "k1", 0));
	KUNIT_EXPECT_NULL(test, syncmap_load(map, NULL, 3));
	KUNIT_EXPECT_NULL(test, syncmap_load(map, big, sizeof(big)));
	rcu_read_unlock();
	KUNIT_EXPECT_EQ(test, syncmap_len(map), 0);
	tmap_destroy_check(test, map, &tr);
}

static void store_then_load(struct kunit *test)
{
	struct tracker tr;
	struct syncmap *map = tmap_new(test, &tr, 0);

	KUNIT_ASSERT_EQ(test, tstore(test, map, &tr, 1, 100), 0);
	KUNIT_EXPECT_EQ(test, tload(map, 1), 100);
	KUNIT_EXPECT_EQ(test, tload(map, 2), -1);
	KUNIT_EXPECT_EQ(test, syncmap_len(map), 1);
	tmap_destroy_check(test, map, &tr);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&tr.released), 1);
}

static void store_overwrite_releases_old(struct kunit *test)
{
	struct tracker tr;
	struct syncmap *map = tmap_new(test, &tr, 0);

	KUNIT_ASSERT_EQ(test, tstore(test, map, &tr, 1, 100), 0);
	KUNIT_ASSERT_EQ(test, tstore(test, map, &tr, 1, 200), 0);
	KUNIT_EXPECT_EQ(test, tload(map, 1), 200);
	KUNIT_EXPECT_EQ(test, syncmap_len(map), 1);
	syncmap_synchronize(map);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&tr.released), 1);
	tmap_destroy_check(test, map, &tr);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&tr.released), 2);
}

static void store_rejects_bad_arguments(struct kunit *test)
{
	static const char big[SYNCMAP_DEFAULT_KEY_LEN + 1];
	struct tracker tr;
	struct syncmap *map = tmap_new(test, &tr, 0);
	struct tval *v = tval_new(test, &tr, 1);

	KUNIT_EXPECT_EQ(test, syncmap_store(map, "a", 1, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, syncmap_store(map, "a", 0, v), -EINVAL);
	KUNIT_EXPECT_EQ(test, syncmap_store(map, NULL, 1, v), -EINVAL);
	KUNIT_EXPECT_EQ(test, syncmap_store(map, big, sizeof(big), v), -E2BIG);
	KUNIT_EXPECT_EQ(test, syncmap_load_or_store(map, big, sizeof(big), v,
						    NULL), -E2BIG);
	KUNIT_EXPECT_EQ(test, syncmap_swap(map, "a", 1, NULL, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, syncmap_compare_and_swap(map, "a", 1, v, NULL),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, syncmap_len(map), 0);
	/* The failed calls left v with the caller. */
	KUNIT_EXPECT_EQ(test, syncmap_store(map, big, SYNCMAP_DEFAULT_KEY_LEN,
					    v), 0);
	KUNIT_EXPECT_EQ(test, syncmap_len(map), 1);
	tmap_destroy_check(test, map, &tr);
}

static void create_rejects_bad_params(struct kunit *test)
{
	struct syncmap_params p = { .max_key_len = SYNCMAP_MAX_KEY_LEN + 1 };
	struct syncmap *map;

	KUNIT_EXPECT_EQ(test, PTR_ERR(syncmap_create(&p)), -EINVAL);
	p.max_key_len = 0;
	p.mode = 01000;
	KUNIT_EXPECT_EQ(test, PTR_ERR(syncmap_create(&p)), -EINVAL);
	p.mode = 0;
	p.gfp = GFP_ATOMIC;
	KUNIT_EXPECT_EQ(test, PTR_ERR(syncmap_create(&p)), -EINVAL);
	/* NULL params: defaults, pointer values, nothing released. */
	map = syncmap_create(NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(map));
	KUNIT_EXPECT_EQ(test, syncmap_store(map, "x", 1, (void *)test), 0);
	rcu_read_lock();
	KUNIT_EXPECT_PTR_EQ(test, syncmap_load(map, "x", 1), (void *)test);
	rcu_read_unlock();
	syncmap_destroy(map);
}

static void key_length_limits(struct kunit *test)
{
	struct syncmap_params p = { .ops = &tval_ops, .max_key_len = 8 };
	struct tracker tr = {};
	struct syncmap *map;
	struct tval *v;

	p.priv = &tr;
	map = syncmap_create(&p);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(map));
	v = tval_new(test, &tr, 8);
	KUNIT_EXPECT_EQ(test, syncmap_store(map, "12345678", 8, v), 0);
	v = tval_new(test, &tr, 9);
	KUNIT_EXPECT_EQ(test, syncmap_store(map, "123456789", 9, v), -E2BIG);
	tval_free(v);
	KUNIT_EXPECT_EQ(test, syncmap_len(map), 1);
	tmap_destroy_check(test, map, &tr);
}

static void binary_keys_are_distinct(struct kunit *test)
{
	static const char a[] = { 'a', 0, 'b' };
	static const char b[] = { 'a', 0, 'c' };
	struct tracker tr;
	struct syncmap *map = tmap_new(test, &tr, 0);
	struct tval *va = tval_new(test, &tr, 1), *vb = tval_new(test, &tr, 2);
	struct tval *vc = tval_new(test, &tr, 3);

	KUNIT_EXPECT_EQ(test, syncmap_store(map, a, 3, va), 0);
	KUNIT_EXPECT_EQ(test, syncmap_store(map, b, 3, vb), 0);
	KUNIT_EXPECT_EQ(test, syncmap_store(map, a, 1, vc), 0);
	rcu_read_lock();
	KUNIT_EXPECT_PTR_EQ(test, syncmap_load(map, a, 3), (void *)va);
	KUNIT_EXPECT_PTR_EQ(test, syncmap_load(map, b, 3), (void *)vb);
	KUNIT_EXPECT_PTR_EQ(test, syncmap_load(map, a, 1), (void *)vc);
	KUNIT_EXPECT_NULL(test, syncmap_load(map, a, 2));
	rcu_read_unlock();
	KUNIT_EXPECT_EQ(test, syncmap_len(map), 3);
	tmap_destroy_check(test, map, &tr);
}

static void max_entries_enospc(struct kunit *test)
{
	struct tracker tr;
	struct syncmap *map = tmap_new(test, &tr, 3);
	struct tval *v;
	int i;

	for (i = 0; i < 3; i++)
		KUNIT_ASSERT_EQ(test, tstore(test, map, &tr, i, i), 0);
	KUNIT_EXPECT_EQ(test, tstore(test, map, &tr, 3, 3), -ENOSPC);
	v = tval_new(test, &tr, 3);
	KUNIT_EXPECT_EQ(test, syncmap_load_or_store(map, "k3", 2, v, NULL),
			-ENOSPC);
	KUNIT_EXPECT_EQ(test, syncmap_swap(map, "k3", 2, v, NULL), -ENOSPC);
	tval_free(v);
	/* Overwriting a present key is not an insert. */
	KUNIT_EXPECT_EQ(test, tstore(test, map, &tr, 0, 10), 0);
	KUNIT_EXPECT_EQ(test, syncmap_len(map), 3);

	/* Promote so that key 1 is in the read snapshot, then delete it. */
	tmap_promote(map);
	KUNIT_EXPECT_EQ(test, syncmap_delete(map, "k1", 2), 1);
	KUNIT_EXPECT_EQ(test, tstore(test, map, &tr, 3, 3), 0);
	/* Key 1's deleted entry is still in the snapshot: full on that path too. */
	KUNIT_EXPECT_EQ(test, tstore(test, map, &tr, 1, 1), -ENOSPC);
	KUNIT_EXPECT_EQ(test, syncmap_len(map), 3);
	KUNIT_EXPECT_EQ(test, tload(map, 3), 3);
	KUNIT_EXPECT_EQ(test, tload(map, 1), -1);
	tmap_destroy_check(test, map, &tr);
}

static void load_or_store_absent_stores(struct kunit *test)
{
	struct tracker tr;
	struct syncmap *map = tmap_new(test, &tr, 0);
	struct tval *v = tval_new(test, &tr, 5);
	void *actual = NULL;

	KUNIT_EXPECT_EQ(test, syncmap_load_or_store(map, "k1", 2, v, &actual),
			0);
	KUNIT_EXPECT_PTR_EQ(test, actual, (void *)v);
	KUNIT_EXPECT_EQ(test, tload(map, 1), 5);
	KUNIT_EXPECT_EQ(test, syncmap_len(map), 1);
	tmap_destroy_check(test, map, &tr);
}

static void load_or_store_present_loads(struct kunit *test)
{
	struct tracker tr;
	struct syncmap *map = tmap_new(test, &tr, 0);
	struct tval *v = tval_new(test, &tr, 5), *w = tval_new(test, &tr, 6);
	void *actual = NULL;

	KUNIT_ASSERT_EQ(test, syncmap_store(map, "k1", 2, v), 0);
	KUNIT_EXPECT_EQ(test, syncmap_load_or_store(map, "k1", 2, w, &actual),
			1);
	KUNIT_EXPECT_PTR_EQ(test, actual, (void *)v);
	KUNIT_EXPECT_EQ(test, tload(map, 1), 5);
	tval_free(w);	/* not taken */
	/* Same again once the key sits in the read snapshot. */
	tmap_promote(map);
	w = tval_new(test, &tr, 7);
	KUNIT_EXPECT_EQ(test, syncmap_load_or_store(map, "k1", 2, w, &actual),
			1);
	KUNIT_EXPECT_PTR_EQ(test, actual, (void *)v);
	tval_free(w);
	tmap_destroy_check(test, map, &tr);
}

static void load_and_delete(struct kunit *test)
{
	struct tracker tr;
	struct syncmap *map = tmap_new(test, &tr, 0);
	void *old = NULL;
	int idx;

	KUNIT_ASSERT_EQ(test, tstore(test, map, &tr, 1, 11), 0);
	idx = syncmap_read_lock(map);
	KUNIT_EXPECT_EQ(test, syncmap_load_and_delete(map, "k1", 2, &old), 1);
	KUNIT_ASSERT_NOT_NULL(test, old);
	KUNIT_EXPECT_EQ(test, ((struct tval *)old)->n, 11);
	syncmap_read_unlock(map, idx);
	KUNIT_EXPECT_EQ(test, syncmap_load_and_delete(map, "k1", 2, &old), 0);
	KUNIT_EXPECT_EQ(test, tload(map, 1), -1);
	KUNIT_EXPECT_EQ(test, syncmap_len(map), 0);
	syncmap_synchronize(map);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&tr.released), 1);
	tmap_destroy_check(test, map, &tr);
}

static void delete_present_and_missing(struct kunit *test)
{
	struct tracker tr;
	struct syncmap *map = tmap_new(test, &tr, 0);

	KUNIT_EXPECT_EQ(test, syncmap_delete(map, "k1", 2), 0);
	KUNIT_ASSERT_EQ(test, tstore(test, map, &tr, 1, 1), 0);
	tmap_promote(map);	/* into the read snapshot */
	KUNIT_EXPECT_EQ(test, syncmap_delete(map, "k1", 2), 1);
	KUNIT_EXPECT_EQ(test, syncmap_delete(map, "k1", 2), 0);
	KUNIT_EXPECT_EQ(test, syncmap_len(map), 0);
	KUNIT_EXPECT_EQ(test, syncmap_delete(map, "", 0), 0);
	tmap_destroy_check(test, map, &tr);
}

static void swap_new_and_existing(struct kunit *test)
{
	struct tracker tr;
	struct syncmap *map = tmap_new(test, &tr, 0);
	struct tval *a = tval_new(test, &tr, 1), *b = tval_new(test, &tr, 2);
	void *prev = (void *)test;
	int idx;

	KUNIT_EXPECT_EQ(test, syncmap_swap(map, "k", 1, a, &prev), 0);
	KUNIT_EXPECT_NULL(test, prev);		/* the key was new */
	idx = syncmap_read_lock(map);
	KUNIT_EXPECT_EQ(test, syncmap_swap(map, "k", 1, b, &prev), 1);
	KUNIT_EXPECT_PTR_EQ(test, prev, (void *)a);
	KUNIT_EXPECT_EQ(test, ((struct tval *)prev)->n, 1);
	syncmap_read_unlock(map, idx);
	rcu_read_lock();
	KUNIT_EXPECT_PTR_EQ(test, syncmap_load(map, "k", 1), (void *)b);
	rcu_read_unlock();
	tmap_destroy_check(test, map, &tr);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&tr.released), 2);
}

/*
 * The condition of the _if operations: answers @verdict, counting its
 * calls and remembering the last value it was shown.
 */
struct cond {
	bool verdict;
	unsigned int calls;
	const void *seen;
};

static bool cond_accept(const void *value, void *arg)
{
	struct cond *c = arg;

	c->calls++;
	c->seen = value;
	return c->verdict;
}

/* Swap_if on an absent, a dirty-only and a read-snapshot key. */
static void swap_if_accepts_and_rejects(struct kunit *test)
{
	struct tracker tr;
	struct syncmap *map = tmap_new(test, &tr, 0);
	struct tval *a = tval_new(test, &tr, 1), *b = tval_new(test, &tr, 2);
	struct tval *c = tval_new(test, &tr, 3);
	struct cond no = { .verdict = false }, yes = { .verdict = true };
	void *prev = (void *)test;
	int idx, round;

	/* Absent: the condition is not asked, the value goes in. */
	KUNIT_EXPECT_EQ(test, syncmap_swap_if(map, "k1", 2, a, &prev,
					      cond_accept, &no), 0);
	KUNIT_EXPECT_NULL(test, prev);
	KUNIT_EXPECT_EQ(test, no.calls, 0);
	KUNIT_EXPECT_EQ(test, tload(map, 1), 1);

	/* Round 0: k1 only in the dirty map; round 1: in the read snapshot. */
	for (round = 0; round < 2; round++) {
		if (round)
			tmap_promote(map);
		no.calls = 0;
		no.seen = NULL;
		prev = (void *)test;
		KUNIT_EXPECT_EQ(test, syncmap_swap_if(map, "k1", 2, b, &prev,
						      cond_accept, &no),
				-ECANCELED);
		KUNIT_EXPECT_EQ(test, no.calls, 1);
		KUNIT_EXPECT_PTR_EQ(test, no.seen, (const void *)a);
		KUNIT_EXPECT_PTR_EQ(test, prev, (void *)test);	/* not set */
		KUNIT_EXPECT_EQ(test, tload(map, 1), 1);
		KUNIT_EXPECT_EQ(test, syncmap_len(map), 1);
		syncmap_synchronize(map);
		KUNIT_EXPECT_EQ(test, atomic_long_read(&tr.released), 0);
	}

	/* Accepted: a value replaced, b the map's. */
	idx = syncmap_read_lock(map);
	KUNIT_EXPECT_EQ(test, syncmap_swap_if(map, "k1", 2, b, &prev,
					      cond_accept, &yes), 1);
	KUNIT_EXPECT_EQ(test, yes.calls, 1);
	KUNIT_EXPECT_PTR_EQ(test, yes.seen, (const void *)a);
	KUNIT_EXPECT_PTR_EQ(test, prev, (void *)a);
	KUNIT_EXPECT_EQ(test, ((struct tval *)prev)->n, 1);
	syncmap_read_unlock(map, idx);
	KUNIT_EXPECT_EQ(test, tload(map, 1), 2);
	KUNIT_EXPECT_EQ(test, syncmap_len(map), 1);
	syncmap_synchronize(map);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&tr.released), 1);

	/* Bad arguments come before the condition. */
	KUNIT_EXPECT_EQ(test, syncmap_swap_if(map, "k1", 2, NULL, NULL,
					      cond_accept, &yes), -EINVAL);
	KUNIT_EXPECT_EQ(test, syncmap_swap_if(map, "", 0, c, NULL,
					      cond_accept, &yes), -EINVAL);
	KUNIT_EXPECT_EQ(test, yes.calls, 1);
	tval_free(c);
	tmap_destroy_check(test, map, &tr);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&tr.released), 2);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&tr.freed), 1);
}

/*
 * An entry of the read snapshot that was deleted and then expunged by a
 * dirty-map build is absent: Swap_if puts it back without asking.  With a
 * full map a rejected present value is -ECANCELED, an absent key -ENOSPC.
 */
static void swap_if_expunged_and_full(struct kunit *test)
{
	struct tracker tr;
	struct syncmap *map = tmap_new(test, &tr, 2);
	struct cond no = { .verdict = false };
	struct tval *v = tval_new(test, &tr, 7);
	struct syncmap_stats st;

	KUNIT_ASSERT_EQ(test, tstore(test, map, &tr, 1, 1), 0);
	tmap_promote(map);
	KUNIT_ASSERT_EQ(test, tdelete(map, 1), 1);
	KUNIT_ASSERT_EQ(test, tstore(test, map, &tr, 2, 2), 0);
	syncmap_synchronize(map);
	st = tstats(map);
	KUNIT_ASSERT_EQ(test, st.expunged, 1);
	KUNIT_EXPECT_EQ(test, syncmap_swap_if(map, "k1", 2, v, NULL,
					      cond_accept, &no), 0);
	KUNIT_EXPECT_EQ(test, no.calls, 0);
	KUNIT_EXPECT_EQ(test, tload(map, 1), 7);
	KUNIT_EXPECT_EQ(test, syncmap_len(map), 2);

	v = tval_new(test, &tr, 8);
	KUNIT_EXPECT_EQ(test, syncmap_swap_if(map, "k1", 2, v, NULL,
					      cond_accept, &no), -ECANCELED);
	KUNIT_EXPECT_EQ(test, syncmap_swap_if(map, "k3", 2, v, NULL,
					      cond_accept, &no), -ENOSPC);
	KUNIT_EXPECT_EQ(test, no.calls, 1);
	tval_free(v);
	KUNIT_EXPECT_EQ(test, tload(map, 1), 7);
	KUNIT_EXPECT_EQ(test, syncmap_len(map), 2);
	tmap_destroy_check(test, map, &tr);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&tr.released), 3);
}

/* LoadAndDelete_if on an absent, a dirty-only and a read-snapshot key. */
static void load_and_delete_if_accepts_and_rejects(struct kunit *test)
{
	struct tracker tr;
	struct syncmap *map = tmap_new(test, &tr, 0);
	struct cond no = { .verdict = false }, yes = { .verdict = true };
	void *old;
	int idx, round;

	/* Absent, with and without a dirty map: not asked. */
	KUNIT_EXPECT_EQ(test, syncmap_load_and_delete_if(map, "k1", 2, NULL,
							 cond_accept, &no), 0);
	KUNIT_ASSERT_EQ(test, tstore(test, map, &tr, 9, 9), 0);
	KUNIT_EXPECT_EQ(test, syncmap_load_and_delete_if(map, "k1", 2, NULL,
							 cond_accept, &no), 0);
	KUNIT_EXPECT_EQ(test, syncmap_load_and_delete_if(map, "", 0, NULL,
							 cond_accept, &no), 0);
	KUNIT_EXPECT_EQ(test, no.calls, 0);

	/* Round 0: key 1 only in the dirty map; round 1: in the snapshot. */
	for (round = 0; round < 2; round++) {
		KUNIT_ASSERT_EQ(test, tstore(test, map, &tr, 1, 10 + round),
				0);
		if (round)
			tmap_promote(map);
		no.calls = 0;
		old = (void *)test;
		KUNIT_EXPECT_EQ(test, syncmap_load_and_delete_if(map, "k1", 2,
								 &old,
								 cond_accept,
								 &no),
				-ECANCELED);
		KUNIT_EXPECT_EQ(test, no.calls, 1);
		KUNIT_EXPECT_PTR_EQ(test, old, (void *)test);
		KUNIT_EXPECT_EQ(test, tload(map, 1), 10 + round);
		KUNIT_EXPECT_EQ(test, syncmap_len(map), 2);

		yes.calls = 0;
		idx = syncmap_read_lock(map);
		KUNIT_EXPECT_EQ(test, syncmap_load_and_delete_if(map, "k1", 2,
								 &old,
								 cond_accept,
								 &yes), 1);
		KUNIT_EXPECT_EQ(test, yes.calls, 1);
		KUNIT_EXPECT_PTR_EQ(test, yes.seen, (const void *)old);
		KUNIT_EXPECT_EQ(test, ((struct tval *)old)->n, 10 + round);
		syncmap_read_unlock(map, idx);
		KUNIT_EXPECT_EQ(test, tload(map, 1), -1);
		KUNIT_EXPECT_EQ(test, syncmap_len(map), 1);
		syncmap_synchronize(map);
		KUNIT_EXPECT_EQ(test, atomic_long_read(&tr.released),
				round + 1);
	}
	tmap_destroy_check(test, map, &tr);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&tr.released), 3);
}

static void compare_and_swap_missing_never_inserts(struct kunit *test)
{
	struct tracker tr;
	struct syncmap *map = tmap_new(test, &tr, 0);
	struct tval *a = tval_new(test, &tr, 1), *b = tval_new(test, &tr, 2);

	KUNIT_EXPECT_EQ(test, syncmap_compare_and_swap(map, "k", 1, a, b), 0);
	KUNIT_EXPECT_EQ(test, syncmap_len(map), 0);
	rcu_read_lock();
	KUNIT_EXPECT_NULL(test, syncmap_load(map, "k", 1));
	rcu_read_unlock();
	/* Also when a dirty map exists (amended) and when it does not. */
	KUNIT_ASSERT_EQ(test, tstore(test, map, &tr, 9, 9), 0);
	KUNIT_EXPECT_EQ(test, syncmap_compare_and_swap(map, "k", 1, a, b), 0);
	tmap_promote(map);
	KUNIT_EXPECT_EQ(test, syncmap_compare_and_swap(map, "k", 1, a, b), 0);
	KUNIT_EXPECT_EQ(test, syncmap_len(map), 1);
	tval_free(a);
	tval_free(b);
	tmap_destroy_check(test, map, &tr);
}

static void compare_and_swap_match_and_mismatch(struct kunit *test)
{
	struct tracker tr;
	struct syncmap *map = tmap_new(test, &tr, 0);
	struct tval *a = tval_new(test, &tr, 1), *b = tval_new(test, &tr, 2);
	struct tval *c = tval_new(test, &tr, 3);

	KUNIT_ASSERT_EQ(test, syncmap_store(map, "k", 1, a), 0);
	KUNIT_EXPECT_EQ(test, syncmap_compare_and_swap(map, "k", 1, b, c), 0);
	KUNIT_EXPECT_EQ(test, syncmap_compare_and_swap(map, "k", 1, a, b), 1);
	/* a was released by the map; b is in, c still ours. */
	KUNIT_EXPECT_EQ(test, syncmap_compare_and_swap(map, "k", 1, b, c), 1);
	rcu_read_lock();
	KUNIT_EXPECT_PTR_EQ(test, syncmap_load(map, "k", 1), (void *)c);
	rcu_read_unlock();
	syncmap_synchronize(map);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&tr.released), 2);
	KUNIT_EXPECT_EQ(test, syncmap_len(map), 1);
	tmap_destroy_check(test, map, &tr);
}

static void compare_and_delete_cases(struct kunit *test)
{
	struct tracker tr;
	struct syncmap *map = tmap_new(test, &tr, 0);
	struct tval *a = tval_new(test, &tr, 1), *b = tval_new(test, &tr, 2);

	KUNIT_EXPECT_EQ(test, syncmap_compare_and_delete(map, "k", 1, a), 0);
	KUNIT_EXPECT_EQ(test, syncmap_len(map), 0);
	KUNIT_ASSERT_EQ(test, syncmap_store(map, "k", 1, a), 0);
	KUNIT_EXPECT_EQ(test, syncmap_compare_and_delete(map, "k", 1, b), 0);
	KUNIT_EXPECT_EQ(test, tload(map, 0), -1);
	KUNIT_EXPECT_EQ(test, syncmap_compare_and_delete(map, "k", 1, a), 1);
	KUNIT_EXPECT_EQ(test, syncmap_compare_and_delete(map, "k", 1, a), 0);
	KUNIT_EXPECT_EQ(test, syncmap_len(map), 0);
	tval_free(b);
	tmap_destroy_check(test, map, &tr);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&tr.released), 1);
}

static void compare_uses_equal_callback(struct kunit *test)
{
	struct tracker tr;
	struct syncmap *map = tmap_new_ops(test, &tr, &tval_content_ops, 0);
	struct tval *a = tval_new(test, &tr, 1), *a2 = tval_new(test, &tr, 1);
	struct tval *b = tval_new(test, &tr, 2);

	KUNIT_ASSERT_EQ(test, syncmap_store(map, "k", 1, a), 0);
	/* a2 is another object with a's payload: equal by content. */
	KUNIT_EXPECT_EQ(test, syncmap_compare_and_swap(map, "k", 1, a2, b), 1);
	KUNIT_EXPECT_EQ(test, syncmap_compare_and_delete(map, "k", 1, a2), 0);
	a2->n = 2;
	KUNIT_EXPECT_EQ(test, syncmap_compare_and_delete(map, "k", 1, a2), 1);
	tval_free(a2);
	tmap_destroy_check(test, map, &tr);
}

static void blob_values(struct kunit *test)
{
	struct syncmap_params p = { .ops = &syncmap_blob_ops };
	struct syncmap_blob *x, *y, *z;
	struct syncmap *map = syncmap_create(&p);
	struct syncmap_blob *got;

	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(map));
	x = syncmap_blob_alloc("hello", 5, GFP_KERNEL);
	y = syncmap_blob_alloc("hello", 5, GFP_KERNEL);
	z = syncmap_blob_alloc("world!", 6, GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, x && y && z);
	KUNIT_EXPECT_EQ(test, syncmap_store(map, "k", 1, x), 0);
	KUNIT_EXPECT_EQ(test, syncmap_compare_and_swap(map, "k", 1, y, z), 1);
	rcu_read_lock();
	got = syncmap_load(map, "k", 1);
	KUNIT_EXPECT_EQ(test, got->len, 6);
	KUNIT_EXPECT_EQ(test, memcmp(got->data, "world!", 6), 0);
	rcu_read_unlock();
	KUNIT_EXPECT_EQ(test, syncmap_compare_and_delete(map, "k", 1, y), 0);
	syncmap_blob_free(y);
	syncmap_destroy(map);
}

static void clear_empties_and_releases(struct kunit *test)
{
	struct tracker tr;
	struct syncmap *map = tmap_new(test, &tr, 0);
	int i;

	KUNIT_EXPECT_EQ(test, syncmap_clear(map), 0);	/* empty: no-op */
	for (i = 0; i < 50; i++)
		KUNIT_ASSERT_EQ(test, tstore(test, map, &tr, i, i), 0);
	tmap_promote(map);		/* half in read ... */
	for (i = 50; i < 100; i++)		/* ... half in dirty */
		KUNIT_ASSERT_EQ(test, tstore(test, map, &tr, i, i), 0);
	KUNIT_EXPECT_EQ(test, syncmap_clear(map), 0);
	KUNIT_EXPECT_EQ(test, syncmap_len(map), 0);
	for (i = 0; i < 100; i++)
		KUNIT_EXPECT_EQ(test, tload(map, i), -1);
	syncmap_synchronize(map);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&tr.released), 100);
	KUNIT_EXPECT_EQ(test, tstore(test, map, &tr, 7, 70), 0);
	KUNIT_EXPECT_EQ(test, tload(map, 7), 70);
	KUNIT_EXPECT_EQ(test, syncmap_len(map), 1);
	tmap_destroy_check(test, map, &tr);
}

struct range_seen {
	struct kunit *test;
	struct syncmap *map;
	struct tracker *tr;
	u8 seen[256];
	unsigned int visits;
	unsigned int stop_after;
	int action;
};

static bool range_record(const void *key, size_t len, void *value, void *arg)
{
	struct range_seen *rs = arg;
	struct tval *v = value;
	unsigned long n;
	char buf[24];

	memcpy(buf, key, min(len, sizeof(buf) - 1));
	buf[min(len, sizeof(buf) - 1)] = '\0';
	if (kstrtoul(buf + 1, 10, &n) || n >= ARRAY_SIZE(rs->seen)) {
		KUNIT_FAIL(rs->test, "range gave unknown key %s", buf);
		return false;
	}
	rs->seen[n]++;
	rs->visits++;
	KUNIT_EXPECT_EQ(rs->test, v->n % 1000, n);
	switch (rs->action) {
	case 1:		/* store: overwrite self, add a new key */
		KUNIT_EXPECT_EQ(rs->test, tstore(rs->test, rs->map, rs->tr, n,
						 1000 + n), 0);
		KUNIT_EXPECT_EQ(rs->test, tstore(rs->test, rs->map, rs->tr,
						 200 + n % 50, 200 + n % 50), 0);
		break;
	case 2:		/* delete self and the next key */
		KUNIT_EXPECT_EQ(rs->test, syncmap_delete(rs->map, key, len), 1);
		{
			struct tkey k;

			tkey_set(&k, n + 1);
			syncmap_delete(rs->map, k.buf, k.len);
		}
		break;
	case 3:		/* nested range */
		{
			struct range_seen inner = { .test = rs->test };

			syncmap_range(rs->map, range_record, &inner);
			rs->stop_after += inner.visits;
		}
		break;
	case 4:		/* clear from inside */
		KUNIT_EXPECT_EQ(rs->test, syncmap_clear(rs->map), 0);
		break;
	}
	return !(rs->action == 0 && rs->stop_after &&
		 rs->visits >= rs->stop_after);
}

static struct syncmap *range_map(struct kunit *test, struct tracker *tr,
				 int n)
{
	struct syncmap *map = tmap_new(test, tr, 0);
	int i;

	for (i = 0; i < n; i++) {
		KUNIT_ASSERT_EQ(test, tstore(test, map, tr, i, i), 0);
		if (i == n / 2)
			tmap_promote(map);
	}
	return map;
}

static bool range_count(const void *key, size_t len, void *value, void *arg)
{
	(*(int *)arg)++;
	return true;
}

static void range_visits_every_key_once(struct kunit *test)
{
	struct range_seen rs = { .test = test };
	struct tracker tr;
	struct syncmap *map = range_map(test, &tr, 100);
	int i;

	syncmap_range(map, range_record, &rs);
	for (i = 0; i < 100; i++)
		KUNIT_EXPECT_EQ_MSG(test, rs.seen[i], 1, "key %d", i);
	KUNIT_EXPECT_EQ(test, rs.visits, 100);
	tmap_destroy_check(test, map, &tr);
}

static void range_stops_when_told(struct kunit *test)
{
	struct range_seen rs = { .test = test, .stop_after = 7 };
	struct tracker tr;
	struct syncmap *map = range_map(test, &tr, 40);

	syncmap_range(map, range_record, &rs);
	KUNIT_EXPECT_EQ(test, rs.visits, 7);
	tmap_destroy_check(test, map, &tr);
}

static void range_callback_may_store(struct kunit *test)
{
	struct tracker tr;
	struct syncmap *map = range_map(test, &tr, 100);
	struct range_seen rs = { .test = test, .map = map, .tr = &tr,
				 .action = 1 };
	int i;

	syncmap_range(map, range_record, &rs);
	/* Keys 0..99 present throughout: each seen exactly once. */
	for (i = 0; i < 100; i++) {
		KUNIT_EXPECT_EQ_MSG(test, rs.seen[i], 1, "key %d", i);
		KUNIT_EXPECT_EQ(test, tload(map, i), 1000 + i);
	}
	for (i = 200; i < 250; i++)
		KUNIT_EXPECT_EQ(test, tload(map, i), i);
	KUNIT_EXPECT_EQ(test, syncmap_len(map), 150);
	tmap_destroy_check(test, map, &tr);
}

static void range_callback_may_delete(struct kunit *test)
{
	struct tracker tr;
	struct syncmap *map = range_map(test, &tr, 100);
	struct range_seen rs = { .test = test, .map = map, .tr = &tr,
				 .action = 2 };
	int i;

	syncmap_range(map, range_record, &rs);
	for (i = 0; i < 100; i++)
		KUNIT_EXPECT_LE_MSG(test, rs.seen[i], 1, "key %d", i);
	KUNIT_EXPECT_EQ(test, syncmap_len(map), 0);
	KUNIT_EXPECT_GE(test, rs.visits, 50);
	tmap_destroy_check(test, map, &tr);
}

static void range_nested(struct kunit *test)
{
	struct tracker tr;
	struct syncmap *map = range_map(test, &tr, 20);
	struct range_seen rs = { .test = test, .map = map, .tr = &tr,
				 .action = 3 };

	syncmap_range(map, range_record, &rs);
	KUNIT_EXPECT_EQ(test, rs.visits, 20);
	KUNIT_EXPECT_EQ(test, rs.stop_after, 20 * 20);
	tmap_destroy_check(test, map, &tr);
}

static void range_callback_may_clear(struct kunit *test)
{
	struct tracker tr;
	struct syncmap *map = range_map(test, &tr, 30);
	struct range_seen rs = { .test = test, .map = map, .tr = &tr,
				 .action = 4 };
	int n = 0;

	syncmap_range(map, range_record, &rs);
	KUNIT_EXPECT_EQ(test, rs.visits, 1);
	KUNIT_EXPECT_EQ(test, syncmap_len(map), 0);
	syncmap_range(map, range_count, &n);
	KUNIT_EXPECT_EQ(test, n, 0);
	tmap_destroy_check(test, map, &tr);
}

/* ---- loads outside process context ---------------------------------- */

struct softirq_probe {
	struct timer_list timer;
	struct syncmap *map;
	s64 got;
	bool in_softirq;
	struct completion done;
};

static void softirq_probe_fn(struct timer_list *t)
{
	struct softirq_probe *p = from_timer(p, t, timer);
	struct tval *v;

	p->in_softirq = in_serving_softirq();
	rcu_read_lock();
	v = syncmap_load(p->map, "k5", 2);
	p->got = v ? v->n : -1;
	rcu_read_unlock();
	complete(&p->done);
}

static void load_from_timer_softirq(struct kunit *test)
{
	struct softirq_probe p = { .got = -2 };
	struct tracker tr;
	struct syncmap *map = tmap_new(test, &tr, 0);

	KUNIT_ASSERT_EQ(test, tstore(test, map, &tr, 5, 55), 0);
	p.map = map;
	init_completion(&p.done);
	timer_setup_on_stack(&p.timer, softirq_probe_fn, 0);
	mod_timer(&p.timer, jiffies + 1);
	wait_for_completion(&p.done);
	del_timer_sync(&p.timer);
	destroy_timer_on_stack(&p.timer);
	KUNIT_EXPECT_TRUE(test, p.in_softirq);
	KUNIT_EXPECT_EQ(test, p.got, 55);
	tmap_destroy_check(test, map, &tr);
}

static void load_with_bh_and_irqs_disabled(struct kunit *test)
{
	struct tracker tr;
	struct syncmap *map = tmap_new(test, &tr, 0);
	unsigned long flags;
	s64 a, b, c;

	KUNIT_ASSERT_EQ(test, tstore(test, map, &tr, 1, 10), 0);
	tmap_promote(map);
	KUNIT_ASSERT_EQ(test, tstore(test, map, &tr, 2, 20), 0);	/* dirty */
	local_bh_disable();
	a = tload(map, 1);
	b = tload(map, 2);
	local_bh_enable();
	local_irq_save(flags);
	c = tload(map, 2);
	local_irq_restore(flags);
	KUNIT_EXPECT_EQ(test, a, 10);
	KUNIT_EXPECT_EQ(test, b, 20);
	KUNIT_EXPECT_EQ(test, c, 20);
	tmap_destroy_check(test, map, &tr);
}

static struct kunit_case syncmap_ops_cases[] = {
	KUNIT_CASE(load_missing),
	KUNIT_CASE(store_then_load),
	KUNIT_CASE(store_overwrite_releases_old),
	KUNIT_CASE(store_rejects_bad_arguments),
	KUNIT_CASE(create_rejects_bad_params),
	KUNIT_CASE(key_length_limits),
	KUNIT_CASE(binary_keys_are_distinct),
	KUNIT_CASE(max_entries_enospc),
	KUNIT_CASE(load_or_store_absent_stores),
	KUNIT_CASE(load_or_store_present_loads),
	KUNIT_CASE(load_and_delete),
	KUNIT_CASE(delete_present_and_missing),
	KUNIT_CASE(swap_new_and_existing),
	KUNIT_CASE(swap_if_accepts_and_rejects),
	KUNIT_CASE(swap_if_expunged_and_full),
	KUNIT_CASE(load_and_delete_if_accepts_and_rejects),
	KUNIT_CASE(compare_and_swap_missing_never_inserts),
	KUNIT_CASE(compare_and_swap_match_and_mismatch),
	KUNIT_CASE(compare_and_delete_cases),
	KUNIT_CASE(compare_uses_equal_callback),
	KUNIT_CASE(blob_values),
	KUNIT_CASE(clear_empties_and_releases),
	KUNIT_CASE(range_visits_every_key_once),
	KUNIT_CASE(range_stops_when_told),
	KUNIT_CASE(range_callback_may_store),
	KUNIT_CASE(range_callback_may_delete),
	KUNIT_CASE(range_nested),
	KUNIT_CASE(range_callback_may_clear),
	KUNIT_CASE(load_from_timer_softirq),
	KUNIT_CASE(load_with_bh_and_irqs_disabled),
	{}
};

struct kunit_suite syncmap_ops_suite = {
	.name = "syncmap_ops",
	.test_cases = syncmap_ops_cases,
};
