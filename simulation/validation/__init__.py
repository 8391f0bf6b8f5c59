"""Pattern-oriented validation (`collabsim validate`) and the global sensitivity analysis
(`collabsim sensitivity`: Morris, then Sobol, run as sweeps)."""

from ..lazy import exports

__all__ = ["PATTERNS", "Measured", "validate_patterns"]
__getattr__, __dir__ = exports(__name__, dict.fromkeys(__all__, "patterns"))
