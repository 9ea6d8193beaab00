// SPDX-License-Identifier: GPL-2.0
/*
 * syncmap, the core built natively (libsyncmap-core.a, plain -O2), for
 * bench-native.  No ops: values are integers in pointers, compared by
 * identity, with nothing to release, as Go's ints in interfaces.
 */
#include <syncmap.h>

#include "bench.h"

#define VAL(v)	((void *)(uintptr_t)(((v) << 1) | 1))
#define UNVAL(p)	((uint64_t)(uintptr_t)(p) >> 1)

static void *sm_create(void)
{
	struct syncmap *m = syncmap_create(NULL);

	return IS_ERR(m) ? NULL : m;
}

static void sm_destroy(void *m)
{
	syncmap_destroy(m);
}

static void sm_nop(void)
{
}

static bool sm_load(void *m, uint64_t k, uint64_t *v)
{
	void *p;

	rcu_read_lock();
	p = syncmap_load(m, &k, sizeof(k));
	rcu_read_unlock();
	if (p)
		*v = UNVAL(p);
	return p;
}

static void sm_store(void *m, uint64_t k, uint64_t v)
{
	syncmap_store(m, &k, sizeof(k), VAL(v));
}

static bool sm_load_or_store(void *m, uint64_t k, uint64_t v, uint64_t *actual)
{
	void *p = NULL;
	int ret = syncmap_load_or_store(m, &k, sizeof(k), VAL(v), &p);

	*actual = UNVAL(p);
	return ret == 1;
}

static bool sm_load_and_delete(void *m, uint64_t k, uint64_t *v)
{
	void *p = NULL;
	int ret = syncmap_load_and_delete(m, &k, sizeof(k), &p);

	*v = UNVAL(p);
	return ret == 1;
}

static void sm_delete(void *m, uint64_t k)
{
	syncmap_delete(m, &k, sizeof(k));
}

static bool sm_swap(void *m, uint64_t k, uint64_t v, uint64_t *prev)
{
	void *p = NULL;
	int ret = syncmap_swap(m, &k, sizeof(k), VAL(v), &p);

	*prev = UNVAL(p);
	return ret == 1;
}

static bool sm_cas(void *m, uint64_t k, uint64_t old, uint64_t new)
{
	return syncmap_compare_and_swap(m, &k, sizeof(k), VAL(old), VAL(new)) == 1;
}

static bool sm_cad(void *m, uint64_t k, uint64_t old)
{
	return syncmap_compare_and_delete(m, &k, sizeof(k), VAL(old)) == 1;
}

struct sm_range {
	bench_range_fn fn;
	void *arg;
};

static bool sm_range_fn(const void *key, size_t len, void *value, void *arg)
{
	struct sm_range *r = arg;
	uint64_t k;

	memcpy(&k, key, sizeof(k));
	return r->fn(k, UNVAL(value), r->arg);
}

static void sm_range(void *m, bench_range_fn fn, void *arg)
{
	struct sm_range r = { fn, arg };

	syncmap_range(m, sm_range_fn, &r);
}

static void sm_clear(void *m)
{
	syncmap_clear(m);
}

const struct bench_impl bench_syncmap = {
	.name = "syncmap",
	.create = sm_create,
	.destroy = sm_destroy,
	.thread_init = sm_nop,
	.thread_exit = sm_nop,
	.load = sm_load,
	.store = sm_store,
	.load_or_store = sm_load_or_store,
	.load_and_delete = sm_load_and_delete,
	.delete = sm_delete,
	.swap = sm_swap,
	.compare_and_swap = sm_cas,
	.compare_and_delete = sm_cad,
	.range = sm_range,
	.clear = sm_clear,
};
