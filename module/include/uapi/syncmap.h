/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * syncmap - userspace ABI of /dev/syncmap.
 */

/**
 * DOC: General ioctl format
 *
 * This header is the whole ABI.  Rules every command follows:
 *
 * - Every command is _IOWR on type %SYNCMAP_IOC_MAGIC.  The kernel dispatches
 *   on the command number only; the size encoded in the command is ignored
 *   and the @size field that starts every struct is authoritative.
 * - @size is the size of the struct as the caller knows it.  A smaller
 *   size than the first published version (``*_SIZE_VER0``) is -EINVAL.
 *   Fields the caller does not know (an older, shorter struct) read as 0.
 *   A larger struct from a newer ABI is accepted if every byte the kernel
 *   does not know is zero, -E2BIG otherwise.  Output is written up to
 *   min(@size, kernel size); bytes past the kernel's size are zeroed.
 * - Unknown flags, non-zero reserved fields and non-zero fields an
 *   operation does not use are -EINVAL; fields documented as "out" only
 *   are ignored on input.  Unknown commands are -ENOTTY.
 *   Bad user pointers are -EFAULT.  Pointers are __u64 in every ABI.
 * - A new file descriptor is bound to no map: map operations on it fail
 *   with -EBADFD until %SYNCMAP_IOC_CREATE or %SYNCMAP_IOC_OPEN binds it
 *   (once: a second bind is -EBUSY).  A file descriptor opened without
 *   write access may only read: writes fail with -EBADF.
 * - Errors: -ENOMEM, -E2BIG (key or value longer than the map's limit),
 *   -ENOSPC (map full; at create, too many named maps, or too many
 *   anonymous maps open by one user), -EINVAL (bad
 *   arguments), -ERANGE (an output buffer too small: the needed length
 *   is written back, nothing is changed), -ENOENT (no map of that
 *   name), -EEXIST (name taken), -EACCES (the map's mode denies access),
 *   -EPERM (destroy by someone else than the owner, or of a map a kernel
 *   module registered), -EOPNOTSUPP (a map
 *   of a kernel module that does not hold byte values), -EINTR (killed
 *   while LOAD_AND_DELETE or SWAP faulted a page of @out in).  A @size
 *   above a page is -E2BIG.
 * - No command reports an error after it changed a map: whatever the
 *   error, -EFAULT included, the map is as it was (in %SYNCMAP_IOC_BATCH
 *   and %SYNCMAP_IOC_PACKED, @done counts exactly what ran).  Before an
 *   operation changes the map, what it writes back (@result and @out_len,
 *   a batch's records, a packed call's results and value slots, @done) is
 *   written back as read.  LOAD_AND_DELETE and SWAP copy their value to
 *   @out as part of the change itself: the map changes only if the copy
 *   succeeded, so their value is never lost.  @out holds the value only
 *   on success: a call that loses a race to another writer, or fails,
 *   may have written there a value it did not take.  One window is
 *   left: another thread that unmaps or write-protects those write-back
 *   buffers after they proved writable makes the final write-back fail
 *   with -EFAULT although the operation ran (@done still counts it).
 */
#ifndef _UAPI_SYNCMAP_H
#define _UAPI_SYNCMAP_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define SYNCMAP_DEVICE_NAME	"syncmap"
#define SYNCMAP_IOC_MAGIC	0xB9

/* Map names: 1..63 bytes of [A-Za-z0-9_.-], NUL padded to the end. */
#define SYNCMAP_NAME_LEN	64

/* Limits of maps created from userspace: the defaults used for 0 fields. */
#define SYNCMAP_DEFAULT_ENTRIES		65536U
#define SYNCMAP_DEFAULT_KEY_SIZE	256U
#define SYNCMAP_DEFAULT_VALUE_SIZE	4096U
/* Hard caps: larger requests are -E2BIG. */
#define SYNCMAP_MAX_ENTRIES		0x1000000U
#define SYNCMAP_MAX_KEY_SIZE		4096U
#define SYNCMAP_MAX_VALUE_SIZE		0x100000U
/*
 * Most operations in one %SYNCMAP_IOC_BATCH call, most keys in one
 * %SYNCMAP_IOC_PACKED call (-EINVAL above).
 */
