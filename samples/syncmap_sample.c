// SPDX-License-Identifier: GPL-2.0
/*
 * syncmap_sample: a module that uses syncmap the way other modules would,
 * through its exported symbols.  It keeps a small map of text blobs,
 * registers it as "sample" so that userspace can open it through
 * /dev/syncmap, and logs what each operation returned.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/err.h>
#include <linux/module.h>
#include <linux/string.h>
#include <linux/utsname.h>
#include <syncmap.h>

static struct syncmap *sample_map;

static int sample_put(const char *key, const char *text)
{
	struct syncmap_blob *blob;
	int ret;

	blob = syncmap_blob_alloc(text, strlen(text), GFP_KERNEL);
	if (!blob)
		return -ENOMEM;
	ret = syncmap_store(sample_map, key, strlen(key), blob);
	if (ret)
		syncmap_blob_free(blob);
	return ret;
}

static bool sample_show(const void *key, size_t key_len, void *value,
			void *arg)
{
	const struct syncmap_blob *blob = value;

	pr_info("  %.*s = %.*s\n", (int)key_len, (const char *)key,
		(int)blob->len, blob->data);
	return true;
}

static void sample_demo(void)
{
	struct syncmap_blob *old, *new, *actual;
	struct syncmap_stats st;
	int ret, idx;

	/* LoadOrStore keeps the first value. */
	new = syncmap_blob_alloc("first", 5, GFP_KERNEL);
	if (new) {
		idx = syncmap_read_lock(sample_map);
		ret = syncmap_load_or_store(sample_map, "once", 4, new,
					    (void **)&actual);
		pr_info("load_or_store(once) = %d, value %.*s\n", ret,
			(int)actual->len, actual->data);
		syncmap_read_unlock(sample_map, idx);
		if (ret == 1)
			syncmap_blob_free(new);
	}

	/* CompareAndSwap compares blobs by content. */
	old = syncmap_blob_alloc("42", 2, GFP_KERNEL);
	new = syncmap_blob_alloc("43", 2, GFP_KERNEL);
	if (old && new) {
		ret = syncmap_compare_and_swap(sample_map, "answer", 6, old,
					       new);
		pr_info("compare_and_swap(answer, 42 -> 43) = %d\n", ret);
		if (ret != 1)
			syncmap_blob_free(new);
	} else {
		syncmap_blob_free(new);
	}
	syncmap_blob_free(old);

	rcu_read_lock();
	actual = syncmap_load(sample_map, "greeting", 8);
	if (actual)
		pr_info("load(greeting) = %.*s\n", (int)actual->len,
			actual->data);
	rcu_read_unlock();

	pr_info("range:\n");
	syncmap_range(sample_map, sample_show, NULL);
	syncmap_fill_stats(sample_map, &st);
	pr_info("len %llu, read %llu, dirty %llu, hits %llu, misses %llu, promotions %llu\n",
		st.len, st.read_entries, st.dirty_entries, st.hits,
		st.misses, st.promotions);
}

static int __init sample_init(void)
{
	struct syncmap_params params = {
		.ops = &syncmap_blob_ops,
		.owner = THIS_MODULE,
		.max_entries = 1024,
		.mode = 0644,
	};
	int ret;

	sample_map = syncmap_create(&params);
	if (IS_ERR(sample_map))
		return PTR_ERR(sample_map);
	ret = sample_put("greeting", "hello from syncmap_sample");
	if (!ret)
		ret = sample_put("kernel", init_utsname()->release);
	if (!ret)
		ret = sample_put("answer", "42");
	if (!ret)
		ret = syncmap_register(sample_map, "sample");
	if (ret) {
		syncmap_destroy(sample_map);
		return ret;
	}
	sample_demo();
	pr_info("map \"sample\" registered with %zu keys\n",
		syncmap_len(sample_map));
	return 0;
}

static void __exit sample_exit(void)
{
	syncmap_destroy(sample_map);
	pr_info("map \"sample\" destroyed\n");
}

module_init(sample_init);
module_exit(sample_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("syncmap sample consumer: a named map of text blobs");
MODULE_IMPORT_NS(SYNCMAP);
