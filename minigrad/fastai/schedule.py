"""fastai's one-cycle training and its Adam (fastai/callback/schedule.py, fastai/optimizer.py 2.8.12), on
minigrad: `Adam`, the schedule functions, `ParamScheduler`, `Learner.fit_one_cycle` and `Learner.lr_find`.

One cycle (pct = fraction of training done, pct_start = 0.25):
    lr:  cosine from lr_max/div (div=25) up to lr_max over the first pct_start, then cosine down to
         lr_max/div_final (div_final=1e5)
    mom: cosine 0.95 -> 0.85, then 0.85 -> 0.95 (the Learner's moms)
fastai's Adam (decoupled weight decay wd=0.01, mom=0.9, sqr_mom=0.99, eps=1e-5), per parameter:
    p *= 1 - lr*wd                                  (not on batch-norm weights or biases: wd_bn_bias=False)
    grad_avg = mom*grad_avg + (1-mom)*g;   sqr_avg = sqr_mom*sqr_avg + (1-sqr_mom)*g*g
    p -= lr / debias1 * grad_avg / (sqrt(sqr_avg/debias2) + eps),  debias(m) = 1 - m**step
"""
import math

import numpy as np

from ..backend import kernels as K
from ..tensor import Tensor
from .callback import Callback
from .optimizer import Optimizer, weight_decay, l2_reg
from .callback import CancelFitException
from .callback import CancelValidException

__all__ = ["Adam", "average_sqr_grad", "step_stat", "adam_step", "debias", "sched_lin", "sched_cos", "sched_no",
           "sched_exp", "SchedLin", "SchedCos", "SchedNo", "SchedExp", "combine_scheds", "combined_cos",
           "ParamScheduler", "fit_one_cycle", "LRFinder", "lr_find"]


# ------------------------------------------------------------------ fastai's Adam (stepper callbacks)

def average_grad_damp(p, mom, grad_avg=None, **kwargs):
    "grad_avg = mom * grad_avg + (1 - mom) * grad (fastai's average_grad with dampening=True)"
    g = p.grad._data
    if grad_avg is None:
        grad_avg = np.zeros_like(g)
    grad_avg *= mom
    grad_avg += (1 - mom) * g
    return {"grad_avg": grad_avg}


average_grad_damp.defaults = dict(mom=0.9)


def average_sqr_grad(p, sqr_mom, dampening=True, sqr_avg=None, **kwargs):
    "sqr_avg = sqr_mom * sqr_avg + (1 - sqr_mom) * grad**2"
    g = p.grad._data
    if sqr_avg is None:
        sqr_avg = np.zeros_like(g)
    damp = 1 - sqr_mom if dampening else 1.
    sqr_avg *= sqr_mom
    sqr_avg += damp * (g * g)
    return {"sqr_avg": sqr_avg}


average_sqr_grad.defaults = dict(sqr_mom=0.99)


def step_stat(p, step=0, **kwargs):
    "Count the steps taken for `p`."
    return {"step": step + 1}


def debias(mom, damp, step):
    return damp * (1 - mom ** step) / (1 - mom)


def adam_step(p, lr, mom, step, sqr_mom, grad_avg, sqr_avg, eps, **kwargs):
    "p -= lr/debias1 * grad_avg / (sqrt(sqr_avg/debias2) + eps)"
    debias1 = debias(mom, 1 - mom, step)
    debias2 = debias(sqr_mom, 1 - sqr_mom, step)
    w = p._data
    denom = K.sqrt(sqr_avg / w.dtype.type(debias2))
    denom += w.dtype.type(eps)
    w -= w.dtype.type(lr / debias1) * grad_avg / denom
    p._bump_version()
    return p


adam_step._defaults = dict(eps=1e-5)


def Adam(params, lr, mom=0.9, sqr_mom=0.99, eps=1e-5, wd=0.01, decouple_wd=True):
    "fastai's Adam/AdamW `Optimizer`."
    cbs = [weight_decay] if decouple_wd else [l2_reg]
    cbs += [average_grad_damp, average_sqr_grad, step_stat, adam_step]
    return Optimizer(params, cbs, lr=lr, mom=mom, sqr_mom=sqr_mom, eps=eps, wd=wd)


# ------------------------------------------------------------------ schedules

def sched_lin(start, end, pos):
    return start + pos * (end - start)


def sched_cos(start, end, pos):
    return start + (1 + math.cos(math.pi * (1 - pos))) * (end - start) / 2


def sched_no(start, end, pos):
    return start


def sched_exp(start, end, pos):
    return start * (end / start) ** pos


class _Annealer:
    def __init__(self, f, start, end):
        self.f, self.start, self.end = f, start, end

    def __call__(self, pos):
        if isinstance(self.start, (list, tuple, np.ndarray)):
            return [self.f(s, e, pos) for s, e in zip(self.start, self.end)]
        return self.f(self.start, self.end, pos)


def SchedLin(start, end): return _Annealer(sched_lin, start, end)      # noqa: E704
def SchedCos(start, end): return _Annealer(sched_cos, start, end)      # noqa: E704
def SchedNo(start, end): return _Annealer(sched_no, start, end)        # noqa: E704
def SchedExp(start, end): return _Annealer(sched_exp, start, end)      # noqa: E704


