"""fastai's Learner, its metrics and the Recorder (fastai/learner.py), on minigrad.

`Learner(dls, model, loss_func, opt_func=SGD, lr=1e-3, splitter=trainable_params, cbs=None, metrics=None,
wd=None, ...)` groups the data, the model, the loss and the optimizer; `fit(n_epoch, lr)` runs, for each epoch,
a training pass (forward, loss, backward, opt.step, opt.zero_grad for every batch of `dls.train`) and a
validation pass under `no_grad` over `dls.valid`, firing the callback events described in callback.py.

What gets recorded (learn.recorder, fastai's Recorder):
- `recorder.losses`: after every training batch, the smoothed training loss (AvgSmoothLoss: an exponential
  moving average of the batch losses with beta=0.98, divided by 1-beta**n to remove the bias of its zero start).
- `recorder.values`: one row per epoch, [train_loss, valid_loss, *metrics]: train_loss is the smoothed loss at
  the end of the epoch; valid_loss (AvgLoss) and each metric (AvgMetric) are averages over the validation
  batches weighted by batch size.
- `recorder.lrs`, `recorder.iters`, `recorder.metric_names`, `recorder.plot_loss()`.

The arithmetic of those averages is fastai's, in float32 tensors, so the numbers are fastai's to the last bits
that float32 allows."""
import time
from contextlib import contextmanager
from functools import partial

import numpy as np

from ..autograd.grad_mode import no_grad
from ..tensor import Tensor
from .callback import (Callback, CancelBackwardException, CancelBatchException, CancelEpochException,
                       CancelFitException, CancelStepException, CancelTrainException, CancelValidException,
                       TrainEvalCallback, _cancels, event, modify_exception)
from .core import L, Path, class2attr, format_time, noop, plt
from .optimizer import SGD, trainable_params

__all__ = ["Learner", "Metric", "AvgMetric", "AvgLoss", "AvgSmoothLoss", "ValueMetric", "Recorder", "mk_metric",
           "defaults", "find_bs"]


class defaults:
    "fastai's `defaults`: the learning rate a Learner starts with and the callbacks every Learner gets."
    lr = 1e-3
    callbacks = [TrainEvalCallback]


def _shape_of(x):
    return tuple(x.shape) if hasattr(x, "shape") else type(x).__name__


def _shapes(xs):
    return ", ".join(str(_shape_of(x)) for x in xs)


def find_bs(b):
    "The batch size of `b`: the first dimension of the first tensor found in it (fastai's find_bs)."
    res = _item_find(b)
    if not hasattr(res, "shape"):
        return len(b)
    return res.shape[0]


def _item_find(x):
    if isinstance(x, (list, tuple, L)):
        return _item_find(x[0]) if len(x) else x
    if isinstance(x, dict):
        return _item_find(next(iter(x.values())))
    return x


def _detach(t):
    return t.detach() if isinstance(t, Tensor) else t


def mk_metric(m):
    "A Metric from `m`: a class is instantiated, a function wrapped in AvgMetric."
    if isinstance(m, type):
        m = m()
    return m if isinstance(m, Metric) else AvgMetric(m)


