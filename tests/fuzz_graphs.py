"""Differential fuzzing: random expression graphs built step by step in torch and in minigrad from the same
NumPy inputs, compared after every step (value, shape, dtype, or the exception torch raised) and after backward
(every leaf's gradient and its dtype).

A graph is a pool of tensors, first the leaves. Each step draws an op and its operands from the pool (or a fresh
leaf of a fitting shape), runs it in torch, and then in minigrad: when torch raises, minigrad must raise the same
type with the same message; when torch does not, minigrad must not. Every graph is also replayed in torch
float64 (ints promoting to float64 too), the reference for the float32 tolerance (`close`).
"""
import re

import numpy as np
import torch
from hypothesis import reject
from hypothesis import strategies as st

import minigrad
import minigrad.nn.functional as mF
from minigrad.autograd import engine
from minigrad.autograd.engine import unbroadcast
import torch.nn.functional as tF

# float64: minigrad within 1e-10 of torch relative to the tensor's scale (its largest magnitude), plus, as the
# float32 rule's floor below, 4 float64 ulps of the graph's largest input: where the exact result is 0 (the
# variance of equal values) one library may give exactly 0 and the other a rounding residue (torch's var along
# a dim gave 0.0, NumPy's 4.9e-32, for three equal rows of values near 1); a wrong term misses by far more.
RTOL64 = 1e-10
FLOOR_ULPS64 = 4.0
EPS64 = float(np.finfo(np.float64).eps)
# float32: |minigrad32 - torch64| <= K32 * |torch32 - torch64| + FLOOR_ULPS32 * eps32 * scale, where scale is the
# larger of the tensor's largest magnitude and the graph's largest input (a sum that cancels to a small value still
# rounds at the scale of its terms). torch's own float32 result is a float32 evaluation of the same graph; minigrad
# sums and multiplies in other orders (NumPy's pairwise sums, its BLAS), so its error is of the same size, not the
# same value. K32 = 8 allows that at any element; the floor covers elements where torch happened to be (near)
# exact. Measured with RATIOS over 2000 random graphs (3735 float32 results and gradients): the largest
# |mg32 - torch64| / (|torch32 - torch64| + eps32 * scale) was 1.37 (99th percentile 0.49), so K32 = 8 with a
# 4-ulp floor leaves a margin of about 6 and still fails an error of 8 float32 ulps of the scale.
# A leaf's gradient summed over a broadcast (x / s, s 0-d: sum of w * x / s**2 over x's elements) is a float32
# sum of n terms t_i in each library's order (NumPy's pairwise blocks, torch's cascade). Either order is within
# the worst-case bound of recursive summation, (n - 1) * eps32 * sum|t_i| (Higham, Accuracy and Stability,
# 4.2), of the exact sum, so the two differ by at most twice that: the allowance `sum_bound` adds for leaf
# gradients, with sum|t_i| and n read from minigrad's own backward. It is needed: where the terms cancel (sum
# 78, sum|t_i| 8789) torch can be 100x inside its bound by luck (measured on x (2, 3, 4) / s: both libraries
# within 0.51 * eps32 * sum|t_i| in 3000 draws, torch's error as small as 0.002 of it), and then 8x torch's own
# error is no bound for another order. A wrong gradient (a term lost or doubled) misses by |t_i|, far more.
K32 = 8.0
FLOOR_ULPS32 = 4.0
EPS32 = float(np.finfo(np.float32).eps)
RATIOS = None     # a list to collect |mg32 - torch64| / (|torch32 - torch64| + eps32 * scale), for measuring K32

LIBS = {"torch": (torch, tF), "minigrad": (minigrad, mF)}


class Mismatch(AssertionError):
    pass


# Differences found by this fuzzer whose fix lies outside the files this fuzzer's author could change. Each has an
# xfail(strict=True) regression test in tests/test_regressions_fuzz.py named after its key; a graph that meets
# one is rejected so the fuzzer keeps looking for new ones. Remove the entry with the fix.
KNOWN = {
    # torch's derivative of abs is grad * sgn(x), and sgn's own derivative an efficient zero tensor, which stays
    # 0 when a later backward multiplies it by var/std's nan (no degrees of freedom); minigrad's zero is an
    # ordinary one, and 0 * nan is nan (tests/test_double_backward.py, xfail strict)
    "second_derivative_through_abs_meets_var_without_degrees_of_freedom":
        r"(?=[\s\S]*(\.abs|l1\())(?=[\s\S]*\.(var|std)\()[\s\S]*\(second order\): \d+ of \d+ differ; first: "
        r"minigrad np\.float64\(nan\) torch np\.float64\(0\.0\)",
    # float32 only (the same graph in float64 is judged at 1e-10): an exp of small integers (NumPy's within 0.8
    # ulp, torch's correctly rounded) then a product leave cos's or sin's argument an ulp from torch's, and the
    # gradient reads it times the exps: a multiple of torch's own error, which may be small by luck
    # (tests/test_regressions_fuzz.py, xfail strict, names the fix)
    "float32_gradient_through_cos_of_a_product_of_exps_within_the_fuzz_rule":
        r"^x\d+\.grad: \d+ of \d+ differ; first: minigrad np\.float32[\s\S]*\.exp\n[\s\S]*@[\s\S]*\.(cos|sin)\n",
}


# ---------------------------------------------------------------- shapes and values
def shapes(max_dims=3, max_side=4, min_dims=0):
    return st.lists(st.integers(0, max_side), min_size=min_dims, max_size=max_dims).map(tuple)


