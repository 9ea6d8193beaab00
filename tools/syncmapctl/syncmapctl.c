// SPDX-License-Identifier: GPL-2.0
/*
 * syncmapctl - inspect and change syncmap maps through /dev/syncmap.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "libsyncmap.h"

/* Exit status. */
#define EXIT_OK		0
#define EXIT_NOTFOUND	1	/* key or map not found, compare failed */
#define EXIT_USAGE	2
#define EXIT_ERROR	3	/* any other failure, reported with errno text */

#ifndef SYNCMAPCTL_VERSION
#define SYNCMAPCTL_VERSION "unknown"
#endif

static bool json;
static bool pretty;
static bool hex;
/* Where results go: stdout, or a buffer that -p indents at the end. */
static FILE *ofile;

struct buf {
	unsigned char *data;
	size_t len;
};

struct verb {
	const char *name;
	const char *args;
	const char *help;
	int nargs_min;
	int nargs_max;
	int (*fn)(int argc, char **argv);
};

static const struct verb verbs[];

static void usage_verb(FILE *f, const struct verb *v)
{
	fprintf(f, "Usage: syncmapctl [-j] [--hex] %s%s%s\n  %s\n", v->name,
		*v->args ? " " : "", v->args, v->help);
}

static void usage(FILE *f);

static int usage_error(const struct verb *v, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "syncmapctl: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (v)
		usage_verb(stderr, v);
	else
		fprintf(stderr, "Try 'syncmapctl --help'.\n");
	return EXIT_USAGE;
}

/* Print a JSON string: every byte outside printable ASCII as \u00XX. */
static void json_str(const unsigned char *s, size_t len)
{
	size_t i;

	fputc('"', ofile);
	for (i = 0; i < len; i++) {
		if (s[i] == '"' || s[i] == '\\')
			fprintf(ofile, "\\%c", s[i]);
		else if (s[i] < 0x20 || s[i] >= 0x7f)
			fprintf(ofile, "\\u%04x", s[i]);
		else
			fputc(s[i], ofile);
	}
	fputc('"', ofile);
}

static void json_cstr(const char *s)
{
	json_str((const unsigned char *)s, strlen(s));
}

/* Print bytes as the user gave them: hex, or text with \xNN escapes. */
static void print_bytes(const unsigned char *s, size_t len)
{
	size_t i;

	if (hex) {
		for (i = 0; i < len; i++)
			fprintf(ofile, "%02x", s[i]);
		return;
	}
	for (i = 0; i < len; i++) {
		if (s[i] == '\\')
			fputs("\\\\", ofile);
		else if (s[i] < 0x20 || s[i] >= 0x7f)
			fprintf(ofile, "\\x%02x", s[i]);
		else
			fputc(s[i], ofile);
	}
}

/* Bytes in JSON: a hex string with --hex, else a string. */
static void json_bytes(const unsigned char *s, size_t len)
{
	size_t i;

	if (!hex) {
		json_str(s, len);
		return;
	}
	fputc('"', ofile);
	for (i = 0; i < len; i++)
		fprintf(ofile, "%02x", s[i]);
	fputc('"', ofile);
}

