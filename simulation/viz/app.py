"""collabsim in the browser: a Mesa/Solara app with an Explore page and a Compare page.

Start it with ``collabsim viz`` (or ``solara run simulation/viz/app.py``). Each browser
session builds its own model, so several people can use one server at once.

* **Explore**: one model. Pick a scenario (teaching demos show their story beside the
  model), a governance preset, move the rules and parameters (all built from
  ``simulation.params.PARAMS``: ranges, defaults and help text), set a seed, then
  Reset, Step or Play (the buttons of Mesa's ModelController). Shows the network of
  organisations, live plots, the sector-by-sector trust and myth heatmaps and the event
  log as stories.
* **Compare**: two governance presets on the same scenario and seed, stepping together.
* **Teaching demos** and **Info**: every demo's narrative; what the model is and how a
  month runs.

Both run pages have a speed control, monitor boxes above the plots and CSV / PNG export;
Explore can inspect one organisation by the name the event log gives it.

Choosing a scenario or changing a Compare setting rebuilds the model at once; rules,
parameters and the seed on the Explore page take effect on Reset (as in Mesa's apps).

Everything on the page is drawn from the model's latest frame (``model.frame``), a frozen
copy taken between steps, never from the live model: see :mod:`simulation.viz.frame`.
The page is laid out for a 1024 x 768 projector: a slim bar, a sidebar of controls that
the bar's button hides, and the network with the live plots on the first screen. It
prints without its bar and sidebar.
"""

from __future__ import annotations

import ctypes
import gc
import io
import threading
import time
import traceback
from html import escape
from typing import Any
from urllib.parse import parse_qs, quote

import solara
from mesa.visualization.utils import update_counter
from PIL import Image
from solara.alias import rv, rw

from simulation.errors import UserError
from simulation.governance import PRESETS
from simulation.params import PARAMS
from simulation.scenarios import CONTRASTS, SCENARIOS, get, resolve
from simulation.scenarios.demos import Contrast
from simulation.sectors import SECTORS
from simulation.stories import join_names
from simulation.viz import alt_text
from simulation.viz.controls import (
    COMPARE_CHANGE,
    COMPARE_MODES,
    COMPARE_PRESETS,
    DEFAULT_SCENARIO,
    DEFAULT_SEED,
    KEY_CONTROLS,
    PRESET_CHOICES,
    RULE_CONTROLS,
    ComparePair,
    Control,
    VizModel,
    marked_custom,
    opened,
    parse_seed,
    scenario_choices,
    scenario_values,
    with_preset,
    with_value,
)
from simulation.viz.figures import compare_figures_for, figures_for
from simulation.viz.frame import STATES, Frame

#: Play's pause between months (ms) at each speed, slow to fastest; 0 runs as fast as the
#: page renders (each month is drawn before the next is stepped).
PLAY_INTERVALS_MS: tuple[int, ...] = (1000, 400, 150, 50, 0)
#: Names of the speeds, slow to fastest (the speed buttons' tooltips and the label).
SPEED_NAMES: tuple[str, ...] = ("slowest", "slow", "steady", "normal", "fastest")
#: The speed a page starts at (1-based): a 120-month demo in well under a minute (the
#: browser benchmark's target is at least 5 months a second at this speed).
DEFAULT_SPEED = 4
PLAY_INTERVAL_MS = PLAY_INTERVALS_MS[DEFAULT_SPEED - 1]
#: Longest single wait of the play loop (s): a change of speed takes effect this soon.
_WAIT_SLICE_S = 0.05
EVENTS_SHOWN = 14
SIDEBAR_PX = 260
CSS = """
body { overflow-x: hidden; }
.cs-bar { display: flex; align-items: center; gap: 2px; height: 44px; padding: 0 8px;
  background: #0d47a1; color: white; position: sticky; top: 0; z-index: 5; }
.cs-bar .v-btn { color: white !important; text-transform: none; letter-spacing: 0; }
.cs-bar .cs-tab-active { background: rgba(255, 255, 255, 0.22); }
.cs-brand { font-size: 1.15em; font-weight: 500; margin: 0 14px 0 6px; }
.cs-shell { display: flex; align-items: flex-start; gap: 8px; padding: 8px; }
.cs-sidebar { flex: 0 0 SIDEBARpx; width: SIDEBARpx; position: sticky; top: 52px;
  max-height: calc(100vh - 60px); overflow-y: auto; }
.cs-sidebar .v-card__title { font-size: 1.05em; padding: 8px 12px 0 12px;
  word-break: normal; }
.cs-sidebar .v-card__text, .cs-sidebar .v-expansion-panel-content__wrap { padding: 4px 10px; }
.cs-sidebar .v-btn:not(.v-btn--icon) { min-width: 0 !important; padding: 0 12px !important; }
.cs-collapsed .cs-sidebar { display: none; }
.cs-main { flex: 1 1 auto; min-width: 0; }
.cs-row { display: flex; flex-wrap: wrap; gap: 8px; align-items: flex-start;
  margin-bottom: 8px; }
.cs-grow { flex: 1 1 320px; min-width: 0; }
.cs-table { border-collapse: collapse; font-size: 0.9em; }
.cs-table td, .cs-table th { padding: 2px 8px; border-bottom: 1px solid #e0e0e0; }
.cs-table th { text-align: left; overflow-wrap: anywhere; }
.cs-compare-table { max-width: 100%; overflow-wrap: anywhere; }
.cs-compare-table table { width: 100%; }
.cs-event-list ul { padding-left: 1.1em; margin: 0; font-size: 0.9em; }
.cs-figure img { max-width: 100%; height: auto; display: block; }
.cs-monitors { display: flex; flex-wrap: wrap; gap: 4px; align-items: stretch;
  margin-bottom: 6px; }
.cs-monitor { border: 1px solid #9e9e9e; border-radius: 3px; background: #f5f5f5;
  padding: 0 6px; line-height: 1.15; min-width: 52px; }
.cs-monitor-label { font-size: 0.75em; color: #333; white-space: nowrap; }
.cs-monitor-value { font-size: 1.05em; font-weight: 600; }
.cs-monitor-run { font-weight: 600; align-self: center; margin-right: 2px; }
.cs-export { display: flex; flex-wrap: wrap; align-items: center; gap: 4px;
  margin-bottom: 8px; }
.cs-export .v-btn { text-transform: none; letter-spacing: 0; }
.cs-speed .v-btn { min-width: 30px !important; padding: 0 6px !important; }
@media print {
  .cs-bar, .cs-sidebar, .cs-run-buttons { display: none !important; }
  html, body, .v-application, .v-application--wrap, .v-main, .v-main__wrap,
  .solara-content-main { height: auto !important; max-height: none !important;
    overflow: visible !important; }
  .cs-shell { display: block; padding: 0; }
  .cs-demo, .cs-figure, .cs-narrative { break-inside: avoid; }
  .v-card { box-shadow: none !important; border: 1px solid #ccc; }
}
""".replace("SIDEBAR", str(SIDEBAR_PX))
_HELP_STYLE = {
    "font-size": "0.75em",
    "color": "#555",
    "margin-top": "-12px",
    "margin-bottom": "6px",
    "line-height": "1.2",
}


