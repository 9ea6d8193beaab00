// SPDX-License-Identifier: GPL-2.0
/*
 * The run-time half of the shim (shim.h): locks with lockdep's checks, RCU
 * and SRCU on liburcu, a pool of workqueue workers, per-CPU areas,
 * kthreads, timers, completions, the allocator with failslab's fail-nth,
 * and the kernel's reports (WARN, BUG, lockdep, RCU, sleeping in atomic
 * context), counted so that the test runner fails the case that had one.
 */
#include "shim.h"

#include <malloc.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include <urcu/urcu-mb.h>
#include <urcu/urcu-memb.h>

/*
 * ThreadSanitizer does not see liburcu's grace periods (the library is not
 * instrumented, and its read side is plain per-thread counters).  What a
 * grace period guarantees is made visible instead: the end of every read
 * section releases a synchronisation object, the return of
 * synchronize_*() acquires it, so everything a reader did in a section
 * that ended happens-before what the updater does after the grace period
 * (typically: free).  That is weaker than RCU only in that it also orders
 * sections that started after the grace period began; it never hides a
 * use after free that a section still open could make.
 */
#ifdef __SANITIZE_THREAD__
void __tsan_acquire(void *addr);
void __tsan_release(void *addr);
#define tsan_acquire(a)	__tsan_acquire(a)
#define tsan_release(a)	__tsan_release(a)
#else
#define tsan_acquire(a)	((void)(a))
#define tsan_release(a)	((void)(a))
#endif

__thread struct task_struct shim_task;
__thread char shim_self;
struct module shim_this_module;
struct mem_cgroup shim_root_mem_cgroup;
int shim_nr_cpus = 1;

static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned long warnings;

/* ---- reports ---------------------------------------------------------- */

void shim_warn(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&out_lock);
	warnings++;
	fflush(stdout);
	fprintf(stdout, "# WARNING: at %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stdout, fmt, ap);
	va_end(ap);
	fprintf(stdout, " (thread %s)\n",
		shim_task.comm[0] ? shim_task.comm : "test");
	fflush(stdout);
	pthread_mutex_unlock(&out_lock);
}

unsigned long shim_warnings(void)
{
	unsigned long n;

	pthread_mutex_lock(&out_lock);
	n = warnings;
	pthread_mutex_unlock(&out_lock);
	return n;
}

void shim_bug(const char *file, int line, const char *what)
{
	fflush(stdout);
	fprintf(stdout, "# BUG: at %s:%d: %s\n", file, line, what);
	fprintf(stdout, "Bail out! kernel BUG\n");
	fflush(stdout);
	abort();
}

void shim_rcu_report(const char *file, int line, const char *what)
{
	shim_warn(file, line, "suspicious RCU usage: %s", what);
}

void shim_might_sleep(const char *file, int line)
{
	struct task_struct *t = &shim_task;

	if (t->rcu_nesting || t->spin_nesting || t->bh_disabled ||
	    t->irq_disabled || t->in_softirq)
		shim_warn(file, line,
			  "BUG: sleeping function called from invalid context (rcu %d, spin %d, bh %d, irq %d, softirq %d)",
			  t->rcu_nesting, t->spin_nesting, t->bh_disabled,
			  t->irq_disabled, t->in_softirq);
}

/* ---- time, scheduling ----------------------------------------------------- */

static u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

unsigned long shim_jiffies(void)
{
	return now_ns() / (1000000000ULL / HZ);
}

void shim_cond_resched(void)
{
	might_sleep();
	sched_yield();
}

void schedule(void)
{
	shim_cond_resched();
}

long schedule_timeout(long timeout)
{
	might_sleep();
	if (timeout > 0 && timeout != MAX_SCHEDULE_TIMEOUT)
		usleep((useconds_t)jiffies_to_msecs(timeout) * 1000);
	return 0;
}

void msleep(unsigned int ms)
{
	might_sleep();
	usleep((useconds_t)ms * 1000);
}

void usleep_range(unsigned long min, unsigned long max)
{
	might_sleep();
	usleep(min);
}

void udelay(unsigned long us)
{
	u64 end = now_ns() + us * 1000;

	while (now_ns() < end)
		cpu_relax();
}

/* ---- CPUs and per-CPU areas ------------------------------------------- */

