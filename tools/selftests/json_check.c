// SPDX-License-Identifier: GPL-2.0
/*
 * json_check - a strict JSON (RFC 8259) validator for the CLI tests, which
 * run where no other JSON parser exists (a busybox guest).
 *
 * Reads stdin and exits 0 when it holds exactly one JSON value (with
 * optional surrounding whitespace), 1 otherwise, naming the offset of the
 * first error on stderr.  With -t TYPE, also checks the top-level type:
 * object, array, string, number, true, false or null.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 64

static const unsigned char *s;
static size_t pos, len;

static int fail(const char *why)
{
	fprintf(stderr, "json_check: %s at offset %zu\n", why, pos);
	return -1;
}

static void ws(void)
{
	while (pos < len && (s[pos] == ' ' || s[pos] == '\t' ||
			     s[pos] == '\n' || s[pos] == '\r'))
		pos++;
}

static int value(int depth);

static int lit(const char *word)
{
	size_t n = strlen(word);

	if (len - pos < n || memcmp(s + pos, word, n))
		return fail("bad literal");
	pos += n;
	return 0;
}

static int hex4(void)
{
	int i;

	for (i = 0; i < 4; i++, pos++) {
		if (pos >= len || !strchr("0123456789abcdefABCDEF", s[pos]) ||
		    !s[pos])
			return fail("bad \\u escape");
	}
	return 0;
}

/* One UTF-8 sequence starting at pos (already known to be >= 0x80). */
static int utf8(void)
{
	unsigned char c = s[pos];
	unsigned int cp, n, i, min;

	if (c >= 0xc2 && c <= 0xdf) {
		n = 1; cp = c & 0x1f; min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 2; cp = c & 0x0f; min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 3; cp = c & 0x07; min = 0x10000;
	} else {
		return fail("bad UTF-8");
	}
	for (i = 1; i <= n; i++) {
		if (pos + i >= len || (s[pos + i] & 0xc0) != 0x80)
			return fail("bad UTF-8");
		cp = cp << 6 | (s[pos + i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return fail("bad UTF-8");
	pos += n + 1;
	return 0;
}

static int string(void)
{
	pos++;	/* opening quote */
	for (;;) {
		if (pos >= len)
			return fail("unterminated string");
		if (s[pos] == '"') {
			pos++;
			return 0;
		}
		if (s[pos] < 0x20)
			return fail("control character in string");
		if (s[pos] == '\\') {
			pos++;
			if (pos >= len)
				return fail("unterminated escape");
			if (s[pos] == 'u') {
				pos++;
				if (hex4())
					return -1;
			} else if (strchr("\"\\/bfnrt", s[pos]) && s[pos]) {
				pos++;
			} else {
				return fail("bad escape");
			}
		} else if (s[pos] >= 0x80) {
			if (utf8())
				return -1;
		} else {
			pos++;
		}
	}
}

static int digits(void)
{
	size_t start = pos;

	while (pos < len && s[pos] >= '0' && s[pos] <= '9')
		pos++;
	return pos > start ? 0 : fail("digit expected");
}

static int number(void)
{
	if (s[pos] == '-')
		pos++;
	if (pos < len && s[pos] == '0')
		pos++;
	else if (digits())
		return -1;
	if (pos < len && s[pos] == '.') {
		pos++;
		if (digits())
			return -1;
	}
	if (pos < len && (s[pos] == 'e' || s[pos] == 'E')) {
		pos++;
		if (pos < len && (s[pos] == '+' || s[pos] == '-'))
			pos++;
		if (digits())
			return -1;
	}
	return 0;
}

static int container(int depth, char close)
{
	if (depth > MAX_DEPTH)
		return fail("too deep");
	pos++;
	ws();
	if (pos < len && s[pos] == close) {
		pos++;
		return 0;
	}
	for (;;) {
		ws();
		if (close == '}') {
			if (pos >= len || s[pos] != '"')
				return fail("object key expected");
			if (string())
				return -1;
			ws();
			if (pos >= len || s[pos] != ':')
				return fail("':' expected");
			pos++;
		}
		if (value(depth + 1))
			return -1;
		ws();
		if (pos < len && s[pos] == ',') {
			pos++;
			continue;
		}
		if (pos < len && s[pos] == close) {
			pos++;
			return 0;
		}
		return fail("',' or end of container expected");
	}
}

static int value(int depth)
{
	ws();
	if (pos >= len)
		return fail("value expected");
	switch (s[pos]) {
	case '{':
		return container(depth, '}');
	case '[':
		return container(depth, ']');
	case '"':
		return string();
	case 't':
		return lit("true");
	case 'f':
		return lit("false");
	case 'n':
		return lit("null");
	default:
		if (s[pos] == '-' || (s[pos] >= '0' && s[pos] <= '9'))
			return number();
		return fail("unexpected character");
	}
}

static const char *type_of(unsigned char c)
{
	switch (c) {
	case '{': return "object";
	case '[': return "array";
	case '"': return "string";
	case 't': return "true";
	case 'f': return "false";
	case 'n': return "null";
	default: return "number";
	}
}

int main(int argc, char **argv)
{
	static unsigned char buf[1 << 24];
	const char *want = NULL;
	size_t start;

	if (argc == 3 && !strcmp(argv[1], "-t"))
		want = argv[2];
	else if (argc != 1) {
		fprintf(stderr, "usage: json_check [-t TYPE] < FILE\n");
		return 2;
	}
	len = fread(buf, 1, sizeof(buf), stdin);
	if (len == sizeof(buf)) {
		fprintf(stderr, "json_check: input too large\n");
		return 1;
	}
	s = buf;
	ws();
	start = pos;
	if (value(0))
		return 1;
	ws();
	if (pos != len) {
		fail("trailing data");
		return 1;
	}
	if (want && strcmp(want, type_of(s[start]))) {
		fprintf(stderr, "json_check: top level is %s, not %s\n",
			type_of(s[start]), want);
		return 1;
	}
	return 0;
}
