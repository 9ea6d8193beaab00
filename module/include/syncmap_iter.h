/* SPDX-License-Identifier: GPL-2.0 */
/*
 * syncmap - iteration in windows with a cursor: the in-kernel API of
 * module/syncmap_iter.c.  See Documentation/syncmap.rst.
 */
#ifndef _SYNCMAP_ITER_H
#define _SYNCMAP_ITER_H

#include <linux/bits.h>
#include <linux/types.h>

#include <syncmap.h>

/* The cursor of a first call. */
#define SYNCMAP_WINDOW_START	0
/* The cursor after the last window; larger cursors are invalid. */
#define SYNCMAP_WINDOW_END	BIT_ULL(63)

/**
 * struct syncmap_window_ops - how the items of a window are made
 * @size: bytes the item of @key and @value takes, at least 1.  Called
 *	for every key of the map at or past the cursor, from a
 *	syncmap_range() callback: may sleep, must not wait for the map's
 *	grace periods.
 * @fill: write the item of @key and @value, @size bytes as @size just
 *	returned for them, into @item (8-byte aligned).  Called as @size.
 * @emit: hand one item of the window to the caller; called for each
 *	item in cursor order once the walk of the map is over, outside any
 *	read section of the map, so it may fault on user memory.  Returns 0,
 *	or an error that ends the call with that error.
 */
struct syncmap_window_ops {
	size_t (*size)(const void *key, size_t key_len, const void *value,
		       void *arg);
	void (*fill)(void *item, size_t size, const void *key, size_t key_len,
		     const void *value, void *arg);
	int (*emit)(const void *item, size_t size, void *arg);
};

/**
 * struct syncmap_window - one call of an iteration in windows
 * @cursor: in: %SYNCMAP_WINDOW_START for the first call, else the
 *	cursor the previous call returned; out: the cursor of the next
 *	call, %SYNCMAP_WINDOW_END after the last window.  Opaque.
 * @budget: in: bytes of items the caller can take in this call
 * @used: out: bytes of the items emitted
 * @need: out, with -ERANGE: bytes the first item of the next window
 *	needs (more than @budget)
 * @count: out: items emitted
 * @end: out: true when no key lies past this window
 */
struct syncmap_window {
	u64 cursor;
	size_t budget;
	size_t used;
	size_t need;
	unsigned int count;
	bool end;
};

int syncmap_range_window(struct syncmap *map, struct syncmap_window *win,
			 const struct syncmap_window_ops *ops, void *arg);

#endif /* _SYNCMAP_ITER_H */