#ifndef SHIM_PCPU_THREAD
static void __attribute__((constructor)) shim_init_cpus(void)
{
	const char *s = getenv("SHIM_CPUS");
	long n = s ? atol(s) : sysconf(_SC_NPROCESSORS_CONF);

	shim_nr_cpus = n > 0 ? (int)n : 1;
}

int shim_cpu(void)
{
	int cpu = sched_getcpu();

	return cpu < 0 ? 0 : cpu % shim_nr_cpus;
}
#else
/* Slots for the live threads: the lowest free one, given back at exit. */
#define SLOTS 64
__thread int shim_cpu_slot = -1;
static pthread_mutex_t slot_lock = PTHREAD_MUTEX_INITIALIZER;
static bool slot_used[SLOTS];
static pthread_key_t slot_key;
static pthread_once_t slot_once = PTHREAD_ONCE_INIT;

static void slot_put(void *arg)
{
	pthread_mutex_lock(&slot_lock);
	slot_used[shim_cpu_slot] = false;
	pthread_mutex_unlock(&slot_lock);
	shim_cpu_slot = -1;
}

static void slot_init(void)
{
	pthread_key_create(&slot_key, slot_put);
}

static void __attribute__((constructor)) shim_init_cpus(void)
{
	shim_nr_cpus = SLOTS;
}

int shim_cpu_slot_get(void)
{
	int i;

	pthread_once(&slot_once, slot_init);
	pthread_mutex_lock(&slot_lock);
	for (i = 0; i < SLOTS && slot_used[i]; i++)
		;
	if (i == SLOTS)
		shim_bug(__FILE__, __LINE__, "shim: more live threads than per-CPU slots");
	slot_used[i] = true;
	pthread_mutex_unlock(&slot_lock);
	shim_cpu_slot = i;
	pthread_setspecific(slot_key, &shim_cpu_slot);
	return i;
}
#endif

void *shim_alloc_percpu(size_t size)
{
	size_t bytes = SHIM_PCPU_STRIDE * shim_nr_cpus;
	void *p = aligned_alloc(SMP_CACHE_BYTES, bytes);

	if (p)
		memset(p, 0, bytes);
	return p;
}

/* ---- locks ---------------------------------------------------------------- */

void shim_lock_init(struct shim_lock *l)
{
	pthread_mutex_init(&l->m, NULL);
	l->owner = NULL;
}

void shim_lock_destroy(struct shim_lock *l)
{
	WARN(l->owner, "lockdep: destroying a held lock");
	pthread_mutex_destroy(&l->m);
}

void shim_lock(struct shim_lock *l, const char *file, int line)
{
	if (shim_lock_held(l))
		shim_bug(file, line, "possible recursive locking detected");
	pthread_mutex_lock(&l->m);
	__atomic_store_n(&l->owner, &shim_self, __ATOMIC_RELAXED);
}

bool shim_trylock(struct shim_lock *l)
{
	if (pthread_mutex_trylock(&l->m))
		return false;
	__atomic_store_n(&l->owner, &shim_self, __ATOMIC_RELAXED);
	return true;
}

void shim_unlock(struct shim_lock *l, const char *file, int line)
{
	if (!shim_lock_held(l)) {
		shim_warn(file, line,
			  "lockdep: bad unlock balance: lock not held by this thread");
		return;
	}
	__atomic_store_n(&l->owner, NULL, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&l->m);
}

/* ---- RCU and SRCU ------------------------------------------------------- */

/* TSan's stand-in for the RCU grace period (see tsan_acquire above). */
static char rcu_gp;

#define SRCU_SLOTS 16
struct srcu_held {
	const struct srcu_struct *ssp;
	int n;
};
static __thread struct srcu_held srcu_held[SRCU_SLOTS];
static __thread bool memb_registered, mb_registered;
static pthread_key_t rcu_key;
static pthread_once_t rcu_once = PTHREAD_ONCE_INIT;

/* A thread that ends must leave liburcu's registries. */
static void rcu_thread_exit(void *arg)
{
	struct task_struct *t = &shim_task;

	if (t->rcu_nesting || t->srcu_nesting) {
		shim_warn(__FILE__, __LINE__,
			  "thread ended inside a read section (rcu %d, srcu %d)",
			  t->rcu_nesting, t->srcu_nesting);
		for (; t->rcu_nesting > 0; t->rcu_nesting--)
			urcu_memb_read_unlock();
		for (; t->srcu_nesting > 0; t->srcu_nesting--)
			urcu_mb_read_unlock();
	}
	if (memb_registered)
		urcu_memb_unregister_thread();
	if (mb_registered)
		urcu_mb_unregister_thread();
	memb_registered = mb_registered = false;
}

