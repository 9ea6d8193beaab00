// SPDX-License-Identifier: GPL-2.0
/*
 * syncmap core: Go's sync.Map (src/sync/map.go) on kernel primitives.
 *
 * Go                          here
 * --------------------------  ------------------------------------------
 * read atomic.Pointer         map->read, an __rcu table pointer
 * readOnly.amended            read->dirty != NULL
 * dirty map[any]*entry        read->dirty, changed under map->lock only,
 *                             but readable lock-free by syncmap_load()
 * mu                          map->lock (a mutex; loads never take it)
 * misses                      map->misses
 * entry.p                     entry->p, cmpxchg()/xchg()
 * expunged                    SYNCMAP_EXPUNGED
 * garbage collector           syncmap_reclaim.c (RCU + SRCU grace periods)
 *
 * Two departures from Go, both for its known weaknesses:
 *  - A load that misses the read snapshot looks the key up in the dirty
 *    map without the lock and counts the miss atomically; when misses
 *    reach the dirty map's size it queues the promotion to a work item.
 *    Loads never take a lock and work in softirq context.
 *  - The dirty map is not built from the read snapshot in one O(n) copy
 *    under the lock when the first new key arrives after a promotion.  That
 *    key gets an empty dirty map; the read snapshot's entries are copied
 *    (or expunged) a slice at a time by a work item that drops the lock
 *    between chunks, and SYNCMAP_MIGRATE_STEP slots by every operation
 *    that takes the lock while that work item is not running.  Until the
 *    copy is done, the read snapshot answers for the entries not yet
 *    copied, exactly as it answers for copied ones; promotion waits for
 *    the copy to finish.  Growing the dirty map works the same way: the
 *    bigger table keeps a pointer to the old one, lookups try both, and
 *    entries move over a slice at a time.
 * Documentation/syncmap-internals.rst has the state machine,
 * Documentation/syncmap.rst the locking rules.
 */
#include <linux/cpumask.h>
#include <linux/err.h>
#include <linux/memcontrol.h>
#include <linux/overflow.h>
#include <linux/random.h>
#include <linux/sched.h>
#include <linux/sched/stat.h>
#include <linux/slab.h>

#include "syncmap_internal.h"

#define CREATE_TRACE_POINTS
#include "syncmap_trace.h"

u8 syncmap_markers[2];

/* Read-snapshot slots copied into the dirty map per locked operation. */
#define SYNCMAP_MIGRATE_STEP	16U
/*
 * ... and by the work item that finishes the copy: a step between looks for
 * waiting writers, a chunk per lock hold.
 */
#define SYNCMAP_WORK_STEP	64U
#define SYNCMAP_MIGRATE_CHUNK	1024U

struct syncmap_key {
	const void *data;
	size_t len;
	u32 hash;
};

static int syncmap_key_init(struct syncmap *map, struct syncmap_key *k,
			    const void *key, size_t key_len)
{
	if (!key || !key_len)
		return -EINVAL;
	if (key_len > map->max_key_len)
		return -E2BIG;
	k->data = key;
	k->len = key_len;
	k->hash = hsiphash(key, key_len, &map->hash_key);
	return 0;
}

static __always_inline struct syncmap_entry *
syncmap_find_in(struct syncmap *map, const struct syncmap_table *t,
		const struct syncmap_key *k)
{
	return syncmap_table_lookup(map, t, k->data, k->len, k->hash);
}

/* ---- entries: Go's entry methods ------------------------------------- */

static inline bool syncmap_is_value(const void *p)
{
	return p && p != SYNCMAP_EXPUNGED;
}

/*
 * Entries are only reached through a table under rcu_read_lock(),
 * syncmap_read_lock() or map->lock, which the table lookup checked.
 */
static inline void *entry_peek(struct syncmap_entry *e)
{
	return rcu_dereference_raw(e->p);
}

/* Fully ordered: a value is published to readers whole. */
static inline bool entry_try_cmpxchg(struct syncmap_entry *e, void **old,
				     void *new)
{
	return try_cmpxchg((void __force **)&e->p, old, new);
}

static bool syncmap_len_reserve(struct syncmap *map)
{
	long n = atomic_long_read(&map->len);

	if (!map->max_entries) {
		atomic_long_inc(&map->len);
		return true;
	}
	do {
		if (n >= map->max_entries)
			return false;
	} while (!atomic_long_try_cmpxchg(&map->len, &n, n + 1));
	return true;
}

static void syncmap_len_unreserve(struct syncmap *map)
{
	atomic_long_dec(&map->len);
}

/*
 * Go's entry.tryLoadOrStore.
 * Return: 1 with *@actual the present value, 0 if @value was stored,
 * -EAGAIN if expunged, -ENOSPC if the map is full.
 */
static int entry_load_or_store(struct syncmap *map, struct syncmap_entry *e,
			       void *value, void **actual)
{
	void *p = entry_peek(e);
	bool reserved = false;
	int ret;

	for (;;) {
		if (p == SYNCMAP_EXPUNGED) {
			ret = -EAGAIN;
			break;
		}
		if (p) {
			*actual = p;
			ret = 1;
			break;
		}
		if (!reserved) {
			if (!syncmap_len_reserve(map))
				return -ENOSPC;
			reserved = true;
		}
		if (entry_try_cmpxchg(e, &p, value)) {
			*actual = value;
			return 0;
		}
	}
	if (reserved)
		syncmap_len_unreserve(map);
	return ret;
}

static bool syncmap_equal(struct syncmap *map, const void *a, const void *b)
{
	if (map->ops && map->ops->equal)
		return map->ops->equal(a, b, map->priv);
	return a == b;
}

/*
 * An operation that changes the value of one key and retires at most the
 * value it replaces:
 *  - Swap (@insert: @new is stored also when the key is absent) and
 *    LoadAndDelete (@new is %NULL), both whatever the present value is
 *    (@any), unless @accept rejects it;
 *  - CompareAndSwap and CompareAndDelete: only if the present value equals
 *    @old (@new the replacement, or %NULL).
 * @prev is the value replaced or deleted, %NULL if none was.
 */
struct syncmap_change {
	bool any;
	bool insert;
	void *old;
	void *new;
	syncmap_accept_fn accept;
	void *arg;
	void *prev;
};

/*
 * Go's entry.trySwap (and swapLocked once unexpunged), entry.delete and
 * entry.tryCompareAndSwap (CompareAndDelete's loop when @c->new is NULL),
 * with @c->accept asked about each present value before the cmpxchg()
 * that would replace it.  The RCU read section keeps the present value
 * alive while ops->equal() or @c->accept looks at it, also on the locked
 * paths; both see every value a lost cmpxchg() shows, so the verdict of
 * the last call is the one on the value replaced.  A deleted entry that
 * Swap makes present first reserves its place in the length, so
 * max_entries holds on the lock-free path too.
 * Return: 0 with @c->prev set (%NULL when nothing was there to replace, or
 * it compared unequal), -ECANCELED if @c->accept rejected the present
 * value; for Swap also -EAGAIN if expunged, -ENOSPC if the map is full.
 * @c->prev is left alone on error.
 */