class Learner:
    """Group together a `model`, some `dls` and a `loss_func` to handle training (fastai's Learner)."""

    def __init__(self, dls, model, loss_func=None, opt_func=SGD, lr=None, splitter=trainable_params, cbs=None,
                 metrics=None, path=None, model_dir="models", wd=None, wd_bn_bias=False, train_bn=True,
                 moms=(0.95, 0.85, 0.95), default_cbs=True, compile=False):
        path = Path(path) if path is not None else Path(getattr(dls, "path", "."))
        if loss_func is None:
            loss_func = getattr(getattr(dls, "train_ds", None), "loss_func", None)
            if loss_func is None:
                raise AssertionError("Could not infer loss function from the data, please pass a loss function: "
                                     "Learner(dls, model, loss_func=...), e.g. loss_func=mnist_loss.")
        if not callable(loss_func):
            raise TypeError(f"loss_func must be callable (pred, *targets) -> loss, got {type(loss_func).__name__}")
        if not callable(model):
            raise TypeError(f"model must be callable, got {type(model).__name__}")
        self.compile = compile     # minigrad's addition: each training batch's step through minigrad.compile
        self.dls, self.model = dls, model
        self.loss_func, self.opt_func, self.lr, self.splitter = loss_func, opt_func, \
            defaults.lr if lr is None else lr, splitter
        self.path, self.model_dir, self.wd, self.wd_bn_bias, self.train_bn, self.moms = \
            path, model_dir, wd, wd_bn_bias, train_bn, moms
        self.metrics = metrics
        self.training, self.create_mbar, self.logger, self.opt, self.cbs = False, True, print, None, L()
        if default_cbs:
            self.add_cbs(L(defaults.callbacks))
        self.add_cbs(cbs)
        self("after_create")

    # ------------------------------------------------------------------ attributes
    def __getattr__(self, name):
        # fastai's GetAttr: what the learner lacks is looked up on the model (learn.parameters(), ...).
        if name.startswith("_") or name in ("model", "cbs"):
            raise AttributeError(name)
        try:
            return getattr(self.__dict__["model"], name)
        except (KeyError, AttributeError):
            raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'") from None

    @property
    def metrics(self):
        return self._metrics

    @metrics.setter
    def metrics(self, v):
        self._metrics = L(v).map(mk_metric)

    # ------------------------------------------------------------------ callbacks
    def add_cbs(self, cbs):
        for cb in L(cbs):
            self.add_cb(cb)
        return self

    def remove_cbs(self, cbs):
        for cb in list(L(cbs)):
            self.remove_cb(cb)
        return self

    def add_cb(self, cb):
        "Add `cb` (a Callback or its class) and make it reachable as `learn.<cb.name>`."
        if isinstance(cb, type):
            cb = cb()
        if not isinstance(cb, Callback):
            raise TypeError(f"callbacks must be Callback instances or classes, got {type(cb).__name__}")
        cb.learn = self
        setattr(self, cb.name, cb)
        self.cbs.append(cb)
        self._by_event = None
        return self

    def remove_cb(self, cb):
        if isinstance(cb, type):
            self.remove_cbs([c for c in self.cbs if isinstance(c, cb)])
        else:
            cb.learn = None
            if cb.name in self.__dict__:
                delattr(self, cb.name)
            if cb in self.cbs:
                self.cbs.remove(cb)
            self._by_event = None
        return self

    @contextmanager
    def added_cbs(self, cbs):
        self.add_cbs(cbs)
        try:
            yield
        finally:
            self.remove_cbs(cbs)

    @contextmanager
    def removed_cbs(self, cbs):
        self.remove_cbs(cbs)
        try:
            yield self
        finally:
            self.add_cbs(cbs)

    def ordered_cbs(self, event_name):
        return [cb for cb in self.cbs.sorted("order") if hasattr(type(cb), event_name) or event_name in cb.__dict__]

    def __call__(self, event_name):
        "Call the event(s) `event_name` on every callback, in increasing `order`."
        if isinstance(event_name, str):
            self._call_one(event_name)
            return
        for e in L(event_name):
            self._call_one(e)

    def _call_one(self, event_name):
        if not hasattr(event, event_name):
            raise Exception(f"missing {event_name}")
        for cb in self._handlers(event_name):
            cb(event_name)

    def _handlers(self, event_name):
        """The callbacks, in increasing `order`, that define `event_name` (every callback at after_fit, which
        resets their `run`). Calling a callback for an event it does not define does nothing, and a batch fires
        8 events of which fastai's own callbacks define one or two, so each event's list is made once, and
        made again after add_cb or remove_cb (callbacks go through them, as in fastai)."""
        by_event = self.__dict__.get("_by_event")
        if by_event is None or by_event["cbs"] != len(self.cbs):
            by_event = self._by_event = {"cbs": len(self.cbs)}
        handlers = by_event.get(event_name)
        if handlers is None:
            handlers = by_event[event_name] = [
                cb for cb in self.cbs.sorted("order")
                if event_name == "after_fit" or event_name in cb.__dict__ or hasattr(type(cb), event_name)]
        return handlers

    def show_training_loop(self):
        indent = 0
        for s in _loop:
            if s.startswith("Start"):
                print(f'{" " * indent}{s}')
                indent += 2
            elif s.startswith("End"):
                indent -= 2
                print(f'{" " * indent}{s}')
            else:
                print(f'{" " * indent} - {s:15}:', self.ordered_cbs(s))

    # ------------------------------------------------------------------ the optimizer
    def create_opt(self):
        if isinstance(self.opt_func, partial) and "lr" in self.opt_func.keywords:
            self.lr = self.opt_func.keywords["lr"]
        self.opt = self.opt_func(self.splitter(self.model), lr=self.lr)
        if hasattr(self.opt, "state") and hasattr(self.opt, "all_params"):
            if not self.wd_bn_bias:
                for p in _norm_bias_params(self.model, True):
                    self.opt.state[p]["do_wd"] = False
            if self.train_bn:
                for p in _norm_bias_params(self.model, False):
                    self.opt.state[p]["force_train"] = True

    # ------------------------------------------------------------------ the loop
    def _with_events(self, f, event_type, ex, final=noop):
        try:
            self(f"before_{event_type}")
            f()
        except ex:
            self(f"after_cancel_{event_type}")
        self(f"after_{event_type}")
        final()

    def _split(self, b):
        if not isinstance(b, (tuple, list)):
            b = (b,)
        i = getattr(self.dls, "n_inp", 1 if len(b) == 1 else len(b) - 1)
        self.xb, self.yb = tuple(b[:i]), tuple(b[i:])

    def all_batches(self):
        self.n_iter = len(self.dl)
        for o in enumerate(self.dl):
            self.one_batch(*o)

    def _backward(self):
        self.loss_grad.backward()

    def _step(self):
        self.opt.step()

    def _do_grad_opt(self):
        self._with_events(self._backward, "backward", CancelBackwardException)
        self._with_events(self._step, "step", CancelStepException)
        self.opt.zero_grad()

    def _do_one_batch(self):
        if self.compile and self.training and len(self.yb) and self._step_is_compilable():
            return self._do_one_batch_compiled()
        try:
            self.pred = self.model(*self.xb)
        except _cancels:
            raise
        except Exception as e:
            raise _batch_error(e, self, "the model failed on", f"input shape(s) {_shapes(self.xb)}")
        self("after_pred")
        if len(self.yb):
            try:
                self.loss_grad = self.loss_func(self.pred, *self.yb)
            except _cancels:
                raise
            except Exception as e:
                raise _batch_error(e, self, f"the loss function `{_name(self.loss_func)}` failed on",
                                   f"prediction shape {_shape_of(self.pred)} and target shape(s) {_shapes(self.yb)}")
            if not isinstance(self.loss_grad, Tensor):
                raise TypeError(f"the loss function `{_name(self.loss_func)}` must return a minigrad Tensor, got "
                                f"{type(self.loss_grad).__name__}")
            self.loss = self.loss_grad.clone()
        self("after_loss")
        if not self.training or not len(self.yb):
            return
        self._do_grad_opt()

    # ------------------------------------------------------------------ Learner(compile=True)
    _step_events = ("after_pred", "after_loss", "before_backward", "after_backward", "before_step", "after_step")

    def _step_is_compilable(self):
        """The batch's step can run as one compiled function when nothing happens between its parts: no
        callback handles the events fired inside the step, and the step's methods are the Learner's own."""
        self._handlers("after_pred")                  # brings the event lists up to date; the answer is kept there
        by_event = self._by_event
        if "compilable" not in by_event:
            by_event["compilable"] = (
                all(getattr(type(self), m) is getattr(Learner, m) for m in ("_backward", "_step", "_do_grad_opt"))
                and not any(self._handlers(e) for e in self._step_events))
        return by_event["compilable"]

    def _compiled_step(self):
        """minigrad.compile of forward, loss, backward, opt.step() and opt.zero_grad(), made again when the
        model, loss function or optimizer is replaced. The optimizer's step() runs at each replay, reading
        its hyper-parameters then (fit_one_cycle's schedule)."""
        parts = (self.model, self.loss_func, self.opt, getattr(self.dls, "n_inp", None))
        if self.__dict__.get("_step_parts") != parts:
            from .. import compile as compile_function
            model, loss_func, opt = parts[:3]
            n_inp = len(self.xb)

            def train_step(*b):
                pred = model(*b[:n_inp])
                loss_grad = loss_func(pred, *b[n_inp:])
                loss_grad.backward()
                opt.step()
                opt.zero_grad()
                return pred, loss_grad
            self._step_parts, self._step_fn = parts, compile_function(train_step)
        return self._step_fn

    @property
    def compiled_step(self):
        """Learner(compile=True): the compiled training step (a minigrad.compile function: its `explain()`
        prints the batch's step as the flat program it replays); None before the first compiled batch."""
        return self.__dict__.get("_step_fn")

    def _do_one_batch_compiled(self):
        try:
            self.pred, self.loss_grad = self._compiled_step()(*self.xb, *self.yb)
        except _cancels:
            raise
        except Exception as e:
            raise _batch_error(e, self, "the compiled training step failed on",
                               f"input shape(s) {_shapes(self.xb)} and target shape(s) {_shapes(self.yb)}")
        self.loss = self.loss_grad.clone()
        # the events inside the step (after_pred ... after_step) have no handlers (_step_is_compilable): there is
        # nothing to call for them

    def one_batch(self, i, b):
        self.iter = i
        self._split(b)
        self._with_events(self._do_one_batch, "batch", CancelBatchException)

    def _do_epoch_train(self):
        self.dl = self.dls.train
        self._with_events(self.all_batches, "train", CancelTrainException)

    def _do_epoch_validate(self, ds_idx=1, dl=None):
        if dl is None:
            dl = self.dls[ds_idx]
        self.dl = dl
        with no_grad():
            self._with_events(self.all_batches, "validate", CancelValidException)

    def _do_epoch(self):
        self._do_epoch_train()
        self._do_epoch_validate()

    def _do_fit(self):
        for epoch in range(self.n_epoch):
            self.epoch = epoch
            self._with_events(self._do_epoch, "epoch", CancelEpochException)

    def fit(self, n_epoch, lr=None, wd=None, cbs=None, reset_opt=False, start_epoch=0):
        """Train for `n_epoch` epochs at learning rate `lr` (default: the Learner's), with the extra callbacks
        `cbs` for this fit only. The optimizer is made on the first fit and kept after (unless `reset_opt`)."""
        if start_epoch != 0:
            cbs = L(cbs) + SkipToEpoch(start_epoch)
        with self.added_cbs(cbs):
            if reset_opt or not self.opt:
                self.create_opt()
            if wd is None:
                wd = self.wd
            if wd is not None:
                self.opt.set_hypers(wd=wd)
            self.opt.set_hypers(lr=self.lr if lr is None else lr)
            self.n_epoch = n_epoch
            self._with_events(self._do_fit, "fit", CancelFitException, self._end_cleanup)

    def _end_cleanup(self):
        self.dl, self.xb, self.yb, self.pred, self.loss = None, (None,), (None,), None, None

    def __enter__(self):
        self(["before_fit", "before_epoch"])
        return self

    def __exit__(self, exc_type, exc_value, tb):
        self(["after_epoch", "after_fit"])

    @contextmanager
    def no_logging(self):
        old = self.logger
        self.logger = noop
        try:
            yield self
        finally:
            self.logger = old

    @contextmanager
    def no_mbar(self):
        old = self.create_mbar
        self.create_mbar = False
        try:
            yield self
        finally:
            self.create_mbar = old

    @contextmanager
    def no_bar(self):
        "Run without the progress bar and its table (the Recorder's log goes to `learn.logger`)."
        prog = [cb for cb in self.cbs if type(cb).__name__ == "ProgressCallback"]
        self.remove_cbs(prog)
        try:
            yield self
        finally:
            self.add_cbs(prog)

    def freeze_to(self, n):
        "Train only the parameter groups from `n` on (the splitter makes the groups; fastai's freeze_to)."
        if self.opt is None:
            self.create_opt()
        self.opt.freeze_to(n)
        self.opt.clear_state()

    def freeze(self):
        self.freeze_to(-1)

    def unfreeze(self):
        self.freeze_to(0)

    def validate(self, ds_idx=1, dl=None, cbs=None):
        "[valid_loss, *metrics] on `dls[ds_idx]` (or `dl`), without training."
        if dl is None:
            dl = self.dls[ds_idx]
        with self.no_logging(), self.no_mbar(), self.added_cbs(cbs):
            if self.opt is None:
                self.create_opt()
            self.n_epoch = 1
            with self:
                self._do_epoch_validate(ds_idx, dl)
        return getattr(self, "final_record", None)


