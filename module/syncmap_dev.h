/* SPDX-License-Identifier: GPL-2.0 */
/*
 * syncmap - hooks of the /dev/syncmap character device (syncmap_dev.c),
 * called by the module's init and exit functions, and the blob caches
 * and pools it uses (syncmap_blob.c).
 */
#ifndef _SYNCMAP_DEV_H
#define _SYNCMAP_DEV_H

#include <linux/types.h>

struct syncmap;
struct syncmap_blob;
struct syncmap_params;
struct seq_file;

int syncmap_dev_init(void);
void syncmap_dev_exit(void);

int syncmap_blob_init(void);
void syncmap_blob_exit(void);
struct syncmap *syncmap_blob_map_create(struct syncmap_params *params,
					u32 max_value_len);
u32 syncmap_blob_value_limit(struct syncmap *map);
bool syncmap_holds_blobs(const struct syncmap *map);
size_t syncmap_blob_get(struct syncmap *map, u32 len, gfp_t gfp, size_t nr,
			struct syncmap_blob **blobs);
void syncmap_blob_put(struct syncmap *map, struct syncmap_blob *blob);
size_t syncmap_blob_pooled(struct syncmap *map);

void syncmap_fdinfo_show(struct seq_file *m, struct syncmap *map,
			 u32 max_value_len);

#endif /* _SYNCMAP_DEV_H */