def combine_scheds(pcts, scheds):
    "One schedule from several, `pcts` of the way each (fastai's combine_scheds)."
    assert abs(sum(pcts) - 1.) < 1e-12
    cum = np.cumsum([0.] + list(pcts))
    pct_lim = len(cum) - 2

    def _inner(pos):
        idx = min(int(np.nonzero(pos >= cum)[0].max()), pct_lim)
        actual_pos = (pos - cum[idx]) / (cum[idx + 1] - cum[idx])
        return scheds[idx](float(actual_pos))
    return _inner


def combined_cos(pct, start, middle, end):
    "Cosine annealing from `start` to `middle` over `pct`, then from `middle` to `end`."
    return combine_scheds([pct, 1 - pct], [SchedCos(start, middle), SchedCos(middle, end)])


class ParamScheduler(Callback):
    "Set the optimizer's hyper-parameters from `scheds` (name -> f(pct_train)) before every training batch."
    order, run_valid = 60, False

    def __init__(self, scheds):
        super().__init__()
        self.scheds = scheds

    def before_fit(self):
        self.hps = {p: [] for p in self.scheds}

    def before_batch(self):
        for n, f in self.scheds.items():
            self.opt.set_hyper(n, f(self.pct_train))

    def after_batch(self):
        for p in self.scheds:
            self.hps[p].append(self.opt.hypers[-1][p])

    def after_fit(self):
        if hasattr(self.learn, "recorder") and hasattr(self, "hps"):
            self.learn.recorder.hps = self.hps


def fit_one_cycle(self, n_epoch, lr_max=None, div=25., div_final=1e5, pct_start=0.25, wd=None, moms=None,
                  cbs=None, reset_opt=False, start_epoch=0):
    "Fit `self.model` for `n_epoch` using the 1cycle policy."
    if self.opt is None:
        self.create_opt()
    self.opt.set_hyper("lr", self.lr if lr_max is None else lr_max)
    lr_max = np.array([h["lr"] for h in self.opt.hypers])
    scheds = {"lr": combined_cos(pct_start, lr_max / div, lr_max, lr_max / div_final),
              "mom": combined_cos(pct_start, *(self.moms if moms is None else moms))}
    extra = [] if cbs is None else (list(cbs) if isinstance(cbs, (list, tuple)) else [cbs])
    kwargs = dict(cbs=[ParamScheduler(scheds)] + extra, reset_opt=reset_opt, wd=wd)
    if start_epoch:
        kwargs["start_epoch"] = start_epoch
    self.fit(n_epoch, **kwargs)


# ------------------------------------------------------------------ lr_find

class LRFinder(ParamScheduler):
    "Exponentially grow the lr from start_lr to end_lr over num_it batches; stop when the loss diverges."
    order = 50

    def __init__(self, start_lr=1e-7, end_lr=10, num_it=100, stop_div=True):
        sched = SchedExp(start_lr, end_lr)
        super().__init__({"lr": sched})
        self.num_it, self.stop_div = num_it, stop_div
        self.lrs, self.losses = [], []

    def before_fit(self):
        super().before_fit()
        self.best_loss = float("inf")
        self.states = {k: v.detach().clone() for k, v in self.learn.model.state_dict().items()}

    def before_batch(self):
        self._pct = self.train_iter / self.num_it
        for n, f in self.scheds.items():
            self.opt.set_hyper(n, f(self._pct))

    def after_batch(self):
        super().after_batch()
        loss = float(self.learn.smooth_loss if hasattr(self.learn, "smooth_loss") else self.learn.loss)
        self.lrs.append(self.opt.hypers[-1]["lr"])
        self.losses.append(loss)
        if loss < self.best_loss:
            self.best_loss = loss
        if (loss > 4 * self.best_loss and self.stop_div) or self.train_iter + 1 >= self.num_it or loss != loss:
            raise CancelFitException()

    def before_validate(self):
        raise CancelValidException()

    def after_fit(self):
        self.learn.opt.zero_grad()
        self.learn.model.load_state_dict(self.states)


def lr_find(self, start_lr=1e-7, end_lr=10, num_it=100, stop_div=True, show_plot=False, **kwargs):
    "Try lrs growing exponentially; return (lrs, losses) and the lr at the steepest fall of the loss."
    n_epoch = num_it // max(len(self.dls.train), 1) + 1
    cb = LRFinder(start_lr=start_lr, end_lr=end_lr, num_it=num_it, stop_div=stop_div)
    self.fit(n_epoch, cbs=[cb])
    lrs, losses = np.array(cb.lrs), np.array(cb.losses)
    if len(losses) > 2:
        steep = lrs[int(np.argmin(np.gradient(losses)))]
    else:
        steep = lrs[-1] if len(lrs) else start_lr
    if show_plot:
        import matplotlib.pyplot as plt
        plt.plot(lrs, losses)
        plt.xscale("log")
    return {"lrs": lrs, "losses": losses, "steep": float(steep)}


def _patch():
    "Give fastai's Learner these methods (fastai patches them on from callback/schedule.py)."
    try:
        from .learner import Learner
    except ImportError:
        return
    if not hasattr(Learner, "fit_one_cycle"):
        Learner.fit_one_cycle = fit_one_cycle
    if not hasattr(Learner, "lr_find"):
        Learner.lr_find = lr_find


_patch()
del Tensor
