"""torch.version: what this build was made with. minigrad is NumPy on the CPU: no CUDA, no ROCm."""
__version__ = "0.1.0"      # minigrad's own version (minigrad.__version__)

cuda = None
hip = None
git_version = None
debug = False
