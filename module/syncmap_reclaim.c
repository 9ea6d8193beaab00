// SPDX-License-Identifier: GPL-2.0
/*
 * Reclaim: what Go's garbage collector does for sync.Map.
 *
 * Three kinds of object leave a map while readers may still hold them:
 * values (overwritten, deleted, cleared), tables (a read snapshot replaced
 * by promotion or Clear, a dirty map replaced by a bigger one) and entries
 * (removed from the dirty map, or left only in a retired table).  Each is
 * pushed on a lock-free list of the map (values on a list per CPU, so that
 * writers on different CPUs share no cache line); one work item takes the
 * lists,
 * waits for an RCU grace period (syncmap_load() readers) and an SRCU grace
 * period of the map (syncmap_read_lock() and syncmap_range() readers), then
 * frees them and calls ops->release() on the values.  Batching makes the
 * cost of a grace period per batch, not per value.
 *
 * Entry lifetime: one reference per table that holds the entry.  Reaping a
 * table with @put_entries drops them; the last drop frees the entry there
 * and then, since the table's grace period has already passed.
 */
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/sched.h>
#include <linux/slab.h>

#include "syncmap_internal.h"
#include "syncmap_trace.h"

static void syncmap_release_value(struct syncmap *map, void *value)
{
	if (map->ops && map->ops->release)
		map->ops->release(value, map->priv);
}

/**
 * syncmap_retiree_alloc() - reserve room to retire values
 * @map: the map
 * @nr: how many values
 *
 * Context: process context, may sleep.
 * Return: the retiree with @nr empty slots, or %NULL.
 */
struct syncmap_retiree *syncmap_retiree_alloc(struct syncmap *map,
					      unsigned int nr)
{
	struct syncmap_retiree *r;

	r = kvmalloc(struct_size(r, values, nr), map->gfp);
	if (r)
		r->nr = nr;
	return r;
}

/* Values per block of the lock-free paths: a 256-byte allocation. */
#define SYNCMAP_BLOCK_VALUES \
	((256 - offsetof(struct syncmap_retiree, values)) / sizeof(void *))

/**
 * syncmap_retire_init() - set up the per-CPU retire blocks of a new map
 * @map: the map
 *
 * Context: process context.
 */
void syncmap_retire_init(struct syncmap *map)
{
	int cpu;

	for_each_possible_cpu(cpu)
		spin_lock_init(&per_cpu_ptr(map->pcpu, cpu)->lock);
}

/*
 * A queued reap work has not yet taken the lists, so it will see what was
 * just added: only queue it when it is not pending, which saves writing
 * its shared flag word on every retirement.
 */
static void syncmap_reap_kick(struct syncmap *map)
{
	if (!work_pending(&map->reap_work))
		queue_work(system_unbound_wq, &map->reap_work);
}

/**
 * syncmap_retire_values() - release values after a grace period
 * @map: the map
 * @r: a retiree whose first @r->nr slots hold values that left the map
 *
 * Takes @r; if it holds no value it is freed at once.
 *
 * Context: any context.
 */
void syncmap_retire_values(struct syncmap *map, struct syncmap_retiree *r)
{
	if (!r->nr) {
		kvfree(r);
		return;
	}
	this_cpu_add(map->pcpu->pending, r->nr);
	llist_add(&r->node, raw_cpu_ptr(&map->pcpu->limbo_values));
	syncmap_reap_kick(map);
}

/**
 * syncmap_retire_begin() - room to retire one value on a lock-free path
 * @map: the map
 *
 * Returns with a per-CPU block locked that has room for one value, so that
 * the operation that follows cannot fail for want of memory once it has
 * changed the map.  syncmap_retire_end() must follow, without sleeping in
 * between.
 *
 * Context: process context; may sleep to allocate a block.
 * Return: the locked per-CPU state; %NULL when the map releases nothing
 * (no ops->release: nothing to wait for); ERR_PTR(-ENOMEM), after which
 * syncmap_retire_end() is not called.
 */
