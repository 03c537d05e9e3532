"""fastai's callback system (fastai/callback/core.py), on minigrad.

A `Callback` is an object with methods named after the events of the training loop. The `Learner` calls
every callback, in increasing `order`, at each event; a callback reads and writes the learner's state
through `self.learn` (and, for reading, directly: `self.model`, `self.loss`, `self.opt`, `self.epoch`,
... are looked up on the learner). The events, in the order `Learner.fit` runs them:

    after_create                                  once, at the end of Learner.__init__
    before_fit
      before_epoch                                for each epoch
        before_train                              training pass (model.train(), learn.training=True)
          before_batch                            for each batch: learn.xb, learn.yb are set
            after_pred                            learn.pred = model(*xb)
            after_loss                            learn.loss_grad = loss_func(pred, *yb); learn.loss (a copy)
            before_backward / after_backward      loss_grad.backward()          (training only)
            before_step / after_step              opt.step()                    (training only)
          after_batch                             (after opt.zero_grad())
        after_train
        before_validate                           validation pass, under no_grad, model.eval()
          before_batch ... after_loss, after_batch   (same batch events, no backward/step)
        after_validate
      after_epoch
    after_fit

A callback can raise one of the Cancel*Exception classes to skip part of the loop: CancelBatchException
(rest of this batch, goes to after_cancel_batch then after_batch), CancelBackwardException, CancelStepException,
CancelTrainException, CancelValidException, CancelEpochException, CancelFitException (each calls
after_cancel_<stage> and then after_<stage>). `run_train=False` / `run_valid=False` keep a callback out of
the batch events of the training / validation pass; `run=False` switches it off until after_fit.

Any other exception raised in a callback is re-raised (same type) with fastai's prefix,
"Exception occured in `<Callback>` when calling event `<event>`:".

Writing one (this is how fit_one_cycle's ParamScheduler plugs in):

    class LRPrinter(Callback):
        order = 55                                   # after the Recorder (50), before the progress bar (60)
        def after_step(self): print(self.opt.hypers[-1]['lr'])
    learn.fit(1, 0.1, cbs=LRPrinter())               # for this fit only; or Learner(..., cbs=[...]) / add_cb

Setting an attribute of the learner from a callback must go through `self.learn.x = ...` (plain
`self.x = ...` sets it on the callback), exactly as in fastai.

What a scheduler (fastai's ParamScheduler, for fit_one_cycle) finds, as in fastai:
- on the learner: `lr`, `moms` (default (0.95, 0.85, 0.95)), `wd`, `n_epoch`, `epoch`, `iter`, `n_iter`,
  `train_iter` and `pct_train` (kept by TrainEvalCallback: the fraction of training done, 0 to 1), `training`,
  `opt`, `dls`, `model`, `loss_func`, `metrics`, `recorder`, `smooth_loss`;
- on the optimizer: `hypers` (one dict per parameter group: lr, mom, wd, ...), `set_hyper(k, v)` and
  `set_hypers(**kw)` (a value, one per group, or a slice spread over the groups), `param_lists`,
  `freeze_to(n)`; the learner's `splitter(model)` decides the groups (fastai's default: one group).
A new Learner method goes on the class, as fastai's @patch does: `Learner.fit_one_cycle = fit_one_cycle`
in its own module of minigrad/fastai/, imported by minigrad/fastai/__init__.py. A callback every Learner
should get goes into `learner.defaults.callbacks`."""
from .core import L, class2attr
from .. import tensor

__all__ = ["Callback", "TrainEvalCallback", "event", "CancelStepException", "CancelBackwardException",
           "CancelFitException", "CancelEpochException", "CancelTrainException", "CancelValidException",
           "CancelBatchException"]

_events = L.split("after_create before_fit before_epoch before_train before_batch after_pred after_loss "
                  "before_backward after_cancel_backward after_backward before_step after_cancel_step after_step "
                  "after_cancel_batch after_batch after_cancel_train after_train before_validate "
                  "after_cancel_validate after_validate after_cancel_epoch after_epoch after_cancel_fit after_fit")


class event:
    "All the event names, as attributes (fastai's `event`): event.before_fit == 'before_fit'."


