"""Draw the graph behind a tensor: every op (its grad_fn name), every leaf, each with its shape and, after
backward, a summary of its gradient.

    from minigrad.viz import draw_graph
    loss = loss_fn(model(x), y)
    drawing = draw_graph(loss, model, backward=True)   # runs loss.backward(), keeping every gradient
    drawing.save("graph.png")                          # or .svg; drawing.dot is the Graphviz text

Shapes and colours tell the kinds apart: ops are blue rounded boxes, parameters (named, when a Module is
given) green boxes, other leaves that require grad yellow ellipses, data that needs no gradient grey dashed
boxes, numbers small circles, and the loss (the tensor drawn from) a red box with a thick border.

Rendering: with the `graphviz` Python package and Graphviz's `dot` program installed (Debian/Ubuntu:
`apt-get install graphviz`, then `pip install graphviz`), `dot` lays the graph out. Without them a pure-Python
layered layout is drawn with matplotlib, so drawing works on a fresh machine. `to_dot` always works.

Backward frees the arrays saved for it, not the graph's structure, so a graph can be drawn after backward.
Leaves' gradients are in `.grad`; a non-leaf's only when it was retained (`retain_grad()`), which
`backward=True` (or `retain_grads(loss)` before your own backward) does for every tensor of the graph.
"""
import io
import shutil
import sys

import numpy as np

from .autograd.trace import collect_names, fmt_shape
from .tensor import Tensor
from .nn.parameter import Parameter

__all__ = ["draw_graph", "to_dot", "retain_grads", "GraphDrawing"]

# kind -> (DOT attributes, matplotlib box style, face colour, edge colour, line style, line width)
STYLES = {
    "loss": ('shape=box, style="filled,bold", penwidth=3, fillcolor="#f6c9c4", color="#b22222"',
             "round,pad=0.12", "#f6c9c4", "#b22222", "-", 3.0),
    "op": ('shape=box, style="rounded,filled", fillcolor="#d6e6f5", color="#3a6ea5"',
           "round,pad=0.1", "#d6e6f5", "#3a6ea5", "-", 1.0),
    "param": ('shape=box, style=filled, fillcolor="#cdeccb", color="#2e7d32"',
              "square,pad=0.1", "#cdeccb", "#2e7d32", "-", 1.5),
    "leaf": ('shape=ellipse, style=filled, fillcolor="#fff1a8", color="#a68a00"',
             "round4,pad=0.12", "#fff1a8", "#a68a00", "-", 1.5),
    "data": ('shape=box, style="dashed,filled", fillcolor="#eeeeee", color="#777777"',
             "square,pad=0.1", "#eeeeee", "#777777", "--", 1.0),
    "const": ('shape=circle, style=filled, fillcolor="#ffffff", color="#777777", fontsize=10',
              "circle,pad=0.08", "#ffffff", "#777777", "-", 1.0),
}
LEGEND = [("loss", "loss (drawn from)"), ("op", "op (grad_fn)"), ("param", "parameter"),
          ("leaf", "leaf, requires grad"), ("data", "data, no grad")]


class Node:
    __slots__ = ("key", "kind", "lines", "tensor")

    def __init__(self, key, kind, lines, tensor=None):
        self.key, self.kind, self.lines, self.tensor = key, kind, lines, tensor

    @property
    def label(self):
        return "\n".join(self.lines)


# the op modules whose number operands (x ** 2, x + 1) are drawn as constants
ELEMENTWISE_MODULES = ("arithmetic", "unary", "elementwise")


def grad_summary(g):
    """One line about a gradient: its values when there are a few, else its mean and largest magnitude."""
    a = np.asarray(g._data if isinstance(g, Tensor) else g, dtype=np.float64)
    if a.size <= 3:
        vals = ", ".join(f"{v:.4g}" for v in a.ravel())
        return "grad " + (vals if a.ndim == 0 else f"[{vals}]")
    return f"grad mean {a.mean():.3g}, max|g| {np.abs(a).max():.3g}"


def _value_line(t):
    a = t._data
    if a.size == 1:
        return f"= {a.item():.4g}" if a.dtype.kind == "f" else f"= {a.item()}"
    if a.size <= 3:
        return "= [" + ", ".join(f"{v:.4g}" if a.dtype.kind == "f" else str(v) for v in a.ravel().tolist()) + "]"
    return None


