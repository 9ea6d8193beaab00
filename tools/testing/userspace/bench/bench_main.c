// SPDX-License-Identifier: GPL-2.0
/*
 * bench-native: Go's sync.Map benchmark shapes (src/sync/map_bench_test.go)
 * on syncmap, cds_lfht and an rwlock map; gomap/main.go runs the same
 * shapes on Go's own sync.Map.  Each cell runs T threads for a fixed time
 * on a fresh map set up as Go's benchmark sets it up; thread t counts
 * from t << 40, as goroutine t counts from t * b.N in Go; ns/op is the
 * time over the operations of all threads, as RunParallel reports it.
 *
 *   syncmap-bench [-t MS] [-T "1 2"] [-i impl,...] [-s shape,...]
 *
 * Prints CSV: impl,shape,threads,ns_per_op,ops
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

enum shape_id {
	LOAD_MOSTLY_HITS, LOAD_MOSTLY_MISSES, LOAD_OR_STORE_BALANCED,
	LOAD_OR_STORE_UNIQUE, LOAD_OR_STORE_COLLISION,
	LOAD_AND_DELETE_BALANCED, LOAD_AND_DELETE_UNIQUE,
	LOAD_AND_DELETE_COLLISION, RANGE, ADVERSARIAL_ALLOC,
	ADVERSARIAL_DELETE, DELETE_COLLISION, SWAP_COLLISION,
	SWAP_MOSTLY_HITS, SWAP_MOSTLY_MISSES, CAS_COLLISION,
	CAS_NO_EXISTING_KEY, CAS_VALUE_NOT_EQUAL, CAS_MOSTLY_HITS,
	CAS_MOSTLY_MISSES, CAD_COLLISION, CAD_MOSTLY_HITS,
	CAD_MOSTLY_MISSES, CLEAR, NR_SHAPES
};

static const struct {
	const char *name;
	uint64_t hits, misses;
} shapes[NR_SHAPES] = {
	[LOAD_MOSTLY_HITS] = { "LoadMostlyHits", 1023, 1 },
	[LOAD_MOSTLY_MISSES] = { "LoadMostlyMisses", 1, 1023 },
	[LOAD_OR_STORE_BALANCED] = { "LoadOrStoreBalanced", 128, 128 },
	[LOAD_OR_STORE_UNIQUE] = { "LoadOrStoreUnique" },
	[LOAD_OR_STORE_COLLISION] = { "LoadOrStoreCollision" },
	[LOAD_AND_DELETE_BALANCED] = { "LoadAndDeleteBalanced", 128, 128 },
	[LOAD_AND_DELETE_UNIQUE] = { "LoadAndDeleteUnique" },
	[LOAD_AND_DELETE_COLLISION] = { "LoadAndDeleteCollision" },
	[RANGE] = { "Range", 1024 },
	[ADVERSARIAL_ALLOC] = { "AdversarialAlloc" },
	[ADVERSARIAL_DELETE] = { "AdversarialDelete", 1024 },
	[DELETE_COLLISION] = { "DeleteCollision" },
	[SWAP_COLLISION] = { "SwapCollision" },
	[SWAP_MOSTLY_HITS] = { "SwapMostlyHits", 1023, 1 },
	[SWAP_MOSTLY_MISSES] = { "SwapMostlyMisses", 1, 1023 },
	[CAS_COLLISION] = { "CompareAndSwapCollision" },
	[CAS_NO_EXISTING_KEY] = { "CompareAndSwapNoExistingKey" },
	[CAS_VALUE_NOT_EQUAL] = { "CompareAndSwapValueNotEqual" },
	[CAS_MOSTLY_HITS] = { "CompareAndSwapMostlyHits", 1023, 1 },
	[CAS_MOSTLY_MISSES] = { "CompareAndSwapMostlyMisses", 1, 1023 },
	[CAD_COLLISION] = { "CompareAndDeleteCollision" },
	[CAD_MOSTLY_HITS] = { "CompareAndDeleteMostlyHits", 1023, 1 },
	[CAD_MOSTLY_MISSES] = { "CompareAndDeleteMostlyMisses", 1, 1023 },
	[CLEAR] = { "Clear" },
};

struct gstate {
	const struct bench_impl *impl;
	void *m;
	int64_t stores, loads_since_store;
};

static bool range_true(uint64_t k, uint64_t v, void *arg)
{
	return true;
}

static bool range_delete_first(uint64_t k, uint64_t v, void *arg)
{
	struct gstate *g = arg;

	g->impl->delete(g->m, k);
	return false;
}

static void setup(enum shape_id s, const struct bench_impl *im, void *m)
{
	uint64_t i, a, hits = shapes[s].hits;

	switch (s) {
	case LOAD_OR_STORE_COLLISION: case LOAD_AND_DELETE_COLLISION:
	case DELETE_COLLISION: case SWAP_COLLISION: case CAS_COLLISION:
	case CAD_COLLISION:
		im->load_or_store(m, 0, 0, &a);
		return;
	case CAS_VALUE_NOT_EQUAL:
		im->store(m, 0, 0);
		return;
	default:
		break;
	}
	for (i = 0; i < hits; i++)
		im->load_or_store(m, i, i, &a);
	/* Prime the map to get it into a steady state (Go does). */
	for (i = 0; hits && i < hits * 2; i++)
		im->load(m, i % hits, &a);
}

