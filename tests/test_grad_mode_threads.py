"""Grad mode is per thread, as torch's: one thread's no_grad (an optimizer's step) leaves the others' on."""
import sys
import threading

import numpy as np

import minigrad


def _train(seed, steps, barrier=None):
    """A small regression trained with SGD; with a barrier, each step waits for the other thread, so that
    one thread's no_grad step overlaps the other's forward and backward."""
    rng = np.random.default_rng(seed)
    x = minigrad.tensor(rng.standard_normal((16, 3)))
    y = minigrad.tensor(rng.standard_normal((16, 1)))
    w = minigrad.tensor(rng.standard_normal((3, 1)), requires_grad=True)
    opt = minigrad.optim.SGD([w], lr=0.1)
    losses = []
    for _ in range(steps):
        if barrier is not None:
            barrier.wait()
        loss = ((x @ w - y) ** 2).mean()
        loss.backward()
        opt.step()
        opt.zero_grad()
        losses.append(loss.item())
    return losses, w.detach().numpy().copy()


def test_no_grad_in_one_thread_leaves_grad_mode_on_in_another():
    seen = {}
    inside, done = threading.Event(), threading.Event()

    def holder():
        with minigrad.no_grad():
            inside.set()
            done.wait(5)

    t = threading.Thread(target=holder)
    t.start()
    inside.wait(5)
    seen["main"] = minigrad.is_grad_enabled()
    done.set()
    t.join()
    assert seen["main"] is True


def test_a_model_trains_while_another_thread_is_inside_an_optimizer_step():
    """An optimizer's step runs under @no_grad; a model trained meanwhile in another thread still records."""
    inside, done = threading.Event(), threading.Event()

    @minigrad.no_grad()
    def slow_step():
        inside.set()
        done.wait(5)

    t = threading.Thread(target=slow_step)
    t.start()
    inside.wait(5)
    try:
        trained = _train(1, 5)
    finally:
        done.set()
        t.join()
    assert trained[0] == _train(1, 5)[0]


def test_a_new_thread_starts_with_grad_mode_on():
    result = []
    with minigrad.no_grad():
        t = threading.Thread(target=lambda: result.append(minigrad.is_grad_enabled()))
        t.start()
        t.join()
    assert result == [True]


def test_two_models_trained_in_two_threads_match_sequential_training():
    sequential = [_train(seed, 200) for seed in (1, 2)]
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)                 # threads switch every few bytecodes: steps interleave
    try:
        threaded = _train_in_threads()
    finally:
        sys.setswitchinterval(interval)
    for (loss_s, w_s), (loss_t, w_t) in zip(sequential, threaded):
        assert loss_s == loss_t
        np.testing.assert_array_equal(w_s, w_t)


def _train_in_threads():
    barrier = threading.Barrier(2)
    threaded = [None, None]

    def run(i, seed):
        threaded[i] = _train(seed, 200)

    threads = [threading.Thread(target=run, args=(i, seed)) for i, seed in enumerate((1, 2))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return threaded