static void rcu_key_init(void)
{
	pthread_key_create(&rcu_key, rcu_thread_exit);
}

static void rcu_register(bool *registered, void (*reg)(void))
{
	if (likely(*registered))
		return;
	pthread_once(&rcu_once, rcu_key_init);
	reg();
	*registered = true;
	pthread_setspecific(rcu_key, &shim_task);
}

void shim_rcu_read_lock(void)
{
	rcu_register(&memb_registered, urcu_memb_register_thread);
	urcu_memb_read_lock();
	shim_task.rcu_nesting++;
}

void shim_rcu_read_unlock(void)
{
	if (shim_task.rcu_nesting <= 0) {
		shim_warn(__FILE__, __LINE__,
			  "suspicious RCU usage: rcu_read_unlock() outside a read section");
		return;
	}
	shim_task.rcu_nesting--;
	tsan_release(&rcu_gp);
	urcu_memb_read_unlock();
}

/*
 * A grace period lasts at least this long, as the kernel's take
 * milliseconds.  liburcu's take microseconds, and each costs the memb
 * flavour a membarrier() (an IPI to every CPU running the process): the
 * reap work, re-queued by every retirement, would spend a third of the
 * machine on them, freeing a few values per grace period where the
 * kernel frees thousands.  SHIM_GP_US sets it (0: as fast as liburcu).
 */
static unsigned long gp_us = 1000;

static void __attribute__((constructor)) shim_init_gp(void)
{
	const char *s = getenv("SHIM_GP_US");

	if (s)
		gp_us = strtoul(s, NULL, 10);
}

void shim_synchronize_rcu(void)
{
	if (shim_task.rcu_nesting)
		shim_bug(__FILE__, __LINE__,
			 "synchronize_rcu() inside an RCU read section");
	might_sleep();
	if (gp_us)
		usleep(gp_us);
	urcu_memb_synchronize_rcu();
	tsan_acquire(&rcu_gp);
}

static struct srcu_held *srcu_slot(const struct srcu_struct *ssp, bool add)
{
	struct srcu_held *free = NULL;
	int i;

	for (i = 0; i < SRCU_SLOTS; i++) {
		if (srcu_held[i].ssp == ssp && srcu_held[i].n)
			return &srcu_held[i];
		if (!free && !srcu_held[i].n)
			free = &srcu_held[i];
	}
	if (add && !free)
		shim_bug(__FILE__, __LINE__,
			 "shim: SRCU sections of too many srcu_structs open");
	if (add)
		free->ssp = ssp;
	return add ? free : NULL;
}

int init_srcu_struct(struct srcu_struct *ssp)
{
	ssp->readers = 0;
	return 0;
}

void cleanup_srcu_struct(struct srcu_struct *ssp)
{
	WARN(__atomic_load_n(&ssp->readers, __ATOMIC_SEQ_CST),
	     "cleanup_srcu_struct() with %d readers", ssp->readers);
}

int shim_srcu_read_lock(struct srcu_struct *ssp)
{
	rcu_register(&mb_registered, urcu_mb_register_thread);
	urcu_mb_read_lock();
	__atomic_fetch_add(&ssp->readers, 1, __ATOMIC_RELAXED);
	srcu_slot(ssp, true)->n++;
	shim_task.srcu_nesting++;
	return 0;
}

void shim_srcu_read_unlock(struct srcu_struct *ssp, int idx)
{
	struct srcu_held *h = srcu_slot(ssp, false);

	if (!h) {
		shim_warn(__FILE__, __LINE__,
			  "suspicious RCU usage: srcu_read_unlock() of a section not held");
		return;
	}
	h->n--;
	shim_task.srcu_nesting--;
	__atomic_fetch_sub(&ssp->readers, 1, __ATOMIC_RELAXED);
	tsan_release(ssp);
	urcu_mb_read_unlock();
}

bool shim_srcu_read_lock_held(const struct srcu_struct *ssp)
{
	return shim_task.srcu_nesting && srcu_slot(ssp, false) != NULL;
}

/*
 * Every srcu_struct shares liburcu's mb domain: a grace period waits for
 * the sections of all of them, so it must not be started from inside any.
 */
