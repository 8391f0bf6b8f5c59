"""`collabsim discover DIR`: scenario discovery on a finished sweep.

Which combinations of the varied parameters lead to the runs of interest (an outcome above
or below a threshold)? Two answers, both over numeric and categorical parameters:

- **PRIM** (Friedman and Fisher 1999; Bryant and Lempert 2010), by EMA Workbench: boxes of
  parameter limits, each with its coverage (the share of all runs of interest inside it),
  density (the share of runs inside it that are of interest), the peeling trajectory it was
  chosen from, and quasi-p values of each limit (a one-sided binomial test of whether the
  limit raises the density; Bryant and Lempert 2010).
- **CART**, by scikit-learn's ``DecisionTreeClassifier``: a shallow tree whose leaves are
  boxes too, each with its rule, coverage and density.

Each run is a case: replicates of one design point are separate cases, so seed noise shows
as a lower density rather than being averaged away.

EMA Workbench 3.0.0 under pandas 3 breaks in two places this module steps around: pasting an
integer column writes a float limit into an int64 frame (so every numeric parameter goes in
as float64), and ``PrimBox.inspect()`` writes a categorical limit (a set) into a float
frame; the limits and quasi-p values are read from ``box.box_lims`` and ``box.p_values``
instead (``-1`` there means that side is not restricted).
"""

from __future__ import annotations

import json
import math
import warnings
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import UserError
from ..files import atomic_path, write_text
from ..params import PARAMS
from ..provenance import provenance
from ..viz.plotting import figure, save_png
from . import store
from .checks import read_sweep_json
from .experiment import RUN_COLUMNS

#: Fewest usable runs (finished, with a value of the outcome) to look for boxes in.
MIN_CASES = 10
#: Quasi-p value below which a box limit counts as significant.
SIGNIFICANT = 0.05
#: Defaults of the command's options.
MASS_MIN = 0.05
PEEL_ALPHA = 0.05
DEPTH = 3
MAX_BOXES = 10
MAX_DEPTH = 8
DPI = 130


@dataclass(frozen=True)
class Target:
    """The runs of interest: ``outcome`` above ``above`` or below ``below`` (one of them)."""

    outcome: str
    above: float | None = None
    below: float | None = None

    def label(self) -> str:
        return (
            f"{self.outcome} > {self.above:g}"
            if self.above is not None
            else f"{self.outcome} < {self.below:g}"
        )

    def of_interest(self, values: np.ndarray) -> np.ndarray:
        return values > self.above if self.above is not None else values < self.below


@dataclass
class Cases:
    """The parameters of every usable run (``x``: numeric columns as float64, categorical
    ones as text), which runs are of interest (``y``), each parameter's kind and its values
    in the order the design lists them, and notes on what was left out."""

    x: pd.DataFrame
    y: np.ndarray
    kinds: dict[str, str]  # parameter -> "numeric" | "categorical"
    levels: dict[str, list[str]]  # categorical parameter -> its values, in designed order
    notes: list[str]


def _text(v) -> str:
    return ("true" if v else "false") if isinstance(v, bool | np.bool_) else str(v)


def outcome_columns(runs: pd.DataFrame, meta: dict) -> list[str]:
    """The runs table's outcomes: its numeric columns that are neither run bookkeeping nor
    varied parameters (the headline outcomes and the experiment's own measures)."""
    skip = {*RUN_COLUMNS, *meta.get("factors", [])}
    return [
        c for c in runs.columns if c not in skip and pd.api.types.is_numeric_dtype(runs[c].dtype)
    ]


