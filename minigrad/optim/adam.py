"""Adam (Kingma & Ba), with torch's exact order of operations so that weights match torch step for step:

    m = m + (1 - beta1) * (g - m)                 # exp_avg.lerp_(grad, 1 - beta1)
    v = v * beta2 + (1 - beta2) * g * g           # exp_avg_sq.mul_(beta2).addcmul_(grad, grad, 1 - beta2)
    denom = sqrt(v) / sqrt(1 - beta2**t) + eps
    w = w - lr / (1 - beta1**t) * m / denom       # param.addcdiv_(exp_avg, denom, value=-step_size)

Two routes (minigrad/optim/optimizer.py): `_single_tensor_adam`, torch's own code in tensor ops, and
`_multi_tensor_adam`, the same formulas on all of a group's parameters at once, in flat NumPy buffers.
"""
import operator

import numpy as np

from ..autograd.grad_mode import no_grad
from ..backend import kernels as K
from ..tensor import Tensor
from .optimizer import Optimizer, _bumped, check_non_negative, use_fast_route


class Adam(Optimizer):
    """torch.optim.Adam. `foreach=False` steps by the reference route (`_single_tensor_adam`); the default
    (`foreach=None`), `foreach=True` or `fused=True` by the fast route (`_multi_tensor_adam`). Both round as
    torch's single-tensor route does (torch's own fused kernel rounds its own way and is not reproduced).
    `differentiable=True` and `capturable=True` are not implemented."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False, *,
                 foreach=None, maximize=False, capturable=False, differentiable=False, fused=None,
                 decoupled_weight_decay=False):
        check_non_negative(lr=lr, eps=eps)
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

    def step(self, closure=None):
        loss = self._closure_loss(closure)
        for index, group in enumerate(self.param_groups):
            params = [p for p in group["params"] if p.grad is not None]
            if not params:
                continue
            if not use_fast_route(group):
                states = [self.state.get(p) or self._new_state(group, p) for p in params]
                _single_tensor_adam(params, [p.grad for p in params], [s["exp_avg"] for s in states],
                                    [s["exp_avg_sq"] for s in states],
                                    [s["max_exp_avg_sq"] for s in states] if group["amsgrad"] else [],
                                    [s["step"] for s in states], **_hyperparameters(group))
                continue
            flat = self._flat_buffers(index, group, params)
            if flat is None:
                self._step_one_at_a_time(index, group, params)
                continue
            steps, buffers = flat["steps"], flat["buffers"]
            steps += 1
            beta1, beta2 = group["betas"]
            _multi_tensor_adam(params, [p.grad for p in params], buffers["exp_avg"], buffers["exp_avg_sq"],
                               buffers.get("max_exp_avg_sq"), float(steps[0]), amsgrad=group["amsgrad"],
                               beta1=beta1, beta2=beta2, lr=group["lr"], weight_decay=group["weight_decay"],
                               eps=group["eps"], maximize=group["maximize"],
                               decoupled_weight_decay=group["decoupled_weight_decay"], chunks=flat["chunks"],
                               scratch=flat["scratch"])
        return loss

    def emit_step(self, e, closure=None):
        """minigrad.compile's replay of step(): the fast route's update (_multi_tensor_adam's lines, in its
        order, on the group's flat buffers) for Adam without amsgrad, weight decay or maximize, each parameter
        with a gradient; checked at each replay, with lr, betas and eps read live. None (step() is called
        as it is) where the capture's step did not use the flat buffers."""
        if closure is not None or not self._flat:
            return None
        checks, lines = [], []
        for index, group in enumerate(self.param_groups):
            flat = self._flat.get(index)
            if flat is None or len(flat["params"]) != len(group["params"]) \
                    or any(a is not b for a, b in zip(flat["params"], group["params"])):
                return None
            G, O = e.const(group), e.const(self)
            params = [e.const(p) for p in group["params"]]
            checks.append(f"({G}.get('fused') or {G}['foreach'] is not False) and not {G}['amsgrad'] and "
                          f"{G}['weight_decay'] == 0 and not {G}['maximize'] and abs(1 - {G}['betas'][0]) < 0.5 "
                          f"and {O}._flat is not None and {O}._flat.get({index}) is {e.const(flat, f'{O}._flat[{index}]')}")
            checks += [c for c in map(e.has_grad, group["params"]) if c]
            F = e.const(flat, f"{O}._flat[{index}]")
            # The replay keeps g and tmp, the step's own temporaries (nothing else holds them after it), in two
            # buffers made once, and g's per-parameter views too: the same numbers, without the allocations
            # and the slicing and reshaping each step (the listing shows the step's own lines).
            exp_avg = flat["buffers"]["exp_avg"]
            g_buffer, tmp_buffer = np.empty_like(exp_avg), np.empty_like(exp_avg)
            into = (lambda buffer: "") if e.readable else (lambda buffer: f", out={e.const(buffer)}")
            grads = ", ".join(e.grad(p) for p in group["params"])      # (flattened by axis=None)
            # the Python numbers the buffers are multiplied by, as the buffers' dtype (CallEmitter.number)
            numbers = [e.number(code, exp_avg.dtype) for code in
                       ("1 - beta1", "1 - beta2", "beta2", "(1 - beta2 ** step) ** 0.5", f"{G}['eps']", "-step_size")]
            one_minus_beta1, one_minus_beta2, beta2, correction2, eps, minus_step_size = (n for _, n in numbers)
            one = e.const(np.ones((), flat["steps"].dtype))        # (the 1 NumPy converts to the count's dtype)
            lines += [f"beta1, beta2 = {G}['betas']",
                      f"steps = {F}['steps']",
                      e.add_into("steps", "1" if e.readable else one, (flat["steps"].shape, flat["steps"].dtype)),
                      "step = float(steps[0])",
                      f"m, v = {F}['buffers']['exp_avg'], {F}['buffers']['exp_avg_sq']",
                      f"step_size = {G}['lr'] / (1 - beta1 ** step)"]
            # betas and eps change only where a schedule changes them: their numbers are set again only then
            fixed, per_step = numbers[:3] + numbers[4:5], numbers[3:4] + numbers[5:]
            fixed_lines = [line for set_number, _ in fixed for line in set_number]
            if fixed_lines:
                seen = e.const([None, None, None])
                lines.append(f"if {seen}[0] != beta1 or {seen}[1] != beta2 or {seen}[2] != {G}['eps']: "
                             + "; ".join(fixed_lines) + f"; {seen}[:] = beta1, beta2, {G}['eps']")
            lines += [line for set_number, _ in per_step for line in set_number]
            lines += [f"g = np.concatenate([{grads}], axis=None{into(g_buffer)})",
                      "tmp = g - m" if e.readable else f"tmp = np.subtract(g, m, out={e.const(tmp_buffer)})",
                      e.k_add_scaled("m", "tmp", one_minus_beta1, "m"),
                      f"np.multiply(g, {one_minus_beta2}, out=tmp)",
                      f"v *= {beta2}",
                      e.k_add_scaled("v", "tmp", "g", "v"),
                      f"denom = {e.k_sqrt('v', 'tmp')}",
                      f"denom /= {correction2}",
                      f"denom += {eps}",
                      f"delta = np.multiply(m, {minus_step_size}, out=g)",
                      "delta /= denom"]
            offset = 0
            for p, t in zip(params, group["params"]):
                size = t._data.size
                part = (f"delta[{offset}:{offset + size}].reshape({t._data.shape!r})" if e.readable else
                        e.const(g_buffer[offset:offset + size].reshape(t._data.shape)))
                lines.append(f"{p}._data += {part}; {p}._version_cell[0] += 1")
                offset += size
        return checks, lines

    def _new_state(self, group, p):
        """torch's _init_group: a parameter's state, made at its first step."""
        state = {"step": Tensor._make(np.zeros((), dtype=np.float32)),
                 "exp_avg": Tensor._make(np.zeros_like(p._data)), "exp_avg_sq": Tensor._make(np.zeros_like(p._data))}
        if group["amsgrad"]:
            state["max_exp_avg_sq"] = Tensor._make(np.zeros_like(p._data))
        self.state[p] = state
        return state

    # The fast route keeps a group's states in flat buffers, end to end: each parameter's state tensors are
    # views into them, so state_dict() and load_state_dict() see torch's layout, and the reference route,
    # when a group switches to it, updates the same numbers.
    _flat = None

    def _step_one_at_a_time(self, index, group, params):
        """The fast route where the parameters cannot share flat buffers (mixed dtypes, or different step
        counts): each parameter's own state arrays are its flat buffers."""
        self._flat.pop(index, None)
        for p in params:
            state = self.state.get(p) or self._new_state(group, p)
            for k in ("exp_avg", "exp_avg_sq", "max_exp_avg_sq"):
                if k in state and not state[k]._data.flags.c_contiguous:   # (a transposed parameter's zeros_like)
                    state[k] = Tensor._make(np.ascontiguousarray(state[k]._data))   # so that reshape(-1) is a view
            state["step"]._data += 1
            vmax = state["max_exp_avg_sq"]._data.reshape(-1) if group["amsgrad"] else None
            _multi_tensor_adam([p], [p.grad], state["exp_avg"]._data.reshape(-1),
                               state["exp_avg_sq"]._data.reshape(-1), vmax, float(state["step"]._data),
                               **_hyperparameters(group))

    def _flat_buffers(self, index, group, params):
        """The group's flat state buffers for these parameters (made, and the states moved into them, when the
        parameters change), or None where they cannot share them: mixed dtypes, or different step counts."""
        if self._flat is None:
            self._flat = {}
        flat = self._flat.get(index)
        if flat is not None and len(flat["params"]) == len(params) and all(map(operator.is_, flat["params"], params)):
            return flat
        dtype = params[0]._data.dtype
        if any(p._data.dtype != dtype for p in params):
            return None
        states = [self.state.get(p) for p in params]
        if any(s is None for s in states):
            if any(s is not None for s in states):
                return None
            states = [self._new_state(group, p) for p in params]
        steps = np.array([float(s["step"]._data) for s in states], dtype=np.float32)
        if len(set(steps.tolist())) != 1:
            return None
        keys = [k for k in ("exp_avg", "exp_avg_sq", "max_exp_avg_sq") if k in states[0]]
        buffers = {k: np.concatenate([s[k]._data.reshape(-1) for s in states]) for k in keys}
        offsets = np.cumsum([0] + [p._data.size for p in params])
        for i, (p, s, lo, hi) in enumerate(zip(params, states, offsets[:-1], offsets[1:])):
            for k in keys:
                s[k] = Tensor._make(buffers[k][lo:hi].reshape(p._data.shape))
            s["step"] = Tensor._make(steps[i:i + 1].reshape(()))
            self.state[p] = s
        chunks = _chunks([p._data.size for p in params], _CHUNK)
        scratch = [np.empty(chunks[0][1] if chunks else 0, dtype) for _ in range(3)]   # reused at every step
        flat = {"params": params, "buffers": buffers, "steps": steps, "chunks": chunks, "scratch": scratch}
        self._flat[index] = flat
        return flat

    def load_state_dict(self, state_dict):
        self._flat = None
        super().load_state_dict(state_dict)


def _hyperparameters(group):
    beta1, beta2 = group["betas"]
    return dict(amsgrad=group["amsgrad"], beta1=beta1, beta2=beta2, lr=group["lr"], weight_decay=group["weight_decay"],
                eps=group["eps"], maximize=group["maximize"], decoupled_weight_decay=group["decoupled_weight_decay"])


@no_grad()
def _single_tensor_adam(params, grads, exp_avgs, exp_avg_sqs, max_exp_avg_sqs, state_steps, *, amsgrad, beta1,
                        beta2, lr, weight_decay, eps, maximize, decoupled_weight_decay):
    """The reference route: torch's _single_tensor_adam (real tensors, float hyper-parameters, neither
    capturable nor differentiable), one parameter at a time, in tensor ops."""
    for i, param in enumerate(params):
        grad = grads[i] if not maximize else -grads[i]
        exp_avg = exp_avgs[i]
        exp_avg_sq = exp_avg_sqs[i]
        step_t = state_steps[i]

        # update step
        step_t += 1

        if weight_decay != 0:
            if decoupled_weight_decay:
                # Perform step weight decay
                param.mul_(1 - lr * weight_decay)
            else:
                grad = grad.add(param, alpha=weight_decay)

        # Decay the first and second moment running average coefficient
        exp_avg.lerp_(grad, 1 - beta1)
        exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)

        step = step_t.item()

        bias_correction1 = 1 - beta1 ** step
        bias_correction2 = 1 - beta2 ** step

        step_size = lr / bias_correction1

        bias_correction2_sqrt = bias_correction2 ** 0.5

        if amsgrad:
            # Maintains the maximum of all 2nd moment running avg. till now
            max_exp_avg_sqs[i].copy_(max_exp_avg_sqs[i].maximum(exp_avg_sq))

            # Use the max. for normalizing running avg. of gradient
            denom = (max_exp_avg_sqs[i].sqrt() / bias_correction2_sqrt).add_(eps)
        else:
            denom = (exp_avg_sq.sqrt() / bias_correction2_sqrt).add_(eps)

        param.addcdiv_(exp_avg, denom, value=-step_size)


