// SPDX-License-Identifier: GPL-2.0
/*
 * liburcu's lock-free resizable hash table (cds_lfht, memb flavour) for
 * bench-native.  A node holds a key and its value; a value changes by
 * replacing the node, so a reader sees a node whole.  Removed nodes are
 * freed after a grace period by call_rcu().
 */
#define _LGPL_SOURCE
#include <stdlib.h>
#include <urcu/urcu-memb.h>
#include <urcu/rculfhash.h>

#include "bench.h"

struct ln {
	struct cds_lfht_node node;
	uint64_t key;
	uint64_t value;
	struct rcu_head rcu;
};

static int ln_match(struct cds_lfht_node *node, const void *key)
{
	return caa_container_of(node, struct ln, node)->key == *(const uint64_t *)key;
}

static struct ln *ln_new(uint64_t k, uint64_t v)
{
	struct ln *n = malloc(sizeof(*n));

	if (!n)
		abort();
	cds_lfht_node_init(&n->node);
	n->key = k;
	n->value = v;
	return n;
}

static void ln_free_rcu(struct rcu_head *head)
{
	free(caa_container_of(head, struct ln, rcu));
}

static void ln_retire(struct ln *n)
{
	urcu_memb_call_rcu(&n->rcu, ln_free_rcu);
}

static void *lf_create(void)
{
	return cds_lfht_new_flavor(1024, 1024, 0,
				   CDS_LFHT_AUTO_RESIZE | CDS_LFHT_ACCOUNTING,
				   &urcu_memb_flavor, NULL);
}

static void lf_clear(void *m)
{
	struct cds_lfht_iter iter;
	struct ln *n;

	urcu_memb_read_lock();
	cds_lfht_for_each_entry(m, &iter, n, node)
		if (!cds_lfht_del(m, &n->node))
			ln_retire(n);
	urcu_memb_read_unlock();
}

static void lf_destroy(void *m)
{
	lf_clear(m);
	urcu_memb_barrier();
	cds_lfht_destroy(m, NULL);
}

static void lf_thread_init(void)
{
	urcu_memb_register_thread();
}

static void lf_thread_exit(void)
{
	urcu_memb_unregister_thread();
}

static struct ln *lf_lookup(void *m, uint64_t k, struct cds_lfht_iter *iter)
{
	struct cds_lfht_node *node;

	cds_lfht_lookup(m, bench_hash(k), ln_match, &k, iter);
	node = cds_lfht_iter_get_node(iter);
	return node ? caa_container_of(node, struct ln, node) : NULL;
}

static bool lf_load(void *m, uint64_t k, uint64_t *v)
{
	struct cds_lfht_iter iter;
	struct ln *n;

	urcu_memb_read_lock();
	n = lf_lookup(m, k, &iter);
	if (n)
		*v = n->value;
	urcu_memb_read_unlock();
	return n;
}

/* Add or replace; true (and *prev) if a node was replaced. */
static bool lf_put(void *m, uint64_t k, uint64_t v, uint64_t *prev)
{
	struct ln *n = ln_new(k, v), *old = NULL;
	struct cds_lfht_node *o;

	urcu_memb_read_lock();
	o = cds_lfht_add_replace(m, bench_hash(k), ln_match, &k, &n->node);
	if (o) {
		old = caa_container_of(o, struct ln, node);
		*prev = old->value;
		ln_retire(old);
	}
	urcu_memb_read_unlock();
	return old;
}

static void lf_store(void *m, uint64_t k, uint64_t v)
{
	uint64_t prev;

	lf_put(m, k, v, &prev);
}

static bool lf_load_or_store(void *m, uint64_t k, uint64_t v, uint64_t *actual)
{
	struct cds_lfht_iter iter;
	struct cds_lfht_node *o;
	struct ln *n;

	/* Go's LoadOrStore allocates nothing when the key is there. */
	urcu_memb_read_lock();
	n = lf_lookup(m, k, &iter);
	if (n) {
		*actual = n->value;
		urcu_memb_read_unlock();
		return true;
	}
	n = ln_new(k, v);
	o = cds_lfht_add_unique(m, bench_hash(k), ln_match, &k, &n->node);
	if (o != &n->node) {
		*actual = caa_container_of(o, struct ln, node)->value;
		urcu_memb_read_unlock();
		free(n);
		return true;
	}
	urcu_memb_read_unlock();
	*actual = v;
	return false;
}

static bool lf_load_and_delete(void *m, uint64_t k, uint64_t *v)
{
	struct cds_lfht_iter iter;
	struct ln *n;
	bool done = false;

	urcu_memb_read_lock();
	n = lf_lookup(m, k, &iter);
	if (n && !cds_lfht_del(m, &n->node)) {
		*v = n->value;
		ln_retire(n);
		done = true;
	}
	urcu_memb_read_unlock();
	return done;
}

static void lf_delete(void *m, uint64_t k)
{
	uint64_t v;

	lf_load_and_delete(m, k, &v);
}

static bool lf_swap(void *m, uint64_t k, uint64_t v, uint64_t *prev)
{
	return lf_put(m, k, v, prev);
}

static bool lf_cas(void *m, uint64_t k, uint64_t old, uint64_t new)
{
	struct cds_lfht_iter iter;
	struct ln *n, *r;
	bool done = false;

	urcu_memb_read_lock();
	n = lf_lookup(m, k, &iter);
	if (n && n->value == old) {
		r = ln_new(k, new);
		if (!cds_lfht_replace(m, &iter, bench_hash(k), ln_match, &k,
				      &r->node)) {
			ln_retire(n);
			done = true;
		} else {
			free(r);
		}
	}
	urcu_memb_read_unlock();
	return done;
}

static bool lf_cad(void *m, uint64_t k, uint64_t old)
{
	struct cds_lfht_iter iter;
	struct ln *n;
	bool done = false;

	urcu_memb_read_lock();
	n = lf_lookup(m, k, &iter);
	if (n && n->value == old && !cds_lfht_del(m, &n->node)) {
		ln_retire(n);
		done = true;
	}
	urcu_memb_read_unlock();
	return done;
}

static void lf_range(void *m, bench_range_fn fn, void *arg)
{
	struct cds_lfht_iter iter;
	struct ln *n;

	urcu_memb_read_lock();
	cds_lfht_for_each_entry(m, &iter, n, node)
		if (!fn(n->key, n->value, arg))
			break;
	urcu_memb_read_unlock();
}

const struct bench_impl bench_lfht = {
	.name = "cds_lfht",
	.create = lf_create,
	.destroy = lf_destroy,
	.thread_init = lf_thread_init,
	.thread_exit = lf_thread_exit,
	.load = lf_load,
	.store = lf_store,
	.load_or_store = lf_load_or_store,
	.load_and_delete = lf_load_and_delete,
	.delete = lf_delete,
	.swap = lf_swap,
	.compare_and_swap = lf_cas,
	.compare_and_delete = lf_cad,
	.range = lf_range,
	.clear = lf_clear,
};