static inline void op(enum shape_id s, struct gstate *g, uint64_t i)
{
	const struct bench_impl *im = g->impl;
	uint64_t hits = shapes[s].hits, n = hits + shapes[s].misses, j, a;
	void *m = g->m;

	switch (s) {
	case LOAD_MOSTLY_HITS: case LOAD_MOSTLY_MISSES:
		im->load(m, i % n, &a);
		break;
	case LOAD_OR_STORE_BALANCED:
		j = i % n;
		if (j < hits) {
			if (!im->load_or_store(m, j, i, &a))
				abort();	/* Go: b.Fatalf */
		} else {
			im->load_or_store(m, i, i, &a);
		}
		break;
	case LOAD_OR_STORE_UNIQUE:
		im->load_or_store(m, i, i, &a);
		break;
	case LOAD_OR_STORE_COLLISION:
		im->load_or_store(m, 0, 0, &a);
		break;
	case LOAD_AND_DELETE_BALANCED:
		j = i % n;
		im->load_and_delete(m, j < hits ? j : i, &a);
		break;
	case LOAD_AND_DELETE_UNIQUE:
		im->load_and_delete(m, i, &a);
		break;
	case LOAD_AND_DELETE_COLLISION:
		if (im->load_and_delete(m, 0, &a))
			im->store(m, 0, 0);
		break;
	case RANGE:
		im->range(m, range_true, NULL);
		break;
	case ADVERSARIAL_ALLOC:
		im->load(m, i, &a);
		if (++g->loads_since_store > g->stores) {
			im->load_or_store(m, i, g->stores, &a);
			g->loads_since_store = 0;
			g->stores++;
		}
		break;
	case ADVERSARIAL_DELETE:
		im->load(m, i, &a);
		if (i % 1024 == 0) {
			im->range(m, range_delete_first, g);
			im->store(m, i, i);
		}
		break;
	case DELETE_COLLISION:
		im->delete(m, 0);
		break;
	case SWAP_COLLISION:
		im->swap(m, 0, 0, &a);
		break;
	case SWAP_MOSTLY_HITS: case SWAP_MOSTLY_MISSES:
		if (i % n < hits) {
			j = i % n;
			im->swap(m, j, j, &a);
		} else {
			im->swap(m, i, i, &a);
			im->delete(m, i);
		}
		break;
	case CAS_COLLISION:
		if (im->compare_and_swap(m, 0, 0, 42))
			im->compare_and_swap(m, 0, 42, 0);
		break;
	case CAS_NO_EXISTING_KEY:
		if (im->compare_and_swap(m, i, 0, 0))
			im->delete(m, i);
		break;
	case CAS_VALUE_NOT_EQUAL:
		im->compare_and_swap(m, 0, 1, 2);
		break;
	case CAS_MOSTLY_HITS: case CAS_MOSTLY_MISSES:
		j = i % n < hits ? i % n : i;
		im->compare_and_swap(m, j, j, j);
		break;
	case CAD_COLLISION:
		if (im->compare_and_delete(m, 0, 0))
			im->store(m, 0, 0);
		break;
	case CAD_MOSTLY_HITS: case CAD_MOSTLY_MISSES:
		j = i % n < hits ? i % n : i;
		if (im->compare_and_delete(m, j, j))
			im->store(m, j, j);
		break;
	case CLEAR:
		im->clear(m);
		im->store(m, i % 256, i % 256);
		break;
	default:
		abort();
	}
}

