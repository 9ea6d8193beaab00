// SPDX-License-Identifier: GPL-2.0
/*
 * syncmap - the /dev/syncmap character device.
 *
 * A thin translation from the ioctl structs of <uapi/syncmap.h> to the
 * in-kernel API of <syncmap.h>: every map this file touches holds
 * struct syncmap_blob values, copied in from and out to userspace.  No map
 * logic lives here.
 *
 * A file descriptor starts bound to no map and is bound once, by
 * SYNCMAP_IOC_CREATE or SYNCMAP_IOC_OPEN; it then holds one reference on
 * the map until it is closed.  Named maps created here are also kept on
 * syncmap_dev_maps (with a reference of their own) for their creators'
 * quotas and so that they are freed on module unload.  A map's value
 * limit is kept with the map itself (syncmap_blob_value_limit()).
 *
 * Values are never copied to userspace from inside a map read section
 * with page faults enabled: LOAD and LOAD_OR_STORE copy them into a kernel
 * buffer first, LOAD_AND_DELETE and SWAP with copy_to_user_nofault(), so
 * that a faulting user buffer cannot hold up the map's grace periods.
 */

#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/fs.h>
#include <linux/list.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pagemap.h>
#include <linux/sched/signal.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/xarray.h>

#include <syncmap.h>
#include <syncmap_iter.h>
#include <uapi/syncmap.h>

#include "syncmap_blob.h"
#include "syncmap_dev.h"

static unsigned short dev_mode = 0600;
module_param(dev_mode, ushort, 0444);
MODULE_PARM_DESC(dev_mode, "Permission bits of /dev/syncmap (default 0600)");

static unsigned int max_maps = 1024;
module_param(max_maps, uint, 0644);
MODULE_PARM_DESC(max_maps,
		 "Most named maps that may be created through /dev/syncmap (default 1024)");

static unsigned int max_maps_per_user = 64;
module_param(max_maps_per_user, uint, 0644);
MODULE_PARM_DESC(max_maps_per_user,
		 "Most named maps one user without CAP_SYS_ADMIN may create, and apart from them most anonymous maps it may have open (default 64)");

/* Keys and values up to these sizes are staged on the stack. */
#define SYNCMAP_DEV_INLINE_KEY		64
#define SYNCMAP_DEV_INLINE_VALUE	192

/* Struct sizes above this are refused before scanning their tail. */
#define SYNCMAP_DEV_MAX_STRUCT		PAGE_SIZE

/**
 * struct syncmap_file - state of one open file of /dev/syncmap
 * @bind_lock: serialises binding
 * @map: the bound map, %NULL until bound; set once, with release order
 * @max_key_len: longest key of @map
 * @max_value_len: longest value accepted for @map
 * @writable: the file was opened for writing
 * @anon: @map is an anonymous map this file created, counted for @uid
 * @uid: its creator
 */
struct syncmap_file {
	struct mutex bind_lock;		/* serialises binding */
	struct syncmap *map;
	u32 max_key_len;
	u32 max_value_len;
	bool writable;
	bool anon;
	kuid_t uid;
};

/**
 * struct syncmap_dev_map - a named map created through the device
 * @node: link on syncmap_dev_maps
 * @map: the map, with a reference of its own
 * @uid: its creator, for max_maps_per_user
 */
struct syncmap_dev_map {
	struct list_head node;
	struct syncmap *map;
	kuid_t uid;
};

static LIST_HEAD(syncmap_dev_maps);
static DEFINE_MUTEX(syncmap_dev_lock);
static unsigned int syncmap_dev_nr_maps;
/*
 * Anonymous maps open, per creator uid, as xarray value entries.  An
 * anonymous map lives exactly as long as the one file that created it.
 */
static DEFINE_XARRAY(syncmap_dev_anon);

/*
 * A value staged in kernel memory on its way out to userspace: in @slot
 * when the caller provides one (a packed call's staging buffer, as large
 * as the operation's @out_len), else as a blob of its own, inline or
 * allocated, which can also be the expected value of a compare-and-delete
 * or compare-and-swap.  @delivered: copied to the operation's @out.
 */
struct syncmap_dev_val {
	void *data;
	void *slot;
	struct syncmap_blob *blob;
	u32 len;
	bool delivered;
	u8 inline_buf[sizeof(struct syncmap_blob) + SYNCMAP_DEV_INLINE_VALUE]
		__aligned(__alignof__(struct syncmap_blob));
};

/* The inline blob: SYNCMAP_DEV_INLINE_VALUE bytes of room. */
static struct syncmap_blob *syncmap_dev_val_inline(struct syncmap_dev_val *v)
{
	return (struct syncmap_blob *)v->inline_buf;
}

/* The inline buffer is left as it is: nothing reads it before a fill. */
static void syncmap_dev_val_init(struct syncmap_dev_val *v, void *slot)
{
	v->data = NULL;
	v->slot = slot;
	v->blob = NULL;
	v->len = 0;
	v->delivered = false;
}

static int syncmap_dev_val_fill(struct syncmap_dev_val *v,
				const struct syncmap_blob *b)
{
	v->len = b->len;
	if (v->slot) {
		v->data = v->slot;
	} else {
		v->blob = syncmap_dev_val_inline(v);
		if (b->len > SYNCMAP_DEV_INLINE_VALUE) {
			v->blob = kvmalloc(struct_size(v->blob, data, b->len),
					   GFP_KERNEL_ACCOUNT);
			if (!v->blob)
				return -ENOMEM;
		}
		v->blob->len = b->len;
		v->data = v->blob->data;
	}
	memcpy(v->data, b->data, b->len);
	return 0;
}

static void syncmap_dev_val_free(struct syncmap_dev_val *v)
{
	if (v->blob && v->blob != syncmap_dev_val_inline(v))
		kvfree(v->blob);
	v->blob = NULL;
	v->data = NULL;
	v->delivered = false;
}

/* Copy a staged value to userspace at @uout.  Returns 0 or -EFAULT. */
static int syncmap_dev_val_deliver(struct syncmap_dev_val *v, u64 uout)
{
	if (v->len && copy_to_user(u64_to_user_ptr(uout), v->data, v->len))
		return -EFAULT;
	v->delivered = true;
	return 0;
}

static struct syncmap *syncmap_file_map(struct syncmap_file *sf)
{
	/* Pairs with smp_store_release() in syncmap_file_bind(). */
	return smp_load_acquire(&sf->map);
}

static void syncmap_file_bind(struct syncmap_file *sf, struct syncmap *map,
			      u32 max_key_len, u32 max_value_len)
{
	lockdep_assert_held(&sf->bind_lock);
	sf->max_key_len = max_key_len;
	sf->max_value_len = max_value_len;
	/* The limits above are visible to whoever sees @map. */
	smp_store_release(&sf->map, map);
}

/*
 * Read a size-first struct: @ver0 is the smallest size accepted, @ksize
 * the kernel's.  Returns the caller's size through @usize.
 */
static int syncmap_dev_copy_in(void *dst, size_t ksize, size_t ver0,
			       const void __user *uarg, u32 *usize)
{
	u32 size;
	int err;

	if (get_user(size, (const u32 __user *)uarg))
		return -EFAULT;
	if (size < ver0)
		return -EINVAL;
	if (size > SYNCMAP_DEV_MAX_STRUCT)
		return -E2BIG;
	err = copy_struct_from_user(dst, ksize, uarg, size);
	if (err)
		return err;
	*usize = size;
	return 0;
}

/* Write a struct back: min(@usize, @ksize) bytes, zeroes past @ksize. */
static int syncmap_dev_copy_out(void __user *uarg, u32 usize, const void *src,
				size_t ksize)
{
	if (copy_to_user(uarg, src, min_t(size_t, usize, ksize)))
		return -EFAULT;
	if (usize > ksize && clear_user(uarg + ksize, usize - ksize))
		return -EFAULT;
	return 0;
}

/*
 * A name from userspace: a valid registry name (syncmap_name_valid()),
 * zeroes after its NUL up to the end of the field.
 */
static int syncmap_dev_name_in(const char name[SYNCMAP_NAME_LEN])
{
	size_t len = strnlen(name, SYNCMAP_NAME_LEN);

	if (len == SYNCMAP_NAME_LEN || !syncmap_name_valid(name))
		return -EINVAL;
	if (memchr_inv(name + len, 0, SYNCMAP_NAME_LEN - len))
		return -EINVAL;
	return 0;
}

/* May the current task access a map with @mask (MAY_READ | MAY_WRITE)? */
static int syncmap_dev_permission(const struct syncmap_info *info, int mask)
{
	unsigned int mode = info->mode;

	if (uid_eq(current_fsuid(), info->uid))
		mode >>= 6;
	if (!(mask & ~mode & (MAY_READ | MAY_WRITE)))
		return 0;
	if (capable(CAP_SYS_ADMIN))
		return 0;
	return -EACCES;
}

