"""Adamax (Kingma & Ba, section 7.1: Adam with the infinity norm), torch's single-tensor update (what torch runs
on CPU), in torch's order of operations:

    g = g + weight_decay * w                       # grad.add(param, alpha=weight_decay)
    m = m + (1 - beta1) * (g - m)                  # exp_avg.lerp_(grad, 1 - beta1)
    u = max(u * beta2, |g| + eps)                  # torch.maximum(exp_inf.mul_(beta2), grad.abs().add_(eps))
    w = w - lr / (1 - beta1**t) * m / u            # param.addcdiv_(exp_avg, exp_inf, value=-clr)

The state of a parameter ("step", "exp_avg", "exp_inf") is made at its first step.

Two routes (minigrad/optim/optimizer.py): `_single_tensor_adamax`, torch's own code in tensor ops, and
`_multi_tensor_adamax`, the same update on the NumPy arrays.
"""
import numpy as np

from ..autograd.grad_mode import no_grad
from ..backend import kernels as K
from ..creation import zeros_like
from ..ops.arithmetic import maximum
from .optimizer import Optimizer, _bumped, check_betas, check_non_negative, scalar_state, use_fast_route


class Adamax(Optimizer):
    """torch.optim.Adamax. `foreach=False` steps by the reference route (`_single_tensor_adamax`); the default
    (`foreach=None`) or `foreach=True` by the fast route (`_multi_tensor_adamax`). Both give the same numbers.
    `differentiable=True` and `capturable=True` are not implemented."""

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, foreach=None, *,
                 maximize=False, differentiable=False, capturable=False):
        check_non_negative(lr=lr, eps=eps)
        check_betas(betas)
        check_non_negative(weight_decay=weight_decay)
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, foreach=foreach,
                                      maximize=maximize, differentiable=differentiable, capturable=capturable))

    def _init_group(self, group):
        """torch's _init_group: the parameters with a gradient, their gradients and states (made at the first
        step)."""
        params_with_grad, grads, exp_avgs, exp_infs, state_steps = [], [], [], [], []
        for p in group["params"]:
            if p.grad is None:
                continue
            params_with_grad.append(p)
            grads.append(p.grad)
            state = self.state.setdefault(p, {})
            if len(state) == 0:
                state["step"] = scalar_state(0.0)
                state["exp_avg"] = zeros_like(p)
                state["exp_inf"] = zeros_like(p)
            exp_avgs.append(state["exp_avg"])
            exp_infs.append(state["exp_inf"])
            state_steps.append(state["step"])
        return params_with_grad, grads, exp_avgs, exp_infs, state_steps

    def step(self, closure=None):
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            beta1, beta2 = group["betas"]
            update = _multi_tensor_adamax if use_fast_route(group) else _single_tensor_adamax
            update(*self._init_group(group), eps=group["eps"], beta1=beta1, beta2=beta2, lr=group["lr"],
                   weight_decay=group["weight_decay"], maximize=group["maximize"])
        return loss


@no_grad()
def _single_tensor_adamax(params, grads, exp_avgs, exp_infs, state_steps, *, eps, beta1, beta2, lr, weight_decay,
                          maximize):
    """torch's _single_tensor_adamax (real tensors, neither capturable nor differentiable), one parameter at a
    time, in tensor ops."""
    for i, param in enumerate(params):
        grad = grads[i]
        grad = grad if not maximize else -grad
        exp_avg = exp_avgs[i]
        exp_inf = exp_infs[i]
        step_t = state_steps[i]

        # update step
        step_t += 1

        if weight_decay != 0:
            grad = grad.add(param, alpha=weight_decay)

        # Update biased first moment estimate.
        exp_avg.lerp_(grad, 1 - beta1)
        # Update the exponentially weighted infinity norm (torch writes the maximum with out=exp_inf).
        exp_inf.copy_(maximum(exp_inf.mul_(beta2), grad.abs().add_(eps)))

        bias_correction = 1 - beta1 ** step_t.item()
        clr = lr / bias_correction

        param.addcdiv_(exp_avg, exp_inf, value=-clr)


def _multi_tensor_adamax(params, grads, exp_avgs, exp_infs, state_steps, *, eps, beta1, beta2, lr, weight_decay,
                         maximize):
    """The fast route: the reference route's update on the NumPy arrays, with the same kernels (so the same
    roundings), writing in place where the tensor ops make a new array and copy it back."""
    for p, grad, exp_avg, exp_inf, step_t in zip(params, grads, exp_avgs, exp_infs, state_steps, strict=True):
        step_t._data += 1
        w, g = p._data, grad._data
        if maximize:
            g = -g
        if weight_decay != 0:
            g = K.add_scaled(g, w, weight_decay)                 # grad.add(param, alpha=weight_decay)
        K.lerp_(exp_avg._data, g, 1 - beta1)                     # exp_avg.lerp_(grad, 1 - beta1)
        u = exp_inf._data
        u *= beta2                                   # torch.maximum(exp_inf.mul_(beta2), grad.abs().add_(eps))
        np.maximum(u, np.abs(g) + eps, out=u)
        clr = lr / (1 - beta1 ** float(step_t._data))
        K.addcdiv_(w, exp_avg._data, u, -clr)                    # param.addcdiv_(exp_avg, exp_inf, value=-clr)
        _bumped(p)