def load_cases(
    sweep_dir: Path, target: Target, params: list[str] | None = None
) -> tuple[Cases, dict]:
    """The cases of a finished sweep for ``target``, and its ``sweep.json``; a one-line
    ``UserError`` for an outcome or parameter the sweep does not have, too few runs, or a
    threshold that no run (or every run) passes."""
    sweep_dir = Path(sweep_dir)
    meta = read_sweep_json(sweep_dir, why="cannot discover")
    if not store.part_numbers(sweep_dir, "runs"):
        raise UserError(f"cannot discover: {sweep_dir} holds no finished runs yet")
    runs = store.read_runs(sweep_dir).sort_values("run_id", kind="stable")
    outcomes = outcome_columns(runs, meta)
    if target.outcome not in outcomes:
        import difflib

        near = difflib.get_close_matches(target.outcome, outcomes, n=3)
        hint = f"did you mean {', '.join(near)}? " if near else ""
        raise UserError(
            f"--outcome {target.outcome!r} is not allowed; allowed: {hint}an outcome of this "
            f"sweep: {', '.join(outcomes)}"
        )
    factors = list(meta.get("factors", []))
    if params is None:
        params = factors
    for p in params:
        if p not in factors:
            raise UserError(
                f"--params {p!r} is not allowed; allowed: parameters this sweep varied: "
                + (", ".join(factors) or "none")
            )
    if not params:
        raise UserError(
            f"cannot discover: {sweep_dir} varied no parameter; allowed: a sweep with a "
            "[vary] (or [cross]) table"
        )
    notes = []
    ok = runs[runs.status == "ok"]
    if len(ok) < len(runs):
        notes.append(f"{len(runs) - len(ok)} failed run(s) left out")
    values = ok[target.outcome].to_numpy(float)
    defined = np.isfinite(values)
    if not defined.all():
        notes.append(
            f"{int((~defined).sum())} run(s) left out: {target.outcome} is undefined in them"
        )
    ok, values = ok[defined], values[defined]
    if len(ok) < MIN_CASES:
        raise UserError(
            f"cannot discover: {len(ok)} run(s) have a value of {target.outcome}; allowed: "
            f"a sweep with at least {MIN_CASES}"
        )
    y = target.of_interest(values)
    if y.all() or not y.any():
        which = "every" if y.all() else "no"
        raise UserError(
            f"--{'above' if target.above is not None else 'below'} "
            f"{target.above if target.above is not None else target.below:g}: {which} run has "
            f"{target.label()} ({target.outcome} runs from {values.min():.4g} to "
            f"{values.max():.4g}); allowed: a threshold that splits the runs"
        )
    designed = _designed_order(meta)
    x, kinds, levels = pd.DataFrame(index=range(len(ok))), {}, {}
    for p in params:
        col = ok[p]
        kind = PARAMS[p].kind if p in PARAMS else None
        numeric = kind in (int, float) or (
            kind is None and pd.api.types.is_numeric_dtype(col.dtype) and col.dtype != bool
        )
        if col.nunique() < 2:
            notes.append(f"{p} left out: it has one value in these runs")
            continue
        if numeric:
            # Floats: EMA Workbench's PRIM cannot paste an int64 column under pandas 3.
            x[p] = col.to_numpy(np.float64)
            kinds[p] = "numeric"
        else:
            text = [_text(v) for v in col]
            x[p] = pd.Series(text, dtype=object)
            kinds[p] = "categorical"
            seen = list(dict.fromkeys(designed.get(p, []) + sorted(set(text))))
            levels[p] = [v for v in seen if v in set(text)]
    if not kinds:
        raise UserError(f"cannot discover: no parameter of {', '.join(params)} varies in the runs")
    return Cases(x, y, kinds, levels, notes), meta


def _designed_order(meta: dict) -> dict[str, list[str]]:
    """Each parameter's values in the order the design lists them (conditions' order)."""
    order: dict[str, list[str]] = {}
    for cond in meta.get("conditions", []):
        for k, v in cond.items():
            vals = order.setdefault(k, [])
            if _text(v) not in vals:
                vals.append(_text(v))
    return order


# --- PRIM ----------------------------------------------------------------------------------
@dataclass
class PrimResult:
    trajectory: pd.DataFrame  # one row per box and step of its peeling trajectory
    limits: pd.DataFrame  # one row per box, step and restricted parameter
    chosen: list[int]  # the step chosen on each box's trajectory
    notes: list[str]


def _quiet_import_prim():
    with warnings.catch_warnings():
        # ema_workbench warns at import about optional parallel back-ends it does not need here.
        warnings.simplefilter("ignore")
        from ema_workbench.analysis import prim
    return prim


