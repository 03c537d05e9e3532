"""fastai's Optimizer and SGD (fastai/optimizer.py), on minigrad, and the book's BasicOptim.

A fastai Optimizer holds `param_lists` (groups of parameters), one `hypers` dict per group (lr, mom, wd, ...)
and a `state` dict per parameter. `step()` runs its stepper callbacks in order on every parameter that has a
gradient, each called as `cb(p, **{**state, **hypers})`; a callback may return a dict that updates the state.
`zero_grad()` zeroes the gradients in place (it keeps the tensors, as fastai does; BasicOptim sets them to None).

SGD(params, lr, mom=0., wd=0., decouple_wd=True) is [weight_decay, (average_grad), sgd_step | momentum_step].
With mom=0 and wd=0 its update is `p -= lr * p.grad`, the very arithmetic of the chapter's BasicOptim."""
from collections import defaultdict

import numpy as np

from ..tensor import Tensor
from .core import L

__all__ = ["Optimizer", "SGD", "BasicOptim", "sgd_step", "weight_decay", "l2_reg", "average_grad",
           "momentum_step", "trainable_params"]


def trainable_params(m):
    "The parameters of `m` that require a gradient (fastai's default splitter)."
    return [p for p in m.parameters() if p.requires_grad]


def _even_mults(start, stop, n):
    if n == 1:
        return stop
    mult = stop / start
    step = mult ** (1 / (n - 1))
    return np.array([start * (step ** i) for i in range(n)])


class Optimizer:
    "fastai's Optimizer: `params` updated by the stepper functions `cbs`, with hyper-parameters `defaults`."
    _keep_on_clear = ["force_train", "do_wd"]

    def __init__(self, params, cbs, **defaults):
        if "train_bn" in defaults:
            defaults.pop("train_bn")
        params = L(params)
        if isinstance(params, Tensor) or not len(params):
            raise ValueError("the optimizer got an empty parameter list")
        self.cbs, self.state = L(cbs), defaultdict(dict)
        merged = {}
        for cb in self.cbs:
            merged.update(getattr(cb, "defaults", {}))
        merged.update(defaults)
        self.param_lists = (L(L(p) for p in params) if isinstance(params[0], (L, list, tuple))
                            else L([L(params)]))
        self.hypers = L({} for _ in range(len(self.param_lists)))
        self.set_hypers(**merged)
        self.frozen_idx = 0

    # -------------------------------------------------------------- parameters and hyper-parameters
    def all_params(self, n=slice(None), with_grad=False):
        "(param, group, state, hypers) for every parameter of the groups `n`; only those with a grad if asked."
        res = L((p, pg, self.state[p], hyper) for pg, hyper in zip(self.param_lists[n], self.hypers[n])
                for p in pg)
        return L(o for o in res if o[0].grad is not None) if with_grad else res

    def set_hypers(self, **kwargs):
        for k, v in kwargs.items():
            self.set_hyper(k, v)

    def set_hyper(self, k, v):
        "Set hyper-parameter `k` to `v` in every group (a list: one per group; a slice: spread over groups)."
        if isinstance(v, slice):
            if v.start:
                v = _even_mults(v.start, v.stop, len(self.param_lists))
            else:
                v = [v.stop / 10] * (len(self.param_lists) - 1) + [v.stop]
        v = list(v) if isinstance(v, (list, tuple, np.ndarray, L)) else [v]
        if len(v) == 1:
            v = v * len(self.param_lists)
        if len(v) != len(self.hypers):
            raise ValueError(f"Trying to set {len(v)} values for {k} but there are {len(self.param_lists)} "
                             "parameter groups.")
        for v_, h in zip(v, self.hypers):
            h[k] = v_

    @property
    def param_groups(self):
        return [{"params": pg, **hp} for pg, hp in zip(self.param_lists, self.hypers)]

    def freeze_to(self, n):
        "Train only the groups from `n` on (their parameters require grad; the others do not)."
        self.frozen_idx = n if n >= 0 else len(self.param_lists) + n
        for p, pg, state, h in self.all_params(slice(n, None)):
            p.requires_grad_(True)
        for p, pg, state, h in self.all_params(slice(None, n)):
            p.requires_grad_(state.get("force_train", False))

    def freeze(self):
        assert len(self.param_lists) > 1
        self.freeze_to(-1)

    def unfreeze(self):
        self.freeze_to(0)

    # -------------------------------------------------------------- the update
    def zero_grad(self):
        for p, *_ in self.all_params(with_grad=True):
            p.grad.detach_()
            p.grad.zero_()

    def step(self, closure=None):
        if closure is not None:
            raise NotImplementedError("fastai optimizers currently do not support closure")
        for p, pg, state, hyper in self.all_params(with_grad=True):
            for cb in self.cbs:
                new = cb(p, **{**state, **hyper})
                if isinstance(new, dict):
                    state.update(new)
            self.state[p] = state

    # -------------------------------------------------------------- minigrad.compile's replay
    def emit_same_params(self, e):
        """Code for: the optimizer still has the groups and parameters it had at capture (param_groups makes
        new dicts at each call, so the check reads param_lists), as one comparison of the parameters' ids:
        the program holds the parameters, so no other object can have their ids."""
        if e.readable:
            return "the same parameters"
        ids = []
        for pg in self.param_lists:
            for p in pg:
                e.const(p)                   # bound in the program, which so holds p: its id stays p's
            ids.append([id(p) for p in pg])
        return f"[[*map(id, pg)] for pg in {e.const(self)}.param_lists] == {e.value(ids)}"

    def emit_step(self, e, closure=None):
        """The replay of step() for plain SGD (stepper callbacks [weight_decay or l2_reg,] sgd_step, and wd 0 in
        every group, checked at each replay; lr read live): sgd_step's p.data.add_(p.grad.data, alpha=-lr),
        one add_scaled per parameter with a gradient."""
        names = [getattr(cb, "__name__", None) for cb in self.cbs]
        if closure is not None or names not in (["weight_decay", "sgd_step"], ["l2_reg", "sgd_step"], ["sgd_step"]):
            return None
        O = e.const(self)
        checks, lines = [], []
        for i, pg in enumerate(self.param_lists):
            checks.append(f"{O}.hypers[{i}].get('wd', 0) == 0")
            lines.append(f"lr = {O}.hypers[{i}]['lr']")
            alpha = {}
            for p in pg:
                if p._data.dtype not in alpha:
                    set_alpha, alpha[p._data.dtype] = e.number("-lr", p._data.dtype)
                    lines += set_alpha
            for p in pg:
                t = e.const(p)
                update = e.k_add_scaled(f"{t}._data", e.grad(p), alpha[p._data.dtype], f"{t}._data",
                                        (p._data.shape, p._data.dtype))
                has_grad = e.has_grad(p)
                lines.append((f"if {has_grad}: " if has_grad else "") + f"{update}; {t}._version_cell[0] += 1")
        return checks, lines

    def emit_zero_grad(self, e):
        """The replay of zero_grad(): each gradient zeroed in place, as p.grad.zero_() does."""
        lines = []
        for pg in self.param_lists:
            for p in pg:
                t = e.const(p)
                lines.append(f"if {t}._grad is not None: {t}._grad._data[...] = 0; {t}._grad._version_cell[0] += 1")
        return [], lines

    def clear_state(self):
        for p, pg, state, hyper in self.all_params():
            self.state[p] = {k: state[k] for k in self._keep_on_clear if k in state}

    def state_dict(self):
        return {"state": [self.state[p] for p, *_ in self.all_params()], "hypers": self.hypers}

    def load_state_dict(self, sd):
        assert len(sd["hypers"]) == len(self.param_lists)
        assert len(sd["state"]) == sum(len(pg) for pg in self.param_lists)
        self.hypers = L(sd["hypers"])
        self.state = defaultdict(dict, {p: s for p, s in zip(self.all_params().itemgot(0), sd["state"])})

    def __repr__(self):
        return f"{type(self).__name__}(cbs={[getattr(c, '__name__', c) for c in self.cbs]}, hypers={list(self.hypers)})"


