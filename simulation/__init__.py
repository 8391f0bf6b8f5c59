"""collabsim: an agent-based model of multi-sector collaboration, built on Mesa."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("collabsim")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0+unknown"

# The model and its runners load on first use (see simulation.lazy).
from .lazy import exports  # noqa: E402 (after __version__, which the lazy modules read)

__all__ = ["BatchModel", "CollabModel", "RunResult", "__version__", "run_model", "simulate"]
__getattr__, __dir__ = exports(
    __name__,
    {
        "BatchModel": "run",
        "CollabModel": "model",
        "RunResult": "run",
        "run_model": "run",
        "simulate": "run",
    },
)
