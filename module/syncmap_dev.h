/* SPDX-License-Identifier: GPL-2.0 */
/*
 * syncmap - hooks of the /dev/syncmap character device (syncmap_dev.c),
 * called by the module's init and exit functions, and the bulk allocation
 * of small blobs it uses (syncmap_blob.c).
 */
#ifndef _SYNCMAP_DEV_H
#define _SYNCMAP_DEV_H

#include <linux/types.h>

struct syncmap_blob;

int syncmap_dev_init(void);
void syncmap_dev_exit(void);

int syncmap_blob_init(void);
void syncmap_blob_exit(void);
size_t syncmap_blob_alloc_bulk(u32 len, gfp_t gfp, size_t nr,
			       struct syncmap_blob **blobs);

#endif /* _SYNCMAP_DEV_H */
