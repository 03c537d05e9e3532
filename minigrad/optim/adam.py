"""Adam (Kingma & Ba), with torch's exact order of operations so that weights match torch step for step:

    m = m + (1 - beta1) * (g - m)                 # exp_avg.lerp_(grad, 1 - beta1)
    v = v * beta2 + (1 - beta2) * g * g           # exp_avg_sq.mul_(beta2).addcmul_(grad, grad, 1 - beta2)
    denom = sqrt(v) / sqrt(1 - beta2**t) + eps
    w = w - lr / (1 - beta1**t) * m / denom       # param.addcdiv_(exp_avg, denom, value=-step_size)
"""
import numpy as np

from ..autograd.grad_mode import no_grad
from ..tensor import Tensor
from ..backend import kernels as K
from .optimizer import Optimizer, check_non_negative


class Adam(Optimizer):
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False, *,
                 foreach=None, maximize=False, capturable=False, differentiable=False, fused=None,
                 decoupled_weight_decay=False):
        check_non_negative(lr=lr, eps=eps)
        if not 0.0 <= betas[0] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
        if not 0.0 <= betas[1] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
                                      maximize=maximize, foreach=foreach, capturable=capturable,
                                      differentiable=differentiable, fused=fused,
                                      decoupled_weight_decay=decoupled_weight_decay))

    @no_grad()
    def step(self, closure=None):
        loss = self._closure_loss(closure)
        for index, group in enumerate(self.param_groups):
            params = [p for p in group["params"] if p.grad is not None]
            if not params:
                continue
            flat = self._flat_buffers(index, params)
            if flat is not None:
                self._update_flat(group, params, flat)
            else:
                self._flat.pop(index, None)
                for p in params:
                    self._update(group, p)
        return loss

    # One parameter at a time: the formulas of the module docstring.
    def _update(self, group, p):
        state = self.state.get(p)
        if state is None:
            state = self.state[p] = self._new_state(p._data)
        state["step"]._data += 1
        w = p._data
        if group["weight_decay"] != 0 and group["decoupled_weight_decay"]:
            w *= 1 - group["lr"] * group["weight_decay"]
        vmax = state["max_exp_avg_sq"]._data if group["amsgrad"] else None
        w += self._adam(group, p.grad._data, w, state["exp_avg"]._data, state["exp_avg_sq"]._data, vmax,
                        float(state["step"]._data))
        p._version_cell[0] += 1

    def _new_state(self, w):
        state = {"step": Tensor._make(np.zeros((), dtype=np.float32)),
                 "exp_avg": Tensor._make(np.zeros_like(w)), "exp_avg_sq": Tensor._make(np.zeros_like(w))}
        if self.defaults["amsgrad"]:
            state["max_exp_avg_sq"] = Tensor._make(np.zeros_like(w))
        return state

    @staticmethod
    def _adam(group, g, w, m, v, vmax, step, out=None):
        """Update m and v in place and return what to add to the weights, written to `out` where given (an
        array the caller no longer needs, such as its own copy of the gradient): one temporary besides."""
        lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
        if group["maximize"]:
            g = -g
        if group["weight_decay"] != 0 and not group["decoupled_weight_decay"]:
            g = K.add_scaled(g, w, group["weight_decay"])      # grad.add(param, alpha=weight_decay)
        tmp = g - m
        K.add_scaled(m, tmp, 1 - beta1, out=m)                 # exp_avg.lerp_(grad, 1 - beta1): m + w (g - m), fused
        np.multiply(g, 1 - beta2, out=tmp)
        v *= beta2
        K.add_scaled(v, tmp, g, out=v)                         # exp_avg_sq.mul_(beta2).addcmul_(grad, grad, 1 - beta2)
        step_size = lr / (1 - beta1 ** step)
        bias_correction2_sqrt = (1 - beta2 ** step) ** 0.5
        if vmax is not None:
            np.maximum(vmax, v, out=vmax)
            v = vmax
        denom = K.sqrt(v, out=tmp)
        denom /= bias_correction2_sqrt
        denom += eps
        delta = np.multiply(m, -step_size, out=out)   # param.addcdiv_(exp_avg, denom, value=-step_size)
        delta /= denom
        return delta

    # All parameters of a group at once: the same elementwise formulas on flat buffers, so a step costs
    # a dozen NumPy calls rather than a dozen per parameter. The per-parameter state entries are views into
    # the flat buffers, so state_dict() and load_state_dict() see torch's layout.
    _flat = None

    def _flat_buffers(self, index, params):
        if self._flat is None:
            self._flat = {}
        flat = self._flat.get(index)
        if flat is not None and flat["params"] == params:
            return flat
        dtype = params[0]._data.dtype
        if any(p._data.dtype != dtype for p in params):
            return None
        states = [self.state.get(p) for p in params]
        if any(s is None for s in states):
            if any(s is not None for s in states):
                return None
            states = [self._new_state(p._data) for p in params]
        steps = np.array([float(s["step"]._data) for s in states], dtype=np.float32)
        if len(set(steps.tolist())) != 1:
            return None
        keys = [k for k in ("exp_avg", "exp_avg_sq", "max_exp_avg_sq") if k in states[0]]
        buffers = {k: np.concatenate([s[k]._data.reshape(-1) for s in states]) for k in keys}
        offsets = np.cumsum([0] + [p._data.size for p in params])
        for i, (p, s, lo, hi) in enumerate(zip(params, states, offsets[:-1], offsets[1:])):
            for k in keys:
                s[k] = Tensor._make(buffers[k][lo:hi].reshape(p._data.shape))
            s["step"] = Tensor._make(steps[i:i + 1].reshape(()))
            self.state[p] = s
        flat = {"params": params, "buffers": buffers, "steps": steps,
                "slices": [(slice(lo, hi), p._data.shape) for p, lo, hi in zip(params, offsets[:-1], offsets[1:])]}
        self._flat[index] = flat
        return flat

    def _update_flat(self, group, params, flat):
        flat["steps"] += 1
        buffers = flat["buffers"]
        if group["weight_decay"] != 0 and group["decoupled_weight_decay"]:
            for p in params:
                p._data *= 1 - group["lr"] * group["weight_decay"]
        w = np.concatenate([p._data.reshape(-1) for p in params]) if group["weight_decay"] != 0 else None
        g = np.concatenate([p.grad._data.reshape(-1) for p in params])
        delta = self._adam(group, g, w, buffers["exp_avg"], buffers["exp_avg_sq"], buffers.get("max_exp_avg_sq"),
                           float(flat["steps"][0]), out=g)      # g is this step's own copy: reuse it
        for p, (sl, shape) in zip(params, flat["slices"]):
            p._data += delta[sl].reshape(shape)
            p._version_cell[0] += 1

    def load_state_dict(self, state_dict):
        self._flat = None
        super().load_state_dict(state_dict)