# --- small pieces ----------------------------------------------------------------------------
# Text is rendered as plain HTML: Solara's Markdown loads KaTeX from a CDN, which fails offline.
def _p(text: str, bold: str = "") -> str:
    lead = f"<b>{escape(bold)}</b> " if bold else ""
    return f"<p>{lead}{escape(text)}</p>"


def _table(rows: list[tuple[str, ...]], head: tuple[str, ...] | None = None) -> str:
    cells = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in r) + "</tr>" for r in rows)
    top = ("<tr>" + "".join(f"<th>{escape(c)}</th>" for c in head) + "</tr>") if head else ""
    return f"<table class='cs-table'>{top}{cells}</table>"


@solara.component
def Html(content: str, css: str):
    solara.HTML(tag="div", unsafe_innerHTML=content, classes=[css])


def _wait_until_no_render(timeout_s: float = 5.0) -> None:
    """Block until this session is not in the middle of a render (at most ``timeout_s``).

    The play loop announces each step (Mesa's ``update_counter``) from its own thread. When
    that lands while a render started by a click (Pause, Step) is under way, the click's
    render has to run another pass, and if Play keeps landing mid-render the page is
    replaced by reacton's "Too many renders triggered" error. Waiting here, at the end of
    a step and before it is announced, makes each announcement start a render of its own
    instead. (Reads the render context's lock: reacton has no public call for this.)
    """
    try:
        from solara.server.kernel_context import get_current_context

        rc = get_current_context().app_object
    except Exception:  # no session (tests, scripts): nothing to wait for
        return
    lock = getattr(rc, "thread_lock", None)
    if lock is None or getattr(rc, "_lock_thread", None) is threading.current_thread():
        return
    deadline = time.monotonic() + timeout_s
    while lock.locked() and time.monotonic() < deadline:
        time.sleep(0.005)


def play_steps(model, interval_ms, cancel: threading.Event, announce) -> None:
    """Step ``model`` until it stops or ``cancel`` is set, pausing ``interval_ms()`` ms
    before each month and calling ``announce()`` after it.

    The pause is read again every few hundredths of a second (:data:`_WAIT_SLICE_S`), so a
    change of speed takes effect within the current pause: the same loop runs on, no second
    one starts. With a pause of 0 the next month is stepped once the page has drawn this one
    (an announcement renders the page in this thread).
    """
    while model.running:
        start = time.monotonic()
        while True:
            left = interval_ms() / 1000 - (time.monotonic() - start)
            if left <= 0 or cancel.wait(min(left, _WAIT_SLICE_S)):
                break
        if cancel.is_set():
            return
        model.step()
        if cancel.is_set():
            return
        _wait_until_no_render()
        announce()


def speed_label(speed: int) -> str:
    ms = PLAY_INTERVALS_MS[speed - 1]
    pause = f"{ms} ms between months" if ms else "as fast as the page draws"
    return f"speed {speed}: {SPEED_NAMES[speed - 1]} ({pause})"


