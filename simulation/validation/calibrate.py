"""Calibration by approximate Bayesian computation: pyabc's ABC-SMC against a targets file.

A particle is one point of the free parameters. Its measures are computed from
``replicates`` model runs per arm (:mod:`simulation.validation.measures`), and its distance is
the sum, over targets, of how far each measure lies outside its interval in interval widths
(:func:`simulation.validation.targets.distance`): 0 when every measure is inside.

The threshold schedule: generation 0 accepts every prior draw (epsilon = infinity, so no
separate calibration sample is spent); each later generation's epsilon is the weighted
median of the previous generation's distances (``pyabc.MedianEpsilon``). The run stops
after ``generations`` generations, once epsilon is at or below ``min_epsilon`` (by default
0: the last generation's particles meet every target), or when a generation would need more
than ``population / min_acceptance_rate`` particles (it is then dropped, and the previous
generation is the posterior).

Reproducibility: pyabc draws proposals from numpy's global random state, which is seeded
with ``seed`` at the start (and restored afterwards); the model seeds of each particle's
replicates are drawn from that same state when the particle is simulated. The sampler is
pyabc's ``SingleCoreSampler``, which draws particles one after another in this process, so
the same seed gives the same posterior. Parallel processes (``workers``) run the runs of
one particle (replicates x arms) side by side; since each run depends only on its seed and
parameters, the posterior does not depend on the number of workers either. pyabc's
multi-core samplers (``MulticoreEvalParallelSampler``, ``MulticoreParticleParallelSampler``,
``MappingSampler``) re-seed every worker from the operating system (``np.random.seed()``),
so their results differ from run to run: they are not used.

Resuming: while it runs, the calibration keeps its pyabc history in ``history.partial.db``
and, after each finished generation, what the next one starts from in
``calibrate.partial.json``: numpy's global random state, the next generation's epsilon, the
runs and seconds so far, a fingerprint of the targets, settings and package versions, and
the digest of the package's code (:func:`simulation.provenance.source_digest`).
``calibrate(..., resume=True)`` (``collabsim calibrate --resume``) loads both and goes on
with the next generation, so an interrupted calibration gives the posterior an uninterrupted
one gives (tested); a generation cut short is run again from its start. The epsilon is
carried over rather than recomputed because pyabc, loading a run whose first epsilon was a
number (here infinity), would start the next generation at that number again.
"""

from __future__ import annotations

import contextlib
import json
import logging
import math
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import numpy as np

from ..files import atomic_path, write_text
from ..params import DEFAULTS
from ..pools import process_pool
from ..provenance import provenance, source_digest
from ..sweep.store import writer_lock
from .measures import arms_for, evaluate
from .targets import MAX_SEED, Targets, distance

#: An unfinished calibration's history and state (see "Resuming" above).
PARTIAL_DB = "history.partial.db"
PARTIAL_STATE = "calibrate.partial.json"
#: The files a calibration writes into its output directory.
OUTPUT_FILES = (
    "posterior.csv",
    "posterior.md",
    "diagnostics.png",
    "history.db",
    "calibrate.json",
)
#: Posterior sd / prior sd below which a parameter counts as identified by the targets, and
#: above which it does not (between the two: weakly identified).
IDENTIFIED_BELOW = 0.5
NOT_IDENTIFIED_ABOVE = 0.8
#: Stream of the fresh seeds used to re-run the posterior median (kept apart from pyabc's).
CHECK_STREAM = 1
#: Acceptance rate assumed for the "typical" run-time estimate printed before a run.
TYPICAL_ACCEPTANCE = 0.2


def sampler_name() -> str:
    return "pyabc.sampler.SingleCoreSampler"


class ParticleModel:
    """The model as pyabc sees it: ``model(parameters) -> {measure: value, "seeds": ...}``.

    The replicate seeds come from numpy's global random state, which pyabc draws from too,
    so they follow from the calibration's seed.
    """

    def __init__(self, targets: Targets, pool=None):
        self.targets = targets
        self.names = [p.name for p in targets.priors]
        self.pool = pool
        self.runs = 0
        self.runs_per_particle = targets.settings["replicates"] * len(arms_for(targets.measures))

    def __call__(self, pars) -> dict[str, Any]:
        s = self.targets.settings
        # The legacy global state on purpose: it is pyabc's random state (see the module doc).
        seeds = np.random.randint(0, MAX_SEED, size=s["replicates"], dtype=np.int64)  # noqa: NPY002
        params = {**self.targets.fixed, **{k: float(pars[k]) for k in self.names}}
        out: dict[str, Any] = evaluate(
            self.targets.measures,
            params,
            [int(x) for x in seeds],
            s["steps"],
            scenario=self.targets.scenario,
            pool=self.pool,
        )
        self.runs += self.runs_per_particle
        out["seeds"] = seeds
        return out


