/* SPDX-License-Identifier: GPL-2.0 */
/*
 * syncmap - blob maps that recycle their blobs (syncmap_blob.c): the
 * caches of small blobs, set up at module init, and the per-map pools.
 */
#ifndef _SYNCMAP_BLOB_H
#define _SYNCMAP_BLOB_H

#include <linux/types.h>

struct syncmap;
struct syncmap_blob;
struct syncmap_params;

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

#endif /* _SYNCMAP_BLOB_H */
