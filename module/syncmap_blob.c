// SPDX-License-Identifier: GPL-2.0
/*
 * Blob values: a length and a copy of the bytes, for maps that hold data
 * rather than pointers to the caller's objects (the char device's maps).
 *
 * Small blobs of the char device's packed stores come from caches of
 * their own, many at a time; like every blob they are freed with kvfree()
 * (kfree() takes objects of any slab cache).
 */
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "syncmap_internal.h"
#include "syncmap_dev.h"

/* Caches of blobs of up to 32, 64 and 128 bytes, header included. */
#define SYNCMAP_BLOB_CACHES	3
#define SYNCMAP_BLOB_CACHE_MIN	32

static struct kmem_cache *syncmap_blob_caches[SYNCMAP_BLOB_CACHES];

static void syncmap_blob_release(void *value, void *priv)
{
	syncmap_blob_free(value);
}

static bool syncmap_blob_equal(const void *a, const void *b, void *priv)
{
	const struct syncmap_blob *x = a, *y = b;

	return x->len == y->len && !memcmp(x->data, y->data, x->len);
}

/*
 * Operations of a map holding blobs: released with kvfree(), compared by
 * content.
 */
const struct syncmap_ops syncmap_blob_ops = {
	.release = syncmap_blob_release,
	.equal = syncmap_blob_equal,
};
EXPORT_SYMBOL_NS_GPL(syncmap_blob_ops, SYNCMAP);

/**
 * syncmap_blob_alloc() - allocate a blob
 * @data: bytes to copy in, or %NULL to leave them for the caller to fill
 * @len: number of bytes
 * @gfp: allocation flags
 *
 * Context: process context if @gfp may sleep.
 * Return: the blob, or %NULL.
 */
struct syncmap_blob *syncmap_blob_alloc(const void *data, u32 len, gfp_t gfp)
{
	struct syncmap_blob *blob;

	blob = kvmalloc(struct_size(blob, data, len), gfp);
	if (!blob)
		return NULL;
	blob->len = len;
	if (data)
		memcpy(blob->data, data, len);
	return blob;
}
EXPORT_SYMBOL_NS_GPL(syncmap_blob_alloc, SYNCMAP);

/**
 * syncmap_blob_free() - free a blob the map does not own
 * @blob: the blob, or %NULL
 *
 * For blobs never stored or handed back by a failed store; the map
 * releases the ones it owns itself.
 *
 * Context: process context.
 */
void syncmap_blob_free(struct syncmap_blob *blob)
{
	kvfree(blob);
}
EXPORT_SYMBOL_NS_GPL(syncmap_blob_free, SYNCMAP);

/**
 * syncmap_blob_alloc_bulk() - allocate blobs of one length at once
 * @len: number of bytes of each blob
 * @gfp: allocation flags
 * @nr: number of blobs
 * @blobs: receives the blobs, their bytes left for the caller to fill
 *
 * Cheaper than @nr calls of syncmap_blob_alloc() for small blobs; larger
 * ones are not served here.
 *
 * Context: process context if @gfp may sleep.
 * Return: @nr, or 0 when the blobs are too large for the caches or the
 * memory is missing (nothing is allocated then).
 */
size_t syncmap_blob_alloc_bulk(u32 len, gfp_t gfp, size_t nr,
			       struct syncmap_blob **blobs)
{
	size_t size = struct_size(blobs[0], data, len), i;
	unsigned int c;

	for (c = 0; c < SYNCMAP_BLOB_CACHES; c++)
		if (size <= SYNCMAP_BLOB_CACHE_MIN << c)
			break;
	if (c == SYNCMAP_BLOB_CACHES || !syncmap_blob_caches[c] ||
	    !kmem_cache_alloc_bulk(syncmap_blob_caches[c], gfp, nr,
				   (void **)blobs))
		return 0;
	for (i = 0; i < nr; i++)
		blobs[i]->len = len;
	return nr;
}

/**
 * syncmap_blob_init() - create the caches of small blobs
 *
 * Context: module init.
 * Return: 0 or -ENOMEM.
 */
int syncmap_blob_init(void)
{
	static const char * const names[SYNCMAP_BLOB_CACHES] = {
		"syncmap_blob_32", "syncmap_blob_64", "syncmap_blob_128",
	};
	unsigned int c;

	for (c = 0; c < SYNCMAP_BLOB_CACHES; c++) {
		syncmap_blob_caches[c] =
			kmem_cache_create(names[c], SYNCMAP_BLOB_CACHE_MIN << c,
					  0, 0, NULL);
		if (!syncmap_blob_caches[c]) {
			syncmap_blob_exit();
			return -ENOMEM;
		}
	}
	return 0;
}

/**
 * syncmap_blob_exit() - destroy the caches of small blobs
 *
 * Every blob is gone: each map released its values when it was freed.
 *
 * Context: module exit.
 */
void syncmap_blob_exit(void)
{
	unsigned int c;

	for (c = 0; c < SYNCMAP_BLOB_CACHES; c++) {
		kmem_cache_destroy(syncmap_blob_caches[c]);
		syncmap_blob_caches[c] = NULL;
	}
}
