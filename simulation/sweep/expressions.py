"""Measures of your own: outcome expressions over a run's per-month read-outs.

An experiment file's ``[measures]`` table names expressions such as
``late_trust = "mean(cross_trust[month >= 60])"``. They are parsed with :mod:`ast` and
checked against a short grammar before any run starts, then evaluated once per run by
walking the tree with numpy; nothing is ever passed to ``eval``. The grammar:

- names of read-out columns (``collabsim readouts``), each the run's monthly series;
- numbers; ``+ - * / **``; comparisons ``< <= > >= == !=`` (chains too);
- ``and``, ``or``, ``not`` (and ``&``, ``|``, ``~``) on true/false series, month by month;
- ``SERIES[MASK]``: the months where a true/false series holds;
- the reducers of :data:`REDUCERS`, one series in, one number out.

An expression must come to one number per run. A selection (``SERIES[MASK]``) has its own
length, so it can only be reduced or combined with numbers, never with another series.
Reducers skip months where a value is undefined (NaN, e.g. ``failure_share`` before any
partnership has ended); a measure with no defined value to reduce, or a division by zero,
is NaN, like an undefined headline outcome.
"""

from __future__ import annotations

import ast
import difflib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ..errors import UserError, shown


def _finite(x: np.ndarray) -> np.ndarray:
    return x[~np.isnan(x)]


def _mean(x):
    x = _finite(x)
    return float(x.mean()) if x.size else float("nan")


def _median(x):
    x = _finite(x)
    return float(np.median(x)) if x.size else float("nan")


def _min(x):
    x = _finite(x)
    return float(x.min()) if x.size else float("nan")


def _max(x):
    x = _finite(x)
    return float(x.max()) if x.size else float("nan")


def _sum(x):  # of nothing, 0: `sum(active == 0)` counts months
    return float(_finite(x).sum())


def _std(x):  # the sample standard deviation, as pandas gives it
    x = _finite(x)
    return float(x.std(ddof=1)) if x.size > 1 else float("nan")


def _first(x):
    x = _finite(x)
    return float(x[0]) if x.size else float("nan")


def _last(x):
    x = _finite(x)
    return float(x[-1]) if x.size else float("nan")


#: The functions an expression may call: each takes one series and gives one number.
REDUCERS: dict[str, Callable[[np.ndarray], float]] = {
    "mean": _mean,
    "median": _median,
    "min": _min,
    "max": _max,
    "sum": _sum,
    "std": _std,
    "first": _first,
    "last": _last,
}
#: Longest expression accepted (a measure is a formula, not a program).
MAX_LENGTH = 1000
NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

_ARITHMETIC = {
    ast.Add: np.add,
    ast.Sub: np.subtract,
    ast.Mult: np.multiply,
    ast.Div: np.divide,
    ast.Pow: np.power,
}
_LOGICAL = {ast.BitAnd: np.logical_and, ast.BitOr: np.logical_or}
_COMPARE = {
    ast.Lt: np.less,
    ast.LtE: np.less_equal,
    ast.Gt: np.greater,
    ast.GtE: np.greater_equal,
    ast.Eq: np.equal,
    ast.NotEq: np.not_equal,
}
#: What a refused construct is called in a message.
_REFUSED = {
    ast.Attribute: "attribute access (.)",
    ast.Lambda: "lambda",
    ast.ListComp: "a comprehension",
    ast.SetComp: "a comprehension",
    ast.DictComp: "a comprehension",
    ast.GeneratorExp: "a comprehension",
    ast.IfExp: "if/else",
    ast.NamedExpr: "assignment (:=)",
    ast.Starred: "unpacking (*)",
    ast.Slice: "a slice (:)",
    ast.List: "a list",
    ast.Tuple: "a tuple",
    ast.Dict: "a dict",
    ast.Set: "a set",
    ast.JoinedStr: "an f-string",
    ast.Await: "await",
    ast.Yield: "yield",
}


def allowed() -> str:
    """What an expression may contain, for error messages."""
    return (
        "read-out columns (see `collabsim readouts`), numbers, + - * / **, comparisons, "
        "and/or/not, SERIES[MASK], and the reducers " + ", ".join(REDUCERS) + ", giving one "
        "number, e.g. 'mean(cross_trust[month >= 60])'"
    )


class ExpressionError(ValueError):
    """What is wrong with an expression, in words (the caller adds where it was)."""