static int fail(const char *what, int err)
{
	if (json) {
		fprintf(ofile, "{\"error\":");
		json_cstr(what);
		fprintf(ofile, ",\"errno\":%d,\"message\":", err);
		json_cstr(strerror(err));
		fprintf(ofile, "}\n");
	}
	fprintf(stderr, "syncmapctl: %s: %s\n", what, strerror(err));
	return err == ENOENT ? EXIT_NOTFOUND : EXIT_ERROR;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* An argument as bytes: text as is, or hex with --hex. */
static int parse_bytes(const char *arg, struct buf *b)
{
	size_t n = strlen(arg), i;

	if (!hex) {
		b->data = (unsigned char *)arg;
		b->len = n;
		return 0;
	}
	if (n % 2)
		return -1;
	b->data = malloc(n / 2 + 1);
	if (!b->data)
		return -1;
	for (i = 0; i < n / 2; i++) {
		int hi = hexval(arg[2 * i]), lo = hexval(arg[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		b->data[i] = (unsigned char)(hi << 4 | lo);
	}
	b->len = n / 2;
	return 0;
}

static const struct verb *cur_verb;

static int parse_kv(char **argv, int n, struct buf *out)
{
	int i;

	for (i = 0; i < n; i++)
		if (parse_bytes(argv[i], &out[i]))
			return usage_error(cur_verb, "'%s' is not hex bytes",
					   argv[i]);
	return 0;
}

static int open_map(const char *name, int oflags, int *fd)
{
	char what[128];

	*fd = syncmap_open(name, oflags);
	if (*fd >= 0)
		return 0;
	snprintf(what, sizeof(what), "map '%s'", name);
	return fail(what, errno);
}

static int parse_uint(const char *s, unsigned int *v, int base)
{
	char *end;
	unsigned long x;

	errno = 0;
	x = strtoul(s, &end, base);
	if (errno || !*s || *end || x > 0xffffffffUL || *s == '-')
		return -1;
	*v = (unsigned int)x;
	return 0;
}

static int do_create(int argc, char **argv)
{
	struct syncmap_opts o = { 0 };
	struct syncmap_ioc_info info;
	int fd, i;

	for (i = 1; i < argc; i += 2) {
		unsigned int *field = NULL;
		int base = 10;

		if (i + 1 >= argc)
			return usage_error(cur_verb, "'%s' needs a value",
					   argv[i]);
		if (!strcmp(argv[i], "mode")) {
			field = &o.mode;
			base = 8;
		} else if (!strcmp(argv[i], "entries")) {
			field = &o.max_entries;
		} else if (!strcmp(argv[i], "key-size")) {
			field = &o.max_key_len;
		} else if (!strcmp(argv[i], "value-size")) {
			field = &o.max_value_len;
		}
		if (!field)
			return usage_error(cur_verb, "unknown option '%s'",
					   argv[i]);
		if (parse_uint(argv[i + 1], field, base))
			return usage_error(cur_verb, "bad number '%s'",
					   argv[i + 1]);
	}
	fd = syncmap_create(argv[0], &o);
	if (fd < 0)
		return fail("create", errno);
	if (syncmap_info(fd, &info))
		return fail("info", errno);
	if (json) {
		fprintf(ofile, "{\"name\":");
		json_cstr(info.name);
		fprintf(ofile, ",\"id\":%u,\"mode\":\"%04o\",\"max_entries\":%u,"
		       "\"max_key_len\":%u,\"max_value_len\":%u}\n",
		       info.id, info.mode, info.max_entries, info.max_key_len,
		       info.max_value_len);
	} else {
		fprintf(ofile, "created %s id %u mode %04o\n", info.name, info.id,
		       info.mode);
	}
	close(fd);
	return EXIT_OK;
}

static int do_destroy(int argc, char **argv)
{
	int fd, ret = open_map(argv[0], O_RDWR, &fd);

	if (ret)
		return ret;
	if (syncmap_destroy(fd))
		return fail("destroy", errno);
	close(fd);
	if (json)
		fprintf(ofile, "{\"name\":\"%s\",\"destroyed\":true}\n", argv[0]);
	return EXIT_OK;
}

static int do_clear(int argc, char **argv)
{
	int fd, ret = open_map(argv[0], O_RDWR, &fd);

	if (ret)
		return ret;
	if (syncmap_clear(fd))
		return fail("clear", errno);
	close(fd);
	if (json)
		fprintf(ofile, "{\"name\":\"%s\",\"cleared\":true}\n", argv[0]);
	return EXIT_OK;
}

static int do_show(int argc, char **argv)
{
	struct syncmap_ioc_info i;
	int fd, ret = open_map(argv[0], O_RDONLY, &fd);

	if (ret)
		return ret;
	if (syncmap_info(fd, &i))
		return fail("info", errno);
	close(fd);
	if (json) {
		fprintf(ofile, "{\"name\":");
		json_cstr(i.name);
		fprintf(ofile, ",\"id\":%u,\"uid\":%u,\"mode\":\"%04o\","
		       "\"max_entries\":%u,\"max_key_len\":%u,"
		       "\"max_value_len\":%u,\"len\":%llu,\"stats\":{"
		       "\"read_entries\":%llu,\"dirty_entries\":%llu,"
		       "\"amended\":%llu,\"hits\":%llu,\"misses\":%llu,"
		       "\"promotions\":%llu,\"dirty_rebuilds\":%llu,"
		       "\"expunged\":%llu,\"pending_release\":%llu,"
		       "\"pooled\":%llu}}\n",
		       i.id, i.uid, i.mode, i.max_entries, i.max_key_len,
		       i.max_value_len, (unsigned long long)i.len,
		       (unsigned long long)i.read_entries,
		       (unsigned long long)i.dirty_entries,
		       (unsigned long long)i.amended,
		       (unsigned long long)i.hits,
		       (unsigned long long)i.misses,
		       (unsigned long long)i.promotions,
		       (unsigned long long)i.dirty_rebuilds,
		       (unsigned long long)i.expunged,
		       (unsigned long long)i.pending_release,
		       (unsigned long long)i.pooled);
		return EXIT_OK;
	}
	fprintf(ofile, "name:            %s\n", i.name);
	fprintf(ofile, "id:              %u\n", i.id);
	fprintf(ofile, "uid:             %u\n", i.uid);
	fprintf(ofile, "mode:            %04o\n", i.mode);
	fprintf(ofile, "max_entries:     %u\n", i.max_entries);
	fprintf(ofile, "max_key_len:     %u\n", i.max_key_len);
	fprintf(ofile, "max_value_len:   %u\n", i.max_value_len);
	fprintf(ofile, "len:             %llu\n", (unsigned long long)i.len);
	fprintf(ofile, "read_entries:    %llu\n", (unsigned long long)i.read_entries);
	fprintf(ofile, "dirty_entries:   %llu\n", (unsigned long long)i.dirty_entries);
	fprintf(ofile, "amended:         %llu\n", (unsigned long long)i.amended);
	fprintf(ofile, "hits:            %llu\n", (unsigned long long)i.hits);
	fprintf(ofile, "misses:          %llu\n", (unsigned long long)i.misses);
	fprintf(ofile, "promotions:      %llu\n", (unsigned long long)i.promotions);
	fprintf(ofile, "dirty_rebuilds:  %llu\n", (unsigned long long)i.dirty_rebuilds);
	fprintf(ofile, "expunged:        %llu\n", (unsigned long long)i.expunged);
	fprintf(ofile, "pending_release: %llu\n",
	       (unsigned long long)i.pending_release);
	fprintf(ofile, "pooled:          %llu\n", (unsigned long long)i.pooled);
	return EXIT_OK;
}

static int do_list(int argc, char **argv)
{
	struct syncmap_list_entry e[64];
	unsigned int id = 0;
	int fd, n, i, first = 1;

	fd = syncmap_dev_open(O_RDONLY);
	if (fd < 0)
		return fail("open device", errno);
	if (json)
		fprintf(ofile, "[");
	else
		fprintf(ofile, "%-6s %-32s %-6s %-5s %10s %10s\n", "ID", "NAME", "UID",
		       "MODE", "LEN", "MAX");
	do {
		n = syncmap_list(fd, e, 64, &id);
		if (n < 0) {
			if (json)
				fprintf(ofile, "]\n");
			return fail("list", errno);
		}
		for (i = 0; i < n; i++) {
			if (json) {
				fprintf(ofile, "%s{\"id\":%u,\"name\":", first ? "" : ",",
				       e[i].id);
				json_cstr(e[i].name);
				fprintf(ofile, ",\"uid\":%u,\"mode\":\"%04o\",\"len\":%llu,"
				       "\"max_entries\":%u,\"max_key_len\":%u,"
				       "\"max_value_len\":%u}", e[i].uid,
				       e[i].mode, (unsigned long long)e[i].len,
				       e[i].max_entries, e[i].max_key_len,
				       e[i].max_value_len);
			} else {
				fprintf(ofile, "%-6u %-32s %-6u %04o  %10llu %10u\n",
				       e[i].id, e[i].name, e[i].uid, e[i].mode,
				       (unsigned long long)e[i].len,
				       e[i].max_entries);
			}
			first = 0;
		}
	} while (id);
	if (json)
		fprintf(ofile, "]\n");
	close(fd);
	return EXIT_OK;
}

/*
 * Run one operation with a growing output buffer: a too-small buffer
 * fails with ERANGE and the map unchanged, so a retry is safe.
 */
static int run_op(int fd, unsigned int code, struct buf *key,
		  struct buf *val, struct buf *old, struct buf *out)
{
	size_t cap = 4096, len;
	int ret;

	for (;;) {
		unsigned char *p = realloc(out->data, cap ? cap : 1);

		if (!p)
			return -1;
		out->data = p;
		len = cap;
		switch (code) {
		case SYNCMAP_OP_LOAD:
			ret = syncmap_load(fd, key->data, key->len, p, &len);
			break;
		case SYNCMAP_OP_STORE:
			ret = syncmap_store(fd, key->data, key->len, val->data,
					    val->len);
			break;
		case SYNCMAP_OP_LOAD_OR_STORE:
			ret = syncmap_load_or_store(fd, key->data, key->len,
						    val->data, val->len, p,
						    &len);
			break;
		case SYNCMAP_OP_LOAD_AND_DELETE:
			ret = syncmap_load_and_delete(fd, key->data, key->len,
						      p, &len);
			break;
		case SYNCMAP_OP_DELETE:
			ret = syncmap_delete(fd, key->data, key->len);
			break;
		case SYNCMAP_OP_SWAP:
			ret = syncmap_swap(fd, key->data, key->len, val->data,
					   val->len, p, &len);
			break;
		case SYNCMAP_OP_COMPARE_AND_SWAP:
			ret = syncmap_compare_and_swap(fd, key->data, key->len,
						       old->data, old->len,
						       val->data, val->len);
			break;
		default:
			ret = syncmap_compare_and_delete(fd, key->data,
							 key->len, old->data,
							 old->len);
			break;
		}
		if (ret >= 0 || errno != ERANGE)
			break;
		cap = len;
	}
	out->len = ret > 0 ? len : 0;
	return ret;
}

struct op_desc {
	const char *verb;
	unsigned int code;
	int nvals;		/* arguments after the key */
	const char *yes;	/* JSON field / word for result 1 */
	const char *no;		/* word for result 0 */
	bool returns_value;
	bool zero_is_notfound;	/* exit 1 when the result is 0 */
};

static const struct op_desc ops[] = {
	{ "load", SYNCMAP_OP_LOAD, 0, "found", "not found", true, true },
	{ "store", SYNCMAP_OP_STORE, 1, NULL, "stored", false, false },
	{ "load-or-store", SYNCMAP_OP_LOAD_OR_STORE, 1, "loaded", "stored",
	  true, false },
	{ "load-and-delete", SYNCMAP_OP_LOAD_AND_DELETE, 0, "deleted",
	  "not found", true, true },
	{ "delete", SYNCMAP_OP_DELETE, 0, "deleted", "not found", false,
	  true },
	{ "swap", SYNCMAP_OP_SWAP, 1, "replaced", "inserted", true, false },
	{ "cas", SYNCMAP_OP_COMPARE_AND_SWAP, 2, "swapped", "compare failed",
	  false, true },
	{ "cad", SYNCMAP_OP_COMPARE_AND_DELETE, 1, "deleted",
	  "compare failed", false, true },
};

static const struct op_desc *find_op(const char *verb)
{
	size_t i;

	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (!strcmp(ops[i].verb, verb))
			return &ops[i];
	return NULL;
}

/* Run @d on @fd with @args (key, then values); prints the outcome. */
static int exec_op(int fd, const struct op_desc *d, struct buf *args,
		   bool in_batch)
{
	struct buf out = { 0 }, *val = NULL, *old = NULL;
	int ret;

	if (d->code == SYNCMAP_OP_COMPARE_AND_SWAP) {
		old = &args[1];
		val = &args[2];
	} else if (d->code == SYNCMAP_OP_COMPARE_AND_DELETE) {
		old = &args[1];
	} else if (d->nvals) {
		val = &args[1];
	}
	ret = run_op(fd, d->code, &args[0], val, old, &out);
	if (ret < 0) {
		int err = errno;

		if (json) {
			fprintf(ofile, "{\"op\":\"%s\",\"key\":", d->verb);
			json_bytes(args[0].data, args[0].len);
			fprintf(ofile, ",\"errno\":%d,\"error\":", err);
			json_cstr(strerror(err));
			fprintf(ofile, "}%s", in_batch ? "" : "\n");
		} else {
			if (in_batch) {
				fprintf(ofile, "%s ", d->verb);
				print_bytes(args[0].data, args[0].len);
				fprintf(ofile, ": error: %s\n", strerror(err));
			}
		}
		if (!in_batch)
			fprintf(stderr, "syncmapctl: %s: %s\n", d->verb,
				strerror(err));
		free(out.data);
		return EXIT_ERROR;
	}
	if (json) {
		fprintf(ofile, "{\"op\":\"%s\",\"key\":", d->verb);
		json_bytes(args[0].data, args[0].len);
		if (d->yes)
			fprintf(ofile, ",\"%s\":%s", d->yes, ret ? "true" : "false");
		else
			fprintf(ofile, ",\"stored\":true");
		if (d->returns_value && ret) {
			fprintf(ofile, ",\"value\":");
			json_bytes(out.data, out.len);
		}
		fprintf(ofile, "}%s", in_batch ? "" : "\n");
	} else if (in_batch) {
		fprintf(ofile, "%s ", d->verb);
		print_bytes(args[0].data, args[0].len);
		fprintf(ofile, ": %s", ret ? (d->yes ? d->yes : "") : d->no);
		if (d->returns_value && ret) {
			fprintf(ofile, " ");
			print_bytes(out.data, out.len);
		}
		fprintf(ofile, "\n");
	} else if (d->returns_value && ret &&
		   d->code != SYNCMAP_OP_SWAP &&
		   d->code != SYNCMAP_OP_LOAD_OR_STORE) {
		print_bytes(out.data, out.len);
		fprintf(ofile, "\n");
	} else if (d->returns_value && ret) {
		fprintf(ofile, "%s: ", d->yes);
		print_bytes(out.data, out.len);
		fprintf(ofile, "\n");
	} else if (d->code != SYNCMAP_OP_STORE) {
		if (ret || !d->zero_is_notfound)
			fprintf(ofile, "%s\n", ret ? d->yes : d->no);
		else
			fprintf(stderr, "syncmapctl: %s\n", d->no);
	}
	free(out.data);
	return !ret && d->zero_is_notfound ? EXIT_NOTFOUND : EXIT_OK;
}

static int do_op(int argc, char **argv)
{
	const struct op_desc *d = find_op(cur_verb->name);
	struct buf args[3];
	int fd, ret;

	ret = parse_kv(argv + 1, argc - 1, args);
	if (ret)
		return ret;
	ret = open_map(argv[0], d->code == SYNCMAP_OP_LOAD ? O_RDONLY : O_RDWR,
		       &fd);
	if (ret)
		return ret;
	ret = exec_op(fd, d, args, false);
	close(fd);
	return ret;
}

static int do_dump(int argc, char **argv)
{
	struct syncmap_iter *it;
	const void *k, *v;
	size_t kl, vl;
	int fd, ret, first = 1;

	ret = open_map(argv[0], O_RDONLY, &fd);
	if (ret)
		return ret;
	it = syncmap_iter_new(fd, 0);
	if (!it)
		return fail("dump", errno);
	if (json)
		fprintf(ofile, "[");
	while ((ret = syncmap_iter_next(it, &k, &kl, &v, &vl)) == 1) {
		if (json) {
			fprintf(ofile, "%s{\"key\":", first ? "" : ",");
			json_bytes(k, kl);
			fprintf(ofile, ",\"value\":");
			json_bytes(v, vl);
			fprintf(ofile, "}");
		} else {
			print_bytes(k, kl);
			fprintf(ofile, "\t");
			print_bytes(v, vl);
			fprintf(ofile, "\n");
		}
		first = 0;
	}
	if (json)
		fprintf(ofile, "]\n");
	syncmap_iter_free(it);
	close(fd);
	return ret < 0 ? fail("dump", errno) : EXIT_OK;
}

/* Split @line into at most @max whitespace-separated words. */
static int split(char *line, char **words, int max)
{
	int n = 0;
	char *save, *w;

	for (w = strtok_r(line, " \t\r\n", &save); w;
	     w = strtok_r(NULL, " \t\r\n", &save)) {
		if (n == max)
			return -1;
		words[n++] = w;
	}
	return n;
}

static int do_batch(int argc, char **argv)
{
	char *line = NULL, *words[5];
	size_t cap = 0;
	int fd, ret, rc = EXIT_OK, n, lineno = 0, first = 1;
	struct buf args[3];

	ret = open_map(argv[0], O_RDWR, &fd);
	if (ret)
		return ret;
	if (json)
		fprintf(ofile, "[");
	while (getline(&line, &cap, stdin) >= 0) {
		const struct op_desc *d;

		lineno++;
		if (line[0] == '#')
			continue;
		n = split(line, words, 5);
		if (!n)
			continue;
		d = n > 0 ? find_op(words[0]) : NULL;
		if (!d || n != 2 + d->nvals ||
		    parse_kv(words + 1, n - 1, args)) {
			if (json)
				fprintf(ofile, "]\n");
			fprintf(stderr, "syncmapctl: batch: line %d: bad operation\n",
				lineno);
			free(line);
			close(fd);
			return EXIT_USAGE;
		}
		if (json && !first)
			fprintf(ofile, ",");
		first = 0;
		ret = exec_op(fd, d, args, true);
		if (ret == EXIT_ERROR)
			rc = EXIT_ERROR;
	}
	if (json)
		fprintf(ofile, "]\n");
	free(line);
	close(fd);
	return rc;
}

static int do_help(int argc, char **argv);

static const struct verb verbs[] = {
	{ "create", "NAME [mode OCTAL] [entries N] [key-size N] [value-size N]",
	  "Create a named map that persists until destroyed.", 1, 9,
	  do_create },
	{ "destroy", "NAME", "Remove a map's name; open users keep it.", 1, 1,
	  do_destroy },
	{ "list", "", "List the maps you may read.", 0, 0, do_list },
	{ "show", "NAME", "Show a map's identity, limits and counters.", 1, 1,
	  do_show },
	{ "load", "NAME KEY", "Print the value of KEY (exit 1: not found).", 2,
	  2, do_op },
	{ "store", "NAME KEY VALUE", "Set KEY to VALUE.", 3, 3, do_op },
	{ "load-or-store", "NAME KEY VALUE",
	  "Print the value of KEY, or store VALUE if KEY is absent.", 3, 3,
	  do_op },
	{ "delete", "NAME KEY", "Delete KEY (exit 1: not found).", 2, 2,
	  do_op },
	{ "load-and-delete", "NAME KEY",
	  "Delete KEY and print its value (exit 1: not found).", 2, 2, do_op },
	{ "swap", "NAME KEY VALUE",
	  "Set KEY to VALUE and print the previous value, if any.", 3, 3,
	  do_op },
	{ "cas", "NAME KEY OLD NEW",
	  "Set KEY to NEW if its value is OLD (exit 1: compare failed).", 4, 4,
	  do_op },
	{ "cad", "NAME KEY OLD",
	  "Delete KEY if its value is OLD (exit 1: compare failed).", 3, 3,
	  do_op },
	{ "clear", "NAME", "Delete every key.", 1, 1, do_clear },
	{ "dump", "NAME", "Print every key and value (KEY<TAB>VALUE).", 1, 1,
	  do_dump },
	{ "batch", "NAME",
	  "Run operations read from stdin, one per line: VERB KEY [VALUE...]\n"
	  "  with VERB one of load, store, load-or-store, delete,\n"
	  "  load-and-delete, swap, cas, cad (same arguments as the verbs).\n"
	  "  Lines starting with # are skipped.  Exit 3 if any failed.", 1, 1,
	  do_batch },
	{ "help", "[VERB]", "Show help on all verbs or one.", 0, 1, do_help },
	{ NULL, NULL, NULL, 0, 0, NULL },
};

/*
 * Indent the compact JSON the verbs print (-p), four spaces a level, one
 * member or element a line; "{}" and "[]" stay as they are.  The input
 * is well-formed: only strings need care.
 */
static void json_pretty(const char *s, size_t len, FILE *f)
{
	bool in_str = false, esc = false;
	int depth = 0;
	size_t i;

	for (i = 0; i < len; i++) {
		char c = s[i];

		if (in_str) {
			fputc(c, f);
			if (esc)
				esc = false;
			else if (c == '\\')
				esc = true;
			else if (c == '"')
				in_str = false;
			continue;
		}
		switch (c) {
		case '"':
			in_str = true;
			fputc(c, f);
			break;
		case '{':
		case '[':
			fputc(c, f);
			if (i + 1 < len && (s[i + 1] == '}' || s[i + 1] == ']')) {
				fputc(s[++i], f);
				break;
			}
			fprintf(f, "\n%*s", 4 * ++depth, "");
			break;
		case '}':
		case ']':
			fprintf(f, "\n%*s%c", 4 * --depth, "", c);
			break;
		case ',':
			fprintf(f, ",\n%*s", 4 * depth, "");
			break;
		case ':':
			fputs(": ", f);
			break;
		default:
			fputc(c, f);
		}
	}
}

static void usage(FILE *f)
{
	const struct verb *v;

	fprintf(f,
		"Usage: syncmapctl [OPTIONS] VERB [ARGS...]\n"
		"\n"
		"Inspect and change syncmap maps through /dev/syncmap.\n"
		"\n"
		"Options:\n"
		"  -j, --json     print JSON\n"
		"  -p, --pretty   print JSON, indented (implies -j)\n"
		"  -x, --hex      keys and values are hex bytes, in and out\n"
		"  -h, --help     this help; VERB --help for one verb\n"
		"  -V, --version  print the version\n"
		"  --             end of options (for values starting with -)\n"
		"\n"
		"Verbs (any unambiguous prefix will do, e.g. \"cr\" for create):\n");
	for (v = verbs; v->name; v++)
		fprintf(f, "  %-16s %s\n", v->name, v->args);
	fprintf(f,
		"\n"
		"Keys and values are text, or hex bytes with --hex.  Text\n"
		"output shows bytes outside printable ASCII as \\xNN.\n"
		"\n"
		"Exit status:\n"
		"  0  success\n"
		"  1  not found (key or map) or compare failed\n"
		"  2  usage error\n"
		"  3  other failure (the error is printed)\n"
		"\n"
		"The device is /dev/syncmap, or $SYNCMAP_DEVICE.\n");
}

/*
 * The verb @name names exactly or is the only verb to start with, as in
 * bpftool.  An ambiguous prefix is a usage error that lists the verbs it
 * could mean.  NULL when none, with the error printed.
 */
static const struct verb *find_verb(const char *name)
{
	const struct verb *v, *match = NULL;
	size_t n = strlen(name);
	int count = 0;

	for (v = verbs; v->name; v++) {
		if (!strcmp(v->name, name))
			return v;
		if (n && !strncmp(v->name, name, n)) {
			match = v;
			count++;
		}
	}
	if (count == 1)
		return match;
	if (!count) {
		usage_error(NULL, "unknown verb '%s'", name);
		return NULL;
	}
	fprintf(stderr, "syncmapctl: ambiguous verb '%s', could be:", name);
	for (v = verbs; v->name; v++)
		if (!strncmp(v->name, name, n))
			fprintf(stderr, " %s", v->name);
	fprintf(stderr, "\nTry 'syncmapctl --help'.\n");
	return NULL;
}

static int do_help(int argc, char **argv)
{
	const struct verb *v;

	if (!argc) {
		usage(stdout);
		return EXIT_OK;
	}
	v = find_verb(argv[0]);
	if (!v)
		return EXIT_USAGE;
	usage_verb(stdout, v);
	return EXIT_OK;
}

static const struct option long_opts[] = {
	{ "json", no_argument, NULL, 'j' },
	{ "pretty", no_argument, NULL, 'p' },
	{ "hex", no_argument, NULL, 'x' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

/* Run @v; with -p its JSON is collected, then printed indented. */
static int run_verb(const struct verb *v, int argc, char **argv)
{
	char *buf = NULL;
	size_t len = 0;
	int ret;

	ofile = pretty ? open_memstream(&buf, &len) : stdout;
	if (!ofile) {
		perror("syncmapctl");
		return EXIT_ERROR;
	}
	ret = v->fn(argc, argv);
	if (pretty) {
		fclose(ofile);
		json_pretty(buf, len, stdout);
		free(buf);
	}
	if (fflush(stdout) || ferror(stdout)) {
		perror("syncmapctl: stdout");
		return EXIT_ERROR;
	}
	return ret;
}

/*
 * Options may come anywhere (GNU getopt permutes), "--" ends them, so
 * keys and values may start with "-".
 */
int main(int argc, char **argv)
{
	bool help = false;
	const struct verb *v;
	int c, n;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "jpxhV", long_opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			pretty = true;
			/* fall through */
		case 'j':
			json = true;
			break;
		case 'x':
			hex = true;
			break;
		case 'h':
			help = true;
			break;
		case 'V':
			printf("syncmapctl %s\n", SYNCMAPCTL_VERSION);
			return EXIT_OK;
		default:
			if (optopt)
				return usage_error(NULL, "unknown option '-%c'",
						   optopt);
			return usage_error(NULL, "unknown option '%s'",
					   argv[optind - 1]);
		}
	}
	n = argc - optind;
	argv += optind;
	if (!n) {
		if (help) {
			usage(stdout);
			return EXIT_OK;
		}
		return usage_error(NULL, "no verb given");
	}
	v = find_verb(argv[0]);
	if (!v)
		return EXIT_USAGE;
	cur_verb = v;
	if (help) {
		usage_verb(stdout, v);
		return EXIT_OK;
	}
	if (n - 1 < v->nargs_min || n - 1 > v->nargs_max)
		return usage_error(v, "wrong number of arguments");
	return run_verb(v, n - 1, argv + 1);
}