#define SYNCMAP_BATCH_MAX		4096U
/* Largest dump buffer the kernel fills in one call; larger ones are clamped. */
#define SYNCMAP_DUMP_MAX_BUF		0x400000U

/**
 * struct syncmap_ioc_create - create a map and bind the fd to it
 * @size: sizeof(struct syncmap_ioc_create)
 * @flags: %SYNCMAP_CREATE_ANON for an anonymous map (dies with its last
 *	fd, @name must be all zero); otherwise a named map that persists
 *	until %SYNCMAP_IOC_DESTROY.  A user without %CAP_SYS_ADMIN may
 *	create the module parameter max_maps_per_user named maps, and
 *	apart from them have as many anonymous maps open (-ENOSPC).
 * @name: name of a named map, NUL padded.
 * @mode: permission bits (at most 0777): owner bits apply to the creating
 *	fsuid, other bits to everyone else; group bits are not used.
 *	0 means 0600.  Out: the effective mode.
 * @max_entries: most keys; 0 for %SYNCMAP_DEFAULT_ENTRIES.  Out: effective.
 * @max_key_len: longest key; 0 for %SYNCMAP_DEFAULT_KEY_SIZE.  Out: effective.
 * @id: out: registry id of a named map, 0 for an anonymous one.
 * @max_value_len: longest value; 0 for %SYNCMAP_DEFAULT_VALUE_SIZE.  Out:
 *	effective.  Not part of %SYNCMAP_CREATE_SIZE_VER0.
 * @reserved: must be 0.
 *
 * On any error, -EFAULT included, no map was made and the fd is unbound.
 */
struct syncmap_ioc_create {
	__u32 size;
	__u32 flags;
	char name[SYNCMAP_NAME_LEN];
	__u32 mode;
	__u32 max_entries;
	__u32 max_key_len;
	__u32 id;
	__u32 max_value_len;
	__u32 reserved;
};

#define SYNCMAP_CREATE_ANON		0x1U
#define SYNCMAP_CREATE_SIZE_VER0	88	/* up to and including @id */

/**
 * struct syncmap_ioc_open - bind the fd to an existing named map
 * @size: sizeof(struct syncmap_ioc_open)
 * @flags: must be 0
 * @name: name of the map (created from userspace or registered by a
 *	kernel module), NUL padded.
 * @id: out: registry id of the map
 * @reserved: must be 0
 *
 * Needs read permission on the map, and write permission too if the fd
 * was opened for writing; %CAP_SYS_ADMIN overrides.  On any error,
 * -EFAULT included, the fd is unbound.
 */
struct syncmap_ioc_open {
	__u32 size;
	__u32 flags;
	char name[SYNCMAP_NAME_LEN];
	__u32 id;
	__u32 reserved;
};

#define SYNCMAP_OPEN_SIZE_VER0		80

/**
 * struct syncmap_ioc_simple - argument of commands that take no data
 * @size: sizeof(struct syncmap_ioc_simple)
 * @flags: must be 0
 *
 * Used by %SYNCMAP_IOC_DESTROY (remove the name of the bound map: only its
 * owner or %CAP_SYS_ADMIN, through a writable fd, and only for maps
 * created through the device, not those a kernel module registered; open
 * fds keep working until closed) and %SYNCMAP_IOC_CLEAR (delete every
 * key).
 */
struct syncmap_ioc_simple {
	__u32 size;
	__u32 flags;
};

#define SYNCMAP_SIMPLE_SIZE_VER0	8

