/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The maps the benchmark compares, behind one small interface: syncmap and
 * four peers built from the kernel's own parts.  Every map takes the same
 * byte-string keys, hashes them with the same siphash and treats values the
 * same way: a value is a pointer to a struct bench_val that the map owns
 * once stored and releases after an RCU grace period when it leaves.
 */
#ifndef _SYNCMAP_BENCH_MAPS_H
#define _SYNCMAP_BENCH_MAPS_H

#include <linux/types.h>
#include <linux/rcupdate.h>

enum bench_kind {
	BENCH_SYNCMAP,
	BENCH_RHASHTABLE,
	BENCH_MUTEX,
	BENCH_RWLOCK,
	BENCH_SHARDED,
	BENCH_NR_KINDS,
};

/**
 * struct bench_val - the value every map stores
 * @data: payload read by every load (non-zero)
 * @rcu: for kfree_rcu() when the value leaves a peer map
 */
struct bench_val {
	u64 data;
	struct rcu_head rcu;
};

struct bench_map;

extern const char *const bench_kind_name[BENCH_NR_KINDS];

struct bench_map *bench_map_create(enum bench_kind kind, unsigned long hint,
				   bool own_values);
void bench_map_destroy(struct bench_map *m);
enum bench_kind bench_map_kind(const struct bench_map *m);
u64 bench_map_load(struct bench_map *m, const u8 *key, u32 len);
int bench_map_store(struct bench_map *m, const u8 *key, u32 len,
		    struct bench_val *v);
void bench_map_settle(struct bench_map *m);
struct syncmap_stats;
bool bench_map_syncmap_stats(struct bench_map *m, struct syncmap_stats *st);

struct bench_val *bench_val_new(u64 data);
void bench_val_free(struct bench_val *v);

#endif /* _SYNCMAP_BENCH_MAPS_H */