def _name(f):
    return getattr(f, "__name__", None) or getattr(getattr(f, "func", None), "__name__", None) or type(f).__name__


def _batch_error(e, learn, what, detail):
    stage = "training" if learn.training else "validation"
    return modify_exception(
        e, f"{what} {stage} batch {getattr(learn, 'iter', '?')} with {detail}. Check that the data matches "
           f"the model (its input size, the targets' shape).\n\t{e.args[0] if e.args else ''}", replace=True)


def _norm_bias_params(m, with_bias=True):
    "Parameters of normalisation layers and, if `with_bias`, all biases (fastai's norm_bias_params)."
    out = []
    for mod in m.modules() if hasattr(m, "modules") else []:
        is_norm = "Norm" in type(mod).__name__
        for name, p in mod.named_parameters(recurse=False) if hasattr(mod, "named_parameters") else []:
            if is_norm or (with_bias and name == "bias"):
                out.append(p)
    return out


_loop = ["Start Fit", "before_fit", "Start Epoch Loop", "before_epoch", "Start Train", "before_train",
         "Start Batch Loop", "before_batch", "after_pred", "after_loss", "before_backward", "before_step",
         "after_step", "after_cancel_batch", "after_batch", "End Batch Loop", "End Train",
         "after_cancel_train", "after_train", "Start Valid", "before_validate", "Start Batch Loop",
         "**CBs same as train batch**", "End Batch Loop", "End Valid", "after_cancel_validate",
         "after_validate", "End Epoch Loop", "after_cancel_epoch", "after_epoch", "End Fit",
         "after_cancel_fit", "after_fit"]