@solara.component
def Controller(model, parameters, on_reset=None):
    """Reset, Play / Pause and Step, as in Mesa's ModelController (same buttons), with a
    play loop that cannot run twice or outpace the page, and a speed control.

    Mesa's loop checks only whether it should still be playing, so a quick Pause and Play
    left the old loop running beside the new one; here each press of Play starts a loop
    that Solara cancels (``use_thread``'s event) on the next press, Reset or a new model.
    After each step the loop waits until the page is not rendering before it announces the
    step (``_wait_until_no_render``). The speed (1-5, :data:`PLAY_INTERVALS_MS`) is read by
    the running loop on every pause, so changing it never restarts the loop. ``model`` and
    ``parameters`` are reactive values; Reset builds ``type(model)(**parameters)`` and then
    calls ``on_reset``. A model with a planned length (``stop_at``) stops there, and the
    controller says so.
    """
    playing = solara.use_reactive(False)
    problem = solara.use_reactive("")
    speed = solara.use_reactive(DEFAULT_SPEED)
    pause_ms = solara.use_ref(PLAY_INTERVALS_MS[DEFAULT_SPEED - 1])
    pause_ms.current = PLAY_INTERVALS_MS[speed.value - 1]  # what the running loop reads
    current = model.value

    def announce() -> None:
        update_counter.set(update_counter.value + 1)

    def play_loop(cancel: threading.Event) -> None:
        if not playing.value:
            return
        try:
            play_steps(current, lambda: pause_ms.current, cancel, announce)
        except Exception as e:  # shown in the sidebar, and in the server log
            traceback.print_exc()
            problem.set(f"error in step: {e}")
        if not current.running:
            playing.set(False)

    solara.use_thread(play_loop, dependencies=[playing.value, current], intrusive_cancel=False)

    def step() -> None:
        try:
            current.step()
        except Exception as e:
            traceback.print_exc()
            problem.set(f"error in step: {e}")
        announce()

    def reset() -> None:
        playing.set(False)
        problem.set("")
        model.set(opened(type(current), **parameters.value))
        if on_reset is not None:
            on_reset()

    with solara.Row(justify="space-between", classes=["cs-run-buttons"]):
        solara.Button(label="Reset", color="primary", on_click=reset)
        solara.Button(
            label="❚❚" if playing.value else "▶",
            color="primary",
            on_click=lambda: playing.set(not playing.value),
            disabled=not current.running,
        )
        solara.Button(
            label="Step",
            color="primary",
            on_click=step,
            disabled=playing.value or not current.running,
        )
    with solara.Div(classes=["cs-speed", "cs-run-buttons"]):
        solara.ToggleButtonsSingle(
            value=str(speed.value),
            values=[str(k) for k in range(1, len(PLAY_INTERVALS_MS) + 1)],
            on_value=lambda v: speed.set(int(v)),
            dense=True,
        )
        solara.Text(
            speed_label(speed.value),
            style=_HELP_STYLE | {"margin-top": "2px"},
            classes=["cs-speed-label"],
        )
    if problem.value:
        solara.Error(problem.value, classes=["cs-problem"])
    stop_at = getattr(current, "stop_at", None)
    if not current.running and stop_at is not None:
        solara.Text(
            f"Stopped at the planned length ({stop_at} months): press Reset to run again.",
            style=_HELP_STYLE | {"margin-top": "4px"},
            classes=["cs-stopped"],
        )


@solara.component
def Picture(data: bytes, fmt: str, css: str, alt: str):
    """An image the server rendered, in a div the tests (and CSS) can find by class.

    ``alt`` is its text alternative (:mod:`simulation.viz.alt_text`): the widget's ``<img>``
    takes no ``alt``, so the div carries it as an image role with an ARIA label.
    """
    with solara.Div(classes=["cs-figure", css], attributes={"role": "img", "aria-label": alt}):
        rw.Image(value=data, format=fmt, layout={"max_width": "100%"})


@solara.component
def ParamControl(ctl: Control, value: Any, on_value):
    """One parameter's input with its help text underneath."""
    shown = f"{round(value, 6):g}" if ctl.widget == "float" else value
    label = f"{ctl.label}: {shown}"
    if ctl.widget == "float":
        solara.SliderFloat(
            label, value=float(value), min=ctl.low, max=ctl.high, step=ctl.step, on_value=on_value
        )
    elif ctl.widget == "int":
        solara.SliderInt(
            label, value=int(value), min=int(ctl.low), max=int(ctl.high), on_value=on_value
        )
    elif ctl.widget == "bool":
        solara.Checkbox(label=ctl.label, value=bool(value), on_value=on_value)
    else:
        solara.Select(ctl.label, values=list(ctl.choices), value=value, on_value=on_value)
    solara.Text(ctl.help, style=_HELP_STYLE)


def compare_path(demo: str) -> str:
    """The Compare page running teaching demo ``demo`` beside its suggested change."""
    return f"/compare?demo={quote(demo)}"


@solara.component
def Narrative(name: str, on_apply=None, beside: bool = True):
    """The scenario's story: for a teaching demo, what to watch, change, and why.

    With ``on_apply``, a teaching demo gets a button that makes its suggested change in the
    controls (the change then runs on Reset, like any other); with ``beside``, one that opens
    the Compare page running the demo beside its suggested change.
    """
    router = solara.use_router()
    sc = get(name)
    text = _p(sc.description)
    if sc.kind == "teaching":
        text += (
            _p(sc.watch, "What to watch.")
            + _p(sc.change, "What to change.")
            + _p(sc.happens, "What happens, and why.")
        )
    with solara.Card(f"Scenario: {name}", classes=["cs-narrative"]):
        Html(text, "cs-narrative-text")
        if sc.kind == "teaching" and name in CONTRASTS:
            with solara.Row(gap="6px", style={"flex-wrap": "wrap"}):
                if on_apply is not None:
                    solara.Button(
                        "Make the suggested change",
                        on_click=on_apply,
                        outlined=True,
                        classes=["cs-apply-change"],
                    )
                if beside:
                    solara.Button(
                        "Run it beside the suggested change",
                        on_click=lambda: router.push(compare_path(name)),
                        outlined=True,
                        classes=["cs-open-beside"],
                    )
        solara.Text(f"Planned length: {sc.steps} months.", style=_HELP_STYLE | {"margin-top": "0"})


def _fmt(x: float, digits: int = 2) -> str:
    return "–" if x != x else f"{x:.{digits}f}"  # nan shows as a dash


#: Headline rows that are a demo's measure already (label -> outcome).
_MEASURE_ROWS = {"cross_trust": "cross-sector trust", "mean_myth": "myths about other sectors"}
#: The mark beside the row of the demo's measure.
MEASURE_MARK = "▶ "


def measure_text(frame: Frame, contrast: Contrast) -> str:
    """The demo's measure in this frame, as the page's table shows it."""
    v = frame.outcomes[contrast.outcome]
    return str(v) if isinstance(v, int) else _fmt(float(v))


