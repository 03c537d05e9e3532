"""torch.amp on minigrad against torch's CPU build in the same process: GradScaler's loss scaling step for
step (scale, skipped steps, growth, weights), the disabled paths and their warnings, autocast's checks, and
torch.cuda's answers without CUDA."""
import warnings

import numpy as np
import pytest

import minigrad

torch = pytest.importorskip("torch")


def _warnings(fn):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = fn()
    return result, [(w.category, str(w.message)) for w in caught]


def _raised(fn):
    try:
        fn()
    except Exception as e:                # noqa: BLE001 (the type is what is compared)
        return type(e).__name__, str(e)
    return None


def _scaled_training(fw, steps=8, clip=False, bad_steps=(2,)):
    """A float64 linear model trained with GradScaler("cpu") (growth_interval 3), an inf in the input at
    `bad_steps`; the weights, scale and growth tracker after each step."""
    rng = np.random.default_rng(0)
    w0, x, y = rng.standard_normal((3, 4)), rng.standard_normal((5, 4)), rng.standard_normal((5, 3))
    model = fw.nn.Linear(4, 3, bias=False).double()
    with fw.no_grad():
        model.weight.copy_(fw.tensor(w0))
    opt = fw.optim.SGD(model.parameters(), lr=0.1)
    scaler = fw.amp.GradScaler("cpu", init_scale=2.0 ** 10, growth_interval=3)
    out = []
    for step in range(steps):
        xb = x.copy()
        if step in bad_steps:
            xb[0, 0] = np.inf
        loss = ((model(fw.tensor(xb)) - fw.tensor(y)) ** 2).mean()
        opt.zero_grad()
        scaler.scale(loss).backward()
        if clip:
            scaler.unscale_(opt)
            fw.nn.utils.clip_grad_norm_(model.parameters(), 0.5)
        scaler.step(opt)
        scaler.update()
        out.append((model.weight.detach().numpy().copy(), scaler.get_scale(), scaler._get_growth_tracker()))
    return out, scaler.state_dict()


def test_grad_scaler_trains_as_torchs_skipping_the_step_that_found_an_inf_and_growing_the_scale():
    mine, mine_state = _scaled_training(minigrad)
    theirs, their_state = _scaled_training(torch)
    for (w, s, t), (tw, ts, tt) in zip(mine, theirs):
        np.testing.assert_allclose(w, tw, rtol=1e-13, atol=1e-15)
        assert (s, t) == (ts, tt)
    assert [s for _, s, _ in mine] == [1024.0, 1024.0, 512.0, 512.0, 512.0, 1024.0, 1024.0, 1024.0]
    assert mine_state == their_state


def test_grad_scaler_unscales_before_clipping_as_torchs():
    mine, _ = _scaled_training(minigrad, clip=True, bad_steps=())
    theirs, _ = _scaled_training(torch, clip=True, bad_steps=())
    for (w, s, t), (tw, ts, tt) in zip(mine, theirs):
        np.testing.assert_allclose(w, tw, rtol=1e-13, atol=1e-15)
        assert (s, t) == (ts, tt)


def test_grad_scaler_scales_a_list_of_losses_with_its_factor():
    for fw in (minigrad, torch):
        scaler = fw.amp.GradScaler("cpu", init_scale=4.0)
        a, b = scaler.scale([fw.tensor(1.5), fw.tensor(2.0)])
        assert (a.item(), b.item()) == (6.0, 8.0)
    assert _raised(lambda: minigrad.amp.GradScaler("cpu").scale([1.0])) == \
        _raised(lambda: torch.amp.GradScaler("cpu").scale([1.0]))


def _misuse(fw, what):
    model = fw.nn.Linear(2, 1)
    opt = fw.optim.SGD(model.parameters(), lr=0.1)
    scaler = fw.amp.GradScaler("cpu")
    if what == "update before scale":
        return scaler.update()
    scaler.scale(model(fw.ones(1, 2)).sum()).backward()
    if what == "unscale twice":
        scaler.unscale_(opt)
        return scaler.unscale_(opt)
    scaler.step(opt)
    if what == "step twice":
        return scaler.step(opt)
    if what == "unscale after step":
        return scaler.unscale_(opt)
    if what == "closure":
        return fw.amp.GradScaler("cpu").step(opt, closure=lambda: None)


@pytest.mark.parametrize("what", ["update before scale", "unscale twice", "step twice", "unscale after step",
                                  "closure"])
