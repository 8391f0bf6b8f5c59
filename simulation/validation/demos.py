"""Does each teaching demo show its idea? Each demo run against its suggested change.

``python -m simulation.validation.demos`` prints the table in docs/teaching.md.
"""

from __future__ import annotations

from ..run import run_model
from ..scenarios import CONTRASTS, get, resolve


def contrast_outcomes(name: str, seeds, steps: int | None = None) -> tuple[list, list]:
    """Run demo ``name`` and its contrast on the same seeds; return the two outcome lists.

    Each entry is the value of the contrast's outcome for one seed (paired by position).
    """
    sc, con = get(name), CONTRASTS[name]
    steps = sc.steps if steps is None else steps
    base = resolve(name)
    changed = resolve(name, con.overrides)
    demo_values = [run_model(seed=int(s), steps=steps, **base)[con.outcome] for s in seeds]
    contrast_values = [run_model(seed=int(s), steps=steps, **changed)[con.outcome] for s in seeds]
    return demo_values, contrast_values


def main(argv: list[str] | None = None) -> int:
    """Print each demo's outcome against its contrast (paired seeds, one-sided t-test)."""
    import argparse

    import numpy as np
    from scipy import stats

    ap = argparse.ArgumentParser(
        prog="python -m simulation.validation.demos", description=main.__doc__
    )
    ap.add_argument("--seeds", type=int, default=8, help="paired replicates (seeds 1..N)")
    a = ap.parse_args(argv)
    seeds = range(1, a.seeds + 1)
    print(
        "| demo | outcome | demo | with the change | change agrees | p (one-sided) |\n"
        "|---|---|---|---|---|---|"
    )
    for name, con in CONTRASTS.items():
        before, after = (np.asarray(v, dtype=float) for v in contrast_outcomes(name, seeds))
        p = stats.ttest_rel(
            con.direction * after, con.direction * before, alternative="greater"
        ).pvalue
        agree = int(np.sum(np.sign(after - before) == con.direction))
        print(
            f"| `{name}` | {con.label} | {before.mean():.3f} | {after.mean():.3f} | "
            f"{agree}/{len(seeds)} seeds | {p:.1g} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
