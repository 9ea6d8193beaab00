// SPDX-License-Identifier: GPL-2.0
/*
 * syncmap KUnit test module: the suites and the helpers they share.  It
 * uses the map only through the symbols syncmap.ko exports, as any other
 * module would.
 */
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "syncmap_test.h"

static void tval_release(void *value, void *priv)
{
	struct tval *v = value;

	atomic_long_inc(&v->tracker->released);
	kfree(v);
}

static bool tval_equal(const void *a, const void *b, void *priv)
{
	const struct tval *x = a, *y = b;

	return x->n == y->n;
}

/* Pointer identity for compare-and-swap, as the map's default. */
const struct syncmap_ops tval_ops = {
	.release = tval_release,
};

/* Payload equality: two values with the same n compare equal. */
const struct syncmap_ops tval_content_ops = {
	.release = tval_release,
	.equal = tval_equal,
};

static void tval_destroy(void *priv)
{
	struct tracker *tr = priv;

	tr->released_before_destroy = atomic_long_read(&tr->released);
	atomic_inc(&tr->destroyed);
}

/* As tval_ops, and ops->destroy() is recorded in the tracker. */
const struct syncmap_ops tval_destroy_ops = {
	.release = tval_release,
	.destroy = tval_destroy,
};

struct tval *tval_new(struct kunit *test, struct tracker *tr, u64 n)
{
	struct tval *v = kmalloc(sizeof(*v), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, v);
	v->n = n;
	v->tracker = tr;
	atomic_long_inc(&tr->made);
	return v;
}

/* Free a value the map never took (or handed back on failure). */
void tval_free(struct tval *v)
{
	atomic_long_inc(&v->tracker->freed);
	kfree(v);
}

struct syncmap *tmap_new_ops(struct kunit *test, struct tracker *tr,
			     const struct syncmap_ops *ops, u32 max_entries)
{
	struct syncmap_params p = {
		.ops = ops,
		.priv = tr,
		.owner = THIS_MODULE,
		.max_entries = max_entries,
	};
	struct syncmap *map;

	memset(tr, 0, sizeof(*tr));
	map = syncmap_create(&p);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(map));
	return map;
}

struct syncmap *tmap_new(struct kunit *test, struct tracker *tr,
			 u32 max_entries)
{
	return tmap_new_ops(test, tr, &tval_ops, max_entries);
}

/*
 * Destroy a map and check the books: every value made was either released
 * by the map exactly once or freed by the test.
 */
void tmap_destroy_check(struct kunit *test, struct syncmap *map,
			struct tracker *tr)
{
	syncmap_destroy(map);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&tr->made),
			atomic_long_read(&tr->released) +
			atomic_long_read(&tr->freed));
}

static bool tmap_nop(const void *key, size_t len, void *value, void *arg)
{
	return true;
}

/* Range promotes the dirty map (Go does the same): the quickest way. */
struct syncmap_stats tstats(struct syncmap *map)
{
	struct syncmap_stats st;

	syncmap_fill_stats(map, &st);
	return st;
}

void tmap_promote(struct syncmap *map)
{
	syncmap_range(map, tmap_nop, NULL);
}

void tkey_set(struct tkey *k, u64 n)
{
	k->len = scnprintf(k->buf, sizeof(k->buf), "k%llu", n);
}

s64 tload(struct syncmap *map, u64 key)
{
	struct tkey k;
	struct tval *v;
	s64 n = -1;

	tkey_set(&k, key);
	rcu_read_lock();
	v = syncmap_load(map, k.buf, k.len);
	if (v)
		n = v->n;
	rcu_read_unlock();
	return n;
}

int tdelete(struct syncmap *map, u64 key)
{
	struct tkey k;

	tkey_set(&k, key);
	return syncmap_delete(map, k.buf, k.len);
}

/* Store a fresh value; on failure the value is freed and the error kept. */
int tstore(struct kunit *test, struct syncmap *map, struct tracker *tr,
	   u64 key, u64 n)
{
	struct tval *v = tval_new(test, tr, n);
	struct tkey k;
	int ret;

	tkey_set(&k, key);
	ret = syncmap_store(map, k.buf, k.len, v);
	if (ret)
		tval_free(v);
	return ret;
}

kunit_test_suites(&syncmap_ops_suite, &syncmap_state_suite,
		  &syncmap_model_suite, &syncmap_concurrency_suite,
		  &syncmap_lifetime_suite, &syncmap_race_suite,
		  &syncmap_blob_suite, &syncmap_iter_suite);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit tests for syncmap");
MODULE_IMPORT_NS(SYNCMAP);
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
