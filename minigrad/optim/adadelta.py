"""Adadelta (Zeiler, 2012), torch's single-tensor update (what torch runs on CPU), in torch's order of operations:

    g = g + weight_decay * w                       # grad.add(param, alpha=weight_decay)
    v = v * rho + (1 - rho) * g * g                # square_avg.mul_(rho).addcmul_(grad, grad, value=1 - rho)
    delta = sqrt(u + eps) / sqrt(v + eps) * g      # acc_delta.add(eps).sqrt_().div_(std).mul_(grad)
    u = u * rho + (1 - rho) * delta * delta        # acc_delta.mul_(rho).addcmul_(delta, delta, value=1 - rho)
    w = w - lr * delta                             # param.add_(delta, alpha=-lr)

The state of a parameter ("step", "square_avg", "acc_delta") is made at its first step, as torch's _init_group
makes it.

Two routes (minigrad/optim/optimizer.py): `_single_tensor_adadelta`, torch's own code in tensor ops, and
`_multi_tensor_adadelta`, the same update on the NumPy arrays.
"""
from ..autograd.grad_mode import no_grad
from ..backend import kernels as K
from ..creation import zeros_like
from .optimizer import Optimizer, _bumped, check_non_negative, scalar_state, use_fast_route


class Adadelta(Optimizer):
    """torch.optim.Adadelta. `foreach=False` steps by the reference route (`_single_tensor_adadelta`); the
    default (`foreach=None`) or `foreach=True` by the fast route (`_multi_tensor_adadelta`). Both give the same
    numbers. `differentiable=True` and `capturable=True` are not implemented."""

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, foreach=None, *, capturable=False,
                 maximize=False, differentiable=False):
        check_non_negative(lr=lr)
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        check_non_negative(eps=eps, weight_decay=weight_decay)
        super().__init__(params, dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize,
                                      capturable=capturable, foreach=foreach, differentiable=differentiable))

    def _init_group(self, group):
        """torch's _init_group: the parameters with a gradient, their gradients and states (made at the first
        step)."""
        params_with_grad, grads, square_avgs, acc_deltas, state_steps = [], [], [], [], []
        for p in group["params"]:
            if p.grad is None:
                continue
            params_with_grad.append(p)
            grads.append(p.grad)
            state = self.state.setdefault(p, {})
            if len(state) == 0:
                state["step"] = scalar_state(0.0)
                state["square_avg"] = zeros_like(p)
                state["acc_delta"] = zeros_like(p)
            square_avgs.append(state["square_avg"])
            acc_deltas.append(state["acc_delta"])
            state_steps.append(state["step"])
        return params_with_grad, grads, square_avgs, acc_deltas, state_steps

    def step(self, closure=None):
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            update = _multi_tensor_adadelta if use_fast_route(group) else _single_tensor_adadelta
            update(*self._init_group(group), lr=group["lr"], rho=group["rho"], eps=group["eps"],
                   weight_decay=group["weight_decay"], maximize=group["maximize"])
        return loss


@no_grad()
def _single_tensor_adadelta(params, grads, square_avgs, acc_deltas, state_steps, *, lr, rho, eps, weight_decay,
                            maximize):
    """torch's _single_tensor_adadelta (real tensors, neither capturable nor differentiable), one parameter at
    a time, in tensor ops."""
    for param, grad, square_avg, acc_delta, step in zip(params, grads, square_avgs, acc_deltas, state_steps,
                                                        strict=True):
        step += 1
        grad = grad if not maximize else -grad

        if weight_decay != 0:
            grad = grad.add(param, alpha=weight_decay)

        square_avg.mul_(rho).addcmul_(grad, grad, value=1 - rho)
        std = square_avg.add(eps).sqrt_()
        delta = acc_delta.add(eps).sqrt_()
        delta.div_(std).mul_(grad)
        acc_delta.mul_(rho).addcmul_(delta, delta, value=1 - rho)

        param.add_(delta, alpha=-lr)


def _multi_tensor_adadelta(params, grads, square_avgs, acc_deltas, state_steps, *, lr, rho, eps, weight_decay,
                           maximize):
    """The fast route: the reference route's update on the NumPy arrays, with the same kernels (so the same
    roundings), writing in place where the tensor ops make a new array and copy it back."""
    for p, grad, square_avg, acc_delta, step in zip(params, grads, square_avgs, acc_deltas, state_steps,
                                                    strict=True):
        step._data += 1
        w, g = p._data, grad._data
        if maximize:
            g = -g
        if weight_decay != 0:
            g = K.add_scaled(g, w, weight_decay)                 # grad.add(param, alpha=weight_decay)
        v, u = square_avg._data, acc_delta._data
        v *= rho                                     # square_avg.mul_(rho).addcmul_(grad, grad, value=1 - rho)
        K.addcmul_(v, g, g, 1 - rho)
        std = K.sqrt(v + eps)                                    # square_avg.add(eps).sqrt_()
        delta = K.sqrt(u + eps)                                  # acc_delta.add(eps).sqrt_()
        delta /= std                                             # delta.div_(std).mul_(grad)
        delta *= g
        u *= rho                                     # acc_delta.mul_(rho).addcmul_(delta, delta, value=1 - rho)
        K.addcmul_(u, delta, delta, 1 - rho)
        K.add_scaled(w, delta, -lr, out=w)                       # param.add_(delta, alpha=-lr)
        _bumped(p)
