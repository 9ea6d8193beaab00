// SPDX-License-Identifier: GPL-2.0
/*
 * Selftests of /dev/syncmap: every ioctl's success path and error paths,
 * ABI versioning, permissions, concurrency from several processes and the
 * dump cursor guarantee.  Run as root in the lab guest.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "libsyncmap.h"

/* The lab's debug kernel under TCG is slow: 30 s per test is not enough. */
#undef TEST_TIMEOUT_DEFAULT
#define TEST_TIMEOUT_DEFAULT 120

#define DEV	SYNCMAP_DEFAULT_PATH
#define NOBODY	65534

/* Check that @call fails with errno @err. */
#define EXPECT_ERR(err, call) do {			\
	int __ret = (call);				\
	int __errno = errno;				\
	EXPECT_EQ(-1, __ret);				\
	EXPECT_EQ(err, __errno);			\
} while (0)

#define ASSERT_OK(call) ASSERT_EQ(0, (call))

/*
 * Without the syncmap module there is nothing to test: skip the whole
 * suite (exit 4).  With the module loaded the tests run, and fail if the
 * device is missing.
 */
__attribute__((constructor)) static void need_module(void)
{
	if (!access(DEV, F_OK) || !access("/sys/module/syncmap", F_OK))
		return;
	printf("TAP version 13\n1..1\nok 1 syncmap # SKIP syncmap not loaded\n");
	exit(KSFT_SKIP);
}

static __u64 p64(const void *p)
{
	return (__u64)(uintptr_t)p;
}

/* An address that faults: a PROT_NONE page. */
static void *bad_ptr(void)
{
	static void *p;

	if (!p)
		p = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
			 -1, 0);
	return p;
}

static void unique_name(char *buf, size_t len, const char *tag)
{
	static unsigned int seq;

	snprintf(buf, len, "st-%s-%d-%u", tag, getpid(), seq++);
}

static int sstore(int fd, const char *k, const char *v)
{
	return syncmap_store(fd, k, strlen(k), v, strlen(v));
}

/* Load a string value; returns 1/0/-1 and the value NUL-terminated. */
static int sload(int fd, const char *k, char *buf, size_t cap)
{
	size_t len = cap - 1;
	int ret = syncmap_load(fd, k, strlen(k), buf, &len);

	buf[ret == 1 ? len : 0] = '\0';
	return ret;
}

static void init_op(struct syncmap_ioc_op *op, unsigned int code,
		    const char *key)
{
	syncmap_op_init(op, code, key, key ? strlen(key) : 0, NULL, 0, NULL,
			0, NULL, 0);
}

static unsigned long op_cmd(unsigned int code)
{
	return _IOWR(SYNCMAP_IOC_MAGIC, SYNCMAP_IOC_OP_BASE + code,
		     struct syncmap_ioc_op);
}

static int __attribute__((unused)) is_root(void)
{
	return geteuid() == 0;
}

/* Run @fn in a child as uid/gid @uid; returns the child's exit status. */
static int __attribute__((unused))
as_user(uid_t uid, int (*fn)(void *), void *arg)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (!pid) {
		if (setresgid(uid, uid, uid) || setresuid(uid, uid, uid))
			_exit(100);
		_exit(fn(arg));
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

FIXTURE(anon) {
	int fd;
};

FIXTURE_SETUP(anon)
{
	self->fd = syncmap_create(NULL, NULL);
	ASSERT_LE(0, self->fd) TH_LOG("create: %s", strerror(errno));
}

FIXTURE_TEARDOWN(anon)
{
	if (self->fd >= 0)
		close(self->fd);
}

/* --- the operations, with Go's sync.Map semantics --- */

TEST_F(anon, load_store)
{
	char buf[64];

	ASSERT_EQ(0, sload(self->fd, "k", buf, sizeof(buf)));
	ASSERT_EQ(0, sstore(self->fd, "k", "v1"));
	ASSERT_EQ(1, sload(self->fd, "k", buf, sizeof(buf)));
	EXPECT_STREQ("v1", buf);
	ASSERT_EQ(0, sstore(self->fd, "k", "value2"));
	ASSERT_EQ(1, sload(self->fd, "k", buf, sizeof(buf)));
	EXPECT_STREQ("value2", buf);
	EXPECT_EQ(1, syncmap_len(self->fd));
	EXPECT_EQ(0, sload(self->fd, "other", buf, sizeof(buf)));
}

TEST_F(anon, load_or_store)
{
	char buf[16];
	size_t len = sizeof(buf);

	EXPECT_EQ(0, syncmap_load_or_store(self->fd, "k", 1, "a", 1, buf,
					   &len));
	EXPECT_EQ(0, len);
	len = sizeof(buf);
	EXPECT_EQ(1, syncmap_load_or_store(self->fd, "k", 1, "bb", 2, buf,
					   &len));
	ASSERT_EQ(1, len);
	EXPECT_EQ('a', buf[0]);
	EXPECT_EQ(1, sload(self->fd, "k", buf, sizeof(buf)));
	EXPECT_STREQ("a", buf);
}

TEST_F(anon, load_and_delete)
{
	char buf[16];
	size_t len = sizeof(buf);

	EXPECT_EQ(0, syncmap_load_and_delete(self->fd, "k", 1, buf, &len));
	EXPECT_EQ(0, len);
	ASSERT_EQ(0, sstore(self->fd, "k", "xyz"));
	len = sizeof(buf);
	EXPECT_EQ(1, syncmap_load_and_delete(self->fd, "k", 1, buf, &len));
	ASSERT_EQ(3, len);
	EXPECT_EQ(0, memcmp(buf, "xyz", 3));
	EXPECT_EQ(0, sload(self->fd, "k", buf, sizeof(buf)));
	EXPECT_EQ(0, syncmap_len(self->fd));
}

TEST_F(anon, delete)
{
	EXPECT_EQ(0, syncmap_delete(self->fd, "k", 1));
	ASSERT_EQ(0, sstore(self->fd, "k", "v"));
	EXPECT_EQ(1, syncmap_delete(self->fd, "k", 1));
	EXPECT_EQ(0, syncmap_delete(self->fd, "k", 1));
	EXPECT_EQ(0, syncmap_len(self->fd));
}

TEST_F(anon, swap)
{
	char buf[16];
	size_t len = sizeof(buf);

	EXPECT_EQ(0, syncmap_swap(self->fd, "k", 1, "one", 3, buf, &len));
	EXPECT_EQ(0, len);
	len = sizeof(buf);
	EXPECT_EQ(1, syncmap_swap(self->fd, "k", 1, "two", 3, buf, &len));
	ASSERT_EQ(3, len);
	EXPECT_EQ(0, memcmp(buf, "one", 3));
	EXPECT_EQ(1, sload(self->fd, "k", buf, sizeof(buf)));
	EXPECT_STREQ("two", buf);
}

TEST_F(anon, compare_and_swap)
{
	char buf[16];

	/* Never inserts. */
	EXPECT_EQ(0, syncmap_compare_and_swap(self->fd, "k", 1, "a", 1,
					      "b", 1));
	EXPECT_EQ(0, syncmap_len(self->fd));
	ASSERT_EQ(0, sstore(self->fd, "k", "a"));
	EXPECT_EQ(0, syncmap_compare_and_swap(self->fd, "k", 1, "x", 1,
					      "b", 1));
	EXPECT_EQ(0, syncmap_compare_and_swap(self->fd, "k", 1, "aa", 2,
					      "b", 1));
	EXPECT_EQ(1, syncmap_compare_and_swap(self->fd, "k", 1, "a", 1,
					      "b", 1));
	EXPECT_EQ(1, sload(self->fd, "k", buf, sizeof(buf)));
	EXPECT_STREQ("b", buf);
}

TEST_F(anon, compare_and_delete)
{
	EXPECT_EQ(0, syncmap_compare_and_delete(self->fd, "k", 1, "a", 1));
	ASSERT_EQ(0, sstore(self->fd, "k", "a"));
	EXPECT_EQ(0, syncmap_compare_and_delete(self->fd, "k", 1, "b", 1));
	EXPECT_EQ(1, syncmap_len(self->fd));
	EXPECT_EQ(1, syncmap_compare_and_delete(self->fd, "k", 1, "a", 1));
	EXPECT_EQ(0, syncmap_len(self->fd));
}

TEST_F(anon, clear)
{
	char key[16], buf[16];
	int i;

	for (i = 0; i < 50; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		ASSERT_EQ(0, sstore(self->fd, key, "v"));
	}
	EXPECT_EQ(50, syncmap_len(self->fd));
	ASSERT_EQ(0, syncmap_clear(self->fd));
	EXPECT_EQ(0, syncmap_len(self->fd));
	EXPECT_EQ(0, sload(self->fd, "k7", buf, sizeof(buf)));
	ASSERT_EQ(0, sstore(self->fd, "k7", "again"));
	EXPECT_EQ(1, syncmap_len(self->fd));
}

TEST_F(anon, binary_and_empty_values)
{
	const char key[] = { 0, 1, 2, 0, (char)0xff };
	const char val[] = { 0, 0, 'x', 0 };
	char buf[16];
	size_t len = sizeof(buf);

	ASSERT_EQ(0, syncmap_store(self->fd, key, sizeof(key), val,
				   sizeof(val)));
	ASSERT_EQ(1, syncmap_load(self->fd, key, sizeof(key), buf, &len));
	ASSERT_EQ(sizeof(val), len);
	EXPECT_EQ(0, memcmp(buf, val, len));
	/* A shorter key with the same prefix is another key. */
	len = sizeof(buf);
	EXPECT_EQ(0, syncmap_load(self->fd, key, 3, buf, &len));
	/* Empty values are values. */
	ASSERT_EQ(0, syncmap_store(self->fd, "e", 1, "", 0));
	len = 0;
	EXPECT_EQ(1, syncmap_load(self->fd, "e", 1, NULL, &len));
	EXPECT_EQ(0, len);
	EXPECT_EQ(1, syncmap_compare_and_delete(self->fd, "e", 1, "", 0));
}

#ifndef SYNCMAP_TEST_COMPAT
TEST(large_keys_and_values)
{
	struct syncmap_opts o = { .max_key_len = 4096,
				  .max_value_len = 1 << 20 };
	size_t vlen = 1 << 20, len;
	char *key = malloc(4096), *val = malloc(vlen), *buf = malloc(vlen);
	int fd;

	ASSERT_TRUE(key != NULL);
	ASSERT_TRUE(val != NULL);
	ASSERT_TRUE(buf != NULL);
	memset(key, 'K', 4096);
	for (len = 0; len < vlen; len++)
		val[len] = (char)(len * 7);
	fd = syncmap_create(NULL, &o);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, syncmap_store(fd, key, 4096, val, vlen));
	len = vlen;
	ASSERT_EQ(1, syncmap_load(fd, key, 4096, buf, &len));
	ASSERT_EQ(vlen, len);
	EXPECT_EQ(0, memcmp(buf, val, vlen));
	len = vlen;
	EXPECT_EQ(1, syncmap_swap(fd, key, 4096, "s", 1, buf, &len));
	EXPECT_EQ(vlen, len);
	EXPECT_EQ(0, memcmp(buf, val, vlen));
	close(fd);
	free(key);
	free(val);
	free(buf);
}
#endif

TEST_F(anon, info)
{
	struct syncmap_ioc_info info;
	char buf[8];
	int i;

	ASSERT_EQ(0, sstore(self->fd, "a", "1"));
	ASSERT_EQ(0, sstore(self->fd, "b", "2"));
	for (i = 0; i < 10; i++)
		sload(self->fd, "a", buf, sizeof(buf));
	memset(&info, 0xa5, sizeof(info));
	ASSERT_EQ(0, syncmap_info(self->fd, &info));
	EXPECT_EQ(sizeof(info), info.size);
	EXPECT_EQ('\0', info.name[0]);
	EXPECT_EQ(0, info.id);
	EXPECT_EQ(geteuid(), info.uid);
	EXPECT_EQ(0600, info.mode);
	EXPECT_EQ(SYNCMAP_INFO_WRITABLE, info.map_flags);
	EXPECT_EQ(SYNCMAP_DEFAULT_ENTRIES, info.max_entries);
	EXPECT_EQ(SYNCMAP_DEFAULT_KEY_SIZE, info.max_key_len);
	EXPECT_EQ(SYNCMAP_DEFAULT_VALUE_SIZE, info.max_value_len);
	EXPECT_EQ(0, info.reserved);
	EXPECT_EQ(2, info.len);
	EXPECT_LE(10, info.hits + info.misses);
	/* No kernel bytes in the name padding. */
	for (i = 0; i < SYNCMAP_NAME_LEN; i++)
		EXPECT_EQ(0, info.name[i]);
}

/* --- named maps, registry, list --- */

TEST(named_lifecycle)
{
	struct syncmap_ioc_info info;
	char name[48], buf[16];
	int a, b, c;

	unique_name(name, sizeof(name), "life");
	a = syncmap_create(name, NULL);
	ASSERT_LE(0, a);
	ASSERT_EQ(0, syncmap_info(a, &info));
	EXPECT_STREQ(name, info.name);
	EXPECT_LT(0, info.id);
	EXPECT_EQ(SYNCMAP_INFO_REGISTERED | SYNCMAP_INFO_WRITABLE,
		  info.map_flags);
	ASSERT_EQ(0, sstore(a, "k", "v"));
	/* The name persists after the creating fd is closed. */
	close(a);
	b = syncmap_open(name, O_RDWR);
	ASSERT_LE(0, b);
	ASSERT_EQ(1, sload(b, "k", buf, sizeof(buf)));
	EXPECT_STREQ("v", buf);
	c = syncmap_open(name, O_RDWR);
	ASSERT_LE(0, c);
	/* Destroy removes the name; open fds keep working. */
	ASSERT_EQ(0, syncmap_destroy(b));
	EXPECT_ERR(ENOENT, syncmap_open(name, O_RDWR));
	EXPECT_ERR(ENOENT, syncmap_destroy(c));
	ASSERT_EQ(0, sstore(c, "k2", "v2"));
	ASSERT_EQ(1, sload(b, "k2", buf, sizeof(buf)));
	EXPECT_STREQ("v2", buf);
	ASSERT_EQ(0, syncmap_info(c, &info));
	EXPECT_EQ('\0', info.name[0]);
	EXPECT_EQ(SYNCMAP_INFO_WRITABLE, info.map_flags);
	close(b);
	close(c);
	/* The name can be reused at once. */
	a = syncmap_create(name, NULL);
	ASSERT_LE(0, a);
	EXPECT_EQ(0, syncmap_len(a));
	ASSERT_EQ(0, syncmap_destroy(a));
	close(a);
}

TEST(named_errors)
{
	char name[48];
	int a, fd;

	unique_name(name, sizeof(name), "err");
	a = syncmap_create(name, NULL);
	ASSERT_LE(0, a);
	EXPECT_ERR(EEXIST, syncmap_create(name, NULL));
	/* Binding twice. */
	EXPECT_ERR(EBUSY, syncmap_create_fd(a, NULL, NULL));
	EXPECT_ERR(EBUSY, syncmap_open_fd(a, name));
	fd = syncmap_open(name, O_RDWR);
	ASSERT_LE(0, fd);
	EXPECT_ERR(EBUSY, syncmap_create_fd(fd, "x-other", NULL));
	close(fd);
	EXPECT_ERR(ENOENT, syncmap_open("st-no-such-map", O_RDWR));
	ASSERT_EQ(0, syncmap_destroy(a));
	EXPECT_ERR(ENOENT, syncmap_destroy(a));
	close(a);
	/* An anonymous map has no name to remove. */
	a = syncmap_create(NULL, NULL);
	ASSERT_LE(0, a);
	EXPECT_ERR(ENOENT, syncmap_destroy(a));
	close(a);
}

TEST(bad_names)
{
	struct syncmap_ioc_create c;
	struct syncmap_ioc_open o;
	/* Latin-1 letters too: the kernel's isalnum() takes 0xc0-0xff. */
	static const char *const bad[] = { "", "a/b", "a b", "caf\xc3\xa9",
					   "caf\xe9", "\xff", "x\n" };
	unsigned int i;
	int fd = syncmap_dev_open(O_RDWR);

	ASSERT_LE(0, fd);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&c, 0, sizeof(c));
		c.size = sizeof(c);
		strcpy(c.name, bad[i]);
		EXPECT_ERR(EINVAL, ioctl(fd, SYNCMAP_IOC_CREATE, &c));
		memset(&o, 0, sizeof(o));
		o.size = sizeof(o);
		strcpy(o.name, bad[i]);
		EXPECT_ERR(EINVAL, ioctl(fd, SYNCMAP_IOC_OPEN, &o));
	}
	/* No NUL in 64 bytes. */
	memset(&c, 0, sizeof(c));
	c.size = sizeof(c);
	memset(c.name, 'a', sizeof(c.name));
	EXPECT_ERR(EINVAL, ioctl(fd, SYNCMAP_IOC_CREATE, &c));
	/* Garbage after the NUL. */
	memset(c.name, 0, sizeof(c.name));
	strcpy(c.name, "ok");
	c.name[10] = 'x';
	EXPECT_ERR(EINVAL, ioctl(fd, SYNCMAP_IOC_CREATE, &c));
	/* An anonymous map with a name. */
	memset(c.name, 0, sizeof(c.name));
	strcpy(c.name, "ok");
	c.flags = SYNCMAP_CREATE_ANON;
	EXPECT_ERR(EINVAL, ioctl(fd, SYNCMAP_IOC_CREATE, &c));
	/* The fd is still unbound after all that. */
	EXPECT_ERR(EBADFD, syncmap_len(fd));
	close(fd);
}

static int list_all(int fd, struct syncmap_list_entry *e, unsigned int max,
		    unsigned int page)
{
	unsigned int id = 0, n = 0;
	int got;

	do {
		got = syncmap_list(fd, e + n, page < max - n ? page : max - n,
				   &id);
		if (got < 0)
			return -1;
		n += got;
	} while (id && n < max);
	return (int)n;
}

static int find_entry(struct syncmap_list_entry *e, int n, const char *name)
{
	int i;

	for (i = 0; i < n; i++)
		if (!strcmp(e[i].name, name))
			return i;
	return -1;
}

