// SPDX-License-Identifier: GPL-2.0
/*
 * Selftests of what syncmap shows about itself: the fdinfo of a bound
 * /dev/syncmap file (identity, limits and the algorithm's counters) and
 * the tracepoints of the state machine (events/syncmap/ in tracefs).  Run
 * as root in the lab guest; the tracepoint tests skip without tracefs.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "libsyncmap.h"

#undef TEST_TIMEOUT_DEFAULT
#define TEST_TIMEOUT_DEFAULT 300

#define TRACEFS	"/sys/kernel/tracing"
#define NKEYS	1000

__attribute__((constructor)) static void need_module(void)
{
	if (!access(SYNCMAP_DEFAULT_PATH, F_OK) ||
	    !access("/sys/module/syncmap", F_OK))
		return;
	printf("TAP version 13\n1..1\nok 1 syncmap # SKIP syncmap not loaded\n");
	exit(KSFT_SKIP);
}

static void unique_name(char *buf, size_t len, const char *tag)
{
	static unsigned int seq;

	snprintf(buf, len, "obs-%s-%d-%u", tag, getpid(), seq++);
}

static void key_of(char *buf, size_t len, unsigned int i)
{
	snprintf(buf, len, "key-%05u", i);
}

static int store_keys(int fd, unsigned int from, unsigned int to)
{
	char k[32];

	for (; from < to; from++) {
		key_of(k, sizeof(k), from);
		if (syncmap_store(fd, k, strlen(k), "value", 5))
			return -1;
	}
	return 0;
}

/* Load keys [@from, @to); returns how many were found, or -1. */
static int load_keys(int fd, unsigned int from, unsigned int to)
{
	char k[32], v[16];
	size_t vlen;
	int found = 0, r;

	for (; from < to; from++) {
		key_of(k, sizeof(k), from);
		vlen = sizeof(v);
		r = syncmap_load(fd, k, strlen(k), v, &vlen);
		if (r < 0)
			return -1;
		found += r;
	}
	return found;
}

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/*
 * The value of "@key:\t" in /proc/self/fdinfo/@fd: 1 and *@val when the
 * line is there, 0 when not, -1 on error.  @str gets a string value.
 */
static int fdinfo_field(int fd, const char *key, unsigned long long *val,
			char *str, size_t len)
{
	char path[64], line[256];
	size_t klen = strlen(key);
	int found = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (!found && fgets(line, sizeof(line), f)) {
		if (strncmp(line, key, klen) || line[klen] != ':' ||
		    line[klen + 1] != '\t')
			continue;
		line[strcspn(line, "\n")] = '\0';
		if (str)
			snprintf(str, len, "%s", line + klen + 2);
		if (val)
			*val = strtoull(line + klen + 2, NULL, 0);
		found = 1;
	}
	fclose(f);
	return found;
}

static unsigned long long fdinfo_u64(int fd, const char *key)
{
	unsigned long long v = ~0ULL;

	if (fdinfo_field(fd, key, &v, NULL, 0) != 1)
		return ~0ULL;
	return v;
}

/* An unbound fd shows only what the VFS shows: no map lines. */
TEST(fdinfo_unbound)
{
	int fd = syncmap_dev_open(O_RDWR);

	ASSERT_LE(0, fd);
	EXPECT_EQ(0, fdinfo_field(fd, "map_id", NULL, NULL, 0));
	EXPECT_EQ(0, fdinfo_field(fd, "len", NULL, NULL, 0));
	EXPECT_EQ(1, fdinfo_field(fd, "flags", NULL, NULL, 0));
	close(fd);
}

