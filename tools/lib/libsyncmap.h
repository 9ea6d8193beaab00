/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * libsyncmap - a small C library over the /dev/syncmap ioctls.
 *
 * A map is used through a file descriptor bound to it.  Every function
 * returns -1 and sets errno on failure (the errno of the ioctl, see
 * <linux/syncmap.h>); operations that have a yes/no outcome return 1 or 0.
 * The library keeps no global state: distinct threads may use it freely,
 * and share a file descriptor the way the kernel allows (every ioctl is
 * atomic with respect to the map).
 */
#ifndef LIBSYNCMAP_H
#define LIBSYNCMAP_H

#include <stddef.h>
#include <linux/syncmap.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Device path; the environment variable SYNCMAP_DEVICE overrides it. */
#define SYNCMAP_DEFAULT_PATH	"/dev/" SYNCMAP_DEVICE_NAME

/**
 * struct syncmap_opts - creation options, 0 for the kernel's defaults
 * @mode: permission bits (owner and other; 0 for 0600)
 * @max_entries: most keys
 * @max_key_len: longest key
 * @max_value_len: longest value
 */
struct syncmap_opts {
	unsigned int mode;
	unsigned int max_entries;
	unsigned int max_key_len;
	unsigned int max_value_len;
};

/* Open the device unbound, O_RDWR or O_RDONLY (O_CLOEXEC is added). */
int syncmap_dev_open(int oflags);

/* Create a map: named, or anonymous with @name NULL.  Returns a bound fd. */
int syncmap_create(const char *name, const struct syncmap_opts *opts);
/* Bind an open device fd (syncmap_dev_open()) to a new map. */
int syncmap_create_fd(int fd, const char *name,
		      const struct syncmap_opts *opts);
/* Open a named map, @oflags O_RDWR or O_RDONLY.  Returns a bound fd. */
int syncmap_open(const char *name, int oflags);
/* Bind an open device fd to a named map. */
int syncmap_open_fd(int fd, const char *name);
int syncmap_close(int fd);
/*
 * Remove the name of the bound map; open fds keep working.  Needs a
 * writable fd; maps a kernel module registered keep their name (EPERM).
 */
int syncmap_destroy(int fd);
int syncmap_info(int fd, struct syncmap_ioc_info *info);
int syncmap_clear(int fd);
/* Number of keys, or -1. */
long long syncmap_len(int fd);

/*
 * List registered maps readable by the caller, from *@start_id (0 at
 * first); *@start_id is set for the next call, 0 when done.  Returns the
 * number of entries filled, or -1.  Works on an unbound fd.
 */
int syncmap_list(int fd, struct syncmap_list_entry *entries,
		 unsigned int max, unsigned int *start_id);

/*
 * Map operations.  @buf/@len receive a value: *@len is the capacity on
 * entry and the value's length on return; with errno ERANGE it is the
 * length needed (and the map is unchanged).
 */
int syncmap_load(int fd, const void *key, size_t key_len,
		 void *buf, size_t *len);
int syncmap_store(int fd, const void *key, size_t key_len,
		  const void *value, size_t value_len);
int syncmap_load_or_store(int fd, const void *key, size_t key_len,
			  const void *value, size_t value_len,
			  void *buf, size_t *len);
int syncmap_load_and_delete(int fd, const void *key, size_t key_len,
			    void *buf, size_t *len);
int syncmap_delete(int fd, const void *key, size_t key_len);
int syncmap_swap(int fd, const void *key, size_t key_len,
		 const void *value, size_t value_len, void *buf, size_t *len);
int syncmap_compare_and_swap(int fd, const void *key, size_t key_len,
			     const void *old, size_t old_len,
			     const void *new_value, size_t new_len);
int syncmap_compare_and_delete(int fd, const void *key, size_t key_len,
			       const void *old, size_t old_len);

/*
 * Fill one batch operation.  @op is one of SYNCMAP_OP_*; @value is the
 * stored or new value, @old the expected one, @out/@out_len the buffer
 * for a returned value; pass NULL/0 for what the operation does not use.
 */
void syncmap_op_init(struct syncmap_ioc_op *op, unsigned int code,
		     const void *key, size_t key_len,
		     const void *value, size_t value_len,
		     const void *old, size_t old_len,
		     void *out, size_t out_len);
/*
 * Run @count operations; each gets its result (1/0 or -errno) in
 * op->result.  Returns the number of operations that ran, or -1.
 */
int syncmap_batch(int fd, struct syncmap_ioc_op *ops, unsigned int count,
		  unsigned int flags);

/*
 * One operation on @count keys of @key_size bytes each, back to back at
 * @keys (SYNCMAP_IOC_PACKED): @code is SYNCMAP_OP_LOAD, SYNCMAP_OP_STORE,
 * SYNCMAP_OP_LOAD_AND_DELETE or SYNCMAP_OP_DELETE.  @values holds @count
 * slots of @value_size bytes: the values to store, or where loaded values
 * go (the rest of each slot zeroed); NULL and 0 for DELETE.  Each key's
 * result (1/0 or -errno) and value length land in @results.  More keys
 * than SYNCMAP_BATCH_MAX go in several calls.  Returns the number of keys
 * that ran, or -1.
 */
int syncmap_packed(int fd, unsigned int code, const void *keys,
		   size_t key_size, void *values, size_t value_size,
		   struct syncmap_packed_result *results, unsigned int count,
		   unsigned int flags);

/* Iteration over a dump: each key present throughout is seen once. */
struct syncmap_iter;
struct syncmap_iter *syncmap_iter_new(int fd, size_t buf_len);
/* 1 with a record, 0 at the end, -1 on error.  Pointers valid until next. */
int syncmap_iter_next(struct syncmap_iter *it, const void **key,
		      size_t *key_len, const void **value, size_t *value_len);
void syncmap_iter_free(struct syncmap_iter *it);

#ifdef __cplusplus
}
#endif

#endif /* LIBSYNCMAP_H */
