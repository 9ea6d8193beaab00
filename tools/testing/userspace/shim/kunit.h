/* SPDX-License-Identifier: GPL-2.0 */
/*
 * <kunit/test.h> for the native build: the suites under kunit/ compile
 * unchanged and run in the userspace runner (kunit.c), which prints KTAP
 * as the kernel's KUnit does.  Each case runs on a thread of its own; an
 * assertion that fails, or kunit_skip(), ends that thread as KUnit ends
 * the case's kthread.  Memory from kunit_kzalloc() is freed after the case.
 */
#ifndef _SYNCMAP_SHIM_KUNIT_H
#define _SYNCMAP_SHIM_KUNIT_H

#include "shim.h"

enum kunit_status {
	KUNIT_SUCCESS,
	KUNIT_FAILURE,
	KUNIT_SKIPPED,
};

enum kunit_speed {
	KUNIT_SPEED_UNSET,
	KUNIT_SPEED_VERY_SLOW,
	KUNIT_SPEED_SLOW,
	KUNIT_SPEED_NORMAL,
};

struct kunit_resource;

struct kunit {
	const char *name;
	enum kunit_status status;
	char status_comment[256];
	struct kunit_resource *resources;
	pthread_mutex_t lock;
	void *priv;
};

struct kunit_case {
	void (*run_case)(struct kunit *test);
	const char *name;
	enum kunit_speed speed;
};

struct kunit_suite {
	const char *name;
	int (*suite_init)(struct kunit_suite *suite);
	void (*suite_exit)(struct kunit_suite *suite);
	int (*init)(struct kunit *test);
	void (*exit)(struct kunit *test);
	struct kunit_case *test_cases;
};

/* <kunit/visibility.h>: everything is visible to the tests here. */
#define VISIBLE_IF_KUNIT
#define EXPORT_SYMBOL_IF_KUNIT(symbol)

