// SPDX-License-Identifier: GPL-2.0
/*
 * syncmap and its peers behind the interface of bench_maps.h:
 *
 *   syncmap     the map under test (exported API)
 *   rhashtable  RCU lookups, lock-free insert/remove with per-bucket bit
 *               locks, resized by its worker
 *   mutex       an hlist hash table (hashtable.h style) under one mutex
 *   rwlock      the same table under one rwlock: readers share it
 *   sharded     64 such tables, each with its own spinlock, picked by the
 *               top bits of the hash
 *
 * The hlist tables are sized for the expected number of keys at creation
 * and never resize, which favours them a little.  Every map hashes keys
 * with siphash under one random key, reads the value of a hit inside its
 * read-side protection, and releases a value that leaves after an RCU
 * grace period (syncmap through its release callback, the peers with
 * kfree_rcu()).
 *
 * The peers are exactly as concurrent as the workloads need: stores and
 * loads may race freely, deletion happens only when a map is destroyed.
 */
#include <linux/err.h>
#include <linux/hashtable.h>
#include <linux/log2.h>
#include <linux/mutex.h>
#include <linux/overflow.h>
#include <linux/random.h>
#include <linux/rhashtable.h>
#include <linux/siphash.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

#include <syncmap.h>

#include "bench_maps.h"

#define BENCH_SHARDS		64
#define BENCH_SHARD_SHIFT	(32 - 6)

const char *const bench_kind_name[BENCH_NR_KINDS] = {
	[BENCH_SYNCMAP] = "syncmap",
	[BENCH_RHASHTABLE] = "rhashtable",
	[BENCH_MUTEX] = "mutex",
	[BENCH_RWLOCK] = "rwlock",
	[BENCH_SHARDED] = "sharded",
};

static siphash_key_t bench_hash_key;
static bool bench_hash_key_set;

static u32 bench_hash(const void *key, u32 len)
{
	return (u32)siphash(key, len, &bench_hash_key);
}

struct bench_val *bench_val_new(u64 data)
{
	struct bench_val *v = kmalloc(sizeof(*v), GFP_KERNEL);

	if (v)
		v->data = data;
	return v;
}

void bench_val_free(struct bench_val *v)
{
	kfree(v);
}

static void bench_val_retire(struct bench_val *v)
{
	kfree_rcu(v, rcu);
}

/* ---- hlist tables: the mutex, rwlock and sharded maps -------------------- */

struct lk_obj {
	struct hlist_node node;
	struct bench_val *val;
	u32 hash;
	u16 key_len;
	u8 key[];
};

struct lk_table {
	unsigned int mask;
	struct hlist_head *buckets;
};

struct lk_shard {
	spinlock_t lock;	/* protects t */
	struct lk_table t;
} ____cacheline_aligned_in_smp;

static int lk_table_init(struct lk_table *t, unsigned long hint)
{
	unsigned long n = roundup_pow_of_two(max(hint, 16UL));

	t->buckets = kvmalloc_array(n, sizeof(*t->buckets), GFP_KERNEL);
	if (!t->buckets)
		return -ENOMEM;
	__hash_init(t->buckets, n);
	t->mask = n - 1;
	return 0;
}

static void lk_table_free(struct lk_table *t, bool own)
{
	struct hlist_node *tmp;
	struct lk_obj *o;
	unsigned int i;

	if (!t->buckets)
		return;
	for (i = 0; i <= t->mask; i++) {
		hlist_for_each_entry_safe(o, tmp, &t->buckets[i], node) {
			if (own)
				bench_val_free(o->val);
			kfree(o);
		}
	}
	kvfree(t->buckets);
}

static struct lk_obj *lk_find(struct lk_table *t, const u8 *key, u32 len,
			      u32 hash)
{
	struct lk_obj *o;

	hlist_for_each_entry(o, &t->buckets[hash & t->mask], node)
		if (o->hash == hash && o->key_len == len &&
		    !memcmp(o->key, key, len))
			return o;
	return NULL;
}

static struct lk_obj *lk_obj_new(const u8 *key, u32 len, u32 hash,
				 struct bench_val *v)
{
	struct lk_obj *o = kmalloc(struct_size(o, key, len), GFP_KERNEL);

	if (!o)
		return NULL;
	o->val = v;
	o->hash = hash;
	o->key_len = len;
	memcpy(o->key, key, len);
	return o;
}

static void lk_insert(struct lk_table *t, struct lk_obj *o)
{
	hlist_add_head(&o->node, &t->buckets[o->hash & t->mask]);
}

