"""minigrad.compile: a captured step replays bit for bit what eager minigrad computes, recaptures when a guard
fails, reads optimizer hyper-parameters live, and falls back to eager with a message where it cannot capture."""
import warnings

import numpy as np
import pytest

import minigrad
from minigrad import nn, optim
from minigrad.compile import Unsupported
from parity import core, runner

runner.load_steps()
TUTORIAL_STEPS = ["A2", "A3", "B", "S5", "S6", "S6-fastai", "S8-hand", "S8-seq"]


def _events_equal(a, b):
    if (a.kind, a.name, a.step) != (b.kind, b.name, b.step):
        return False
    if isinstance(a.value, str) or isinstance(b.value, str):
        return a.value == b.value
    a, b = np.asarray(a.value), np.asarray(b.value)
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()    # bits: -0.0 and NaNs too


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name", TUTORIAL_STEPS)
def test_tutorial_step_compiled_is_bit_identical_to_eager(name, dtype, monkeypatch):
    step = core.STEPS[name]
    reason = step.needs("minigrad") if step.needs else None
    if reason:
        pytest.skip(reason)
    eager = step.run(minigrad, "cpu", dtype, quick=True)
    compiled, compile = [], minigrad.compile

    def compile_and_keep(fn, **kw):
        compiled.append(compile(fn, **kw))
        return compiled[-1]
    monkeypatch.setattr(core, "COMPILE", True)
    monkeypatch.setattr(minigrad, "compile", compile_and_keep)
    with warnings.catch_warnings():
        warnings.simplefilter("error")            # a fallback to eager warns: none may happen here
        replayed = step.run(minigrad, "cpu", dtype, quick=True)
    assert compiled and all(c.replays > 0 for c in compiled)
    assert len(eager.events) == len(replayed.events)
    for a, b in zip(eager.events, replayed.events):
        assert _events_equal(a, b), (a, b)


def _iris_like(seed=0, dtype=np.float32):
    rng = np.random.default_rng(seed)
    model = nn.Sequential(nn.Linear(4, 8), nn.Sigmoid(), nn.Linear(8, 3)).to(dtype=getattr(minigrad, np.dtype(dtype).name))
    with minigrad.no_grad():
        for p in model.parameters():
            p.copy_(minigrad.tensor(rng.uniform(-0.5, 0.5, p.shape).astype(dtype)))
    x = rng.standard_normal((12, 4)).astype(dtype)
    y = rng.integers(0, 3, 12)
    return model, x, y


def _train(compiled, batch_sizes, make_sched=None, seed=0):
    model, x, y = _iris_like(seed)
    opt = optim.Adam(model.parameters(), lr=0.01)
    sched = make_sched(opt) if make_sched else None
    loss_fn = nn.CrossEntropyLoss()

    def train_step(xb, yb):
        loss = loss_fn(model(xb), yb)
        loss.backward()
        opt.step()
        opt.zero_grad()
        return loss
    step = minigrad.compile(train_step) if compiled else train_step
    losses, start = [], 0
    for bs in batch_sizes:
        xb, yb = minigrad.tensor(x[start:start + bs]), minigrad.tensor(y[start:start + bs])
        start = (start + bs) % 8
        losses.append(step(xb, yb).detach().numpy().copy())
        if sched:
            sched.step()
    return np.array(losses), [p.detach().numpy().copy() for p in model.parameters()], step


def test_a_smaller_last_batch_is_captured_as_a_second_program():
    sizes = [4, 4, 2, 4, 4, 2, 4]
    eager_losses, eager_params, _ = _train(False, sizes)
    losses, params, step = _train(True, sizes)
    assert np.array_equal(eager_losses, losses)
    assert all(np.array_equal(a, b) for a, b in zip(eager_params, params))
    assert step.captures == 2 and len(step.programs) == 2 and step.replays == len(sizes) - 2


def test_a_scheduler_changing_lr_every_step_is_read_by_the_replay():
    def sched(opt):
        return optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
    eager_losses, eager_params, _ = _train(False, [4] * 6, sched)
    losses, params, step = _train(True, [4] * 6, sched)
    assert step.replays == 5
    assert np.array_equal(eager_losses, losses)
    assert all(np.array_equal(a, b) for a, b in zip(eager_params, params))


def test_eval_under_no_grad_after_training_matches_eager():
    model, x, y = _iris_like()
    _, _, train = _train(True, [4] * 4)
    del train

    def predict(xb):
        return model(xb).softmax(dim=1)
    compiled = minigrad.compile(predict)
    model.eval()
    xb = minigrad.tensor(x[:5])
    with minigrad.no_grad():
        expected = predict(xb).numpy().copy()
        first, second = compiled(xb), compiled(xb)
    assert compiled.replays == 1
    assert np.array_equal(first.numpy(), expected) and np.array_equal(second.numpy(), expected)
    model.train()                                 # a guard: train mode is another program
    with minigrad.no_grad():
        compiled(xb)
    assert compiled.captures == 2


def test_item_inside_the_step_falls_back_to_eager_naming_the_line():
    model, x, y = _iris_like()
    loss_fn = nn.CrossEntropyLoss()
    seen = []

    def train_step(xb, yb):
        loss = loss_fn(model(xb), yb)
        seen.append(loss.item())
        loss.backward()
        return loss
    step = minigrad.compile(train_step)
    xb, yb = minigrad.tensor(x[:4]), minigrad.tensor(y[:4])
    with pytest.warns(UserWarning, match=r"Tensor\.item reads a tensor's value into Python.*"
                                         r"test_compile\.py:\d+: seen\.append\(loss\.item\(\)\)"):
        step(xb, yb)
    step(xb, yb)                                  # now eager: the Python runs again
    assert len(seen) == 2 and step.eager_reason is not None and not step.programs


def test_fullgraph_raises_where_the_step_cannot_be_captured():
    def step(x):
        return x * float(x.sum())
    with pytest.raises(Unsupported, match=r"Tensor\.__float__ reads a tensor's value"):
        minigrad.compile(step, fullgraph=True)(minigrad.tensor([1.0, 2.0]))


def test_recompile_limit_then_eager_with_a_warning():
    def step(x):
        return (x * 2).sum()
    compiled = minigrad.compile(step, options={"recompile_limit": 2})
    compiled(minigrad.ones(1))
    compiled(minigrad.ones(2))
    with pytest.warns(UserWarning, match=r"recompile_limit \(2\) reached"):
        out = compiled(minigrad.ones(3))
    assert out.item() == 6.0 and compiled.eager_reason is not None


def test_random_tensors_made_in_the_step_are_drawn_anew_at_each_replay():
    def noisy(x):
        return x + minigrad.randn(3)
    compiled = minigrad.compile(noisy)
    x = minigrad.zeros(3)
    minigrad.manual_seed(0)
    expected = [noisy(x).numpy().copy() for _ in range(3)]
    minigrad.manual_seed(0)
    got = [compiled(x).numpy().copy() for _ in range(3)]
    assert compiled.replays == 2
    assert all(np.array_equal(a, b) for a, b in zip(expected, got))
    assert not np.array_equal(got[1], got[2])


