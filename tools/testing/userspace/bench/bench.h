/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The maps bench-native drives with Go's benchmark shapes, behind one
 * interface: keys and values are integers, as in Go's map_bench_test.go
 * (syncmap takes the key's 8 bytes, and the value as a pointer).
 */
#ifndef _SYNCMAP_BENCH_H
#define _SYNCMAP_BENCH_H

#include <stdbool.h>
#include <stdint.h>

typedef bool (*bench_range_fn)(uint64_t key, uint64_t value, void *arg);

struct bench_impl {
	const char *name;
	void *(*create)(void);
	void (*destroy)(void *m);
	void (*thread_init)(void);
	void (*thread_exit)(void);
	bool (*load)(void *m, uint64_t k, uint64_t *v);
	void (*store)(void *m, uint64_t k, uint64_t v);
	/* true if loaded (*actual: the present value) */
	bool (*load_or_store)(void *m, uint64_t k, uint64_t v, uint64_t *actual);
	bool (*load_and_delete)(void *m, uint64_t k, uint64_t *v);
	void (*delete)(void *m, uint64_t k);
	/* true if loaded (*prev: the value replaced) */
	bool (*swap)(void *m, uint64_t k, uint64_t v, uint64_t *prev);
	bool (*compare_and_swap)(void *m, uint64_t k, uint64_t old, uint64_t new);
	bool (*compare_and_delete)(void *m, uint64_t k, uint64_t old);
	/* fn may call any operation on m, Delete included (Go's Range) */
	void (*range)(void *m, bench_range_fn fn, void *arg);
	void (*clear)(void *m);
};

extern const struct bench_impl bench_syncmap, bench_lfht, bench_rwlock;

/* A fast 64-bit mix for the peers' tables (Go hashes ints as fast). */
static inline uint64_t bench_hash(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

#endif
