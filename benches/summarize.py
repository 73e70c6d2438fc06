"""Print criterion's medians as a Markdown table: time per element and ratio to the
group's first-listed reference. Run after `cargo bench`:

    python3 benches/summarize.py [group ...]
"""
import json
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent / "target" / "criterion"
# The reference each group's ratios are taken against.
REFERENCE = {
    "counter_inc": "bare_u64_add",
    "counter_inc_in_a_worker": "bare_counter_field",
    "histogram_observe": "actorscope_histogram",
    "two_workers_1M_inc_each": "one_thread_same_work",
    "encode_10k_counters_100_histograms": "actorscope_encode",
    "encode_10k_counters": "actorscope_prometheus_text",
    "scrape_16_workers_x_1000_series": "actorscope_scrape_by_message_and_encode",
    "hot_path_16_workers_100k_increments_each": "actorscope_plain_counters",
    "middleware_per_request": "no middleware",
}


def median_ns_per_element(bench_dir):
    estimates = json.loads((bench_dir / "new" / "estimates.json").read_text())
    info = json.loads((bench_dir / "new" / "benchmark.json").read_text())
    elements = (info.get("throughput") or {}).get("Elements") or 1
    return estimates["median"]["point_estimate"] / elements


def matrix(group, group_dir):
    """A group whose benches take a parameter (criterion's `function/param` folders):
    one row per parameter, one column per function, ns/series; for each function, how
    far each point is from its own best per-series figure."""
    functions = sorted(d.name for d in group_dir.iterdir() if d.is_dir() and d.name != "report")
    cells = {}
    for function in functions:
        for d in (group_dir / function).iterdir():
            if (d / "new" / "estimates.json").exists():
                cells[(d.name, function)] = median_ns_per_element(d)
    params = sorted({param for param, _ in cells}, key=lambda p: float(p) if p.replace(".", "").isdigit() else p)
    if not params:
        return False
    print(f"\n{group} (median ns/series; in brackets: x the function's best per-series figure)\n")
    print("| " + " | ".join(["parameter"] + functions) + " |")
    print("| --- |" + " ---: |" * len(functions))
    best = {f: min(v for (p, g), v in cells.items() if g == f) for f in functions}
    for param in params:
        row = [param]
        for function in functions:
            ns = cells.get((param, function))
            row.append("–" if ns is None else f"{ns:.1f} ({ns / best[function]:.2f}x)")
        print("| " + " | ".join(row) + " |")
    return True


def main():
    groups = sys.argv[1:] or sorted(p.name for p in ROOT.iterdir() if (p / "report").exists() or p.is_dir())
    for group in groups:
        group_dir = ROOT / group
        if not group_dir.is_dir():
            continue
        nested = any(
            (d / sub / "new" / "estimates.json").exists()
            for d in group_dir.iterdir() if d.is_dir()
            for sub in (p.name for p in d.iterdir() if p.is_dir())
        )
        if nested and matrix(group, group_dir):
            continue
        rows = {d.name: median_ns_per_element(d) for d in group_dir.iterdir() if (d / "new" / "estimates.json").exists()}
        if not rows:
            continue
        reference = REFERENCE.get(group, next(iter(rows)))
        unit = "ns/element" if group != "two_workers_1M_inc_each" else "ms/run"
        scale = 1e-6 if unit == "ms/run" else 1.0
        print(f"\n{group} (median, {unit}; ratio to {reference})\n")
        print(f"| bench | median | ratio |\n| --- | ---: | ---: |")
        for name, ns in sorted(rows.items(), key=lambda item: item[1]):
            ratio = ns / rows[reference] if reference in rows else float("nan")
            print(f"| {name} | {ns * scale:.3f} | {ratio:.2f}x |")


main()
