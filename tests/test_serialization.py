"""save/load: state dicts and optimizer state dicts round-trip exactly; loading never runs code (a pickle is
refused, a tampered or truncated file raises); a failed write leaves no partial file behind."""
import io
import os
import pickle
import zipfile

import numpy as np
import pytest
import torch

import minigrad
from conftest import assert_same


def _model():
    minigrad.manual_seed(0)
    return minigrad.nn.Sequential(minigrad.nn.Linear(3, 4), minigrad.nn.ReLU(), minigrad.nn.Linear(4, 2))


def test_model_state_dict_round_trip_is_exact(tmp_path):
    m = _model()
    minigrad.save(m.state_dict(), tmp_path / "m.pt")
    loaded = minigrad.load(tmp_path / "m.pt")
    assert list(loaded) == list(m.state_dict())
    for k, v in m.state_dict().items():
        assert_same(loaded[k], v, rtol=0, atol=0)
    fresh = minigrad.nn.Sequential(minigrad.nn.Linear(3, 4), minigrad.nn.ReLU(), minigrad.nn.Linear(4, 2))
    fresh.load_state_dict(loaded)
    x = minigrad.ones(2, 3)
    assert_same(fresh(x), m(x), rtol=0, atol=0)


@pytest.mark.parametrize("opt", ["SGD", "Adam"])
def test_optimizer_state_dict_round_trip_is_exact(tmp_path, opt):
    m = _model()
    o = getattr(minigrad.optim, opt)(m.parameters(), lr=0.1, **({"momentum": 0.9} if opt == "SGD" else {}))
    for _ in range(3):
        o.zero_grad()
        m(minigrad.ones(2, 3)).pow(2).sum().backward()
        o.step()
    sd = o.state_dict()
    minigrad.save(sd, tmp_path / "o.pt")
    back = minigrad.load(tmp_path / "o.pt")
    assert back["param_groups"] == sd["param_groups"]
    assert sorted(back["state"]) == sorted(sd["state"])
    for i, s in sd["state"].items():
        for k, v in s.items():
            got = back["state"][i][k]
            assert_same(got, v, rtol=0, atol=0) if isinstance(v, minigrad.Tensor) else None
            assert got == v if not isinstance(v, minigrad.Tensor) else True
    o2 = getattr(minigrad.optim, opt)(m.parameters(), lr=0.1, **({"momentum": 0.9} if opt == "SGD" else {}))
    o2.load_state_dict(back)


def test_round_trip_keeps_dtypes_nesting_and_plain_values(tmp_path):
    obj = {"a": minigrad.tensor([1, 2]), "b": [minigrad.tensor(1.5, dtype=minigrad.float64), (1, "x", None)],
           "c": {"d": True, "e": 2.5}, "f": np.arange(3)}
    buf = io.BytesIO()
    minigrad.save(obj, buf)
    buf.seek(0)
    back = minigrad.load(buf)
    assert back["a"].dtype == minigrad.int64 and back["b"][0].dtype == minigrad.float64
    assert back["b"][1] == (1, "x", None) and back["c"] == {"d": True, "e": 2.5}
    np.testing.assert_array_equal(back["f"], np.arange(3))


def test_parameters_come_back_as_parameters(tmp_path):
    p = minigrad.nn.Parameter(minigrad.ones(2))
    minigrad.save({"p": p}, tmp_path / "p.pt")
    back = minigrad.load(tmp_path / "p.pt")["p"]
    assert isinstance(back, minigrad.nn.Parameter) and back.requires_grad


class _Evil:
    def __reduce__(self):
        return (os.system, ("touch pwned",))


@pytest.mark.parametrize("writer", ["pickle", "torch"])
def test_a_pickle_file_is_refused_with_a_clear_error_and_runs_nothing(tmp_path, writer, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "evil.pt"
    if writer == "pickle":
        path.write_bytes(pickle.dumps(_Evil()))
    else:
        torch.save({"w": torch.ones(2)}, path)
    with pytest.raises(RuntimeError, match="not a valid minigrad checkpoint|not a minigrad checkpoint"):
        minigrad.load(path)
    assert not (tmp_path / "pwned").exists()


def test_an_npz_with_pickled_objects_is_refused(tmp_path):
    path = tmp_path / "obj.npz"
    np.savez(path, __meta__=np.array([_Evil()], dtype=object))
    with pytest.raises(RuntimeError):
        minigrad.load(path)


@pytest.mark.parametrize("damage", ["truncate", "flip_bytes", "empty", "bad_meta", "missing_array"])
def test_a_tampered_or_corrupt_file_raises(tmp_path, damage):
    path = tmp_path / "m.pt"
    minigrad.save(_model().state_dict(), path)
    data = bytearray(path.read_bytes())
    if damage == "truncate":
        path.write_bytes(bytes(data[: len(data) // 2]))
    elif damage == "flip_bytes":
        for i in range(40, len(data) - 40, 97):
            data[i] ^= 0xFF
        path.write_bytes(bytes(data))
    elif damage == "empty":
        path.write_bytes(b"")
    else:
        with zipfile.ZipFile(path) as z:
            entries = {n: z.read(n) for n in z.namelist()}
        if damage == "bad_meta":
            entries["__meta__.npy"] = entries["__meta__.npy"][:-5] + b"@@@@@"
        else:
            entries.pop(next(n for n in entries if n != "__meta__.npy"))
        with zipfile.ZipFile(path, "w") as z:
            for n, b in entries.items():
                z.writestr(n, b)
    with pytest.raises(RuntimeError):
        minigrad.load(path)


def test_failed_write_leaves_no_partial_file_and_keeps_the_old_one(tmp_path, monkeypatch):
    path = tmp_path / "m.pt"
    minigrad.save({"v": minigrad.tensor([1.0])}, path)
    old = path.read_bytes()

    def boom(fd):
        raise OSError("disk full")
    monkeypatch.setattr(os, "fsync", boom)
    with pytest.raises(OSError):
        minigrad.save({"v": minigrad.tensor([2.0])}, path)
    monkeypatch.undo()
    assert path.read_bytes() == old
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.pt"]


def test_unsavable_object_raises_before_touching_the_disk(tmp_path):
    with pytest.raises(TypeError):
        minigrad.save({"f": lambda: 0}, tmp_path / "x.pt")
    assert list(tmp_path.iterdir()) == []


def test_missing_file_raises_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError):
        minigrad.load(tmp_path / "nope.pt")