def headline_rows(frame: Frame, measure: Contrast | None = None) -> list[tuple[str, str]]:
    """The table beside the plots; with a demo's ``measure``, its row is marked (and added
    if the table does not have it already)."""
    rows = _headline_rows(frame)
    if measure is None:
        return rows
    label = _MEASURE_ROWS.get(measure.outcome)
    if label is None:
        return [*rows, (MEASURE_MARK + measure.label, measure_text(frame, measure))]
    return [(MEASURE_MARK + k if k == label else k, v) for k, v in rows]


def _headline_rows(frame: Frame) -> list[tuple[str, str]]:
    r, tot = frame.readout, frame.totals
    return [
        ("month", str(frame.month)),
        ("active partnerships", str(r["active"])),
        ("formed / ended so far", f"{tot['formed']} / {tot['ended']}"),
        ("share of ended that failed", _fmt(r["failure_share"])),
        ("share with synergy (ratio > 1)", _fmt(r["share_advantage"])),
        ("cross-sector trust", _fmt(r["cross_trust"])),
        ("myths about other sectors", _fmt(r["mean_myth"])),
        ("organisations in no partnership", _fmt(r["isolated_share"])),
        ("value delivered so far", _fmt(tot["value"], 0)),
    ]


#: The monitor boxes beside the plots: (short label, headline row it shows).
MONITORS: tuple[tuple[str, str], ...] = (
    ("month", "month"),
    ("partnerships", "active partnerships"),
    ("ended that failed", "share of ended that failed"),
    ("cross-sector trust", "cross-sector trust"),
    ("myths about others", "myths about other sectors"),
    ("in no partnership", "organisations in no partnership"),
)


def monitor_items(frame: Frame) -> list[tuple[str, str, str]]:
    """(short label, full name, value) of each monitor box, read from ``frame``."""
    rows = dict(_headline_rows(frame))
    return [(short, name, rows[name]) for short, name in MONITORS]


def _monitors_html(frame: Frame, run: str = "") -> str:
    lead = f"<span class='cs-monitor-run'>{escape(run)}</span>" if run else ""
    boxes = "".join(
        f"<div class='cs-monitor' title='{escape(name)}'>"
        f"<div class='cs-monitor-label'>{escape(short)}</div>"
        f"<div class='cs-monitor-value'>{escape(value)}</div></div>"
        for short, name, value in monitor_items(frame)
    )
    return f"<div class='cs-monitors'>{lead}{boxes}</div>"


@solara.component
def Monitors(frame: Frame, run: str = "", css: str = "cs-monitor-strip"):
    """NetLogo-style monitor boxes: the month and five read-outs, from the frame."""
    Html(_monitors_html(frame, run), css)


@solara.component
def Headline(frame: Frame, measure: Contrast | None = None):
    Html(_table(headline_rows(frame, measure)), "cs-headline")


# --- inspecting one organisation ---------------------------------------------------------------
def org_names(frame: Frame) -> list[str]:
    """The organisations' names as the event log writes them, by sector then number."""

    def key(k: int) -> tuple[int, int]:
        number = frame.names[k].rsplit(" ", 1)[-1]
        return int(frame.sector[k]), int(number) if number.isdigit() else 0

    return [frame.names[k] for k in sorted(range(len(frame.names)), key=key)]


def org_index(frame: Frame, name: str | None) -> int | None:
    """The slot of the organisation called ``name`` in ``frame`` (None: no such one now)."""
    if not name:
        return None
    try:
        return frame.names.index(name.strip())
    except ValueError:
        return None


def org_card_rows(frame: Frame, k: int) -> list[tuple[str, str]]:
    """What the inspect card shows of organisation ``k``: sector, resources, partnerships
    (with partners' names) and mean trust given and received."""
    hubs = frame.member_hub[frame.member_org == k]
    rows = [
        ("sector", SECTORS[int(frame.sector[k])]),
        (
            "resources",
            f"{frame.capacity[k]:.1f} (the largest at the start: {frame.capacity_scale:.1f})",
        ),
        ("active partnerships", str(hubs.size)),
    ]
    for h in hubs.tolist():
        partners = [frame.names[o] for o in frame.member_org[frame.member_hub == h] if o != k]
        rows.append(
            (
                f"partnership {int(frame.hub_pid[h])} ({STATES[int(frame.hub_state[h])]})",
                "with " + join_names(partners),
            )
        )
    rows += [
        ("mean trust it gives", _fmt(float(frame.trust_given[k]))),
        ("mean trust it receives", _fmt(float(frame.trust_received[k]))),
    ]
    return rows


@solara.component
def Inspect(frame: Frame, chosen):
    """Inspect an organisation: a searchable list of names (type "Public 17") and a card of
    what it is and does now; the network rings it. ``chosen`` is a reactive name."""
    k = org_index(frame, chosen.value)
    with solara.Card("Inspect an organisation", classes=["cs-inspect", "cs-grow"]):
        rv.Autocomplete(
            label="organisation (type a name, e.g. Public 3)",
            items=org_names(frame),
            v_model=chosen.value,
            on_v_model=chosen.set,
            clearable=True,
            dense=True,
            class_="cs-inspect-select",
        )
        if chosen.value and k is None:
            solara.Text(
                f"No organisation is called {chosen.value} at month {frame.month} "
                "(it may have closed).",
                style=_HELP_STYLE | {"margin-top": "0"},
            )
        elif k is not None:
            Html(
                f"<p><b>{escape(frame.names[k])}</b></p>" + _table(org_card_rows(frame, k)),
                "cs-inspect-card",
            )


# --- export ------------------------------------------------------------------------------------
def csv_text(run, upto_month: int) -> str:
    """The run's monthly read-outs as CSV, up to the month the page shows (``run`` is a
    VizModel or a ComparePair; their ``table`` takes the step lock)."""
    return run.table(upto_month).to_csv(index=False)