TEST(list)
{
	struct syncmap_list_entry e[256];
	char names[3][48];
	int fds[3], i, n, j, unbound;

	unbound = syncmap_dev_open(O_RDWR);
	ASSERT_LE(0, unbound);
	for (i = 0; i < 3; i++) {
		unique_name(names[i], sizeof(names[i]), "list");
		fds[i] = syncmap_create(names[i], NULL);
		ASSERT_LE(0, fds[i]);
		for (j = 0; j <= i; j++) {
			char k[8];

			snprintf(k, sizeof(k), "%d", j);
			ASSERT_EQ(0, sstore(fds[i], k, "v"));
		}
	}
	/* One entry per call exercises the start_id cursor. */
	for (j = 1; j <= 256; j += 255) {
		n = list_all(unbound, e, 256, j);
		ASSERT_LE(3, n);
		for (i = 0; i < 3; i++) {
			int at = find_entry(e, n, names[i]);

			ASSERT_LE(0, at);
			EXPECT_EQ(i + 1, e[at].len);
			EXPECT_EQ(0600, e[at].mode);
			EXPECT_EQ(SYNCMAP_DEFAULT_VALUE_SIZE,
				  e[at].max_value_len);
		}
	}
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, syncmap_destroy(fds[i]));
		close(fds[i]);
	}
	n = list_all(unbound, e, 256, 256);
	ASSERT_LE(0, n);
	for (i = 0; i < 3; i++)
		EXPECT_EQ(-1, find_entry(e, n, names[i]));
	close(unbound);
}

/* --- error paths --- */

TEST_F(anon, enotty)
{
	struct syncmap_ioc_op op;

	init_op(&op, SYNCMAP_OP_LOAD, "k");
	EXPECT_ERR(ENOTTY, ioctl(self->fd, _IOWR('x', 0x11,
					       struct syncmap_ioc_op), &op));
	EXPECT_ERR(ENOTTY, ioctl(self->fd, _IOWR(SYNCMAP_IOC_MAGIC, 0x09,
					       struct syncmap_ioc_op), &op));
	EXPECT_ERR(ENOTTY, ioctl(self->fd, _IOWR(SYNCMAP_IOC_MAGIC, 0x10,
					       struct syncmap_ioc_op), &op));
	EXPECT_ERR(ENOTTY, ioctl(self->fd, _IOWR(SYNCMAP_IOC_MAGIC, 0x19,
					       struct syncmap_ioc_op), &op));
	EXPECT_ERR(ENOTTY, ioctl(self->fd, _IOWR(SYNCMAP_IOC_MAGIC, 0xff,
					       struct syncmap_ioc_op), &op));
	/* Right number, wrong direction. */
	EXPECT_ERR(ENOTTY, ioctl(self->fd, _IOR(SYNCMAP_IOC_MAGIC, 0x11,
					      struct syncmap_ioc_op), &op));
	EXPECT_ERR(ENOTTY, ioctl(self->fd, _IOW(SYNCMAP_IOC_MAGIC, 0x11,
					      struct syncmap_ioc_op), &op));
	EXPECT_ERR(ENOTTY, ioctl(self->fd, _IO(SYNCMAP_IOC_MAGIC, 0x11)));
	/* A command of another driver. */
	EXPECT_ERR(ENOTTY, ioctl(self->fd, FIONREAD, &op));
}

static const unsigned long all_cmds[] = {
	SYNCMAP_IOC_DESTROY, SYNCMAP_IOC_INFO, SYNCMAP_IOC_LIST,
	SYNCMAP_IOC_CLEAR, SYNCMAP_IOC_BATCH, SYNCMAP_IOC_DUMP,
	SYNCMAP_IOC_PACKED, SYNCMAP_IOC_LOAD, SYNCMAP_IOC_STORE,
	SYNCMAP_IOC_LOAD_OR_STORE,
	SYNCMAP_IOC_LOAD_AND_DELETE, SYNCMAP_IOC_DELETE, SYNCMAP_IOC_SWAP,
	SYNCMAP_IOC_COMPARE_AND_SWAP, SYNCMAP_IOC_COMPARE_AND_DELETE,
};

TEST_F(anon, efault_struct)
{
	unsigned int i;
	int unbound = syncmap_dev_open(O_RDWR);

	ASSERT_LE(0, unbound);
	for (i = 0; i < sizeof(all_cmds) / sizeof(all_cmds[0]); i++) {
		EXPECT_ERR(EFAULT, ioctl(self->fd, all_cmds[i], NULL));
		EXPECT_ERR(EFAULT, ioctl(self->fd, all_cmds[i], bad_ptr()));
	}
	EXPECT_ERR(EFAULT, ioctl(unbound, SYNCMAP_IOC_CREATE, NULL));
	EXPECT_ERR(EFAULT, ioctl(unbound, SYNCMAP_IOC_CREATE, bad_ptr()));
	EXPECT_ERR(EFAULT, ioctl(unbound, SYNCMAP_IOC_OPEN, NULL));
	EXPECT_ERR(EFAULT, ioctl(unbound, SYNCMAP_IOC_OPEN, bad_ptr()));
	EXPECT_ERR(EFAULT, ioctl(unbound, SYNCMAP_IOC_LIST, NULL));
	/* Still unbound. */
	EXPECT_ERR(EBADFD, syncmap_len(unbound));
	close(unbound);
}

TEST_F(anon, efault_pointers)
{
	struct syncmap_ioc_op op;
	struct syncmap_ioc_batch b;
	struct syncmap_ioc_dump d;
	struct syncmap_ioc_list l;
	char buf[16];

	ASSERT_EQ(0, sstore(self->fd, "k", "v"));
	/* Key pointer NULL or unmapped. */
	init_op(&op, SYNCMAP_OP_LOAD, "k");
	op.key = 0;
	EXPECT_ERR(EFAULT, ioctl(self->fd, SYNCMAP_IOC_LOAD, &op));
	op.key = p64(bad_ptr());
	EXPECT_ERR(EFAULT, ioctl(self->fd, SYNCMAP_IOC_LOAD, &op));
	/* Value pointer. */
	syncmap_op_init(&op, SYNCMAP_OP_STORE, "k2", 2, bad_ptr(), 1, NULL, 0,
			NULL, 0);
	EXPECT_ERR(EFAULT, ioctl(self->fd, SYNCMAP_IOC_STORE, &op));
	op.value = 0;
	EXPECT_ERR(EFAULT, ioctl(self->fd, SYNCMAP_IOC_STORE, &op));
	EXPECT_EQ(0, sload(self->fd, "k2", buf, sizeof(buf)));
	/* Expected-value pointer. */
	syncmap_op_init(&op, SYNCMAP_OP_COMPARE_AND_DELETE, "k", 1, NULL, 0,
			bad_ptr(), 1, NULL, 0);
	EXPECT_ERR(EFAULT, ioctl(self->fd, SYNCMAP_IOC_COMPARE_AND_DELETE,
				 &op));
	syncmap_op_init(&op, SYNCMAP_OP_COMPARE_AND_SWAP, "k", 1, "w", 1,
			bad_ptr(), 1, NULL, 0);
	EXPECT_ERR(EFAULT, ioctl(self->fd, SYNCMAP_IOC_COMPARE_AND_SWAP,
				 &op));
	EXPECT_EQ(1, sload(self->fd, "k", buf, sizeof(buf)));
	EXPECT_STREQ("v", buf);
	/* Output pointer. */
	syncmap_op_init(&op, SYNCMAP_OP_LOAD, "k", 1, NULL, 0, NULL, 0,
			bad_ptr(), 16);
	EXPECT_ERR(EFAULT, ioctl(self->fd, SYNCMAP_IOC_LOAD, &op));
	op.out = 0;
	EXPECT_ERR(EFAULT, ioctl(self->fd, SYNCMAP_IOC_LOAD, &op));
	/* Batch array. */
	memset(&b, 0, sizeof(b));
	b.size = sizeof(b);
	b.ops = p64(bad_ptr());
	b.count = 1;
	b.op_size = sizeof(op);
	EXPECT_ERR(EFAULT, ioctl(self->fd, SYNCMAP_IOC_BATCH, &b));
	EXPECT_EQ(0, b.done);
	/* Dump buffer. */
	memset(&d, 0, sizeof(d));
	d.size = sizeof(d);
	d.buf = p64(bad_ptr());
	d.buf_len = 4096;
	EXPECT_ERR(EFAULT, ioctl(self->fd, SYNCMAP_IOC_DUMP, &d));
	/* List entries (the device registry has at least one map? make one). */
	memset(&l, 0, sizeof(l));
	l.size = sizeof(l);
	l.entries = p64(bad_ptr());
	l.count = 4;
	l.entry_size = sizeof(struct syncmap_list_entry);
	{
		char name[48];
		int n;

		unique_name(name, sizeof(name), "efault");
		n = syncmap_create(name, NULL);
		ASSERT_LE(0, n);
		EXPECT_ERR(EFAULT, ioctl(self->fd, SYNCMAP_IOC_LIST, &l));
		syncmap_destroy(n);
		close(n);
	}
}

TEST_F(anon, einval_flags_and_reserved)
{
	struct syncmap_ioc_simple s = { .size = sizeof(s), .flags = 1 };
	struct syncmap_ioc_create c;
	struct syncmap_ioc_open o;
	struct syncmap_ioc_op op;
	struct syncmap_ioc_batch b;
	struct syncmap_ioc_dump d;
	struct syncmap_ioc_list l;
	struct syncmap_ioc_info info;
	char out[16];
	int unbound = syncmap_dev_open(O_RDWR);

	ASSERT_LE(0, unbound);
	EXPECT_ERR(EINVAL, ioctl(self->fd, SYNCMAP_IOC_CLEAR, &s));
	EXPECT_ERR(EINVAL, ioctl(self->fd, SYNCMAP_IOC_DESTROY, &s));

	memset(&c, 0, sizeof(c));
	c.size = sizeof(c);
	c.flags = SYNCMAP_CREATE_ANON | 0x80;
	EXPECT_ERR(EINVAL, ioctl(unbound, SYNCMAP_IOC_CREATE, &c));
	c.flags = SYNCMAP_CREATE_ANON;
	c.reserved = 1;
	EXPECT_ERR(EINVAL, ioctl(unbound, SYNCMAP_IOC_CREATE, &c));
	c.reserved = 0;
	c.mode = 01600;
	EXPECT_ERR(EINVAL, ioctl(unbound, SYNCMAP_IOC_CREATE, &c));

	memset(&o, 0, sizeof(o));
	o.size = sizeof(o);
	strcpy(o.name, "whatever");
	o.flags = 1;
	EXPECT_ERR(EINVAL, ioctl(unbound, SYNCMAP_IOC_OPEN, &o));
	o.flags = 0;
	o.reserved = 1;
	EXPECT_ERR(EINVAL, ioctl(unbound, SYNCMAP_IOC_OPEN, &o));

	init_op(&op, SYNCMAP_OP_LOAD, "k");
	op.flags = 1;
	EXPECT_ERR(EINVAL, ioctl(self->fd, SYNCMAP_IOC_LOAD, &op));
	/* The op field names another operation. */
	init_op(&op, SYNCMAP_OP_DELETE, "k");
	EXPECT_ERR(EINVAL, ioctl(self->fd, SYNCMAP_IOC_LOAD, &op));
	/* Fields the operation does not use. */
	syncmap_op_init(&op, SYNCMAP_OP_LOAD, "k", 1, "v", 1, NULL, 0, out,
			sizeof(out));
	EXPECT_ERR(EINVAL, ioctl(self->fd, SYNCMAP_IOC_LOAD, &op));
	syncmap_op_init(&op, SYNCMAP_OP_STORE, "k", 1, "v", 1, NULL, 0, out,
			sizeof(out));
	EXPECT_ERR(EINVAL, ioctl(self->fd, SYNCMAP_IOC_STORE, &op));
	syncmap_op_init(&op, SYNCMAP_OP_DELETE, "k", 1, NULL, 0, "v", 1, NULL,
			0);
	EXPECT_ERR(EINVAL, ioctl(self->fd, SYNCMAP_IOC_DELETE, &op));
	syncmap_op_init(&op, SYNCMAP_OP_DELETE, "k", 1, NULL, 0, NULL, 0, NULL,
			8);
	EXPECT_ERR(EINVAL, ioctl(self->fd, SYNCMAP_IOC_DELETE, &op));
	/* Empty key. */
	init_op(&op, SYNCMAP_OP_DELETE, "k");
	op.key_len = 0;
	EXPECT_ERR(EINVAL, ioctl(self->fd, SYNCMAP_IOC_DELETE, &op));
	EXPECT_EQ(0, syncmap_len(self->fd));

	memset(&b, 0, sizeof(b));
	b.size = sizeof(b);
	b.ops = p64(&op);
	b.op_size = sizeof(op);
	b.count = 1;
	b.flags = 2;
	EXPECT_ERR(EINVAL, ioctl(self->fd, SYNCMAP_IOC_BATCH, &b));
	b.flags = 0;
	b.reserved = 1;
	EXPECT_ERR(EINVAL, ioctl(self->fd, SYNCMAP_IOC_BATCH, &b));
	b.reserved = 0;
	b.count = SYNCMAP_BATCH_MAX + 1;
	EXPECT_ERR(EINVAL, ioctl(self->fd, SYNCMAP_IOC_BATCH, &b));
	b.count = 1;
	b.op_size = SYNCMAP_OP_SIZE_VER0 - 8;
	EXPECT_ERR(EINVAL, ioctl(self->fd, SYNCMAP_IOC_BATCH, &b));

	memset(&d, 0, sizeof(d));
	d.size = sizeof(d);
	d.buf = p64(out);
	d.buf_len = sizeof(out);
	d.flags = 1;
	EXPECT_ERR(EINVAL, ioctl(self->fd, SYNCMAP_IOC_DUMP, &d));
	d.flags = 0;
	d.reserved = 1;
	EXPECT_ERR(EINVAL, ioctl(self->fd, SYNCMAP_IOC_DUMP, &d));
	d.reserved = 0;
	d.cursor = ~0ULL;
	EXPECT_ERR(EINVAL, ioctl(self->fd, SYNCMAP_IOC_DUMP, &d));

	memset(&l, 0, sizeof(l));
	l.size = sizeof(l);
	l.entry_size = sizeof(struct syncmap_list_entry);
	l.flags = 1;
	EXPECT_ERR(EINVAL, ioctl(unbound, SYNCMAP_IOC_LIST, &l));
	l.flags = 0;
	l.reserved = 1;
	EXPECT_ERR(EINVAL, ioctl(unbound, SYNCMAP_IOC_LIST, &l));
	l.reserved = 0;
	l.entry_size = SYNCMAP_LIST_ENTRY_SIZE_VER0 - 8;
	EXPECT_ERR(EINVAL, ioctl(unbound, SYNCMAP_IOC_LIST, &l));
	l.entry_size = sizeof(struct syncmap_list_entry);
	l.count = SYNCMAP_BATCH_MAX + 1;
	EXPECT_ERR(EINVAL, ioctl(unbound, SYNCMAP_IOC_LIST, &l));

	memset(&info, 0, sizeof(info));
	info.size = sizeof(info);
	info.flags = 1;
	EXPECT_ERR(EINVAL, ioctl(self->fd, SYNCMAP_IOC_INFO, &info));
	close(unbound);
}

TEST_F(anon, einval_sizes)
{
	struct syncmap_ioc_op op;
	struct syncmap_ioc_info info;
	struct syncmap_ioc_simple s = { 0 };
	struct syncmap_ioc_create c;
	unsigned int i;

	for (i = 0; i < SYNCMAP_OP_SIZE_VER0; i += 4) {
		init_op(&op, SYNCMAP_OP_DELETE, "k");
		op.size = i;
		EXPECT_ERR(EINVAL, ioctl(self->fd, SYNCMAP_IOC_DELETE, &op));
	}
	memset(&info, 0, sizeof(info));
	info.size = SYNCMAP_INFO_SIZE_VER0 - 8;
	EXPECT_ERR(EINVAL, ioctl(self->fd, SYNCMAP_IOC_INFO, &info));
	EXPECT_ERR(EINVAL, ioctl(self->fd, SYNCMAP_IOC_CLEAR, &s));
	memset(&c, 0, sizeof(c));
	c.size = SYNCMAP_CREATE_SIZE_VER0 - 4;
	c.flags = SYNCMAP_CREATE_ANON;
	{
		int fd = syncmap_dev_open(O_RDWR);

		ASSERT_LE(0, fd);
		EXPECT_ERR(EINVAL, ioctl(fd, SYNCMAP_IOC_CREATE, &c));
		close(fd);
	}
}

TEST(e2big)
{
	struct syncmap_opts o = { .max_key_len = 8, .max_value_len = 16 };
	struct syncmap_ioc_create c;
	char big[64] = { 0 };
	char out[64];
	size_t len;
	int fd, u;

	fd = syncmap_create(NULL, &o);
	ASSERT_LE(0, fd);
	EXPECT_ERR(E2BIG, syncmap_store(fd, big, 9, "v", 1));
	EXPECT_ERR(E2BIG, syncmap_store(fd, big, 8, big, 17));
	EXPECT_ERR(E2BIG, syncmap_compare_and_swap(fd, big, 8, big, 17, "v",
						   1));
	len = sizeof(out);
	EXPECT_ERR(E2BIG, syncmap_load(fd, big, 9, out, &len));
	EXPECT_EQ(0, syncmap_store(fd, big, 8, big, 16));
	EXPECT_EQ(1, syncmap_len(fd));
	close(fd);

	/* Limits above the hard caps. */
	u = syncmap_dev_open(O_RDWR);
	ASSERT_LE(0, u);
	memset(&c, 0, sizeof(c));
	c.size = sizeof(c);
	c.flags = SYNCMAP_CREATE_ANON;
	c.max_entries = SYNCMAP_MAX_ENTRIES + 1;
	EXPECT_ERR(E2BIG, ioctl(u, SYNCMAP_IOC_CREATE, &c));
	c.max_entries = 0;
	c.max_key_len = SYNCMAP_MAX_KEY_SIZE + 1;
	EXPECT_ERR(E2BIG, ioctl(u, SYNCMAP_IOC_CREATE, &c));
	c.max_key_len = 0;
	c.max_value_len = SYNCMAP_MAX_VALUE_SIZE + 1;
	EXPECT_ERR(E2BIG, ioctl(u, SYNCMAP_IOC_CREATE, &c));
	/* A struct size no ABI will reach. */
	c.max_value_len = 0;
	c.size = 1 << 20;
	EXPECT_ERR(E2BIG, ioctl(u, SYNCMAP_IOC_CREATE, &c));
	close(u);
}

TEST(enospc)
{
	struct syncmap_opts o = { .max_entries = 2 };
	char buf[8];
	int fd = syncmap_create(NULL, &o);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, sstore(fd, "a", "1"));
	ASSERT_EQ(0, sstore(fd, "b", "2"));
	EXPECT_ERR(ENOSPC, sstore(fd, "c", "3"));
	{
		size_t len = sizeof(buf);

		EXPECT_ERR(ENOSPC, syncmap_load_or_store(fd, "c", 1, "3", 1,
							 buf, &len));
		len = sizeof(buf);
		EXPECT_ERR(ENOSPC, syncmap_swap(fd, "c", 1, "3", 1, buf,
						&len));
	}
	EXPECT_EQ(0, sload(fd, "c", buf, sizeof(buf)));
	EXPECT_EQ(2, syncmap_len(fd));
	/* Overwriting a present key needs no room. */
	EXPECT_EQ(0, sstore(fd, "a", "11"));
	EXPECT_EQ(1, syncmap_delete(fd, "a", 1));
	EXPECT_EQ(0, sstore(fd, "c", "3"));
	EXPECT_EQ(1, sload(fd, "b", buf, sizeof(buf)));
	EXPECT_STREQ("2", buf);
	close(fd);
}

