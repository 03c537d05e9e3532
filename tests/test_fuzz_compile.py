"""Differential fuzzing of minigrad.compile against eager minigrad: random training steps (tests/fuzz_compile_steps.py)
run eagerly and compiled on three batches, their losses, gradients and parameters compared as bytes (a replay
makes the eager step's NumPy calls in the same order: the same bits, the sign of a zero and a NaN's payload
included). The `ci` hypothesis profile (tests/conftest.py) runs a fixed set of examples;
`--hypothesis-profile=long` fuzzes. With FUZZ_TALLY=path set, the examples that passed, were rejected, and why
compile fell back to eager are written to that file at exit."""
import atexit
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import fuzz_compile_modules as fm
import fuzz_compile_steps as fc


def _write_tally():
    with open(os.environ["FUZZ_TALLY"], "w") as f:
        f.writelines(f"{n} {what}\n" for what, n in sorted(fc.TALLY.items()))


if os.environ.get("FUZZ_TALLY"):
    atexit.register(_write_tally)


def _checked(step, *args):
    try:
        fc.check(step, *args)
    finally:
        if os.environ.get("FUZZ_TALLY") and fc.TALLY["passed"] % 500 == 0:    # also when a run is stopped
            _write_tally()


def _checked_module(case):
    try:
        fm.check(case)
    finally:
        if os.environ.get("FUZZ_TALLY") and fc.TALLY["module passed"] % 500 == 0:
            _write_tally()


@settings(max_examples=2 * settings.default.max_examples)
@given(st.data())
def test_compiled_steps_loss_and_gradients_are_eagers_to_the_bit(data):
    _checked(fc.draw_step(data.draw))


@settings(max_examples=settings.default.max_examples)
@given(st.data(), st.sampled_from(sorted(fc.OPTIMIZERS)), st.booleans())
def test_compiled_steps_with_an_optimizer_update_the_parameters_as_eager_does_to_the_bit(data, optimizer, set_to_none):
    _checked(fc.draw_step(data.draw), optimizer, set_to_none)


@pytest.mark.parametrize("family", ["matmul", "linear", "reduce", "where", "unary", "number", "cast", "index",
                                    "permute", "mask"])
@settings(max_examples=settings.default.max_examples // 5)
@given(data=st.data())
def test_compiled_steps_of_one_op_family_are_eagers_to_the_bit(family, data):
    """Steps whose ops are of one family (matmul and linear with + - * /, to give them operands), so each family
    gets examples of its own."""
    _checked(fc.draw_step(data.draw, ops=(family, "binary") if family in ("matmul", "linear") else (family,)))


@settings(max_examples=settings.default.max_examples // 10)
@given(st.data())
def test_compiled_steps_over_more_than_1024_elements_are_eagers_to_the_bit(data):
    """Arrays past numpy_backend._LARGE elements, where float32 sums accumulate in float64."""
    _checked(fc.draw_step(data.draw, sides=[1, 3, 40]))


@settings(max_examples=settings.default.max_examples)
@given(st.data())
def test_compiled_modules_train_as_their_eager_copy_does_to_the_bit(data):
    """minigrad.compile(model): outputs, gradients and parameters over a few calls (training steps, the output
    used twice or in part, retain_graph, train/eval switches, no_grad calls, another batch size) against an
    eager copy of the model (tests/fuzz_compile_modules.py)."""
    _checked_module(fm.draw_case(data.draw))


@settings(max_examples=settings.default.max_examples // 5)
@given(st.data(), st.sampled_from([None] + sorted(fc.OPTIMIZERS)))
def test_compiled_steps_with_cross_entropy_and_nll_options_are_eagers_to_the_bit(data, optimizer):
    """cross_entropy and nll_loss with class weights, ignore_index (every target ignored too), label_smoothing,
    class-probability targets, reductions, on (C,), (N, C) and (N, C, d1) inputs."""
    _checked(fc.draw_step(data.draw, losses=("cross_entropy", "nll")), optimizer)


@settings(max_examples=max(settings.default.max_examples // 25, 4))
@given(st.data(), st.sampled_from([None] + sorted(fc.OPTIMIZERS)))
def test_compiled_linear_with_a_weight_past_the_large_weight_kernel_size_is_eagers_to_the_bit(data, optimizer):
    """A weight of 100_000 elements or more against 2 to 64 rows, where numpy_backend.x_wt computes
    (w @ x.T).T; rows and sizes either side of the bounds."""
    _checked(fc.draw_large_linear_step(data.draw), optimizer)


@settings(max_examples=settings.default.max_examples // 5)
@given(st.data(), st.sampled_from([None] + sorted(fc.OPTIMIZERS_ALL)), st.sampled_from(sorted(fc.CLIPS, key=str)),
       st.sampled_from(sorted(fc.SCHEDULERS, key=str)), st.booleans(), st.booleans())
def test_compiled_steps_with_clipping_schedulers_and_more_optimizers_are_eagers_to_the_bit(data, optimizer, clip,
                                                                                          scheduler, set_to_none,
                                                                                          zero_first):
    """A beginner's step beyond loss, backward, step: gradient clipping between backward and step, an lr
    scheduler after it, weight decay, AdamW, RMSprop, Adagrad, amsgrad, zero_grad() first rather than last
    (parameters the loss does not reach get no gradient: the optimizers skip them)."""
    if optimizer is None:
        scheduler, zero_first = None, False
    _checked(fc.draw_step(data.draw), optimizer, set_to_none, clip, scheduler, zero_first)
