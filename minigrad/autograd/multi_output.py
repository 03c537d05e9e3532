"""The views split, chunk and unbind return, and views of those: torch refuses to record an op on one once its
base, or another view of that base, has been changed in place since it was made (an ordinary view's grad_fn is
then read again from the base, ops/views.py; one of several outputs' cannot be), and refuses to change one in
place at all (ops/inplace.py).

`live` holds those alive that have a grad_fn, each under its id: while it is empty, as it is in most programs,
an op pays one test of it (Function.attach); otherwise attach looks its inputs up (`check`)."""
import weakref

live = {}       # id(view) -> (weak reference to it, its storage's version when made, output number, op name)

_CHANGED_MESSAGE = (
    "Output {} of {} is a view and its base or another view of its base has been modified inplace. This view is "
    "the output of a function that returns multiple views. Such functions do not allow the output views to be "
    "modified inplace. You should replace the inplace operation by an out-of-place one.")


def register(view, number, name):
    """Remember `view` as output `number` of the op torch calls `name` (its grad_fn's name: SplitBackward0)."""
    key = id(view)
    live[key] = (weakref.ref(view, lambda _, key=key: live.pop(key, None)), view._version_cell[0], number, name)


def lookup(t):
    """(output number, op name) when `t` is one of those views, else None."""
    entry = live.get(id(t))
    if entry is None or entry[0]() is not t:
        return None
    return entry[2], entry[3]


def check(inputs):
    """torch's error when an op is recorded on such a view whose storage changed since it was made."""
    for t in inputs:
        entry = live.get(id(t))
        if entry is not None and entry[0]() is t and t._version_cell[0] != entry[1]:
            raise RuntimeError(_CHANGED_MESSAGE.format(entry[2], op_name(entry[3])))


def op_name(node_name):
    """The op a grad_fn name stands for in torch's messages: SplitBackward0 -> Split."""
    return node_name[:-len("Backward0")]
