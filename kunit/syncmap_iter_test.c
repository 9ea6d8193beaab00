// SPDX-License-Identifier: GPL-2.0
/*
 * Iteration in windows (syncmap_iter.c): known answers for the empty map,
 * one key, a budget too small for the next item and an emit that fails;
 * many keys read in windows of many budgets against a model (every key
 * exactly once, each window the longest run of the order that fits);
 * keys deleted, stored again and added between the calls; and an
 * iteration that runs again and again while a writer churns other keys.
 */
#include <linux/slab.h>
#include <linux/string.h>

#include <syncmap_iter.h>

#include "syncmap_test.h"
#include "syncmap_worker.h"

/* The item of one key: the payload of its value and the key bytes. */
struct titem {
	u64 n;
	u32 key_len;
	char key[];
};

/**
 * struct tcollect - what the calls of one iteration returned
 * @keys: key numbers tracked, 0..@keys-1
 * @seen: times each was returned
 * @order: key numbers in the order returned, up to @max_order of them
 * @nr_order: entries of @order
 * @max_order: room in @order
 * @bad: items of a key outside @keys, of a malformed key, or (with
 *	@payload_is_key) whose payload is not the key's number
 * @payload_is_key: check that each value's payload is its key's number
 * @big_key: the key whose item is @big_extra bytes larger
 * @big_extra: see @big_key; 0 for none
 * @emits: items emitted by the current call
 * @bytes: their bytes
 * @fail_at: the emit of the current call (1 for the first) that fails
 *	with -EFAULT, 0 for none
 */
struct tcollect {
	u64 keys;
	u8 *seen;
	u64 *order;
	unsigned int nr_order;
	unsigned int max_order;
	unsigned long bad;
	bool payload_is_key;
	u64 big_key;
	size_t big_extra;
	unsigned int emits;
	size_t bytes;
	unsigned int fail_at;
};

/* The bytes of the item of a key of @key_len bytes, without extra. */
static size_t titem_bytes(size_t key_len)
{
	return sizeof(struct titem) + key_len;
}

/* The number of key "k<n>", or false if it is no such key. */
static bool tkey_parse(const char *key, size_t len, u64 *n)
{
	size_t i;

	if (len < 2 || len > 21 || key[0] != 'k')
		return false;
	*n = 0;
	for (i = 1; i < len; i++) {
		if (key[i] < '0' || key[i] > '9')
			return false;
		*n = *n * 10 + key[i] - '0';
	}
	return true;
}

/* The bytes the item of key number @n takes. */
static size_t tcollect_size_of(struct tcollect *c, u64 n)
{
	struct tkey k;

	tkey_set(&k, n);
	return titem_bytes(k.len) +
	       (c->big_extra && n == c->big_key ? c->big_extra : 0);
}

static size_t titem_size(const void *key, size_t key_len, const void *value,
			 void *arg)
{
	struct tcollect *c = arg;
	u64 n;

	if (c->big_extra && tkey_parse(key, key_len, &n) && n == c->big_key)
		return titem_bytes(key_len) + c->big_extra;
	return titem_bytes(key_len);
}

static void titem_fill(void *item, size_t size, const void *key,
		       size_t key_len, const void *value, void *arg)
{
	const struct tval *v = value;
	struct titem *it = item;

	it->n = v->n;
	it->key_len = key_len;
	memcpy(it->key, key, key_len);
	memset(it->key + key_len, 0, size - titem_bytes(key_len));
}

static int titem_emit(const void *item, size_t size, void *arg)
{
	const struct titem *it = item;
	struct tcollect *c = arg;
	u64 n;

	if (++c->emits == c->fail_at)
		return -EFAULT;
	c->bytes += size;
	if (size < sizeof(*it) || !tkey_parse(it->key, it->key_len, &n) ||
	    n >= c->keys || (c->payload_is_key && it->n != n) ||
	    size != tcollect_size_of(c, n)) {
		c->bad++;
		return 0;
	}
	if (c->seen[n] < U8_MAX)
		c->seen[n]++;
	if (c->nr_order < c->max_order)
		c->order[c->nr_order++] = n;
	return 0;
}

static const struct syncmap_window_ops titem_ops = {
	.size = titem_size,
	.fill = titem_fill,
	.emit = titem_emit,
};

static struct tcollect *tcollect_new(struct kunit *test, u64 keys,
				     unsigned int max_order)
{
	struct tcollect *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, c);
	c->keys = keys;
	c->seen = kunit_kzalloc(test, keys, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, c->seen);
	c->max_order = max_order;
	if (max_order) {
		c->order = kunit_kcalloc(test, max_order, sizeof(*c->order),
					 GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, c->order);
	}
	c->payload_is_key = true;
	return c;
}

