"""The backward pass. No recursion: a queue of the nodes that have received a gradient, run from the newest
to the oldest (the order torch's engine runs them in), so a node runs only after every gradient flowing into
it has arrived and been summed."""
import re
import weakref
from heapq import heappop, heappush

import numpy as np

from .. import dtypes
from ..tensor import Tensor
from ..backend import kernels as K

# Called as observer(node, grad_out, grads_in) for each node the engine runs (minigrad.autograd.trace uses
# it). Empty, it costs one check per backward.
observers = []

FREED_MESSAGE = (
    "Trying to backward through the graph a second time (or directly access saved tensors after they "
    "have already been freed). Saved intermediate values of the graph are freed when you call .backward() "
    "or autograd.grad(). Specify retain_graph=True if you need to backward through the graph a second time "
    "or if you need to access saved tensors after calling backward.")


def unbroadcast(grad, shape):
    """Sum a gradient of a broadcast shape back to the input's `shape`: the one place broadcasting is undone.
    Broadcasting copied the input along the new leading axes and along its size-1 axes, so each copy's
    gradient adds up into the one original element."""
    lead = grad.ndim - len(shape)
    stretched = tuple(lead + i for i, n in enumerate(shape) if n == 1 and grad.shape[lead + i] != 1)
    axes = tuple(range(lead)) + stretched                 # new leading axes, and size-1 axes stretched
    if axes:
        grad = np.reshape(K.sum(grad, axes), shape)       # one sum, in the backend's order
    return grad


def _check_versions(node):
    """Raise torch's error for the first saved tensor changed in place since forward: an input (by index),
    the node's own output (index -1), or a view of an input the op saved (index (input index, view's shape)),
    described by its type, shape and the op that made it. A changed view's grad_fn is remade by torch as
    AsStridedBackward0, so a saved view is named "output 0 of AsStrided" when its input requires grad."""
    for cell, expected, index in node.version_checks:
        if cell[0] != expected:
            if isinstance(index, tuple):
                t = node.inputs[index[0]]
                shape, dtype, maker = index[1], t._data.dtype, "AsStrided" if t.requires_grad else None
            elif index < 0:
                shape, dtype = node.output_meta
                maker = node
            else:
                t = node.inputs[index]
                shape, dtype, maker = t._data.shape, t._data.dtype, t.grad_fn
            raise version_error(shape, dtype, maker, cell[0], expected)


def version_error(shape, dtype, maker, version, expected):
    """torch's error for a tensor backward needs that was changed in place: its type and shape, the op that made
    it (`maker`, a node or the op's name, or None for a leaf), its version now and the one backward expected."""
    name = maker if isinstance(maker, str) or maker is None else _op_name(maker)
    where = f", which is output 0 of {name}," if maker is not None else ""
    return RuntimeError(
        "one of the variables needed for gradient computation has been modified by an inplace "
        f"operation: [{dtypes.legacy_name(dtype)} {list(shape)}]{where} is at version {version}; "
        f"expected version {expected} instead. Hint: enable anomaly detection to find the operation "
        "that failed to compute its gradient, with torch.autograd.set_detect_anomaly(True, check_nan=False).")

def _op_name(node):
    """The op a node records, as torch 2.13's version error names it: ExpBackward0 -> Exp, MaxBackward1 -> Max1;
    nodes that are torch's own C++ classes keep their namespace (torch::autograd::CopySlices)."""
    if not re.search(r"Backward\d*$", node.name):
        return "torch::autograd::" + node.name
    return re.sub(r"Backward(\d*)$", lambda m: "" if m.group(1) in ("", "0") else m.group(1), node.name)