/* ---- rhashtable ----------------------------------------------------------- */

struct rht_key {
	const u8 *data;
	u32 len;
};

struct rht_obj {
	struct rhash_head node;
	struct bench_val __rcu *val;
	struct rcu_head rcu;
	u16 key_len;
	u8 key[];
};

static u32 rht_hashfn(const void *data, u32 len, u32 seed)
{
	const struct rht_key *k = data;

	return bench_hash(k->data, k->len);
}

static u32 rht_obj_hashfn(const void *data, u32 len, u32 seed)
{
	const struct rht_obj *o = data;

	return bench_hash(o->key, o->key_len);
}

static int rht_obj_cmpfn(struct rhashtable_compare_arg *arg, const void *obj)
{
	const struct rht_key *k = arg->key;
	const struct rht_obj *o = obj;

	return o->key_len != k->len || memcmp(o->key, k->data, k->len);
}

static const struct rhashtable_params rht_params = {
	.head_offset = offsetof(struct rht_obj, node),
	.hashfn = rht_hashfn,
	.obj_hashfn = rht_obj_hashfn,
	.obj_cmpfn = rht_obj_cmpfn,
	.automatic_shrinking = true,
};

/* ---- the maps ------------------------------------------------------------- */

struct bench_map {
	enum bench_kind kind;
	bool own;
	union {
		struct syncmap *sm;
		struct rhashtable rht;
		struct {
			struct mutex lock;	/* protects t */
			struct lk_table t;
		} mx;
		struct {
			rwlock_t lock;		/* protects t */
			struct lk_table t;
		} rw;
		struct lk_shard *shards;
	};
};

static void sm_release(void *value, void *priv)
{
	bench_val_free(value);
}

static const struct syncmap_ops sm_owning_ops = {
	.release = sm_release,
};

static void rht_free_obj(void *ptr, void *arg)
{
	struct rht_obj *o = ptr;
	struct bench_map *m = arg;

	if (m->own)
		bench_val_free(rcu_dereference_protected(o->val, 1));
	kfree(o);
}

/**
 * bench_map_create() - create an empty map
 * @kind: which map
 * @hint: keys expected; sizes the hlist tables, ignored by the others
 * @own_values: the map releases values that leave it; false for maps of
 *	shared values (memory measurements)
 *
 * Return: the map or an ERR_PTR().
 */
struct bench_map *bench_map_create(enum bench_kind kind, unsigned long hint,
				   bool own_values)
{
	struct syncmap_params p = {};
	struct bench_map *m;
	unsigned int i;
	int err = 0;

	if (!bench_hash_key_set) {
		get_random_bytes(&bench_hash_key, sizeof(bench_hash_key));
		bench_hash_key_set = true;
	}
	m = kzalloc(sizeof(*m), GFP_KERNEL);
	if (!m)
		return ERR_PTR(-ENOMEM);
	m->kind = kind;
	m->own = own_values;
	switch (kind) {
	case BENCH_SYNCMAP:
		p.ops = own_values ? &sm_owning_ops : NULL;
		p.owner = THIS_MODULE;
		m->sm = syncmap_create(&p);
		if (IS_ERR(m->sm))
			err = PTR_ERR(m->sm);
		break;
	case BENCH_RHASHTABLE:
		err = rhashtable_init(&m->rht, &rht_params);
		break;
	case BENCH_MUTEX:
		mutex_init(&m->mx.lock);
		err = lk_table_init(&m->mx.t, hint);
		break;
	case BENCH_RWLOCK:
		rwlock_init(&m->rw.lock);
		err = lk_table_init(&m->rw.t, hint);
		break;
	case BENCH_SHARDED:
		m->shards = kvcalloc(BENCH_SHARDS, sizeof(*m->shards),
				     GFP_KERNEL);
		if (!m->shards) {
			err = -ENOMEM;
			break;
		}
		for (i = 0; i < BENCH_SHARDS && !err; i++) {
			spin_lock_init(&m->shards[i].lock);
			err = lk_table_init(&m->shards[i].t,
					    hint / BENCH_SHARDS);
		}
		break;
	default:
		err = -EINVAL;
	}
	if (err) {
		if (kind == BENCH_SHARDED && m->shards) {
			for (i = 0; i < BENCH_SHARDS; i++)
				lk_table_free(&m->shards[i].t, false);
			kvfree(m->shards);
		}
		kfree(m);
		return ERR_PTR(err);
	}
	return m;
}

