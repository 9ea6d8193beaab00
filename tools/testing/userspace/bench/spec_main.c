// SPDX-License-Identifier: GPL-2.0
/*
 * syncmap-spec: SPEC section 6 targets P1-P5, natively, with the shapes of
 * tools/bench/kernel/bench_main.c (which measures them under QEMU TCG,
 * where cache-line transfers and lock contention are not modelled).
 *
 * The maps, as tools/bench/kernel/bench_maps.c builds them:
 *
 *   syncmap   the core built natively (spec_syncmap.c)
 *   cds_lfht  liburcu's RCU hash table, standing in for rhashtable, which
 *             has no userspace build: RCU lookups, lock-free inserts,
 *             resized automatically
 *   mutex     a chained table under one pthread mutex ("global lock")
 *   rwlock    the same table under one pthread rwlock
 *   sharded   64 such tables, each under a pthread spinlock, picked by the
 *             top bits of the hash
 *
 * The chained tables are sized for the workload's keys and never resize.
 * Keys are the kernel benchmark's 16 hex digits of a scrambled index, all
 * maps hash them with the kernel's siphash; values are 24-byte malloc()ed
 * objects, a new one per store, released after a grace period (syncmap
 * through its release callback, the peers with call_rcu()).
 *
 * Throughput rows (P1-P4): threads run a fixed number of operations; the
 * maps take turns within each repetition, a warm-up first, the median is
 * reported.  P5 times single stores with clock_gettime() and counts the
 * stores during which the thread was switched out (getrusage()).
 *
 *   syncmap-spec [-q] [-r REPS] [-m map,...] [-p 12345]
 *
 * Prints CSV: test,size,map,threads,metric,value (ps_per_op: wall time
 * per operation over all threads, in picoseconds, as the kernel's).
 */
#define _LGPL_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>
#include <urcu/urcu-memb.h>
#include <urcu/rculfhash.h>

#include "spec.h"

_Static_assert(sizeof(struct rcu_head) == sizeof(((struct spec_val *)0)->rcu),
	       "struct spec_val holds liburcu's rcu_head");

#define KEY_LEN		16
#define MAX_THREADS	2
#define MAX_REPS	15
#define SHARDS		64
#define SHARD_SHIFT	(32 - 6)

enum kind { SYNCMAP, LFHT, MUTEX, RWLOCK, SHARDED, NR_KINDS };
static const char *const kind_name[NR_KINDS] = {
	"syncmap", "cds_lfht", "mutex", "rwlock", "sharded",
};

struct sizes {
	unsigned long p1_keys[3], p1_ops, p2_keys, p2_ops, p3_keys, p3_ops;
	unsigned long p4_keys, p5_keys, p5_rounds, p5_stores;
	unsigned int reps;
};

/* The kernel benchmark's full profile, and a quick one for checking. */
static const struct sizes full = {
	{ 1000, 100000, 1000000 }, 1000000, 100000, 500000, 100000, 200000,
	200000, 1000000, 20, 5000, 5,
};
static const struct sizes quick = {
	{ 1000, 100000, 0 }, 100000, 10000, 50000, 10000, 25000,
	20000, 100000, 5, 1000, 3,
};
static const struct sizes *sz = &full;
static unsigned int nreps;
static const char *only_maps;

static uint8_t *keyspace;

static inline const uint8_t *key_of(unsigned long i)
{
	return keyspace + i * KEY_LEN;
}

static void keyspace_init(unsigned long n)
{
	char buf[KEY_LEN + 1];
	unsigned long i;

	keyspace = malloc(n * KEY_LEN);
	if (!keyspace)
		abort();
	for (i = 0; i < n; i++) {
		snprintf(buf, sizeof(buf), "%016llx",
			 (unsigned long long)(i * 0x9e3779b97f4a7c15ULL));
		memcpy(keyspace + i * KEY_LEN, buf, KEY_LEN);
	}
}

static inline uint64_t xorshift(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*s = x;
	return x;
}

