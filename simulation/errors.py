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
        super().__init__(f"{where}{field} = {value!r} is not allowed; {allowed}")