void shim_synchronize_srcu(struct srcu_struct *ssp)
{
	if (shim_task.srcu_nesting)
		shim_bug(__FILE__, __LINE__,
			 "synchronize_srcu() inside an SRCU read section (the shim has one SRCU domain)");
	might_sleep();
	urcu_mb_synchronize_rcu();
	tsan_acquire(ssp);
}

/* ---- workqueues ------------------------------------------------------- */

/*
 * One pool of workers for every workqueue, as the kernel's unbound pool:
 * a FIFO of items under one lock.  A worker takes the first item that no
 * other worker is running (an item never runs twice at once), clears its
 * PENDING bit and runs it; flush and cancel wait for an item to be neither
 * queued nor running.  Which item a worker runs is kept in the worker,
 * never in the item, which its function may free.
 */
#define WORKERS 4

static struct workqueue_struct wq_system = { "events" };
static struct workqueue_struct wq_unbound = { "events_unbound" };
struct workqueue_struct *system_wq = &wq_system;
struct workqueue_struct *system_unbound_wq = &wq_unbound;

static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t pool_more = PTHREAD_COND_INITIALIZER;
static pthread_cond_t pool_done = PTHREAD_COND_INITIALIZER;
static struct work_struct *pool_head, *pool_tail;
static struct work_struct *running[WORKERS];
static pthread_once_t pool_once = PTHREAD_ONCE_INIT;
static unsigned long long pool_delay_ns;

void shim_wq_set_delay_ms(unsigned int ms)
{
	pthread_mutex_lock(&pool_lock);
	pool_delay_ns = ms * 1000000ULL;
	pthread_cond_broadcast(&pool_more);
	pthread_mutex_unlock(&pool_lock);
}

static bool work_running(struct work_struct *work)
{
	int i;

	for (i = 0; i < WORKERS; i++)
		if (running[i] == work)
			return true;
	return false;
}

/*
 * The first queued item that is not running and is due, unlinked; pool
 * lock held.  *@wait is set to how long until the next one is due.
 */
static struct work_struct *pool_take(unsigned long long *wait)
{
	struct work_struct **pp, *w;
	unsigned long long now = pool_delay_ns ? now_ns() : 0, due;

	*wait = 0;
	for (pp = &pool_head; (w = *pp); pp = &w->next) {
		if (work_running(w))
			continue;
		due = w->queued_ns + pool_delay_ns;
		if (pool_delay_ns && !w->flushed && due > now) {
			if (!*wait || due - now < *wait)
				*wait = due - now;
			continue;
		}
		*pp = w->next;
		if (pool_tail == w)
			pool_tail = pp == &pool_head ? NULL :
				container_of(pp, struct work_struct, next);
		w->next = NULL;
		w->queued = false;
		return w;
	}
	return NULL;
}

static void pool_unlink(struct work_struct *work)
{
	struct work_struct **pp, *w;

	for (pp = &pool_head; (w = *pp); pp = &w->next) {
		if (w != work)
			continue;
		*pp = w->next;
		if (pool_tail == w)
			pool_tail = pp == &pool_head ? NULL :
				container_of(pp, struct work_struct, next);
		w->next = NULL;
		w->queued = false;
		return;
	}
}

static void *worker_main(void *arg)
{
	int id = (int)(intptr_t)arg;
	unsigned long long wait;
	struct work_struct *w;
	struct timespec ts;
	work_func_t fn;

	snprintf(shim_task.comm, sizeof(shim_task.comm), "kworker/u:%d", id);
	shim_task.is_worker = true;
	pthread_mutex_lock(&pool_lock);
	for (;;) {
		w = pool_take(&wait);
		if (!w && wait) {
			clock_gettime(CLOCK_REALTIME, &ts);
			wait += ts.tv_nsec;
			ts.tv_sec += wait / 1000000000ULL;
			ts.tv_nsec = wait % 1000000000ULL;
			pthread_cond_timedwait(&pool_more, &pool_lock, &ts);
			continue;
		}
		if (!w) {
			pthread_cond_wait(&pool_more, &pool_lock);
			continue;
		}
		w->flushed = false;
		running[id] = w;
		fn = w->func;
		__atomic_exchange_n(&w->pending, 0, __ATOMIC_SEQ_CST);
		pthread_mutex_unlock(&pool_lock);
		fn(w);
		if (shim_task.rcu_nesting || shim_task.srcu_nesting ||
		    shim_task.spin_nesting)
			shim_warn(__FILE__, __LINE__,
				  "work function %p returned holding a lock or read section",
				  (void *)fn);
		pthread_mutex_lock(&pool_lock);
		running[id] = NULL;
		pthread_cond_broadcast(&pool_done);
		/* Another worker may have skipped an item this one ran. */
		if (pool_head)
			pthread_cond_broadcast(&pool_more);
	}
	return NULL;
}