# The fast route walks the flat buffers a chunk at a time: the dozen passes of the update then read and write
# arrays that stay in the CPU's cache, instead of each pass going through memory for the whole model. Each
# chunk's gradients are copied into a scratch array (the update works in place), and its changes are added to
# the parameters before the next chunk, while they are still in cache.
_CHUNK = 1 << 15


def _chunks(sizes, chunk):
    """The flat range of parameters of these sizes, laid end to end, cut into chunks of at most `chunk`
    elements: for each chunk, (lo, hi, pieces), a piece being (parameter index, start, stop) in that
    parameter's own elements. A chunk may hold the tails and heads of several small parameters."""
    plan, pieces, lo, filled = [], [], 0, 0
    for i, size in enumerate(sizes):
        start = 0
        while start < size:
            stop = min(size, start + chunk - filled)
            pieces.append((i, start, stop))
            filled += stop - start
            start = stop
            if filled == chunk:
                plan.append((lo, lo + filled, pieces))
                pieces, lo, filled = [], lo + filled, 0
    if pieces:
        plan.append((lo, lo + filled, pieces))
    return plan


def _gather(arrays, pieces, out):
    """The pieces' elements of these flat arrays, end to end, into `out` (returned)."""
    if len(pieces) == 1:
        i, start, stop = pieces[0]
        np.copyto(out, arrays[i][start:stop])
    else:
        np.concatenate([arrays[i][start:stop] for i, start, stop in pieces], out=out)
    return out


