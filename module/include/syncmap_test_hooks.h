/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Test hooks of the syncmap core, for the KUnit suites only: a hook runs
 * at one point of a lock-free path, so that a test can hold a race window
 * open as long as it likes and make an interleaving happen every time.
 * They exist only in kernels with KUnit; nothing else may use them.
 */
#ifndef _SYNCMAP_TEST_HOOKS_H
#define _SYNCMAP_TEST_HOOKS_H

struct syncmap;

/**
 * struct syncmap_test_hooks - where a test may step into a map's code
 * @load_between_probes: called by a lock-free syncmap_load() of a key
 *	that missed in a growing dirty map, before it probes the table that
 *	map grows out of; inside the caller's read section (sleepable under
 *	syncmap_read_lock(), where a hook may call the map's writers)
 * @arg: passed to every hook
 */
struct syncmap_test_hooks {
	void (*load_between_probes)(struct syncmap *map, void *arg);
	void *arg;
};

#if IS_ENABLED(CONFIG_KUNIT)
void syncmap_set_test_hooks(struct syncmap *map,
			    const struct syncmap_test_hooks *hooks);
#endif

#endif /* _SYNCMAP_TEST_HOOKS_H */