static int entry_change(struct syncmap *map, struct syncmap_entry *e,
			struct syncmap_change *c)
{
	bool reserved = false;
	int ret = 0;
	void *p;

	rcu_read_lock();
	p = entry_peek(e);
	for (;;) {
		if (syncmap_is_value(p)) {
			if (reserved) {
				syncmap_len_unreserve(map);
				reserved = false;
			}
			if (!c->any && !syncmap_equal(map, p, c->old))
				break;
			if (c->accept && !c->accept(p, c->arg)) {
				ret = -ECANCELED;
				break;
			}
		} else if (!c->insert) {
			break;
		} else if (p == SYNCMAP_EXPUNGED) {
			ret = -EAGAIN;
			break;
		} else if (!reserved) {
			if (!syncmap_len_reserve(map)) {
				ret = -ENOSPC;
				break;
			}
			reserved = true;
		}
		if (entry_try_cmpxchg(e, &p, c->new)) {
			rcu_read_unlock();
			if (p && !c->new)
				atomic_long_dec(&map->len);
			c->prev = p;
			return 0;
		}
	}
	rcu_read_unlock();
	if (reserved)
		syncmap_len_unreserve(map);
	if (!ret)
		c->prev = NULL;
	return ret;
}

/* Go's entry.unexpungeLocked. */
static bool entry_unexpunge(struct syncmap_entry *e)
{
	void *p = SYNCMAP_EXPUNGED;

	return entry_try_cmpxchg(e, &p, NULL);
}

/* Go's entry.tryExpungeLocked. */
static bool entry_try_expunge(struct syncmap_entry *e)
{
	void *p = entry_peek(e);

	while (!p) {
		if (entry_try_cmpxchg(e, &p, SYNCMAP_EXPUNGED))
			return true;
	}
	return p == SYNCMAP_EXPUNGED;
}

/* ---- the map under its lock ------------------------------------------- */

static struct syncmap_table *read_locked(struct syncmap *map)
{
	return rcu_dereference_protected(map->read,
					 lockdep_is_held(&map->lock));
}

static struct syncmap_table *dirty_locked(struct syncmap *map,
					  struct syncmap_table *read)
{
	return rcu_dereference_protected(read->dirty,
					 lockdep_is_held(&map->lock));
}

static struct syncmap_table *old_locked(struct syncmap *map,
					struct syncmap_table *dirty)
{
	return rcu_dereference_protected(dirty->old,
					 lockdep_is_held(&map->lock));
}

static bool syncmap_migrated(struct syncmap *map, struct syncmap_table *read)
{
	return map->migrate_pos > read->mask;
}

/* The dirty map is whole: copied from the snapshot and not growing. */
static bool syncmap_dirty_complete(struct syncmap *map,
				   struct syncmap_table *read,
				   struct syncmap_table *dirty)
{
	return syncmap_migrated(map, read) && !old_locked(map, dirty);
}

/* Entries of the dirty map, counting those not yet moved out of @old. */
static unsigned int syncmap_dirty_count(struct syncmap *map,
					struct syncmap_table *dirty)
{
	return dirty->count + (old_locked(map, dirty) ? map->grow_left : 0);
}

/*
 * Look a key up in the dirty map: the table itself, then the smaller one it
 * is growing out of.  @hooks are a KUnit test's (syncmap_test_hooks.h),
 * passed by the lock-free load only; the locked callers pass %NULL.
 * Entries are not removed from the old table when they move, so a lookup
 * racing with the move finds them in one or the other,
 * provided it reads @old before it probes @dirty: a load that probed first
 * could miss a key not yet moved, then find @old cleared by the end of the
 * move.  Read with acquire, @old is either still there, holding every
 * entry not yet moved, or NULL, and then the release in syncmap_grow()
 * makes every insert of the move visible to the probe.  The address
 * dependency of rcu_dereference() would not order the probe of @dirty.
 *
 * Context: rcu_read_lock(), syncmap_read_lock() or the map's lock.
 */
static struct syncmap_entry *
syncmap_find_dirty(struct syncmap *map, struct syncmap_table *dirty,
		   const struct syncmap_key *k,
		   const struct syncmap_test_hooks *hooks)
{
	struct syncmap_table *old;
	struct syncmap_entry *e;

	/* Pairs with smp_store_release() in syncmap_grow(). */
	old = smp_load_acquire((struct syncmap_table __force **)&dirty->old);
	e = syncmap_find_in(map, dirty, k);
	if (!e && old) {
		if (unlikely(hooks && hooks->load_between_probes))
			hooks->load_between_probes(map, hooks->arg);
		e = syncmap_find_in(map, old, k);
	}
	return e;
}

/*
 * Go's dirtyLocked, a slice at a time: copy up to @budget slots of the read
 * snapshot into the dirty map, expunging deleted entries instead of copying
 * them.  The dirty map was sized for all of them by syncmap_dirty_reserve().
 */
static void syncmap_migrate(struct syncmap *map, struct syncmap_table *read,
			    struct syncmap_table *dirty, unsigned int budget)
{
	struct syncmap_entry *e;

	lockdep_assert_held(&map->lock);
	for (; budget && !syncmap_migrated(map, read); budget--) {
		e = rcu_dereference_protected(read->slots[map->migrate_pos++],
					      lockdep_is_held(&map->lock));
		if (!e || e == SYNCMAP_TOMBSTONE)
			continue;
		map->migrate_left--;
		if (entry_try_expunge(e)) {
			map->expunged++;
			continue;
		}
		refcount_inc(&e->ref);
		syncmap_table_insert(map, dirty, e);
	}
	/* Never called once the copy is done: this is its end. */
	if (syncmap_migrated(map, read))
		trace_syncmap_dirty_finish(map, dirty->count, dirty->mask + 1);
}

/*
 * Move up to @budget slots of a growing dirty map's old table into it; the
 * entries' references move along.  The last slot retires the old table.
 */
static void syncmap_grow(struct syncmap *map, struct syncmap_table *dirty,
			 unsigned int budget)
{
	struct syncmap_table *old = old_locked(map, dirty);
	struct syncmap_entry *e;

	if (!old)
		return;
	for (; budget && map->grow_pos <= old->mask; budget--) {
		e = rcu_dereference_protected(old->slots[map->grow_pos++],
					      lockdep_is_held(&map->lock));
		if (!e || e == SYNCMAP_TOMBSTONE)
			continue;
		map->grow_left--;
		syncmap_table_insert(map, dirty, e);
	}
	if (map->grow_pos > old->mask) {
		WARN_ON_ONCE(map->grow_left);
		/*
		 * With release, not rcu_assign_pointer() (a plain store for
		 * NULL): a lock-free load that sees NULL must see every
		 * entry moved above (syncmap_find_dirty()).
		 */
		smp_store_release((struct syncmap_table __force **)&dirty->old,
				  NULL);
		syncmap_retire_table(map, old, false);
		trace_syncmap_grow_finish(map, dirty->count, dirty->mask + 1);
	}
}

/*
 * Once a quarter of the room left for new keys is gone, have the table the
 * dirty map will grow into allocated in the background.  Entries still to
 * come in by the copy or a move count as present.
 */