def choose_step(trajectory: pd.DataFrame, min_coverage: float | None) -> int:
    """The step to report: the densest with at least ``min_coverage``, or by default the
    one that best balances coverage and density (their harmonic mean), fewer restricted
    parameters breaking ties."""
    t = trajectory
    if min_coverage is not None:
        ok = t[t.coverage >= min_coverage - 1e-12]
        if len(ok):
            return int(ok.sort_values(["density", "res_dim"], ascending=[False, True]).index[0])
        return 0
    score = 2 * t.coverage * t.density / (t.coverage + t.density)
    order = pd.DataFrame({"score": score.round(12), "res_dim": t.res_dim})
    return int(order.sort_values(["score", "res_dim"], ascending=[False, True]).index[0])


def prim(
    cases: Cases,
    *,
    boxes: int = 1,
    mass_min: float = MASS_MIN,
    peel_alpha: float = PEEL_ALPHA,
    min_coverage: float | None = None,
) -> PrimResult:
    """Up to ``boxes`` PRIM boxes, each found among the runs the earlier ones left out."""
    prim_module = _quiet_import_prim()
    notes: list[str] = []
    trajectories, limits, chosen = [], [], []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        finder = prim_module.Prim(
            cases.x, cases.y.copy(), mass_min=mass_min, peel_alpha=peel_alpha, paste_alpha=0.05
        )
        init = finder.box_init
        for b in range(1, boxes + 1):
            box = finder.find_box()
            if box is None:
                break
            t = box.peeling_trajectory.reset_index(drop=True)
            step = choose_step(t, min_coverage)
            box.select(step)  # the next box is looked for among the runs outside this step
            chosen.append(step)
            trajectories.append(
                pd.DataFrame(
                    {
                        "box": b,
                        "step": t.index,
                        "coverage": t.coverage.astype(float),
                        "density": t.density.astype(float),
                        "mass": t.mass.astype(float),
                        "runs": t.n.astype(int),
                        "of_interest": t.k.astype(int),
                        "restricted": t.res_dim.astype(int),
                        "chosen": t.index == step,
                    }
                )
            )
            for i, lims in enumerate(box.box_lims):
                limits += _limit_rows(cases, b, i, lims, init, box.p_values[i], t.iloc[i])
            left = np.setdiff1d(finder.yi_remaining, box.yi)
            if b < boxes and not cases.y[left].any():
                notes.append(f"prim: no runs of interest are left outside box {b}")
                break
    for w in caught:
        if not issubclass(w.category, DeprecationWarning | FutureWarning):
            line = "prim: " + " ".join(str(w.message).split())
            if line not in notes:
                notes.append(line)
    columns = [
        "box",
        "step",
        "parameter",
        "kind",
        "low",
        "high",
        "values",
        "range_low",
        "range_high",
        "range_values",
        "qp_low",
        "qp_high",
        "qp",
        "significant",
        "coverage",
        "density",
        "mass",
    ]
    return PrimResult(
        pd.concat(trajectories, ignore_index=True) if trajectories else pd.DataFrame(),
        pd.DataFrame(limits, columns=columns),
        chosen,
        notes,
    )


def _qp(value) -> float:
    return float("nan") if value is None or float(value) < 0 else float(value)


def _limit_rows(cases, b, i, lims, init, p_values, stats) -> list[dict]:
    rows = []
    for p, kind in cases.kinds.items():
        if kind == "numeric":
            low, high = float(lims.loc[0, p]), float(lims.loc[1, p])
            lo0, hi0 = float(init.loc[0, p]), float(init.loc[1, p])
            if low <= lo0 and high >= hi0:
                continue
            qp = p_values.get(p, [-1, -1])
            qp_low, qp_high = _qp(qp[0]), _qp(qp[1])
            if low <= lo0:
                qp_low = float("nan")
            if high >= hi0:
                qp_high = float("nan")
            row = {"low": low, "high": high, "range_low": lo0, "range_high": hi0}
            row |= {"values": None, "range_values": None, "qp_low": qp_low, "qp_high": qp_high}
        else:
            kept, every = set(lims.loc[0, p]), set(init.loc[0, p])
            if kept >= every:
                continue
            qp = _qp(max((v for v in p_values.get(p, [-1]) if v is not None), default=-1))
            order = cases.levels[p]
            row = {"low": np.nan, "high": np.nan, "range_low": np.nan, "range_high": np.nan}
            row |= {
                "values": "|".join(v for v in order if v in kept),
                "range_values": "|".join(order),
                "qp_low": qp,
                "qp_high": np.nan,
            }
        defined = [q for q in (row["qp_low"], row["qp_high"]) if np.isfinite(q)]
        row["qp"] = max(defined) if defined else float("nan")
        row["significant"] = bool(defined) and row["qp"] < SIGNIFICANT
        rows.append(
            {
                "box": b,
                "step": i,
                "parameter": p,
                "kind": kind,
                **row,
                "coverage": float(stats.coverage),
                "density": float(stats.density),
                "mass": float(stats.mass),
            }
        )
    return rows


