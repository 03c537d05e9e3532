"""The lr schedulers of torch.optim.lr_scheduler that test_optim_more.py does not cover (MultiplicativeLR,
ConstantLR, LinearLR, PolynomialLR, CosineAnnealingWarmRestarts, CyclicLR, SequentialLR, ChainedScheduler),
against torch in the same process: each lr (and cycled momentum) compared exactly (==), since minigrad
computes each one by torch's own float expression in torch's order."""
import warnings

import pytest
import torch

import minigrad
from conftest import assert_same_error


def sch(L):
    """minigrad's or torch's lr_scheduler module."""
    return L.optim.lr_scheduler


def _optimizer(L, opt_name="SGD"):
    """Two param groups with different lrs."""
    params = [{"params": [L.zeros(2, requires_grad=True)]},
              {"params": [L.zeros(3, requires_grad=True)], "lr": 0.03}]
    if opt_name == "SGD":
        return L.optim.SGD(params, lr=0.1, momentum=0.9)
    return L.optim.Adam(params, lr=0.1)


def _momentums(opt):
    return [g.get("momentum", g.get("betas")) for g in opt.param_groups]


def _record(opt, sched):
    return {"last_lr": sched.get_last_lr(), "lr": [g["lr"] for g in opt.param_groups],
            "momentum": _momentums(opt),
            "last_epoch": getattr(sched, "last_epoch", None)}          # ChainedScheduler has none, as in torch


def _run(L, make, opt_name="SGD", steps=30):
    """The scheduler's state after construction and after each of `steps` optimizer + scheduler steps."""
    opt = _optimizer(L, opt_name)
    sched = make(L, opt)
    seq = [_record(opt, sched)]
    for _ in range(steps):
        opt.step()
        sched.step()
        seq.append(_record(opt, sched))
    return seq


# Each case builds its scheduler from (L, optimizer): L is minigrad or torch.
CASES = [
    pytest.param(lambda L, o: sch(L).MultiplicativeLR(o, lambda e: 0.9), id="MultiplicativeLR"),
    pytest.param(lambda L, o: sch(L).MultiplicativeLR(o, [lambda e: 0.95, lambda e: 1.0 / (1 + 0.1 * e)]),
                 id="MultiplicativeLR-per-group"),
    pytest.param(lambda L, o: sch(L).ConstantLR(o), id="ConstantLR-defaults"),
    pytest.param(lambda L, o: sch(L).ConstantLR(o, factor=0.5, total_iters=4), id="ConstantLR"),
    pytest.param(lambda L, o: sch(L).LinearLR(o), id="LinearLR-defaults"),
    pytest.param(lambda L, o: sch(L).LinearLR(o, start_factor=0.2, total_iters=6), id="LinearLR-warmup"),
    pytest.param(lambda L, o: sch(L).LinearLR(o, start_factor=1.0, end_factor=0.1, total_iters=8), id="LinearLR-decay"),
    pytest.param(lambda L, o: sch(L).PolynomialLR(o), id="PolynomialLR-defaults"),
    pytest.param(lambda L, o: sch(L).PolynomialLR(o, total_iters=10, power=2.0), id="PolynomialLR-power2"),
    pytest.param(lambda L, o: sch(L).CosineAnnealingWarmRestarts(o, T_0=5), id="CosineAnnealingWarmRestarts"),
    pytest.param(lambda L, o: sch(L).CosineAnnealingWarmRestarts(o, T_0=3, T_mult=2, eta_min=0.001),
                 id="CosineAnnealingWarmRestarts-T_mult2"),
    pytest.param(lambda L, o: sch(L).CyclicLR(o, 0.01, 0.1, step_size_up=3), id="CyclicLR-triangular"),
    pytest.param(lambda L, o: sch(L).CyclicLR(o, [0.01, 0.002], [0.1, 0.05], step_size_up=2, step_size_down=4,
                                              mode="triangular2"), id="CyclicLR-triangular2"),
    pytest.param(lambda L, o: sch(L).CyclicLR(o, 0.01, 0.1, step_size_up=4, mode="exp_range", gamma=0.95),
                 id="CyclicLR-exp_range"),
    pytest.param(lambda L, o: sch(L).CyclicLR(o, 0.01, 0.1, step_size_up=3, scale_fn=lambda x: 1 / x),
                 id="CyclicLR-scale_fn-cycle"),
    pytest.param(lambda L, o: sch(L).CyclicLR(o, 0.01, 0.1, step_size_up=3, scale_fn=lambda x: 0.97 ** x,
                                              scale_mode="iterations", base_momentum=0.7, max_momentum=0.95),
                 id="CyclicLR-scale_fn-iterations"),
    pytest.param(lambda L, o: sch(L).CyclicLR(o, 0.01, 0.1, step_size_up=5, cycle_momentum=False),
                 id="CyclicLR-no-momentum"),
    pytest.param(lambda L, o: sch(L).SequentialLR(o, [sch(L).LinearLR(o, 0.1, total_iters=3),
                                                      sch(L).ExponentialLR(o, 0.9)], milestones=[3]),
                 id="SequentialLR-warmup-then-exponential"),
    pytest.param(lambda L, o: sch(L).SequentialLR(o, [sch(L).ConstantLR(o, 0.5, total_iters=2),
                                                      sch(L).CosineAnnealingLR(o, T_max=8),
                                                      sch(L).StepLR(o, 4, gamma=0.5)], milestones=[5, 13]),
                 id="SequentialLR-three"),
    pytest.param(lambda L, o: sch(L).ChainedScheduler([sch(L).ConstantLR(o, 0.5, total_iters=4),
                                                       sch(L).ExponentialLR(o, 0.9)]), id="ChainedScheduler"),
    pytest.param(lambda L, o: sch(L).ChainedScheduler([sch(L).LinearLR(o, 0.25, total_iters=5),
                                                       sch(L).CosineAnnealingLR(o, T_max=10)], optimizer=o),
                 id="ChainedScheduler-warmup-cosine"),
]


