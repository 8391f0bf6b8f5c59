"""Parameter sweeps: experiment files, designs, a streaming runner and reports.

Typical use::

    from simulation.sweep import load_experiment, run_sweep
    exp = load_experiment("experiments/governance.toml")
    run_sweep(exp, "results/sweeps/governance", workers=2)
"""

# Loaded on first use (see simulation.lazy), so that `collabsim sweep` can start its worker
# pool before it imports the model.
from ..lazy import exports

__all__ = ["Experiment", "load_experiment", "parse_experiment", "run_sweep"]
__getattr__, __dir__ = exports(
    __name__,
    {
        "Experiment": "experiment",
        "load_experiment": "experiment",
        "parse_experiment": "experiment",
        "run_sweep": "runner",
    },
)
