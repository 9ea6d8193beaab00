// SPDX-License-Identifier: GPL-2.0
/*
 * The KUnit runner of the native build: runs every registered suite (the
 * kernel's, from kunit_test_suites(), then the native ones) and prints
 * KTAP as the kernel does, so that kunit.py parses it.  A case fails on a
 * failed expectation or assertion and also on any kernel report the shim
 * counted while it ran (WARNING, lockdep, RCU, sleeping in atomic context).
 *
 *   syncmap-kunit [-l] [GLOB...]   GLOB matches "suite.case" (fnmatch)
 *
 * Exits 0 when every case passed or was skipped, 1 otherwise.
 */
#include <fnmatch.h>

#include "kunit.h"
#include "../../../../module/syncmap_blob.h"
#include "../../../../module/syncmap_internal.h"

#define MAX_SUITES 32

static struct kunit_suite *suites[MAX_SUITES];
static int nr_suites;

void kunit_register_suites(struct kunit_suite *const *s, int n)
{
	int i;

	for (i = 0; i < n && nr_suites < MAX_SUITES; i++)
		suites[nr_suites++] = s[i];
}

struct kunit_resource {
	struct kunit_resource *next;
	void *ptr;
};

void *kunit_kmalloc(struct kunit *test, size_t size, gfp_t gfp)
{
	struct kunit_resource *r = malloc(sizeof(*r));
	void *p = kmalloc(size, gfp);

	if (!r || !p) {
		free(r);
		free(p);
		return NULL;
	}
	r->ptr = p;
	pthread_mutex_lock(&test->lock);
	r->next = test->resources;
	test->resources = r;
	pthread_mutex_unlock(&test->lock);
	return p;
}

void kunit_kfree(struct kunit *test, const void *ptr)
{
	struct kunit_resource **pp, *r;

	pthread_mutex_lock(&test->lock);
	for (pp = &test->resources; (r = *pp); pp = &r->next) {
		if (r->ptr == ptr) {
			*pp = r->next;
			free(r->ptr);
			free(r);
			break;
		}
	}
	pthread_mutex_unlock(&test->lock);
}

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

void kunit_log(struct kunit *test, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&log_lock);
	printf("        # %s: ", test->name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	pthread_mutex_unlock(&log_lock);
}

void __kunit_fail(struct kunit *test, const char *file, int line,
		  bool assert, const char *fmt, ...)
{
	va_list ap;
	const char *p;
	char msg[2048];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&log_lock);
	test->status = KUNIT_FAILURE;
	printf("        # %s: %s FAILED at %s:%d\n", test->name,
	       assert ? "ASSERTION" : "EXPECTATION", file, line);
	/* Every line of the message as a diagnostic line. */
	for (p = msg; *p;) {
		const char *nl = strchr(p, '\n');
		int len = nl ? (int)(nl - p) : (int)strlen(p);

		printf("        # %.*s\n", len, p);
		p += len + !!nl;
	}
	fflush(stdout);
	pthread_mutex_unlock(&log_lock);
}

void __kunit_abort(struct kunit *test)
{
	pthread_exit(NULL);
}

void __kunit_skip(struct kunit *test, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(test->status_comment, sizeof(test->status_comment), fmt, ap);
	va_end(ap);
	test->status = KUNIT_SKIPPED;
	pthread_exit(NULL);
}

struct case_run {
	struct kunit *test;
	struct kunit_suite *suite;
	struct kunit_case *kcase;
};

static void *case_thread(void *arg)
{
	struct case_run *r = arg;

	snprintf(shim_task.comm, sizeof(shim_task.comm), "kunit_try_catch");
	if (r->suite->init && r->suite->init(r->test)) {
		__kunit_fail(r->test, __FILE__, __LINE__, false,
			     "suite init failed");
		return NULL;
	}
	r->kcase->run_case(r->test);
	if (r->suite->exit)
		r->suite->exit(r->test);
	return NULL;
}

static bool selected(int argc, char **argv, const char *suite,
		     const char *name)
{
	char full[512];
	int i;

	if (argc <= 0)
		return true;
	snprintf(full, sizeof(full), "%s.%s", suite, name);
	for (i = 0; i < argc; i++)
		if (!fnmatch(argv[i], full, 0) || !fnmatch(argv[i], suite, 0))
			return true;
	return false;
}

static enum kunit_status run_case(struct kunit_suite *suite,
				  struct kunit_case *kcase, int nr)
{
	struct kunit test = { .name = kcase->name };
	struct case_run r = { &test, suite, kcase };
	unsigned long warnings = shim_warnings();
	struct kunit_resource *res, *next;
	pthread_t t;

