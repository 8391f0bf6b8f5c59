"""Global sensitivity analysis of the headline outcomes, run through the sweep engine.

Stage 1 (Morris) screens every factor (:mod:`simulation.validation.ranges`) with
elementary effects over ``trajectories`` trajectories; stage 2 (Sobol) estimates first-order
and total indices of the ``top`` factors of stage 1, the others held at their defaults.
Each stage is an ordinary sweep (``OUT/morris``, ``OUT/sobol``: resumable, readable with
pandas or DuckDB, reportable with `collabsim report`) plus its tables, figures and a
provenance file.

Seeds: replicate k of every design point runs seed ``seed + k`` (common random numbers), so
an elementary effect or a Sobol contrast compares runs on the same seed; the samplers and
the bootstrap take ``seed`` too. Indices are computed on the replicate means of each point
(:mod:`simulation.sweep.indices`, which says how undefined outcomes are handled).
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import UserError
from ..files import write_text
from ..params import PARAMS
from ..provenance import provenance
from ..scenarios import get, resolve
from ..sweep import indices, store
from ..sweep.checks import duration  # noqa: F401 (the estimate's wording, shared)
from ..sweep.experiment import Experiment, parse_experiment
from ..sweep.runner import SweepSummary, run_sweep
from .ranges import EXCLUDED, RULE, Range, screened, screening_range

#: The headline outcomes analysed (keys of ``simulation.readouts.headline``).
OUTCOMES = (
    "success_share",
    "mean_synergy",
    "cross_trust",
    "myth_change",
    "total_value",
    "partnerships_formed",
    "isolated_share",
    "median_lifespan",
)
#: Outcomes read from each run's partnership table rather than its headline (the headline
#: keeps one number per run; a lifespan needs the partnerships). ``failure_share`` is not
#: screened: it is 1 - ``success_share``, so its elementary effects are the same.
PARTNERSHIP_OUTCOMES = ("median_lifespan",)
#: Morris grid levels: even, so that every step moves a factor by 2/3 of its range and
#: flips every switch.
MORRIS_LEVELS = 4
STAGES = ("morris", "sobol")
# The sample-size check lives with the indices (the sweep report runs it too).
MATERIAL, WIDE, sample_size_note = indices.MATERIAL, indices.WIDE, indices.sample_size_note


@dataclass(frozen=True)
class Settings:
    trajectories: int = 20
    replicates: int = 3
    steps: int | None = None  # None: the scenario's own length
    seed: int = 1
    top: int = 6
    sobol_n: int = 256
    second_order: bool = False
    factors: tuple[str, ...] | None = None  # None: every screenable parameter
    fixed: Mapping[str, Any] = field(default_factory=dict)  # held, and not screened
    outcomes: tuple[str, ...] = OUTCOMES
    scenario: str = "baseline"

    def months(self) -> int:
        return self.steps if self.steps is not None else get(self.scenario).steps

    def run_seeds(self) -> list[int]:
        return [self.seed + k for k in range(self.replicates)]


def check_sobol_n(n: int, source: str = "--sobol-n") -> int:
    """Sobol' sequences keep their balance only for powers of two (scipy warns otherwise)."""
    if n < 4 or n & (n - 1):
        raise UserError(f"{source} {n} is not allowed; allowed: a power of 2 from 4 up, e.g. 256")
    return n


def factor_ranges(settings: Settings) -> list[Range]:
    """The Morris factors: every screenable parameter (or those of ``settings.factors``)
    that is not held by ``settings.fixed``, each with its screening range."""
    names = [n for n in screened(only=settings.factors) if n not in settings.fixed]
    if not names:
        raise UserError(
            "no factors left to vary; allowed: at least one numeric or true/false parameter "
            "that is not held with --set"
        )
    return [screening_range(n) for n in names]


def _experiment(
    settings: Settings, stage: str, ranges: list[Range], design: dict[str, Any]
) -> Experiment:
    steps = settings.months()
    raw = {
        "name": f"sensitivity-{stage}",
        "description": f"collabsim sensitivity, {stage} stage",
        "scenario": settings.scenario,
        "steps": steps,
        "replicates": settings.replicates,
        "base_seed": settings.seed,
        "record_every": min(12, steps),
        "design": design,
        "fixed": dict(settings.fixed),
        "vary": {r.name: r.spec() for r in ranges},
    }
    return parse_experiment(raw, source=f"collabsim sensitivity ({stage})")