static inline unsigned long pick(uint64_t *s, unsigned long n)
{
	return (unsigned long)(((xorshift(s) >> 32) * (uint64_t)n) >> 32);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void emit(const char *test, unsigned long size, enum kind k,
		 unsigned int threads, const char *metric, uint64_t value)
{
	printf("%s,%lu,%s,%u,%s,%llu\n", test, size, kind_name[k], threads,
	       metric, (unsigned long long)value);
}

/* ---- values ------------------------------------------------------------ */

static struct spec_val *val_new(uint64_t data)
{
	struct spec_val *v = malloc(sizeof(*v));

	if (!v)
		abort();
	v->data = data;
	return v;
}

static void val_free_rcu(struct rcu_head *head)
{
	free(caa_container_of((void *)head, struct spec_val, rcu));
}

static void val_retire(struct spec_val *v)
{
	if (v)
		urcu_memb_call_rcu((struct rcu_head *)v->rcu, val_free_rcu);
}

/* ---- chained tables: mutex, rwlock, sharded ----------------------------- */

struct lk_obj {
	struct lk_obj *next;
	struct spec_val *val;
	uint32_t hash;
	uint16_t key_len;
	uint8_t key[];
};

struct lk_table {
	unsigned int mask;
	struct lk_obj **b;
};

struct lk_shard {
	pthread_spinlock_t lock;
	struct lk_table t;
} __attribute__((aligned(64)));

static void lk_table_init(struct lk_table *t, unsigned long hint)
{
	unsigned long n = 16;

	while (n < hint)
		n <<= 1;
	t->b = calloc(n, sizeof(*t->b));
	if (!t->b)
		abort();
	t->mask = n - 1;
}

static void lk_table_free(struct lk_table *t)
{
	struct lk_obj *o, *next;
	unsigned int i;

	for (i = 0; i <= t->mask; i++)
		for (o = t->b[i]; o; o = next) {
			next = o->next;
			free(o->val);
			free(o);
		}
	free(t->b);
}

static struct lk_obj *lk_find(struct lk_table *t, const uint8_t *key,
			      uint32_t len, uint32_t hash)
{
	struct lk_obj *o;

	for (o = t->b[hash & t->mask]; o; o = o->next)
		if (o->hash == hash && o->key_len == len &&
		    !memcmp(o->key, key, len))
			return o;
	return NULL;
}

static struct lk_obj *lk_obj_new(const uint8_t *key, uint32_t len,
				 uint32_t hash, struct spec_val *v)
{
	struct lk_obj *o = malloc(sizeof(*o) + len);

	if (!o)
		abort();
	o->val = v;
	o->hash = hash;
	o->key_len = len;
	memcpy(o->key, key, len);
	return o;
}

static void lk_insert(struct lk_table *t, struct lk_obj *o)
{
	struct lk_obj **b = &t->b[o->hash & t->mask];

	o->next = *b;
	*b = o;
}

/* ---- cds_lfht ----------------------------------------------------------- */

struct lf_obj {
	struct cds_lfht_node node;
	struct spec_val *val;	/* rcu_dereference()d */
	uint16_t key_len;
	struct rcu_head rcu;
	uint8_t key[];
};

struct lf_key {
	const uint8_t *data;
	uint32_t len;
};

static int lf_match(struct cds_lfht_node *node, const void *arg)
{
	const struct lf_obj *o = caa_container_of(node, struct lf_obj, node);
	const struct lf_key *k = arg;

	return o->key_len == k->len && !memcmp(o->key, k->data, k->len);
}

static struct lf_obj *lf_lookup(struct cds_lfht *ht, const struct lf_key *k,
				uint32_t hash)
{
	struct cds_lfht_iter iter;
	struct cds_lfht_node *node;

	cds_lfht_lookup(ht, hash, lf_match, k, &iter);
	node = cds_lfht_iter_get_node(&iter);
	return node ? caa_container_of(node, struct lf_obj, node) : NULL;
}

static void lf_obj_free_rcu(struct rcu_head *head)
{
	struct lf_obj *o = caa_container_of(head, struct lf_obj, rcu);

	free(o->val);
	free(o);
}

/* ---- the maps ------------------------------------------------------------ */

struct map {
	enum kind kind;
	union {
		void *sm;
		struct cds_lfht *ht;
		struct {
			pthread_mutex_t lock;
			struct lk_table t;
		} mx;
		struct {
			pthread_rwlock_t lock;
			struct lk_table t;
		} rw;
		struct lk_shard *shards;
	};
};

static struct map *map_create(enum kind kind, unsigned long hint)
{
	struct map *m = calloc(1, sizeof(*m));
	unsigned int i;

	if (!m)
		abort();
	m->kind = kind;
	switch (kind) {
	case SYNCMAP:
		m->sm = spec_sm_create();
		if (!m->sm)
			abort();
		break;
	case LFHT:
		m->ht = cds_lfht_new_flavor(1, 1, 0, CDS_LFHT_AUTO_RESIZE |
					    CDS_LFHT_ACCOUNTING,
					    &urcu_memb_flavor, NULL);
		if (!m->ht)
			abort();
		break;
	case MUTEX:
		pthread_mutex_init(&m->mx.lock, NULL);
		lk_table_init(&m->mx.t, hint);
		break;
	case RWLOCK:
		pthread_rwlock_init(&m->rw.lock, NULL);
		lk_table_init(&m->rw.t, hint);
		break;
	case SHARDED:
		if (posix_memalign((void **)&m->shards, 64,
				   SHARDS * sizeof(*m->shards)))
			abort();
		for (i = 0; i < SHARDS; i++) {
			pthread_spin_init(&m->shards[i].lock, 0);
			lk_table_init(&m->shards[i].t, hint / SHARDS);
		}
		break;
	default:
		abort();
	}
	return m;
}

static void map_destroy(struct map *m)
{
	struct cds_lfht_iter iter;
	struct lf_obj *o;
	unsigned int i;

	switch (m->kind) {
	case SYNCMAP:
		spec_sm_destroy(m->sm);
		break;
	case LFHT:
		urcu_memb_read_lock();
		cds_lfht_for_each_entry(m->ht, &iter, o, node)
			/* The iterator reads the node after the body. */
			if (!cds_lfht_del(m->ht, &o->node))
				urcu_memb_call_rcu(&o->rcu, lf_obj_free_rcu);
		urcu_memb_read_unlock();
		urcu_memb_barrier();
		cds_lfht_destroy(m->ht, NULL);
		break;
	case MUTEX:
		lk_table_free(&m->mx.t);
		pthread_mutex_destroy(&m->mx.lock);
		break;
	case RWLOCK:
		lk_table_free(&m->rw.t);
		pthread_rwlock_destroy(&m->rw.lock);
		break;
	case SHARDED:
		for (i = 0; i < SHARDS; i++) {
			lk_table_free(&m->shards[i].t);
			pthread_spin_destroy(&m->shards[i].lock);
		}
		free(m->shards);
		break;
	default:
		break;
	}
	free(m);
}

static uint64_t map_load(struct map *m, const uint8_t *key, uint32_t len)
{
	struct lk_shard *s;
	struct lk_obj *o;
	struct lf_obj *lo;
	uint64_t data = 0;
	uint32_t hash;

	switch (m->kind) {
	case SYNCMAP:
		return spec_sm_load(m->sm, key, len);
	case LFHT: {
		struct lf_key k = { key, len };

		hash = spec_hash(key, len);
		urcu_memb_read_lock();
		lo = lf_lookup(m->ht, &k, hash);
		if (lo)
			data = rcu_dereference(lo->val)->data;
		urcu_memb_read_unlock();
		return data;
	}
	case MUTEX:
		hash = spec_hash(key, len);
		pthread_mutex_lock(&m->mx.lock);
		o = lk_find(&m->mx.t, key, len, hash);
		if (o)
			data = o->val->data;
		pthread_mutex_unlock(&m->mx.lock);
		return data;
	case RWLOCK:
		hash = spec_hash(key, len);
		pthread_rwlock_rdlock(&m->rw.lock);
		o = lk_find(&m->rw.t, key, len, hash);
		if (o)
			data = o->val->data;
		pthread_rwlock_unlock(&m->rw.lock);
		return data;
	case SHARDED:
		hash = spec_hash(key, len);
		s = &m->shards[hash >> SHARD_SHIFT];
		pthread_spin_lock(&s->lock);
		o = lk_find(&s->t, key, len, hash);
		if (o)
			data = o->val->data;
		pthread_spin_unlock(&s->lock);
		return data;
	default:
		abort();
	}
}

/* rhashtable's store in bench_maps.c: swap the value of a present node. */
static void lf_store(struct map *m, const uint8_t *key, uint32_t len,
		     struct spec_val *v)
{
	struct lf_key k = { key, len };
	uint32_t hash = spec_hash(key, len);
	struct cds_lfht_node *got;
	struct lf_obj *o, *cur;
	struct spec_val *old;

	urcu_memb_read_lock();
	cur = lf_lookup(m->ht, &k, hash);
	if (cur) {
		old = uatomic_xchg(&cur->val, v);
		urcu_memb_read_unlock();
		val_retire(old);
		return;
	}
	urcu_memb_read_unlock();
	o = malloc(sizeof(*o) + len);
	if (!o)
		abort();
	cds_lfht_node_init(&o->node);
	o->val = v;
	o->key_len = len;
	memcpy(o->key, key, len);
	urcu_memb_read_lock();
	got = cds_lfht_add_unique(m->ht, hash, lf_match, &k, &o->node);
	if (got != &o->node) {	/* lost a race with another insert */
		cur = caa_container_of(got, struct lf_obj, node);
		old = uatomic_xchg(&cur->val, v);
		urcu_memb_read_unlock();
		free(o);
		val_retire(old);
		return;
	}
	urcu_memb_read_unlock();
}

/* The mutex map allocates under its lock, as sleeping-lock code does. */
static void mutex_store(struct map *m, const uint8_t *key, uint32_t len,
			struct spec_val *v)
{
	uint32_t hash = spec_hash(key, len);
	struct spec_val *old = NULL;
	struct lk_obj *o;

	pthread_mutex_lock(&m->mx.lock);
	o = lk_find(&m->mx.t, key, len, hash);
	if (o) {
		old = o->val;
		o->val = v;
	} else {
		lk_insert(&m->mx.t, lk_obj_new(key, len, hash, v));
	}
	pthread_mutex_unlock(&m->mx.lock);
	val_retire(old);
}

/*
 * The spinning locks: look up under the lock; a new key is allocated
 * outside it and the lookup repeated.
 */
#define SPIN_STORE(lockfn, unlockfn, lk, table)				\
	do {								\
		struct lk_obj *o, *new = NULL;				\
		struct spec_val *old = NULL;				\
									\
		for (;;) {						\
			lockfn(lk);					\
			o = lk_find(table, key, len, hash);		\
			if (o) {					\
				old = o->val;				\
				o->val = v;				\
				break;					\
			}						\
			if (new) {					\
				lk_insert(table, new);			\
				new = NULL;				\
				break;					\
			}						\
			unlockfn(lk);					\
			new = lk_obj_new(key, len, hash, v);		\
		}							\
		unlockfn(lk);						\
		free(new);						\
		val_retire(old);					\
	} while (0)

static void map_store(struct map *m, const uint8_t *key, uint32_t len,
		      struct spec_val *v)
{
	uint32_t hash;
	struct lk_shard *s;

	switch (m->kind) {
	case SYNCMAP:
		if (spec_sm_store(m->sm, key, len, v))
			abort();
		break;
	case LFHT:
		lf_store(m, key, len, v);
		break;
	case MUTEX:
		mutex_store(m, key, len, v);
		break;
	case RWLOCK:
		hash = spec_hash(key, len);
		SPIN_STORE(pthread_rwlock_wrlock, pthread_rwlock_unlock,
			   &m->rw.lock, &m->rw.t);
		break;
	case SHARDED:
		hash = spec_hash(key, len);
		s = &m->shards[hash >> SHARD_SHIFT];
		SPIN_STORE(pthread_spin_lock, pthread_spin_unlock, &s->lock,
			   &s->t);
		break;
	default:
		abort();
	}
}

/* Steady state: syncmap promotes and reclaims; the peers' frees happen. */
static void map_settle(struct map *m)
{
	if (m->kind == SYNCMAP)
		spec_sm_settle(m->sm);
	urcu_memb_barrier();
}

/* Every thread that touches a map is a liburcu reader (syncmap's threads
 * register through the shim on their first read section). */
static void thread_enter(enum kind k)
{
	if (k != SYNCMAP)
		urcu_memb_register_thread();
}

static void thread_leave(enum kind k)
{
	if (k != SYNCMAP)
		urcu_memb_unregister_thread();
}

static void fill(struct map *m, unsigned long from, unsigned long to)
{
	unsigned long i;

	for (i = from; i < to; i++)
		map_store(m, key_of(i), KEY_LEN, val_new(i + 1));
	map_settle(m);
}

/* ---- throughput: P1-P4 --------------------------------------------------- */

struct run;

struct thr {
	struct run *r;
	unsigned int id;
	uint64_t ops, ns, sink, rng;
};

struct run {
	struct map *m;
	enum kind kind;
	unsigned long keys, ops;
	void (*fn)(struct thr *t);
	unsigned int nthreads;
	pthread_barrier_t start;
	struct thr th[MAX_THREADS];
};

static void w_load(struct thr *t)
{
	struct run *r = t->r;
	uint64_t sum = 0, d;
	unsigned long i;

	for (i = 0; i < r->ops; i++) {
		d = map_load(r->m, key_of(pick(&t->rng, r->keys)), KEY_LEN);
		if (!d)
			abort();
		sum += d;
	}
	t->sink = sum;
	t->ops = r->ops;
}

/* P2: 99% loads, 1% stores of a fresh value, over the whole key set. */
static void w_mixed(struct thr *t)
{
	struct run *r = t->r;
	uint64_t sum = 0, x;
	unsigned long i, k;

	for (i = 0; i < r->ops; i++) {
		x = xorshift(&t->rng);
		k = (unsigned long)(((x >> 32) * (uint64_t)r->keys) >> 32);
		if ((x & 0xffff) < 655)
			map_store(r->m, key_of(k), KEY_LEN, val_new(x | 1));
		else
			sum += map_load(r->m, key_of(k), KEY_LEN);
	}
	t->sink = sum;
	t->ops = r->ops;
}

/* P3: each thread overwrites keys of its own half of the key set. */
static void w_overwrite(struct thr *t)
{
	struct run *r = t->r;
	unsigned long i, half = r->keys / r->nthreads, base = t->id * half;

	for (i = 0; i < r->ops; i++)
		map_store(r->m, key_of(base + pick(&t->rng, half)), KEY_LEN,
			  val_new(i + 1));
	t->ops = r->ops;
}

/* P4: inserts of new keys into an empty map. */
static void w_insert(struct thr *t)
{
	struct run *r = t->r;
	unsigned long i;

	for (i = 0; i < r->keys; i++)
		map_store(r->m, key_of(i), KEY_LEN, val_new(i + 1));
	t->ops = r->keys;
}

static void *thr_main(void *arg)
{
	struct thr *t = arg;
	struct run *r = t->r;
	uint64_t t0;

	thread_enter(r->kind);
	pthread_barrier_wait(&r->start);
	t0 = now_ns();
	r->fn(t);
	t->ns = now_ns() - t0;
	thread_leave(r->kind);
	return NULL;
}

/* Run r->fn on r->nthreads threads, thread i pinned to CPU i. */
static uint64_t run_threads(struct run *r)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	pthread_t pt[MAX_THREADS];
	uint64_t ops = 0, ns = 0;
	unsigned int i;

	pthread_barrier_init(&r->start, NULL, r->nthreads);
	for (i = 0; i < r->nthreads; i++) {
		pthread_attr_t a;
		cpu_set_t cs;

		r->th[i] = (struct thr){ .r = r, .id = i,
			.rng = ((uint64_t)random() << 32 | random()) | 1 };
		CPU_ZERO(&cs);
		CPU_SET(i % ncpu, &cs);
		pthread_attr_init(&a);
		pthread_attr_setaffinity_np(&a, sizeof(cs), &cs);
		pthread_create(&pt[i], &a, thr_main, &r->th[i]);
		pthread_attr_destroy(&a);
	}
	for (i = 0; i < r->nthreads; i++) {
		pthread_join(pt[i], NULL);
		ops += r->th[i].ops;
		if (r->th[i].ns > ns)
			ns = r->th[i].ns;
	}
	pthread_barrier_destroy(&r->start);
	return ops ? ns * 1000 / ops : 0;
}