static void pool_start(void)
{
	const char *delay = getenv("SHIM_WQ_DELAY_MS");
	pthread_t t;
	int i;

	if (delay)
		pool_delay_ns = strtoull(delay, NULL, 10) * 1000000ULL;
	for (i = 0; i < WORKERS; i++) {
		if (pthread_create(&t, NULL, worker_main, (void *)(intptr_t)i))
			shim_bug(__FILE__, __LINE__, "cannot start a worker");
		pthread_detach(t);
	}
}

bool queue_work(struct workqueue_struct *wq, struct work_struct *work)
{
	pthread_once(&pool_once, pool_start);
	pthread_mutex_lock(&pool_lock);
	if (__atomic_fetch_or(&work->pending, 1, __ATOMIC_SEQ_CST)) {
		pthread_mutex_unlock(&pool_lock);
		return false;
	}
	work->queued = true;
	work->flushed = false;
	work->queued_ns = pool_delay_ns ? now_ns() : 0;
	work->next = NULL;
	if (pool_tail)
		pool_tail->next = work;
	else
		pool_head = work;
	pool_tail = work;
	pthread_cond_signal(&pool_more);
	pthread_mutex_unlock(&pool_lock);
	return true;
}

bool flush_work(struct work_struct *work)
{
	bool waited = false;

	might_sleep();
	pthread_mutex_lock(&pool_lock);
	if (work->queued) {
		work->flushed = true;
		pthread_cond_broadcast(&pool_more);
	}
	while (work->queued || work_running(work)) {
		waited = true;
		pthread_cond_wait(&pool_done, &pool_lock);
	}
	pthread_mutex_unlock(&pool_lock);
	return waited;
}

bool cancel_work_sync(struct work_struct *work)
{
	bool was;

	might_sleep();
	pthread_mutex_lock(&pool_lock);
	was = work->queued;
	if (was) {
		pool_unlink(work);
		__atomic_exchange_n(&work->pending, 0, __ATOMIC_SEQ_CST);
	}
	while (work_running(work))
		pthread_cond_wait(&pool_done, &pool_lock);
	pthread_mutex_unlock(&pool_lock);
	return was;
}

/* ---- memory ----------------------------------------------------------- */

/* failslab with fail-nth: the n-th fault point from now fails. */
static bool should_failslab(gfp_t gfp)
{
	unsigned int n = shim_task.fail_nth;

	if (!n || (gfp & __GFP_NOFAIL) || !in_task())
		return false;
	shim_task.fail_nth = --n;
	return n == 0;
}

/* Bigger than this, kmalloc() goes to the page allocator, not failslab. */
#define KMALLOC_MAX_CACHE_SIZE	(2 * PAGE_SIZE)

void *shim_kmalloc(size_t size, gfp_t gfp, bool kv)
{
	might_sleep_if(gfpflags_allow_blocking(gfp));
	if (size <= KMALLOC_MAX_CACHE_SIZE && should_failslab(gfp)) {
		/* kvmalloc() falls back to vmalloc() beyond a page. */
		if (!kv || size <= PAGE_SIZE)
			return NULL;
	}
	if (size == SIZE_MAX)
		return NULL;
	return (gfp & __GFP_ZERO) ? calloc(1, size ?: 1) : malloc(size ?: 1);
}

struct vm_area {
	struct vm_area *next;
	const char *start;
	size_t size;
};

static pthread_mutex_t vm_lock = PTHREAD_MUTEX_INITIALIZER;
static struct vm_area *vm_areas;
static unsigned long vm_nr;

void *vmalloc(unsigned long size)
{
	size_t len = ALIGN(size ?: 1, PAGE_SIZE);
	struct vm_area *a = malloc(sizeof(*a));
	void *p;

	might_sleep();
	if (!a)
		return NULL;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		 -1, 0);
	if (p == MAP_FAILED) {
		free(a);
		return NULL;
	}
	a->start = p;
	a->size = len;
	pthread_mutex_lock(&vm_lock);
	a->next = vm_areas;
	vm_areas = a;
	__atomic_store_n(&vm_nr, vm_nr + 1, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&vm_lock);
	return p;
}