/* Identity, limits and len agree with what was asked and with INFO. */
TEST(fdinfo_identity)
{
	struct syncmap_opts o = { .mode = 0640, .max_entries = 5000,
				  .max_key_len = 48, .max_value_len = 100 };
	struct syncmap_ioc_info info;
	char name[64], got[128];
	int fd;

	unique_name(name, sizeof(name), "id");
	fd = syncmap_create(name, &o);
	ASSERT_LE(0, fd) TH_LOG("create: %s", strerror(errno));
	ASSERT_EQ(0, store_keys(fd, 0, 37));
	ASSERT_EQ(0, syncmap_info(fd, &info));

	ASSERT_EQ(1, fdinfo_field(fd, "map_name", NULL, got, sizeof(got)));
	EXPECT_STREQ(name, got);
	EXPECT_EQ(info.id, fdinfo_u64(fd, "map_id"));
	EXPECT_NE(0, info.id);
	EXPECT_EQ(0640, fdinfo_u64(fd, "mode"));
	EXPECT_EQ(getuid(), fdinfo_u64(fd, "owner_uid"));
	EXPECT_EQ(5000, fdinfo_u64(fd, "max_entries"));
	EXPECT_EQ(48, fdinfo_u64(fd, "max_key_len"));
	EXPECT_EQ(100, fdinfo_u64(fd, "max_value_len"));
	EXPECT_EQ(37, fdinfo_u64(fd, "len"));

	ASSERT_EQ(0, syncmap_clear(fd));
	EXPECT_EQ(0, fdinfo_u64(fd, "len"));
	ASSERT_EQ(0, syncmap_destroy(fd));
	close(fd);
}

/*
 * The counters follow the state machine: stores into an empty map build
 * one dirty map; missing every key promotes it; then every load hits.
 */
TEST(fdinfo_counters)
{
	struct syncmap_ioc_info info;
	unsigned long long hits;
	int fd, i;

	fd = syncmap_create(NULL, NULL);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, store_keys(fd, 0, 64));
	EXPECT_EQ(64, fdinfo_u64(fd, "len"));
	EXPECT_EQ(1, fdinfo_u64(fd, "dirty_rebuilds"));
	EXPECT_EQ(0, fdinfo_u64(fd, "promotions"));
	EXPECT_EQ(1, fdinfo_u64(fd, "amended"));
	EXPECT_EQ(0, fdinfo_u64(fd, "read_entries"));
	EXPECT_EQ(64, fdinfo_u64(fd, "dirty_entries"));
	EXPECT_LE(64, fdinfo_u64(fd, "dirty_slots"));

	/* 64 misses reach the dirty map's size: a work item promotes it. */
	ASSERT_EQ(64, load_keys(fd, 0, 64));
	for (i = 0; i < 500 && fdinfo_u64(fd, "promotions") != 1; i++)
		sleep_ms(10);
	EXPECT_EQ(1, fdinfo_u64(fd, "promotions"));
	EXPECT_LE(64, fdinfo_u64(fd, "misses"));
	EXPECT_EQ(0, fdinfo_u64(fd, "amended"));
	EXPECT_EQ(64, fdinfo_u64(fd, "read_entries"));
	EXPECT_EQ(0, fdinfo_u64(fd, "dirty_entries"));
	EXPECT_EQ(0, fdinfo_u64(fd, "dirty_slots"));
	EXPECT_EQ(0, fdinfo_u64(fd, "growing"));

	hits = fdinfo_u64(fd, "hits");
	ASSERT_EQ(64, load_keys(fd, 0, 64));
	EXPECT_EQ(hits + 64, fdinfo_u64(fd, "hits"));

	/* The same numbers as the INFO ioctl, which still carries them. */
	ASSERT_EQ(0, syncmap_info(fd, &info));
	EXPECT_EQ(info.len, fdinfo_u64(fd, "len"));
	EXPECT_EQ(info.hits, fdinfo_u64(fd, "hits"));
	EXPECT_EQ(info.misses, fdinfo_u64(fd, "misses"));
	EXPECT_EQ(info.promotions, fdinfo_u64(fd, "promotions"));
	EXPECT_EQ(info.dirty_rebuilds, fdinfo_u64(fd, "dirty_rebuilds"));
	EXPECT_EQ(info.read_entries, fdinfo_u64(fd, "read_entries"));
	EXPECT_NE(~0ULL, fdinfo_u64(fd, "pooled"));
	EXPECT_NE(~0ULL, fdinfo_u64(fd, "pending_release"));
	EXPECT_NE(~0ULL, fdinfo_u64(fd, "locked_allocs"));
	EXPECT_NE(~0ULL, fdinfo_u64(fd, "expunged"));
	close(fd);
}

