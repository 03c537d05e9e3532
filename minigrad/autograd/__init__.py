"""Reverse-mode automatic differentiation: `backward`, `grad`, grad mode, `Function`, `gradcheck`.

- engine.py:         the backward pass (newest node first), unbroadcast, gradient accumulation
- function.py:       an op's node: forward and backward side by side, `apply`
- entry_points.py:   autograd.backward, autograd.grad and Tensor.backward, which start the engine
- custom_function.py: torch's user-facing autograd.Function (forward(ctx, ...), backward(ctx, ...))
- grad_mode.py:      no_grad, enable_grad, set_grad_enabled, inference_mode (per thread)
- functional.py:     jacobian, hessian, vjp, jvp, hvp, vhp
- gradcheck.py, trace.py: checking a backward against finite differences; watching one run
- anomaly_mode.py:   detect_anomaly / set_detect_anomaly: the node that returned a nan gradient, named
"""
from . import engine, function  # noqa: F401
from .entry_points import backward, grad
from .gradcheck import gradcheck, gradgradcheck
from .trace import trace  # noqa: F401  (watch backprop: `with minigrad.autograd.trace(): loss.backward()`)
from .grad_mode import enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled
from .anomaly_mode import detect_anomaly, set_detect_anomaly
# torch's public autograd.Function is the user-facing one (forward(ctx, ...), backward(ctx, *grads)); ops
# subclass the internal node class, minigrad.autograd.function.Function.
from .custom_function import Function, FunctionCtx, once_differentiable
from .variable import Variable  # noqa: F401
from . import functional  # noqa: F401  (jacobian, hessian, hvp...: built on grad)

function.once_differentiable = once_differentiable   # torch.autograd.function.once_differentiable too
function.FunctionCtx = FunctionCtx

__all__ = ["backward", "grad", "Function", "FunctionCtx", "once_differentiable", "gradcheck", "gradgradcheck",
           "functional", "no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled", "inference_mode",
           "detect_anomaly", "set_detect_anomaly"]
