"""Rewrites of the replay's source after it is generated, each keeping every NumPy call and its bits: copies
forwarded (`a = b` lines dropped), whole-array writes computed in place."""
import re


_COPY = re.compile(r"    (\w+) = (\w+)$")
_TARGETS = re.compile(r"\s*(\w+(?:, \w+)*),? = (?!=)")
_AUGMENTED = re.compile(r"\s*(\w+) [-+*/@%&|^]=")


def forward_copies(source):
    """The generated code with its plain copies (`q = q3_0`, `g2 = q`: where a gradient goes, written as a name
    handed on) removed, each later use reading the name copied from instead. Saves a Python statement per
    gradient route (a tenth of a microsecond each). A copy is forwarded only from a name assigned once, at the
    top level, before it (or never assigned: the program's constants), so the name it stands for cannot change
    while it is in use; a function's statements are straight-line code, so uses come after the copy."""
    out = []
    for function in re.split(r"(?m)^(?=def )", source):
        lines = function.splitlines()
        assigned = {}
        for line in lines:
            m = _TARGETS.match(line) or _AUGMENTED.match(line)
            for name in (m.group(1).split(", ") if m else ()):
                assigned[name] = assigned.get(name, 0) + 1 + (line.startswith("        ") or m.re is _AUGMENTED)
        alias, defined = {}, set()
        pattern = None
        for line in lines:
            if alias and pattern is None:
                pattern = re.compile(r"(?<![\w.'\"])(" + "|".join(map(re.escape, alias)) + r")(?![\w'\"])(?!\s*=[^=])")
            m = _COPY.match(line)
            if m:
                target, source_name = m.groups()
                root = alias.get(source_name, source_name)
                if (assigned.get(root, 0) == 1 and root in defined) or root not in assigned:
                    alias[target] = root
                    pattern = None
                    continue
            if pattern is not None:
                line = pattern.sub(lambda hit: alias[hit.group(1)], line)
            m = _TARGETS.match(line) or _AUGMENTED.match(line)
            for name in (m.group(1).split(", ") if m else ()):
                if name in alias:
                    del alias[name]
                    pattern = None
                if not line.startswith("        "):
                    defined.add(name)
            out.append(line)
    return "\n".join(out) + "\n"


_BINARY = re.compile(r"(\s*)(v\d+_\d+) = ([\w.\[\]]+) ([-+*/]) ([\w.\[\]]+)$")
_UFUNCS = {"+": "np.add", "-": "np.subtract", "*": "np.multiply", "/": "np.divide"}


def writes_in_place(source, writes):
    """`v = a - b` then `t._data[...] = v`, where v is read nowhere else (p.data -= p.grad * lr, an in-place op
    recorded as its result and a write): written `np.subtract(a, b, out=t._data)`. The same ufunc on the same
    operands, so the same bits (`writes` holds only writes of an array of the destination's shape and dtype);
    one NumPy call and one pass over the array less. Writes of one element are left as they are: there
    NumPy's overlap check on an in-place ufunc costs more than the copy (add_into)."""
    if not writes:
        return source
    lines = source.split("\n")
    out, i = [], 0
    while i < len(lines):
        m = _BINARY.match(lines[i])
        if m and i + 1 < len(lines):
            indent, name, a, op, b = m.groups()
            write = lines[i + 1].strip()
            dst = write[:-len(f"[...] = {name}")] if write.endswith(f"[...] = {name}") else None
            if (dst and (dst, name) in writes and lines[i + 1].startswith(indent + dst)
                    and len(re.findall(rf"\b{name}\b", source)) == 2):
                out.append(f"{indent}{_UFUNCS[op]}({a}, {b}, out={dst})")
                i += 2
                continue
        if not _SELF_ASSIGNMENT.match(lines[i]):
            out.append(lines[i])
        i += 1
    return "\n".join(out)


_SELF_ASSIGNMENT = re.compile(r"\s*([\w.]+) = \1$")    # t._data = t._data (p.data -= ...'s setter): nothing
