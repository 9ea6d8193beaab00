#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn the benchmark's console log into a table, CSV files and plots.

Usage: report.py CONSOLE_LOG OUTDIR

Reads the "csv <test>,<size>,<map>,<threads>,<metric>,<value>" lines that
syncmap_bench.ko and syncmap-bench-user print, and writes into OUTDIR:

  results.csv   every measurement, one per line (long form)
  table.txt     the table printed on stdout: ns/op, ops/s and, per peer,
                how many times faster syncmap is (peer ns / syncmap ns)
  targets.csv   each SPEC section 6 target, the measured ratio, met or not
  perf.txt      hottest symbols, when the run was profiled (--perf)
  *.svg, *.png  plots (when gnuplot is installed)

Exit status: 0 when the log holds a complete run (a "done" from both
halves), 1 otherwise.  Missed targets do not change the exit status: the
benchmark measures, it does not judge.
"""

import csv
import os
import re
import shutil
import subprocess
import sys

MAPS = ["syncmap", "rhashtable", "mutex", "rwlock", "sharded", "bpf"]
LINE = re.compile(r"(?:syncmap_bench: |bench\| )csv (\S+)$")
NAMES = {
    "P1": "load hit, 1 thread",
    "P2": "99% load / 1% store, 2 threads",
    "P3": "disjoint overwrites, 2 threads",
    "P4": "insert new keys, 1 thread",
    "P6": "one load syscall",
    "P6store": "one store syscall",
    "P7load": "batched loads (packed arrays)",
    "P7store": "batched stores (packed arrays)",
    "P7recload": "batched loads (operation records)",
    "P7recstore": "batched stores (operation records)",
}


def parse(path, perf):
    rows, done_k, done_u, in_perf = [], False, False, False
    with open(path, errors="replace") as f:
        for raw in f:
            line = raw.rstrip("\r\n")
            if line.endswith("bench| BEGIN PERF"):
                in_perf = True
                continue
            if line.endswith("bench| END PERF"):
                in_perf = False
                continue
            if in_perf and "bench| " in line:
                perf.append(line.split("bench| ", 1)[1])
                continue
            if "syncmap_bench: done" in line:
                done_k = True
            if line.endswith("bench| done"):
                done_u = True
            m = LINE.search(line)
            if not m:
                continue
            parts = m.group(1).split(",")
            if len(parts) != 6:
                continue
            test, size, name, threads, metric, value = parts
            rows.append({"test": test, "size": int(size), "map": name,
                         "threads": int(threads), "metric": metric,
                         "value": int(value)})
    return rows, done_k, done_u


def index(rows):
    d = {}
    for r in rows:
        d[(r["test"], r["size"], r["map"], r["metric"])] = r["value"]
    return d


def fmt_ns(ps):
    ns = ps / 1000.0
    return f"{ns:.0f}" if ns >= 100 else f"{ns:.1f}"


def fmt_rate(ps):
    if not ps:
        return "-"
    r = 1e12 / ps
    for unit, div in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if r >= div:
            return f"{r / div:.2f}{unit}"
    return f"{r:.0f}"


def keys_of(d, test):
    return sorted({k[1] for k in d if k[0] == test})


def maps_of(d, test, size, metric):
    return [m for m in MAPS if (test, size, m, metric) in d]


def throughput_table(d, out):
    out.append("Throughput: ns/op (wall time per operation, all threads "
               "together), ops/s, and syncmap's speed-up over each peer "
               "(peer ns / syncmap ns; > 1 means syncmap is faster)")
    tests = [t for t in NAMES if keys_of(d, t)]
    for test in tests:
        for size in keys_of(d, test):
            maps = maps_of(d, test, size, "ps_per_op")
            if not maps:
                continue
            out.append("")
            out.append(f"{test} {NAMES[test]}, {size} keys")
            out.append(f"  {'map':<11} {'ns/op':>9} {'ops/s':>9} "
                       f"{'syncmap x':>10}")
            sm = d.get((test, size, "syncmap", "ps_per_op"))
            for m in maps:
                ps = d[(test, size, m, "ps_per_op")]
                ratio = "" if m == "syncmap" or not sm or not ps \
                    else f"{ps / sm:.2f}"
                out.append(f"  {m:<11} {fmt_ns(ps):>9} {fmt_rate(ps):>9} "
                           f"{ratio:>10}")


def latency_table(d, out):
    for test, what in (("P5", "single stores at steady state (rounds of "
                        "promotion, new key, then new keys and overwrites "
                        "alternating; 1st new: the first new key after "
                        "the promotion, new/over: the two kinds of store; "
                        "switched: stores during which the thread was "
                        "switched out, calm max: the worst of the others, "
                        ">1ms: stores that took longer than 1 ms)"),
                       ("P5grow", "single inserts from empty, every "
                        "resize included")):
        for size in keys_of(d, test):
            maps = maps_of(d, test, size, "max_ns")
            if not maps:
                continue
            out.append("")
            out.append(f"{test} latency of {what}, {size} keys (ns)")
            split = test == "P5"
            out.append(f"  {'map':<11} {'p50':>9} {'p99':>9} {'max':>10} "
                       f"{'max/p50':>8}" + (
                           f" {'1st new':>10} {'new p99':>9} {'new max':>10}"
                           f" {'over p99':>9} {'over max':>10}"
                           f" {'switched':>8} {'calm max':>10}"
                           f" {'p99.9':>9} {'>1ms':>5}"
                           if split else ""))
            for m in maps:
                p50 = d.get((test, size, m, "p50_ns"), 0)
                p99 = d.get((test, size, m, "p99_ns"), 0)
                mx = d.get((test, size, m, "max_ns"), 0)
                line = (f"  {m:<11} {p50:>9} {p99:>9} {mx:>10} "
                        f"{(mx / p50 if p50 else 0):>8.1f}")
                if split:
                    for met, w in (("first_max_ns", 10), ("new_p99_ns", 9),
                                   ("new_max_ns", 10), ("over_p99_ns", 9),
                                   ("over_max_ns", 10), ("switched", 8),
                                   ("calm_max_ns", 10), ("p999_ns", 9),
                                   ("over_1ms", 5)):
                        line += f" {d.get((test, size, m, met), '-'):>{w}}"
                out.append(line)


def memory_table(d, out):
    for size in keys_of(d, "P8"):
        maps = maps_of(d, "P8", size, "bytes_per_entry")
        out.append("")
        out.append(f"P8 bytes per entry (16-byte keys, values not counted), "
                   f"{size} keys")
        sm = d.get(("P8", size, "syncmap", "bytes_per_entry"))
        for m in maps:
            b = d[("P8", size, m, "bytes_per_entry")]
            ratio = "" if m == "syncmap" or not b or not sm \
                else f"syncmap/{m} = {sm / b:.2f}"
            out.append(f"  {m:<11} {b:>9}   {ratio}")


def targets(d):
    """Each target: (id, description, ratio, limit, 'le'|'ge', detail)."""
    res = []

    def cost(test, size, peer, metric="ps_per_op"):
        a = d.get((test, size, "syncmap", metric))
        b = d.get((test, size, peer, metric))
        return a / b if a and b else None

    def add(tid, desc, ratio, limit, op, size):
        if ratio is None:
            return
        met = ratio <= limit if op == "le" else ratio >= limit
        res.append((tid, desc, size, ratio, ("<= " if op == "le" else ">= ")
                    + f"{limit:g}", "met" if met else "MISSED"))

    for size in keys_of(d, "P1"):
        add("P1", "load hit: syncmap ns / rhashtable ns",
            cost("P1", size, "rhashtable"), 1.0, "le", size)
        add("P1", "load hit: syncmap ns / mutex map ns",
            cost("P1", size, "mutex"), 0.5, "le", size)
    for size in keys_of(d, "P2"):
        for peer, lim in (("rhashtable", 1.0), ("mutex", 3.0),
                          ("rwlock", 3.0)):
            c = cost("P2", size, peer)
            add("P2", f"99/1 mix: syncmap ops/s / {peer} ops/s",
                1 / c if c else None, lim, "ge", size)
    for size in keys_of(d, "P3"):
        for peer, lim in (("mutex", 2.0), ("rwlock", 2.0), ("sharded", 1.0)):
            c = cost("P3", size, peer)
            add("P3", f"disjoint overwrites: syncmap ops/s / {peer} ops/s",
                1 / c if c else None, lim, "ge", size)
    for size in keys_of(d, "P4"):
        add("P4", "insert: syncmap ns / rhashtable ns",
            cost("P4", size, "rhashtable"), 2.0, "le", size)
    for test in ("P5", "P5grow"):
        for size in keys_of(d, test):
            mx = d.get((test, size, "syncmap", "max_ns"))
            p50 = d.get((test, size, "syncmap", "p50_ns"))
            if mx is None:
                continue
            add(test, "worst store: syncmap max ms (TCG time)", mx / 1e6,
                1.0, "le", size)
            if p50:
                add(test, "worst store: syncmap max / median", mx / p50,
                    50.0, "le", size)
    for size in keys_of(d, "P6"):
        add("P6", "one load syscall: syncmap ns / bpf ns",
            cost("P6", size, "bpf"), 1.0, "le", size)
    for test in ("P7load", "P7store"):
        for size in keys_of(d, test):
            c = cost(test, size, "bpf")
            add("P7", f"{test[2:]} batch: syncmap ops/s / bpf ops/s",
                1 / c if c else None, 1.5, "ge", size)
    for size in keys_of(d, "P8"):
        add("P8", "bytes per entry: syncmap / rhashtable",
            cost("P8", size, "rhashtable", "bytes_per_entry"), 1.5, "le",
            size)
    return res


def latency_plot(cases):
    """gnuplot lines for latency.dat: a group of map clusters per case."""
    parts = []
    for i, case in enumerate(cases):
        parts.append(f'newhistogram "{case}" lt 1')
        for col, met in ((2, "p50"), (3, "p99"), (4, "max")):
            src = "''" if i or col > 2 else '"latency.dat"'
            title = f'title "{met}"' if not i else "notitle"
            xtic = ":xtic(1)" if col == 2 else ""
            parts.append(f"{src} index {i} using {col}{xtic} {title} "
                         f"lc {col - 1}")
    lines = ["set logscale y",
             'set title "Store latency per map (P5: steady state, P5grow: '
             'from empty), ns: p50, p99, max; log scale, lower is better"',
             "set xtics norotate nomirror"]
    for term, ext in (("svg size 1100,500 dynamic", "svg"),
                      ("pngcairo size 1100,500", "png")):
        lines.append(f"set terminal {term}")
        lines.append(f'set output "latency.{ext}"')
        lines.append("plot " + ", ".join(parts))
    return lines


def plots(d, outdir):
    gp = shutil.which("gnuplot")
    if not gp:
        return "gnuplot not installed: no plots"
    maps = [m for m in MAPS if m != "bpf"]
    # Throughput: one cluster per (test, size), one bar per map.
    with open(os.path.join(outdir, "throughput.dat"), "w") as f:
        f.write("case " + " ".join(maps) + "\n")
        for test in ("P1", "P2", "P3", "P4"):
            for size in keys_of(d, test):
                vals = [d.get((test, size, m, "ps_per_op")) for m in maps]
                f.write(f"{test}/{size} " + " ".join(
                    f"{v / 1000:.1f}" if v else "NaN" for v in vals) + "\n")
    with open(os.path.join(outdir, "user.dat"), "w") as f:
        f.write("case syncmap bpf\n")
        for test in ("P6", "P6store", "P7load", "P7store", "P7recload",
                     "P7recstore"):
            for size in keys_of(d, test):
                vals = [d.get((test, size, m, "ps_per_op"))
                        for m in ("syncmap", "bpf")]
                f.write(f"{test}/{size} " + " ".join(
                    f"{v / 1000:.1f}" if v else "NaN" for v in vals) + "\n")
    # Latency: one group per case, one cluster per map, and in each
    # cluster the same three bars (p50, p99, max) in the same colours.
    # One gnuplot data block per case (blank-line separated, "index").
    lat_cases = []
    with open(os.path.join(outdir, "latency.dat"), "w") as f:
        f.write("# map p50_ns p99_ns max_ns\n")
        for test in ("P5", "P5grow"):
            for size in keys_of(d, test):
                ms = maps_of(d, test, size, "max_ns")
                ms = [m for m in ms if m in maps]
                if not ms:
                    continue
                if lat_cases:
                    f.write("\n\n")
                lat_cases.append(f"{test}, {size} keys")
                for m in ms:
                    f.write(m + " " + " ".join(
                        str(d.get((test, size, m, met)) or "NaN")
                        for met in ("p50_ns", "p99_ns", "max_ns")) + "\n")
    with open(os.path.join(outdir, "memory.dat"), "w") as f:
        f.write("case " + " ".join(maps) + "\n")
        for size in keys_of(d, "P8"):
            vals = [d.get(("P8", size, m, "bytes_per_entry")) for m in maps]
            f.write(f"P8/{size} " + " ".join(
                str(v) if v else "NaN" for v in vals) + "\n")
    n = len(maps)
    panels = [
        ("throughput", "ns per operation (lower is better; QEMU TCG: "
         "compare ratios, not absolute times)", n + 1, True),
        ("user", "P6/P7 from userspace: ns per map operation (lower is "
         "better)", 3, True),
        ("memory", "P8 bytes per entry (lower is better)", n + 1, False),
    ]
    script = ["set style data histogram",
              "set style histogram clustered gap 1",
              "set style fill solid 0.8 border -1",
              "set key outside right top", "set grid ytics",
              "set xtics rotate by -30", 'set datafile missing "NaN"']
    made = []
    for name, title, last, logy in panels:
        with open(os.path.join(outdir, name + ".dat")) as f:
            if len(f.readlines()) < 2:
                continue
        made.append(name)
        script.append("set logscale y" if logy else "unset logscale y")
        script.append(f'set title "{title}"')
        for term, ext in (("svg size 1100,500 dynamic", "svg"),
                          ("pngcairo size 1100,500", "png")):
            script.append(f"set terminal {term}")
            script.append(f'set output "{name}.{ext}"')
            script.append(f'plot for [i=2:{last}] "{name}.dat" '
                          "using i:xtic(1) title columnheader(i)")
    if lat_cases:
        made.append("latency")
        script += latency_plot(lat_cases)
    script = "\n".join(script) + "\n"
    if not made:
        return "no plots: nothing measured"
    with open(os.path.join(outdir, "plots.gp"), "w") as f:
        f.write(script)
    r = subprocess.run([gp, "plots.gp"], cwd=outdir, capture_output=True,
                       text=True)
    if r.returncode:
        return "gnuplot failed: " + r.stderr.strip()[-500:]
    return "plots: " + ", ".join(made) + " (.svg, .png)"


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    log, outdir = sys.argv[1], sys.argv[2]
    os.makedirs(outdir, exist_ok=True)
    perf = []
    rows, done_k, done_u = parse(log, perf)
    with open(os.path.join(outdir, "results.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=["test", "size", "map", "threads",
                                          "metric", "value"])
        w.writeheader()
        w.writerows(rows)
    d = index(rows)
    out = ["syncmap benchmark (QEMU TCG: absolute times are emulator times "
           "and mean nothing; the ratios, measured side by side in one run, "
           "are the result)", ""]
    throughput_table(d, out)
    latency_table(d, out)
    memory_table(d, out)
    res = targets(d)
    out.append("")
    out.append("SPEC section 6 targets")
    with open(os.path.join(outdir, "targets.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["target", "what", "size", "ratio", "limit", "result"])
        for t in res:
            w.writerow([t[0], t[1], t[2], f"{t[3]:.3f}", t[4], t[5]])
            out.append(f"  {t[0]:<7} {t[1]:<55} {t[2]:>8}  {t[3]:8.2f} "
                       f"{t[4]:<7} {t[5]}")
    out.append("")
    out.append(plots(d, outdir))
    if perf:
        with open(os.path.join(outdir, "perf.txt"), "w") as f:
            f.write("\n".join(perf) + "\n")
        out.append("")
        out.append("perf (cpu-clock samples in the guest, hottest "
                   "symbols):")
        out.extend("  " + p for p in perf)
    if not done_k:
        out.append("INCOMPLETE: the kernel benchmark did not finish")
    if not done_u:
        out.append("INCOMPLETE: the userspace benchmark did not finish")
    text = "\n".join(out) + "\n"
    with open(os.path.join(outdir, "table.txt"), "w") as f:
        f.write(text)
    sys.stdout.write(text)
    return 0 if done_k and done_u else 1


if __name__ == "__main__":
    sys.exit(main())