/**
 * bench_map_destroy() - free a map and the values it owns
 * @m: the map; nobody uses it any more
 */
void bench_map_destroy(struct bench_map *m)
{
	unsigned int i;

	switch (m->kind) {
	case BENCH_SYNCMAP:
		syncmap_destroy(m->sm);
		break;
	case BENCH_RHASHTABLE:
		rhashtable_free_and_destroy(&m->rht, rht_free_obj, m);
		break;
	case BENCH_MUTEX:
		lk_table_free(&m->mx.t, m->own);
		break;
	case BENCH_RWLOCK:
		lk_table_free(&m->rw.t, m->own);
		break;
	case BENCH_SHARDED:
		for (i = 0; i < BENCH_SHARDS; i++)
			lk_table_free(&m->shards[i].t, m->own);
		kvfree(m->shards);
		break;
	default:
		break;
	}
	kfree(m);
}

enum bench_kind bench_map_kind(const struct bench_map *m)
{
	return m->kind;
}

/**
 * bench_map_load() - look a key up and read its value
 * @m: the map
 * @key: the key
 * @len: its length
 *
 * Return: the value's data, 0 when the key is absent.
 */
u64 bench_map_load(struct bench_map *m, const u8 *key, u32 len)
{
	struct bench_val *v;
	struct lk_shard *s;
	struct rht_obj *ro;
	struct lk_obj *o;
	u64 data = 0;
	u32 hash;

	switch (m->kind) {
	case BENCH_SYNCMAP:
		rcu_read_lock();
		v = syncmap_load(m->sm, key, len);
		if (v)
			data = v->data;
		rcu_read_unlock();
		break;
	case BENCH_RHASHTABLE: {
		struct rht_key k = { .data = key, .len = len };

		rcu_read_lock();
		ro = rhashtable_lookup(&m->rht, &k, rht_params);
		if (ro) {
			v = rcu_dereference(ro->val);
			data = v->data;
		}
		rcu_read_unlock();
		break;
	}
	case BENCH_MUTEX:
		hash = bench_hash(key, len);
		mutex_lock(&m->mx.lock);
		o = lk_find(&m->mx.t, key, len, hash);
		if (o)
			data = o->val->data;
		mutex_unlock(&m->mx.lock);
		break;
	case BENCH_RWLOCK:
		hash = bench_hash(key, len);
		read_lock(&m->rw.lock);
		o = lk_find(&m->rw.t, key, len, hash);
		if (o)
			data = o->val->data;
		read_unlock(&m->rw.lock);
		break;
	case BENCH_SHARDED:
		hash = bench_hash(key, len);
		s = &m->shards[hash >> BENCH_SHARD_SHIFT];
		spin_lock(&s->lock);
		o = lk_find(&s->t, key, len, hash);
		if (o)
			data = o->val->data;
		spin_unlock(&s->lock);
		break;
	default:
		break;
	}
	return data;
}

static void bench_retire(struct bench_map *m, struct bench_val *old)
{
	if (old && m->own)
		bench_val_retire(old);
}

static int rht_store(struct bench_map *m, const u8 *key, u32 len,
		     struct bench_val *v)
{
	struct rht_key k = { .data = key, .len = len };
	struct rht_obj *o, *cur;
	struct bench_val *old;

	rcu_read_lock();
	cur = rhashtable_lookup(&m->rht, &k, rht_params);
	if (cur) {
		old = unrcu_pointer(xchg(&cur->val, RCU_INITIALIZER(v)));
		rcu_read_unlock();
		bench_retire(m, old);
		return 0;
	}
	rcu_read_unlock();

	o = kmalloc(struct_size(o, key, len), GFP_KERNEL);
	if (!o)
		return -ENOMEM;
	RCU_INIT_POINTER(o->val, v);
	o->key_len = len;
	memcpy(o->key, key, len);
	rcu_read_lock();
	cur = rhashtable_lookup_get_insert_key(&m->rht, &k, &o->node,
					       rht_params);
	if (IS_ERR(cur)) {
		rcu_read_unlock();
		kfree(o);
		return PTR_ERR(cur);
	}
	if (cur) {	/* lost a race with another insert of the key */
		old = unrcu_pointer(xchg(&cur->val, RCU_INITIALIZER(v)));
		rcu_read_unlock();
		kfree(o);
		bench_retire(m, old);
		return 0;
	}
	rcu_read_unlock();
	return 0;
}

