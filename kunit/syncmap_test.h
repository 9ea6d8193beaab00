/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared pieces of the syncmap KUnit suites: tracked values whose release
 * is counted, and small helpers to make maps and keys.
 */
#ifndef _SYNCMAP_TEST_H
#define _SYNCMAP_TEST_H

#include <kunit/test.h>
#include <linux/atomic.h>
#include <syncmap.h>

/* Marking long cases slow came with 6.6; older kernels run them plainly. */
#ifndef KUNIT_CASE_SLOW
#define KUNIT_CASE_SLOW KUNIT_CASE
#endif

/**
 * struct tval - a value whose release the tests can see
 * @n: payload the tests compare
 * @tracker: the tracker counting its release
 */
struct tval {
	u64 n;
	struct tracker *tracker;
};

/**
 * struct tracker - counts values made and released for one map
 * @made: tval_new() calls
 * @released: values the map released
 * @freed: values the test freed itself (never owned by the map)
 * @destroyed: ops->destroy() calls (tval_destroy_ops)
 * @released_before_destroy: @released when ops->destroy() ran
 */
struct tracker {
	atomic_long_t made;
	atomic_long_t released;
	atomic_long_t freed;
	atomic_t destroyed;
	long released_before_destroy;
};

extern const struct syncmap_ops tval_ops;
extern const struct syncmap_ops tval_content_ops;
extern const struct syncmap_ops tval_destroy_ops;

struct tval *tval_new(struct kunit *test, struct tracker *tr, u64 n);
void tval_free(struct tval *v);

struct syncmap *tmap_new(struct kunit *test, struct tracker *tr,
			 u32 max_entries);
struct syncmap *tmap_new_ops(struct kunit *test, struct tracker *tr,
			     const struct syncmap_ops *ops, u32 max_entries);
void tmap_destroy_check(struct kunit *test, struct syncmap *map,
			struct tracker *tr);

void tmap_promote(struct syncmap *map);
/* syncmap_fill_stats() by value. */
struct syncmap_stats tstats(struct syncmap *map);

/* Key "k<n>" as text: short, distinct, printable. */
struct tkey {
	char buf[24];
	size_t len;
};

void tkey_set(struct tkey *k, u64 n);

/* Load under rcu_read_lock(); returns the payload or -1 when absent. */
s64 tload(struct syncmap *map, u64 key);
int tdelete(struct syncmap *map, u64 key);
int tstore(struct kunit *test, struct syncmap *map, struct tracker *tr,
	   u64 key, u64 n);

extern struct kunit_suite syncmap_ops_suite;
extern struct kunit_suite syncmap_state_suite;
extern struct kunit_suite syncmap_model_suite;
extern struct kunit_suite syncmap_concurrency_suite;
extern struct kunit_suite syncmap_lifetime_suite;
extern struct kunit_suite syncmap_race_suite;
extern struct kunit_suite syncmap_blob_suite;
extern struct kunit_suite syncmap_iter_suite;

#endif /* _SYNCMAP_TEST_H */