def build_graph(root, resolved=({}, {}, [])):
    """The nodes and edges behind `root`: (nodes in drawing order, edges as (from key, to key)). `resolved`:
    names, as resolve_names gives them."""
    tensor_names, node_names, _keep = resolved
    if root.grad_fn is None:
        raise ValueError("this tensor has no graph behind it (it is a leaf): compute something from tensors "
                         "that require grad first")
    # every op node, and the tensor it made (the root, or an input of the op that consumes it)
    out_of = {root.grad_fn: root}
    seen, stack, ops = {root.grad_fn}, [root.grad_fn], []
    while stack:
        node = stack.pop()
        ops.append(node)
        for t in node.inputs:
            fn = getattr(t, "grad_fn", None)
            if fn is not None:
                out_of.setdefault(fn, t)
                if fn not in seen:
                    seen.add(fn)
                    stack.append(fn)
    ops.sort(key=lambda n: n.seq, reverse=True)            # the order backward runs them
    number = {n: i + 1 for i, n in enumerate(ops)}
    nodes, edges, leaf_keys = {}, [], {}
    for node in ops:
        t = out_of[node]
        key = f"op{number[node]}"
        name = node_names.get(node) or tensor_names.get(id(t))
        if node is root.grad_fn:
            head = f"{name or 'loss'} " + (_value_line(t) or "")
            lines = [head.strip(), node.name, "shape " + fmt_shape(t.shape)]
            kind = "loss"
        else:
            lines = [f"{node.name}" + (f"  ({name})" if name else ""), "shape " + fmt_shape(t.shape)]
            kind = "op"
        if t.grad is not None:
            lines.append(grad_summary(t.grad))
        nodes[key] = Node(key, kind, lines, t)
    numbers_elementwise = lambda n: type(n).__module__.rsplit(".", 1)[-1] in ELEMENTWISE_MODULES  # noqa: E731
    for node in ops:
        dst = f"op{number[node]}"
        for i, t in enumerate(node.inputs):
            if isinstance(t, Tensor):
                if t.grad_fn is not None:
                    edges.append((f"op{number[t.grad_fn]}", dst))
                    continue
                key = leaf_keys.get(id(t))
                if key is None:
                    key = leaf_keys[id(t)] = f"leaf{len(leaf_keys) + 1}"
                    name = tensor_names.get(id(t))
                    if t.requires_grad:
                        kind = "param" if name and "." in name or _is_parameter(t) else "leaf"
                        lines = [name or ("parameter" if kind == "param" else "leaf"), "shape " + fmt_shape(t.shape)]
                        if t.grad is not None:
                            lines.append(grad_summary(t.grad))
                    else:
                        kind = "data"
                        lines = [name or "tensor", "shape " + fmt_shape(t.shape)]
                        value = _value_line(t)
                        if value:
                            lines.append(value)
                        if t._data.dtype.kind != "f":
                            lines[1] += f" {t._data.dtype}"
                    nodes[key] = Node(key, kind, lines, t)
                edges.append((key, dst))
            elif numbers_elementwise(node) and isinstance(t, (int, float)) and not isinstance(t, bool):
                key = f"const{number[node]}_{i}"
                nodes[key] = Node(key, "const", [f"{t:.4g}" if isinstance(t, float) else str(t)])
                edges.append((key, dst))
    return list(nodes.values()), edges


def _is_parameter(t):
    return isinstance(t, Parameter)


def retain_grads(tensor):
    """Keep the gradient of every non-leaf tensor of the graph behind `tensor` at the next backward (each
    gets `.retain_grad()`); returns how many."""
    nodes, _ = build_graph(tensor)
    count = 0
    for n in nodes:
        if n.kind in ("op", "loss"):
            n.tensor.retain_grad()
            count += 1
    return count


def _dot_escape(s):
    return s.replace("\\", "\\\\").replace('"', '\\"')


