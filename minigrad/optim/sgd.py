"""SGD with momentum, dampening, Nesterov and weight decay: torch's update, in place, step for step.

Two routes (minigrad/optim/optimizer.py): `_single_tensor_sgd`, torch's own code in tensor ops, and
`_multi_tensor_sgd`, the same update on the NumPy arrays."""
from ..autograd.grad_mode import no_grad
from ..backend import kernels as K
from ..tensor import Tensor
from .optimizer import Optimizer, _bumped, check_non_negative, required, use_fast_route


class SGD(Optimizer):
    """torch.optim.SGD. `foreach=False` steps by the reference route (`_single_tensor_sgd`); the default
    (`foreach=None`), `foreach=True` or `fused=True` by the fast route (`_multi_tensor_sgd`). Both give the
    same numbers. `differentiable=True` and a fused kernel of torch's own rounding are not implemented."""

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

    def step(self, closure=None):
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            params, grads = [], []
            for p in group["params"]:
                if p.grad is not None:
                    params.append(p)
                    grads.append(p.grad)
            momentum = group["momentum"]
            if momentum != 0:
                momentum_buffer_list = [self.state.get(p, {}).get("momentum_buffer") for p in params]
            else:
                momentum_buffer_list = [None] * len(params)
            update = _multi_tensor_sgd if use_fast_route(group) else _single_tensor_sgd
            update(params, grads, momentum_buffer_list, weight_decay=group["weight_decay"], momentum=momentum,
                   lr=group["lr"], dampening=group["dampening"], nesterov=group["nesterov"],
                   maximize=group["maximize"])
            if momentum != 0:
                for p, buf in zip(params, momentum_buffer_list):
                    self.state.setdefault(p, {})["momentum_buffer"] = buf
        return loss


@no_grad()
def _single_tensor_sgd(params, grads, momentum_buffer_list, *, weight_decay, momentum, lr, dampening, nesterov,
                       maximize):
    """The reference route: torch's _single_tensor_sgd, one parameter at a time, in tensor ops."""
    for i, param in enumerate(params):
        grad = grads[i] if not maximize else -grads[i]

        if weight_decay != 0:
            grad = grad.add(param, alpha=weight_decay)

        if momentum != 0:
            buf = momentum_buffer_list[i]

            if buf is None:
                buf = grad.detach().clone()
                momentum_buffer_list[i] = buf
            else:
                buf.mul_(momentum).add_(grad, alpha=1 - dampening)

            if nesterov:
                grad = grad.add(buf, alpha=momentum)
            else:
                grad = buf

        param.add_(grad, alpha=-lr)


def _multi_tensor_sgd(params, grads, momentum_buffer_list, *, weight_decay, momentum, lr, dampening, nesterov,
                      maximize):
    """The fast route: the reference route's update on the NumPy arrays, with the same kernels (so the same
    roundings). It saves the tensor ops' dispatch, which dominates the step of a small model, and needs no
    grad mode: it never touches a tensor op."""
    for i, (p, grad) in enumerate(zip(params, grads)):
        w, g = p._data, grad._data
        if maximize:
            g = -g
        if weight_decay != 0:
            g = K.add_scaled(g, w, weight_decay)                   # grad.add(param, alpha=weight_decay)
        if momentum != 0:
            buf = momentum_buffer_list[i]
            if buf is None:
                buf = momentum_buffer_list[i] = Tensor._make(g.copy())
            else:
                b = buf._data
                b *= momentum                            # buf.mul_(momentum).add_(grad, alpha=1-dampening)
                K.add_scaled(b, g, 1 - dampening, out=b)
                _bumped(buf)
            g = K.add_scaled(g, buf._data, momentum) if nesterov else buf._data
        K.add_scaled(w, g, -lr, out=w)                            # param.add_(grad, alpha=-lr)
        _bumped(p)
