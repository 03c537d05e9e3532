"""The parity table, the JSON and the loss-curve plot."""
from __future__ import annotations

import dataclasses
import json
import math


def _num(x):
    if x is None:
        return "-"
    if isinstance(x, float):
        return f"{x:.6g}"
    return str(x)


def table(results):
    head = ["step", "frameworks", "dtype", "steps", "loss abs diff", "loss rel diff", "tolerance",
            "metric", "minigrad", "torch", "result"]
    rows = [[r.step, r.pair, r.dtype, str(r.n_steps) if r.status != "SKIP" else "-",
             f"{r.loss_abs:.2e}" if r.status != "SKIP" else "-",
             f"{r.loss_rel:.2e}" if r.status != "SKIP" else "-",
             _tolerance(r), r.metric or "-", _num(r.metric_a), _num(r.metric_b), r.status] for r in results]
    widths = [max(len(h), *(len(row[i]) for row in rows)) if rows else len(h) for i, h in enumerate(head)]
    line = "  ".join(h.ljust(w) for h, w in zip(head, widths))
    out = [line, "-" * len(line)]
    out += ["  ".join(c.ljust(w) for c, w in zip(row, widths)) for row in rows]
    return "\n".join(out)


def _tolerance(r):
    if r.ratio is not None or (r.dtype == "float32" and r.rule.startswith("dev(")):
        return "vs torch64"
    return f"{r.tol:.0e}"


def ratio_lines(results):
    """float32 judged against torch float64: the worst dev(minigrad32) / dev(torch32) per run, and where."""
    return [f"  {r.step:<10} worst ratio {r.ratio:6.2f}: {r.ratio_what}" if r.ratio_what else
            f"  {r.step:<10} no deviation above the floor" for r in results if r.ratio is not None]


def worst_lines(results):
    """The largest difference of any kind in each passing comparison (all grads, weights, metrics)."""
    return [f"  {r.step:<10} {r.dtype}  worst rel diff {r.worst_rel:.2e}: {r.worst_what}"
            for r in results if r.status == "PASS" and r.worst_what]


def write_json(path, results, meta):
    def clean(v):
        if isinstance(v, float) and not math.isfinite(v):
            return str(v)
        return v
    rows = [{k: clean(v) for k, v in dataclasses.asdict(r).items()} for r in results]
    with open(path, "w") as f:
        json.dump({"meta": meta, "results": rows}, f, indent=1, default=str)


def plot(path, records, names, dtypes, devices):
    """One panel per step (with a loss), the loss curve of every framework overlaid; float64 solid,
    float32 dotted; minigrad thick and pale under torch's thin dark line, so that where they agree one
    sees torch's line on minigrad's band, and where they part one sees both."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    panels = [n for n in names if any(records.get((n, d, "minigrad:cpu")) is not None
                                      and records[(n, d, "minigrad:cpu")].losses for d in dtypes)]
    if not panels:
        return False
    cols = min(3, len(panels))
    rows = math.ceil(len(panels) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(5.2 * cols, 3.6 * rows), squeeze=False)
    styles = {"minigrad:cpu": dict(color="tab:orange", lw=4.5, alpha=0.45),
              "torch:cpu": dict(color="black", lw=1.0),
              "torch:cuda": dict(color="tab:blue", lw=1.0)}
    for ax, name in zip(axes.flat, panels):
        for dtype in dtypes:
            for fw in ["minigrad:cpu"] + [f"torch:{d}" for d in devices]:
                rec = records.get((name, dtype, fw))
                if rec is None or not rec.losses:
                    continue
                ax.plot(range(len(rec.losses)), rec.losses, ls="-" if dtype == "float64" else ":",
                        label=f"{fw.split(':')[0]}{'' if fw.endswith('cpu') else ' cuda'} {dtype}",
                        **styles[fw])
        ax.set_title(name, fontsize=11)
        ax.set_xlabel("optimizer step")
        ax.set_ylabel("loss")
        losses = [v for d in dtypes for rec in [records.get((name, d, "torch:cpu"))] if rec for v in rec.losses]
        if losses and min(losses) > 0 and max(losses) / min(losses) > 50:
            ax.set_yscale("log")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    for ax in list(axes.flat)[len(panels):]:
        ax.axis("off")
    fig.suptitle("minigrad vs torch: loss per optimizer step, same start and same batches", fontsize=12)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True