@pytest.mark.parametrize("opt_name", ["SGD", "Adam"])
@pytest.mark.parametrize("make", CASES)
def test_lr_sequence_equals_torch_exactly(make, opt_name):
    assert _run(minigrad, make, opt_name) == _run(torch, make, opt_name)


def test_module_has_torchs_schedulers():
    assert sorted(sch(minigrad).__all__) == sorted(sch(torch).__all__)


# ---- CyclicLR's momentum ------------------------------------------------------------------------------------

def _cyclic(L, o):
    return sch(L).CyclicLR(o, 0.01, 0.1, step_size_up=3, base_momentum=0.8, max_momentum=0.9)


def test_cyclic_lr_cycles_sgd_momentum_against_the_lr_like_torch():
    mine, theirs = _run(minigrad, _cyclic, "SGD"), _run(torch, _cyclic, "SGD")
    assert [r["momentum"] for r in mine] == [r["momentum"] for r in theirs]
    peak_lr = max(r["lr"][0] for r in mine)
    assert {r["momentum"][0] for r in mine if r["lr"][0] == peak_lr} == {0.8}     # lowest where the lr peaks
    assert mine[0]["momentum"][0] == 0.9                                           # highest at the start


def test_cyclic_lr_cycles_adam_beta1_and_keeps_beta2_like_torch():
    mine, theirs = _run(minigrad, _cyclic, "Adam"), _run(torch, _cyclic, "Adam")
    assert [r["momentum"] for r in mine] == [r["momentum"] for r in theirs]
    beta1s, beta2s = {r["momentum"][0][0] for r in mine}, {r["momentum"][0][1] for r in mine}
    assert min(beta1s) == 0.8 and max(beta1s) == 0.9 and beta2s == {0.999}


def test_cyclic_lr_sets_base_lr_as_the_optimizers_lr_like_torch():
    def lrs(L):
        opt = _optimizer(L)
        sch(L).CyclicLR(opt, [0.01, 0.02], 0.1, cycle_momentum=False)
        return [(g["lr"], g["initial_lr"]) for g in opt.param_groups]
    assert lrs(minigrad) == lrs(torch)


