// SPDX-License-Identifier: GPL-2.0
/*
 * Quick-check: long random sequences of every operation, single-threaded,
 * against a reference model (an array of the values each key should hold).
 * The seed and operation number are printed on the first divergence.
 */
#include <linux/prandom.h>
#include <linux/slab.h>

#include "syncmap_test.h"

#define MODEL_KEYS	48
#define MODEL_OPS	25000	/* x 4 seeds: 100k operations */

struct model {
	struct kunit *test;
	struct syncmap *map;
	struct tracker tr;
	struct tval *val[MODEL_KEYS];	/* what each key holds, or NULL */
	u32 max_entries;
	bool content_equal;
	struct rnd_state rnd;
	u64 next_n;
	u8 seen[MODEL_KEYS];
	bool range_bad;
};

static u32 model_rand(struct model *m, u32 n)
{
	return prandom_u32_state(&m->rnd) % n;
}

static unsigned int model_len(struct model *m)
{
	unsigned int i, n = 0;

	for (i = 0; i < MODEL_KEYS; i++)
		n += !!m->val[i];
	return n;
}

static struct tval *model_new(struct model *m)
{
	return tval_new(m->test, &m->tr, m->next_n++);
}

/* Keys of several lengths, so lengths and bytes both matter. */
static void model_key(u32 i, struct tkey *k)
{
	tkey_set(k, (u64)i * 1000003 % 997 + (i % 3) * 100000);
}

static bool model_range_fn(const void *key, size_t len, void *value, void *arg)
{
	struct model *m = arg;
	struct tkey k;
	u32 i;

	for (i = 0; i < MODEL_KEYS; i++) {
		model_key(i, &k);
		if (k.len == len && !memcmp(k.buf, key, len))
			break;
	}
	if (i == MODEL_KEYS || m->val[i] != value || m->seen[i]++)
		m->range_bad = true;
	return true;
}

/*
 * A value to compare against: the present one, another key's, a fresh one,
 * or (content equality) a copy of the present one's payload.  *@fresh is
 * set when the caller must free it.
 */
static struct tval *model_expected(struct model *m, u32 i, bool *fresh)
{
	u32 r = model_rand(m, 10);

	*fresh = false;
	if (r < 6 && m->val[i])
		return m->val[i];
	if (r < 8 && m->val[(i + 1) % MODEL_KEYS] &&
	    m->val[(i + 1) % MODEL_KEYS] != m->val[i])
		return m->val[(i + 1) % MODEL_KEYS];
	*fresh = true;
	if (m->content_equal && m->val[i] && r == 8)
		return tval_new(m->test, &m->tr, m->val[i]->n);
	return model_new(m);
}

/*
 * Whether the key's value equals @old under the map's equality; decided
 * before the operation, which may release the present value.
 */
static int model_equal(struct model *m, u32 i, struct tval *old)
{
	if (!m->val[i])
		return 0;
	if (m->val[i] == old)
		return 1;
	return m->content_equal && m->val[i]->n == old->n;
}

static bool model_full(struct model *m)
{
	return m->max_entries && model_len(m) >= m->max_entries;
}

