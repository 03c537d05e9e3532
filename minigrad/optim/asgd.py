"""ASGD, averaged SGD (Polyak & Juditsky, 1992), torch's single-tensor update (what torch runs on CPU), in torch's
order of operations:

    g = g + weight_decay * w                        # grad.add(param, alpha=weight_decay)
    w = w * (1 - lambd * eta)                       # param.mul_(1 - lambd * eta)
    w = w - eta * g                                 # param.add_(grad, alpha=-eta)
    ax = ax + mu * (w - ax)   (ax = w while mu = 1) # the running average of the weights
    eta = lr / (1 + lambd * lr * t)**alpha          # the step size decays ...
    mu = 1 / max(1, t - t0)                         # ... and averaging starts after t0 steps

As in torch, "eta" and "mu" are float32 0-d tensors of the state (float64 where the default dtype is), so they
are rounded to float32 between steps. The state of a parameter ("step", "eta", "mu", "ax") is made at its first
step. The averaged weights are the state's "ax": torch.optim.ASGD leaves copying them into the model to you.
"""
from ..autograd.grad_mode import no_grad
from ..creation import as_tensor, zeros_like
from .optimizer import Optimizer, check_non_negative, scalar_state


class ASGD(Optimizer):
    """torch.optim.ASGD. One route, torch's single-tensor code (`_single_tensor_asgd`): its update is a few
    in-place ops weighted by Python numbers, already quicker than torch's, so there is no NumPy fast route;
    `foreach` is accepted and steps the same way. `differentiable=True` and `capturable=True` are not
    implemented."""

    def __init__(self, params, lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0, foreach=None, maximize=False,
                 differentiable=False, capturable=False):
        check_non_negative(lr=lr, weight_decay=weight_decay)
        super().__init__(params, dict(lr=lr, lambd=lambd, alpha=alpha, t0=t0, weight_decay=weight_decay,
                                      foreach=foreach, maximize=maximize, differentiable=differentiable,
                                      capturable=capturable))

    def _init_group(self, group):
        """torch's _init_group: the parameters with a gradient, their gradients and states (made at the first
        step)."""
        params_with_grad, grads, mus, axs, etas, state_steps = [], [], [], [], [], []
        for p in group["params"]:
            if p.grad is None:
                continue
            params_with_grad.append(p)
            grads.append(p.grad)
            state = self.state.setdefault(p, {})
            if len(state) == 0:
                state["step"] = scalar_state(0.0)
                state["eta"] = scalar_state(group["lr"])
                state["mu"] = scalar_state(1.0)
                state["ax"] = zeros_like(p)
            mus.append(state["mu"])
            axs.append(state["ax"])
            etas.append(state["eta"])
            state_steps.append(state["step"])
        return params_with_grad, grads, mus, axs, etas, state_steps

    def step(self, closure=None):
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            params, grads, mus, axs, etas, state_steps = self._init_group(group)
            _single_tensor_asgd(params, grads, axs, mus, etas, state_steps, lambd=group["lambd"], lr=group["lr"],
                                t0=group["t0"], alpha=group["alpha"], weight_decay=group["weight_decay"],
                                maximize=group["maximize"])
        return loss


@no_grad()
def _single_tensor_asgd(params, grads, axs, mus, etas, state_steps, *, lambd, lr, t0, alpha, weight_decay, maximize):
    """torch's _single_tensor_asgd (real tensors, neither capturable nor differentiable), one parameter at a
    time, in tensor ops."""
    for i, param in enumerate(params):
        grad = grads[i]
        grad = grad if not maximize else -grad
        mu = mus[i]
        ax = axs[i]
        eta = etas[i]
        step_t = state_steps[i]

        # update step
        step_t += 1

        if weight_decay != 0:
            grad = grad.add(param, alpha=weight_decay)

        eta_value = eta.item()
        param.mul_(1 - lambd * eta_value)  # decay term
        param.add_(grad, alpha=-eta_value)  # update parameter

        # averaging
        if mu.item() != 1:
            ax.add_(param.sub(ax).mul_(mu))
        else:
            ax.copy_(param)

        step = step_t.item()
        new_eta = as_tensor(lr / ((1 + lambd * lr * step) ** alpha))
        eta.copy_(new_eta)
        new_mu = as_tensor(1 / max(1, step - t0))
        mu.copy_(new_mu)
