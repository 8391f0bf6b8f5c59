"""Experiment files (TOML): schema and validation against ``simulation.params``.

An experiment names a base scenario, parameters held fixed, parameters to vary, a design,
replicates and a base seed, the months to run, how often to record, and an optional stop
condition. A sampled design may be crossed with a factorial (``[cross]``: every sampled
point runs under every combination of its values), and ``[measures]`` adds outcomes of
your own (:mod:`simulation.sweep.expressions`). Everything is checked before any run, and
every error names the file, the key, the offending value and what is allowed.
"""

from __future__ import annotations

import hashlib
import json
import math
import operator
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ParameterError, UserError, shown
from ..org_records import Recording, check_recording
from ..params import PARAMS, validate_run
from ..readouts import columns
from ..scenarios import SCENARIOS, resolve
from .expressions import Measure, measure

DESIGNS = ("factorial", "lhs", "sobol", "morris")
TOP_KEYS = {
    "name",
    "description",
    "scenario",
    "steps",
    "replicates",
    "base_seed",
    "record_every",
    "design",
    "fixed",
    "vary",
    "stop",
    "max_runs",
    "timeout",
    "cross",
    "measures",
    "panel",
    "panel_every",
    "network_at",
}
STOP_KEYS = ("when", "min_month")
#: Largest design (conditions x replicates) run without ``max_runs`` or ``--max-runs``.
DEFAULT_MAX_RUNS = 1_000_000
#: Largest seed: numpy and Mesa take seeds up to 2**63 - 1 (``params.RUN_PARAMS``).
MAX_SEED = 2**63 - 1
STOP_OPS = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "==": operator.eq,
    "!=": operator.ne,
}


#: Distributions a sampled design can draw a parameter from, within [low, high].
DISTRIBUTIONS = ("uniform", "triangular", "normal")


@dataclass(frozen=True)
class Factor:
    """One varied parameter: an explicit value list, or a numeric range [low, high].

    In sampled designs a range has a distribution: ``uniform`` (the default),
    ``triangular`` with its ``mode``, or ``normal`` with ``mean`` and ``sd``, truncated to
    [low, high]. Designs sample the unit cube and map each column through :meth:`ppf`, so
    LHS strata, Saltelli's structure and Morris trajectories carry over to the
    distribution (the same approach SALib takes with its ``dists``).
    """

    name: str
    values: tuple | None = None
    low: float | None = None
    high: float | None = None
    dist: str = "uniform"
    mode: float | None = None
    mean: float | None = None
    sd: float | None = None

    def _frozen(self):
        from scipy import stats

        width = self.high - self.low
        if self.dist == "triangular":
            return stats.triang(c=(self.mode - self.low) / width, loc=self.low, scale=width)
        a, b = (self.low - self.mean) / self.sd, (self.high - self.mean) / self.sd
        return stats.truncnorm(a=a, b=b, loc=self.mean, scale=self.sd)

    def ppf(self, u):
        """Values at unit-cube quantiles ``u``."""
        if self.dist == "uniform":
            return u * (self.high - self.low) + self.low  # as SALib scales its samples
        # Clipped: at the quantiles 0 and 1 (Morris grid ends) rounding can step outside.
        return np.clip(self._frozen().ppf(u), self.low, self.high)


@dataclass(frozen=True)
class Stop:
    """When a run ends early: every clause holds (``COLUMN OP NUMBER`` on the month's
    readouts), and not before ``min_month``."""

    clauses: tuple[tuple[str, str, float], ...]
    min_month: int = 0

    def holds(self, model) -> bool:
        """True when ``model`` (just stepped) should stop."""
        if model.month < self.min_month:
            return False
        r = model.readout
        return all(STOP_OPS[op](r[col], value) for col, op, value in self.clauses)


