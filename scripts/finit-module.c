// SPDX-License-Identifier: GPL-2.0
/*
 * finit-module: load a kernel module with exactly one finit_module() call.
 *
 * busybox's insmod falls back to init_module() whenever finit_module()
 * fails, for any reason, so a module whose init fails on purpose runs a
 * second time: syncmap_torture.ko, which returns -EIO when the test
 * fails, would torture the map twice and print two result lines.
 *
 * Usage: finit-module FILE [PARAM=VALUE...]
 * Exit status: 0 when the module loaded, 1 when it did not (the error on
 * stderr, as insmod prints it), 2 for bad usage.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	size_t len = 1;
	char *params;
	int fd, i;

	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE [PARAM=VALUE...]\n", argv[0]);
		return 2;
	}
	for (i = 2; i < argc; i++)
		len += strlen(argv[i]) + 1;
	params = calloc(1, len);
	if (!params) {
		perror("finit-module");
		return 1;
	}
	for (i = 2; i < argc; i++) {
		if (i > 2)
			strcat(params, " ");
		strcat(params, argv[i]);
	}
	fd = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "finit-module: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	if (syscall(SYS_finit_module, fd, params, 0)) {
		fprintf(stderr, "finit-module: can't insert '%s': %s\n", argv[1],
			strerror(errno));
		return 1;
	}
	return 0;
}