struct cell {
	enum shape_id shape;
	const struct bench_impl *impl;
	int threads;
	unsigned int ms;
	void *m;
	pthread_barrier_t start;
	int stop;
	uint64_t ops;
	double ns_per_op;
};

struct worker {
	struct cell *c;
	int id;
	uint64_t ops;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct cell *c = w->c;
	struct gstate g = { .impl = c->impl, .m = c->m };
	uint64_t i = (uint64_t)w->id << 40, k;

	c->impl->thread_init();
	pthread_barrier_wait(&c->start);
	while (!__atomic_load_n(&c->stop, __ATOMIC_RELAXED)) {
		for (k = 0; k < 64; k++)
			op(c->shape, &g, i++);
		w->ops += 64;
	}
	c->impl->thread_exit();
	return NULL;
}

/* A cell runs on a thread of its own: set-up, workers, tear-down. */
static void *cell_main(void *arg)
{
	struct cell *c = arg;
	struct worker w[16] = {};
	pthread_t t[16];
	struct timespec ts;
	double t0, t1;
	int i;

	c->impl->thread_init();
	c->m = c->impl->create();
	if (!c->m)
		abort();
	setup(c->shape, c->impl, c->m);
	pthread_barrier_init(&c->start, NULL, c->threads + 1);
	for (i = 0; i < c->threads; i++) {
		w[i].c = c;
		w[i].id = i;
		pthread_create(&t[i], NULL, worker_main, &w[i]);
	}
	pthread_barrier_wait(&c->start);
	t0 = now();
	ts.tv_sec = c->ms / 1000;
	ts.tv_nsec = (long)(c->ms % 1000) * 1000000L;
	nanosleep(&ts, NULL);
	__atomic_store_n(&c->stop, 1, __ATOMIC_RELAXED);
	for (i = 0; i < c->threads; i++) {
		pthread_join(t[i], NULL);
		c->ops += w[i].ops;
	}
	t1 = now();
	c->ns_per_op = (t1 - t0) * 1e9 / (double)c->ops;
	pthread_barrier_destroy(&c->start);
	c->impl->destroy(c->m);
	c->impl->thread_exit();
	return NULL;
}

static bool listed(const char *list, const char *name)
{
	size_t n = strlen(name);
	const char *p;

	if (!list)
		return true;
	for (p = list; (p = strstr(p, name)); p += n)
		if ((p == list || p[-1] == ',') && (!p[n] || p[n] == ','))
			return true;
	return false;
}

int main(int argc, char **argv)
{
	const struct bench_impl *impls[] = {
		&bench_syncmap, &bench_lfht, &bench_rwlock,
	};
	const char *only_impl = NULL, *only_shape = NULL, *threads = "1 2";
	unsigned int ms = 200;
	int opt, s, t;
	size_t k;

	while ((opt = getopt(argc, argv, "t:T:i:s:")) != -1) {
		switch (opt) {
		case 't': ms = (unsigned int)atoi(optarg); break;
		case 'T': threads = optarg; break;
		case 'i': only_impl = optarg; break;
		case 's': only_shape = optarg; break;
		default:
			fprintf(stderr, "usage: %s [-t MS] [-T \"1 2\"] [-i impl,..] [-s shape,..]\n",
				argv[0]);
			return 2;
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("impl,shape,threads,ns_per_op,ops\n");
	for (s = 0; s < NR_SHAPES; s++) {
		if (!listed(only_shape, shapes[s].name))
			continue;
		for (const char *p = threads; *p; ) {
			t = (int)strtol(p, (char **)&p, 10);
			while (*p == ' ' || *p == ',')
				p++;
			if (t < 1 || t > 16)
				continue;
			for (k = 0; k < sizeof(impls) / sizeof(impls[0]); k++) {
				struct cell c = { .shape = s, .impl = impls[k],
						  .threads = t, .ms = ms };
				pthread_t ct;

				if (!listed(only_impl, impls[k]->name))
					continue;
				pthread_create(&ct, NULL, cell_main, &c);
				pthread_join(ct, NULL);
				printf("%s,%s,%d,%.2f,%llu\n", impls[k]->name,
				       shapes[s].name, t, c.ns_per_op,
				       (unsigned long long)c.ops);
			}
		}
	}
	return 0;
}