static void syncmap_spare_check(struct syncmap *map,
				struct syncmap_table *dirty, unsigned int extra)
{
	unsigned int coming = map->migrate_left +
			      (old_locked(map, dirty) ? map->grow_left : 0);
	unsigned int room = syncmap_table_room(dirty);
	unsigned int slack = room > coming ? room - coming : 0;
	unsigned long total = (unsigned long)dirty->count + coming;

	if (slack < total / 4 + extra)
		syncmap_table_want(map, total + slack + extra);
}

/*
 * Make room in the dirty map for @extra more entries besides the rest of
 * the copy and of a growth, creating it if the read snapshot has none (Go:
 * dirtyLocked and read.Store(amended: true)).  Nothing changes when it
 * fails.
 *
 * Room for every entry still to come in is reserved when a table is made,
 * so copying and moving never allocate.  A full dirty map gets a table
 * sized for 1.5 times its load, which keeps the old one and takes its
 * entries over a slice at a time (syncmap_grow()): no insert waits for an
 * O(n) copy.  That move ends long before the new table fills; should a
 * growth be due before it ends, the move is finished first, which the room
 * reserved for it allows.
 */
static int syncmap_dirty_reserve(struct syncmap *map,
				 struct syncmap_table *read, unsigned int extra)
{
	struct syncmap_table *dirty = dirty_locked(map, read);
	struct syncmap_table *bigger;

	if (!dirty) {
		dirty = syncmap_table_take(map, (unsigned long)read->count +
					   extra);
		if (!dirty)
			return -ENOMEM;
		map->migrate_pos = 0;
		map->migrate_left = read->count;
		map->dirty_rebuilds++;
		rcu_assign_pointer(read->dirty, dirty);
		trace_syncmap_dirty_start(map, read->count, dirty->mask + 1);
	} else if (syncmap_table_room(dirty) < map->migrate_left + extra +
		   (old_locked(map, dirty) ? map->grow_left : 0)) {
		syncmap_grow(map, dirty, UINT_MAX);
		if (syncmap_table_room(dirty) < map->migrate_left + extra) {
			bigger = syncmap_table_take(map,
						    (unsigned long)dirty->count +
						    map->migrate_left + extra);
			if (!bigger)
				return -ENOMEM;
			RCU_INIT_POINTER(bigger->old, dirty);
			map->grow_pos = 0;
			map->grow_left = dirty->count;
			rcu_assign_pointer(read->dirty, bigger);
			trace_syncmap_grow_start(map, dirty->count,
						 dirty->mask + 1, bigger->mask + 1);
			dirty = bigger;
		}
	}
	syncmap_spare_check(map, dirty, extra);
	return 0;
}

/* Go: the promotion in missLocked and Range.  The copy must be complete. */
static void syncmap_promote_locked(struct syncmap *map,
				   struct syncmap_table *read,
				   struct syncmap_table *dirty)
{
	lockdep_assert_held(&map->lock);
	WARN_ON_ONCE(!syncmap_dirty_complete(map, read, dirty));
	rcu_assign_pointer(map->read, dirty);
	trace_syncmap_promote(map, dirty->count, dirty->mask + 1,
			      atomic_read(&map->misses));
	atomic_set(&map->misses, 0);
	map->promotions++;
	syncmap_retire_table(map, read, true);
	/* The table for the next dirty map, before its first new key. */
	syncmap_table_want(map, (unsigned long)dirty->count + 1);
}

/* Go's missLocked.  @read is stale once this returns. */
static void syncmap_miss_locked(struct syncmap *map,
				struct syncmap_table *read)
{
	struct syncmap_table *dirty = dirty_locked(map, read);

	this_cpu_inc(map->pcpu->misses);
	if (atomic_inc_return(&map->misses) < syncmap_dirty_count(map, dirty))
		return;
	/* If a copy or move is still running, its work item promotes. */
	if (syncmap_dirty_complete(map, read, dirty))
		syncmap_promote_locked(map, read, dirty);
}

/*
 * A miss seen without the lock (syncmap_load()).  While the dirty map grows
 * its count is low; the work item checks the real one.
 */
static void syncmap_miss(struct syncmap *map, struct syncmap_table *dirty)
{
	this_cpu_inc(map->pcpu->misses);
	if (atomic_inc_return(&map->misses) >= READ_ONCE(dirty->count))
		queue_work(system_unbound_wq, &map->promote_work);
}

/* Take the lock, showing the work items that a writer waits for it. */
static void syncmap_lock(struct syncmap *map)
{
	if (mutex_trylock(&map->lock))
		return;
	atomic_inc(&map->waiters);
	mutex_lock(&map->lock);
	atomic_dec(&map->waiters);
}

/*
 * Every holder of the lock pushes the copy into the dirty map, and its
 * growth, along, unless the work item is at it on a CPU of its own; what
 * one step does not finish, the work item does, in bounded chunks.  Small
 * maps never need the work item.
 */
static void syncmap_unlock(struct syncmap *map)
{
	struct syncmap_table *read = read_locked(map);
	struct syncmap_table *dirty = dirty_locked(map, read);

	if (dirty && !map->copying) {
		if (!syncmap_migrated(map, read))
			syncmap_migrate(map, read, dirty, SYNCMAP_MIGRATE_STEP);
		syncmap_grow(map, dirty, SYNCMAP_MIGRATE_STEP);
		if (!syncmap_dirty_complete(map, read, dirty))
			queue_work(system_unbound_wq, &map->promote_work);
	}
	mutex_unlock(&map->lock);
}

/*
 * Finish the copy into the dirty map and any growth of it, a step at a
 * time.  The lock is dropped after every chunk, and after any step at which
 * a writer waits for it, so that no writer waits for more than one step.
 * In the background (@background, the work item) the copy also gives way
 * to any other task that wants its CPU: it sleeps a tick whenever another
 * task is runnable there, so a thread sharing the CPU waits for one step,
 * not for the scheduler to end the worker's slice.  Writers go on pushing
 * the copy along meanwhile.  Called and returns with the lock held; the
 * read snapshot may have changed meanwhile.
 */
static void syncmap_finish_dirty(struct syncmap *map, bool background)
{
	struct syncmap_table *read, *dirty;
	unsigned int done = 0;
	bool crowded;

	for (;;) {
		read = read_locked(map);
		dirty = dirty_locked(map, read);
		map->copying = false;
		if (!dirty || syncmap_dirty_complete(map, read, dirty))
			return;
		map->copying = background;
		if (!syncmap_migrated(map, read))
			syncmap_migrate(map, read, dirty, SYNCMAP_WORK_STEP);
		else
			syncmap_grow(map, dirty, SYNCMAP_WORK_STEP);
		if (syncmap_dirty_complete(map, read, dirty)) {
			map->copying = false;
			return;
		}
		done += SYNCMAP_WORK_STEP;
		/* A hint: it may be stale at once, and need not be exact. */
		crowded = background && !single_task_running();
		if (done < SYNCMAP_MIGRATE_CHUNK && !crowded &&
		    !atomic_read(&map->waiters))
			continue;
		done = 0;
		/*
		 * Writers take their steps again while this one sleeps or
		 * waits for them: under steady contention it would otherwise
		 * wait while they skip their steps, and the copy would crawl
		 * (review finding 8).  At the end of a chunk with nobody
		 * waiting it takes the lock straight back.
		 */
		if (crowded || atomic_read(&map->waiters))
			map->copying = false;
		mutex_unlock(&map->lock);
		/* A spinning waiter would lose every race for the lock. */
		while (atomic_read(&map->waiters)) {
			cond_resched();
			cpu_relax();
		}
		if (crowded)
			schedule_timeout_idle(1);
		mutex_lock(&map->lock);
	}
}

