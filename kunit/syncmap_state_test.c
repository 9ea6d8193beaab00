// SPDX-License-Identifier: GPL-2.0
/*
 * The state machine of Go's design, checked through syncmap_fill_stats():
 * amended dirty maps, promotion after misses, expunging while a dirty map
 * is built, unexpunging on a later store, Clear, and lazy deletion that
 * does not pile up.
 */
#include <linux/delay.h>
#include <linux/jiffies.h>

#include "syncmap_test.h"

/*
 * Wait until the counter at @offset of the stats reaches @want: promotion
 * and the dirty-map copy finish in a work item.  Gives up after 10 s.
 */
static void wait_stat(struct kunit *test, struct syncmap *map, size_t offset,
		      u64 want)
{
	unsigned long end = jiffies + 10 * HZ;
	struct syncmap_stats st;
	u64 got;

	for (;;) {
		st = tstats(map);
		got = *(u64 *)((char *)&st + offset);
		if (got >= want || time_after(jiffies, end))
			break;
		msleep(20);
	}
	KUNIT_EXPECT_GE_MSG(test, got, want, "stat at %zu timed out", offset);
}

static void new_key_amends(struct kunit *test)
{
	struct tracker tr;
	struct syncmap *map = tmap_new(test, &tr, 0);
	struct syncmap_stats st = tstats(map);

	KUNIT_EXPECT_EQ(test, st.amended, 0);
	KUNIT_EXPECT_EQ(test, st.dirty_rebuilds, 0);
	KUNIT_ASSERT_EQ(test, tstore(test, map, &tr, 1, 1), 0);
	st = tstats(map);
	KUNIT_EXPECT_EQ(test, st.amended, 1);
	KUNIT_EXPECT_EQ(test, st.dirty_entries, 1);
	KUNIT_EXPECT_EQ(test, st.read_entries, 0);
	KUNIT_EXPECT_EQ(test, st.dirty_rebuilds, 1);
	KUNIT_EXPECT_EQ(test, st.len, 1);
	tmap_destroy_check(test, map, &tr);
}

static void locked_misses_promote(struct kunit *test)
{
	struct tracker tr;
	struct syncmap *map = tmap_new(test, &tr, 0);
	struct syncmap_stats st;
	struct tval *v;
	int i;

	for (i = 0; i < 4; i++)
		KUNIT_ASSERT_EQ(test, tstore(test, map, &tr, i, i), 0);
	/*
	 * LoadOrStore of a key only the dirty map has counts a miss under
	 * the lock; the fourth miss reaches len(dirty) and promotes.
	 */
	v = tval_new(test, &tr, 99);
	for (i = 0; i < 3; i++) {
		KUNIT_EXPECT_EQ(test, syncmap_load_or_store(map, "k0", 2, v,
							    NULL), 1);
		KUNIT_EXPECT_EQ(test, tstats(map).promotions, 0);
	}
	KUNIT_EXPECT_EQ(test, syncmap_load_or_store(map, "k0", 2, v, NULL), 1);
	tval_free(v);
	st = tstats(map);
	KUNIT_EXPECT_EQ(test, st.promotions, 1);
	KUNIT_EXPECT_EQ(test, st.amended, 0);
	KUNIT_EXPECT_EQ(test, st.read_entries, 4);
	KUNIT_EXPECT_EQ(test, st.dirty_entries, 0);
	KUNIT_EXPECT_GE(test, st.misses, 4);
	/* Now loads hit the read snapshot. */
	KUNIT_EXPECT_EQ(test, tload(map, 2), 2);
	KUNIT_EXPECT_GE(test, tstats(map).hits, 1);
	tmap_destroy_check(test, map, &tr);
}

