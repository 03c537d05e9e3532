"""Optimizer: holds param_groups (a list of dicts: 'params' plus hyper-parameters) and per-parameter state.

Each optimizer has two routes for its update, as torch's have (`_single_tensor_adam`, `_multi_tensor_adam`):
- the reference route, `_single_tensor_<name>`: torch's per-parameter code line for line, in minigrad tensor
  ops (`exp_avg.lerp_(grad, 1 - beta1)`), the one to read;
- the fast route, `_multi_tensor_<name>`: the same formulas on the NumPy arrays directly, with the
  same kernels, so the same roundings; it skips the per-op dispatch and temporaries of tensor ops.
`foreach=False` selects the reference route; `foreach=None` (the default) or True, or `fused=True`, the fast
one (`use_fast_route`). torch's CPU default is its single-tensor route; minigrad's is the fast route, because
speed is one of its goals and both routes give the same numbers."""
import copy

import numpy as np

from .. import dtypes
from ..autograd.grad_mode import enable_grad
from ..tensor import Tensor


class _RequiredParameter:
    def __repr__(self):
        return "<required parameter>"


required = _RequiredParameter()

_NAMES = {"lr": "learning rate", "eps": "epsilon value"}


def check_non_negative(**hyperparameters):
    """torch's checks, in the order given: ValueError("Invalid learning rate: -1") for a negative lr,
    "Invalid epsilon value: ..." for eps, "Invalid <name> value: ..." for the others."""
    for name, value in hyperparameters.items():
        if not 0.0 <= value:
            raise ValueError(f"Invalid {_NAMES.get(name, name + ' value')}: {value}")


def check_betas(betas):
    """torch's check of Adam-like (beta1, beta2): ValueError("Invalid beta parameter at index 0: ...") for one
    outside [0, 1)."""
    for i, beta in enumerate(betas[:2]):
        if not 0.0 <= beta < 1.0:
            raise ValueError(f"Invalid beta parameter at index {i}: {beta}")


def scalar_state(value):
    """A per-parameter scalar of an optimizer's state ("step", NAdam's "mu_product", ASGD's "eta" and "mu"): a
    0-d tensor of torch's _get_scalar_dtype(), float64 where the default dtype is float64, else float32."""
    dtype = np.float64 if dtypes.get_default_dtype() is dtypes.float64 else np.float32
    return Tensor._make(np.array(value, dtype=dtype))


def _bumped(t):
    """Count an in-place write to `t` that bypassed tensor ops (a NumPy write to t._data): t._version + 1."""
    t._bump_version()
    return t


def use_fast_route(group):
    """Whether a param group steps by the fast route: unless foreach=False (and fused is not True)."""
    return group.get("fused") or group["foreach"] is not False


def _check_route_options(group):
    """torch's errors for fused with foreach or differentiable; NotImplementedError for what minigrad lacks."""
    if group.get("fused"):
        if group.get("differentiable"):
            raise RuntimeError("`fused` does not support `differentiable`")
        if group.get("foreach"):
            raise RuntimeError("`fused` and `foreach` cannot be `True` together.")
    if group.get("differentiable"):
        raise NotImplementedError("differentiable=True is not supported: minigrad's optimizers step under "
                                  "no_grad, so a step is never part of the graph")
    if group.get("capturable"):
        raise NotImplementedError("capturable=True is not supported: it captures steps into CUDA graphs, and "
                                  "minigrad's tensors are NumPy arrays on the CPU")


def _cast(param, value, key=None):
    """torch's Optimizer._cast for load_state_dict: a copy of a state value, its tensors (within lists, as
    LBFGS's "old_dirs") of the parameter's dtype, except "step" (kept as it is)."""
    if isinstance(value, (Tensor, np.ndarray)):
        return Tensor._make(np.array(value._data if isinstance(value, Tensor) else value,
                                     dtype=param._data.dtype if key != "step" else None))
    if isinstance(value, (list, tuple)):
        return type(value)(_cast(param, v) for v in value)
    return value


class Optimizer:
    def __init__(self, params, defaults):
        self.defaults = defaults
        self.state = {}
        self.param_groups = []
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of Tensors or dicts, "
                            f"but got {params.type()}")
        groups = list(params)
        if not groups:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for g in groups:
            self.add_param_group(g)

    def add_param_group(self, group):
        params = group["params"]
        group["params"] = [params] if isinstance(params, Tensor) else list(params)
        for p in group["params"]:
            if not p.is_leaf:
                raise ValueError("can't optimize a non-leaf Tensor")
        for name, default in self.defaults.items():
            if default is required and name not in group:
                raise ValueError(f"parameter group didn't specify a value of required optimization parameter "
                                 f"{name}")
            group.setdefault(name, default)
        _check_route_options(group)
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        if any(id(p) in seen for p in group["params"]):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(group)

    def zero_grad(self, set_to_none=True):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is not None:
                    if set_to_none:
                        p.grad = None
                    else:
                        p.grad._data[...] = 0

    def emit_zero_grad(self, e, set_to_none=True):
        """minigrad.compile's replay of zero_grad(): one line per parameter."""
        return [], [f"{e.const(p)}._grad = None" if set_to_none else
                f"if {e.const(p)}._grad is not None: {e.const(p)}._grad._data[...] = 0"
                for group in self.param_groups for p in group["params"]]

    @staticmethod
    def _closure_loss(closure):
        """step(closure): the loss the closure recomputes, with grad on (step itself runs under no_grad)."""
        if closure is None:
            return None
        with enable_grad():
            return closure()

    def step(self, closure=None):
        raise NotImplementedError

    def state_dict(self):
        """torch's layout: parameters become their index across all groups."""
        index = {}
        groups = []
        for g in self.param_groups:
            packed = {k: v for k, v in g.items() if k != "params"}
            packed["params"] = []
            for p in g["params"]:
                index.setdefault(id(p), len(index))
                packed["params"].append(index[id(p)])
            groups.append(packed)
        state = {index[id(p)]: {k: (v.clone() if isinstance(v, Tensor) else copy.copy(v)) for k, v in s.items()}
                 for p, s in self.state.items()}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict):
        groups = state_dict["param_groups"]
        if len(groups) != len(self.param_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        for mine, theirs in zip(self.param_groups, groups):
            if len(mine["params"]) != len(theirs["params"]):
                raise ValueError("loaded state dict contains a parameter group that doesn't match the size of "
                                 "optimizer's group")
        by_index = {}
        for mine, theirs in zip(self.param_groups, groups):
            for p, i in zip(mine["params"], theirs["params"]):
                by_index[i] = p
            for k, v in theirs.items():
                if k != "params":
                    mine[k] = v
        self.state = {}
        for i, s in state_dict["state"].items():
            p = by_index[int(i)]
            self.state[p] = {k: _cast(p, v, k) for k, v in s.items()}

    def __repr__(self):
        text = type(self).__name__ + " ("
        for i, g in enumerate(self.param_groups):          # torch's layout: a blank line between groups
            text += f"\nParameter Group {i}\n"
            for k in sorted(k for k in g if k != "params"):
                text += f"    {k}: {g[k]}\n"
        return text + ")"