def nonempty_shapes(max_dims=3, max_side=4, min_dims=0):
    return st.lists(st.integers(1, max_side), min_size=min_dims, max_size=max_dims).map(tuple)


def values(rng, shape, dtype, kind="distinct"):
    """Reproducible data: 'distinct' keeps values apart (no ties at max/min, none near the kinks of abs, relu,
    clamp), 'ties' draws small integers so ties and exact zeros occur."""
    n = int(np.prod(shape, dtype=np.int64))
    if dtype == np.int64:
        return rng.integers(-3, 4, size=shape).astype(np.int64)
    if kind == "ties":
        return rng.integers(-2, 3, size=shape).astype(dtype)
    v = rng.permutation(np.linspace(-2.0, 2.0, n + 2)[1:-1]) + rng.uniform(-0.2, 0.2, n) / (n + 2)
    v = np.where(np.abs(v) < 0.05, v + 0.1, v)
    return v.reshape(shape).astype(dtype)


def broadcastable_to(draw, shape):
    """A shape that broadcasts with `shape`: some of its trailing axes, each kept or set to 1, maybe a new one."""
    keep = draw(st.integers(0, len(shape)))
    out = [s if draw(st.booleans()) else 1 for s in shape[len(shape) - keep:]]
    if draw(st.integers(0, 4)) == 0:
        out = [draw(st.integers(1, 2))] + out if draw(st.booleans()) else [1] + out
    return tuple(out)


# ---------------------------------------------------------------- the graph, run in both libraries at once
class Graph:
    """The same graph in torch (t), minigrad (m) and, for float32, torch float64 (r, the reference)."""

    def __init__(self, draw, dtype, value_kind):
        self.draw, self.dtype, self.kind = draw, dtype, value_kind
        self.rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
        self.t, self.m, self.r = [], [], []
        self.leaves = []          # indexes in the pool
        self.trace = []           # what was run, for the failure report
        self.scale = 0.0          # the largest input magnitude, for the float32 floor
        self.ops = []
        # whether a float32 value has been computed: an int tensor's exp or cos is float32 (the default dtype)
        # even in a float64 graph, and what is computed from it carries float32 rounding: the float32 rule
        self.float32_seen = dtype == np.float32

    def leaf(self, shape, dtype=None, requires_grad=True, data=None):
        dtype = dtype or self.dtype
        a = values(self.rng, shape, dtype, self.kind) if data is None else data
        rg = requires_grad and np.dtype(dtype).kind == "f"
        self.scale = max(self.scale, float(np.abs(a).max(initial=0)))
        t = torch.tensor(a).requires_grad_(rg)
        m = minigrad.tensor(a.copy()).requires_grad_(rg)
        r = torch.tensor(a.astype(np.float64) if a.dtype == np.float32 else a).requires_grad_(rg)
        self.t.append(t), self.m.append(m), self.r.append(r)
        if rg:
            self.leaves.append(len(self.t) - 1)
        self.trace.append(f"x{len(self.t) - 1} = leaf({shape}, {np.dtype(dtype).name}, requires_grad={rg})")
        return len(self.t) - 1

    def const(self, a):
        """A non-leaf input (targets, weights): the same array in each library."""
        r = a.astype(np.float64) if a.dtype == np.float32 else a
        return torch.tensor(a), minigrad.tensor(a.copy()), torch.tensor(r)

    def run(self, name, fn, *, keep=True, sum_bound=0.0):
        """Run fn(lib, F, pool) in torch, then minigrad (and the float64 replay); compare; add the result.
        sum_bound: for a float32 sum, the allowance for two summation orders (see close)."""
        self.ops.append(name)
        self.trace.append(name)
        try:
            tout = fn(torch, tF, self.t)
        except Exception as e:  # noqa: BLE001 - any exception torch raises is the expected one
            check_same_error(e, lambda: fn(minigrad, mF, self.m), self.trace)
            return None
        try:
            mout = fn(minigrad, mF, self.m)
        except Exception as e:  # noqa: BLE001
            raise Mismatch(f"torch ran but minigrad raised {type(e).__name__}: {e}\n" + "\n".join(self.trace)) from e
        rout = _in_float64(lambda: fn(torch, tF, self.r))
        if not keep:
            return None
        outs = tout if isinstance(tout, (tuple, list)) else (tout,)
        mouts = mout if isinstance(mout, (tuple, list)) else (mout,)
        routs = (rout if isinstance(rout, (tuple, list)) else (rout,)) if rout is not None else (None,) * len(outs)
        if len(outs) != len(mouts):
            raise Mismatch(f"{len(mouts)} results, torch {len(outs)}\n" + "\n".join(self.trace))
        idx = None
        for t, m, r in zip(outs, mouts, routs):
            if not isinstance(t, torch.Tensor):
                if t != m and not (t != t and m != m):
                    raise Mismatch(f"{m!r} != torch {t!r}\n" + "\n".join(self.trace))
                continue
            self.float32_seen = self.float32_seen or t.dtype == torch.float32
            close(m, t, r, self.trace, what="value", scale=self.scale, float32_rule=self.float32_seen,
                  sum_bound=sum_bound)
            self.t.append(t), self.m.append(m), self.r.append(r)
            idx = len(self.t) - 1
        return idx

    def pick(self, pred=lambda t: True):
        cands = [i for i, t in enumerate(self.t) if pred(t)]
        return self.draw(st.sampled_from(cands)) if cands else None

    def backward_and_compare(self):
        """Weighted sum of every float tensor that requires grad, backward in each library, compare grads."""
        parts = [i for i, t in enumerate(self.t) if t.requires_grad and t.dtype.is_floating_point]
        if not parts:
            return

        def loss(lib, F, pool):
            total = None
            for i in parts:
                w = np.random.default_rng(i).uniform(0.5, 1.5, tuple(pool[i].shape))
                w = lib.tensor(w.astype(np.float64 if pool[i].dtype == lib.float64 else np.float32))
                term = (pool[i] * w).sum()
                total = term if total is None else total + term
            total.backward()
            return total

        self.trace.append(f"(weighted sum of x{parts}).backward()")
        try:
            loss(torch, tF, self.t)
        except Exception as e:  # noqa: BLE001
            check_same_error(e, lambda: loss(minigrad, mF, self.m), self.trace)
            return
        sums = {}
        engine.observers.append(_leaf_sums(sums))
        try:
            loss(minigrad, mF, self.m)
        except Exception as e:  # noqa: BLE001
            raise Mismatch(f"torch's backward ran but minigrad raised {type(e).__name__}: {e}\n"
                           + "\n".join(self.trace)) from e
        finally:
            engine.observers.pop()
        _in_float64(lambda: loss(torch, tF, self.r))
        for i in self.leaves:
            tg, mg = self.t[i].grad, self.m[i].grad
            if (tg is None) != (mg is None):
                raise Mismatch(f"x{i}.grad is {mg!r}, torch's {tg!r}\n" + "\n".join(self.trace))
            if tg is not None:
                n, abs_sum = sums.get(id(self.m[i]), (1, 0.0))
                close(mg, tg, self.r[i].grad, self.trace, what=f"x{i}.grad", scale=self.scale,
                      float32_rule=self.float32_seen,
                      sum_bound=2 * (n - 1) * EPS32 * abs_sum)


