// SPDX-License-Identifier: GPL-2.0
/*
 * syncmap_ioctl_bench - the cost of one /dev/syncmap ioctl against the bpf(2)
 * map syscalls on the same kernel, measured side by side in one run:
 *
 *   P6  one Load ioctl vs BPF_MAP_LOOKUP_ELEM on a BPF hash map
 *   P7  operations per second of SYNCMAP_IOC_BATCH vs BPF_MAP_*_BATCH
 *
 * Prints ns/op for each and the ratios.  Not a test: the numbers depend on
 * the machine (and under QEMU TCG on the emulator), the ratios less so.
 * Needs root (BPF map creation).
 *
 * Usage: syncmap_ioctl_bench [-n ITERATIONS] [-k KEYS] [-b BATCH]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "libsyncmap.h"

#define KEY_LEN	16
#define VAL_LEN	64

static double now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e9 + t.tv_nsec;
}

static long bpf(int cmd, union bpf_attr *attr)
{
	return syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

static void make_key(unsigned char *k, unsigned int i)
{
	memset(k, 0, KEY_LEN);
	snprintf((char *)k, KEY_LEN, "key%08u", i);
}

int main(int argc, char **argv)
{
	unsigned int iters = 200000, nkeys = 1024, batch = 256, i, j;
	unsigned char val[VAL_LEN], out[VAL_LEN];
	unsigned char *keys, *vals;
	struct syncmap_ioc_op *ops;
	struct syncmap_opts o = { .max_entries = 1 << 20 };
	union bpf_attr attr;
	double t0, sm_load, bpf_load, sm_store, bpf_store, sm_bload, bpf_bload;
	size_t len;
	int fd, mfd, c;

	while ((c = getopt(argc, argv, "n:k:b:")) != -1) {
		switch (c) {
		case 'n':
			iters = strtoul(optarg, NULL, 0);
			break;
		case 'k':
			nkeys = strtoul(optarg, NULL, 0);
			break;
		case 'b':
			batch = strtoul(optarg, NULL, 0);
			break;
		default:
			fprintf(stderr, "usage: %s [-n ITERATIONS] [-k KEYS] [-b BATCH]\n",
				argv[0]);
			return 2;
		}
	}
	if (!nkeys || !batch || batch > SYNCMAP_BATCH_MAX || batch > nkeys) {
		fprintf(stderr, "syncmap_ioctl_bench: need 0 < BATCH <= KEYS, BATCH <= %u\n",
			SYNCMAP_BATCH_MAX);
		return 2;
	}
	keys = calloc(nkeys, KEY_LEN);
	vals = calloc(nkeys, VAL_LEN);
	ops = calloc(batch, sizeof(*ops));
	if (!keys || !vals || !ops)
		return 1;
	for (i = 0; i < nkeys; i++) {
		make_key(keys + (size_t)i * KEY_LEN, i);
		memset(vals + (size_t)i * VAL_LEN, 'a' + i % 26, VAL_LEN);
	}
	memset(val, 'v', sizeof(val));

	fd = syncmap_create(NULL, &o);
	if (fd < 0) {
		perror("syncmap_ioctl_bench: create");
		return 1;
	}
	memset(&attr, 0, sizeof(attr));
	attr.map_type = BPF_MAP_TYPE_HASH;
	attr.key_size = KEY_LEN;
	attr.value_size = VAL_LEN;
	attr.max_entries = nkeys;
	mfd = (int)bpf(BPF_MAP_CREATE, &attr);
	if (mfd < 0) {
		perror("syncmap_ioctl_bench: BPF_MAP_CREATE");
		return 1;
	}
	for (i = 0; i < nkeys; i++) {
		if (syncmap_store(fd, keys + (size_t)i * KEY_LEN, KEY_LEN,
				  vals + (size_t)i * VAL_LEN, VAL_LEN))
			return 1;
		memset(&attr, 0, sizeof(attr));
		attr.map_fd = mfd;
		attr.key = (uintptr_t)(keys + (size_t)i * KEY_LEN);
		attr.value = (uintptr_t)(vals + (size_t)i * VAL_LEN);
		if (bpf(BPF_MAP_UPDATE_ELEM, &attr))
			return 1;
	}
	/* Warm up, then let the read snapshot settle (promotion on misses). */
	for (i = 0; i < 4 * nkeys; i++) {
		len = sizeof(out);
		syncmap_load(fd, keys + (size_t)(i % nkeys) * KEY_LEN, KEY_LEN,
			     out, &len);
	}

	/* P6: single lookups, hits. */
	t0 = now_ns();
	for (i = 0; i < iters; i++) {
		len = sizeof(out);
		if (syncmap_load(fd, keys + (size_t)(i % nkeys) * KEY_LEN,
				 KEY_LEN, out, &len) != 1)
			return 1;
	}
	sm_load = (now_ns() - t0) / iters;
	t0 = now_ns();
	for (i = 0; i < iters; i++) {
		memset(&attr, 0, sizeof(attr));
		attr.map_fd = mfd;
		attr.key = (uintptr_t)(keys + (size_t)(i % nkeys) * KEY_LEN);
		attr.value = (uintptr_t)out;
		if (bpf(BPF_MAP_LOOKUP_ELEM, &attr))
			return 1;
	}
	bpf_load = (now_ns() - t0) / iters;

	/* P7: batches of stores (overwrites) and of lookups. */
	t0 = now_ns();
	for (i = 0; i < iters / batch; i++) {
		unsigned int base = (i * batch) % (nkeys - batch + 1);

		for (j = 0; j < batch; j++)
			syncmap_op_init(&ops[j], SYNCMAP_OP_STORE,
					keys + (size_t)(base + j) * KEY_LEN,
					KEY_LEN, val, VAL_LEN, NULL, 0, NULL, 0);
		if (syncmap_batch(fd, ops, batch, 0) != (int)batch)
			return 1;
	}
	sm_store = (now_ns() - t0) / ((double)(iters / batch) * batch);
	t0 = now_ns();
	for (i = 0; i < iters / batch; i++) {
		unsigned int base = (i * batch) % (nkeys - batch + 1);
		__u32 count = batch;

		memset(&attr, 0, sizeof(attr));
		attr.batch.map_fd = mfd;
		attr.batch.keys = (uintptr_t)(keys + (size_t)base * KEY_LEN);
		attr.batch.values = (uintptr_t)(vals + (size_t)base * VAL_LEN);
		attr.batch.count = count;
		if (bpf(BPF_MAP_UPDATE_BATCH, &attr) || attr.batch.count != batch) {
			perror("syncmap_ioctl_bench: BPF_MAP_UPDATE_BATCH");
			return 1;
		}
	}
	bpf_store = (now_ns() - t0) / ((double)(iters / batch) * batch);

	t0 = now_ns();
	for (i = 0; i < iters / batch; i++) {
		unsigned int base = (i * batch) % (nkeys - batch + 1);

		for (j = 0; j < batch; j++)
			syncmap_op_init(&ops[j], SYNCMAP_OP_LOAD,
					keys + (size_t)(base + j) * KEY_LEN,
					KEY_LEN, NULL, 0, NULL, 0,
					vals + (size_t)j * VAL_LEN, VAL_LEN);
		if (syncmap_batch(fd, ops, batch, 0) != (int)batch)
			return 1;
	}
	sm_bload = (now_ns() - t0) / ((double)(iters / batch) * batch);
	/* BPF has no batch of lookups by key: its lookup batch walks the map. */
	t0 = now_ns();
	{
		unsigned long done = 0, target = (unsigned long)(iters / batch) * batch;
		__u64 token = 0;
		int first, err;
		long r;

		while (done < target) {
			for (first = 1;; first = 0) {
				memset(&attr, 0, sizeof(attr));
				attr.batch.map_fd = mfd;
				attr.batch.in_batch = first ? 0 : (uintptr_t)&token;
				attr.batch.out_batch = (uintptr_t)&token;
				attr.batch.keys = (uintptr_t)keys;
				attr.batch.values = (uintptr_t)vals;
				attr.batch.count = batch;
				r = bpf(BPF_MAP_LOOKUP_BATCH, &attr);
				err = errno;
				if (r && err != ENOENT) {
					perror("syncmap_ioctl_bench: BPF_MAP_LOOKUP_BATCH");
					return 1;
				}
				done += attr.batch.count;
				if (r)	/* ENOENT: the end of the map */
					break;
			}
		}
		bpf_bload = (now_ns() - t0) / (double)done;
	}

	printf("syncmap_ioctl_bench: %u keys of %d bytes, values of %d bytes, %u iterations, batches of %u\n",
	       nkeys, KEY_LEN, VAL_LEN, iters, batch);
	printf("P6 load, one ioctl:        syncmap %8.0f ns  bpf lookup %8.0f ns  ratio %.2f (target <= 1.0)\n",
	       sm_load, bpf_load, sm_load / bpf_load);
	printf("P7 batched stores:         syncmap %8.1f ns/op  bpf update batch %8.1f ns/op  ops/s ratio %.2f (target >= 1.5)\n",
	       sm_store, bpf_store, bpf_store / sm_store);
	printf("P7 batched loads:          syncmap %8.1f ns/op  bpf lookup batch %8.1f ns/op  ops/s ratio %.2f (target >= 1.5)\n",
	       sm_bload, bpf_bload, bpf_bload / sm_bload);
	close(mfd);
	close(fd);
	free(keys);
	free(vals);
	free(ops);
	return 0;
}