def test_the_program_lists_forward_backward_and_update_with_shapes():
    model, x, y = _iris_like()
    opt = optim.SGD(model.parameters(), lr=0.1)
    loss_fn = nn.CrossEntropyLoss()

    @minigrad.compile
    def train_step(xb, yb):
        loss = loss_fn(model(xb), yb)
        loss.backward()
        opt.step()
        opt.zero_grad()
        return loss
    train_step(minigrad.tensor(x[:4]), minigrad.tensor(y[:4]))
    listing = train_step.program
    sections = [line for line in listing.splitlines() if not line.startswith(" ")]
    assert [s.split(" ")[0] for s in sections] == ["forward", "backward", "update"]
    assert "AddmmBackward0.forward(input0 float32[4, 4], model.0.weight float32[8, 4], model.0.bias float32[8])" in listing
    assert "model.0.weight.grad += gradient float32[8, 4]" in listing
    assert "SGD.step() (hyper-parameters read live)" in listing


def test_a_numpy_computation_inside_the_step_is_refused_not_frozen():
    w = minigrad.tensor([1.0, 2.0], requires_grad=True)

    def step(x):
        scale = minigrad.from_numpy(np.exp(x.detach().numpy()))
        return (w * scale).sum()
    with pytest.warns(UserWarning, match="Tensor.numpy reads a tensor's value"):
        minigrad.compile(step)(minigrad.tensor([0.0, 1.0]))


def _train_module(compiled, steps=5):
    model, x, y = _iris_like()
    net = minigrad.compile(model) if compiled else model
    opt = optim.Adam(model.parameters(), lr=0.01)
    loss_fn = nn.CrossEntropyLoss()
    seen = []
    for _ in range(steps):
        loss = loss_fn(net(minigrad.tensor(x[:4])), minigrad.tensor(y[:4]))
        loss.backward()
        seen.append([loss.detach().numpy().copy()] + [p.grad.numpy().copy() for p in model.parameters()])
        opt.step()
        opt.zero_grad()
    return seen, net


def test_a_compiled_module_trains_bit_identically_with_one_backward_node():
    eager, _ = _train_module(False)
    compiled, net = _train_module(True)
    assert net.replays == 4 and net.captures == 1
    assert all(np.array_equal(a, b) for e, c in zip(eager, compiled) for a, b in zip(e, c))
    out = net(minigrad.tensor(np.zeros((4, 4), np.float32)))
    assert type(out.grad_fn).__name__ == "CompiledFunctionBackward"
    source = net.programs[0].source                # the replays ran the ops' NumPy lines, no op called
    assert ".backward(" not in source and "NEW(" not in source, source


def test_a_compiled_module_sends_gradient_on_to_its_inputs_graph():
    model, x, _ = _iris_like()
    net = minigrad.compile(model)
    grads = []
    for _ in range(2):                            # the capture call, then a replay
        a = minigrad.tensor(x[:4], requires_grad=True)
        (net(a * 2.0) ** 2).sum().backward()
        grads.append(a.grad.numpy().copy())
    a = minigrad.tensor(x[:4], requires_grad=True)
    (model(a * 2.0) ** 2).sum().backward()
    assert net.replays == 1
    assert np.array_equal(grads[0], a.grad.numpy()) and np.array_equal(grads[1], a.grad.numpy())


def test_a_compiled_module_in_eval_under_no_grad_returns_a_plain_tensor():
    model, x, _ = _iris_like()
    net = minigrad.compile(model)
    net.eval()
    with minigrad.no_grad():
        first, second = net(minigrad.tensor(x[:5])), net(minigrad.tensor(x[:5]))
        expected = model(minigrad.tensor(x[:5]))
    assert net.replays == 1 and second.grad_fn is None and not model.training
    assert np.array_equal(first.numpy(), expected.numpy()) and np.array_equal(second.numpy(), expected.numpy())


def _learner_fit(compile, cbs=(), one_cycle=False):
    """A small Learner fitted twice over (eager or compiled); its Learner and final weights."""
    from minigrad.fastai import DataLoaders, Learner, SGD
    from minigrad.utils.data import DataLoader
    rng = np.random.default_rng(1)
    x = rng.standard_normal((40, 6)).astype(np.float32)
    y = (x[:, :1] > 0).astype(np.float32)
    model = nn.Sequential(nn.Linear(6, 5), nn.ReLU(), nn.Linear(5, 1))
    with minigrad.no_grad():
        for p in model.parameters():
            p.copy_(minigrad.tensor(np.random.default_rng(2).uniform(-0.5, 0.5, p.shape).astype(np.float32)))
    ds = list(zip(minigrad.tensor(x), minigrad.tensor(y)))
    dls = DataLoaders(DataLoader(ds, batch_size=16), DataLoader(ds, batch_size=16))
    learn = Learner(dls, model, opt_func=SGD, loss_func=nn.BCEWithLogitsLoss(), cbs=list(cbs), compile=compile)
    with learn.no_bar(), learn.no_logging():
        if one_cycle:
            learn.fit_one_cycle(2, 0.1)
        else:
            learn.fit(2, 0.1)
    return learn, [p.detach().numpy().copy() for p in model.parameters()]


def test_learner_with_compile_replays_the_whole_batch_step_bit_identically():
    _, eager = _learner_fit(False)
    learn, compiled = _learner_fit(True)
    step = learn.compiled_step
    assert step.replays > 0 and step.eager_reason is None
    assert "hypers[0]['lr']" in step.programs[0].source   # the optimizer's update as lines, lr read live
    assert type(learn.model).__name__ == "Sequential"     # learn.model stays the user's model
    assert all(np.array_equal(a, b) for a, b in zip(eager, compiled))


def test_learner_with_compile_follows_fit_one_cycles_schedule_bit_identically():
    _, eager = _learner_fit(False, one_cycle=True)
    learn, compiled = _learner_fit(True, one_cycle=True)
    assert learn.compiled_step.replays > 0
    assert all(np.array_equal(a, b) for a, b in zip(eager, compiled))


def test_learner_with_compile_steps_eagerly_when_a_callback_acts_inside_the_step():
    from minigrad.fastai import Callback

    class HalveGradients(Callback):
        def after_backward(self):
            for p in self.learn.model.parameters():
                p.grad.mul_(0.5)
    _, eager = _learner_fit(False, cbs=[HalveGradients()])
    learn, compiled = _learner_fit(True, cbs=[HalveGradients()])
    assert learn.compiled_step is None
    assert all(np.array_equal(a, b) for a, b in zip(eager, compiled))