/* --- tracepoints --- */

static int tracefs_write(const char *file, const char *s)
{
	char path[256];
	int fd, ret;

	snprintf(path, sizeof(path), TRACEFS "/%s", file);
	fd = open(path, O_WRONLY | O_TRUNC);
	if (fd < 0)
		return -1;
	ret = write(fd, s, strlen(s)) == (ssize_t)strlen(s) ? 0 : -1;
	close(fd);
	return ret;
}

/* tracefs mounted (mounting it if need be): 1, or 0 when there is none. */
static int have_tracefs(void)
{
	if (!access(TRACEFS "/events", F_OK))
		return 1;
	mount("nodev", TRACEFS, "tracefs", 0, NULL);
	return !access(TRACEFS "/events", F_OK);
}

/* The events of map @id in the trace buffer. */
struct trace_seen {
	unsigned int dirty_start, dirty_start_full, dirty_finish_full;
	unsigned int grow_start, grow_finish, grow_bad;
	unsigned int promote_full, clear_full, reclaim, reclaim_values;
	unsigned int lines;
};

static int field(const char *line, const char *name, unsigned long long *v)
{
	char key[32];
	const char *p;

	snprintf(key, sizeof(key), " %s=", name);
	p = strstr(line, key);
	if (!p)
		return 0;
	*v = strtoull(p + strlen(key), NULL, 0);
	return 1;
}

static void trace_scan(unsigned int id, unsigned int n, struct trace_seen *s)
{
	unsigned long long mid, entries, slots, old_slots, len, values, tables;
	unsigned long long wait;
	char line[512];
	const char *ev;
	FILE *f;

	memset(s, 0, sizeof(*s));
	f = fopen(TRACEFS "/trace", "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		/* After the task name, which may start with syncmap_ too. */
		ev = strstr(line, ": syncmap_");
		if (!ev || !field(++ev, "id", &mid) || mid != id)
			continue;
		s->lines++;
		if (!strncmp(ev, " syncmap_dirty_start:", 21) &&
		    field(ev, "entries", &entries) && field(ev, "slots", &slots)) {
			s->dirty_start++;
			if (entries == n && slots > n)
				s->dirty_start_full++;
		} else if (!strncmp(ev, " syncmap_dirty_finish:", 22) &&
			   field(ev, "entries", &entries)) {
			/* The copy plus the new key that started the build. */
			if (entries == n || entries == n + 1)
				s->dirty_finish_full++;
		} else if (!strncmp(ev, " syncmap_grow_start:", 20) &&
			   field(ev, "old_slots", &old_slots) &&
			   field(ev, "slots", &slots) &&
			   field(ev, "entries", &entries)) {
			s->grow_start++;
			if (slots <= old_slots || !entries || entries > n)
				s->grow_bad++;
		} else if (!strncmp(ev, " syncmap_grow_finish:", 21) &&
			   field(ev, "slots", &slots)) {
			s->grow_finish++;
		} else if (!strncmp(ev, " syncmap_promote:", 17) &&
			   field(ev, "entries", &entries) &&
			   field(ev, "misses", &values)) {
			if (entries == n && values >= n)
				s->promote_full++;
		} else if (!strncmp(ev, " syncmap_clear:", 15) &&
			   field(ev, "len", &len)) {
			if (len == n + 1)
				s->clear_full++;
		} else if (!strncmp(ev, " syncmap_reclaim:", 17) &&
			   field(ev, "values", &values) &&
			   field(ev, "tables", &tables) &&
			   field(ev, "wait_ns", &wait)) {
			s->reclaim++;
			if (values && wait)
				s->reclaim_values++;
		}
	}
	fclose(f);
}