void *vzalloc(unsigned long size)
{
	return vmalloc(size);	/* fresh anonymous pages are zero */
}

bool is_vmalloc_addr(const void *p)
{
	const char *c = p;
	struct vm_area *a;
	bool found = false;

	if (!__atomic_load_n(&vm_nr, __ATOMIC_RELAXED))
		return false;
	pthread_mutex_lock(&vm_lock);
	for (a = vm_areas; a && !found; a = a->next)
		found = c >= a->start && c < a->start + a->size;
	pthread_mutex_unlock(&vm_lock);
	return found;
}

void vfree(const void *p)
{
	struct vm_area **pp, *a;

	if (!p)
		return;
	pthread_mutex_lock(&vm_lock);
	for (pp = &vm_areas; (a = *pp); pp = &a->next)
		if (a->start == p)
			break;
	if (a) {
		*pp = a->next;
		__atomic_store_n(&vm_nr, vm_nr - 1, __ATOMIC_RELAXED);
	}
	pthread_mutex_unlock(&vm_lock);
	if (!a)
		shim_bug(__FILE__, __LINE__, "vfree() of memory vmalloc() did not give");
	munmap((void *)a->start, a->size);
	free(a);
}

size_t ksize(const void *p)
{
	return malloc_usable_size((void *)p);
}

struct kmem_cache *kmem_cache_create_usercopy(const char *name,
					      unsigned int size,
					      unsigned int align,
					      unsigned int flags,
					      unsigned int useroffset,
					      unsigned int usersize,
					      void (*ctor)(void *))
{
	struct kmem_cache *c = malloc(sizeof(*c));

	if (c) {
		c->name = name;
		c->size = size;
	}
	return c;
}

void kmem_cache_destroy(struct kmem_cache *c)
{
	free(c);
}

int kmem_cache_alloc_bulk(struct kmem_cache *c, gfp_t gfp, size_t nr,
			  void **p)
{
	size_t i;

	for (i = 0; i < nr; i++) {
		p[i] = kmem_cache_alloc(c, gfp);
		if (!p[i]) {
			while (i--)
				free(p[i]);
			return 0;
		}
	}
	return (int)nr;
}

static __thread struct mem_cgroup *active_memcg;

struct mem_cgroup *set_active_memcg(struct mem_cgroup *memcg)
{
	struct mem_cgroup *old = active_memcg;

	active_memcg = memcg;
	return old;
}

/* ---- random, strings -------------------------------------------------- */

void get_random_bytes(void *buf, size_t len)
{
	char *p = buf;
	ssize_t n;

	while (len) {
		n = getrandom(p, len, 0);
		if (n <= 0)
			shim_bug(__FILE__, __LINE__, "getrandom() failed");
		p += n;
		len -= n;
	}
}

u32 get_random_u32(void)
{
	u32 v;

	get_random_bytes(&v, sizeof(v));
	return v;
}

int scnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!size)
		return 0;
	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	if (n < 0)
		return 0;
	return (size_t)n >= size ? (int)size - 1 : n;
}

