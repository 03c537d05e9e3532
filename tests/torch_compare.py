"""Running one piece of code with minigrad and with torch in the same process, and comparing what comes out:
tensors (dtype, shape, values, grad_fn name), tuples of them, plain values, or the error raised (type and
message). A case is a function of the library, `lambda L: L.hstack([...])`, so both runs read the same."""
import numpy as np
import torch

import minigrad

# float64 results agree to 1e-10 (most are exact copies; sums and products differ in their last bits)
RTOL, ATOL = 1e-10, 1e-12


def outcome(lib, case):
    """What case(lib) gives, in comparable form; an error as ("error", type name, message)."""
    try:
        result = case(lib)
    except Exception as e:                                    # noqa: BLE001 (the error is the outcome)
        return ("error", type(e).__name__, str(e).replace("minigrad.", "torch."))
    return _comparable(result)


def _comparable(x):
    if isinstance(x, (torch.Tensor, minigrad.Tensor)):
        return {"dtype": str(x.dtype).split(".")[-1], "shape": tuple(x.shape),
                "values": x.detach().numpy().copy(),
                "grad_fn": None if x.grad_fn is None else type(x.grad_fn).__name__}
    if isinstance(x, (tuple, list)) and not isinstance(x, (torch.Size, minigrad.Size)):
        return [_comparable(v) for v in x]
    if isinstance(x, (torch.dtype, minigrad.dtype)):
        return str(x).split(".")[-1]
    return x


def assert_same(mine, theirs, where="result"):
    if isinstance(theirs, dict):
        assert isinstance(mine, dict), f"{where}: {mine!r} where torch gives a tensor"
        for key in ("dtype", "shape", "grad_fn"):
            assert mine[key] == theirs[key], f"{where} {key}: {mine[key]} != torch's {theirs[key]}"
        np.testing.assert_allclose(mine["values"], theirs["values"], rtol=RTOL, atol=ATOL, err_msg=where)
    elif isinstance(theirs, list):
        assert isinstance(mine, list) and len(mine) == len(theirs), f"{where}: {mine!r} != torch's {theirs!r}"
        for i, (m, t) in enumerate(zip(mine, theirs)):
            assert_same(m, t, f"{where}[{i}]")
    else:
        assert mine == theirs, f"{where}: {mine!r} != torch's {theirs!r}"


def assert_same_as_torch(case, refused=False):
    """minigrad's outcome is torch's; `refused`: that outcome is an error (else it must not be one)."""
    theirs = outcome(torch, case)
    is_error = isinstance(theirs, tuple) and theirs[:1] == ("error",)
    assert is_error == refused, f"torch's outcome: {theirs!r}"
    assert_same(outcome(minigrad, case), theirs)


def with_gradients(lib, fn, *arrays):
    """fn's result on float64 leaves, then the gradient of a weighted sum of its squares (create_graph=True;
    squared, so that the gradient depends on the leaves even where fn is linear), then the gradient of that
    gradient's squares: first and second derivatives, to compare with torch's."""
    leaves = [lib.tensor(np.asarray(a, dtype=np.float64), requires_grad=True) for a in arrays]
    out = fn(*leaves)
    outs = list(out) if isinstance(out, tuple) else [out]
    outs = [o for o in outs if o.dtype == lib.float64]          # values, not indices
    weights = [lib.tensor(np.random.default_rng(7 + i).uniform(0.5, 1.5, tuple(o.shape))) for i, o in enumerate(outs)]
    total = sum((o * o * w).sum() for o, w in zip(outs, weights))
    firsts = lib.autograd.grad(total, leaves, create_graph=True)
    seconds = lib.autograd.grad(sum((g * g).sum() for g in firsts), leaves, allow_unused=True)
    return [*outs, *[g.detach() for g in firsts], *[g for g in seconds if g is not None]]