@dataclass(frozen=True)
class Experiment:
    name: str
    source: str
    scenario: str
    steps: int
    replicates: int
    base_seed: int
    record_every: int  # 0: final month only
    design: str
    samples: int  # base sample size for lhs/sobol/morris
    design_seed: int
    morris_levels: int
    fixed: dict[str, Any]
    factors: tuple[Factor, ...]
    stop: Stop | None = None
    description: str = ""
    timeout: float | None = None  # seconds a run may take before it is stopped as failed
    second_order: bool = False  # sobol: also the second-order indices (N*(2D+2) points)
    # Sampled designs only: factors crossed with the sample; each combination is an arm.
    arms: tuple[Factor, ...] = ()
    measures: tuple[Measure, ...] = ()  # outcomes of the experiment file's own
    # The organisation panel and network snapshots each run keeps (none by default).
    recording: Recording = Recording()
    raw: dict = field(default_factory=dict, compare=False, repr=False)

    def fingerprint(self) -> str:
        """Hash of the experiment's content: a resumed sweep must match it exactly."""
        text = json.dumps(self.raw, sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def read_toml(path: str | Path, what: str) -> tuple[dict, str]:
    """Read a TOML file as (table, text); any problem is one ``UserError`` naming the file.

    ``what`` names the kind of file in messages ("experiment file", "targets file").
    """
    if str(path) == "":
        raise UserError(f"{what} '' not found; allowed: a TOML file path")
    path = Path(path)
    try:
        if not path.is_file():
            raise UserError(f"{what} {path} not found; allowed: a TOML file path")
        data = path.read_bytes()
    except (OSError, ValueError) as exc:
        if isinstance(exc, UserError):
            raise
        raise UserError(f"{what} {path}: cannot be read ({exc})") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UserError(
            f"{path}: is not UTF-8 text (byte {exc.start} is {data[exc.start]:#04x}); "
            "allowed: a TOML file saved as UTF-8"
        ) from None
    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"{path}: not valid TOML: {' '.join(str(exc).split())}") from None
    except RecursionError:
        raise UserError(f"{path}: not valid TOML: nested too deeply") from None


def load_experiment(path: str | Path, *, max_runs: int | None = None) -> Experiment:
    """Read and validate an experiment file; ``max_runs`` overrides the file's limit."""
    raw, _ = read_toml(path, "experiment file")
    return parse_experiment(raw, source=str(path), max_runs=max_runs)


def _key(key: Any) -> str:
    return key if isinstance(key, str) and key.isprintable() else shown(key)


def _fail(source: str, key: str, value: Any, allowed: str) -> UserError:
    return UserError(f"{source}: {_key(key)} = {shown(value)} is not allowed; allowed: {allowed}")


def _int(source, key, value, low, high=None) -> int:
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or value < low
        or (high is not None and value > high)
    ):
        rng = f"an integer >= {low}" if high is None else f"an integer from {low} to {high}"
        raise _fail(source, key, value, rng)
    return int(value)


def _param(source: str, key: str, name: str, value: Any) -> Any:
    if name not in PARAMS:
        raise _fail(source, key, name, "a parameter name (see `collabsim params`)")
    try:
        return PARAMS[name].coerce(value, source=f"{source}: {key}")
    except ParameterError:
        raise _fail(source, key, value, PARAMS[name].allowed().removeprefix("allowed: ")) from None


def _step(source: str, key: str, spec: dict) -> float:
    step = spec.get("step")
    if (
        step is None
        or isinstance(step, bool)
        or not isinstance(step, (int, float))
        or not math.isfinite(step)
        or step <= 0
    ):
        raise _fail(
            source, f"{key}.step", step, "a positive finite number (factorial ranges need a step)"
        )
    return step


def range_levels(low: float, high: float, step: float) -> int:
    """How many values ``low, low + step, ...`` up to ``high`` a factorial range has, by
    arithmetic (nothing is built, so ``step = 1e-9`` costs nothing to count)."""
    ratio = (high - low) / step
    if not math.isfinite(ratio):
        return 10**309  # more than any limit; shown as such
    n = int(round(ratio)) + 1
    return max(1, min(n, math.floor((high + 1e-9 - low) / step) + 1))


