// SPDX-License-Identifier: GPL-2.0
/*
 * syncmap module: Go's sync.Map for the kernel.
 */
#include <linux/module.h>

#include "syncmap_internal.h"

static int __init syncmap_init(void)
{
	return 0;
}

static void __exit syncmap_exit(void)
{
	syncmap_registry_exit();
}

module_init(syncmap_init);
module_exit(syncmap_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("syncmap: Go's sync.Map, a concurrent map with lock-free loads");
