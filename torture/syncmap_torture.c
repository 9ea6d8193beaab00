// SPDX-License-Identifier: GPL-2.0
/*
 * syncmap_torture: a torture test of syncmap through its exported API, in
 * the manner of rcutorture, locktorture and lib/test_rhashtable.c.
 *
 * Loading the module runs the test: insmod blocks until every phase is
 * done or the duration cap is reached, then the module prints one result
 * line, "syncmap_torture: PASS ..." or "syncmap_torture: FAIL ...", with
 * the operations run per kind and the number of invariant checks.  On
 * PASS the module stays loaded (rmmod it); on FAIL insmod fails with
 * -EIO.  Each violation is described in the log before that line
 * (rate-limited).
 *
 * Every phase runs on a map of its own, made, checked when the threads
 * have stopped and destroyed again:
 *
 *   mix      every operation on each worker's own keys (checked after each
 *            operation against the worker's model), on shared keys, on
 *            counters bumped by compare-and-swap loops, on "duel" keys
 *            that compare-and-swap and compare-and-delete race for, and on
 *            stable keys; a dirty writer keeps adding keys after each
 *            promotion so that the dirty map grows under the loads
 *   promote  the same with keys that keep leaving and re-entering the
 *            snapshot, loads that miss it and Range calls: promotions
 *   copy     a big snapshot whose dirty map is rebuilt again and again (a
 *            driver thread promotes and adds a new key) while the workers
 *            overwrite, delete and revive its keys: the incremental copy
 *   grow     writers insert up to grow_keys new keys, readers load keys
 *            known present: the dirty map grows many times, promotions
 *   regrow   from an empty snapshot a writer grows a fresh dirty map
 *            through every size, again and again (Clear in between),
 *            while threads and interrupts load its keys, which only that
 *            growing dirty map holds
 *   churn    each worker inserts keys at the head of a window and deletes
 *            them at its tail, so keys come and go for good; at the end
 *            the tables hold no pile of deleted entries
 *   clear    own, shared and duel keys with Clear racing with them all
 *
 * Invariants checked:
 *   - own keys: return codes, found flags, previous and loaded values of
 *     every operation match the worker's model (in the clear phase a key
 *     written before a Clear that overlapped may also be absent);
 *   - a counter changed only by compare-and-swap retry loops ends at the
 *     number of successful bumps, and no thread sees it go backwards;
 *   - a value leaves the map at most once: whoever removes a value it can
 *     see (swap, load_and_delete, compare_and_swap and compare_and_delete
 *     of a value it loaded) marks it, and two marks are a violation: this
 *     is where a compare-and-swap and a compare-and-delete of one value
 *     that both succeed show up;
 *   - no value a reader can still see was released: release poisons the
 *     value (and keeps it in a quarantine before freeing it), and readers
 *     check the poison inside their read section, also after lingering;
 *     ops->equal() checks the value in the map too;
 *   - after syncmap_synchronize() the values made and not freed by the test
 *     nor released by the map are exactly syncmap_len(); after
 *     syncmap_destroy() every value made was either freed by the test or
 *     released exactly once, and ops->destroy() ran once;
 *   - Range visits each key at most once per call, every key present
 *     throughout the call, only keys that were stored, with live values
 *     that belong to the key; at the end it visits exactly syncmap_len()
 *     keys and every key the models say is present;
 *   - keys present throughout are found by loads from a timer (softirq),
 *     an irq_work (hardirq), with hardirqs off and from threads; among them
 *     keys added right after a promotion, which live only in the dirty map
 *     while it grows;
 *   - syncmap_len() stays within what the models know to be present and
 *     the number of keys that exist.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/bitmap.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/irq_work.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/minmax.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/prandom.h>
#include <linux/random.h>
#include <linux/ratelimit.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/timer.h>
#include <linux/utsname.h>

#include <syncmap.h>

/* ---- parameters ------------------------------------------------------ */

static unsigned int threads = 4;
module_param(threads, uint, 0444);
MODULE_PARM_DESC(threads, "worker threads in each phase (1-64)");

static unsigned int range_threads = 1;
module_param(range_threads, uint, 0444);
MODULE_PARM_DESC(range_threads, "threads that only run checked Range calls (0-8)");

static unsigned long ops = 100000;
module_param(ops, ulong, 0444);
MODULE_PARM_DESC(ops, "operations of each worker thread in each phase");

static unsigned int own_keys = 256;
module_param(own_keys, uint, 0444);
MODULE_PARM_DESC(own_keys, "keys each worker owns and models (its window in churn)");

static unsigned int shared_keys = 64;
module_param(shared_keys, uint, 0444);
MODULE_PARM_DESC(shared_keys, "keys every worker operates on");

static unsigned int stable_keys = 512;
module_param(stable_keys, uint, 0444);
MODULE_PARM_DESC(stable_keys,
		 "keys present throughout, loaded from any context (8 times as many go into dirty maps)");

static unsigned int copy_keys;
module_param(copy_keys, uint, 0444);
MODULE_PARM_DESC(copy_keys, "keys of the copy phase's snapshot; 0: 65536, 2048 in a debug kernel");

static unsigned int grow_keys;
module_param(grow_keys, uint, 0444);
MODULE_PARM_DESC(grow_keys, "keys the grow phase inserts; 0: 1048576, 50000 in a debug kernel");

static unsigned long seed;
module_param(seed, ulong, 0444);
MODULE_PARM_DESC(seed, "random seed; 0 picks one (the result line shows it)");

static unsigned int duration = 600;
module_param(duration, uint, 0444);
MODULE_PARM_DESC(duration, "cap on the whole run in seconds, shared out among the phases; 0: none");

static char *phases = "all";
module_param(phases, charp, 0444);
MODULE_PARM_DESC(phases, "all, or some of mix,promote,copy,grow,churn,clear ('+' joins too)");

static int verbose = 1;
module_param(verbose, int, 0444);
MODULE_PARM_DESC(verbose, "0: result and violations, 1: a line per phase, 2: progress too");

static bool irq_loads = true;
module_param(irq_loads, bool, 0444);
MODULE_PARM_DESC(irq_loads, "also load keys from a timer (softirq) and an irq_work (hardirq)");

/* ---- limits and constants -------------------------------------------- */

#define TT_MAX_THREADS		64
#define TT_MAX_RANGE_THREADS	8
#define TT_MAX_OWN		BIT(20)
#define TT_MAX_KEYS		BIT(24)
#define TT_COUNTERS		4	/* keys changed only by CAS loops */
#define TT_DUELS		2	/* keys CAS and CAD fight over */
#define TT_SDIRTY_BATCH		8	/* stable keys added per promotion */
#define TT_SDIRTY_PER_STABLE	8	/* most stable-dirty keys per stable key */
#define TT_FILL_WINDOW		16384	/* most keys the dirty writer adds per round */
#define TT_FILL_RING		(4 * TT_FILL_WINDOW)
#define TT_QUARANTINE		8192	/* released values kept poisoned */
#define TT_NEW_BUDGET		256	/* loads of the newest keys saved up */
#define TT_REGROW_KEYS		4096	/* keys per regrow cycle */
#define TT_IRQ_SOFT_LOADS	8	/* per timer tick */
#define TT_IRQ_HARD_LOADS	4	/* per irq_work */

#define TT_LIVE			0x11fe5a5aU
#define TT_POISON		0x7077a11dU

/* Key ids: space, thread, index.  The key bytes encode the id. */
enum tt_space {
	SP_NONE,
	SP_OWN,		/* a worker's keys, modelled by it */
	SP_SHARED,	/* any worker, any operation */
	SP_COUNTER,	/* compare-and-swap loops only */
	SP_DUEL,	/* compare-and-swap against compare-and-delete */
	SP_STABLE,	/* present throughout the phase */
	SP_SDIRTY,	/* present once published, added after promotions */
	SP_FILL,	/* the dirty writer's and copy driver's keys */
	SP_GROW,	/* grow phase: never deleted */
	SP_CHURN,	/* churn phase: a worker's window */
	NR_SPACES
};

#define TT_ID(sp, tid, idx) \
	(((u64)(sp) << 56) | ((u64)(tid) << 40) | (u64)(idx))

static inline unsigned int id_space(u64 id)
{
	return id >> 56;
}

static inline unsigned int id_tid(u64 id)
{
	return (id >> 40) & 0xffff;
}

static inline u64 id_idx(u64 id)
{
	return id & GENMASK_ULL(39, 0);
}

enum tt_op {
	OP_LOAD, OP_STORE, OP_LOS, OP_LAD, OP_DELETE, OP_SWAP, OP_CAS, OP_CAD,
	OP_RANGE, OP_LEN, OP_CLEAR, NR_OPS
};

static const char * const tt_op_names[NR_OPS] = {
	"load", "store", "load_or_store", "load_and_delete", "delete", "swap",
	"cas", "cad", "range", "len", "clear",
};

/* Phase flags: which key sets and helper threads a phase has. */
#define TT_F_OWN	BIT(0)	/* workers model SP_OWN keys */
#define TT_F_CHURN	BIT(1)	/* workers model SP_CHURN windows */
#define TT_F_STABLE	BIT(2)	/* stable keys (and irq loads of them) */
#define TT_F_SHARED	BIT(3)	/* shared and duel keys */
#define TT_F_COUNTER	BIT(4)	/* counters */
#define TT_F_DIRTYW	BIT(5)	/* dirty writer: stable-dirty and fill keys */
#define TT_F_COPYD	BIT(6)	/* copy driver: a new key after each promotion */
#define TT_F_GROW	BIT(7)	/* grow writers and readers */
#define TT_F_CLEAR	BIT(8)	/* Clear runs: own keys may vanish */
#define TT_F_REGROW	BIT(9)	/* regrow writer, loads of its keys */
/* Phases whose keys the interrupt handlers load. */
#define TT_F_IRQ	(TT_F_STABLE | TT_F_GROW | TT_F_CLEAR | TT_F_REGROW)

struct tt_thread;
struct tt_run;

/**
 * struct tt_phase - what one phase does
 * @name: its name in the phases parameter and the log
 * @flags: TT_F_*
 * @op: one operation of a worker
 * @mix: weights (per 10000) of own_op()'s operations, OP_LOAD..OP_LEN
 * @range_pause: most milliseconds a range thread waits between two calls
 *	(Range promotes: it must not come so often that no dirty map grows)
 */
struct tt_phase {
	const char *name;
	unsigned int flags;
	void (*op)(struct tt_thread *t);
	u16 mix[OP_CLEAR];
	unsigned int range_pause;
};

/**
 * struct tt_val - a value the torture stores
 * @magic: TT_LIVE, TT_POISON once released
 * @taken: removals that reported this value; more than one is a violation
 * @id: the key it was made for
 * @n: serial, unique per value (a counter's count for counters)
 * @q: place in the quarantine
 * @rcu: for the free after the quarantine
 */
struct tt_val {
	u32 magic;
	atomic_t taken;
	u64 id;
	u64 n;
	union {
		struct list_head q;
		struct rcu_head rcu;
	};
};

/**
 * struct tt_map - one map and the books of its values
 * @map: the map
 * @run: the run it belongs to
 * @made: values allocated for it
 * @freed: values the test freed itself (the map never took them)
 * @released: values the map released
 * @destroyed: ops->destroy() calls
 * @qlock: protects @q and @qlen
 * @q: released values, poisoned, oldest first
 * @qlen: length of @q
 */
struct tt_map {
	struct syncmap *map;
	struct tt_run *run;
	atomic_long_t made;
	atomic_long_t freed;
	atomic_long_t released;
	atomic_t destroyed;
	spinlock_t qlock;	/* the quarantine */
	struct list_head q;
	unsigned long qlen;
};

/**
 * struct tt_thread - a torture thread, or the main thread
 * @run: the run
 * @task: the kthread (NULL for the main thread)
 * @done: completed when @fn returned
 * @fn: what the thread runs
 * @id: index in the run's threads, part of its keys and serials
 * @budget: operations a worker runs at most
 * @rnd: its random state
 * @seq: last serial made
 * @ops: operations run, per kind
 * @checks: invariant checks made
 * @space: SP_OWN, SP_CHURN or SP_FILL when the thread models keys
 * @nr_own: keys modelled (window size for SP_CHURN and SP_FILL)
 * @own: SP_OWN: serial of each key's value, 0 when absent; SP_CHURN and
 *	SP_FILL: a ring holding the serials of the keys in [@lo, @hi)
 * @epoch: clear phase: clears finished before the op that wrote own[i]
 * @own_count: keys of @own present
 * @lo: first key of the window
 * @hi: next key of the window (grow writers: keys inserted)
 * @watch_slots: grow writers: dirty slots last seen
 * @watch_promotions: grow writers: promotions last seen
 * @bumps: successful increments of each counter
 * @ctr_seen: highest value seen of each counter
 * @seen: a bitmap for Range's at-most-once check
 * @duel_cas: duel compare-and-swaps that won
 * @duel_cad: duel compare-and-deletes that won
 * @duel_lost: duel operations that lost the race
 * @grow_writer: grow phase: this worker inserts
 * @growths: dirty-map growths the dirty writer saw
 * @growing_seen: times it saw one in progress
 */
struct tt_thread {
	struct tt_run *run;
	struct task_struct *task;
	struct completion done;
	int (*fn)(struct tt_thread *t);
	unsigned int id;
	unsigned long budget;
	struct rnd_state rnd;
	u64 seq;
	u64 ops[NR_OPS];
	u64 checks;
	unsigned int space;
	u32 nr_own;
	u64 *own;
	long *epoch;
	u32 own_count;
	u64 lo;
	u64 hi;
	u64 watch_slots;
	u64 watch_promotions;
	u64 bumps[TT_COUNTERS];
	u64 ctr_seen[TT_COUNTERS];
	unsigned long *seen;
	u64 duel_cas;
	u64 duel_cad;
	u64 duel_lost;
	bool grow_writer;
	u64 growths;
	u64 growing_seen;
};

