/* SPDX-License-Identifier: GPL-2.0 */
/*
 * syncmap - hooks of the /dev/syncmap character device (syncmap_dev.c),
 * called by the module's init and exit functions.
 */
#ifndef _SYNCMAP_DEV_H
#define _SYNCMAP_DEV_H

#include <linux/types.h>

struct syncmap;
struct seq_file;

int syncmap_dev_init(void);
void syncmap_dev_exit(void);

void syncmap_fdinfo_show(struct seq_file *m, struct syncmap *map,
			 u32 max_value_len);

#endif /* _SYNCMAP_DEV_H */
