"""Errors that are the user's to fix (bad parameters, names, paths).

The command line turns these into a one-line message and exit status 2; anything
else is a bug and keeps its traceback.
"""


class UserError(ValueError):
    """A mistake in what the user asked for, with a message that says how to fix it."""


class ParameterError(UserError):
    """A parameter name or value that is not allowed.

    The message always names the field, the value given and what is allowed.
    """

    def __init__(self, field: str, value: object, allowed: str, *, source: str | None = None):
        self.field = field
        self.value = value
        self.allowed = allowed
        self.source = source
        where = f"{source}: " if source else ""
        super().__init__(f"{where}{field} = {shown(value)} is not allowed; {allowed}")


def shown(value: object, limit: int = 80) -> str:
    """``repr(value)`` for a one-line message: cut short if long, and never recursing."""
    try:
        text = repr(value)
    except RecursionError:
        text = f"<{type(value).__name__} nested too deeply>"
    return text if len(text) <= limit else text[: limit - 5] + "...' (cut)"