TEST_F(anon, erange_small_buffer)
{
	char buf[64];
	size_t len;

	ASSERT_EQ(0, sstore(self->fd, "k", "0123456789"));
	/* Load: the needed length comes back. */
	len = 4;
	EXPECT_ERR(ERANGE, syncmap_load(self->fd, "k", 1, buf, &len));
	EXPECT_EQ(10, len);
	len = 0;
	EXPECT_ERR(ERANGE, syncmap_load(self->fd, "k", 1, NULL, &len));
	EXPECT_EQ(10, len);
	len = 10;
	EXPECT_EQ(1, syncmap_load(self->fd, "k", 1, buf, &len));
	/* Destructive operations leave the map unchanged. */
	len = 9;
	EXPECT_ERR(ERANGE, syncmap_load_and_delete(self->fd, "k", 1, buf,
						   &len));
	EXPECT_EQ(10, len);
	len = 9;
	EXPECT_ERR(ERANGE, syncmap_swap(self->fd, "k", 1, "new", 3, buf,
					&len));
	EXPECT_EQ(10, len);
	len = 9;
	EXPECT_ERR(ERANGE, syncmap_load_or_store(self->fd, "k", 1, "new", 3,
						 buf, &len));
	EXPECT_EQ(10, len);
	EXPECT_EQ(1, sload(self->fd, "k", buf, sizeof(buf)));
	EXPECT_STREQ("0123456789", buf);
	EXPECT_EQ(1, syncmap_len(self->fd));
	/* Nothing to return, nothing too small: swap on a new key. */
	len = 0;
	EXPECT_EQ(0, syncmap_swap(self->fd, "n", 1, "new", 3, NULL, &len));
	len = 0;
	EXPECT_EQ(0, syncmap_load_or_store(self->fd, "m", 1, "x", 1, NULL,
					   &len));
}

TEST(ebadfd_unbound)
{
	struct syncmap_ioc_op op;
	struct syncmap_ioc_simple s = { .size = sizeof(s) };
	struct syncmap_ioc_info info = { .size = sizeof(info) };
	struct syncmap_ioc_batch b = { .size = sizeof(b),
				       .op_size = sizeof(op) };
	struct syncmap_ioc_dump d = { .size = sizeof(d) };
	struct syncmap_list_entry e[4];
	unsigned int code, id = 0;
	int fd = syncmap_dev_open(O_RDWR);

	ASSERT_LE(0, fd);
	for (code = 1; code <= SYNCMAP_OP_MAX; code++) {
		init_op(&op, code, "k");
		EXPECT_ERR(EBADFD, ioctl(fd, op_cmd(code), &op));
	}
	EXPECT_ERR(EBADFD, ioctl(fd, SYNCMAP_IOC_DESTROY, &s));
	EXPECT_ERR(EBADFD, ioctl(fd, SYNCMAP_IOC_CLEAR, &s));
	EXPECT_ERR(EBADFD, ioctl(fd, SYNCMAP_IOC_INFO, &info));
	EXPECT_ERR(EBADFD, ioctl(fd, SYNCMAP_IOC_BATCH, &b));
	EXPECT_ERR(EBADFD, ioctl(fd, SYNCMAP_IOC_DUMP, &d));
	/* Listing needs no map. */
	EXPECT_LE(0, syncmap_list(fd, e, 4, &id));
	close(fd);
}

TEST(ebadf_read_only)
{
	char name[48], buf[16];
	size_t len = sizeof(buf);
	int rw, ro;

	unique_name(name, sizeof(name), "ro");
	rw = syncmap_create(name, NULL);
	ASSERT_LE(0, rw);
	ASSERT_EQ(0, sstore(rw, "k", "v"));
	ro = syncmap_open(name, O_RDONLY);
	ASSERT_LE(0, ro);
	EXPECT_EQ(1, sload(ro, "k", buf, sizeof(buf)));
	EXPECT_ERR(EBADF, sstore(ro, "k", "w"));
	EXPECT_ERR(EBADF, syncmap_delete(ro, "k", 1));
	EXPECT_ERR(EBADF, syncmap_load_and_delete(ro, "k", 1, buf, &len));
	EXPECT_ERR(EBADF, syncmap_swap(ro, "k", 1, "w", 1, buf, &len));
	EXPECT_ERR(EBADF, syncmap_load_or_store(ro, "k", 1, "w", 1, buf,
						&len));
	EXPECT_ERR(EBADF, syncmap_compare_and_swap(ro, "k", 1, "v", 1, "w",
						   1));
	EXPECT_ERR(EBADF, syncmap_compare_and_delete(ro, "k", 1, "v", 1));
	EXPECT_ERR(EBADF, syncmap_clear(ro));
	EXPECT_EQ(1, sload(ro, "k", buf, sizeof(buf)));
	EXPECT_STREQ("v", buf);
	close(ro);
	/* Creating needs a writable fd. */
	ro = syncmap_dev_open(O_RDONLY);
	ASSERT_LE(0, ro);
	EXPECT_ERR(EBADF, syncmap_create_fd(ro, NULL, NULL));
	close(ro);
	ASSERT_EQ(0, syncmap_destroy(rw));
	close(rw);
}

/* --- ABI versions: older (shorter) and newer (longer) structs --- */

TEST(abi_versions)
{
	struct syncmap_ioc_info info;
	unsigned char raw[512];
	struct syncmap_ioc_create *c = (void *)raw;
	struct syncmap_ioc_op *op = (void *)raw;
	struct syncmap_ioc_info *in = (void *)raw;
	char buf[16];
	unsigned int i;
	int fd = syncmap_dev_open(O_RDWR);

	ASSERT_LE(0, fd);
	/* An older create struct, without max_value_len: the default. */
	memset(raw, 0, sizeof(raw));
	c->size = SYNCMAP_CREATE_SIZE_VER0;
	c->flags = SYNCMAP_CREATE_ANON;
	c->max_key_len = 32;
	/* Past the old size, nothing is read even if not zero... */
	raw[SYNCMAP_CREATE_SIZE_VER0] = 0xff;
	ASSERT_EQ(0, ioctl(fd, SYNCMAP_IOC_CREATE, c));
	/* ...nor written. */
	EXPECT_EQ(0xff, raw[SYNCMAP_CREATE_SIZE_VER0]);
	EXPECT_EQ(0600, c->mode);
	EXPECT_EQ(32, c->max_key_len);
	ASSERT_EQ(0, syncmap_info(fd, &info));
	EXPECT_EQ(SYNCMAP_DEFAULT_VALUE_SIZE, info.max_value_len);
	EXPECT_EQ(32, info.max_key_len);

	/* A newer op struct with a zero tail works... */
	memset(raw, 0, sizeof(raw));
	syncmap_op_init(op, SYNCMAP_OP_STORE, "k", 1, "v", 1, NULL, 0, NULL,
			0);
	op->size = sizeof(*op) + 16;
	ASSERT_EQ(0, ioctl(fd, SYNCMAP_IOC_STORE, op));
	/* ...also through a command number that encodes the larger size. */
	ASSERT_EQ(0, ioctl(fd, _IOC(_IOC_READ | _IOC_WRITE, SYNCMAP_IOC_MAGIC,
				    SYNCMAP_IOC_OP_BASE + SYNCMAP_OP_STORE,
				    sizeof(*op) + 16), op));
	/* ...and one with a non-zero tail is refused: E2BIG. */
	raw[sizeof(*op) + 8] = 1;
	EXPECT_ERR(E2BIG, ioctl(fd, SYNCMAP_IOC_STORE, op));
	EXPECT_EQ(1, sload(fd, "k", buf, sizeof(buf)));

	/* An older info struct gets its prefix only. */
	memset(raw, 0xa5, sizeof(raw));
	in->size = SYNCMAP_INFO_SIZE_VER0;
	in->flags = 0;
	ASSERT_EQ(0, ioctl(fd, SYNCMAP_IOC_INFO, in));
	EXPECT_EQ(1, in->len);
	for (i = SYNCMAP_INFO_SIZE_VER0; i < sizeof(raw); i++)
		ASSERT_EQ(0xa5, raw[i]);
	/* A newer one gets zeroes past what the kernel knows. */
	memset(raw, 0xa5, sizeof(raw));
	in->size = sizeof(*in) + 64;
	in->flags = 0;
	ASSERT_EQ(0, ioctl(fd, SYNCMAP_IOC_INFO, in));
	EXPECT_EQ(sizeof(*in), in->size);
	EXPECT_EQ(1, in->len);
	for (i = sizeof(*in); i < sizeof(*in) + 64; i++)
		ASSERT_EQ(0, raw[i]);
	for (i = sizeof(*in) + 64; i < sizeof(raw); i++)
		ASSERT_EQ(0xa5, raw[i]);
	close(fd);
}

/* --- batch --- */

TEST_F(anon, batch_mixed)
{
	struct syncmap_ioc_op ops[10];
	char out[8][16];
	int n;

	memset(out, 0, sizeof(out));
	syncmap_op_init(&ops[0], SYNCMAP_OP_STORE, "a", 1, "1", 1, NULL, 0,
			NULL, 0);
	syncmap_op_init(&ops[1], SYNCMAP_OP_STORE, "b", 1, "2", 1, NULL, 0,
			NULL, 0);
	syncmap_op_init(&ops[2], SYNCMAP_OP_LOAD, "a", 1, NULL, 0, NULL, 0,
			out[0], 16);
	syncmap_op_init(&ops[3], SYNCMAP_OP_LOAD_OR_STORE, "b", 1, "x", 1,
			NULL, 0, out[1], 16);
	syncmap_op_init(&ops[4], SYNCMAP_OP_DELETE, "c", 1, NULL, 0, NULL, 0,
			NULL, 0);
	syncmap_op_init(&ops[5], SYNCMAP_OP_COMPARE_AND_SWAP, "a", 1, "9", 1,
			"1", 1, NULL, 0);
	syncmap_op_init(&ops[6], SYNCMAP_OP_SWAP, "b", 1, "3", 1, NULL, 0,
			out[2], 16);
	syncmap_op_init(&ops[7], SYNCMAP_OP_LOAD_AND_DELETE, "a", 1, NULL, 0,
			NULL, 0, out[3], 16);
	syncmap_op_init(&ops[8], SYNCMAP_OP_COMPARE_AND_DELETE, "b", 1, NULL,
			0, "2", 1, NULL, 0);
	syncmap_op_init(&ops[9], SYNCMAP_OP_COMPARE_AND_DELETE, "b", 1, NULL,
			0, "3", 1, NULL, 0);
	n = syncmap_batch(self->fd, ops, 10, 0);
	ASSERT_EQ(10, n);
	EXPECT_EQ(0, ops[0].result);
	EXPECT_EQ(0, ops[1].result);
	EXPECT_EQ(1, ops[2].result);
	EXPECT_EQ(1, ops[2].out_len);
	EXPECT_STREQ("1", out[0]);
	EXPECT_EQ(1, ops[3].result);
	EXPECT_STREQ("2", out[1]);
	EXPECT_EQ(0, ops[4].result);
	EXPECT_EQ(1, ops[5].result);
	EXPECT_EQ(1, ops[6].result);
	EXPECT_STREQ("2", out[2]);
	EXPECT_EQ(1, ops[7].result);
	EXPECT_STREQ("9", out[3]);
	EXPECT_EQ(0, ops[8].result);
	EXPECT_EQ(1, ops[9].result);
	EXPECT_EQ(0, syncmap_len(self->fd));
}

TEST_F(anon, batch_errors)
{
	struct syncmap_ioc_op ops[4];
	struct syncmap_ioc_batch b;
	char small[2];
	int n;

	ASSERT_EQ(0, sstore(self->fd, "long", "0123456789"));
	syncmap_op_init(&ops[0], SYNCMAP_OP_STORE, "a", 1, "1", 1, NULL, 0,
			NULL, 0);
	syncmap_op_init(&ops[1], SYNCMAP_OP_STORE, "b", 0, "2", 1, NULL, 0,
			NULL, 0);
	syncmap_op_init(&ops[2], SYNCMAP_OP_LOAD, "long", 4, NULL, 0, NULL, 0,
			small, sizeof(small));
	syncmap_op_init(&ops[3], SYNCMAP_OP_STORE, "d", 1, "4", 1, NULL, 0,
			NULL, 0);
	n = syncmap_batch(self->fd, ops, 4, 0);
	ASSERT_EQ(4, n);
	EXPECT_EQ(0, ops[0].result);
	EXPECT_EQ(-EINVAL, ops[1].result);
	EXPECT_EQ(-ERANGE, ops[2].result);
	EXPECT_EQ(10, ops[2].out_len);
	EXPECT_EQ(0, ops[3].result);
	EXPECT_EQ(3, syncmap_len(self->fd));

	/* An unknown operation code fails only that operation. */
	ops[1].key_len = 1;
	ops[1].op = 99;
	ops[2].out_len = sizeof(small);
	n = syncmap_batch(self->fd, ops, 2, 0);
	EXPECT_EQ(2, n);
	EXPECT_EQ(-EINVAL, ops[1].result);

	/* Stop on the first error: done counts the failed one. */
	ops[1].op = SYNCMAP_OP_STORE;
	ops[1].key_len = 0;
	n = syncmap_batch(self->fd, ops, 4, SYNCMAP_BATCH_STOP_ON_ERROR);
	EXPECT_EQ(2, n);
	EXPECT_EQ(-EINVAL, ops[1].result);

	/* count 0 runs nothing. */
	memset(&b, 0, sizeof(b));
	b.size = sizeof(b);
	b.op_size = sizeof(ops[0]);
	b.done = 77;
	ASSERT_EQ(0, ioctl(self->fd, SYNCMAP_IOC_BATCH, &b));
	EXPECT_EQ(0, b.done);

	/* An operation whose own size disagrees with op_size. */
	ops[0].size = 72;
	n = syncmap_batch(self->fd, ops, 1, 0);
	EXPECT_EQ(1, n);
	EXPECT_EQ(-EINVAL, ops[0].result);
}

TEST_F(anon, batch_larger_op_size)
{
	unsigned char raw[2][80];
	struct syncmap_ioc_batch b;
	struct syncmap_ioc_op *op;
	char out[8] = { 0 };
	int i;

	memset(raw, 0, sizeof(raw));
	for (i = 0; i < 2; i++) {
		op = (void *)raw[i];
		if (!i)
			syncmap_op_init(op, SYNCMAP_OP_STORE, "k", 1, "v", 1,
					NULL, 0, NULL, 0);
		else
			syncmap_op_init(op, SYNCMAP_OP_LOAD, "k", 1, NULL, 0,
					NULL, 0, out, sizeof(out));
		op->size = sizeof(raw[i]);
	}
	memset(&b, 0, sizeof(b));
	b.size = sizeof(b);
	b.ops = p64(raw);
	b.count = 2;
	b.op_size = sizeof(raw[0]);
	ASSERT_EQ(0, ioctl(self->fd, SYNCMAP_IOC_BATCH, &b));
	EXPECT_EQ(2, b.done);
	op = (void *)raw[1];
	EXPECT_EQ(1, op->result);
	EXPECT_STREQ("v", out);
	/* A non-zero tail fails that operation with E2BIG. */
	raw[0][70] = 1;
	ASSERT_EQ(0, ioctl(self->fd, SYNCMAP_IOC_BATCH, &b));
	op = (void *)raw[0];
	EXPECT_EQ(-E2BIG, op->result);
}

/* --- packed batches (SYNCMAP_IOC_PACKED) --- */

#define PK	8	/* key size of the packed tests */
#define PV	16	/* value slot size of the packed tests */

/* Key @i of @size bytes: its number in the first bytes, then zeroes. */
static void pkey(unsigned char *k, size_t size, unsigned int i)
{
	memset(k, 0, size);
	memcpy(k, &i, sizeof(i));
}

static void pkeys(unsigned char *k, size_t size, unsigned int first,
		  unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		pkey(k + (size_t)i * size, size, first + i);
}

static void packed_init(struct syncmap_ioc_packed *p, unsigned int code,
			const void *keys, void *values,
			struct syncmap_packed_result *res, unsigned int count)
{
	memset(p, 0, sizeof(*p));
	p->size = sizeof(*p);
	p->op = code;
	p->count = count;
	p->key_size = PK;
	p->value_size = code == SYNCMAP_OP_DELETE ? 0 : PV;
	p->keys = p64(keys);
	p->values = p64(values);
	p->results = p64(res);
}