static void tcollect_reset(struct tcollect *c)
{
	memset(c->seen, 0, c->keys);
	c->nr_order = 0;
	c->bad = 0;
}

/* One call: syncmap_range_window() with the emits of this call counted. */
static int twindow(struct syncmap *map, struct tcollect *c,
		   struct syncmap_window *win, size_t budget)
{
	win->budget = budget;
	c->emits = 0;
	c->bytes = 0;
	return syncmap_range_window(map, win, &titem_ops, c);
}

/*
 * One call that must succeed: what it reports matches what it emitted,
 * within @budget.
 */
static void twindow_ok(struct kunit *test, struct syncmap *map,
		       struct tcollect *c, struct syncmap_window *win,
		       size_t budget)
{
	KUNIT_ASSERT_EQ(test, twindow(map, c, win, budget), 0);
	KUNIT_EXPECT_EQ(test, win->count, c->emits);
	KUNIT_EXPECT_EQ(test, win->used, c->bytes);
	KUNIT_EXPECT_LE(test, win->used, budget);
	KUNIT_EXPECT_TRUE(test, win->count || win->end);
	KUNIT_EXPECT_TRUE(test, win->end == (win->cursor == SYNCMAP_WINDOW_END));
}

/* A whole iteration with one budget; returns the number of calls. */
static unsigned int titerate(struct kunit *test, struct syncmap *map,
			     struct tcollect *c, size_t budget)
{
	struct syncmap_window win = { .cursor = SYNCMAP_WINDOW_START };
	unsigned int calls = 0;

	do {
		KUNIT_ASSERT_LE(test, calls, c->keys + 1);
		twindow_ok(test, map, c, &win, budget);
		calls++;
	} while (!win.end);
	return calls;
}

static void tstore_keys(struct kunit *test, struct syncmap *map,
			struct tracker *tr, u64 first, u64 n)
{
	u64 i;

	for (i = first; i < first + n; i++)
		KUNIT_ASSERT_EQ(test, tstore(test, map, tr, i, i), 0);
}

static void iter_empty_map(struct kunit *test)
{
	struct tracker tr;
	struct syncmap *map = tmap_new(test, &tr, 0);
	struct tcollect *c = tcollect_new(test, 1, 0);
	struct syncmap_window win = { .cursor = SYNCMAP_WINDOW_START };

	twindow_ok(test, map, c, &win, 4096);
	KUNIT_EXPECT_EQ(test, win.count, 0);
	KUNIT_EXPECT_EQ(test, win.used, 0);
	KUNIT_EXPECT_TRUE(test, win.end);
	KUNIT_EXPECT_EQ(test, win.cursor, SYNCMAP_WINDOW_END);

	/* Nothing to take needs no room. */
	win.cursor = SYNCMAP_WINDOW_START;
	twindow_ok(test, map, c, &win, 0);
	KUNIT_EXPECT_TRUE(test, win.end);
	tmap_destroy_check(test, map, &tr);
}

static void iter_one_key(struct kunit *test)
{
	struct tracker tr;
	struct syncmap *map = tmap_new(test, &tr, 0);
	struct tcollect *c = tcollect_new(test, 8, 8);
	struct syncmap_window win = { .cursor = SYNCMAP_WINDOW_START };
	size_t size = titem_bytes(2);	/* "k7" */

	tstore_keys(test, map, &tr, 7, 1);

	/* Too small by one byte, or none: the size needed, nothing else. */
	KUNIT_EXPECT_EQ(test, twindow(map, c, &win, size - 1), -ERANGE);
	KUNIT_EXPECT_EQ(test, win.need, size);
	KUNIT_EXPECT_EQ(test, win.cursor, SYNCMAP_WINDOW_START);
	KUNIT_EXPECT_EQ(test, c->emits, 0);
	win.need = 0;
	KUNIT_EXPECT_EQ(test, twindow(map, c, &win, 0), -ERANGE);
	KUNIT_EXPECT_EQ(test, win.need, size);
	KUNIT_EXPECT_EQ(test, c->emits, 0);

	twindow_ok(test, map, c, &win, size);
	KUNIT_EXPECT_EQ(test, win.count, 1);
	KUNIT_EXPECT_EQ(test, win.used, size);
	KUNIT_EXPECT_TRUE(test, win.end);
	KUNIT_EXPECT_EQ(test, win.cursor, SYNCMAP_WINDOW_END);
	KUNIT_EXPECT_EQ(test, c->bad, 0);
	KUNIT_EXPECT_EQ(test, c->nr_order, 1);
	KUNIT_EXPECT_EQ(test, c->order[0], 7);

	/* Past the end: nothing, and the end again. */
	twindow_ok(test, map, c, &win, size);
	KUNIT_EXPECT_EQ(test, win.count, 0);
	KUNIT_EXPECT_TRUE(test, win.end);
	KUNIT_EXPECT_EQ(test, c->seen[7], 1);
	tmap_destroy_check(test, map, &tr);
}

