# SPDX-License-Identifier: GPL-2.0
"""bench-native's second table: SPEC section 6 targets P1-P5 from
syncmap-spec's CSV (test,size,map,threads,metric,value), with the target
arithmetic of tools/bench/report.py.  cds_lfht stands in for rhashtable,
which has no userspace build.  Writes spec.csv (every measurement) and
spec_targets.csv beside results.csv; report() returns the plot's panel.
"""
import csv

MAPS = ["syncmap", "cds_lfht", "mutex", "rwlock", "sharded"]
RHT = "cds_lfht"    # the RCU hash table standing in for rhashtable


def load(paths):
    d, order = {}, []
    for p in paths:
        with open(p) as f:
            for r in csv.DictReader(f):
                size = int(r["size"])
                d[(r["test"], size, r["map"], r["metric"])] = float(r["value"])
                if (r["test"], size) not in order:
                    order.append((r["test"], size))
    return d, order


def targets(d, order):
    res = []

    def cost(test, size, peer, metric="ps_per_op"):
        a, b = d.get((test, size, "syncmap", metric)), d.get((test, size, peer, metric))
        return a / b if a and b else None

    def add(tid, size, desc, ratio, limit, op):
        if ratio is not None:
            ok = ratio <= limit if op == "le" else ratio >= limit
            res.append((tid, size, desc, ratio, f"{'<=' if op == 'le' else '>='} {limit:g}", ok))

    for test, size in order:
        if test == "P1":
            add("P1", size, f"load hit: syncmap ns / {RHT} ns", cost(test, size, RHT), 1.0, "le")
            add("P1", size, "load hit: syncmap ns / mutex ns", cost(test, size, "mutex"), 0.5, "le")
        elif test == "P2":
            for peer, lim in ((RHT, 1.0), ("mutex", 3.0), ("rwlock", 3.0)):
                c = cost(test, size, peer)
                add("P2", size, f"99/1 mix: syncmap ops/s / {peer}", 1 / c if c else None, lim, "ge")
        elif test == "P3":
            for peer, lim in (("mutex", 2.0), ("rwlock", 2.0), ("sharded", 1.0)):
                c = cost(test, size, peer)
                add("P3", size, f"overwrites: syncmap ops/s / {peer}", 1 / c if c else None, lim, "ge")
        elif test == "P4":
            add("P4", size, f"insert: syncmap ns / {RHT} ns", cost(test, size, RHT), 2.0, "le")
        elif test in ("P5", "P5grow"):
            mx = d.get((test, size, "syncmap", "max_ns"))
            p50 = d.get((test, size, "syncmap", "p50_ns"))
            if mx is not None:
                add(test, size, "worst store: syncmap max ms", mx / 1e6, 1.0, "le")
                if p50:
                    add(test, size, "worst store: syncmap max / median", mx / p50, 50.0, "le")
    return res


def report(outdir, paths):
    d, order = load(paths)
    thr = [(t, s) for t, s in order if t in ("P1", "P2", "P3", "P4")]
    lat = [(t, s) for t, s in order if t in ("P5", "P5grow")]
    print()
    print(f"SPEC section 6, P1-P5 natively ({RHT} stands in for rhashtable)")
    print("ns/op per operation over all threads; ratio = peer ns/op / syncmap ns/op")
    fmt = "{:<7} {:>8} {:>2} " + " {:>9}" * len(MAPS) + " " + " {:>7}" * (len(MAPS) - 1)
    print(fmt.format("test", "keys", "T", *MAPS, *[m[:5] + "/s" for m in MAPS[1:]]))
    panel_rows, panel_order = {}, []
    for t, s in thr:
        ns = [d.get((t, s, m, "ps_per_op")) for m in MAPS]
        ns = [v / 1000 if v else None for v in ns]
        th = 2 if t in ("P2", "P3") else 1
        print(fmt.format(t, s, th, *[f"{v:.1f}" if v else "n/a" for v in ns],
                         *[f"{v / ns[0]:.2f}" if v and ns[0] else "n/a" for v in ns[1:]]))
        key = (f"{t} {s} keys", th)
        panel_rows[key] = {m: v for m, v in zip(MAPS, ns) if v}
        panel_order.append(key)
    if lat:
        print()
        print("single-store latency, ns (P5: steady state; P5grow: from empty)")
        lf = "{:<7} {:>8} {:<9}" + " {:>9}" * 6 + " {:>8}"
        print(lf.format("test", "keys", "map", "p50", "p99", "p99.9", "max",
                        "calm max", ">1ms", "switched"))
        for t, s in lat:
            for m in MAPS:
                v = [d.get((t, s, m, x)) for x in ("p50_ns", "p99_ns", "p999_ns", "max_ns",
                                                   "calm_max_ns", "over_1ms", "switched")]
                if v[0] is None:
                    continue
                print(lf.format(t, s, m, *[f"{x:.0f}" if x is not None else "" for x in v]))
    print()
    print("SPEC targets (natively)")
    tl = targets(d, order)
    for tid, size, desc, ratio, lim, ok in tl:
        print(f"  {tid:<6} {size:>8}  {desc:<40} {ratio:8.2f}  {lim:<7} {'met' if ok else 'MISSED'}")
    print(f"  {sum(x[5] for x in tl)} of {len(tl)} met")
    with open(f"{outdir}/spec.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["test", "size", "map", "metric", "value"])
        for (t, s, m, metric), v in d.items():
            w.writerow([t, s, m, metric, f"{v:g}"])
    with open(f"{outdir}/spec_targets.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["target", "size", "what", "ratio", "limit", "result"])
        for tid, size, desc, ratio, lim, ok in tl:
            w.writerow([tid, size, desc, f"{ratio:.3f}", lim, "met" if ok else "MISSED"])
    print(f"\n{outdir}/spec.csv, {outdir}/spec_targets.csv")
    return (panel_rows, panel_order, MAPS,
            f"SPEC P1-P4 natively, ns/op ({RHT} for rhashtable; log scale, shorter is faster)")