TEST_F(anon, packed_ops)
{
	unsigned char keys[8][PK], vals[8][PV], out[8][PV], k[PK];
	struct syncmap_packed_result res[8];
	char buf[PV + 8];
	size_t len;
	int i;

	pkeys(&keys[0][0], PK, 0, 8);
	for (i = 0; i < 8; i++)
		memset(vals[i], 'a' + i, PV);
	/* Store keys 0..5. */
	ASSERT_EQ(6, syncmap_packed(self->fd, SYNCMAP_OP_STORE, keys, PK,
				    vals, PV, res, 6, 0));
	for (i = 0; i < 6; i++) {
		EXPECT_EQ(0, res[i].result);
		EXPECT_EQ(0, res[i].value_len);
	}
	EXPECT_EQ(6, syncmap_len(self->fd));
	len = sizeof(buf);
	ASSERT_EQ(1, syncmap_load(self->fd, keys[3], PK, buf, &len));
	ASSERT_EQ(PV, len);
	EXPECT_EQ(0, memcmp(buf, vals[3], PV));
	/* A shorter value (key 1), a longer one (key 2): single stores. */
	ASSERT_EQ(0, syncmap_store(self->fd, keys[1], PK, "short", 5));
	memset(buf, 'L', sizeof(buf));
	ASSERT_EQ(0, syncmap_store(self->fd, keys[2], PK, buf, PV + 1));

	/* Load all 8: hits, a short value, -ERANGE, misses (6, 7). */
	memset(out, 0xa5, sizeof(out));
	ASSERT_EQ(8, syncmap_packed(self->fd, SYNCMAP_OP_LOAD, keys, PK, out,
				    PV, res, 8, 0));
	EXPECT_EQ(1, res[0].result);
	EXPECT_EQ(PV, res[0].value_len);
	EXPECT_EQ(0, memcmp(out[0], vals[0], PV));
	EXPECT_EQ(1, res[1].result);
	EXPECT_EQ(5, res[1].value_len);
	EXPECT_EQ(0, memcmp(out[1], "short", 5));
	for (i = 5; i < PV; i++)
		EXPECT_EQ(0, out[1][i]);
	EXPECT_EQ(-ERANGE, res[2].result);
	EXPECT_EQ(PV + 1, res[2].value_len);
	for (i = 0; i < PV; i++)
		EXPECT_EQ(0, out[2][i]);
	EXPECT_EQ(1, res[5].result);
	EXPECT_EQ(0, memcmp(out[5], vals[5], PV));
	for (i = 6; i < 8; i++) {
		EXPECT_EQ(0, res[i].result);
		EXPECT_EQ(0, res[i].value_len);
		EXPECT_EQ(0, out[i][0]);
		EXPECT_EQ(0, out[i][PV - 1]);
	}

	/* Stop on the first error: done counts the failed key. */
	EXPECT_EQ(3, syncmap_packed(self->fd, SYNCMAP_OP_LOAD, keys, PK, out,
				    PV, res, 8, SYNCMAP_BATCH_STOP_ON_ERROR));
	EXPECT_EQ(-ERANGE, res[2].result);

	/* Load-and-delete: -ERANGE leaves key 2 in the map. */
	memset(out, 0xa5, sizeof(out));
	ASSERT_EQ(4, syncmap_packed(self->fd, SYNCMAP_OP_LOAD_AND_DELETE,
				    &keys[1], PK, out, PV, res, 4, 0));
	EXPECT_EQ(1, res[0].result);
	EXPECT_EQ(5, res[0].value_len);
	EXPECT_EQ(0, memcmp(out[0], "short", 5));
	EXPECT_EQ(0, out[0][5]);
	EXPECT_EQ(-ERANGE, res[1].result);
	EXPECT_EQ(PV + 1, res[1].value_len);
	EXPECT_EQ(1, res[2].result);
	EXPECT_EQ(0, memcmp(out[2], vals[3], PV));
	EXPECT_EQ(1, res[3].result);
	EXPECT_EQ(3, syncmap_len(self->fd));
	len = sizeof(buf);
	EXPECT_EQ(1, syncmap_load(self->fd, keys[2], PK, buf, &len));

	/* Delete: present and absent keys, the same key twice. */
	memcpy(keys[7], keys[0], PK);
	ASSERT_EQ(8, syncmap_packed(self->fd, SYNCMAP_OP_DELETE, keys, PK,
				    NULL, 0, res, 8, 0));
	EXPECT_EQ(1, res[0].result);
	EXPECT_EQ(0, res[1].result);
	EXPECT_EQ(1, res[2].result);
	EXPECT_EQ(0, res[3].result);
	EXPECT_EQ(0, res[4].result);
	EXPECT_EQ(1, res[5].result);
	EXPECT_EQ(0, res[7].result);
	EXPECT_EQ(0, syncmap_len(self->fd));

	/* Empty values: a slot size of 0 needs no value array. */
	ASSERT_EQ(2, syncmap_packed(self->fd, SYNCMAP_OP_STORE, keys, PK,
				    NULL, 0, res, 2, 0));
	ASSERT_EQ(3, syncmap_packed(self->fd, SYNCMAP_OP_LOAD, keys, PK,
				    NULL, 0, res, 3, 0));
	EXPECT_EQ(1, res[0].result);
	EXPECT_EQ(0, res[0].value_len);
	EXPECT_EQ(1, res[1].result);
	EXPECT_EQ(0, res[2].result);
	pkey(k, PK, 0);
	len = 0;
	EXPECT_EQ(1, syncmap_load(self->fd, k, PK, NULL, &len));
	EXPECT_EQ(0, len);
	/* A value longer than a slot of 0 bytes. */
	ASSERT_EQ(0, syncmap_store(self->fd, k, PK, "x", 1));
	ASSERT_EQ(1, syncmap_packed(self->fd, SYNCMAP_OP_LOAD, keys, PK,
				    NULL, 0, res, 1, 0));
	EXPECT_EQ(-ERANGE, res[0].result);
	EXPECT_EQ(1, res[0].value_len);
}

/* A single operation's result as a packed one: 1/0, or -errno. */
static int single_result(int r)
{
	return r < 0 ? -errno : r;
}

/*
 * Random packed calls on one map and the same operations one at a time
 * on a twin: every result, value and length agrees, and so do the maps.
 */
TEST_F_TIMEOUT(anon, packed_against_single_ops, 300)
{
	enum { NK = 48, MAXN = 40, ROUNDS = 60 };
	static const unsigned int codes[] = {
		SYNCMAP_OP_LOAD, SYNCMAP_OP_STORE, SYNCMAP_OP_LOAD_AND_DELETE,
		SYNCMAP_OP_DELETE,
	};
	unsigned char keys[MAXN][PK], vals[MAXN][PV], out[MAXN][PV];
	unsigned char sbuf[PV + 8], k[PK], a[PV + 8], b[PV + 8];
	struct syncmap_packed_result res[MAXN];
	unsigned int round, j, n, code, seed = 12345;
	size_t len, vs, la, lb;
	void *values;
	int twin, r, sr;

	twin = syncmap_create(NULL, NULL);
	ASSERT_LE(0, twin);
	for (round = 0; round < ROUNDS; round++) {
		/* Single stores of other lengths: short values, -ERANGE. */
		for (j = 0; j < 4; j++) {
			pkey(k, PK, rand_r(&seed) % NK);
			len = rand_r(&seed) % (PV + 4);
			memset(sbuf, 'a' + round % 26, len);
			ASSERT_EQ(0, syncmap_store(self->fd, k, PK, sbuf, len));
			ASSERT_EQ(0, syncmap_store(twin, k, PK, sbuf, len));
		}
		code = codes[rand_r(&seed) % 4];
		n = 1 + rand_r(&seed) % MAXN;
		for (j = 0; j < n; j++) {
			pkey(keys[j], PK, rand_r(&seed) % NK);
			memset(vals[j], rand_r(&seed), PV);
		}
		vs = code == SYNCMAP_OP_DELETE ? 0 : PV;
		values = code == SYNCMAP_OP_STORE ? (void *)vals :
			 vs ? (void *)out : NULL;
		memset(out, 0xa5, sizeof(out));
		r = syncmap_packed(self->fd, code, keys, PK, values, vs, res,
				   n, 0);
		ASSERT_EQ((int)n, r);
		for (j = 0; j < n; j++) {
			len = PV;
			if (code == SYNCMAP_OP_LOAD)
				sr = syncmap_load(twin, keys[j], PK, sbuf,
						  &len);
			else if (code == SYNCMAP_OP_LOAD_AND_DELETE)
				sr = syncmap_load_and_delete(twin, keys[j], PK,
							     sbuf, &len);
			else if (code == SYNCMAP_OP_STORE)
				sr = syncmap_store(twin, keys[j], PK, vals[j],
						   PV);
			else
				sr = syncmap_delete(twin, keys[j], PK);
			sr = single_result(sr);
			ASSERT_EQ(sr, res[j].result)
				TH_LOG("round %u op %u key %u", round, code, j);
			if (code == SYNCMAP_OP_STORE ||
			    code == SYNCMAP_OP_DELETE) {
				ASSERT_EQ(0, res[j].value_len);
				continue;
			}
			if (sr != 1 && sr != -ERANGE)
				len = 0;
			ASSERT_EQ(len, res[j].value_len);
			if (sr != 1)
				len = 0;
			ASSERT_EQ(0, memcmp(out[j], sbuf, len));
			for (; len < PV; len++)
				ASSERT_EQ(0, out[j][len]);
		}
	}
	/* The two maps hold the same keys and values. */
	ASSERT_EQ(syncmap_len(twin), syncmap_len(self->fd));
	for (j = 0; j < NK; j++) {
		la = sizeof(a);
		lb = sizeof(b);
		pkey(k, PK, j);
		r = syncmap_load(self->fd, k, PK, a, &la);
		ASSERT_EQ(syncmap_load(twin, k, PK, b, &lb), r);
		if (r == 1) {
			ASSERT_EQ(lb, la);
			ASSERT_EQ(0, memcmp(a, b, la));
		}
	}
	close(twin);
}

/* Large keys and slots go in several pieces; larger counts in calls. */
TEST(packed_pieces)
{
	struct syncmap_opts o = { .max_key_len = 1024, .max_value_len = 8192 };
	enum { KS = 1000, VS = 8000, N = 40, MANY = SYNCMAP_BATCH_MAX + 10 };
	struct syncmap_packed_result *res = calloc(MANY, sizeof(*res));
	unsigned char *keys = malloc((size_t)N * KS);
	unsigned char *vals = malloc((size_t)N * VS);
	unsigned char *out = malloc((size_t)N * VS);
	unsigned char *many = malloc((size_t)MANY * 4);
	unsigned int i;
	int fd;

	ASSERT_TRUE(res && keys && vals && out && many);
	fd = syncmap_create(NULL, &o);
	ASSERT_LE(0, fd);
	pkeys(keys, KS, 0, N);
	for (i = 0; i < N; i++)
		memset(vals + (size_t)i * VS, i, VS);
	ASSERT_EQ(N, syncmap_packed(fd, SYNCMAP_OP_STORE, keys, KS, vals, VS,
				    res, N, 0));
	EXPECT_EQ(N, syncmap_len(fd));
	memset(out, 0xa5, (size_t)N * VS);
	ASSERT_EQ(N, syncmap_packed(fd, SYNCMAP_OP_LOAD, keys, KS, out, VS,
				    res, N, 0));
	for (i = 0; i < N; i++) {
		ASSERT_EQ(1, res[i].result);
		ASSERT_EQ(VS, res[i].value_len);
	}
	EXPECT_EQ(0, memcmp(out, vals, (size_t)N * VS));
	close(fd);

	/* More than SYNCMAP_BATCH_MAX keys: the library splits the call. */
	fd = syncmap_create(NULL, NULL);
	ASSERT_LE(0, fd);
	pkeys(many, 4, 0, MANY);
	ASSERT_EQ(MANY, syncmap_packed(fd, SYNCMAP_OP_STORE, many, 4, NULL, 0,
				       res, MANY, 0));
	EXPECT_EQ(MANY, syncmap_len(fd));
	ASSERT_EQ(MANY, syncmap_packed(fd, SYNCMAP_OP_DELETE, many, 4, NULL,
				       0, res, MANY, 0));
	EXPECT_EQ(1, res[MANY - 1].result);
	EXPECT_EQ(0, syncmap_len(fd));
	close(fd);
	free(res);
	free(keys);
	free(vals);
	free(out);
	free(many);
}

TEST(packed_einval_e2big_enospc)
{
	struct syncmap_opts o = { .max_key_len = PK, .max_value_len = PV,
				  .max_entries = 2 };
	unsigned char keys[4][PK], vals[4][PV], raw[128];
	struct syncmap_packed_result res[4];
	struct syncmap_ioc_packed p, *pp = (void *)raw;
	unsigned int i;
	int fd;

	fd = syncmap_create(NULL, &o);
	ASSERT_LE(0, fd);
	pkeys(&keys[0][0], PK, 0, 4);
	memset(vals, 'v', sizeof(vals));
	/* EINVAL: flags, reserved, operation, count, sizes. */
	packed_init(&p, SYNCMAP_OP_LOAD, keys, vals, res, 4);
	p.flags = 2;
	EXPECT_ERR(EINVAL, ioctl(fd, SYNCMAP_IOC_PACKED, &p));
	packed_init(&p, SYNCMAP_OP_LOAD, keys, vals, res, 4);
	p.reserved = 1;
	EXPECT_ERR(EINVAL, ioctl(fd, SYNCMAP_IOC_PACKED, &p));
	for (i = 0; i <= SYNCMAP_OP_MAX + 1; i++) {
		if (i == SYNCMAP_OP_LOAD || i == SYNCMAP_OP_STORE ||
		    i == SYNCMAP_OP_LOAD_AND_DELETE || i == SYNCMAP_OP_DELETE)
			continue;
		packed_init(&p, i, keys, vals, res, 4);
		EXPECT_ERR(EINVAL, ioctl(fd, SYNCMAP_IOC_PACKED, &p));
	}
	packed_init(&p, SYNCMAP_OP_LOAD, keys, vals, res,
		    SYNCMAP_BATCH_MAX + 1);
	EXPECT_ERR(EINVAL, ioctl(fd, SYNCMAP_IOC_PACKED, &p));
	packed_init(&p, SYNCMAP_OP_STORE, keys, vals, res, 4);
	p.key_size = 0;
	EXPECT_ERR(EINVAL, ioctl(fd, SYNCMAP_IOC_PACKED, &p));
	/* DELETE takes no values. */
	packed_init(&p, SYNCMAP_OP_DELETE, keys, NULL, res, 4);
	p.value_size = PV;
	EXPECT_ERR(EINVAL, ioctl(fd, SYNCMAP_IOC_PACKED, &p));
	packed_init(&p, SYNCMAP_OP_DELETE, keys, vals, res, 4);
	EXPECT_ERR(EINVAL, ioctl(fd, SYNCMAP_IOC_PACKED, &p));
	for (i = 0; i < SYNCMAP_PACKED_SIZE_VER0; i += 4) {
		packed_init(&p, SYNCMAP_OP_STORE, keys, vals, res, 4);
		p.size = i;
		EXPECT_ERR(EINVAL, ioctl(fd, SYNCMAP_IOC_PACKED, &p));
	}
	EXPECT_EQ(0, syncmap_len(fd));

	/* count 0 runs nothing. */
	packed_init(&p, SYNCMAP_OP_STORE, keys, vals, res, 0);
	p.done = 77;
	ASSERT_EQ(0, ioctl(fd, SYNCMAP_IOC_PACKED, &p));
	EXPECT_EQ(0, p.done);

	/* E2BIG: sizes above the map's limits, struct sizes. */
	packed_init(&p, SYNCMAP_OP_LOAD, keys, vals, res, 1);
	p.key_size = PK + 1;
	EXPECT_ERR(E2BIG, ioctl(fd, SYNCMAP_IOC_PACKED, &p));
	packed_init(&p, SYNCMAP_OP_LOAD, keys, vals, res, 1);
	p.value_size = PV + 1;
	EXPECT_ERR(E2BIG, ioctl(fd, SYNCMAP_IOC_PACKED, &p));
	packed_init(&p, SYNCMAP_OP_STORE, keys, vals, res, 1);
	p.value_size = PV + 1;
	EXPECT_ERR(E2BIG, ioctl(fd, SYNCMAP_IOC_PACKED, &p));
	packed_init(&p, SYNCMAP_OP_STORE, keys, vals, res, 1);
	p.size = 1 << 20;
	EXPECT_ERR(E2BIG, ioctl(fd, SYNCMAP_IOC_PACKED, &p));
	/* A newer struct: a zero tail works, a non-zero one is E2BIG. */
	memset(raw, 0, sizeof(raw));
	packed_init(pp, SYNCMAP_OP_STORE, keys, vals, res, 1);
	pp->size = sizeof(*pp) + 16;
	ASSERT_EQ(0, ioctl(fd, SYNCMAP_IOC_PACKED, pp));
	EXPECT_EQ(1, pp->done);
	raw[sizeof(*pp) + 8] = 1;
	EXPECT_ERR(E2BIG, ioctl(fd, SYNCMAP_IOC_PACKED, pp));
	EXPECT_EQ(1, syncmap_len(fd));

	/* ENOSPC for each new key that does not fit (max_entries 2). */
	ASSERT_EQ(4, syncmap_packed(fd, SYNCMAP_OP_STORE, keys, PK, vals, PV,
				    res, 4, 0));
	EXPECT_EQ(0, res[0].result);
	EXPECT_EQ(0, res[1].result);
	EXPECT_EQ(-ENOSPC, res[2].result);
	EXPECT_EQ(-ENOSPC, res[3].result);
	EXPECT_EQ(2, syncmap_len(fd));
	close(fd);
}

TEST_F(anon, packed_efault)
{
	static struct syncmap_packed_result many[SYNCMAP_BATCH_MAX];
	unsigned char keys[4][PK], vals[4][PV];
	struct syncmap_packed_result res[4];
	struct syncmap_ioc_packed p;
	long page = sysconf(_SC_PAGESIZE);
	unsigned int i, nk = page / 4;
	unsigned char *edge;

	pkeys(&keys[0][0], PK, 0, 4);
	memset(vals, 'v', sizeof(vals));
	/* Keys NULL or unmapped: nothing runs. */
	packed_init(&p, SYNCMAP_OP_STORE, NULL, vals, res, 4);
	EXPECT_ERR(EFAULT, ioctl(self->fd, SYNCMAP_IOC_PACKED, &p));
	EXPECT_EQ(0, p.done);
	packed_init(&p, SYNCMAP_OP_LOAD, bad_ptr(), vals, res, 4);
	EXPECT_ERR(EFAULT, ioctl(self->fd, SYNCMAP_IOC_PACKED, &p));
	EXPECT_EQ(0, p.done);
	/* Values to store NULL or unmapped: nothing runs. */
	packed_init(&p, SYNCMAP_OP_STORE, keys, NULL, res, 4);
	EXPECT_ERR(EFAULT, ioctl(self->fd, SYNCMAP_IOC_PACKED, &p));
	EXPECT_EQ(0, p.done);
	packed_init(&p, SYNCMAP_OP_STORE, keys, bad_ptr(), res, 4);
	EXPECT_ERR(EFAULT, ioctl(self->fd, SYNCMAP_IOC_PACKED, &p));
	EXPECT_EQ(0, p.done);
	EXPECT_EQ(0, syncmap_len(self->fd));
	/*
	 * Results unmapped: a store, which would change the map, does not
	 * run (no error after a change); loads run.
	 */
	packed_init(&p, SYNCMAP_OP_STORE, keys, vals, bad_ptr(), 4);
	EXPECT_ERR(EFAULT, ioctl(self->fd, SYNCMAP_IOC_PACKED, &p));
	EXPECT_EQ(0, p.done);
	EXPECT_EQ(0, syncmap_len(self->fd));
	ASSERT_EQ(4, syncmap_packed(self->fd, SYNCMAP_OP_STORE, keys, PK, vals,
				    PV, res, 4, 0));
	EXPECT_EQ(4, syncmap_len(self->fd));
	packed_init(&p, SYNCMAP_OP_LOAD, keys, vals, NULL, 4);
	EXPECT_ERR(EFAULT, ioctl(self->fd, SYNCMAP_IOC_PACKED, &p));
	EXPECT_EQ(4, p.done);
	/* Values to load into NULL or unmapped. */
	packed_init(&p, SYNCMAP_OP_LOAD, keys, NULL, res, 4);
	EXPECT_ERR(EFAULT, ioctl(self->fd, SYNCMAP_IOC_PACKED, &p));
	EXPECT_EQ(4, p.done);
	packed_init(&p, SYNCMAP_OP_LOAD, keys, bad_ptr(), res, 4);
	EXPECT_ERR(EFAULT, ioctl(self->fd, SYNCMAP_IOC_PACKED, &p));
	EXPECT_EQ(4, syncmap_len(self->fd));

	/*
	 * Keys running into an unmapped page, past the first piece: the
	 * keys of the pieces before the fault ran, and only they.
	 */
	edge = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_TRUE(edge != MAP_FAILED);
	ASSERT_EQ(0, munmap(edge + page, page));
	ASSERT_EQ(0, syncmap_clear(self->fd));
	pkeys(edge, 4, 0, nk);
	memset(&p, 0, sizeof(p));
	p.size = sizeof(p);
	p.op = SYNCMAP_OP_STORE;
	p.count = SYNCMAP_BATCH_MAX;
	p.key_size = 4;
	p.keys = p64(edge);
	p.results = p64(many);
	EXPECT_ERR(EFAULT, ioctl(self->fd, SYNCMAP_IOC_PACKED, &p));
	EXPECT_GE(nk, p.done);
	EXPECT_EQ(p.done, syncmap_len(self->fd));
	for (i = 0; i < p.done; i++)
		ASSERT_EQ(0, many[i].result);
	munmap(edge, page);
}