/**
 * struct tt_run - the state of the phase being run
 * @ph: the phase
 * @m: its map
 * @th: the threads: workers, range threads, helper, then the main thread
 * @nr_workers: workers
 * @nr_threads: threads started (workers, range threads, helper)
 * @main: the main thread's struct (last of @th)
 * @filler: the helper that models the SP_FILL keys, or NULL
 * @deadline: jiffies at which the phase stops
 * @stop: tells the threads to stop
 * @aborted: a fatal signal stopped the run
 * @errors: violations
 * @xchecks: checks made in interrupt context
 * @soft_loads: loads from the timer
 * @hard_loads: loads from the irq_work (those that ran in hardirq)
 * @clearing: Clear runs in this phase
 * @clears_begun: Clear calls begun
 * @clears_done: Clear calls returned
 * @nr_own: keys each worker models
 * @nr_shared: shared keys
 * @nr_stable: stable keys
 * @nr_counters: counters
 * @nr_duels: duel keys
 * @sdirty_cap: stable-dirty keys at most
 * @sdirty_hi: stable-dirty keys published: [0, sdirty_hi) are present
 * @regrow_gen: regrow: even while the keys in [@regrow_lo, @regrow_hi)
 *	are present, odd while the writer deletes them
 * @regrow_lo: regrow: first key of the cycle
 * @regrow_hi: regrow: keys inserted so far
 * @regrow_budget: regrow: loads of those keys allowed, one per insert
 * @new_budget: loads of the newest keys allowed (tt_pick()), one per two
 *	inserts of the dirty writer or the grow writers
 * @grow_writers: grow writers
 * @grow_per: keys each grow writer inserts
 * @grow_hi: keys each grow writer published: [0, grow_hi) are present
 * @grow_mark: keys each grow writer had inserted when it last saw a
 *	promotion: those below are in the snapshot, loads of them hit
 * @writers_left: grow writers still inserting
 * @base: first Range slot of each key space
 * @size: Range slots of each key space
 * @total_slots: Range slots in all
 * @max_keys: most keys the map can hold at once
 * @ctr_expect: final value of each counter (verification)
 * @timer: the softirq loader
 * @iw: the hardirq loader
 * @irq_stop: stops both
 * @irq_seq: their source of randomness
 * @last_slots: dirty_slots at the last poll
 * @last_promotions: promotions at the last poll
 * @polled_growths: polls that saw the dirty map bigger than before
 * @polled_growing: polls that saw it growing
 */
struct tt_run {
	const struct tt_phase *ph;
	struct tt_map *m;
	struct tt_thread *th;
	unsigned int nr_workers;
	unsigned int nr_threads;
	struct tt_thread *main;
	struct tt_thread *filler;
	unsigned long deadline;
	atomic_t stop;
	bool aborted;
	atomic_t errors;
	atomic64_t xchecks;
	atomic64_t soft_loads;
	atomic64_t hard_loads;
	bool clearing;
	atomic_long_t clears_begun;
	atomic_long_t clears_done;
	u32 nr_own;
	u32 nr_shared;
	u32 nr_stable;
	u32 nr_counters;
	u32 nr_duels;
	u32 sdirty_cap;
	atomic_t sdirty_hi;
	atomic_t regrow_gen;
	atomic_t regrow_lo;
	atomic_t regrow_hi;
	atomic_t regrow_budget;
	atomic_t new_budget;
	u32 grow_writers;
	u32 grow_per;
	atomic_t grow_hi[TT_MAX_THREADS];
	atomic_t grow_mark[TT_MAX_THREADS];
	atomic_t writers_left;
	u32 base[NR_SPACES];
	u32 size[NR_SPACES];
	u32 total_slots;
	u32 max_keys;
	u64 ctr_expect[TT_COUNTERS];
	struct timer_list timer;
	struct irq_work iw;
	atomic_t irq_stop;
	atomic_t irq_seq;
	u64 last_slots;
	u64 last_promotions;
	u64 polled_growths;
	u64 polled_growing;
};

/* Totals over the phases, for the result line. */
static struct {
	u64 ops[NR_OPS];
	u64 checks;
	u64 soft_loads;
	u64 hard_loads;
	int errors;
	bool aborted;
} tt_total;

static DEFINE_RATELIMIT_STATE(tt_fail_rs, 5 * HZ, 30);

static __printf(2, 3) void tt_fail(struct tt_run *run, const char *fmt, ...)
{
	struct va_format vaf;
	va_list args;

	atomic_inc(&run->errors);
	if (!__ratelimit(&tt_fail_rs))
		return;
	va_start(args, fmt);
	vaf.fmt = fmt;
	vaf.va = &args;
	pr_err("violation in phase %s: %pV\n", run->ph->name, &vaf);
	va_end(args);
}

/* Count a check; true when it held. */
static __always_inline bool tt_ok(struct tt_thread *t, bool ok)
{
	t->checks++;
	return likely(ok);
}

static bool tt_should_stop(struct tt_run *run)
{
	return atomic_read(&run->stop) || time_after(jiffies, run->deadline);
}

static u32 rnd(struct tt_thread *t, u32 n)
{
	return n ? prandom_u32_state(&t->rnd) % n : 0;
}