def morris_experiment(settings: Settings) -> Experiment:
    design = {
        "type": "morris",
        "samples": settings.trajectories,
        "levels": MORRIS_LEVELS,
        "seed": settings.seed % 2**32,
    }
    return _experiment(settings, "morris", factor_ranges(settings), design)


def sobol_experiment(settings: Settings, chosen: list[str]) -> Experiment:
    design = {
        "type": "sobol",
        "samples": check_sobol_n(settings.sobol_n),
        "seed": settings.seed % 2**32,
    }
    if settings.second_order:
        design["second_order"] = True
    return _experiment(settings, "sobol", [screening_range(n) for n in chosen], design)


def morris_runs(settings: Settings, d: int) -> int:
    return settings.trajectories * (d + 1) * settings.replicates


def sobol_runs(settings: Settings, k: int) -> int:
    points = 2 * k + 2 if settings.second_order else k + 2
    return settings.sobol_n * points * settings.replicates


# --- ranking ------------------------------------------------------------------------------
def rank_morris(table: pd.DataFrame, ranges: list[Range]) -> pd.DataFrame:
    """The Morris table with ranks: within each outcome by mu*, and overall by the
    ``score``, the mean over outcomes of mu* / (the outcome's largest mu*).

    ``above_noise``: the lower end of mu*'s CI lies above the noise floor (mu* from seed
    noise alone); with one replicate, where the floor is unknown, above 0.
    """
    t = table.copy()
    top = t.groupby("outcome").mu_star.transform("max")
    t["mu_star_norm"] = np.where(top > 0, t.mu_star / top.where(top > 0, 1.0), 0.0)
    t["sigma_over_mu_star"] = t.sigma / t.mu_star.where(t.mu_star > 0)
    t["above_noise"] = (t.mu_star - t.mu_star_conf) > t.noise_floor.fillna(0.0)
    t["rank"] = t.groupby("outcome").mu_star.rank(ascending=False, method="min").astype(int)
    order = {r.name: i for i, r in enumerate(ranges)}
    score = t.groupby("parameter").mu_star_norm.mean()
    overall = sorted(score.index, key=lambda n: (-score[n], order[n]))
    t["score"] = t.parameter.map(score)
    t["overall_rank"] = t.parameter.map({n: i + 1 for i, n in enumerate(overall)})
    info = pd.DataFrame([r.row() for r in ranges])[["parameter", "low", "high", "basis"]]
    t = t.merge(info, on="parameter", how="left")
    outcome_order = {o: i for i, o in enumerate(dict.fromkeys(t.outcome))}
    t["_o"] = t.outcome.map(outcome_order)
    return t.sort_values(["_o", "rank", "parameter"]).drop(columns="_o").reset_index(drop=True)


def choose_top(ranked: pd.DataFrame, k: int) -> list[str]:
    """The ``k`` factors with the highest overall Morris score."""
    order = ranked.drop_duplicates("parameter").sort_values("overall_rank")
    return order.parameter.head(k).tolist()


# --- stages ---------------------------------------------------------------------------------
@dataclass
class StageResult:
    stage: str
    folder: Path
    summary: SweepSummary
    table: pd.DataFrame | None = None
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)
    chosen: list[str] = field(default_factory=list)


def median_lifespans(folder: Path) -> pd.Series:
    """Each run's median partnership lifespan (months), by ``run_id``: the Kaplan-Meier
    median over the partnerships formed in the record (month 0 on: after the burn-in), those
    still running at the end censored; the same estimator as the validation's
    ``median_lifespan`` (:func:`simulation.validation.measures.km_median`), on one run."""
    from .measures import km_median

    cols = ["run_id", "formed", "lifespan", "censored"]
    p = pd.read_parquet(Path(folder) / "partnerships", columns=cols)
    p = p[p.formed >= 0]
    return p.groupby("run_id", sort=False).apply(
        lambda g: km_median(g.lifespan.to_numpy(float), g.censored.to_numpy(bool)),
        include_groups=False,
    )


def read_stage_runs(folder: Path) -> pd.DataFrame:
    """The stage's runs table with the outcomes of :data:`PARTNERSHIP_OUTCOMES` added (nan
    for a run without partnerships in its record)."""
    runs = store.read_runs(folder)
    if store.part_numbers(folder, "partnerships"):
        life = median_lifespans(folder)
        runs["median_lifespan"] = runs.run_id.map(life).astype(float)
    else:
        runs["median_lifespan"] = np.nan
    return runs


def _sweep(exp, folder, workers, dask, resume, progress) -> tuple[SweepSummary, pd.DataFrame]:
    summary = run_sweep(exp, folder, workers=workers, dask=dask, resume=resume, progress=progress)
    runs = read_stage_runs(folder) if not summary.interrupted else None
    return summary, runs


