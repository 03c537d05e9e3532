"""Schedulers made of schedulers: SequentialLR runs one after another at milestones, ChainedScheduler steps
them all each step (their factors multiply, as the chainable forms multiply the previous lr)."""
from bisect import bisect_right

from .base import LRScheduler, _group_values, _set_group_value
from .plateau import ReduceLROnPlateau


def _check_schedulers(chain, schedulers, optimizer):
    """torch's checks that each scheduler has an optimizer, the same one, and is not ReduceLROnPlateau."""
    name = type(chain).__name__
    for scheduler_idx, scheduler in enumerate(schedulers):
        if not hasattr(scheduler, "optimizer"):
            raise TypeError(f"{name} at index {scheduler_idx} should have `optimizer` as its attribute.")
        if isinstance(scheduler, ReduceLROnPlateau):
            raise ValueError(
                f"{name} does not support `ReduceLROnPlateau` scheduler as it "
                "requires additional kwargs to be specified when calling `step`, "
                f"but got one at index {scheduler_idx} in the given schedulers sequence.")
        if optimizer != scheduler.optimizer:
            raise ValueError(
                f"{name} expects all schedulers to belong to the same optimizer, but "
                f"got scheduler {scheduler.__class__.__name__} at index {scheduler_idx} has {scheduler.optimizer}, "
                f"which is different from {optimizer.__class__.__name__}.")


def _state_dict_with_schedulers(chain):
    state_dict = {key: value for key, value in chain.__dict__.items() if key not in ("optimizer", "_schedulers")}
    state_dict["_schedulers"] = [s.state_dict() for s in chain._schedulers]
    return state_dict


def _load_state_dict_with_schedulers(chain, state_dict):
    _schedulers = state_dict.pop("_schedulers")
    chain.__dict__.update(state_dict)
    state_dict["_schedulers"] = _schedulers          # leave the caller's dict as it was
    for idx, s in enumerate(_schedulers):
        chain._schedulers[idx].load_state_dict(s)


class SequentialLR(LRScheduler):
    """schedulers[i] runs from milestones[i-1] on; at a milestone the next one starts from its epoch 0 (its
    closed form at 0: the initial lr times its first factor)."""

    def __init__(self, optimizer, schedulers, milestones, last_epoch=-1):
        if len(schedulers) < 1:
            raise ValueError(f"{self.__class__.__name__} expects at least one scheduler, but got no scheduler.")
        _check_schedulers(self, schedulers, optimizer)
        if len(milestones) != len(schedulers) - 1:
            raise ValueError(
                "Sequential Schedulers expects number of schedulers provided to be one more "
                f"than the number of milestone points, but got number of schedulers {len(schedulers)} and the "
                f"number of milestones to be equal to {len(milestones)}")
        self._schedulers = schedulers
        self._milestones = milestones
        self.last_epoch = last_epoch + 1
        self.optimizer = optimizer
        # the schedulers' constructors each took an initial step: back to the initial lrs, and their epochs back
        for group in self.optimizer.param_groups:
            _set_group_value(group, "lr", group["initial_lr"])
        self.recursive_undo()
        idx = bisect_right(self._milestones, 0)
        self._schedulers[idx]._initial_step()
        self._last_lr = schedulers[idx].get_last_lr()

    def recursive_undo(self, sched=None):
        """Take one epoch back from every scheduler inside (nested SequentialLRs included)."""
        scheds = self if sched is None else sched
        if hasattr(scheds, "_schedulers"):
            for s in scheds._schedulers:
                self.recursive_undo(s)
        elif hasattr(scheds, "last_epoch"):
            scheds.last_epoch -= 1

    def step(self):
        self.last_epoch += 1
        idx = bisect_right(self._milestones, self.last_epoch)
        scheduler = self._schedulers[idx]
        if idx > 0 and self._milestones[idx - 1] == self.last_epoch:
            scheduler._update_lr(0)
        else:
            scheduler.step()
        self._last_lr = scheduler.get_last_lr()

    def state_dict(self):
        """Its own state, with each scheduler's state_dict under "_schedulers"."""
        return _state_dict_with_schedulers(self)

    def load_state_dict(self, state_dict):
        _load_state_dict_with_schedulers(self, state_dict)


class ChainedScheduler(LRScheduler):
    """Each step() steps every scheduler in turn."""

    def __init__(self, schedulers, optimizer=None):
        if len(schedulers) < 1:
            raise ValueError(
                f"{self.__class__.__name__} expects at least one scheduler to be chained, but got no scheduler.")
        optimizer = optimizer or schedulers[0].optimizer
        _check_schedulers(self, schedulers, optimizer)
        self._schedulers = schedulers
        self.optimizer = optimizer
        self._last_lr = _group_values(self._schedulers[-1].optimizer, "lr")

    def step(self):
        for scheduler in self._schedulers:
            scheduler.step()
        self._last_lr = _group_values(self._schedulers[-1].optimizer, "lr")

    def state_dict(self):
        """Its own state, with each scheduler's state_dict under "_schedulers"."""
        return _state_dict_with_schedulers(self)

    def load_state_dict(self, state_dict):
        _load_state_dict_with_schedulers(self, state_dict)