# ------------------------------------------------------------------ stepper callbacks (fastai's names)

def sgd_step(p, lr, **kwargs):
    "p -= lr * grad (fastai: p.data.add_(p.grad.data, alpha=-lr))"
    p.data.add_(p.grad.data, alpha=-lr)


def weight_decay(p, lr, wd, do_wd=True, **kwargs):
    "True weight decay: p *= 1 - lr*wd"
    if do_wd and wd != 0:
        p.data.mul_(1 - lr * wd)


weight_decay.defaults = dict(wd=0.)


def l2_reg(p, lr, wd, do_wd=True, **kwargs):
    "L2 regularisation: grad += wd * p"
    if do_wd and wd != 0:
        p.grad.data.add_(p.data, alpha=wd)


l2_reg.defaults = dict(wd=0.)


def average_grad(p, mom, dampening=False, grad_avg=None, **kwargs):
    "Keeps the moving average of the gradients (`grad_avg`) with momentum `mom`."
    if grad_avg is None:
        grad_avg = Tensor._make(np.zeros_like(p.grad._data))
    damp = 1 - mom if dampening else 1.
    grad_avg.mul_(mom).add_(p.grad.data, alpha=damp)
    return {"grad_avg": grad_avg}


average_grad.defaults = dict(mom=0.9)


def momentum_step(p, lr, grad_avg, **kwargs):
    "p -= lr * grad_avg"
    p.data.add_(grad_avg, alpha=-lr)


def SGD(params, lr, mom=0., wd=0., decouple_wd=True):
    "fastai's SGD: an `Optimizer` with [weight_decay or l2_reg, (average_grad), sgd_step or momentum_step]."
    cbs = [weight_decay] if decouple_wd else [l2_reg]
    if mom != 0:
        cbs.append(average_grad)
    cbs.append(sgd_step if mom == 0 else momentum_step)
    return Optimizer(params, cbs, lr=lr, mom=mom, wd=wd)


class BasicOptim:
    "The chapter's hand-written optimizer: p -= p.grad * lr, and zero_grad sets the gradients to None."

    def __init__(self, params, lr):
        self.params, self.lr = list(params), lr

    def step(self, *args, **kwargs):
        for p in self.params:
            p.data -= p.grad.data * self.lr

    def zero_grad(self, *args, **kwargs):
        for p in self.params:
            p.grad = None