/*
 * The value limit of @map: the one it was created with here, which stays
 * with the map whatever happens to its name; the hard cap for the maps
 * of kernel modules.
 */
static u32 syncmap_dev_value_limit(struct syncmap *map)
{
	return syncmap_blob_value_limit(map) ?: SYNCMAP_MAX_VALUE_SIZE;
}

/* Has @uid used up its named maps?  Called under syncmap_dev_lock. */
static bool syncmap_dev_over_quota(kuid_t uid)
{
	struct syncmap_dev_map *dm;
	unsigned int n = 0;

	lockdep_assert_held(&syncmap_dev_lock);
	list_for_each_entry(dm, &syncmap_dev_maps, node)
		n += uid_eq(dm->uid, uid);
	return n >= READ_ONCE(max_maps_per_user) && !capable(CAP_SYS_ADMIN);
}

/* Anonymous maps @uid has open.  Called under syncmap_dev_lock. */
static unsigned long syncmap_dev_anon_count(kuid_t uid)
{
	void *entry = xa_load(&syncmap_dev_anon, __kuid_val(uid));

	lockdep_assert_held(&syncmap_dev_lock);
	return entry ? xa_to_value(entry) : 0;
}

/*
 * Count one more anonymous map of @uid: each costs per-CPU state that no
 * memcg is charged for, so they have a quota as named maps do.  Returns
 * 0, -ENOSPC (the caller, without %CAP_SYS_ADMIN, has max_maps_per_user
 * of them open) or -ENOMEM.
 */
static int syncmap_dev_anon_charge(kuid_t uid)
{
	unsigned long n;
	int err = -ENOSPC;

	mutex_lock(&syncmap_dev_lock);
	n = syncmap_dev_anon_count(uid);
	if (n < READ_ONCE(max_maps_per_user) || capable(CAP_SYS_ADMIN))
		err = xa_err(xa_store(&syncmap_dev_anon, __kuid_val(uid),
				      xa_mk_value(n + 1), GFP_KERNEL));
	mutex_unlock(&syncmap_dev_lock);
	return err;
}

/* The anonymous map of @uid that syncmap_dev_anon_charge() counted is gone. */
static void syncmap_dev_anon_uncharge(kuid_t uid)
{
	unsigned long n;

	mutex_lock(&syncmap_dev_lock);
	n = syncmap_dev_anon_count(uid);
	if (!WARN_ON_ONCE(!n)) {
		/* Replacing a present entry allocates nothing. */
		if (n > 1)
			xa_store(&syncmap_dev_anon, __kuid_val(uid),
				 xa_mk_value(n - 1), GFP_KERNEL);
		else
			xa_erase(&syncmap_dev_anon, __kuid_val(uid));
	}
	mutex_unlock(&syncmap_dev_lock);
}

/*
 * Take @map off syncmap_dev_maps and remove its name, if it is a named map
 * created here.  Returns its entry, whose reference on the map the caller
 * drops with syncmap_dev_map_free() (after unlocking), or %NULL.  Called
 * under syncmap_dev_lock.
 */
static struct syncmap_dev_map *syncmap_dev_unlist(struct syncmap *map)
{
	struct syncmap_dev_map *dm;

	lockdep_assert_held(&syncmap_dev_lock);
	list_for_each_entry(dm, &syncmap_dev_maps, node) {
		if (dm->map == map) {
			syncmap_unregister(map);
			list_del(&dm->node);
			syncmap_dev_nr_maps--;
			return dm;
		}
	}
	return NULL;
}

static void syncmap_dev_map_free(struct syncmap_dev_map *dm)
{
	if (dm) {
		syncmap_put(dm->map);
		kfree(dm);
	}
}

/**
 * syncmap_dev_create() - SYNCMAP_IOC_CREATE: create a map, bind the fd
 * @sf: the file
 * @uarg: user pointer to struct syncmap_ioc_create
 *
 * Creates a blob map charged to the caller's memcg, owned by the caller's
 * fsuid, and registers its name unless %SYNCMAP_CREATE_ANON.  Nothing is
 * left of it on an error: the struct is written back as read before the
 * map is made, and the answer is written before the fd is bound (should
 * that fail, the map and its name go again).
 *
 * Context: process context, from ioctl(); sleeps.
 * Return: 0; -EFAULT, -EINVAL (flags, reserved, mode, name), -E2BIG (limit
 * above its hard cap), -EBADF (fd not writable), -EBUSY (fd already
 * bound), -EEXIST (name taken), -ENOSPC (max_maps named maps exist, or
 * the caller has max_maps_per_user of them; for an anonymous map, the
 * caller has max_maps_per_user anonymous maps open), -ENOMEM.
 */
static int syncmap_dev_create(struct syncmap_file *sf, void __user *uarg)
{
	struct syncmap_params params = {
		.gfp = GFP_KERNEL_ACCOUNT,
	};
	struct syncmap_ioc_create c, in;
	struct syncmap_dev_map *dm = NULL;
	struct syncmap_info info;
	struct syncmap *map;
	bool named;
	u32 usize;
	int err;

	err = syncmap_dev_copy_in(&c, sizeof(c), SYNCMAP_CREATE_SIZE_VER0,
				  uarg, &usize);
	if (err)
		return err;
	in = c;
	if (c.flags & ~SYNCMAP_CREATE_ANON || c.reserved || c.mode & ~0777)
		return -EINVAL;
	named = !(c.flags & SYNCMAP_CREATE_ANON);
	if (named) {
		err = syncmap_dev_name_in(c.name);
		if (err)
			return err;
	} else if (memchr_inv(c.name, 0, sizeof(c.name))) {
		return -EINVAL;
	}
	c.mode = c.mode ?: 0600;
	c.max_entries = c.max_entries ?: SYNCMAP_DEFAULT_ENTRIES;
	c.max_key_len = c.max_key_len ?: SYNCMAP_DEFAULT_KEY_SIZE;
	c.max_value_len = c.max_value_len ?: SYNCMAP_DEFAULT_VALUE_SIZE;
	if (c.max_entries > SYNCMAP_MAX_ENTRIES ||
	    c.max_key_len > SYNCMAP_MAX_KEY_SIZE ||
	    c.max_value_len > SYNCMAP_MAX_VALUE_SIZE)
		return -E2BIG;
	if (!sf->writable)
		return -EBADF;

	params.max_entries = c.max_entries;
	params.max_key_len = c.max_key_len;
	params.uid = current_fsuid();
	params.mode = c.mode;

	/* The answer must be writable before anything is made. */
	err = syncmap_dev_copy_out(uarg, usize, &in, sizeof(in));
	if (err)
		return err;
	if (named) {
		dm = kzalloc(sizeof(*dm), GFP_KERNEL_ACCOUNT);
		if (!dm)
			return -ENOMEM;
		dm->uid = params.uid;
	}

	mutex_lock(&sf->bind_lock);
	if (sf->map) {
		err = -EBUSY;
		goto out_unlock;
	}
	if (!named) {
		err = syncmap_dev_anon_charge(params.uid);
		if (err)
			goto out_unlock;
	}
	map = syncmap_blob_map_create(&params, c.max_value_len);
	if (IS_ERR(map)) {
		err = PTR_ERR(map);
		goto out_uncharge;
	}
	if (named) {
		mutex_lock(&syncmap_dev_lock);
		if (syncmap_dev_nr_maps >= READ_ONCE(max_maps) ||
		    syncmap_dev_over_quota(params.uid))
			err = -ENOSPC;
		else
			err = syncmap_register(map, c.name);
		if (!err) {
			dm->map = syncmap_get(map);
			list_add_tail(&dm->node, &syncmap_dev_maps);
			syncmap_dev_nr_maps++;
			dm = NULL;
		}
		mutex_unlock(&syncmap_dev_lock);
		if (err) {
			syncmap_put(map);
			goto out_unlock;
		}
	}
	syncmap_fill_info(map, &info);
	c.id = info.id;
	c.max_key_len = info.max_key_len;
	err = syncmap_dev_copy_out(uarg, usize, &c, sizeof(c));
	if (err) {
		/* Only a racing munmap() gets here: undo. */
		if (named) {
			mutex_lock(&syncmap_dev_lock);
			dm = syncmap_dev_unlist(map);
			mutex_unlock(&syncmap_dev_lock);
			syncmap_dev_map_free(dm);
			dm = NULL;
		}
		syncmap_put(map);
		goto out_uncharge;
	}
	sf->anon = !named;
	sf->uid = params.uid;
	syncmap_file_bind(sf, map, c.max_key_len, c.max_value_len);
	goto out_unlock;
out_uncharge:
	if (!named)
		syncmap_dev_anon_uncharge(params.uid);
out_unlock:
	mutex_unlock(&sf->bind_lock);
	kfree(dm);
	return err;
}