struct syncmap_pcpu *syncmap_retire_begin(struct syncmap *map)
	__acquires(&pc->lock)
{
	struct syncmap_retiree *fresh = NULL;
	struct syncmap_pcpu *pc;

	/* For sparse, every return holds the lock: end releases it. */
	if (!map->ops || !map->ops->release) {
		__acquire(&pc->lock);
		return NULL;
	}
	for (;;) {
		pc = raw_cpu_ptr(map->pcpu);
		spin_lock(&pc->lock);
		if (!pc->block && fresh) {
			pc->block = fresh;
			fresh = NULL;
		}
		if (pc->block) {
			/* A full block never stays: syncmap_retire_end(). */
			kfree(fresh);
			return pc;
		}
		spin_unlock(&pc->lock);
		fresh = kmalloc(struct_size(fresh, values,
					    SYNCMAP_BLOCK_VALUES), map->gfp);
		if (!fresh) {
			__acquire(&pc->lock);
			return ERR_PTR(-ENOMEM);
		}
		fresh->nr = 0;
	}
}

/**
 * syncmap_retire_end() - retire a value into the block syncmap_retire_begin() locked
 * @map: the map
 * @pc: what syncmap_retire_begin() returned (%NULL: nothing to do)
 * @value: the value that left the map, or %NULL if none did
 *
 * A block that fills up goes to the reap work; the others wait in their
 * CPU until the reap work next runs for any reason (it empties them all),
 * or until syncmap_synchronize().
 *
 * Context: right after syncmap_retire_begin(), not having slept.
 */
void syncmap_retire_end(struct syncmap *map, struct syncmap_pcpu *pc,
			void *value)
	__releases(&pc->lock)
{
	struct syncmap_retiree *full = NULL;

	if (!pc) {
		__release(&pc->lock);
		return;
	}
	if (value) {
		pc->block->values[pc->block->nr++] = value;
		this_cpu_inc(map->pcpu->pending);
		if (pc->block->nr == SYNCMAP_BLOCK_VALUES) {
			full = pc->block;
			pc->block = NULL;
		}
	}
	spin_unlock(&pc->lock);
	if (full) {
		llist_add(&full->node, &pc->limbo_values);
		syncmap_reap_kick(map);
	}
}

/**
 * syncmap_retire_table() - free a table after a grace period
 * @map: the map
 * @t: the table, already unreachable for new readers
 * @put_entries: drop the table's reference on each of its entries then
 *
 * Context: any context.
 */
void syncmap_retire_table(struct syncmap *map, struct syncmap_table *t,
			  bool put_entries)
{
	t->put_entries = put_entries;
	llist_add(&t->retire, &map->limbo_tables);
	syncmap_reap_kick(map);
}

static void syncmap_entry_free(struct syncmap *map, struct syncmap_entry *e)
{
	void *p = rcu_dereference_raw(e->p);

	/* Only a map being freed leaves values in dead entries. */
	if (p && p != SYNCMAP_EXPUNGED)
		syncmap_release_value(map, p);
	kfree(e);
}

/**
 * syncmap_entry_put() - drop a table's reference on an entry
 * @map: the map
 * @e: the entry, just removed from the dirty map
 *
 * The last reference frees the entry after a grace period: a lock-free
 * reader may still be looking at it.
 *
 * Context: any context.
 */
void syncmap_entry_put(struct syncmap *map, struct syncmap_entry *e)
{
	if (refcount_dec_and_test(&e->ref)) {
		llist_add(&e->reap, &map->limbo_entries);
		syncmap_reap_kick(map);
	}
}

/* Slots a reap walks between two chances for other tasks to run. */
#define SYNCMAP_REAP_SLICE	1024

/*
 * After the grace period: drop the table's references and free it.  A
 * table of a million slots takes a while: without the cond_resched() a
 * kernel without full preemption would keep a task waiting on this CPU
 * (a writer of the map, say) until the walk ends.
 */
static void syncmap_table_reap(struct syncmap *map, struct syncmap_table *t)
{
	struct syncmap_entry *e;
	unsigned int i;

	if (t->put_entries) {
		for (i = 0; i <= t->mask; i++) {
			e = rcu_dereference_raw(t->slots[i]);
			if (e && e != SYNCMAP_TOMBSTONE &&
			    refcount_dec_and_test(&e->ref))
				syncmap_entry_free(map, e);
			if (!((i + 1) % SYNCMAP_REAP_SLICE))
				cond_resched();
		}
	}
	syncmap_table_free(t);
}