/**
 * struct syncmap_ioc_info - identity, limits and counters of the bound map
 * @size: sizeof(struct syncmap_ioc_info); only @size and @flags are read
 * @flags: must be 0
 * @name: registered name, empty once destroyed or for an anonymous map
 * @id: registry id, 0 when not registered
 * @uid: owner, in the caller's user namespace
 * @mode: permission bits
 * @map_flags: %SYNCMAP_INFO_REGISTERED, %SYNCMAP_INFO_WRITABLE
 * @max_entries: entry limit, 0 for none (maps of kernel modules)
 * @max_key_len: longest key
 * @max_value_len: longest value accepted through this fd
 * @reserved: 0
 * @len: keys present
 * @read_entries: entries in the read snapshot, deleted ones included
 * @dirty_entries: entries in the dirty map
 * @amended: 1 when the dirty map holds keys the read snapshot lacks
 * @hits: loads answered by the read snapshot
 * @misses: operations that had to look past the read snapshot
 * @promotions: dirty maps promoted to read snapshot
 * @dirty_rebuilds: dirty maps built from the read snapshot
 * @expunged: deleted entries expunged while building a dirty map
 * @pending_release: values retired but not yet released
 * @pooled: released values kept for reuse by the map's later stores
 *	(maps created through the device; 0 for others)
 */
struct syncmap_ioc_info {
	__u32 size;
	__u32 flags;
	char name[SYNCMAP_NAME_LEN];
	__u32 id;
	__u32 uid;
	__u32 mode;
	__u32 map_flags;
	__u32 max_entries;
	__u32 max_key_len;
	__u32 max_value_len;
	__u32 reserved;
	__u64 len;
	__u64 read_entries;
	__u64 dirty_entries;
	__u64 amended;
	__u64 hits;
	__u64 misses;
	__u64 promotions;
	__u64 dirty_rebuilds;
	__u64 expunged;
	__u64 pending_release;
	__u64 pooled;
};

#define SYNCMAP_INFO_REGISTERED		0x1U
#define SYNCMAP_INFO_WRITABLE		0x2U
#define SYNCMAP_INFO_SIZE_VER0		112	/* up to and including @len */

/**
 * struct syncmap_list_entry - one map in a %SYNCMAP_IOC_LIST answer
 * @name: registered name
 * @id: registry id
 * @uid: owner, in the caller's user namespace
 * @mode: permission bits
 * @max_entries: entry limit, 0 for none
 * @max_key_len: longest key
 * @max_value_len: longest value accepted from userspace
 * @len: keys present
 */
struct syncmap_list_entry {
	char name[SYNCMAP_NAME_LEN];
	__u32 id;
	__u32 uid;
	__u32 mode;
	__u32 max_entries;
	__u32 max_key_len;
	__u32 max_value_len;
	__u64 len;
};

#define SYNCMAP_LIST_ENTRY_SIZE_VER0	96

/**
 * struct syncmap_ioc_list - list the registered maps the caller may read
 * @size: sizeof(struct syncmap_ioc_list)
 * @flags: must be 0
 * @entries: user pointer to @count entries of @entry_size bytes
 * @count: in: capacity of @entries (at most %SYNCMAP_BATCH_MAX); out:
 *	entries filled
 * @entry_size: sizeof(struct syncmap_list_entry) as the caller knows it
 * @start_id: in: the smallest id to report (0 or 1 to start); out: the id
 *	to pass next, 0 when every map has been reported
 * @reserved: must be 0
 *
 * Works on any fd, bound or not.
 */
struct syncmap_ioc_list {
	__u32 size;
	__u32 flags;
	__u64 entries;
	__u32 count;
	__u32 entry_size;
	__u32 start_id;
	__u32 reserved;
};

#define SYNCMAP_LIST_SIZE_VER0		32

