"""The progress bar and the results table of `Learner.fit` (fastai's ProgressCallback with fastprogress's
console bars), in plain Python.

The table is fastprogress's console table: the header row (`epoch  train_loss  valid_loss  <metrics>  time`,
names padded to 8 characters, two spaces apart), then one row per epoch, floats with 6 decimals, each cell
padded to its column. It is printed with `print`, so it lands in logs and captured output as plain lines.

The bar (`Epoch 1/10 : |█████-----| 60.00% [30/49 00:01<00:00 0.1234]`) is drawn with carriage returns only
when standard output is a terminal, and wiped before the next table row; in a CI log, a pipe or a file
there is no bar at all, only the table. Set MINIGRAD_NO_BAR=1 to turn the bar off in a terminal too."""
import os
import shutil
import sys
import time

from .callback import Callback
from .core import format_time, noop

__all__ = ["ProgressCallback"]


def _bar_wanted():
    if os.environ.get("MINIGRAD_NO_BAR"):
        return False
    isatty = getattr(sys.stdout, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:          # closed stream
        return False


class _ConsoleBar:
    "One progress bar over `total` steps, drawn in place on a terminal."
    update_every = 0.2

    def __init__(self, total, prefix=""):
        self.total, self.prefix, self.comment = total, prefix, ""
        self.cols = min(shutil.get_terminal_size((100, 40)).columns, 160)
        self.start_t = self.last_draw = time.time()
        self.max_len, self.show = 0, _bar_wanted()

    def update(self, val):
        if not self.show:
            return
        now = time.time()
        if val not in (0, self.total) and now - self.last_draw < self.update_every:
            return
        self.last_draw = now
        elapsed = now - self.start_t
        remaining = format_time(elapsed / val * (self.total - val)) if val else "?"
        pct = f"{100 * val / self.total:.2f}% " if self.total else ""
        end = f" {self.comment}" if self.comment else ""
        text = f"{pct}[{val}/{self.total} {format_time(elapsed)}<{remaining}{end}]"
        length = max(self.cols - len(text) - len(self.prefix) - 6, 10)
        filled = int(length * val // self.total) if self.total else 0
        line = f"\r{self.prefix} |{'█' * filled}{'-' * (length - filled)}| {text}"
        self.max_len = max(self.max_len, len(line))
        try:
            sys.stdout.write(line)
            sys.stdout.flush()
        except UnicodeEncodeError:
            sys.stdout.write(line.replace("█", "X"))

    def close(self):
        if self.show and self.max_len:
            sys.stdout.write("\r" + " " * self.max_len + "\r")
            sys.stdout.flush()


class ProgressCallback(Callback):
    "Shows a progress bar over each pass (terminals only) and prints the results table, one row per epoch."
    order = 60

    def before_fit(self):
        assert hasattr(self.learn, "recorder"), "ProgressCallback needs the Recorder"
        self.mbar = self.create_mbar
        self.names = None
        if self.learn.logger is not noop:
            self.old_logger, self.learn.logger = self.learn.logger, self._write_stats
            self._write_stats(self.recorder.metric_names)
        else:
            self.old_logger = noop

    def before_train(self):
        self._launch_pbar()

    def before_validate(self):
        self._launch_pbar()

    def after_train(self):
        self.pbar.close()

    def after_validate(self):
        self.pbar.close()

    def after_cancel_train(self):
        self.pbar.close()

    def after_cancel_validate(self):
        self.pbar.close()

    def after_batch(self):
        self.pbar.update(self.iter + 1)
        if hasattr(self.learn, "smooth_loss"):
            self.pbar.comment = f"{float(self.learn.smooth_loss):.4f}"

    def _launch_pbar(self):
        try:
            total = len(self.dl)
        except TypeError:
            total = None
        prefix = f"Epoch {self.epoch + 1}/{self.n_epoch} :" if self.mbar else ""
        self.pbar = _ConsoleBar(total or 0, prefix)
        self.pbar.show = self.pbar.show and bool(total)
        self.pbar.update(0)

    def after_fit(self):
        if hasattr(self, "pbar"):
            self.pbar.close()
        if hasattr(self, "old_logger"):
            self.learn.logger = self.old_logger
            del self.old_logger

    def _write_stats(self, log):
        "One row of the table, laid out as fastprogress's ConsoleMasterBar.write(table=True)."
        if not self.mbar:
            return
        line = [f"{v:.6f}" if isinstance(v, float) else str(v) for v in log]
        if self.names is None:
            self.names = [name + " " * (8 - len(name)) if len(name) < 8 else name for name in line]
            text = "  ".join(self.names)
        else:
            text = "".join(t + " " * (2 + len(name) - len(t)) for t, name in zip(line, self.names))
        print(text, flush=True)
