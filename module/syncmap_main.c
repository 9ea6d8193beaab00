// SPDX-License-Identifier: GPL-2.0
/*
 * syncmap module: Go's sync.Map for the kernel.  The module creates the
 * caches of small blobs (syncmap_blob_alloc() works before any device),
 * brings up /dev/syncmap and, on unload, checks that no registered map is
 * left behind.
 */
#include <linux/module.h>

#include "syncmap_blob.h"
#include "syncmap_dev.h"
#include "syncmap_internal.h"

static int __init syncmap_init(void)
{
	int err = syncmap_blob_init();

	if (err)
		return err;
	err = syncmap_dev_init();
	if (err)
		syncmap_blob_exit();
	return err;
}

static void __exit syncmap_exit(void)
{
	syncmap_dev_exit();
	syncmap_registry_exit();
	/* Every map is freed, and with it its blobs. */
	syncmap_blob_exit();
}

module_init(syncmap_init);
module_exit(syncmap_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("syncmap: Go's sync.Map, a concurrent map with lock-free loads");
