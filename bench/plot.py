"""Renders the benchmark results as one PNG: throughput and latency per mode, and the sweep's grid.

Usage: plot.py <bench.json> <sweep.json> <out.png>  (bench/plot installs matplotlib and calls this)
"""

import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

COLORS = {"bare": "#888888", "quiet": "#8172b2", "engine": "#4c72b0", "steps": "#64b5cd", "saga": "#55a868", "api": "#c44e52"}
MODE_LABELS = {
    "bare": "bare\nTemporal",
    "quiet": "quiet\n(no upserts)",
    "engine": "engine\n(1 upsert)",
    "steps": "steps\n(10 upserts)",
    "saga": "saga\n(+ services)",
    "api": "api\n(+ API)",
}


def main(bench_path: str, sweep_path: str, out_path: str) -> None:
    with open(bench_path, encoding="utf-8") as f:
        bench = json.load(f)
    try:
        with open(sweep_path, encoding="utf-8") as f:
            sweep = json.load(f)
    except FileNotFoundError:
        sweep = None

    modes = [m for m in ("bare", "quiet", "engine", "steps", "saga", "api") if m in bench["modes"]]
    results = [bench["modes"][m] for m in modes]
    labels = [MODE_LABELS[m] for m in modes]
    fig, axes = plt.subplots(1, 3 if sweep else 2, figsize=(17 if sweep else 12, 5.2))

    ax = axes[0]
    throughput = [r["sagasPerSecond"] for r in results]
    bars = ax.bar(labels, throughput, color=[COLORS[m] for m in modes])
    for bar, value, mode in zip(bars, throughput, modes):
        ratio = bench["ratios"].get(mode, {}).get("throughput")
        text = f"{value:.2f}" + (f"\n×{ratio:.2f}" if ratio is not None else "")
        ax.annotate(text, (bar.get_x() + bar.get_width() / 2, value), ha="center", va="bottom", fontsize=9)
    ax.set_ylabel("sagas / s")
    ax.set_title(f"Throughput (N={bench['settings']['count']}, C={bench['settings']['concurrency']})")
    ax.set_ylim(0, max(throughput) * 1.3)
    ax.tick_params(axis="x", labelsize=8)

    ax = axes[1]
    width = 0.27
    xs = range(len(modes))
    for offset, key, color in ((-width, "p50", "#9ecae1"), (0, "p95", "#4292c6"), (width, "p99", "#08519c")):
        ax.bar([x + offset for x in xs], [r["latencyMs"][key] / 1000 for r in results], width, label=key, color=color)
    ax.set_xticks(list(xs))
    ax.set_xticklabels(labels, fontsize=8)
    ax.set_ylabel("start → completed, s")
    ax.set_title("Latency")
    ax.legend()

    if sweep:
        ax = axes[2]
        points = [p for p in sweep["points"] if p.get("saga")]
        wf = sorted({p["workflowTaskConcurrency"] for p in points})
        act = sorted({p["activityConcurrency"] for p in points})
        grid = [[float("nan")] * len(wf) for _ in act]
        for p in points:
            grid[act.index(p["activityConcurrency"])][wf.index(p["workflowTaskConcurrency"])] = p["saga"]["sagasPerSecond"]
        image = ax.imshow(grid, origin="lower", cmap="viridis", aspect="auto")
        for i, row in enumerate(grid):
            for j, value in enumerate(row):
                if value == value:  # not NaN
                    ax.text(j, i, f"{value:.2f}", ha="center", va="center", color="white", fontsize=10)
        ax.set_xticks(range(len(wf)))
        ax.set_xticklabels(wf)
        ax.set_yticks(range(len(act)))
        ax.set_yticklabels(act)
        ax.set_xlabel("WORKFLOW_TASK_CONCURRENCY")
        ax.set_ylabel("activity concurrency per lane")
        s = sweep["settings"]
        ax.set_title(f"Sweep: saga sagas/s (N={s['count']}, C={s['concurrency']})")
        fig.colorbar(image, ax=ax, shrink=0.8)

    machine = bench["machine"]
    fig.suptitle(
        f"sagaflow on {machine['cores']} cores ({machine['cpu']}), Node {machine['node']}, run {bench['startedAt'][:16]}Z",
        fontsize=11,
    )
    fig.tight_layout()
    fig.savefig(out_path, dpi=110)
    print(f"wrote {out_path}")


if __name__ == "__main__":
    main(*sys.argv[1:4])