/*
 * Take every CPU's retired values as one chain, the blocks the lock-free
 * paths are still filling included (those that hold a value).
 */
static struct llist_node *syncmap_take_values(struct syncmap *map)
{
	struct llist_node *all = NULL, *chain, *tail;
	struct syncmap_retiree *part;
	struct syncmap_pcpu *pc;
	int cpu;

	for_each_possible_cpu(cpu) {
		pc = per_cpu_ptr(map->pcpu, cpu);
		spin_lock(&pc->lock);
		part = pc->block && pc->block->nr ? pc->block : NULL;
		if (part)
			pc->block = NULL;
		spin_unlock(&pc->lock);
		if (part)
			llist_add(&part->node, &pc->limbo_values);
		chain = llist_del_all(&pc->limbo_values);
		if (!chain)
			continue;
		for (tail = chain; tail->next; tail = tail->next)
			;
		tail->next = all;
		all = chain;
	}
	return all;
}

/**
 * syncmap_pending() - values retired and not yet released
 * @map: the map
 *
 * Context: any context.
 * Return: the number, exact when no retirement or release is in flight.
 */
long syncmap_pending(struct syncmap *map)
{
	long n = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		n += READ_ONCE(per_cpu_ptr(map->pcpu, cpu)->pending);
	return n;
}

/**
 * syncmap_reap_work() - free what the map retired, a batch at a time
 * @work: &syncmap.reap_work
 *
 * Context: workqueue (process context); waits for grace periods.
 */
void syncmap_reap_work(struct work_struct *work)
{
	struct syncmap *map = container_of(work, struct syncmap, reap_work);
	struct llist_node *values, *tables, *entries;
	struct syncmap_retiree *r, *rn;
	struct syncmap_table *t, *tn;
	struct syncmap_entry *e, *en;
	unsigned long n = 0, nv;
	unsigned int i, nt, ne;
	u64 wait;

	for (;;) {
		values = syncmap_take_values(map);
		tables = llist_del_all(&map->limbo_tables);
		entries = llist_del_all(&map->limbo_entries);
		if (!values && !tables && !entries)
			return;

		/* Everything taken was unreachable before these started. */
		wait = ktime_get_ns();
		synchronize_rcu();
		synchronize_srcu(&map->srcu);
		wait = ktime_get_ns() - wait;

		nt = 0;
		llist_for_each_entry_safe(t, tn, tables, retire) {
			syncmap_table_reap(map, t);
			nt++;
		}
		ne = 0;
		llist_for_each_entry_safe(e, en, entries, reap) {
			syncmap_entry_free(map, e);
			ne++;
		}
		nv = n;
		llist_for_each_entry_safe(r, rn, values, node) {
			for (i = 0; i < r->nr; i++) {
				syncmap_release_value(map, r->values[i]);
				if (!(++n % SYNCMAP_REAP_SLICE))
					cond_resched();
			}
			this_cpu_sub(map->pcpu->pending, r->nr);
			kvfree(r);
		}
		trace_syncmap_reclaim(map, n - nv, nt, ne, wait);
		cond_resched();
	}
}

/**
 * syncmap_reclaim_all() - free a map's tables, entries and values
 * @map: a map nobody uses any more, its dirty map not growing
 *
 * Context: process context; sleeps.
 */
void syncmap_reclaim_all(struct syncmap *map)
{
	struct syncmap_table *read, *dirty;
	struct syncmap_pcpu *pc;
	int cpu;

	/* Release what is in flight, then what the tables still hold. */
	syncmap_reap_kick(map);
	flush_work(&map->reap_work);
	/* The reap work took every block holding a value: these are empty. */
	for_each_possible_cpu(cpu) {
		pc = per_cpu_ptr(map->pcpu, cpu);
		kfree(pc->block);
		pc->block = NULL;
	}

	read = rcu_dereference_protected(map->read, true);
	dirty = rcu_dereference_protected(read->dirty, true);
	if (dirty) {
		dirty->put_entries = true;
		syncmap_table_reap(map, dirty);
	}
	read->put_entries = true;
	syncmap_table_reap(map, read);
	WARN_ON(syncmap_pending(map));
}