class SkipToEpoch(Callback):
    "Skip training up to `epoch`"
    order = 70

    def __init__(self, epoch):
        self._skip_to = epoch

    def before_epoch(self):
        if self.epoch < self._skip_to:
            raise CancelEpochException


# ---------------------------------------------------------------------------------------------- metrics

class Metric:
    "Blueprint for a metric: reset() before a pass, accumulate(learn) after each batch, value at the end."

    def reset(self):
        pass

    def accumulate(self, learn):
        pass

    @property
    def value(self):
        raise NotImplementedError

    @property
    def name(self):
        return class2attr(self, "Metric")


class AvgMetric(Metric):
    "The average of `func(pred, *yb)` over the batches, each weighted by its batch size."

    def __init__(self, func):
        self.func = func

    def reset(self):
        self.total, self.count = 0., 0

    def accumulate(self, learn):
        bs = find_bs(learn.yb)
        try:
            v = self.func(learn.pred, *learn.yb)
        except _cancels:
            raise
        except Exception as e:
            stage = "training" if learn.training else "validation"
            raise modify_exception(e, f"the metric `{self.name}` failed on a {stage} batch (prediction shape "
                                      f"{_shape_of(learn.pred)}, target shape(s) {_shapes(learn.yb)}): "
                                      f"{e.args[0] if e.args else ''}", replace=True)
        if not isinstance(v, Tensor):
            from .. import tensor
            try:
                v = tensor(float(v))
            except (TypeError, ValueError):
                raise TypeError(f"the metric `{self.name}` must return a number or a one-element tensor, "
                                f"got {type(v).__name__}") from None
        if v.numel() != 1:
            raise ValueError(f"the metric `{self.name}` must return one number per batch, got a tensor of shape "
                             f"{tuple(v.shape)}")
        self.total = self.total + _detach(v) * bs
        self.count += bs

    @property
    def value(self):
        return self.total / self.count if self.count != 0 else None

    @property
    def name(self):
        return self.func.func.__name__ if hasattr(self.func, "func") else getattr(self.func, "__name__",
                                                                                   type(self.func).__name__)


