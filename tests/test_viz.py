"""minigrad.viz (graph drawing) and minigrad.autograd.trace (the backward trace)."""
import io
import sys

import numpy as np
import pytest

import minigrad
from minigrad import nn
from minigrad.autograd import trace
from minigrad.viz import draw_graph, retain_grads, to_dot

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _iris_like():
    minigrad.manual_seed(1)
    model = nn.Sequential(nn.Linear(4, 16), nn.Sigmoid(), nn.Linear(16, 3))
    x = minigrad.tensor(np.linspace(-1, 1, 8, dtype=np.float32).reshape(2, 4))
    y = minigrad.tensor([0, 2])
    loss = nn.CrossEntropyLoss()(model(x), y)
    return model, x, y, loss


def test_dot_names_ops_shapes_and_kinds():
    model, x, y, loss = _iris_like()
    dot = to_dot(loss, model, {"x": x, "y": y, "loss": loss})
    assert dot.startswith("digraph minigrad {") and dot.rstrip().endswith("}")
    for text in ("NllLossBackward0", "AddmmBackward0", "SigmoidBackward0", "0.weight", "2.bias",
                 "shape (16, 4)", "shape (2, 3)", "loss = ", '"x\\nshape (2, 4)"'):
        assert text in dot, text
    # the kinds are told apart: loss bold red, params green boxes, data dashed grey
    assert 'penwidth=3' in dot and '#cdeccb' in dot and 'dashed' in dot
    assert dot.count("->") == 9                    # x, W1, b1 -> addmm; addmm -> sigmoid; ... y -> loss
    assert "\\ngrad " not in dot                  # no backward yet: no gradients to show


def test_names_from_the_callers_variables_and_grads_after_backward():
    xt = minigrad.tensor(3.0).requires_grad_()
    yt = xt ** 2
    yt.backward()
    dot = to_dot(yt)
    assert '"yt = 9\\nPowBackward0\\nshape ()"' in dot      # a non-leaf's grad is not kept unless retained
    assert '"xt\\nshape ()\\ngrad 6"' in dot                # the leaf's gradient after backward
    assert 'const' in dot and 'label="2"' in dot              # the exponent, a number


def test_draw_graph_backward_retains_every_gradient_and_draws_after_backward():
    model, x, y, loss = _iris_like()
    drawing = draw_graph(loss, model, backward=True)
    # backward has freed the arrays saved for it ...
    kinds = {n.kind for n in drawing.nodes}
    assert kinds == {"loss", "op", "param", "data"}
    for n in drawing.nodes:                                   # ... yet the whole graph is drawn, with grads
        if n.kind in ("loss", "op", "param"):
            assert n.lines[-1].startswith("grad "), n.lines
    assert "grad 1" in drawing.dot


def test_png_and_svg_from_the_pure_python_fallback(tmp_path):
    model, x, y, loss = _iris_like()
    drawing = draw_graph(loss, model, backward=True, title="iris")
    png = drawing.render("png", engine="matplotlib")
    assert png.startswith(PNG_MAGIC) and len(png) > 5000
    path = drawing.save(tmp_path / "g.svg", engine="matplotlib")
    assert open(path, "rb").read(200).lstrip().startswith(b"<?xml")
    draw_graph(loss, model, filename=str(tmp_path / "g.png"))
    assert (tmp_path / "g.png").read_bytes().startswith(PNG_MAGIC)


def test_retain_grads_then_own_backward():
    a = minigrad.tensor([1.0, 2.0], requires_grad=True)
    b = (a * 3).sigmoid()
    loss = b.sum()
    assert retain_grads(loss) == 3
    loss.backward()
    s = 1 / (1 + np.exp(-np.array([3.0, 6.0])))
    np.testing.assert_allclose(b.grad.numpy(), [1, 1], rtol=1e-6)
    np.testing.assert_allclose(a.grad.numpy(), 3 * s * (1 - s), rtol=1e-4)


def test_leaf_tensor_has_no_graph():
    with pytest.raises(ValueError, match="no graph"):
        to_dot(minigrad.tensor([1.0], requires_grad=True))


TRACE_X2 = """\
backward from [1] PowBackward0 (yt): 1 node, run newest first
[1] PowBackward0 (yt)
    grad of output: () 1
    local rule:     d(a**b)/da = b * a**(b-1), d(a**b)/db = a**b * log(a)
    input 0 -> xt: () 6 (leaf: added into .grad)
    input 1 -> the number 2: nothing (a constant)
leaves after backward (.grad holds the sum of what reached each):
    xt.grad = () 6
"""


def test_trace_of_x_squared():
    xt = minigrad.tensor(3.0).requires_grad_()
    yt = xt ** 2
    out = io.StringIO()
    with trace(file=out):
        yt.backward()
    assert out.getvalue() == TRACE_X2


def test_trace_shows_broadcast_sums_and_run_order(capsys):
    w = minigrad.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = minigrad.tensor(0.5, requires_grad=True)
    loss = (w * 2 + b).sum()
    with trace():
        loss.backward()
    text = capsys.readouterr().out
    order = [line.split()[1] for line in text.splitlines() if line.startswith("[")]
    assert order == ["SumBackward0", "AddBackward0", "MulBackward0"]
    assert "summed over broadcast axes to () 3" in text
    assert "local rule:     d(a*b)/da = b, d(a*b)/db = a" in text
    assert "b.grad = () 3" in text and "w.grad = (3,) [2, 2, 2]" in text


def test_trace_is_off_outside_the_block():
    from minigrad.autograd import engine
    x = minigrad.tensor(2.0, requires_grad=True)
    with trace(file=io.StringIO()):
        assert len(engine.observers) == 1
    assert engine.observers == []
    out = io.StringIO()
    sys_stdout, sys.stdout = sys.stdout, out
    try:
        (x * x).backward()
    finally:
        sys.stdout = sys_stdout
    assert out.getvalue() == ""


def test_every_op_docstring_states_a_derivative_and_tensor_methods_show_it():
    import inspect
    from minigrad.autograd.function import Function
    from minigrad.autograd.trace import derivative_rule
    import minigrad.ops  # noqa: F401

    def subclasses(c):
        for s in c.__subclasses__():
            yield s
            yield from subclasses(s)
    ops = [c for c in subclasses(Function) if c.__module__.startswith("minigrad.ops")]
    assert len(ops) > 40
    for op in ops:
        rule = derivative_rule(op)
        assert any(w in rule for w in ("grad", "/d", "d/", "dx =", "d(")), (op, rule)
    assert "ds/da = s * (1 - s)" in inspect.getdoc(minigrad.Tensor.sigmoid)
    assert "d(a*b)/da = b" in inspect.getdoc(minigrad.Tensor.__mul__)
    assert "SigmoidBackward0" in minigrad.Tensor.sigmoid.__doc__
