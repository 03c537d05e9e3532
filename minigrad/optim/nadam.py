"""NAdam (Dozat, 2016: Adam with Nesterov momentum), torch's single-tensor update (what torch runs on CPU), in
torch's order of operations:

    mu_t = beta1 * (1 - 0.5 * 0.96**(t * momentum_decay))          # the momentum schedule, Python floats
    mu_product = mu_product * mu_t                                  # a float32 0-d tensor, as torch's state
    m = m + (1 - beta1) * (g - m)                                   # exp_avg.lerp_(grad, 1 - beta1)
    v = v * beta2 + (1 - beta2) * g * g                             # exp_avg_sq.mul_(beta2).addcmul_(...)
    denom = sqrt(v / (1 - beta2**t)) + eps
    w = w - lr * (1 - mu_t) / (1 - mu_product) * g / denom          # param.addcdiv_(grad, denom, value=...)
    w = w - lr * mu_{t+1} / (1 - mu_product * mu_{t+1}) * m / denom # param.addcdiv_(exp_avg, denom, value=...)

Weight decay is added to the gradient (L2), or with decoupled_weight_decay=True multiplies the weights by
1 - lr * weight_decay first (NAdamW). The state of a parameter ("step", "mu_product", "exp_avg",
"exp_avg_sq") is made at its first step.

Two routes (minigrad/optim/optimizer.py): `_single_tensor_nadam`, torch's own code in tensor ops, and
`_multi_tensor_nadam`, the same update on the NumPy arrays.
"""
from ..autograd.grad_mode import no_grad
from ..backend import kernels as K
from ..creation import zeros_like
from .optimizer import Optimizer, _bumped, check_betas, check_non_negative, scalar_state, use_fast_route


class NAdam(Optimizer):
    """torch.optim.NAdam. `foreach=False` steps by the reference route (`_single_tensor_nadam`); the default
    (`foreach=None`) or `foreach=True` by the fast route (`_multi_tensor_nadam`). Both give the same numbers.
    `differentiable=True` and `capturable=True` are not implemented."""

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, momentum_decay=4e-3,
                 decoupled_weight_decay=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False):
        check_non_negative(lr=lr, eps=eps)
        check_betas(betas)
        check_non_negative(weight_decay=weight_decay, momentum_decay=momentum_decay)
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                                      momentum_decay=momentum_decay, decoupled_weight_decay=decoupled_weight_decay,
                                      maximize=maximize, foreach=foreach, capturable=capturable,
                                      differentiable=differentiable))

    def _init_group(self, group):
        """torch's _init_group: the parameters with a gradient, their gradients and states (made at the first
        step)."""
        params_with_grad, grads, exp_avgs, exp_avg_sqs, mu_products, state_steps = [], [], [], [], [], []
        for p in group["params"]:
            if p.grad is None:
                continue
            params_with_grad.append(p)
            grads.append(p.grad)
            state = self.state.setdefault(p, {})
            if len(state) == 0:
                state["step"] = scalar_state(0.0)
                state["mu_product"] = scalar_state(1.0)
                state["exp_avg"] = zeros_like(p)
                state["exp_avg_sq"] = zeros_like(p)
            exp_avgs.append(state["exp_avg"])
            exp_avg_sqs.append(state["exp_avg_sq"])
            mu_products.append(state["mu_product"])
            state_steps.append(state["step"])
        return params_with_grad, grads, exp_avgs, exp_avg_sqs, mu_products, state_steps

    def step(self, closure=None):
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            beta1, beta2 = group["betas"]
            update = _multi_tensor_nadam if use_fast_route(group) else _single_tensor_nadam
            update(*self._init_group(group), beta1=beta1, beta2=beta2, lr=group["lr"],
                   weight_decay=group["weight_decay"], momentum_decay=group["momentum_decay"], eps=group["eps"],
                   decoupled_weight_decay=group["decoupled_weight_decay"], maximize=group["maximize"])
        return loss


@no_grad()
def _single_tensor_nadam(params, grads, exp_avgs, exp_avg_sqs, mu_products, state_steps, *, beta1, beta2, lr,
                         weight_decay, momentum_decay, eps, decoupled_weight_decay, maximize):
    """torch's _single_tensor_nadam (real tensors, neither capturable nor differentiable), one parameter at a
    time, in tensor ops."""
    for i, param in enumerate(params):
        grad = grads[i] if not maximize else -grads[i]
        exp_avg = exp_avgs[i]
        exp_avg_sq = exp_avg_sqs[i]
        mu_product = mu_products[i]
        step_t = state_steps[i]

        # update step
        step_t += 1
        step = step_t.item()

        bias_correction2 = 1 - beta2**step

        if weight_decay != 0:
            if decoupled_weight_decay:
                # Perform stepweight decay
                param.mul_(1 - lr * weight_decay)
            else:
                grad = grad.add(param, alpha=weight_decay)

        # calculate the momentum cache \mu^{t} and \mu^{t+1}
        mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * momentum_decay)))
        mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * momentum_decay)))

        # update mu_product
        mu_product *= mu

        # decay the first and second moment running average coefficient
        exp_avg.lerp_(grad, 1 - beta1)
        exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
        denom = exp_avg_sq.div(bias_correction2).sqrt()

        mu_product_next = mu_product.item() * mu_next
        denom.add_(eps)
        param.addcdiv_(grad, denom, value=(-lr * (1.0 - mu) / (1.0 - mu_product.item())))
        param.addcdiv_(exp_avg, denom, value=(-lr * mu_next) / (1.0 - mu_product_next))


def _multi_tensor_nadam(params, grads, exp_avgs, exp_avg_sqs, mu_products, state_steps, *, beta1, beta2, lr,
                        weight_decay, momentum_decay, eps, decoupled_weight_decay, maximize):
    """The fast route: the reference route's update on the NumPy arrays, with the same kernels (so the same
    roundings), writing in place where the tensor ops make a new array and copy it back."""
    for p, grad, exp_avg, exp_avg_sq, mu_product, step_t in zip(params, grads, exp_avgs, exp_avg_sqs, mu_products,
                                                                state_steps, strict=True):
        step_t._data += 1
        step = float(step_t._data)
        bias_correction2 = 1 - beta2**step
        w, g = p._data, grad._data
        if maximize:
            g = -g
        if weight_decay != 0:
            if decoupled_weight_decay:
                w *= 1 - lr * weight_decay                       # param.mul_(1 - lr * weight_decay)
            else:
                g = K.add_scaled(g, w, weight_decay)             # grad.add(param, alpha=weight_decay)
        mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * momentum_decay)))
        mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * momentum_decay)))
        mu_product._data *= mu                                   # in the state's dtype (float32), as torch's
        m, v = exp_avg._data, exp_avg_sq._data
        K.lerp_(m, g, 1 - beta1)                                 # exp_avg.lerp_(grad, 1 - beta1)
        v *= beta2                                   # exp_avg_sq.mul_(beta2).addcmul_(grad, grad, 1 - beta2)
        K.addcmul_(v, g, g, 1 - beta2)
        denom = K.sqrt(v / bias_correction2)                     # exp_avg_sq.div(bias_correction2).sqrt()
        mu_product_next = float(mu_product._data) * mu_next
        denom += eps
        K.addcdiv_(w, g, denom, -lr * (1.0 - mu) / (1.0 - float(mu_product._data)))
        K.addcdiv_(w, m, denom, (-lr * mu_next) / (1.0 - mu_product_next))
        _bumped(p)
