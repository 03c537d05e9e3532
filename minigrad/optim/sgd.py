"""SGD with momentum, dampening, Nesterov and weight decay: torch's update, in place, step for step."""
import numpy as np

from ..autograd.grad_mode import no_grad
from ..tensor import Tensor
from ..backend import kernels as K
from .optimizer import Optimizer, check_non_negative, required


class SGD(Optimizer):
    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, *,
                 maximize=False, foreach=None, differentiable=False, fused=None):
        if lr is not required:
            check_non_negative(lr=lr)
        check_non_negative(momentum=momentum, weight_decay=weight_decay)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
                                      nesterov=nesterov, maximize=maximize, foreach=foreach,
                                      differentiable=differentiable, fused=fused))

    @no_grad()
    def step(self, closure=None):
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            lr, momentum, dampening = group["lr"], group["momentum"], group["dampening"]
            weight_decay, nesterov, maximize = group["weight_decay"], group["nesterov"], group["maximize"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                w, g = p._data, p.grad._data
                if maximize:
                    g = -g
                if weight_decay != 0:
                    g = K.add_scaled(g, w, weight_decay)               # grad.add(param, alpha=weight_decay)
                if momentum != 0:
                    state = self.state.setdefault(p, {})
                    buf = state.get("momentum_buffer")
                    if buf is None:
                        buf = state["momentum_buffer"] = Tensor._make(g.copy())
                    else:
                        b = buf._data
                        b *= momentum                        # buf.mul_(momentum).add_(grad, alpha=1-dampening)
                        K.add_scaled(b, g, 1 - dampening, out=b)
                    g = K.add_scaled(g, buf._data, momentum) if nesterov else buf._data
                K.add_scaled(w, g, -lr, out=w)                        # param.add_(grad, alpha=-lr)
                p._version_cell[0] += 1
        return loss