/* Operations, as command numbers and as struct syncmap_ioc_op.op in a batch. */
enum syncmap_op_code {
	SYNCMAP_OP_LOAD = 1,
	SYNCMAP_OP_STORE,
	SYNCMAP_OP_LOAD_OR_STORE,
	SYNCMAP_OP_LOAD_AND_DELETE,
	SYNCMAP_OP_DELETE,
	SYNCMAP_OP_SWAP,
	SYNCMAP_OP_COMPARE_AND_SWAP,
	SYNCMAP_OP_COMPARE_AND_DELETE,
	SYNCMAP_OP_MAX = SYNCMAP_OP_COMPARE_AND_DELETE,
};

/**
 * struct syncmap_ioc_op - one map operation
 * @size: sizeof(struct syncmap_ioc_op); in a batch, the batch's @op_size
 * @op: %SYNCMAP_OP_* in a batch; in a single-operation command 0 or the
 *	command's own operation
 * @flags: must be 0
 * @key_len: bytes at @key, 1..max_key_len
 * @key: user pointer to the key
 * @value: user pointer to the value to store (STORE, LOAD_OR_STORE, SWAP,
 *	and the new value of COMPARE_AND_SWAP); 0 otherwise
 * @value_len: bytes at @value, 0..max_value_len; 0 when unused
 * @old_len: bytes at @old; 0 when unused
 * @old: user pointer to the expected value (COMPARE_AND_SWAP,
 *	COMPARE_AND_DELETE), compared by content; 0 otherwise
 * @out: user pointer receiving a value (LOAD, LOAD_OR_STORE,
 *	LOAD_AND_DELETE, SWAP); 0 otherwise
 * @out_len: in: capacity of @out (0 when unused); out: length of the value
 *	returned, 0 when none, or the length needed with -ERANGE
 * @result: out: 1 or 0 as described per command below; in a batch a
 *	negative errno when that operation failed
 *
 * Results: LOAD 1 found / 0 absent; STORE 0; LOAD_OR_STORE 1 loaded
 * (existing value in @out) / 0 stored; LOAD_AND_DELETE 1 deleted (value in
 * @out) / 0 absent; DELETE 1 deleted / 0 absent; SWAP 1 replaced (previous
 * value in @out) / 0 inserted; COMPARE_AND_SWAP 1 swapped / 0 not (value
 * differs or key absent: it never inserts); COMPARE_AND_DELETE 1 deleted /
 * 0 not.  With -ERANGE, -EFAULT or any other error the map is unchanged.
 */
struct syncmap_ioc_op {
	__u32 size;
	__u32 op;
	__u32 flags;
	__u32 key_len;
	__u64 key;
	__u64 value;
	__u32 value_len;
	__u32 old_len;
	__u64 old;
	__u64 out;
	__u32 out_len;
	__s32 result;
};

#define SYNCMAP_OP_SIZE_VER0		64

/**
 * struct syncmap_ioc_batch - many operations in one call
 * @size: sizeof(struct syncmap_ioc_batch)
 * @flags: %SYNCMAP_BATCH_STOP_ON_ERROR to stop after the first operation
 *	that fails; by default a failed operation records its errno in its
 *	@result and the batch goes on
 * @ops: user pointer to @count operations of @op_size bytes each; each
 *	operation's @result and @out_len are written back (the kernel may
 *	write back the whole record, its other fields unchanged)
 * @count: operations, at most %SYNCMAP_BATCH_MAX
 * @op_size: sizeof(struct syncmap_ioc_op) as the caller knows it
 * @done: out: operations that ran (a failed one included).  Less than
 *	@count when stopped on an error or by a signal.
 * @reserved: must be 0
 *
 * An operation whose @out, @key, @value or @old faults fails alone with
 * -EFAULT in its @result, the map unchanged.
 *
 * Return: 0, or -EFAULT when @done or an operation record cannot be read
 * or written back (@done still tells how many ran; a record that cannot
 * be written back is found before its operation runs).
 */
struct syncmap_ioc_batch {
	__u32 size;
	__u32 flags;
	__u64 ops;
	__u32 count;
	__u32 op_size;
	__u32 done;
	__u32 reserved;
};

#define SYNCMAP_BATCH_STOP_ON_ERROR	0x1U
#define SYNCMAP_BATCH_SIZE_VER0		32

