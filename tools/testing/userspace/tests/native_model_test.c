// SPDX-License-Identifier: GPL-2.0
/*
 * The model quick-check at native scale: millions of random operations of
 * every kind, single-threaded, against a reference map (the value each key
 * should hold), over several seeds, in a small key space (every key hit
 * again and again: promotions, expunges, unexpunges) and in a large one
 * (tables grow and the incremental copy and growth run all the time).
 * Keys have many lengths, up to past two words.  Every so often the
 * checker waits for the background work and checks the books: every value
 * made is in the map, released by it exactly once, or freed by the test.
 *
 * The seed and operation number are printed on the first divergence.
 * NATIVE_SCALE (percent; default 100, TSan 15) scales the ops.  The plain
 * and the ASan+UBSan builds run all of them (11 million); TSan, about ten
 * times slower here, runs 15 %: the model's thread is alone with the
 * map's workers, and the concurrency suites are where TSan earns its time.
 */
#include "syncmap_test.h"

struct nmodel {
	struct kunit *test;
	struct syncmap *map;
	struct tracker tr;
	u32 keys;
	struct tval **val;	/* what each key holds, or NULL */
	u8 *seen;
	u32 len;		/* keys holding a value */
	u32 max_entries;
	bool content_equal;
	struct rnd_state rnd;
	u64 next_n;
	bool range_bad;
};

static unsigned int native_scale(void)
{
	const char *s = getenv("NATIVE_SCALE");

	if (s)
		return (unsigned int)atoi(s);
#if defined(__SANITIZE_THREAD__)
	return 15;
#else
	return 100;
#endif
}

static u32 nrand(struct nmodel *m, u32 n)
{
	return (u32)(((u64)prandom_u32_state(&m->rnd) * n) >> 32);
}

/* Key i as bytes: 1 to 40 of them, distinct for distinct i. */
struct nkey {
	u8 buf[48];
	size_t len;
};

static void nkey_set(struct nkey *k, u32 i)
{
	u32 pad = (i * 2654435761u) % 33, j;

	k->len = scnprintf((char *)k->buf, sizeof(k->buf), "%u.", i);
	for (j = 0; j < pad; j++)
		k->buf[k->len++] = (u8)('a' + (i + j) % 26);
}

static bool nkey_index(struct nmodel *m, const void *key, size_t len, u32 *i)
{
	unsigned long n;
	char buf[16];
	const char *dot = memchr(key, '.', min(len, sizeof(buf) - 1));
	struct nkey k;

	if (!dot)
		return false;
	memcpy(buf, key, dot - (const char *)key);
	buf[dot - (const char *)key] = '\0';
	if (kstrtoul(buf, 10, &n) || n >= m->keys)
		return false;
	nkey_set(&k, (u32)n);
	if (k.len != len || memcmp(k.buf, key, len))
		return false;
	*i = (u32)n;
	return true;
}

static bool nrange_fn(const void *key, size_t len, void *value, void *arg)
{
	struct nmodel *m = arg;
	u32 i;

	if (!nkey_index(m, key, len, &i) || m->val[i] != value || m->seen[i]++)
		m->range_bad = true;
	return true;
}

static struct tval *nnew(struct nmodel *m)
{
	return tval_new(m->test, &m->tr, m->next_n++);
}

/* Set what key @i holds, keeping the count of keys that hold a value. */
static void nset(struct nmodel *m, u32 i, struct tval *v)
{
	m->len += (v != NULL) - (m->val[i] != NULL);
	m->val[i] = v;
}

static bool nfull(struct nmodel *m)
{
	return m->max_entries && m->len >= m->max_entries;
}

/* A value to compare against, as the KUnit model does. */
static struct tval *nexpected(struct nmodel *m, u32 i, bool *fresh)
{
	u32 r = nrand(m, 10), j = (i + 1) % m->keys;

	*fresh = false;
	if (r < 6 && m->val[i])
		return m->val[i];
	if (r < 8 && m->val[j] && m->val[j] != m->val[i])
		return m->val[j];
	*fresh = true;
	if (m->content_equal && m->val[i] && r == 8)
		return tval_new(m->test, &m->tr, m->val[i]->n);
	return nnew(m);
}

