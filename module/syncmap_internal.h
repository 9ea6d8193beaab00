/* SPDX-License-Identifier: GPL-2.0 */
/*
 * syncmap internals shared by the files of the module: the map, its tables
 * and entries.  Nothing here is ABI; users include <syncmap.h>.
 */
#ifndef _SYNCMAP_INTERNAL_H
#define _SYNCMAP_INTERNAL_H

#include <linux/atomic.h>
#include <linux/kref.h>
#include <linux/llist.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <linux/refcount.h>
#include <linux/siphash.h>
#include <linux/srcu.h>
#include <linux/workqueue.h>

#include <syncmap.h>
#include <syncmap_test_hooks.h>

/*
 * Two addresses nobody else can hand us: the state of an entry that was
 * deleted and left out of the dirty map (Go's "expunged"), and the mark a
 * dirty-map slot keeps when its entry is removed so that probes go on.
 */
extern u8 syncmap_markers[2];
#define SYNCMAP_EXPUNGED	((void *)&syncmap_markers[0])
#define SYNCMAP_TOMBSTONE	((struct syncmap_entry *)&syncmap_markers[1])

/**
 * struct syncmap_entry - one key and the slot for its value (Go's entry)
 * @p: the value; %NULL once deleted; %SYNCMAP_EXPUNGED once deleted and
 *	left out of the dirty map.  Changed only with cmpxchg()/xchg().
 * @reap: link on the map's list of dead entries
 * @ref: one reference per table (read snapshot or dirty map) holding it
 * @hash: hsiphash of the key under the map's key
 * @key_len: length of @key
 * @key: the key bytes
 */
struct syncmap_entry {
	void __rcu *p;
	struct llist_node reap;
	refcount_t ref;
	u32 hash;
	u16 key_len;
	u8 key[];
};

/**
 * struct syncmap_table - open-addressed table of entry pointers
 * @mask: number of slots minus one (slots are a power of two)
 * @count: entries in the table
 * @used: entries plus tombstones; kept at most 3/4 of the slots so that
 *	every probe meets an empty slot
 * @put_entries: reaping the table drops one reference of every entry
 * @dirty: for a read snapshot, the dirty map that amends it (Go's
 *	"amended" is @dirty != NULL); never set on a dirty map
 * @old: for a dirty map that is growing, the smaller table whose entries
 *	are still being moved in; lookups try @old after this table
 * @retire: link on the map's list of retired tables
 * @slots: entry pointers, %NULL or %SYNCMAP_TOMBSTONE
 *
 * A read snapshot is never modified once published.  The dirty map is
 * modified under the map's lock and read without it by syncmap_load(), so
 * its slots are published with rcu_assign_pointer().
 */
struct syncmap_table {
	unsigned int mask;
	unsigned int count;
	unsigned int used;
	bool put_entries;
	struct syncmap_table __rcu *dirty;
	struct syncmap_table __rcu *old;
	struct llist_node retire;
	struct syncmap_entry __rcu *slots[];
};

/*
 * Per-CPU state of the lock-free paths: counters, and the values retired on
 * this CPU (a list per CPU keeps writers on disjoint keys off each other's
 * cache lines).  @pending goes up where a value is retired and down where
 * it is released: only the sum over the CPUs means anything.  @block
 * collects the values the lock-free paths retire until it is full, so
 * that they need no allocation of their own; @lock guards it (a writer
 * may migrate to another CPU while it holds the block, and the reap work
 * empties every CPU's).
 */
struct syncmap_pcpu {
	u64 hits;
	u64 misses;
	long pending;
	spinlock_t lock;	/* guards @block */
	struct syncmap_retiree *block;
	struct llist_head limbo_values;
};