def as_png(data: bytes) -> bytes:
    """An image (the network is sent to the page as JPEG) as PNG bytes."""
    buf = io.BytesIO()
    Image.open(io.BytesIO(data)).save(buf, format="png")
    return buf.getvalue()


def export_name(scenario_name: str, month: int, what: str, ext: str) -> str:
    return f"collabsim-{scenario_name}-month{month}-{what}.{ext}"


@solara.component
def Export(
    run,
    month: int,
    scenario_name: str,
    images: dict[str, bytes],
    networks: list[tuple[str, str]],
):
    """Download buttons: the run's table so far as CSV, the live plots and the networks as
    PNG (all as the page shows them: the CSV stops at the month shown)."""
    # The buttons' data are functions that read what is shown when clicked, and stay the
    # same functions from render to render: Solara's FileDownload starts a thread (and
    # renders twice more) whenever its data changes, which would be every month.
    shown = solara.use_ref((run, month, images))
    shown.current = (run, month, images)
    keys = tuple(key for key, _ in networks)
    table, plots = solara.use_memo(
        lambda: (
            lambda: csv_text(shown.current[0], shown.current[1]),
            lambda: shown.current[2]["series"],
        ),
        [],
    )
    pictures = solara.use_memo(
        lambda: {key: (lambda key=key: as_png(shown.current[2][key])) for key in keys}, [keys]
    )
    with solara.Div(classes=["cs-export", "cs-run-buttons"]):
        solara.Text("Export:", style={"font-weight": "500", "margin-right": "4px"})
        solara.FileDownload(
            table,
            filename=export_name(scenario_name, month, "table", "csv"),
            label="table (CSV)",
            mime_type="text/csv",
        )
        solara.FileDownload(
            plots,
            filename=export_name(scenario_name, month, "plots", "png"),
            label="plots (PNG)",
            mime_type="image/png",
        )
        for key, label in networks:
            solara.FileDownload(
                pictures[key],
                filename=export_name(scenario_name, month, key.replace("_", "-"), "png"),
                label=f"{label} (PNG)",
                mime_type="image/png",
            )


@solara.component
def EventLog(frame: Frame):
    """The latest formations, departures and endings, newest first, as sentences."""
    events = frame.events[-EVENTS_SHOWN:][::-1]
    with solara.Card("What happened", classes=["cs-events", "cs-grow"]):
        if not events:
            solara.Text("Nothing yet: press Step or Play.")
        else:
            Html(
                "<ul>" + "".join(f"<li>{escape(e)}</li>" for e in events) + "</ul>",
                "cs-event-list",
            )


@solara.component
def ExploreMain(model, scenario_name: str, on_apply):
    """The Explore page's content: monitors and figures first (the network and live plots
    fill the first screen at 1024 x 768), then the story, the headline and the inspected
    organisation, heatmaps and events."""
    update_counter.get()
    frame = model.frame  # one frame for the whole render: every part shows the same month
    chosen = solara.use_reactive(None)
    mark = org_index(frame, chosen.value)
    horizon = get(scenario_name).steps
    images = solara.use_memo(
        lambda: figures_for(model, horizon=horizon).render(frame, mark=mark),
        [model, frame, mark],
    )
    Monitors(frame)
    with solara.Div(classes=["cs-row"]):
        Picture(images["network"], "jpeg", "cs-network", alt_text.network(frame))
        Picture(images["series"], "png", "cs-series", alt_text.series([frame]))
    Export(model, frame.month, scenario_name, images, [("network", "network")])
    with solara.Div(classes=["cs-row"]):
        with solara.Div(classes=["cs-grow"]):
            Narrative(scenario_name, on_apply)
        Headline(frame, CONTRASTS.get(scenario_name))
        Inspect(frame, chosen)
    with solara.Div(classes=["cs-row"]):
        Picture(images["heatmaps"], "png", "cs-heatmaps", alt_text.heatmaps(frame))
        EventLog(frame)


#: Whether the sidebar of controls is shown (one value per browser session).
controls_open = solara.reactive(True)


@solara.component
def Layout(children: list | None = None):
    """The app's frame: a 44 px bar with the page tabs and the sidebar button."""
    route, routes = solara.use_route()
    solara.Style(CSS)
    with solara.Column(gap="0px", style={"min-height": "100vh"}):
        with solara.Div(classes=["cs-bar"]):
            solara.Button(
                icon_name="mdi-menu",
                icon=True,
                on_click=lambda: controls_open.set(not controls_open.value),
                classes=["cs-toggle"],
            )
            solara.HTML(tag="span", unsafe_innerHTML="collabsim", classes=["cs-brand"])
            for r in routes:
                with solara.Link(solara.resolve_path(r, level=0)):
                    solara.Button(
                        r.label,
                        text=True,
                        classes=["cs-tab"] + (["cs-tab-active"] if r is route else []),
                    )
        solara.Column(children=list(children or []), gap="0px")


