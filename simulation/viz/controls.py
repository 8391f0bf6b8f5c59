"""What the browser controls set, built from the one parameter table.

Every slider, checkbox and drop-down on the page is described by a :class:`Control`
made from :data:`simulation.params.PARAMS` (range, default, help text), so the page
can never offer a value the model would refuse. The page keeps the full, validated
parameter set of the chosen scenario and preset; a control edits one entry of it and
Reset builds a new model from it.
"""

from __future__ import annotations

import copy
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from ..errors import UserError
from ..governance import PRESETS, RULES
from ..model import CollabModel
from ..params import PARAMS, RUN_PARAMS, validate
from ..scenarios import CONTRASTS, SCENARIOS, get, resolve
from .frame import Frame, snapshot

DEFAULT_SCENARIO = "baseline"
DEFAULT_SEED = int(RUN_PARAMS["seed"].default)

#: Parameters offered as controls besides the governance rules: the ones a class or a
#: researcher most often wants to move by hand.
KEY_PARAMS: tuple[str, ...] = (
    "n_orgs",
    "myth_initial",
    "behaviour_mean",
    "network_cross_sector",
    "jargon_scale",
    "challenge_rate",
    "shock_rate",
    "shock_size",
    "turbulence_rate",
    "trust_gain",
    "trust_loss",
    "myth_erosion",
    "myth_confirmation",
    "synergy_gain",
)

#: Upper end of the organisation-count slider: the network drawing stays readable and a
#: step plus redraw stays quick up to here (larger models run from the command line).
VIZ_MAX_ORGS = 600
_SLIDER_STEPS = 100


@dataclass(frozen=True)
class Control:
    """One input on the page: which widget, its range or choices, label and help."""

    name: str
    widget: str  # "float", "int", "bool" or "select"
    label: str
    help: str
    low: float | None = None
    high: float | None = None
    step: float | None = None
    choices: tuple[str, ...] = ()


def control_for(name: str) -> Control:
    """The control for parameter ``name``, with range and help from PARAMS."""
    p = PARAMS[name]
    label = name.replace("_", " ")
    if p.kind is bool:
        return Control(name, "bool", label, p.help)
    if p.kind is str:
        return Control(name, "select", label, p.help, choices=tuple(p.choices or ()))
    high = p.high
    if name == "n_orgs":
        high = min(high, VIZ_MAX_ORGS)
    if p.kind is int:
        return Control(name, "int", label, p.help, p.low, high, 1)
    return Control(
        name, "float", label, p.help, p.low, high, round((high - p.low) / _SLIDER_STEPS, 6)
    )


RULE_CONTROLS: tuple[Control, ...] = tuple(control_for(n) for n in RULES)
KEY_CONTROLS: tuple[Control, ...] = tuple(control_for(n) for n in KEY_PARAMS)
PRESET_CHOICES: tuple[str, ...] = tuple(PARAMS["governance"].choices or ())


def scenario_choices() -> list[str]:
    """Scenario names, research scenarios first, then teaching demos."""
    research = [n for n, s in SCENARIOS.items() if s.kind != "teaching"]
    return research + [n for n, s in SCENARIOS.items() if s.kind == "teaching"]


def scenario_values(name: str) -> dict[str, Any]:
    """The full validated parameters a scenario runs with."""
    return resolve(name, source=f"scenario {name}")


def with_preset(values: dict[str, Any], preset: str) -> dict[str, Any]:
    """``values`` under governance preset ``preset`` (its rules replace the current ones)."""
    out = dict(values, governance=preset)
    if preset != "custom":
        out.update(PRESETS[preset].rules)
    return validate(out, source="governance preset")


def with_value(values: dict[str, Any], name: str, value: Any) -> dict[str, Any]:
    """``values`` with one parameter changed, validated (raises ParameterError)."""
    out = dict(values)
    out[name] = value
    # A rule moved by hand must win over the preset named in ``governance``; validate
    # applies the preset first and explicit values after, so keep every value explicit.
    return marked_custom(validate(out, source="control"))