/**
 * struct syncmap - the map
 * @read: the read snapshot (Go's read), replaced only under @lock
 * @hash_key: per-map random hsiphash key
 * @max_key_len: longest key accepted
 * @max_entries: entry limit, 0 for none
 * @len: keys present; reserved before a key becomes present
 * @misses: misses since the last promotion (Go's misses)
 * @pcpu: counters and retired values, per CPU
 * @lock: serialises writers on the dirty map (Go's mu)
 * @migrate_pos: next slot of @read to copy into the dirty map
 * @migrate_left: entries of @read not yet copied or expunged
 * @grow_pos: next slot of the growing dirty map's old table to move
 * @grow_left: entries of that old table not yet moved
 * @spare: an empty table allocated ahead of time by @spare_work, taken
 *	when a dirty map is created or grows, so that no writer allocates
 *	and zeroes a big table while holding @lock
 * @spare_want: entries @spare should hold, set under @lock
 * @waiters: writers waiting for @lock; long jobs holding it step aside
 * @copying: the work item is finishing the dirty map and has its CPU to
 *	itself; writers then leave the copy to it (under @lock)
 * @promotions: counter, under @lock
 * @dirty_rebuilds: counter, under @lock
 * @expunged: counter, under @lock
 * @locked_allocs: counter, under @lock
 * @ops: value operations
 * @priv: argument of @ops
 * @owner: module holding @ops, pinned by syncmap_get()
 * @gfp: allocation flags of writers
 * @memcg: the creator's memory cgroup, charged for what the work items
 *	allocate for the map (%NULL unless @gfp accounts); a reference
 *	taken at creation, dropped by syncmap_free() once the work items
 *	are cancelled
 * @uid: owner uid for the char device
 * @mode: permission bits for the char device
 * @srcu: sleepable read sections (syncmap_read_lock(), syncmap_range())
 * @limbo_tables: retired tables waiting for a grace period
 * @limbo_entries: dead entries waiting for a grace period
 * @reap_work: releases what sits in the limbo lists
 * @promote_work: finishes a dirty-map build and promotes it when due
 * @spare_work: allocates @spare
 * @ref: references: the creator's, the registry's, syncmap_get()'s
 * @id: registry id, 0 when not registered (registry lock)
 * @name: registered name (registry lock)
 * @test_hooks: KUnit's hooks (syncmap_test_hooks.h), %NULL outside tests
 */
struct syncmap {
	struct syncmap_table __rcu *read;
	hsiphash_key_t hash_key;
	u32 max_key_len;
	u32 max_entries;
	atomic_long_t len;
	atomic_t misses;
	struct syncmap_pcpu __percpu *pcpu;

	struct mutex lock ____cacheline_aligned_in_smp;
	unsigned int migrate_pos;
	unsigned int migrate_left;
	unsigned int grow_pos;
	unsigned int grow_left;
	struct syncmap_table *spare;
	unsigned long spare_want;
	atomic_t waiters;
	bool copying;
	u64 promotions;
	u64 dirty_rebuilds;
	u64 expunged;
	u64 locked_allocs;

	const struct syncmap_ops *ops;
	void *priv;
	struct module *owner;
	gfp_t gfp;
	struct mem_cgroup *memcg;
	kuid_t uid;
	umode_t mode;

	struct srcu_struct srcu;
	struct llist_head limbo_tables;
	struct llist_head limbo_entries;
	struct work_struct reap_work;
	struct work_struct promote_work;
	struct work_struct spare_work;

	struct kref ref;
	u32 id;
	char name[SYNCMAP_NAME_MAX];
#if IS_ENABLED(CONFIG_KUNIT)
	const struct syncmap_test_hooks *test_hooks;
#endif
};

/* The hooks a KUnit test set on @map, or NULL: always NULL without KUnit. */
static inline const struct syncmap_test_hooks *
syncmap_test_hooks(struct syncmap *map)
{
#if IS_ENABLED(CONFIG_KUNIT)
	return READ_ONCE(map->test_hooks);
#else
	return NULL;
#endif
}

/**
 * struct syncmap_retiree - a value on its way out, waiting for a grace period
 * @node: link on a per-CPU &syncmap_pcpu.limbo_values
 * @nr: number of @values
 * @values: the values
 *
 * Allocated before an operation changes anything, so that an operation
 * that would retire a value fails with -ENOMEM instead of half-finishing.
 */
struct syncmap_retiree {
	struct llist_node node;
	unsigned int nr;
	void *values[];
};

/* The protection, besides RCU, under which table slots may be read. */
static inline bool syncmap_protected(struct syncmap *map)
{
	return lockdep_is_held(&map->lock) || srcu_read_lock_held(&map->srcu);
}