# ---- CosineAnnealingWarmRestarts with an epoch --------------------------------------------------------------

def _warm_restarts_by_fractional_epoch(L, T_mult):
    opt = _optimizer(L)
    sched = sch(L).CosineAnnealingWarmRestarts(opt, T_0=2, T_mult=T_mult, eta_min=0.001)
    iters = 4
    out = []
    for epoch in range(9):
        for i in range(iters):
            opt.step()
            sched.step(epoch + i / iters)
            out.append((sched.get_last_lr(), sched.T_cur, sched.T_i, sched.last_epoch))
    return out


@pytest.mark.parametrize("T_mult", [1, 2, 3])
def test_warm_restarts_step_with_fractional_epoch_equals_torch(T_mult):
    assert _warm_restarts_by_fractional_epoch(minigrad, T_mult) == _warm_restarts_by_fractional_epoch(torch, T_mult)


def test_warm_restarts_step_after_step_epoch_continues_from_that_epoch_like_torch():
    def run(L):
        opt = _optimizer(L)
        sched = sch(L).CosineAnnealingWarmRestarts(opt, T_0=4, T_mult=2)
        out = []
        for _ in range(5):
            opt.step()
            sched.step()
        sched.step(26)
        out.append((sched.get_last_lr(), sched.T_cur, sched.T_i, sched.last_epoch))
        for _ in range(8):
            sched.step()
            out.append((sched.get_last_lr(), sched.T_cur, sched.T_i, sched.last_epoch))
        return out
    assert run(minigrad) == run(torch)


def test_warm_restarts_negative_epoch_raises_torch_error():
    def run(L):
        sched = sch(L).CosineAnnealingWarmRestarts(_optimizer(L), T_0=3)
        sched.step(-1)
    assert_same_error(lambda: run(minigrad), lambda: run(torch))


# ---- closed forms: step(epoch) ------------------------------------------------------------------------------

CLOSED_FORM = [
    pytest.param(lambda L, o: sch(L).ConstantLR(o, factor=0.5, total_iters=4), id="ConstantLR"),
    pytest.param(lambda L, o: sch(L).LinearLR(o, start_factor=0.2, total_iters=6), id="LinearLR"),
    pytest.param(lambda L, o: sch(L).PolynomialLR(o, total_iters=10, power=2.0), id="PolynomialLR"),
    pytest.param(lambda L, o: sch(L).MultiplicativeLR(o, lambda e: 0.9), id="MultiplicativeLR-no-closed-form"),
]


@pytest.mark.parametrize("make", CLOSED_FORM)
def test_step_with_epoch_gives_torchs_lrs_and_warnings(make):
    def run(L):
        opt = _optimizer(L)
        sched = make(L, opt)
        out = []
        for epoch in [3, 1, 7, 12, 4, 20]:
            opt.step()
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                sched.step(epoch)
            out.append((sched.get_last_lr(), sched.last_epoch, [str(w.message) for w in caught]))
        return out
    assert run(minigrad) == run(torch)


# ---- state_dict ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("make", CASES)
def test_state_dict_equals_torchs(make):
    def state(L):
        opt = _optimizer(L)
        sched = make(L, opt)
        for _ in range(7):
            opt.step()
            sched.step()
        return sched.state_dict()
    assert state(minigrad) == state(torch)


def _resumed(L, make, opt_name, stop=7, steps=20):
    """lrs of a run saved after `stop` steps and resumed into a new optimizer and scheduler (the scheduler
    made before the optimizer's state is loaded, as torch's docs say), then the uninterrupted run's lrs."""
    opt = _optimizer(L, opt_name)
    sched = make(L, opt)
    for _ in range(stop):
        opt.step()
        sched.step()
    opt_state, sched_state = opt.state_dict(), sched.state_dict()
    opt2 = _optimizer(L, opt_name)
    sched2 = make(L, opt2)
    opt2.load_state_dict(opt_state)
    sched2.load_state_dict(sched_state)
    resumed, uninterrupted = [], []
    for _ in range(steps - stop):
        for o, s, out in ((opt, sched, uninterrupted), (opt2, sched2, resumed)):
            o.step()
            s.step()
            out.append(_record(o, s))
    return resumed, uninterrupted