static void lockfree_misses_promote_in_background(struct kunit *test)
{
	struct tracker tr;
	struct syncmap *map = tmap_new(test, &tr, 0);
	int i;

	for (i = 0; i < 8; i++)
		KUNIT_ASSERT_EQ(test, tstore(test, map, &tr, i, i), 0);
	for (i = 0; i < 8; i++)
		KUNIT_EXPECT_EQ(test, tload(map, i), i);
	KUNIT_EXPECT_GE(test, tstats(map).misses, 8);
	/* Loads never take the lock: a work item promotes. */
	wait_stat(test, map, offsetof(struct syncmap_stats, promotions), 1);
	KUNIT_EXPECT_EQ(test, tstats(map).amended, 0);
	KUNIT_EXPECT_EQ(test, tload(map, 3), 3);
	tmap_destroy_check(test, map, &tr);
}

static void hits_do_not_count_misses(struct kunit *test)
{
	struct tracker tr;
	struct syncmap *map = tmap_new(test, &tr, 0);
	struct syncmap_stats a, b;
	int i;

	KUNIT_ASSERT_EQ(test, tstore(test, map, &tr, 1, 1), 0);
	tmap_promote(map);
	a = tstats(map);
	for (i = 0; i < 100; i++)
		KUNIT_EXPECT_EQ(test, tload(map, 1), 1);
	for (i = 0; i < 10; i++)
		KUNIT_EXPECT_EQ(test, tload(map, 2), -1);	/* not amended */
	b = tstats(map);
	KUNIT_EXPECT_EQ(test, b.hits - a.hits, 100);
	KUNIT_EXPECT_EQ(test, b.misses, a.misses);
	tmap_destroy_check(test, map, &tr);
}

static void deleted_entry_expunged_then_restored(struct kunit *test)
{
	struct tracker tr;
	struct syncmap *map = tmap_new(test, &tr, 0);
	struct syncmap_stats st;

	KUNIT_ASSERT_EQ(test, tstore(test, map, &tr, 1, 1), 0);
	KUNIT_ASSERT_EQ(test, tstore(test, map, &tr, 2, 2), 0);
	tmap_promote(map);
	/* Lazy deletion: key 1's entry stays in the snapshot, deleted. */
	KUNIT_EXPECT_EQ(test, syncmap_delete(map, "k1", 2), 1);
	st = tstats(map);
	KUNIT_EXPECT_EQ(test, st.read_entries, 2);
	KUNIT_EXPECT_EQ(test, st.len, 1);
	KUNIT_EXPECT_EQ(test, st.expunged, 0);
	/* A new key starts a dirty map: key 1 is expunged, key 2 copied. */
	KUNIT_ASSERT_EQ(test, tstore(test, map, &tr, 3, 3), 0);
	wait_stat(test, map, offsetof(struct syncmap_stats, expunged), 1);
	KUNIT_EXPECT_EQ(test, tstats(map).dirty_entries, 2);
	st = tstats(map);
	KUNIT_EXPECT_EQ(test, st.dirty_rebuilds, 2);
	KUNIT_EXPECT_EQ(test, tload(map, 1), -1);
	/* Storing key 1 again brings the expunged entry back. */
	KUNIT_ASSERT_EQ(test, tstore(test, map, &tr, 1, 11), 0);
	KUNIT_EXPECT_EQ(test, tload(map, 1), 11);
	st = tstats(map);
	KUNIT_EXPECT_EQ(test, st.dirty_entries, 3);
	KUNIT_EXPECT_EQ(test, st.read_entries, 2);
	KUNIT_EXPECT_EQ(test, st.len, 3);
	/* After promotion the restored entry is an ordinary read entry. */
	tmap_promote(map);
	st = tstats(map);
	KUNIT_EXPECT_EQ(test, st.read_entries, 3);
	KUNIT_EXPECT_EQ(test, tload(map, 1), 11);
	tmap_destroy_check(test, map, &tr);
}

