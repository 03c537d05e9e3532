"""The tutorials' code shipped in parity/tutorials/ is the tutorials' ```python blocks, character for
character, each under its heading. Checked wherever the tutorials themselves (../shared/tutorials) are
present, so that a change to a tutorial shows up here."""
import re
from pathlib import Path

import pytest

from parity import verbatim

SHARED_TUTORIALS = Path(__file__).resolve().parents[2] / "shared" / "tutorials"
_HEADING = re.compile(r"^#{2,3}\s+([A-Z]\d+)\.")


def markdown_blocks(text):
    """[(part, code)]: a tutorial's ```python blocks in order, each with the part of the heading above it."""
    out, part, code = [], None, None
    for line in text.splitlines():
        if code is not None:
            if line.strip() == "```":
                out.append((part, "\n".join(code) + "\n"))
                code = None
            else:
                code.append(line)
        elif _HEADING.match(line):
            part = _HEADING.match(line).group(1)
        elif line.strip() == "```python":
            code = []
    return out


@pytest.mark.parametrize("tutorial", sorted(verbatim.TUTORIALS))
def test_shipped_code_is_the_tutorials_code(tutorial):
    md = SHARED_TUTORIALS / (verbatim.TUTORIALS[tutorial] + ".md")
    if not md.exists():
        pytest.skip(f"the tutorials are not beside this checkout (../shared/tutorials/{md.name})")
    assert verbatim.shipped_blocks(tutorial) == markdown_blocks(md.read_text())


@pytest.mark.parametrize("tutorial", sorted(verbatim.TUTORIALS))
def test_shipped_file_states_its_substitutions(tutorial):
    head = verbatim.shipped_file(tutorial).read_text().split("\n# #", 1)[0]
    assert "Substituted when run" in head and "SUBSTITUTIONS" in head


def test_verbatim_reads_nothing_outside_the_project():
    assert "shared" not in verbatim.TUTORIALS_DIR.parts
    assert all(verbatim.shipped_file(t).exists() for t in verbatim.TUTORIALS)
