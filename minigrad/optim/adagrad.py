"""Adagrad, torch's single-tensor update (what torch runs on CPU), in torch's order of operations:

    g = g + weight_decay * w                      # grad.add(param, alpha=weight_decay)
    clr = lr / (1 + (step - 1) * lr_decay)        # Python floats
    s = s + g * g                                 # state_sum.addcmul_(grad, grad, value=1)
    w = w - clr * g / (sqrt(s) + eps)             # param.addcdiv_(grad, std, value=-clr)

As in torch, the state ("step", "sum" = initial_accumulator_value) exists from construction for every
parameter, so state_dict() lists all of them before the first step.
"""
import numpy as np

from ..autograd.grad_mode import no_grad
from ..tensor import Tensor
from ..backend import kernels as K
from .optimizer import Optimizer, check_non_negative


class Adagrad(Optimizer):
    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10,
                 foreach=None, *, maximize=False, differentiable=False, fused=None):
        check_non_negative(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                           initial_accumulator_value=initial_accumulator_value, eps=eps)
        super().__init__(params, dict(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
                                      initial_accumulator_value=initial_accumulator_value, foreach=foreach,
                                      maximize=maximize, differentiable=differentiable, fused=fused))
        for group in self.param_groups:
            for p in group["params"]:
                self._init_state(p)

    def _init_state(self, p):
        # torch fills the sum with the optimizer's default initial_accumulator_value, not the group's
        self.state[p] = {"step": Tensor._make(np.zeros((), dtype=np.float32)),
                         "sum": Tensor._make(np.full_like(p._data, self.defaults["initial_accumulator_value"]))}
        return self.state[p]

    @no_grad()
    def step(self, closure=None):
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            lr, lr_decay, eps, weight_decay = group["lr"], group["lr_decay"], group["eps"], group["weight_decay"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state.get(p) or self._init_state(p)
                step_t = state["step"]._data
                step_t += 1
                step = float(step_t)
                w, g = p._data, p.grad._data
                if group["maximize"]:
                    g = -g
                if weight_decay != 0:
                    g = K.add_scaled(g, w, weight_decay)
                clr = lr / (1 + (step - 1) * lr_decay)
                s = K.addcmul_(state["sum"]._data, g, g, 1)
                std = K.sqrt(s)
                std += eps
                K.addcdiv_(w, g, std, -clr)
                p._version_cell[0] += 1
        return loss
