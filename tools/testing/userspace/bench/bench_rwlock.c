// SPDX-License-Identifier: GPL-2.0
/*
 * A chained hash map under one pthread rwlock, for bench-native: readers
 * share the lock, every writer takes it alone; the table doubles past one
 * entry per bucket.  Range copies a batch of entries under the read lock
 * and calls back without it, so that the callback may write (Go's Range
 * allows Delete in it).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

struct rn {
	struct rn *next;
	uint64_t key;
	uint64_t value;
};

struct rmap {
	pthread_rwlock_t lock;
	struct rn **b;
	size_t mask;
	size_t count;
};

static void *rw_create(void)
{
	struct rmap *m = calloc(1, sizeof(*m));

	pthread_rwlock_init(&m->lock, NULL);
	m->mask = 1023;
	m->b = calloc(m->mask + 1, sizeof(*m->b));
	return m;
}

static void rw_clear_locked(struct rmap *m)
{
	struct rn *n, *next;
	size_t i;

	for (i = 0; i <= m->mask; i++) {
		for (n = m->b[i]; n; n = next) {
			next = n->next;
			free(n);
		}
		m->b[i] = NULL;
	}
	m->count = 0;
}

static void rw_destroy(void *p)
{
	struct rmap *m = p;

	rw_clear_locked(m);
	free(m->b);
	pthread_rwlock_destroy(&m->lock);
	free(m);
}

static void rw_nop(void)
{
}

static struct rn **rw_slot(struct rmap *m, uint64_t k)
{
	struct rn **pp = &m->b[bench_hash(k) & m->mask];

	while (*pp && (*pp)->key != k)
		pp = &(*pp)->next;
	return pp;
}

static void rw_grow(struct rmap *m)
{
	size_t mask = m->mask * 2 + 1, i;
	struct rn **b = calloc(mask + 1, sizeof(*b)), *n, *next;

	for (i = 0; i <= m->mask; i++) {
		for (n = m->b[i]; n; n = next) {
			next = n->next;
			n->next = b[bench_hash(n->key) & mask];
			b[bench_hash(n->key) & mask] = n;
		}
	}
	free(m->b);
	m->b = b;
	m->mask = mask;
}

static void rw_insert_locked(struct rmap *m, struct rn **pp, uint64_t k,
			     uint64_t v)
{
	struct rn *n = malloc(sizeof(*n));

	n->key = k;
	n->value = v;
	n->next = NULL;
	*pp = n;
	if (++m->count > m->mask + 1)
		rw_grow(m);
}

static bool rw_load(void *p, uint64_t k, uint64_t *v)
{
	struct rmap *m = p;
	struct rn *n;

	pthread_rwlock_rdlock(&m->lock);
	n = *rw_slot(m, k);
	if (n)
		*v = n->value;
	pthread_rwlock_unlock(&m->lock);
	return n;
}

static bool rw_swap(void *p, uint64_t k, uint64_t v, uint64_t *prev)
{
	struct rmap *m = p;
	struct rn **pp;
	bool loaded;

	pthread_rwlock_wrlock(&m->lock);
	pp = rw_slot(m, k);
	loaded = *pp;
	if (loaded) {
		*prev = (*pp)->value;
		(*pp)->value = v;
	} else {
		rw_insert_locked(m, pp, k, v);
	}
	pthread_rwlock_unlock(&m->lock);
	return loaded;
}

static void rw_store(void *p, uint64_t k, uint64_t v)
{
	uint64_t prev;

	rw_swap(p, k, v, &prev);
}

static bool rw_load_or_store(void *p, uint64_t k, uint64_t v, uint64_t *actual)
{
	struct rmap *m = p;
	struct rn **pp;
	bool loaded;

	/* A hit needs only the read lock. */
	if (rw_load(p, k, actual))
		return true;
	pthread_rwlock_wrlock(&m->lock);
	pp = rw_slot(m, k);
	loaded = *pp;
	if (loaded)
		*actual = (*pp)->value;
	else
		rw_insert_locked(m, pp, k, v), *actual = v;
	pthread_rwlock_unlock(&m->lock);
	return loaded;
}

/* Remove @k if present and (if @old) holding *@old. */
static bool rw_remove(struct rmap *m, uint64_t k, const uint64_t *old,
		      uint64_t *v)
{
	struct rn **pp, *n;
	bool done = false;

	pthread_rwlock_wrlock(&m->lock);
	pp = rw_slot(m, k);
	n = *pp;
	if (n && (!old || n->value == *old)) {
		*v = n->value;
		*pp = n->next;
		m->count--;
		free(n);
		done = true;
	}
	pthread_rwlock_unlock(&m->lock);
	return done;
}

static bool rw_load_and_delete(void *p, uint64_t k, uint64_t *v)
{
	return rw_remove(p, k, NULL, v);
}

static void rw_delete(void *p, uint64_t k)
{
	uint64_t v;

	rw_remove(p, k, NULL, &v);
}

static bool rw_cas(void *p, uint64_t k, uint64_t old, uint64_t new)
{
	struct rmap *m = p;
	struct rn *n;
	bool done = false;

	pthread_rwlock_wrlock(&m->lock);
	n = *rw_slot(m, k);
	if (n && n->value == old) {
		n->value = new;
		done = true;
	}
	pthread_rwlock_unlock(&m->lock);
	return done;
}

static bool rw_cad(void *p, uint64_t k, uint64_t old)
{
	uint64_t v;

	return rw_remove(p, k, &old, &v);
}

#define RANGE_BATCH 64

static void rw_range(void *p, bench_range_fn fn, void *arg)
{
	struct rmap *m = p;
	uint64_t keys[RANGE_BATCH], vals[RANGE_BATCH];
	size_t bucket = 0, nr, i;
	struct rn *n;

	for (;;) {
		nr = 0;
		pthread_rwlock_rdlock(&m->lock);
		/* Whole buckets, so that a batch ends between two. */
		for (; bucket <= m->mask && nr < RANGE_BATCH - 8; bucket++)
			for (n = m->b[bucket]; n && nr < RANGE_BATCH; n = n->next) {
				keys[nr] = n->key;
				vals[nr++] = n->value;
			}
		i = bucket > m->mask;
		pthread_rwlock_unlock(&m->lock);
		for (size_t j = 0; j < nr; j++)
			if (!fn(keys[j], vals[j], arg))
				return;
		if (i)
			return;
	}
}

static void rw_clear(void *p)
{
	struct rmap *m = p;

	pthread_rwlock_wrlock(&m->lock);
	rw_clear_locked(m);
	pthread_rwlock_unlock(&m->lock);
}

const struct bench_impl bench_rwlock = {
	.name = "rwlock",
	.create = rw_create,
	.destroy = rw_destroy,
	.thread_init = rw_nop,
	.thread_exit = rw_nop,
	.load = rw_load,
	.store = rw_store,
	.load_or_store = rw_load_or_store,
	.load_and_delete = rw_load_and_delete,
	.delete = rw_delete,
	.swap = rw_swap,
	.compare_and_swap = rw_cas,
	.compare_and_delete = rw_cad,
	.range = rw_range,
	.clear = rw_clear,
};