/**
 * syncmap_promote_work() - finish a dirty-map copy and promote it if due
 * @work: &syncmap.promote_work
 *
 * Context: workqueue; takes the map's lock.
 */
void syncmap_promote_work(struct work_struct *work)
{
	struct syncmap *map = container_of(work, struct syncmap, promote_work);
	struct syncmap_table *read, *dirty;

	mutex_lock(&map->lock);
	syncmap_finish_dirty(map, true);
	read = read_locked(map);
	dirty = dirty_locked(map, read);
	if (dirty && atomic_read(&map->misses) >= syncmap_dirty_count(map, dirty))
		syncmap_promote_locked(map, read, dirty);
	mutex_unlock(&map->lock);
}

/* Go's unexpungeLocked + m.dirty[key] = e, with the room reserved first. */
static int syncmap_unexpunge_locked(struct syncmap *map,
				    struct syncmap_table *read,
				    struct syncmap_entry *e)
{
	int ret;

	if (entry_peek(e) != SYNCMAP_EXPUNGED)
		return 0;
	/* Only the lock holder expunges or unexpunges: this stays true. */
	ret = syncmap_dirty_reserve(map, read, 1);
	if (ret)
		return ret;
	if (entry_unexpunge(e)) {
		refcount_inc(&e->ref);
		syncmap_table_insert(map, dirty_locked(map, read), e);
	}
	return 0;
}

/* Go: m.dirty[key] = newEntry(value), for a key neither table has. */
static int syncmap_insert_locked(struct syncmap *map,
				 struct syncmap_table *read,
				 const struct syncmap_key *k, void *value)
{
	struct syncmap_entry *e;
	int ret = -ENOMEM;

	if (!syncmap_len_reserve(map))
		return -ENOSPC;
	e = kmalloc(struct_size(e, key, k->len), map->gfp);
	if (!e)
		goto unreserve;
	ret = syncmap_dirty_reserve(map, read, 1);
	if (ret) {
		kfree(e);
		goto unreserve;
	}
	RCU_INIT_POINTER(e->p, value);
	refcount_set(&e->ref, 1);
	e->hash = k->hash;
	e->key_len = k->len;
	memcpy(e->key, k->data, k->len);
	syncmap_table_insert(map, dirty_locked(map, read), e);
	return 0;

unreserve:
	syncmap_len_unreserve(map);
	return ret;
}

/* ---- retiring values ----------------------------------------------- */

/*
 * Room to retire one value, taken before anything changes.  NULL without
 * error when the map has no release callback: nothing to wait for then.
 */
static int syncmap_retiree_get(struct syncmap *map,
			       struct syncmap_retiree **r)
{
	*r = NULL;
	if (!map->ops || !map->ops->release)
		return 0;
	*r = syncmap_retiree_alloc(map, 1);
	return *r ? 0 : -ENOMEM;
}

static void syncmap_retire_one(struct syncmap *map, struct syncmap_retiree *r,
			       void *value)
{
	if (!r)
		return;
	r->nr = value ? 1 : 0;
	if (value)
		r->values[0] = value;
	syncmap_retire_values(map, r);
}

/* ---- operations ------------------------------------------------------ */

/**
 * syncmap_load() - look a key up (Go's Load)
 * @map: the map
 * @key: the key bytes
 * @key_len: length of @key
 *
 * Never takes a lock: a hit in the read snapshot costs a hash, a probe
 * and one load; a miss also probes the dirty map and counts the miss.
 *
 * Context: any context, including softirq and hardirq.  The caller holds
 * rcu_read_lock() or syncmap_read_lock(); the returned value stays valid
 * until that section ends (lockdep-checked).
 * Return: the value stored for @key, or %NULL if there is none (also for an
 * empty or too-long key, which no map holds).
 */
void *syncmap_load(struct syncmap *map, const void *key, size_t key_len)
{
	struct syncmap_table *read, *dirty;
	struct syncmap_entry *e;
	struct syncmap_key k;
	void *p = NULL;

	RCU_LOCKDEP_WARN(!rcu_read_lock_held() &&
			 !srcu_read_lock_held(&map->srcu),
			 "load needs rcu_read_lock() or syncmap_read_lock()");
	if (syncmap_key_init(map, &k, key, key_len))
		return NULL;

	/*
	 * The caller's section is enough: tables and entries, like values,
	 * are freed only after both an RCU and an SRCU grace period.
	 */
	read = rcu_dereference_check(map->read, syncmap_protected(map));
	e = syncmap_find_in(map, read, &k);
	if (likely(e)) {
		this_cpu_inc(map->pcpu->hits);
	} else {
		dirty = rcu_dereference_check(read->dirty,
					      syncmap_protected(map));
		if (dirty) {
			e = syncmap_find_dirty(map, dirty, &k,
					       syncmap_test_hooks(map));
			syncmap_miss(map, dirty);
		}
	}
	if (e)
		p = entry_peek(e);
	return syncmap_is_value(p) ? p : NULL;
}
EXPORT_SYMBOL_NS_GPL(syncmap_load, SYNCMAP);

/*
 * The locked lookup of the writers that may insert (Go's Swap and
 * LoadOrStore slow paths): the snapshot first, where an expunged entry is
 * unexpunged and put back into the dirty map, then the dirty map.
 * Return: 0 with *@ep the entry, or NULL when neither table has the key;
 * *@dirty_only tells that it came from the dirty map.  Errors of the
 * unexpunge (no room in the dirty map) change nothing.
 */
static int syncmap_find_locked(struct syncmap *map, struct syncmap_table *read,
			       const struct syncmap_key *k,
			       struct syncmap_entry **ep, bool *dirty_only)
{
	struct syncmap_table *dirty;
	struct syncmap_entry *e;

	e = syncmap_find_in(map, read, k);
	*dirty_only = !e;
	if (!e) {
		dirty = dirty_locked(map, read);
		e = dirty ? syncmap_find_dirty(map, dirty, k, NULL) : NULL;
	}
	*ep = e;
	return e && !*dirty_only ? syncmap_unexpunge_locked(map, read, e) : 0;
}

/*
 * The locked half.  Swap looks the key up as syncmap_find_locked() does and
 * inserts it when neither table has it; Go counts no miss for it.
 * LoadAndDelete removes a key found only in the dirty map from it (Go
 * #40999); CompareAndSwap and CompareAndDelete leave it.  Go counts a miss
 * for LoadAndDelete and CompareAndDelete whenever they look at the dirty
 * map, for CompareAndSwap only when the key is there.  Only the lock
 * holder changes an entry that only the dirty map has: the verdict of
 * @c->accept on its value holds until it is removed.
 * Return: as entry_change(), or an error of the insert (nothing changed).
 */
