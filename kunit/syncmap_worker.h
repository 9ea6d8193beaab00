/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kthread workers of the concurrency suites, defined in
 * syncmap_concurrency_test.c: a worker runs one function on one CPU and
 * counts what went wrong; the test thread checks the counts, since KUnit
 * assertions belong to the test thread.
 */
#ifndef _SYNCMAP_WORKER_H
#define _SYNCMAP_WORKER_H

#include <linux/completion.h>
#include <linux/prandom.h>

#include "syncmap_test.h"

#define OWN_KEYS	128

struct worker {
	struct completion done;
	struct syncmap *map;
	struct tracker *tr;
	atomic_t *stop;
	unsigned int id;
	unsigned int ops;
	unsigned long errors;
	u64 own[OWN_KEYS];	/* payload each own key holds, 0 = absent */
	struct rnd_state rnd;
	void *shared;		/* per-test state */
};

typedef int (*worker_fn)(struct worker *w);

/* A tracked value with payload @n, or NULL. */
struct tval *wval(struct worker *w, u64 n);
/* A pseudo-random number below @n from the worker's own seed. */
u32 wrand(struct worker *w, u32 n);
void worker_start(struct kunit *test, struct worker *w, worker_fn fn);
void run_reader_while_writer(struct kunit *test, struct worker *w,
			     struct syncmap *map, struct tracker *tr,
			     void *shared, worker_fn reader, worker_fn writer);
/* 5000 stores and deletes of keys 10000..12999, and loads that miss. */
int churn_writer(struct worker *w);

#endif /* _SYNCMAP_WORKER_H */
