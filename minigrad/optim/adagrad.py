"""Adagrad, torch's single-tensor update (what torch runs on CPU), in torch's order of operations:

    g = g + weight_decay * w                      # grad.add(param, alpha=weight_decay)
    clr = lr / (1 + (step - 1) * lr_decay)        # Python floats
    s = s + g * g                                 # state_sum.addcmul_(grad, grad, value=1)
    w = w - clr * g / (sqrt(s) + eps)             # param.addcdiv_(grad, std, value=-clr)

As in torch, the state ("step", "sum" = initial_accumulator_value) exists from construction for every
parameter, so state_dict() lists all of them before the first step.

Two routes (minigrad/optim/optimizer.py): `_single_tensor_adagrad`, torch's own code in tensor ops, and
`_multi_tensor_adagrad`, the same update on the NumPy arrays.
"""
import numpy as np

from ..autograd.grad_mode import no_grad
from ..backend import kernels as K
from ..tensor import Tensor
from .optimizer import Optimizer, _bumped, check_non_negative, use_fast_route


class Adagrad(Optimizer):
    """torch.optim.Adagrad (dense gradients). `foreach=False` steps by the reference route
    (`_single_tensor_adagrad`); the default (`foreach=None`), `foreach=True` or `fused=True` by the fast route
    (`_multi_tensor_adagrad`). Both give the same numbers. `differentiable=True` is not implemented."""

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

    def step(self, closure=None):
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            params = [p for p in group["params"] if p.grad is not None]
            states = [self.state.get(p) or self._init_state(p) for p in params]
            update = _multi_tensor_adagrad if use_fast_route(group) else _single_tensor_adagrad
            update(params, [p.grad for p in params], [s["sum"] for s in states], [s["step"] for s in states],
                   lr=group["lr"], weight_decay=group["weight_decay"], lr_decay=group["lr_decay"],
                   eps=group["eps"], maximize=group["maximize"])
        return loss


@no_grad()
def _single_tensor_adagrad(params, grads, state_sums, state_steps, *, lr, weight_decay, lr_decay, eps, maximize):
    """The reference route: torch's _single_tensor_adagrad (dense real tensors, not differentiable), one
    parameter at a time, in tensor ops."""
    for param, grad, state_sum, step_t in zip(params, grads, state_sums, state_steps, strict=True):
        # update step
        step_t += 1
        step = step_t.item()
        grad = grad if not maximize else -grad

        if weight_decay != 0:
            grad = grad.add(param, alpha=weight_decay)

        clr = lr / (1 + (step - 1) * lr_decay)

        state_sum.addcmul_(grad, grad, value=1)
        std = state_sum.sqrt().add_(eps)
        param.addcdiv_(grad, std, value=-clr)


def _multi_tensor_adagrad(params, grads, state_sums, state_steps, *, lr, weight_decay, lr_decay, eps, maximize):
    """The fast route: the reference route's update on the NumPy arrays, with the same kernels (so the same
    roundings), writing in place where the tensor ops make a new array and copy it back."""
    for p, grad, state_sum, step_t in zip(params, grads, state_sums, state_steps, strict=True):
        step_t._data += 1
        step = float(step_t._data)
        w, g = p._data, grad._data
        if maximize:
            g = -g
        if weight_decay != 0:
            g = K.add_scaled(g, w, weight_decay)                 # grad.add(param, alpha=weight_decay)
        clr = lr / (1 + (step - 1) * lr_decay)
        s = K.addcmul_(state_sum._data, g, g, 1)                 # state_sum.addcmul_(grad, grad, value=1)
        std = K.sqrt(s)                                          # state_sum.sqrt().add_(eps)
        std += eps
        K.addcdiv_(w, g, std, -clr)                              # param.addcdiv_(grad, std, value=-clr)
        _bumped(p)
