// SPDX-License-Identifier: GPL-2.0
/*
 * syncmap - iteration in windows: syncmap_range_window().
 *
 * The keys of a map are ordered by a keyed hash of their bytes: siphash
 * under a key drawn once per module load, cut to 63 bits.  A cursor is a
 * position in that order; a call returns the keys at or after its cursor
 * and before the cursor it hands back, as many as fit in the caller's
 * budget.  The order depends only on the key bytes, so a key that is
 * deleted and stored again keeps its place: once the cursor has passed it,
 * it is not returned again.  The key is not the map's table key
 * (&syncmap.hash_key): the cursors that reach userspace must say nothing
 * about which keys share a bucket.
 *
 * Each call walks the whole map with syncmap_range() and keeps the items
 * of the keys with the smallest hashes that fit in the budget, in a
 * max-heap by hash: a key past the largest kept one is dropped when the
 * budget is full, and a key before it pushes out the largest ones until
 * the rest fit.
 */

#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/once.h>
#include <linux/overflow.h>
#include <linux/random.h>
#include <linux/siphash.h>
#include <linux/slab.h>

#include <syncmap.h>
#include <syncmap_iter.h>

#include "syncmap_internal.h"

static siphash_key_t syncmap_window_key;

/* One item kept by a call: the hash of its key and the caller's bytes. */
struct syncmap_window_item {
	u64 hash;
	size_t size;
	u8 data[] __aligned(8);
};

/**
 * struct syncmap_window_walk - state of one syncmap_range_window() call
 * @ops: the caller's item operations
 * @arg: their argument
 * @gfp: allocation flags for the items kept
 * @from: keys with a hash below this were returned by earlier calls
 * @ceil: keys with a hash at or above this are left for later calls
 * @budget: bytes of items the caller can take
 * @used: bytes of the items in @heap
 * @heap: max-heap by hash of the items kept
 * @nr: items in @heap
 * @room: slots of @heap
 * @truncated: some key was left for a later call
 * @min_hash: smallest hash seen at or above @from
 * @min_need: bytes of the items with @min_hash
 * @err: the error that stopped the walk
 *
 * The items kept are exactly those of the keys seen with @from <= hash <
 * @ceil, and the next call starts at @ceil: a key present for the whole
 * iteration is seen by every call (syncmap_range() visits every key
 * present throughout it) and lands in exactly one window, and no key is
 * returned twice because the windows do not overlap.
 */
struct syncmap_window_walk {
	const struct syncmap_window_ops *ops;
	void *arg;
	gfp_t gfp;
	u64 from;
	u64 ceil;
	size_t budget;
	size_t used;
	struct syncmap_window_item **heap;
	unsigned int nr;
	unsigned int room;
	bool truncated;
	u64 min_hash;
	size_t min_need;
	int err;
};

/*
 * The heap is a plain array of item pointers with the largest hash first.
 * <linux/min_heap.h> would fit, but its API changed between the kernels
 * this module builds for: 6.1 has struct min_heap with callbacks that
 * carry elem_size and take no argument, min_heapify() and min_heap_pop()
 * without a return value; 6.11 replaced them with typed heaps
 * (DEFINE_MIN_HEAP()), callbacks with an argument, min_heap_sift_down()
 * and min_heap_init().  No one use of it builds on both, and the two
 * sift loops below are shorter than the wrappers that would paper over it.
 */
static void syncmap_heap_sift_up(struct syncmap_window_item **h,
				 unsigned int i)
{
	while (i && h[(i - 1) / 2]->hash < h[i]->hash) {
		swap(h[i], h[(i - 1) / 2]);
		i = (i - 1) / 2;
	}
}

static void syncmap_heap_sift_down(struct syncmap_window_item **h,
				   unsigned int nr, unsigned int i)
{
	unsigned int c;

	for (;;) {
		c = 2 * i + 1;
		if (c >= nr)
			break;
		if (c + 1 < nr && h[c + 1]->hash > h[c]->hash)
			c++;
		if (h[i]->hash >= h[c]->hash)
			break;
		swap(h[i], h[c]);
		i = c;
	}
}

/* Drop the item with the largest hash. */
static void syncmap_heap_drop(struct syncmap_window_walk *w)
{
	struct syncmap_window_item *it = w->heap[0];

	w->used -= it->size;
	w->heap[0] = w->heap[--w->nr];
	syncmap_heap_sift_down(w->heap, w->nr, 0);
	kvfree(it);
}

/* Sort the heap by ascending hash, in place; it is no heap afterwards. */
static void syncmap_heap_sort(struct syncmap_window_walk *w)
{
	unsigned int n;

	for (n = w->nr; n > 1; n--) {
		swap(w->heap[0], w->heap[n - 1]);
		syncmap_heap_sift_down(w->heap, n - 1, 0);
	}
}

/* Make room for one more item in the heap. */
static int syncmap_heap_grow(struct syncmap_window_walk *w)
{
	unsigned int room = w->room ? 2 * w->room : 64;
	struct syncmap_window_item **heap;

	if (room < w->room)
		return -ENOMEM;
	heap = kvmalloc_array(room, sizeof(*heap), w->gfp);
	if (!heap)
		return -ENOMEM;
	if (w->nr)
		memcpy(heap, w->heap, w->nr * sizeof(*heap));
	kvfree(w->heap);
	w->heap = heap;
	w->room = room;
	return 0;
}

