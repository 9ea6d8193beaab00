// SPDX-License-Identifier: GPL-2.0
/*
 * The table behind both the read snapshot and the dirty map: a power-of-two
 * array of entry pointers with linear probing.  An entry can sit in two
 * tables at once (the read snapshot and the dirty map), so the tables hold
 * pointers rather than intrusive list nodes.
 *
 * Removal leaves a tombstone instead of shifting later entries back: a
 * lock-free reader probing the dirty map must never see an entry move past
 * it.  Tombstones count towards the 3/4 fill limit and vanish when the map
 * is copied into a fresh table.
 */
#include <linux/log2.h>
#include <linux/memcontrol.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>

#include "syncmap_internal.h"

#define SYNCMAP_MIN_SLOTS	16U
/* Tables for fewer entries are cheap enough to allocate under the lock. */
#define SYNCMAP_SPARE_MIN	1024UL

/* Slots of a table for @capacity entries: at most half full. */
static unsigned long syncmap_table_slots(unsigned long capacity)
{
	return max_t(unsigned long, roundup_pow_of_two(capacity * 2 + 1),
		     SYNCMAP_MIN_SLOTS);
}

/**
 * syncmap_table_alloc() - allocate an empty table
 * @map: the map the table is for (allocation flags)
 * @capacity: entries the table must take without growing
 *
 * The table starts at most half full with @capacity entries.
 *
 * Context: process context, may sleep.
 * Return: the table, or %NULL when memory is short or @capacity is absurd.
 */
struct syncmap_table *syncmap_table_alloc(struct syncmap *map,
					  unsigned long capacity)
{
	unsigned long slots = syncmap_table_slots(capacity);
	struct syncmap_table *t;

	if (capacity > (1UL << 29))
		return NULL;
	t = kvzalloc(struct_size(t, slots, slots), map->gfp);
	if (!t)
		return NULL;
	t->mask = slots - 1;
	return t;
}

/**
 * syncmap_table_free() - free a table without touching its entries
 * @t: the table, unreachable by any reader
 *
 * Context: any context that may call kvfree().
 */
void syncmap_table_free(struct syncmap_table *t)
{
	kvfree(t);
}

/*
 * A spare fits a want when it is big enough and at most twice the size a
 * table for it would have: a spare meant for a growth that never came
 * must not stay, nor become the next dirty map, at twice the memory (nor
 * the table of a map that Clear emptied, at any size).
 */
static bool syncmap_spare_fits(const struct syncmap_table *t,
			       unsigned long capacity)
{
	return t && syncmap_table_room(t) >= capacity &&
	       t->mask < 2 * syncmap_table_slots(capacity);
}

/**
 * syncmap_table_take() - an empty table for a new or growing dirty map
 * @map: the map
 * @capacity: entries the table must take without growing
 *
 * The spare table allocated ahead of time if it fits @capacity (big enough,
 * and not more than twice the size needed), otherwise a table allocated
 * here: the spare keeps a big allocation, and the zeroing
 * of its slots, off the path of the writer that holds the lock.
 *
 * Context: the map's lock; may sleep.
 * Return: the table, or %NULL when memory is short.
 */
struct syncmap_table *syncmap_table_take(struct syncmap *map,
					 unsigned long capacity)
{
	struct syncmap_table *t = map->spare;

	lockdep_assert_held(&map->lock);
	if (syncmap_spare_fits(t, capacity)) {
		map->spare = NULL;
		return t;
	}
	if (capacity >= SYNCMAP_SPARE_MIN)
		map->locked_allocs++;
	return syncmap_table_alloc(map, capacity);
}

/**
 * syncmap_table_want() - have a spare table ready for @capacity entries
 * @map: the map
 * @capacity: entries the next table taken will need to hold
 *
 * Queues &syncmap.spare_work unless the spare already fits, or the table
 * is small enough to be allocated by the writer that needs it.
 *
 * Context: the map's lock.
 */
