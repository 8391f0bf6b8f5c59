"""Pattern-oriented validation (`collabsim validate`) and a one-at-a-time sensitivity screen."""

from .patterns import PATTERNS, Measured, validate_patterns

__all__ = ["PATTERNS", "Measured", "validate_patterns"]
