"""Pattern-oriented validation (`collabsim validate`) and a one-at-a-time sensitivity screen."""

from ..lazy import exports

__all__ = ["PATTERNS", "Measured", "validate_patterns"]
__getattr__, __dir__ = exports(__name__, dict.fromkeys(__all__, "patterns"))