void syncmap_table_want(struct syncmap *map, unsigned long capacity)
{
	lockdep_assert_held(&map->lock);
	if (capacity < SYNCMAP_SPARE_MIN ||
	    syncmap_spare_fits(map->spare, capacity))
		return;
	WRITE_ONCE(map->spare_want, capacity);
	queue_work(system_unbound_wq, &map->spare_work);
}

/**
 * syncmap_spare_work() - allocate the spare table a writer will take
 * @work: &syncmap.spare_work
 *
 * Allocates without the map's lock, then replaces the spare unless the one
 * there already fits what is wanted by then, or the new one no longer
 * does.  A failed allocation is not
 * an error: the writer that needs a table then allocates it itself.
 *
 * Context: workqueue; takes the map's lock.
 */
void syncmap_spare_work(struct work_struct *work)
{
	struct syncmap *map = container_of(work, struct syncmap, spare_work);
	struct mem_cgroup *memcg;
	struct syncmap_table *t;

	/* A kworker charges nobody: charge the map's creator, as BPF does. */
	memcg = set_active_memcg(map->memcg);
	t = syncmap_table_alloc(map, READ_ONCE(map->spare_want));
	set_active_memcg(memcg);
	if (!t)
		return;
	mutex_lock(&map->lock);
	/* The want may have changed meanwhile (Clear resets it). */
	if (syncmap_spare_fits(t, map->spare_want) &&
	    !syncmap_spare_fits(map->spare, map->spare_want))
		swap(map->spare, t);
	mutex_unlock(&map->lock);
	if (t)
		syncmap_table_free(t);
}

/**
 * syncmap_table_room() - inserts a table takes before it must grow
 * @t: the table
 *
 * Context: the map's lock.
 * Return: how many more entries fit under the 3/4 fill limit.
 */
unsigned int syncmap_table_room(const struct syncmap_table *t)
{
	unsigned int limit = (t->mask + 1) / 4 * 3;

	return t->used < limit ? limit - t->used : 0;
}

/**
 * syncmap_table_insert() - add an entry whose key the table lacks
 * @map: the map owning @t
 * @t: the table, with syncmap_table_room() > 0
 * @e: the entry; the caller has accounted the table's reference
 *
 * The entry goes into the first empty or tombstone slot of its probe
 * sequence and is published with rcu_assign_pointer(), so a concurrent
 * syncmap_load() sees it whole or not at all.
 *
 * Context: the map's lock.
 */
void syncmap_table_insert(struct syncmap *map, struct syncmap_table *t,
			  struct syncmap_entry *e)
{
	unsigned int i = e->hash & t->mask;
	struct syncmap_entry *cur;

	lockdep_assert_held(&map->lock);
	for (;; i = (i + 1) & t->mask) {
		cur = rcu_dereference_protected(t->slots[i],
						lockdep_is_held(&map->lock));
		if (!cur || cur == SYNCMAP_TOMBSTONE)
			break;
	}
	if (!cur)
		t->used++;
	/* count is read without the lock by syncmap_load()'s miss path. */
	WRITE_ONCE(t->count, t->count + 1);
	rcu_assign_pointer(t->slots[i], e);
}

/**
 * syncmap_table_remove() - replace an entry by a tombstone
 * @map: the map owning @t
 * @t: the table
 * @e: the entry; the caller drops the table's reference
 *
 * Context: the map's lock.
 * Return: true if @e was in @t.
 */
bool syncmap_table_remove(struct syncmap *map, struct syncmap_table *t,
			  struct syncmap_entry *e)
{
	unsigned int i = e->hash & t->mask;
	struct syncmap_entry *cur;

	lockdep_assert_held(&map->lock);
	for (;; i = (i + 1) & t->mask) {
		cur = rcu_dereference_protected(t->slots[i],
						lockdep_is_held(&map->lock));
		if (!cur)
			return false;
		if (cur == e)
			break;
	}
	/* Not NULL: probes for keys further along must go on past it. */
	rcu_assign_pointer(t->slots[i], SYNCMAP_TOMBSTONE);
	WRITE_ONCE(t->count, t->count - 1);
	return true;
}
