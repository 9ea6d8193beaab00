/* SPDX-License-Identifier: GPL-2.0 */
/*
 * syncmap-spec: the SPEC section 6 workloads P1-P5 of tools/bench/kernel,
 * natively.  The syncmap side (spec_syncmap.c) is built over the shim;
 * the peers and the driver (spec_main.c) are plain userspace C and reach
 * the kernel's siphash through spec_hash().
 */
#ifndef _SYNCMAP_SPEC_H
#define _SYNCMAP_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The value every map stores: 24 bytes, as the kernel benchmark's.  @rcu
 * is liburcu's struct rcu_head for the peers' call_rcu() (spec_main.c
 * checks the size); the shim side does not see liburcu's headers.
 */
struct spec_val {
	uint64_t data;
	void *rcu[2];
};

/* siphash of the key under one random key (the kernel's lib/siphash.c). */
uint32_t spec_hash(const void *key, size_t len);

void *spec_sm_create(void);
void spec_sm_destroy(void *m);
uint64_t spec_sm_load(void *m, const uint8_t *key, uint32_t len);
int spec_sm_store(void *m, const uint8_t *key, uint32_t len,
		  struct spec_val *v);
void spec_sm_settle(void *m);
unsigned long spec_sm_locked_allocs(void *m);

#endif
