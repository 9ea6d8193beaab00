// SPDX-License-Identifier: GPL-2.0
/*
 * Map references and the registry of named maps.
 *
 * References: the creator's (syncmap_create(), dropped by
 * syncmap_destroy()), the registry's while a name is published, and one per
 * syncmap_find()/syncmap_get(), which also pins the module that holds the
 * map's callbacks so it cannot be unloaded under a user.  The last
 * reference frees the map.
 *
 * The registry is an allocating xarray: ids are stable while a map is
 * registered and give syncmap_find_next() a cursor.  Names are unique; a
 * mutex makes the uniqueness check and the insertion one step.  There are
 * few maps, so a name lookup walks them.
 */
#include <linux/ctype.h>
#include <linux/mutex.h>
#include <linux/string.h>
#include <linux/xarray.h>

#include "syncmap_internal.h"

static DEFINE_XARRAY_ALLOC1(syncmap_registry);
static DEFINE_MUTEX(syncmap_registry_lock);

/**
 * syncmap_name_valid() - whether a name may be registered
 * @name: a NUL-terminated string
 *
 * Names are 1 to %SYNCMAP_NAME_MAX - 1 characters of [A-Za-z0-9._-],
 * ASCII only: the kernel's isalnum() also takes the Latin-1 letters.
 *
 * Context: any context.
 * Return: true if syncmap_register() accepts @name's spelling.
 */
bool syncmap_name_valid(const char *name)
{
	size_t len = strnlen(name, SYNCMAP_NAME_MAX);
	size_t i;

	if (!len || len == SYNCMAP_NAME_MAX)
		return false;
	for (i = 0; i < len; i++)
		if (!isascii(name[i]) ||
		    (!isalnum(name[i]) && !strchr("._-", name[i])))
			return false;
	return true;
}
EXPORT_SYMBOL_NS_GPL(syncmap_name_valid, SYNCMAP);

/**
 * syncmap_register() - publish a map under a name
 * @map: the map
 * @name: 1 to %SYNCMAP_NAME_MAX - 1 characters of [A-Za-z0-9._-]
 *
 * The registry takes its own reference, dropped by syncmap_unregister() or
 * syncmap_destroy().  A registered map can be opened by name, also from
 * userspace through /dev/syncmap.
 *
 * Context: process context; may sleep.
 * Return: 0, -EINVAL for a bad name, -EBUSY if @map already has a name,
 * -EEXIST if another map has @name, -ENOMEM.
 */
int syncmap_register(struct syncmap *map, const char *name)
{
	struct syncmap *other;
	unsigned long index;
	u32 id;
	int ret;

	if (!syncmap_name_valid(name))
		return -EINVAL;
	mutex_lock(&syncmap_registry_lock);
	ret = -EBUSY;
	if (map->id)
		goto out;
	ret = -EEXIST;
	xa_for_each(&syncmap_registry, index, other)
		if (!strcmp(other->name, name))
			goto out;
	ret = xa_alloc(&syncmap_registry, &id, map, xa_limit_31b, GFP_KERNEL);
	if (ret)
		goto out;
	kref_get(&map->ref);
	strscpy(map->name, name, sizeof(map->name));
	map->id = id;
out:
	mutex_unlock(&syncmap_registry_lock);
	return ret;
}
EXPORT_SYMBOL_NS_GPL(syncmap_register, SYNCMAP);

/**
 * syncmap_unregister() - remove a map's name
 * @map: the map
 *
 * Users that opened the map keep it until they drop their references.
 *
 * Context: process context; may sleep (and free the map).
 * Return: true if this call removed the name, false if it had none.
 */
bool syncmap_unregister(struct syncmap *map)
{
	bool removed = false;

	mutex_lock(&syncmap_registry_lock);
	if (map->id) {
		xa_erase(&syncmap_registry, map->id);
		map->id = 0;
		map->name[0] = '\0';
		removed = true;
	}
	mutex_unlock(&syncmap_registry_lock);
	if (removed)
		kref_put(&map->ref, syncmap_free);
	return removed;
}
EXPORT_SYMBOL_NS_GPL(syncmap_unregister, SYNCMAP);

