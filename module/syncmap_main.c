// SPDX-License-Identifier: GPL-2.0
/*
 * syncmap module: Go's sync.Map for the kernel.  The core map needs no
 * set-up; the module brings up /dev/syncmap and, on unload, checks that no
 * registered map is left behind.
 */
#include <linux/module.h>

#include "syncmap_dev.h"
#include "syncmap_internal.h"

static int __init syncmap_init(void)
{
	return syncmap_dev_init();
}

static void __exit syncmap_exit(void)
{
	syncmap_dev_exit();
	syncmap_registry_exit();
}

module_init(syncmap_init);
module_exit(syncmap_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("syncmap: Go's sync.Map, a concurrent map with lock-free loads");