static int mutex_store(struct bench_map *m, const u8 *key, u32 len,
		       struct bench_val *v)
{
	u32 hash = bench_hash(key, len);
	struct bench_val *old = NULL;
	struct lk_obj *o;
	int err = 0;

	/* A sleeping lock: allocate under it, as such code usually does. */
	mutex_lock(&m->mx.lock);
	o = lk_find(&m->mx.t, key, len, hash);
	if (o) {
		old = o->val;
		o->val = v;
	} else {
		o = lk_obj_new(key, len, hash, v);
		if (o)
			lk_insert(&m->mx.t, o);
		else
			err = -ENOMEM;
	}
	mutex_unlock(&m->mx.lock);
	bench_retire(m, old);
	return err;
}

/*
 * The spinning locks: look up under the lock; a new key is allocated
 * outside it and the lookup repeated.
 */
static int rw_store(struct bench_map *m, const u8 *key, u32 len,
		    struct bench_val *v)
{
	u32 hash = bench_hash(key, len);
	struct lk_obj *o, *new = NULL;
	struct bench_val *old = NULL;

	for (;;) {
		write_lock(&m->rw.lock);
		o = lk_find(&m->rw.t, key, len, hash);
		if (o) {
			old = o->val;
			o->val = v;
			break;
		}
		if (new) {
			lk_insert(&m->rw.t, new);
			new = NULL;
			break;
		}
		write_unlock(&m->rw.lock);
		new = lk_obj_new(key, len, hash, v);
		if (!new)
			return -ENOMEM;
	}
	write_unlock(&m->rw.lock);
	kfree(new);
	bench_retire(m, old);
	return 0;
}

static int sharded_store(struct bench_map *m, const u8 *key, u32 len,
			 struct bench_val *v)
{
	u32 hash = bench_hash(key, len);
	struct lk_shard *s = &m->shards[hash >> BENCH_SHARD_SHIFT];
	struct lk_obj *o, *new = NULL;
	struct bench_val *old = NULL;

	for (;;) {
		spin_lock(&s->lock);
		o = lk_find(&s->t, key, len, hash);
		if (o) {
			old = o->val;
			o->val = v;
			break;
		}
		if (new) {
			lk_insert(&s->t, new);
			new = NULL;
			break;
		}
		spin_unlock(&s->lock);
		new = lk_obj_new(key, len, hash, v);
		if (!new)
			return -ENOMEM;
	}
	spin_unlock(&s->lock);
	kfree(new);
	bench_retire(m, old);
	return 0;
}

/**
 * bench_map_store() - insert or overwrite a key
 * @m: the map
 * @key: the key
 * @len: its length
 * @v: the value; owned by the map on success when the map owns values
 *
 * Context: process context, may sleep.
 * Return: 0 or a negative errno (the caller keeps @v).
 */
int bench_map_store(struct bench_map *m, const u8 *key, u32 len,
		    struct bench_val *v)
{
	switch (m->kind) {
	case BENCH_SYNCMAP:
		return syncmap_store(m->sm, key, len, v);
	case BENCH_RHASHTABLE:
		return rht_store(m, key, len, v);
	case BENCH_MUTEX:
		return mutex_store(m, key, len, v);
	case BENCH_RWLOCK:
		return rw_store(m, key, len, v);
	case BENCH_SHARDED:
		return sharded_store(m, key, len, v);
	default:
		return -EINVAL;
	}
}

static bool sm_stop(const void *key, size_t key_len, void *value, void *arg)
{
	return false;
}

/**
 * bench_map_settle() - bring a map to its steady state after writes
 * @m: the map
 *
 * syncmap: promote the dirty map (syncmap_range() does, as Go's Range)
 * and wait for its reclaim; rhashtable: let a pending resize finish.
 * Nothing for the others.  Not part of any measured time.
 */
void bench_map_settle(struct bench_map *m)
{
	switch (m->kind) {
	case BENCH_SYNCMAP:
		syncmap_range(m->sm, sm_stop, NULL);
		syncmap_synchronize(m->sm);
		break;
	case BENCH_RHASHTABLE:
		flush_work(&m->rht.run_work);
		break;
	default:
		break;
	}
}

/**
 * bench_map_syncmap_stats() - syncmap's own counters, for the report
 * @m: the map
 * @st: filled in for syncmap; left alone for the peers
 *
 * Return: true for syncmap.
 */
bool bench_map_syncmap_stats(struct bench_map *m, struct syncmap_stats *st)
{
	if (m->kind != BENCH_SYNCMAP)
		return false;
	syncmap_fill_stats(m->sm, st);
	return true;
}
