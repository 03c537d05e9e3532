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
            if use_fast_route(group):
                _multi_tensor_sgd(group, self.state)
                continue
            params, grads, momentum_buffer_list = [], [], []     # torch's _init_group
            for p in group["params"]:
                if p.grad is not None:
                    params.append(p)
                    grads.append(p.grad)
                    if group["momentum"] != 0:
                        momentum_buffer_list.append(self.state.get(p, {}).get("momentum_buffer"))
            _single_tensor_sgd(params, grads, momentum_buffer_list, weight_decay=group["weight_decay"],
                               momentum=group["momentum"], lr=group["lr"], dampening=group["dampening"],
                               nesterov=group["nesterov"], maximize=group["maximize"])
            if group["momentum"] != 0:
                for p, buf in zip(params, momentum_buffer_list):
                    self.state.setdefault(p, {})["momentum_buffer"] = buf
        return loss

    def emit_step(self, e, closure=None):
        """minigrad.compile's replay of step(): the fast route's update for plain SGD (no momentum, weight decay
        or maximize, checked at each replay with lr read live), one add_scaled per parameter."""
        if closure is not None:
            return None
        checks, lines = [], []
        for group in self.param_groups:
            G = e.const(group)
            checks.append(f"{G}['momentum'] == 0 and {G}['weight_decay'] == 0 and not {G}['maximize'] and "
                          f"({G}.get('fused') or {G}['foreach'] is not False)")
            lines.append(f"lr = {G}['lr']")
            alpha = {}                    # -lr, once per dtype (CallEmitter.number)
            for p in group["params"]:
                if p._data.dtype not in alpha:
                    set_alpha, alpha[p._data.dtype] = e.number("-lr", p._data.dtype)
                    lines += set_alpha
            for p in group["params"]:
                t = e.const(p)
                update = e.k_add_scaled(f"{t}._data", e.grad(p), alpha[p._data.dtype], f"{t}._data",
                                        (p._data.shape, p._data.dtype))
                has_grad = e.has_grad(p)
                lines.append((f"if {has_grad}: " if has_grad else "") + f"{update}; {t}._version_cell[0] += 1")
        return checks, lines


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


def _multi_tensor_sgd(group, state):
    """The fast route: the reference route's update on the NumPy arrays, with the same kernels (so the same
    roundings), for every parameter of `group` that has a gradient; momentum buffers live in `state`. It
    saves the tensor ops' dispatch and takes the group itself rather than torch's lists: for a small model
    (Linear(1, 1)) building those lists each step costs more than the update. It needs no grad mode: it never
    calls a tensor op."""
    lr, momentum, dampening = group["lr"], group["momentum"], group["dampening"]
    weight_decay, nesterov, maximize = group["weight_decay"], group["nesterov"], group["maximize"]
    add_scaled = K.add_scaled
    for p in group["params"]:
        if p.grad is None:
            continue
        w, g = p._data, p.grad._data
        if maximize:
            g = -g
        if weight_decay != 0:
            g = add_scaled(g, w, weight_decay)                     # grad.add(param, alpha=weight_decay)
        if momentum != 0:
            buffers = state.setdefault(p, {})
            buf = buffers.get("momentum_buffer")
            if buf is None:
                buf = buffers["momentum_buffer"] = Tensor._make(g.copy())   # grad.detach().clone()
            else:
                b = buf._data
                b *= momentum                            # buf.mul_(momentum).add_(grad, alpha=1-dampening)
                add_scaled(b, g, 1 - dampening, out=b)
                _bumped(buf)
            g = add_scaled(g, buf._data, momentum) if nesterov else buf._data
        add_scaled(w, g, -lr, out=w)                              # param.add_(grad, alpha=-lr)
        _bumped(p)
