"""Shapes: how shapes broadcast (torch's rule and its error messages), how a size expands, how a dim is read."""


def _dim(d, ndim):
    if not -max(ndim, 1) <= d < max(ndim, 1):
        raise IndexError(f"Dimension out of range (expected to be in range of [{-max(ndim, 1)}, "
                         f"{max(ndim, 1) - 1}], but got {d})")
    return d % ndim if ndim else 0


def broadcast_shape(*shapes):
    """The shape `shapes` broadcast to, as torch's TensorIterator finds it: pairwise from the left, each pair
    compared from the right. Shapes that do not broadcast get torch's error, naming the first such dimension
    (numbered in the wider shape of the pair)."""
    out = ()
    for shape in shapes:
        nd = max(len(out), len(shape))
        a, b = (1,) * (nd - len(out)) + tuple(out), (1,) * (nd - len(shape)) + tuple(shape)
        for i in range(nd - 1, -1, -1):
            if a[i] != b[i] and a[i] != 1 and b[i] != 1:
                raise RuntimeError(f"The size of tensor a ({a[i]}) must match the size of tensor b ({b[i]}) at "
                                   f"non-singleton dimension {i}")
        out = tuple(y if x == 1 else x for x, y in zip(a, b))
    return out


def broadcast_error(*shapes):
    """torch's RuntimeError for shapes that do not broadcast (see broadcast_shape), or None: for an except
    block that puts NumPy's ValueError in torch's words (`raise broadcast_error(...) or e from None`)."""
    try:
        broadcast_shape(*shapes)
    except RuntimeError as e:
        return e.with_traceback(None)
    return None


def _sizes(args):
    """view(2, 3), view((2, 3)) and view([2, 3]) all mean the same."""
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        return tuple(args[0])
    return tuple(args)


def expanded_shape(shape, sizes, type_name):
    """`shape` expanded to `sizes` (-1 keeps a size), with torch's errors for fewer sizes than dimensions and
    for a size that is not 1 and differs from its target (the first such dimension from the right)."""
    lead = len(sizes) - len(shape)
    if lead < 0:
        raise RuntimeError(f"expand({type_name}{{{list(shape)}}}, size={list(sizes)}): the number of sizes "
                           f"provided ({len(sizes)}) must be greater or equal to the number of dimensions in the "
                           f"tensor ({len(shape)})")
    for i in range(len(sizes) - 1, -1, -1):
        have = shape[i - lead] if i >= lead else 1
        want = sizes[i]
        if want == -1:
            if i < lead:
                raise RuntimeError(f"The expanded size of the tensor (-1) isn't allowed in a leading, non-existing "
                                   f"dimension {i}")
            want = have
        if have != want and have != 1:
            raise RuntimeError(f"The expanded size of the tensor ({want}) must match the existing size ({have}) at "
                               f"non-singleton dimension {i}.  Target sizes: {list(sizes)}.  Tensor sizes: "
                               f"{list(shape)}")
    return tuple(shape[i - lead] if s == -1 else s for i, s in enumerate(sizes))