/* On a read-only fd: LOAD works, every other operation is EBADF. */
static int packed_read_only(int fd)
{
	static const unsigned int writes[] = {
		SYNCMAP_OP_STORE, SYNCMAP_OP_LOAD_AND_DELETE,
		SYNCMAP_OP_DELETE,
	};
	unsigned char keys[2][PK], out[2][PV];
	struct syncmap_packed_result res[2];
	unsigned int i, del;

	pkeys(&keys[0][0], PK, 0, 2);
	if (syncmap_packed(fd, SYNCMAP_OP_LOAD, keys, PK, out, PV, res, 2,
			   0) != 2)
		return 1;
	for (i = 0; i < 3; i++) {
		del = writes[i] == SYNCMAP_OP_DELETE;
		if (syncmap_packed(fd, writes[i], keys, PK, del ? NULL : out,
				   del ? 0 : PV, res, 2, 0) != -1 ||
		    errno != EBADF)
			return 2;
	}
	return 0;
}

TEST(packed_ebadf_ebadfd)
{
	struct syncmap_ioc_packed p;
	char name[48];
	int rw, ro, fd;

	fd = syncmap_dev_open(O_RDWR);
	ASSERT_LE(0, fd);
	packed_init(&p, SYNCMAP_OP_LOAD, NULL, NULL, NULL, 0);
	EXPECT_ERR(EBADFD, ioctl(fd, SYNCMAP_IOC_PACKED, &p));
	close(fd);

	unique_name(name, sizeof(name), "pro");
	rw = syncmap_create(name, NULL);
	ASSERT_LE(0, rw);
	ro = syncmap_open(name, O_RDONLY);
	ASSERT_LE(0, ro);
	EXPECT_EQ(0, packed_read_only(ro));
	close(ro);
	ASSERT_EQ(0, syncmap_destroy(rw));
	close(rw);
}

/* --- dump --- */

static int dump_count(int fd, size_t buf_len, char **seen, int nkeys,
		      const char *prefix, int *dups)
{
	struct syncmap_iter *it = syncmap_iter_new(fd, buf_len);
	const void *k, *v;
	size_t kl, vl;
	int n = 0, ret, idx;
	char key[64];

	if (!it)
		return -1;
	while ((ret = syncmap_iter_next(it, &k, &kl, &v, &vl)) == 1) {
		n++;
		if (kl >= sizeof(key) || kl <= strlen(prefix) ||
		    memcmp(k, prefix, strlen(prefix)))
			continue;
		memcpy(key, k, kl);
		key[kl] = '\0';
		idx = atoi(key + strlen(prefix));
		if (idx < 0 || idx >= nkeys)
			continue;
		if ((*seen)[idx])
			(*dups)++;
		(*seen)[idx] = 1;
	}
	syncmap_iter_free(it);
	return ret < 0 ? -1 : n;
}

TEST_F_TIMEOUT(anon, dump_all, 300)
{
	struct syncmap_opts o = { .max_entries = 4096 };
	char key[32], *seen;
	int i, n, dups = 0, fd;
	size_t sizes[] = { 40, 512, 65536 };
	const int nk = 300;
	unsigned int s;

	fd = syncmap_create(NULL, &o);
	ASSERT_LE(0, fd);
	for (i = 0; i < nk; i++) {
		snprintf(key, sizeof(key), "key%d", i);
		ASSERT_EQ(0, sstore(fd, key, key));
	}
	for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		seen = calloc(nk, 1);
		ASSERT_TRUE(seen != NULL);
		n = dump_count(fd, sizes[s], &seen, nk, "key", &dups);
		EXPECT_EQ(nk, n);
		EXPECT_EQ(0, dups);
		for (i = 0; i < nk; i++)
			ASSERT_EQ(1, seen[i]) TH_LOG("key%d missing", i);
		free(seen);
	}
	close(fd);
}

TEST_F(anon, dump_records)
{
	struct syncmap_ioc_dump d;
	unsigned char buf[256];
	struct syncmap_dump_rec rec;
	size_t i;

	/* Empty map: done at once. */
	memset(&d, 0, sizeof(d));
	d.size = sizeof(d);
	d.buf = p64(buf);
	d.buf_len = sizeof(buf);
	ASSERT_EQ(0, ioctl(self->fd, SYNCMAP_IOC_DUMP, &d));
	EXPECT_EQ(1, d.end);
	EXPECT_EQ(0, d.count);
	EXPECT_EQ(0, d.buf_len);

	ASSERT_EQ(0, sstore(self->fd, "abc", "de"));
	/* A buffer too small for the record: ERANGE and the size needed. */
	memset(&d, 0, sizeof(d));
	d.size = sizeof(d);
	d.buf = p64(buf);
	d.buf_len = 8;
	EXPECT_ERR(ERANGE, ioctl(self->fd, SYNCMAP_IOC_DUMP, &d));
	EXPECT_EQ(SYNCMAP_DUMP_REC_SIZE(3, 2), d.buf_len);

	memset(buf, 0xa5, sizeof(buf));
	memset(&d, 0, sizeof(d));
	d.size = sizeof(d);
	d.buf = p64(buf);
	d.buf_len = sizeof(buf);
	ASSERT_EQ(0, ioctl(self->fd, SYNCMAP_IOC_DUMP, &d));
	EXPECT_EQ(1, d.end);
	EXPECT_EQ(1, d.count);
	ASSERT_EQ(SYNCMAP_DUMP_REC_SIZE(3, 2), d.buf_len);
	memcpy(&rec, buf, sizeof(rec));
	EXPECT_EQ(3, rec.key_len);
	EXPECT_EQ(2, rec.value_len);
	EXPECT_EQ(0, memcmp(buf + 8, "abcde", 5));
	/* Padding is zeroed, bytes past the record untouched. */
	for (i = 13; i < 16; i++)
		EXPECT_EQ(0, buf[i]);
	EXPECT_EQ(0xa5, buf[16]);
}

/* --- SYNCMAP_BATCH_STOP_ON_ERROR at the end of a packed piece --- */

/*
 * Values of 32 KiB: every piece of a packed call holds one key, so the
 * failing key is always the last of its piece.  The call stops there all
 * the same: the keys after it are not attempted and their results are
 * not written.
 */
TEST(packed_stop_on_error_one_key_pieces)
{
	struct syncmap_opts o = { .max_entries = 1, .max_value_len = 65536 };
	enum { VS = 32768 };
	unsigned char keys[3][PK], *vals = malloc(3 * VS), *buf = malloc(VS);
	struct syncmap_packed_result res[3];
	struct syncmap_ioc_packed p;
	size_t len;
	int fd;

	ASSERT_TRUE(vals && buf);
	fd = syncmap_create(NULL, &o);
	ASSERT_LE(0, fd);
	pkeys(&keys[0][0], PK, 0, 3);
	memset(vals, 'a', VS);
	memset(vals + VS, 'b', VS);
	memset(vals + 2 * VS, 'c', VS);
	memset(res, 0x5a, sizeof(res));
	packed_init(&p, SYNCMAP_OP_STORE, keys, vals, res, 3);
	p.value_size = VS;
	p.flags = SYNCMAP_BATCH_STOP_ON_ERROR;
	ASSERT_EQ(0, ioctl(fd, SYNCMAP_IOC_PACKED, &p));
	EXPECT_EQ(2, p.done);
	EXPECT_EQ(0, res[0].result);
	EXPECT_EQ(-ENOSPC, res[1].result);
	EXPECT_EQ(0x5a5a5a5a, (unsigned int)res[2].result);
	EXPECT_EQ(0x5a5a5a5a, res[2].value_len);
	EXPECT_EQ(1, syncmap_len(fd));

	/* The third key overwrites the first: if it ran, the map shows it. */
	memcpy(keys[2], keys[0], PK);
	memset(res, 0x5a, sizeof(res));
	ASSERT_EQ(0, ioctl(fd, SYNCMAP_IOC_PACKED, &p));
	EXPECT_EQ(2, p.done);
	EXPECT_EQ(-ENOSPC, res[1].result);
	EXPECT_EQ(0x5a5a5a5a, (unsigned int)res[2].result);
	len = VS;
	ASSERT_EQ(1, syncmap_load(fd, keys[0], PK, buf, &len));
	EXPECT_EQ(VS, len);
	EXPECT_EQ('a', buf[0]);
	EXPECT_EQ('a', buf[VS - 1]);

	/* LOAD the same way: -ERANGE on key 1 (absent keys are no error). */
	ASSERT_EQ(1, syncmap_delete(fd, keys[0], PK));
	ASSERT_EQ(0, syncmap_store(fd, keys[1], PK, vals, VS + 1));
	memset(res, 0x5a, sizeof(res));
	packed_init(&p, SYNCMAP_OP_LOAD, keys, vals, res, 3);
	p.value_size = VS;
	p.flags = SYNCMAP_BATCH_STOP_ON_ERROR;
	ASSERT_EQ(0, ioctl(fd, SYNCMAP_IOC_PACKED, &p));
	EXPECT_EQ(2, p.done);
	EXPECT_EQ(0, res[0].result);
	EXPECT_EQ(-ERANGE, res[1].result);
	EXPECT_EQ(VS + 1, res[1].value_len);
	EXPECT_EQ(0x5a5a5a5a, (unsigned int)res[2].result);
	close(fd);
	free(vals);
	free(buf);
}

/*
 * Keys and slots of 8 bytes: a piece holds 64 KiB / (8 + 8 + 8) = 2730
 * keys, and the key that fails is index 2729, the last of the first
 * piece.  Each of the three runners (store, load, the others) stops there.
 */
TEST(packed_stop_on_error_end_of_piece)
{
	enum { KS = 8, VS = 8, LAST = 2729, N = LAST + 11 };
	struct syncmap_opts o = { .max_entries = LAST, .max_key_len = KS,
				  .max_value_len = 16 };
	struct syncmap_packed_result *res = malloc(N * sizeof(*res));
	unsigned char *keys = malloc((size_t)N * KS);
	unsigned char *vals = malloc((size_t)N * VS);
	unsigned char big[VS + 1];
	unsigned int i;
	size_t len;
	int fd;

	ASSERT_TRUE(res && keys && vals);
	pkeys(keys, KS, 0, N);
	memset(vals, 's', (size_t)N * VS);
	memset(big, 'B', sizeof(big));

	/* STORE into a map of LAST entries: key LAST is the first to fail. */
	fd = syncmap_create(NULL, &o);
	ASSERT_LE(0, fd);
	memset(res, 0x5a, N * sizeof(*res));
	EXPECT_EQ(LAST + 1, syncmap_packed(fd, SYNCMAP_OP_STORE, keys, KS,
					   vals, VS, res, N,
					   SYNCMAP_BATCH_STOP_ON_ERROR));
	EXPECT_EQ(0, res[LAST - 1].result);
	EXPECT_EQ(-ENOSPC, res[LAST].result);
	EXPECT_EQ(0x5a5a5a5a, (unsigned int)res[LAST + 1].result);
	EXPECT_EQ(LAST, syncmap_len(fd));
	close(fd);

	/* LOAD and LOAD_AND_DELETE: key LAST holds a value too long. */
	o.max_entries = 0;
	fd = syncmap_create(NULL, &o);
	ASSERT_LE(0, fd);
	ASSERT_EQ(N, syncmap_packed(fd, SYNCMAP_OP_STORE, keys, KS, vals, VS,
				    res, N, 0));
	ASSERT_EQ(0, syncmap_store(fd, keys + (size_t)LAST * KS, KS, big,
				   sizeof(big)));
	memset(res, 0x5a, N * sizeof(*res));
	EXPECT_EQ(LAST + 1, syncmap_packed(fd, SYNCMAP_OP_LOAD, keys, KS,
					   vals, VS, res, N,
					   SYNCMAP_BATCH_STOP_ON_ERROR));
	EXPECT_EQ(1, res[LAST - 1].result);
	EXPECT_EQ(-ERANGE, res[LAST].result);
	EXPECT_EQ(VS + 1, res[LAST].value_len);
	EXPECT_EQ(0x5a5a5a5a, (unsigned int)res[LAST + 1].result);

	memset(res, 0x5a, N * sizeof(*res));
	EXPECT_EQ(LAST + 1, syncmap_packed(fd, SYNCMAP_OP_LOAD_AND_DELETE,
					   keys, KS, vals, VS, res, N,
					   SYNCMAP_BATCH_STOP_ON_ERROR));
	EXPECT_EQ(1, res[LAST - 1].result);
	EXPECT_EQ(-ERANGE, res[LAST].result);
	EXPECT_EQ(0x5a5a5a5a, (unsigned int)res[LAST + 1].result);
	/* Key LAST and the ten after it are still there. */
	EXPECT_EQ(N - LAST, syncmap_len(fd));
	for (i = LAST; i < N; i++) {
		len = 0;
		EXPECT_EQ(-1, syncmap_load(fd, keys + (size_t)i * KS, KS, NULL,
					   &len));
		EXPECT_EQ(i == LAST ? VS + 1 : VS, len);
	}
	close(fd);
	free(res);
	free(keys);
	free(vals);
}

/* --- no operation reports an error after it changed the map --- */

/* A copy of @size bytes of @src at the start of a read-only page. */
static void *ro_copy(const void *src, size_t size)
{
	long page = sysconf(_SC_PAGESIZE);
	void *p = mmap(NULL, page, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	memcpy(p, src, size);
	if (mprotect(p, page, PROT_READ)) {
		munmap(p, page);
		return NULL;
	}
	return p;
}

static void ro_free(void *p)
{
	munmap(p, sysconf(_SC_PAGESIZE));
}

/* @room writable bytes, then an unmapped page. */
static void *edge_buf(size_t room)
{
	long page = sysconf(_SC_PAGESIZE);
	char *p = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	munmap(p + page, page);
	return p + page - room;
}

static void edge_free(void *p)
{
	long page = sysconf(_SC_PAGESIZE);

	munmap((void *)((uintptr_t)p & ~(uintptr_t)(page - 1)), page);
}

#define EF_OLD	"old-value-123"		/* 13 bytes */
#define EF_NEW	"new"

/* Every operation that may change the map, on a present or absent key. */
static const struct ef_case {
	const char *what;
	unsigned int code;
	int present;		/* "k" holds EF_OLD before the call */
} ef_cases[] = {
	{ "store (insert)", SYNCMAP_OP_STORE, 0 },
	{ "store (overwrite)", SYNCMAP_OP_STORE, 1 },
	{ "load-or-store (store)", SYNCMAP_OP_LOAD_OR_STORE, 0 },
	{ "load-and-delete", SYNCMAP_OP_LOAD_AND_DELETE, 1 },
	{ "delete", SYNCMAP_OP_DELETE, 1 },
	{ "swap (insert)", SYNCMAP_OP_SWAP, 0 },
	{ "swap (replace)", SYNCMAP_OP_SWAP, 1 },
	{ "compare-and-swap", SYNCMAP_OP_COMPARE_AND_SWAP, 1 },
	{ "compare-and-delete", SYNCMAP_OP_COMPARE_AND_DELETE, 1 },
};

static int ef_has_out(unsigned int code)
{
	return code == SYNCMAP_OP_LOAD_OR_STORE ||
	       code == SYNCMAP_OP_LOAD_AND_DELETE || code == SYNCMAP_OP_SWAP;
}

/*
 * Leave "k" in the map as @c wants it, alone, and fill @op with the
 * operation that would change it, its output going to @out.
 */
static void ef_prepare(int fd, const struct ef_case *c,
		       struct syncmap_ioc_op *op, void *out, size_t out_len)
{
	unsigned int code = c->code;
	int value = code == SYNCMAP_OP_STORE ||
		    code == SYNCMAP_OP_LOAD_OR_STORE ||
		    code == SYNCMAP_OP_SWAP ||
		    code == SYNCMAP_OP_COMPARE_AND_SWAP;
	int old = code == SYNCMAP_OP_COMPARE_AND_SWAP ||
		  code == SYNCMAP_OP_COMPARE_AND_DELETE;

	syncmap_clear(fd);
	if (c->present)
		sstore(fd, "k", EF_OLD);
	syncmap_op_init(op, code, "k", 1, value ? EF_NEW : NULL,
			value ? strlen(EF_NEW) : 0, old ? EF_OLD : NULL,
			old ? strlen(EF_OLD) : 0, ef_has_out(code) ? out : NULL,
			ef_has_out(code) ? out_len : 0);
}

/* Is the map as ef_prepare() left it? */
static int ef_unchanged(int fd, const struct ef_case *c)
{
	char buf[32];
	int r = sload(fd, "k", buf, sizeof(buf));

	if (syncmap_len(fd) != c->present)
		return 0;
	return c->present ? r == 1 && !strcmp(buf, EF_OLD) : r == 0;
}

/* The call failed with EFAULT and left the map alone. */
#define EXPECT_EFAULT_UNCHANGED(fd, c, r, how) do {			\
	int __e = errno;						\
	EXPECT_EQ(-1, (r)) TH_LOG("%s, %s: succeeded", (c)->what, how);	\
	EXPECT_EQ(EFAULT, __e) TH_LOG("%s, %s", (c)->what, how);	\
	EXPECT_TRUE(ef_unchanged(fd, c))				\
		TH_LOG("%s, %s: the map changed", (c)->what, how);	\
} while (0)

/*
 * Single operations: a record that can be read but not written back, an
 * output buffer unmapped, read-only or running into an unmapped page.
 */