/* syncmap_table.c */
struct syncmap_table *syncmap_table_alloc(struct syncmap *map,
					  unsigned long capacity);
void syncmap_table_free(struct syncmap_table *t);
struct syncmap_table *syncmap_table_take(struct syncmap *map,
					 unsigned long capacity);
void syncmap_table_want(struct syncmap *map, unsigned long capacity);
void syncmap_spare_work(struct work_struct *work);
unsigned int syncmap_table_room(const struct syncmap_table *t);
void syncmap_table_insert(struct syncmap *map, struct syncmap_table *t,
			  struct syncmap_entry *e);
bool syncmap_table_remove(struct syncmap *map, struct syncmap_table *t,
			  struct syncmap_entry *e);

/**
 * syncmap_table_slot() - read one slot of a table
 * @map: the map owning @t
 * @t: the table
 * @i: slot index, masked by the caller
 *
 * Context: rcu_read_lock(), syncmap_read_lock() or the map's lock.
 * Return: the entry, %NULL or %SYNCMAP_TOMBSTONE.
 */
static inline struct syncmap_entry *
syncmap_table_slot(struct syncmap *map, const struct syncmap_table *t,
		   unsigned int i)
{
	return rcu_dereference_check(t->slots[i], syncmap_protected(map));
}

/*
 * Key equality for the probe loop, a word at a time: keys have a run-time
 * length, so memcmp() would be an out-of-line call (a bytewise loop on
 * x86-64) on every successful lookup.
 */
static __always_inline bool syncmap_key_equal(const u8 *a, const u8 *b,
					      size_t len)
{
	u64 x, y;

	for (; len >= sizeof(u64); len -= sizeof(u64)) {
		/* Constant-size copies: one unaligned load each. */
		memcpy(&x, a, sizeof(x));
		memcpy(&y, b, sizeof(y));
		if (x != y)
			return false;
		a += sizeof(u64);
		b += sizeof(u64);
	}
	for (; len; len--)
		if (*a++ != *b++)
			return false;
	return true;
}

/**
 * syncmap_table_lookup() - find the entry of a key
 * @map: the map owning @t
 * @t: the table
 * @key: the key
 * @key_len: its length
 * @hash: its hash
 *
 * Linear probing from the hash's home slot to the first empty slot; the
 * table is never more than 3/4 used, so an empty slot always comes.
 *
 * Context: rcu_read_lock(), syncmap_read_lock() or the map's lock.
 * Return: the entry, or %NULL.
 */
static __always_inline struct syncmap_entry *
syncmap_table_lookup(struct syncmap *map, const struct syncmap_table *t,
		     const void *key, size_t key_len, u32 hash)
{
	unsigned int i = hash & t->mask;
	struct syncmap_entry *e;

	for (;; i = (i + 1) & t->mask) {
		e = syncmap_table_slot(map, t, i);
		if (!e)
			return NULL;
		if (e != SYNCMAP_TOMBSTONE && e->hash == hash &&
		    e->key_len == key_len &&
		    syncmap_key_equal(e->key, key, key_len))
			return e;
	}
}

/* syncmap_reclaim.c */
struct syncmap_retiree *syncmap_retiree_alloc(struct syncmap *map,
					      unsigned int nr);
struct syncmap_pcpu *syncmap_retire_begin(struct syncmap *map);
void syncmap_retire_end(struct syncmap *map, struct syncmap_pcpu *pc,
			void *value);
void syncmap_retire_init(struct syncmap *map);
void syncmap_retire_values(struct syncmap *map, struct syncmap_retiree *r);
void syncmap_retire_table(struct syncmap *map, struct syncmap_table *t,
			  bool put_entries);
void syncmap_entry_put(struct syncmap *map, struct syncmap_entry *e);
void syncmap_reap_work(struct work_struct *work);
void syncmap_reclaim_all(struct syncmap *map);
long syncmap_pending(struct syncmap *map);

/* syncmap_core.c */
void syncmap_free(struct kref *ref);
void syncmap_promote_work(struct work_struct *work);

/* syncmap_registry.c */
void syncmap_registry_exit(void);

#endif /* _SYNCMAP_INTERNAL_H */
