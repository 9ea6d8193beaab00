// SPDX-License-Identifier: GPL-2.0
/*
 * Blob values: a length and a copy of the bytes, for maps that hold data
 * rather than pointers to the caller's objects (the char device's maps).
 *
 * Blobs of up to 128 bytes, header included, come from caches of their
 * own (32, 64 and 128 bytes).  Every blob is freed with kvfree() (kfree()
 * takes objects of any slab cache).
 *
 * The char device's maps recycle their small blobs (syncmap_blob_pool_ops):
 * a value that leaves such a map goes, once its grace period is over, to
 * a pool of the map, and the map's next store takes it from there, so an
 * overwrite does not allocate.  A blob is pooled by the room ksize()
 * reports, so it is only ever reused within its room.  A pool holds at
 * most as many blobs as the map holds values, or %SYNCMAP_BLOB_POOL_MIN
 * if that is more, gives back up to %SYNCMAP_BLOB_POOL_TRIM blobs past
 * that bound for each value that leaves the map, and goes with its map.
 * Reused blobs keep the memcg charge of whoever allocated them first.
 */
#include <kunit/visibility.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>

#include "syncmap_internal.h"
#include "syncmap_blob.h"

/* Caches of blobs of up to 32, 64 and 128 bytes, header included. */
#define SYNCMAP_BLOB_CACHES	3
#define SYNCMAP_BLOB_CACHE_MIN	32

/*
 * Blobs a map keeps for reuse: as many as it holds values, or this many
 * if that is more (a map with few keys but many overwrites).
 */
#define SYNCMAP_BLOB_POOL_MIN	4096

/*
 * Pooled blobs given back, at most, for each value that leaves a map whose
 * pool is past its bound.  Every delete releases a value and lowers the
 * bound by at most one: a pool past it shrinks faster than the map.
 */
#define SYNCMAP_BLOB_POOL_TRIM	8

static struct kmem_cache *syncmap_blob_caches[SYNCMAP_BLOB_CACHES];

/* A pooled blob: its first bytes link it to the next one. */
struct syncmap_blob_link {
	struct syncmap_blob_link *next;
};

/**
 * struct syncmap_blob_pool - a map's blobs waiting to be reused
 * @map: the map, which owns the pool
 * @max_value_len: the longest value userspace may store in @map, fixed
 *	at creation
 * @lock: protects the lists and counts
 * @free: per cache size, blobs with at least that room, unused
 * @nr: per cache size, the number on @free
 * @total: the sum of @nr
 */
struct syncmap_blob_pool {
	struct syncmap *map;
	u32 max_value_len;
	spinlock_t lock;	/* @free, @nr, @total; process context only */
	struct syncmap_blob_link *free[SYNCMAP_BLOB_CACHES];
	unsigned int nr[SYNCMAP_BLOB_CACHES];
	size_t total;
};

/* The cache of a blob of @len bytes, or -1 when it is too large for one. */
static int syncmap_blob_cache(u32 len)
{
	size_t size = struct_size_t(struct syncmap_blob, data, len);
	int c;

	for (c = 0; c < SYNCMAP_BLOB_CACHES; c++)
		if (size <= SYNCMAP_BLOB_CACHE_MIN << c)
			return syncmap_blob_caches[c] ? c : -1;
	return -1;
}

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
	int c = syncmap_blob_cache(len);

	if (c >= 0)
		blob = kmem_cache_alloc(syncmap_blob_caches[c], gfp);
	else
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

/*
 * Keep @blob, which no reader can see, for the map's next stores, or free
 * it: when it is too large for a cache, comes from vmalloc (a large
 * kvmalloc()ed blob that its owner shortened: ksize() and the pool's
 * kfree() take slab objects only), has less room than its length's cache
 * size (not made by syncmap_blob_alloc()), or when the pool is full.
 * While the map is freed, its last values may still land here: ops->destroy
 * (syncmap_blob_pool_free()) runs after the last release and frees them.
 */
static void syncmap_blob_pool_put(struct syncmap_blob_pool *pool,
				  struct syncmap_blob *blob)
{
	struct syncmap_blob_link *link = (struct syncmap_blob_link *)blob;
	struct syncmap_blob_link *trim = NULL;
	int c = syncmap_blob_cache(blob->len);
	unsigned int i, j, f;
	bool keep;
	size_t max;

