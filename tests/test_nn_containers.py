"""nn.ModuleList and nn.ParameterDict as torch's: what append/extend/insert return, indexing, deleting and
renumbering, +, reprs (a run of alike modules on one line), registration (named_parameters, state_dict) and
errors. Each compared with torch running the same calls."""
from collections import OrderedDict

import numpy as np
import pytest
import torch

import minigrad
from conftest import assert_same


def _layers(lib):
    nn = lib.nn
    return nn.ModuleList([nn.Linear(2, 2), nn.Linear(2, 2), nn.ReLU()])


def _both(fn):
    return fn(minigrad), fn(torch)


def test_modulelist_append_and_extend_return_the_list_and_insert_returns_none():
    def run(lib):
        ml = _layers(lib)
        return (ml.append(lib.nn.Tanh()) is ml, ml.extend([lib.nn.Linear(2, 3)]) is ml,
                ml.insert(1, lib.nn.Sigmoid()), repr(ml))
    m, t = _both(run)
    assert m == t


def test_modulelist_repr_folds_a_run_of_alike_modules():
    m, t = _both(lambda L: repr(L.nn.ModuleList([L.nn.Linear(3, 3) for _ in range(3)] + [L.nn.ReLU()] * 2
                                                 + [L.nn.Sequential(L.nn.Linear(1, 1))])))
    assert m == t


def test_empty_modulelist_repr():
    m, t = _both(lambda L: repr(L.nn.ModuleList()))
    assert m == t


@pytest.mark.parametrize("index", [slice(1, 3), -1, 0, slice(None, None, -1)])
def test_modulelist_indexing_is_torchs(index):
    m, t = _both(lambda L: (lambda got: (type(got).__name__, repr(got)))(_layers(L)[index]))
    assert m == t


@pytest.mark.parametrize("index", [0, -2, slice(0, 2)])
def test_modulelist_delete_renumbers_the_rest(index):
    def run(lib):
        ml = _layers(lib).append(lib.nn.Tanh())
        del ml[index]
        return repr(ml), [n for n, _ in ml.named_parameters()]
    m, t = _both(run)
    assert m == t


def test_modulelist_pop_setitem_and_insert_at_the_front():
    def run(lib):
        ml = _layers(lib)
        popped = ml.pop(1)
        ml[0] = lib.nn.Tanh()
        ml.insert(0, lib.nn.Sigmoid())
        return repr(popped), repr(ml), [n for n, _ in ml.named_parameters()]
    m, t = _both(run)
    assert m == t


def test_modulelist_add_and_iadd():
    def run(lib):
        nn = lib.nn
        joined = nn.ModuleList([nn.Linear(2, 2)]) + nn.ModuleList([nn.ReLU()])
        joined += [nn.Tanh()]
        return type(joined).__name__, repr(joined)
    m, t = _both(run)
    assert m == t


@pytest.mark.parametrize("call", ["extend_not_iterable", "append_not_module", "index_out_of_range"])
def test_modulelist_errors_are_torchs(call):
    calls = {"extend_not_iterable": lambda L, ml: ml.extend(L.nn.ReLU()),
             "append_not_module": lambda L, ml: ml.append(3),
             "index_out_of_range": lambda L, ml: ml[10]}

    def run(lib):
        try:
            calls[call](lib, _layers(lib))
        except Exception as e:  # noqa: BLE001 - the exception is what is compared
            return type(e), str(e)
    m, t = _both(run)
    assert t is not None and m == t


def _pdict(lib, values=None):
    return lib.nn.ParameterDict(values if values is not None else
                                {"w": lib.nn.Parameter(lib.zeros(2, 3)), "b": lib.ones(3)})


def test_parameterdict_sorts_a_plain_dict_and_makes_tensors_parameters():
    m, t = _both(lambda L: (list(_pdict(L)), [type(v).__name__ for v in _pdict(L).values()], len(_pdict(L))))
    assert m == t


