"""gradcheck: compare the analytical gradients (backward) with central finite differences, in float64."""
import numpy as np

from ..tensor import Tensor
from .entry_points import grad as autograd_grad
from .grad_mode import enable_grad, no_grad


def _numerical_jacobian(fn, inputs, i, eps):
    """d outputs / d inputs[i] by central differences: (f(x + eps) - f(x - eps)) / (2 eps)."""
    x = inputs[i]._data
    columns = []
    for j in range(x.size):
        orig = x.flat[j]
        x.flat[j] = orig + eps
        plus = _outputs(fn, inputs)
        x.flat[j] = orig - eps
        minus = _outputs(fn, inputs)
        x.flat[j] = orig
        columns.append((plus - minus) / (2 * eps))
    return np.stack(columns, axis=0) if columns else np.zeros((0, 0))


def _outputs(fn, inputs):
    with no_grad():
        out = fn(*inputs)
    outs = out if isinstance(out, (tuple, list)) else (out,)
    return np.concatenate([np.asarray(o._data, dtype=np.float64).reshape(-1) for o in outs])


def gradcheck(func, inputs, *, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True, **_ignored):
    """True if backward's Jacobian matches the finite-difference one for every input that requires grad.
    Inputs should be float64 (as torch warns), or the differences drown in rounding."""
    inputs = tuple(inputs) if isinstance(inputs, (tuple, list)) else (inputs,)
    diff_inputs = [i for i, t in enumerate(inputs) if isinstance(t, Tensor) and t.requires_grad]
    out = func(*inputs)
    outs = out if isinstance(out, (tuple, list)) else (out,)
    n_out = sum(o._data.size for o in outs)
    for i in diff_inputs:
        numerical = _numerical_jacobian(func, inputs, i, eps)
        analytical = np.zeros((inputs[i]._data.size, n_out))
        col = 0
        for o in outs:
            for k in range(o._data.size):
                seed = np.zeros(o._data.shape, dtype=o._data.dtype)
                seed.flat[k] = 1
                if not o.requires_grad:         # an output that no input reaches: a zero column
                    col += 1
                    continue
                (g,) = autograd_grad(o, inputs[i], grad_outputs=Tensor._make(seed), retain_graph=True,
                                     allow_unused=True)
                if g is not None:
                    analytical[:, col] = g._data.reshape(-1)
                col += 1
        if not np.allclose(analytical, numerical, rtol=rtol, atol=atol):
            if raise_exception:
                raise RuntimeError(f"Jacobian mismatch for output 0 with respect to input {i},\n"
                                   f"numerical:{numerical}\nanalytical:{analytical}\n")
            return False
    return True


def gradgradcheck(func, inputs, grad_outputs=None, *, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True,
                  **_ignored):
    """gradcheck of the gradient: the second derivatives (backward of backward, create_graph=True) against
    finite differences of the first. `grad_outputs` (the vectors the gradient is taken along) are random
    when not given, and are checked as inputs too, as in torch."""
    inputs = tuple(inputs) if isinstance(inputs, (tuple, list)) else (inputs,)
    outs = func(*inputs)
    outs = outs if isinstance(outs, (tuple, list)) else (outs,)
    if grad_outputs is None:
        rng = np.random.default_rng(0)
        grad_outputs = tuple(Tensor._make(rng.standard_normal(o._data.shape).astype(o._data.dtype))
                             .requires_grad_(True) for o in outs)
    grad_outputs = tuple(grad_outputs) if isinstance(grad_outputs, (tuple, list)) else (grad_outputs,)
    n = len(inputs)

    def first_derivatives(*args):
        inp, vs = args[:n], args[n:]
        with enable_grad():                  # gradcheck's finite differences run under no_grad
            out = func(*inp)
            out = out if isinstance(out, (tuple, list)) else (out,)
            diff = [t for t in inp if isinstance(t, Tensor) and t.requires_grad]
            return autograd_grad(out, diff, vs, create_graph=True, materialize_grads=True)

    return gradcheck(first_derivatives, inputs + grad_outputs, eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception)