/* splitmix64: randomness for the interrupt handlers, from a counter. */
static u64 tt_mix64(u64 x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static u64 tt_serial(struct tt_thread *t)
{
	return ((u64)(t->id + 1) << 40) | ++t->seq;
}

/* A serial no value has: compares unequal to everything. */
static u64 tt_nomatch(struct tt_thread *t)
{
	return BIT_ULL(63) | ++t->seq;
}

/* ---- keys ------------------------------------------------------------ */

#define TT_KEY_MAX	24

struct tt_key {
	u8 buf[TT_KEY_MAX];
	u32 len;
};

/* 0 to 16 bytes after the id, so that keys have many lengths. */
static u32 tt_pad(u64 id)
{
	return (u32)((id ^ (id >> 23) ^ (id >> 47)) % 17);
}

static u8 tt_pad_byte(u64 id, u32 i)
{
	return (u8)(id * 31 + i * 7 + 1);
}

static void tt_key(struct tt_key *k, u64 id)
{
	__le64 le = cpu_to_le64(id);
	u32 i, pad = tt_pad(id);

	memcpy(k->buf, &le, sizeof(le));
	for (i = 0; i < pad; i++)
		k->buf[8 + i] = tt_pad_byte(id, i);
	k->len = 8 + pad;
}

static bool tt_key_decode(const void *key, size_t len, u64 *id)
{
	const u8 *b = key;
	__le64 le;
	u32 i;

	if (len < 8 || len > TT_KEY_MAX)
		return false;
	memcpy(&le, b, sizeof(le));
	*id = le64_to_cpu(le);
	if (len != 8 + tt_pad(*id))
		return false;
	for (i = 0; i < len - 8; i++)
		if (b[8 + i] != tt_pad_byte(*id, i))
			return false;
	return true;
}

/*
 * Range slot of a key, for the at-most-once bitmap; -1 for a key no phase
 * of this layout ever stores.  Ring spaces (fill, churn) fold the index:
 * the keys one Range call can meet there span one window.
 */
static long tt_slot(struct tt_run *run, u64 id)
{
	unsigned int sp = id_space(id), tid = id_tid(id);
	u64 idx = id_idx(id);
	u32 per;

	if (sp == SP_NONE || sp >= NR_SPACES || !run->size[sp])
		return -1;
	switch (sp) {
	case SP_OWN:
		if (tid >= run->nr_workers || idx >= run->nr_own)
			return -1;
		return run->base[sp] + tid * run->nr_own + idx;
	case SP_CHURN:
		per = 4 * run->nr_own;
		if (tid >= run->nr_workers)
			return -1;
		return run->base[sp] + tid * per + idx % per;
	case SP_FILL:
		if (tid)
			return -1;
		return run->base[sp] + idx % TT_FILL_RING;
	case SP_GROW:
		if (tid >= run->grow_writers || idx >= run->grow_per)
			return -1;
		return run->base[sp] + (u64)tid * run->grow_per + idx;
	default:
		if (tid || idx >= run->size[sp])
			return -1;
		return run->base[sp] + idx;
	}
}

/* ---- values and the map's callbacks ---------------------------------- */

static struct tt_val *tt_new(struct tt_thread *t, u64 id, u64 n)
{
	struct tt_val *v = kmalloc(sizeof(*v), GFP_KERNEL);

	if (!v) {
		tt_fail(t->run, "no memory for a value");
		return NULL;
	}
	v->magic = TT_LIVE;
	atomic_set(&v->taken, 0);
	v->id = id;
	v->n = n;
	atomic_long_inc(&t->run->m->made);
	return v;
}

static struct tt_val *tt_new_serial(struct tt_thread *t, u64 id)
{
	return tt_new(t, id, tt_serial(t));
}

/* Free a value the map does not own. */
static void tt_free(struct tt_run *run, struct tt_val *v)
{
	atomic_long_inc(&run->m->freed);
	kfree(v);
}

static void tt_release(void *value, void *priv)
{
	struct tt_map *m = priv;
	struct tt_val *v = value, *old = NULL;
	u32 magic = READ_ONCE(v->magic);

	if (magic != TT_LIVE) {
		tt_fail(m->run, "release of key %llx value %llx: magic %x, released twice?",
			v->id, v->n, magic);
		return;
	}
	WRITE_ONCE(v->magic, TT_POISON);
	atomic_long_inc(&m->released);
	spin_lock(&m->qlock);
	list_add_tail(&v->q, &m->q);
	if (++m->qlen > TT_QUARANTINE) {
		old = list_first_entry(&m->q, struct tt_val, q);
		list_del(&old->q);
		m->qlen--;
	}
	spin_unlock(&m->qlock);
	if (old)
		kfree_rcu(old, rcu);
}

/* Content equality; @a is the value in the map, which must be live. */
static bool tt_equal(const void *a, const void *b, void *priv)
{
	const struct tt_val *x = a, *y = b;
	struct tt_map *m = priv;

	atomic64_inc(&m->run->xchecks);
	if (READ_ONCE(x->magic) != TT_LIVE || READ_ONCE(y->magic) != TT_LIVE)
		tt_fail(m->run, "ops->equal() compared a released value (keys %llx, %llx)",
			x->id, y->id);
	return x->n == y->n;
}

static void tt_destroy(void *priv)
{
	struct tt_map *m = priv;

	atomic_inc(&m->destroyed);
}

static const struct syncmap_ops tt_ops = {
	.release = tt_release,
	.equal = tt_equal,
	.destroy = tt_destroy,
};

/* A value handed out by the map: live and made for @id. */
static bool tt_val_ok(struct tt_thread *t, const struct tt_val *v, u64 id,
		      const char *what)
{
	u32 magic = READ_ONCE(v->magic);

	if (tt_ok(t, magic == TT_LIVE && v->id == id))
		return true;
	if (magic != TT_LIVE)
		tt_fail(t->run, "%s of key %llx: the value (serial %llx) was released (magic %x)",
			what, id, v->n, magic);
	else
		tt_fail(t->run, "%s of key %llx: got the value of key %llx", what,
			id, v->id);
	return false;
}

/* The remover of a value it could see marks it: only one may. */
static void tt_take(struct tt_thread *t, struct tt_val *v, const char *what)
{
	int n = atomic_inc_return(&v->taken);

	if (!tt_ok(t, n == 1))
		tt_fail(t->run, "%s of key %llx removed value %llx, which %d operations removed",
			what, v->id, v->n, n);
}

/* ---- the model of a thread's keys ------------------------------------ */

/* Clears finished before an operation (clear phase). */
static long tt_epoch(struct tt_run *run)
{
	long e;

	if (!run->clearing)
		return 0;
	e = atomic_long_read(&run->clears_done);
	/* The operation that follows comes after the read; see tt_clear(). */
	smp_mb();
	return e;
}

/*
 * Whether a key written by an operation that started at @e may have been
 * cleared since: a Clear began that had not finished when it started.
 */
static bool tt_cleared_since(struct tt_run *run, long e)
{
	if (!run->clearing)
		return false;
	/* Read clears_begun after the operation before it; see tt_clear(). */
	smp_mb();
	return atomic_long_read(&run->clears_begun) != e;
}

static void tt_own_set(struct tt_thread *t, u32 i, u64 n, long e)
{
	if (!t->own[i] != !n)
		t->own_count += n ? 1 : -1;
	t->own[i] = n;
	if (t->epoch)
		t->epoch[i] = e;
}

/*
 * What a thread's model says about @id: false when the key is not one it
 * models; else *@n is the serial expected (0: absent) and *@sure tells
 * whether no Clear may have removed it since it was written.
 */
static bool tt_expect(struct tt_thread *t, u64 id, u64 *n, bool *sure)
{
	u64 idx = id_idx(id);

	*sure = true;
	if (id_space(id) != t->space || !t->own)
		return false;
	if (t->space != SP_FILL && id_tid(id) != t->id)
		return false;
	if (t->space == SP_OWN) {
		if (idx >= t->nr_own)
			return false;
		*n = t->own[idx];
		if (*n && t->epoch)
			*sure = !tt_cleared_since(t->run, t->epoch[idx]);
		return true;
	}
	*n = idx >= t->lo && idx < t->hi ? t->own[idx % t->nr_own] : 0;
	return true;
}

/* ---- Range ----------------------------------------------------------- */

enum tt_walk_mode {
	WALK_ANY,	/* a range thread: nothing modelled */
	WALK_SELF,	/* a worker: its own model holds during the call */
	WALK_FINAL,	/* threads stopped: every model holds */
};

struct tt_marks {
	u32 sdirty;
	u32 grow[TT_MAX_THREADS];
};

struct tt_walk {
	struct tt_thread *t;
	enum tt_walk_mode mode;
	u64 visited;
};

static void tt_marks(struct tt_run *run, struct tt_marks *mk)
{
	u32 w;

	mk->sdirty = atomic_read_acquire(&run->sdirty_hi);
	for (w = 0; w < run->grow_writers; w++)
		mk->grow[w] = atomic_read_acquire(&run->grow_hi[w]);
}

static void tt_overwrite(struct tt_thread *t, u64 id);

static struct tt_thread *tt_modeller(struct tt_run *run, u64 id)
{
	unsigned int sp = id_space(id);

	if (sp == SP_FILL)
		return run->filler;
	if ((sp == SP_OWN || sp == SP_CHURN) && id_tid(id) < run->nr_workers)
		return &run->th[id_tid(id)];
	return NULL;
}

static bool tt_walk_fn(const void *key, size_t len, void *value, void *arg)
{
	struct tt_walk *w = arg;
	struct tt_thread *t = w->t, *mt = NULL;
	struct tt_run *run = t->run;
	struct tt_val *v = value, *got;
	bool sure, mine = false;
	struct tt_key k;
	long slot;
	u64 id, n;

	w->visited++;
	if ((w->visited & 1023) == 0)
		cond_resched();
	if (!tt_ok(t, tt_key_decode(key, len, &id))) {
		tt_fail(run, "range passed a malformed key of %zu bytes", len);
		return true;
	}
	slot = tt_slot(run, id);
	if (!tt_ok(t, slot >= 0)) {
		tt_fail(run, "range passed key %llx, which was never stored", id);
		return true;
	}
	if (!tt_ok(t, !__test_and_set_bit(slot, t->seen)))
		tt_fail(run, "range visited key %llx twice in one call", id);
	if (!tt_val_ok(t, v, id, "range"))
		return true;

	if (w->mode == WALK_SELF)
		mt = t;
	else if (w->mode == WALK_FINAL)
		mt = tt_modeller(run, id);
	if (mt && tt_expect(mt, id, &n, &sure)) {
		mine = true;
		if (!tt_ok(t, n == v->n))
			tt_fail(run, "range: key %llx holds %llx, its model says %llx",
				id, v->n, n);
	} else if (id_space(id) == SP_COUNTER && w->mode == WALK_FINAL) {
		if (!tt_ok(t, v->n == run->ctr_expect[id_idx(id)]))
			tt_fail(run, "counter %llu ends at %llu after %llu successful bumps",
				id_idx(id), v->n, run->ctr_expect[id_idx(id)]);
	}

	/*
	 * The callback may call the map: a load of an own key finds what the
	 * walk passed, since only this thread changes it (and Clear).
	 */
	if (w->mode == WALK_SELF && mine && rnd(t, 32) == 0) {
		tt_key(&k, id);
		rcu_read_lock();
		got = syncmap_load(run->m->map, k.buf, k.len);
		t->ops[OP_LOAD]++;
		if (!tt_ok(t, got == v || (!got && run->clearing)))
			tt_fail(run, "load in range callback: own key %llx has another value",
				id);
		rcu_read_unlock();
	}
	/* And writes: a range thread overwrites stable keys it passes. */
	if (w->mode == WALK_ANY && id_space(id) == SP_STABLE && rnd(t, 256) == 0)
		tt_overwrite(t, id);
	return true;
}

static void tt_must_visit(struct tt_thread *t, u64 id, const char *what)
{
	long slot = tt_slot(t->run, id);

	if (!tt_ok(t, slot >= 0 && test_bit(slot, t->seen)))
		tt_fail(t->run, "range missed %s key %llx, present throughout", what, id);
}

/* Keys @mt models as present (and, in the clear phase, surely so). */
static void tt_walk_model(struct tt_thread *t, struct tt_thread *mt)
{
	u64 idx;
	u32 i;

	if (mt->space == SP_OWN) {
		for (i = 0; i < mt->nr_own; i++) {
			if (!mt->own[i])
				continue;
			if (mt->epoch && tt_cleared_since(t->run, mt->epoch[i]))
				continue;
			tt_must_visit(t, TT_ID(SP_OWN, mt->id, i), "own");
		}
	} else if (mt->space == SP_CHURN || mt->space == SP_FILL) {
		for (idx = mt->lo; idx < mt->hi; idx++)
			tt_must_visit(t, TT_ID(mt->space,
					       mt->space == SP_FILL ? 0 : mt->id,
					       idx), "windowed");
	}
}

/* Everything present throughout the call must have been visited. */
static void tt_walk_post(struct tt_thread *t, struct tt_walk *w,
			 const struct tt_marks *mk)
{
	struct tt_run *run = t->run;
	u32 i, g;

	for (i = 0; i < run->nr_stable; i++)
		tt_must_visit(t, TT_ID(SP_STABLE, 0, i), "stable");
	for (i = 0; i < run->nr_counters; i++)
		tt_must_visit(t, TT_ID(SP_COUNTER, 0, i), "counter");
	for (i = 0; i < mk->sdirty; i++)
		tt_must_visit(t, TT_ID(SP_SDIRTY, 0, i), "stable-dirty");
	for (g = 0; g < run->grow_writers; g++) {
		for (i = 0; i < mk->grow[g]; i++) {
			tt_must_visit(t, TT_ID(SP_GROW, g, i), "grown");
			if ((i & 4095) == 4095)
				cond_resched();
		}
	}
	if (w->mode == WALK_SELF) {
		tt_walk_model(t, t);
	} else if (w->mode == WALK_FINAL) {
		for (i = 0; i < run->nr_workers; i++)
			tt_walk_model(t, &run->th[i]);
		if (run->filler)
			tt_walk_model(t, run->filler);
	}
}

/* A checked Range call; returns the keys visited. */
static u64 tt_range(struct tt_thread *t, enum tt_walk_mode mode)
{
	struct tt_run *run = t->run;
	struct tt_walk w = { .t = t, .mode = mode };
	struct tt_marks mk;

	bitmap_zero(t->seen, run->total_slots);
	tt_marks(run, &mk);
	syncmap_range(run->m->map, tt_walk_fn, &w);
	t->ops[OP_RANGE]++;
	tt_walk_post(t, &w, &mk);
	return w.visited;
}

static bool tt_nop(const void *key, size_t len, void *value, void *arg)
{
	return true;
}

/* Range promotes the dirty map first, as Go's does. */
static void tt_promote(struct tt_thread *t)
{
	syncmap_range(t->run->m->map, tt_nop, NULL);
	t->ops[OP_RANGE]++;
}

/* ---- keys present throughout: loads from every context --------------- */

/*
 * A key present throughout the phase from now on, picked with @r; 0 when
 * there is none yet.  @write: one that anyone may overwrite (not a
 * counter).  *@must: whether a load must find it.
 */
static u64 tt_pick(struct tt_run *run, u64 r, bool write, bool *must)
{
	u32 hi, lo, w, n, mark;

	*must = true;
	if (run->ph->flags & TT_F_GROW) {
		w = (r >> 8) % run->grow_writers;
		hi = atomic_read_acquire(&run->grow_hi[w]);
		mark = min_t(u32, atomic_read(&run->grow_mark[w]), hi);
		/*
		 * Keys above the mark are in the dirty map: loading them is a
		 * miss, for which the budget must have room (see below), and
		 * then a few among the newest.
		 */
		if (hi > mark && atomic_dec_if_positive(&run->new_budget) >= 0)
			n = r % 16 == 0 ? min(hi, 64U) : hi;
		else if (mark)
			return TT_ID(SP_GROW, w, (r >> 24) % mark);
		else
			return 0;
		return TT_ID(SP_GROW, w, hi - 1 - (r >> 24) % n);
	}
	if (run->ph->flags & TT_F_CLEAR) {
		*must = false;
		return TT_ID(SP_SHARED, 0, (r >> 8) % run->nr_shared);
	}
	/*
	 * Loads of keys only the dirty map holds count misses, which promote
	 * it once they reach its size: few enough of them that the dirty
	 * writer's inserts get the dirty map to grow first.  The budget ties
	 * them to the inserts, whatever the speed of the kernel against the
	 * rate of the interrupt handlers.
	 */
	switch (r % 16) {
	case 0 ... 1:
		if (!write && run->nr_counters)
			return TT_ID(SP_COUNTER, 0, (r >> 8) % run->nr_counters);
		break;
	case 2:
		/* The newest batch, which may live only in the dirty map. */
		if (atomic_dec_if_positive(&run->new_budget) < 0)
			break;
		hi = atomic_read_acquire(&run->sdirty_hi);
		lo = hi > TT_SDIRTY_BATCH ? hi - TT_SDIRTY_BATCH : 0;
		if (hi)
			return TT_ID(SP_SDIRTY, 0, lo + (r >> 8) % (hi - lo));
		break;
	case 3 ... 4:
		hi = atomic_read_acquire(&run->sdirty_hi);
		if (hi)
			return TT_ID(SP_SDIRTY, 0, (r >> 8) % hi);
		break;
	}
	if (!run->nr_stable)
		return 0;
	return TT_ID(SP_STABLE, 0, (r >> 8) % run->nr_stable);
}

/*
 * Load a key of the regrow writer's current cycle: only the dirty map
 * holds it, and that dirty map keeps growing.  The generation tells
 * whether the key was present throughout the load (as a seqcount does);
 * the budget keeps the misses these loads count well below the dirty
 * map's size, so that they do not promote it before it has grown.  @t is
 * NULL in interrupt context.  Return: -1 if there was nothing to load.
 */
static int tt_regrow_load(struct tt_run *run, struct tt_thread *t, bool hard)
{
	u32 gen, lo, hi, idx;
	const char *ctx;
	struct tt_val *v;
	struct tt_key k;
	u64 id;

	gen = atomic_read_acquire(&run->regrow_gen);
	if ((gen & 1) || atomic_dec_if_positive(&run->regrow_budget) < 0)
		return -1;
	lo = atomic_read_acquire(&run->regrow_lo);
	hi = atomic_read_acquire(&run->regrow_hi);
	if (hi <= lo)
		return -1;
	idx = t ? rnd(t, hi - lo) :
		  tt_mix64(atomic_inc_return(&run->irq_seq)) % (hi - lo);
	id = TT_ID(SP_FILL, 0, lo + idx);
	ctx = t ? "load" : hard ? "hardirq load" : "softirq load";
	tt_key(&k, id);
	rcu_read_lock();
	v = syncmap_load(run->m->map, k.buf, k.len);
	/* Pairs with the barrier before the writer's Clear. */
	smp_rmb();
	if (t)
		t->checks++;
	else
		atomic64_inc(&run->xchecks);
	if (v) {
		if (READ_ONCE(v->magic) != TT_LIVE || v->id != id)
			tt_fail(run, "%s of key %llx of a growing dirty map: magic %x, key %llx",
				ctx, id, READ_ONCE(v->magic), v->id);
	} else if (atomic_read(&run->regrow_gen) == gen) {
		tt_fail(run, "%s missed key %llx of a growing dirty map, present throughout",
			ctx, id);
	}
	rcu_read_unlock();
	if (t)
		t->ops[OP_LOAD]++;
	else
		atomic64_inc(hard ? &run->hard_loads : &run->soft_loads);
	return 0;
}

/* A load from interrupt context, checked. */
static void tt_irq_load(struct tt_run *run, bool hard)
{
	struct tt_val *v;
	struct tt_key k;
	bool must;
	u64 id;

	if (run->ph->flags & TT_F_REGROW) {
		tt_regrow_load(run, NULL, hard);
		return;
	}
	id = tt_pick(run, tt_mix64(atomic_inc_return(&run->irq_seq)), false,
		     &must);
	if (!id)
		return;
	tt_key(&k, id);
	rcu_read_lock();
	v = syncmap_load(run->m->map, k.buf, k.len);
	atomic64_inc(&run->xchecks);
	if (v) {
		u32 magic = READ_ONCE(v->magic);

		if (magic != TT_LIVE || v->id != id)
			tt_fail(run, "%s load of key %llx: magic %x, value of key %llx",
				hard ? "hardirq" : "softirq", id, magic, v->id);
	} else if (must) {
		tt_fail(run, "%s load missed key %llx, present throughout",
			hard ? "hardirq" : "softirq", id);
	}
	rcu_read_unlock();
	atomic64_inc(hard ? &run->hard_loads : &run->soft_loads);
}

static void tt_irq_work_fn(struct irq_work *iw)
{
	struct tt_run *run = container_of(iw, struct tt_run, iw);
	unsigned int i;

	for (i = 0; i < TT_IRQ_HARD_LOADS; i++)
		tt_irq_load(run, in_hardirq());
}

static void tt_timer_fn(struct timer_list *tm)
{
	struct tt_run *run = container_of(tm, struct tt_run, timer);
	unsigned int i;

	if (atomic_read(&run->irq_stop))
		return;
	for (i = 0; i < TT_IRQ_SOFT_LOADS; i++)
		tt_irq_load(run, false);
	irq_work_queue(&run->iw);
	mod_timer(&run->timer, jiffies + 1);
}

/* A checked load by a thread; @must: the key is present throughout. */
static void tt_load(struct tt_thread *t, u64 id, bool must)
{
	struct tt_run *run = t->run;
	struct tt_val *v;
	struct tt_key k;

	tt_key(&k, id);
	rcu_read_lock();
	v = syncmap_load(run->m->map, k.buf, k.len);
	t->ops[OP_LOAD]++;
	if (v) {
		if (tt_val_ok(t, v, id, "load") && rnd(t, 64) == 0) {
			/* Linger: a release now would be too early. */
			udelay(rnd(t, 20));
			tt_val_ok(t, v, id, "load (after lingering)");
		}
	} else if (!tt_ok(t, !must)) {
		tt_fail(run, "load missed key %llx, present throughout", id);
	}
	rcu_read_unlock();
}

/* A burst of loads with hardirqs off. */
static void tt_irqs_off_loads(struct tt_thread *t)
{
	struct tt_run *run = t->run;
	unsigned long flags;
	struct tt_val *v;
	struct tt_key k;
	unsigned int i;
	bool must;
	u64 id;

	local_irq_save(flags);
	rcu_read_lock();
	for (i = 0; i < 4; i++) {
		id = tt_pick(run, tt_mix64(prandom_u32_state(&t->rnd)), false,
			     &must);
		if (!id)
			break;
		tt_key(&k, id);
		v = syncmap_load(run->m->map, k.buf, k.len);
		t->ops[OP_LOAD]++;
		if (v)
			tt_val_ok(t, v, id, "load with hardirqs off");
		else if (!tt_ok(t, !must))
			tt_fail(run, "load with hardirqs off missed key %llx, present throughout",
				id);
	}
	rcu_read_unlock();
	local_irq_restore(flags);
}

/* Replace the value of a key present throughout; it stays present. */
static void tt_overwrite(struct tt_thread *t, u64 id)
{
	struct tt_run *run = t->run;
	struct syncmap *map = run->m->map;
	struct tt_val *nv, *old;
	struct tt_key k;
	int ret, idx;

	nv = tt_new_serial(t, id);
	if (!nv)
		return;
	tt_key(&k, id);
	idx = syncmap_read_lock(map);
	switch (rnd(t, 4)) {
	case 0:
		ret = syncmap_store(map, k.buf, k.len, nv);
		t->ops[OP_STORE]++;
		if (!tt_ok(t, !ret)) {
			tt_fail(run, "store over key %llx returned %d", id, ret);
			tt_free(run, nv);
		}
		break;
	case 1:
		ret = syncmap_swap(map, k.buf, k.len, nv, (void **)&old);
		t->ops[OP_SWAP]++;
		if (!tt_ok(t, ret == 1 && old)) {
			tt_fail(run, "swap of key %llx, present throughout, returned %d", id, ret);
			if (ret < 0)
				tt_free(run, nv);
		} else if (tt_val_ok(t, old, id, "swap (previous)")) {
			tt_take(t, old, "swap");
		}
		break;
	case 2:
		old = syncmap_load(map, k.buf, k.len);
		t->ops[OP_LOAD]++;
		if (!tt_ok(t, !!old)) {
			tt_fail(run, "load missed key %llx, present throughout", id);
			tt_free(run, nv);
			break;
		}
		if (!tt_val_ok(t, old, id, "load")) {
			tt_free(run, nv);
			break;
		}
		ret = syncmap_compare_and_swap(map, k.buf, k.len, old, nv);
		t->ops[OP_CAS]++;
		if (ret == 1)
			tt_take(t, old, "compare_and_swap");
		else
			tt_free(run, nv);
		if (!tt_ok(t, ret >= 0))
			tt_fail(run, "compare_and_swap of key %llx returned %d", id, ret);
		break;
	default:
		ret = syncmap_load_or_store(map, k.buf, k.len, nv, (void **)&old);
		t->ops[OP_LOS]++;
		if (ret != 0)
			tt_free(run, nv);
		if (!tt_ok(t, ret == 1 && old))
			tt_fail(run, "load_or_store of key %llx, present throughout, returned %d",
				id, ret);
		else
			tt_val_ok(t, old, id, "load_or_store (actual)");
		break;
	}
	syncmap_read_unlock(map, idx);
}

static void stable_op(struct tt_thread *t)
{
	u32 r = rnd(t, 16);
	bool must;
	u64 id;

	if (r < 3) {
		tt_irqs_off_loads(t);
		return;
	}
	id = tt_pick(t->run, tt_mix64(prandom_u32_state(&t->rnd)), r >= 12,
		     &must);
	if (!id)
		return;
	if (r < 12)
		tt_load(t, id, must);
	else
		tt_overwrite(t, id);
}

/* ---- own keys, checked against the model after every operation ------- */

static void tt_len_check(struct tt_thread *t)
{
	struct tt_run *run = t->run;
	u64 low = 0, high, len;
	struct tt_marks mk;
	u32 g;

	tt_marks(run, &mk);
	if (!run->clearing) {
		low = run->nr_stable + run->nr_counters + mk.sdirty;
		for (g = 0; g < run->grow_writers; g++)
			low += mk.grow[g];
		if (t->space == SP_OWN)
			low += t->own_count;
		else if (t->space == SP_CHURN)
			low += t->hi - t->lo;
	}
	len = syncmap_len(run->m->map);
	t->ops[OP_LEN]++;
	/* Inserts in flight are counted early; Clear uncounts late. */
	high = run->max_keys + run->nr_threads + 2;
	if (run->clearing)
		high *= 2;
	if (!tt_ok(t, len >= low && len <= high))
		tt_fail(run, "len %llu outside [%llu, %llu]", len, low, high);
}

static void tt_clear(struct tt_thread *t)
{
	struct tt_run *run = t->run;
	int ret;

	/* Fully ordered: pairs with the barriers of tt_epoch(), tt_cleared_since(). */
	atomic_long_inc_return(&run->clears_begun);
	ret = syncmap_clear(run->m->map);
	atomic_long_inc_return(&run->clears_done);
	t->ops[OP_CLEAR]++;
	if (!tt_ok(t, !ret))
		tt_fail(run, "clear returned %d", ret);
}

static enum tt_op tt_pick_op(struct tt_thread *t, const u16 *mix)
{
	u32 r = rnd(t, 10000);
	enum tt_op op;

	for (op = OP_LOAD; op < OP_LEN; op++) {
		if (r < mix[op])
			return op;
		r -= mix[op];
	}
	return OP_LEN;
}

static void own_op(struct tt_thread *t)
{
	struct tt_run *run = t->run;
	struct syncmap *map = run->m->map;
	u32 i = rnd(t, t->nr_own);
	u64 id = TT_ID(SP_OWN, t->id, i), cur = t->own[i], n, got;
	struct tt_val *v, *nv, *old, cmp;
	bool present = cur, gone, match;
	enum tt_op op = tt_pick_op(t, run->ph->mix);
	struct tt_key k;
	int ret, idx;
	long e;

	tt_key(&k, id);
	e = tt_epoch(run);
	switch (op) {
	case OP_LOAD:
		rcu_read_lock();
		v = syncmap_load(map, k.buf, k.len);
		t->ops[OP_LOAD]++;
		got = v && tt_val_ok(t, v, id, "load") ? v->n : 0;
		gone = present && tt_cleared_since(run, t->epoch ? t->epoch[i] : 0);
		if (!tt_ok(t, got == cur || (!v && gone)))
			tt_fail(run, "load of own key %llx found %llx, the model says %llx",
				id, v ? v->n : 0, cur);
		rcu_read_unlock();
		if (!v && gone)
			tt_own_set(t, i, 0, e);
		break;

	case OP_STORE:
		nv = tt_new_serial(t, id);
		if (!nv)
			break;
		n = nv->n;
		ret = syncmap_store(map, k.buf, k.len, nv);
		t->ops[OP_STORE]++;
		if (!tt_ok(t, !ret)) {
			tt_fail(run, "store of own key %llx returned %d", id, ret);
			tt_free(run, nv);
			break;
		}
		tt_own_set(t, i, n, e);
		break;

	case OP_LOS:
		nv = tt_new_serial(t, id);
		if (!nv)
			break;
		n = nv->n;
		idx = syncmap_read_lock(map);
		ret = syncmap_load_or_store(map, k.buf, k.len, nv, (void **)&old);
		t->ops[OP_LOS]++;
		gone = present && tt_cleared_since(run, t->epoch ? t->epoch[i] : 0);
		if (ret == 1) {
			tt_free(run, nv);
			if (tt_val_ok(t, old, id, "load_or_store (actual)") &&
			    !tt_ok(t, present && old->n == cur))
				tt_fail(run, "load_or_store of own key %llx found %llx, model %llx",
					id, old->n, cur);
		} else if (ret == 0) {
			if (!tt_ok(t, old == nv && (!present || gone)))
				tt_fail(run, "load_or_store of own key %llx stored, model has %llx",
					id, cur);
			tt_own_set(t, i, n, e);
		} else {
			tt_ok(t, false);
			tt_fail(run, "load_or_store of own key %llx returned %d", id, ret);
			tt_free(run, nv);
		}
		syncmap_read_unlock(map, idx);
		break;

	case OP_LAD:
	case OP_DELETE:
		idx = syncmap_read_lock(map);
		old = NULL;
		if (op == OP_LAD)
			ret = syncmap_load_and_delete(map, k.buf, k.len, (void **)&old);
		else
			ret = syncmap_delete(map, k.buf, k.len);
		t->ops[op]++;
		gone = present && tt_cleared_since(run, t->epoch ? t->epoch[i] : 0);
		if (ret == 1 && op == OP_LAD && tt_val_ok(t, old, id, "load_and_delete")) {
			if (!tt_ok(t, old->n == cur))
				tt_fail(run, "load_and_delete of own key %llx: %llx, model %llx",
					id, old->n, cur);
			tt_take(t, old, "load_and_delete");
		}
		if (!tt_ok(t, ret == 1 ? present : ret == 0 && (!present || gone)))
			tt_fail(run, "%s of own key %llx returned %d, the model says %llx",
				tt_op_names[op], id, ret, cur);
		syncmap_read_unlock(map, idx);
		if (ret >= 0)
			tt_own_set(t, i, 0, e);
		break;

	case OP_SWAP:
		nv = tt_new_serial(t, id);
		if (!nv)
			break;
		n = nv->n;
		idx = syncmap_read_lock(map);
		old = NULL;
		ret = syncmap_swap(map, k.buf, k.len, nv, (void **)&old);
		t->ops[OP_SWAP]++;
		gone = present && tt_cleared_since(run, t->epoch ? t->epoch[i] : 0);
		if (ret == 1 && tt_val_ok(t, old, id, "swap (previous)")) {
			if (!tt_ok(t, old->n == cur))
				tt_fail(run, "swap of own key %llx replaced %llx, model %llx",
					id, old->n, cur);
			tt_take(t, old, "swap");
		}
		if (!tt_ok(t, ret == 1 ? present : ret == 0 && !old && (!present || gone)))
			tt_fail(run, "swap of own key %llx returned %d, the model says %llx",
				id, ret, cur);
		syncmap_read_unlock(map, idx);
		if (ret < 0)
			tt_free(run, nv);
		else
			tt_own_set(t, i, n, e);
		break;

	case OP_CAS:
	case OP_CAD:
		match = present && rnd(t, 4);
		cmp.magic = TT_LIVE;
		cmp.id = id;
		cmp.n = match ? cur : tt_nomatch(t);
		nv = NULL;
		if (op == OP_CAS) {
			nv = tt_new_serial(t, id);
			if (!nv)
				break;
			n = nv->n;
			ret = syncmap_compare_and_swap(map, k.buf, k.len, &cmp, nv);
		} else {
			n = 0;
			ret = syncmap_compare_and_delete(map, k.buf, k.len, &cmp);
		}
		t->ops[op]++;
		gone = present && tt_cleared_since(run, t->epoch ? t->epoch[i] : 0);
		if (ret != 1 && nv)
			tt_free(run, nv);
		if (!tt_ok(t, ret == 1 ? match : ret == 0 && (!match || gone))) {
			tt_fail(run, "%s of own key %llx (%s value) returned %d, model %llx",
				tt_op_names[op], id, match ? "its" : "another", ret, cur);
			break;
		}
		if (ret == 1)
			tt_own_set(t, i, n, e);
		else if (match)
			tt_own_set(t, i, 0, e);
		break;

	case OP_RANGE:
		tt_range(t, WALK_SELF);
		break;

	default:
		tt_len_check(t);
		break;
	}
}

/* ---- shared, counter and duel keys ----------------------------------- */

static void shared_op(struct tt_thread *t)
{
	struct tt_run *run = t->run;
	struct syncmap *map = run->m->map;
	u64 id = TT_ID(SP_SHARED, 0, rnd(t, run->nr_shared));
	struct tt_val *v, *nv = NULL, *old = NULL, cmp;
	struct tt_key k;
	int ret = 0, idx;

	tt_key(&k, id);
	switch (rnd(t, 10)) {
	case 0:
	case 1:
		tt_load(t, id, false);
		return;
	case 2:
		nv = tt_new_serial(t, id);
		if (!nv)
			return;
		ret = syncmap_store(map, k.buf, k.len, nv);
		t->ops[OP_STORE]++;
		if (ret)
			tt_free(run, nv);
		break;
	case 3:
		nv = tt_new_serial(t, id);
		if (!nv)
			return;
		idx = syncmap_read_lock(map);
		ret = syncmap_load_or_store(map, k.buf, k.len, nv, (void **)&old);
		t->ops[OP_LOS]++;
		if (ret == 1)
			tt_val_ok(t, old, id, "load_or_store (actual)");
		else if (!ret && !tt_ok(t, old == nv))
			tt_fail(run, "load_or_store of key %llx stored, returned another",
				id);
		syncmap_read_unlock(map, idx);
		if (ret)
			tt_free(run, nv);
		break;
	case 4:
		idx = syncmap_read_lock(map);
		ret = syncmap_load_and_delete(map, k.buf, k.len, (void **)&old);
		t->ops[OP_LAD]++;
		if (ret == 1 && tt_val_ok(t, old, id, "load_and_delete"))
			tt_take(t, old, "load_and_delete");
		syncmap_read_unlock(map, idx);
		break;
	case 5:
		ret = syncmap_delete(map, k.buf, k.len);
		t->ops[OP_DELETE]++;
		break;
	case 6:
		nv = tt_new_serial(t, id);
		if (!nv)
			return;
		idx = syncmap_read_lock(map);
		ret = syncmap_swap(map, k.buf, k.len, nv, (void **)&old);
		t->ops[OP_SWAP]++;
		if (ret == 1 && tt_val_ok(t, old, id, "swap (previous)"))
			tt_take(t, old, "swap");
		else if (!ret && !tt_ok(t, !old))
			tt_fail(run, "swap of key %llx inserted but returned a previous value", id);
		syncmap_read_unlock(map, idx);
		if (ret < 0)
			tt_free(run, nv);
		break;
	case 7:
	case 8:
		/* With the value just loaded, or one that matches nothing. */
		idx = syncmap_read_lock(map);
		v = syncmap_load(map, k.buf, k.len);
		t->ops[OP_LOAD]++;
		if (v && !tt_val_ok(t, v, id, "load"))
			v = NULL;
		if (!v || rnd(t, 8) == 0) {
			cmp.magic = TT_LIVE;
			cmp.id = id;
			cmp.n = tt_nomatch(t);
			v = &cmp;
		}
		if (rnd(t, 2)) {
			nv = tt_new_serial(t, id);
			if (!nv) {
				syncmap_read_unlock(map, idx);
				return;
			}
			ret = syncmap_compare_and_swap(map, k.buf, k.len, v, nv);
			t->ops[OP_CAS]++;
			if (ret != 1)
				tt_free(run, nv);
		} else {
			ret = syncmap_compare_and_delete(map, k.buf, k.len, v);
			t->ops[OP_CAD]++;
		}
		if (ret == 1 && !tt_ok(t, v != &cmp))
			tt_fail(run, "compare-and-%s of key %llx matched a value never stored",
				nv ? "swap" : "delete", id);
		else if (ret == 1)
			tt_take(t, v, nv ? "compare_and_swap" : "compare_and_delete");
		syncmap_read_unlock(map, idx);
		break;
	default:
		tt_len_check(t);
		return;
	}
	if (!tt_ok(t, ret >= 0))
		tt_fail(run, "an operation on shared key %llx returned %d", id, ret);
}

/* Bump a counter with a compare-and-swap retry loop. */
static void counter_op(struct tt_thread *t)
{
	struct tt_run *run = t->run;
	struct syncmap *map = run->m->map;
	u32 c = rnd(t, run->nr_counters);
	u64 id = TT_ID(SP_COUNTER, 0, c), cur;
	struct tt_val *v, *nv, cmp;
	unsigned int tries;
	struct tt_key k;
	int ret;

	tt_key(&k, id);
	for (tries = 0; !tt_should_stop(run); tries++) {
		rcu_read_lock();
		v = syncmap_load(map, k.buf, k.len);
		t->ops[OP_LOAD]++;
		if (!tt_ok(t, v && tt_val_ok(t, v, id, "load of a counter"))) {
			rcu_read_unlock();
			tt_fail(run, "counter %u lost", c);
			return;
		}
		cur = v->n;
		rcu_read_unlock();
		if (!tt_ok(t, cur >= t->ctr_seen[c]))
			tt_fail(run, "counter %u went back from %llu to %llu", c,
				t->ctr_seen[c], cur);
		t->ctr_seen[c] = cur;

		nv = tt_new(t, id, cur + 1);
		if (!nv)
			return;
		cmp.magic = TT_LIVE;
		cmp.id = id;
		cmp.n = cur;
		ret = syncmap_compare_and_swap(map, k.buf, k.len, &cmp, nv);
		t->ops[OP_CAS]++;
		if (ret == 1) {
			t->bumps[c]++;
			t->ctr_seen[c] = cur + 1;
			return;
		}
		tt_free(run, nv);
		if (!tt_ok(t, ret == 0)) {
			tt_fail(run, "compare_and_swap of counter %u returned %d", c, ret);
			return;
		}
		if (tries % 16 == 15)
			cond_resched();
	}
}

/* Compare-and-swap and compare-and-delete fight over one value. */
static void duel_op(struct tt_thread *t)
{
	struct tt_run *run = t->run;
	struct syncmap *map = run->m->map;
	u64 id = TT_ID(SP_DUEL, 0, rnd(t, run->nr_duels));
	struct tt_val *v, *nv, *old;
	struct tt_key k;
	int ret, idx, idx2 = 0;
	bool nested = rnd(t, 8) == 0;

	tt_key(&k, id);
	idx = syncmap_read_lock(map);
	v = syncmap_load(map, k.buf, k.len);
	t->ops[OP_LOAD]++;
	if (!v) {
		nv = tt_new_serial(t, id);
		if (!nv)
			goto out;
		ret = syncmap_load_or_store(map, k.buf, k.len, nv, (void **)&old);
		t->ops[OP_LOS]++;
		if (ret)
			tt_free(run, nv);
		if (ret == 1)
			tt_val_ok(t, old, id, "load_or_store (actual)");
		else if (!tt_ok(t, ret == 0))
			tt_fail(run, "load_or_store of duel key %llx returned %d", id, ret);
		goto out;
	}
	if (!tt_val_ok(t, v, id, "load"))
		goto out;
	/* Widen the window: the section is sleepable. */
	if (rnd(t, 4) == 0)
		udelay(1 + rnd(t, 4));
	else if (rnd(t, 4) == 0)
		cond_resched();
	if (nested)
		idx2 = syncmap_read_lock(map);
	if (rnd(t, 2)) {
		nv = tt_new_serial(t, id);
		if (!nv)
			goto out_nested;
		ret = syncmap_compare_and_swap(map, k.buf, k.len, v, nv);
		t->ops[OP_CAS]++;
		if (ret == 1) {
			t->duel_cas++;
			tt_take(t, v, "compare_and_swap");
		} else {
			t->duel_lost++;
			tt_free(run, nv);
		}
	} else {
		ret = syncmap_compare_and_delete(map, k.buf, k.len, v);
		t->ops[OP_CAD]++;
		if (ret == 1) {
			t->duel_cad++;
			tt_take(t, v, "compare_and_delete");
		} else {
			t->duel_lost++;
		}
	}
	if (!tt_ok(t, ret >= 0))
		tt_fail(run, "compare-and-swap/delete of duel key %llx returned %d", id, ret);
	/* Still inside the section: the value the duel was about is live. */
	tt_val_ok(t, v, id, "duel (after the race)");
out_nested:
	if (nested)
		syncmap_read_unlock(map, idx2);
out:
	syncmap_read_unlock(map, idx);
}

/* ---- the phases' operations ------------------------------------------ */

/*
 * Count the growths of the dirty map seen since the last look (a bigger
 * dirty table with no promotion in between) and the looks that found one
 * under way.
 */
static void tt_watch_growth(struct tt_thread *t, u64 *slots, u64 *promotions)
{
	struct syncmap_stats st;

	syncmap_fill_stats(t->run->m->map, &st);
	if (st.promotions == *promotions && *slots && st.dirty_slots > *slots)
		t->growths++;
	t->growing_seen += !!st.growing;
	*slots = st.dirty_slots;
	*promotions = st.promotions;
}

static void mix_op(struct tt_thread *t)
{
	u32 r = rnd(t, 100);

	if (r < 50)
		own_op(t);
	else if (r < 70)
		shared_op(t);
	else if (r < 78)
		counter_op(t);
	else if (r < 86)
		duel_op(t);
	else
		stable_op(t);
}

static void promote_op(struct tt_thread *t)
{
	u32 r = rnd(t, 100);

	if (r < 55)
		own_op(t);
	else if (r < 63)
		counter_op(t);
	else
		stable_op(t);
}

static void copy_op(struct tt_thread *t)
{
	if (rnd(t, 100) < 85)
		own_op(t);
	else
		stable_op(t);
}

static void grow_op(struct tt_thread *t)
{
	struct tt_run *run = t->run;
	struct tt_val *nv;
	struct tt_key k;
	u32 r = rnd(t, 16);
	bool must;
	u64 id, n;
	int ret;

	if (t->grow_writer && (r < 14 || run->grow_writers == run->nr_workers)) {
		if (t->hi >= run->grow_per) {
			if (r == 0)
				cond_resched();
			return;
		}
		id = TT_ID(SP_GROW, t->id, t->hi);
		nv = tt_new_serial(t, id);
		if (!nv)
			return;
		tt_key(&k, id);
		ret = syncmap_store(run->m->map, k.buf, k.len, nv);
		t->ops[OP_STORE]++;
		if (!tt_ok(t, !ret)) {
			tt_fail(run, "store of new key %llx returned %d", id, ret);
			tt_free(run, nv);
			return;
		}
		t->hi++;
		atomic_set_release(&run->grow_hi[t->id], t->hi);
		if (t->hi & 1)
			atomic_add_unless(&run->new_budget, 1, TT_NEW_BUDGET);
		if (t->hi % 256 == 0) {
			n = t->watch_promotions;
			tt_watch_growth(t, &t->watch_slots, &t->watch_promotions);
			if (n != t->watch_promotions)
				atomic_set(&run->grow_mark[t->id], t->hi);
		}
		if (r != 0)
			return;
		/* Writers read too, when nobody else does. */
	}
	if (r == 15) {
		tt_len_check(t);
		return;
	}
	if (r == 14) {
		tt_irqs_off_loads(t);
		return;
	}
	/*
	 * Until a promotion puts keys in the snapshot, readers wait for the
	 * budget; writers, who fill it, go back to inserting.
	 */
	for (n = 1;; n++) {
		id = tt_pick(run, tt_mix64(prandom_u32_state(&t->rnd)), true,
			     &must);
		if (id)
			break;
		if (t->grow_writer)
			return;
		cpu_relax();
		if (n % 64 == 0) {
			if (tt_should_stop(run))
				return;
			cond_resched();
		}
	}
	if (r < 12)
		tt_load(t, id, must);
	else
		tt_overwrite(t, id);
}

/* One load of the regrow writer's keys, waiting for the budget. */
static void regrow_op(struct tt_thread *t)
{
	unsigned int spins;

	if (rnd(t, 64) == 0) {
		tt_len_check(t);
		return;
	}
	for (spins = 1; tt_regrow_load(t->run, t, false) < 0; spins++) {
		cpu_relax();
		if (spins % 64 == 0) {
			if (tt_should_stop(t->run))
				return;
			cond_resched();
		}
	}
}

static void churn_insert(struct tt_thread *t)
{
	struct tt_run *run = t->run;
	struct syncmap *map = run->m->map;
	u64 id = TT_ID(SP_CHURN, t->id, t->hi), n;
	struct tt_val *nv, *old = NULL;
	bool stored;
	struct tt_key k;
	int ret, idx;

	nv = tt_new_serial(t, id);
	if (!nv)
		return;
	n = nv->n;
	tt_key(&k, id);
	idx = syncmap_read_lock(map);
	switch (rnd(t, 3)) {
	case 0:
		ret = syncmap_store(map, k.buf, k.len, nv);
		t->ops[OP_STORE]++;
		old = nv;
		stored = !ret;
		break;
	case 1:
		ret = syncmap_load_or_store(map, k.buf, k.len, nv, (void **)&old);
		t->ops[OP_LOS]++;
		stored = !ret;
		break;
	default:
		ret = syncmap_swap(map, k.buf, k.len, nv, (void **)&old);
		t->ops[OP_SWAP]++;
		old = old ? old : nv;
		stored = ret >= 0;
		break;
	}
	if (!tt_ok(t, ret == 0 && old == nv))
		tt_fail(run, "insert of new key %llx returned %d, or another value", id, ret);
	syncmap_read_unlock(map, idx);
	if (!stored) {
		tt_free(run, nv);
		return;
	}
	t->own[t->hi % t->nr_own] = n;
	t->hi++;
}

static void churn_delete(struct tt_thread *t)
{
	struct tt_run *run = t->run;
	struct syncmap *map = run->m->map;
	u64 id = TT_ID(SP_CHURN, t->id, t->lo), cur = t->own[t->lo % t->nr_own];
	struct tt_val *old = NULL, cmp;
	struct tt_key k;
	int ret, idx;
	u32 r = rnd(t, 3);

	tt_key(&k, id);
	idx = syncmap_read_lock(map);
	if (r == 0) {
		ret = syncmap_delete(map, k.buf, k.len);
		t->ops[OP_DELETE]++;
	} else if (r == 1) {
		ret = syncmap_load_and_delete(map, k.buf, k.len, (void **)&old);
		t->ops[OP_LAD]++;
		if (ret == 1 && tt_val_ok(t, old, id, "load_and_delete")) {
			if (!tt_ok(t, old->n == cur))
				tt_fail(run, "load_and_delete of key %llx gave %llx, model %llx",
					id, old->n, cur);
			tt_take(t, old, "load_and_delete");
		}
	} else {
		cmp.magic = TT_LIVE;
		cmp.id = id;
		cmp.n = cur;
		ret = syncmap_compare_and_delete(map, k.buf, k.len, &cmp);
		t->ops[OP_CAD]++;
	}
	if (!tt_ok(t, ret == 1))
		tt_fail(run, "delete of key %llx (%s) returned %d, the model says %llx",
			id, r == 0 ? "delete" : r == 1 ? "load_and_delete" : "compare_and_delete",
			ret, cur);
	syncmap_read_unlock(map, idx);
	if (ret >= 0)
		t->lo++;
}

static void churn_op(struct tt_thread *t)
{
	struct tt_run *run = t->run;
	struct syncmap *map = run->m->map;
	u32 r = rnd(t, 100), w = t->nr_own;
	struct tt_val *nv, *old = NULL, cmp;
	u64 idx, id, cur, n;
	struct tt_key k;
	int ret, lk;
	bool swap;

	if (r < 30 || t->lo == t->hi) {
		if (t->hi - t->lo == w)
			churn_delete(t);
		churn_insert(t);
	} else if (r < 55) {
		churn_delete(t);
	} else if (r < 88) {
		/* A key in the window (present), or one that is gone or not yet. */
		if (r < 80)
			idx = t->lo + rnd(t, t->hi - t->lo);
		else if (t->lo && rnd(t, 2))
			idx = t->lo - 1 - rnd(t, min_t(u64, t->lo, 64));
		else
			idx = t->hi + rnd(t, 64);
		id = TT_ID(SP_CHURN, t->id, idx);
		cur = idx >= t->lo && idx < t->hi ? t->own[idx % w] : 0;
		tt_key(&k, id);
		rcu_read_lock();
		old = syncmap_load(map, k.buf, k.len);
		t->ops[OP_LOAD]++;
		n = old && tt_val_ok(t, old, id, "load") ? old->n : 0;
		if (!tt_ok(t, n == cur))
			tt_fail(run, "load of key %llx found %llx, the model says %llx",
				id, old ? old->n : 0, cur);
		rcu_read_unlock();
	} else if (r < 96) {
		/* Overwrite a key in the window. */
		idx = t->lo + rnd(t, t->hi - t->lo);
		id = TT_ID(SP_CHURN, t->id, idx);
		cur = t->own[idx % w];
		nv = tt_new_serial(t, id);
		if (!nv)
			return;
		n = nv->n;
		tt_key(&k, id);
		lk = syncmap_read_lock(map);
		swap = rnd(t, 2);
		if (swap) {
			ret = syncmap_swap(map, k.buf, k.len, nv, (void **)&old);
			t->ops[OP_SWAP]++;
			if (ret == 1 && tt_val_ok(t, old, id, "swap (previous)")) {
				if (!tt_ok(t, old->n == cur))
					tt_fail(run, "swap of key %llx replaced %llx, model %llx",
						id, old->n, cur);
				tt_take(t, old, "swap");
			}
		} else {
			cmp.magic = TT_LIVE;
			cmp.id = id;
			cmp.n = cur;
			ret = syncmap_compare_and_swap(map, k.buf, k.len, &cmp, nv);
			t->ops[OP_CAS]++;
		}
		if (!tt_ok(t, ret == 1))
			tt_fail(run, "overwrite of key %llx returned %d, model has %llx",
				id, ret, cur);
		syncmap_read_unlock(map, lk);
		/* A swap that inserted stored too (and was reported). */
		if (ret == 1 || (swap && ret == 0))
			t->own[idx % w] = n;
		else
			tt_free(run, nv);
	} else if (r < 99) {
		stable_op(t);
	} else if (rnd(t, 8) == 0) {
		tt_range(t, WALK_SELF);
	} else {
		tt_len_check(t);
	}
}

static void clear_op(struct tt_thread *t)
{
	u32 r = rnd(t, 1000);

	if (r < 2)
		tt_clear(t);
	else if (r < 600)
		own_op(t);
	else if (r < 850)
		shared_op(t);
	else
		duel_op(t);
}

static const struct tt_phase tt_phases[] = {
	{
		.name = "mix",
		.flags = TT_F_OWN | TT_F_STABLE | TT_F_SHARED | TT_F_COUNTER |
			 TT_F_DIRTYW,
		.op = mix_op,
		/* load store los lad delete swap cas cad range len */
		.mix = { 2500, 1200, 1000, 900, 900, 1100, 1300, 899, 1, 200 },
		.range_pause = 100,
	},
	{
		.name = "promote",
		.flags = TT_F_OWN | TT_F_STABLE | TT_F_COUNTER | TT_F_DIRTYW,
		.op = promote_op,
		.mix = { 4000, 1500, 600, 800, 1500, 500, 600, 330, 20, 150 },
		.range_pause = 20,
	},
	{
		.name = "copy",
		.flags = TT_F_OWN | TT_F_STABLE | TT_F_COPYD,
		.op = copy_op,
		.mix = { 3000, 1500, 500, 800, 1200, 1200, 1000, 600, 0, 200 },
		.range_pause = 10,
	},
	{
		.name = "grow",
		.flags = TT_F_GROW,
		.op = grow_op,
		.range_pause = 100,
	},
	{
		.name = "regrow",
		.flags = TT_F_REGROW,
		.op = regrow_op,
		.range_pause = 1000,
	},
	{
		.name = "churn",
		.flags = TT_F_CHURN | TT_F_STABLE,
		.op = churn_op,
		.range_pause = 20,
	},
	{
		.name = "clear",
		.flags = TT_F_OWN | TT_F_SHARED | TT_F_CLEAR,
		.op = clear_op,
		.mix = { 2500, 1500, 1000, 800, 800, 1000, 1100, 1000, 30, 270 },
		.range_pause = 10,
	},
};

/* ---- threads --------------------------------------------------------- */

static int tt_worker(struct tt_thread *t)
{
	struct tt_run *run = t->run;
	unsigned long i;

	for (i = 0; i < t->budget; i++) {
		if ((i & 63) == 0) {
			if (tt_should_stop(run))
				break;
			cond_resched();
		}
		if (t->grow_writer && t->hi >= run->grow_per) {
			/* Done inserting: the readers may stop. */
			t->grow_writer = false;
			if (atomic_dec_and_test(&run->writers_left))
				atomic_set(&run->stop, 1);
			if (run->grow_writers == run->nr_workers)
				break;
		}
		run->ph->op(t);
	}
	if (t->grow_writer && atomic_dec_and_test(&run->writers_left))
		atomic_set(&run->stop, 1);
	t->grow_writer = false;
	return 0;
}

static u64 tt_grown_keys(struct tt_run *run)
{
	u64 sum = 0;
	u32 w;

	for (w = 0; w < run->grow_writers; w++)
		sum += atomic_read(&run->grow_hi[w]);
	return sum;
}

static int tt_range_thread(struct tt_thread *t)
{
	struct tt_run *run = t->run;
	u64 last;

	while (!tt_should_stop(run)) {
		last = tt_grown_keys(run);
		tt_range(t, WALK_ANY);
		schedule_timeout_idle(msecs_to_jiffies(1 + rnd(t, run->ph->range_pause)));
		/*
		 * Range promotes.  A dirty map made for a snapshot of n keys
		 * has 2n to 4n slots and grows at 3/4 of them: up to 3n keys.
		 * In the grow phase, wait for a bit more than that, whatever
		 * the speed of the kernel.
		 */
		while (run->grow_writers && !tt_should_stop(run) &&
		       atomic_read(&run->writers_left) &&
		       tt_grown_keys(run) < last * 13 / 4 + 64)
			schedule_timeout_idle(msecs_to_jiffies(20));
	}
	return 0;
}

/* Insert a key the filler models at the head of its window. */
static bool tt_fill_insert(struct tt_thread *t)
{
	struct tt_run *run = t->run;
	u64 id = TT_ID(SP_FILL, 0, t->hi), n;
	struct tt_val *nv;
	struct tt_key k;
	int ret;

	nv = tt_new_serial(t, id);
	if (!nv)
		return false;
	n = nv->n;
	tt_key(&k, id);
	ret = syncmap_store(run->m->map, k.buf, k.len, nv);
	t->ops[OP_STORE]++;
	if (!tt_ok(t, !ret)) {
		tt_fail(run, "store of new key %llx returned %d", id, ret);
		tt_free(run, nv);
		return false;
	}
	t->own[t->hi % t->nr_own] = n;
	t->hi++;
	return true;
}

static void tt_fill_delete(struct tt_thread *t)
{
	struct tt_run *run = t->run;
	struct syncmap *map = run->m->map;
	u64 id = TT_ID(SP_FILL, 0, t->lo), cur = t->own[t->lo % t->nr_own];
	struct tt_val *old = NULL;
	struct tt_key k;
	int ret, idx;

	tt_key(&k, id);
	idx = syncmap_read_lock(map);
	ret = syncmap_load_and_delete(map, k.buf, k.len, (void **)&old);
	t->ops[OP_LAD]++;
	if (!tt_ok(t, ret == 1 && old && old->n == cur))
		tt_fail(run, "load_and_delete of key %llx: %d, %llx, model %llx",
			id, ret, old ? old->n : 0, cur);
	else if (tt_val_ok(t, old, id, "load_and_delete"))
		tt_take(t, old, "load_and_delete");
	syncmap_read_unlock(map, idx);
	t->lo++;
}

/*
 * After each promotion: stable keys that go into the new dirty map and
 * stay, then new keys until that dirty map has grown twice, while the
 * loads look for the stable ones; the new keys go again after the next
 * promotion, when the snapshot holds them.  The workers' operations on
 * absent keys miss the snapshot and promote the dirty map once their
 * misses reach its size; growing it takes half as many inserts or more,
 * so this thread runs at nice -10 to get there.  It deletes only keys of
 * the snapshot: a delete of a key only the dirty map holds is a miss.
 */
static int tt_dirty_writer(struct tt_thread *t)
{
	struct tt_run *run = t->run;
	struct syncmap *map = run->m->map;
	u64 slots, promotions, first, grown;
	struct tt_val *nv;
	struct tt_key k;
	u32 hi, j;
	int ret;

	while (!tt_should_stop(run)) {
		tt_promote(t);
		while (t->lo < t->hi)
			tt_fill_delete(t);
		hi = atomic_read(&run->sdirty_hi);
		for (j = 0; j < TT_SDIRTY_BATCH && hi < run->sdirty_cap; j++) {
			nv = tt_new_serial(t, TT_ID(SP_SDIRTY, 0, hi));
			if (!nv)
				return 0;
			tt_key(&k, nv->id);
			ret = syncmap_store(map, k.buf, k.len, nv);
			t->ops[OP_STORE]++;
			if (!tt_ok(t, !ret)) {
				tt_fail(run, "store of new key %llx returned %d", nv->id, ret);
				tt_free(run, nv);
				return 0;
			}
			atomic_set_release(&run->sdirty_hi, ++hi);
		}
		slots = 0;
		promotions = 0;
		tt_watch_growth(t, &slots, &promotions);
		first = promotions;
		grown = t->growths;
		for (j = 0; j < TT_FILL_WINDOW && t->growths < grown + 2; j++) {
			if (!tt_fill_insert(t))
				return 0;
			if (j & 1)
				atomic_add_unless(&run->new_budget, 1, TT_NEW_BUDGET);
			if (j % 64 != 63)
				continue;
			if (tt_should_stop(run))
				return 0;
			cond_resched();
			tt_watch_growth(t, &slots, &promotions);
			if (promotions != first)
				break;
		}
		/* It runs at a higher priority: leave the workers some time. */
		schedule_timeout_idle(1);
	}
	return 0;
}

/*
 * The copy phase's driver: promote, then add one new key, which starts a
 * dirty map that the snapshot is copied into a slice at a time while the
 * workers write; wait a little, take the key out, again.
 */
static int tt_copy_driver(struct tt_thread *t)
{
	struct tt_run *run = t->run;

	while (!tt_should_stop(run)) {
		tt_promote(t);
		if (!tt_fill_insert(t))
			break;
		schedule_timeout_idle(1 + rnd(t, 4));
		tt_fill_delete(t);
	}
	return 0;
}

/*
 * The regrow phase's writer: from an empty snapshot (Clear), insert new
 * keys into a fresh dirty map, which grows through every size from the
 * smallest while the workers and interrupts load those keys; then Clear,
 * again.  A delete of a key only the dirty map holds would be a miss,
 * and promote the map halfway: Clear ends a cycle instead.
 */
static int tt_regrow_writer(struct tt_thread *t)
{
	struct tt_run *run = t->run;
	u64 slots = 0, promotions = 0;
	u32 j;

	while (!tt_should_stop(run)) {
		for (j = 0; j < TT_REGROW_KEYS; j++) {
			if (!tt_fill_insert(t))
				return 0;
			atomic_set_release(&run->regrow_hi, t->hi);
			/* One load for every other insert: misses stay below. */
			if (j & 1)
				atomic_inc(&run->regrow_budget);
			if (j % 64 != 63)
				continue;
			tt_watch_growth(t, &slots, &promotions);
			if (tt_should_stop(run))
				break;
			cond_resched();
		}
		/* Odd: the keys go. */
		atomic_inc(&run->regrow_gen);
		/*
		 * The generation before the Clear: a reader that sees a key
		 * gone, then smp_rmb(), sees it (tt_regrow_load()).
		 */
		smp_mb__after_atomic();
		atomic_set(&run->regrow_budget, 0);
		tt_clear(t);
		t->lo = t->hi;
		atomic_set(&run->regrow_lo, t->lo);
		atomic_set(&run->regrow_hi, t->hi);
		/*
		 * Even again, with the new (empty) window: the barrier orders
		 * the window before the generation a reader acquires.
		 */
		smp_mb__before_atomic();
		atomic_inc(&run->regrow_gen);
		slots = 0;
		schedule_timeout_idle(1);
	}
	return 0;
}

static int tt_kthread(void *arg)
{
	struct tt_thread *t = arg;

	t->fn(t);
	complete(&t->done);
	/* Wait for kthread_stop(): the main thread reads what we counted. */
	while (!kthread_should_stop()) {
		set_current_state(TASK_INTERRUPTIBLE);
		if (!kthread_should_stop())
			schedule();
		__set_current_state(TASK_RUNNING);
	}
	return 0;
}

/* ---- running a phase ------------------------------------------------- */

static void tt_layout(struct tt_run *run)
{
	const struct tt_phase *ph = run->ph;
	u32 sp, total = 0;

	memset(run->size, 0, sizeof(run->size));
	if (ph->flags & TT_F_OWN)
		run->size[SP_OWN] = run->nr_workers * run->nr_own;
	if (ph->flags & TT_F_CHURN)
		run->size[SP_CHURN] = run->nr_workers * 4 * run->nr_own;
	if (ph->flags & TT_F_SHARED) {
		run->size[SP_SHARED] = run->nr_shared;
		run->size[SP_DUEL] = run->nr_duels;
	}
	run->size[SP_COUNTER] = run->nr_counters;
	run->size[SP_STABLE] = run->nr_stable;
	run->size[SP_SDIRTY] = run->sdirty_cap;
	if (ph->flags & (TT_F_DIRTYW | TT_F_COPYD | TT_F_REGROW))
		run->size[SP_FILL] = TT_FILL_RING;
	run->size[SP_GROW] = run->grow_writers * run->grow_per;
	for (sp = 0; sp < NR_SPACES; sp++) {
		run->base[sp] = total;
		total += run->size[sp];
	}
	run->total_slots = total;
	/* The ring spaces hold a window at a time, a quarter of their slots. */
	run->max_keys = total - run->size[SP_FILL] / 4 * 3 -
			run->size[SP_CHURN] / 4 * 3;
}

static void tt_print_stats(const char *phase, const struct syncmap_stats *st)
{
	pr_info("phase %s: len %llu, read %llu/%llu, dirty %llu/%llu%s\n",
		phase, st->len, st->read_entries, st->read_slots,
		st->dirty_entries, st->dirty_slots,
		st->growing ? " (growing)" : "");
	pr_info("phase %s: promotions %llu, rebuilds %llu, expunged %llu, locked allocs %llu\n",
		phase, st->promotions, st->dirty_rebuilds, st->expunged,
		st->locked_allocs);
	pr_info("phase %s: hits %llu, misses %llu\n", phase, st->hits,
		st->misses);
}

static void tt_poll(struct tt_run *run)
{
	struct syncmap_stats st;

	if (fatal_signal_pending(current) && !run->aborted) {
		run->aborted = true;
		atomic_set(&run->stop, 1);
		pr_err("interrupted by a signal: stopping\n");
	}
	if (atomic_read(&run->errors))
		atomic_set(&run->stop, 1);
	syncmap_fill_stats(run->m->map, &st);
	if (st.dirty_slots > run->last_slots && run->last_slots &&
	    st.promotions == run->last_promotions)
		run->polled_growths++;
	if (st.growing)
		run->polled_growing++;
	run->last_slots = st.dirty_slots;
	run->last_promotions = st.promotions;
	if (verbose >= 2)
		tt_print_stats(run->ph->name, &st);
}

static void tt_wait(struct tt_run *run, struct tt_thread *t)
{
	unsigned long late = run->deadline + 60 * HZ;

	while (!wait_for_completion_timeout(&t->done, HZ)) {
		tt_poll(run);
		if (time_after(jiffies, late)) {
			pr_err("phase %s: thread %u still running a minute after the deadline\n",
			       run->ph->name, t->id);
			late = jiffies + 60 * HZ;
		}
	}
}

static int tt_thread_init(struct tt_run *run, struct tt_thread *t,
			  unsigned int id, u64 seed_base)
{
	t->run = run;
	t->id = id;
	init_completion(&t->done);
	prandom_seed_state(&t->rnd, tt_mix64(seed_base ^ ((u64)id << 32)));
	t->seen = bitmap_zalloc(max(run->total_slots, 1U), GFP_KERNEL);
	return t->seen ? 0 : -ENOMEM;
}

static int tt_model_alloc(struct tt_thread *t, unsigned int space, u32 n,
			  bool epochs)
{
	t->space = space;
	t->nr_own = n;
	t->own = kvcalloc(n, sizeof(*t->own), GFP_KERNEL);
	if (epochs)
		t->epoch = kvcalloc(n, sizeof(*t->epoch), GFP_KERNEL);
	return t->own && (!epochs || t->epoch) ? 0 : -ENOMEM;
}

static void tt_thread_free(struct tt_thread *t)
{
	bitmap_free(t->seen);
	kvfree(t->own);
	kvfree(t->epoch);
}

/* Store a key the setup puts in; false after a violation. */
static bool tt_setup_store(struct tt_thread *mt, u64 id, u64 n, u64 *serial)
{
	struct tt_run *run = mt->run;
	struct tt_val *nv = n ? tt_new(mt, id, n) : tt_new_serial(mt, id);
	struct tt_key k;
	int ret;

	if (!nv)
		return false;
	if (serial)
		*serial = nv->n;
	tt_key(&k, id);
	ret = syncmap_store(run->m->map, k.buf, k.len, nv);
	mt->ops[OP_STORE]++;
	if (!tt_ok(mt, !ret)) {
		tt_fail(run, "setup: store of key %llx returned %d", id, ret);
		tt_free(run, nv);
		return false;
	}
	return true;
}

static bool tt_setup_delete(struct tt_thread *mt, u64 id)
{
	struct tt_key k;
	int ret;

	tt_key(&k, id);
	ret = syncmap_delete(mt->run->m->map, k.buf, k.len);
	mt->ops[OP_DELETE]++;
	if (!tt_ok(mt, ret == 1)) {
		tt_fail(mt->run, "setup: delete of key %llx returned %d", id, ret);
		return false;
	}
	return true;
}

/* The keys a phase starts with, promoted into the snapshot. */
static void tt_setup(struct tt_run *run)
{
	struct tt_thread *mt = run->main, *t;
	u32 i, w;
	u64 n;

	for (i = 0; i < run->nr_stable; i++)
		if (!tt_setup_store(mt, TT_ID(SP_STABLE, 0, i), 0, NULL))
			return;
	/* Counters start at 0: a value of 0 is the count, not a serial. */
	for (i = 0; i < run->nr_counters; i++) {
		struct tt_val *nv = tt_new(mt, TT_ID(SP_COUNTER, 0, i), 0);
		struct tt_key k;
		int ret;

		if (!nv)
			return;
		tt_key(&k, nv->id);
		ret = syncmap_store(run->m->map, k.buf, k.len, nv);
		mt->ops[OP_STORE]++;
		if (!tt_ok(mt, !ret)) {
			tt_fail(run, "setup: store of counter %u returned %d", i, ret);
			tt_free(run, nv);
			return;
		}
	}
	if (run->ph->flags & TT_F_SHARED) {
		for (i = 0; i < run->nr_duels; i++)
			if (!tt_setup_store(mt, TT_ID(SP_DUEL, 0, i), 0, NULL))
				return;
		for (i = 0; i < run->nr_shared; i += 2)
			if (!tt_setup_store(mt, TT_ID(SP_SHARED, 0, i), 0, NULL))
				return;
	}
	if (run->ph->flags & TT_F_COPYD) {
		/* A big snapshot, with deleted entries for the copy to expunge. */
		for (w = 0; w < run->nr_workers; w++) {
			t = &run->th[w];
			for (i = 0; i < t->nr_own && !tt_should_stop(run); i++) {
				if (!tt_setup_store(mt, TT_ID(SP_OWN, w, i), 0, &n))
					return;
				tt_own_set(t, i, n, 0);
				if ((i & 255) == 255)
					cond_resched();
			}
		}
		tt_promote(mt);
		for (w = 0; w < run->nr_workers; w++) {
			t = &run->th[w];
			for (i = 0; i < t->nr_own; i += 8) {
				if (!t->own[i])
					continue;
				if (!tt_setup_delete(mt, TT_ID(SP_OWN, w, i)))
					return;
				tt_own_set(t, i, 0, 0);
			}
		}
	}
	tt_promote(mt);
}

/* A load at the end, against the model of @t. */
static void tt_final_load(struct tt_thread *mt, struct tt_thread *t, u64 id)
{
	struct tt_val *v;
	struct tt_key k;
	u64 n = 0, got;
	bool sure;

	tt_expect(t, id, &n, &sure);
	tt_key(&k, id);
	rcu_read_lock();
	v = syncmap_load(mt->run->m->map, k.buf, k.len);
	mt->ops[OP_LOAD]++;
	got = v && tt_val_ok(mt, v, id, "final load") ? v->n : 0;
	if (!tt_ok(mt, got == n || (!v && !sure)))
		tt_fail(mt->run, "final load of key %llx found %llx, the model says %llx",
			id, v ? v->n : 0, n);
	rcu_read_unlock();
}

/* Every modelled key, and the keys present throughout, by loads. */
static void tt_verify_loads(struct tt_run *run)
{
	struct tt_thread *mt = run->main, *t;
	struct tt_marks mk;
	u32 w, i;
	u64 idx;

	for (w = 0; w < run->nr_workers; w++) {
		t = &run->th[w];
		if (t->space == SP_OWN) {
			for (i = 0; i < t->nr_own; i++) {
				tt_final_load(mt, t, TT_ID(SP_OWN, w, i));
				if ((i & 1023) == 1023)
					cond_resched();
			}
		} else if (t->space == SP_CHURN) {
			for (idx = t->lo > 64 ? t->lo - 64 : 0; idx < t->hi + 64; idx++)
				tt_final_load(mt, t, TT_ID(SP_CHURN, w, idx));
		}
	}
	if (run->filler) {
		t = run->filler;
		for (idx = t->lo > 64 ? t->lo - 64 : 0; idx < t->hi + 64; idx++)
			tt_final_load(mt, t, TT_ID(SP_FILL, 0, idx));
	}
	tt_marks(run, &mk);
	for (i = 0; i < run->nr_stable; i++)
		tt_load(mt, TT_ID(SP_STABLE, 0, i), true);
	for (i = 0; i < mk.sdirty; i++)
		tt_load(mt, TT_ID(SP_SDIRTY, 0, i), true);
	for (w = 0; w < run->grow_writers; w++) {
		for (i = 0; i < mk.grow[w]; i++) {
			tt_load(mt, TT_ID(SP_GROW, w, i), true);
			if ((i & 1023) == 1023)
				cond_resched();
		}
	}
}

/* Threads stopped: the whole map against every model and the books. */
static void tt_verify(struct tt_run *run)
{
	struct tt_thread *mt = run->main;
	struct tt_map *m = run->m;
	struct syncmap_stats st;
	long made, freed, released, held;
	u64 visited, len;
	u32 c, w;

	syncmap_synchronize(m->map);
	for (c = 0; c < run->nr_counters; c++) {
		run->ctr_expect[c] = 0;
		for (w = 0; w <= run->nr_threads; w++)
			run->ctr_expect[c] += run->th[w].bumps[c];
	}
	tt_verify_loads(run);
	visited = tt_range(mt, WALK_FINAL);
	syncmap_synchronize(m->map);
	len = syncmap_len(m->map);
	mt->ops[OP_LEN]++;
	if (!tt_ok(mt, visited == len))
		tt_fail(run, "range visited %llu keys, len says %llu", visited, len);

	made = atomic_long_read(&m->made);
	freed = atomic_long_read(&m->freed);
	released = atomic_long_read(&m->released);
	held = made - freed - released;
	if (!tt_ok(mt, held == (long)len))
		tt_fail(run, "synchronized: made %ld freed %ld released %ld: %ld held, len %llu",
			made, freed, released, held, len);
	syncmap_fill_stats(m->map, &st);
	if (!tt_ok(mt, st.pending_release == 0))
		tt_fail(run, "after synchronize: %llu values still pending release",
			st.pending_release);
	/*
	 * Churn: deleted keys do not pile up in the tables (Go #40999), which
	 * hold at most what was present when the dirty map was built, plus
	 * what came since; millions of keys went through them.
	 */
	if ((run->ph->flags & TT_F_CHURN) &&
	    !tt_ok(mt, st.read_entries + st.dirty_entries <=
		   4 * (len + run->nr_workers * run->nr_own) + 1024))
		tt_fail(run, "%llu entries in the tables for %llu keys: deleted keys pile up",
			st.read_entries + st.dirty_entries, len);
	if (verbose >= 1) {
		u64 cas = 0, cad = 0, lost = 0, growths = 0, growing = 0, clears;

		for (w = 0; w < run->nr_threads; w++) {
			cas += run->th[w].duel_cas;
			cad += run->th[w].duel_cad;
			lost += run->th[w].duel_lost;
			growths += run->th[w].growths;
			growing += run->th[w].growing_seen;
		}
		clears = atomic_long_read(&run->clears_done);
		tt_print_stats(run->ph->name, &st);
		pr_info("phase %s: growths seen %llu+%llu (growing %llu+%llu), clears %llu\n",
			run->ph->name, growths, run->polled_growths, growing,
			run->polled_growing, clears);
		pr_info("phase %s: duels won by cas %llu, by cad %llu, lost %llu\n",
			run->ph->name, cas, cad, lost);
	}
}

static void tt_map_free(struct tt_run *run)
{
	struct tt_map *m = run->m;
	struct tt_val *v, *next;
	long made, freed, released;

	syncmap_destroy(m->map);
	made = atomic_long_read(&m->made);
	freed = atomic_long_read(&m->freed);
	released = atomic_long_read(&m->released);
	if (!tt_ok(run->main, made == freed + released))
		tt_fail(run, "after destroy: made %ld, freed %ld, released %ld",
			made, freed, released);
	if (!tt_ok(run->main, atomic_read(&m->destroyed) == 1))
		tt_fail(run, "ops->destroy() ran %d times", atomic_read(&m->destroyed));
	/* Nothing can see the quarantined values any more. */
	list_for_each_entry_safe(v, next, &m->q, q)
		kfree(v);
	kfree(m);
	run->m = NULL;
}

static void tt_sum(struct tt_run *run, unsigned long start)
{
	u64 phase_ops = 0, checks = 0;
	unsigned int w, op;

	for (w = 0; w <= run->nr_threads; w++) {
		for (op = 0; op < NR_OPS; op++) {
			tt_total.ops[op] += run->th[w].ops[op];
			phase_ops += run->th[w].ops[op];
		}
		checks += run->th[w].checks;
	}
	checks += atomic64_read(&run->xchecks);
	phase_ops += atomic64_read(&run->soft_loads) +
		     atomic64_read(&run->hard_loads);
	tt_total.ops[OP_LOAD] += atomic64_read(&run->soft_loads) +
				 atomic64_read(&run->hard_loads);
	tt_total.soft_loads += atomic64_read(&run->soft_loads);
	tt_total.hard_loads += atomic64_read(&run->hard_loads);
	tt_total.checks += checks;
	tt_total.errors += atomic_read(&run->errors);
	tt_total.aborted |= run->aborted;
	if (verbose >= 1)
		pr_info("phase %s: %llu ops, %llu checks, %d violations, %u ms\n",
			run->ph->name, phase_ops, checks,
			atomic_read(&run->errors),
			jiffies_to_msecs(jiffies - start));
}

static int tt_run_phase(const struct tt_phase *ph, unsigned long deadline,
			u64 seed_base)
{
	struct syncmap_params p = { .ops = &tt_ops, .owner = THIS_MODULE };
	bool debug = IS_ENABLED(CONFIG_KASAN) ||
		     IS_ENABLED(CONFIG_PROVE_LOCKING) ||
		     IS_ENABLED(CONFIG_KCSAN);
	unsigned int nr_range = range_threads, nr_helpers, w;
	unsigned long start = jiffies;
	struct tt_thread *t;
	struct tt_run *run;
	int ret = -ENOMEM;
	u32 nr_copy;

	run = kzalloc(sizeof(*run), GFP_KERNEL);
	if (!run)
		return -ENOMEM;
	run->ph = ph;
	run->deadline = deadline;
	run->nr_workers = threads;
	run->clearing = ph->flags & TT_F_CLEAR;
	run->nr_shared = shared_keys;
	run->nr_duels = TT_DUELS;
	if (ph->flags & TT_F_STABLE)
		run->nr_stable = stable_keys;
	if (ph->flags & TT_F_COUNTER)
		run->nr_counters = TT_COUNTERS;
	if (ph->flags & TT_F_DIRTYW)
		run->sdirty_cap = stable_keys * TT_SDIRTY_PER_STABLE;
	run->nr_own = own_keys;
	if (ph->flags & TT_F_COPYD) {
		nr_copy = copy_keys ? copy_keys : debug ? 2048 : 65536;
		run->nr_own = max(nr_copy / threads, 1U);
	}
	if (ph->flags & TT_F_GROW) {
		run->grow_writers = max(threads / 2, 1U);
		run->grow_per = max((grow_keys ? grow_keys :
				     debug ? 50000 : 1U << 20) /
				    run->grow_writers, 1U);
		atomic_set(&run->writers_left, run->grow_writers);
	}
	nr_helpers = !!(ph->flags & (TT_F_DIRTYW | TT_F_COPYD | TT_F_REGROW));
	run->nr_threads = run->nr_workers + nr_range + nr_helpers;
	tt_layout(run);

	run->m = kzalloc(sizeof(*run->m), GFP_KERNEL);
	run->th = kcalloc(run->nr_threads + 1, sizeof(*run->th), GFP_KERNEL);
	if (!run->m || !run->th)
		goto out_free;
	run->main = &run->th[run->nr_threads];
	run->m->run = run;
	spin_lock_init(&run->m->qlock);
	INIT_LIST_HEAD(&run->m->q);
	for (w = 0; w <= run->nr_threads; w++) {
		t = &run->th[w];
		if (tt_thread_init(run, t, w, seed_base))
			goto out_free;
		if (w < run->nr_workers) {
			t->fn = tt_worker;
			t->budget = ops;
			if (ph->flags & TT_F_OWN &&
			    tt_model_alloc(t, SP_OWN, run->nr_own, run->clearing))
				goto out_free;
			if (ph->flags & TT_F_CHURN &&
			    tt_model_alloc(t, SP_CHURN, run->nr_own, false))
				goto out_free;
			if (ph->flags & TT_F_GROW) {
				t->grow_writer = w < run->grow_writers;
				t->budget = ops + (t->grow_writer ? run->grow_per : 0);
			}
		} else if (w < run->nr_workers + nr_range) {
			t->fn = tt_range_thread;
		} else if (w < run->nr_threads) {
			if (ph->flags & TT_F_DIRTYW)
				t->fn = tt_dirty_writer;
			else if (ph->flags & TT_F_REGROW)
				t->fn = tt_regrow_writer;
			else
				t->fn = tt_copy_driver;
			if (tt_model_alloc(t, SP_FILL, TT_FILL_WINDOW, false))
				goto out_free;
			run->filler = t;
		}
	}

	p.priv = run->m;
	run->m->map = syncmap_create(&p);
	if (IS_ERR(run->m->map)) {
		ret = PTR_ERR(run->m->map);
		pr_err("phase %s: syncmap_create() returned %d\n", ph->name, ret);
		goto out_free;
	}

	tt_setup(run);
	if (irq_loads && (ph->flags & TT_F_IRQ)) {
		timer_setup(&run->timer, tt_timer_fn, 0);
		init_irq_work(&run->iw, tt_irq_work_fn);
		mod_timer(&run->timer, jiffies + 1);
	}
	for (w = 0; w < run->nr_threads; w++) {
		t = &run->th[w];
		t->task = kthread_run(tt_kthread, t, "syncmap_tt/%u", w);
		if (IS_ERR(t->task)) {
			pr_err("phase %s: kthread_run() returned %ld\n", ph->name,
			       PTR_ERR(t->task));
			t->task = NULL;
			tt_fail(run, "could not start the threads");
			break;
		}
		get_task_struct(t->task);
		if (t->fn == tt_dirty_writer || t->fn == tt_regrow_writer)
			set_user_nice(t->task, MIN_NICE / 2);
	}
	for (w = 0; w < run->nr_workers; w++)
		if (run->th[w].task)
			tt_wait(run, &run->th[w]);
	atomic_set(&run->stop, 1);
	for (w = run->nr_workers; w < run->nr_threads; w++)
		if (run->th[w].task)
			tt_wait(run, &run->th[w]);
	if (irq_loads && (ph->flags & TT_F_IRQ)) {
		atomic_set(&run->irq_stop, 1);
		timer_delete_sync(&run->timer);
		irq_work_sync(&run->iw);
	}
	for (w = 0; w < run->nr_threads; w++) {
		t = &run->th[w];
		if (!t->task)
			continue;
		kthread_stop(t->task);
		put_task_struct(t->task);
	}

	tt_verify(run);
	tt_map_free(run);
	tt_sum(run, start);
	ret = 0;

out_free:
	if (run->m) {
		if (!IS_ERR_OR_NULL(run->m->map))
			tt_map_free(run);
		kfree(run->m);
	}
	if (run->th)
		for (w = 0; w <= run->nr_threads; w++)
			tt_thread_free(&run->th[w]);
	kfree(run->th);
	kfree(run);
	return ret;
}

/* ---- the module ------------------------------------------------------ */

static int tt_parse_phases(unsigned long *mask)
{
	char *s, *p, *name;
	unsigned int i;
	int ret = 0;

	*mask = 0;
	if (!phases || !strcmp(phases, "all")) {
		*mask = BIT(ARRAY_SIZE(tt_phases)) - 1;
		return 0;
	}
	s = kstrdup(phases, GFP_KERNEL);
	if (!s)
		return -ENOMEM;
	p = s;
	while ((name = strsep(&p, ",+"))) {
		if (!*name)
			continue;
		for (i = 0; i < ARRAY_SIZE(tt_phases); i++)
			if (!strcmp(name, tt_phases[i].name))
				break;
		if (i == ARRAY_SIZE(tt_phases)) {
			pr_err("unknown phase '%s'\n", name);
			ret = -EINVAL;
			break;
		}
		*mask |= BIT(i);
	}
	kfree(s);
	return ret ? ret : *mask ? 0 : -EINVAL;
}

static int tt_check_params(void)
{
	if (threads < 1 || threads > TT_MAX_THREADS ||
	    range_threads > TT_MAX_RANGE_THREADS ||
	    own_keys < 1 || own_keys > TT_MAX_OWN ||
	    shared_keys < 1 || shared_keys > TT_MAX_OWN ||
	    stable_keys > TT_MAX_OWN ||
	    copy_keys > TT_MAX_KEYS || grow_keys > TT_MAX_KEYS) {
		pr_err("threads 1-%u, range_threads 0-%u, own/shared/stable_keys up to %lu\n",
		       TT_MAX_THREADS, TT_MAX_RANGE_THREADS, TT_MAX_OWN);
		pr_err("copy_keys and grow_keys up to %lu\n", TT_MAX_KEYS);
		return -EINVAL;
	}
	return 0;
}

/* The one result line, built in pieces. */
static void tt_result(const char *names, u64 s, unsigned int secs)
{
	bool pass = !tt_total.errors && !tt_total.aborted;
	size_t size = 1024, n = 0;
	u64 all = 0;
	char *buf;
	int op;

	for (op = 0; op < NR_OPS; op++)
		all += tt_total.ops[op];
	buf = kmalloc(size, GFP_KERNEL);
	if (!buf) {
		pr_info("%s ops=%llu checks=%llu violations=%d\n",
			pass ? "PASS" : "FAIL", all, tt_total.checks,
			tt_total.errors);
		return;
	}
	n += scnprintf(buf + n, size - n, "%s ops=%llu",
		       pass ? "PASS" : "FAIL", all);
	for (op = 0; op < NR_OPS; op++)
		n += scnprintf(buf + n, size - n, " %s=%llu", tt_op_names[op],
			       tt_total.ops[op]);
	n += scnprintf(buf + n, size - n, " softirq_loads=%llu hardirq_loads=%llu",
		       tt_total.soft_loads, tt_total.hard_loads);
	n += scnprintf(buf + n, size - n, " checks=%llu violations=%d%s",
		       tt_total.checks, tt_total.errors,
		       tt_total.aborted ? " aborted" : "");
	n += scnprintf(buf + n, size - n, " phases=%s threads=%u seed=%#llx",
		       names, threads, s);
	scnprintf(buf + n, size - n, " time=%us kernel=%s", secs,
		  utsname()->release);
	pr_info("%s\n", buf);
	kfree(buf);
}

static int __init syncmap_torture_init(void)
{
	unsigned long start = jiffies, end, mask, now;
	unsigned int i, left;
	char names[64] = "";
	u64 s = seed;
	int ret;

	ret = tt_check_params();
	if (!ret)
		ret = tt_parse_phases(&mask);
	if (ret) {
		pr_err("FAIL: bad parameters (%d)\n", ret);
		return ret;
	}
	if (!s)
		s = get_random_u64() ?: 1;
	end = duration ? start + duration * HZ : start + MAX_JIFFY_OFFSET / 2;
	pr_info("start: phases %s, threads %u + %u range, ops %lu, seed %#llx, duration %u s\n",
		phases, threads, range_threads, ops, s, duration);
	pr_info("start: own_keys %u, shared_keys %u, stable_keys %u, copy_keys %u, grow_keys %u\n",
		own_keys, shared_keys, stable_keys, copy_keys, grow_keys);

	left = hweight_long(mask);
	for (i = 0; i < ARRAY_SIZE(tt_phases); i++) {
		if (!(mask & BIT(i)))
			continue;
		/* What is left of the time, shared out equally. */
		now = jiffies;
		ret = tt_run_phase(&tt_phases[i],
				   time_after(end, now) ? now + (end - now) / left : now,
				   tt_mix64(s + i));
		left--;
		if (strlen(names) + strlen(tt_phases[i].name) + 2 < sizeof(names))
			snprintf(names + strlen(names), sizeof(names) - strlen(names),
				 "%s%s", names[0] ? "," : "", tt_phases[i].name);
		if (ret) {
			pr_err("phase %s could not run (%d)\n", tt_phases[i].name, ret);
			tt_total.errors++;
		}
		if (tt_total.errors || tt_total.aborted)
			break;
	}

	tt_result(names, s, jiffies_to_msecs(jiffies - start) / 1000);
	return tt_total.errors || tt_total.aborted ? -EIO : 0;
}

static void __exit syncmap_torture_exit(void)
{
}

module_init(syncmap_torture_init);
module_exit(syncmap_torture_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Torture test of syncmap");
MODULE_IMPORT_NS(SYNCMAP);
