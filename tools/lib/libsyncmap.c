// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * libsyncmap - a small C library over the /dev/syncmap ioctls.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "libsyncmap.h"

static __u64 ptr(const void *p)
{
	return (__u64)(uintptr_t)p;
}

int syncmap_dev_open(int oflags)
{
	const char *path = getenv("SYNCMAP_DEVICE");

	if (!path || !*path)
		path = SYNCMAP_DEFAULT_PATH;
	return open(path, (oflags & O_ACCMODE) | O_CLOEXEC);
}

static int copy_name(char dst[SYNCMAP_NAME_LEN], const char *name)
{
	size_t len = strlen(name);

	if (!len || len >= SYNCMAP_NAME_LEN) {
		errno = EINVAL;
		return -1;
	}
	memset(dst, 0, SYNCMAP_NAME_LEN);
	memcpy(dst, name, len);
	return 0;
}

int syncmap_create_fd(int fd, const char *name,
		      const struct syncmap_opts *opts)
{
	struct syncmap_ioc_create c;

	memset(&c, 0, sizeof(c));
	c.size = sizeof(c);
	if (name) {
		if (copy_name(c.name, name))
			return -1;
	} else {
		c.flags = SYNCMAP_CREATE_ANON;
	}
	if (opts) {
		c.mode = opts->mode;
		c.max_entries = opts->max_entries;
		c.max_key_len = opts->max_key_len;
		c.max_value_len = opts->max_value_len;
	}
	return ioctl(fd, SYNCMAP_IOC_CREATE, &c) ? -1 : 0;
}

/* Open the device and bind it with @bind, closing it on failure. */
static int open_bound(int oflags, int (*bind)(int, const char *,
					       const struct syncmap_opts *),
		      const char *name, const struct syncmap_opts *opts)
{
	int fd = syncmap_dev_open(oflags);
	int err;

	if (fd < 0)
		return -1;
	if (bind(fd, name, opts)) {
		err = errno;
		close(fd);
		errno = err;
		return -1;
	}
	return fd;
}

int syncmap_create(const char *name, const struct syncmap_opts *opts)
{
	return open_bound(O_RDWR, syncmap_create_fd, name, opts);
}

int syncmap_open_fd(int fd, const char *name)
{
	struct syncmap_ioc_open o;

	memset(&o, 0, sizeof(o));
	o.size = sizeof(o);
	if (copy_name(o.name, name))
		return -1;
	return ioctl(fd, SYNCMAP_IOC_OPEN, &o) ? -1 : 0;
}

static int open_fd_adapter(int fd, const char *name,
			   const struct syncmap_opts *opts)
{
	(void)opts;
	return syncmap_open_fd(fd, name);
}

int syncmap_open(const char *name, int oflags)
{
	return open_bound(oflags, open_fd_adapter, name, NULL);
}

int syncmap_close(int fd)
{
	return close(fd);
}

static int simple(int fd, unsigned long cmd)
{
	struct syncmap_ioc_simple s = { .size = sizeof(s) };

	return ioctl(fd, cmd, &s) ? -1 : 0;
}

int syncmap_destroy(int fd)
{
	return simple(fd, SYNCMAP_IOC_DESTROY);
}

int syncmap_clear(int fd)
{
	return simple(fd, SYNCMAP_IOC_CLEAR);
}

int syncmap_info(int fd, struct syncmap_ioc_info *info)
{
	memset(info, 0, sizeof(*info));
	info->size = sizeof(*info);
	return ioctl(fd, SYNCMAP_IOC_INFO, info) ? -1 : 0;
}

long long syncmap_len(int fd)
{
	struct syncmap_ioc_info info;

	if (syncmap_info(fd, &info))
		return -1;
	return (long long)info.len;
}

int syncmap_list(int fd, struct syncmap_list_entry *entries,
		 unsigned int max, unsigned int *start_id)
{
	struct syncmap_ioc_list l;

	memset(&l, 0, sizeof(l));
	l.size = sizeof(l);
	l.entries = ptr(entries);
	l.count = max;
	l.entry_size = sizeof(*entries);
	l.start_id = *start_id;
	if (ioctl(fd, SYNCMAP_IOC_LIST, &l))
		return -1;
	*start_id = l.start_id;
	return (int)l.count;
}