def test_parameterdict_keeps_an_ordered_dicts_order():
    m, t = _both(lambda L: list(_pdict(L, OrderedDict([("z", L.zeros(1)), ("a", L.ones(2))]))))
    assert m == t


def test_parameterdict_repr_is_torchs():
    m, t = _both(lambda L: repr(_pdict(L)))
    assert m == t


def test_parameterdict_parameters_are_registered_in_a_module():
    def run(lib):
        model = lib.nn.Module()
        model.pd = _pdict(lib)
        return [n for n, _ in model.named_parameters()], list(model.state_dict())
    m, t = _both(run)
    assert m == t


def test_parameterdict_pop_update_get_and_contains():
    def run(lib):
        pd = _pdict(lib)
        popped = pd.pop("w")
        pd.update([("c", lib.zeros(1)), ("a", lib.ones(1))])
        return tuple(popped.shape), list(pd), "w" in pd, pd.get("w"), pd.get("a").tolist(), pd.popitem()[0]
    m, t = _both(run)
    assert m == t


def test_parameterdict_gradients_reach_its_parameters():
    x = np.arange(6.0).reshape(2, 3)
    grads = {}
    for lib in (minigrad, torch):
        pd = lib.nn.ParameterDict({"w": lib.tensor(x)})
        (pd["w"] * pd["w"]).sum().backward()
        grads[lib] = pd["w"].grad
    assert_same(grads[minigrad], grads[torch])


@pytest.mark.parametrize("call", ["key_not_str", "call", "update_not_iterable", "update_bad_pair"])
def test_parameterdict_errors_are_torchs(call):
    calls = {"key_not_str": lambda L, pd: pd[3],
             "call": lambda L, pd: pd(L.zeros(1)),
             "update_not_iterable": lambda L, pd: pd.update(3),
             "update_bad_pair": lambda L, pd: pd.update([("a", L.zeros(1), 1)])}

    def run(lib):
        try:
            calls[call](lib, _pdict(lib))
        except Exception as e:  # noqa: BLE001 - the exception is what is compared
            return type(e), str(e)
    m, t = _both(run)
    assert t is not None and m == t



def _seq(lib):
    nn = lib.nn
    return nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))


@pytest.mark.parametrize("call", ["insert", "insert_negative", "extend", "pop", "del_slice", "setitem", "add",
                                  "iadd"])
def test_sequential_editing_is_torchs(call):
    """What each call returns and the Sequential after it (its repr and parameter names, renumbered)."""
    calls = {"insert": lambda L, s: s.insert(1, L.nn.Tanh()),
             "insert_negative": lambda L, s: s.insert(-1, L.nn.Tanh()),
             "extend": lambda L, s: s.extend([L.nn.Tanh(), L.nn.Sigmoid()]),
             "pop": lambda L, s: s.pop(0),
             "del_slice": lambda L, s: s.__delitem__(slice(0, 2)),
             "setitem": lambda L, s: s.__setitem__(-1, L.nn.Linear(3, 4)),
             "add": lambda L, s: s + L.nn.Sequential(L.nn.Tanh()),
             "iadd": lambda L, s: s.__iadd__(L.nn.Sequential(L.nn.Tanh()))}

    def run(lib):
        seq = _seq(lib)
        got = calls[call](lib, seq)
        returned = "self" if got is seq else repr(got)
        return returned, repr(seq), [n for n, _ in seq.named_parameters()]
    m, t = _both(run)
    assert m == t


@pytest.mark.parametrize("call", ["index_out_of_range", "insert_out_of_range", "add_a_list"])
def test_sequential_editing_errors_are_torchs(call):
    calls = {"index_out_of_range": lambda L, s: s[5],
             "insert_out_of_range": lambda L, s: s.insert(7, L.nn.Tanh()),
             "add_a_list": lambda L, s: s + [L.nn.Tanh()]}

    def run(lib):
        try:
            calls[call](lib, _seq(lib))
        except Exception as e:  # noqa: BLE001 - the exception is what is compared
            return type(e), str(e)
    m, t = _both(run)
    assert t is not None and m == t