def _multi_tensor_adam(params, grads, exp_avg, exp_avg_sq, max_exp_avg_sq, step, *, amsgrad, beta1, beta2, lr,
                       weight_decay, eps, maximize, decoupled_weight_decay, chunks=None, scratch=None):
    """The fast route: the reference route's formulas, with the same kernels (so the same roundings), on all
    the parameters at once. `exp_avg`, `exp_avg_sq` and `max_exp_avg_sq` (None without amsgrad) are flat
    arrays holding the parameters' states end to end; `step` is the step count they share (already counted).
    `chunks` (_chunks' plan for the parameters' sizes) and `scratch` (three arrays of a chunk's size) may be
    kept between steps by the caller. A step costs a dozen NumPy calls per chunk of the group, not a dozen
    tensor ops per parameter."""
    if weight_decay != 0 and decoupled_weight_decay:
        for p in params:
            p._data *= 1 - lr * weight_decay                     # param.mul_(1 - lr * weight_decay)
            _bumped(p)
    if chunks is None:
        chunks = _chunks([p._data.size for p in params], _CHUNK)
    if scratch is None:
        scratch = [np.empty(chunks[0][1] if chunks else 0, exp_avg.dtype) for _ in range(3)]
    g_scratch, tmp, w_scratch = scratch
    weights = [p._data.reshape(-1) for p in params]      # views where the data is C-contiguous (written back below)
    gradients = [grad._data.reshape(-1) for grad in grads]
    coupled_decay = weight_decay != 0 and not decoupled_weight_decay
    bias_correction1 = 1 - beta1 ** step
    bias_correction2 = 1 - beta2 ** step
    step_size = lr / bias_correction1
    bias_correction2_sqrt = bias_correction2 ** 0.5
    for lo, hi, pieces in chunks:
        n = hi - lo
        g = _gather(gradients, pieces, g_scratch[:n])                            # this step's own copy
        _adam_chunk(g, exp_avg[lo:hi], exp_avg_sq[lo:hi], max_exp_avg_sq[lo:hi] if max_exp_avg_sq is not None else None,
                    tmp[:n], _gather(weights, pieces, w_scratch[:n]) if coupled_decay else None, beta1=beta1,
                    beta2=beta2, weight_decay=weight_decay, eps=eps, maximize=maximize, step_size=step_size,
                    bias_correction2_sqrt=bias_correction2_sqrt)
        offset = 0
        for i, start, stop in pieces:                                            # g now holds the change
            weights[i][start:stop] += g[offset:offset + stop - start]
            offset += stop - start
    for p, w in zip(params, weights):
        if not p._data.flags.c_contiguous:   # reshape(-1) copied it
            p._data[...] = w.reshape(p._data.shape)
        _bumped(p)


