/* SPDX-License-Identifier: GPL-2.0 */
/*
 * syncmap - hooks of the /dev/syncmap character device (syncmap_dev.c),
 * called by the module's init and exit functions.
 */
#ifndef _SYNCMAP_DEV_H
#define _SYNCMAP_DEV_H

int syncmap_dev_init(void);
void syncmap_dev_exit(void);

#endif /* _SYNCMAP_DEV_H */