static int syncmap_change_locked(struct syncmap *map,
				 const struct syncmap_key *k,
				 struct syncmap_change *c)
{
	struct syncmap_table *read = read_locked(map);
	struct syncmap_table *dirty, *grown;
	struct syncmap_entry *e;
	bool dirty_only;
	int ret = 0;

	if (c->insert) {
		ret = syncmap_find_locked(map, read, k, &e, &dirty_only);
		if (ret)
			return ret;
		if (e)
			return entry_change(map, e, c);
		ret = syncmap_insert_locked(map, read, k, c->new);
		if (!ret)
			c->prev = NULL;
		return ret;
	}
	e = syncmap_find_in(map, read, k);
	if (e)
		return entry_change(map, e, c);
	c->prev = NULL;
	dirty = dirty_locked(map, read);
	if (!dirty)
		return 0;
	e = syncmap_find_dirty(map, dirty, k, NULL);
	if (e)
		ret = entry_change(map, e, c);
	if (e && c->any && !ret) {
		grown = old_locked(map, dirty);
		if (!syncmap_table_remove(map, dirty, e))
			map->grow_left--;	/* it had not moved yet */
		if (grown)
			syncmap_table_remove(map, grown, e);
		syncmap_entry_put(map, e);
	}
	if (e || !c->new)
		syncmap_miss_locked(map, read);
	return ret;
}

/*
 * The lock-free try in the read snapshot, then the locked half when the
 * key may be in the dirty map, or when Swap must insert it or put an
 * expunged entry back.  The value replaced is in @c->prev.  A key no map
 * holds (empty, too long) is an error for Swap, absent for the others.
 * Return: 1 if a value was replaced or deleted, 0 if not, -ECANCELED if
 * @c->accept rejected the present value, or the errors of entry_change()
 * and syncmap_insert_locked(); on error nothing changed.
 */
static int syncmap_change(struct syncmap *map, const void *key,
			  size_t key_len, struct syncmap_change *c)
{
	struct syncmap_table *read;
	struct syncmap_retiree *r;
	struct syncmap_entry *e;
	struct syncmap_pcpu *pc;
	struct syncmap_key k;
	int ret;

	might_sleep();
	c->prev = NULL;
	ret = syncmap_key_init(map, &k, key, key_len);
	if (ret)
		return c->insert ? ret : 0;
	if (c->insert && !c->new)
		return -EINVAL;
	pc = syncmap_retire_begin(map);
	if (IS_ERR(pc))
		return PTR_ERR(pc);

	rcu_read_lock();
	read = rcu_dereference(map->read);
	e = syncmap_find_in(map, read, &k);
	if (e)
		ret = entry_change(map, e, c);
	else if (c->insert || rcu_access_pointer(read->dirty))
		ret = -EAGAIN;
	rcu_read_unlock();
	syncmap_retire_end(map, pc, c->prev);
	if (ret == -EAGAIN) {
		ret = syncmap_retiree_get(map, &r);
		if (ret)
			return ret;
		syncmap_lock(map);
		ret = syncmap_change_locked(map, &k, c);
		syncmap_unlock(map);
		syncmap_retire_one(map, r, c->prev);
	}
	if (ret)
		return ret;
	return c->prev ? 1 : 0;
}

/**
 * syncmap_swap_if() - store a value unless the present one is rejected
 * @map: the map
 * @key: the key bytes
 * @key_len: length of @key
 * @value: the new value, not %NULL; the map owns it on success
 * @previous: if not %NULL, set on success to the value replaced, or to
 *	%NULL when the key was new
 * @accept: if not %NULL, asked about the present value before it is
 *	replaced; returning false leaves the map as it is.  Not called when
 *	the key is absent: @value is then stored.
 * @arg: passed to @accept
 *
 * Swap as one step with a condition on the value it replaces: a caller
 * that must hand the previous value on (copy it out, check its size) does
 * so in @accept, and the value is replaced only if that worked.  @accept
 * is called under rcu_read_lock(), maybe with the map's lock held, before
 * the value it is shown can be replaced; it must not sleep and must not
 * call into @map.  If another writer changes the value meanwhile, @accept
 * is asked again about the new one: the value replaced is the one of the
 * last call, which returned true.
 *
 * The replaced value is released after a grace period; *@previous is
 * valid only inside the caller's syncmap_read_lock() section.
 *
 * Context: process context; may sleep.  May be called inside
 * syncmap_read_lock() and from a syncmap_range() callback.
 * Return: 1 if a value was replaced, 0 if the key was new, -ECANCELED if
 * @accept rejected the present value, -EINVAL for an empty key or %NULL
 * value, -E2BIG for a key longer than the map allows, -ENOSPC when the map
 * is full, -ENOMEM; on error nothing changed, *@previous is not set and
 * the caller still owns @value.
 */
int syncmap_swap_if(struct syncmap *map, const void *key, size_t key_len,
		    void *value, void **previous, syncmap_accept_fn accept,
		    void *arg)
{
	struct syncmap_change c = {
		.any = true, .insert = true, .new = value,
		.accept = accept, .arg = arg,
	};
	int ret;

	ret = syncmap_change(map, key, key_len, &c);
	if (ret >= 0 && previous)
		*previous = c.prev;
	return ret;
}
EXPORT_SYMBOL_NS_GPL(syncmap_swap_if, SYNCMAP);

/**
 * syncmap_swap() - store a value and return the previous one (Go's Swap)
 * @map: the map
 * @key: the key bytes
 * @key_len: length of @key
 * @value: the new value, not %NULL; the map owns it on success
 * @previous: if not %NULL, set to the value replaced, or to %NULL when the
 *	key was new
 *
 * syncmap_swap_if() without a condition.  The replaced value is released
 * after a grace period; *@previous is valid only inside the caller's
 * syncmap_read_lock() section.
 *
 * Context: process context; may sleep.  May be called inside
 * syncmap_read_lock() and from a syncmap_range() callback.
 * Return: 1 if a value was replaced, 0 if the key was new, -EINVAL for an
 * empty key or %NULL value, -E2BIG for a key longer than the map allows,
 * -ENOSPC when the map is full, -ENOMEM; on error nothing changed and the
 * caller still owns @value.
 */
int syncmap_swap(struct syncmap *map, const void *key, size_t key_len,
		 void *value, void **previous)
{
	return syncmap_swap_if(map, key, key_len, value, previous, NULL, NULL);
}
EXPORT_SYMBOL_NS_GPL(syncmap_swap, SYNCMAP);

/**
 * syncmap_store() - set the value of a key (Go's Store)
 * @map: the map
 * @key: the key bytes
 * @key_len: length of @key
 * @value: the value, not %NULL; the map owns it on success
 *
 * Context: process context; may sleep.  May be called from a
 * syncmap_range() callback.
 * Return: 0, or the errors of syncmap_swap(); on error nothing changed and
 * the caller still owns @value.
 */
int syncmap_store(struct syncmap *map, const void *key, size_t key_len,
		  void *value)
{
	int ret = syncmap_swap(map, key, key_len, value, NULL);

	return ret < 0 ? ret : 0;
}
EXPORT_SYMBOL_NS_GPL(syncmap_store, SYNCMAP);