# A checked node's kind: its shape ("scalar", "series": a whole monthly series, or
# "selection": a series masked to some months) and whether its values are true/false.
@dataclass(frozen=True)
class _Kind:
    shape: str
    boolean: bool = False


def _combine(a: _Kind, b: _Kind, what: str, boolean: bool) -> _Kind:
    shapes = {a.shape, b.shape} - {"scalar"}
    if len(shapes) > 1 or (shapes == {"selection"} and "scalar" not in (a.shape, b.shape)):
        raise ExpressionError(
            f"{what} combines a selection SERIES[MASK] with another series (their months "
            "differ); reduce each first, e.g. mean(a[m]) - mean(b[m])"
        )
    return _Kind(shapes.pop() if shapes else "scalar", boolean)


class _Checker:
    def __init__(self, columns: Sequence[str]):
        self.columns = set(columns)
        self.column_list = list(columns)
        self.used: list[str] = []

    def check(self, node: ast.AST) -> _Kind:
        method = getattr(self, f"_{type(node).__name__}", None)
        if method is None:
            what = _REFUSED.get(type(node), type(node).__name__)
            raise ExpressionError(f"{what} is not allowed")
        return method(node)

    def _Expression(self, node):
        return self.check(node.body)

    def _Constant(self, node):
        if isinstance(node.value, bool) or not isinstance(node.value, int | float):
            raise ExpressionError(f"the constant {shown(node.value)} is not allowed (numbers only)")
        try:
            float(node.value)
        except OverflowError:
            raise ExpressionError(f"the number {shown(node.value, 30)} is too large") from None
        return _Kind("scalar")

    def _Name(self, node):
        if node.id in self.columns:
            if node.id not in self.used:
                self.used.append(node.id)
            return _Kind("series")
        if node.id in REDUCERS:
            raise ExpressionError(f"{node.id} is a reducer: call it on a series, {node.id}(...)")
        near = difflib.get_close_matches(node.id, self.column_list, n=3)
        hint = f" (did you mean {', '.join(near)}?)" if near else ""
        raise ExpressionError(f"unknown column {node.id}{hint}")

    def _BinOp(self, node):
        a, b = self.check(node.left), self.check(node.right)
        if type(node.op) in _ARITHMETIC:
            return _combine(a, b, "arithmetic", False)
        if type(node.op) in _LOGICAL:
            if not (a.boolean and b.boolean):
                raise ExpressionError("& and | take true/false series, e.g. (a > 1) & (b < 2)")
            return _combine(a, b, "& or |", True)
        raise ExpressionError(f"the operator {type(node.op).__name__} is not allowed")

    def _UnaryOp(self, node):
        k = self.check(node.operand)
        if isinstance(node.op, ast.UAdd | ast.USub):
            return _Kind(k.shape, False)
        if not k.boolean:
            raise ExpressionError("not and ~ take a true/false series, e.g. not (active > 0)")
        return k

    def _BoolOp(self, node):
        kinds = [self.check(v) for v in node.values]
        if not all(k.boolean for k in kinds):
            raise ExpressionError("and/or take true/false series, e.g. (a > 1) and (b < 2)")
        out = kinds[0]
        for k in kinds[1:]:
            out = _combine(out, k, "and/or", True)
        return out

    def _Compare(self, node):
        for op in node.ops:
            if type(op) not in _COMPARE:
                raise ExpressionError(f"the comparison {type(op).__name__} is not allowed")
        out = self.check(node.left)
        for right in node.comparators:
            out = _combine(out, self.check(right), "a comparison", True)
        return _Kind(out.shape, True)

    def _Subscript(self, node):
        value = self.check(node.value)
        if value.shape != "series":
            raise ExpressionError("only a whole series can be indexed, e.g. cross_trust[month > 5]")
        mask = self.check(node.slice)
        if mask.shape != "series" or not mask.boolean:
            raise ExpressionError(
                "a series is indexed only by a true/false series of the same months, "
                "e.g. cross_trust[month >= 60]"
            )
        return _Kind("selection", value.boolean)

    def _Call(self, node):
        if not isinstance(node.func, ast.Name):
            self.check(node.func)  # names what it is: attribute access, a lambda, ...
            raise ExpressionError("only the reducers may be called: " + ", ".join(REDUCERS))
        name = node.func.id
        if name not in REDUCERS:
            raise ExpressionError(f"unknown function {name}")
        if node.keywords or len(node.args) != 1:
            raise ExpressionError(f"{name} takes exactly one series, e.g. {name}(cross_trust)")
        arg = self.check(node.args[0])
        if arg.shape == "scalar":
            raise ExpressionError(f"{name} takes a series, not a single number")
        return _Kind("scalar")


