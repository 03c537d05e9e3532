"""RAdam (Liu et al., 2019: Adam with its variance rectified), torch's single-tensor update (what torch runs on
CPU), in torch's order of operations:

    m = m + (1 - beta1) * (g - m)                   # exp_avg.lerp_(grad, 1 - beta1)
    v = v * beta2 + (1 - beta2) * g * g             # exp_avg_sq.mul_(beta2).addcmul_(grad, grad, 1 - beta2)
    rho_inf = 2 / (1 - beta2) - 1
    rho_t = rho_inf - 2 t beta2**t / (1 - beta2**t) # the length of the approximated moving average
    rho_t > 5:  w = w - m / (1 - beta1**t) * lr * sqrt(1 - beta2**t) / (sqrt(v) + eps) * r_t
                with r_t = sqrt((rho_t - 4)(rho_t - 2) rho_inf / ((rho_inf - 4)(rho_inf - 2) rho_t))
    otherwise:  w = w - m / (1 - beta1**t) * lr      # (SGD with momentum while the variance is unreliable)

Weight decay is added to the gradient (L2), or with decoupled_weight_decay=True multiplies the weights by
1 - lr * weight_decay first (RAdamW). The state of a parameter ("step", "exp_avg", "exp_avg_sq") is made at
its first step.

Two routes (minigrad/optim/optimizer.py): `_single_tensor_radam`, torch's own code in tensor ops, and
`_multi_tensor_radam`, the same update on the NumPy arrays.
"""
import numpy as np

from ..autograd.grad_mode import no_grad
from ..backend import kernels as K
from ..creation import zeros_like
from .optimizer import Optimizer, _bumped, check_betas, check_non_negative, scalar_state, use_fast_route


class RAdam(Optimizer):
    """torch.optim.RAdam. `foreach=False` steps by the reference route (`_single_tensor_radam`); the default
    (`foreach=None`) or `foreach=True` by the fast route (`_multi_tensor_radam`). Both give the same numbers.
    `differentiable=True` and `capturable=True` are not implemented."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, decoupled_weight_decay=False,
                 *, foreach=None, maximize=False, capturable=False, differentiable=False):
        check_non_negative(lr=lr, eps=eps)
        check_betas(betas)
        check_non_negative(weight_decay=weight_decay)
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, maximize=maximize,
                                      foreach=foreach, capturable=capturable,
                                      decoupled_weight_decay=decoupled_weight_decay, differentiable=differentiable))

    def _init_group(self, group):
        """torch's _init_group: the parameters with a gradient, their gradients and states (made at the first
        step)."""
        params_with_grad, grads, exp_avgs, exp_avg_sqs, state_steps = [], [], [], [], []
        for p in group["params"]:
            if p.grad is None:
                continue
            params_with_grad.append(p)
            grads.append(p.grad)
            state = self.state.setdefault(p, {})
            if len(state) == 0:
                state["step"] = scalar_state(0.0)
                state["exp_avg"] = zeros_like(p)
                state["exp_avg_sq"] = zeros_like(p)
            exp_avgs.append(state["exp_avg"])
            exp_avg_sqs.append(state["exp_avg_sq"])
            state_steps.append(state["step"])
        return params_with_grad, grads, exp_avgs, exp_avg_sqs, state_steps

    def step(self, closure=None):
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            beta1, beta2 = group["betas"]
            update = _multi_tensor_radam if use_fast_route(group) else _single_tensor_radam
            update(*self._init_group(group), beta1=beta1, beta2=beta2, lr=group["lr"],
                   weight_decay=group["weight_decay"], eps=group["eps"],
                   decoupled_weight_decay=group["decoupled_weight_decay"], maximize=group["maximize"])
        return loss


@no_grad()
def _single_tensor_radam(params, grads, exp_avgs, exp_avg_sqs, state_steps, *, beta1, beta2, lr, weight_decay, eps,
                         decoupled_weight_decay, maximize):
    """torch's _single_tensor_radam (real tensors, neither capturable nor differentiable), one parameter at a
    time, in tensor ops."""
    for i, param in enumerate(params):
        grad = grads[i] if not maximize else -grads[i]
        exp_avg = exp_avgs[i]
        exp_avg_sq = exp_avg_sqs[i]
        step_t = state_steps[i]

        # update step
        step_t += 1
        step = step_t.item()

        if weight_decay != 0:
            if decoupled_weight_decay:
                param.mul_(1 - lr * weight_decay)
            else:
                grad = grad.add(param, alpha=weight_decay)

        # Decay the first and second moment running average coefficient
        exp_avg.lerp_(grad, 1 - beta1)
        exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)

        bias_correction1 = 1 - beta1**step
        bias_correction2 = 1 - beta2**step

        # correcting bias for the first moving moment
        bias_corrected_exp_avg = exp_avg / bias_correction1

        # maximum length of the approximated SMA
        rho_inf = 2 / (1 - beta2) - 1
        # compute the length of the approximated SMA
        rho_t = rho_inf - 2 * step * (beta2**step) / bias_correction2

        def _compute_rect():
            return ((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5

        def _compute_adaptive_lr():
            exp_avg_sq_sqrt = exp_avg_sq.sqrt()
            exp_avg_sq_sqrt = exp_avg_sq_sqrt.add_(eps)
            return (bias_correction2**0.5) / exp_avg_sq_sqrt

        # Compute the variance rectification term and update parameters accordingly
        if rho_t > 5.0:
            param.add_(bias_corrected_exp_avg * lr * _compute_adaptive_lr() * _compute_rect(), alpha=-1.0)
        else:
            param.add_(bias_corrected_exp_avg * lr, alpha=-1.0)


def _multi_tensor_radam(params, grads, exp_avgs, exp_avg_sqs, state_steps, *, beta1, beta2, lr, weight_decay, eps,
                        decoupled_weight_decay, maximize):
    """The fast route: the reference route's update on the NumPy arrays, with the same kernels (so the same
    roundings), writing in place where the tensor ops make a new array and copy it back."""
    for p, grad, exp_avg, exp_avg_sq, step_t in zip(params, grads, exp_avgs, exp_avg_sqs, state_steps, strict=True):
        step_t._data += 1
        step = float(step_t._data)
        w, g = p._data, grad._data
        if maximize:
            g = -g
        if weight_decay != 0:
            if decoupled_weight_decay:
                w *= 1 - lr * weight_decay                       # param.mul_(1 - lr * weight_decay)
            else:
                g = K.add_scaled(g, w, weight_decay)             # grad.add(param, alpha=weight_decay)
        m, v = exp_avg._data, exp_avg_sq._data
        K.lerp_(m, g, 1 - beta1)                                 # exp_avg.lerp_(grad, 1 - beta1)
        v *= beta2                                   # exp_avg_sq.mul_(beta2).addcmul_(grad, grad, 1 - beta2)
        K.addcmul_(v, g, g, 1 - beta2)
        bias_correction1 = 1 - beta1**step
        bias_correction2 = 1 - beta2**step
        update = m / bias_correction1                            # bias_corrected_exp_avg
        update *= lr
        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 * step * (beta2**step) / bias_correction2
        if rho_t > 5.0:
            adaptive_lr = K.sqrt(v)                              # (bias_correction2**0.5) / (sqrt(v) + eps),
            adaptive_lr += eps                                   # which torch computes as a reciprocal
            np.reciprocal(adaptive_lr, out=adaptive_lr)          # times the number
            adaptive_lr *= bias_correction2**0.5
            update *= adaptive_lr
            update *= ((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
        K.add_scaled(w, update, -1.0, out=w)                     # param.add_(update, alpha=-1.0)
        _bumped(p)