# --- CART ----------------------------------------------------------------------------------
@dataclass
class CartResult:
    leaves: pd.DataFrame  # one row per leaf: its rule, runs, coverage and density
    limits: pd.DataFrame  # one row per leaf and parameter its rule restricts
    text: str  # the tree as indented rules
    model: object  # the fitted DecisionTreeClassifier
    features: list[str]


def encode(cases: Cases) -> tuple[pd.DataFrame, dict[str, tuple[str, str | None]]]:
    """The cases as a numeric table for a tree: numeric parameters as they are, one 0/1
    column ``NAME=VALUE`` per value of a categorical one; and what each column is."""
    cols, meaning = {}, {}
    for p, kind in cases.kinds.items():
        if kind == "numeric":
            cols[p] = cases.x[p].to_numpy(float)
            meaning[p] = (p, None)
        else:
            for v in cases.levels[p]:
                name = f"{p}={v}"
                cols[name] = (cases.x[p] == v).to_numpy(float)
                meaning[name] = (p, v)
    return pd.DataFrame(cols), meaning


def cart(cases: Cases, *, depth: int = DEPTH, mass_min: float = MASS_MIN) -> CartResult:
    """A classification tree of the runs of interest, at most ``depth`` deep, no leaf
    holding fewer than ``mass_min`` of the runs."""
    from sklearn.tree import DecisionTreeClassifier, export_text

    X, meaning = encode(cases)
    n = len(X)
    model = DecisionTreeClassifier(
        max_depth=depth, min_samples_leaf=max(1, math.ceil(mass_min * n)), random_state=0
    ).fit(X, cases.y)
    tree = model.tree_
    features = list(X.columns)
    leaf_of = model.apply(X)
    total = int(cases.y.sum())
    leaves, limits = [], []

    def walk(node: int, bounds: dict, allowed: dict) -> None:
        left, right = tree.children_left[node], tree.children_right[node]
        if left == right:  # a leaf
            inside = leaf_of == node
            k, m = int(cases.y[inside].sum()), int(inside.sum())
            rule, rows = _rule(cases, bounds, allowed)
            leaves.append(
                {
                    "leaf": int(node),
                    "runs": m,
                    "of_interest": k,
                    "coverage": k / total,
                    "density": k / m if m else float("nan"),
                    "mass": m / n,
                    "rule": rule or "(all runs)",
                }
            )
            limits.extend({"leaf": int(node), **r} for r in rows)
            return
        p, v = meaning[features[tree.feature[node]]]
        t = float(tree.threshold[node])
        if v is None:  # numeric: left holds x <= t, right x > t
            lo, hi = bounds.get(p, (-math.inf, math.inf))
            walk(left, {**bounds, p: (lo, min(hi, t))}, allowed)
            walk(right, {**bounds, p: (max(lo, t), hi)}, allowed)
        else:  # a 0/1 column: left holds the runs without this value, right those with it
            kept = allowed.get(p, set(cases.levels[p]))
            walk(left, bounds, {**allowed, p: kept - {v}})
            walk(right, bounds, {**allowed, p: kept & {v}})

    walk(0, {}, {})
    table = pd.DataFrame(leaves).sort_values(["density", "runs"], ascending=[False, False])
    columns = ["leaf", "parameter", "kind", "low", "high", "values"]
    return CartResult(
        table.reset_index(drop=True),
        pd.DataFrame(limits, columns=columns),
        export_text(model, feature_names=features, show_weights=True),
        model,
        features,
    )