def test_dropout_draws_a_new_mask_at_each_replay_as_eager_does():
    model, x, y = _iris_like()
    net = nn.Sequential(model, nn.Dropout(0.5))
    loss_fn = nn.CrossEntropyLoss()

    def train_step(xb, yb):
        loss = loss_fn(net(xb), yb)
        loss.backward()
        grads = [p.grad.detach().clone() for p in model.parameters()]
        net.zero_grad()
        return loss, grads
    compiled = minigrad.compile(train_step)
    xb, yb = minigrad.tensor(x[:4]), minigrad.tensor(y[:4])
    runs = []
    for step in (train_step, compiled):
        minigrad.manual_seed(0)
        runs.append([step(xb, yb) for _ in range(3)])
    assert compiled.replays == 2
    for (le, ge), (lc, gc) in zip(*runs):
        assert np.array_equal(le.detach().numpy(), lc.detach().numpy())
        assert all(np.array_equal(a.numpy(), b.numpy()) for a, b in zip(ge, gc))
    assert not np.array_equal(runs[1][1][0].numpy(), runs[1][2][0].numpy())


def test_the_benchmark_cases_compiled_compute_what_they_compute_eagerly():
    from benchmarks import cases
    for case in [c for c in cases.CASES if c.compiled is not None]:
        eager, compiled = case.setup(minigrad), case.compiled(minigrad)
        for _ in range(3):                        # capture, then replays
            a, b = eager(), compiled()
            if isinstance(a, float):               # Learner.fit's epoch: its validation loss
                assert a == b, case.name
            else:
                assert np.array_equal(a.detach().numpy(), b.detach().numpy()), case.name


def test_a_step_returning_a_loss_to_backward_outside_it_runs_eagerly_and_says_why():
    model, x, y = _iris_like()
    loss_fn = nn.CrossEntropyLoss()
    forward = minigrad.compile(lambda xb, yb: loss_fn(model(xb), yb))
    with pytest.warns(UserWarning, match="its backward would run outside the step"):
        loss = forward(minigrad.tensor(x[:4]), minigrad.tensor(y[:4]))
    loss.backward()                               # eager: the graph is there
    loss = forward(minigrad.tensor(x[:4]), minigrad.tensor(y[:4]))
    assert loss.grad_fn is not None


def test_freezing_a_parameter_is_a_failed_guard_and_a_new_program():
    model, x, y = _iris_like()
    loss_fn = nn.CrossEntropyLoss()

    @minigrad.compile
    def train_step(xb, yb):
        loss = loss_fn(model(xb), yb)
        loss.backward()
        return loss
    xb, yb = minigrad.tensor(x[:4]), minigrad.tensor(y[:4])
    train_step(xb, yb)
    model.zero_grad()
    model[0].weight.requires_grad_(False)
    train_step(xb, yb)
    assert train_step.captures == 2 and model[0].weight.grad is None and model[0].bias.grad is not None


def test_a_parameter_given_new_data_of_its_shape_is_replayed_with_it():
    model, x, y = _iris_like()
    eager_model, _, _ = _iris_like()
    loss_fn = nn.CrossEntropyLoss()
    step = minigrad.compile(lambda xb, yb: loss_fn(model(xb), yb))
    xb, yb = minigrad.tensor(x[:4]), minigrad.tensor(y[:4])
    with minigrad.no_grad():
        step(xb, yb)
        for m in (model, eager_model):
            m[0].weight.data = m[0].weight.data * 2.0          # a new array, the same shape and dtype
        loss = step(xb, yb)
        assert step.captures == 1 and step.replays == 1
        assert loss.numpy().tobytes() == loss_fn(eager_model(xb), yb).numpy().tobytes()


def test_a_parameter_given_data_of_another_shape_is_a_failed_guard_and_a_new_program():
    model, x, y = _iris_like()
    loss_fn = nn.CrossEntropyLoss()
    step = minigrad.compile(lambda xb, yb: loss_fn(model(xb), yb))
    xb, yb = minigrad.tensor(x[:4]), minigrad.tensor(y[:4])
    with minigrad.no_grad():
        step(xb, yb)
        model[0].weight.data = minigrad.ones(model[0].weight.shape[0], model[0].weight.shape[1] + 1)
        with pytest.raises(RuntimeError, match="mat1 and mat2 shapes cannot be multiplied"):
            step(xb, yb)                                      # captured again: eager's error
    assert step.replays == 0


def test_a_step_indexing_with_a_boolean_mask_runs_eagerly_and_says_why():
    w = minigrad.tensor(np.ones(4, np.float32), requires_grad=True)

    def selected_sum(x):
        loss = (x * w)[x > 0].sum()          # as many elements as x has positive values
        loss.backward()
        return loss
    step = minigrad.compile(selected_sum)
    batches = [[1, -1, 2, -2], [1, 1, 2, -2], [-1, -1, 2, -2]]
    with pytest.warns(UserWarning, match="indexing with a boolean mask: the shape of its result depends on values"):
        step(minigrad.tensor(np.array(batches[0], np.float32)))
    for values in batches[1:]:
        w.grad = None
        loss = step(minigrad.tensor(np.array(values, np.float32)))
        assert loss.item() == sum(v for v in values if v > 0) and w.grad.tolist() == [max(v, 0) for v in values]
    assert step.replays == 0


@pytest.mark.parametrize("momentum", [0.1, None])
def test_batchnorm_buffers_after_compiled_steps_are_eagers(momentum):
    """num_batches_tracked counts every replayed batch; momentum=None (a cumulative average, which reads the count
    into Python) runs eagerly."""
    def buffers_after_four_steps(compiled):
        minigrad.manual_seed(0)
        model = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8, momentum=momentum), nn.ReLU(), nn.Linear(8, 3))
        opt = optim.SGD(model.parameters(), lr=0.1)

        def train_step(xb, yb):
            loss = F.cross_entropy(model(xb), yb)
            loss.backward()
            opt.step()
            opt.zero_grad()
            return loss
        step = minigrad.compile(train_step) if compiled else train_step
        _, x, y = _iris_like()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for i in range(4):
                step(minigrad.tensor(x[i:i + 4]), minigrad.tensor(y[i:i + 4]))
        if compiled:
            assert step.replays == (3 if momentum is not None else 0)
        return {k: v.numpy().tobytes() for k, v in model.state_dict().items()}
    assert buffers_after_four_steps(False) == buffers_after_four_steps(True)


INDEXING_STEPS = {
    "embedding": (lambda w, i: F.embedding(i, w).sum(), [0, 2], "index out of range in self", IndexError),
    "index_select": (lambda w, i: w.index_select(0, i).sum(), [0, 2], "index out of range in self", IndexError),
    "gather": (lambda w, i: w.gather(0, i[:, None].expand(2, 3)).sum(), [0, 2],
               "index -1 is out of bounds for dimension 0 with size 5", RuntimeError),
}


@pytest.mark.parametrize("name", INDEXING_STEPS)
def test_a_replayed_index_out_of_range_raises_eagers_error(name):
    f, good, message, error = INDEXING_STEPS[name]
    w = minigrad.tensor(np.arange(15, dtype=np.float32).reshape(5, 3), requires_grad=True)

    def train_step(i):
        loss = f(w * 1.0, i)
        loss.backward()
        return loss
    step = minigrad.compile(train_step)
    for _ in range(2):
        step(minigrad.tensor(good))
    assert step.replays == 1
    bad = minigrad.tensor([0, -1])                       # read as the last row, were it not checked
    for run in (train_step, step):
        with pytest.raises(error, match=message if "-1" in message else "index out of range"):
            run(bad)
    assert step.captures == 1                             # the replay raised, not a new capture


