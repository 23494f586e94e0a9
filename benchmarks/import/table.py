#!/usr/bin/env python3
"""Turns benchmarks/import/run.sh's CSV (minitf and TF.js rows of one run) into a Markdown table."""
import csv
import sys

peak = {}
rows = []
comments = []
with open(sys.argv[1]) as f:
    for line in f:
        line = line.rstrip("\n")
        if line.startswith("# fma_peak_gflops,"):
            _, threads, gflops = line.split(",")
            peak[int(threads)] = float(gflops)
        elif line.startswith("#"):
            comments.append(line[1:].strip())
        elif line and not line.startswith("model,"):
            rows.append(next(csv.reader([line])))

# (model, batch) -> {(backend, threads): (median, note, gflop)}
table = {}
for r in rows:
    model, batch, backend, threads, runs, median, mn = r[:7]
    # minitf rows end in conv_gflop; TF.js notes may hold commas
    note, gflop = (r[7], r[8]) if backend == "minitf" else (",".join(r[7:]), "")
    key = (model, batch)
    table.setdefault(key, {})[(backend, threads)] = (float(median) if median else None, note, gflop)

def ms(v):
    return f"{v:.2f}" if v is not None else "-"

print("| model | batch | minitf 1 thread | minitf 2 threads | TF.js wasm (1 thread) | TF.js cpu | wasm time / minitf 1 thread | minitf conv GFLOP/s, 1 thread (% of FMA peak) |")
print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
notes = []
for (model, batch), cells in table.items():
    m1 = cells.get(("minitf", "1"), (None, "", ""))
    m2 = cells.get(("minitf", "2"), (None, "", ""))
    wasm = next((v for (b, t), v in cells.items() if b == "wasm"), (None, "", ""))
    cpu = next((v for (b, t), v in cells.items() if b == "cpu"), (None, "", ""))
    ratio = f"{wasm[0] / m1[0]:.2f}x" if wasm[0] and m1[0] else "-"
    conv = "-"
    if m1[0] and m1[2]:
        g = float(m1[2]) / (m1[0] / 1e3)
        conv = f"{g:.1f} ({100 * g / peak.get(1, float('nan')):.0f}%)"
    print(f"| {model} | {batch} | {ms(m1[0])} | {ms(m2[0])} | {ms(wasm[0])} | {ms(cpu[0])} | {ratio} | {conv} |")
    for name, v in (("minitf", m1), ("wasm", wasm), ("cpu", cpu)):
        if v[0] is None and v[1]:
            notes.append(f"{model} batch {batch}, {name}: {v[1]}")
print()
print("FMA peak measured in the same run: " + ", ".join(f"{g:.1f} GFLOP/s on {t} thread(s)" for t, g in sorted(peak.items())) + ".")
for n in dict.fromkeys(notes):
    print(f"\n* {n}")
for c in comments:
    print(f"\n    {c}")