def _rule(cases: Cases, bounds: dict, allowed: dict) -> tuple[str, list[dict]]:
    parts, rows = [], []
    for p in cases.kinds:
        if p in bounds:
            lo, hi = bounds[p]
            if math.isfinite(lo) and math.isfinite(hi):
                parts.append(f"{lo:.4g} < {p} <= {hi:.4g}")
            elif math.isfinite(lo):
                parts.append(f"{p} > {lo:.4g}")
            else:
                parts.append(f"{p} <= {hi:.4g}")
            rows.append({"parameter": p, "kind": "numeric", "low": lo, "high": hi, "values": None})
        if p in allowed and allowed[p] != set(cases.levels[p]):
            kept = [v for v in cases.levels[p] if v in allowed[p]]
            parts.append(f"{p} = {kept[0]}" if len(kept) == 1 else f"{p} in {{{', '.join(kept)}}}")
            rows.append(
                {
                    "parameter": p,
                    "kind": "categorical",
                    "low": np.nan,
                    "high": np.nan,
                    "values": "|".join(kept),
                }
            )
    return " and ".join(parts), rows


# --- output --------------------------------------------------------------------------------
def _library(dist: str) -> str | None:
    try:
        return version(dist)
    except PackageNotFoundError:
        return None


def _save(fig, path: Path) -> Path:
    with atomic_path(path) as tmp:
        save_png(fig, tmp, dpi=DPI)
    return path


def _fmt(v) -> str:
    if isinstance(v, float | np.floating):
        return "" if not np.isfinite(v) else f"{v:.3g}"
    return "" if v is None else str(v)


def _markdown_table(df: pd.DataFrame, cols: list[str]) -> list[str]:
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    lines += ["| " + " | ".join(_fmt(r[c]) for c in cols) + " |" for _, r in df.iterrows()]
    return lines


def _limits_text(row) -> str:
    if row["kind"] == "categorical":
        return ", ".join(row["values"].split("|"))
    return f"{row['low']:.4g} to {row['high']:.4g}"


def _range_text(row) -> str:
    if row["kind"] == "categorical":
        return ", ".join(row["range_values"].split("|"))
    return f"{row['range_low']:.4g} to {row['range_high']:.4g}"


def write_discovery(
    sweep_dir: Path,
    target: Target,
    out: Path | None = None,
    *,
    params: list[str] | None = None,
    boxes: int = 1,
    depth: int = DEPTH,
    mass_min: float = MASS_MIN,
    peel_alpha: float = PEEL_ALPHA,
    min_coverage: float | None = None,
) -> tuple[list[Path], list[str]]:
    """Run PRIM and CART on a finished sweep and write their tables and figures to ``out``
    (default ``DIR/discovery``); the files written and the notes for the reader."""
    sweep_dir = Path(sweep_dir)
    cases, meta = load_cases(sweep_dir, target, params)
    out = Path(out) if out is not None else sweep_dir / "discovery"
    from ..run import check_output_dir

    out = check_output_dir(out, shared=True)
    out.mkdir(parents=True, exist_ok=True)
    box = prim(
        cases, boxes=boxes, mass_min=mass_min, peel_alpha=peel_alpha, min_coverage=min_coverage
    )
    tree = cart(cases, depth=depth, mass_min=mass_min)
    notes = cases.notes + box.notes
    written = [
        write_text(out / "prim_trajectory.csv", box.trajectory.to_csv(index=False)),
        write_text(out / "prim_limits.csv", box.limits.to_csv(index=False)),
        write_text(out / "cart_leaves.csv", tree.leaves.to_csv(index=False)),
        write_text(out / "cart_limits.csv", tree.limits.to_csv(index=False)),
        write_text(out / "cart_tree.txt", tree.text),
    ]
    written.append(write_text(out / "discovery.md", _summary(meta, target, cases, box, tree)))
    written += [
        _trajectory_figure(box, target, out / "prim_trajectory.png"),
        _box_figure(box, cases, target, out / "prim_box.png"),
        _tree_figure(tree, target, out / "cart_tree.png"),
    ]
    settings = {
        "outcome": target.outcome,
        "above": target.above,
        "below": target.below,
        "parameters": list(cases.kinds),
        "boxes": boxes,
        "depth": depth,
        "mass_min": mass_min,
        "peel_alpha": peel_alpha,
        "min_coverage": min_coverage,
    }
    record = {
        "sweep": {k: meta.get(k) for k in ("name", "source", "fingerprint", "design")},
        "settings": settings,
        "runs": len(cases.y),
        "of_interest": int(cases.y.sum()),
        "chosen_steps": box.chosen,
        "notes": notes,
        "libraries": {d: _library(d) for d in ("ema_workbench", "scikit-learn")},
        "provenance": provenance(),
    }
    written.append(
        write_text(out / "discovery.json", json.dumps(record, indent=2, default=str) + "\n")
    )
    return written, notes