#: Columns of a stage's compact runs file besides its factors and outcomes.
RUN_KEYS = ("run_id", "condition", "replicate", "seed", "status")


def compact_runs(runs: pd.DataFrame, exp: Experiment, outcomes: tuple[str, ...]) -> pd.DataFrame:
    """One row per run: its keys, the values of the stage's factors and the analysed
    outcomes; what the indices are computed from, small enough to keep with the results
    (the sweep folder beside it holds everything else and can be regenerated)."""
    factors = [f.name for f in exp.factors]
    cols = [*RUN_KEYS, *factors, *[o for o in outcomes if o in runs.columns]]
    return runs[cols].sort_values(["condition", "replicate"]).reset_index(drop=True)


def _write_runs(path: Path, runs: pd.DataFrame, exp: Experiment, settings: Settings) -> Path:
    from ..files import atomic_path

    with atomic_path(path) as tmp:
        compact_runs(runs, exp, settings.outcomes).to_parquet(tmp, index=False)
    return path


def _failed_note(runs: pd.DataFrame) -> list[str]:
    failed = int((runs.status != "ok").sum())
    if not failed:
        return []
    return [
        f"{failed} run(s) failed and are left out (their errors are in the runs table); "
        "--resume runs them again"
    ]


def run_morris(
    settings: Settings,
    out: Path,
    *,
    workers: int | None = None,
    dask: str | None = None,
    resume: bool = False,
    progress: bool = True,
    command: str = "",
) -> StageResult:
    """Stage 1: the Morris sweep in ``out/morris``, then morris.csv, morris.md, one
    mu*-sigma figure per outcome and morris.json."""
    from .sensitivity_report import morris_figure, morris_markdown

    out = Path(out)
    ranges = factor_ranges(settings)
    exp = morris_experiment(settings)
    summary, runs = _sweep(exp, out / "morris", workers, dask, resume, progress)
    result = StageResult("morris", out / "morris", summary)
    if summary.interrupted:
        return result
    idx = indices.morris(exp, runs, list(settings.outcomes))
    result.notes = _failed_note(runs) + idx.notes
    if idx.table.empty:
        raise UserError("morris: no outcome could be analysed; see the notes above")
    ranked = rank_morris(idx.table, ranges)
    result.table = ranked
    k = min(settings.top, len(ranges))
    result.chosen = choose_top(ranked, k)
    result.written.append(write_text(out / "morris.csv", ranked.to_csv(index=False)))
    result.written.append(_write_runs(out / "morris_runs.parquet", runs, exp, settings))
    text = morris_markdown(ranked, settings, exp, result.chosen, result.notes, command)
    result.written.append(write_text(out / "morris.md", text))
    for o in dict.fromkeys(ranked.outcome):
        result.written.append(morris_figure(ranked, o, out / f"morris_{o}.png"))
    result.written.append(
        _write_provenance(out / "morris.json", "morris", settings, exp, ranges, runs, command)
    )
    return result


def morris_choice(settings: Settings, out: Path) -> tuple[list[str], Experiment]:
    """The top factors from the finished Morris sweep in ``out/morris`` (for ``--stage
    sobol`` on its own), checked against ``settings``."""
    from ..sweep.checks import read_sweep_json

    folder = Path(out) / "morris"
    meta = read_sweep_json(folder, why="cannot run the sobol stage without the morris stage")
    exp = parse_experiment(meta["experiment"], source=str(folder / "sweep.json"))
    for key, mine in (
        ("steps", settings.months()),
        ("replicates", settings.replicates),
        ("base_seed", settings.seed),
        ("scenario", settings.scenario),
        ("fixed", dict(settings.fixed)),
    ):
        theirs = getattr(exp, key)
        if theirs != mine:
            raise UserError(
                f"{folder} was made with {key} = {theirs!r}, not {mine!r}; allowed: the "
                "same --steps, --replicates, --seed and --set as the morris stage"
            )
    done = len(store.done_run_ids(folder))
    total = meta.get("total_runs", 0)
    if done < total:
        raise UserError(
            f"{folder} holds {done} of {total} runs; finish it first with --stage morris "
            "--resume (and the same options)"
        )
    runs = read_stage_runs(folder)
    ranges = [screening_range(f.name) for f in exp.factors]
    ranked = rank_morris(indices.morris(exp, runs, list(settings.outcomes)).table, ranges)
    return choose_top(ranked, min(settings.top, len(ranges))), exp


