// SPDX-License-Identifier: GPL-2.0
/*
 * The blob pool of the char device's maps (syncmap_blob.c): which blobs it
 * keeps, and how many.  The pool maps are made with the two symbols that
 * syncmap.ko exports to KUnit only.
 */
#include <linux/mm.h>
#include <linux/vmalloc.h>

#include "syncmap_test.h"
#include "../module/syncmap_dev.h"

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

static struct kunit_case syncmap_blob_cases[] = {
	KUNIT_CASE(vmalloc_blob_is_not_pooled),
	{}
};

struct kunit_suite syncmap_blob_suite = {
	.name = "syncmap_blob",
	.test_cases = syncmap_blob_cases,
};