/* The syncmap events in the buffer, for a failing test's log. */
static void trace_dump(struct __test_metadata *_metadata)
{
	char line[512];
	int n = 0;
	FILE *f;

	f = fopen(TRACEFS "/trace", "r");
	if (!f)
		return;
	while (n < 100 && fgets(line, sizeof(line), f)) {
		if (!strstr(line, ": syncmap_"))
			continue;
		line[strcspn(line, "\n")] = '\0';
		TH_LOG("%s", line);
		n++;
	}
	fclose(f);
}

/*
 * Drive one named map through every state and find each event, for this
 * map's id, with the sizes the driving implies.
 */
TEST(tracepoints_fire)
{
	struct syncmap_ioc_info info;
	struct trace_seen s;
	char name[64];
	int fd, i;

	if (!have_tracefs())
		SKIP(return, "no tracefs");
	ASSERT_EQ(0, access(TRACEFS "/events/syncmap/enable", W_OK))
		TH_LOG("syncmap is loaded but has no events in tracefs");
	ASSERT_EQ(0, tracefs_write("tracing_on", "0"));
	ASSERT_EQ(0, tracefs_write("trace", ""));
	ASSERT_EQ(0, tracefs_write("events/syncmap/enable", "1"));
	ASSERT_EQ(0, tracefs_write("tracing_on", "1"));

	unique_name(name, sizeof(name), "trace");
	fd = syncmap_create(name, NULL);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, syncmap_info(fd, &info));
	/* A dirty map from scratch, grown several times over. */
	ASSERT_EQ(0, store_keys(fd, 0, NKEYS));
	/* Missing every key promotes it. */
	ASSERT_EQ(NKEYS, load_keys(fd, 0, NKEYS));
	for (i = 0; i < 500; i++) {
		trace_scan(info.id, NKEYS, &s);
		if (s.promote_full)
			break;
		sleep_ms(10);
	}
	/* A new key: a dirty map copied from the NKEYS of the snapshot. */
	ASSERT_EQ(0, store_keys(fd, NKEYS, NKEYS + 1));
	for (i = 0; i < 500; i++) {
		trace_scan(info.id, NKEYS, &s);
		if (s.dirty_finish_full)
			break;
		sleep_ms(10);
	}
	/* Overwritten and cleared values go to the reap work. */
	ASSERT_EQ(0, store_keys(fd, 0, 10));
	ASSERT_EQ(0, syncmap_clear(fd));
	for (i = 0; i < 1000; i++) {
		trace_scan(info.id, NKEYS, &s);
		if (s.clear_full && s.reclaim_values)
			break;
		sleep_ms(10);
	}
	tracefs_write("events/syncmap/enable", "0");
	syncmap_destroy(fd);
	close(fd);

	TH_LOG("id %u: %u events, %u dirty starts, %u growths, %u reclaims",
	       info.id, s.lines, s.dirty_start, s.grow_start, s.reclaim);
	if (!s.dirty_start_full || !s.clear_full || !s.promote_full)
		trace_dump(_metadata);
	EXPECT_LE(2, s.dirty_start);
	EXPECT_EQ(1, s.dirty_start_full);
	EXPECT_LE(1, s.dirty_finish_full);
	EXPECT_LE(1, s.grow_start);
	EXPECT_EQ(0, s.grow_bad);
	EXPECT_LE(1, s.grow_finish);
	EXPECT_EQ(1, s.promote_full);
	EXPECT_EQ(1, s.clear_full);
	EXPECT_LE(1, s.reclaim_values);
}

TEST_HARNESS_MAIN