def _cross_entropy_steps(loss=lambda out, y: F.cross_entropy(out, y)):
    """A training step with a loss of class targets, eager and compiled, on two copies of one model."""
    def make(compiled):
        model, _, _ = _iris_like()
        opt = optim.SGD(model.parameters(), lr=0.1)

        def train_step(xb, yb):
            out = loss(model(xb), yb)
            out.backward()
            opt.step()
            opt.zero_grad()
            return out
        return (minigrad.compile(train_step) if compiled else train_step), model
    return make(False), make(True)


@pytest.mark.parametrize("bad", [-1, 3])
def test_a_replayed_batch_with_a_target_out_of_range_raises_eagers_error(bad):
    _, x, y = _iris_like()
    (eager, _), (step, _) = _cross_entropy_steps()
    xb = minigrad.tensor(x[:4])
    step(xb, minigrad.tensor(y[:4])), step(xb, minigrad.tensor(y[:4]))
    assert step.replays == 1
    targets = minigrad.tensor(np.array([0, bad, 1, 2]))
    with pytest.raises(IndexError, match=f"Target {bad} is out of bounds."):
        eager(xb, targets)
    with pytest.raises(IndexError, match=f"Target {bad} is out of bounds."):
        step(xb, targets)


def test_a_replayed_nll_loss_with_a_target_out_of_range_raises_eagers_error():
    _, x, y = _iris_like()
    (_, _), (step, _) = _cross_entropy_steps(lambda out, y: F.nll_loss(F.log_softmax(out, 1), y))
    xb = minigrad.tensor(x[:4])
    step(xb, minigrad.tensor(y[:4])), step(xb, minigrad.tensor(y[:4]))
    assert step.replays == 1
    with pytest.raises(IndexError, match="Target -1 is out of bounds."):
        step(xb, minigrad.tensor(np.array([0, -1, 1, 2])))


def test_batches_with_and_without_ignored_targets_replay_as_eager_computes_them():
    _, x, y = _iris_like()
    (eager, eager_model), (step, model) = _cross_entropy_steps()
    batches = [y[:4], np.array([0, -100, 2, -100]), y[4:8], np.array([-100, 1, 1, 0]), y[8:12]]
    for i, targets in enumerate(batches):
        xb, yb = minigrad.tensor(x[i:i + 4]), minigrad.tensor(targets)
        assert step(xb, yb).detach().numpy().tobytes() == eager(xb, yb).detach().numpy().tobytes()
    assert step.replays > 0
    for p, q in zip(model.parameters(), eager_model.parameters()):
        assert p.detach().numpy().tobytes() == q.detach().numpy().tobytes()


# Each op the tutorials use gives the replay its NumPy as lines (emit_forward, emit_backward): a step of each,
# with broadcasting (the gradient summed back at capture), replays bit for bit what eager computes.
F = minigrad.nn.functional
EMITTED_STEPS = {
    "add sub mul div, broadcast": lambda x, w, b: (((x @ w.T) * b + b - 1.5) / (b + 3.0) - 2.0 * (x @ w.T)).sum(),
    "broadcast over size-1 axes": lambda x, w, b: (x * w[:1]).sum() + (w[:3, :1] * x[:1, :3] + b).mean(),
    "casts": lambda x, w, b: ((x @ w.T).double() * b.double()).float().sum() + (x[:, :3] > 0).float().mean(),
    "pow by a number": lambda x, w, b: ((x @ w.T) ** 2).mean() + (b ** 3).sum(),
    "sum and mean over a dim": lambda x, w, b: ((x @ w.T) * b).sum(1, keepdim=True).mean(0).sum() + (w * 2).mean(1).sum(),
    "matmul of every rank": lambda x, w, b: ((x @ w.T) @ b).sum() + (b @ b) + (x[0] @ w.T).sum() + (w @ x[0]).sum(),
    "matmul 2-D by 1-D over one row (broadcast multiplies)": lambda x, w, b: ((x[:1] @ w.T) @ b).sum() + (x[:1, :3] @ b).sum(),
    # the loss itself: its gradient is backward's seed of ones, which the lines leave out or fold at capture
    "mse as the loss": lambda x, w, b: F.mse_loss(F.linear(x, w, b)[:, 0], x[:, 1]),
    "mean as the loss": lambda x, w, b: ((x @ w.T - b) ** 2).mean(),
    "cross_entropy as the loss (mean)": lambda x, w, b: F.cross_entropy(x @ w.T + b, minigrad.tensor([0, 2, 1, 1, 0])),
    "cross_entropy as the loss (sum)": lambda x, w, b: F.cross_entropy(x @ w.T + b, minigrad.tensor([0, 2, 1, 1, 0]), reduction="sum"),
    "linear, select, mse": lambda x, w, b: F.mse_loss(F.linear(x, w, b)[:, 0], x[:, 1]) + F.mse_loss(x @ w.T, x @ w.T * 0, reduction="sum"),
    "sigmoid relu softmax log_softmax": lambda x, w, b: (F.softmax(F.relu(x @ w.T + b), dim=1) * F.log_softmax(torch_sigmoid(x @ w.T), dim=1)).sum(),
    "exp, log": lambda x, w, b: ((x @ w.T * 0.1).exp() * b).mean() + (b * b + 1.0).log().mean(),
    "where, number minus tensor": lambda x, w, b: minigrad.where(x[:, :3] > 0, 1 - (x @ w.T).sigmoid(), b * 2).mean(),
    # a batch of one: sums over one element (0 + x: -0.0 becomes 0.0), x[:, 0] of one column, in-place
    # updates of one-element parameters
    "a batch of one": lambda x, w, b: (F.mse_loss(F.linear(x[:1], w[:1], b[:1])[:, 0], x[:1, 1])
                                       + ((x[:1, :1] @ w[:1, :1] + b[:1]) * 0.5 - x[:1, 2:3]).pow(2).mean()
                                       + (x[:1, :1] * -0.0 * w[:1, :1]).sum() + (b[:1] * -0.0).mean()),
    "cross_entropy": lambda x, w, b: F.cross_entropy(x @ w.T + b, minigrad.tensor([0, 2, 1, 1, 0])) + F.cross_entropy(x @ w.T, minigrad.tensor([2, 2, 1, 0, 0]), reduction="sum"),
}


def torch_sigmoid(t):
    return t.sigmoid()


def _emitted_step_params(seed):
    rng = np.random.default_rng(seed)
    w = minigrad.tensor(rng.standard_normal((3, 4)).astype(np.float32), requires_grad=True)
    b = minigrad.tensor(rng.standard_normal(3).astype(np.float32), requires_grad=True)
    return w, b