static void iter_bad_cursor(struct kunit *test)
{
	struct tracker tr;
	struct syncmap *map = tmap_new(test, &tr, 0);
	struct tcollect *c = tcollect_new(test, 8, 0);
	struct syncmap_window win = { .cursor = SYNCMAP_WINDOW_END + 1 };

	tstore_keys(test, map, &tr, 0, 8);
	KUNIT_EXPECT_EQ(test, twindow(map, c, &win, 4096), -EINVAL);
	KUNIT_EXPECT_EQ(test, win.cursor, SYNCMAP_WINDOW_END + 1);
	win.cursor = U64_MAX;
	KUNIT_EXPECT_EQ(test, twindow(map, c, &win, 4096), -EINVAL);
	KUNIT_EXPECT_EQ(test, c->emits, 0);
	tmap_destroy_check(test, map, &tr);
}

/*
 * An emit that fails ends the call with its error and leaves the cursor
 * where it was: the same call again returns the whole window.
 */
static void iter_emit_error(struct kunit *test)
{
	struct tracker tr;
	struct syncmap *map = tmap_new(test, &tr, 0);
	struct tcollect *c = tcollect_new(test, 64, 64);
	struct syncmap_window win = { .cursor = SYNCMAP_WINDOW_START };
	unsigned int i;

	tstore_keys(test, map, &tr, 0, 64);
	twindow_ok(test, map, c, &win, 256);
	KUNIT_ASSERT_FALSE(test, win.end);
	KUNIT_ASSERT_GE(test, win.count, 2);

	tcollect_reset(c);
	c->fail_at = 2;
	win.cursor = SYNCMAP_WINDOW_START;
	win.count = 0;
	KUNIT_EXPECT_EQ(test, twindow(map, c, &win, 256), -EFAULT);
	KUNIT_EXPECT_EQ(test, c->emits, 2);
	KUNIT_EXPECT_EQ(test, win.cursor, SYNCMAP_WINDOW_START);
	KUNIT_EXPECT_EQ(test, win.count, 0);

	c->fail_at = 0;
	tcollect_reset(c);
	titerate(test, map, c, 256);
	for (i = 0; i < 64; i++)
		KUNIT_EXPECT_EQ_MSG(test, c->seen[i], 1, "key %u", i);
	tmap_destroy_check(test, map, &tr);
}

#define MANY_KEYS	500

/*
 * Many keys, many budgets: every key exactly once, each call keeps the
 * cursor order, and each window is the longest run of that order from
 * its cursor that fits in the budget.  The order is that of one call
 * with room for everything.
 */