for _e in _events:
    setattr(event, _e, _e)

_inner_loop = frozenset("before_batch after_pred after_loss before_backward after_cancel_backward after_backward "
                        "before_step after_step after_cancel_batch after_batch".split())


class CancelBatchException(Exception):
    "Skip the rest of this batch and go to `after_batch`"


class CancelTrainException(Exception):
    "Skip the rest of the training part of the epoch and go to `after_train`"


class CancelValidException(Exception):
    "Skip the rest of the validation part of the epoch and go to `after_validate`"


class CancelEpochException(Exception):
    "Skip the rest of this epoch and go to `after_epoch`"


class CancelStepException(Exception):
    "Skip stepping the optimizer"


class CancelBackwardException(Exception):
    "Skip the backward pass and go to `after_backward`"


class CancelFitException(Exception):
    "Interrupts training and go to `after_fit`"


_cancels = (CancelBatchException, CancelBackwardException, CancelEpochException, CancelFitException,
            CancelStepException, CancelTrainException, CancelValidException)


def modify_exception(e, msg, replace=False):
    "Put `msg` in front of (or in place of) the exception's message, keeping its type (fastcore's)."
    args = e.args
    first = args[0] if args else ""
    e.args = (msg if replace else f"{msg} {first}",) + tuple(args[1:])
    return e


class Callback:
    """Base class of the training-loop callbacks. Subclasses define methods named after events (see the module
    docstring); attributes they do not have are read from the learner (`self.model`, `self.loss`, ...).
    Keyword arguments name events: `Callback(after_batch=f)` calls `f()` at after_batch."""
    order, learn, run, run_train, run_valid = 0, None, True, True, True

    def __init__(self, **kwargs):
        for k, f in kwargs.items():
            if k not in _events:
                raise AssertionError(f"Passed unknown events: {kwargs}")
            object.__setattr__(self, k, f)

    def __repr__(self):
        return type(self).__name__

    def __getattr__(self, name):
        # Only called for names the callback lacks: delegate reads to the learner (fastai's GetAttr).
        if name.startswith("__") or name in ("learn",):
            raise AttributeError(name)
        learn = self.__dict__.get("learn", type(self).learn)
        if learn is not None and not name.startswith("_"):
            try:
                return getattr(learn, name)
            except AttributeError:
                pass
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __call__(self, event_name):
        "Call `self.<event_name>` if it is defined."
        _run = (event_name not in _inner_loop or (self.run_train and self.run_valid) or    # (then either way)
                (self.run_train and getattr(self, "training", True)) or
                (self.run_valid and not getattr(self, "training", False)))
        res = None
        if self.run and _run:
            if event_name in self.__dict__:                  # Callback(after_batch=f)
                f = self.__dict__[event_name]
            else:                                           # a method; never the learner's attribute
                f = getattr(self, event_name) if hasattr(type(self), event_name) else None
            if callable(f):
                try:
                    res = f()
                except _cancels:
                    raise
                except Exception as e:
                    first = e.args[0] if e.args else ""
                    raise modify_exception(e, f"Exception occured in `{type(self).__name__}` when calling event "
                                              f"`{event_name}`:\n\t{first}", replace=True)
        if event_name == "after_fit":
            self.run = True          # reset run at the end of each fit
        return res

    @property
    def name(self):
        "The attribute name it gets on the learner: the class name in snake case, without 'Callback'."
        return class2attr(self, "Callback")


class TrainEvalCallback(Callback):
    "Counts iterations and switches the model between train and eval mode (fastai's TrainEvalCallback)."
    order, run_valid = -10, False

    def after_create(self):
        self.learn.n_epoch = 1

    def before_fit(self):
        self.learn.epoch, self.learn.loss = 0, tensor(0.)
        self.learn.train_iter, self.learn.pct_train = 0, 0.
        if hasattr(self.model, "reset"):
            self.model.reset()

    def after_batch(self):
        self.learn.pct_train += 1. / (self.n_iter * self.n_epoch)
        self.learn.train_iter += 1

    def before_train(self):
        self.learn.pct_train = self.epoch / self.n_epoch
        self.model.train()
        self.learn.training = True

    def before_validate(self):
        self.model.eval()
        self.learn.training = False