@pytest.mark.parametrize("name", EMITTED_STEPS)
def test_each_emitting_op_replays_as_numpy_lines_bit_identical_to_eager(name):
    f = EMITTED_STEPS[name]
    rng = np.random.default_rng(1)
    xs = [minigrad.tensor(rng.standard_normal((5, 4)).astype(np.float32)) for _ in range(4)]
    results = []
    for compiled in (False, True):
        w, b = _emitted_step_params(0)
        opt = optim.SGD([w, b], lr=0.01)

        def train_step(x):
            loss = f(x, w, b)
            loss.backward()
            opt.step()
            opt.zero_grad(set_to_none=False)
            return loss
        step = minigrad.compile(train_step) if compiled else train_step
        losses = [step(x).detach().numpy().copy() for x in xs]
        results.append((losses, w.detach().numpy().copy(), b.detach().numpy().copy()))
    assert step.replays == len(xs) - 1
    source = step.programs[0].source
    assert ".backward(" not in source and "(n0" not in source, source      # no op called: every line emitted
    (l1, w1, b1), (l2, w2, b2) = results
    assert all(np.array_equal(a, c) for a, c in zip(l1, l2)) and np.array_equal(w1, w2) and np.array_equal(b1, b2)


@pytest.mark.parametrize("name", EMITTED_STEPS)
def test_each_emitting_ops_gradients_are_eagers_to_the_bit_zero_signs_included(name):
    # the gradients as the backward leaves them (fresh .grads, not summed into zeros, which would hide a -0.0),
    # compared as bytes: np.array_equal cannot tell -0.0 from 0.0
    f = EMITTED_STEPS[name]
    rng = np.random.default_rng(2)
    xs = [minigrad.tensor(rng.standard_normal((5, 4)).astype(np.float32)) for _ in range(3)]
    results = []
    for compiled in (False, True):
        w, b = _emitted_step_params(0)

        def step(x):
            loss = f(x, w, b)
            loss.backward()
            grads = (w.grad.detach().clone(), b.grad.detach().clone())
            w.grad = b.grad = None
            return loss, grads
        run = minigrad.compile(step) if compiled else step
        results.append([[t.detach().numpy().tobytes() for t in (loss, *grads)] for loss, grads in map(run, xs)])
    assert run.replays == len(xs) - 1
    assert results[0] == results[1]


def test_the_listing_shows_the_numpy_lines_the_replay_runs():
    model = nn.Linear(4, 3)
    opt = optim.SGD(model.parameters(), lr=0.1)

    @minigrad.compile
    def train_step(x, y):
        loss = nn.functional.mse_loss(model(x)[:, 0], y)
        loss.backward()
        opt.step()
        opt.zero_grad()
        return loss
    train_step(minigrad.randn(2, 4), minigrad.randn(2))
    listing = train_step.program
    assert "| v0 = K.x_wt(input0, model.weight)" in listing
    assert "| v1 = v0[:, 0]" in listing
    assert "| dv0_in1 = K.mm(dv0.T, input0)" in listing
    assert ("| if model.weight._grad is not None: K.add_scaled(model.weight._data, model.weight._grad._data, -lr, "
            "out=model.weight._data)") in listing


def _train_with(make_opt, steps=5, dtype=np.float32):
    model, x, y = _iris_like(dtype=dtype)
    opt = make_opt(model.parameters())
    loss_fn = nn.CrossEntropyLoss()

    def train_step(xb, yb):
        loss = loss_fn(model(xb), yb)
        loss.backward()
        opt.step()
        opt.zero_grad()
        return loss
    starts = [4 * i % 8 for i in range(steps)]
    return model, opt, train_step, [(minigrad.tensor(x[i:i + 4]), minigrad.tensor(y[i:i + 4])) for i in starts]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_adams_update_replays_as_numpy_lines_without_calling_step(dtype, monkeypatch):
    from minigrad.optim import adam
    results = []
    for compiled in (False, True):
        model, opt, train_step, batches = _train_with(lambda p: optim.Adam(p, lr=0.01), dtype=dtype)
        step = minigrad.compile(train_step) if compiled else train_step
        losses = [step(*batches[0]).detach().numpy().copy()]
        if compiled:                              # captured: the replays must not call Adam's step
            monkeypatch.setattr(adam, "_multi_tensor_adam", None)
        losses += [step(*b).detach().numpy().copy() for b in batches[1:]]
        monkeypatch.undo()
        state = [(s["step"].item(), s["exp_avg"].numpy().copy(), s["exp_avg_sq"].numpy().copy())
                 for s in opt.state_dict()["state"].values()]
        results.append((losses, [p.detach().numpy().copy() for p in model.parameters()], state))
    assert step.replays == 4 and "K.add_scaled(m, tmp, 1 - beta1, out=m)" in step.program
    (l1, p1, s1), (l2, p2, s2) = results
    assert all(np.array_equal(a, b) for a, b in zip(l1, l2)) and all(np.array_equal(a, b) for a, b in zip(p1, p2))
    assert all(a[0] == b[0] and np.array_equal(a[1], b[1]) and np.array_equal(a[2], b[2]) for a, b in zip(s1, s2))


@pytest.mark.parametrize("options", [dict(amsgrad=True), dict(weight_decay=0.1), dict(maximize=True),
                                     dict(foreach=False)])
def test_adam_options_without_lines_step_through_the_call_bit_identically(options):
    results = []
    for compiled in (False, True):
        model, opt, train_step, batches = _train_with(lambda p: optim.Adam(p, lr=0.01, **options))
        step = minigrad.compile(train_step) if compiled else train_step
        losses = [step(*b).detach().numpy().copy() for b in batches]
        results.append((losses, [p.detach().numpy().copy() for p in model.parameters()]))
    (l1, p1), (l2, p2) = results
    assert step.replays == 4
    assert all(np.array_equal(a, b) for a, b in zip(l1, l2)) and all(np.array_equal(a, b) for a, b in zip(p1, p2))


def test_adam_lines_fall_back_to_the_call_when_options_change_between_replays():
    results = []
    for compiled in (False, True):
        model, opt, train_step, batches = _train_with(lambda p: optim.Adam(p, lr=0.01), steps=6)
        step = minigrad.compile(train_step) if compiled else train_step
        losses = []
        for i, b in enumerate(batches):
            if i == 3:
                opt.param_groups[0]["weight_decay"] = 0.5
                opt.param_groups[0]["betas"] = (0.8, 0.99)
            losses.append(step(*b).detach().numpy().copy())
        results.append((losses, [p.detach().numpy().copy() for p in model.parameters()]))
    (l1, p1), (l2, p2) = results
    assert all(np.array_equal(a, b) for a, b in zip(l1, l2)) and all(np.array_equal(a, b) for a, b in zip(p1, p2))