def marked_custom(values: dict[str, Any]) -> dict[str, Any]:
    """``values`` with ``governance`` set to ``custom`` if a rule differs from its preset.

    The preset's name on the page then never claims rules it no longer has (after a rule is
    moved by hand, or a demo's suggested change is made). Every rule stays explicit, so the
    model is the same either way.
    """
    preset = values.get("governance", "custom")
    if preset == "custom":
        return values
    given = validate({"governance": preset}, source="governance preset")
    if any(values[r] != given[r] for r in RULES):
        return dict(values, governance="custom")
    return values


def parse_seed(text: Any) -> int:
    """A seed typed into the page, as a Python int (Solara delivers text)."""
    return int(RUN_PARAMS["seed"].coerce(str(text).strip(), source="seed"))


class _StepLocked:
    """Copies (``copy.deepcopy``) get a lock of their own: a lock cannot be copied, and
    sharing one would tie the copy's steps to the original's."""

    _step_lock: threading.Lock

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_step_lock"] = None
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._step_lock = threading.Lock()


#: Models built so far, never stepped, by class and arguments; new sessions get copies.
_TEMPLATES: OrderedDict[tuple[str, str], Any] = OrderedDict()
_TEMPLATES_KEPT = 12
_TEMPLATES_LOCK = threading.Lock()
_BUILDING: dict[tuple[str, str], threading.Lock] = {}


def opened(cls, **kwargs: Any):
    """A new ``cls(**kwargs)`` (:class:`VizModel` or :class:`ComparePair`), copied from one
    built earlier with the same arguments.

    Building the default model runs its burn-in, seconds of one core; copying a built
    one takes about 20 ms and gives the same model, month for month (``tests/test_viz.py``).
    So a class opening the app at once waits for one build, not thirty. The last
    ``_TEMPLATES_KEPT`` argument sets are kept. A bad argument raises as ``cls`` does, and
    nothing is kept.
    """
    key = (cls.__qualname__, repr(sorted(kwargs.items())))
    with _TEMPLATES_LOCK:
        building = _BUILDING.setdefault(key, threading.Lock())
    with building:  # the first caller builds; the others wait for it, then copy
        with _TEMPLATES_LOCK:
            template = _TEMPLATES.get(key)
            if template is not None:
                _TEMPLATES.move_to_end(key)
        if template is None:
            try:
                template = cls(**kwargs)
            except BaseException:
                with _TEMPLATES_LOCK:
                    if _BUILDING.get(key) is building:
                        del _BUILDING[key]
                raise
            with _TEMPLATES_LOCK:
                _TEMPLATES[key] = template
                while len(_TEMPLATES) > _TEMPLATES_KEPT:
                    _TEMPLATES.popitem(last=False)
                # Forget the build locks of evicted sets that nobody holds (one taken but
                # not yet held can at worst let the same set be built twice, never wrongly).
                for k in [k for k, lock in _BUILDING.items() if k not in _TEMPLATES]:
                    if not _BUILDING[k].locked():
                        del _BUILDING[k]
        return copy.deepcopy(template)


class VizModel(_StepLocked, CollabModel):
    """The model as the page builds it.

    Mesa's ModelController re-creates the model on Reset with the page's parameters and a
    Mesa ``scenario`` object; collabsim has its own scenarios (already resolved into the
    parameters), so that object is not needed and is dropped here.

    Steps never overlap (a lock), and each ends by publishing a fresh :attr:`frame`, the
    frozen copy the page draws from (see :mod:`simulation.viz.frame` for why).
    """

    def __init__(
        self,
        seed: int = DEFAULT_SEED,
        scenario: Any = None,
        stop_at: int | None = None,
        **params: Any,
    ):
        super().__init__(seed=int(seed), **params)
        #: The month Play stops at (a scenario's planned length); None runs on.
        self.stop_at = stop_at
        self._step_lock = threading.Lock()
        self.frame: Frame = snapshot(self)
        # Mesa's Model.__init__ replaced ``step`` with its own wrapper (clock and event
        # list); the lock must cover that wrapper too, so wrap the instance's step.
        self._mesa_step = self.step
        self.step = self._locked_step

    def table(self, upto_month: int | None = None):
        """The data collector's table of monthly read-outs (one row per recorded month),
        taken under the step lock, up to ``upto_month`` (the month the page shows)."""
        with self._step_lock:
            return read_outs(self, upto_month)

    def _locked_step(self) -> None:
        with self._step_lock:
            if not self.running:  # a click that arrived after the planned length
                return
            self._mesa_step()
            if self.stop_at is not None and self.month >= self.stop_at:
                self.running = False
            self.frame = snapshot(self)


