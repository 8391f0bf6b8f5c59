"""collabsim: an agent-based model of multi-sector collaboration, built on Mesa."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("collabsim")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0+unknown"

from .model import CollabModel  # noqa: E402
from .run import RunResult, run_model, simulate  # noqa: E402

__all__ = ["CollabModel", "RunResult", "__version__", "run_model", "simulate"]