/**
 * syncmap_dev_open_map() - SYNCMAP_IOC_OPEN: bind the fd to a named map
 * @sf: the file
 * @uarg: user pointer to struct syncmap_ioc_open
 *
 * The answer is written before the fd is bound: with -EFAULT it stays
 * unbound.
 *
 * Context: process context, from ioctl(); sleeps.
 * Return: 0; -EFAULT, -EINVAL (flags, reserved, name), -EBUSY (fd already
 * bound), -ENOENT (no such map), -EACCES (the map's mode denies read, or
 * write on a writable fd), -EOPNOTSUPP (the map does not hold blobs).
 */
static int syncmap_dev_open_map(struct syncmap_file *sf, void __user *uarg)
{
	struct syncmap_ioc_open o;
	struct syncmap_info info;
	struct syncmap *map;
	u32 usize;
	int err;

	err = syncmap_dev_copy_in(&o, sizeof(o), SYNCMAP_OPEN_SIZE_VER0,
				  uarg, &usize);
	if (err)
		return err;
	if (o.flags || o.reserved)
		return -EINVAL;
	err = syncmap_dev_name_in(o.name);
	if (err)
		return err;

	mutex_lock(&sf->bind_lock);
	if (sf->map) {
		err = -EBUSY;
		goto out_unlock;
	}
	map = syncmap_find(o.name);
	if (!map) {
		err = -ENOENT;
		goto out_unlock;
	}
	syncmap_fill_info(map, &info);
	if (!syncmap_holds_blobs(map))
		err = -EOPNOTSUPP;
	else
		err = syncmap_dev_permission(&info, MAY_READ |
					     (sf->writable ? MAY_WRITE : 0));
	if (err) {
		syncmap_put(map);
		goto out_unlock;
	}
	o.id = info.id;
	err = syncmap_dev_copy_out(uarg, usize, &o, sizeof(o));
	if (err) {
		syncmap_put(map);
		goto out_unlock;
	}
	syncmap_file_bind(sf, map, info.max_key_len,
			  syncmap_dev_value_limit(map));
out_unlock:
	mutex_unlock(&sf->bind_lock);
	return err;
}

static int syncmap_dev_simple_in(void __user *uarg)
{
	struct syncmap_ioc_simple s;
	u32 usize;
	int err;

	err = syncmap_dev_copy_in(&s, sizeof(s), SYNCMAP_SIMPLE_SIZE_VER0,
				  uarg, &usize);
	if (err)
		return err;
	return s.flags ? -EINVAL : 0;
}

/**
 * syncmap_dev_destroy() - SYNCMAP_IOC_DESTROY: remove the bound map's name
 * @sf: the file
 * @uarg: user pointer to struct syncmap_ioc_simple
 *
 * Open fds of the map keep working; the map is freed with its last fd.
 * Only the names of maps created through the device can be removed: the
 * name of a map a kernel module registered is the module's.
 *
 * Context: process context, from ioctl(); sleeps.
 * Return: 0; -EFAULT, -EINVAL (flags), -EBADFD (fd not bound), -EBADF (fd
 * not writable), -EPERM (not the owner and no %CAP_SYS_ADMIN, or a map a
 * kernel module registered), -ENOENT (the map has no name: anonymous or
 * already destroyed).
 */
static int syncmap_dev_destroy(struct syncmap_file *sf, void __user *uarg)
{
	struct syncmap *map = syncmap_file_map(sf);
	struct syncmap_dev_map *dm;
	struct syncmap_info info;
	int err;

	if (!map)
		return -EBADFD;
	err = syncmap_dev_simple_in(uarg);
	if (err)
		return err;
	if (!sf->writable)
		return -EBADF;
	syncmap_fill_info(map, &info);
	if (!uid_eq(current_fsuid(), info.uid) && !capable(CAP_SYS_ADMIN))
		return -EPERM;

	mutex_lock(&syncmap_dev_lock);
	dm = syncmap_dev_unlist(map);
	if (!dm) {
		/* Still named: by a kernel module.  Else gone already. */
		syncmap_fill_info(map, &info);
		err = info.name[0] ? -EPERM : -ENOENT;
	}
	mutex_unlock(&syncmap_dev_lock);
	syncmap_dev_map_free(dm);
	return err;
}

/**
 * syncmap_dev_clear() - SYNCMAP_IOC_CLEAR: delete every key
 * @sf: the file
 * @uarg: user pointer to struct syncmap_ioc_simple
 *
 * Context: process context, from ioctl(); sleeps.
 * Return: 0; -EFAULT, -EINVAL (flags), -EBADFD (fd not bound), -EBADF (fd
 * not writable), -ENOMEM.
 */
static int syncmap_dev_clear(struct syncmap_file *sf, void __user *uarg)
{
	struct syncmap *map = syncmap_file_map(sf);
	int err;

	if (!map)
		return -EBADFD;
	err = syncmap_dev_simple_in(uarg);
	if (err)
		return err;
	if (!sf->writable)
		return -EBADF;
	return syncmap_clear(map);
}

/**
 * syncmap_dev_info() - SYNCMAP_IOC_INFO: identity, limits and counters
 * @sf: the file
 * @uarg: user pointer to struct syncmap_ioc_info
 *
 * Only @size and @flags of the struct are read.
 *
 * Context: process context, from ioctl(); sleeps.
 * Return: 0; -EFAULT, -EINVAL (flags, size), -E2BIG (size above a page),
 * -EBADFD (fd not bound).
 */
static int syncmap_dev_info(struct syncmap_file *sf, void __user *uarg)
{
	struct syncmap *map = syncmap_file_map(sf);
	struct syncmap_ioc_info __user *u = uarg;
	struct syncmap_ioc_info i = { };
	struct syncmap_stats st;
	struct syncmap_info info;
	u32 size, flags;

	if (!map)
		return -EBADFD;
	if (get_user(size, &u->size) || get_user(flags, &u->flags))
		return -EFAULT;
	if (size < SYNCMAP_INFO_SIZE_VER0 || flags)
		return -EINVAL;
	if (size > SYNCMAP_DEV_MAX_STRUCT)
		return -E2BIG;

	syncmap_fill_info(map, &info);
	syncmap_fill_stats(map, &st);
	i.size = sizeof(i);
	strscpy(i.name, info.name, sizeof(i.name));
	i.id = info.id;
	i.uid = from_kuid_munged(current_user_ns(), info.uid);
	i.mode = info.mode;
	i.map_flags = (info.name[0] ? SYNCMAP_INFO_REGISTERED : 0) |
		      (sf->writable ? SYNCMAP_INFO_WRITABLE : 0);
	i.max_entries = info.max_entries;
	i.max_key_len = info.max_key_len;
	i.max_value_len = sf->max_value_len;
	i.len = st.len;
	i.read_entries = st.read_entries;
	i.dirty_entries = st.dirty_entries;
	i.amended = st.amended;
	i.hits = st.hits;
	i.misses = st.misses;
	i.promotions = st.promotions;
	i.dirty_rebuilds = st.dirty_rebuilds;
	i.expunged = st.expunged;
	i.pending_release = st.pending_release;
	i.pooled = syncmap_blob_pooled(map);
	return syncmap_dev_copy_out(uarg, size, &i, sizeof(i));
}

/**
 * syncmap_dev_list() - SYNCMAP_IOC_LIST: registered maps the caller may read
 * @uarg: user pointer to struct syncmap_ioc_list
 *
 * Reports maps in id order from @start_id, skipping those whose mode does
 * not let the caller read them (unless %CAP_SYS_ADMIN).
 *
 * Context: process context, from ioctl(); sleeps.
 * Return: 0; -EFAULT, -EINVAL (flags, reserved, count, entry_size).
 */
static int syncmap_dev_list(void __user *uarg)
{
	struct syncmap_list_entry e;
	struct syncmap_ioc_list l;
	struct syncmap_info info;
	struct syncmap *map;
	bool admin = capable(CAP_SYS_ADMIN);
	u32 usize, n = 0, id;
	int err;

	err = syncmap_dev_copy_in(&l, sizeof(l), SYNCMAP_LIST_SIZE_VER0,
				  uarg, &usize);
	if (err)
		return err;
	if (l.flags || l.reserved || l.count > SYNCMAP_BATCH_MAX ||
	    l.entry_size < SYNCMAP_LIST_ENTRY_SIZE_VER0 ||
	    l.entry_size > SYNCMAP_DEV_MAX_STRUCT)
		return -EINVAL;

	id = l.start_id;
	while (n < l.count && (map = syncmap_find_next(&id))) {
		syncmap_fill_info(map, &info);
		if (syncmap_holds_blobs(map) &&
		    (admin || !syncmap_dev_permission(&info, MAY_READ))) {
			memset(&e, 0, sizeof(e));
			strscpy(e.name, info.name, sizeof(e.name));
			e.id = info.id;
			e.uid = from_kuid_munged(current_user_ns(), info.uid);
			e.mode = info.mode;
			e.max_entries = info.max_entries;
			e.max_key_len = info.max_key_len;
			e.max_value_len = syncmap_dev_value_limit(map);
			e.len = syncmap_len(map);
			err = syncmap_dev_copy_out(u64_to_user_ptr(l.entries) +
						   (size_t)n * l.entry_size,
						   l.entry_size, &e, sizeof(e));
			n++;
		}
		syncmap_put(map);
		if (err)
			return err;
		id++;
	}
	if (n < l.count)
		id = 0;
	l.count = n;
	l.start_id = id;
	return syncmap_dev_copy_out(uarg, usize, &l, sizeof(l));
}