# --- Explore --------------------------------------------------------------------------------
@solara.component
def Explore():
    initial = solara.use_memo(lambda: scenario_values(DEFAULT_SCENARIO), [])
    scenario = solara.use_reactive(DEFAULT_SCENARIO)
    values = solara.use_reactive(initial)
    seed_text = solara.use_reactive(str(DEFAULT_SEED))
    problem = solara.use_reactive("")
    notice = solara.use_reactive("")
    # What Reset builds: VizModel(**launch); a run stops at its scenario's planned length.
    launch = solara.use_reactive(
        {"seed": DEFAULT_SEED, "stop_at": get(DEFAULT_SCENARIO).steps, **initial}
    )
    first = solara.use_memo(lambda: opened(VizModel, **launch.value), [])
    model = solara.use_reactive(first)

    def commit(
        new_values: dict[str, Any], seed: int | None = None, stop_at: int | None = None
    ) -> None:
        values.set(new_values)
        launch.set(
            {
                "seed": launch.value["seed"] if seed is None else seed,
                "stop_at": launch.value["stop_at"] if stop_at is None else stop_at,
                **new_values,
            }
        )
        problem.set("")

    def choose_scenario(name: str) -> None:
        new = scenario_values(name)
        scenario.set(name)
        notice.set("")
        commit(new, stop_at=get(name).steps)
        model.set(opened(VizModel, **launch.value))  # a new scenario is a new model at once

    def choose_preset(preset: str) -> None:
        commit(with_preset(values.value, preset))

    def change(name: str):
        def on_value(value):
            try:
                commit(with_value(values.value, name, value))
            except UserError as e:
                problem.set(str(e))

        return on_value

    def set_seed(text: str | None) -> None:
        seed_text.set(text or "")
        try:
            commit(values.value, parse_seed(text))
        except UserError as e:
            problem.set(str(e))

    def apply_change() -> None:
        name = scenario.value
        commit(marked_custom(resolve(name, CONTRASTS[name].overrides, source=f"demo {name}")))
        notice.set("The suggested change is set in the controls: press Reset to run it.")

    solara.Title(page_title("Explore"))
    with solara.Div(classes=_shell_classes()):
        with solara.Div(classes=["cs-sidebar"]):
            with solara.Card("Run"):
                Controller(model, launch, on_reset=lambda: notice.set(""))
                solara.Select(
                    "scenario",
                    values=scenario_choices(),
                    value=scenario.value,
                    on_value=choose_scenario,
                )
                solara.Select(
                    "governance preset",
                    values=list(PRESET_CHOICES),
                    value=values.value["governance"],
                    on_value=choose_preset,
                )
                solara.Text(PARAMS["governance"].help, style=_HELP_STYLE)
                solara.InputText(
                    "seed", value=seed_text.value, on_value=set_seed, continuous_update=False
                )
                solara.Text(
                    "Rules, parameters and seed apply when you press Reset.", style=_HELP_STYLE
                )
                if problem.value:
                    solara.Error(problem.value, classes=["cs-problem"])
                if notice.value:
                    solara.Info(notice.value, classes=["cs-notice"])
            with solara.Details("Governance rules", expand=True):
                for ctl in RULE_CONTROLS:
                    ParamControl(ctl, values.value[ctl.name], change(ctl.name))
            with solara.Details("Population, environment and mechanisms", expand=False):
                for ctl in KEY_CONTROLS:
                    ParamControl(ctl, values.value[ctl.name], change(ctl.name))
        with solara.Div(classes=["cs-main"]):
            ExploreMain(model.value, scenario.value, apply_change)


def _shell_classes() -> list[str]:
    """A page with a sidebar of controls (the bar's button hides it with CSS, so the
    controls, and Mesa's Play loop in them, stay mounted) and its content."""
    return ["cs-shell"] + ([] if controls_open.value else ["cs-collapsed"])


# --- Compare --------------------------------------------------------------------------------
@solara.component
def CompareMain(pair, scenario_name: str):
    """Compare's content: both networks and the table first, then the shared live plots,
    both heatmaps and the story. Every part reads the same pair of frames."""
    update_counter.get()
    frames = pair.frames
    horizon = get(scenario_name).steps
    images = solara.use_memo(
        lambda: compare_figures_for(pair, horizon=horizon).render(frames), [pair, frames]
    )
    measure = CONTRASTS.get(scenario_name)
    a, b = (headline_rows(f, measure) for f in frames)
    rows = [(ka, va, vb) for (ka, va), (_, vb) in zip(a, b, strict=True)]
    for k, (f, label) in enumerate(zip(frames, pair.labels, strict=True)):
        Monitors(f, f"{label}:", f"cs-monitor-strip-{k}")
    with solara.Div(classes=["cs-row"]):
        for k, (f, label) in enumerate(zip(frames, pair.labels, strict=True)):
            Picture(images[f"network_{k}"], "jpeg", f"cs-network-{k}", alt_text.network(f, label))
        with solara.Div(classes=["cs-grow"]):
            Html(_table(rows, ("", *pair.labels)), "cs-compare-table")
    with solara.Div(classes=["cs-row"]):
        Picture(images["series"], "png", "cs-series", alt_text.series(frames, pair.labels))
    Export(
        pair,
        frames[0].month,
        scenario_name,
        images,
        [(f"network_{k}", f"network, {label}") for k, label in enumerate(pair.labels)],
    )
    with solara.Div(classes=["cs-row"]):
        for k, (f, label) in enumerate(zip(frames, pair.labels, strict=True)):
            Picture(images[f"heatmaps_{k}"], "png", f"cs-heatmaps-{k}", alt_text.heatmaps(f, label))
    Narrative(scenario_name, beside=False)


def compare_settings(search: str | None) -> dict[str, Any]:
    """The Compare page's first settings; ``?demo=NAME`` opens teaching demo NAME beside
    its suggested change (the Demos page links there)."""
    out = {
        "scenario_name": DEFAULT_SCENARIO,
        "preset_a": "none",
        "preset_b": "six_principles",
        "seed": DEFAULT_SEED,
        "mode": COMPARE_PRESETS,
    }
    demo = parse_qs(search or "").get("demo", [""])[0]
    if demo in CONTRASTS:
        out.update(scenario_name=demo, mode=COMPARE_CHANGE)
    return out


def _change_text(name: str) -> str:
    """The suggested change of demo ``name`` as the parameters it sets."""
    over = CONTRASTS[name].overrides
    return "; ".join(f"{k.replace('_', ' ')} = {v}" for k, v in over.items())