class AvgLoss(Metric):
    "The average of the batch losses, each weighted by its batch size."

    def reset(self):
        self.total, self.count = 0., 0

    def accumulate(self, learn):
        bs = find_bs(learn.yb)
        self.total = self.total + _detach(learn.loss.mean()) * bs
        self.count += bs

    @property
    def value(self):
        return self.total / self.count if self.count != 0 else None

    @property
    def name(self):
        return "loss"


def _mean_value(t):
    """t.mean()'s value as an array, without a graph: a 0-d float tensor (a loss) is its own mean (one op and
    one Tensor fewer per batch); anything else goes through Tensor.mean, with its errors."""
    d = t._data
    if d.ndim == 0 and d.dtype.kind == "f":
        return d
    return t.detach().mean()._data


def _lerp(start, end, weight):
    """torch.lerp(start, end, weight) for 0-d arrays and a scalar weight, with torch's formula
    (start + w*(end-start) for |w| < 0.5, end - (end-start)*(1-w) otherwise) in start's dtype."""
    dt = start.dtype                        # (NumPy scalars of that dtype: the same roundings as 0-d arrays)
    s, e, w = dt.type(start), dt.type(end), dt.type(weight)
    out = s + w * (e - s) if abs(w) < 0.5 else e - (e - s) * (dt.type(1) - w)
    return np.asarray(out, dtype=dt)