/* Which fields of struct syncmap_ioc_op an operation uses. */
#define SYNCMAP_DEV_F_VALUE	BIT(0)
#define SYNCMAP_DEV_F_OLD	BIT(1)
#define SYNCMAP_DEV_F_OUT	BIT(2)
#define SYNCMAP_DEV_F_WRITE	BIT(3)

static const u8 syncmap_dev_op_fields[SYNCMAP_OP_MAX + 1] = {
	[SYNCMAP_OP_LOAD] = SYNCMAP_DEV_F_OUT,
	[SYNCMAP_OP_STORE] = SYNCMAP_DEV_F_VALUE | SYNCMAP_DEV_F_WRITE,
	[SYNCMAP_OP_LOAD_OR_STORE] = SYNCMAP_DEV_F_VALUE | SYNCMAP_DEV_F_OUT |
				     SYNCMAP_DEV_F_WRITE,
	[SYNCMAP_OP_LOAD_AND_DELETE] = SYNCMAP_DEV_F_OUT | SYNCMAP_DEV_F_WRITE,
	[SYNCMAP_OP_DELETE] = SYNCMAP_DEV_F_WRITE,
	[SYNCMAP_OP_SWAP] = SYNCMAP_DEV_F_VALUE | SYNCMAP_DEV_F_OUT |
			    SYNCMAP_DEV_F_WRITE,
	[SYNCMAP_OP_COMPARE_AND_SWAP] = SYNCMAP_DEV_F_VALUE | SYNCMAP_DEV_F_OLD |
					SYNCMAP_DEV_F_WRITE,
	[SYNCMAP_OP_COMPARE_AND_DELETE] = SYNCMAP_DEV_F_OLD |
					  SYNCMAP_DEV_F_WRITE,
};

/* Copy a value from userspace into a new blob for @map. */
static struct syncmap_blob *syncmap_dev_blob_in(struct syncmap *map,
						u64 uptr, u32 len)
{
	struct syncmap_blob *b;

	if (!syncmap_blob_get(map, len, GFP_KERNEL_ACCOUNT, 1, &b))
		return ERR_PTR(-ENOMEM);
	if (copy_from_user(b->data, u64_to_user_ptr(uptr), len)) {
		syncmap_blob_put(map, b);
		return ERR_PTR(-EFAULT);
	}
	return b;
}

/*
 * Copy the value of @key to @dst if it fits @cap bytes, under the caller's
 * rcu_read_lock().  Returns 1 with *@len the value's length, 0 when absent,
 * -ERANGE with *@len the length it needs.
 */
static int syncmap_dev_load_rcu(struct syncmap *map, const void *key,
				u32 key_len, void *dst, u32 cap, u32 *len)
{
	const struct syncmap_blob *b = syncmap_load(map, key, key_len);

	if (!b)
		return 0;
	*len = b->len;
	if (b->len > cap)
		return -ERANGE;
	memcpy(dst, b->data, b->len);
	return 1;
}

/*
 * Load the value of @key and stage it in @out if it fits @op->out_len.
 * Returns 1 with *@cur set (valid until the read section ends), 0 when
 * absent, -ERANGE with @op->out_len set to the length needed, -ENOMEM.
 */
static int syncmap_dev_load_staged(struct syncmap *map, const void *key,
				   struct syncmap_ioc_op *op,
				   struct syncmap_dev_val *out,
				   struct syncmap_blob **cur)
{
	struct syncmap_blob *b = syncmap_load(map, key, op->key_len);

	*cur = b;
	if (!b)
		return 0;
	if (b->len > op->out_len) {
		op->out_len = b->len;
		return -ERANGE;
	}
	return syncmap_dev_val_fill(out, b) ?: 1;
}

/*
 * Where LOAD_AND_DELETE and SWAP hand the value they take over: @uout, or
 * a packed call's @slot (kernel memory), for up to @cap bytes.  @len is
 * the length of the value last shown to syncmap_dev_take_accept(), @err
 * why it was rejected.
 */
struct syncmap_dev_take {
	void __user *uout;
	u8 *slot;
	u32 cap;
	u32 len;
	int err;
};

/*
 * The condition of LOAD_AND_DELETE and SWAP, asked by the core under RCU
 * before the value changes: the value must fit, and is copied out there
 * and then, to the packed call's slot or to userspace with page faults
 * disabled (copy_to_user_nofault()), so that the map changes only once
 * the caller has the value.  A page of @uout that is not mapped writable
 * at that moment is -EFAULT here; syncmap_dev_take() faults it in and
 * asks again.
 *
 * Context: under rcu_read_lock(), and on the core's locked path with
 * map->lock held too: the copy of up to the map's value limit (1 MiB at
 * most) holds up that map's writers for as long as it takes; it cannot
 * sleep.  The core asks again when another writer changed the value
 * first, so @uout or the slot may first receive a value the call then
 * does not take: only the bytes of the last, accepted, value count, and
 * after an error (-ERANGE on a later, longer value) the buffer may hold
 * a value the map still has.
 */
static bool syncmap_dev_take_accept(const void *value, void *arg)
{
	const struct syncmap_blob *b = value;
	struct syncmap_dev_take *t = arg;

	t->len = b->len;
	t->err = 0;
	if (b->len > t->cap)
		t->err = -ERANGE;
	else if (t->slot)
		memcpy(t->slot, b->data, b->len);
	else if (b->len && copy_to_user_nofault(t->uout, b->data, b->len))
		t->err = -EFAULT;
	return !t->err;
}

/*
 * LOAD_AND_DELETE (@nb %NULL) or SWAP (the new value @nb, the map's on 1
 * or 0): one conditional change of the core, whose condition delivers the
 * value to @op->out (or @out's slot) before the map changes, so that a
 * too-small or unwritable buffer leaves the map unchanged.  The change is
 * asked for again only after a fault on @op->out that faulting the buffer
 * in (without changing it) could serve, as futexes do.  Returns 1 (the
 * value delivered, @out->len its length), 0 when absent (SWAP: @nb
 * inserted), -ERANGE with @op->out_len set to the length needed, -EFAULT,
 * -EINTR (killed between faults), or an error of the core.
 */
static int syncmap_dev_take(struct syncmap *map, const void *key,
			    struct syncmap_ioc_op *op,
			    struct syncmap_blob *nb,
			    struct syncmap_dev_val *out)
{
	struct syncmap_dev_take t = {
		.uout = u64_to_user_ptr(op->out),
		.slot = out->slot,
		.cap = op->out_len,
	};
	int ret;

	for (;;) {
		if (nb)
			ret = syncmap_swap_if(map, key, op->key_len, nb, NULL,
					      syncmap_dev_take_accept, &t);
		else
			ret = syncmap_load_and_delete_if(map, key, op->key_len,
							 NULL,
							 syncmap_dev_take_accept,
							 &t);
		if (ret != -ECANCELED || t.err != -EFAULT)
			break;
		if (fault_in_safe_writeable(t.uout, t.len))
			return -EFAULT;
		if (fatal_signal_pending(current))
			return -EINTR;
	}
	if (ret == -ECANCELED) {
		if (t.err == -ERANGE)
			op->out_len = t.len;
		return t.err;
	}
	if (ret > 0) {
		out->len = t.len;
		out->delivered = true;
	}
	return ret;
}

/*
 * Check an operation's fields against its code and the file's limits.
 * Returns 0 or an error as syncmap_dev_do_op().
 */
static int syncmap_dev_check_op(struct syncmap_file *sf,
				const struct syncmap_ioc_op *op)
{
	unsigned int fields;

	if (!op->op || op->op > SYNCMAP_OP_MAX || op->flags)
		return -EINVAL;
	fields = syncmap_dev_op_fields[op->op];
	if ((!(fields & SYNCMAP_DEV_F_VALUE) && (op->value || op->value_len)) ||
	    (!(fields & SYNCMAP_DEV_F_OLD) && (op->old || op->old_len)) ||
	    (!(fields & SYNCMAP_DEV_F_OUT) && (op->out || op->out_len)))
		return -EINVAL;
	if (!op->key_len)
		return -EINVAL;
	if ((fields & SYNCMAP_DEV_F_WRITE) && !sf->writable)
		return -EBADF;
	if (op->key_len > sf->max_key_len ||
	    op->value_len > sf->max_value_len ||
	    op->old_len > sf->max_value_len)
		return -E2BIG;
	return 0;
}