static int syncmap_load_or_store_locked(struct syncmap *map,
					const struct syncmap_key *k,
					void *value, void **actual)
{
	struct syncmap_table *read = read_locked(map);
	struct syncmap_entry *e;
	bool dirty_only;
	int ret;

	ret = syncmap_find_locked(map, read, k, &e, &dirty_only);
	if (ret)
		return ret;
	if (e) {
		ret = entry_load_or_store(map, e, value, actual);
		/* Go counts a miss here, not in Swap. */
		if (dirty_only)
			syncmap_miss_locked(map, read);
		return ret;
	}
	ret = syncmap_insert_locked(map, read, k, value);
	if (!ret)
		*actual = value;
	return ret;
}

/**
 * syncmap_load_or_store() - return the present value or store a new one
 * @map: the map
 * @key: the key bytes
 * @key_len: length of @key
 * @value: the value to store if the key is absent, not %NULL
 * @actual: if not %NULL, set to the present value, or to @value if stored
 *
 * Go's LoadOrStore.  *@actual is valid only inside the caller's
 * syncmap_read_lock() section.
 *
 * Context: process context; may sleep.
 * Return: 1 if the key was present (the caller still owns @value), 0 if
 * @value was stored (the map owns it), or the errors of syncmap_swap().
 */
int syncmap_load_or_store(struct syncmap *map, const void *key,
			  size_t key_len, void *value, void **actual)
{
	struct syncmap_entry *e;
	struct syncmap_key k;
	void *act = NULL;
	int ret;

	might_sleep();
	ret = syncmap_key_init(map, &k, key, key_len);
	if (ret)
		return ret;
	if (!value)
		return -EINVAL;

	rcu_read_lock();
	e = syncmap_find_in(map, rcu_dereference(map->read), &k);
	ret = e ? entry_load_or_store(map, e, value, &act) : -EAGAIN;
	rcu_read_unlock();
	if (ret == -EAGAIN) {
		syncmap_lock(map);
		ret = syncmap_load_or_store_locked(map, &k, value, &act);
		syncmap_unlock(map);
	}
	if (ret >= 0 && actual)
		*actual = act;
	return ret;
}
EXPORT_SYMBOL_NS_GPL(syncmap_load_or_store, SYNCMAP);

/**
 * syncmap_load_and_delete_if() - delete a key unless its value is rejected
 * @map: the map
 * @key: the key bytes
 * @key_len: length of @key
 * @value: if not %NULL, set to the deleted value when one was deleted
 * @accept: if not %NULL, asked about the present value before it is
 *	deleted; returning false leaves the map as it is.  Not called when
 *	the key is absent.
 * @arg: passed to @accept
 *
 * LoadAndDelete as one step with a condition on the value it deletes,
 * @accept called as for syncmap_swap_if(): under rcu_read_lock(), maybe
 * with the map's lock held, must not sleep or call into @map, and asked
 * again when another writer changes the value first.  The deleted value is
 * the one of the last call, which returned true; it is released after a
 * grace period, and *@value is valid only inside the caller's
 * syncmap_read_lock() section.
 *
 * Context: process context; may sleep.  May be called inside
 * syncmap_read_lock() and from a syncmap_range() callback.
 * Return: 1 if a value was deleted, 0 if the key was absent (also for an
 * empty or too long key, which no map holds), -ECANCELED if @accept
 * rejected the present value, -ENOMEM (no room to retire the value); on
 * error nothing changed.
 */
int syncmap_load_and_delete_if(struct syncmap *map, const void *key,
			       size_t key_len, void **value,
			       syncmap_accept_fn accept, void *arg)
{
	struct syncmap_change c = { .any = true, .accept = accept, .arg = arg };
	int ret;

	ret = syncmap_change(map, key, key_len, &c);
	if (ret > 0 && value)
		*value = c.prev;
	return ret;
}
EXPORT_SYMBOL_NS_GPL(syncmap_load_and_delete_if, SYNCMAP);

/**
 * syncmap_load_and_delete() - delete a key and return its value
 * @map: the map
 * @key: the key bytes
 * @key_len: length of @key
 * @value: if not %NULL, set to the deleted value
 *
 * Go's LoadAndDelete: syncmap_load_and_delete_if() without a condition.
 * The deleted value is released after a grace period; *@value is valid
 * only inside the caller's syncmap_read_lock() section.
 *
 * Context: process context; may sleep.
 * Return: 1 if a value was deleted, 0 if the key was absent, -ENOMEM (no
 * room to retire the value: nothing changed).
 */
int syncmap_load_and_delete(struct syncmap *map, const void *key,
			    size_t key_len, void **value)
{
	return syncmap_load_and_delete_if(map, key, key_len, value, NULL,
					  NULL);
}
EXPORT_SYMBOL_NS_GPL(syncmap_load_and_delete, SYNCMAP);

/**
 * syncmap_delete() - delete a key (Go's Delete)
 * @map: the map
 * @key: the key bytes
 * @key_len: length of @key
 *
 * Context: process context; may sleep.
 * Return: 1 if a value was deleted, 0 if the key was absent, -ENOMEM
 * (nothing changed).
 */
int syncmap_delete(struct syncmap *map, const void *key, size_t key_len)
{
	return syncmap_load_and_delete(map, key, key_len, NULL);
}
EXPORT_SYMBOL_NS_GPL(syncmap_delete, SYNCMAP);

/**
 * syncmap_compare_and_swap() - replace a value if it equals @old
 * @map: the map
 * @key: the key bytes
 * @key_len: length of @key
 * @old: the value expected, compared with ops->equal() (pointer identity
 *	without one); the caller keeps owning @old
 * @new: the replacement, not %NULL
 *
 * Go's CompareAndSwap: never inserts; a missing key compares unequal.
 *
 * Context: process context; may sleep.
 * Return: 1 if swapped (the map owns @new and releases the value it
 * replaced after a grace period), 0 if not (the caller still owns @new),
 * -EINVAL if @new is %NULL, -ENOMEM (nothing changed).
 */
int syncmap_compare_and_swap(struct syncmap *map, const void *key,
			     size_t key_len, void *old, void *new)
{
	struct syncmap_change c = { .old = old, .new = new };

	if (!new)
		return -EINVAL;
	return syncmap_change(map, key, key_len, &c);
}
EXPORT_SYMBOL_NS_GPL(syncmap_compare_and_swap, SYNCMAP);

/**
 * syncmap_compare_and_delete() - delete a key if its value equals @old
 * @map: the map
 * @key: the key bytes
 * @key_len: length of @key
 * @old: the value expected, compared as in syncmap_compare_and_swap()
 *
 * Go's CompareAndDelete: a missing key compares unequal.
 *
 * Context: process context; may sleep.
 * Return: 1 if deleted (the value is released after a grace period), 0 if
 * not, -ENOMEM (nothing changed).
 */
int syncmap_compare_and_delete(struct syncmap *map, const void *key,
			       size_t key_len, void *old)
{
	struct syncmap_change c = { .old = old };

	return syncmap_change(map, key, key_len, &c);
}
EXPORT_SYMBOL_NS_GPL(syncmap_compare_and_delete, SYNCMAP);