static void iter_many_keys_small_budgets(struct kunit *test)
{
	static const size_t budgets[] = { 20, 39, 100, 333, 4096 };
	struct tracker tr;
	struct syncmap *map = tmap_new(test, &tr, 0);
	struct tcollect *all = tcollect_new(test, MANY_KEYS, MANY_KEYS);
	struct tcollect *c = tcollect_new(test, MANY_KEYS, MANY_KEYS);
	struct syncmap_window win;
	unsigned int b, i, pos, calls, want;
	size_t fit;

	tstore_keys(test, map, &tr, 0, MANY_KEYS);
	KUNIT_EXPECT_EQ(test, titerate(test, map, all, SIZE_MAX), 1);
	KUNIT_ASSERT_EQ(test, all->nr_order, MANY_KEYS);
	KUNIT_EXPECT_EQ(test, all->bad, 0);
	for (i = 0; i < MANY_KEYS; i++)
		KUNIT_EXPECT_EQ_MSG(test, all->seen[i], 1, "key %u", i);

	/* The largest item ("k100".."k499") is 20 bytes. */
	KUNIT_ASSERT_EQ(test, tcollect_size_of(c, MANY_KEYS - 1), 20);
	for (b = 0; b < ARRAY_SIZE(budgets); b++) {
		tcollect_reset(c);
		win.cursor = SYNCMAP_WINDOW_START;
		pos = 0;
		calls = 0;
		do {
			KUNIT_ASSERT_LE(test, calls, MANY_KEYS);
			twindow_ok(test, map, c, &win, budgets[b]);
			calls++;
			/* The window the order predicts. */
			for (want = 0, fit = 0; pos + want < MANY_KEYS; want++) {
				size_t s = tcollect_size_of(c, all->order[pos + want]);

				if (fit + s > budgets[b])
					break;
				fit += s;
			}
			KUNIT_EXPECT_EQ_MSG(test, win.count, want,
					    "budget %zu, window %u",
					    budgets[b], calls);
			KUNIT_EXPECT_EQ(test, win.end, pos + want == MANY_KEYS);
			pos += want;
		} while (!win.end && win.count == want);
		KUNIT_EXPECT_TRUE(test, win.end);
		KUNIT_EXPECT_EQ(test, c->bad, 0);
		KUNIT_ASSERT_EQ(test, c->nr_order, MANY_KEYS);
		for (i = 0; i < MANY_KEYS; i++) {
			KUNIT_EXPECT_EQ_MSG(test, c->seen[i], 1, "key %u", i);
			KUNIT_EXPECT_EQ(test, c->order[i], all->order[i]);
		}
		kunit_info(test, "budget %zu: %u calls", budgets[b], calls);
	}
	tmap_destroy_check(test, map, &tr);
}

/*
 * One item larger than the budget stops the iteration where it comes
 * with -ERANGE and its size; with that size as the budget the same
 * cursor goes on, and every key is still returned once.
 */
static void iter_erange_in_the_middle(struct kunit *test)
{
	struct tracker tr;
	struct syncmap *map = tmap_new(test, &tr, 0);
	struct tcollect *c = tcollect_new(test, 100, 100);
	struct syncmap_window win = { .cursor = SYNCMAP_WINDOW_START };
	unsigned int i, calls = 0, ranges = 0;
	size_t budget = 64;
	int ret;

	tstore_keys(test, map, &tr, 0, 100);
	c->big_key = 42;
	c->big_extra = 1000;
	do {
		calls++;
		KUNIT_ASSERT_LE(test, calls, 200);
		ret = twindow(map, c, &win, budget);
		if (ret == -ERANGE) {
			KUNIT_EXPECT_EQ(test, c->emits, 0);
			KUNIT_EXPECT_EQ(test, win.need,
					tcollect_size_of(c, 42));
			KUNIT_EXPECT_EQ(test, c->seen[42], 0);
			budget = win.need;
			ranges++;
			continue;
		}
		KUNIT_ASSERT_EQ(test, ret, 0);
		KUNIT_EXPECT_LE(test, win.used, budget);
		budget = 64;
	} while (ret || !win.end);
	KUNIT_EXPECT_EQ(test, ranges, 1);
	KUNIT_EXPECT_EQ(test, c->bad, 0);
	for (i = 0; i < 100; i++)
		KUNIT_EXPECT_EQ_MSG(test, c->seen[i], 1, "key %u", i);
	tmap_destroy_check(test, map, &tr);
}

#define CHANGE_KEYS	600
#define CHANGE_NEW	10000

/*
 * Between the calls: every key the last window returned is deleted and
 * stored again (it must not come back), two keys not yet returned are
 * deleted (they cannot come), and five new keys are added (at most
 * once).  Every key never deleted is returned exactly once.
 */