/*
 * Run a checked operation on a key in kernel memory, with the new value
 * *@nbp and the expected value @ob it uses; *@nbp is set to %NULL when
 * the map takes it.  A returned value is left in @out.  Returns 0 with
 * @op->result and @op->out_len set, or an error as syncmap_dev_do_op().
 */
static int syncmap_dev_run_op(struct syncmap *map, struct syncmap_ioc_op *op,
			      const void *key, struct syncmap_blob **nbp,
			      struct syncmap_blob *ob,
			      struct syncmap_dev_val *out)
{
	struct syncmap_blob *nb = *nbp, *cur, *inl;
	void *actual;
	int idx, ret;
	u32 len;

	switch (op->op) {
	case SYNCMAP_OP_LOAD:
		/* Small values are staged under plain RCU, the rest under SRCU. */
		inl = syncmap_dev_val_inline(out);
		rcu_read_lock();
		ret = syncmap_dev_load_rcu(map, key, op->key_len, inl->data,
					   min_t(u32, op->out_len,
						 SYNCMAP_DEV_INLINE_VALUE),
					   &len);
		rcu_read_unlock();
		if (ret > 0) {
			inl->len = len;
			out->blob = inl;
			out->data = inl->data;
			out->len = len;
		} else if (ret == -ERANGE && len > op->out_len) {
			op->out_len = len;
		} else if (ret == -ERANGE) {
			idx = syncmap_read_lock(map);
			ret = syncmap_dev_load_staged(map, key, op, out, &cur);
			syncmap_read_unlock(map, idx);
		}
		break;
	case SYNCMAP_OP_STORE:
		ret = syncmap_store(map, key, op->key_len, nb);
		if (!ret)
			nb = NULL;
		break;
	case SYNCMAP_OP_LOAD_OR_STORE:
		idx = syncmap_read_lock(map);
		ret = syncmap_load_or_store(map, key, op->key_len, nb, &actual);
		if (!ret) {
			nb = NULL;
		} else if (ret > 0) {
			cur = actual;
			if (cur->len > op->out_len) {
				op->out_len = cur->len;
				ret = -ERANGE;
			} else if (syncmap_dev_val_fill(out, cur)) {
				ret = -ENOMEM;
			}
		}
		syncmap_read_unlock(map, idx);
		break;
	case SYNCMAP_OP_LOAD_AND_DELETE:
		ret = syncmap_dev_take(map, key, op, NULL, out);
		break;
	case SYNCMAP_OP_DELETE:
		ret = syncmap_delete(map, key, op->key_len);
		break;
	case SYNCMAP_OP_SWAP:
		ret = syncmap_dev_take(map, key, op, nb, out);
		if (ret >= 0)
			nb = NULL;
		break;
	case SYNCMAP_OP_COMPARE_AND_SWAP:
		ret = syncmap_compare_and_swap(map, key, op->key_len, ob, nb);
		if (ret > 0)
			nb = NULL;
		break;
	case SYNCMAP_OP_COMPARE_AND_DELETE:
		ret = syncmap_compare_and_delete(map, key, op->key_len, ob);
		break;
	default:
		ret = -EINVAL;
		break;
	}
	*nbp = nb;
	if (ret < 0)
		return ret;
	op->result = ret;
	if (syncmap_dev_op_fields[op->op] & SYNCMAP_DEV_F_OUT)
		op->out_len = out->data || out->delivered ? out->len : 0;
	return 0;
}

/**
 * syncmap_dev_do_op() - run one map operation
 * @sf: the file
 * @map: its bound map
 * @op: the operation, already copied in; @result and @out_len are set
 *
 * Context: process context; sleeps.
 * Return: 0 with @op->result set; -EINVAL (op, flags, unused fields, empty
 * key), -EBADF (write on a read-only fd), -E2BIG (key or value longer than
 * the map allows), -EFAULT, -ERANGE (@op->out too small, @op->out_len set
 * to the length needed, map unchanged), -ENOSPC (map full), -ENOMEM,
 * -EINTR (killed while LOAD_AND_DELETE or SWAP faulted @op->out in).
 */
static int syncmap_dev_do_op(struct syncmap_file *sf, struct syncmap *map,
			     struct syncmap_ioc_op *op)
{
	struct syncmap_blob *nb = NULL, *ob = NULL;
	u8 key_buf[SYNCMAP_DEV_INLINE_KEY];
	struct syncmap_dev_val out;
	void *key = key_buf;
	unsigned int fields;
	int ret;

	ret = syncmap_dev_check_op(sf, op);
	if (ret)
		return ret;
	syncmap_dev_val_init(&out, NULL);
	fields = syncmap_dev_op_fields[op->op];
	if (op->key_len > sizeof(key_buf)) {
		key = kmalloc(op->key_len, GFP_KERNEL_ACCOUNT);
		if (!key)
			return -ENOMEM;
	}
	if (copy_from_user(key, u64_to_user_ptr(op->key), op->key_len)) {
		ret = -EFAULT;
		goto out_key;
	}
	if (fields & SYNCMAP_DEV_F_VALUE) {
		nb = syncmap_dev_blob_in(map, op->value, op->value_len);
		if (IS_ERR(nb)) {
			ret = PTR_ERR(nb);
			nb = NULL;
			goto out_key;
		}
	}
	if (fields & SYNCMAP_DEV_F_OLD) {
		ob = syncmap_dev_blob_in(map, op->old, op->old_len);
		if (IS_ERR(ob)) {
			ret = PTR_ERR(ob);
			ob = NULL;
			goto out_blobs;
		}
	}

	/*
	 * LOAD_AND_DELETE and SWAP deliver their value before they change
	 * the map; LOAD and LOAD_OR_STORE (a present key) change nothing.
	 */
	ret = syncmap_dev_run_op(map, op, key, &nb, ob, &out);
	if (!ret && out.data && !out.delivered &&
	    syncmap_dev_val_deliver(&out, op->out))
		ret = -EFAULT;
	syncmap_dev_val_free(&out);
out_blobs:
	if (nb)
		syncmap_blob_put(map, nb);
	if (ob)
		syncmap_blob_put(map, ob);
out_key:
	if (key != key_buf)
		kfree(key);
	return ret;
}

/* Write back what a caller learns from an operation: @out_len, @result. */
static int syncmap_dev_op_out(struct syncmap_ioc_op __user *u,
			      const struct syncmap_ioc_op *op)
{
	if (put_user(op->out_len, &u->out_len) ||
	    put_user(op->result, &u->result))
		return -EFAULT;
	return 0;
}

/**
 * syncmap_dev_op() - SYNCMAP_IOC_LOAD ... SYNCMAP_IOC_COMPARE_AND_DELETE
 * @sf: the file
 * @code: the operation, from the command number
 * @uarg: user pointer to struct syncmap_ioc_op
 *
 * @result and @out_len are written back on success and with -ERANGE.  An
 * operation that may change the map fails with -EFAULT before it runs if
 * they cannot be written, and LOAD_AND_DELETE and SWAP copy the value to
 * @out before they change the map: an error means the map is unchanged.
 *
 * Context: process context, from ioctl(); sleeps.
 * Return: 0, -EBADFD (fd not bound), or an error of syncmap_dev_do_op().
 */
static int syncmap_dev_op(struct syncmap_file *sf, u32 code,
			  void __user *uarg)
{
	struct syncmap *map = syncmap_file_map(sf);
	struct syncmap_ioc_op op;
	u32 usize;
	int err;

	if (!map)
		return -EBADFD;
	err = syncmap_dev_copy_in(&op, sizeof(op), SYNCMAP_OP_SIZE_VER0,
				  uarg, &usize);
	if (err)
		return err;
	if (op.op && op.op != code)
		return -EINVAL;
	op.op = code;
	/*
	 * An operation that may change the map first makes sure that its
	 * answer can be written back, by writing back what it read: no
	 * error is reported once the map changed.
	 */
	if ((syncmap_dev_op_fields[code] & SYNCMAP_DEV_F_WRITE) &&
	    syncmap_dev_op_out(uarg, &op))
		return -EFAULT;
	op.result = 0;
	err = syncmap_dev_do_op(sf, map, &op);
	if (!err || err == -ERANGE) {
		if (syncmap_dev_op_out(uarg, &op))
			return -EFAULT;
	}
	return err;
}

