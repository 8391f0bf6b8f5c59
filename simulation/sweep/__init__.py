"""Parameter sweeps: experiment files, designs, a streaming runner and reports.

Typical use::

    from simulation.sweep import load_experiment, run_sweep
    exp = load_experiment("experiments/governance.toml")
    run_sweep(exp, "results/sweeps/governance", workers=2)
"""
from .experiment import Experiment, load_experiment, parse_experiment
from .runner import run_sweep

__all__ = ["Experiment", "load_experiment", "parse_experiment", "run_sweep"]
