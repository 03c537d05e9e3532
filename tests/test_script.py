"""python -m minigrad.as_torch FILE and python -m parity --script FILE: a PyTorch program run unchanged."""
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from parity import script

ROOT = Path(__file__).resolve().parents[1]


def env():
    return dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))


def program(tmp_path, code, name="prog.py"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(code))
    return path


def run(*args, cwd=None):
    return subprocess.run([sys.executable, *map(str, args)], cwd=cwd or ROOT, env=env(), text=True,
                          capture_output=True, timeout=120)


# ---------------------------------------------------------------- grading one line

def test_equal_lines_are_exact():
    assert script.grade("loss 0.1234", "loss 0.1234") == "EXACT"


def test_a_last_digit_rounded_the_other_way_is_close():
    assert script.grade("loss 0.1235", "loss 0.1234") == "CLOSE"


def test_a_short_repr_is_not_taken_as_rounded():
    """Python prints 1.0 for exactly 1.0: the finer number's last digit sets the allowance, not "1.0"'s."""
    assert script.grade("1.0005", "1.0") == "DIFF"


def test_numbers_within_rtol_are_close_and_beyond_are_diff():
    assert script.grade("0 39938528.0", "0 39938520.0") == "CLOSE"          # 2e-7 relative
    assert script.grade("0 39938528.0", "0 39930000.0") == "DIFF"           # 2e-4 relative
    assert script.grade("0 39938528.0", "0 39930000.0", rtol=1e-3) == "CLOSE"


def test_different_text_around_equal_numbers_is_diff():
    assert script.grade("epoch 1 loss 0.5", "epoch 1 acc 0.5") == "DIFF"


def test_memory_addresses_are_not_compared():
    assert script.grade("<AddBackward0 object at 0x7f11>", "<AddBackward0 object at 0x7f3b>") == "CLOSE"


def test_nan_matches_only_nan_and_a_missing_line_is_diff():
    assert script.grade("tensor([nan, 1.])", "tensor([nan, 1.])") == "EXACT"
    assert script.grade("x nan", "x 0.0") == "DIFF"
    assert script.grade(None, "x") == "DIFF"


def test_numbers_inside_names_are_text():
    assert script.grade("conv2d fc1", "conv3d fc1") == "DIFF"


# ---------------------------------------------------------------- python -m minigrad.as_torch

def test_as_torch_runs_a_program_as_python_would(tmp_path):
    program(tmp_path, "def helper():\n    return 'sibling module imported'\n", "helper.py")
    path = program(tmp_path, """
        import sys
        import torch
        import torch.nn as nn
        from torch.utils.data import DataLoader
        import minigrad
        from helper import helper
        print(__name__, sys.argv[1:], helper())
        print(torch is minigrad, nn is minigrad.nn)
        print(torch.ones(2, dtype=torch.float64), torch.float32)
    """)
    res = run("-m", "minigrad.as_torch", path, "--epochs", "3", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert res.stdout.splitlines() == [
        "__main__ ['--epochs', '3'] sibling module imported",
        "True True",
        "tensor([1., 1.], dtype=torch.float64) torch.float32"]


def test_imported_as_minigrad_dtypes_print_minigrad():
    res = run("-c", "import minigrad; print(minigrad.float64)")
    assert res.stdout.strip() == "minigrad.float64"


def test_as_torch_passes_the_program_exit_code(tmp_path):
    path = program(tmp_path, "import sys\nsys.exit(3)\n")
    assert run("-m", "minigrad.as_torch", path).returncode == 3


def test_a_torch_module_minigrad_lacks_is_a_module_not_found_error(tmp_path):
    path = program(tmp_path, "import torch.distributed\n")
    res = run("-m", "minigrad.as_torch", path)
    assert res.returncode == 1 and "ModuleNotFoundError: No module named 'torch.distributed'" in res.stderr


# ---------------------------------------------------------------- python -m parity --script

def test_a_program_that_matches_exits_0(tmp_path):
    path = program(tmp_path, """
        import torch
        torch.manual_seed(0)
        w = torch.randn(3, requires_grad=True)
        (w * w).sum().backward()
        print(w.grad, w.dtype)
    """)
    res = run("-m", "parity", "--script", path)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "1 lines: 1 EXACT, 0 CLOSE, 0 DIFF" in res.stdout and "verdict: EXACT" in res.stdout
    assert "time: torch" in res.stdout


def test_a_program_that_differs_exits_1_and_shows_the_first_difference(tmp_path):
    path = program(tmp_path, """
        import torch
        print("same")
        print(torch.__version__)
    """)
    res = run("-m", "parity", "--script", path)
    assert res.returncode == 1
    assert "first difference at line 2:" in res.stdout and "verdict: DIFF" in res.stdout


def test_rtol_decides_whether_a_small_difference_is_close(tmp_path):
    # the program's own output depends on the side (an honest way to make the two differ by 5e-4)
    path = program(tmp_path, """
        import torch
        print(1.0 + 5e-4 * (torch.__name__ == "minigrad"))
    """)
    assert run("-m", "parity", "--script", path).returncode == 1
    res = run("-m", "parity", "--rtol", "1e-3", "--script", path)
    assert res.returncode == 0 and "verdict: CLOSE" in res.stdout


def test_a_program_raising_on_one_side_is_diff_with_its_error(tmp_path):
    path = program(tmp_path, """
        import torch
        print("before")
        torch.stft
    """)
    res = run("-m", "parity", "--script", path)
    assert res.returncode == 1
    assert "minigrad raised (exit 1): AttributeError:" in res.stdout and "verdict: DIFF" in res.stdout


def test_program_arguments_reach_both_sides(tmp_path):
    path = program(tmp_path, "import sys\nprint(sys.argv[1:])\n")
    res = run("-m", "parity", "--script", path, "--lr", "0.1")
    assert res.returncode == 0 and "verdict: EXACT" in res.stdout


def test_seed_makes_an_unseeded_program_comparable(tmp_path):
    path = program(tmp_path, "import torch\nprint(torch.rand(3))\n")
    res = run("-m", "parity", "--seed", "0", "--script", path)
    assert res.returncode == 0 and "verdict: EXACT" in res.stdout


def test_missing_file_exits_2(tmp_path):
    assert run("-m", "parity", "--script", tmp_path / "nope.py").returncode == 2