def _summary(meta, target, cases, box: PrimResult, tree: CartResult) -> str:
    n, k = len(cases.y), int(cases.y.sum())
    lines = [
        f"# Scenario discovery: {target.label()}",
        "",
        f"Sweep `{meta.get('name')}` ({_design(meta)}): {n} runs, {k} of them "
        f"({k / n:.0%}) with {target.label()}. Parameters: {', '.join(cases.kinds)}.",
        "",
    ]
    lines += [f"- {note}" for note in cases.notes] + ([""] if cases.notes else [])
    lines += ["## PRIM", ""]
    if not box.chosen:
        lines += ["No box found.", ""]
    for b, step in enumerate(box.chosen, start=1):
        t = box.trajectory[(box.trajectory.box == b) & (box.trajectory.step == step)].iloc[0]
        lines += [
            f"### Box {b} (step {step} of its peeling trajectory)",
            "",
            f"Coverage {t.coverage:.2f} (of all runs with {target.label()}, the share "
            f"inside), density {t.density:.2f} (of the runs inside, the share with "
            f"{target.outcome} {'above' if target.above is not None else 'below'} the "
            f"threshold), mass {t.mass:.2f} ({t.runs} runs).",
            "",
        ]
        lim = box.limits[(box.limits.box == b) & (box.limits.step == step)]
        if lim.empty:
            lines += ["No parameter is restricted: the box is the whole design.", ""]
            continue
        table = lim.assign(
            limits=lim.apply(_limits_text, axis=1), range=lim.apply(_range_text, axis=1)
        )
        lines += _markdown_table(
            table, ["parameter", "limits", "range", "qp_low", "qp_high", "significant"]
        )
        lines.append("")
    lines += [
        f"Quasi-p values: a one-sided binomial test of each limit; below {SIGNIFICANT} the "
        "limit is significant. The whole trajectory is in `prim_trajectory.csv`, the limits "
        "at every step in `prim_limits.csv`.",
        "",
        "## CART",
        "",
    ]
    lines += _markdown_table(
        tree.leaves, ["rule", "runs", "of_interest", "coverage", "density", "mass"]
    )
    lines += ["", "The tree itself is in `cart_tree.txt` and `cart_tree.png`.", ""]
    return "\n".join(lines)


def _design(meta: dict) -> str:
    crossed = meta.get("crossed") or []
    if crossed:
        return f"{meta.get('design')} design crossed with {', '.join(crossed)}"
    return f"{meta.get('design')} design"


def _trajectory_figure(box: PrimResult, target: Target, path: Path) -> Path:
    n = max(1, len(box.chosen))
    fig = figure((4.6 * n, 4.2), layout="constrained")
    axes = fig.subplots(1, n, squeeze=False)[0]
    top = int(box.trajectory.restricted.max()) if len(box.trajectory) else 0
    import matplotlib

    cmap = matplotlib.colormaps["viridis"].resampled(max(top + 1, 2))
    for b, ax in enumerate(axes, start=1):
        t = box.trajectory[box.trajectory.box == b]
        if t.empty:
            continue
        ax.plot(t.coverage, t.density, color="0.75", lw=1, zorder=1)
        sc = ax.scatter(
            t.coverage, t.density, c=t.restricted, cmap=cmap, vmin=-0.5, vmax=top + 0.5, zorder=2
        )
        c = t[t.chosen].iloc[0]
        ax.scatter([c.coverage], [c.density], s=160, facecolors="none", edgecolors="k", lw=1.5)
        ax.annotate(
            f"step {int(c.step)}",
            (c.coverage, c.density),
            xytext=(8, -14),
            textcoords="offset points",
            fontsize=9,
        )
        ax.set(xlim=(0, 1.05), ylim=(0, 1.05), xlabel="coverage", ylabel="density")
        ax.set_title(f"box {b}", fontsize=10)
    bar = fig.colorbar(sc, ax=list(axes), ticks=range(top + 1))
    bar.set_label("restricted parameters")
    fig.suptitle(f"PRIM peeling trajectory: {target.label()}", fontsize=11)
    return _save(fig, path)