@lru_cache(maxsize=256)
def _parse(text: str) -> ast.Expression:
    return ast.parse(text, mode="eval")


def check(text: object, columns: Sequence[str]) -> tuple[str, ...]:
    """Check one expression; the read-out columns it uses, or an :class:`ExpressionError`."""
    if not isinstance(text, str) or not text.strip():
        raise ExpressionError("it is not an expression (a non-empty string)")
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"it is longer than {MAX_LENGTH} characters")
    try:
        tree = _parse(text.strip())
    except SyntaxError as exc:
        raise ExpressionError(f"it is not a valid expression ({exc.msg})") from None
    except (ValueError, RecursionError, MemoryError):
        raise ExpressionError("it is not a valid expression (nested too deeply)") from None
    checker = _Checker(columns)
    try:
        kind = checker.check(tree)
    except RecursionError:
        raise ExpressionError("it is nested too deeply") from None
    if kind.shape != "scalar":
        raise ExpressionError(
            "it gives a value for each month, not one number per run; reduce it, "
            "e.g. mean(...) or last(...)"
        )
    if not checker.used:
        raise ExpressionError("it uses no read-out column")
    return tuple(checker.used)


@dataclass(frozen=True)
class Measure:
    """A checked measure: its name, its expression and the read-out columns it reads."""

    name: str
    text: str
    columns: tuple[str, ...]

    def evaluate(self, data: Mapping[str, Sequence[float]]) -> float:
        """The measure of one run, from its monthly read-outs (column -> one value a month)."""
        series = {c: np.asarray(data[c], dtype=np.float64) for c in self.columns}
        with np.errstate(all="ignore"):
            value = _evaluate(_parse(self.text.strip()).body, series)
        value = float(value)
        return value if np.isfinite(value) else float("nan")


def measure(name: object, text: object, columns: Sequence[str], *, where: str) -> Measure:
    """A :class:`Measure`, or a one-line :class:`UserError` naming ``where``, the measure, the
    problem and what is allowed."""
    if not isinstance(name, str) or not NAME.match(name):
        raise UserError(
            f"{where}: measure name {shown(name)} is not allowed; allowed: letters, digits "
            "and _, not starting with a digit"
        )
    try:
        used = check(text, columns)
    except ExpressionError as exc:
        raise UserError(
            f"{where}: measures.{name} = {shown(text)} is not allowed: {exc}; allowed: " + allowed()
        ) from None
    return Measure(name, text.strip(), used)


def _evaluate(node: ast.AST, series: Mapping[str, np.ndarray]):
    """Walk a checked tree; every number is a float64 (no Python integer can grow huge)."""
    match node:
        case ast.Constant(value=v):
            return np.float64(v)
        case ast.Name(id=name):
            return series[name]
        case ast.BinOp(left=left, op=op, right=right):
            fn = _ARITHMETIC.get(type(op)) or _LOGICAL[type(op)]
            return fn(_evaluate(left, series), _evaluate(right, series))
        case ast.UnaryOp(op=op, operand=operand):
            x = _evaluate(operand, series)
            if isinstance(op, ast.USub):
                return np.negative(x)
            return x if isinstance(op, ast.UAdd) else np.logical_not(x)
        case ast.BoolOp(op=op, values=values):
            fn = np.logical_and if isinstance(op, ast.And) else np.logical_or
            out = _evaluate(values[0], series)
            for v in values[1:]:
                out = fn(out, _evaluate(v, series))
            return out
        case ast.Compare(left=left, ops=ops, comparators=comparators):
            out, a = None, _evaluate(left, series)
            for op, right in zip(ops, comparators, strict=True):
                b = _evaluate(right, series)
                holds = _COMPARE[type(op)](a, b)
                out = holds if out is None else np.logical_and(out, holds)
                a = b
            return out
        case ast.Subscript(value=value, slice=mask):
            return _evaluate(value, series)[np.asarray(_evaluate(mask, series), dtype=bool)]
        case ast.Call(func=ast.Name(id=name), args=[arg]):
            x = np.asarray(_evaluate(arg, series), dtype=np.float64)
            return REDUCERS[name](x)
    raise AssertionError(f"unchecked node {type(node).__name__}")  # check() refuses it first