def run_backward(roots, root_grads, retain_graph=False, capture=None, create_graph=False):
    """Send `root_grads` back from `roots` through the graph.

    Leaves that require grad get the sum of what reaches them added into `.grad`; with `capture` (a list
    of tensors, for autograd.grad) nothing is accumulated and their gradients are returned instead.

    With `create_graph` the gradients are Tensors and each node runs its `backward_tensor`, which, called
    under grad mode (autograd.backward and grad turn it on), records the gradients' own graph, to be
    differentiated again (second derivatives)."""
    node_grads = {}       # node -> gradient of its output, summed over every consumer
    leaf_grads = {}       # leaf tensor -> [gradient, owned]; owned: no other array aliases it
    ready = []            # nodes that have received a gradient, as (-seq, node): the newest pops first
    for t, g in zip(roots, root_grads):
        _send(t, g, node_grads, leaf_grads, ready)
    captured = {}
    capture_nodes = {t.grad_fn: i for i, t in enumerate(capture) if t.grad_fn is not None} if capture else {}
    observe = observers[:] if observers else None

    # Every node that can still send a gradient to a node is newer than it, so by the time a node comes off
    # the queue all of its gradient has arrived and been summed.
    while ready:
        node = heappop(ready)[1]
        g = node_grads.pop(node)
        if node.saved is None:                          # freed by an earlier backward
            raise RuntimeError(FREED_MESSAGE)
        for cell, expected, _ in node.version_checks:   # what it saved, changed in place since?
            if cell[0] != expected:
                _check_versions(node)                   # raises torch's error
        if node.hooks is not None or node.retained is not None or capture_nodes:
            g = _before_node(node, g, captured, capture_nodes)
        if create_graph:                                # the chain rule in Tensor ops, recorded
            grads_in = node.backward_tensor(g)
        else:
            grads_in = node.backward(g)                 # the chain rule, locally: one gradient per input
        if observe:
            for obs in observe:
                obs(node, _array(g), [_array(gi) for gi in grads_in])
        release = False
        for t, gi in zip(node.inputs, grads_in):
            if gi is None:
                continue
            fn = t.grad_fn
            if fn is not None and fn.seq > node.seq:    # t changed in place after node read it
                t = _as_read_by(t, node)
                if t is None:
                    continue
                fn = t.grad_fn
            data = t._data
            if create_graph:
                gi = _fit_tensor(gi, data)
            elif type(gi) is not np.ndarray or gi.shape != data.shape or gi.dtype is not data.dtype:
                gi = _fit(gi, data)                     # unbroadcast, and in the input's dtype
            if fn is None:                              # a leaf: summed, added into .grad at the end
                if t.requires_grad:
                    acc = leaf_grads.get(t)
                    if acc is None:                     # owned: no other array aliases it, so it may become .grad
                        leaf_grads[t] = [gi, gi is not g and not create_graph and gi.base is None]
                    else:
                        acc[0] = acc[0] + gi
                        acc[1] = True
                continue
            if fn in node_grads:                        # a node: summed over every consumer
                node_grads[fn] = node_grads[fn] + gi
            else:
                node_grads[fn] = gi
                heappush(ready, (-fn.seq, fn))
            if not release and not retain_graph and data.nbytes > RELEASE_BYTES:
                release = True
        if not retain_graph and "saved" in node.__dict__:
            node.saved = None        # let go of what forward kept (ops that kept nothing can run again, as torch)
        if release:
            _release_inputs(node)

    if capture is not None:
        return _captured(capture, captured, leaf_grads)
    for leaf, (g, owned) in leaf_grads.items():
        if create_graph:
            _accumulate_tensor(leaf, g)
        else:
            _accumulate(leaf, g, owned)
    return None


def _send(t, g, node_grads, leaf_grads, ready):
    """Start the pass at `t` with gradient `g`: its node is queued (a leaf's gradient is kept)."""
    fn = t.grad_fn
    if fn is None:
        _add_to_leaf(t, g, False, leaf_grads)
    elif fn in node_grads:
        node_grads[fn] = node_grads[fn] + g
    else:
        node_grads[fn] = g
        heappush(ready, (-fn.seq, fn))


def _add_to_leaf(t, g, fresh, leaf_grads):
    """Sum what reaches a leaf that requires grad (accumulated into .grad once the pass ends).
    `fresh`: g is no view of another array, so it may become .grad itself."""
    if not t.requires_grad:
        return
    acc = leaf_grads.get(t)
    if acc is None:
        leaf_grads[t] = [g, fresh and g.base is None]
    else:
        acc[0] = acc[0] + g
        acc[1] = True


def _fit(g, data):
    """An input's gradient as the input is: summed back over broadcast axes, in the input's float dtype
    (a float32 weight gets a float32 gradient even where a float64 tensor joined its graph, as in torch)."""
    if type(g) is not np.ndarray:
        g = np.asarray(g)
    if g.shape != data.shape:                   # as many elements: nothing was stretched, only axes of 1 added
        g = g.reshape(data.shape) if g.size == data.size else unbroadcast(g, data.shape)
    if g.dtype != data.dtype and data.dtype.kind == "f":
        g = g.astype(data.dtype)
    return g


def _fit_tensor(g, data):
    """_fit for a Tensor gradient (create_graph=True), in differentiable ops: the broadcast axes summed
    away (sum_to), then the cast to the input's float dtype."""
    if not isinstance(g, Tensor):
        g = Tensor._make(np.asarray(g))
    if g._data.shape != data.shape:
        g = sum_to(g, data.shape)
    if g._data.dtype != data.dtype and data.dtype.kind == "f":
        g = g.to(dtypes.FROM_NUMPY[data.dtype])
    return g