static int syncmap_dev_batch_one(struct syncmap_file *sf, struct syncmap *map,
				 struct syncmap_ioc_op *op, u32 op_size, int ret)
{
	if (!ret && op->size != op_size)
		ret = -EINVAL;
	op->result = 0;
	if (!ret)
		ret = syncmap_dev_do_op(sf, map, op);
	if (ret) {
		op->result = ret;
		if (ret != -ERANGE)
			op->out_len = 0;
	}
	return ret;
}

/*
 * Operations of the current size are read and written back a chunk at a
 * time; others (older or newer sizes) one by one.
 */
#define SYNCMAP_DEV_BATCH_CHUNK	32

/**
 * syncmap_dev_batch() - SYNCMAP_IOC_BATCH: many operations in one call
 * @sf: the file
 * @uarg: user pointer to struct syncmap_ioc_batch
 *
 * Runs the operations in order, writing each one's @result (1/0 or a
 * negative errno) and @out_len back (operations of the current size are
 * written back whole, a chunk at a time).  Stops early after a failed
 * operation with %SYNCMAP_BATCH_STOP_ON_ERROR, or when a signal is
 * pending.  @done and the records an operation is written back to are
 * checked writable (written back as read) before it runs, so that -EFAULT
 * never follows a change of the map that @done does not count.
 *
 * Context: process context, from ioctl(); sleeps.
 * Return: 0 with @done set; -EFAULT (the batch or an operation record
 * unreadable or unwritable; @done still written when possible), -EINVAL
 * (flags, reserved, count, op_size), -EBADFD (fd not bound), -EINTR (a
 * signal before the first operation).
 */
static int syncmap_dev_batch(struct syncmap_file *sf, void __user *uarg)
{
	struct syncmap *map = syncmap_file_map(sf);
	struct syncmap_ioc_batch __user *ub = uarg;
	struct syncmap_ioc_op *chunk = NULL;
	struct syncmap_ioc_batch b;
	struct syncmap_ioc_op op;
	bool stop = false;
	u32 usize, i = 0, j, n;
	int err = 0, ret;

	if (!map)
		return -EBADFD;
	err = syncmap_dev_copy_in(&b, sizeof(b), SYNCMAP_BATCH_SIZE_VER0,
				  uarg, &usize);
	if (err)
		return err;
	if (b.flags & ~SYNCMAP_BATCH_STOP_ON_ERROR || b.reserved ||
	    b.count > SYNCMAP_BATCH_MAX ||
	    b.op_size < SYNCMAP_OP_SIZE_VER0 ||
	    b.op_size > SYNCMAP_DEV_MAX_STRUCT)
		return -EINVAL;
	/* @done is written even if nothing runs: it must be writable. */
	if (put_user(0, &ub->done))
		return -EFAULT;
	if (b.count > 1 && b.op_size == sizeof(op)) {
		chunk = kmalloc_array(min_t(u32, b.count,
					    SYNCMAP_DEV_BATCH_CHUNK),
				      sizeof(*chunk), GFP_KERNEL_ACCOUNT);
		if (!chunk)
			return -ENOMEM;
	}

	while (i < b.count && !stop) {
		struct syncmap_ioc_op __user *uop = u64_to_user_ptr(b.ops) +
						    (size_t)i * b.op_size;

		if (signal_pending(current)) {
			if (!i)
				err = -EINTR;
			break;
		}
		if (!chunk) {
			ret = copy_struct_from_user(&op, sizeof(op), uop,
						    b.op_size);
			/* Writable before it runs: write back what was read. */
			if (ret == -EFAULT ||
			    (!ret && syncmap_dev_op_out(uop, &op))) {
				err = -EFAULT;
				break;
			}
			ret = syncmap_dev_batch_one(sf, map, &op, b.op_size,
						    ret);
			i++;
			if (syncmap_dev_op_out(uop, &op)) {
				err = -EFAULT;
				break;
			}
			stop = ret && (b.flags & SYNCMAP_BATCH_STOP_ON_ERROR);
			cond_resched();
			continue;
		}
		n = min_t(u32, b.count - i, SYNCMAP_DEV_BATCH_CHUNK);
		if (copy_from_user(chunk, uop, n * sizeof(*chunk)) ||
		    copy_to_user(uop, chunk, n * sizeof(*chunk))) {
			err = -EFAULT;
			break;
		}
		for (j = 0; j < n && !stop; j++) {
			ret = syncmap_dev_batch_one(sf, map, &chunk[j],
						    b.op_size, 0);
			stop = ret && (b.flags & SYNCMAP_BATCH_STOP_ON_ERROR);
		}
		i += j;
		if (copy_to_user(uop, chunk, j * sizeof(*chunk))) {
			err = -EFAULT;
			break;
		}
		cond_resched();
	}
	kfree(chunk);
	if (put_user(i, &ub->done))
		return -EFAULT;
	return err;
}

/*
 * Check that @len bytes of userspace at @uptr can be written, without
 * changing them: read them into @buf and write them back.  Returns 0 or
 * -EFAULT.
 */
static int syncmap_dev_writable(void __user *uptr, void *buf, size_t len)
{
	if (copy_from_user(buf, uptr, len) || copy_to_user(uptr, buf, len))
		return -EFAULT;
	return 0;
}

/* Bytes of the staging buffer of one SYNCMAP_IOC_PACKED piece. */
#define SYNCMAP_DEV_PACKED_CHUNK	SZ_64K

/* The operations SYNCMAP_IOC_PACKED runs. */
static bool syncmap_dev_packed_op(u32 code)
{
	return code == SYNCMAP_OP_LOAD || code == SYNCMAP_OP_STORE ||
	       code == SYNCMAP_OP_LOAD_AND_DELETE || code == SYNCMAP_OP_DELETE;
}

/*
 * One key of SYNCMAP_IOC_PACKED: @tmpl is the checked operation, @slot
 * the key's value slot in the staging buffer (the value to store, or
 * where a returned value goes, the rest of the slot zeroed).
 */
static int syncmap_dev_packed_one(struct syncmap *map,
				  const struct syncmap_ioc_op *tmpl,
				  const void *key, u8 *slot,
				  struct syncmap_packed_result *res)
{
	unsigned int fields = syncmap_dev_op_fields[tmpl->op];
	struct syncmap_ioc_op op = *tmpl;
	struct syncmap_blob *nb = NULL;
	struct syncmap_dev_val out;
	u32 len = 0;
	int ret = 0;

	syncmap_dev_val_init(&out, slot);
	if (fields & SYNCMAP_DEV_F_VALUE) {
		if (syncmap_blob_get(map, op.value_len, GFP_KERNEL_ACCOUNT, 1,
				     &nb))
			memcpy(nb->data, slot, op.value_len);
		else
			ret = -ENOMEM;
	}
	if (!ret)
		ret = syncmap_dev_run_op(map, &op, key, &nb, NULL, &out);
	if (nb)
		syncmap_blob_put(map, nb);
	syncmap_dev_val_free(&out);
	if (fields & SYNCMAP_DEV_F_OUT) {
		if (!ret)
			len = op.out_len;
		if (len < tmpl->out_len)
			memset(slot + len, 0, tmpl->out_len - len);
	}
	res->result = ret ?: op.result;
	res->value_len = !ret || ret == -ERANGE ? op.out_len : 0;
	return ret;
}

/*
 * Any other operation on a piece of @n keys, one by one.  Returns the
 * keys that ran, as syncmap_dev_packed_load().
 */
static u32 syncmap_dev_packed_run(struct syncmap *map,
				  const struct syncmap_ioc_op *tmpl,
				  const struct syncmap_ioc_packed *p,
				  const u8 *keys, u8 *vals,
				  struct syncmap_packed_result *res, u32 n,
				  bool stop)
{
	u32 j;
	int ret;

	for (j = 0; j < n; j++) {
		ret = syncmap_dev_packed_one(map, tmpl,
					     keys + (size_t)j * p->key_size,
					     vals + (size_t)j * p->value_size,
					     &res[j]);
		if (ret && stop)
			return j + 1;
	}
	return j;
}

/* Blobs a packed store allocates at a time. */
#define SYNCMAP_DEV_PACKED_BULK	32

/*
 * STORE of a piece of @n keys, each value copied from its slot to a blob
 * of syncmap_blob_get(), taken many at a time.  Returns the keys that
 * ran, as syncmap_dev_packed_load().
 */