def _adam_chunk(g, exp_avg, exp_avg_sq, max_exp_avg_sq, tmp, w, *, beta1, beta2, weight_decay, eps, maximize,
                step_size, bias_correction2_sqrt):
    """One chunk of the fast route, in place: the states are updated and g (a copy) becomes the change to
    the parameters. Each line is the reference route's tensor op, rounded the same way."""
    if maximize:
        np.negative(g, out=g)
    if w is not None:
        K.add_scaled(g, w, weight_decay, out=g)                   # grad.add(param, alpha=weight_decay)
    if abs(1 - beta1) < 0.5:
        np.subtract(g, exp_avg, out=tmp)      # exp_avg.lerp_(grad, 1 - beta1): m + w (g - m), as torch's lerp
        K.add_scaled(exp_avg, tmp, 1 - beta1, out=exp_avg)       # rounds it for a weight below 1/2
    else:
        K.lerp_(exp_avg, g, 1 - beta1)
    np.multiply(g, 1 - beta2, out=tmp)
    exp_avg_sq *= beta2                       # exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
    K.add_scaled(exp_avg_sq, tmp, g, out=exp_avg_sq)              # (g * (1 - beta2)) * g + v, as torch's addcmul
    v = exp_avg_sq
    if max_exp_avg_sq is not None:
        np.maximum(max_exp_avg_sq, exp_avg_sq, out=max_exp_avg_sq)
        v = max_exp_avg_sq
    denom = K.sqrt(v, out=tmp)                # (exp_avg_sq.sqrt() / bias_correction2_sqrt).add_(eps)
    denom /= bias_correction2_sqrt
    denom += eps
    delta = np.multiply(exp_avg, -step_size, out=g)   # param.addcdiv_(exp_avg, denom, value=-step_size):
    delta /= denom                                    # w + (m * -step_size) / denom, as torch's addcdiv