@dataclass
class Calibration:
    """What a calibration produced (everything that its files hold)."""

    targets: Targets
    particles: list[dict[str, Any]]  # the last generation: parameters, weight, distance, ...
    summary: list[dict[str, Any]]  # per parameter: prior, median, credible interval, verdict
    generations: list[dict[str, Any]]  # per generation: epsilon, particles, samples, rate
    check: list[dict[str, Any]]  # per target: measure at the default and the posterior median
    runs: int
    seconds: float
    stopped: str
    files: list[Path] = field(default_factory=list)


def _quiet_pyabc() -> None:
    # pyabc logs every generation at INFO to its own handler; the command prints its own.
    logging.getLogger("ABC").setLevel(logging.WARNING)


def pyabc_version() -> str | None:
    try:
        return version("pyabc")
    except PackageNotFoundError:
        return None


def calibrate(
    targets: Targets,
    out: Path,
    *,
    workers: int = 1,
    say: Callable[[str], None] = lambda s: None,
    resume: bool = False,
) -> Calibration:
    """Run the ABC-SMC calibration of ``targets`` and write its files into ``out``;
    ``resume`` goes on with the interrupted calibration of the same targets there."""
    out = Path(out)
    check_resume(targets, out, resume)  # before anything is made
    made = not out.exists()
    out.mkdir(parents=True, exist_ok=True)
    db, state_path = out / PARTIAL_DB, out / PARTIAL_STATE
    saved = np.random.get_state()  # noqa: NPY002 (pyabc's random state, restored below)
    try:
        # Taken before anything is cleaned up: a refused second writer must not touch the
        # files of the calibration that holds the lock.
        with writer_lock(out / LOCK, "calibration", remove=True):
            try:
                state = check_resume(targets, out, resume)
                if state is None:
                    # Left by a run stopped before its first generation, or after its last.
                    db.unlink(missing_ok=True)
                    state_path.unlink(missing_ok=True)
                with process_pool(workers, preload=["simulation.validation.measures"]) as pool:
                    result = _run(targets, db, pool, say, state_path, state)
                result.files = write_outputs(result, out, db)
                state_path.unlink(missing_ok=True)
            except BaseException:
                if not state_path.exists():  # no generation finished: nothing worth keeping
                    db.unlink(missing_ok=True)
                raise
        return result
    except BaseException:
        if made:
            with contextlib.suppress(OSError):  # not empty: another writer has begun there
                out.rmdir()
        raise
    finally:
        np.random.set_state(saved)  # noqa: NPY002


#: Held while a calibration writes into its --out (one writer at a time).
LOCK = ".calibrate.lock"


