"""Browser visualisation of collabsim: fixed network layout, figures and app state.

The Solara page itself lives in :mod:`simulation.app`; this package holds the parts that
do not need a browser, so the benchmark and the tests can call them directly:

* :mod:`simulation.viz.layout` – stable node positions, one cluster per sector;
* :mod:`simulation.viz.figures` – the matplotlib figures the page shows;
* :mod:`simulation.viz.controls` – the controls built from ``simulation.params.PARAMS``
  and the model classes the page re-creates on Reset.
"""