static u32 syncmap_dev_packed_store(struct syncmap *map,
				    const struct syncmap_ioc_packed *p,
				    const u8 *keys, const u8 *vals,
				    struct syncmap_packed_result *res, u32 n,
				    bool stop)
{
	struct syncmap_blob *bulk[SYNCMAP_DEV_PACKED_BULK], *nb;
	size_t have = 0, next = 0;
	const u8 *val;
	u32 j;
	int ret;

	for (j = 0; j < n; j++) {
		val = vals + (size_t)j * p->value_size;
		if (next == have) {
			next = 0;
			have = syncmap_blob_get(map, p->value_size,
						GFP_KERNEL_ACCOUNT,
						min_t(size_t, n - j,
						      ARRAY_SIZE(bulk)),
						bulk);
		}
		nb = NULL;
		if (next < have) {
			nb = bulk[next++];
			memcpy(nb->data, val, p->value_size);
		}
		ret = -ENOMEM;
		if (nb)
			ret = syncmap_store(map, keys + (size_t)j * p->key_size,
					    p->key_size, nb);
		if (ret)
			syncmap_blob_put(map, nb);
		res[j].result = ret;
		res[j].value_len = 0;
		if (ret && stop) {
			j++;
			break;
		}
	}
	while (next < have)
		syncmap_blob_put(map, bulk[next++]);
	return j;
}

/*
 * LOAD of a piece of @n keys: under one RCU read section, each value
 * copied straight to its slot, the rest of the slot zeroed.  Returns the
 * keys that ran: all of them, or up to the first failure with @stop.
 */
static u32 syncmap_dev_packed_load(struct syncmap *map,
				   const struct syncmap_ioc_packed *p,
				   const u8 *keys, u8 *vals,
				   struct syncmap_packed_result *res, u32 n,
				   bool stop)
{
	u32 j, len;
	u8 *slot;
	int ret;

	rcu_read_lock();
	for (j = 0; j < n; j++) {
		slot = vals + (size_t)j * p->value_size;
		len = 0;
		ret = syncmap_dev_load_rcu(map, keys + (size_t)j * p->key_size,
					   p->key_size, slot, p->value_size,
					   &len);
		res[j].result = ret;
		res[j].value_len = len;
		if (ret <= 0)
			len = 0;
		if (len < p->value_size)
			memset(slot + len, 0, p->value_size - len);
		if (ret < 0 && stop) {
			j++;
			break;
		}
	}
	rcu_read_unlock();
	return j;
}

/**
 * syncmap_dev_packed() - SYNCMAP_IOC_PACKED: one operation on many keys
 * @sf: the file
 * @uarg: user pointer to struct syncmap_ioc_packed
 *
 * Checks the call as one operation of the single-operation commands
 * (the same errors, for every key at once), then runs the keys in order
 * a piece at a time: each piece's keys (and values to store) are copied
 * in with one copy each, its values and results out with one copy each.
 *
 * A piece that may change the map runs only once its results (and for
 * LOAD_AND_DELETE its value slots) proved writable, and @done is written
 * before anything runs: -EFAULT then means that the keys past @done did
 * not run.
 *
 * Context: process context, from ioctl(); sleeps.
 * Return: 0 with @done set; -EFAULT (an array unreadable or unwritable;
 * @done still written when possible), -EINVAL (flags, reserved, op,
 * count, empty key, a value slot for DELETE), -E2BIG (key or value size
 * above the map's limits), -EBADF (write on a read-only fd), -EBADFD (fd
 * not bound), -ENOMEM, -EINTR (a signal before the first key).
 */
static int syncmap_dev_packed(struct syncmap_file *sf, void __user *uarg)
{
	struct syncmap *map = syncmap_file_map(sf);
	struct syncmap_ioc_packed __user *up = uarg;
	struct syncmap_packed_result *res = NULL;
	struct syncmap_ioc_op tmpl = { };
	struct syncmap_ioc_packed p;
	struct syncmap_packed_result __user *ures;
	u8 __user *ukeys, *uvals;
	u8 *keys, *vals;
	bool stop = false, stop_on_error;
	unsigned int fields;
	size_t per, chunk;
	u32 usize, i = 0, j, n;
	int err;

	if (!map)
		return -EBADFD;
	err = syncmap_dev_copy_in(&p, sizeof(p), SYNCMAP_PACKED_SIZE_VER0,
				  uarg, &usize);
	if (err)
		return err;
	if (p.flags & ~SYNCMAP_BATCH_STOP_ON_ERROR || p.reserved ||
	    p.count > SYNCMAP_BATCH_MAX || !syncmap_dev_packed_op(p.op))
		return -EINVAL;
	/* The operation every key runs, checked once. */
	fields = syncmap_dev_op_fields[p.op];
	tmpl.size = sizeof(tmpl);
	tmpl.op = p.op;
	tmpl.key_len = p.key_size;
	if (fields & SYNCMAP_DEV_F_OUT) {
		tmpl.out = p.values;
		tmpl.out_len = p.value_size;
	} else {
		tmpl.value = p.values;
		tmpl.value_len = p.value_size;
	}
	err = syncmap_dev_check_op(sf, &tmpl);
	if (err)
		return err;
	if (p.value_size > sf->max_value_len)
		return -E2BIG;
	stop_on_error = p.flags & SYNCMAP_BATCH_STOP_ON_ERROR;

	ukeys = u64_to_user_ptr(p.keys);
	uvals = u64_to_user_ptr(p.values);
	ures = u64_to_user_ptr(p.results);
	/* A piece's results, keys and value slots: 64 KiB, or one key's. */
	per = sizeof(*res) + p.key_size + p.value_size;
	chunk = min_t(size_t, p.count, max_t(size_t, 1,
					     SYNCMAP_DEV_PACKED_CHUNK / per));
	if (chunk) {
		res = kvmalloc(chunk * per, GFP_KERNEL_ACCOUNT);
		if (!res)
			return -ENOMEM;
	}
	keys = (u8 *)(res + chunk);
	vals = keys + chunk * p.key_size;
	/* @done is written even if nothing runs: it must be writable. */
	if (put_user(0, &up->done)) {
		kvfree(res);
		return -EFAULT;
	}

	while (i < p.count && !stop) {
		if (signal_pending(current)) {
			if (!i)
				err = -EINTR;
			break;
		}
		n = min_t(size_t, p.count - i, chunk);
		if (copy_from_user(keys, ukeys + (size_t)i * p.key_size,
				   (size_t)n * p.key_size) ||
		    ((fields & SYNCMAP_DEV_F_VALUE) &&
		     copy_from_user(vals, uvals + (size_t)i * p.value_size,
				    (size_t)n * p.value_size))) {
			err = -EFAULT;
			break;
		}
		/*
		 * Before a piece that may change the map runs, what it
		 * writes back must be writable: its results, and the value
		 * slots of LOAD_AND_DELETE.  Write back what they hold.
		 */
		if ((fields & SYNCMAP_DEV_F_WRITE) &&
		    (syncmap_dev_writable(ures + i, res, n * sizeof(*res)) ||
		     ((fields & SYNCMAP_DEV_F_OUT) &&
		      syncmap_dev_writable(uvals + (size_t)i * p.value_size,
					   vals, (size_t)n * p.value_size)))) {
			err = -EFAULT;
			break;
		}
		if (p.op == SYNCMAP_OP_LOAD)
			j = syncmap_dev_packed_load(map, &p, keys, vals, res, n,
						    stop_on_error);
		else if (p.op == SYNCMAP_OP_STORE)
			j = syncmap_dev_packed_store(map, &p, keys, vals, res,
						     n, stop_on_error);
		else
			j = syncmap_dev_packed_run(map, &tmpl, &p, keys, vals,
						   res, n, stop_on_error);
		/*
		 * A runner stops at the first key that fails when asked to,
		 * but that key may be the last of the piece: whether to stop
		 * is in its result, not in how many keys ran.
		 */
		stop = stop_on_error && j && res[j - 1].result < 0;
		/* The keys ran: they count even if their results are lost. */
		if (((fields & SYNCMAP_DEV_F_OUT) &&
		     copy_to_user(uvals + (size_t)i * p.value_size, vals,
				  (size_t)j * p.value_size)) ||
		    copy_to_user(ures + i, res, j * sizeof(*res)))
			err = -EFAULT;
		i += j;
		if (err)
			break;
		cond_resched();
	}
	kvfree(res);
	if (put_user(i, &up->done))
		return -EFAULT;
	return err;
}

/* Where a dump call writes its records: the user buffer, bytes written. */
struct syncmap_dev_dump {
	u8 __user *buf;
	size_t off;
};

static size_t syncmap_dev_dump_size(const void *key, size_t key_len,
				    const void *value, void *arg)
{
	const struct syncmap_blob *b = value;

	return SYNCMAP_DUMP_REC_SIZE(key_len, b->len);
}

/* One record: struct syncmap_dump_rec, key, value, zero padding. */
static void syncmap_dev_dump_fill(void *item, size_t size, const void *key,
				  size_t key_len, const void *value, void *arg)
{
	const struct syncmap_blob *b = value;
	struct syncmap_dump_rec rec = {
		.key_len = key_len,
		.value_len = b->len,
	};
	u8 *p = item;

	memcpy(p, &rec, sizeof(rec));
	memcpy(p + sizeof(rec), key, key_len);
	memcpy(p + sizeof(rec) + key_len, b->data, b->len);
	memset(p + sizeof(rec) + key_len + b->len, 0,
	       size - sizeof(rec) - key_len - b->len);
}