def _levels(source: str, name: str, spec: Any, design: str) -> int:
    """The number of levels ``vary.NAME`` will have, without building them (1 if the spec is
    invalid: building it then raises the precise error)."""
    if isinstance(spec, list):
        return max(1, len(spec))
    if not isinstance(spec, dict) or name not in PARAMS:
        return 1
    if "values" in spec:
        return max(1, len(spec["values"])) if isinstance(spec["values"], list) else 1
    if design != "factorial" or "low" not in spec or "high" not in spec:
        return 1
    try:
        key = f"vary.{name}"
        low = _param(source, f"{key}.low", name, spec["low"])
        high = _param(source, f"{key}.high", name, spec["high"])
        step = _step(source, key, spec)
    except UserError:
        return 1
    return range_levels(low, high, step) if low < high else 1


def _too_many(source: str, runs: int, detail: str, limit: int) -> UserError:
    size = f"{runs:,}" if runs < 10**30 else f"about 10^{len(str(runs)) - 1}"
    return UserError(
        f"{source}: the design has {size} runs ({detail}), more than the limit of "
        f"{limit:,}; allowed: at most max_runs runs (raise it with max_runs = N in the "
        "experiment file or --max-runs N)"
    )


def design_size(
    design: str,
    levels: list[int],
    samples: int,
    replicates: int,
    second_order: bool = False,
    arms: list[int] | None = None,
) -> tuple[int, str]:
    """Runs of a design, by arithmetic, with how it was counted: factorial, the product of
    the level counts; LHS, N points; Sobol, N*(D+2) for first and total order, N*(2D+2)
    with second order too; Morris, r*(D+1); a sampled design crossed with a factorial
    (``arms``: the level counts of the crossed factors), times their product; each times
    the replicates."""
    d = len(levels)
    if design == "factorial":
        points = math.prod(levels)
        how = " x ".join(f"{n:,}" for n in levels) or "1"
        how += f" levels x {replicates:,} replicates"
    elif design == "lhs":
        points, how = samples, f"lhs: {samples:,} points x {replicates:,} replicates"
    elif design == "sobol" and second_order:
        points = samples * (2 * d + 2)
        how = f"sobol: N*(2D+2) = {samples:,}*(2*{d}+2) points x {replicates:,} replicates"
    elif design == "sobol":
        points = samples * (d + 2)
        how = f"sobol: N*(D+2) = {samples:,}*({d}+2) points x {replicates:,} replicates"
    else:
        points = samples * (d + 1)
        how = f"morris: r*(D+1) = {samples:,}*({d}+1) points x {replicates:,} replicates"
    if design != "factorial" and arms:
        n_arms = math.prod(arms)
        points *= n_arms
        crossed = " x ".join(f"{n:,}" for n in arms)
        how = how.replace(" points x ", f" points x {n_arms:,} arms ({crossed}) x ")
    return points * replicates, how