@pytest.mark.parametrize("opt_name", ["SGD", "Adam"])
@pytest.mark.parametrize("make", CASES)
def test_state_dict_round_trip_resumes_like_torch(make, opt_name):
    resumed, uninterrupted = _resumed(minigrad, make, opt_name)
    assert (resumed, uninterrupted) == _resumed(torch, make, opt_name)
    assert resumed == uninterrupted


class _Decay:
    """A callable object: its attributes are saved in the scheduler's state_dict, where a lambda is not."""

    def __init__(self, factor):
        self.factor = factor

    def __call__(self, x):
        return self.factor


@pytest.mark.parametrize("make", [
    pytest.param(lambda L, o, f: sch(L).MultiplicativeLR(o, _Decay(f)), id="MultiplicativeLR"),
    pytest.param(lambda L, o, f: sch(L).CyclicLR(o, 0.01, 0.1, step_size_up=2, scale_fn=_Decay(f)), id="CyclicLR"),
])
def test_callable_objects_state_is_saved_and_loaded_like_torch(make):
    def run(L):
        opt = _optimizer(L)
        sd = make(L, opt, 0.8).state_dict()
        opt2 = _optimizer(L)
        sched2 = make(L, opt2, 0.5)
        sched2.load_state_dict(sd)
        lrs = []
        for _ in range(5):
            opt2.step()
            sched2.step()
            lrs.append(sched2.get_last_lr())
        return sd, lrs
    assert run(minigrad) == run(torch)


# ---- warnings -----------------------------------------------------------------------------------------------

def _warnings(L, make, action):
    opt = _optimizer(L)
    sched = make(L, opt)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        action(opt, sched)
    return [(w.category, str(w.message)) for w in caught]


@pytest.mark.parametrize("make", [c for c in CASES if not c.id.startswith(("SequentialLR", "ChainedScheduler"))])
def test_get_lr_outside_step_warns_like_torch(make):
    def call_get_lr(opt, sched):
        sched.get_lr()
    mine, theirs = _warnings(minigrad, make, call_get_lr), _warnings(torch, make, call_get_lr)
    assert mine == theirs and len(mine) == 1


@pytest.mark.parametrize("make", CASES)
def test_scheduler_step_before_optimizer_step_warns_like_torch(make):
    def step_scheduler_first(opt, sched):
        sched.step()
        opt.step()
    assert _warnings(minigrad, make, step_scheduler_first) == _warnings(torch, make, step_scheduler_first)


# ---- bad arguments ------------------------------------------------------------------------------------------

def _other_optimizer(L):
    return L.optim.SGD([L.zeros(1, requires_grad=True)], lr=0.5)


def _exponential_of_another_optimizer(L):
    return sch(L).ExponentialLR(_other_optimizer(L), 0.9)


