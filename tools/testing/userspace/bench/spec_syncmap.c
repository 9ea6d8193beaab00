// SPDX-License-Identifier: GPL-2.0
/*
 * The syncmap side of syncmap-spec, built over the shim as the benchmark
 * build of the core: the exported API, as tools/bench/kernel/bench_maps.c
 * drives it, and the kernel's siphash for the peers.
 */
#include <linux/siphash.h>
#include <syncmap.h>

#include "spec.h"

static siphash_key_t spec_key;
static bool spec_key_set;

uint32_t spec_hash(const void *key, size_t len)
{
	return (u32)siphash(key, len, &spec_key);
}

static void spec_release(void *value, void *priv)
{
	free(value);
}

static const struct syncmap_ops spec_ops = {
	.release = spec_release,
};

void *spec_sm_create(void)
{
	struct syncmap_params p = { .ops = &spec_ops };
	struct syncmap *m;

	if (!spec_key_set) {
		get_random_bytes(&spec_key, sizeof(spec_key));
		spec_key_set = true;
	}
	m = syncmap_create(&p);
	return IS_ERR(m) ? NULL : m;
}

void spec_sm_destroy(void *m)
{
	syncmap_destroy(m);
}

uint64_t spec_sm_load(void *m, const uint8_t *key, uint32_t len)
{
	struct spec_val *v;
	uint64_t data = 0;

	rcu_read_lock();
	v = syncmap_load(m, key, len);
	if (v)
		data = v->data;
	rcu_read_unlock();
	return data;
}

int spec_sm_store(void *m, const uint8_t *key, uint32_t len,
		  struct spec_val *v)
{
	return syncmap_store(m, key, len, v);
}

static bool spec_stop(const void *key, size_t len, void *value, void *arg)
{
	return false;
}

/* Promote the dirty map (Range does, as Go's) and wait for the reclaim. */
void spec_sm_settle(void *m)
{
	syncmap_range(m, spec_stop, NULL);
	syncmap_synchronize(m);
}

unsigned long spec_sm_locked_allocs(void *m)
{
	struct syncmap_stats st;

	syncmap_fill_stats(m, &st);
	return st.locked_allocs;
}