/**
 * syncmap_destroy() - drop the creator's reference
 * @map: a map from syncmap_create(), or %NULL or an ERR_PTR (no-op)
 *
 * Unregisters the map if it has a name.  The map and the values it holds
 * are freed once no syncmap_find()/syncmap_get() user holds it.
 *
 * Context: process context; sleeps when it frees the map, which waits for
 * the map's grace periods and work items: the last reference must not be
 * dropped inside syncmap_read_lock() or a syncmap_range() callback of the
 * same map, nor from its own ops->release() (it would wait for itself).
 */
void syncmap_destroy(struct syncmap *map)
{
	if (IS_ERR_OR_NULL(map))
		return;
	syncmap_unregister(map);
	kref_put(&map->ref, syncmap_free);
}
EXPORT_SYMBOL_NS_GPL(syncmap_destroy, SYNCMAP);

/**
 * syncmap_get() - take a reference on a map
 * @map: a map the caller holds a reference on
 *
 * Also pins the module that owns the map's callbacks.
 *
 * Context: any context.
 * Return: @map, or %NULL if its owner module is going away.
 */
struct syncmap *syncmap_get(struct syncmap *map)
{
	if (!try_module_get(map->owner))
		return NULL;
	kref_get(&map->ref);
	return map;
}
EXPORT_SYMBOL_NS_GPL(syncmap_get, SYNCMAP);

/**
 * syncmap_put() - drop a reference from syncmap_find() or syncmap_get()
 * @map: the map
 *
 * Context: process context; sleeps when it frees the map.  As for
 * syncmap_destroy(), not inside the map's own read section, range callback
 * or ops->release() when it may be the last reference.
 */
void syncmap_put(struct syncmap *map)
{
	struct module *owner = map->owner;

	kref_put(&map->ref, syncmap_free);
	module_put(owner);
}
EXPORT_SYMBOL_NS_GPL(syncmap_put, SYNCMAP);

/**
 * syncmap_find() - open a registered map by name
 * @name: the name
 *
 * Context: process context; may sleep.
 * Return: the map with a reference (drop it with syncmap_put()), or %NULL.
 */
struct syncmap *syncmap_find(const char *name)
{
	struct syncmap *map, *found = NULL;
	unsigned long index;

	mutex_lock(&syncmap_registry_lock);
	xa_for_each(&syncmap_registry, index, map) {
		if (!strcmp(map->name, name)) {
			found = syncmap_get(map);
			break;
		}
	}
	mutex_unlock(&syncmap_registry_lock);
	return found;
}
EXPORT_SYMBOL_NS_GPL(syncmap_find, SYNCMAP);

/**
 * syncmap_find_next() - walk the registered maps by id
 * @id: in: the smallest id wanted; out: the id of the map returned
 *
 * Start with *@id = 0 and continue with *@id + 1.
 *
 * Context: process context; may sleep.
 * Return: the next registered map with a reference (drop it with
 * syncmap_put()), or %NULL when there is none.
 */
struct syncmap *syncmap_find_next(u32 *id)
{
	struct syncmap *map = NULL;
	unsigned long index = *id;

	mutex_lock(&syncmap_registry_lock);
	for (;;) {
		map = xa_find(&syncmap_registry, &index, U32_MAX, XA_PRESENT);
		if (!map || syncmap_get(map))
			break;
		index++;	/* owner going away: skip it */
	}
	mutex_unlock(&syncmap_registry_lock);
	if (map)
		*id = index;
	return map;
}
EXPORT_SYMBOL_NS_GPL(syncmap_find_next, SYNCMAP);

/**
 * syncmap_fill_info() - name, id, owner and limits of a map
 * @map: the map
 * @info: filled in
 *
 * Context: process context; may sleep.
 */
void syncmap_fill_info(struct syncmap *map, struct syncmap_info *info)
{
	memset(info, 0, sizeof(*info));
	mutex_lock(&syncmap_registry_lock);
	strscpy(info->name, map->name, sizeof(info->name));
	info->id = map->id;
	mutex_unlock(&syncmap_registry_lock);
	info->uid = map->uid;
	info->mode = map->mode;
	info->max_entries = map->max_entries;
	info->max_key_len = map->max_key_len;
}
EXPORT_SYMBOL_NS_GPL(syncmap_fill_info, SYNCMAP);

/**
 * syncmap_registry_exit() - check the registry is empty at module unload
 *
 * Modules that register maps depend on this one and are gone by now; the
 * char device's maps were unregistered by its exit.
 *
 * Context: module exit.
 */
void syncmap_registry_exit(void)
{
	WARN_ON(!xa_empty(&syncmap_registry));
	xa_destroy(&syncmap_registry);
}