@solara.component
def Compare():
    router = solara.use_router()
    first_settings = solara.use_memo(lambda: compare_settings(router.search), [])
    settings = solara.use_reactive(first_settings)
    first = solara.use_memo(lambda: opened(ComparePair, **settings.value), [])
    pair = solara.use_reactive(first)
    seed_text = solara.use_reactive(str(settings.value["seed"]))
    problem = solara.use_reactive("")

    def apply(new: dict[str, Any]) -> None:
        try:
            pair.set(opened(ComparePair, **new))  # both models restart on the new settings
            settings.set(new)
            problem.set("")
        except UserError as e:
            problem.set(str(e))

    def setting(key: str):
        def on_value(value):
            if key == "seed":
                seed_text.set(value or "")
                try:
                    value = parse_seed(value)
                except UserError as e:
                    problem.set(str(e))
                    return
            new = {**settings.value, key: value}
            if key == "scenario_name":  # a demo opens beside its change; others compare presets
                new["mode"] = COMPARE_CHANGE if value in CONTRASTS else COMPARE_PRESETS
            apply(new)

        return on_value

    s = settings.value
    demo_mode = s["mode"] == COMPARE_CHANGE
    solara.Title(page_title("Compare"))
    presets = list(PRESETS)
    with solara.Div(classes=_shell_classes()):
        with solara.Div(classes=["cs-sidebar"]):
            with solara.Card("Compare two runs"):
                Controller(pair, settings)
                solara.Select(
                    "scenario",
                    values=scenario_choices(),
                    value=s["scenario_name"],
                    on_value=setting("scenario_name"),
                )
                if s["scenario_name"] in CONTRASTS:
                    solara.Select(
                        "compare",
                        values=list(COMPARE_MODES),
                        value=s["mode"],
                        on_value=setting("mode"),
                    )
                if not demo_mode:
                    solara.Select(
                        "preset A (solid lines)",
                        values=presets,
                        value=s["preset_a"],
                        on_value=setting("preset_a"),
                    )
                    solara.Select(
                        "preset B (dashed lines)",
                        values=presets,
                        value=s["preset_b"],
                        on_value=setting("preset_b"),
                    )
                solara.InputText(
                    "seed", value=seed_text.value, on_value=setting("seed"), continuous_update=False
                )
                solara.Text(
                    "Both models share the scenario, the seed and so the same challenges and "
                    "shocks: differences come from "
                    + ("the suggested change." if demo_mode else "governance."),
                    style=_HELP_STYLE,
                )
                if problem.value:
                    solara.Error(problem.value, classes=["cs-problem"])
            if demo_mode:
                with solara.Card("The suggested change (dashed lines)"):
                    Html(
                        _p(get(s["scenario_name"]).change) + _p(_change_text(s["scenario_name"])),
                        "cs-change",
                    )
            else:
                for key in ("preset_a", "preset_b"):
                    p = PRESETS[s[key]]
                    with solara.Card(p.title):
                        Html(_p(p.description) + f"<p><i>{escape(p.source)}</i></p>", "cs-preset")
        with solara.Div(classes=["cs-main"]):
            CompareMain(pair.value, s["scenario_name"])


# --- Demos index ----------------------------------------------------------------------------
def page_title(page: str) -> str:
    """The browser tab's text: the page first (a row of tabs shows their starts)."""
    return f"{page} · collabsim"


def demo_title(name: str) -> str:
    """A teaching demo's title: the head of its description ("Flat cash and turbulence")."""
    text = get(name).description
    for end in (":", "?", ",", " (source"):
        if end in text:
            head = text.split(end, 1)[0] + ("?" if end == "?" else "")
            return head.strip()
    return name


@solara.component
def Demos():
    solara.Title(page_title("Teaching demos"))
    Html(
        "<h2>Teaching demos</h2>"
        + _p(
            "Each demo is a scenario: choose it by its name (in brackets) on the Explore page "
            "(or run: collabsim run --scenario NAME)."
        ),
        "cs-demos",
    )
    router = solara.use_router()
    for name, sc in SCENARIOS.items():
        if sc.kind != "teaching":
            continue
        with solara.Card(f"{demo_title(name)} ({name})", classes=["cs-demo"]):
            Html(
                _p(sc.description)
                + _p(sc.watch, "What to watch.")
                + _p(sc.change, "What to change.")
                + _p(sc.happens, "What happens, and why."),
                "cs-demo-text",
            )
            solara.Button(
                "Open this demo beside its suggested change",
                on_click=lambda name=name: router.push(compare_path(name)),
                outlined=True,
                classes=["cs-open-demo", "cs-run-buttons"],
            )


# --- Info -------------------------------------------------------------------------------------
#: The source documents the model is built from (docs/ODD.md cites them as source 000 to 004).
SOURCES: tuple[tuple[str, str], ...] = (
    (
        "source 000",
        "Common myths about other sectors: what the public, private and third sectors and "
        "community groups believe of each other, and the jargon that keeps them apart.",
    ),
    (
        "source 001",
        "Collaboration and partnership: a beneficial alliance or forced marriage? A talk on "
        "why organisations work together, what failing to do so costs, lessons learned and "
        "the six principles of partnership working.",
    ),
    (
        "source 002",
        "Relationship matters: partnership as a relationship; the five behaviours "
        "(leadership, sharing credit, outcome focus, communication, empowerment) and the "
        "red lines beyond which an organisation will not partner.",
    ),
    (
        "source 003",
        "Power of healthy partnerships: chief executives who learned to lead across their "
        "area as peers, finding common ground and a shared language, under flat cash.",
    ),
    (
        "source 004",
        "Partnership: the issues: why big challenges need organisations working together, "
        "synergy (two plus two should make five) and the skill of partnering.",
    ),
)