void syncmap_op_init(struct syncmap_ioc_op *op, unsigned int code,
		     const void *key, size_t key_len,
		     const void *value, size_t value_len,
		     const void *old, size_t old_len,
		     void *out, size_t out_len)
{
	memset(op, 0, sizeof(*op));
	op->size = sizeof(*op);
	op->op = code;
	op->key = ptr(key);
	op->key_len = (__u32)key_len;
	op->value = ptr(value);
	op->value_len = (__u32)value_len;
	op->old = ptr(old);
	op->old_len = (__u32)old_len;
	op->out = ptr(out);
	op->out_len = out_len > UINT32_MAX ? UINT32_MAX : (__u32)out_len;
}

static const unsigned long op_cmd[SYNCMAP_OP_MAX + 1] = {
	[SYNCMAP_OP_LOAD] = SYNCMAP_IOC_LOAD,
	[SYNCMAP_OP_STORE] = SYNCMAP_IOC_STORE,
	[SYNCMAP_OP_LOAD_OR_STORE] = SYNCMAP_IOC_LOAD_OR_STORE,
	[SYNCMAP_OP_LOAD_AND_DELETE] = SYNCMAP_IOC_LOAD_AND_DELETE,
	[SYNCMAP_OP_DELETE] = SYNCMAP_IOC_DELETE,
	[SYNCMAP_OP_SWAP] = SYNCMAP_IOC_SWAP,
	[SYNCMAP_OP_COMPARE_AND_SWAP] = SYNCMAP_IOC_COMPARE_AND_SWAP,
	[SYNCMAP_OP_COMPARE_AND_DELETE] = SYNCMAP_IOC_COMPARE_AND_DELETE,
};

static int run_op(int fd, unsigned int code, const void *key, size_t key_len,
		  const void *value, size_t value_len,
		  const void *old, size_t old_len, void *buf, size_t *len)
{
	struct syncmap_ioc_op op;
	int ret;

	if (key_len > UINT32_MAX || value_len > UINT32_MAX ||
	    old_len > UINT32_MAX) {
		errno = E2BIG;
		return -1;
	}
	syncmap_op_init(&op, code, key, key_len, value, value_len, old,
			old_len, buf, len ? *len : 0);
	ret = ioctl(fd, op_cmd[code], &op);
	if (len && (!ret || errno == ERANGE))
		*len = op.out_len;
	return ret ? -1 : op.result;
}

int syncmap_load(int fd, const void *key, size_t key_len,
		 void *buf, size_t *len)
{
	return run_op(fd, SYNCMAP_OP_LOAD, key, key_len, NULL, 0, NULL, 0,
		      buf, len);
}

int syncmap_store(int fd, const void *key, size_t key_len,
		  const void *value, size_t value_len)
{
	return run_op(fd, SYNCMAP_OP_STORE, key, key_len, value, value_len,
		      NULL, 0, NULL, NULL);
}

int syncmap_load_or_store(int fd, const void *key, size_t key_len,
			  const void *value, size_t value_len,
			  void *buf, size_t *len)
{
	return run_op(fd, SYNCMAP_OP_LOAD_OR_STORE, key, key_len, value,
		      value_len, NULL, 0, buf, len);
}

int syncmap_load_and_delete(int fd, const void *key, size_t key_len,
			    void *buf, size_t *len)
{
	return run_op(fd, SYNCMAP_OP_LOAD_AND_DELETE, key, key_len, NULL, 0,
		      NULL, 0, buf, len);
}

int syncmap_delete(int fd, const void *key, size_t key_len)
{
	return run_op(fd, SYNCMAP_OP_DELETE, key, key_len, NULL, 0, NULL, 0,
		      NULL, NULL);
}

int syncmap_swap(int fd, const void *key, size_t key_len,
		 const void *value, size_t value_len, void *buf, size_t *len)
{
	return run_op(fd, SYNCMAP_OP_SWAP, key, key_len, value, value_len,
		      NULL, 0, buf, len);
}

int syncmap_compare_and_swap(int fd, const void *key, size_t key_len,
			     const void *old, size_t old_len,
			     const void *new_value, size_t new_len)
{
	return run_op(fd, SYNCMAP_OP_COMPARE_AND_SWAP, key, key_len,
		      new_value, new_len, old, old_len, NULL, NULL);
}

int syncmap_compare_and_delete(int fd, const void *key, size_t key_len,
			       const void *old, size_t old_len)
{
	return run_op(fd, SYNCMAP_OP_COMPARE_AND_DELETE, key, key_len, NULL,
		      0, old, old_len, NULL, NULL);
}