#define KUNIT_CASE(fn)	{ .run_case = fn, .name = #fn }
#define KUNIT_CASE_SLOW(fn)						\
	{ .run_case = fn, .name = #fn, .speed = KUNIT_SPEED_SLOW }

/*
 * The suites a test program runs: kunit_test_suites() (the kernel's module
 * registration) sets them up, native-only suites are added with
 * kunit_native_suites().  The runner runs them in order.
 */
void kunit_register_suites(struct kunit_suite *const *suites, int n);
#define __kunit_suites(id, ...)						\
	static void __attribute__((constructor)) id(void)		\
	{								\
		static struct kunit_suite *const s[] = { __VA_ARGS__ };	\
		kunit_register_suites(s, ARRAY_SIZE(s));		\
	}
#define kunit_test_suites(...)	__kunit_suites(__kunit_reg_kernel, __VA_ARGS__)
#define kunit_native_suites(...)	__kunit_suites(__kunit_reg_native, __VA_ARGS__)

void *kunit_kmalloc(struct kunit *test, size_t size, gfp_t gfp);
#define kunit_kzalloc(test, size, gfp)	kunit_kmalloc(test, size, (gfp) | __GFP_ZERO)
#define kunit_kcalloc(test, n, size, gfp)	kunit_kzalloc(test, size_mul(n, size), gfp)
#define kunit_kmalloc_array(test, n, size, gfp)	kunit_kmalloc(test, size_mul(n, size), gfp)
void kunit_kfree(struct kunit *test, const void *ptr);

void kunit_log(struct kunit *test, const char *fmt, ...) __printf(2, 3);
#define kunit_info(test, fmt, ...)	kunit_log(test, fmt, ##__VA_ARGS__)
#define kunit_warn(test, fmt, ...)	kunit_log(test, fmt, ##__VA_ARGS__)
#define kunit_err(test, fmt, ...)	kunit_log(test, fmt, ##__VA_ARGS__)

void __kunit_fail(struct kunit *test, const char *file, int line,
		  bool assert, const char *fmt, ...) __printf(5, 6);
void __attribute__((__noreturn__)) __kunit_abort(struct kunit *test);
void __attribute__((__noreturn__)) __kunit_skip(struct kunit *test,
						const char *fmt, ...)
	__printf(2, 3);
#define kunit_skip(test, fmt, ...)	__kunit_skip(test, fmt, ##__VA_ARGS__)
#define kunit_mark_skipped(test, fmt, ...)				\
	do {								\
		(test)->status = KUNIT_SKIPPED;				\
		snprintf((test)->status_comment,			\
			 sizeof((test)->status_comment), fmt, ##__VA_ARGS__); \
	} while (0)

/* @more: a statement that logs the _MSG variants' message, or nothing. */
#define __KUNIT_CHECK(test, assert, ok, more, fmt, ...)			\
	do {								\
		if (unlikely(!(ok))) {					\
			__kunit_fail(test, __FILE__, __LINE__, assert,	\
				     fmt, ##__VA_ARGS__);		\
			more;						\
			if (assert)					\
				__kunit_abort(test);			\
		}							\
	} while (0)

#define __KUNIT_BINARY(test, assert, l, op, r, more)			\
	do {								\
		__typeof__(l) __l = (l);				\
		__typeof__(r) __r = (r);				\
		__KUNIT_CHECK(test, assert, __l op __r, more,		\
			      "Expected %s %s %s, but\n    %s == %lld (0x%llx)\n    %s == %lld (0x%llx)", \
			      #l, #op, #r, #l, (long long)__l,		\
			      (unsigned long long)__l, #r, (long long)__r, \
			      (unsigned long long)__r);			\
	} while (0)

#define __KUNIT_PTR(test, assert, l, op, r, more)			\
	do {								\
		const void *__l = (l), *__r = (r);			\
		__KUNIT_CHECK(test, assert, __l op __r, more,		\
			      "Expected %s %s %s, but\n    %s == %p\n    %s == %p", \
			      #l, #op, #r, #l, __l, #r, __r);		\
	} while (0)

#define __KUNIT_NOMSG	((void)0)
#define __KUNIT_MSG(t, fmt, ...)	kunit_log(t, fmt, ##__VA_ARGS__)

#define KUNIT_EXPECT_EQ(t, l, r)	__KUNIT_BINARY(t, false, l, ==, r, __KUNIT_NOMSG)
#define KUNIT_EXPECT_NE(t, l, r)	__KUNIT_BINARY(t, false, l, !=, r, __KUNIT_NOMSG)
#define KUNIT_EXPECT_LT(t, l, r)	__KUNIT_BINARY(t, false, l, <, r, __KUNIT_NOMSG)
#define KUNIT_EXPECT_LE(t, l, r)	__KUNIT_BINARY(t, false, l, <=, r, __KUNIT_NOMSG)
#define KUNIT_EXPECT_GT(t, l, r)	__KUNIT_BINARY(t, false, l, >, r, __KUNIT_NOMSG)
#define KUNIT_EXPECT_GE(t, l, r)	__KUNIT_BINARY(t, false, l, >=, r, __KUNIT_NOMSG)
#define KUNIT_ASSERT_EQ(t, l, r)	__KUNIT_BINARY(t, true, l, ==, r, __KUNIT_NOMSG)
#define KUNIT_ASSERT_NE(t, l, r)	__KUNIT_BINARY(t, true, l, !=, r, __KUNIT_NOMSG)
#define KUNIT_ASSERT_LT(t, l, r)	__KUNIT_BINARY(t, true, l, <, r, __KUNIT_NOMSG)
#define KUNIT_ASSERT_LE(t, l, r)	__KUNIT_BINARY(t, true, l, <=, r, __KUNIT_NOMSG)
#define KUNIT_ASSERT_GT(t, l, r)	__KUNIT_BINARY(t, true, l, >, r, __KUNIT_NOMSG)
#define KUNIT_ASSERT_GE(t, l, r)	__KUNIT_BINARY(t, true, l, >=, r, __KUNIT_NOMSG)
#define KUNIT_EXPECT_EQ_MSG(t, l, r, fmt, ...)				\
	__KUNIT_BINARY(t, false, l, ==, r, __KUNIT_MSG(t, fmt, ##__VA_ARGS__))
#define KUNIT_EXPECT_NE_MSG(t, l, r, fmt, ...)				\
	__KUNIT_BINARY(t, false, l, !=, r, __KUNIT_MSG(t, fmt, ##__VA_ARGS__))
#define KUNIT_EXPECT_LT_MSG(t, l, r, fmt, ...)				\
	__KUNIT_BINARY(t, false, l, <, r, __KUNIT_MSG(t, fmt, ##__VA_ARGS__))
#define KUNIT_EXPECT_LE_MSG(t, l, r, fmt, ...)				\
	__KUNIT_BINARY(t, false, l, <=, r, __KUNIT_MSG(t, fmt, ##__VA_ARGS__))
#define KUNIT_EXPECT_GT_MSG(t, l, r, fmt, ...)				\
	__KUNIT_BINARY(t, false, l, >, r, __KUNIT_MSG(t, fmt, ##__VA_ARGS__))
#define KUNIT_EXPECT_GE_MSG(t, l, r, fmt, ...)				\
	__KUNIT_BINARY(t, false, l, >=, r, __KUNIT_MSG(t, fmt, ##__VA_ARGS__))
#define KUNIT_ASSERT_EQ_MSG(t, l, r, fmt, ...)				\
	__KUNIT_BINARY(t, true, l, ==, r, __KUNIT_MSG(t, fmt, ##__VA_ARGS__))
#define KUNIT_ASSERT_GE_MSG(t, l, r, fmt, ...)				\
	__KUNIT_BINARY(t, true, l, >=, r, __KUNIT_MSG(t, fmt, ##__VA_ARGS__))
#define KUNIT_ASSERT_LT_MSG(t, l, r, fmt, ...)				\
	__KUNIT_BINARY(t, true, l, <, r, __KUNIT_MSG(t, fmt, ##__VA_ARGS__))

#define KUNIT_EXPECT_PTR_EQ(t, l, r)	__KUNIT_PTR(t, false, l, ==, r, __KUNIT_NOMSG)
#define KUNIT_EXPECT_PTR_NE(t, l, r)	__KUNIT_PTR(t, false, l, !=, r, __KUNIT_NOMSG)
#define KUNIT_ASSERT_PTR_EQ(t, l, r)	__KUNIT_PTR(t, true, l, ==, r, __KUNIT_NOMSG)
#define KUNIT_ASSERT_PTR_NE(t, l, r)	__KUNIT_PTR(t, true, l, !=, r, __KUNIT_NOMSG)
#define KUNIT_EXPECT_NULL(t, p)	__KUNIT_PTR(t, false, p, ==, NULL, __KUNIT_NOMSG)
#define KUNIT_EXPECT_NOT_NULL(t, p)	__KUNIT_PTR(t, false, p, !=, NULL, __KUNIT_NOMSG)
#define KUNIT_ASSERT_NULL(t, p)	__KUNIT_PTR(t, true, p, ==, NULL, __KUNIT_NOMSG)
#define KUNIT_ASSERT_NOT_NULL(t, p)	__KUNIT_PTR(t, true, p, !=, NULL, __KUNIT_NOMSG)
#define KUNIT_EXPECT_NOT_ERR_OR_NULL(t, p)				\
	__KUNIT_CHECK(t, false, !IS_ERR_OR_NULL(p), __KUNIT_NOMSG,	\
		      "Expected %s not error or NULL", #p)
#define KUNIT_ASSERT_NOT_ERR_OR_NULL(t, p)				\
	__KUNIT_CHECK(t, true, !IS_ERR_OR_NULL(p), __KUNIT_NOMSG,	\
		      "Expected %s not error or NULL", #p)

#define KUNIT_EXPECT_TRUE(t, c)						\
	__KUNIT_CHECK(t, false, (c), __KUNIT_NOMSG, "Expected %s to be true", #c)
#define KUNIT_EXPECT_FALSE(t, c)					\
	__KUNIT_CHECK(t, false, !(c), __KUNIT_NOMSG, "Expected %s to be false", #c)
#define KUNIT_ASSERT_TRUE(t, c)						\
	__KUNIT_CHECK(t, true, (c), __KUNIT_NOMSG, "Expected %s to be true", #c)
#define KUNIT_ASSERT_FALSE(t, c)					\
	__KUNIT_CHECK(t, true, !(c), __KUNIT_NOMSG, "Expected %s to be false", #c)
#define KUNIT_EXPECT_TRUE_MSG(t, c, fmt, ...)				\
	__KUNIT_CHECK(t, false, (c), __KUNIT_MSG(t, fmt, ##__VA_ARGS__), \
		      "Expected %s to be true", #c)
#define KUNIT_EXPECT_FALSE_MSG(t, c, fmt, ...)				\
	__KUNIT_CHECK(t, false, !(c), __KUNIT_MSG(t, fmt, ##__VA_ARGS__), \
		      "Expected %s to be false", #c)
#define KUNIT_ASSERT_TRUE_MSG(t, c, fmt, ...)				\
	__KUNIT_CHECK(t, true, (c), __KUNIT_MSG(t, fmt, ##__VA_ARGS__),	\
		      "Expected %s to be true", #c)
#define KUNIT_ASSERT_FALSE_MSG(t, c, fmt, ...)				\
	__KUNIT_CHECK(t, true, !(c), __KUNIT_MSG(t, fmt, ##__VA_ARGS__), \
		      "Expected %s to be false", #c)
#define KUNIT_EXPECT_STREQ(t, l, r)					\
	do {								\
		const char *__l = (l), *__r = (r);			\
		__KUNIT_CHECK(t, false, !strcmp(__l, __r), __KUNIT_NOMSG, \
			      "Expected %s == %s, but \"%s\" != \"%s\"",	\
			      #l, #r, __l, __r);			\
	} while (0)
#define KUNIT_FAIL(t, fmt, ...)						\
	__KUNIT_CHECK(t, false, false, __KUNIT_NOMSG, fmt, ##__VA_ARGS__)

#endif /* _SYNCMAP_SHIM_KUNIT_H */
