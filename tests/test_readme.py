"""The README's example runs and trains what it says it trains."""
import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_training_example_learns_the_line():
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), re.S)
    example = next(b for b in blocks if "optimizer.step()" in b)
    namespace = {}
    exec(compile(example.replace("print(", "(lambda *a: None)("), "README.md", "exec"), namespace)
    model = namespace["model"]
    assert abs(model.weight.item() - 3) < 0.05
    assert abs(model.bias.item() - 0.5) < 0.05


def test_readme_opens_with_the_parity_and_test_commands():
    first_block = re.search(r"```bash\n(.*?)```", README.read_text(), re.S).group(1)
    assert "python -m parity" in first_block
    assert "python -m pytest" in first_block
    ci = (README.parent / ".ci" / "run").read_text()
    assert "scripts/venv python -m pytest" in ci


def test_readme_shows_the_real_mul_op():
    """'How an op looks' is the code itself, not a simplified copy that could drift from it."""
    import inspect

    from minigrad.ops import arithmetic
    section = README.read_text().split("## How an op looks", 1)[1]
    block = re.search(r"```python\n# minigrad/ops/arithmetic.py\n(.*?)```", section, re.S).group(1)
    assert block == inspect.getsource(arithmetic.Mul)