def dot_source(nodes, edges, title=None):
    lines = ["digraph minigrad {",
             '  graph [rankdir=TB, nodesep=0.3, ranksep=0.45, fontname="Helvetica"'
             + (f', label="{_dot_escape(title)}", labelloc=t, fontsize=16' if title else "") + "];",
             '  node [fontname="Helvetica", fontsize=11];',
             '  edge [color="#555555", arrowsize=0.7];']
    for n in nodes:
        label = "\\n".join(_dot_escape(line) for line in n.lines)
        lines.append(f'  {n.key} [label="{label}", {STYLES[n.kind][0]}];')
    for a, b in edges:
        lines.append(f"  {a} -> {b};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def to_dot(tensor, model=None, names=None, title=None):
    """Graphviz DOT text of the graph behind `tensor`. Names come from `model`'s parameters and `names`
    (a dict name -> Tensor/Module), or, when neither is given, from the caller's variables."""
    nodes, edges = build_graph(tensor, resolve_names(model, names, sys._getframe(1)))
    return dot_source(nodes, edges, title)


def resolve_names(model=None, names=None, frame=None):
    """({id(tensor): name}, {grad_fn: name}, kept references): `model`'s parameters under their own names
    (layer1.weight) and `names` (a dict name -> Tensor/Module); with neither, the variables of `frame`."""
    if model is None and names is None:
        return collect_names(None, frame)
    tensors, nodes, keep = collect_names(model) if model is not None else ({}, {}, [])
    if names:
        t2, n2, k2 = collect_names(names)
        tensors.update(t2)
        nodes.update(n2)
        keep += k2
    return tensors, nodes, keep


def draw_graph(tensor, model=None, names=None, *, backward=False, filename=None, format=None, engine="auto",
               title=None):
    """Draw the graph behind `tensor` (see the module's docstring). `backward=True` retains every non-leaf
    gradient and runs `tensor.backward()` first, so the drawing shows every gradient. Returns a GraphDrawing
    (`.dot`, `.save(path)`); with `filename` it is saved there too."""
    if backward:
        retain_grads(tensor)
        tensor.backward()
    nodes, edges = build_graph(tensor, resolve_names(model, names, sys._getframe(1)))
    drawing = GraphDrawing(nodes, edges, title)
    if filename is not None:
        drawing.save(filename, format=format, engine=engine)
    return drawing


class GraphDrawing:
    """A drawn graph: `.dot` (Graphviz text), `.save(path)` to PNG or SVG, shown inline in Jupyter."""

    def __init__(self, nodes, edges, title=None):
        self.nodes, self.edges, self.title = nodes, edges, title
        self.dot = dot_source(nodes, edges, title)

    def __str__(self):
        return self.dot

    def __repr__(self):
        return f"<GraphDrawing: {len(self.nodes)} nodes, {len(self.edges)} edges>"

    def render(self, format="png", engine="auto"):
        """The drawing as bytes (png or svg), laid out by Graphviz where it is installed, else matplotlib."""
        if format not in ("png", "svg"):
            raise ValueError(f"format must be 'png' or 'svg', got {format!r}")
        if engine not in ("auto", "graphviz", "matplotlib"):
            raise ValueError(f"engine must be 'auto', 'graphviz' or 'matplotlib', got {engine!r}")
        if engine == "graphviz" or (engine == "auto" and graphviz_available()):
            import graphviz
            return graphviz.Source(self.dot).pipe(format=format)
        return render_matplotlib(self.nodes, self.edges, format, self.title)

    def save(self, filename, format=None, engine="auto"):
        filename = str(filename)
        format = format or (filename.rsplit(".", 1)[-1].lower() if "." in filename else "png")
        data = self.render(format, engine)
        with open(filename, "wb") as f:
            f.write(data)
        return filename

    def _repr_png_(self):
        return self.render("png")


def graphviz_available():
    try:
        import graphviz  # noqa: F401
    except ImportError:
        return False
    return shutil.which("dot") is not None


# ---------------------------------------------------------------- the pure-Python layout

def layers_of(nodes, edges):
    """Each node's layer: its longest path to the root (the root is layer 0, at the bottom), so a leaf sits
    just above the op that uses it."""
    consumers = {n.key: [] for n in nodes}
    for a, b in edges:
        consumers[a].append(b)
    root = next(n.key for n in nodes if n.kind == "loss")
    layer = {}

    def depth(k):                       # iterative longest path over the DAG
        stack = [(k, False)]
        while stack:
            key, done = stack.pop()
            if key in layer:
                continue
            if done:
                layer[key] = 0 if key == root else 1 + max(layer[c] for c in consumers[key])
                continue
            stack.append((key, True))
            stack.extend((c, False) for c in consumers[key] if c not in layer)
    for n in nodes:
        depth(n.key)
    return layer


def layout(nodes, edges, sizes, sweeps=8, gap=0.35, layer_gap=0.55):
    """Positions (x, y) of box centres, in inches: layers from the root up, ordered within each layer by the
    barycentre of their neighbours (a few sweeps down and up), then spread so no boxes overlap. Also each
    edge's route: the keys it passes through (its two ends and the invisible points between)."""
    layer = layers_of(nodes, edges)
    n_layers = max(layer.values()) + 1
    rows = [[] for _ in range(n_layers)]
    for n in nodes:                        # drawing order: ops newest first, leaves as the ops meet them
        rows[layer[n.key]].append(n.key)
    sizes = dict(sizes)
    up, down = {n.key: [] for n in nodes}, {n.key: [] for n in nodes}
    routes = []
    for i, (a, b) in enumerate(edges):
        # an edge that skips layers runs through a thin invisible node in each layer it crosses, so the
        # ordering keeps boxes out of its way
        chain = [a]
        for li in range(layer[a] - 1, layer[b], -1):
            d = f"~{i}_{li}"
            rows[li].append(d)
            sizes[d] = (0.12, 0.0)
            up[d], down[d] = [], []
            chain.append(d)
        chain.append(b)
        for u, v in zip(chain, chain[1:]):
            down[u].append(v)
            up[v].append(u)
        routes.append(chain)
    x = {}

    def place(row, want):
        order = sorted(row, key=lambda k: want[k])
        pos, prev = {}, None
        for k in order:
            p = want[k]
            if prev is not None:
                p = max(p, pos[prev] + (sizes[prev][0] + sizes[k][0]) / 2 + gap)
            pos[k], prev = p, k
        shift = sum(want[k] for k in row) / len(row) - sum(pos.values()) / len(row)
        for k in order:
            x[k] = pos[k] + shift

    for row in rows:
        place(row, {k: i for i, k in enumerate(row)})
        widths = sum(sizes[k][0] for k in row) + gap * len(row)
        place(row, {k: i * widths / max(len(row), 1) for i, k in enumerate(row)})
    for s in range(sweeps):
        order = range(1, n_layers) if s % 2 == 0 else range(n_layers - 2, -1, -1)
        for li in order:
            nbrs = down if s % 2 == 0 else up
            want = {}
            for k in rows[li]:
                ks = nbrs[k] or (up[k] if s % 2 == 0 else down[k])
                want[k] = sum(x[j] for j in ks) / len(ks) if ks else x[k]
            place(rows[li], want)
    heights = [max(sizes[k][1] for k in row) for row in rows]
    y, level = {}, 0.0
    for li, row in enumerate(rows):
        for k in row:
            y[k] = level + heights[li] / 2
        level += heights[li] + layer_gap
    return {k: (x[k], y[k]) for k in x}, routes


def render_matplotlib(nodes, edges, format="png", title=None, fontsize=10):
    """The graph drawn with matplotlib on the layered layout above; PNG or SVG bytes."""
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

    del matplotlib
    fig = Figure(dpi=110)
    FigureCanvasAgg(fig)
    renderer = fig.canvas.get_renderer()
    texts, sizes = {}, {}
    for n in nodes:
        t = fig.text(0, 0, n.label, ha="center", va="center", fontsize=fontsize if n.kind != "const" else 9,
                     family="DejaVu Sans", linespacing=1.25, zorder=3)
        texts[n.key] = t
        bb = t.get_window_extent(renderer)
        pad = 0.24 if n.kind != "const" else 0.16
        w, h = bb.width / fig.dpi + pad, bb.height / fig.dpi + pad
        if n.kind == "const":
            w = h = max(w, h)
        sizes[n.key] = (w, h)
    pos, routes = layout(nodes, edges, sizes)
    margin = 0.35
    present = {n.kind for n in nodes}
    legend = [(kind, text) for kind, text in LEGEND if kind in present]
    legend_w = sum(0.32 + 0.2 + fig.text(0, 0, text, fontsize=9).get_window_extent(renderer).width / fig.dpi
                   + 0.25 for _, text in legend) + 0.3
    for t in fig.texts[len(texts):]:
        t.remove()
    xs = [pos[k][0] - sizes[k][0] / 2 for k in sizes] + [pos[k][0] + sizes[k][0] / 2 for k in sizes]
    ys = [pos[k][1] + sizes[k][1] / 2 for k in sizes]
    legend_h, title_h = 0.7, (0.45 if title else 0.0)
    graph_w = max(xs) - min(xs) + 2 * margin
    width = max(graph_w, legend_w, 4.0)
    x0 = min(xs) - margin - (width - graph_w) / 2           # the graph centred
    height = max(ys) + 2 * margin + legend_h + title_h
    fig.set_size_inches(width, height)

    def to_fig(px, py):                   # inches (y up from the bottom margin) -> figure fraction
        return (px - x0) / width, (py + margin) / height

    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.axis("off")
    kinds = {n.key: n.kind for n in nodes}
    for n in nodes:
        cx, cy = pos[n.key]
        w, h = sizes[n.key]
        _, style, face, edge, ls, lw = STYLES[n.kind]
        fx, fy = to_fig(cx - w / 2, cy - h / 2)
        box = FancyBboxPatch((fx, fy), w / width, h / height, boxstyle=style.split(",")[0] + ",pad=0",
                             facecolor=face, edgecolor=edge, linestyle=ls, linewidth=lw, zorder=2,
                             mutation_aspect=width / height)
        if n.kind == "leaf":
            from matplotlib.patches import Ellipse
            box = Ellipse(to_fig(cx, cy), w * 1.25 / width, h * 1.1 / height, facecolor=face, edgecolor=edge,
                          linewidth=lw, zorder=2)
        elif n.kind == "const":
            from matplotlib.patches import Ellipse
            box = Ellipse(to_fig(cx, cy), w / width, h / height, facecolor=face, edgecolor=edge, linewidth=lw,
                          zorder=2)
        ax.add_patch(box)
        texts[n.key].set_position(to_fig(cx, cy))
    # edges: from the bottom of the input's box to the top of its consumer's, spread along both edges, through
    # the route's invisible points when the edge skips layers
    outs, ins = {}, {}
    for chain in routes:
        outs.setdefault(chain[0], []).append(chain[1])
        ins.setdefault(chain[-1], []).append(chain[-2])

    def port(key, other, side, lst):
        lst = sorted(lst, key=lambda k: pos[k][0])
        i, m = lst.index(other), len(lst)
        w, h = sizes[key]
        frac = 0.0 if m == 1 else (i / (m - 1) - 0.5) * (0.6 if kinds[key] not in ("leaf", "const") else 0.4)
        y = pos[key][1] + (h / 2 if side == "top" else -h / 2)
        return pos[key][0] + frac * w, y

    for chain in routes:
        points = ([port(chain[0], chain[1], "bottom", outs[chain[0]])] + [pos[k] for k in chain[1:-1]]
                  + [port(chain[-1], chain[-2], "top", ins[chain[-1]])])
        if len(points) > 2:
            fx, fy = zip(*(to_fig(*p) for p in points[:-1]))
            ax.plot(fx, fy, color="#555555", linewidth=1.1, zorder=1, solid_capstyle="round")
        arrow = FancyArrowPatch(to_fig(*points[-2]), to_fig(*points[-1]), arrowstyle="-|>", mutation_scale=12,
                                color="#555555", linewidth=1.1, zorder=1, shrinkA=0 if len(points) > 2 else 1,
                                shrinkB=1)
        ax.add_patch(arrow)
    # legend along the top, title above it
    lx = 0.3
    top = height - margin - title_h - legend_h / 2
    for kind, text in legend:
        _, style, face, edge, ls, lw = STYLES[kind]
        sw = 0.32
        if kind == "leaf":
            from matplotlib.patches import Ellipse
            patch = Ellipse(((lx + sw / 2) / width, top / height), sw / width, 0.2 / height, facecolor=face,
                            edgecolor=edge, linewidth=lw)
        else:
            patch = FancyBboxPatch((lx / width, (top - 0.1) / height), sw / width, 0.2 / height,
                                   boxstyle=style.split(",")[0] + ",pad=0", facecolor=face, edgecolor=edge,
                                   linestyle=ls, linewidth=min(lw, 2.0), mutation_aspect=width / height)
        ax.add_patch(patch)
        label = fig.text((lx + sw + 0.08) / width, top / height, text, ha="left", va="center", fontsize=9)
        lx += sw + 0.2 + label.get_window_extent(renderer).width / fig.dpi + 0.25
    if title:
        fig.text(0.5, (height - margin / 2 - title_h / 2) / height, title, ha="center", va="center",
                 fontsize=13, weight="bold")
    buf = io.BytesIO()
    fig.savefig(buf, format=format, dpi=110, metadata={"Software": None} if format == "png" else {"Date": None})
    return buf.getvalue()
