// SPDX-License-Identifier: GPL-2.0
/*
 * syncmap_fuzz - random ioctls on /dev/syncmap.
 *
 * Two processes throw random commands with half-sensible, half-random
 * structs at bound, unbound and read-only fds: random sizes, flags,
 * lengths, and pointers that are valid, NULL, unmapped or kernel
 * addresses.  Nothing is asserted about the answers; the kernel must not
 * oops, warn or leak (the lab's log check judges that), and the maps must
 * still work afterwards.  Prints TAP.
 *
 * SYNCMAP_FUZZ_CALLS (default 1000000) and SYNCMAP_FUZZ_SECONDS (default
 * 60) bound the run, whichever comes first.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "libsyncmap.h"

#define NPROC		2
#define BUF_SIZE	(64 * 1024)

static uint64_t rng = 88172645463325252ULL;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/*
 * Every buffer the kernel may write to is followed by a PROT_NONE page:
 * a random size or length makes the kernel stop at the guard with EFAULT
 * instead of overwriting this program's own data.
 */
static unsigned char *good;	/* a valid buffer, BUF_SIZE bytes */
static void *bad;		/* a PROT_NONE page */
static void *argbuf;		/* the ioctl argument, 8 KiB */
static struct syncmap_ioc_op *batch_ops;	/* 1 MiB of operations */

static void *guarded(size_t len)
{
	unsigned char *p = mmap(NULL, len + 4096, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED || mprotect(p + len, 4096, PROT_NONE))
		return NULL;
	return p;
}

static __u64 rnd_ptr(void)
{
	switch (rnd() % 8) {
	case 0:
		return 0;
	case 1:
		return (__u64)(uintptr_t)bad;
	case 2:
		return 0xffff888000000000ULL + (rnd() & 0xffffff);
	case 3:
		return rnd();
	case 4:
		return (__u64)(uintptr_t)(good + BUF_SIZE - (rnd() % 64));
	default:
		return (__u64)(uintptr_t)(good + (rnd() % 256));
	}
}

static __u32 rnd_len(void)
{
	switch (rnd() % 8) {
	case 0:
		return 0;
	case 1:
		return (__u32)rnd();
	case 2:
		return 4096 + (rnd() % 8192);
	default:
		return 1 + rnd() % 16;
	}
}

static __u32 rnd_size(__u32 ver0, __u32 full)
{
	switch (rnd() % 10) {
	case 0:
		return (__u32)(rnd() % (full + 16));
	case 1:
		return full + 8 * (__u32)(rnd() % 4);
	case 2:
		return (__u32)rnd();
	case 3:
		return ver0;
	default:
		return full;
	}
}

static void fill_random(void *p, size_t n)
{
	unsigned char *c = p;

	while (n--)
		*c++ = (unsigned char)rnd();
}

/* Keys from a small alphabet so that operations meet each other. */
static void fill_op(struct syncmap_ioc_op *op, unsigned int code)
{
	memset(op, 0, sizeof(*op));
	op->size = rnd_size(SYNCMAP_OP_SIZE_VER0, sizeof(*op));
	op->op = rnd() % 16 ? code : (__u32)(rnd() % 12);
	op->flags = rnd() % 32 ? 0 : (__u32)rnd();
	op->key = rnd() % 8 ? (__u64)(uintptr_t)(good + rnd() % 64) :
		  rnd_ptr();
	op->key_len = rnd() % 8 ? 1 + rnd() % 4 : rnd_len();
	if (rnd() % 2) {
		op->value = rnd() % 4 ? (__u64)(uintptr_t)good : rnd_ptr();
		op->value_len = rnd() % 4 ? rnd() % 64 : rnd_len();
	}
	if (rnd() % 3 == 0) {
		op->old = rnd() % 4 ? (__u64)(uintptr_t)good : rnd_ptr();
		op->old_len = rnd() % 4 ? rnd() % 64 : rnd_len();
	}
	if (rnd() % 2) {
		op->out = rnd() % 4 ? (__u64)(uintptr_t)(good + 4096) :
			  rnd_ptr();
		op->out_len = rnd() % 4 ? rnd() % 128 : rnd_len();
	}
}

