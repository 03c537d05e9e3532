"""torch.version: what this build was made with. minigrad is NumPy on the CPU: no CUDA, no ROCm."""
from . import __version__  # noqa: F401  (minigrad's own version)

cuda = None
hip = None
git_version = None
debug = False
