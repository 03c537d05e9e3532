"""RMSprop, torch's single-tensor update (what torch runs on CPU), in torch's order of operations:

    g = g + weight_decay * w                                     # grad.add(param, alpha=weight_decay)
    v = v * alpha + (1 - alpha) * g * g                          # square_avg.mul_(alpha).addcmul_(g, g, 1-alpha)
    centered: ga = lerp(ga, g, 1 - alpha); avg = sqrt(v - ga*ga) # grad_avg.lerp_; addcmul(ga, ga, -1).sqrt_()
    else:     avg = sqrt(v)
    avg = avg + eps
    momentum > 0: buf = buf * momentum + g / avg; w = w - lr * buf
    else:         w = w - lr * g / avg                           # param.addcdiv_(grad, avg, value=-lr)

Two routes (minigrad/optim/optimizer.py): `_single_tensor_rmsprop`, torch's own code in tensor ops, and
`_multi_tensor_rmsprop`, the same update on the NumPy arrays.
"""
import numpy as np

from ..autograd.grad_mode import no_grad
from ..backend import kernels as K
from ..tensor import Tensor
from .optimizer import Optimizer, _bumped, check_non_negative, use_fast_route


class RMSprop(Optimizer):
    """torch.optim.RMSprop. `foreach=False` steps by the reference route (`_single_tensor_rmsprop`); the
    default (`foreach=None`) or `foreach=True` by the fast route (`_multi_tensor_rmsprop`). Both give the same
    numbers. `differentiable=True` and `capturable=True` are not implemented."""

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False,
                 capturable=False, foreach=None, maximize=False, differentiable=False):
        check_non_negative(lr=lr, eps=eps, momentum=momentum, weight_decay=weight_decay, alpha=alpha)
        super().__init__(params, dict(lr=lr, momentum=momentum, alpha=alpha, eps=eps, centered=centered,
                                      weight_decay=weight_decay, capturable=capturable, foreach=foreach,
                                      maximize=maximize, differentiable=differentiable))

    def step(self, closure=None):
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            params = [p for p in group["params"] if p.grad is not None]
            states = [self.state.get(p) or self._new_state(group, p) for p in params]
            update = _multi_tensor_rmsprop if use_fast_route(group) else _single_tensor_rmsprop
            update(params, [p.grad for p in params], [s["square_avg"] for s in states],
                   [s.get("grad_avg") for s in states], [s.get("momentum_buffer") for s in states],
                   [s["step"] for s in states], lr=group["lr"], alpha=group["alpha"], eps=group["eps"],
                   weight_decay=group["weight_decay"], momentum=group["momentum"], centered=group["centered"],
                   maximize=group["maximize"])
        return loss

    def _new_state(self, group, p):
        """torch's _init_group: a parameter's state, made at its first step."""
        state = self.state[p] = {"step": Tensor._make(np.zeros((), dtype=np.float32)),
                                 "square_avg": Tensor._make(np.zeros_like(p._data))}
        if group["momentum"] > 0:
            state["momentum_buffer"] = Tensor._make(np.zeros_like(p._data))
        if group["centered"]:
            state["grad_avg"] = Tensor._make(np.zeros_like(p._data))
        return state


@no_grad()
def _single_tensor_rmsprop(params, grads, square_avgs, grad_avgs, momentum_buffer_list, state_steps, *, lr, alpha,
                           eps, weight_decay, momentum, centered, maximize):
    """The reference route: torch's _single_tensor_rmsprop (real tensors, neither capturable nor
    differentiable), one parameter at a time, in tensor ops."""
    for i, param in enumerate(params):
        step = state_steps[i]

        grad = grads[i]
        grad = grad if not maximize else -grad
        square_avg = square_avgs[i]

        step += 1

        if weight_decay != 0:
            grad = grad.add(param, alpha=weight_decay)

        square_avg.mul_(alpha).addcmul_(grad, grad, value=1 - alpha)

        if centered:
            grad_avg = grad_avgs[i]
            grad_avg.lerp_(grad, 1 - alpha)
            avg = square_avg.addcmul(grad_avg, grad_avg, value=-1).sqrt_()
        else:
            avg = square_avg.sqrt()

        avg = avg.add_(eps)

        if momentum > 0:
            buf = momentum_buffer_list[i]
            buf.mul_(momentum).addcdiv_(grad, avg)
            param.add_(buf, alpha=-lr)
        else:
            param.addcdiv_(grad, avg, value=-lr)


def _multi_tensor_rmsprop(params, grads, square_avgs, grad_avgs, momentum_buffer_list, state_steps, *, lr, alpha,
                          eps, weight_decay, momentum, centered, maximize):
    """The fast route: the reference route's update on the NumPy arrays, with the same kernels (so the same
    roundings), writing in place where the tensor ops make a new array and copy it back."""
    for i, p in enumerate(params):
        state_steps[i]._data += 1
        w, g = p._data, grads[i]._data
        if maximize:
            g = -g
        if weight_decay != 0:
            g = K.add_scaled(g, w, weight_decay)                 # grad.add(param, alpha=weight_decay)
        v = square_avgs[i]._data
        v *= alpha                                   # square_avg.mul_(alpha).addcmul_(grad, grad, 1 - alpha)
        K.addcmul_(v, g, g, 1 - alpha)
        if centered:
            ga = K.lerp_(grad_avgs[i]._data, g, 1 - alpha)       # grad_avg.lerp_(grad, 1 - alpha)
            avg = K.addcmul_(v.copy(), ga, ga, -1)               # square_avg.addcmul(grad_avg, grad_avg, -1)
            K.sqrt(avg, out=avg)
        else:
            avg = K.sqrt(v)
        avg += eps
        if momentum > 0:
            buf = momentum_buffer_list[i]._data
            buf *= momentum                                      # buf.mul_(momentum).addcdiv_(grad, avg)
            K.addcdiv_(buf, g, avg, 1)
            K.add_scaled(w, buf, -lr, out=w)                     # param.add_(buf, alpha=-lr)
        else:
            K.addcdiv_(w, g, avg, -lr)                           # param.addcdiv_(grad, avg, value=-lr)
        _bumped(p)