static void one_call(int fd, int pid_tag, unsigned long i)
{
	union fuzz_arg {
		struct syncmap_ioc_create c;
		struct syncmap_ioc_open o;
		struct syncmap_ioc_simple s;
		struct syncmap_ioc_info info;
		struct syncmap_ioc_list l;
		struct syncmap_ioc_op op;
		struct syncmap_ioc_batch b;
		struct syncmap_ioc_dump d;
		unsigned char raw[512];
	} u;
	unsigned int nr = rnd() % 0x1a, k;
	unsigned long cmd;
	void *arg = argbuf;

	memset(&u, 0, sizeof(u));
	if (rnd() % 32 == 0)
		fill_random(&u, sizeof(u));
	switch (nr) {
	case 0x00:
		u.c.size = rnd_size(SYNCMAP_CREATE_SIZE_VER0, sizeof(u.c));
		u.c.flags = rnd() % 4 ? SYNCMAP_CREATE_ANON : (__u32)rnd() % 4;
		if (!(u.c.flags & SYNCMAP_CREATE_ANON))
			snprintf(u.c.name, sizeof(u.c.name), "fz%d-%lu",
				 pid_tag, i % 4);
		u.c.mode = rnd() % 4 ? 0600 : (__u32)rnd();
		u.c.max_entries = rnd() % 2 ? 0 : (__u32)rnd() % 128;
		u.c.max_key_len = rnd() % 2 ? 0 : rnd_len();
		u.c.max_value_len = rnd() % 2 ? 0 : rnd_len();
		break;
	case 0x01:
		u.o.size = rnd_size(SYNCMAP_OPEN_SIZE_VER0, sizeof(u.o));
		snprintf(u.o.name, sizeof(u.o.name), "%s",
			 rnd() % 2 ? "fuzz-main" : "sample");
		break;
	case 0x02:
	case 0x05:
		/* Destroy and clear stay rare. */
		if (rnd() % 16)
			nr = SYNCMAP_IOC_OP_BASE + SYNCMAP_OP_LOAD;
		u.s.size = rnd_size(SYNCMAP_SIMPLE_SIZE_VER0, sizeof(u.s));
		break;
	case 0x03:
		u.info.size = rnd_size(SYNCMAP_INFO_SIZE_VER0, sizeof(u.info));
		break;
	case 0x04:
		u.l.size = rnd_size(SYNCMAP_LIST_SIZE_VER0, sizeof(u.l));
		u.l.entries = rnd_ptr();
		u.l.count = rnd() % 8;
		u.l.entry_size = rnd_size(SYNCMAP_LIST_ENTRY_SIZE_VER0,
					  sizeof(struct syncmap_list_entry));
		u.l.start_id = (__u32)(rnd() % 4);
		break;
	case 0x06:
		for (k = 0; k < 64; k++)
			fill_op(&batch_ops[k], 1 + rnd() % SYNCMAP_OP_MAX);
		for (k = 0; k < 64; k++)
			batch_ops[k].size = sizeof(batch_ops[k]);
		u.b.size = rnd_size(SYNCMAP_BATCH_SIZE_VER0, sizeof(u.b));
		u.b.flags = rnd() % 8 ? 0 : (__u32)rnd() % 4;
		u.b.ops = rnd() % 4 ? (__u64)(uintptr_t)batch_ops : rnd_ptr();
		u.b.count = rnd() % 8 ? rnd() % 65 :
			    (__u32)(rnd() % (SYNCMAP_BATCH_MAX + 2));
		u.b.op_size = rnd() % 8 ? sizeof(batch_ops[0]) : rnd_len();
		break;
	case 0x07:
		u.d.size = rnd_size(SYNCMAP_DUMP_SIZE_VER0, sizeof(u.d));
		u.d.cursor = rnd() % 2 ? 0 : rnd() >> (rnd() % 64);
		u.d.buf = rnd() % 4 ? (__u64)(uintptr_t)(good + 8192) :
			  rnd_ptr();
		u.d.buf_len = rnd() % 4 ? rnd() % 4096 : rnd_len();
		break;
	default:
		if (nr < SYNCMAP_IOC_OP_BASE + 1)
			nr = SYNCMAP_IOC_OP_BASE + 1 + rnd() % SYNCMAP_OP_MAX;
		fill_op(&u.op, nr - SYNCMAP_IOC_OP_BASE);
		break;
	}
	cmd = _IOC(_IOC_READ | _IOC_WRITE, SYNCMAP_IOC_MAGIC, nr,
		   rnd() % 4 ? 64 : rnd() % 512);
	if (rnd() % 64 == 0)
		cmd = (unsigned long)rnd() & 0xffffffff;
	memset(argbuf, 0, 8192);
	memcpy(argbuf, &u, sizeof(u));
	if (rnd() % 64 == 0)
		arg = (void *)(uintptr_t)rnd_ptr();
	ioctl(fd, cmd, arg);
}

/* Shared by the fuzzing processes: opened before the fork. */
static int fds[5];

