// SPDX-License-Identifier: GPL-2.0
/*
 * Races made to happen every time: a test hook of the core
 * (syncmap_test_hooks.h) stops a lock-free load at a chosen point, and the
 * test changes the map there, as a writer on another CPU could while the
 * reader is preempted or interrupted.
 */
#include <syncmap_test_hooks.h>

#include "syncmap_test.h"

/* A load inside the caller's syncmap_read_lock() only: hooks may sleep. */
static s64 sload(struct syncmap *map, u64 key)
{
	struct tkey k;
	struct tval *v;

	tkey_set(&k, key);
	v = syncmap_load(map, k.buf, k.len);
	return v ? v->n : -1;
}

static bool range_stop(const void *key, size_t key_len, void *value,
		       void *arg)
{
	return false;
}

struct probe_pause {
	struct kunit *test;
	unsigned int fired;
	u64 growing_before;
	u64 growing_after;
};

/*
 * Between the reader's probe of the growing dirty map and its look at the
 * old table: finish the move.  syncmap_range() does it (it completes the
 * dirty map, then promotes it), the same work a writer on another CPU
 * does a slice at a time.  Only the first miss pauses.
 */
static void finish_growth_between_probes(struct syncmap *map, void *arg)
{
	struct probe_pause *pp = arg;

	if (pp->fired++)
		return;
	pp->growing_before = tstats(map).growing;
	syncmap_range(map, range_stop, NULL);
	pp->growing_after = tstats(map).growing;
}

/*
 * Review finding 1: a key that lives only in a growing dirty map, present
 * before, during and after a syncmap_load(), must be found even when the
 * growth finishes between the load's probe of the new table and its look
 * at the old one.  The load is paused there by the hook; the key was not
 * moved yet (the first probe missed), and the growth then ends.
 */
static void load_finds_key_moved_during_probe(struct kunit *test)
{
	struct syncmap_test_hooks hooks = {
		.load_between_probes = finish_growth_between_probes,
	};
	struct probe_pause pp = { .test = test };
	unsigned int attempt, base = 4000, i, last, hit = 0;
	struct tracker tr;
	struct syncmap *map;
	s64 got;
	int idx;

	hooks.arg = &pp;
	/*
	 * The work item may finish a growth before the loads below get to
	 * it; then no load pauses and the attempt is tried again.
	 */
	for (attempt = 0; attempt < 8 && !pp.fired; attempt++) {
		map = tmap_new(test, &tr, 0);
		for (i = 0; i < base; i++)
			KUNIT_ASSERT_EQ(test, tstore(test, map, &tr, i, i), 0);
		tmap_promote(map);
		/* New keys go to the dirty map until it grows. */
		for (last = base; !tstats(map).growing; last++) {
			KUNIT_ASSERT_LT(test, last, 4 * base);
			KUNIT_ASSERT_EQ(test,
					tstore(test, map, &tr, last, last), 0);
		}
		idx = syncmap_read_lock(map);
		syncmap_set_test_hooks(map, &hooks);
		for (i = base; i < last && !pp.fired; i++) {
			got = sload(map, i);
			if (pp.fired) {
				hit = i;
				KUNIT_EXPECT_EQ_MSG(test, got, i,
						    "key %u lost while its table grew",
						    i);
			} else {
				KUNIT_EXPECT_EQ(test, got, i);
			}
		}
		syncmap_set_test_hooks(map, NULL);
		syncmap_read_unlock(map, idx);
		for (i = 0; i < last; i++)
			KUNIT_EXPECT_EQ(test, tload(map, i), i);
		tmap_destroy_check(test, map, &tr);
	}
	KUNIT_ASSERT_TRUE_MSG(test, pp.fired,
			      "no load met a growing dirty map in %u attempts",
			      attempt);
	/* The interleaving really happened: growing at the pause, then done. */
	KUNIT_EXPECT_EQ(test, pp.growing_before, 1);
	KUNIT_EXPECT_EQ(test, pp.growing_after, 0);
	kunit_info(test, "paused on key %u, attempt %u", hit, attempt);
}

static struct kunit_case syncmap_race_cases[] = {
	KUNIT_CASE_SLOW(load_finds_key_moved_during_probe),
	{}
};

struct kunit_suite syncmap_race_suite = {
	.name = "syncmap_race",
	.test_cases = syncmap_race_cases,
};
