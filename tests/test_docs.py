"""docs/guide.md is a test: its ```python blocks run in order in one namespace, and a ```text block right
after a python block is the output that block must print. So the guide (traces included) cannot go stale.

After changing the guide or the code it shows, regenerate its outputs and pictures with

    MINIGRAD_UPDATE_DOCS=1 .venv/bin/python -m pytest tests/test_docs.py

which rewrites the text blocks in docs/guide.md and the PNGs in docs/ (the test itself writes into a
temporary folder)."""
import contextlib
import io
import os
import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

DOCS = Path(__file__).resolve().parent.parent / "docs"
BLOCK = re.compile(r"^```(\w*)\n(.*?)^```\n", re.S | re.M)


def blocks(text):
    """(kind, code, start, end) of each fenced block, in order."""
    return [(m.group(1), m.group(2), m.start(2), m.end(2), m.start(), m.end()) for m in BLOCK.finditer(text)]


def run_markdown(path, workdir, update=False):
    text = path.read_text()
    found = blocks(text)
    namespace = {"__name__": "__guide__"}
    problems, replacements = [], []
    old = os.getcwd()
    os.chdir(workdir)
    try:
        for i, (kind, code, start, end, bstart, bend) in enumerate(found):
            if kind != "python":
                continue
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                exec(compile(code, f"{path.name} block {i + 1}", "exec"), namespace)
            nxt = found[i + 1] if i + 1 < len(found) else None
            if nxt and nxt[0] == "text" and text[bend:nxt[4]].strip() == "":
                want, got = nxt[1], out.getvalue()
                if _norm(want) != _norm(got):
                    problems.append((i + 1, code, want, got))
                    replacements.append((nxt[2], nxt[3], got))
    finally:
        os.chdir(old)
    if update and replacements:
        for start, end, got in sorted(replacements, reverse=True):
            text = text[:start] + _norm(got) + text[end:]
        path.write_text(text)
    return problems


def _norm(s):
    return "\n".join(line.rstrip() for line in s.strip("\n").splitlines()) + "\n"


def test_guide_runs_and_prints_what_it_shows(tmp_path):
    update = os.environ.get("MINIGRAD_UPDATE_DOCS") == "1"
    problems = run_markdown(DOCS / "guide.md", DOCS if update else tmp_path, update)
    if update:
        return
    assert not problems, "\n\n".join(
        f"block {n} printed something else than the guide shows.\n--- code\n{code}--- guide\n{want}--- printed\n{got}"
        for n, code, want, got in problems)
    for name in ("iris_graph.png", "simple_net_graph.png"):
        assert (tmp_path / name).read_bytes().startswith(b"\x89PNG"), name