def _box_figure(box: PrimResult, cases: Cases, target: Target, path: Path) -> Path:
    panels = []
    for b, step in enumerate(box.chosen, start=1):
        lim = box.limits[(box.limits.box == b) & (box.limits.step == step)]
        panels.append((b, step, lim))
    rows = sum(max(1, len(lim)) for _, _, lim in panels) or 1
    fig = figure((7.5, 1.0 + 0.55 * rows + 0.5 * len(panels)), layout="constrained")
    axes = fig.subplots(max(1, len(panels)), 1, squeeze=False)[:, 0]
    for ax, (b, step, lim) in zip(axes, panels, strict=False):
        t = box.trajectory[(box.trajectory.box == b) & (box.trajectory.step == step)].iloc[0]
        labels = []
        for j, (_, r) in enumerate(lim.iloc[::-1].iterrows()):
            if r["kind"] == "numeric":
                width = r["range_high"] - r["range_low"] or 1.0
                lo = (r["low"] - r["range_low"]) / width
                hi = (r["high"] - r["range_low"]) / width
                ax.plot([0, 1], [j, j], color="0.85", lw=6, solid_capstyle="butt")
                ax.plot([lo, hi], [j, j], color="#0072B2", lw=6, solid_capstyle="butt")
                ax.text(lo, j + 0.22, f"{r['low']:.3g}", ha="center", fontsize=8)
                ax.text(hi, j + 0.22, f"{r['high']:.3g}", ha="center", fontsize=8)
            else:
                every = r["range_values"].split("|")
                kept = set(r["values"].split("|"))
                xs = np.linspace(0, 1, len(every)) if len(every) > 1 else np.array([0.5])
                for xv, v in zip(xs, every, strict=True):
                    inside = v in kept
                    ax.scatter(
                        [xv],
                        [j],
                        s=70,
                        marker="s",
                        color="#0072B2" if inside else "white",
                        edgecolors="#0072B2",
                        zorder=3,
                    )
                    ax.text(xv, j + 0.22, v, ha="center", fontsize=8)
            qp = "" if not np.isfinite(r["qp"]) else f" (qp {r['qp']:.1g})"
            labels.append(f"{r['parameter']}{qp}")
        ax.set_yticks(range(len(labels)), labels)
        ax.set_ylim(-0.6, max(len(labels), 1) - 0.2)
        ax.set_xlim(-0.08, 1.08)
        ax.set_xticks([0, 1], ["range low", "range high"])
        ax.set_title(
            f"box {b}, step {step}: coverage {t.coverage:.2f}, density {t.density:.2f}, "
            f"mass {t.mass:.2f}",
            fontsize=10,
        )
        if lim.empty:
            ax.text(0.5, 0, "no parameter restricted", ha="center", fontsize=9)
    fig.suptitle(f"PRIM box limits: {target.label()}", fontsize=11)
    return _save(fig, path)


def _tree_figure(tree: CartResult, target: Target, path: Path) -> Path:
    from sklearn.tree import plot_tree

    depth = tree.model.get_depth()
    leaves = tree.model.get_n_leaves()
    fig = figure((max(6.0, 2.4 * leaves), 1.2 + 1.6 * (depth + 1)))
    ax = fig.subplots()
    plot_tree(
        tree.model,
        feature_names=tree.features,
        class_names=["other", target.label()],
        filled=True,
        impurity=False,
        rounded=True,
        fontsize=8,
        ax=ax,
    )
    ax.set_title(f"CART: {target.label()}", fontsize=11)
    return _save(fig, path)
