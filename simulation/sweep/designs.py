"""Designs: the list of conditions (parameter points) an experiment runs.

Full factorial crosses value lists; Latin hypercube, Sobol (Saltelli) and Morris samples
come from SALib so that its analysers can read the indices back from the same points. A
sampled design crossed with a factorial (``[cross]``) repeats the whole sample in each arm
(one combination of the crossed values): arm ``a`` holds conditions ``a * P`` to
``a * P + P - 1`` for a sample of ``P`` points, in the sample's own order, so each arm's
block reads like a sampled design of its own.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from ..params import PARAMS
from .experiment import Experiment, check_condition


def salib_problem(exp: Experiment) -> dict:
    """The SALib problem dictionary for a sampled design, in unit-cube coordinates.

    Points are sampled in the unit cube and mapped to each factor's range and
    distribution afterwards (:meth:`Factor.ppf`); the analysers only need the structure of
    the sample (and, for Morris, which factor moved in which direction), which a monotone
    map per column keeps.
    """
    return {
        "num_vars": len(exp.factors),
        "names": [f.name for f in exp.factors],
        "bounds": [[0.0, 1.0]] * len(exp.factors),
    }


def unit_matrix(exp: Experiment) -> np.ndarray:
    """The design's points in the unit cube, one row per point."""
    problem = salib_problem(exp)
    if exp.design == "lhs":
        from SALib.sample import latin

        return latin.sample(problem, exp.samples, seed=exp.design_seed)
    if exp.design == "sobol":
        from SALib.sample import sobol

        return sobol.sample(
            problem, exp.samples, calc_second_order=exp.second_order, seed=exp.design_seed
        )
    from SALib.sample import morris

    return morris.sample(problem, exp.samples, num_levels=exp.morris_levels, seed=exp.design_seed)


def _matrix(exp: Experiment) -> np.ndarray:
    u = unit_matrix(exp)
    return np.column_stack([f.ppf(u[:, j]) for j, f in enumerate(exp.factors)])


def _cast(name: str, value: float) -> Any:
    kind = PARAMS[name].kind
    if kind is bool:  # a switch's column: off below 0.5, on from 0.5
        return bool(value >= 0.5)
    return int(round(value)) if kind is int else float(value)


def arms(exp: Experiment) -> list[dict[str, Any]]:
    """The arms of a crossed design, in order (one ``{}`` when nothing is crossed)."""
    names = [f.name for f in exp.arms]
    return [
        dict(zip(names, combo, strict=True))
        for combo in itertools.product(*(f.values for f in exp.arms))
    ]


def conditions(exp: Experiment) -> list[dict[str, Any]]:
    """Every condition of the design, in a fixed order (condition id = list index).

    Each point is validated as a whole model configuration before anything runs.
    """
    if exp.design == "factorial":
        names = [f.name for f in exp.factors]
        points = [
            dict(zip(names, combo, strict=True))
            for combo in itertools.product(*(f.values for f in exp.factors))
        ]
        points = points or [{}]
    else:
        names = [f.name for f in exp.factors]
        sample = [{n: _cast(n, v) for n, v in zip(names, row, strict=True)} for row in _matrix(exp)]
        points = [{**point, **arm} for arm in arms(exp) for point in sample]
    for point in points:
        check_condition(exp, point)
    return points


def run_table(exp: Experiment) -> list[dict[str, Any]]:
    """All runs: every condition x every replicate; replicate k uses seed base_seed + k
    under every condition (common random numbers), so conditions compare on paired runs;
    in a crossed design, the same sampled point in different arms runs the same seeds."""
    runs = []
    for c, point in enumerate(conditions(exp)):
        for k in range(exp.replicates):
            runs.append(
                {
                    "run_id": f"c{c:05d}-r{k:04d}",
                    "condition": c,
                    "replicate": k,
                    "seed": int(exp.base_seed + k),
                    "values": point,
                }
            )
    return runs
