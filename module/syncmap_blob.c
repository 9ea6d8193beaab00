// SPDX-License-Identifier: GPL-2.0
/*
 * Blob values: a length and a copy of the bytes, for maps that hold data
 * rather than pointers to the caller's objects (the char device's maps).
 */
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "syncmap_internal.h"

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