	keep = c >= 0 && !is_vmalloc_addr(blob) &&
	       ksize(blob) >= SYNCMAP_BLOB_CACHE_MIN << c;
	max = max_t(size_t, syncmap_len(pool->map), SYNCMAP_BLOB_POOL_MIN);
	if (!keep && READ_ONCE(pool->total) <= max)
		goto free;
	spin_lock(&pool->lock);
	if (keep && pool->total < max) {
		link->next = pool->free[c];
		pool->free[c] = link;
		WRITE_ONCE(pool->nr[c], pool->nr[c] + 1);
		WRITE_ONCE(pool->total, pool->total + 1);
		blob = NULL;
	}
	/* The map shrank: give back some of what is past the bound. */
	for (i = 0; i < SYNCMAP_BLOB_POOL_TRIM && pool->total > max; i++) {
		for (f = 0, j = 1; j < SYNCMAP_BLOB_CACHES; j++)
			if (pool->nr[j] > pool->nr[f])
				f = j;
		link = pool->free[f];
		pool->free[f] = link->next;
		WRITE_ONCE(pool->nr[f], pool->nr[f] - 1);
		WRITE_ONCE(pool->total, pool->total - 1);
		link->next = trim;
		trim = link;
	}
	spin_unlock(&pool->lock);
	/* kfree(): as in syncmap_blob_pool_free(). */
	while ((link = trim)) {
		trim = link->next;
		kfree(link);
	}
free:
	syncmap_blob_free(blob);
}

static void syncmap_blob_pool_release(void *value, void *priv)
{
	syncmap_blob_pool_put(priv, value);
}

static void syncmap_blob_pool_free(void *priv)
{
	struct syncmap_blob_pool *pool = priv;
	struct syncmap_blob_link *link;
	unsigned int c;

	/* kfree(): a blob another module made may be from another cache. */
	for (c = 0; c < SYNCMAP_BLOB_CACHES; c++) {
		while ((link = pool->free[c])) {
			pool->free[c] = link->next;
			kfree(link);
		}
	}
	kfree(pool);
}

/* Blobs compared by content, the small ones recycled through the pool. */
static const struct syncmap_ops syncmap_blob_pool_ops = {
	.release = syncmap_blob_pool_release,
	.equal = syncmap_blob_equal,
	.destroy = syncmap_blob_pool_free,
};

/* The pool of @map, or %NULL for a map that does not recycle its blobs. */
static struct syncmap_blob_pool *syncmap_blob_pool_of(struct syncmap *map)
{
	return map->ops == &syncmap_blob_pool_ops ? map->priv : NULL;
}

/**
 * syncmap_blob_map_create() - create a blob map that recycles its blobs
 * @params: as for syncmap_create(); @params->ops and @params->priv are
 *	set here
 * @max_value_len: the longest value userspace may store in it, kept with
 *	the map (syncmap_blob_value_limit())
 *
 * The char device's maps: values that leave the map are reused by the
 * map's later stores (blobs from syncmap_blob_get()) instead of freed.
 *
 * Context: process context; may sleep.
 * Return: the map, or an ERR_PTR() as syncmap_create().
 */
struct syncmap *syncmap_blob_map_create(struct syncmap_params *params,
					u32 max_value_len)
{
	struct syncmap_blob_pool *pool;
	struct syncmap *map;

	pool = kzalloc(sizeof(*pool), params->gfp ?: GFP_KERNEL);
	if (!pool)
		return ERR_PTR(-ENOMEM);
	spin_lock_init(&pool->lock);
	pool->max_value_len = max_value_len;
	params->ops = &syncmap_blob_pool_ops;
	params->priv = pool;
	map = syncmap_create(params);
	if (IS_ERR(map)) {
		kfree(pool);
		return map;
	}
	/* No value left the map yet: no release has read @map. */
	pool->map = map;
	return map;
}
EXPORT_SYMBOL_IF_KUNIT(syncmap_blob_map_create);

/**
 * syncmap_holds_blobs() - whether a map's values are blobs
 * @map: the map
 *
 * Context: any context.
 * Return: true for maps of &syncmap_blob_ops and syncmap_blob_pool_ops.
 */