/**
 * syncmap_range() - call @fn for each key and value (Go's Range)
 * @map: the map
 * @fn: called with each key, its length, its value and @arg; returns false
 *	to stop.  It may sleep and may call any operation on @map, including
 *	a nested syncmap_range(), but not syncmap_synchronize().
 * @arg: passed to @fn
 *
 * Like Go, Range first promotes the dirty map (finishing its copy in
 * bounded chunks) and then walks that snapshot: each key is visited at most
 * once, and every key present for the whole call is visited, with a value
 * it had during the call.  The key and value passed to @fn stay valid until
 * @fn returns.
 *
 * Context: process context; may sleep.  Takes the map's lock briefly and
 * holds syncmap_read_lock() for the walk.
 */
void syncmap_range(struct syncmap *map, syncmap_range_fn fn, void *arg)
{
	struct syncmap_table *read, *dirty;
	struct syncmap_entry *e;
	unsigned int i;
	void *p;
	int idx;

	might_sleep();
	idx = srcu_read_lock(&map->srcu);
	read = srcu_dereference(map->read, &map->srcu);
	if (rcu_access_pointer(read->dirty)) {
		syncmap_lock(map);
		syncmap_finish_dirty(map, false);
		read = read_locked(map);
		dirty = dirty_locked(map, read);
		if (dirty)
			syncmap_promote_locked(map, read, dirty);
		mutex_unlock(&map->lock);
		read = srcu_dereference(map->read, &map->srcu);
	}

	for (i = 0; i <= read->mask; i++) {
		e = syncmap_table_slot(map, read, i);
		if (!e || e == SYNCMAP_TOMBSTONE)
			continue;
		p = entry_peek(e);
		if (!syncmap_is_value(p))
			continue;
		if (!fn(e->key, e->key_len, p, arg))
			break;
	}
	srcu_read_unlock(&map->srcu, idx);
}
EXPORT_SYMBOL_NS_GPL(syncmap_range, SYNCMAP);

/*
 * Expunge every entry of a table detached by Clear, collecting the values.
 * Writers that still hold the old snapshot fail on an expunged entry and
 * retry under the lock against the new one.
 */
static unsigned int syncmap_clear_table(struct syncmap *map,
					struct syncmap_table *t,
					struct syncmap_retiree *r,
					unsigned int n)
{
	struct syncmap_entry *e;
	unsigned int i;
	void *p;

	for (i = 0; i <= t->mask; i++) {
		/* Detached: nobody changes its slots any more. */
		e = rcu_dereference_protected(t->slots[i], true);
		if (!e || e == SYNCMAP_TOMBSTONE)
			continue;
		p = xchg((void __force **)&e->p, SYNCMAP_EXPUNGED);
		if (!syncmap_is_value(p))
			continue;
		atomic_long_dec(&map->len);
		if (r)
			r->values[n++] = p;
	}
	return n;
}

/**
 * syncmap_clear() - delete every key (Go's Clear)
 * @map: the map
 *
 * Publishes an empty read snapshot, then expunges the old entries outside
 * the lock and releases their values after a grace period.  The table
 * prepared ahead for the next dirty map goes too: it was sized for the map
 * before Clear.
 *
 * The length drops as the old entries are expunged, after the empty
 * snapshot is out: while Clear runs, a map with max_entries that was full
 * may refuse a store with -ENOSPC although loads already find it empty.
 *
 * Context: process context; may sleep.  May be called from a
 * syncmap_range() callback.
 * Return: 0, or -ENOMEM (nothing changed).
 */
int syncmap_clear(struct syncmap *map)
{
	struct syncmap_table *read, *dirty, *fresh, *spare;
	struct syncmap_retiree *r = NULL;
	unsigned int n;

	might_sleep();
	syncmap_lock(map);
	read = read_locked(map);
	dirty = dirty_locked(map, read);
	if (!read->count && !dirty) {
		mutex_unlock(&map->lock);
		return 0;
	}
	/* One table per role: the old table of a growth moves in first. */
	if (dirty)
		syncmap_grow(map, dirty, UINT_MAX);
	fresh = syncmap_table_alloc(map, 0);
	if (map->ops && map->ops->release)
		r = syncmap_retiree_alloc(map, read->count +
					  (dirty ? dirty->count : 0));
	if (!fresh || (map->ops && map->ops->release && !r)) {
		mutex_unlock(&map->lock);
		kvfree(r);
		if (fresh)
			syncmap_table_free(fresh);
		return -ENOMEM;
	}
	rcu_assign_pointer(map->read, fresh);
	trace_syncmap_clear(map, syncmap_len(map));
	atomic_set(&map->misses, 0);
	/* The spare was sized for the map before Clear: no table fits it now. */
	spare = map->spare;
	map->spare = NULL;
	WRITE_ONCE(map->spare_want, 0);
	mutex_unlock(&map->lock);
	if (spare)
		syncmap_table_free(spare);

	n = syncmap_clear_table(map, read, r, 0);
	if (dirty)
		n = syncmap_clear_table(map, dirty, r, n);
	if (r) {
		r->nr = n;
		syncmap_retire_values(map, r);
	}
	syncmap_retire_table(map, read, true);
	if (dirty)
		syncmap_retire_table(map, dirty, true);
	return 0;
}
EXPORT_SYMBOL_NS_GPL(syncmap_clear, SYNCMAP);

/**
 * syncmap_len() - number of keys present
 * @map: the map
 *
 * O(1): a counter kept by every operation, which Go's sync.Map lacks.
 * Exact when no write is in flight; an insert is counted from just before
 * it becomes visible.
 *
 * Context: any context.
 * Return: the number of keys.
 */
size_t syncmap_len(struct syncmap *map)
{
	long n = atomic_long_read(&map->len);

	return n > 0 ? n : 0;
}
EXPORT_SYMBOL_NS_GPL(syncmap_len, SYNCMAP);

/**
 * syncmap_fill_stats() - read a map's counters
 * @map: the map
 * @stats: filled in
 *
 * Context: process context; takes the map's lock briefly.
 */
void syncmap_fill_stats(struct syncmap *map, struct syncmap_stats *stats)
{
	struct syncmap_table *read, *dirty;
	int cpu;

	memset(stats, 0, sizeof(*stats));
	for_each_possible_cpu(cpu) {
		const struct syncmap_pcpu *s = per_cpu_ptr(map->pcpu, cpu);

		stats->hits += READ_ONCE(s->hits);
		stats->misses += READ_ONCE(s->misses);
	}
	mutex_lock(&map->lock);
	read = read_locked(map);
	dirty = dirty_locked(map, read);
	stats->read_entries = read->count;
	stats->dirty_entries = dirty ? syncmap_dirty_count(map, dirty) : 0;
	stats->amended = !!dirty;
	stats->promotions = map->promotions;
	stats->dirty_rebuilds = map->dirty_rebuilds;
	stats->expunged = map->expunged;
	stats->locked_allocs = map->locked_allocs;
	stats->read_slots = read->mask + 1;
	stats->dirty_slots = dirty ? dirty->mask + 1 : 0;
	stats->growing = dirty && old_locked(map, dirty);
	mutex_unlock(&map->lock);
	stats->len = syncmap_len(map);
	stats->pending_release = max(syncmap_pending(map), 0L);
}
EXPORT_SYMBOL_NS_GPL(syncmap_fill_stats, SYNCMAP);