int syncmap_batch(int fd, struct syncmap_ioc_op *ops, unsigned int count,
		  unsigned int flags)
{
	struct syncmap_ioc_batch b;
	unsigned int total = 0;

	/* Larger batches than the kernel takes go in several calls. */
	while (total < count || !count) {
		unsigned int n = count - total;

		if (n > SYNCMAP_BATCH_MAX)
			n = SYNCMAP_BATCH_MAX;
		memset(&b, 0, sizeof(b));
		b.size = sizeof(b);
		b.flags = flags;
		b.ops = ptr(ops + total);
		b.count = n;
		b.op_size = sizeof(*ops);
		if (ioctl(fd, SYNCMAP_IOC_BATCH, &b))
			return total ? (int)total : -1;
		total += b.done;
		if (b.done < n || !count)
			break;
	}
	return (int)total;
}

int syncmap_packed(int fd, unsigned int code, const void *keys,
		   size_t key_size, void *values, size_t value_size,
		   struct syncmap_packed_result *results, unsigned int count,
		   unsigned int flags)
{
	struct syncmap_ioc_packed p;
	unsigned int total = 0;

	if (key_size > UINT32_MAX || value_size > UINT32_MAX) {
		errno = E2BIG;
		return -1;
	}
	/* Larger batches than the kernel takes go in several calls. */
	while (total < count || !count) {
		unsigned int n = count - total;

		if (n > SYNCMAP_BATCH_MAX)
			n = SYNCMAP_BATCH_MAX;
		memset(&p, 0, sizeof(p));
		p.size = sizeof(p);
		p.flags = flags;
		p.op = code;
		p.count = n;
		p.key_size = (__u32)key_size;
		p.value_size = (__u32)value_size;
		p.keys = ptr((const char *)keys + (size_t)total * key_size);
		p.values = values ? ptr((char *)values +
					(size_t)total * value_size) : 0;
		p.results = ptr(results + total);
		if (ioctl(fd, SYNCMAP_IOC_PACKED, &p))
			return total ? (int)total : -1;
		total += p.done;
		if (p.done < n || !count)
			break;
	}
	return (int)total;
}

struct syncmap_iter {
	int fd;
	int end;
	__u64 cursor;
	unsigned char *buf;
	size_t cap;
	size_t len;
	size_t pos;
};

struct syncmap_iter *syncmap_iter_new(int fd, size_t buf_len)
{
	struct syncmap_iter *it = calloc(1, sizeof(*it));

	if (!it)
		return NULL;
	it->fd = fd;
	it->cap = buf_len ? buf_len : 256 * 1024;
	if (it->cap > SYNCMAP_DUMP_MAX_BUF)
		it->cap = SYNCMAP_DUMP_MAX_BUF;
	it->buf = malloc(it->cap);
	if (!it->buf) {
		free(it);
		return NULL;
	}
	return it;
}

static int iter_fill(struct syncmap_iter *it)
{
	struct syncmap_ioc_dump d;
	unsigned char *nbuf;

	for (;;) {
		memset(&d, 0, sizeof(d));
		d.size = sizeof(d);
		d.cursor = it->cursor;
		d.buf = ptr(it->buf);
		d.buf_len = (__u32)it->cap;
		if (!ioctl(it->fd, SYNCMAP_IOC_DUMP, &d))
			break;
		if (errno != ERANGE)
			return -1;
		/* One record does not fit: grow to what it needs. */
		nbuf = realloc(it->buf, d.buf_len);
		if (!nbuf)
			return -1;
		it->buf = nbuf;
		it->cap = d.buf_len;
	}
	it->cursor = d.cursor;
	it->end = d.end;
	it->len = d.buf_len;
	it->pos = 0;
	return 0;
}

int syncmap_iter_next(struct syncmap_iter *it, const void **key,
		      size_t *key_len, const void **value, size_t *value_len)
{
	struct syncmap_dump_rec rec;

	while (it->pos >= it->len) {
		if (it->end)
			return 0;
		if (iter_fill(it))
			return -1;
	}
	memcpy(&rec, it->buf + it->pos, sizeof(rec));
	*key = it->buf + it->pos + sizeof(rec);
	*key_len = rec.key_len;
	*value = it->buf + it->pos + sizeof(rec) + rec.key_len;
	*value_len = rec.value_len;
	it->pos += SYNCMAP_DUMP_REC_SIZE(rec.key_len, rec.value_len);
	return 1;
}

void syncmap_iter_free(struct syncmap_iter *it)
{
	if (!it)
		return;
	free(it->buf);
	free(it);
}