	pthread_mutex_init(&test.lock, NULL);
	if (pthread_create(&t, NULL, case_thread, &r)) {
		perror("pthread_create");
		exit(2);
	}
	pthread_join(t, NULL);
	shim_reap_kthreads();
	for (res = test.resources; res; res = next) {
		next = res->next;
		free(res->ptr);
		free(res);
	}
	if (shim_warnings() != warnings) {
		printf("        # %s: kernel reports while it ran: %lu\n",
		       kcase->name, shim_warnings() - warnings);
		test.status = KUNIT_FAILURE;
	}
	switch (test.status) {
	case KUNIT_SUCCESS:
		printf("    ok %d %s\n", nr, kcase->name);
		break;
	case KUNIT_SKIPPED:
		printf("    ok %d %s # SKIP %s\n", nr, kcase->name,
		       test.status_comment);
		break;
	default:
		printf("    not ok %d %s\n", nr, kcase->name);
	}
	fflush(stdout);
	pthread_mutex_destroy(&test.lock);
	return test.status;
}

/*
 * Suites written for the lab's guest, where kworkers start late (QEMU's
 * TCG, two vCPUs, KASAN): natively the work item that finishes a copy or
 * growth runs at once on the other core and closes the window the suite
 * holds open.  They run with workers that start an item this late.
 */
static const struct {
	const char *suite;
	unsigned int ms;
} late_kworkers[] = {
	{ "syncmap_race", 20 },
};

static unsigned int kworker_delay(const struct kunit_suite *suite)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(late_kworkers); i++)
		if (!strcmp(late_kworkers[i].suite, suite->name))
			return late_kworkers[i].ms;
	return 0;
}

int __attribute__((weak)) syncmap_blob_init(void)
{
	return 0;
}

void __attribute__((weak)) syncmap_blob_exit(void)
{
}

void __attribute__((weak)) syncmap_registry_exit(void)
{
}

int main(int argc, char **argv)
{
	int s, c, n, pass, fail, skip, nsel = 0, failed_suites = 0;
	unsigned long in_cases = 0, before;
	bool list = argc > 1 && !strcmp(argv[1], "-l");
	struct kunit_suite *suite;
	struct kunit_case *kc;
	enum kunit_status st;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (list) {
		for (s = 0; s < nr_suites; s++)
			for (kc = suites[s]->test_cases; kc->run_case; kc++)
				printf("%s.%s\n", suites[s]->name, kc->name);
		return 0;
	}
	argc--;
	argv++;
	for (s = 0; s < nr_suites; s++)
		for (kc = suites[s]->test_cases; kc->run_case; kc++)
			if (selected(argc, argv, suites[s]->name, kc->name)) {
				nsel++;
				break;
			}
	if (syncmap_blob_init()) {
		printf("Bail out! syncmap_blob_init() failed\n");
		return 1;
	}
	printf("KTAP version 1\n1..%d\n", nsel);
	for (s = 0, n = 0; s < nr_suites; s++) {
		suite = suites[s];
		for (c = 0, kc = suite->test_cases; kc->run_case; kc++)
			c += selected(argc, argv, suite->name, kc->name);
		if (!c)
			continue;
		printf("    KTAP version 1\n    # Subtest: %s\n    1..%d\n",
		       suite->name, c);
		pass = fail = skip = 0;
		shim_wq_set_delay_ms(kworker_delay(suite));
		for (c = 0, kc = suite->test_cases; kc->run_case; kc++) {
			if (!selected(argc, argv, suite->name, kc->name))
				continue;
			before = shim_warnings();
			st = run_case(suite, kc, ++c);
			in_cases += shim_warnings() - before;
			pass += st == KUNIT_SUCCESS;
			fail += st == KUNIT_FAILURE;
			skip += st == KUNIT_SKIPPED;
		}
		shim_wq_set_delay_ms(0);
		printf("# %s: pass:%d fail:%d skip:%d total:%d\n", suite->name,
		       pass, fail, skip, c);
		printf("%s %d %s\n", fail ? "not ok" : "ok", ++n, suite->name);
		failed_suites += !!fail;
	}
	syncmap_blob_exit();
	syncmap_registry_exit();
	if (shim_warnings() != in_cases) {
		printf("# kernel reports outside the test cases\n");
		failed_suites++;
	}
	return failed_suites ? 1 : 0;
}