class AvgSmoothLoss(Metric):
    "Exponentially weighted average of the losses with `beta`, debiased: val / (1 - beta**count)."

    def __init__(self, beta=0.98):
        from .. import tensor
        self.beta, self.count, self.val = beta, 0, tensor(0.)

    def reset(self):
        from .. import tensor
        self.count, self.val = 0, tensor(0.)

    def accumulate(self, learn):
        # fastai: self.val = torch.lerp(to_detach(learn.loss.mean()), self.val, self.beta), here on the arrays
        self.count += 1
        self.val = Tensor._make(_lerp(_mean_value(learn.loss), self.val._data, self.beta))

    @property
    def value(self):
        # self.val / (1 - self.beta ** self.count), as Tensor division computes it (a Python float divides in
        # the tensor's dtype), on the array
        return Tensor._make(np.asarray(self.val._data / (1 - self.beta ** self.count)))


class ValueMetric(Metric):
    "A metric whose value is computed elsewhere (in a callback) and returned by `func()`."

    def __init__(self, func, metric_name=None):
        self.func, self.metric_name = func, metric_name

    @property
    def value(self):
        return self.func()

    @property
    def name(self):
        return self.metric_name if self.metric_name else self.func.__name__


def _maybe_item(t):
    t = t.value
    try:
        return t.item()
    except AttributeError:
        return t