#: The monthly schedule in brief (CollabModel.step, in order).
SCHEDULE: tuple[str, ...] = (
    "Shocks and turbulence: resources recover; a turbulent period or a funding cut may hit "
    "a sector.",
    "Founding and closing: some organisations close; a new one of the same sector takes "
    "each one's place.",
    "Formation: challenges arrive; a lead organisation looks for partners (by choice, "
    "through a broker or by mandate) and they agree objectives, or it goes alone.",
    "Joint work: members commit effort, communicate, produce together (synergy) and share "
    "benefits, costs and credit; each reads how its partners behaved.",
    "Trust and myths: trust follows those readings (lost faster than it is gained); "
    "contact across sectors erodes or confirms myths.",
    "Learning and networks: skill and shared language grow; trusted partners introduce "
    "each other to their contacts; stakeholders are consulted.",
    "Review and exit: members judge their return, may be sanctioned or leave; partnerships "
    "end, take up a new challenge or renegotiate.",
    "Tie decay and staff turnover: unused ties fade; organisations forget as staff change.",
    "Observation: the month's read-outs are recorded (what the plots, monitors and the "
    "CSV export show).",
)

#: Things a class can try on the pages.
TRY: tuple[str, ...] = (
    "Press Play on the baseline, then switch the governance preset to six_principles and "
    "press Reset: watch the share of ended partnerships that failed.",
    "Open a teaching demo on the Teaching demos page and run it beside its suggested "
    "change: both runs meet the same challenges and shocks.",
    "Raise the initial myth strength and press Reset: watch cross-sector trust and the "
    "myth heatmap.",
    "Pick an organisation named in the event log (e.g. Public 3) under Inspect an "
    "organisation: its ring on the network shows where it is and with whom it works.",
    "Set the speed to 5 to reach the end of a run quickly, or to 1 to talk through each "
    "month; export the run as CSV to look at it in a spreadsheet.",
)


def info_html() -> str:
    """The Info page: what the model is, how it works, what to try, the ODD in brief and
    the sources."""
    items = "".join
    return (
        "<h2>About collabsim</h2>"
        + _p(
            "collabsim is an agent-based model of collaboration between organisations from "
            "four sectors: public bodies, private firms, the third (voluntary) sector and "
            "community groups of people who use services. Each month organisations meet "
            "challenges they cannot meet well alone; they form partnerships, work together, "
            "come to trust or distrust each other, keep or lose their myths about other "
            "sectors, and leave partnerships that stop being worth it. Governance rules "
            "(clear accountabilities, reviews, sanctions, fair sharing, how partners are "
            "found) change how often partnerships reach synergy, where the partners achieve "
            "more together than apart, and how often they fall into inertia or fail."
        )
        + "<h3>How it works: one month</h3><ol>"
        + items(f"<li>{escape(t)}</li>" for t in SCHEDULE)
        + "</ol><h3>Things to try</h3><ul>"
        + items(f"<li>{escape(t)}</li>" for t in TRY)
        + "</ul><h3>The model in brief (ODD)</h3>"
        + _p(
            "The full description follows the ODD protocol (Overview, Design concepts, "
            "Details) and is in docs/ODD.md. In brief:"
        )
        + "<ul>"
        + items(
            f"<li><b>{escape(k)}</b> {escape(v)}</li>"
            for k, v in (
                (
                    "Purpose.",
                    "To test under which governance rules, starting conditions and "
                    "behaviours cross-sector partnerships form, last and reach synergy, and "
                    "when they fall into inertia or leave organisations isolated.",
                ),
                (
                    "Entities.",
                    "Organisations (sector, resources, behaviours, jargon, myths about each "
                    "other sector, partnering skill), the relationships between them "
                    "(trust, ties) and partnerships (members, objectives, stage, synergy).",
                ),
                (
                    "Scales.",
                    "One step is a month; a teaching run is 120 months after a burn-in "
                    "that brings the population to its steady state.",
                ),
                (
                    "Design concepts.",
                    "Collaborative advantage against inertia; trust lost faster than it is "
                    "gained; intergroup contact that erodes or, when bad, confirms myths; "
                    "fairness of returns; free-riding where accountability is vague.",
                ),
                (
                    "Emergence.",
                    "Failure rates, synergy, trust and myths between sectors, isolation and "
                    "the value delivered are outcomes of the rules, not inputs.",
                ),
                (
                    "Details.",
                    "Every rule is a mechanism with its equations, its sources and its "
                    "tests; every number is a parameter with its range and source "
                    "(docs/parameters.md).",
                ),
            )
        )
        + "</ul><h3>Sources</h3>"
        + _p(
            "The model is built from five source documents about partnership working "
            "(called sources, not seeds, so they are not read as random seeds) and from "
            "published research named in the ODD."
        )
        + "<ul>"
        + items(f"<li><b>{escape(k)}</b>: {escape(v)}</li>" for k, v in SOURCES)
        + "</ul>"
    )


@solara.component
def Info():
    solara.Title(page_title("Info"))
    with solara.Div(style={"padding": "8px 16px", "max-width": "900px"}):
        Html(info_html(), "cs-info")


routes = [
    solara.Route(path="/", component=Explore, label="Explore", layout=Layout),
    solara.Route(path="compare", component=Compare, label="Compare"),
    solara.Route(path="demos", component=Demos, label="Teaching demos"),
    solara.Route(path="info", component=Info, label="Info"),
]


# --- freeing closed sessions -----------------------------------------------------------------
def _release_memory() -> None:
    """Collect what a closed session left (models and figures hold reference cycles) and
    hand freed heap pages back to the operating system (glibc keeps them otherwise, so the
    server's memory would never shrink)."""
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: nothing to trim
        pass


def _on_session_start():
    # Solara runs the cleanup below before it tears down the session's widgets and
    # components, so the collection waits for the kernel to be fully closed.
    closed = solara.lifecycle.kernel_closed_event()

    def cleanup() -> None:
        threading.Thread(target=lambda: closed.wait(60) and _release_memory()).start()

    return cleanup


solara.lab.on_kernel_start(_on_session_start)