def read_outs(model, upto_month: int | None = None):
    """``model``'s data-collector table as a DataFrame, months up to ``upto_month`` (call it
    between steps)."""
    df = model.datacollector.get_model_vars_dataframe().reset_index(drop=True)
    if upto_month is not None:
        df = df[df["month"] <= upto_month]
    return df


#: Name of the column that says which run a row of the Compare page's table is from.
RUN_COLUMN = "run"


#: What the Compare page can set beside each other (its "compare" choice).
COMPARE_PRESETS = "two governance presets"
COMPARE_CHANGE = "the demo and its suggested change"
COMPARE_MODES: tuple[str, ...] = (COMPARE_PRESETS, COMPARE_CHANGE)
#: Names of the two runs of a demo beside its suggested change (tables, legends, titles).
CHANGE_LABELS: tuple[str, str] = ("as set", "with the change")


class ComparePair(_StepLocked):
    """Two models on the same seed and scenario, stepping together.

    ``mode`` :data:`COMPARE_PRESETS` runs the scenario under governance presets ``preset_a``
    and ``preset_b``; :data:`COMPARE_CHANGE` runs a teaching demo as it is set beside the
    demo with its suggested change (its :class:`~simulation.scenarios.demos.Contrast`), so a
    class sees the contrast without remembering the run before.

    Each step advances both by one month, so they always show the same month; their
    environments (challenges, shocks) come from independent streams and are therefore
    identical, and any difference is the one being compared. Both stop at the scenario's
    planned length. Like :class:`VizModel`, steps never overlap and each publishes
    :attr:`frames`, one frozen frame per model.
    """

    def __init__(
        self,
        scenario_name: str = DEFAULT_SCENARIO,
        preset_a: str = "none",
        preset_b: str = "six_principles",
        seed: int = DEFAULT_SEED,
        mode: str = COMPARE_PRESETS,
    ):
        if mode not in COMPARE_MODES:
            raise UserError(f"unknown compare mode {mode!r}; allowed: " + ", ".join(COMPARE_MODES))
        sc = get(scenario_name)
        if mode == COMPARE_CHANGE:
            if scenario_name not in CONTRASTS:
                raise UserError(
                    f"scenario {scenario_name!r} has no suggested change; allowed: "
                    + ", ".join(CONTRASTS)
                )
            self.labels = CHANGE_LABELS
            arms: tuple[dict[str, Any], ...] = ({}, CONTRASTS[scenario_name].overrides)
        else:
            for preset in (preset_a, preset_b):
                if preset not in PRESETS:
                    raise UserError(
                        f"unknown governance preset {preset!r}; allowed: " + ", ".join(PRESETS)
                    )
            self.labels = (preset_a, preset_b)
            arms = ({"governance": preset_a}, {"governance": preset_b})
        self.scenario_name = scenario_name
        self.mode = mode
        self.seed = int(seed)
        self.stop_at = sc.steps
        self.models = tuple(
            CollabModel(seed=self.seed, **resolve(scenario_name, arm)) for arm in arms
        )
        self.running = self.stop_at > 0
        self._step_lock = threading.Lock()
        self.frames: tuple[Frame, ...] = tuple(snapshot(m) for m in self.models)

    @property
    def time(self) -> float:
        return self.models[0].time

    def table(self, upto_month: int | None = None):
        """Both models' data-collector tables, one after the other, with a first column
        (:data:`RUN_COLUMN`) naming the run, under the step lock."""
        import pandas as pd

        with self._step_lock:
            parts = [read_outs(m, upto_month) for m in self.models]
        return pd.concat(
            [
                df.assign(**{RUN_COLUMN: label})
                for df, label in zip(parts, self.labels, strict=True)
            ],
            ignore_index=True,
        )[[RUN_COLUMN, *parts[0].columns]]

    def step(self) -> None:
        with self._step_lock:
            if not self.running:
                return
            for m in self.models:
                m.step()
            self.frames = tuple(snapshot(m) for m in self.models)
            self.running = (
                all(m.running for m in self.models) and self.models[0].month < self.stop_at
            )