TEST_F(anon, efault_single_ops_change_nothing)
{
	struct syncmap_ioc_op op, *ro;
	char out[32], *edge, *ro_out;
	unsigned int i;
	int r;

	edge = edge_buf(4);
	ro_out = ro_copy(out, sizeof(out));
	ASSERT_TRUE(edge && ro_out);
	for (i = 0; i < ARRAY_SIZE(ef_cases); i++) {
		const struct ef_case *c = &ef_cases[i];

		ef_prepare(self->fd, c, &op, out, sizeof(out));
		ro = ro_copy(&op, sizeof(op));
		ASSERT_TRUE(ro != NULL);
		r = ioctl(self->fd, op_cmd(c->code), ro);
		EXPECT_EFAULT_UNCHANGED(self->fd, c, r, "read-only record");
		ro_free(ro);
		if (!ef_has_out(c->code) || !c->present)
			continue;
		ef_prepare(self->fd, c, &op, bad_ptr(), sizeof(out));
		r = ioctl(self->fd, op_cmd(c->code), &op);
		EXPECT_EFAULT_UNCHANGED(self->fd, c, r, "unmapped output");
		ef_prepare(self->fd, c, &op, ro_out, sizeof(out));
		r = ioctl(self->fd, op_cmd(c->code), &op);
		EXPECT_EFAULT_UNCHANGED(self->fd, c, r, "read-only output");
		ef_prepare(self->fd, c, &op, edge, sizeof(out));
		r = ioctl(self->fd, op_cmd(c->code), &op);
		EXPECT_EFAULT_UNCHANGED(self->fd, c, r,
					"output into an unmapped page");
	}
	/* With room for the value, the same calls deliver it. */
	for (i = 0; i < ARRAY_SIZE(ef_cases); i++) {
		const struct ef_case *c = &ef_cases[i];

		if (!ef_has_out(c->code) || !c->present)
			continue;
		memset(out, 0, sizeof(out));
		ef_prepare(self->fd, c, &op, out, sizeof(out));
		ASSERT_EQ(0, ioctl(self->fd, op_cmd(c->code), &op));
		EXPECT_EQ(1, op.result);
		EXPECT_EQ(strlen(EF_OLD), op.out_len);
		EXPECT_STREQ(EF_OLD, out);
	}
	ro_free(ro_out);
	edge_free(edge);
}

static void ef_batch_init(struct syncmap_ioc_batch *b, void *ops,
			  unsigned int count)
{
	memset(b, 0, sizeof(*b));
	b->size = sizeof(*b);
	b->ops = p64(ops);
	b->count = count;
	b->op_size = sizeof(struct syncmap_ioc_op);
}

/*
 * Batches: records that cannot be written back (one record, read alone;
 * two, read as a chunk), a batch whose @done cannot be written, and an
 * operation whose output buffer faults, which fails alone.
 */
TEST_F(anon, efault_batch_ops_change_nothing)
{
	struct syncmap_ioc_op ops[2], *ro;
	struct syncmap_ioc_batch b, *rob;
	char out[32], *edge;
	unsigned int i;
	int r;

	edge = edge_buf(4);
	ASSERT_TRUE(edge != NULL);
	for (i = 0; i < ARRAY_SIZE(ef_cases); i++) {
		const struct ef_case *c = &ef_cases[i];

		ef_prepare(self->fd, c, &ops[0], out, sizeof(out));
		ro = ro_copy(ops, sizeof(ops[0]));
		ASSERT_TRUE(ro != NULL);
		ef_batch_init(&b, ro, 1);
		r = ioctl(self->fd, SYNCMAP_IOC_BATCH, &b);
		EXPECT_EFAULT_UNCHANGED(self->fd, c, r, "read-only record");
		EXPECT_EQ(0, b.done);
		ro_free(ro);

		init_op(&ops[0], SYNCMAP_OP_LOAD, "other");
		ef_prepare(self->fd, c, &ops[1], out, sizeof(out));
		ro = ro_copy(ops, sizeof(ops));
		ASSERT_TRUE(ro != NULL);
		ef_batch_init(&b, ro, 2);
		r = ioctl(self->fd, SYNCMAP_IOC_BATCH, &b);
		EXPECT_EFAULT_UNCHANGED(self->fd, c, r, "read-only chunk");
		EXPECT_EQ(0, b.done);
		ro_free(ro);

		ef_prepare(self->fd, c, &ops[0], out, sizeof(out));
		ef_batch_init(&b, ops, 1);
		rob = ro_copy(&b, sizeof(b));
		ASSERT_TRUE(rob != NULL);
		r = ioctl(self->fd, SYNCMAP_IOC_BATCH, rob);
		EXPECT_EFAULT_UNCHANGED(self->fd, c, r, "read-only batch");
		ro_free(rob);

		if (!ef_has_out(c->code) || !c->present)
			continue;
		ef_prepare(self->fd, c, &ops[0], bad_ptr(), sizeof(out));
		ef_batch_init(&b, ops, 1);
		ASSERT_EQ(0, ioctl(self->fd, SYNCMAP_IOC_BATCH, &b));
		EXPECT_EQ(1, b.done);
		EXPECT_EQ(-EFAULT, ops[0].result) TH_LOG("%s", c->what);
		EXPECT_TRUE(ef_unchanged(self->fd, c))
			TH_LOG("%s, unmapped output: the map changed", c->what);
		ef_prepare(self->fd, c, &ops[0], edge, sizeof(out));
		ASSERT_EQ(0, ioctl(self->fd, SYNCMAP_IOC_BATCH, &b));
		EXPECT_EQ(-EFAULT, ops[0].result) TH_LOG("%s", c->what);
		EXPECT_TRUE(ef_unchanged(self->fd, c))
			TH_LOG("%s, output into an unmapped page: the map changed",
			       c->what);
	}
	edge_free(edge);
}

/* Keys 0..3 hold PV bytes of 'o'. */
static void ef_packed_prepare(int fd, unsigned char (*keys)[PK])
{
	unsigned char vals[4][PV];
	struct syncmap_packed_result res[4];

	syncmap_clear(fd);
	memset(vals, 'o', sizeof(vals));
	syncmap_packed(fd, SYNCMAP_OP_STORE, keys, PK, vals, PV, res, 4, 0);
}

static int ef_packed_unchanged(int fd, unsigned char (*keys)[PK])
{
	unsigned char buf[PV + 1], want[PV];
	size_t len;
	int i;

	memset(want, 'o', PV);
	if (syncmap_len(fd) != 4)
		return 0;
	for (i = 0; i < 4; i++) {
		len = sizeof(buf);
		if (syncmap_load(fd, keys[i], PK, buf, &len) != 1 ||
		    len != PV || memcmp(buf, want, PV))
			return 0;
	}
	return 1;
}

#define EXPECT_PACKED_EFAULT(fd, keys, r, p, what, how) do {		\
	int __e = errno;						\
	EXPECT_EQ(-1, (r)) TH_LOG("%s, %s: succeeded", what, how);	\
	EXPECT_EQ(EFAULT, __e) TH_LOG("%s, %s", what, how);		\
	EXPECT_EQ(0, (p)->done) TH_LOG("%s, %s", what, how);		\
	EXPECT_TRUE(ef_packed_unchanged(fd, keys))			\
		TH_LOG("%s, %s: the map changed", what, how);		\
} while (0)

/*
 * Packed calls that change the map: results that cannot be written,
 * a struct whose @done cannot be written, and for load-and-delete value
 * slots unmapped, read-only or running into an unmapped page.
 */
TEST_F(anon, efault_packed_changes_nothing)
{
	static const struct {
		const char *what;
		unsigned int code;
	} ops[] = {
		{ "packed store", SYNCMAP_OP_STORE },
		{ "packed load-and-delete", SYNCMAP_OP_LOAD_AND_DELETE },
		{ "packed delete", SYNCMAP_OP_DELETE },
	};
	unsigned char keys[4][PK], vals[4][PV];
	struct syncmap_packed_result res[4], *ro;
	struct syncmap_ioc_packed p, *rop;
	void *values, *ro_vals, *edge;
	unsigned int i;
	int r;

	pkeys(&keys[0][0], PK, 0, 4);
	memset(vals, 'r', sizeof(vals));
	ro_vals = ro_copy(vals, sizeof(vals));
	edge = edge_buf(PV + 2);
	ASSERT_TRUE(ro_vals && edge);
	for (i = 0; i < ARRAY_SIZE(ops); i++) {
		memset(vals, 'n', sizeof(vals));
		values = ops[i].code == SYNCMAP_OP_DELETE ? NULL : vals;

		ef_packed_prepare(self->fd, keys);
		ro = ro_copy(res, sizeof(res));
		ASSERT_TRUE(ro != NULL);
		packed_init(&p, ops[i].code, keys, values, ro, 4);
		r = ioctl(self->fd, SYNCMAP_IOC_PACKED, &p);
		EXPECT_PACKED_EFAULT(self->fd, keys, r, &p, ops[i].what,
				     "read-only results");
		ro_free(ro);

		ef_packed_prepare(self->fd, keys);
		packed_init(&p, ops[i].code, keys, values, res, 4);
		rop = ro_copy(&p, sizeof(p));
		ASSERT_TRUE(rop != NULL);
		r = ioctl(self->fd, SYNCMAP_IOC_PACKED, rop);
		EXPECT_PACKED_EFAULT(self->fd, keys, r, rop, ops[i].what,
				     "read-only struct");
		ro_free(rop);

		if (ops[i].code != SYNCMAP_OP_LOAD_AND_DELETE)
			continue;
		ef_packed_prepare(self->fd, keys);
		packed_init(&p, ops[i].code, keys, bad_ptr(), res, 4);
		r = ioctl(self->fd, SYNCMAP_IOC_PACKED, &p);
		EXPECT_PACKED_EFAULT(self->fd, keys, r, &p, ops[i].what,
				     "unmapped slots");
		ef_packed_prepare(self->fd, keys);
		packed_init(&p, ops[i].code, keys, ro_vals, res, 4);
		r = ioctl(self->fd, SYNCMAP_IOC_PACKED, &p);
		EXPECT_PACKED_EFAULT(self->fd, keys, r, &p, ops[i].what,
				     "read-only slots");
		ef_packed_prepare(self->fd, keys);
		packed_init(&p, ops[i].code, keys, edge, res, 4);
		r = ioctl(self->fd, SYNCMAP_IOC_PACKED, &p);
		EXPECT_PACKED_EFAULT(self->fd, keys, r, &p, ops[i].what,
				     "slots into an unmapped page");
	}
	ro_free(ro_vals);
	edge_free(edge);
}

/*
 * A packed call whose second piece cannot write its results: the first
 * piece ran and delivered, the second did not run at all.  A piece holds
 * 64 KiB / (8 + key + slot) = 2730 keys: keys and slots of 8 bytes, or
 * for delete, which has no slots, keys of 16.
 */
TEST(efault_packed_second_piece)
{
	enum { VS = 8, PIECE = 2730, N = SYNCMAP_BATCH_MAX };
	long page = sysconf(_SC_PAGESIZE);
	size_t rsize = N * sizeof(struct syncmap_packed_result);
	size_t ro_at = (PIECE * sizeof(struct syncmap_packed_result) +
			page - 1) & ~(size_t)(page - 1);
	struct syncmap_packed_result *res, *ok = malloc(rsize);
	unsigned char *keys = malloc((size_t)N * 16);
	unsigned char *vals = malloc((size_t)N * VS);
	unsigned char *out = malloc((size_t)N * VS);
	static const unsigned int codes[] = {
		SYNCMAP_OP_STORE, SYNCMAP_OP_LOAD_AND_DELETE, SYNCMAP_OP_DELETE,
	};
	struct syncmap_ioc_packed p;
	unsigned int i, j, ks;
	int fd;

	ASSERT_TRUE(ok && keys && vals && out);
	if (ro_at >= rsize)
		SKIP(return, "pages too large for this layout");
	res = mmap(NULL, rsize, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_TRUE(res != MAP_FAILED);
	ASSERT_EQ(0, mprotect((char *)res + ro_at, rsize - ro_at, PROT_READ));
	memset(vals, 'v', (size_t)N * VS);
	fd = syncmap_create(NULL, NULL);
	ASSERT_LE(0, fd);
	for (i = 0; i < ARRAY_SIZE(codes); i++) {
		ks = codes[i] == SYNCMAP_OP_DELETE ? 16 : 8;
		pkeys(keys, ks, 0, N);
		ASSERT_EQ(0, syncmap_clear(fd));
		if (codes[i] != SYNCMAP_OP_STORE)
			ASSERT_EQ(N, syncmap_packed(fd, SYNCMAP_OP_STORE, keys,
						    ks, vals, VS, ok, N, 0));
		memset(&p, 0, sizeof(p));
		p.size = sizeof(p);
		p.op = codes[i];
		p.count = N;
		p.key_size = ks;
		p.keys = p64(keys);
		if (codes[i] != SYNCMAP_OP_DELETE) {
			p.value_size = VS;
			p.values = p64(codes[i] == SYNCMAP_OP_STORE ? vals :
				       out);
		}
		p.results = p64(res);
		memset(out, 0, (size_t)N * VS);
		EXPECT_ERR(EFAULT, ioctl(fd, SYNCMAP_IOC_PACKED, &p));
		EXPECT_EQ(PIECE, p.done) TH_LOG("op %u", codes[i]);
		EXPECT_EQ(codes[i] == SYNCMAP_OP_STORE ? PIECE : N - PIECE,
			  syncmap_len(fd)) TH_LOG("op %u", codes[i]);
		for (j = 0; j < PIECE; j++)
			ASSERT_EQ(codes[i] == SYNCMAP_OP_STORE ? 0 : 1,
				  res[j].result);
		if (codes[i] == SYNCMAP_OP_LOAD_AND_DELETE)
			EXPECT_EQ(0, memcmp(out, vals, (size_t)PIECE * VS));
	}
	close(fd);
	munmap(res, rsize);
	free(ok);
	free(keys);
	free(vals);
	free(out);
}

/* --- create and open bind nothing when their answer cannot be written --- */

TEST(efault_create_open_bind_nothing)
{
	struct syncmap_ioc_create c, *roc;
	struct syncmap_ioc_open o, *roo;
	char name[48];
	int fd, fd2;

	unique_name(name, sizeof(name), "efbind");
	fd = syncmap_dev_open(O_RDWR);
	fd2 = syncmap_dev_open(O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_LE(0, fd2);

	/* A named map: not created, not named, the fd not bound. */
	memset(&c, 0, sizeof(c));
	c.size = sizeof(c);
	strcpy(c.name, name);
	roc = ro_copy(&c, sizeof(c));
	ASSERT_TRUE(roc != NULL);
	EXPECT_ERR(EFAULT, ioctl(fd, SYNCMAP_IOC_CREATE, roc));
	EXPECT_ERR(EBADFD, syncmap_len(fd));
	EXPECT_ERR(ENOENT, syncmap_open(name, O_RDONLY));
	ro_free(roc);
	/* An anonymous one: the fd not bound. */
	memset(&c, 0, sizeof(c));
	c.size = sizeof(c);
	c.flags = SYNCMAP_CREATE_ANON;
	roc = ro_copy(&c, sizeof(c));
	ASSERT_TRUE(roc != NULL);
	EXPECT_ERR(EFAULT, ioctl(fd, SYNCMAP_IOC_CREATE, roc));
	EXPECT_ERR(EBADFD, syncmap_len(fd));
	ro_free(roc);
	/* So the same fd and name work on a retry. */
	ASSERT_EQ(0, syncmap_create_fd(fd, name, NULL));
	ASSERT_EQ(0, sstore(fd, "k", "v"));

	/* Open: the fd not bound, and it can be bound afterwards. */
	memset(&o, 0, sizeof(o));
	o.size = sizeof(o);
	strcpy(o.name, name);
	roo = ro_copy(&o, sizeof(o));
	ASSERT_TRUE(roo != NULL);
	EXPECT_ERR(EFAULT, ioctl(fd2, SYNCMAP_IOC_OPEN, roo));
	EXPECT_ERR(EBADFD, syncmap_len(fd2));
	ro_free(roo);
	ASSERT_EQ(0, syncmap_open_fd(fd2, name));
	EXPECT_EQ(1, syncmap_len(fd2));

	EXPECT_EQ(0, syncmap_destroy(fd));
	close(fd);
	close(fd2);
}

/* Destroying a name is a write: not through a read-only fd. */
TEST(destroy_needs_writable_fd)
{
	char name[48];
	int fd, rd, again;

	unique_name(name, sizeof(name), "rodestroy");
	fd = syncmap_create(name, NULL);
	ASSERT_LE(0, fd);
	rd = syncmap_open(name, O_RDONLY);
	ASSERT_LE(0, rd);
	EXPECT_ERR(EBADF, syncmap_destroy(rd));
	again = syncmap_open(name, O_RDONLY);
	EXPECT_LE(0, again);
	close(again);
	EXPECT_EQ(0, syncmap_destroy(fd));
	EXPECT_ERR(ENOENT, syncmap_open(name, O_RDONLY));
	close(rd);
	close(fd);
}

/*
 * The 32-bit build (SYNCMAP_TEST_COMPAT) checks the ABI through
 * compat_ioctl and leaves out the slow tests below, which exercise
 * nothing the 64-bit run does not.
 */
#ifndef SYNCMAP_TEST_COMPAT
TEST_F_TIMEOUT(anon, dump_under_churn, 300)
{
	struct syncmap_opts o = { .max_entries = 65536 };
	char name[48], key[32], *seen;
	int fd, i, round, dups, n, status;
	pid_t pid;

	unique_name(name, sizeof(name), "churn");
	fd = syncmap_create(name, &o);
	ASSERT_LE(0, fd);
	for (i = 0; i < 500; i++) {
		snprintf(key, sizeof(key), "stable%d", i);
		ASSERT_EQ(0, sstore(fd, key, "s"));
	}
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		/* Store and delete other keys until killed. */
		int cfd = syncmap_open(name, O_RDWR);
		unsigned int x = 1;

		if (cfd < 0)
			_exit(1);
		for (;;) {
			x = x * 1103515245 + 12345;
			snprintf(key, sizeof(key), "churn%u", (x >> 8) % 2000);
			if (x & 0x10000)
				sstore(cfd, key, "c");
			else
				syncmap_delete(cfd, key, strlen(key));
		}
	}
	for (round = 0; round < 4; round++) {
		seen = calloc(500, 1);
		ASSERT_TRUE(seen != NULL);
		dups = 0;
		n = dump_count(fd, 256 << round, &seen, 500, "stable", &dups);
		EXPECT_LE(500, n);
		EXPECT_EQ(0, dups);
		for (i = 0; i < 500; i++)
			EXPECT_EQ(1, seen[i]) TH_LOG("stable%d missed", i);
		free(seen);
	}
	/* And no key at all came twice within one dump. */
	{
		struct syncmap_iter *it = syncmap_iter_new(fd, 300);
		const void *k, *v;
		size_t kl, vl;
		char (*keys)[32] = calloc(8192, 32);
		int nk = 0, j;

		ASSERT_TRUE(it != NULL);
		ASSERT_TRUE(keys != NULL);
		while (syncmap_iter_next(it, &k, &kl, &v, &vl) == 1 &&
		       nk < 8192) {
			ASSERT_GT(32, kl);
			memcpy(keys[nk], k, kl);
			keys[nk][kl] = '\0';
			for (j = 0; j < nk; j++)
				ASSERT_STRNE(keys[j], keys[nk]);
			nk++;
		}
		syncmap_iter_free(it);
		free(keys);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	ASSERT_EQ(0, syncmap_destroy(fd));
	close(fd);
}

/* --- concurrency from userspace --- */

#define NPROC	4
#define NKEYS	300
#define NINCR	100

static int worker(const char *name, int id)
{
	char key[32], val[32], buf[32];
	size_t len;
	int fd = syncmap_open(name, O_RDWR), i;
	unsigned long cur;

	if (fd < 0)
		return 1;
	for (i = 0; i < NKEYS; i++) {
		snprintf(key, sizeof(key), "p%d-%d", id, i);
		snprintf(val, sizeof(val), "v%d-%d", id, i);
		if (sstore(fd, key, val))
			return 2;
		/* Shared keys: first writer wins, everyone agrees. */
		snprintf(key, sizeof(key), "shared%d", i);
		snprintf(val, sizeof(val), "%d", id);
		len = sizeof(buf);
		if (syncmap_load_or_store(fd, key, strlen(key), val,
					  strlen(val), buf, &len) < 0)
			return 3;
	}
	/* A counter incremented with compare-and-swap. */
	for (i = 0; i < NINCR; i++) {
		for (;;) {
			len = sizeof(buf) - 1;
			if (syncmap_load(fd, "ctr", 3, buf, &len) != 1)
				return 4;
			buf[len] = '\0';
			cur = strtoul(buf, NULL, 10);
			snprintf(val, sizeof(val), "%lu", cur + 1);
			if (syncmap_compare_and_swap(fd, "ctr", 3, buf, len,
						     val, strlen(val)) == 1)
				break;
		}
	}
	close(fd);
	return 0;
}

TEST_F_TIMEOUT(anon, processes_share_a_map, 300)
{
	char name[48], key[32], want[32], buf[32];
	pid_t pids[NPROC];
	int fd, i, j, status;

	unique_name(name, sizeof(name), "procs");
	fd = syncmap_create(name, NULL);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, sstore(fd, "ctr", "0"));
	for (i = 0; i < NPROC; i++) {
		pids[i] = fork();
		ASSERT_LE(0, pids[i]);
		if (!pids[i])
			_exit(worker(name, i));
	}
	for (i = 0; i < NPROC; i++) {
		ASSERT_EQ(pids[i], waitpid(pids[i], &status, 0));
		ASSERT_TRUE(WIFEXITED(status));
		EXPECT_EQ(0, WEXITSTATUS(status));
	}
	for (i = 0; i < NPROC; i++) {
		for (j = 0; j < NKEYS; j++) {
			snprintf(key, sizeof(key), "p%d-%d", i, j);
			snprintf(want, sizeof(want), "v%d-%d", i, j);
			ASSERT_EQ(1, sload(fd, key, buf, sizeof(buf)));
			ASSERT_STREQ(want, buf);
		}
	}
	for (j = 0; j < NKEYS; j++) {
		snprintf(key, sizeof(key), "shared%d", j);
		ASSERT_EQ(1, sload(fd, key, buf, sizeof(buf)));
		i = atoi(buf);
		EXPECT_LE(0, i);
		EXPECT_GT(NPROC, i);
	}
	ASSERT_EQ(1, sload(fd, "ctr", buf, sizeof(buf)));
	snprintf(want, sizeof(want), "%d", NPROC * NINCR);
	EXPECT_STREQ(want, buf);
	EXPECT_EQ(NPROC * NKEYS + NKEYS + 1, syncmap_len(fd));
	ASSERT_EQ(0, syncmap_destroy(fd));
	close(fd);
}

struct thread_arg {
	int fd;
	int id;
	int err;
};

static void *thread_fn(void *p)
{
	struct thread_arg *a = p;
	char key[32];
	int i;

	for (i = 0; i < NKEYS / 3; i++) {
		snprintf(key, sizeof(key), "t%d-%d", a->id, i);
		if (sstore(a->fd, key, key) ||
		    syncmap_compare_and_delete(a->fd, key, strlen(key), key,
					       strlen(key)) != 1 ||
		    sstore(a->fd, key, "x"))
			a->err++;
	}
	return NULL;
}

TEST_F_TIMEOUT(anon, threads_share_an_fd, 300)
{
	struct thread_arg args[4];
	pthread_t th[4];
	int i;

	for (i = 0; i < 4; i++) {
		args[i] = (struct thread_arg){ .fd = self->fd, .id = i };
		ASSERT_EQ(0, pthread_create(&th[i], NULL, thread_fn, &args[i]));
	}
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(0, pthread_join(th[i], NULL));
		EXPECT_EQ(0, args[i].err);
	}
	EXPECT_EQ(4 * (NKEYS / 3), syncmap_len(self->fd));
}

