// SPDX-License-Identifier: GPL-2.0
/*
 * The blob pool of the char device's maps (syncmap_blob.c): which blobs it
 * keeps, and how many.  The pool maps are made with the two symbols that
 * syncmap.ko exports to KUnit only.
 */
#include <linux/mm.h>
#include <linux/vmalloc.h>

#include "syncmap_test.h"
#include "../module/syncmap_blob.h"

static struct syncmap *pool_map_new(struct kunit *test)
{
	struct syncmap_params p = { .gfp = GFP_KERNEL };
	struct syncmap *map = syncmap_blob_map_create(&p, 4096);

	KUNIT_ASSERT_FALSE(test, IS_ERR(map));
	return map;
}

/*
 * kvmalloc() may hand out a large blob from vmalloc; its owner may then
 * shorten it to a length that fits a cache.  When it leaves the map it is
 * freed: ksize() is for slab objects only, and the pool's later kfree()
 * would be of vmalloc memory.
 */
static void vmalloc_blob_is_not_pooled(struct kunit *test)
{
	struct syncmap *map = pool_map_new(test);
	struct syncmap_blob *b = vmalloc(2 * PAGE_SIZE);

	KUNIT_ASSERT_NOT_NULL(test, b);
	b->len = 16;
	memset(b->data, 'v', b->len);
	KUNIT_ASSERT_EQ(test, syncmap_store(map, "k", 1, b), 0);
	KUNIT_EXPECT_EQ(test, syncmap_delete(map, "k", 1), 1);
	syncmap_synchronize(map);
	KUNIT_EXPECT_EQ(test, syncmap_blob_pooled(map), 0);
	syncmap_destroy(map);
}

/* Store blobs of @len bytes under keys 0..@n-1. */
static void store_blobs(struct kunit *test, struct syncmap *map,
			unsigned int n, u32 len)
{
	struct syncmap_blob *b;
	struct tkey k;
	unsigned int i;

	for (i = 0; i < n; i++) {
		b = syncmap_blob_alloc(NULL, len, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, b);
		memset(b->data, i, len);
		tkey_set(&k, i);
		KUNIT_ASSERT_EQ(test, syncmap_store(map, k.buf, k.len, b), 0);
	}
}

/*
 * A pool that grew with its map shrinks with it: 6000 values of 8 bytes
 * overwritten with 100-byte ones are pooled (another cache: no store
 * takes them back), and once every key is deleted the pool is back
 * within its bound of max(len, 4096).
 */
static void pool_shrinks_with_map(struct kunit *test)
{
	struct syncmap *map = pool_map_new(test);
	unsigned int i, n = 6000;
	struct tkey k;

	store_blobs(test, map, n, 8);
	store_blobs(test, map, n, 100);
	syncmap_synchronize(map);
	KUNIT_EXPECT_EQ(test, syncmap_blob_pooled(map), n);
	for (i = 0; i < n; i++) {
		tkey_set(&k, i);
		KUNIT_ASSERT_EQ(test, syncmap_delete(map, k.buf, k.len), 1);
	}
	syncmap_synchronize(map);
	KUNIT_EXPECT_LE(test, syncmap_blob_pooled(map), 4096);
	syncmap_destroy(map);
}

static struct kunit_case syncmap_blob_cases[] = {
	KUNIT_CASE(vmalloc_blob_is_not_pooled),
	KUNIT_CASE_SLOW(pool_shrinks_with_map),
	{}
};

struct kunit_suite syncmap_blob_suite = {
	.name = "syncmap_blob",
	.test_cases = syncmap_blob_cases,
};