bool syncmap_holds_blobs(const struct syncmap *map)
{
	return map->ops == &syncmap_blob_ops ||
	       map->ops == &syncmap_blob_pool_ops;
}

/**
 * syncmap_blob_get() - blobs of one length to store into a map
 * @map: the blob map they are for
 * @len: number of bytes of each blob
 * @gfp: allocation flags
 * @nr: number of blobs wanted
 * @blobs: receives the blobs, their bytes left for the caller to fill
 *
 * Takes blobs the map recycled first, then allocates the rest, small
 * ones many at a time.  A blob that ends up not stored goes back with
 * syncmap_blob_put().
 *
 * Context: process context if @gfp may sleep.
 * Return: the number of blobs in @blobs: @nr, or fewer when memory ran
 * out.
 */
size_t syncmap_blob_get(struct syncmap *map, u32 len, gfp_t gfp, size_t nr,
			struct syncmap_blob **blobs)
{
	struct syncmap_blob_pool *pool = syncmap_blob_pool_of(map);
	struct syncmap_blob_link *link;
	int c = syncmap_blob_cache(len);
	size_t i = 0, got;

	if (c >= 0 && pool && READ_ONCE(pool->nr[c])) {
		spin_lock(&pool->lock);
		for (; i < nr && (link = pool->free[c]); i++) {
			pool->free[c] = link->next;
			WRITE_ONCE(pool->nr[c], pool->nr[c] - 1);
			WRITE_ONCE(pool->total, pool->total - 1);
			blobs[i] = (struct syncmap_blob *)link;
		}
		spin_unlock(&pool->lock);
	}
	if (c >= 0 && nr - i > 1) {
		got = kmem_cache_alloc_bulk(syncmap_blob_caches[c], gfp,
					    nr - i, (void **)blobs + i);
		i += got;
	}
	for (; i < nr; i++) {
		blobs[i] = syncmap_blob_alloc(NULL, len, gfp);
		if (!blobs[i])
			break;
	}
	for (got = 0; got < i; got++)
		blobs[got]->len = len;
	return i;
}

/**
 * syncmap_blob_put() - give back a blob that was not stored
 * @map: the blob map it was meant for
 * @blob: the blob, never seen by a reader, or %NULL
 *
 * A map that recycles its blobs keeps it for its next stores; otherwise
 * it is freed.
 *
 * Context: process context.
 */
void syncmap_blob_put(struct syncmap *map, struct syncmap_blob *blob)
{
	struct syncmap_blob_pool *pool = syncmap_blob_pool_of(map);

	if (blob && pool)
		syncmap_blob_pool_put(pool, blob);
	else
		syncmap_blob_free(blob);
}

/**
 * syncmap_blob_value_limit() - the longest value a map was created for
 * @map: the map
 *
 * Context: any context.
 * Return: the @max_value_len given to syncmap_blob_map_create(), or 0 for
 * a map that syncmap_blob_map_create() did not make (no limit of its own).
 */
u32 syncmap_blob_value_limit(struct syncmap *map)
{
	struct syncmap_blob_pool *pool = syncmap_blob_pool_of(map);

	return pool ? pool->max_value_len : 0;
}

/**
 * syncmap_blob_pooled() - blobs a map keeps for reuse
 * @map: the map
 *
 * Context: any context.
 * Return: the number of blobs in @map's pool, 0 for a map without one.
 */
size_t syncmap_blob_pooled(struct syncmap *map)
{
	struct syncmap_blob_pool *pool = syncmap_blob_pool_of(map);

	return pool ? READ_ONCE(pool->total) : 0;
}
EXPORT_SYMBOL_IF_KUNIT(syncmap_blob_pooled);

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
	unsigned int c, size, data = offsetof(struct syncmap_blob, data);

	for (c = 0; c < SYNCMAP_BLOB_CACHES; c++) {
		/* The bytes are copied to and from userspace directly. */
		size = SYNCMAP_BLOB_CACHE_MIN << c;
		syncmap_blob_caches[c] =
			kmem_cache_create_usercopy(names[c], size, 0, 0, data,
						   size - data, NULL);
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
