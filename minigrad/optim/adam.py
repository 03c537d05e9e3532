"""Adam (Kingma & Ba), with torch's exact order of operations so that weights match torch step for step:

    m = m + (1 - beta1) * (g - m)                 # exp_avg.lerp_(grad, 1 - beta1)
    v = v * beta2 + (1 - beta2) * g * g           # exp_avg_sq.mul_(beta2).addcmul_(grad, grad, 1 - beta2)
    denom = sqrt(v) / sqrt(1 - beta2**t) + eps
    w = w - lr / (1 - beta1**t) * m / denom       # param.addcdiv_(exp_avg, denom, value=-step_size)
"""
import numpy as np

from ..autograd.grad_mode import no_grad
from ..tensor import Tensor
from .optimizer import Optimizer


class Adam(Optimizer):
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False, *,
                 foreach=None, maximize=False, capturable=False, differentiable=False, fused=None,
                 decoupled_weight_decay=False):
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
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
        loss = None
        if closure is not None:
            with __import__("minigrad").enable_grad():
                loss = closure()
        for group in self.param_groups:
            lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
            weight_decay, amsgrad = group["weight_decay"], group["amsgrad"]
            decoupled = group["decoupled_weight_decay"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                w, g = p._data, p.grad._data
                if group["maximize"]:
                    g = -g
                state = self.state.get(p)
                if state is None:
                    state = self.state[p] = {
                        "step": Tensor._make(np.zeros((), dtype=np.float32)),
                        "exp_avg": Tensor._make(np.zeros_like(w)),
                        "exp_avg_sq": Tensor._make(np.zeros_like(w)),
                    }
                    if amsgrad:
                        state["max_exp_avg_sq"] = Tensor._make(np.zeros_like(w))
                state["step"]._data += 1
                step = float(state["step"]._data)
                if weight_decay != 0:
                    if decoupled:
                        w *= 1 - lr * weight_decay
                    else:
                        g = g + weight_decay * w
                m, v = state["exp_avg"]._data, state["exp_avg_sq"]._data
                m += (1 - beta1) * (g - m)
                v *= beta2
                v += (1 - beta2) * g * g
                step_size = lr / (1 - beta1 ** step)
                bias_correction2_sqrt = (1 - beta2 ** step) ** 0.5
                if amsgrad:
                    vmax = state["max_exp_avg_sq"]._data
                    np.maximum(vmax, v, out=vmax)
                    v = vmax
                denom = np.sqrt(v) / bias_correction2_sqrt
                denom += eps
                w += -step_size * m / denom
                p._version_cell[0] += 1
        return loss


class AdamW(Adam):
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False, **kw):
        kw.pop("decoupled_weight_decay", None)
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, decoupled_weight_decay=True, **kw)
