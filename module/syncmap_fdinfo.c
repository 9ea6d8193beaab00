// SPDX-License-Identifier: GPL-2.0
/*
 * syncmap - /proc/<pid>/fdinfo/<fd> of a /dev/syncmap file bound to a map:
 * its identity and limits, then the algorithm's counters.  Those counters
 * are implementation details, so they are shown here, one "key:\tvalue"
 * line each, and not frozen into an ioctl struct (as bpf_map_show_fdinfo()
 * does for BPF maps).
 */

#include <linux/cred.h>
#include <linux/kernel.h>
#include <linux/seq_file.h>
#include <linux/stddef.h>
#include <linux/uidgid.h>

#include <syncmap.h>

#include "syncmap_blob.h"
#include "syncmap_dev.h"

#define SYNCMAP_FDINFO_STAT(field) \
	{ #field, offsetof(struct syncmap_stats, field) }

/* Every u64 of struct syncmap_stats, in the order they are shown. */
static const struct {
	const char *name;
	size_t offset;
} syncmap_fdinfo_stats[] = {
	SYNCMAP_FDINFO_STAT(len),
	SYNCMAP_FDINFO_STAT(read_entries),
	SYNCMAP_FDINFO_STAT(dirty_entries),
	SYNCMAP_FDINFO_STAT(amended),
	SYNCMAP_FDINFO_STAT(hits),
	SYNCMAP_FDINFO_STAT(misses),
	SYNCMAP_FDINFO_STAT(promotions),
	SYNCMAP_FDINFO_STAT(dirty_rebuilds),
	SYNCMAP_FDINFO_STAT(expunged),
	SYNCMAP_FDINFO_STAT(pending_release),
	SYNCMAP_FDINFO_STAT(locked_allocs),
	SYNCMAP_FDINFO_STAT(read_slots),
	SYNCMAP_FDINFO_STAT(dirty_slots),
	SYNCMAP_FDINFO_STAT(growing),
};

/**
 * syncmap_fdinfo_show() - print a bound map's identity and counters
 * @m: the fdinfo seq_file
 * @map: the map the file is bound to
 * @max_value_len: the longest value the file accepts
 *
 * Context: process context (reading fdinfo); takes the map's lock briefly.
 */
void syncmap_fdinfo_show(struct seq_file *m, struct syncmap *map,
			 u32 max_value_len)
{
	struct syncmap_info info;
	struct syncmap_stats st;
	unsigned int i;

	syncmap_fill_info(map, &info);
	syncmap_fill_stats(map, &st);
	seq_printf(m, "map_name:\t%s\n", info.name);
	seq_printf(m, "map_id:\t%u\n", info.id);
	seq_printf(m, "owner_uid:\t%u\n",
		   from_kuid_munged(seq_user_ns(m), info.uid));
	seq_printf(m, "mode:\t%#o\n", info.mode);
	seq_printf(m, "max_entries:\t%u\n", info.max_entries);
	seq_printf(m, "max_key_len:\t%u\n", info.max_key_len);
	seq_printf(m, "max_value_len:\t%u\n", max_value_len);
	for (i = 0; i < ARRAY_SIZE(syncmap_fdinfo_stats); i++)
		seq_printf(m, "%s:\t%llu\n", syncmap_fdinfo_stats[i].name,
			   *(u64 *)((char *)&st + syncmap_fdinfo_stats[i].offset));
	seq_printf(m, "pooled:\t%zu\n", syncmap_blob_pooled(map));
}