/* Leave every key with a hash at or above @hash for a later call. */
static void syncmap_window_cut(struct syncmap_window_walk *w, u64 hash)
{
	w->truncated = true;
	w->ceil = min(w->ceil, hash);
	while (w->nr && w->heap[0]->hash >= w->ceil)
		syncmap_heap_drop(w);
}

static bool syncmap_window_one(const void *key, size_t key_len, void *value,
			       void *arg)
{
	struct syncmap_window_walk *w = arg;
	struct syncmap_window_item *it;
	size_t size;
	u64 hash;

	hash = siphash(key, key_len, &syncmap_window_key) >> 1;
	if (hash < w->from)
		return true;
	size = w->ops->size(key, key_len, value, w->arg);
	if (WARN_ON_ONCE(!size)) {
		w->err = -EINVAL;
		return false;
	}
	if (hash < w->min_hash) {
		w->min_hash = hash;
		w->min_need = 0;
	}
	if (hash == w->min_hash)
		w->min_need = size_add(w->min_need, size);
	if (hash >= w->ceil)
		return true;
	/* @used never exceeds @budget between calls of this function. */
	if (size > w->budget - w->used &&
	    (!w->nr || hash >= w->heap[0]->hash)) {
		syncmap_window_cut(w, hash);
		return true;
	}

	if (w->nr == w->room) {
		w->err = syncmap_heap_grow(w);
		if (w->err)
			return false;
	}
	it = kvmalloc(struct_size(it, data, size), w->gfp);
	if (!it) {
		w->err = -ENOMEM;
		return false;
	}
	it->hash = hash;
	it->size = size;
	w->ops->fill(it->data, size, key, key_len, value, w->arg);
	w->heap[w->nr] = it;
	syncmap_heap_sift_up(w->heap, w->nr++);
	w->used += size;
	while (w->used > w->budget)
		syncmap_window_cut(w, w->heap[0]->hash);
	return true;
}

/**
 * syncmap_range_window() - the items of the next window of an iteration
 * @map: the map
 * @win: the cursor and budget in, the window's cursor, size and count out
 * @ops: how items are sized, made and handed over
 * @arg: passed to @ops
 *
 * Makes an item of every key (and its value) from @win->cursor on, in the
 * order of a keyed hash of the key bytes, and passes as many of the first
 * ones as fit in @win->budget to @ops->emit(), in that order.  Repeated
 * with the cursor each call returns, until @win->end, the calls form one
 * iteration over the map, with this contract:
 *
 * - across the calls, each key is returned at most once, also when it is
 *   deleted and stored again in between;
 * - every key present throughout the iteration is returned exactly once,
 *   with a value it had during the call that returned it;
 * - keys stored or deleted during the iteration may or may not be
 *   returned (at most once);
 * - the cursor is opaque: a value a call returned, or
 *   %SYNCMAP_WINDOW_START.  The order is the same for every map of this
 *   module load, and another on the next load.
 *
 * Each call walks the whole map (syncmap_range(), which first promotes
 * the dirty map) and keeps copies of up to @win->budget bytes of items in
 * the meantime: an iteration costs O(n) per call, O(n^2 / budget) in all,
 * so large budgets make it cheaper.
 *
 * Context: process context; may sleep.  Holds syncmap_read_lock() for
 * the walk and takes the map's lock briefly, as syncmap_range(); calls
 * @ops->emit() after both are dropped.
 * Return: 0 (@win->cursor, @used, @count and @end set; @count may be 0
 * only with @end), -ERANGE when the next item does not fit in
 * @win->budget (@win->need set to the bytes it needs, or the items whose
 * keys share its place in the order, nothing emitted), -EINVAL (a cursor
 * past %SYNCMAP_WINDOW_END, or @ops->size() returned 0), -ENOMEM, or the
 * error of @ops->emit().  On an error @win->cursor is left unchanged.
 */
int syncmap_range_window(struct syncmap *map, struct syncmap_window *win,
			 const struct syncmap_window_ops *ops, void *arg)
{
	struct syncmap_window_walk w = {
		.ops = ops,
		.arg = arg,
		.gfp = map->gfp,
		.from = win->cursor,
		.ceil = SYNCMAP_WINDOW_END,
		.budget = win->budget,
		.min_hash = U64_MAX,
	};
	unsigned int i;
	int err;

	might_sleep();
	if (win->cursor > SYNCMAP_WINDOW_END)
		return -EINVAL;
	get_random_once(&syncmap_window_key, sizeof(syncmap_window_key));

	syncmap_range(map, syncmap_window_one, &w);
	err = w.err;
	if (!err && !w.nr && w.truncated) {
		win->need = w.min_need;
		err = -ERANGE;
	}
	if (err)
		goto out;

	syncmap_heap_sort(&w);
	for (i = 0; i < w.nr; i++) {
		err = ops->emit(w.heap[i]->data, w.heap[i]->size, arg);
		if (err)
			goto out;
	}
	win->cursor = w.truncated ? w.ceil : SYNCMAP_WINDOW_END;
	win->used = w.used;
	win->count = w.nr;
	win->end = !w.truncated;
out:
	for (i = 0; i < w.nr; i++)
		kvfree(w.heap[i]);
	kvfree(w.heap);
	return err;
}
EXPORT_SYMBOL_NS_GPL(syncmap_range_window, SYNCMAP);