def test_adam_lines_use_betas_and_eps_changed_between_replays():
    """A schedule that moves the betas (OneCycleLR's cycle_momentum) or eps: the replay's lines read them live."""
    results = []
    for compiled in (False, True):
        model, opt, train_step, batches = _train_with(lambda p: optim.Adam(p, lr=0.01), steps=6)
        step = minigrad.compile(train_step) if compiled else train_step
        losses = []
        for i, b in enumerate(batches):
            opt.param_groups[0]["betas"] = (0.9 - 0.02 * (i // 2), 0.999 - 0.001 * (i // 3))
            opt.param_groups[0]["eps"] = 1e-8 if i < 4 else 1e-3
            losses.append(step(*b).detach().numpy().copy())
        results.append((losses, [p.detach().numpy().copy() for p in model.parameters()]))
    (l1, p1), (l2, p2) = results
    assert step.replays == 5 and ".concatenate(" in step.programs[0].source      # replayed by the lines
    assert all(a.tobytes() == b.tobytes() for a, b in zip(l1, l2)) and all(a.tobytes() == b.tobytes() for a, b in zip(p1, p2))


def test_switching_the_backend_captures_a_new_program():
    from minigrad import backend
    model, x, y = _iris_like()
    loss_fn = nn.CrossEntropyLoss()
    step = minigrad.compile(lambda xb, yb: loss_fn(model(xb), yb))
    xb, yb = minigrad.tensor(x[:4]), minigrad.tensor(y[:4])
    with minigrad.no_grad():
        step(xb, yb)
        before = backend.get_backend()
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", backend.BackendWarning)
                backend.set_backend("exact" if before == "numpy" else "numpy")
            step(xb, yb)
        finally:
            backend.set_backend(before)
        step(xb, yb)
    assert step.captures == 2 and step.replays == 1


def test_argmax_inside_the_step_is_replayed_on_the_arrays():
    model, x, y = _iris_like()

    @minigrad.compile
    def accuracy(xb, yb):
        return (minigrad.argmax(model(xb), dim=1) == yb).float().mean()
    batches = [(minigrad.tensor(x[i:i + 4]), minigrad.tensor(y[i:i + 4])) for i in (0, 4, 8)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = [accuracy(*b).item() for b in batches]
    assert accuracy.replays == 2
    assert got == [(minigrad.argmax(model(xb), dim=1) == yb).float().mean().item() for xb, yb in batches]


@pytest.mark.parametrize("make_opt", [lambda p: optim.SGD(p, lr=0.1), lambda p: optim.Adam(p, lr=0.01)],
                         ids=["SGD", "Adam"])
def test_gradients_the_step_drops_are_read_by_name_and_accumulated_where_grad_exists(make_opt):
    # backward, step(), zero_grad(): where the parameters have no .grad, the replay's update reads the
    # gradients by name, without making .grad tensors for zero_grad to drop; where one already has a .grad
    # (an eager backward before the step), the replay accumulates into it first, as eager does. Both give
    # eager's bits.
    results = []
    for compiled in (False, True):
        model, opt, train_step, batches = _train_with(make_opt)
        step = minigrad.compile(train_step) if compiled else train_step
        losses = [step(*b).detach().numpy().copy() for b in batches[:3]]
        nn.CrossEntropyLoss()(model(batches[3][0]), batches[3][1]).backward()      # .grad before the step
        losses += [step(*b).detach().numpy().copy() for b in batches[3:]]
        assert all(p.grad is None for p in model.parameters())
        results.append((losses, [p.detach().numpy().copy() for p in model.parameters()]))
    assert step.replays == 4 and "._grad is None and not " in step.programs[0].source
    (l1, p1), (l2, p2) = results
    assert all(np.array_equal(a, b) for a, b in zip(l1, l2)) and all(np.array_equal(a, b) for a, b in zip(p1, p2))


@pytest.mark.parametrize("make_opt", [lambda p: optim.SGD(p, lr=0.1), "fastai"], ids=["SGD-set_to_none-False", "fastai-SGD"])
def test_an_optimizer_that_zeroes_gradients_in_place_leaves_zero_grads_as_eager_does(make_opt):
    # zero_grad(set_to_none=False) and fastai's zero_grad keep each .grad as a zero tensor: a replay that
    # starts with no .grad (model.zero_grad() set them to None) ends with zero .grads, as eager does
    if make_opt == "fastai":
        from minigrad.fastai import SGD
        make_opt = lambda p: SGD(list(p), lr=0.1)       # noqa: E731
    results = []
    for compiled in (False, True):
        model, opt, _, batches = _train_with(make_opt)
        loss_fn = nn.CrossEntropyLoss()

        def train_step(xb, yb):
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
            opt.zero_grad(**({} if hasattr(opt, "hypers") else {"set_to_none": False}))
            return loss
        step = minigrad.compile(train_step) if compiled else train_step
        grads = []
        for b in batches:
            model.zero_grad()                              # .grad set to None before each step
            step(*b)
            grads.append([None if p.grad is None else p.grad.numpy().copy() for p in model.parameters()])
        results.append((grads, [p.detach().numpy().copy() for p in model.parameters()]))
    assert step.replays == len(batches) - 1
    (g1, p1), (g2, p2) = results
    assert all(g is not None and not g.any() for gs in g2 for g in gs)
    assert [[g.shape for g in gs] for gs in g1] == [[g.shape for g in gs] for gs in g2]
    assert all(np.array_equal(a, b) for a, b in zip(p1, p2))


def test_a_matrix_times_vector_gives_eager_zero_signs_when_compiled():
    # one product per gradient entry (x has one row): 0 * -2 is -0.0 from a multiply, 0.0 from a matmul's
    # sum; the replay writes a multiply, so eager must compute the same (np.array_equal cannot see the sign)
    results = []
    for compiled in (False, True):
        w, b = minigrad.tensor([1.0], requires_grad=True), minigrad.tensor([0.0], requires_grad=True)

        def step(xb, yb):
            loss = (xb @ w + b - yb).pow(2).mean()
            loss.backward()
            grads = (w.grad.detach().clone(), b.grad.detach().clone())
            w.grad = b.grad = None
            return loss, grads
        run = minigrad.compile(step) if compiled else step
        xb, yb = minigrad.tensor([[-2.0]]), minigrad.tensor([-2.0])          # pred == y: the gradient is 0
        results.append([[np.signbit(g.numpy()).tolist() for g in run(xb, yb)[1]] for _ in range(3)])
    assert results[0] == results[1]


# Differences the compile fuzzer (tests/test_fuzz_compile.py) found, each as the smallest step that shows it.
def _each_calls_bits(loss_of, params, batches, compiled):
    """Each call's loss and fresh gradients, as (dtype, shape, bytes), from a step eager or compiled; and the
    step function."""
    params = [minigrad.tensor(p, requires_grad=True) for p in params]

    def step(*batch):
        loss = loss_of(*params, *batch)
        loss.backward()
        grads = [p.grad.detach().clone() for p in params]
        for p in params:
            p.grad = None
        return loss, grads
    run = minigrad.compile(step) if compiled else step
    bits = []
    for batch in batches:
        loss, grads = run(*[minigrad.tensor(b) for b in batch])
        bits.append([(t.dtype, t.shape, t.detach().numpy().tobytes()) for t in (loss, *grads)])
    return bits, run


def _assert_compiled_gives_eagers_bits(loss_of, params, batches):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")             # NumPy's, of the NaNs these steps make
        warnings.filterwarnings("error", "minigrad.compile")     # compile's fallback to eager: not here
        eager, _ = _each_calls_bits(loss_of, params, batches, compiled=False)
        compiled, run = _each_calls_bits(loss_of, params, batches, compiled=True)
    assert (run.captures, run.replays) == (1, len(batches) - 1)
    assert compiled == eager


def test_a_mean_over_a_dim_with_keepdim_replays_its_quotient_reshaped():
    # the replay's mean is a sum divided by the count; keepdim's reshape applies to the quotient (it once
    # reshaped the count alone, and a (2, 2) parameter's mean over dim 0 failed to replay)
    p = np.array([[1.0, -2.0], [0.5, 3.0]], np.float32)
    _assert_compiled_gives_eagers_bits(lambda p, x: (p.mean(0, keepdim=True) * x).relu().sum(),
                                       [p], [(np.float32(v),) for v in (1.0, -1.0, 2.0)])


def test_where_with_a_python_number_is_replayed_not_run_eagerly():
    # where(cond, x, 0.0) made the number an array the capture could not trace, and the step ran eagerly
    p = np.array([[1.0, -2.0, 0.0], [0.5, -0.0, 3.0]], np.float32)
    _assert_compiled_gives_eagers_bits(
        lambda p, x: (minigrad.where(x > 0, p, 0.0) + minigrad.where(x < 0, -1.5, p * p)).sum(),
        [p], [(np.array(v, np.float32),) for v in ([1.0, -1.0, 0.0], [-0.0, 2.0, -3.0], [1.0, 1.0, -1.0])])


def test_cross_entropy_under_an_infinite_gradient_replays_eagers_nans():
    # backward's NaNs where torch subtracts infinities at the targets (its gradient is inf, not the seed):
    # the replay's lines once left them out and gave -inf there
    p = np.array([[1.0, 2.0, 0.0], [0.5, -1.0, 3.0]], np.float32)
    target = minigrad.tensor([0, 2])
    for reduction in ("mean", "sum"):
        _assert_compiled_gives_eagers_bits(lambda p, x: nn.functional.cross_entropy(p, target, reduction=reduction) * x,
                                           [p], [(np.float32(v),) for v in (np.inf, 2.0, -np.inf)])


def test_a_softmax_of_a_0d_tensor_gives_eagers_nan_signs():
    # softmax(inf) is NaN; for a 0-d input forward's NumPy gives scalars, and NumPy's scalar arithmetic and its
    # array loops propagate different ones of two NaNs: the replay runs forward and backward themselves there
    _assert_compiled_gives_eagers_bits(
        lambda p0, p1, x: nn.functional.mse_loss(p1.relu(), nn.functional.softmax(p0, dim=0)) * x,
        [np.float32(np.inf), np.float32(0.0)], [(np.float32(v),) for v in (1.0, -1.0, 2.0)])


@pytest.mark.parametrize("set_to_none", [True, False])
def test_a_one_element_update_keeps_eagers_nan_where_weight_and_gradient_are_nan(set_to_none):
    # NumPy's in-place add gives its second operand's NaN where both are NaN, an add out of place its first's:
    # the replay's one-element update, written out of place, adds in the order that gives eager's NaN
    params = []
    for compiled in (False, True):
        p = minigrad.tensor(np.float32(np.nan), requires_grad=True)
        opt = optim.SGD([p], lr=0.1)

        def step(x):
            loss = (p * x).sum()                 # p's gradient: x
            loss.backward()
            opt.step()
            opt.zero_grad(set_to_none=set_to_none)
            return loss
        run = minigrad.compile(step) if compiled else step
        params.append([])
        for sign in (-1, 1, -1):                 # a NaN of the other sign than p's at each call
            run(minigrad.tensor(np.copysign(np.float32(np.nan), np.float32(sign))))
            params[-1].append(p.detach().numpy().tobytes())
    assert run.replays == 2
    assert params[0] == params[1]


def test_a_mean_of_a_0d_tensor_gives_its_gradient_as_an_array_as_eager_does():
    # the mean's gradient, for a 0-d input, is an array (_spread); the replay's quotient was a NumPy scalar,
    # and summed with another NaN gradient NumPy's scalar arithmetic gave the other NaN
    _assert_compiled_gives_eagers_bits(lambda p, x: nn.functional.mse_loss((p + 0.0).mean(), p / (x @ x)),
                                       [np.float32(0.0)], [(np.zeros((2, 2), np.float32),)] * 3)


def test_a_linear_of_one_row_to_one_output_adds_its_bias_nan_as_eager_does():
    # eager adds the bias in place (out += b), which for one element gives the bias's NaN where both are NaN;
    # the one-row replay added it out of place, after the product, and kept the product's NaN
    product_nan = np.float32(np.inf) * np.float32(0.0)        # the NaN inf * 0 gives, and the bias the other
    w, b = np.array([[np.inf, 1.0]], np.float32), np.array([-product_nan], np.float32)
    _assert_compiled_gives_eagers_bits(lambda w, b, x: nn.functional.linear(x, w, b).sum(),
                                       [w, b], [(np.array([[v, 1.0]], np.float32),) for v in (0.0, -0.0, 0.0)])


def _cross_entropy_step_bits(compiled, targets, **options):
    """Each call's loss and gradient from a cross_entropy step, eager or compiled, on the given target batches."""
    logits = minigrad.tensor(np.array([[1.0, 2.0, 0.5], [0.5, -1.0, 3.0]], np.float32), requires_grad=True)

    def step(t):
        loss = nn.functional.cross_entropy(logits, t, **options)
        loss.backward()
        grad = logits.grad.detach().clone()
        logits.grad = None
        return loss, grad
    run = minigrad.compile(step) if compiled else step
    return [[r.detach().numpy().tobytes() for r in run(minigrad.tensor(t))] for t in targets], run


def test_cross_entropy_replays_a_batch_with_an_ignored_target_as_eager_does():
    # whether a target is ignore_index is decided in Python from the targets' values; the program captured
    # without one indexed the logits at -100 when a later batch had one (IndexError, or another class's
    # score for 100 classes or more): the replay checks that decision again, and captures a batch that
    # differs in it
    targets = [[0, 2], [-100, 2], [1, 0], [-100, -100]]
    eager, _ = _cross_entropy_step_bits(False, targets)
    compiled, run = _cross_entropy_step_bits(True, targets)
    assert compiled == eager
    assert run.captures == 2 and run.replays == 2


def test_a_target_out_of_range_at_a_replay_raises_eagers_index_error():
    # eager checks each target against the class count; the replay once indexed the logits with -1 and
    # returned the last class's loss
    _, run = _cross_entropy_step_bits(True, [[0, 2]])
    with pytest.raises(IndexError, match="^Target -1 is out of bounds.$"):
        run(minigrad.tensor([-1, 0]))


def test_label_smoothing_is_captured_and_replays_eagers_bits():
    # label smoothing's mean divided by a total read from the targets with NumPy, which the capture could not
    # trace (the step ran eagerly); that total is now a check made again at each replay
    targets = [[0, 2], [1, 1], [-100, 2], [0, 0]]
    with warnings.catch_warnings():
        warnings.filterwarnings("error", "minigrad.compile")
        eager, _ = _cross_entropy_step_bits(False, targets, label_smoothing=0.1)
        compiled, run = _cross_entropy_step_bits(True, targets, label_smoothing=0.1)
    assert compiled == eager
    assert run.captures == 2 and run.replays == 2


def test_a_scheduler_stepped_inside_the_step_is_stepped_at_each_replay():
    # scheduler.step() inside the compiled step set the lr in Python, unrecorded: the replays kept the lr of
    # the capture's end, and the parameters drifted from eager's
    lrs, params = [], []
    for compiled in (False, True):
        w = minigrad.tensor(np.array([1.0, -2.0], np.float32), requires_grad=True)
        opt = optim.SGD([w], lr=0.1)
        scheduler = optim.lr_scheduler.ExponentialLR(opt, gamma=0.5)

        def step(x):
            loss = (w * x).sum()
            loss.backward()
            opt.step()
            scheduler.step()
            opt.zero_grad()
            return loss
        run = minigrad.compile(step) if compiled else step
        for _ in range(4):
            run(minigrad.tensor(np.array([1.0, 3.0], np.float32)))
        lrs.append(opt.param_groups[0]["lr"])
        params.append(w.detach().numpy().tobytes())
    assert run.replays == 3
    assert lrs[0] == lrs[1] == 0.1 * 0.5 ** 4 and params[0] == params[1]


@pytest.mark.parametrize("clip", [lambda m: nn.utils.clip_grad_norm_(m.parameters(), 0.5),
                                  lambda m: nn.utils.clip_grad_value_(m.parameters(), 0.1)],
                         ids=["clip_grad_norm_", "clip_grad_value_"])
def test_gradient_clipping_inside_the_step_is_replayed_not_run_eagerly(clip):
    # clipping scales the gradients in place with NumPy, which the capture could not record: the step ran
    # eagerly; it is now a call made again at each replay, on model.parameters() read once at capture
    params = []
    for compiled in (False, True):
        model, x, y = _iris_like()
        opt = optim.SGD(model.parameters(), lr=0.1)

        def step(xb, yb):
            loss = nn.functional.cross_entropy(model(xb), yb)
            loss.backward()
            clip(model)
            opt.step()
            opt.zero_grad()
            return loss
        run = minigrad.compile(step) if compiled else step
        with warnings.catch_warnings():
            warnings.filterwarnings("error", "minigrad.compile")
            for i in range(3):
                run(minigrad.tensor(x[4 * i:4 * i + 4]), minigrad.tensor(y[4 * i:4 * i + 4]))
        params.append([p.detach().numpy().tobytes() for p in model.parameters()])
    assert run.replays == 2
    assert params[0] == params[1]


def test_a_compiled_modules_shared_weight_sums_its_gradients_with_one_from_outside_in_eagers_order():
    # a layer used twice gives its weight two gradients inside the module, and a penalty on the weight a third
    # from outside: eager's engine sums them (outside + first) + second; the compiled module's node once
    # returned first + second, summed, and the engine made outside + (first + second), other bits
    grads = []
    for compiled in (False, True):
        layer = nn.Linear(2, 2, bias=False)
        with minigrad.no_grad():
            layer.weight.copy_(minigrad.tensor([[0.3, 1.1], [-0.7, 0.2]]))
        model = nn.Sequential(layer, layer)
        net = minigrad.compile(model) if compiled else model
        grads.append([])
        for x in ([[1.0, 1.0]], [[0.1, -3.0]], [[2.5, 0.7]]):
            loss = net(minigrad.tensor(x)).sum() + (layer.weight * layer.weight).sum() * 0.01
            loss.backward()
            grads[-1].append(layer.weight.grad.numpy().tobytes())
            layer.weight.grad = None
    assert net.replays == 2
    assert grads[0] == grads[1]


def test_a_batch_with_an_ignored_target_after_dropout_draws_eagers_masks():
    # the targets' check is made first in the replay, before dropout draws its mask: a batch that fails it is
    # captured again having drawn nothing, so the masks, and the losses, stay eager's
    model, x, _ = _iris_like()
    net = nn.Sequential(model, nn.Dropout(0.5))
    targets = [[0, 2, 1, 1], [1, -100, 0, 2], [2, 2, 0, 1]]

    def train_step(xb, yb):
        loss = nn.functional.cross_entropy(net(xb), yb)
        loss.backward()
        net.zero_grad()
        return loss
    compiled = minigrad.compile(train_step)
    runs = []
    with warnings.catch_warnings():
        warnings.filterwarnings("error", "minigrad.compile")
        for step in (train_step, compiled):
            minigrad.manual_seed(0)
            runs.append([step(minigrad.tensor(x[:4]), minigrad.tensor(t)).detach().numpy().tobytes() for t in targets])
    assert (compiled.captures, compiled.replays) == (2, 1)
    assert runs[0] == runs[1]


def test_a_compiled_module_whose_first_layer_works_in_place_on_an_input_from_a_graph_runs_eagerly():
    # the capture runs the module on a leaf that stands in for each input; ReLU(inplace=True) on it raised
    # "a leaf Variable that requires grad is being used in an in-place operation", which eager, on the
    # input from a graph, does not: the module now runs eagerly, with compile's warning
    results = []
    for compiled in (False, True):
        model, x, _ = _iris_like()
        model.insert(0, nn.ReLU(inplace=True))
        net = minigrad.compile(model) if compiled else model
        a = minigrad.tensor(x[:4], requires_grad=True)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            out = net(a * 2.0)
        out.sum().backward()
        results.append([out.detach().numpy().tobytes(), a.grad.numpy().tobytes()])
    assert [str(w.message) for w in caught] == [
        "minigrad.compile: Sequential runs eagerly from now on: its forward raised on an input made a leaf (a leaf "
        "Variable that requires grad is being used in an in-place operation.)"]
    assert results[0] == results[1]


def test_a_compiled_modules_parameter_broadcast_twice_sums_its_nan_gradients_as_eager_does():
    # a 0-d parameter broadcast in two ops gets two gradients summed back to NumPy scalars; eager's engine
    # adds those scalars, and the compiled module's node once returned them summed back already, which the
    # engine made 0-d arrays, whose sum keeps the other of two NaNs
    class TwoUses(nn.Module):
        def __init__(self):
            super().__init__()
            self.p = nn.Parameter(minigrad.tensor(np.float32(0.0)))

        def forward(self, x):
            return self.p - (self.p + x)
    nan = np.float32(np.inf) * np.float32(0.0)
    grads = []
    for compiled in (False, True):
        model = TwoUses()
        net = minigrad.compile(model) if compiled else model
        grads.append([])
        for sign in (1, -1, 1):
            out = net(minigrad.tensor(np.zeros((1, 2), np.float32)))
            nn.functional.mse_loss(out, minigrad.tensor(np.array([[0.0, np.copysign(nan, sign)]], np.float32))).backward()
            grads[-1].append(model.p.grad.numpy().tobytes())
            model.p.grad = None
    assert net.replays == 2
    assert grads[0] == grads[1]
