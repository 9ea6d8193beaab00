/* SPDX-License-Identifier: GPL-2.0 */
/*
 * syncmap - tracepoints of the state machine: dirty-map builds, growths,
 * promotions, Clear and reclaim batches.
 *
 * Each event names its map by registry id (0 when not registered) and by
 * a cookie: the map's address hashed with the map's own random key, so a
 * trace never holds a kernel address and two unregistered maps still
 * tell apart.  syncmap_core.c defines the events (CREATE_TRACE_POINTS).
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM syncmap

#ifndef _SYNCMAP_TRACE_COOKIE
#define _SYNCMAP_TRACE_COOKIE

#include <linux/siphash.h>

#include "syncmap_internal.h"

static inline u32 syncmap_trace_cookie(const struct syncmap *map)
{
	u64 addr = (unsigned long)map;

	return hsiphash_2u32(lower_32_bits(addr), upper_32_bits(addr),
			     &map->hash_key);
}

#endif /* _SYNCMAP_TRACE_COOKIE */

#if !defined(_SYNCMAP_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _SYNCMAP_TRACE_H

#include <linux/tracepoint.h>

DECLARE_EVENT_CLASS(syncmap_table_class,
		    TP_PROTO(struct syncmap *map, unsigned int entries,
			     unsigned int slots),
		    TP_ARGS(map, entries, slots),
		    TP_STRUCT__entry(__field(u32, id)
				     __field(u32, map)
				     __field(unsigned int, entries)
				     __field(unsigned int, slots)),
		    TP_fast_assign(__entry->id = READ_ONCE(map->id);
				   __entry->map = syncmap_trace_cookie(map);
				   __entry->entries = entries;
				   __entry->slots = slots;),
		    TP_printk("id=%u map=%08x entries=%u slots=%u",
			      __entry->id, __entry->map, __entry->entries,
			      __entry->slots)
);

/* A dirty map starts: @entries of the read snapshot to copy into @slots. */
DEFINE_EVENT(syncmap_table_class, syncmap_dirty_start,
	     TP_PROTO(struct syncmap *map, unsigned int entries,
		      unsigned int slots),
	     TP_ARGS(map, entries, slots));

/* The copy ended: the dirty map holds @entries (the deleted expunged). */
DEFINE_EVENT(syncmap_table_class, syncmap_dirty_finish,
	     TP_PROTO(struct syncmap *map, unsigned int entries,
		      unsigned int slots),
	     TP_ARGS(map, entries, slots));

/* A growth ended: the dirty map holds @entries in its @slots. */
DEFINE_EVENT(syncmap_table_class, syncmap_grow_finish,
	     TP_PROTO(struct syncmap *map, unsigned int entries,
		      unsigned int slots),
	     TP_ARGS(map, entries, slots));

/* The dirty map of @entries becomes the read snapshot after @misses. */
TRACE_EVENT(syncmap_promote,
	    TP_PROTO(struct syncmap *map, unsigned int entries,
		     unsigned int slots, unsigned int misses),
	    TP_ARGS(map, entries, slots, misses),
	    TP_STRUCT__entry(__field(u32, id)
			     __field(u32, map)
			     __field(unsigned int, entries)
			     __field(unsigned int, slots)
			     __field(unsigned int, misses)),
	    TP_fast_assign(__entry->id = READ_ONCE(map->id);
			   __entry->map = syncmap_trace_cookie(map);
			   __entry->entries = entries;
			   __entry->slots = slots;
			   __entry->misses = misses;),
	    TP_printk("id=%u map=%08x entries=%u slots=%u misses=%u",
		      __entry->id, __entry->map, __entry->entries,
		      __entry->slots, __entry->misses)
);

/* A full dirty map of @entries in @old_slots moves into @slots. */
TRACE_EVENT(syncmap_grow_start,
	    TP_PROTO(struct syncmap *map, unsigned int entries,
		     unsigned int old_slots, unsigned int slots),
	    TP_ARGS(map, entries, old_slots, slots),
	    TP_STRUCT__entry(__field(u32, id)
			     __field(u32, map)
			     __field(unsigned int, entries)
			     __field(unsigned int, old_slots)
			     __field(unsigned int, slots)),
	    TP_fast_assign(__entry->id = READ_ONCE(map->id);
			   __entry->map = syncmap_trace_cookie(map);
			   __entry->entries = entries;
			   __entry->old_slots = old_slots;
			   __entry->slots = slots;),
	    TP_printk("id=%u map=%08x entries=%u old_slots=%u slots=%u",
		      __entry->id, __entry->map, __entry->entries,
		      __entry->old_slots, __entry->slots)
);

/* Clear published an empty snapshot; @len keys were present. */
TRACE_EVENT(syncmap_clear,
	    TP_PROTO(struct syncmap *map, unsigned long len),
	    TP_ARGS(map, len),
	    TP_STRUCT__entry(__field(u32, id)
			     __field(u32, map)
			     __field(unsigned long, len)),
	    TP_fast_assign(__entry->id = READ_ONCE(map->id);
			   __entry->map = syncmap_trace_cookie(map);
			   __entry->len = len;),
	    TP_printk("id=%u map=%08x len=%lu",
		      __entry->id, __entry->map, __entry->len)
);

/* The reap work freed a batch after waiting @wait_ns for grace periods. */
TRACE_EVENT(syncmap_reclaim,
	    TP_PROTO(struct syncmap *map, unsigned long values,
		     unsigned int tables, unsigned int entries,
		     u64 wait_ns),
	    TP_ARGS(map, values, tables, entries, wait_ns),
	    TP_STRUCT__entry(__field(u32, id)
			     __field(u32, map)
			     __field(unsigned long, values)
			     __field(unsigned int, tables)
			     __field(unsigned int, entries)
			     __field(u64, wait_ns)),
	    TP_fast_assign(__entry->id = READ_ONCE(map->id);
			   __entry->map = syncmap_trace_cookie(map);
			   __entry->values = values;
			   __entry->tables = tables;
			   __entry->entries = entries;
			   __entry->wait_ns = wait_ns;),
	    TP_printk("id=%u map=%08x values=%lu tables=%u entries=%u wait_ns=%llu",
		      __entry->id, __entry->map, __entry->values,
		      __entry->tables, __entry->entries,
		      __entry->wait_ns)
);

#endif /* _SYNCMAP_TRACE_H */

/* An out-of-tree module: define_trace.h finds this file through -I$(src). */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE syncmap_trace
#include <trace/define_trace.h>
