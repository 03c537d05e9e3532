"""RMSprop, torch's single-tensor update (what torch runs on CPU), in torch's order of operations:

    g = g + weight_decay * w                                     # grad.add(param, alpha=weight_decay)
    v = v * alpha + (1 - alpha) * g * g                          # square_avg.mul_(alpha).addcmul_(g, g, 1-alpha)
    centered: ga = lerp(ga, g, 1 - alpha); avg = sqrt(v - ga*ga) # grad_avg.lerp_; addcmul(ga, ga, -1).sqrt_()
    else:     avg = sqrt(v)
    avg = avg + eps
    momentum > 0: buf = buf * momentum + g / avg; w = w - lr * buf
    else:         w = w - lr * g / avg                           # param.addcdiv_(grad, avg, value=-lr)
"""
import numpy as np

from ..autograd.grad_mode import no_grad
from ..tensor import Tensor
from ..backend import kernels as K
from .optimizer import Optimizer, check_non_negative


class RMSprop(Optimizer):
    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False,
                 capturable=False, foreach=None, maximize=False, differentiable=False):
        check_non_negative(lr=lr, eps=eps, momentum=momentum, weight_decay=weight_decay, alpha=alpha)
        super().__init__(params, dict(lr=lr, momentum=momentum, alpha=alpha, eps=eps, centered=centered,
                                      weight_decay=weight_decay, capturable=capturable, foreach=foreach,
                                      maximize=maximize, differentiable=differentiable))

    @no_grad()
    def step(self, closure=None):
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            lr, alpha, eps = group["lr"], group["alpha"], group["eps"]
            weight_decay, momentum, centered = group["weight_decay"], group["momentum"], group["centered"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state.get(p)
                if not state:
                    state = self.state[p] = {"step": Tensor._make(np.zeros((), dtype=np.float32)),
                                             "square_avg": Tensor._make(np.zeros_like(p._data))}
                    if momentum > 0:
                        state["momentum_buffer"] = Tensor._make(np.zeros_like(p._data))
                    if centered:
                        state["grad_avg"] = Tensor._make(np.zeros_like(p._data))
                state["step"]._data += 1
                w, g = p._data, p.grad._data
                if group["maximize"]:
                    g = -g
                if weight_decay != 0:
                    g = K.add_scaled(g, w, weight_decay)
                v = state["square_avg"]._data
                v *= alpha
                K.addcmul_(v, g, g, 1 - alpha)
                if centered:
                    ga = K.lerp_(state["grad_avg"]._data, g, 1 - alpha)
                    avg = K.addcmul_(v.copy(), ga, ga, -1)
                    K.sqrt(avg, out=avg)
                else:
                    avg = K.sqrt(v)
                avg += eps
                if momentum > 0:
                    buf = state["momentum_buffer"]._data
                    buf *= momentum
                    K.addcdiv_(buf, g, avg, 1)
                    K.add_scaled(w, buf, -lr, out=w)              # param.add_(buf, alpha=-lr)
                else:
                    K.addcdiv_(w, g, avg, -lr)
                p._version_cell[0] += 1
        return loss
