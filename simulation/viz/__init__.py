"""Everything that draws collabsim: the browser app, its command and the run dashboard.

Nothing is imported here, so `collabsim --help` (which imports :mod:`simulation.viz.cli`)
stays free of matplotlib, Solara and Mesa. The modules:

* :mod:`simulation.viz.app` – the Solara page (`collabsim viz` serves it);
* :mod:`simulation.viz.cli` – the `collabsim viz` subcommand;
* :mod:`simulation.viz.dashboard` – the one-page PNG that `collabsim run` writes;
* :mod:`simulation.viz.layout` – stable node positions, one cluster per sector;
* :mod:`simulation.viz.figures` – the matplotlib figures the page shows;
* :mod:`simulation.viz.controls` – the controls built from ``simulation.params.PARAMS``
  and the model classes the page re-creates on Reset.

The parts other than the app need no browser, so the benchmark and the tests call them
directly.
"""
