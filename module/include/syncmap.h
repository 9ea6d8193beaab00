/* SPDX-License-Identifier: GPL-2.0 */
/*
 * syncmap - Go's sync.Map for the kernel: a concurrent map whose loads are
 * lock-free against an RCU-published read snapshot and whose writers work on
 * a dirty map under a mutex.  See Documentation/syncmap.rst.
 *
 * Keys are byte strings of 1..max_key_len bytes.  Values are non-NULL
 * pointers that the map owns once stored; when a value leaves the map
 * (overwritten, deleted, cleared or the map freed) the map calls
 * ops->release() on it after an RCU grace period.
 *
 * Value pointers handed back by any operation stay valid until the end of
 * the caller's read section: rcu_read_lock() (never sleeps) or
 * syncmap_read_lock() (may sleep, and the only way to use a value returned
 * by an operation that itself may sleep, such as syncmap_swap()).
 */
#ifndef _SYNCMAP_H
#define _SYNCMAP_H

#include <linux/types.h>
#include <linux/module.h>
#include <linux/uidgid.h>

struct syncmap;

#define SYNCMAP_DEFAULT_KEY_LEN	256
#define SYNCMAP_MAX_KEY_LEN	4096
#define SYNCMAP_NAME_MAX	64	/* including the terminating NUL */

/**
 * struct syncmap_ops - how a map treats its values
 * @release: called once for every value that leaves the map, after an RCU
 *	grace period and after every syncmap_read_lock() section that could
 *	see it has ended.  Runs in process context (a workqueue, or the caller
 *	of the final syncmap_put()).  May be NULL when values need no release.
 * @equal: value equality for syncmap_compare_and_swap() and
 *	syncmap_compare_and_delete(); NULL means pointer identity.  Called
 *	under rcu_read_lock(): must not sleep.
 * @destroy: called once when the map is freed, after the last @release,
 *	to let @priv go.  Process context.  Not called when syncmap_create()
 *	fails.  May be NULL.
 */
struct syncmap_ops {
	void (*release)(void *value, void *priv);
	bool (*equal)(const void *a, const void *b, void *priv);
	void (*destroy)(void *priv);
};

/**
 * struct syncmap_params - creation parameters of a map
 * @ops: value operations, may be NULL (no release, pointer identity).
 * @priv: passed to every @ops callback.
 * @owner: the module that holds the code of @ops (THIS_MODULE); pinned
 *	while another user holds a reference taken with syncmap_find().
 * @max_entries: most keys the map may hold; 0 for no limit.
 * @max_key_len: longest key accepted; 0 for %SYNCMAP_DEFAULT_KEY_LEN;
 *	at most %SYNCMAP_MAX_KEY_LEN.
 * @gfp: allocation flags of the map's writers: %GFP_KERNEL, or
 *	%GFP_KERNEL_ACCOUNT for maps driven from userspace.  0 means
 *	%GFP_KERNEL.
 * @uid: owner of the map, checked by the char device when a registered
 *	map is opened from userspace.
 * @mode: permission bits (0..0777) checked the same way; 0 means 0600.
 */
struct syncmap_params {
	const struct syncmap_ops *ops;
	void *priv;
	struct module *owner;
	u32 max_entries;
	u32 max_key_len;
	gfp_t gfp;
	kuid_t uid;
	umode_t mode;
};

/**
 * struct syncmap_info - identity and limits of a map
 * @name: registered name, empty when the map is not registered
 * @id: registry id (stable while registered), 0 when not registered
 * @uid: owner
 * @mode: permission bits
 * @max_entries: entry limit, 0 for none
 * @max_key_len: longest key accepted
 */
struct syncmap_info {
	char name[SYNCMAP_NAME_MAX];
	u32 id;
	kuid_t uid;
	umode_t mode;
	u32 max_entries;
	u32 max_key_len;
};