BAD = [
    pytest.param(lambda L, o: sch(L).MultiplicativeLR(o, 0.9), id="MultiplicativeLR-not-callable"),
    pytest.param(lambda L, o: sch(L).MultiplicativeLR(o, [lambda e: 0.9]), id="MultiplicativeLR-one-per-group"),
    pytest.param(lambda L, o: sch(L).ConstantLR(o, factor=1.5), id="ConstantLR-factor-above-1"),
    pytest.param(lambda L, o: sch(L).ConstantLR(o, factor=-0.1), id="ConstantLR-factor-negative"),
    pytest.param(lambda L, o: sch(L).LinearLR(o, start_factor=0), id="LinearLR-start-0"),
    pytest.param(lambda L, o: sch(L).LinearLR(o, end_factor=1.5), id="LinearLR-end-above-1"),
    pytest.param(lambda L, o: sch(L).CosineAnnealingWarmRestarts(o, T_0=0), id="WarmRestarts-T_0-0"),
    pytest.param(lambda L, o: sch(L).CosineAnnealingWarmRestarts(o, T_0=2.5), id="WarmRestarts-T_0-float"),
    pytest.param(lambda L, o: sch(L).CosineAnnealingWarmRestarts(o, T_0=2, T_mult=0), id="WarmRestarts-T_mult-0"),
    pytest.param(lambda L, o: sch(L).CosineAnnealingWarmRestarts(o, T_0=2, T_mult=1.5), id="WarmRestarts-T_mult-float"),
    pytest.param(lambda L, o: sch(L).CosineAnnealingWarmRestarts(o, T_0=2, eta_min="0"), id="WarmRestarts-eta_min-str"),
    pytest.param(lambda L, o: sch(L).CyclicLR(object(), 0.01, 0.1), id="CyclicLR-not-an-optimizer"),
    pytest.param(lambda L, o: sch(L).CyclicLR(o, 0.01, 0.1, mode="sawtooth"), id="CyclicLR-unknown-mode"),
    pytest.param(lambda L, o: sch(L).CyclicLR(o, [0.01, 0.02, 0.03], 0.1), id="CyclicLR-base_lr-per-group"),
    pytest.param(lambda L, o: sch(L).CyclicLR(o, 0.01, [0.1]), id="CyclicLR-max_lr-per-group"),
    pytest.param(lambda L, o: sch(L).CyclicLR(o, 0.01, 0.1, base_momentum=[0.8]), id="CyclicLR-momentum-per-group"),
    pytest.param(lambda L, o: sch(L).CyclicLR(L.optim.Adagrad([L.zeros(1, requires_grad=True)]), 0.01, 0.1),
                 id="CyclicLR-optimizer-without-momentum"),
    pytest.param(lambda L, o: sch(L).SequentialLR(o, [], milestones=[]), id="SequentialLR-no-scheduler"),
    pytest.param(lambda L, o: sch(L).SequentialLR(o, [sch(L).ConstantLR(o), sch(L).ExponentialLR(o, 0.9)],
                                                  milestones=[2, 4]), id="SequentialLR-milestones-count"),
    pytest.param(lambda L, o: sch(L).SequentialLR(o, [sch(L).ConstantLR(o), sch(L).ReduceLROnPlateau(o)],
                                                  milestones=[2]), id="SequentialLR-plateau"),
    pytest.param(lambda L, o: sch(L).SequentialLR(o, [sch(L).ConstantLR(o), object()], milestones=[2]),
                 id="SequentialLR-not-a-scheduler"),
    pytest.param(lambda L, o: sch(L).SequentialLR(o, [sch(L).ConstantLR(o), _exponential_of_another_optimizer(L)],
                                                  milestones=[2]), id="SequentialLR-other-optimizer"),
    pytest.param(lambda L, o: sch(L).ChainedScheduler([]), id="ChainedScheduler-no-scheduler"),
    pytest.param(lambda L, o: sch(L).ChainedScheduler([sch(L).ConstantLR(o), sch(L).ReduceLROnPlateau(o)]),
                 id="ChainedScheduler-plateau"),
    pytest.param(lambda L, o: sch(L).ChainedScheduler([sch(L).ConstantLR(o), _exponential_of_another_optimizer(L)]),
                 id="ChainedScheduler-other-optimizer"),
    pytest.param(lambda L, o: sch(L).ChainedScheduler([sch(L).ConstantLR(o)], optimizer=_other_optimizer(L)),
                 id="ChainedScheduler-optimizer-argument-differs"),
]


@pytest.mark.parametrize("make", BAD)
def test_bad_argument_raises_torchs_error(make):
    assert_same_error(lambda: make(minigrad, _optimizer(minigrad)), lambda: make(torch, _optimizer(torch)))


# ---- the base class under torch's old name -------------------------------------------------------------------

def test_a_scheduler_subclassing_the_old_LRScheduler_name_runs_like_torch():
    def run(L):
        class Warmup(L.optim.lr_scheduler._LRScheduler):
            def get_lr(self):
                return [base_lr * min(1.0, (self.last_epoch + 1) / 4) for base_lr in self.base_lrs]
        return _run(L, lambda L_, o: Warmup(o), steps=8)
    assert run(minigrad) == run(torch)