def _factor(
    source: str,
    name: str,
    spec: Any,
    design: str,
    limit: int | None = None,
    section: str = "vary",
) -> Factor:
    key = f"{section}.{name}"
    if name not in PARAMS:
        raise _fail(source, key, name, "a parameter name (see `collabsim params`)")
    p = PARAMS[name]
    if isinstance(spec, list):
        spec = {"values": spec}
    if not isinstance(spec, dict):
        raise _fail(
            source, key, spec, "a list of values or a table with values, or low/high[/step]"
        )
    unknown = set(spec) - {"values", "low", "high", "step", "dist", "mode", "mean", "sd"}
    if unknown:
        raise _fail(
            source,
            f"{key}.{sorted(unknown)[0]}",
            spec[sorted(unknown)[0]],
            "keys values, low, high, step, dist, mode, mean, sd",
        )
    numeric = p.kind in (int, float)
    if "values" in spec:
        if design != "factorial":
            raise _fail(
                source,
                f"{key}.values",
                spec["values"],
                f"low/high ranges only in a {design} design (to run every sampled point "
                "under each of these values, list them under [cross])",
            )
        vals = spec["values"]
        if not isinstance(vals, list) or not vals:
            raise _fail(source, f"{key}.values", vals, "a non-empty list")
        return Factor(name, values=tuple(_param(source, f"{key}.values", name, v) for v in vals))
    if p.kind is bool and design != "factorial" and "values" not in spec:
        return _switch(source, key, name, spec)
    if not numeric:
        raise _fail(source, key, spec, f"a values list for {p.kind.__name__} parameter {name}")
    if "low" not in spec or "high" not in spec:
        raise _fail(source, key, spec, "both low and high (or a values list)")
    low = _param(source, f"{key}.low", name, spec["low"])
    high = _param(source, f"{key}.high", name, spec["high"])
    if not low < high:
        raise _fail(source, f"{key}.high", high, f"a value greater than low = {low}")
    if design == "factorial":
        shaped = sorted(set(spec) & {"dist", "mode", "mean", "sd"})
        if shaped:
            raise _fail(
                source,
                f"{key}.{shaped[0]}",
                spec[shaped[0]],
                "distributions only in lhs, sobol or morris designs",
            )
        step = _step(source, key, spec)
        n = range_levels(low, high, step)
        if limit is not None and n > limit:
            raise _too_many(source, n, f"{key} alone has {n:,} levels", limit)
        vals = [low + i * step for i in range(n) if low + i * step <= high + 1e-9]
        vals = [
            _param(source, f"{key}.step", name, round(v, 10) if p.kind is float else int(round(v)))
            for v in vals
        ]
        return Factor(name, values=tuple(dict.fromkeys(vals)))
    if "step" in spec:
        raise _fail(source, f"{key}.step", spec["step"], f"no step in a {design} design")
    return _distribution(source, key, name, spec, float(low), float(high))


def _switch(source: str, key: str, name: str, spec: dict) -> Factor:
    """A switch in a sampled design, ``{ low = false, high = true }``: its unit-cube column
    reads off below 0.5 and on from 0.5 (:func:`designs.conditions`), so each setting holds
    half the cube, and with an even number of Morris levels every Morris step flips it."""
    for k in ("low", "high"):
        if k not in spec:
            raise _fail(source, key, spec, "both low = false and high = true")
        _param(source, f"{key}.{k}", name, spec[k])
    if _param(source, f"{key}.low", name, spec["low"]) is not False:
        raise _fail(source, f"{key}.low", spec["low"], "false (a switch runs from off to on)")
    if _param(source, f"{key}.high", name, spec["high"]) is not True:
        raise _fail(source, f"{key}.high", spec["high"], "true (a switch runs from off to on)")
    shaped = sorted(set(spec) - {"low", "high", "dist"})
    if shaped or spec.get("dist", "uniform") != "uniform":
        k = shaped[0] if shaped else "dist"
        raise _fail(source, f"{key}.{k}", spec[k], "low and high only (a switch is on or off)")
    return Factor(name, low=0.0, high=1.0)