static int syncmap_dev_dump_emit(const void *item, size_t size, void *arg)
{
	struct syncmap_dev_dump *d = arg;

	if (copy_to_user(d->buf + d->off, item, size))
		return -EFAULT;
	d->off += size;
	return 0;
}

static const struct syncmap_window_ops syncmap_dev_dump_ops = {
	.size = syncmap_dev_dump_size,
	.fill = syncmap_dev_dump_fill,
	.emit = syncmap_dev_dump_emit,
};

/**
 * syncmap_dev_dump() - SYNCMAP_IOC_DUMP: the next piece of a dump
 * @sf: the file
 * @uarg: user pointer to struct syncmap_ioc_dump
 *
 * One window of syncmap_range_window(), whose cursor is the ABI's: the
 * records of the keys it returns, in its order.
 *
 * Context: process context, from ioctl(); sleeps.
 * Return: 0; -EFAULT, -EINVAL (flags, reserved, cursor), -EBADFD (fd not
 * bound), -ERANGE (@buf cannot hold the next record: @buf_len set to the
 * size needed), -ENOMEM.
 */
static int syncmap_dev_dump(struct syncmap_file *sf, void __user *uarg)
{
	struct syncmap *map = syncmap_file_map(sf);
	struct syncmap_window win = { };
	struct syncmap_ioc_dump u;
	struct syncmap_dev_dump d;
	u32 usize;
	int err;

	if (!map)
		return -EBADFD;
	err = syncmap_dev_copy_in(&u, sizeof(u), SYNCMAP_DUMP_SIZE_VER0,
				  uarg, &usize);
	if (err)
		return err;
	if (u.flags || u.reserved)
		return -EINVAL;

	d.buf = u64_to_user_ptr(u.buf);
	d.off = 0;
	win.cursor = u.cursor;
	win.budget = min_t(u32, u.buf_len, SYNCMAP_DUMP_MAX_BUF);
	err = syncmap_range_window(map, &win, &syncmap_dev_dump_ops, &d);
	if (err == -ERANGE) {
		u.buf_len = min_t(size_t, win.need, U32_MAX);
		u.count = 0;
		u.end = 0;
		return syncmap_dev_copy_out(uarg, usize, &u, sizeof(u)) ?:
		       -ERANGE;
	}
	if (err)
		return err;
	u.cursor = win.cursor;
	u.buf_len = win.used;
	u.count = win.count;
	u.end = win.end;
	return syncmap_dev_copy_out(uarg, usize, &u, sizeof(u));
}

/**
 * syncmap_dev_ioctl() - dispatch an ioctl on /dev/syncmap
 * @file: the open file
 * @cmd: the command; only its type, direction and number are used
 * @arg: user pointer to the command's struct
 *
 * Context: process context; sleeps.
 * Return: 0 or a negative errno; -ENOTTY for an unknown command.
 */
static long syncmap_dev_ioctl(struct file *file, unsigned int cmd,
			      unsigned long arg)
{
	struct syncmap_file *sf = file->private_data;
	void __user *uarg = (void __user *)arg;
	unsigned int nr = _IOC_NR(cmd);

	if (_IOC_TYPE(cmd) != SYNCMAP_IOC_MAGIC ||
	    _IOC_DIR(cmd) != (_IOC_READ | _IOC_WRITE))
		return -ENOTTY;

	switch (nr) {
	case _IOC_NR(SYNCMAP_IOC_CREATE):
		return syncmap_dev_create(sf, uarg);
	case _IOC_NR(SYNCMAP_IOC_OPEN):
		return syncmap_dev_open_map(sf, uarg);
	case _IOC_NR(SYNCMAP_IOC_DESTROY):
		return syncmap_dev_destroy(sf, uarg);
	case _IOC_NR(SYNCMAP_IOC_INFO):
		return syncmap_dev_info(sf, uarg);
	case _IOC_NR(SYNCMAP_IOC_LIST):
		return syncmap_dev_list(uarg);
	case _IOC_NR(SYNCMAP_IOC_CLEAR):
		return syncmap_dev_clear(sf, uarg);
	case _IOC_NR(SYNCMAP_IOC_BATCH):
		return syncmap_dev_batch(sf, uarg);
	case _IOC_NR(SYNCMAP_IOC_DUMP):
		return syncmap_dev_dump(sf, uarg);
	case _IOC_NR(SYNCMAP_IOC_PACKED):
		return syncmap_dev_packed(sf, uarg);
	case SYNCMAP_IOC_OP_BASE + SYNCMAP_OP_LOAD ...
	     SYNCMAP_IOC_OP_BASE + SYNCMAP_OP_MAX:
		return syncmap_dev_op(sf, nr - SYNCMAP_IOC_OP_BASE, uarg);
	default:
		return -ENOTTY;
	}
}

static int syncmap_dev_open(struct inode *inode, struct file *file)
{
	struct syncmap_file *sf;

	sf = kzalloc(sizeof(*sf), GFP_KERNEL_ACCOUNT);
	if (!sf)
		return -ENOMEM;
	mutex_init(&sf->bind_lock);
	sf->writable = file->f_mode & FMODE_WRITE;
	file->private_data = sf;
	return nonseekable_open(inode, file);
}

static int syncmap_dev_release(struct inode *inode, struct file *file)
{
	struct syncmap_file *sf = file->private_data;

	if (sf->map)
		syncmap_put(sf->map);
	if (sf->anon)
		syncmap_dev_anon_uncharge(sf->uid);
	mutex_destroy(&sf->bind_lock);
	kfree(sf);
	return 0;
}

/* /proc/<pid>/fdinfo/<fd>: nothing until the file is bound to a map. */
static void syncmap_dev_show_fdinfo(struct seq_file *m, struct file *file)
{
	struct syncmap_file *sf = file->private_data;
	struct syncmap *map = syncmap_file_map(sf);

	if (map)
		syncmap_fdinfo_show(m, map, sf->max_value_len);
}

static const struct file_operations syncmap_dev_fops = {
	.owner = THIS_MODULE,
	.open = syncmap_dev_open,
	.release = syncmap_dev_release,
	.show_fdinfo = syncmap_dev_show_fdinfo,
	.unlocked_ioctl = syncmap_dev_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

static struct miscdevice syncmap_dev_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = SYNCMAP_DEVICE_NAME,
	.fops = &syncmap_dev_fops,
};

/**
 * syncmap_dev_init() - register /dev/syncmap
 *
 * Context: module init.
 * Return: 0 or the error of misc_register().
 */
int syncmap_dev_init(void)
{
	BUILD_BUG_ON(SYNCMAP_NAME_LEN != SYNCMAP_NAME_MAX);
	BUILD_BUG_ON(SYNCMAP_MAX_KEY_SIZE > SYNCMAP_MAX_KEY_LEN);
	BUILD_BUG_ON(sizeof(struct syncmap_ioc_create) != 96);
	BUILD_BUG_ON(sizeof(struct syncmap_ioc_open) != SYNCMAP_OPEN_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct syncmap_ioc_info) != 192);
	BUILD_BUG_ON(sizeof(struct syncmap_ioc_op) != SYNCMAP_OP_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct syncmap_ioc_batch) != SYNCMAP_BATCH_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct syncmap_ioc_dump) != SYNCMAP_DUMP_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct syncmap_ioc_packed) !=
		     SYNCMAP_PACKED_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct syncmap_packed_result) != 8);
	BUILD_BUG_ON(sizeof(struct syncmap_ioc_list) != SYNCMAP_LIST_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct syncmap_list_entry) !=
		     SYNCMAP_LIST_ENTRY_SIZE_VER0);

	syncmap_dev_misc.mode = dev_mode & 0777;
	return misc_register(&syncmap_dev_misc);
}

/**
 * syncmap_dev_exit() - unregister /dev/syncmap, free its named maps
 *
 * No fd is open: each holds a reference on the module.  With the maps
 * gone, so are their blobs (the module destroys the blob caches after).
 *
 * Context: module exit.
 */
void syncmap_dev_exit(void)
{
	struct syncmap_dev_map *dm, *tmp;

	misc_deregister(&syncmap_dev_misc);
	list_for_each_entry_safe(dm, tmp, &syncmap_dev_maps, node) {
		list_del(&dm->node);
		syncmap_unregister(dm->map);
		syncmap_put(dm->map);
		kfree(dm);
	}
	syncmap_dev_nr_maps = 0;
	/* Every file is closed: no anonymous map is counted. */
	WARN_ON(!xa_empty(&syncmap_dev_anon));
	xa_destroy(&syncmap_dev_anon);
}
