"""examples/chapter4.py, S1 to S3: it runs with `from minigrad.fastai import *` and prints what the chapter
prints (the counts and shapes of MNIST_SAMPLE, the pixels, the distances, the gradients)."""
import importlib.util
import io
import re
from contextlib import redirect_stdout
from pathlib import Path

import pytest

pytest.importorskip("PIL")
pytest.importorskip("matplotlib")

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "chapter4.py"


@pytest.fixture(scope="module")
def chapter4():
    spec = importlib.util.spec_from_file_location("chapter4", EXAMPLE)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_s1_to_s3_print_what_the_chapter_prints(chapter4, tmp_path):
    buf = io.StringIO()
    with redirect_stdout(buf):
        ns = chapter4.main(until=3, out=tmp_path)
    out = buf.getvalue()
    # S1
    assert "path.ls(): (#3) [" in out and "'labels.csv'" in out
    assert re.search(r"threes: \(#6131\) \[Path\('train/3/10\.png'\)", out)
    assert "tensor([[  0,   0,   0,   0,   0,   0],\n        [  0,   0,   0,   0,   0,  29]," in out
    assert "dtype=minigrad.uint8)" in out
    # S2
    assert "len(three_tensors),len(seven_tensors): (6131, 6265)" in out
    assert "stacked_threes.shape: torch.Size([6131, 28, 28])" in out
    assert "len(stacked_threes.shape): 3" in out
    assert "valid_3_tens.shape,valid_7_tens.shape: (torch.Size([1010, 28, 28]), torch.Size([1028, 28, 28]))" in out
    assert "(valid_3_tens-mean3).shape: torch.Size([1010, 28, 28])" in out
    acc = re.search(r"accuracy_3s,accuracy_7s,\(accuracy_3s\+accuracy_7s\)/2: \(tensor\(([\d.]+)\), "
                    r"tensor\(([\d.]+)\), tensor\(([\d.]+)\)\)", out)
    assert acc and float(acc.group(1)) == pytest.approx(0.9168, abs=1e-4)      # the book's 0.9168, 0.9854
    assert float(acc.group(2)) == pytest.approx(0.9854, abs=1e-4)
    # S3
    assert "yt: tensor(9., grad_fn=<PowBackward0>)" in out
    assert "xt.grad: tensor(6.)" in out
    assert "RuntimeError: grad can be implicitly created only for scalar outputs" in out
    assert "arry: tensor(125., grad_fn=<SumBackward0>)" in out
    assert "arr.grad: tensor([ 6.,  8., 20.])" in out
    # the pictures went to files
    for name in ["s2_three_tensors_6000.png", "s2_mean3.png", "s2_mean7.png", "s3_f.png"]:
        assert (tmp_path / name).stat().st_size > 1000, name
    assert ns["stacked_threes"].shape == (6131, 28, 28)