def fingerprint(targets: Targets) -> str:
    """What an interrupted calibration must share with its resumption to be the same one."""
    import hashlib

    what = {
        "scenario": targets.scenario,
        "settings": targets.settings,
        "fixed": targets.fixed,
        "priors": [(p.name, p.dist, p.low, p.high) for p in targets.priors],
        "targets": [(t.measure, t.low, t.high, t.value) for t in targets.targets],
        # A new numpy, SciPy or pyabc may draw differently; a new collabsim may simulate so.
        "versions": {**provenance()["versions"], "pyabc": pyabc_version()},
    }
    text = json.dumps(what, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def check_resume(targets: Targets, out: Path, resume: bool) -> dict[str, Any] | None:
    """The saved state to resume from (None: start afresh), or a UserError saying why not."""
    from ..errors import UserError

    state_path, db = Path(out) / PARTIAL_STATE, Path(out) / PARTIAL_DB
    # A state without its history was left by a stop while the final files were written
    # (the history is moved last but one): that calibration is finished.
    stopped = state_path.exists() and db.exists()
    if not resume:
        if stopped:
            raise UserError(
                f"--out {out} holds an interrupted calibration ({PARTIAL_STATE}); allowed: "
                "--resume to go on with it, or another --out"
            )
        return None
    if not stopped:
        raise UserError(
            f"--resume: {out} holds no interrupted calibration ({PARTIAL_STATE} and "
            f"{PARTIAL_DB}); allowed: the --out of a calibration that was stopped"
        )
    try:
        state = json.loads(state_path.read_text())
        generation = int(state["generation"])
    except (ValueError, KeyError, TypeError) as exc:
        raise UserError(f"--resume: {state_path} is not readable ({exc}); start afresh") from None
    if state.get("fingerprint") != fingerprint(targets):
        raise UserError(
            f"--resume: the calibration in {out} was made from other targets, settings or "
            "package versions; allowed: the same targets file, options and install as the "
            "stopped run"
        )
    made_from = state.get("source_digest")  # absent from states saved before it was recorded
    if made_from is not None and made_from != source_digest():
        raise UserError(
            f"--resume: the calibration in {out} was made by other code (source digest "
            f"{made_from}; this install's is {source_digest()}); allowed: resume it with the "
            "code that began it, or another --out"
        )
    state["generation"] = generation
    return state


def _rng_json() -> list[Any]:
    name, keys, pos, has_gauss, gauss = np.random.get_state()  # noqa: NPY002
    return [name, [int(k) for k in keys], int(pos), int(has_gauss), float(gauss)]


def _rng_restore(saved: list[Any]) -> None:
    name, keys, pos, has_gauss, gauss = saved
    np.random.set_state((name, np.array(keys, dtype=np.uint32), pos, has_gauss, gauss))  # noqa: NPY002


def _save_state(path: Path, **state: Any) -> None:
    write_text(path, json.dumps(state, allow_nan=True) + "\n")


def _run(
    targets: Targets,
    db: Path,
    pool,
    say: Callable[[str], None],
    state_path: Path,
    resumed: dict[str, Any] | None = None,
) -> Calibration:
    import pyabc

    _quiet_pyabc()
    s = targets.settings
    t0 = time.perf_counter()
    before_runs = resumed["runs"] if resumed else 0
    before_seconds = resumed["seconds"] if resumed else 0.0
    model = ParticleModel(targets, pool)
    prior = pyabc.Distribution(**{p.name: pyabc.RV(*p.scipy_args()) for p in targets.priors})
    first_eps = float(resumed["next_epsilon"]) if resumed else np.inf
    abc = pyabc.ABCSMC(
        model,
        prior,
        lambda x, x_0: distance(x, targets.targets),
        population_size=s["population"],
        eps=pyabc.MedianEpsilon(initial_epsilon=first_eps),
        # check_max_eval: a generation stops at population / min_acceptance_rate particles.
        sampler=pyabc.sampler.SingleCoreSampler(check_max_eval=s["min_acceptance_rate"] > 0),
    )
    abc.sampler.show_progress = False
    if resumed:
        history = abc.load(f"sqlite:///{db}", 1)
        if history.max_t != resumed["generation"]:
            from ..errors import UserError

            raise UserError(
                f"--resume: {db} ends at generation {history.max_t} but {state_path} at "
                f"{resumed['generation']} (stopped while saving); allowed: start afresh "
                f"after removing {db.name} and {state_path.name}, or another --out"
            )
        _rng_restore(resumed["rng"])
        stopped = resumed["stopped"]
        say(f"resuming after generation {history.max_t} ({before_runs:,} runs so far)")
    else:
        np.random.seed(s["seed"])  # noqa: NPY002 (pyabc draws proposals from the global state)
        observed = {t.measure: t.centre for t in targets.targets}
        history = abc.new(f"sqlite:///{db}", observed)
        stopped = None
    left = s["generations"] - (history.max_t + 1)
    try:
        if stopped is None and left > 0:
            stopped = _generations_loop(
                abc, model, targets, say, state_path, left, before_runs, before_seconds, t0
            )
        elif stopped is None:
            stopped = f"{s['generations']} generations done"
    finally:
        history.done()
        abc.sampler.stop()
    if history.max_t < 0:
        from ..errors import UserError

        raise UserError(
            "calibration accepted no generation: not even the prior sample reached "
            f"{s['population']} particles at min_acceptance_rate {s['min_acceptance_rate']}"
        )
    particles = _particles(history, targets)
    summary = summarise(particles, targets)
    generations = _generations(history)
    say(f"re-running the default and the posterior median on {s['check_replicates']} fresh seeds")
    check = check_point(targets, {r["parameter"]: r["median"] for r in summary}, pool)
    return Calibration(
        targets=targets,
        particles=particles,
        summary=summary,
        generations=generations,
        check=check,
        runs=before_runs + model.runs,
        seconds=before_seconds + time.perf_counter() - t0,
        stopped=stopped,
    )


def _generations_loop(
    abc,
    model: ParticleModel,
    targets: Targets,
    say: Callable[[str], None],
    state_path: Path,
    left: int,
    before_runs: int,
    before_seconds: float,
    t0: float,
) -> str:
    """Run up to ``left`` generations; after each, save what the next one starts from.
    Returns why it stopped."""
    s = targets.settings
    stopped = f"{s['generations']} generations done"
    t = abc.initialize_components_before_run(
        minimum_epsilon=s["min_epsilon"],
        max_nr_populations=left,
        min_acceptance_rate=s["min_acceptance_rate"],
        max_total_nr_simulations=np.inf,
        max_walltime=None,
        min_eps_diff=0.0,
    )
    while True:
        g0 = time.perf_counter()
        runs0 = model.runs
        ret = abc.run_generation(t=t)
        if not ret["successful"]:
            stopped = (
                f"generation {t} stopped: acceptance below {s['min_acceptance_rate']} "
                f"(the posterior is generation {t - 1})"
            )
            say(stopped)
            break
        eps = abc.eps(t)
        # pyabc compares this epsilon with the last one: infinity minus infinity after
        # generation 0 is nan, which it (rightly) reads as no stop.
        with np.errstate(invalid="ignore"):
            done = abc.check_terminate(t=t, acceptance_rate=ret["acceptance_rate"])
        if done:
            if eps <= s["min_epsilon"]:
                stopped = f"epsilon {eps:.4g} reached min_epsilon {s['min_epsilon']}"
            elif ret["acceptance_rate"] < s["min_acceptance_rate"]:
                stopped = f"acceptance below min_acceptance_rate {s['min_acceptance_rate']}"
        _save_state(
            state_path,
            generation=t,
            next_epsilon=abc.eps(t + 1),
            rng=_rng_json(),
            runs=before_runs + model.runs,
            seconds=before_seconds + time.perf_counter() - t0,
            stopped=stopped if done else None,
            fingerprint=fingerprint(targets),
            source_digest=source_digest(),
        )
        say(
            f"generation {t}: epsilon {eps:.4g}, accepted {s['population']} of "
            f"{round(s['population'] / ret['acceptance_rate'])} particles "
            f"({ret['acceptance_rate']:.0%}), {model.runs - runs0:,} runs, "
            f"{time.perf_counter() - g0:.0f} s"
        )
        if done:
            break
        t += 1
    return stopped


def _particles(history, targets: Targets) -> list[dict[str, Any]]:
    pop = history.get_population()
    rows = []
    for p in pop.particles:
        row = {k: float(p.parameter[k]) for k in (q.name for q in targets.priors)}
        row["weight"] = float(p.weight)
        row["distance"] = float(p.distance)
        for t in targets.targets:
            row[t.measure] = float(p.sum_stat[t.measure])
        row["seeds"] = " ".join(str(int(x)) for x in np.atleast_1d(p.sum_stat["seeds"]))
        rows.append(row)
    total = sum(r["weight"] for r in rows)
    for r in rows:
        r["weight"] /= total
    return rows


def _generations(history) -> list[dict[str, Any]]:
    pops = history.get_all_populations()
    pops = pops[pops.t >= 0].sort_values("t")
    return [
        {
            "generation": int(r.t),
            "epsilon": float(r.epsilon),
            "particles": int(r.particles),
            "samples": int(r.samples),
            "acceptance_rate": float(r.particles / r.samples) if r.samples else float("nan"),
        }
        for r in pops.itertuples()
    ]


def weighted_quantile(x: np.ndarray, w: np.ndarray, q: float) -> float:
    from pyabc.weighted_statistics import weighted_quantile as wq

    return float(wq(np.asarray(x, float), np.asarray(w, float) / np.sum(w), alpha=q))


def verdict(ratio: float) -> str:
    if not math.isfinite(ratio):
        return "unknown"
    if ratio > NOT_IDENTIFIED_ABOVE:
        return "not identified by these targets"
    if ratio > IDENTIFIED_BELOW:
        return "weakly identified"
    return "identified"


def summarise(particles: list[dict[str, Any]], targets: Targets) -> list[dict[str, Any]]:
    """Per free parameter: prior range, posterior median and 95% credible interval (weighted
    quantiles of the last generation), and the ratio of posterior to prior sd."""
    w = np.array([p["weight"] for p in particles], dtype=float)
    w = w / w.sum()
    rows = []
    for prior in targets.priors:
        x = np.array([p[prior.name] for p in particles], dtype=float)
        mean = float(np.sum(w * x))
        sd = float(np.sqrt(np.sum(w * (x - mean) ** 2)))
        ratio = sd / float(prior.frozen().std())
        rows.append(
            {
                "parameter": prior.name,
                "prior": prior.dist,
                "prior_low": prior.low,
                "prior_high": prior.high,
                "default": DEFAULTS[prior.name],
                "median": weighted_quantile(x, w, 0.5),
                "ci_low": weighted_quantile(x, w, 0.025),
                "ci_high": weighted_quantile(x, w, 0.975),
                "sd_ratio": ratio,
                "verdict": verdict(ratio),
            }
        )
    return rows


def check_seeds(targets: Targets) -> list[int]:
    """Fresh seeds for re-running a point: from their own stream of the calibration's seed."""
    s = targets.settings
    rng = np.random.default_rng(np.random.SeedSequence([s["seed"], CHECK_STREAM]))
    return [int(x) for x in rng.integers(0, MAX_SEED, size=s["check_replicates"])]


def check_point(targets: Targets, point: dict[str, float], pool=None) -> list[dict[str, Any]]:
    """The targets' measures at the default and at ``point`` on fresh seeds, with distances."""
    s = targets.settings
    seeds = check_seeds(targets)
    default = {p.name: DEFAULTS[p.name] for p in targets.priors}
    at = {}
    for label, values in (("default", default), ("posterior", point)):
        at[label] = evaluate(
            targets.measures,
            {**targets.fixed, **values},
            seeds,
            s["steps"],
            scenario=targets.scenario,
            pool=pool,
        )
    rows = []
    for t in targets.targets:
        rows.append(
            {
                "measure": t.measure,
                "low": t.low,
                "high": t.high,
                "value": t.value,
                "source": t.source,
                "default": at["default"][t.measure],
                "default_distance": t.distance(at["default"][t.measure]),
                "posterior_median": at["posterior"][t.measure],
                "posterior_distance": t.distance(at["posterior"][t.measure]),
            }
        )
    return rows


# --- files ---------------------------------------------------------------------------------
def _fmt(x: Any, digits: int = 3) -> str:
    if x is None:
        return ""
    if isinstance(x, float):
        return f"{x:.{digits}g}" if math.isfinite(x) else str(x)
    return str(x)


def posterior_csv(c: Calibration) -> str:
    import pandas as pd

    return pd.DataFrame(c.particles).to_csv(index=False)


def summary_table(c: Calibration) -> str:
    lines = [
        "| parameter | prior | default | posterior median | 95% credible interval "
        "| sd posterior / prior | verdict |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in c.summary:
        lines.append(
            f"| `{r['parameter']}` | {r['prior']} [{_fmt(r['prior_low'])}, "
            f"{_fmt(r['prior_high'])}] | {_fmt(r['default'])} | {_fmt(r['median'])} | "
            f"[{_fmt(r['ci_low'])}, {_fmt(r['ci_high'])}] | {r['sd_ratio']:.2f} | "
            f"{r['verdict']} |"
        )
    return "\n".join(lines)


def check_table(c: Calibration) -> str:
    lines = [
        "| measure | target | default | posterior median | source |",
        "|---|---|---|---|---|",
    ]
    for r in c.check:
        target = f"[{_fmt(r['low'])}, {_fmt(r['high'])}]"
        if r["value"] is not None:
            target += f" ({_fmt(r['value'])})"

        def shown(v, d):
            return f"{_fmt(v)} {'inside' if d == 0 else f'(off by {d:.2f} widths)'}"

        lines.append(
            f"| {r['measure']} | {target} | {shown(r['default'], r['default_distance'])} | "
            f"{shown(r['posterior_median'], r['posterior_distance'])} | {r['source']} |"
        )
    return "\n".join(lines)


def generations_table(c: Calibration) -> str:
    lines = ["| generation | epsilon | particles | samples | acceptance |", "|---|---|---|---|---|"]
    for g in c.generations:
        lines.append(
            f"| {g['generation']} | {_fmt(g['epsilon'], 4)} | {g['particles']} | "
            f"{g['samples']} | {g['acceptance_rate']:.0%} |"
        )
    return "\n".join(lines)


def posterior_markdown(c: Calibration) -> str:
    s = c.targets.settings
    return "\n".join(
        [
            f"# Calibration: {c.targets.name}",
            "",
            f"ABC-SMC (pyabc {pyabc_version()}) against `{c.targets.source}`: "
            f"{s['population']} particles per generation, {len(c.generations)} generations "
            f"({c.stopped}), {s['replicates']} replicate(s) per particle, {s['steps']} months "
            f"per run, seed {s['seed']}; {c.runs:,} model runs in {c.seconds:,.0f} s.",
            "",
            "## Posterior (last generation)",
            "",
            summary_table(c),
            "",
            f"Verdict from the ratio of posterior to prior standard deviation: above "
            f"{NOT_IDENTIFIED_ABOVE} the targets leave the parameter about as uncertain as "
            f"the prior; below {IDENTIFIED_BELOW} they narrow it down.",
            "",
            f"## Measures at the posterior median, on {s['check_replicates']} fresh seeds",
            "",
            check_table(c),
            "",
            "The posterior median is taken parameter by parameter, so it need not be a point "
            "the ABC accepted; distances are in interval widths (0 inside).",
            "",
            "## Generations",
            "",
            generations_table(c),
            "",
        ]
    )


def diagnostics_png(c: Calibration, path: Path) -> None:
    """Marginal posteriors against their priors; epsilon and acceptance by generation."""
    import pandas as pd
    from pyabc.visualization.kde import kde_1d

    from ..viz.plotting import figure, save_png

    priors = c.targets.priors
    n = len(priors) + 2
    cols = min(3, n)
    rows = math.ceil(n / cols)
    fig = figure((4.2 * cols, 3.2 * rows), layout="constrained")
    axes = np.atleast_1d(fig.subplots(rows, cols)).ravel()
    df = pd.DataFrame(c.particles)
    w = df["weight"].to_numpy(float)
    by_name = {r["parameter"]: r for r in c.summary}
    for ax, prior in zip(axes, priors, strict=False):
        xs = np.linspace(prior.low, prior.high, 200)
        if df[prior.name].nunique() > 1:
            x, pdf = kde_1d(df, w, prior.name, xmin=prior.low, xmax=prior.high, numx=200)
            ax.plot(x, pdf, color="tab:blue", label="posterior")
        ax.plot(xs, prior.frozen().pdf(xs), color="grey", ls="--", label="prior")
        r = by_name[prior.name]
        ax.axvspan(r["ci_low"], r["ci_high"], color="tab:blue", alpha=0.12, label="95% CI")
        ax.axvline(r["median"], color="tab:blue", lw=1)
        ax.axvline(r["default"], color="black", ls=":", lw=1, label="default")
        ax.set_title(f"{prior.name} (sd ratio {r['sd_ratio']:.2f})", fontsize=10)
        ax.set_xlim(prior.low, prior.high)
        ax.set_yticks([])
    axes[0].legend(fontsize=7)
    gens = [g["generation"] for g in c.generations]
    eps = [g["epsilon"] for g in c.generations]
    ax = axes[len(priors)]
    finite = [(g, e) for g, e in zip(gens, eps, strict=True) if math.isfinite(e)]
    if finite:
        ax.plot(*zip(*finite, strict=True), marker="o", color="tab:red")
    ax.set_ylim(bottom=0)
    ax.set_title("epsilon by generation (generation 0: infinite)", fontsize=10)
    ax.set_ylabel("interval widths outside, summed", fontsize=8)
    ax.set_xlabel("generation")
    ax.set_xticks(gens)
    ax = axes[len(priors) + 1]
    ax.plot(gens, [g["acceptance_rate"] for g in c.generations], marker="o", color="tab:green")
    ax.set_ylim(0, 1.05)
    ax.set_title("acceptance rate by generation", fontsize=10)
    ax.set_xlabel("generation")
    ax.set_xticks(gens)
    for ax in axes[n:]:
        ax.set_visible(False)
    with atomic_path(path) as tmp:
        save_png(fig, tmp, dpi=100)


def provenance_json(c: Calibration) -> dict[str, Any]:
    prov = provenance()
    prov["versions"]["pyabc"] = pyabc_version()
    return {
        "targets_file": c.targets.source,
        "targets_toml": c.targets.text,
        "name": c.targets.name,
        "scenario": c.targets.scenario,
        "settings": c.targets.settings,
        "fixed": c.targets.fixed,
        "priors": [
            {"parameter": p.name, "dist": p.dist, "low": p.low, "high": p.high}
            for p in c.targets.priors
        ],
        "targets": [
            {
                "measure": t.measure,
                "low": t.low,
                "high": t.high,
                "value": t.value,
                "source": t.source,
            }
            for t in c.targets.targets
        ],
        "arms": arms_for(c.targets.measures),
        "sampler": sampler_name(),
        "seeds": {
            "numpy_global": c.targets.settings["seed"],
            "replicates": "drawn per particle from numpy's global state; see posterior.csv",
            "check": check_seeds(c.targets),
        },
        "stopped": c.stopped,
        "runs": c.runs,
        "seconds": round(c.seconds, 1),
        "generations": c.generations,
        "posterior": c.summary,
        "check": c.check,
        "provenance": prov,
    }


def write_outputs(c: Calibration, out: Path, db: Path) -> list[Path]:
    files = [
        write_text(out / "posterior.csv", posterior_csv(c)),
        write_text(out / "posterior.md", posterior_markdown(c)),
    ]
    diagnostics_png(c, out / "diagnostics.png")
    files.append(out / "diagnostics.png")
    text = json.dumps(provenance_json(c), indent=2, default=_json_default, allow_nan=True)
    record = write_text(out / "calibrate.json", text + "\n")
    # The history last: until it is moved, a stop leaves a calibration --resume can finish.
    os.replace(db, out / "history.db")  # closed by pyabc (every query opens its own session)
    files += [out / "history.db", record]
    return files


def _json_default(x: Any) -> Any:
    if isinstance(x, np.generic):
        return x.item()
    raise TypeError(f"{type(x).__name__} is not JSON")


# --- estimates -----------------------------------------------------------------------------
def plan_text(targets: Targets, workers: int, seconds_per_run: float) -> str:
    """What the calibration will run, and how long that should take, before it starts."""
    s = targets.settings
    arms = arms_for(targets.measures)
    per_particle = s["replicates"] * len(arms)
    n, g = s["population"], s["generations"]
    first = n * per_particle
    rounds = math.ceil(per_particle / max(1, min(workers, per_particle)))
    sec = seconds_per_run * rounds / per_particle  # wall seconds per run
    least = first * g
    typical = first + (g - 1) * first / TYPICAL_ACCEPTANCE
    return "\n".join(
        [
            f"calibration '{targets.name}': {len(targets.priors)} free parameters, "
            f"{len(targets.targets)} targets, seed {s['seed']}",
            f"each particle: {s['replicates']} replicate(s) x {len(arms)} arm(s) "
            f"({', '.join(arms)}) = {per_particle} runs of {s['steps']} months",
            f"generation 0 samples the prior: {n} particles = {first:,} runs; each later "
            f"generation needs {n} accepted particles: {first:,} runs at acceptance 100%, "
            f"{round(first / TYPICAL_ACCEPTANCE):,} at {TYPICAL_ACCEPTANCE:.0%}, at most "
            f"{round(first / max(s['min_acceptance_rate'], 1e-9)):,} "
            f"(min_acceptance_rate {s['min_acceptance_rate']})",
            f"one run took {seconds_per_run:.2f} s here; with {workers} worker(s) "
            f"(at most {per_particle} at once, the runs of one particle): "
            f"{g} generations take at least {_duration(least * sec)} ({least:,} runs), "
            f"about {_duration(typical * sec)} at {TYPICAL_ACCEPTANCE:.0%} acceptance "
            f"({round(typical):,} runs); fewer if epsilon reaches {s['min_epsilon']} early",
        ]
    )


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def time_one_run(targets: Targets) -> float:
    """Seconds of one base-arm run at the prior's midpoint (also warms this process up)."""
    from ..run import simulate

    point = {p.name: (p.low + p.high) / 2 for p in targets.priors}
    t0 = time.perf_counter()
    simulate(
        targets.scenario,
        seed=targets.settings["seed"],
        steps=targets.settings["steps"],
        params={**targets.fixed, **point},
    )
    return time.perf_counter() - t0