int kstrtoul(const char *s, unsigned int base, unsigned long *res)
{
	char *end;
	unsigned long v;

	if (!*s || *s == '-' || isspace((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, base);
	if (errno)
		return -ERANGE;
	if (*end == '\n')
		end++;
	if (*end)
		return -EINVAL;
	*res = v;
	return 0;
}

ssize_t strscpy(char *dst, const char *src, size_t count)
{
	size_t len;

	if (!count)
		return -E2BIG;
	len = strnlen(src, count);
	if (len == count) {
		memcpy(dst, src, count - 1);
		dst[count - 1] = '\0';
		return -E2BIG;
	}
	memcpy(dst, src, len + 1);
	return (ssize_t)len;
}

/* ---- completions ------------------------------------------------------ */

void init_completion(struct completion *x)
{
	pthread_mutex_init(&x->lock, NULL);
	pthread_cond_init(&x->cond, NULL);
	x->done = 0;
}

void complete(struct completion *x)
{
	pthread_mutex_lock(&x->lock);
	if (x->done != UINT_MAX)
		x->done++;
	pthread_cond_broadcast(&x->cond);
	pthread_mutex_unlock(&x->lock);
}

void complete_all(struct completion *x)
{
	pthread_mutex_lock(&x->lock);
	x->done = UINT_MAX;
	pthread_cond_broadcast(&x->cond);
	pthread_mutex_unlock(&x->lock);
}

void wait_for_completion(struct completion *x)
{
	might_sleep();
	pthread_mutex_lock(&x->lock);
	while (!x->done)
		pthread_cond_wait(&x->cond, &x->lock);
	if (x->done != UINT_MAX)
		x->done--;
	pthread_mutex_unlock(&x->lock);
}

unsigned long wait_for_completion_timeout(struct completion *x,
					  unsigned long timeout)
{
	unsigned long end = shim_jiffies() + timeout;
	struct timespec ts;
	unsigned long left;

	might_sleep();
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += timeout / HZ;
	ts.tv_nsec += (long)(timeout % HZ) * (1000000000L / HZ);
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&x->lock);
	while (!x->done)
		if (pthread_cond_timedwait(&x->cond, &x->lock, &ts))
			break;
	if (!x->done) {
		pthread_mutex_unlock(&x->lock);
		return 0;
	}
	if (x->done != UINT_MAX)
		x->done--;
	pthread_mutex_unlock(&x->lock);
	left = end - shim_jiffies();
	return (long)left > 0 ? left : 1;
}

/* ---- kthreads ----------------------------------------------------------- */

struct shim_kthread {
	struct task_struct handle;	/* what kthread_create() returns */
	int (*fn)(void *data);
	void *data;
	pthread_t thread;
	int cpu;
	bool started;
	bool stopped;			/* kthread_stop() owns it */
	int should_stop;
	int exited;
	int result;
	struct shim_kthread *next;
};

static pthread_mutex_t kthreads_lock = PTHREAD_MUTEX_INITIALIZER;
static struct shim_kthread *kthreads;
static __thread struct shim_kthread *self_kthread;

static void *kthread_main(void *arg)
{
	struct shim_kthread *k = arg;

	self_kthread = k;
	memcpy(shim_task.comm, k->handle.comm, sizeof(shim_task.comm));
	k->result = k->fn(k->data);
	__atomic_store_n(&k->exited, 1, __ATOMIC_RELEASE);
	return NULL;
}

struct task_struct *kthread_create(int (*fn)(void *data), void *data,
				   const char *namefmt, ...)
{
	struct shim_kthread *k = calloc(1, sizeof(*k));
	va_list ap;

	if (!k)
		return ERR_PTR(-ENOMEM);
	k->fn = fn;
	k->data = data;
	k->cpu = -1;
	va_start(ap, namefmt);
	vsnprintf(k->handle.comm, sizeof(k->handle.comm), namefmt, ap);
	va_end(ap);
	pthread_mutex_lock(&kthreads_lock);
	k->next = kthreads;
	kthreads = k;
	pthread_mutex_unlock(&kthreads_lock);
	return &k->handle;
}

void kthread_bind(struct task_struct *t, unsigned int cpu)
{
	container_of(t, struct shim_kthread, handle)->cpu = (int)cpu;
}

int wake_up_process(struct task_struct *t)
{
	struct shim_kthread *k = container_of(t, struct shim_kthread, handle);
	pthread_attr_t attr;
	cpu_set_t set;

	if (k->started)
		return 0;
	pthread_attr_init(&attr);
	if (k->cpu >= 0) {
		CPU_ZERO(&set);
		CPU_SET(k->cpu, &set);
		pthread_attr_setaffinity_np(&attr, sizeof(set), &set);
	}
	k->started = true;
	if (pthread_create(&k->thread, &attr, kthread_main, k))
		shim_bug(__FILE__, __LINE__, "cannot start a kthread");
	pthread_attr_destroy(&attr);
	return 1;
}

bool kthread_should_stop(void)
{
	return self_kthread &&
	       __atomic_load_n(&self_kthread->should_stop, __ATOMIC_ACQUIRE);
}

static void kthread_unlink(struct shim_kthread *k)
{
	struct shim_kthread **pp;

	for (pp = &kthreads; *pp; pp = &(*pp)->next) {
		if (*pp == k) {
			*pp = k->next;
			return;
		}
	}
}

int kthread_stop(struct task_struct *t)
{
	struct shim_kthread *k = container_of(t, struct shim_kthread, handle);
	int ret = -EINTR;

	pthread_mutex_lock(&kthreads_lock);
	k->stopped = true;
	kthread_unlink(k);
	pthread_mutex_unlock(&kthreads_lock);
	__atomic_store_n(&k->should_stop, 1, __ATOMIC_RELEASE);
	if (k->started) {
		pthread_join(k->thread, NULL);
		ret = k->result;
	}
	free(k);
	return ret;
}

void shim_reap_kthreads(void)
{
	struct shim_kthread *k, **pp;

	pthread_mutex_lock(&kthreads_lock);
	for (pp = &kthreads; (k = *pp);) {
		if (k->started && !k->stopped) {
			*pp = k->next;
			pthread_join(k->thread, NULL);
			free(k);
		} else {
			pp = &k->next;
		}
	}
	pthread_mutex_unlock(&kthreads_lock);
}

/* ---- timers ------------------------------------------------------------- */

void timer_setup(struct timer_list *t, void (*fn)(struct timer_list *),
		 unsigned int flags)
{
	t->function = fn;
	t->armed = false;
}

static void *timer_main(void *arg)
{
	struct timer_list *t = arg;
	long wait = (long)(t->expires - shim_jiffies());

	snprintf(shim_task.comm, sizeof(shim_task.comm), "ksoftirqd");
	if (wait > 0)
		usleep((useconds_t)jiffies_to_msecs(wait) * 1000);
	shim_task.in_softirq = true;
	t->function(t);
	shim_task.in_softirq = false;
	return NULL;
}

int mod_timer(struct timer_list *t, unsigned long expires)
{
	int was = del_timer_sync(t);

	t->expires = expires;
	t->armed = true;
	if (pthread_create(&t->thread, NULL, timer_main, t))
		shim_bug(__FILE__, __LINE__, "cannot start a timer");
	return was;
}

int del_timer_sync(struct timer_list *t)
{
	if (!t->armed)
		return 0;
	pthread_join(t->thread, NULL);
	t->armed = false;
	return 1;
}

/* ---- xarray ------------------------------------------------------------ */

int xa_alloc(struct xarray *xa, u32 *id, void *entry, struct xa_limit limit,
	     gfp_t gfp)
{
	unsigned long i, lo = max_t(unsigned long, limit.min, xa->base);
	void **slots;
	int ret = -EBUSY;

	pthread_mutex_lock(&xa->lock);
	for (i = lo; i <= limit.max; i++) {
		if (i >= xa->size) {
			slots = realloc(xa->slots, (i + 16) * sizeof(void *));
			if (!slots) {
				ret = -ENOMEM;
				break;
			}
			memset(slots + xa->size, 0,
			       (i + 16 - xa->size) * sizeof(void *));
			xa->slots = slots;
			xa->size = i + 16;
		}
		if (!xa->slots[i]) {
			xa->slots[i] = entry;
			*id = (u32)i;
			ret = 0;
			break;
		}
	}
	pthread_mutex_unlock(&xa->lock);
	return ret;
}

void *xa_load(struct xarray *xa, unsigned long index)
{
	void *p;

	pthread_mutex_lock(&xa->lock);
	p = index < xa->size ? xa->slots[index] : NULL;
	pthread_mutex_unlock(&xa->lock);
	return p;
}

void *xa_erase(struct xarray *xa, unsigned long index)
{
	void *p = NULL;

	pthread_mutex_lock(&xa->lock);
	if (index < xa->size) {
		p = xa->slots[index];
		xa->slots[index] = NULL;
	}
	pthread_mutex_unlock(&xa->lock);
	return p;
}

void *xa_find(struct xarray *xa, unsigned long *index, unsigned long max,
	      int filter)
{
	unsigned long i;
	void *p = NULL;

	pthread_mutex_lock(&xa->lock);
	for (i = *index; i < xa->size && i <= max; i++) {
		if (xa->slots[i]) {
			p = xa->slots[i];
			*index = i;
			break;
		}
	}
	pthread_mutex_unlock(&xa->lock);
	return p;
}

void *xa_find_after(struct xarray *xa, unsigned long *index,
		    unsigned long max, int filter)
{
	unsigned long i = *index + 1;
	void *p;

	if (!i)
		return NULL;
	p = xa_find(xa, &i, max, filter);
	if (p)
		*index = i;
	return p;
}

bool xa_empty(struct xarray *xa)
{
	unsigned long i = 0;

	return !xa_find(xa, &i, ULONG_MAX, XA_PRESENT);
}

void xa_destroy(struct xarray *xa)
{
	pthread_mutex_lock(&xa->lock);
	free(xa->slots);
	xa->slots = NULL;
	xa->size = 0;
	pthread_mutex_unlock(&xa->lock);
}