def _number(source: str, key: str, value: Any, lo: float, hi: float, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not lo <= value <= hi:
        raise _fail(source, key, value, what)
    return float(value)


def _distribution(source: str, key: str, name: str, spec: dict, low: float, high: float) -> Factor:
    dist = spec.get("dist", "uniform")
    if dist not in DISTRIBUTIONS:
        raise _fail(source, f"{key}.dist", dist, ", ".join(DISTRIBUTIONS))
    needs = {"uniform": set(), "triangular": {"mode"}, "normal": {"mean", "sd"}}[dist]
    given = set(spec) & {"mode", "mean", "sd"}
    for k in sorted(given - needs):
        raise _fail(
            source,
            f"{key}.{k}",
            spec[k],
            f"keys {', '.join(sorted(needs)) or 'none'} for dist = {dist!r}",
        )
    for k in sorted(needs - given):
        raise _fail(
            source,
            f"{key}.{k}",
            None,
            f"a number: dist = {dist!r} needs " + " and ".join(sorted(needs)),
        )
    inside = f"a number from low = {low} to high = {high}"
    if dist == "triangular":
        return Factor(
            name,
            low=low,
            high=high,
            dist=dist,
            mode=_number(source, f"{key}.mode", spec["mode"], low, high, inside),
        )
    if dist == "normal":
        mean = _number(source, f"{key}.mean", spec["mean"], low, high, inside)
        sd = spec["sd"]
        if isinstance(sd, bool) or not isinstance(sd, (int, float)) or not sd > 0:
            raise _fail(source, f"{key}.sd", sd, "a positive number")
        return Factor(name, low=low, high=high, dist=dist, mean=mean, sd=float(sd))
    return Factor(name, low=low, high=high)


def _clause(source: str, key: str, text: Any) -> tuple[str, str, float]:
    allowed = f"'COLUMN OP NUMBER' with OP one of {' '.join(STOP_OPS)}, e.g. 'active == 0'"
    parts = text.split() if isinstance(text, str) else []
    if len(parts) != 3 or parts[1] not in STOP_OPS:
        raise _fail(source, key, text, allowed)
    if parts[0] not in columns():
        import difflib

        near = difflib.get_close_matches(parts[0], columns(), n=3)
        hint = f"did you mean {', '.join(near)}? " if near else ""
        raise _fail(
            source,
            key,
            text,
            f"a readout column ({hint}see `collabsim readouts`) in " + allowed,
        )
    try:
        value = float(parts[2])
    except ValueError:
        raise _fail(source, key, text, allowed) from None
    if not math.isfinite(value):
        raise _fail(source, key, text, "a finite NUMBER in " + allowed)
    return parts[0], parts[1], value


def _stop(source: str, spec: Any, steps: int) -> Stop:
    """``stop = "CLAUSE"``, ``[stop] when = "CLAUSE"`` or ``when = ["CLAUSE", ...]`` (every
    clause must hold), with an optional ``min_month`` before which no run stops."""
    if not isinstance(spec, dict):
        spec = {"when": spec}
    unknown = sorted(set(spec) - set(STOP_KEYS), key=str)
    if unknown:
        k = unknown[0]
        raise _fail(source, f"stop.{_key(k)}", spec[k], "keys " + ", ".join(STOP_KEYS))
    if "when" not in spec:
        raise _fail(source, "stop.when", None, "a clause such as 'active == 0', or a list of them")
    when = spec["when"]
    if isinstance(when, list):
        if not when:
            raise _fail(source, "stop.when", when, "a non-empty list of clauses")
        clauses = tuple(_clause(source, f"stop.when[{i}]", c) for i, c in enumerate(when))
    else:
        clauses = (_clause(source, "stop.when", when),)
    min_month = _int(source, "stop.min_month", spec.get("min_month", 0), 0, steps)
    return Stop(clauses=clauses, min_month=min_month)


def parse_experiment(
    raw: dict, *, source: str = "<experiment>", max_runs: int | None = None
) -> Experiment:
    """Validate a parsed TOML document into an :class:`Experiment` (raises ``UserError``).

    A design of more than ``max_runs`` runs (default: the file's ``max_runs``, else
    :data:`DEFAULT_MAX_RUNS`) is refused, counted before any of it is built.
    """
    if not isinstance(raw, dict):
        raise _fail(source, "<experiment>", raw, "a table of keys (a parsed TOML document)")
    try:
        return _parse(raw, source, max_runs)
    except RecursionError:
        raise UserError(f"{source}: nested too deeply; allowed: a plain experiment") from None


def _parse(raw: dict, source: str, max_runs: int | None) -> Experiment:
    unknown = set(raw) - TOP_KEYS
    if unknown:
        k = sorted(unknown, key=str)[0]
        raise _fail(source, k, raw[k], "top-level keys " + ", ".join(sorted(TOP_KEYS)))
    name = raw.get("name", Path(source).stem)
    if (
        not isinstance(name, str)
        or not name
        or not name.replace("_", "").replace("-", "").isalnum()
    ):
        raise _fail(source, "name", name, "letters, digits, - and _")
    scenario = raw.get("scenario", "baseline")
    if not isinstance(scenario, str) or scenario not in SCENARIOS:
        raise _fail(source, "scenario", scenario, ", ".join(SCENARIOS))
    steps = _int(source, "steps", raw.get("steps", SCENARIOS[scenario].steps), 1, 100_000)
    replicates = _int(source, "replicates", raw.get("replicates", 1), 1, 100_000)
    # Replicate k runs seed base_seed + k (exact integers), so the last must still be a seed.
    base_seed = _int(source, "base_seed", raw.get("base_seed", 0), 0, MAX_SEED - replicates + 1)
    validate_run(steps, base_seed)
    if max_runs is None:
        max_runs = _int(source, "max_runs", raw.get("max_runs", DEFAULT_MAX_RUNS), 1)
    else:
        max_runs = _int("--max-runs", "max_runs", max_runs, 1)
    record_every = _int(source, "record_every", raw.get("record_every", 1), 0, steps)

    d = raw.get("design", {"type": "factorial"})
    if isinstance(d, str):
        d = {"type": d}
    if not isinstance(d, dict):
        raise _fail(source, "design", d, "a table with type = " + " | ".join(DESIGNS))
    dtype = d.get("type", "factorial")
    if dtype not in DESIGNS:
        raise _fail(source, "design.type", dtype, ", ".join(DESIGNS))
    extra = set(d) - {"type", "samples", "seed", "levels", "second_order"}
    if extra:
        k = sorted(extra)[0]
        raise _fail(source, f"design.{k}", d[k], "keys type, samples, seed, levels, second_order")
    second_order = d.get("second_order", False)
    if not isinstance(second_order, bool) or (second_order and dtype != "sobol"):
        raise _fail(
            source, "design.second_order", second_order, "true or false, and true only for sobol"
        )
    samples = 0
    if dtype != "factorial":
        samples = _int(source, "design.samples", d.get("samples"), 2, 10**6)
    # The sampler takes 32-bit seeds; by default it follows base_seed (the same number for
    # every base seed below 2**32, as before).
    design_seed = _int(source, "design.seed", d.get("seed", base_seed % 2**32), 0, 2**32 - 1)
    levels = _int(source, "design.levels", d.get("levels", 4), 2, 100)

    fixed_raw = raw.get("fixed", {})
    if not isinstance(fixed_raw, dict):
        raise _fail(source, "fixed", fixed_raw, "a table of parameter = value")
    fixed = {k: _param(source, f"fixed.{k}", k, v) for k, v in fixed_raw.items()}
    vary = raw.get("vary", {})
    if not isinstance(vary, dict):
        raise _fail(source, "vary", vary, "a table of parameter = [values] or {low, high[, step]}")
    cross = raw.get("cross", {})
    if not isinstance(cross, dict):
        raise _fail(source, "cross", cross, "a table of parameter = [values]")
    if cross and dtype == "factorial":
        k = next(iter(cross))
        raise _fail(
            source,
            f"cross.{_key(k)}",
            cross[k],
            "[cross] only with a sampled design (lhs, sobol, morris); in a factorial design "
            "list every factor under [vary]",
        )
    # Counted before anything is built: a design too big to run is refused at once.
    runs, how = design_size(
        dtype,
        [_levels(source, k, v, dtype) for k, v in vary.items()],
        samples,
        replicates,
        second_order,
        [_levels(source, k, v, "factorial") for k, v in cross.items()],
    )
    if runs > max_runs:
        raise _too_many(source, runs, how, max_runs)
    factors = tuple(_factor(source, k, v, dtype, max_runs) for k, v in vary.items())
    arms = tuple(_factor(source, k, v, "factorial", max_runs, "cross") for k, v in cross.items())
    for k in cross:
        if k in vary:
            raise _fail(source, f"cross.{k}", cross[k], "a parameter not also listed under vary")
    both = set(fixed) & (set(vary) | set(cross))
    if both:
        k = sorted(both)[0]
        raise _fail(
            source, f"fixed.{k}", fixed[k], "a parameter not also listed under vary or cross"
        )
    if dtype != "factorial" and not factors:
        raise _fail(source, "vary", vary, f"at least one low/high range for a {dtype} design")
    # The base scenario plus fixed values must make a valid model on their own.
    try:
        resolve(scenario, fixed, source=source)
    except ParameterError as exc:
        raise UserError(f"{source}: fixed: {exc}") from None

    stop = _stop(source, raw["stop"], steps) if "stop" in raw else None
    measures = _measures(source, raw.get("measures", {}), [*vary, *cross])
    timeout = None
    if "timeout" in raw:
        timeout = check_timeout(raw["timeout"], f"{source}: timeout")
    recording = _recording(source, raw, steps, record_every)
    return Experiment(
        name=name,
        source=source,
        scenario=scenario,
        steps=steps,
        replicates=replicates,
        base_seed=base_seed,
        record_every=record_every,
        design=dtype,
        samples=samples,
        design_seed=design_seed,
        morris_levels=levels,
        fixed=fixed,
        factors=factors,
        stop=stop,
        description=str(raw.get("description", "")),
        timeout=timeout,
        second_order=second_order,
        arms=arms,
        measures=measures,
        recording=recording,
        raw=raw,
    )


def _recording(source: str, raw: dict, steps: int, record_every: int) -> Recording:
    """``panel = true`` (every ``record_every`` months), ``panel_every = N`` and
    ``network_at = [M, ...]``: what each run records of its organisations."""
    return check_recording(
        steps,
        panel=raw.get("panel", False),
        panel_every=raw.get("panel_every"),
        network_at=raw.get("network_at", []),
        default_every=record_every or steps,
        names=(f"{source}: panel =", f"{source}: panel_every =", f"{source}: network_at ="),
    )


#: Columns of a sweep's runs table besides parameters and outcomes (see ``runner.schemas``).
RUN_COLUMNS = (
    "run_id",
    "condition",
    "replicate",
    "seed",
    "status",
    "duration_s",
    "error",
    "version",
    "months_run",
    "params_json",
)


def _measures(source: str, spec: Any, varied: list[str]) -> tuple[Measure, ...]:
    """``[measures] NAME = "EXPRESSION"``: each checked, and its name free in the runs table."""
    if not isinstance(spec, dict):
        raise _fail(source, "measures", spec, 'a table of NAME = "EXPRESSION"')
    if not spec:
        return ()
    from .runner import outcome_names

    taken = {*RUN_COLUMNS, *PARAMS, *varied, *outcome_names()}
    out = []
    for name, text in spec.items():
        m = measure(name, text, columns(), where=source)
        if name in taken:
            raise _fail(
                source,
                f"measures.{name}",
                text,
                "a measure name that is not a parameter, a headline outcome or a column of "
                "the runs table (" + ", ".join(RUN_COLUMNS) + ")",
            )
        out.append(m)
    return tuple(out)


def check_timeout(value: Any, where: str) -> float:
    """A per-run timeout in seconds: a positive finite number (``where`` names its origin)."""
    ok = isinstance(value, int | float) and not isinstance(value, bool)
    if not ok or not (0 < value < float("inf")):
        raise UserError(f"{where} = {value!r} is not allowed; allowed: a number of seconds > 0")
    return float(value)


def check_condition(exp: Experiment, values: dict[str, Any]) -> dict[str, Any]:
    """Full validated parameters for one design point (cross-parameter checks included)."""
    try:
        return resolve(exp.scenario, {**exp.fixed, **values}, source=exp.source)
    except ParameterError as exc:
        raise UserError(f"{exp.source}: design point {values}: {exc}") from None
