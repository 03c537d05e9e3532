"""What capture.py records a step as: a list of instructions, one per thing the step did, each naming
the arrays it reads by refs. program.py compiles them to a Python function.

A ref names where an array comes from at replay:
    ("in", i)           the i-th tensor argument of the step           (read as x{i}._data)
    ("data", t)         a parameter or other tensor the step reaches     (t._data, read live)
    ("grad", t)         that tensor's gradient                           (t._grad._data, read live)
    ("out", j, k)       output k of forward instruction j               (v{j}_{k})
    ("const", value)    a plain argument (a shape, an axis, a number), frozen as captured
    ("seq", type, refs) a tuple or list of refs
"""


class Forward:
    kind = "forward"

    def __init__(self, index, cls, forward, pre, refs, kwrefs, many, out_meta, arg_meta):
        self.index, self.cls, self.forward, self.pre = index, cls, forward, pre
        self.refs, self.kwrefs, self.many = refs, kwrefs, many
        self.out_meta, self.arg_meta = out_meta, arg_meta
        self.after = None              # attributes set on the node after its forward (rare), set by backward
        self.node = None               # the node as the capture ran it (its attributes: axes, reduction, ...)


class Apply:
    """A NumPy call outside the ops' Functions (a comparison: `targets == 1`), made as it was."""
    kind = "apply"

    def __init__(self, index, func, refs, meta):
        self.index, self.func, self.refs, self.meta = index, func, refs, meta
        self.out_meta = [meta]


class Make:
    """A tensor made inside the step (minigrad.tensor(0.0), zeros, randn): the call, made again each replay."""
    kind = "make"

    def __init__(self, index, maker, refs, kwrefs, meta):
        self.index, self.maker, self.refs, self.kwrefs, self.meta = index, maker, refs, kwrefs, meta
        self.out_meta = [meta]


class SetSlot:
    """`t.grad = value` or `t._data = value` on a tensor the step reaches."""
    kind = "setslot"

    def __init__(self, index, target, name, ref):
        self.index, self.target, self.name, self.ref = index, target, name, ref


class Backward:
    kind = "backward"

    def __init__(self, index, starts, steps, leaves, leaf_meta):
        self.index = index
        self.starts = starts           # [(root gradient array, dest)]
        self.steps = steps             # [(forward index of the node, [(input position, fit template, dest)])]
        self.leaves = leaves           # leaf refs, in the order their gradients first arrived
        self.leaf_meta = leaf_meta


class Call:
    kind = "call"

    def __init__(self, index, method, obj, args, kwargs, label):
        self.index, self.method, self.obj, self.args, self.kwargs, self.label = index, method, obj, args, kwargs, label


class Write:
    kind = "write"

    def __init__(self, index, dst, src, how, meta):
        self.index, self.dst, self.src, self.how, self.meta = index, dst, src, how, meta


class Check:
    """A function of the step's arrays that the step's Python depended on, called again at each replay:
    - `compare`: its result must be the captured one (label smoothing's denominator), else the replay is given up
      (program.MISS: the call is captured again, eagerly);
    - else a check of values an op's wrapper made (ops/value_checks.py: an index within its range), which
      raises eager's error where it fails."""
    kind = "check"

    def __init__(self, index, func, refs, result, compare=True):
        self.index, self.func, self.refs, self.result, self.compare = index, func, refs, result, compare
