"""minigrad's modules import one way: tensor <- autograd <- ops <- nn, optim <- fastai. Read from its source."""
import ast
import pathlib

import pytest

PACKAGE = pathlib.Path(__file__).resolve().parent.parent / "minigrad"


def _module_name(path):
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in PACKAGE.rglob("*.py")}


def _imports(name, module_level_only):
    """The minigrad modules `name` imports (at its top level only, or anywhere in it)."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    tree = ast.parse(path.read_text())
    nodes = tree.body if module_level_only else ast.walk(tree)
    found = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name in MODULES)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[:len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for a in node.names:
                sub = f"{target}.{a.name}"
                found.add(sub if sub in MODULES else target)
    return {m for m in found if m in MODULES and m != name}


def _cycles():
    """Strongly connected groups of modules in the graph of top-level imports (an import of a submodule runs
    its packages' __init__ too, except the packages the importer is itself inside)."""
    graph = {}
    for name in MODULES:
        deps = set()
        for d in _imports(name, module_level_only=True):
            deps.add(d)
            parts = d.split(".")
            for k in range(1, len(parts)):
                parent = ".".join(parts[:k])
                if parent in MODULES and not name.startswith(parent + "."):
                    deps.add(parent)
        graph[name] = deps
    index, low, stack, on_stack, groups, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for v in graph:
        if v not in index:
            visit(v)
    return groups


def test_no_module_imports_itself_back_through_others():
    assert _cycles() == []


def test_the_tensor_core_imports_no_op_and_no_autograd():
    assert _imports("minigrad.tensor", module_level_only=False) <= {"minigrad.dtypes", "minigrad._formatting"}


AUTOGRAD_CORE = ["minigrad.autograd.engine", "minigrad.autograd.function", "minigrad.autograd.entry_points",
                 "minigrad.autograd.grad_mode", "minigrad.autograd.custom_function"]


@pytest.mark.parametrize("name", AUTOGRAD_CORE)
def test_autograd_core_imports_nothing_above_it(name):
    above = [m for m in _imports(name, module_level_only=False)
             if m.startswith(("minigrad.ops", "minigrad.nn", "minigrad.optim", "minigrad.fastai"))]
    assert above == []


@pytest.mark.parametrize("name", sorted(m for m in MODULES if m.startswith("minigrad.ops")))
def test_ops_import_nothing_from_nn_optim_or_fastai(name):
    above = [m for m in _imports(name, module_level_only=False)
             if m.startswith(("minigrad.nn", "minigrad.optim", "minigrad.fastai"))]
    assert above == []


def test_every_op_function_is_exported_under_its_declared_name():
    import minigrad
    from minigrad.tensor import EXPORTS
    assert EXPORTS and all(getattr(minigrad, name) is fn for name, fn in EXPORTS.items())
