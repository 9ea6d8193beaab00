#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""bench-native's report: joins the CSVs of syncmap-bench and gomap,
prints one row per shape and thread count with each map's ns/op and each
peer's ratio to syncmap (peer ns/op / syncmap ns/op: above 1.0 syncmap is
faster), checks issue 12's targets, and writes results.csv and a plot
(plot.svg, log-scale bars, no plotting library needed).

    report.py OUTDIR CSV...
"""
import csv
import math
import sys

import spec_report as spec

PEERS = ["go-sync.Map", "cds_lfht", "rwlock"]
ALL = ["syncmap"] + PEERS


def load(paths):
    rows, order = {}, []
    for p in paths:
        with open(p) as f:
            for r in csv.DictReader(f):
                key = (r["shape"], int(r["threads"]))
                if key not in rows:
                    rows[key] = {}
                    order.append(key)
                rows[key][r["impl"]] = float(r["ns_per_op"])
    return rows, order


def targets(rows, order):
    out = []
    for key in order:
        r = rows[key]
        s, t = key
        sm, go = r.get("syncmap"), r.get("go-sync.Map")
        if sm and go:
            need = 3.0 if s in ("AdversarialAlloc", "AdversarialDelete") else 1.0
            out.append((f"{s}/{t}", f">= {need:.1f}x Go sync.Map", go / sm, go / sm >= need))
        if s == "LoadMostlyHits" and sm and r.get("cds_lfht"):
            v = r["cds_lfht"] / sm
            out.append((f"{s}/{t}", ">= 1.0x cds_lfht", v, v >= 1.0))
    return out


COLORS = {"syncmap": "#1f77b4", "go-sync.Map": "#2ca02c",
          "cds_lfht": "#ff7f0e", "rwlock": "#7f7f7f", "mutex": "#d62728",
          "sharded": "#9467bd"}


def panel(rows, order, names, title, y0, unit="ns/op"):
    """One log-scale bar chart: SVG elements and the y where it ends."""
    bar, gap, left, width = 5, 6, 270, 560
    vals = [v for r in rows.values() for v in r.values() if v and v > 0]
    lo, hi = math.log10(max(min(vals), 1) / 2), math.log10(max(vals) * 2)
    o = [f'<text x="10" y="{y0 + 16}" font-size="12">{title}</text>']
    for i, name in enumerate(names):
        o.append(f'<rect x="{left + i * 110}" y="{y0 + 24}" width="10" height="8" '
                 f'fill="{COLORS[name]}"/><text x="{left + i * 110 + 14}" '
                 f'y="{y0 + 32}">{name}</text>')
    y = y0 + 44
    for key in order:
        r = rows[key]
        o.append(f'<text x="{left - 6}" y="{y + bar * 2 + 3}" '
                 f'text-anchor="end">{key[0]} ({key[1]}T)</text>')
        for j, name in enumerate(names):
            v = r.get(name)
            if v:
                w = max(1, (math.log10(v) - lo) / (hi - lo) * width)
                o.append(f'<rect x="{left}" y="{y + j * bar}" width="{w:.1f}" '
                         f'height="{bar - 1}" fill="{COLORS[name]}"><title>'
                         f'{name} {v:.1f} {unit}</title></rect>')
        y += bar * len(names) + gap
    for e in range(math.ceil(lo), math.floor(hi) + 1):
        x = left + (e - lo) / (hi - lo) * width
        o.append(f'<line x1="{x:.1f}" y1="{y0 + 40}" x2="{x:.1f}" y2="{y}" '
                 f'stroke="#ccc" stroke-width="0.5"/><text x="{x:.1f}" '
                 f'y="{y + 12}" text-anchor="middle">{10 ** e:g}</text>')
    return o, y + 30


def svg(panels, path):
    """panels: (rows, order, names, title) each, one under the other."""
    body, y = [], 0
    for rows, order, names, title in panels:
        if not order:
            continue
        o, y = panel(rows, order, names, title, y)
        body += o
    o = [f'<svg xmlns="http://www.w3.org/2000/svg" width="870" '
         f'height="{y}" font-family="sans-serif" font-size="10">']
    with open(path, "w") as f:
        f.write("\n".join(o + body + ["</svg>"]) + "\n")


def main():
    outdir, paths = sys.argv[1], sys.argv[2:]
    # syncmap-spec's CSVs (SPEC P1-P5) have a "test" column
    spec_paths = [p for p in paths if open(p).readline().startswith("test,")]
    paths = [p for p in paths if p not in spec_paths]
    rows, order = load(paths)
    fmt = "{:<30} {:>2} " + " {:>9}" * len(ALL) + " " + " {:>6}" * len(PEERS)
    print("ns/op per operation; ratio = peer ns/op / syncmap ns/op (> 1: syncmap faster)")
    print(fmt.format("shape", "T", *ALL, *[p.split("-")[0][:6] + "/s" for p in PEERS]))
    with open(f"{outdir}/results.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["shape", "threads"] + [f"{i}_ns_per_op" for i in ALL] +
                   [f"{p}_ratio" for p in PEERS])
        for key in order:
            r = rows[key]
            sm = r.get("syncmap")
            ns = [r.get(i) for i in ALL]
            ratios = [r[p] / sm if sm and r.get(p) else None for p in PEERS]
            print(fmt.format(key[0], key[1],
                             *[f"{v:.1f}" if v else "n/a" for v in ns],
                             *[f"{v:.2f}" if v else "n/a" for v in ratios]))
            w.writerow(list(key) + [f"{v:.2f}" if v else "" for v in ns] +
                       [f"{v:.3f}" if v else "" for v in ratios])
    print()
    print("issue 12 targets")
    met = 0
    tl = targets(rows, order)
    for row, what, v, ok in tl:
        met += ok
        print(f"  {row:<32} {what:<22} {v:6.2f}x  {'met' if ok else 'MISSED'}")
    print(f"  {met} of {len(tl)} met")
    spec_panel = spec.report(outdir, spec_paths) if spec_paths else None
    svg([(rows, order, ALL, "bench-native: Go's shapes, ns/op "
          "(log scale, shorter is faster)")] +
        ([spec_panel] if spec_panel else []), f"{outdir}/plot.svg")
    print(f"\n{outdir}/results.csv, {outdir}/plot.svg")


if __name__ == "__main__":
    main()
