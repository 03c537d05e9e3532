"""The report's charts: speed relative to torch per case (bars, log scale) and the scaling heatmap."""
from __future__ import annotations

import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.colors import LogNorm  # noqa: E402

COLORS = {"minigrad": "#d62728", "compiled": "#ff7f0e", "mygrad": "#1f77b4", "autograd": "#2ca02c", "micrograd": "#9467bd",
          "tinygrad": "#8c564b", "numpy": "#7f7f7f"}


def plot(doc, path):
    path = Path(path)
    results = [r for r in doc["results"] if r["group"] != "scaling"]
    if results:
        bars(doc, results, path)
    if doc.get("scaling"):
        heatmap(doc, path.with_name(path.stem + "_scaling" + (path.suffix or ".png")))


def bars(doc, results, path):
    labels = [k for k in COLORS if any(k in r["entries"] for r in results)]
    n = len(results)
    fig, ax = plt.subplots(figsize=(11, 1.2 + 0.42 * n * max(1, len(labels)) ** 0.5))
    h = 0.8 / max(1, len(labels))
    for j, lab in enumerate(labels):
        ys, xs = [], []
        for i, r in enumerate(results):
            t = r["entries"].get("torch", {}).get("median_s")
            s = r["entries"].get(lab, {}).get("median_s")
            if t and s:
                ys.append(i + (j - (len(labels) - 1) / 2) * h)
                xs.append(t / s)
        ax.barh(ys, xs, height=h, color=COLORS[lab], label=lab, left=0)
        if lab in ("minigrad", "compiled"):
            for y, x in zip(ys, xs):
                ax.text(x * 1.05, y, f"{x:.2g}x", va="center", fontsize=7, color=COLORS[lab])
    ax.axvline(1, color="black", lw=1)
    ax.text(1, -0.9, " torch", fontsize=8, va="bottom")
    ax.set_xscale("log")
    ax.set_yticks(range(n))
    ax.set_yticklabels([r["case"] for r in results], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("speed relative to torch CPU = torch time / framework time  (log scale; right of 1 = faster than torch)")
    env = doc["environment"]
    ax.set_title(f"minigrad vs torch {env.get('torch', '')} ({env.get('torch_threads', '?')} threads) and NumPy peers\n"
                 f"{env['cpu']}, {env['cores']} cores, numpy {env['numpy']}; medians of interleaved rounds", fontsize=10)
    ax.legend(loc="lower right", fontsize=8)
    ax.grid(axis="x", which="both", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def heatmap(doc, path):
    s = doc["scaling"]
    hs, bs = s["h"], s["batch"]
    grid = [[(v if v else math.nan) for v in row] for row in s["ratio"]]
    vals = [v for row in grid for v in row if v == v]
    if not vals:
        return
    span = max(max(vals), 1 / min(vals), 2.0)
    fig, ax = plt.subplots(figsize=(1.3 * len(bs) + 2.5, 0.8 * len(hs) + 2))
    im = ax.imshow(grid, cmap="RdBu", norm=LogNorm(vmin=1 / span, vmax=span), aspect="auto", origin="lower")
    for i in range(len(hs)):
        for j in range(len(bs)):
            v = grid[i][j]
            if v == v:
                ax.text(j, i, f"{v:.2g}x", ha="center", va="center", fontsize=9,
                        color="white" if abs(math.log(v)) > 0.6 * math.log(span) else "black")
    ax.set_xticks(range(len(bs)))
    ax.set_xticklabels(bs)
    ax.set_yticks(range(len(hs)))
    ax.set_yticklabels(hs)
    ax.set_xlabel("batch size")
    ax.set_ylabel("hidden width h")
    cb = fig.colorbar(im, ax=ax)
    ticks = [t for t in (0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50) if 1 / span <= t <= span]
    cb.set_ticks(ticks)
    cb.set_ticklabels([f"{t:g}x" for t in ticks])
    cb.minorticks_off()
    cb.set_label("torch time / minigrad time (blue: minigrad faster, red: torch faster)")
    ax.set_title("784-h-10 MLP training step (CrossEntropyLoss, SGD): minigrad vs torch CPU", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