/**
 * struct syncmap_packed_result - outcome of one key of %SYNCMAP_IOC_PACKED
 * @result: out: the single operation's result (1 or 0, see struct
 *	syncmap_ioc_op), or a negative errno when that key failed
 * @value_len: out: LOAD and LOAD_AND_DELETE: length of the value written
 *	to the key's slot, 0 when the key is absent, or with -ERANGE the
 *	length needed; 0 for STORE and DELETE
 */
struct syncmap_packed_result {
	__s32 result;
	__u32 value_len;
};

/**
 * struct syncmap_ioc_packed - one operation on many keys, in packed arrays
 * @size: sizeof(struct syncmap_ioc_packed)
 * @flags: %SYNCMAP_BATCH_STOP_ON_ERROR to stop after the first key that
 *	fails; by default a failed key records its errno and the call goes on
 * @op: the operation applied to every key: %SYNCMAP_OP_LOAD,
 *	%SYNCMAP_OP_STORE, %SYNCMAP_OP_LOAD_AND_DELETE or %SYNCMAP_OP_DELETE
 *	(others are -EINVAL), with the semantics of the single operation
 * @count: keys, at most %SYNCMAP_BATCH_MAX
 * @key_size: length of every key, 1..max_key_len
 * @value_size: length of every value slot, 0..max_value_len; 0 for DELETE.
 *	STORE stores exactly @value_size bytes for every key.  LOAD and
 *	LOAD_AND_DELETE return a value of up to @value_size bytes; a longer
 *	one is -ERANGE for that key (the map unchanged).
 * @keys: user pointer to @count * @key_size bytes: the keys, back to back
 * @values: user pointer to @count * @value_size bytes, slot i for key i;
 *	0 for DELETE.  STORE reads the values from it.  LOAD and
 *	LOAD_AND_DELETE write each value at the start of its slot and zero
 *	the rest of the slot (all of it when the key is absent or failed).
 * @results: user pointer to @count struct syncmap_packed_result, written
 * @done: out: keys whose operation ran (a failed one included).  Less
 *	than @count when stopped on an error or by a signal.
 * @reserved: must be 0
 *
 * The cheap form of %SYNCMAP_IOC_BATCH for many keys of one size and one
 * operation: keys, values and results travel as three arrays.  Needs a
 * writable fd for every operation but LOAD (-EBADF).
 *
 * Return: 0; -EINVAL (flags, reserved, op, count, an empty key, a value
 * slot for DELETE), -E2BIG (@key_size or @value_size above the map's
 * limits), -EBADF, -EBADFD (fd not bound), -ENOMEM, -EINTR (a signal
 * before the first key), -EFAULT when an array cannot be read or written
 * (@done still tells how many keys ran; keys run in order, in pieces, and
 * a piece of STORE, LOAD_AND_DELETE or DELETE runs only once its results
 * and value slots proved writable).
 */
struct syncmap_ioc_packed {
	__u32 size;
	__u32 flags;
	__u32 op;
	__u32 count;
	__u32 key_size;
	__u32 value_size;
	__u64 keys;
	__u64 values;
	__u64 results;
	__u32 done;
	__u32 reserved;
};

#define SYNCMAP_PACKED_SIZE_VER0	56

/**
 * struct syncmap_dump_rec - header of one record in a dump buffer
 * @key_len: bytes of key following the header
 * @value_len: bytes of value following the key
 *
 * Records are packed one after another, each SYNCMAP_DUMP_REC_SIZE() bytes
 * long: header, key, value, zero padding to a multiple of 8.
 */
struct syncmap_dump_rec {
	__u32 key_len;
	__u32 value_len;
};

#define SYNCMAP_DUMP_REC_SIZE(key_len, value_len) \
	((sizeof(struct syncmap_dump_rec) + (key_len) + (value_len) + 7) & ~7UL)