/*
 * Values that leave a device map are reused for its later stores once no
 * reader can see them.  Two writers overwrite and delete their own keys
 * with packed and single calls, in values of four lengths (three blob
 * sizes); two readers check every value they load is one whole value: of
 * generation g, RV_LEN(g) bytes, each g & 0xff; at the end each key holds
 * its last value.  A blob handed to two stores at once breaks both (a
 * pool that did so crashed the kernel here or failed these checks).  A
 * blob reused while a reader still copies it is caught only if the copy
 * and the reuse overlap, which is rare: that the release waits for the
 * readers is the KUnit case release_waits_for_rcu_reader.
 */
#define RV_KEYS		64
#define RV_GENS		300
#define RV_LEN(g)	((const unsigned int[]){ 1, 20, 60, 120 }[(g) % 4])
#define RV_MAX		120

struct rv_arg {
	int fd;
	int id;			/* writer: its keys are id, id + 2, ... */
	volatile int *stop;
	long loads;
	int err;
};

/* Is @v (@len bytes) one whole value of some generation? */
static int rv_whole(const unsigned char *v, size_t len)
{
	size_t i;

	if (!len || len != RV_LEN(v[0]))
		return 0;
	for (i = 1; i < len; i++)
		if (v[i] != v[0])
			return 0;
	return 1;
}

static void *rv_writer(void *p)
{
	unsigned char keys[RV_KEYS / 2][PK], vals[RV_KEYS / 2][RV_MAX];
	struct syncmap_packed_result res[RV_KEYS / 2];
	struct rv_arg *a = p;
	unsigned int g, j, n = RV_KEYS / 2, len;

	for (j = 0; j < n; j++)
		pkey(keys[j], PK, a->id + 2 * j);
	for (g = 0; g < RV_GENS && !a->err; g++) {
		len = RV_LEN(g);
		memset(vals, g & 0xff, sizeof(vals));
		if (g % 5 == 4 &&
		    syncmap_packed(a->fd, SYNCMAP_OP_DELETE, keys, PK, NULL, 0,
				   res, n, 0) != (int)n)
			a->err = 1;
		if (g % 2) {
			for (j = 0; j < n; j++)
				if (syncmap_store(a->fd, keys[j], PK, vals[j],
						  len))
					a->err = 2;
			continue;
		}
		/* Slots of the value's length: every byte is the same. */
		if (syncmap_packed(a->fd, SYNCMAP_OP_STORE, keys, PK, vals,
				   len, res, n, 0) != (int)n)
			a->err = 3;
	}
	return NULL;
}

static void *rv_reader(void *p)
{
	unsigned char keys[RV_KEYS][PK], out[RV_KEYS][RV_MAX], v[RV_MAX];
	struct syncmap_packed_result res[RV_KEYS];
	struct rv_arg *a = p;
	unsigned int j;
	size_t len;
	int r;

	pkeys(&keys[0][0], PK, 0, RV_KEYS);
	while (!*a->stop && !a->err) {
		for (j = 0; j < RV_KEYS; j++) {
			len = sizeof(v);
			r = syncmap_load(a->fd, keys[j], PK, v, &len);
			if (r < 0 || (r == 1 && !rv_whole(v, len)))
				a->err = 1;
			a->loads += r == 1;
		}
		if (syncmap_packed(a->fd, SYNCMAP_OP_LOAD, keys, PK, out,
				   RV_MAX, res, RV_KEYS, 0) != RV_KEYS)
			a->err = 2;
		for (j = 0; j < RV_KEYS; j++) {
			if (res[j].result == 1 &&
			    !rv_whole(out[j], res[j].value_len))
				a->err = 3;
			a->loads += res[j].result == 1;
		}
	}
	return NULL;
}

TEST_F_TIMEOUT(anon, reused_values_stay_whole, 300)
{
	struct rv_arg w[2], r[2];
	unsigned char k[PK], v[RV_MAX];
	volatile int stop = 0;
	pthread_t wt[2], rt[2];
	unsigned int j, last = RV_GENS - 1;
	size_t len;
	int i;

	for (i = 0; i < 2; i++) {
		r[i] = (struct rv_arg){ .fd = self->fd, .stop = &stop };
		w[i] = (struct rv_arg){ .fd = self->fd, .id = i };
		ASSERT_EQ(0, pthread_create(&rt[i], NULL, rv_reader, &r[i]));
	}
	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, pthread_create(&wt[i], NULL, rv_writer, &w[i]));
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, pthread_join(wt[i], NULL));
		EXPECT_EQ(0, w[i].err);
	}
	stop = 1;
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, pthread_join(rt[i], NULL));
		EXPECT_EQ(0, r[i].err);
		EXPECT_LT(0, r[i].loads);
	}
	/* Every key holds its writer's last value. */
	EXPECT_EQ(RV_KEYS, syncmap_len(self->fd));
	for (j = 0; j < RV_KEYS; j++) {
		pkey(k, PK, j);
		len = sizeof(v);
		ASSERT_EQ(1, syncmap_load(self->fd, k, PK, v, &len));
		ASSERT_EQ(RV_LEN(last), len);
		EXPECT_EQ(last & 0xff, v[0]);
		EXPECT_TRUE(rv_whole(v, len));
	}
}

/*
 * The pool shows in INFO: after many overwrites of one key, the values
 * they replaced come back as pooled blobs (after a grace period, in the
 * map's work item), never more than the pool's floor of 4096 for a map
 * of one key.
 */
TEST_F_TIMEOUT(anon, pool_shows_in_info, 120)
{
	struct syncmap_ioc_info info;
	char val[16];
	int i;

	ASSERT_EQ(0, syncmap_info(self->fd, &info));
	EXPECT_EQ(0, info.pooled);
	for (i = 0; i < 3000; i++) {
		snprintf(val, sizeof(val), "v%d", i);
		ASSERT_EQ(0, sstore(self->fd, "k", val));
	}
	for (i = 0; i < 100; i++) {
		ASSERT_EQ(0, syncmap_info(self->fd, &info));
		if (info.pooled)
			break;
		usleep(100 * 1000);
	}
	TH_LOG("pooled %llu, pending %llu", (unsigned long long)info.pooled,
	       (unsigned long long)info.pending_release);
	EXPECT_LT(0, info.pooled);
	EXPECT_GE(4096, info.pooled);
	EXPECT_EQ(1, info.len);
	EXPECT_EQ(1, sload(self->fd, "k", val, sizeof(val)));
	EXPECT_STREQ("v2999", val);
}

/* --- permissions --- */

static int try_open_dev(void *arg)
{
	int fd = open(DEV, O_RDWR);

	(void)arg;
	if (fd >= 0)
		return 0;
	return errno == EACCES ? 10 : 11;
}

TEST(perm_device_default_mode)
{
	struct stat st;

	if (!is_root())
		SKIP(return, "needs root to switch to nobody");
	ASSERT_EQ(0, stat(DEV, &st));
	EXPECT_EQ(0600, st.st_mode & 0777);
	EXPECT_EQ(10, as_user(NOBODY, try_open_dev, NULL));
}

struct perm_args {
	const char *root_600;
	const char *root_604;
	const char *root_606;
	char own[48];
};

static int nobody_side(void *p)
{
	struct perm_args *a = p;
	struct syncmap_list_entry e[256];
	int fd, u, n, i, saw600 = 0, saw604 = 0;
	unsigned int id = 0;
	struct syncmap_opts o = { .mode = 0600 };

	/* Another user's 0600 map: neither read nor write. */
	if (syncmap_open(a->root_600, O_RDONLY) >= 0 || errno != EACCES)
		return 20;
	if (syncmap_open(a->root_600, O_RDWR) >= 0 || errno != EACCES)
		return 21;
	/* 0604: read-only access for others. */
	fd = syncmap_open(a->root_604, O_RDONLY);
	if (fd < 0)
		return 22;
	if (sstore(fd, "k", "v") != -1 || errno != EBADF)
		return 23;
	if (packed_read_only(fd))
		return 33;
	close(fd);
	if (syncmap_open(a->root_604, O_RDWR) >= 0 || errno != EACCES)
		return 24;
	/* 0606: writable, but only the owner may destroy it. */
	fd = syncmap_open(a->root_606, O_RDWR);
	if (fd < 0)
		return 25;
	if (sstore(fd, "from", "nobody"))
		return 26;
	{
		unsigned char keys[2][PK], vals[2][PV];
		struct syncmap_packed_result res[2];

		pkeys(&keys[0][0], PK, 100, 2);
		memset(vals, 'n', sizeof(vals));
		if (syncmap_packed(fd, SYNCMAP_OP_STORE, keys, PK, vals, PV,
				   res, 2, 0) != 2 || res[0].result ||
		    res[1].result)
			return 34;
	}
	if (syncmap_destroy(fd) != -1 || errno != EPERM)
		return 27;
	close(fd);
	/* The list shows what nobody may read. */
	u = syncmap_dev_open(O_RDWR);
	if (u < 0)
		return 28;
	n = syncmap_list(u, e, 256, &id);
	if (n < 0)
		return 29;
	for (i = 0; i < n; i++) {
		saw600 |= !strcmp(e[i].name, a->root_600);
		saw604 |= !strcmp(e[i].name, a->root_604);
	}
	close(u);
	if (saw600 || !saw604)
		return 30;
	/* nobody's own map, left for root to open. */
	fd = syncmap_create(a->own, &o);
	if (fd < 0)
		return 31;
	if (sstore(fd, "owner", "nobody"))
		return 32;
	close(fd);
	return 0;
}

TEST(perm_maps)
{
	struct perm_args a;
	struct syncmap_opts o600 = { .mode = 0600 }, o604 = { .mode = 0604 },
			    o606 = { .mode = 0606 };
	char n600[48], n604[48], n606[48], buf[16];
	struct syncmap_ioc_info info;
	int f600, f604, f606, fd, rc;

	if (!is_root())
		SKIP(return, "needs root to switch to nobody");
	unique_name(n600, sizeof(n600), "p600");
	unique_name(n604, sizeof(n604), "p604");
	unique_name(n606, sizeof(n606), "p606");
	a.root_600 = n600;
	a.root_604 = n604;
	a.root_606 = n606;
	unique_name(a.own, sizeof(a.own), "pnobody");
	f600 = syncmap_create(n600, &o600);
	f604 = syncmap_create(n604, &o604);
	f606 = syncmap_create(n606, &o606);
	ASSERT_LE(0, f600);
	ASSERT_LE(0, f604);
	ASSERT_LE(0, f606);
	/* A permissive device node; the maps' own modes still apply. */
	ASSERT_EQ(0, chmod(DEV, 0666));
	rc = as_user(NOBODY, nobody_side, &a);
	chmod(DEV, 0600);
	EXPECT_EQ(0, rc);
	EXPECT_EQ(1, sload(f606, "from", buf, sizeof(buf)));
	EXPECT_STREQ("nobody", buf);
	/* CAP_SYS_ADMIN overrides the mode of nobody's 0600 map. */
	fd = syncmap_open(a.own, O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, syncmap_info(fd, &info));
	EXPECT_EQ(NOBODY, info.uid);
	EXPECT_EQ(0600, info.mode);
	EXPECT_EQ(1, sload(fd, "owner", buf, sizeof(buf)));
	EXPECT_EQ(0, syncmap_destroy(fd));
	close(fd);
	EXPECT_EQ(0, syncmap_destroy(f600));
	EXPECT_EQ(0, syncmap_destroy(f604));
	EXPECT_EQ(0, syncmap_destroy(f606));
	close(f600);
	close(f604);
	close(f606);
}

/* --- quotas on named maps --- */

#define PARAMS "/sys/module/syncmap/parameters"

static int cg_write(const char *dir, const char *file, const char *val);

static int nobody_quota(void *arg)
{
	const char *prefix = arg;
	char name[3][48];
	int fd[3], i, rc = 0;

	for (i = 0; i < 3; i++)
		snprintf(name[i], sizeof(name[i]), "%s-%d", prefix, i);
	fd[0] = syncmap_create(name[0], NULL);
	fd[1] = syncmap_create(name[1], NULL);
	if (fd[0] < 0 || fd[1] < 0)
		return 50;
	/* The third named map is over the quota of 2; anonymous ones are not. */
	if (syncmap_create(name[2], NULL) != -1 || errno != ENOSPC)
		rc = 51;
	fd[2] = syncmap_create(NULL, NULL);
	if (fd[2] < 0)
		rc = 52;
	close(fd[2]);
	/* Destroying one makes room. */
	if (syncmap_destroy(fd[0]))
		rc = 53;
	fd[2] = syncmap_create(name[2], NULL);
	if (fd[2] < 0)
		rc = 54;
	for (i = 1; i < 3; i++) {
		if (fd[i] >= 0 && syncmap_destroy(fd[i]))
			rc = 55;
		close(fd[i]);
	}
	close(fd[0]);
	return rc;
}

TEST(quota_named_maps)
{
	char prefix[48], name[48], saved[16] = "64", saved_max[16] = "1024";
	int rc, fd, fd2, in;
	ssize_t n;

	if (!is_root())
		SKIP(return, "needs root to change module parameters");
	in = open(PARAMS "/max_maps_per_user", O_RDONLY);
	ASSERT_LE(0, in);
	n = read(in, saved, sizeof(saved) - 1);
	close(in);
	ASSERT_LT(0, n);
	saved[n] = '\0';
	ASSERT_EQ(0, cg_write(PARAMS, "max_maps_per_user", "2"));
	unique_name(prefix, sizeof(prefix), "quota");
	ASSERT_EQ(0, chmod(DEV, 0666));
	rc = as_user(NOBODY, nobody_quota, prefix);
	chmod(DEV, 0600);
	cg_write(PARAMS, "max_maps_per_user", saved);
	EXPECT_EQ(0, rc);

	/* The global limit applies to CAP_SYS_ADMIN too. */
	in = open(PARAMS "/max_maps", O_RDONLY);
	ASSERT_LE(0, in);
	n = read(in, saved_max, sizeof(saved_max) - 1);
	close(in);
	ASSERT_LT(0, n);
	saved_max[n] = '\0';
	unique_name(name, sizeof(name), "global");
	fd = syncmap_create(name, NULL);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, cg_write(PARAMS, "max_maps", "1"));
	unique_name(name, sizeof(name), "global");
	fd2 = syncmap_create(name, NULL);
	cg_write(PARAMS, "max_maps", saved_max);
	EXPECT_EQ(-1, fd2);
	EXPECT_EQ(ENOSPC, errno);
	if (fd2 >= 0) {
		syncmap_destroy(fd2);
		close(fd2);
	}
	EXPECT_EQ(0, syncmap_destroy(fd));
	close(fd);
}