def sum_to(t, shape):
    """unbroadcast for a Tensor: `t` summed down to `shape` in recorded ops, so the sum is differentiable."""
    lead = t._data.ndim - len(shape)
    stretched = tuple(lead + i for i, n in enumerate(shape) if n == 1 and t._data.shape[lead + i] != 1)
    axes = tuple(range(lead)) + stretched
    return t.sum(axes).reshape(shape) if axes else t


def _array(g):
    return g._data if isinstance(g, Tensor) else g


def _release_inputs(node):
    """After a backward that keeps no graph: let go of this node's large non-leaf inputs' values."""
    node.inputs = tuple(_without_data(t) for t in node.inputs)


def _accumulate(leaf, g, owned):
    """torch's AccumulateGrad: the leaf's hooks, then the sum into `.grad` (a new tensor the first time)."""
    if leaf._hooks:
        g = _run_hooks(leaf._hooks, g)
        owned = False
    grad = leaf._grad                 # the slot itself: the engine's gradients need no setter checks
    if grad is None:
        leaf._grad = Tensor._make(g if owned else g.copy())
    else:
        grad._data += g
        grad._bump_version()


def _accumulate_tensor(leaf, g):
    """AccumulateGrad under create_graph=True, as torch's: the first gradient is copied in a recorded op
    (CopyBackwards), later ones added out of place, so `.grad` keeps its graph."""
    if leaf._hooks:
        g = _run_hooks_tensor(leaf._hooks, g)
    if leaf.grad is None:
        leaf.grad = Tensor._make(np.empty_like(g._data)).copy_(g)     # recorded: CopyBackwards
    else:
        leaf.grad = leaf.grad + g


def _captured(capture, captured, leaf_grads):
    """autograd.grad's answer: each captured tensor's gradient (None where none reached it)."""
    hooked = {}                                  # a leaf's hooks run once, before its gradient is captured (torch)
    for i, t in enumerate(capture):
        if t.grad_fn is None and t in leaf_grads:
            g = leaf_grads[t][0]
            if t._hooks:
                if t not in hooked:
                    run = _run_hooks_tensor if isinstance(g, Tensor) else _run_hooks
                    hooked[t] = run(t._hooks, g)
                g = hooked[t]
            captured[i] = g
    return [captured.get(i) for i in range(len(capture))]


def _before_node(node, g, captured, capture_nodes):
    """The rare work before a node runs: hooks on its output tensor, retain_grad, autograd.grad capture."""
    tensor = isinstance(g, Tensor)               # create_graph=True: the gradients are Tensors
    if node.hooks:
        g = _run_hooks_tensor(node.hooks, g) if tensor else _run_hooks(node.hooks, g)
    if node.retained is not None:
        kept = node.retained()
        if kept is not None:
            _retain(kept, g, tensor)
    if node in capture_nodes:
        captured[capture_nodes[node]] = g
    return g


def _retain(kept, g, tensor):
    """retain_grad, as torch's: the first gradient copied into .grad (a recorded clone under create_graph),
    later backward passes' added to it out of place."""
    old = kept._grad
    if tensor:
        kept.grad = g.clone() if old is None else old + g
    else:
        kept.grad = Tensor._make(g.copy() if old is None else old._data + g)


def _run_hooks(hooks, g):
    for hook in hooks:
        result = hook(Tensor._make(g))
        if result is not None:
            g = result._data
    return g


def _run_hooks_tensor(hooks, g):
    for hook in hooks:
        result = hook(g)
        if result is not None:
            g = result
    return g


def retain(tensor):
    tensor.grad_fn.retained = weakref.ref(tensor)


# Activations above this size are let go once the node that read them has run (torch frees its saved
# tensors then); smaller ones stay, as releasing them would cost more time than the memory is worth.
RELEASE_BYTES = 1 << 16


def _without_data(t):
    """A non-leaf input as the finished graph keeps it: its history, shape and dtype but not its values
    (a zero-stride view of one zero), so its array is freed unless the program still holds the tensor."""
    if getattr(t, "grad_fn", None) is None or t._data.nbytes <= RELEASE_BYTES:
        return t
    stub = Tensor._make(np.broadcast_to(np.zeros((), dtype=t._data.dtype), t._data.shape))
    stub.requires_grad, stub.grad_fn, stub._version_cell = t.requires_grad, t.grad_fn, t._version_cell
    return stub


def _as_read_by(t, node):
    """`t` as `node` read it, before later in-place ops rebased t's history onto newer nodes: a stand-in
    with the grad_fn t had then (each in-place node remembers the one it replaced), or None if t was then
    a leaf that needed no gradient."""
    fn = t.grad_fn
    while fn is not None and fn.seq > node.seq:
        fn = fn.rebased_from
    if fn is None:
        return None
    stand_in = Tensor._make(t._data)
    stand_in.requires_grad, stand_in.grad_fn = True, fn
    return stand_in