# ---------------------------------------------------------------------------------------------- Recorder

class Recorder(Callback):
    "Registers the statistics of training (lr, smoothed loss, per-epoch losses and metrics): fastai's Recorder."
    order = 50
    remove_on_fetch = True

    def __init__(self, add_time=True, train_metrics=False, valid_metrics=True, beta=0.98):
        self.add_time, self.train_metrics, self.valid_metrics = add_time, train_metrics, valid_metrics
        self.loss, self.smooth_loss = AvgLoss(), AvgSmoothLoss(beta=beta)

    def before_fit(self):
        self.lrs, self.iters, self.losses, self.values = [], [], [], []
        names = self.metrics.attrgot("name")
        if self.train_metrics and self.valid_metrics:
            names = L("loss") + names
            names = names.map("train_{}") + names.map("valid_{}")
        elif self.valid_metrics:
            names = L("train_loss", "valid_loss") + names
        else:
            names = L("train_loss") + names
        if self.add_time:
            names.append("time")
        self.metric_names = L("epoch") + names
        self.smooth_loss.reset()

    def after_batch(self):
        learn = self.learn             # (read once: a callback reads the learner's attributes through __getattr__)
        if len(learn.yb) == 0:
            return
        mets = self._train_mets if learn.training else self._valid_mets
        for met in mets:
            met.accumulate(learn)
        if not learn.training:
            return
        self.lrs.append(learn.opt.hypers[-1]["lr"])
        learn.smooth_loss = smooth = self.smooth_loss.value      # (fastai computes the value twice)
        self.losses.append(smooth)

    def before_epoch(self):
        self.cancel_train, self.cancel_valid = False, False
        if self.add_time:
            self.start_epoch = time.time()
        self.log = L(getattr(self, "epoch", 0))

    def before_train(self):
        for m in self._train_mets[1:]:
            m.reset()

    def before_validate(self):
        for m in self._valid_mets:
            m.reset()

    def after_train(self):
        self.log += self._train_mets.map(_maybe_item)

    def after_validate(self):
        self.log += self._valid_mets.map(_maybe_item)

    def after_cancel_train(self):
        self.cancel_train = True

    def after_cancel_validate(self):
        self.cancel_valid = True

    def after_epoch(self):
        self.learn.final_record = self.log[1:].copy()
        self.values.append(self.learn.final_record)
        if self.add_time:
            self.log.append(format_time(time.time() - self.start_epoch))
        self.logger(self.log)
        self.iters.append(self.smooth_loss.count)

    @property
    def _train_mets(self):
        if getattr(self, "cancel_train", False):
            return L()
        return L([self.smooth_loss, *self.metrics]) if self.train_metrics else L([self.smooth_loss])

    @property
    def _valid_mets(self):
        if getattr(self, "cancel_valid", False):
            return L()
        return L(self.loss) + self.metrics if self.valid_metrics else L()

    def plot_loss(self, skip_start=5, with_valid=True, log=False, show_epochs=False, ax=None):
        "Plot the smoothed training losses from `skip_start` on, and the validation losses at each epoch's end."
        if not ax:
            ax = plt.gca()
        losses = [float(v) for v in self.losses]
        xs = list(range(skip_start, len(losses)))
        (ax.loglog if log else ax.plot)(xs, losses[skip_start:], label="train")
        if show_epochs:
            for x in self.iters:
                ax.axvline(x, color="grey", ls=":")
        ax.set_ylabel("loss")
        ax.set_xlabel("steps")
        ax.set_title("learning curve")
        if with_valid:
            idx = (np.array(self.iters) < skip_start).sum()
            valid_col = self.metric_names.index("valid_loss") - 1
            ax.plot(self.iters[idx:], L(self.values[idx:]).itemgot(valid_col), label="valid")
            ax.legend()
        return ax


defaults.callbacks.append(Recorder)