/**
 * struct syncmap_stats - a map's counters, read without stopping writers
 * @len: keys present (exact at a quiescent point)
 * @read_entries: entries in the read snapshot, including deleted ones
 * @dirty_entries: entries in the dirty map, 0 when there is none
 * @amended: the dirty map holds keys the read snapshot lacks
 * @hits: loads answered by the read snapshot
 * @misses: operations that had to look past the read snapshot
 * @promotions: dirty maps promoted to read snapshot
 * @dirty_rebuilds: dirty maps started from the read snapshot
 * @expunged: deleted entries expunged while building a dirty map
 * @pending_release: values retired but not yet released
 * @locked_allocs: big tables (1024 entries and more) a writer allocated
 *	while holding the map's lock because the one prepared in the
 *	background was not ready; each is a latency spike for that writer
 * @read_slots: slots of the read snapshot's table
 * @dirty_slots: slots of the dirty map's table, 0 when there is none
 * @growing: the dirty map is moving its entries into a bigger table
 */
struct syncmap_stats {
	u64 len;
	u64 read_entries;
	u64 dirty_entries;
	u64 amended;
	u64 hits;
	u64 misses;
	u64 promotions;
	u64 dirty_rebuilds;
	u64 expunged;
	u64 pending_release;
	u64 locked_allocs;
	u64 read_slots;
	u64 dirty_slots;
	u64 growing;
};

typedef bool (*syncmap_range_fn)(const void *key, size_t key_len,
				 void *value, void *arg);
/*
 * The condition of syncmap_swap_if() and syncmap_load_and_delete_if():
 * true lets the change of @value go ahead.  Called under rcu_read_lock();
 * must not sleep.
 */
typedef bool (*syncmap_accept_fn)(const void *value, void *arg);

struct syncmap *syncmap_create(const struct syncmap_params *params);
void syncmap_destroy(struct syncmap *map);

bool syncmap_name_valid(const char *name);
int syncmap_register(struct syncmap *map, const char *name);
bool syncmap_unregister(struct syncmap *map);
struct syncmap *syncmap_find(const char *name);
struct syncmap *syncmap_find_next(u32 *id);
struct syncmap *syncmap_get(struct syncmap *map);
void syncmap_put(struct syncmap *map);
void syncmap_fill_info(struct syncmap *map, struct syncmap_info *info);

int syncmap_read_lock(struct syncmap *map);
void syncmap_read_unlock(struct syncmap *map, int idx);

void *syncmap_load(struct syncmap *map, const void *key, size_t key_len);
int syncmap_store(struct syncmap *map, const void *key, size_t key_len,
		  void *value);
int syncmap_load_or_store(struct syncmap *map, const void *key,
			  size_t key_len, void *value, void **actual);
int syncmap_load_and_delete(struct syncmap *map, const void *key,
			    size_t key_len, void **value);
int syncmap_load_and_delete_if(struct syncmap *map, const void *key,
			       size_t key_len, void **value,
			       syncmap_accept_fn accept, void *arg);
int syncmap_delete(struct syncmap *map, const void *key, size_t key_len);
int syncmap_swap(struct syncmap *map, const void *key, size_t key_len,
		 void *value, void **previous);
int syncmap_swap_if(struct syncmap *map, const void *key, size_t key_len,
		    void *value, void **previous, syncmap_accept_fn accept,
		    void *arg);
int syncmap_compare_and_swap(struct syncmap *map, const void *key,
			     size_t key_len, void *old, void *new);
int syncmap_compare_and_delete(struct syncmap *map, const void *key,
			       size_t key_len, void *old);
void syncmap_range(struct syncmap *map, syncmap_range_fn fn, void *arg);
int syncmap_clear(struct syncmap *map);
size_t syncmap_len(struct syncmap *map);
void syncmap_fill_stats(struct syncmap *map, struct syncmap_stats *stats);
void syncmap_synchronize(struct syncmap *map);

/**
 * struct syncmap_blob - a value holding a copy of bytes
 * @len: number of bytes in @data
 * @data: the bytes
 *
 * Maps created with &syncmap_blob_ops, and other blob maps found with
 * syncmap_find(), hold blobs: they are compared by content and released
 * by the map.  Blobs stored into a blob map must come from
 * syncmap_blob_alloc(); once stored, the map owns them and may keep them
 * for its own later stores.
 */
struct syncmap_blob {
	u32 len;
	u8 data[];
};

extern const struct syncmap_ops syncmap_blob_ops;
struct syncmap_blob *syncmap_blob_alloc(const void *data, u32 len, gfp_t gfp);
void syncmap_blob_free(struct syncmap_blob *blob);

#endif /* _SYNCMAP_H */