static void iter_changes_between_calls(struct kunit *test)
{
	struct tracker tr;
	struct syncmap *map = tmap_new(test, &tr, 0);
	struct tcollect *c = tcollect_new(test, CHANGE_NEW + 2000,
					  CHANGE_NEW + 2000);
	struct syncmap_window win = { .cursor = SYNCMAP_WINDOW_START };
	u8 *deleted = kunit_kzalloc(test, CHANGE_KEYS, GFP_KERNEL);
	unsigned int i, done, calls = 0, next_new = CHANGE_NEW, gone = 0;
	unsigned int readded = 0, added_seen = 0;
	u64 n;

	KUNIT_ASSERT_NOT_NULL(test, deleted);
	tstore_keys(test, map, &tr, 0, CHANGE_KEYS);
	do {
		calls++;
		KUNIT_ASSERT_LE(test, calls, CHANGE_KEYS + 400);
		done = c->nr_order;
		twindow_ok(test, map, c, &win, 200);
		for (i = done; i < c->nr_order; i++) {
			n = c->order[i];
			KUNIT_ASSERT_EQ(test, tdelete(map, n), 1);
			KUNIT_ASSERT_EQ(test, tstore(test, map, &tr, n, n), 0);
			readded++;
		}
		for (i = 0; i < 2; i++) {
			n = (calls * 7 + i * 300) % CHANGE_KEYS;
			if (c->seen[n] || deleted[n])
				continue;
			KUNIT_ASSERT_EQ(test, tdelete(map, n), 1);
			deleted[n] = 1;
			gone++;
		}
		for (i = 0; i < 5 && next_new < CHANGE_NEW + 2000; i++, next_new++)
			tstore_keys(test, map, &tr, next_new, 1);
	} while (!win.end);

	KUNIT_EXPECT_EQ(test, c->bad, 0);
	for (i = 0; i < CHANGE_KEYS; i++)
		KUNIT_EXPECT_EQ_MSG(test, c->seen[i], deleted[i] ? 0 : 1,
				    "key %u", i);
	for (i = CHANGE_NEW; i < next_new; i++) {
		KUNIT_EXPECT_LE_MSG(test, c->seen[i], 1, "key %u", i);
		added_seen += c->seen[i];
	}
	KUNIT_EXPECT_GT(test, gone, 0);
	kunit_info(test, "%u calls, %u stored again, %u deleted, %u of %u added returned",
		   calls, readded, gone, added_seen, next_new - CHANGE_NEW);
	tmap_destroy_check(test, map, &tr);
}

#define STABLE_ITER_KEYS	300
#define CHURN_KEYS_END		13000

/*
 * Whole iterations, one after another, with a small budget: each must
 * return every stable key exactly once and no key twice.
 */
static int iter_reader(struct worker *w)
{
	struct tcollect *c = w->shared;
	unsigned int i, rounds = 0, calls;
	struct syncmap_window win;

	while (!atomic_read(w->stop) || rounds < 3) {
		tcollect_reset(c);
		win.cursor = SYNCMAP_WINDOW_START;
		calls = 0;
		do {
			win.budget = 1024;
			c->emits = 0;
			if (syncmap_range_window(w->map, &win, &titem_ops, c) ||
			    ++calls > CHURN_KEYS_END) {
				w->errors++;
				break;
			}
			cond_resched();
		} while (!win.end);
		for (i = 0; i < CHURN_KEYS_END; i++)
			if (c->seen[i] > 1 || (i < STABLE_ITER_KEYS && !c->seen[i]))
				w->errors++;
		w->errors += c->bad;
		rounds++;
	}
	w->ops = rounds;
	return 0;
}

static void iter_with_a_concurrent_writer(struct kunit *test)
{
	struct worker *w = kunit_kcalloc(test, 2, sizeof(*w), GFP_KERNEL);
	struct tcollect *c = tcollect_new(test, CHURN_KEYS_END, 0);
	struct tracker tr;
	struct syncmap *map = tmap_new(test, &tr, 0);
	struct syncmap_stats st;

	KUNIT_ASSERT_NOT_NULL(test, w);
	/* The churn writer's payloads are not its keys. */
	c->payload_is_key = false;
	tstore_keys(test, map, &tr, 0, STABLE_ITER_KEYS);
	run_reader_while_writer(test, w, map, &tr, c, iter_reader,
				churn_writer);

	syncmap_fill_stats(map, &st);
	KUNIT_EXPECT_EQ(test, w[0].errors, 0);
	KUNIT_EXPECT_EQ(test, w[1].errors, 0);
	KUNIT_EXPECT_GE(test, w[0].ops, 3);
	kunit_info(test, "%u iterations, %llu promotions, %llu rebuilds",
		   w[0].ops, st.promotions, st.dirty_rebuilds);
	tmap_destroy_check(test, map, &tr);
}

static struct kunit_case syncmap_iter_cases[] = {
	KUNIT_CASE(iter_empty_map),
	KUNIT_CASE(iter_one_key),
	KUNIT_CASE(iter_bad_cursor),
	KUNIT_CASE(iter_emit_error),
	KUNIT_CASE_SLOW(iter_many_keys_small_budgets),
	KUNIT_CASE(iter_erange_in_the_middle),
	KUNIT_CASE_SLOW(iter_changes_between_calls),
	KUNIT_CASE_SLOW(iter_with_a_concurrent_writer),
	{}
};

struct kunit_suite syncmap_iter_suite = {
	.name = "syncmap_iter",
	.test_cases = syncmap_iter_cases,
};