static int nequal(struct nmodel *m, u32 i, struct tval *old)
{
	if (!m->val[i])
		return 0;
	return m->val[i] == old || (m->content_equal && m->val[i]->n == old->n);
}

#define NCHECK(cond)							\
	do {								\
		if (!failed && !(cond)) {				\
			KUNIT_FAIL(test, "seed %u op %llu (%s key %u): %s", \
				   seed, op, what, i, #cond);		\
			failed = true;					\
		}							\
	} while (0)

static void nmodel_run(struct kunit *test, u32 seed, u32 keys, u64 ops,
		       u32 max_entries, bool content_equal)
{
	struct nmodel *m = kunit_kzalloc(test, sizeof(*m), GFP_KERNEL);
	const char *what = "";
	struct syncmap_stats st;
	struct tval *v, *old;
	u64 op, range_every;
	struct nkey k;
	bool fresh, failed = false;
	void *got;
	int ret, expect, idx;
	u32 i = 0, j, r;

	KUNIT_ASSERT_NOT_NULL(test, m);
	m->val = kunit_kcalloc(test, keys, sizeof(*m->val), GFP_KERNEL);
	m->seen = kunit_kzalloc(test, keys, GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, m->val && m->seen);
	m->test = test;
	m->keys = keys;
	m->max_entries = max_entries;
	m->content_equal = content_equal;
	m->next_n = 1;
	prandom_seed_state(&m->rnd, seed);
	m->map = tmap_new_ops(test, &m->tr, content_equal ? &tval_content_ops
			      : &tval_ops, max_entries);
	/* A Range or Clear costs O(keys): keep them a few percent of the work. */
	range_every = keys < 1000 ? 200 : keys * 4ULL;

	for (op = 0; op < ops && !failed; op++) {
		r = nrand(m, 1000);
		i = nrand(m, keys);
		nkey_set(&k, i);
		if (r < 250) {
			what = "load";
			if (r < 25) {
				idx = syncmap_read_lock(m->map);
				got = syncmap_load(m->map, k.buf, k.len);
				syncmap_read_unlock(m->map, idx);
			} else {
				rcu_read_lock();
				got = syncmap_load(m->map, k.buf, k.len);
				rcu_read_unlock();
			}
			NCHECK(got == m->val[i]);
		} else if (r < 420) {
			what = "store";
			v = nnew(m);
			ret = syncmap_store(m->map, k.buf, k.len, v);
			if (!m->val[i] && nfull(m)) {
				NCHECK(ret == -ENOSPC);
				tval_free(v);
			} else {
				NCHECK(ret == 0);
				nset(m, i, v);
			}
		} else if (r < 520) {
			what = "load_or_store";
			v = nnew(m);
			got = NULL;
			ret = syncmap_load_or_store(m->map, k.buf, k.len, v, &got);
			if (m->val[i]) {
				NCHECK(ret == 1 && got == m->val[i]);
				tval_free(v);
			} else if (nfull(m)) {
				NCHECK(ret == -ENOSPC);
				tval_free(v);
			} else {
				NCHECK(ret == 0 && got == v);
				nset(m, i, v);
			}
		} else if (r < 600) {
			what = "load_and_delete";
			got = NULL;
			idx = syncmap_read_lock(m->map);
			ret = syncmap_load_and_delete(m->map, k.buf, k.len, &got);
			NCHECK(ret == !!m->val[i]);
			NCHECK(!ret || got == m->val[i]);
			/* The value stays readable until the section ends. */
			NCHECK(!ret || ((struct tval *)got)->n == m->val[i]->n);
			syncmap_read_unlock(m->map, idx);
			nset(m, i, NULL);
		} else if (r < 670) {
			what = "delete";
			ret = syncmap_delete(m->map, k.buf, k.len);
			NCHECK(ret == !!m->val[i]);
			nset(m, i, NULL);
		} else if (r < 770) {
			what = "swap";
			v = nnew(m);
			got = NULL;
			ret = syncmap_swap(m->map, k.buf, k.len, v, &got);
			if (!m->val[i] && nfull(m)) {
				NCHECK(ret == -ENOSPC);
				tval_free(v);
			} else {
				NCHECK(ret == !!m->val[i]);
				NCHECK(!ret || got == m->val[i]);
				nset(m, i, v);
			}
		} else if (r < 870) {
			what = "compare_and_swap";
			old = nexpected(m, i, &fresh);
			expect = nequal(m, i, old);
			v = nnew(m);
			ret = syncmap_compare_and_swap(m->map, k.buf, k.len, old, v);
			NCHECK(ret == expect);
			if (ret)
				nset(m, i, v);
			else
				tval_free(v);
			if (fresh)
				tval_free(old);
		} else if (r < 960) {
			what = "compare_and_delete";
			old = nexpected(m, i, &fresh);
			expect = nequal(m, i, old);
			ret = syncmap_compare_and_delete(m->map, k.buf, k.len, old);
			NCHECK(ret == expect);
			if (ret)
				nset(m, i, NULL);
			if (fresh)
				tval_free(old);
		} else if (r < 998 && nrand(m, range_every) < 40) {
			what = "range";
			memset(m->seen, 0, keys);
			m->range_bad = false;
			syncmap_range(m->map, nrange_fn, m);
			NCHECK(!m->range_bad);
			for (j = 0; j < keys && !failed; j++)
				if (m->seen[j] != !!m->val[j]) {
					i = j;
					NCHECK(m->seen[j] == !!m->val[j]);
				}
		} else if (r >= 998 && nrand(m, range_every) < 4) {
			what = "clear";
			NCHECK(syncmap_clear(m->map) == 0);
			memset(m->val, 0, keys * sizeof(*m->val));
			m->len = 0;
		}
		what = "len";
		NCHECK(syncmap_len(m->map) == m->len);
		if (op % 500000 == 499999) {
			/* The books, once the background work is done. */
			what = "books";
			syncmap_synchronize(m->map);
			syncmap_fill_stats(m->map, &st);
			NCHECK(st.pending_release == 0);
			NCHECK(st.len == m->len);
			NCHECK(atomic_long_read(&m->tr.made) ==
			       atomic_long_read(&m->tr.released) +
			       atomic_long_read(&m->tr.freed) + m->len);
		}
	}
	syncmap_fill_stats(m->map, &st);
	kunit_info(test, "seed %u, %u keys: %llu ops, %llu promotions, %llu rebuilds, %llu expunged, %llu slots",
		   seed, keys, op, st.promotions, st.dirty_rebuilds,
		   st.expunged, st.read_slots);
	tmap_destroy_check(test, m->map, &m->tr);
}

#define OPS(n)	((u64)(n) * native_scale() / 100)

static void native_model_small_keys(struct kunit *test)
{
	u32 seed;

	for (seed = 1; seed <= 4; seed++)
		nmodel_run(test, seed, 16 << seed, OPS(750000), 0, seed & 1);
}

static void native_model_small_keys_full(struct kunit *test)
{
	u32 seed;

	for (seed = 11; seed <= 13; seed++)
		nmodel_run(test, seed, 64, OPS(500000), 40, seed & 1);
}

static void native_model_large_keys(struct kunit *test)
{
	nmodel_run(test, 21, 20000, OPS(2500000), 0, false);
	nmodel_run(test, 22, 200000, OPS(3000000), 0, true);
}

static void native_model_large_keys_full(struct kunit *test)
{
	nmodel_run(test, 31, 50000, OPS(1000000), 30000, false);
}

static struct kunit_case native_model_cases[] = {
	KUNIT_CASE_SLOW(native_model_small_keys),
	KUNIT_CASE_SLOW(native_model_small_keys_full),
	KUNIT_CASE_SLOW(native_model_large_keys),
	KUNIT_CASE_SLOW(native_model_large_keys_full),
	{}
};

static struct kunit_suite native_model_suite = {
	.name = "syncmap_native_model",
	.test_cases = native_model_cases,
};

kunit_native_suites(&native_model_suite);