def run_sobol(
    settings: Settings,
    out: Path,
    chosen: list[str],
    *,
    workers: int | None = None,
    dask: str | None = None,
    resume: bool = False,
    progress: bool = True,
    command: str = "",
) -> StageResult:
    """Stage 2: the Sobol sweep of ``chosen`` in ``out/sobol``, then sobol.csv, sobol.md,
    sobol.png (and sobol_s2.csv with second order) and sobol.json."""
    from .sensitivity_report import sobol_figure, sobol_markdown

    out = Path(out)
    exp = sobol_experiment(settings, chosen)
    summary, runs = _sweep(exp, out / "sobol", workers, dask, resume, progress)
    result = StageResult("sobol", out / "sobol", summary, chosen=chosen)
    if summary.interrupted:
        return result
    idx = indices.sobol(exp, runs, list(settings.outcomes))
    result.notes = _failed_note(runs) + idx.notes
    if idx.table.empty:
        raise UserError("sobol: no outcome could be analysed; see the notes above")
    table = idx.table.merge(
        pd.DataFrame([screening_range(n).row() for n in chosen])[["parameter", "low", "high"]],
        on="parameter",
    )
    result.table = table
    per_n = sobol_runs(settings, len(chosen)) // settings.sobol_n
    wide = sample_size_note(table, settings.sobol_n, per_n)
    result.warnings = [wide] if wide else []
    result.written.append(write_text(out / "sobol.csv", table.to_csv(index=False)))
    result.written.append(_write_runs(out / "sobol_runs.parquet", runs, exp, settings))
    if idx.second_order is not None:
        result.written.append(
            write_text(out / "sobol_s2.csv", idx.second_order.to_csv(index=False))
        )
    text = sobol_markdown(
        table, idx.second_order, settings, exp, result.notes + result.warnings, command
    )
    result.written.append(write_text(out / "sobol.md", text))
    result.written.append(sobol_figure(table, out / "sobol.png"))
    ranges = [screening_range(n) for n in chosen]
    result.written.append(
        _write_provenance(out / "sobol.json", "sobol", settings, exp, ranges, runs, command)
    )
    return result


# --- provenance and estimates -------------------------------------------------------------
def _version(dist: str) -> str | None:
    try:
        return version(dist)
    except PackageNotFoundError:
        return None


def _write_provenance(
    path: Path,
    stage: str,
    settings: Settings,
    exp: Experiment,
    ranges: list[Range],
    runs: pd.DataFrame,
    command: str,
) -> Path:
    held = {
        p.name: settings.fixed.get(p.name, p.default)
        for p in PARAMS.values()
        if p.name not in {r.name for r in ranges}
    }
    record = {
        "stage": stage,
        "command": command,
        "sweep": exp.name,
        "sweep_folder": stage,
        "fingerprint": exp.fingerprint(),
        "settings": {
            "scenario": settings.scenario,
            "steps": settings.months(),
            "replicates": settings.replicates,
            "trajectories": settings.trajectories,
            "morris_levels": MORRIS_LEVELS,
            "top": settings.top,
            "sobol_n": settings.sobol_n,
            "second_order": settings.second_order,
            "outcomes": list(settings.outcomes),
            "bootstrap_resamples": indices.RESAMPLES,
            "confidence_level": indices.CONF_LEVEL,
        },
        "seeds": {
            "rule": "replicate k of every design point runs seed base_seed + k "
            "(common random numbers)",
            "base_seed": settings.seed,
            "run_seeds": settings.run_seeds(),
            "design_seed": exp.design_seed,
            "bootstrap_seed": exp.design_seed,
        },
        "factors": [r.row() for r in ranges],
        "range_rule": RULE,
        "excluded": list(EXCLUDED),
        "held": held,
        "runs": {"total": int(len(runs)), "failed": int((runs.status != "ok").sum())},
        "versions": {
            **provenance()["versions"],
            "SALib": _version("SALib"),
            "matplotlib": _version("matplotlib"),
        },
        "provenance": provenance(),
    }
    return write_text(path, json.dumps(record, indent=2, sort_keys=True, default=str) + "\n")


def time_one_run(settings: Settings) -> float:
    """Seconds one run of the base configuration takes here (for the estimate)."""
    from ..run import simulate

    resolve(settings.scenario, dict(settings.fixed))
    t0 = time.perf_counter()
    simulate(
        settings.scenario, seed=settings.seed, steps=settings.months(), params=dict(settings.fixed)
    )
    return time.perf_counter() - t0