/* --- a map registered by a kernel module --- */

static int sample_reader(void *arg)
{
	char buf[64];
	int fd = syncmap_open("sample", O_RDONLY);

	(void)arg;
	if (fd < 0)
		return 40;
	if (sload(fd, "greeting", buf, sizeof(buf)) != 1 ||
	    strcmp(buf, "hello from syncmap_sample"))
		return 41;
	close(fd);
	if (syncmap_open("sample", O_RDWR) >= 0 || errno != EACCES)
		return 42;
	return 0;
}

TEST(kernel_module_map)
{
	const char *ko = getenv("SYNCMAP_SAMPLE_KO");
	struct syncmap_ioc_info info;
	char buf[64];
	int kfd, fd, rd;

	if (!is_root())
		SKIP(return, "needs root to load the sample module");
	if (!ko)
		ko = "/modules/syncmap_sample.ko";
	kfd = open(ko, O_RDONLY | O_CLOEXEC);
	if (kfd < 0)
		SKIP(return, "%s not found", ko);
	ASSERT_EQ(0, (int)syscall(SYS_finit_module, kfd, "", 0))
		TH_LOG("loading %s: %s", ko, strerror(errno));
	close(kfd);

	fd = syncmap_open("sample", O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, syncmap_info(fd, &info));
	EXPECT_STREQ("sample", info.name);
	EXPECT_EQ(0, info.uid);
	EXPECT_EQ(0644, info.mode);
	EXPECT_EQ(1024, info.max_entries);
	/* The module's own map keeps no pool. */
	EXPECT_EQ(0, info.pooled);
	EXPECT_EQ(1, sload(fd, "greeting", buf, sizeof(buf)));
	EXPECT_STREQ("hello from syncmap_sample", buf);
	EXPECT_EQ(0, sstore(fd, "from-userspace", "hi"));
	/* The module's name is the module's to remove. */
	EXPECT_ERR(EPERM, syncmap_destroy(fd));
	rd = syncmap_open("sample", O_RDONLY);
	EXPECT_LE(0, rd);
	close(rd);
	/* Others may read (0644) but not write. */
	ASSERT_EQ(0, chmod(DEV, 0666));
	EXPECT_EQ(0, as_user(NOBODY, sample_reader, NULL));
	chmod(DEV, 0600);
	/* The open fd pins the module that owns the map. */
	EXPECT_ERR(EWOULDBLOCK, (int)syscall(SYS_delete_module,
					     "syncmap_sample", O_NONBLOCK));
	close(fd);
	EXPECT_EQ(0, (int)syscall(SYS_delete_module, "syncmap_sample",
				  O_NONBLOCK));
	EXPECT_ERR(ENOENT, syncmap_open("sample", O_RDONLY));
}

/* --- memory is charged to the caller's memory cgroup --- */

#define CG_ROOT	"/sys/fs/cgroup"

static long long cg_read(const char *dir, const char *file)
{
	char path[256], buf[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return atoll(buf);
}

static int cg_write(const char *dir, const char *file, const char *val)
{
	char path[256];
	int fd, ret;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -1;
	ret = write(fd, val, strlen(val)) == (ssize_t)strlen(val) ? 0 : -1;
	close(fd);
	return ret;
}

static int has_memory_controller(void)
{
	char buf[256];
	ssize_t n;
	int fd;

	if (access(CG_ROOT "/cgroup.controllers", F_OK)) {
		mkdir(CG_ROOT, 0755);
		if (mount("cgroup2", CG_ROOT, "cgroup2", 0, NULL))
			return 0;
	}
	fd = open(CG_ROOT "/cgroup.controllers", O_RDONLY);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	if (!strstr(buf, "memory"))
		return 0;
	cg_write(CG_ROOT, "cgroup.subtree_control", "+memory");
	return 1;
}

#define CG_VALUES	200
#define CG_VALUE_SIZE	(64 * 1024)

TEST_F_TIMEOUT(anon, memory_charged_to_caller, 120)
{
	char cg[64], pidbuf[16], c;
	long long base, full, now;
	int to_child[2], to_parent[2], status, i;
	pid_t pid;

	if (!is_root())
		SKIP(return, "needs root for cgroups");
	if (!has_memory_controller())
		SKIP(return, "no cgroup2 memory controller");
	snprintf(cg, sizeof(cg), CG_ROOT "/syncmap-st-%d", getpid());
	ASSERT_EQ(0, mkdir(cg, 0755));
	ASSERT_EQ(0, pipe(to_child));
	ASSERT_EQ(0, pipe(to_parent));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct syncmap_opts o = { .max_value_len = CG_VALUE_SIZE };
		char *val = calloc(1, CG_VALUE_SIZE), key[16];
		int fd;

		snprintf(pidbuf, sizeof(pidbuf), "%d", getpid());
		if (!val || cg_write(cg, "cgroup.procs", pidbuf))
			_exit(1);
		if (write(to_parent[1], "r", 1) != 1 ||
		    read(to_child[0], &c, 1) != 1)
			_exit(2);
		fd = syncmap_create(NULL, &o);
		if (fd < 0)
			_exit(3);
		for (i = 0; i < CG_VALUES; i++) {
			snprintf(key, sizeof(key), "v%d", i);
			memset(val, i, CG_VALUE_SIZE);
			if (syncmap_store(fd, key, strlen(key), val,
					  CG_VALUE_SIZE))
				_exit(4);
		}
		if (write(to_parent[1], "d", 1) != 1 ||
		    read(to_child[0], &c, 1) != 1)
			_exit(5);
		close(fd);
		_exit(0);
	}
	ASSERT_EQ(1, read(to_parent[0], &c, 1));
	base = cg_read(cg, "memory.current");
	ASSERT_LE(0, base);
	ASSERT_EQ(1, write(to_child[1], "g", 1));
	ASSERT_EQ(1, read(to_parent[0], &c, 1));
	full = cg_read(cg, "memory.current");
	ASSERT_EQ(1, write(to_child[1], "x", 1));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status));
	TH_LOG("memory.current: %lld before, %lld with %d values of %d bytes",
	       base, full, CG_VALUES, CG_VALUE_SIZE);
	/* The values were charged to the storing process's cgroup... */
	EXPECT_LE((long long)CG_VALUES * CG_VALUE_SIZE, full - base);
	/* ...and uncharged once the anonymous map died with its fd. */
	for (i = 0; i < 100; i++) {
		now = cg_read(cg, "memory.current");
		if (now - base < (long long)CG_VALUES * CG_VALUE_SIZE / 4)
			break;
		usleep(100 * 1000);
	}
	EXPECT_GT((long long)CG_VALUES * CG_VALUE_SIZE / 4, now - base);
	rmdir(cg);
}

/* One field of a cgroup's memory.stat, or -1. */
static long long cg_stat(const char *dir, const char *key)
{
	char path[256], name[64];
	long long val, ret = -1;
	FILE *f;

	snprintf(path, sizeof(path), "%s/memory.stat", dir);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fscanf(f, "%63s %lld", name, &val) == 2) {
		if (!strcmp(name, key)) {
			ret = val;
			break;
		}
	}
	fclose(f);
	return ret;
}

#define CG_KEYS		100000
#define CG_PIECE	5000

/* PACKED @code of keys 0..CG_KEYS-1 with 8-byte values; 0 or -1. */
static int cg_packed_all(int fd, unsigned int code, uint64_t *keys,
			 uint64_t *vals, struct syncmap_packed_result *res)
{
	int i, j;

	for (i = 0; i < CG_KEYS; i += CG_PIECE) {
		for (j = 0; j < CG_PIECE; j++)
			keys[j] = vals[j] = i + j;
		if (syncmap_packed(fd, code, keys, 8, vals, 8, res, CG_PIECE,
				   0) != CG_PIECE)
			return -1;
	}
	return 0;
}

/*
 * Review finding 3: the big tables of a map are allocated ahead by a
 * kworker (the spare table), which charges no cgroup by itself; they must
 * be charged to the map's creator like the rest.  After the stores, the
 * loads' misses promote the dirty map, and the only allocation that
 * follows is the spare table for the next dirty map, sized for every key:
 * at least 2 slots of 8 bytes per key (syncmap_table_slots()).
 */
TEST_F_TIMEOUT(anon, spare_tables_charged_to_creator, 300)
{
	char cg[64], pidbuf[16], c;
	long long before, after;
	int to_child[2], to_parent[2], status;
	pid_t pid;

	if (!is_root())
		SKIP(return, "needs root for cgroups");
	if (!has_memory_controller())
		SKIP(return, "no cgroup2 memory controller");
	snprintf(cg, sizeof(cg), CG_ROOT "/syncmap-st-spare-%d", getpid());
	ASSERT_EQ(0, mkdir(cg, 0755));
	ASSERT_EQ(0, pipe(to_child));
	ASSERT_EQ(0, pipe(to_parent));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct syncmap_opts o = { .max_value_len = 8 };
		struct syncmap_packed_result *res;
		uint64_t *keys, *vals;
		int fd;

		keys = calloc(CG_PIECE, sizeof(*keys));
		vals = calloc(CG_PIECE, sizeof(*vals));
		res = calloc(CG_PIECE, sizeof(*res));
		snprintf(pidbuf, sizeof(pidbuf), "%d", getpid());
		if (!keys || !vals || !res || cg_write(cg, "cgroup.procs", pidbuf))
			_exit(1);
		fd = syncmap_create(NULL, &o);
		if (fd < 0)
			_exit(2);
		if (cg_packed_all(fd, SYNCMAP_OP_STORE, keys, vals, res))
			_exit(3);
		if (write(to_parent[1], "s", 1) != 1 ||
		    read(to_child[0], &c, 1) != 1)
			_exit(4);
		/* Every key misses once: the dirty map is promoted. */
		if (cg_packed_all(fd, SYNCMAP_OP_LOAD, keys, vals, res) ||
		    cg_packed_all(fd, SYNCMAP_OP_LOAD, keys, vals, res))
			_exit(5);
		if (write(to_parent[1], "l", 1) != 1 ||
		    read(to_child[0], &c, 1) != 1)
			_exit(6);
		close(fd);
		_exit(0);
	}
	ASSERT_EQ(1, read(to_parent[0], &c, 1));
	/* Retired tables reaped, memory.stat flushed (every 2 s). */
	sleep(3);
	before = cg_stat(cg, "kernel");
	ASSERT_EQ(1, write(to_child[1], "g", 1));
	ASSERT_EQ(1, read(to_parent[0], &c, 1));
	sleep(3);
	after = cg_stat(cg, "kernel");
	ASSERT_EQ(1, write(to_child[1], "x", 1));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status));
	ASSERT_LE(0, before);
	TH_LOG("%d keys: the cgroup's kernel memory went from %lld to %lld across the promotion",
	       CG_KEYS, before, after);
	EXPECT_LE(16LL * CG_KEYS, after - before);
	rmdir(cg);
}

/* --- module lifetime --- */

TEST(rmmod_refused_while_open)
{
	int fd;

	if (!is_root())
		SKIP(return, "needs root");
	fd = syncmap_create(NULL, NULL);
	ASSERT_LE(0, fd);
	/* The open fd pins the module: unloading must fail. */
	EXPECT_ERR(EWOULDBLOCK, (int)syscall(SYS_delete_module, "syncmap",
					     O_NONBLOCK));
	close(fd);
}

/* --- OPEN racing DESTROY keeps the map's own value limit --- */

struct vl_race {
	char name[48];
	volatile int stop;
	unsigned long cycles;
};

static void *vl_create_destroy(void *p)
{
	struct syncmap_opts o = { .max_value_len = 16 };
	struct vl_race *r = p;
	int fd;

	while (!r->stop) {
		fd = syncmap_create(r->name, &o);
		if (fd < 0)
			continue;
		syncmap_destroy(fd);
		close(fd);
		r->cycles++;
	}
	return NULL;
}

/*
 * One thread creates and destroys a map of 16-byte values over and over,
 * the other opens it whenever it can: every fd it gets takes 16 bytes at
 * most, even when the name went away while the fd was being bound.
 */
TEST(open_racing_destroy_keeps_value_limit)
{
	unsigned long opened = 0, wrong = 0, stored = 0;
	struct syncmap_ioc_info info;
	struct vl_race r = { 0 };
	char *big = calloc(1, 4096);
	pthread_t t;
	time_t end;
	int fd;

	ASSERT_TRUE(big != NULL);
	unique_name(r.name, sizeof(r.name), "vlrace");
	ASSERT_EQ(0, pthread_create(&t, NULL, vl_create_destroy, &r));
	end = time(NULL) + 20;
	while (time(NULL) < end) {
		fd = syncmap_open(r.name, O_RDWR);
		if (fd < 0)
			continue;
		opened++;
		if (syncmap_info(fd, &info) || info.max_value_len != 16)
			wrong++;
		if (!syncmap_store(fd, "k", 1, big, 4096))
			stored++;
		else if (errno != E2BIG)
			wrong++;
		close(fd);
	}
	r.stop = 1;
	pthread_join(t, NULL);
	TH_LOG("%lu opens during %lu create+destroy cycles: %lu with another limit, %lu stored 4 KiB",
	       opened, r.cycles, wrong, stored);
	EXPECT_LT(0, opened);
	EXPECT_EQ(0, wrong);
	EXPECT_EQ(0, stored);
	free(big);
}

/* --- quotas on anonymous maps --- */

static int nobody_anon_quota(void *arg)
{
	const char *name = arg;
	int fd[3], named, rc = 0, i;

	fd[0] = syncmap_create(NULL, NULL);
	fd[1] = syncmap_create(NULL, NULL);
	if (fd[0] < 0 || fd[1] < 0)
		return 60;
	/* A third anonymous map is over the quota of 2... */
	fd[2] = syncmap_create(NULL, NULL);
	if (fd[2] >= 0 || errno != ENOSPC)
		rc = 61;
	close(fd[2]);
	/* ...named maps are counted on their own... */
	named = syncmap_create(name, NULL);
	if (named < 0)
		rc = 62;
	else if (syncmap_destroy(named))
		rc = 63;
	close(named);
	/* ...and closing one frees a slot. */
	close(fd[0]);
	fd[0] = syncmap_create(NULL, NULL);
	if (fd[0] < 0)
		rc = 64;
	fd[2] = syncmap_create(NULL, NULL);
	if (fd[2] >= 0 || errno != ENOSPC)
		rc = 65;
	for (i = 0; i < 3; i++)
		close(fd[i]);
	return rc;
}

TEST(quota_anon_maps)
{
	char name[48], saved[16] = "64";
	int rc, fd[3], in, i;
	ssize_t n;

	if (!is_root())
		SKIP(return, "needs root to change module parameters");
	in = open(PARAMS "/max_maps_per_user", O_RDONLY);
	ASSERT_LE(0, in);
	n = read(in, saved, sizeof(saved) - 1);
	close(in);
	ASSERT_LT(0, n);
	saved[n] = '\0';
	ASSERT_EQ(0, cg_write(PARAMS, "max_maps_per_user", "2"));
	unique_name(name, sizeof(name), "anonquota");
	ASSERT_EQ(0, chmod(DEV, 0666));
	rc = as_user(NOBODY, nobody_anon_quota, name);
	chmod(DEV, 0600);
	/* CAP_SYS_ADMIN is not held to the quota. */
	for (i = 0; i < 3; i++)
		fd[i] = syncmap_create(NULL, NULL);
	cg_write(PARAMS, "max_maps_per_user", saved);
	EXPECT_EQ(0, rc);
	for (i = 0; i < 3; i++) {
		EXPECT_LE(0, fd[i]);
		close(fd[i]);
	}
}

/* --- the pool shrinks with its map --- */

/* Wait until the values that left the map went to its pool or away. */
static int pool_settle(int fd, struct syncmap_ioc_info *info)
{
	unsigned long long last = ~0ULL;
	int i;

	for (i = 0; i < 600; i++) {
		if (syncmap_info(fd, info))
			return -1;
		/* A partly filled per-CPU block may wait for the next reap. */
		if (info->pending_release <= 256 && info->pooled == last)
			return 0;
		last = info->pooled;
		usleep(100 * 1000);
	}
	return -1;
}

/*
 * 30000 keys of 8-byte values overwritten with 100-byte ones: the old
 * blobs are pooled, as many as the map holds values, and no store takes
 * them (another size).  Once every key is deleted the pool keeps at most
 * 4096 of them.
 */
TEST_F_TIMEOUT(anon, pool_trimmed_when_map_shrinks, 300)
{
	enum { N = 30000, KS = 4 };
	struct syncmap_packed_result *res = malloc(N * sizeof(*res));
	unsigned char *keys = malloc((size_t)N * KS);
	unsigned char *vals = calloc(N, 100);
	struct syncmap_ioc_info info;

	ASSERT_TRUE(res && keys && vals);
	pkeys(keys, KS, 0, N);
	ASSERT_EQ(N, syncmap_packed(self->fd, SYNCMAP_OP_STORE, keys, KS, vals,
				    8, res, N, 0));
	ASSERT_EQ(N, syncmap_packed(self->fd, SYNCMAP_OP_STORE, keys, KS, vals,
				    100, res, N, 0));
	ASSERT_EQ(0, pool_settle(self->fd, &info));
	TH_LOG("after the overwrites: %llu pooled, %llu pending",
	       (unsigned long long)info.pooled,
	       (unsigned long long)info.pending_release);
	EXPECT_LT(4096, info.pooled);
	EXPECT_GE(N, info.pooled);

	ASSERT_EQ(N, syncmap_packed(self->fd, SYNCMAP_OP_DELETE, keys, KS, NULL,
				    0, res, N, 0));
	EXPECT_EQ(0, syncmap_len(self->fd));
	ASSERT_EQ(0, pool_settle(self->fd, &info));
	TH_LOG("after deleting every key: %llu pooled, %llu pending",
	       (unsigned long long)info.pooled,
	       (unsigned long long)info.pending_release);
	EXPECT_GE(4096, info.pooled);
	free(res);
	free(keys);
	free(vals);
}

#endif /* SYNCMAP_TEST_COMPAT */

TEST_HARNESS_MAIN
