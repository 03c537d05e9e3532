"""Rprop, resilient backpropagation (Riedmiller & Braun, 1993), torch's single-tensor update (what torch runs
on CPU): each weight has its own step size, and only the sign of its gradient is used.

    s = sign(g * prev)                               # has the gradient kept its sign since the last step?
    step_size = clamp(step_size * (etaplus if s > 0, etaminus if s < 0, 1 if s == 0), *step_sizes)
    g = 0 where the sign flipped                     # (a flip skips the step and forgets the gradient)
    w = w - sign(g) * step_size                      # param.addcmul_(grad.sign(), step_size, value=-1)
    prev = g

The state of a parameter ("step", "prev", "step_size" = lr everywhere) is made at its first step.

Two routes (minigrad/optim/optimizer.py): `_single_tensor_rprop`, torch's own code in tensor ops, and
`_multi_tensor_rprop`, the same update on the NumPy arrays.
"""
import numpy as np

from ..autograd.grad_mode import no_grad
from ..backend import kernels as K
from ..creation import full_like, zeros_like
from .optimizer import Optimizer, _bumped, check_non_negative, scalar_state, use_fast_route


class Rprop(Optimizer):
    """torch.optim.Rprop. `foreach=False` steps by the reference route (`_single_tensor_rprop`); the default
    (`foreach=None`) or `foreach=True` by the fast route (`_multi_tensor_rprop`). Both give the same numbers.
    `differentiable=True` and `capturable=True` are not implemented."""

    def __init__(self, params, lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50), *, capturable=False, foreach=None,
                 maximize=False, differentiable=False):
        check_non_negative(lr=lr)
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        super().__init__(params, dict(lr=lr, etas=etas, step_sizes=step_sizes, foreach=foreach, maximize=maximize,
                                      differentiable=differentiable, capturable=capturable))

    def _init_group(self, group):
        """torch's _init_group: the parameters with a gradient, their gradients and states (made at the first
        step)."""
        params, grads, prevs, step_sizes, state_steps = [], [], [], [], []
        for p in group["params"]:
            if p.grad is None:
                continue
            params.append(p)
            grads.append(p.grad)
            state = self.state.setdefault(p, {})
            if len(state) == 0:
                state["step"] = scalar_state(0.0)
                state["prev"] = zeros_like(p)
                state["step_size"] = full_like(p.grad, group["lr"])
            prevs.append(state["prev"])
            step_sizes.append(state["step_size"])
            state_steps.append(state["step"])
        return params, grads, prevs, step_sizes, state_steps

    def step(self, closure=None):
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            etaminus, etaplus = group["etas"]
            step_size_min, step_size_max = group["step_sizes"]
            update = _multi_tensor_rprop if use_fast_route(group) else _single_tensor_rprop
            update(*self._init_group(group), step_size_min=step_size_min, step_size_max=step_size_max,
                   etaminus=etaminus, etaplus=etaplus, maximize=group["maximize"])
        return loss


@no_grad()
def _single_tensor_rprop(params, grads, prevs, step_sizes, state_steps, *, step_size_min, step_size_max, etaminus,
                         etaplus, maximize):
    """torch's _single_tensor_rprop (real tensors, neither capturable nor differentiable), one parameter at a
    time, in tensor ops."""
    for i, param in enumerate(params):
        grad = grads[i]
        grad = grad if not maximize else -grad
        prev = prevs[i]
        step_size = step_sizes[i]
        step = state_steps[i]

        step += 1

        sign = grad.mul(prev).sign()
        sign[sign.gt(0)] = etaplus
        sign[sign.lt(0)] = etaminus
        sign[sign.eq(0)] = 1

        # update stepsizes with step size updates
        step_size.mul_(sign).clamp_(step_size_min, step_size_max)

        # for dir<0, dfdx=0
        # for dir>=0 dfdx=dfdx
        grad = grad.clone()
        grad[sign.eq(etaminus)] = 0

        # update parameters
        param.addcmul_(grad.sign(), step_size, value=-1)
        prev.copy_(grad)


def _multi_tensor_rprop(params, grads, prevs, step_sizes, state_steps, *, step_size_min, step_size_max, etaminus,
                        etaplus, maximize):
    """The fast route: the reference route's update on the NumPy arrays (sign, masks, clip), with the same
    kernel for the update (so the same roundings)."""
    for p, grad, prev, step_size, step in zip(params, grads, prevs, step_sizes, state_steps, strict=True):
        step._data += 1
        g = -grad._data if maximize else grad._data.copy()      # (the clone: g is changed below)
        sign = np.sign(g * prev._data)
        sign[sign > 0] = etaplus
        sign[sign < 0] = etaminus
        sign[sign == 0] = 1
        s = step_size._data
        s *= sign                                  # step_size.mul_(sign).clamp_(step_size_min, step_size_max)
        np.clip(s, step_size_min, step_size_max, out=s)
        g[sign == etaminus] = 0                                  # a sign change skips this step
        K.addcmul_(p._data, np.sign(g), s, -1)                   # param.addcmul_(grad.sign(), step_size, value=-1)
        prev._data[...] = g                                      # prev.copy_(grad)
        _bumped(p)