/**
 * struct syncmap_ioc_dump - read the map in pieces
 * @size: sizeof(struct syncmap_ioc_dump)
 * @flags: must be 0
 * @cursor: in: 0 to start, else the value returned by the previous call;
 *	out: the cursor for the next call.  Opaque.
 * @buf: user pointer receiving records (struct syncmap_dump_rec)
 * @buf_len: in: capacity of @buf; out: bytes written, or with -ERANGE the
 *	size needed for the next record
 * @count: out: records written
 * @end: out: 1 when the dump is complete (no key after this piece)
 * @reserved: must be 0
 *
 * Across all the calls of one dump, each key is returned at most once and
 * every key present for the whole dump is returned.  Each call scans the
 * whole map: larger buffers make a dump cheaper.
 */
struct syncmap_ioc_dump {
	__u32 size;
	__u32 flags;
	__u64 cursor;
	__u64 buf;
	__u32 buf_len;
	__u32 count;
	__u32 end;
	__u32 reserved;
};

#define SYNCMAP_DUMP_SIZE_VER0		40

#define SYNCMAP_IOC_CREATE	_IOWR(SYNCMAP_IOC_MAGIC, 0x00, struct syncmap_ioc_create)
#define SYNCMAP_IOC_OPEN	_IOWR(SYNCMAP_IOC_MAGIC, 0x01, struct syncmap_ioc_open)
#define SYNCMAP_IOC_DESTROY	_IOWR(SYNCMAP_IOC_MAGIC, 0x02, struct syncmap_ioc_simple)
#define SYNCMAP_IOC_INFO	_IOWR(SYNCMAP_IOC_MAGIC, 0x03, struct syncmap_ioc_info)
#define SYNCMAP_IOC_LIST	_IOWR(SYNCMAP_IOC_MAGIC, 0x04, struct syncmap_ioc_list)
#define SYNCMAP_IOC_CLEAR	_IOWR(SYNCMAP_IOC_MAGIC, 0x05, struct syncmap_ioc_simple)
#define SYNCMAP_IOC_BATCH	_IOWR(SYNCMAP_IOC_MAGIC, 0x06, struct syncmap_ioc_batch)
#define SYNCMAP_IOC_DUMP	_IOWR(SYNCMAP_IOC_MAGIC, 0x07, struct syncmap_ioc_dump)
#define SYNCMAP_IOC_PACKED	_IOWR(SYNCMAP_IOC_MAGIC, 0x08, struct syncmap_ioc_packed)
/* Single operations: command number 0x10 + SYNCMAP_OP_*. */
#define SYNCMAP_IOC_OP_BASE	0x10
#define SYNCMAP_IOC_LOAD	_IOWR(SYNCMAP_IOC_MAGIC, 0x11, struct syncmap_ioc_op)
#define SYNCMAP_IOC_STORE	_IOWR(SYNCMAP_IOC_MAGIC, 0x12, struct syncmap_ioc_op)
#define SYNCMAP_IOC_LOAD_OR_STORE _IOWR(SYNCMAP_IOC_MAGIC, 0x13, struct syncmap_ioc_op)
#define SYNCMAP_IOC_LOAD_AND_DELETE _IOWR(SYNCMAP_IOC_MAGIC, 0x14, struct syncmap_ioc_op)
#define SYNCMAP_IOC_DELETE	_IOWR(SYNCMAP_IOC_MAGIC, 0x15, struct syncmap_ioc_op)
#define SYNCMAP_IOC_SWAP	_IOWR(SYNCMAP_IOC_MAGIC, 0x16, struct syncmap_ioc_op)
#define SYNCMAP_IOC_COMPARE_AND_SWAP _IOWR(SYNCMAP_IOC_MAGIC, 0x17, struct syncmap_ioc_op)
#define SYNCMAP_IOC_COMPARE_AND_DELETE _IOWR(SYNCMAP_IOC_MAGIC, 0x18, struct syncmap_ioc_op)

#endif /* _UAPI_SYNCMAP_H */