def _leaf_sums(sums):
    """An engine observer that records, for each leaf, how many terms its gradient sums per element (n) and
    the sum of their magnitudes (sum|t_i|, per element): the terms of the float32 sum that `sum_bound` bounds."""
    def observe(node, g, grads_in):
        for t, gi in zip(node.inputs, grads_in):
            if gi is None or not isinstance(t, minigrad.Tensor) or t.grad_fn is not None:
                continue
            a = np.abs(np.asarray(gi, dtype=np.float64))
            shape = t._data.shape
            n, total = sums.get(id(t), (0, 0.0))
            terms = a.reshape(shape) if a.size == t._data.size else unbroadcast(a, shape)
            sums[id(t)] = (n + a.size // max(t._data.size, 1), total + terms)
    return observe


def _in_float64(fn):
    """The float64 replay: the default dtype float64, so that int tensors promote to float64 there too."""
    before = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        return fn()
    finally:
        torch.set_default_dtype(before)


def check_same_error(torch_exc, mg_call, trace):
    try:
        mg_call()
    except Exception as e:  # noqa: BLE001
        if type(e) is not type(torch_exc) or str(e).strip() != str(torch_exc).strip():
            raise Mismatch(f"minigrad raised {type(e).__name__}: {e}\n torch raised {type(torch_exc).__name__}: "
                           f"{torch_exc}\n" + "\n".join(trace)) from e
        return
    raise Mismatch(f"torch raised {type(torch_exc).__name__}: {torch_exc}\n minigrad did not\n" + "\n".join(trace))


def close(m, t, r, trace, what, scale=0.0, sum_bound=0.0, float32_rule=False):
    """minigrad's m against torch's t: same shape and dtype; values by the dtype's rule (module docstring)."""
    if not isinstance(m, minigrad.Tensor):
        raise Mismatch(f"{what}: minigrad gave {type(m).__name__}, torch a Tensor\n" + "\n".join(trace))
    mv, tv = m.detach().numpy(), t.detach().numpy()
    if mv.shape != tv.shape or mv.dtype != tv.dtype:
        raise Mismatch(f"{what}: {mv.dtype}{list(mv.shape)} != torch {tv.dtype}{list(tv.shape)}\n" + "\n".join(trace))
    if mv.dtype.kind != "f":
        if not np.array_equal(mv, tv):
            raise Mismatch(f"{what}: {mv} != torch {tv}\n" + "\n".join(trace))
        return
    float32_rule = mv.dtype == np.float32 or (float32_rule and r is not None)
    bad = _violations(mv, tv, r.detach().numpy() if float32_rule else None, scale, sum_bound)
    if bad.any():
        i = np.flatnonzero(bad)[0]
        raise Mismatch(f"{what}: {bad.sum()} of {bad.size} differ; first: minigrad {mv.flat[i]!r} torch "
                       f"{tv.flat[i]!r}" + (f" torch64 {r.detach().numpy().flat[i]!r}" if r is not None else "")
                       + "\n" + "\n".join(trace))


def _violations(mv, tv, rv, input_scale, sum_bound=0.0):
    finite = np.isfinite(tv)
    # Where torch is inf or nan, minigrad must be the same inf or a nan.
    bad = ~finite & ~((mv == tv) | (np.isnan(mv) & np.isnan(tv)))
    if rv is None:         # float64: against torch's float64
        scale = np.abs(tv[finite]).max() if finite.any() else 0.0
        bad |= finite & ~(np.abs(mv - tv) <= RTOL64 * scale + FLOOR_ULPS64 * EPS64 * input_scale)
        return bad
    ref = rv.astype(np.float64)
    ok_ref = np.isfinite(ref)
    scale = max(np.abs(ref[ok_ref]).max() if ok_ref.any() else 0.0, input_scale)
    allowed = K32 * np.abs(tv.astype(np.float64) - ref) + FLOOR_ULPS32 * EPS32 * scale + sum_bound
    if RATIOS is not None and (finite & ok_ref).any():
        with np.errstate(invalid="ignore", divide="ignore"):
            both = finite & ok_ref
            RATIOS.append(float(np.max(np.abs(mv[both].astype(np.float64) - ref[both])
                                       / (np.abs(tv[both].astype(np.float64) - ref[both]) + EPS32 * scale))))
    with np.errstate(invalid="ignore"):
        bad |= finite & ok_ref & ~(np.abs(mv.astype(np.float64) - ref) <= allowed)
    # torch32 finite but the float64 replay not (overflow only in float64 is impossible; the reverse is float32
    # overflow): then minigrad must equal torch32 within the float64 rule's scale.
    bad |= finite & ~ok_ref & ~(np.abs(mv - tv) <= FLOOR_ULPS32 * EPS32 * np.abs(tv))
    return bad


# ---------------------------------------------------------------- the ops: each draws its operands and runs
def is_float(t):
    return t.dtype.is_floating_point


def _dim(g, t, allow_none=False):
    nd = t.dim()
    choices = list(range(-max(nd, 1), max(nd, 1)))
    if allow_none:
        choices = [None] + choices
    return g.draw(st.sampled_from(choices))


UNARY = {
    "neg": lambda x: -x, "exp": lambda x: x.exp(), "tanh": lambda x: x.tanh(), "sigmoid": lambda x: x.sigmoid(),
    "sin": lambda x: x.sin(), "cos": lambda x: x.cos(), "abs": lambda x: x.abs(), "relu": lambda x: x.relu(),
    "square": lambda x: x.square(), "log_pos": lambda x: (x.abs() + 0.5).log(),
    "sqrt_pos": lambda x: (x.abs() + 0.5).sqrt(), "pow2": lambda x: x ** 2, "pow3": lambda x: x.pow(3),
    "rpow": lambda x: 2 ** x, "recip_pos": lambda x: 1 / (x.abs() + 0.5), "log1p_pos": lambda x: x.abs().log1p(),
    "rsub": lambda x: 1 - x, "scale": lambda x: 2.5 * x, "div_scalar": lambda x: x / 3, "add_scalar": lambda x: x + 1.5,
    "clamp": lambda x: x.clamp(-0.5, 0.7), "clamp_min": lambda x: x.clamp(min=0.1), "clamp_max": lambda x: x.clamp(max=0.2),
    "floor": lambda x: x.floor(), "sign": lambda x: x.sign(), "expm1": lambda x: x.expm1(), "rsqrt_pos": lambda x: (x.abs() + 1).rsqrt(),
}


def op_unary(g):
    i = g.pick()
    name = g.draw(st.sampled_from(sorted(UNARY)))
    f = UNARY[name]
    g.run(f"x{i}.{name}", lambda lib, F, p: f(p[i]))


BINARY = {
    "add": lambda a, b: a + b, "sub": lambda a, b: a - b, "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b, "div_safe": lambda a, b: a / (b.abs() + 0.5) if b.dtype.is_floating_point else a / b,
    "maximum": lambda a, b: a.maximum(b), "minimum": lambda a, b: a.minimum(b),
    "add_alpha": lambda a, b: a.add(b, alpha=2), "eq": lambda a, b: a == b, "lt": lambda a, b: a < b,
    "ge": lambda a, b: a >= b,
    # clamp with tensor bounds: each bound broadcasts and gets a gradient; min > max where they cross
    "clamp_min_t": lambda a, b: a.clamp(min=b), "clamp_max_t": lambda a, b: a.clamp(max=b),
    "clamp_both_t": lambda a, b: a.clamp(b - 0.5, b + 0.5), "clamp_crossed_t": lambda a, b: a.clamp(b, b - 1),
    "clamp_min_method_t": lambda a, b: a.clamp_min(b),
}


def op_binary(g):
    i = g.pick()
    shape = tuple(g.t[i].shape)
    # the other operand: a pool tensor that broadcasts, or a fresh leaf of a broadcastable (rarely any) shape
    other = g.pick(lambda t: _broadcasts(tuple(t.shape), shape)) if g.draw(st.booleans()) else None
    if other is None:
        s = broadcastable_to(g.draw, shape) if g.draw(st.integers(0, 9)) else g.draw(shapes())
        dt = g.draw(st.sampled_from([g.dtype, g.dtype, np.int64]))
        other = g.leaf(s, dt)
    name = g.draw(st.sampled_from(sorted(BINARY)))
    f = BINARY[name]
    a, b = (i, other) if g.draw(st.booleans()) else (other, i)
    g.run(f"x{a} {name} x{b}", lambda lib, F, p: f(p[a], p[b]))


def _broadcasts(s1, s2):
    try:
        np.broadcast_shapes(s1, s2)
        return True
    except ValueError:
        return False


def op_where(g):
    i = g.pick(is_float)
    if i is None:
        return
    shape = tuple(g.t[i].shape)
    j = g.leaf(broadcastable_to(g.draw, shape))
    g.run(f"where(x{i} > 0, x{i}, x{j})", lambda lib, F, p: lib.where(p[i] > 0, p[i], p[j]))


def op_reduce(g):
    i = g.pick()
    t = g.t[i]
    name = g.draw(st.sampled_from(["sum", "mean", "amax", "max_dim", "min_dim", "max_all", "var", "std",
                                   "prod", "logsumexp", "norm", "argmax", "sum_tuple", "mean_tuple"]))
    keepdim = g.draw(st.booleans())
    d = _dim(g, t)
    if name in ("sum", "mean"):
        dim = _dim(g, t, allow_none=True)
        kw = {} if dim is None else {"dim": dim, "keepdim": keepdim}
        g.run(f"x{i}.{name}({kw})", lambda lib, F, p: getattr(p[i], name)(**kw),
              sum_bound=_sum_bound(g, i, None if dim is None else (dim,), name == "mean"))
    elif name in ("sum_tuple", "mean_tuple"):
        nd = max(t.dim(), 1)
        dims = tuple(g.draw(st.lists(st.integers(-nd, nd - 1), max_size=3)))
        meth = name[:-6]
        g.run(f"x{i}.{meth}({dims}, keepdim={keepdim})", lambda lib, F, p: getattr(p[i], meth)(dims, keepdim=keepdim),
              sum_bound=_sum_bound(g, i, dims, meth == "mean"))
    elif name == "amax":
        g.run(f"x{i}.amax({d}, {keepdim})", lambda lib, F, p: p[i].amax(d, keepdim))
    elif name in ("max_dim", "min_dim"):
        meth = name[:3]
        g.run(f"x{i}.{meth}({d}, keepdim={keepdim})", lambda lib, F, p: tuple(getattr(p[i], meth)(d, keepdim=keepdim)))
    elif name == "max_all":
        g.run(f"x{i}.max()", lambda lib, F, p: p[i].max())
    elif name in ("var", "std"):
        corr = g.draw(st.sampled_from([0, 1]))
        g.run(f"x{i}.{name}({d}, correction={corr}, keepdim={keepdim})",
              lambda lib, F, p: getattr(p[i], name)(d, correction=corr, keepdim=keepdim))
    elif name == "prod":
        g.run(f"x{i}.prod({d}, keepdim={keepdim})", lambda lib, F, p: p[i].prod(d, keepdim=keepdim))
    elif name == "logsumexp":
        g.run(f"x{i}.logsumexp({d}, keepdim={keepdim})", lambda lib, F, p: p[i].logsumexp(d, keepdim=keepdim))
    elif name == "norm":
        g.run(f"x{i}.norm()", lambda lib, F, p: p[i].norm())
    else:
        g.run(f"x{i}.argmax({d}, keepdim={keepdim})", lambda lib, F, p: p[i].argmax(d, keepdim=keepdim))


def _sum_bound(g, i, dims, mean):
    """The float32 allowance for sum (or mean) over `dims` (None or () for all) of pool tensor i: each library
    sums its n terms in its own order (NumPy's pairwise blocks follow the memory layout, torch's cascade does
    not), each within (n - 1) eps32 sum|t_i| of the exact sum (Higham 4.2), so they differ by at most twice
    that (measured: a float32 sum of a transposed (4, 4, 4) leaf, 10 ulps of its inputs from torch's)."""
    r = g.r[i]
    if r is None or not r.dtype.is_floating_point:
        return 0.0
    shape = tuple(r.shape)
    nd = max(len(shape), 1)
    if dims is None or len(dims) == 0:
        n = int(np.prod(shape, dtype=np.int64))
    elif all(-nd <= d < nd for d in dims):
        n = int(np.prod([shape[d % nd] for d in set(d % nd for d in dims) if shape], dtype=np.int64))
    else:
        return 0.0                                        # torch refuses the dims
    total = float(np.abs(r.detach().numpy()).sum())
    bound = 2 * max(n - 1, 0) * EPS32 * total
    return bound / max(n, 1) if mean else bound


def op_matmul(g):
    i = g.pick(lambda t: is_float(t) and 1 <= t.dim() <= 3)
    if i is None:
        return
    s = tuple(g.t[i].shape)
    k = s[-1]
    n = g.draw(st.integers(0, 3))
    kind = g.draw(st.sampled_from(["vec", "mat", "batched", "wrong"]))
    other = {"vec": (k,), "mat": (k, n), "batched": (g.draw(st.integers(1, 2)), k, n),
             "wrong": (k + 1, n)}[kind]
    j = g.leaf(other)
    a, b = (i, j)
    if g.draw(st.integers(0, 3)) == 0 and len(s) >= 1:     # the pool tensor on the right
        j2 = g.leaf((n, s[0]) if len(s) >= 2 else (n, k))
        a, b = j2, i
    g.run(f"x{a} @ x{b}", lambda lib, F, p: p[a] @ p[b])


def op_view(g):
    i = g.pick()
    t = g.t[i]
    nd, s = t.dim(), tuple(t.shape)
    name = g.draw(st.sampled_from(["transpose", "permute", "t", "reshape", "view", "flatten", "squeeze",
                                   "unsqueeze", "expand", "slice", "int_index", "bool_mask", "index_tensor",
                                   "unbind", "chunk", "contiguous", "mT", "flip", "narrow"]))
    if name == "transpose":
        d0, d1 = _dim(g, t), _dim(g, t)
        g.run(f"x{i}.transpose({d0}, {d1})", lambda lib, F, p: p[i].transpose(d0, d1))
    elif name == "permute":
        perm = tuple(g.draw(st.permutations(range(nd))))
        g.run(f"x{i}.permute{perm}", lambda lib, F, p: p[i].permute(*perm))
    elif name == "t":
        g.run(f"x{i}.t()", lambda lib, F, p: p[i].t())
    elif name == "mT":
        g.run(f"x{i}.mT", lambda lib, F, p: p[i].mT)
    elif name in ("reshape", "view"):
        n = t.numel()
        target = _factor(g, n)
        if g.draw(st.integers(0, 3)) == 0 and target:
            target = list(target)
            target[g.draw(st.integers(0, len(target) - 1))] = -1
            target = tuple(target)
        g.run(f"x{i}.{name}{target}", lambda lib, F, p: getattr(p[i], name)(*target) if target else getattr(p[i], name)(()))
    elif name == "flatten":
        a, b = sorted([_dim(g, t), _dim(g, t)], key=lambda d: d % max(nd, 1))
        g.run(f"x{i}.flatten({a}, {b})", lambda lib, F, p: p[i].flatten(a, b))
    elif name == "squeeze":
        d = _dim(g, t, allow_none=True)
        g.run(f"x{i}.squeeze({d})", lambda lib, F, p: p[i].squeeze() if d is None else p[i].squeeze(d))
    elif name == "unsqueeze":
        d = g.draw(st.integers(-nd - 1, nd))
        g.run(f"x{i}.unsqueeze({d})", lambda lib, F, p: p[i].unsqueeze(d))
    elif name == "expand":
        sizes = tuple(g.draw(st.integers(1, 3)) if v == 1 else g.draw(st.sampled_from([v, -1])) for v in s)
        if g.draw(st.booleans()):
            sizes = (2,) + sizes
        g.run(f"x{i}.expand{sizes}", lambda lib, F, p: p[i].expand(*sizes))
    elif name == "slice":
        if nd == 0:
            return
        d = g.draw(st.integers(0, nd - 1))
        start = g.draw(st.one_of(st.none(), st.integers(-5, 5)))
        stop = g.draw(st.one_of(st.none(), st.integers(-5, 5)))
        step = g.draw(st.sampled_from([None, 1, 2, 3]))
        idx = (slice(None),) * d + (slice(start, stop, step),)
        g.run(f"x{i}[{idx}]", lambda lib, F, p: p[i][idx])
    elif name == "int_index":
        if nd == 0:
            return
        k = g.draw(st.integers(-s[0] - 1, s[0]))
        g.run(f"x{i}[{k}]", lambda lib, F, p: p[i][k])
    elif name == "bool_mask":
        g.run(f"x{i}[x{i} > 0]", lambda lib, F, p: p[i][p[i] > 0])
    elif name == "index_tensor":
        if nd == 0:
            return
        idx = np.array(g.draw(st.lists(st.integers(-s[0], max(s[0] - 1, 0)), max_size=4)), dtype=np.int64)
        g.run(f"x{i}[{idx.tolist()}]", lambda lib, F, p: p[i][lib.tensor(idx)])
    elif name == "unbind":
        d = _dim(g, t)
        g.run(f"x{i}.unbind({d})", lambda lib, F, p: p[i].unbind(d))
    elif name == "chunk":
        d, c = _dim(g, t), g.draw(st.integers(1, 3))
        g.run(f"x{i}.chunk({c}, {d})", lambda lib, F, p: p[i].chunk(c, d))
    elif name == "flip":
        d = _dim(g, t)
        g.run(f"x{i}.flip({d},)", lambda lib, F, p: p[i].flip((d,)))
    elif name == "narrow":
        if nd == 0:
            return
        d = g.draw(st.integers(0, nd - 1))
        st0 = g.draw(st.integers(0, s[d]))
        ln = g.draw(st.integers(0, s[d] - st0))
        g.run(f"x{i}[{st0}:{st0 + ln}] on {d}", lambda lib, F, p: p[i][(slice(None),) * d + (slice(st0, st0 + ln),)])
    else:
        g.run(f"x{i}.contiguous()", lambda lib, F, p: p[i].contiguous())


def _factor(g, n):
    """A random shape with n elements (n = 0 included)."""
    if n == 0:
        return tuple(g.draw(st.sampled_from([(0,), (0, 2), (2, 0, 1)])))
    out, rest = [], n
    for _ in range(g.draw(st.integers(0, 3))):
        divs = [d for d in range(1, rest + 1) if rest % d == 0]
        d = g.draw(st.sampled_from(divs))
        out.append(d)
        rest //= d
    if rest != 1 or not out:
        out.append(rest)
    return tuple(out)


def op_join(g):
    i = g.pick(is_float)
    if i is None:
        return
    s = tuple(g.t[i].shape)
    same = [j for j, t in enumerate(g.t) if tuple(t.shape) == s and is_float(t)]
    j = g.draw(st.sampled_from(same)) if g.draw(st.booleans()) else g.leaf(s)
    name = g.draw(st.sampled_from(["cat", "stack"]))
    nd = len(s) + (name == "stack")
    d = g.draw(st.integers(-max(nd, 1), max(nd, 1) - 1))
    g.run(f"{name}([x{i}, x{j}], {d})", lambda lib, F, p: getattr(lib, name)([p[i], p[j]], d))


def op_softmax(g):
    i = g.pick(is_float)
    if i is None:
        return
    d = _dim(g, g.t[i])
    name = g.draw(st.sampled_from(["softmax", "log_softmax"]))
    g.run(f"F.{name}(x{i}, {d})", lambda lib, F, p: getattr(F, name)(p[i], dim=d))


REDUCTIONS = ["mean", "sum", "none"]


def op_loss(g):
    name = g.draw(st.sampled_from(["mse", "l1", "smooth_l1", "huber", "kl_div", "cross_entropy",
                                   "cross_entropy_probs", "nll", "bce", "bce_logits"]))
    red = g.draw(st.sampled_from(REDUCTIONS + (["batchmean"] if name == "kl_div" else [])))
    if name in ("mse", "l1", "smooth_l1", "huber", "kl_div", "bce", "bce_logits"):
        i = g.pick(is_float)
        if i is None:
            return
        s = tuple(g.t[i].shape)
        ts = broadcastable_to(g.draw, s) if g.draw(st.integers(0, 9)) == 0 else s
        tgt = g.rng.uniform(0, 1, ts).astype(g.dtype)
        log_target = name == "kl_div" and g.draw(st.booleans())
        if log_target:
            tgt = np.log(tgt)
        tt, tm, tr = g.const(tgt)
        # the target: a constant, a leaf that requires grad (its gradient is compared), or for the regression
        # losses an int64 tensor (the loss's dtype, or torch's error)
        kind = g.draw(st.sampled_from(["const", "const", "grad"] + (["int"] if name[0] in "mlsh" else [])))
        if kind != "const":
            j = g.leaf(ts, np.int64) if kind == "int" else g.leaf(ts, data=tgt)
            tt, tm, tr = g.t[j], g.m[j], g.r[j]
        if name == "mse":
            f = lambda lib, F, p, y: F.mse_loss(p[i], y, reduction=red)   # noqa: E731
        elif name == "l1":
            f = lambda lib, F, p, y: F.l1_loss(p[i], y, reduction=red)   # noqa: E731
        elif name == "smooth_l1":
            beta = g.draw(st.sampled_from([1.0, 0.25, 0.0]))
            f = lambda lib, F, p, y: F.smooth_l1_loss(p[i], y, reduction=red, beta=beta)   # noqa: E731
        elif name == "huber":
            delta = g.draw(st.sampled_from([1.0, 0.25]))
            f = lambda lib, F, p, y: F.huber_loss(p[i], y, reduction=red, delta=delta)   # noqa: E731
        elif name == "kl_div":
            f = lambda lib, F, p, y: F.kl_div(p[i], y, reduction=red, log_target=log_target)   # noqa: E731
        elif name == "bce":
            w = g.rng.uniform(0.5, 1.5, s).astype(g.dtype) if g.draw(st.booleans()) else None
            f = lambda lib, F, p, y: F.binary_cross_entropy(   # noqa: E731
                p[i].sigmoid(), y, weight=None if w is None else lib.tensor(w), reduction=red)
        else:
            w = g.rng.uniform(0.5, 1.5, s).astype(g.dtype) if g.draw(st.booleans()) else None
            pw = g.rng.uniform(0.5, 2, s[-1:]).astype(g.dtype) if g.draw(st.booleans()) else None
            f = lambda lib, F, p, y: F.binary_cross_entropy_with_logits(   # noqa: E731
                p[i], y, weight=None if w is None else lib.tensor(w),
                pos_weight=None if pw is None else lib.tensor(pw), reduction=red)
        g.run(f"{name}(x{i}, reduction={red!r})",
              lambda lib, F, p: f(lib, F, p, tt if p is g.t else tm if p is g.m else tr))
        return
    # classification: input (N, C), (C,) or (N, C, d); a fresh leaf so the shapes fit
    n, c = g.draw(st.integers(0, 3)), g.draw(st.integers(1, 4))
    form = g.draw(st.sampled_from(["NC", "C", "NCd"]))
    shape = {"NC": (n, c), "C": (c,), "NCd": (n, c, 2)}[form]
    tshape = {"NC": (n,), "C": (), "NCd": (n, 2)}[form]
    i = g.leaf(shape)
    ignore = g.draw(st.sampled_from([-100, 0, 1]))
    tgt = g.rng.integers(0, c, tshape).astype(np.int64)
    if g.draw(st.booleans()) and tgt.size:
        tgt.flat[0] = ignore if ignore != -100 else -100
    weight = g.rng.uniform(0.5, 1.5, c).astype(g.dtype) if g.draw(st.booleans()) else None
    smoothing = g.draw(st.sampled_from([0.0, 0.0, 0.1, 0.5]))
    if name == "cross_entropy_probs":
        tgt = g.rng.dirichlet(np.ones(c), size=int(np.prod(tshape, dtype=np.int64)))
        tgt = np.moveaxis(tgt.reshape(tshape + (c,)), -1, 1 if form != "C" else 0).astype(g.dtype)
    tt, tm, tr = g.const(tgt)
    if name == "cross_entropy_probs" and g.draw(st.booleans()):     # probabilities that require grad
        j = g.leaf(tgt.shape, data=tgt)
        tt, tm, tr = g.t[j], g.m[j], g.r[j]

    def pick_const(p, a, b, cc):
        return a if p is g.t else b if p is g.m else cc

    if weight is not None:
        w3 = g.const(weight)
    if name in ("cross_entropy", "cross_entropy_probs"):
        f = lambda lib, F, p: F.cross_entropy(   # noqa: E731
            p[i], pick_const(p, tt, tm, tr), weight=None if weight is None else pick_const(p, *w3),
            ignore_index=ignore, reduction=red, label_smoothing=smoothing)
        label = f"cross_entropy(x{i}, {tgt.tolist()}, weight={weight is not None}, ignore_index={ignore}, " \
                f"reduction={red!r}, label_smoothing={smoothing})"
    else:
        f = lambda lib, F, p: F.nll_loss(   # noqa: E731
            F.log_softmax(p[i], dim=0 if form == "C" else 1), pick_const(p, tt, tm, tr),
            weight=None if weight is None else pick_const(p, *w3), ignore_index=ignore, reduction=red)
        label = f"nll_loss(log_softmax(x{i}), {tgt.tolist()}, weight={weight is not None}, ignore_index={ignore}, " \
                f"reduction={red!r})"
    g.run(label, f)


def op_inplace(g):
    """An in-place op on a non-leaf, or on a view of one (torch rebases the view's history)."""
    i = g.pick(lambda t: is_float(t))
    if i is None:
        return
    t = g.t[i]
    name = g.draw(st.sampled_from(["mul_", "add_", "iadd", "clamp_", "clamp_tensor_", "zero_", "fill_", "setitem",
                                   "view_mul_", "view_add_tensor", "masked_fill_", "copy_", "sub_alpha", "div_"]))
    fresh = g.draw(st.booleans())

    def base(p):
        # a fresh non-leaf (x * 1) keeps the pool's tensor untouched, else the pool's own tensor is modified
        return p[i] * 1 if fresh else p[i]

    if name == "mul_":
        f = lambda lib, F, p: base(p).mul_(1.5)   # noqa: E731
    elif name == "div_":
        f = lambda lib, F, p: base(p).div_(2)   # noqa: E731
    elif name == "add_":
        f = lambda lib, F, p: base(p).add_(0.25)   # noqa: E731
    elif name == "sub_alpha":
        f = lambda lib, F, p: base(p).sub_(p[i].detach(), alpha=0.5)   # noqa: E731
    elif name == "iadd":
        j = g.leaf(broadcastable_to(g.draw, tuple(t.shape)))

        def f(lib, F, p):
            x = base(p)
            x += p[j]
            return x
    elif name == "clamp_":
        f = lambda lib, F, p: base(p).clamp_(-0.5, 0.5)   # noqa: E731
    elif name == "clamp_tensor_":                 # bounds of a (rarely any) broadcastable shape, with gradients
        s = broadcastable_to(g.draw, tuple(t.shape)) if g.draw(st.integers(0, 9)) else g.draw(shapes())
        j = g.leaf(s)
        f = lambda lib, F, p: base(p).clamp_(p[j] - 0.25, p[j] + 0.25)   # noqa: E731
    elif name == "zero_":
        f = lambda lib, F, p: base(p).zero_()   # noqa: E731
    elif name == "fill_":
        f = lambda lib, F, p: base(p).fill_(0.75)   # noqa: E731
    elif name == "masked_fill_":
        f = lambda lib, F, p: base(p).masked_fill_(p[i].detach() > 0, 0.5)   # noqa: E731
    elif name == "copy_":
        j = g.leaf(broadcastable_to(g.draw, tuple(t.shape)))
        f = lambda lib, F, p: base(p).copy_(p[j])   # noqa: E731
    elif name == "setitem":
        if t.dim() == 0:
            return
        k = g.draw(st.integers(-t.shape[0], max(t.shape[0] - 1, 0)))
        val = g.draw(st.sampled_from(["scalar", "tensor"]))
        j = g.leaf(tuple(t.shape[1:])) if val == "tensor" else None

        def f(lib, F, p):
            x = base(p)
            x[k] = 0.5 if j is None else p[j]
            return x
    elif name == "view_mul_":
        if t.dim() == 0:
            return

        def f(lib, F, p):
            x = base(p)
            x[0].mul_(3)        # through a view of x: x's history is rebased
            return x
    else:   # view_add_tensor
        if t.dim() < 2:
            return
        j = g.leaf((t.shape[1], t.shape[0]))

        def f(lib, F, p):
            x = base(p)
            x.t().add_(p[j])
            return x
    g.run(f"x{i}{'*1' if fresh else ''}.{name}", f)


OPS = {"unary": op_unary, "binary": op_binary, "where": op_where, "reduce": op_reduce, "matmul": op_matmul,
       "view": op_view, "join": op_join, "softmax": op_softmax, "loss": op_loss, "inplace": op_inplace}


def run_graph(draw, ops=tuple(OPS), max_steps=6):
    """Draw a graph with `draw` (hypothesis's data.draw) and run it, comparing step by step and after backward;
    raises Mismatch at the first difference that is not a KNOWN one (those graphs are rejected)."""
    try:
        _run_graph(draw, ops, max_steps)
    except Mismatch as e:
        for pattern in KNOWN.values():
            if re.search(pattern, str(e)):
                reject()
        raise


def _run_graph(draw, ops, max_steps):
    dtype = draw(st.sampled_from([np.float64, np.float32]))
    g = Graph(draw, dtype, draw(st.sampled_from(["distinct", "distinct", "ties"])))
    for _ in range(draw(st.integers(1, 2))):
        s = draw(shapes())
        if draw(st.integers(0, 3)) == 0 and len(s) >= 2:       # a non-contiguous leaf-derived view
            g.leaf(s)
            k = len(g.t) - 1
            g.run(f"x{k}.transpose(0, 1)", lambda lib, F, p: p[k].transpose(0, 1))
        else:
            g.leaf(s, draw(st.sampled_from([dtype] * 5 + [np.int64])))
    for _ in range(draw(st.integers(1, max_steps))):
        draw(st.sampled_from(ops).map(lambda name: OPS[name]))(g)
    g.backward_and_compare()
    return g