static void dirty_copy_is_incremental(struct kunit *test)
{
	struct tracker tr;
	struct syncmap *map = tmap_new(test, &tr, 0);
	struct syncmap_stats st;
	int i, n = 1000;

	for (i = 0; i < n; i++)
		KUNIT_ASSERT_EQ(test, tstore(test, map, &tr, i, i), 0);
	tmap_promote(map);
	for (i = 0; i < n; i += 2)
		KUNIT_ASSERT_EQ(test, tdelete(map, i), 1);
	/* The first new key: every key stays readable while copying. */
	KUNIT_ASSERT_EQ(test, tstore(test, map, &tr, n, n), 0);
	for (i = 1; i < n; i += 2)
		KUNIT_EXPECT_EQ(test, tload(map, i), i);
	wait_stat(test, map, offsetof(struct syncmap_stats, expunged), n / 2);
	st = tstats(map);
	KUNIT_EXPECT_EQ(test, st.dirty_entries, n / 2 + 1);
	KUNIT_EXPECT_EQ(test, st.len, n / 2 + 1);
	tmap_promote(map);
	st = tstats(map);
	KUNIT_EXPECT_EQ(test, st.read_entries, n / 2 + 1);
	for (i = 0; i <= n; i++)
		KUNIT_EXPECT_EQ(test, tload(map, i), i % 2 || i == n ? i : -1);
	tmap_destroy_check(test, map, &tr);
}

static void clear_resets_state(struct kunit *test)
{
	struct tracker tr;
	struct syncmap *map = tmap_new(test, &tr, 0);
	struct syncmap_stats st;
	int i;

	for (i = 0; i < 10; i++)
		KUNIT_ASSERT_EQ(test, tstore(test, map, &tr, i, i), 0);
	tmap_promote(map);
	KUNIT_ASSERT_EQ(test, tstore(test, map, &tr, 10, 10), 0);
	KUNIT_ASSERT_EQ(test, syncmap_clear(map), 0);
	st = tstats(map);
	KUNIT_EXPECT_EQ(test, st.len, 0);
	KUNIT_EXPECT_EQ(test, st.read_entries, 0);
	KUNIT_EXPECT_EQ(test, st.dirty_entries, 0);
	KUNIT_EXPECT_EQ(test, st.amended, 0);
	syncmap_synchronize(map);
	KUNIT_EXPECT_EQ(test, tstats(map).pending_release, 0);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&tr.released), 11);
	tmap_destroy_check(test, map, &tr);
}

/*
 * Review finding 5: the spare table prepared for the next dirty map of a
 * big map must not become the dirty map, and then the read snapshot, of
 * the tiny map that map is after a Clear.
 */
static void clear_drops_the_big_spare(struct kunit *test)
{
	struct tracker tr;
	struct syncmap *map = tmap_new(test, &tr, 0);
	struct syncmap_stats st;
	int i, n = 3000;

	for (i = 0; i < n; i++)
		KUNIT_ASSERT_EQ(test, tstore(test, map, &tr, i, i), 0);
	tmap_promote(map);
	/* The spare for the next dirty map (n + 1 keys) is ready now. */
	syncmap_synchronize(map);
	KUNIT_ASSERT_GE(test, tstats(map).read_slots, n);

	KUNIT_ASSERT_EQ(test, syncmap_clear(map), 0);
	KUNIT_ASSERT_EQ(test, tstore(test, map, &tr, n, n), 0);
	st = tstats(map);
	KUNIT_EXPECT_LE(test, st.dirty_slots, 16);
	tmap_promote(map);
	st = tstats(map);
	KUNIT_EXPECT_EQ(test, st.read_entries, 1);
	KUNIT_EXPECT_LE(test, st.read_slots, 16);
	KUNIT_EXPECT_EQ(test, tload(map, n), n);
	tmap_destroy_check(test, map, &tr);
}