static bool map_selected(enum kind k)
{
	const char *p = only_maps, *name = kind_name[k];
	size_t n = strlen(name);

	if (!p)
		return true;
	for (; (p = strstr(p, name)); p += n)
		if ((p == only_maps || p[-1] == ',') && (!p[n] || p[n] == ','))
			return true;
	return false;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

struct bcase {
	const char *test;
	void (*fn)(struct thr *t);
	unsigned int nthreads;
	unsigned long keys, ops;
	bool fresh;
};

/* Set-up and tear-down of a map run on a thread of the map's kind. */
struct setup_arg {
	struct run *r;
	bool create, destroy;
};

static void *setup_main(void *arg)
{
	struct setup_arg *a = arg;
	struct run *r = a->r;

	thread_enter(r->kind);
	if (a->create) {
		r->m = map_create(r->kind, r->keys);
		if (a->destroy)	/* create + fill */
			fill(r->m, 0, r->keys);
	} else {
		map_destroy(r->m);
		r->m = NULL;
		urcu_memb_barrier();
	}
	thread_leave(r->kind);
	return NULL;
}

static void on_thread(struct run *r, bool create, bool filled)
{
	struct setup_arg a = { r, create, filled };
	pthread_t t;

	pthread_create(&t, NULL, setup_main, &a);
	pthread_join(t, NULL);
}

static void run_case(const struct bcase *c)
{
	static struct run r[NR_KINDS];
	uint64_t v[NR_KINDS][MAX_REPS + 1];
	unsigned int k, rep;

	for (k = 0; k < NR_KINDS; k++) {
		r[k] = (struct run){ .kind = k, .nthreads = c->nthreads,
			.fn = c->fn, .keys = c->keys, .ops = c->ops };
		if (map_selected(k) && !c->fresh)
			on_thread(&r[k], true, true);
	}
	for (rep = 0; rep <= nreps; rep++)
		for (k = 0; k < NR_KINDS; k++) {
			if (!map_selected(k))
				continue;
			if (c->fresh)
				on_thread(&r[k], true, false);
			v[k][rep] = run_threads(&r[k]);
			if (c->fresh)
				on_thread(&r[k], false, false);
		}
	for (k = 0; k < NR_KINDS; k++) {
		if (!map_selected(k))
			continue;
		if (r[k].m)
			on_thread(&r[k], false, false);
		qsort(&v[k][1], nreps, sizeof(v[0][0]), cmp_u64);
		emit(c->test, c->keys, k, c->nthreads, "ps_per_op",
		     v[k][1 + nreps / 2]);
	}
}

/* ---- latency: P5 ----------------------------------------------------------- */

static long switches(void)
{
	struct rusage ru;

	getrusage(RUSAGE_THREAD, &ru);
	return ru.ru_nvcsw + ru.ru_nivcsw;
}

static void emit_lat(const char *test, unsigned long size, enum kind k,
		     uint64_t *lat, unsigned long n)
{
	unsigned long i;

	qsort(lat, n, sizeof(*lat), cmp_u64);
	emit(test, size, k, 1, "p50_ns", lat[n / 2]);
	emit(test, size, k, 1, "p99_ns", lat[n - 1 - n / 100]);
	emit(test, size, k, 1, "p999_ns", lat[n - 1 - n / 1000]);
	emit(test, size, k, 1, "max_ns", lat[n - 1]);
	for (i = n; i && lat[i - 1] > 1000000; i--)
		;
	emit(test, size, k, 1, "over_1ms", n - i);
}

/*
 * P5 as the kernel's: at p5_keys keys, rounds of (settle, then p5_stores
 * timed stores: the first of a new key, then overwrites of random keys
 * and new keys alternating); then "P5grow", every insert from empty to
 * p5_keys timed.
 */
static void *p5_main(void *arg)
{
	enum kind k = (enum kind)(uintptr_t)arg;
	unsigned long n = sz->p5_keys, total = sz->p5_rounds * sz->p5_stores;
	unsigned long round, i, key, next = n, at = 0, switched = 0;
	uint64_t *lat = malloc(sizeof(*lat) * (n > total ? n : total));
	uint64_t rng = 0x2545f4914f6cdd1dULL, t0, d, calm_max = 0;
	uint64_t first_max = 0;
	struct map *m;
	long sw;

	if (!lat)
		abort();
	thread_enter(k);
	m = map_create(k, n);
	fill(m, 0, n);
	for (round = 0; round < sz->p5_rounds; round++) {
		map_settle(m);
		for (i = 0; i < sz->p5_stores; i++) {
			key = (i & 1) ? pick(&rng, n) : next++;
			sw = switches();
			t0 = now_ns();
			map_store(m, key_of(key), KEY_LEN, val_new(key + 1));
			d = now_ns() - t0;
			lat[at++] = d;
			if (switches() != sw)
				switched++;
			else if (d > calm_max)
				calm_max = d;
			if (!i && d > first_max)
				first_max = d;
		}
	}
	if (k == SYNCMAP)
		emit("P5", n, k, 1, "locked_allocs",
		     spec_sm_locked_allocs(m->sm));
	map_destroy(m);
	urcu_memb_barrier();
	emit_lat("P5", n, k, lat, at);
	emit("P5", n, k, 1, "first_max_ns", first_max);
	emit("P5", n, k, 1, "switched", switched);
	emit("P5", n, k, 1, "calm_max_ns", calm_max);

	m = map_create(k, n);
	for (i = 0; i < n; i++) {
		struct spec_val *v = val_new(i + 1);

		t0 = now_ns();
		map_store(m, key_of(i), KEY_LEN, v);
		lat[i] = now_ns() - t0;
	}
	map_destroy(m);
	urcu_memb_barrier();
	emit_lat("P5grow", n, k, lat, n);
	thread_leave(k);
	free(lat);
	return NULL;
}

static void p5(enum kind k)
{
	pthread_attr_t a;
	pthread_t t;
	cpu_set_t cs;

	CPU_ZERO(&cs);
	CPU_SET(0, &cs);
	pthread_attr_init(&a);
	pthread_attr_setaffinity_np(&a, sizeof(cs), &cs);
	pthread_create(&t, &a, p5_main, (void *)(uintptr_t)k);
	pthread_join(t, NULL);
	pthread_attr_destroy(&a);
}

int main(int argc, char **argv)
{
	const char *tests = "12345";
	unsigned long need;
	unsigned int i, k;
	int opt;

	while ((opt = getopt(argc, argv, "qr:m:p:")) != -1) {
		switch (opt) {
		case 'q': sz = &quick; break;
		case 'r': nreps = (unsigned int)atoi(optarg); break;
		case 'm': only_maps = optarg; break;
		case 'p': tests = optarg; break;
		default:
			fprintf(stderr, "usage: %s [-q] [-r REPS] [-m map,...] [-p 12345]\n",
				argv[0]);
			return 2;
		}
	}
	if (!nreps)
		nreps = sz->reps;
	if (nreps > MAX_REPS)
		nreps = MAX_REPS;
	setvbuf(stdout, NULL, _IOLBF, 0);
	srandom((unsigned int)now_ns());
	need = sz->p5_keys + sz->p5_rounds * sz->p5_stores / 2 + 1;
	for (i = 0; i < 3; i++)
		if (sz->p1_keys[i] > need)
			need = sz->p1_keys[i];
	if (sz->p4_keys > need)
		need = sz->p4_keys;
	keyspace_init(need);
	printf("test,size,map,threads,metric,value\n");
	for (const char *c = tests; *c; c++) {
		struct bcase bc = { 0 };

		switch (*c) {
		case '1':
			bc = (struct bcase){ "P1", w_load, 1, 0, sz->p1_ops };
			for (i = 0; i < 3 && sz->p1_keys[i]; i++) {
				bc.keys = sz->p1_keys[i];
				run_case(&bc);
			}
			break;
		case '2':
			bc = (struct bcase){ "P2", w_mixed, 2, sz->p2_keys,
					     sz->p2_ops };
			run_case(&bc);
			break;
		case '3':
			bc = (struct bcase){ "P3", w_overwrite, 2, sz->p3_keys,
					     sz->p3_ops };
			run_case(&bc);
			break;
		case '4':
			bc = (struct bcase){ "P4", w_insert, 1, sz->p4_keys, 0,
					     true };
			run_case(&bc);
			break;
		case '5':
			for (k = 0; k < NR_KINDS; k++)
				if (map_selected(k))
					p5(k);
			break;
		}
	}
	free(keyspace);
	return 0;
}