def test_grad_scaler_misuse_raises_torchs_error(what):
    assert _raised(lambda: _misuse(minigrad, what)) == _raised(lambda: _misuse(torch, what)) is not None


def test_grad_scaler_refuses_a_growth_factor_of_one_as_torch():
    assert _raised(lambda: minigrad.amp.GradScaler("cpu", growth_factor=1.0)) == \
        _raised(lambda: torch.amp.GradScaler("cpu", growth_factor=1.0))


def test_grad_scaler_on_cuda_warns_and_passes_everything_through_as_torch_without_cuda():
    mine, mine_warned = _warnings(lambda: minigrad.amp.GradScaler())
    theirs, their_warned = _warnings(lambda: torch.amp.GradScaler())
    assert mine_warned == their_warned and len(mine_warned) == 1
    assert mine.is_enabled() is theirs.is_enabled() is False
    loss = minigrad.tensor(2.0)
    assert mine.scale(loss) is loss and mine.get_scale() == theirs.get_scale() == 1.0
    assert mine.state_dict() == theirs.state_dict() == {}
    model = minigrad.nn.Linear(2, 1)
    opt = minigrad.optim.SGD(model.parameters(), lr=1.0)
    model(minigrad.ones(1, 2)).sum().backward()
    bias = model.bias.detach().numpy().copy()
    mine.step(opt)                      # optimizer.step() itself, on gradients left as they are: bias - 1.0 * 1
    assert np.array_equal(model.bias.detach().numpy(), bias - np.float32(1.0))


def test_the_deprecated_cuda_amp_spellings_warn_as_torchs():
    for name in ("GradScaler", "autocast"):
        mine = _warnings(lambda: getattr(minigrad.cuda.amp, name)())[1]
        theirs = _warnings(lambda: getattr(torch.cuda.amp, name)())[1]
        assert mine == theirs and len(mine) == 2          # deprecated, then: CUDA is not available


def test_autocast_on_cuda_warns_and_runs_the_code_as_it_is():
    def run(fw):
        with fw.autocast("cuda"):
            return (fw.ones(2, 2) @ fw.ones(2, 2)).dtype
    (mine, mine_warned), (theirs, their_warned) = _warnings(lambda: run(minigrad)), _warnings(lambda: run(torch))
    assert mine_warned == their_warned and len(mine_warned) == 1
    assert str(mine).split(".")[-1] == str(theirs).split(".")[-1] == "float32"


def test_autocast_disabled_decorates_a_function_and_runs_it_as_it_is():
    @minigrad.autocast("cpu", enabled=False)
    def double(x):
        return x * 2
    assert double(minigrad.tensor(1.5)).item() == 3.0


def test_autocast_with_a_dtype_it_does_not_support_warns_and_disables_itself_as_torch():
    mine = _warnings(lambda: minigrad.autocast("cpu", dtype=minigrad.float64))[1]
    theirs = _warnings(lambda: torch.autocast("cpu", dtype=torch.float64))[1]
    assert mine == theirs and len(mine) == 1


def test_autocast_on_the_cpu_says_minigrad_does_not_lower_the_precision():
    with pytest.raises(NotImplementedError, match="enabled=False"):
        minigrad.autocast("cpu")


@pytest.mark.parametrize("device, half", [("xyz", False), ("opengl", False), ("opengl", True), (1, False)])
def test_autocast_refuses_a_device_as_torch(device, half):
    mine = _raised(lambda: minigrad.autocast(device, **({"dtype": minigrad.float16} if half else {})))
    assert mine == _raised(lambda: torch.autocast(device, **({"dtype": torch.float16} if half else {}))) is not None


@pytest.mark.parametrize("name", ["is_available", "device_count", "is_initialized", "empty_cache",
                                  "memory_allocated", "is_bf16_supported", "synchronize", "current_device",
                                  "get_device_name"])
def test_torch_cuda_answers_as_torchs_cpu_build(name):
    mine = _raised(getattr(minigrad.cuda, name)) or getattr(minigrad.cuda, name)()
    theirs = _raised(getattr(torch.cuda, name)) or getattr(torch.cuda, name)()
    assert mine == theirs


def test_torch_cpu_names_the_cpu_as_torch():
    for name in ("is_available", "device_count", "current_device"):
        assert getattr(minigrad.cpu, name)() == getattr(torch.cpu, name)()