/* Report the first divergence with its seed; the run stops after it. */
#define MCHECK(cond)							\
	do {								\
		if (!failed && !(cond)) {				\
			KUNIT_FAIL(test, "seed %u op %u (%s): %s", seed,	\
				   op, what, #cond);			\
			failed = true;					\
		}							\
	} while (0)

static void model_run(struct kunit *test, u32 seed, u32 max_entries,
		      bool content_equal)
{
	struct model *m = kunit_kzalloc(test, sizeof(*m), GFP_KERNEL);
	const char *what = "";
	struct tval *v, *old;
	void *got;
	struct tkey k;
	bool fresh;
	u32 op, i;
	int ret, expect;
	bool failed = false;

	KUNIT_ASSERT_NOT_NULL(test, m);
	m->test = test;
	m->max_entries = max_entries;
	m->content_equal = content_equal;
	m->next_n = 1;
	prandom_seed_state(&m->rnd, seed);
	m->map = tmap_new_ops(test, &m->tr, content_equal ? &tval_content_ops
			      : &tval_ops, max_entries);

	for (op = 0; op < MODEL_OPS && !failed; op++) {
		u32 r = model_rand(m, 1000);

		i = model_rand(m, MODEL_KEYS);
		model_key(i, &k);
		if (r < 250) {
			what = "load";
			rcu_read_lock();
			got = syncmap_load(m->map, k.buf, k.len);
			rcu_read_unlock();
			MCHECK(got == m->val[i]);
		} else if (r < 400) {
			what = "store";
			v = model_new(m);
			ret = syncmap_store(m->map, k.buf, k.len, v);
			if (!m->val[i] && model_full(m)) {
				MCHECK(ret == -ENOSPC);
				tval_free(v);
			} else {
				MCHECK(ret == 0);
				m->val[i] = v;
			}
		} else if (r < 500) {
			what = "load_or_store";
			v = model_new(m);
			got = NULL;
			ret = syncmap_load_or_store(m->map, k.buf, k.len, v,
						    &got);
			if (m->val[i]) {
				MCHECK(ret == 1 && got == m->val[i]);
				tval_free(v);
			} else if (model_full(m)) {
				MCHECK(ret == -ENOSPC);
				tval_free(v);
			} else {
				MCHECK(ret == 0 && got == v);
				m->val[i] = v;
			}
		} else if (r < 580) {
			what = "load_and_delete";
			got = NULL;
			ret = syncmap_load_and_delete(m->map, k.buf, k.len,
						      &got);
			MCHECK(ret == !!m->val[i]);
			MCHECK(!ret || got == m->val[i]);
			m->val[i] = NULL;
		} else if (r < 650) {
			what = "delete";
			ret = syncmap_delete(m->map, k.buf, k.len);
			MCHECK(ret == !!m->val[i]);
			m->val[i] = NULL;
		} else if (r < 750) {
			what = "swap";
			v = model_new(m);
			got = NULL;
			ret = syncmap_swap(m->map, k.buf, k.len, v, &got);
			if (!m->val[i] && model_full(m)) {
				MCHECK(ret == -ENOSPC);
				tval_free(v);
			} else {
				MCHECK(ret == !!m->val[i]);
				MCHECK(!ret || got == m->val[i]);
				m->val[i] = v;
			}
		} else if (r < 850) {
			what = "compare_and_swap";
			old = model_expected(m, i, &fresh);
			expect = model_equal(m, i, old);
			v = model_new(m);
			ret = syncmap_compare_and_swap(m->map, k.buf, k.len,
						       old, v);
			MCHECK(ret == expect);
			if (ret)
				m->val[i] = v;
			else
				tval_free(v);
			if (fresh)
				tval_free(old);
		} else if (r < 940) {
			what = "compare_and_delete";
			old = model_expected(m, i, &fresh);
			expect = model_equal(m, i, old);
			ret = syncmap_compare_and_delete(m->map, k.buf, k.len,
							 old);
			MCHECK(ret == expect);
			if (ret)
				m->val[i] = NULL;
			if (fresh)
				tval_free(old);
		} else if (r < 995) {
			what = "range";
			memset(m->seen, 0, sizeof(m->seen));
			m->range_bad = false;
			syncmap_range(m->map, model_range_fn, m);
			MCHECK(!m->range_bad);
			for (i = 0; i < MODEL_KEYS; i++)
				MCHECK(m->seen[i] == !!m->val[i]);
		} else {
			what = "clear";
			MCHECK(syncmap_clear(m->map) == 0);
			memset(m->val, 0, sizeof(m->val));
		}
		what = "len";
		MCHECK(syncmap_len(m->map) == model_len(m));
	}
	tmap_destroy_check(test, m->map, &m->tr);
}

static void model_seed_1(struct kunit *test)
{
	model_run(test, 1, 0, false);
}

static void model_seed_2_full_map(struct kunit *test)
{
	model_run(test, 2, MODEL_KEYS * 2 / 3, false);
}

static void model_seed_3_content_equality(struct kunit *test)
{
	model_run(test, 3, 0, true);
}

static void model_seed_4_full_content(struct kunit *test)
{
	model_run(test, 4, MODEL_KEYS / 2, true);
}

static struct kunit_case syncmap_model_cases[] = {
	KUNIT_CASE_SLOW(model_seed_1),
	KUNIT_CASE_SLOW(model_seed_2_full_map),
	KUNIT_CASE_SLOW(model_seed_3_content_equality),
	KUNIT_CASE_SLOW(model_seed_4_full_content),
	{}
};

struct kunit_suite syncmap_model_suite = {
	.name = "syncmap_model",
	.test_cases = syncmap_model_cases,
};