static int fuzz(int tag, unsigned long calls, int seconds)
{
	struct timespec t0, t;
	unsigned long i;
	int f;

	rng ^= (uint64_t)(tag + 1) * 0x9e3779b97f4a7c15ULL;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < calls; i++) {
		f = rnd() % 5;
		one_call(fds[f], tag, i);
		/* Fresh fds now and then, so binding gets fuzzed too. */
		if (f >= 2 && rnd() % 256 == 0) {
			close(fds[f]);
			fds[f] = f == 2 ? syncmap_create(NULL, NULL) :
				 syncmap_dev_open(f == 3 ? O_RDWR : O_RDONLY);
			if (fds[f] < 0) {
				printf("# fuzzer %d: reopen: %s\n", tag,
				       strerror(errno));
				return 2;
			}
		}
		if (!(i & 1023)) {
			clock_gettime(CLOCK_MONOTONIC, &t);
			if (t.tv_sec - t0.tv_sec >= seconds)
				break;
		}
	}
	for (f = 0; f < 5; f++)
		close(fds[f]);
	clock_gettime(CLOCK_MONOTONIC, &t);
	printf("# fuzzer %d: %lu calls in %ld s\n", tag, i,
	       (long)(t.tv_sec - t0.tv_sec));
	fflush(stdout);
	return 0;
}

static void destroy_named(const char *name)
{
	int fd = syncmap_open(name, O_RDWR);

	if (fd >= 0) {
		syncmap_destroy(fd);
		close(fd);
	}
}

int main(void)
{
	const char *e = getenv("SYNCMAP_FUZZ_CALLS");
	unsigned long calls = e ? strtoul(e, NULL, 0) : 1000000;
	int seconds = getenv("SYNCMAP_FUZZ_SECONDS") ?
		      atoi(getenv("SYNCMAP_FUZZ_SECONDS")) : 60;
	int fd, status = 0, i, ok_all = 1, ok_fuzz, p;
	pid_t pids[NPROC];
	char buf[16], name[32];
	size_t len;

	printf("TAP version 13\n1..2\n");
	if (access(SYNCMAP_DEFAULT_PATH, F_OK) &&
	    access("/sys/module/syncmap", F_OK)) {
		printf("ok 1 fuzz # SKIP syncmap not loaded\n");
		printf("ok 2 maps intact # SKIP syncmap not loaded\n");
		return 4;
	}
	good = guarded(BUF_SIZE);
	argbuf = guarded(8192);
	batch_ops = guarded(1 << 20);
	bad = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!good || !argbuf || !batch_ops || bad == MAP_FAILED)
		return 1;
	for (i = 0; i < BUF_SIZE; i++)
		good[i] = "abcdefgh"[i % 8];
	destroy_named("fuzz-main");
	fd = syncmap_create("fuzz-main", NULL);
	if (fd < 0) {
		printf("not ok 1 fuzz # create: %s\n", strerror(errno));
		return 1;
	}
	fds[0] = syncmap_open("fuzz-main", O_RDWR);
	fds[1] = syncmap_open("fuzz-main", O_RDONLY);
	fds[2] = syncmap_create(NULL, NULL);
	fds[3] = syncmap_dev_open(O_RDWR);
	fds[4] = syncmap_dev_open(O_RDONLY);
	for (i = 0; i < 5; i++) {
		if (fds[i] < 0) {
			printf("not ok 1 fuzz # open: %s\n", strerror(errno));
			return 1;
		}
	}
	fflush(stdout);
	for (p = 0; p < NPROC; p++) {
		pids[p] = fork();
		if (!pids[p])
			_exit(fuzz(p, calls / NPROC, seconds));
	}
	for (p = 0; p < NPROC; p++) {
		if (pids[p] < 0 || waitpid(pids[p], &status, 0) != pids[p] ||
		    !WIFEXITED(status) || WEXITSTATUS(status)) {
			printf("# fuzzer %d: wait status %#x\n", p, status);
			ok_all = 0;
		}
	}
	ok_fuzz = ok_all;
	printf("%sok 1 fuzz: %d processes of random ioctls\n",
	       ok_fuzz ? "" : "not ", NPROC);
	for (i = 0; i < 5; i++)
		close(fds[i]);

	/* The maps still work; leave nothing behind. */
	ok_all = syncmap_destroy(fd) == 0 || errno == ENOENT;
	close(fd);
	fd = syncmap_create("fuzz-main", NULL);
	ok_all &= fd >= 0 && syncmap_store(fd, "k", 1, "v", 1) == 0;
	len = sizeof(buf);
	ok_all &= syncmap_load(fd, "k", 1, buf, &len) == 1 && len == 1 &&
		  buf[0] == 'v';
	ok_all &= syncmap_destroy(fd) == 0;
	close(fd);
	for (p = 0; p < NPROC; p++) {
		for (i = 0; i < 4; i++) {
			snprintf(name, sizeof(name), "fz%d-%d", p, i);
			destroy_named(name);
		}
	}
	printf("%sok 2 maps intact after fuzzing\n", ok_all ? "" : "not ");
	return ok_all && ok_fuzz ? 0 : 1;
}
