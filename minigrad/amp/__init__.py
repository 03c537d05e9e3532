"""torch.amp: mixed precision. minigrad computes in the dtypes it is given, on the CPU, so:

- `autocast` is torch's context manager and decorator with torch's checks and warnings: on "cuda" it
  warns that CUDA is not available and disables itself, as torch does on a machine without CUDA; on "cpu",
  enabled, it raises NotImplementedError (minigrad does not run matmuls and convolutions in bfloat16 or
  float16 for you); `enabled=False` runs the code as it is.
- `GradScaler` is torch's loss scaling: scale the loss, unscale the gradients (checking them for inf and
  nan), skip the step that found one and adjust the scale, with torch's arithmetic and errors. On "cuda"
  (the default device) it warns and disables itself, as torch does without CUDA: then `scale` returns the
  loss as it is and `step` calls `optimizer.step()`.
"""
from .autocast_mode import autocast, is_autocast_available
from .grad_scaler import GradScaler, OptState

__all__ = ["autocast", "is_autocast_available", "GradScaler"]