/**
 * syncmap_synchronize() - wait for a map's background work
 * @map: the map
 *
 * Every value that left @map before the call has been passed to
 * ops->release() when this returns (like rcu_barrier() for call_rcu()),
 * and the work items that finish a dirty-map copy, promote it and prepare
 * the next table have run.
 *
 * Context: process context; sleeps for grace periods.  Must not be called
 * inside syncmap_read_lock() or a syncmap_range() callback: it waits for
 * them.
 */
void syncmap_synchronize(struct syncmap *map)
{
	might_sleep();
	/* In this order: a promotion queues the spare table's allocation. */
	flush_work(&map->promote_work);
	flush_work(&map->spare_work);
	queue_work(system_unbound_wq, &map->reap_work);
	flush_work(&map->reap_work);
}
EXPORT_SYMBOL_NS_GPL(syncmap_synchronize, SYNCMAP);

#if IS_ENABLED(CONFIG_KUNIT)
/**
 * syncmap_set_test_hooks() - let a KUnit test step into a map's code
 * @map: the map
 * @hooks: the hooks, or %NULL to remove them; must outlive their use
 *
 * Context: any context; the hooks take effect for operations that start
 * afterwards.
 */
void syncmap_set_test_hooks(struct syncmap *map,
			    const struct syncmap_test_hooks *hooks)
{
	WRITE_ONCE(map->test_hooks, hooks);
}
EXPORT_SYMBOL_NS_GPL(syncmap_set_test_hooks, SYNCMAP);
#endif

/**
 * syncmap_read_lock() - begin a sleepable read section of a map
 * @map: the map
 *
 * Value pointers obtained from @map inside the section stay valid until
 * syncmap_read_unlock(), even across sleeps; use it to hold on to what
 * syncmap_swap(), syncmap_load_and_delete() or syncmap_load_or_store()
 * return.  Sections nest.  A section delays the release of retired values
 * and tables, so keep it short.
 *
 * Context: any context but NMI.
 * Return: a cookie for syncmap_read_unlock().
 */
int syncmap_read_lock(struct syncmap *map)
	__acquires(&map->srcu)
{
	return srcu_read_lock(&map->srcu);
}
EXPORT_SYMBOL_NS_GPL(syncmap_read_lock, SYNCMAP);

/**
 * syncmap_read_unlock() - end a read section
 * @map: the map
 * @idx: the cookie syncmap_read_lock() returned
 *
 * Context: the context that called syncmap_read_lock().
 */
void syncmap_read_unlock(struct syncmap *map, int idx)
	__releases(&map->srcu)
{
	srcu_read_unlock(&map->srcu, idx);
}
EXPORT_SYMBOL_NS_GPL(syncmap_read_unlock, SYNCMAP);

/**
 * syncmap_create() - create a map
 * @params: parameters, or %NULL for the defaults (no release, pointer
 *	equality, no entry limit, keys up to %SYNCMAP_DEFAULT_KEY_LEN)
 *
 * Context: process context; may sleep.
 * Return: the map, holding the creator's reference (drop it with
 * syncmap_destroy()), or ERR_PTR(-EINVAL) for bad parameters,
 * ERR_PTR(-ENOMEM).
 */
struct syncmap *syncmap_create(const struct syncmap_params *params)
{
	static const struct syncmap_params defaults;
	struct syncmap_table *read;
	struct syncmap *map;
	gfp_t gfp;

	if (!params)
		params = &defaults;
	gfp = params->gfp ?: GFP_KERNEL;
	if (params->max_key_len > SYNCMAP_MAX_KEY_LEN ||
	    (params->mode & ~0777) ||
	    (gfp != GFP_KERNEL && gfp != GFP_KERNEL_ACCOUNT))
		return ERR_PTR(-EINVAL);

	map = kzalloc(sizeof(*map), gfp);
	if (!map)
		return ERR_PTR(-ENOMEM);
	map->gfp = gfp;
	/* Work items allocate for the map too; they charge this memcg. */
	if (gfp & __GFP_ACCOUNT)
		map->memcg = get_mem_cgroup_from_mm(NULL);
	map->ops = params->ops;
	map->priv = params->priv;
	map->owner = params->owner;
	map->max_entries = params->max_entries;
	map->max_key_len = params->max_key_len ?: SYNCMAP_DEFAULT_KEY_LEN;
	map->uid = params->uid;
	map->mode = params->mode ?: 0600;
	get_random_bytes(&map->hash_key, sizeof(map->hash_key));
	atomic_long_set(&map->len, 0);
	atomic_set(&map->misses, 0);
	mutex_init(&map->lock);
	init_llist_head(&map->limbo_tables);
	init_llist_head(&map->limbo_entries);
	INIT_WORK(&map->reap_work, syncmap_reap_work);
	INIT_WORK(&map->promote_work, syncmap_promote_work);
	INIT_WORK(&map->spare_work, syncmap_spare_work);
	kref_init(&map->ref);

	map->pcpu = alloc_percpu_gfp(struct syncmap_pcpu, gfp);
	if (!map->pcpu)
		goto free_map;
	syncmap_retire_init(map);
	if (init_srcu_struct(&map->srcu))
		goto free_pcpu;
	read = syncmap_table_alloc(map, 0);
	if (!read)
		goto free_srcu;
	RCU_INIT_POINTER(map->read, read);
	return map;

free_srcu:
	cleanup_srcu_struct(&map->srcu);
free_pcpu:
	free_percpu(map->pcpu);
free_map:
	mem_cgroup_put(map->memcg);
	kfree(map);
	return ERR_PTR(-ENOMEM);
}
EXPORT_SYMBOL_NS_GPL(syncmap_create, SYNCMAP);

/**
 * syncmap_free() - free a map whose last reference is gone
 * @ref: &syncmap.ref
 *
 * Releases every value still in the map and waits for those in flight,
 * then calls ops->destroy().
 *
 * Context: process context; sleeps.
 */
void syncmap_free(struct kref *ref)
{
	struct syncmap *map = container_of(ref, struct syncmap, ref);
	struct syncmap_table *read, *dirty;

	cancel_work_sync(&map->promote_work);
	cancel_work_sync(&map->spare_work);
	if (map->spare)
		syncmap_table_free(map->spare);
	/* Nobody else uses the map: finish a growth so each table is whole. */
	mutex_lock(&map->lock);
	read = read_locked(map);
	dirty = dirty_locked(map, read);
	if (dirty)
		syncmap_grow(map, dirty, UINT_MAX);
	mutex_unlock(&map->lock);
	syncmap_reclaim_all(map);
	if (map->ops && map->ops->destroy)
		map->ops->destroy(map->priv);
	cleanup_srcu_struct(&map->srcu);
	free_percpu(map->pcpu);
	mutex_destroy(&map->lock);
	mem_cgroup_put(map->memcg);
	kfree(map);
}