static void churn_does_not_pile_up(struct kunit *test)
{
	struct tracker tr;
	struct syncmap *map = tmap_new(test, &tr, 0);
	struct syncmap_stats st;
	int i;

	/* Go #40999: keys inserted and deleted must not accumulate. */
	for (i = 0; i < 1000; i++) {
		KUNIT_ASSERT_EQ(test, tstore(test, map, &tr, i, i), 0);
		KUNIT_ASSERT_EQ(test, tdelete(map, i), 1);
	}
	st = tstats(map);
	KUNIT_EXPECT_EQ(test, st.len, 0);
	KUNIT_EXPECT_LE(test, st.read_entries + st.dirty_entries, 16);
	syncmap_synchronize(map);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&tr.released), 1000);
	tmap_destroy_check(test, map, &tr);
}

/*
 * Big tables are allocated ahead by a work item, not by the writer that
 * needs one while it holds the lock (P5: the first new key after a
 * promotion must not allocate and zero a table the size of the map).
 * The work items get their turn every 64 stores here.
 */
static void big_tables_prepared_ahead(struct kunit *test)
{
	struct tracker tr;
	struct syncmap *map = tmap_new(test, &tr, 0);
	struct syncmap_stats st;
	int i, n = 1500;

	for (i = 0; i < n; i++) {
		KUNIT_ASSERT_EQ(test, tstore(test, map, &tr, i, i), 0);
		if (i % 64 == 0)
			syncmap_synchronize(map);
	}
	tmap_promote(map);
	syncmap_synchronize(map);
	st = tstats(map);
	/* Filling from empty: only tables below the threshold were made. */
	KUNIT_EXPECT_EQ(test, st.locked_allocs, 0);
	KUNIT_EXPECT_EQ(test, st.amended, 0);

	/* The first new key after the promotion takes the spare. */
	KUNIT_ASSERT_EQ(test, tstore(test, map, &tr, n, n), 0);
	st = tstats(map);
	KUNIT_EXPECT_EQ(test, st.amended, 1);
	KUNIT_EXPECT_EQ(test, st.locked_allocs, 0);

	/* So do the growths of the dirty map that follow. */
	for (i = n + 1; i < 3 * n; i++) {
		KUNIT_ASSERT_EQ(test, tstore(test, map, &tr, i, i), 0);
		if (i % 64 == 0)
			syncmap_synchronize(map);
	}
	st = tstats(map);
	KUNIT_EXPECT_EQ(test, st.locked_allocs, 0);
	for (i = 0; i < 3 * n; i++)
		KUNIT_EXPECT_EQ(test, tload(map, i), i);
	tmap_destroy_check(test, map, &tr);
}

static void growth_keeps_every_key(struct kunit *test)
{
	struct tracker tr;
	struct syncmap *map = tmap_new(test, &tr, 0);
	int i, n = 5000;

	/* Many doublings of the dirty map, with promotions in between. */
	for (i = 0; i < n; i++) {
		KUNIT_ASSERT_EQ(test, tstore(test, map, &tr, i, i), 0);
		if (i % 1200 == 0)
			tmap_promote(map);
	}
	for (i = 0; i < n; i++)
		KUNIT_EXPECT_EQ(test, tload(map, i), i);
	KUNIT_EXPECT_EQ(test, syncmap_len(map), n);
	tmap_destroy_check(test, map, &tr);
}

static struct kunit_case syncmap_state_cases[] = {
	KUNIT_CASE(new_key_amends),
	KUNIT_CASE(locked_misses_promote),
	KUNIT_CASE(lockfree_misses_promote_in_background),
	KUNIT_CASE(hits_do_not_count_misses),
	KUNIT_CASE(deleted_entry_expunged_then_restored),
	KUNIT_CASE(dirty_copy_is_incremental),
	KUNIT_CASE(clear_resets_state),
	KUNIT_CASE_SLOW(clear_drops_the_big_spare),
	KUNIT_CASE(churn_does_not_pile_up),
	KUNIT_CASE(growth_keeps_every_key),
	KUNIT_CASE_SLOW(big_tables_prepared_ahead),
	{}
};

struct kunit_suite syncmap_state_suite = {
	.name = "syncmap_state",
	.test_cases = syncmap_state_cases,
};
