"""The parts of the browser app that need no browser: layout, figures, controls, CLI."""

from __future__ import annotations

import io
import re
import socket
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from scipy.stats import binomtest

from simulation.errors import UserError
from simulation.governance import PRESETS, RULES
from simulation.model import CollabModel
from simulation.params import PARAMS
from simulation.scenarios import CONTRASTS, get, resolve
from simulation.sectors import SECTORS
from simulation.viz import colour, controls, layout
from simulation.viz.figures import (
    CompareFigures,
    HeatmapFigure,
    NetworkFigure,
    SeriesFigure,
    figures_for,
)
from simulation.viz.frame import partnership_hubs, snapshot, trust_edges
from simulation.viz.plotting import PARTNERSHIP_COLOURS, SECTOR_COLOURS

COLLABSIM = [sys.executable, "-c", "import sys; from simulation.cli import main; sys.exit(main())"]


def _pixels(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"), dtype=np.int16)


# --- layout -----------------------------------------------------------------------------------
def test_layout_is_fixed_across_steps_and_deterministic():
    m = CollabModel(seed=5, n_orgs=80)
    before = layout.positions(m).copy()
    for _ in range(15):
        m.step()
    assert m.state.table.n_p > 0  # partnerships came and went...
    np.testing.assert_array_equal(layout.positions(m), before)  # ...nodes stayed put
    again = layout.positions(CollabModel(seed=5, n_orgs=80))
    np.testing.assert_array_equal(again, before)
    assert np.unique(before.round(9), axis=0).shape[0] == m.n  # no two nodes overlap exactly


def test_layout_puts_each_sector_in_its_own_corner():
    m = CollabModel(seed=2, n_orgs=120)
    pos = layout.positions(m)
    for s, centre in enumerate(layout.CENTRES):
        mine = pos[m.state.orgs.sector == s]
        assert np.all(np.linalg.norm(mine - centre, axis=1) < 0.9)


# --- figures ------------------------------------------------------------------------------------
def test_figures_change_when_the_model_steps_and_match_a_full_redraw():
    m = controls.VizModel(seed=3, **resolve("baseline", {"n_orgs": 100}))
    figs = figures_for(m)
    first = figs.render(m.frame)
    for _ in range(6):
        m.step()
    later = figs.render(m.frame)
    for key in first:
        assert first[key] != later[key], key
    # Blitting must give the same picture as drawing a fresh figure for the same state.
    fresh = NetworkFigure(m.frame).image(m.frame)
    diff = np.abs(_pixels(fresh) - _pixels(later["network"]))
    assert diff.mean() < 2.0  # JPEG noise only
    fresh_series = SeriesFigure(1).image([m.frame])
    assert np.abs(_pixels(fresh_series) - _pixels(later["series"])).max() == 0


def test_network_edges_follow_trust_and_active_partnerships():
    m = CollabModel(seed=4, n_orgs=100)
    for _ in range(12):
        m.step()
    a, b, trust = trust_edges(m)
    assert np.all(a < b) and np.all((trust >= 0) & (trust <= 1))
    hub, org, state = partnership_hubs(m)
    active = sorted(sorted(o.index for o in p.members) for p in m.partnerships)
    drawn = sorted(sorted(org[hub == h].tolist()) for h in range(state.size))
    assert drawn == active  # one hub per active partnership, one spoke per member
    assert set(state.tolist()) <= {0, 1, 2}


def test_frame_is_a_frozen_copy_and_steps_never_overlap():
    import threading

    m = controls.VizModel(seed=8, **resolve("demo_forced_marriage", {"n_orgs": 80}))
    before = m.frame
    assert not before.trust.flags.writeable and not before.capacity.flags.writeable
    errors: list[BaseException] = []

    def stepper():
        try:
            for _ in range(15):
                m.step()
        except BaseException as e:  # pragma: no cover - the failure being tested for
            errors.append(e)

    threads = [threading.Thread(target=stepper) for _ in range(2)]
    for t in threads:
        t.start()
    figs = figures_for(m)
    while any(t.is_alive() for t in threads):  # draw while two threads step
        f = m.frame
        figs.render(f)
        assert f.trust_a.shape == f.trust.shape
        assert len({v.size for v in f.series.values()}) == 1
    for t in threads:
        t.join()
    assert errors == []
    assert m.frame.month == 30 and before.month == 0  # 30 steps, none lost or doubled
    assert [len(v) for v in m.frame.series.values()] == [31] * len(m.frame.series)


def test_series_axes_grow_when_the_run_outlasts_them():
    m = controls.VizModel(seed=1, **resolve("baseline", {"n_orgs": 60}))
    fig = SeriesFigure(1, horizon=12)
    fig.image([m.frame])
    for _ in range(20):
        m.step()
    fig.image([m.frame])
    assert fig.horizon == 24 and fig.axes[0].get_xlim() == (0, 24)


def test_heatmap_labels_show_the_sector_matrices_with_contrast():
    m = CollabModel(seed=1, n_orgs=60)
    for _ in range(30):
        m.step()
    h = HeatmapFigure()
    img = _pixels(h.image(snapshot(m)))
    labels = h.labels()
    texts = [t for _, _, t, _ in labels]
    assert len(texts) == 16 + 12  # trust: all 16 cells; myths: not about one's own sector
    from simulation.readouts import trust_matrix

    assert f"{trust_matrix(m.state)[0, 0]:.2f}" == texts[0]
    # Each number against the cell it is written on, as rendered: WCAG AA (4.5:1).
    cell = h.axes[0].transData.transform([[0, 0], [1, 0]])
    half = abs(cell[1, 0] - cell[0, 0]) / 2
    for x, y, _, ink in labels:
        bg = img[int(y - 0.8 * half), int(x - 0.8 * half)] / 255.0  # a corner of the cell
        assert colour.contrast_ratio(ink, bg) >= 4.5, (x, y, ink, bg)
    assert {ink for *_, ink in labels} == {"black", "white"}  # both are needed here


def test_figures_have_colour_bars_and_no_text_below_the_minimum():
    m = controls.VizModel(seed=2, **resolve("baseline"))
    figs = figures_for(m)
    figs.render(m.frame)
    from simulation.viz.figures import DPI, MIN_FONT_PT

    for name, fig in figs.all().items():
        assert min(fig.font_sizes_pt()) >= MIN_FONT_PT, name
        assert fig.natural_width == round(fig.fig.get_figwidth() * DPI)
    assert MIN_FONT_PT * DPI / 72 >= 12  # 12 px at natural size
    assert len(figs.heatmaps.fig.axes) == 4  # two heatmaps, two colour bars


# --- colours --------------------------------------------------------------------------------
#: Smallest CIEDE2000 difference allowed between any two sector / partnership-state colours,
#: seen normally or with simulated deuteranopia or protanopia (assumption: a difference of
#: 10 or more reads as a different colour at a glance; 12 leaves a margin).
MIN_DELTA_E = 12.0


def test_colour_maths_matches_published_values():
    # CIEDE2000 test pairs 1, 17 and 18 of Sharma, Wu & Dalal (2005), Table 1.
    assert colour.delta_e_lab((50, 2.6772, -79.7751), (50, 0, -82.7485)) == pytest.approx(
        2.0425, abs=1e-4
    )
    assert colour.delta_e_lab((50, 2.5, 0), (73, 25, -18)) == pytest.approx(27.1492, abs=1e-4)
    assert colour.delta_e_lab((50, 2.5, 0), (61, -5, 29)) == pytest.approx(22.8977, abs=1e-4)
    assert colour.contrast_ratio("black", "white") == pytest.approx(21.0)
    for kind in ("protanopia", "deuteranopia"):  # greys stay grey; red and green merge
        np.testing.assert_allclose(colour.simulate_cvd("#808080", kind), 128 / 255, atol=2e-3)
        assert colour.delta_e("#ff0000", "#00ff00", kind) < colour.delta_e("#ff0000", "#00ff00")


def test_sector_and_partnership_colours_stay_apart_with_colour_blindness():
    import itertools

    from simulation.viz.plotting import OKABE_ITO

    named = {f"sector {k}": v for k, v in SECTOR_COLOURS.items()}
    named |= {f"partnership {k}": v for k, v in PARTNERSHIP_COLOURS.items()}
    assert set(named.values()) <= set(OKABE_ITO.values())  # one palette
    assert len(set(named.values())) == len(named)
    worst = min(
        (colour.delta_e(named[a], named[b], vision), a, b, vision)
        for a, b in itertools.combinations(named, 2)
        for vision in (None, "deuteranopia", "protanopia")
    )
    assert worst[0] >= MIN_DELTA_E, worst
    # The pairs the review named: private vs third, advantage vs public, inertia vs community.
    for a, b in (("private", "third"), ("public", "community")):
        assert colour.delta_e(SECTOR_COLOURS[a], SECTOR_COLOURS[b], "deuteranopia") > 20


# --- controls -------------------------------------------------------------------------------------
def test_controls_come_from_the_parameter_table():
    assert [c.name for c in controls.RULE_CONTROLS] == list(RULES)
    for c in controls.RULE_CONTROLS + controls.KEY_CONTROLS:
        p = PARAMS[c.name]
        assert c.help == p.help
        if c.widget in ("float", "int"):
            assert c.low == p.low and c.high <= p.high
            assert c.low <= p.default <= c.high
        elif c.widget == "select":
            assert c.choices == p.choices


def test_preset_sets_its_rules_and_a_moved_rule_wins():
    values = controls.scenario_values("baseline")
    six = controls.with_preset(values, "six_principles")
    assert all(six[r] == v for r, v in PRESETS["six_principles"].rules.items())
    moved = controls.with_value(six, "clarity", 0.2)
    # The page's preset label becomes "custom" once a rule leaves its preset...
    assert moved["clarity"] == 0.2 and moved["governance"] == "custom"
    assert controls.with_value(moved, "review_interval", 1)["governance"] == "custom"
    # ...the model is the same as with the preset name and the rule given explicitly...
    assert {k: v for k, v in moved.items() if k != "governance"} == {
        k: v
        for k, v in resolve("baseline", {"governance": "six_principles", "clarity": 0.2}).items()
        if k != "governance"
    }
    # ...and a rule set to the preset's own value, or any other parameter, keeps the name.
    same = controls.with_value(six, "clarity", PRESETS["six_principles"].rules["clarity"])
    assert same["governance"] == "six_principles"
    assert controls.with_value(six, "n_orgs", 60)["governance"] == "six_principles"
    with pytest.raises(UserError):
        controls.with_value(six, "clarity", 1.5)


def test_seed_from_text_is_an_int():
    assert controls.parse_seed(" 17 ") == 17 and type(controls.parse_seed("17")) is int
    for bad in ("x", "-1", "1.5"):
        with pytest.raises(UserError):
            controls.parse_seed(bad)


def test_viz_model_accepts_mesas_reset_arguments():
    from mesa.experimental.scenarios import Scenario as MesaScenario

    params = resolve("baseline", {"n_orgs": 40})
    a = controls.VizModel(seed=9, scenario=MesaScenario(), **params)
    b = CollabModel(seed=9, **params)
    for _ in range(10):
        a.step()
        b.step()
    ra, rb = (np.array(list(m.readout.values()), dtype=float) for m in (a, b))
    np.testing.assert_array_equal(ra, rb)  # nan-aware


def test_an_opened_model_is_a_copy_that_runs_as_a_fresh_build_would():
    from state_digest import state_digest

    args = {"seed": 11, "stop_at": 120, **resolve("baseline", {"n_orgs": 60})}
    controls._TEMPLATES.clear()
    one, two = (
        controls.opened(controls.VizModel, **args),
        controls.opened(controls.VizModel, **args),
    )
    fresh = controls.VizModel(**args)
    assert len(controls._TEMPLATES) == 1  # built once, copied twice
    (template,) = controls._TEMPLATES.values()
    assert one is not two and one._step_lock is not two._step_lock
    start = state_digest(template)
    for _ in range(6):
        one.step()
        fresh.step()
        assert state_digest(one) == state_digest(fresh)  # month for month
        assert one.frame.month == fresh.frame.month
    assert state_digest(template) == start and state_digest(two) == start  # untouched
    assert two.frame.month == 0 and one.stop_at == 120
    pd_one = one.datacollector.get_model_vars_dataframe()
    assert pd_one.equals(fresh.datacollector.get_model_vars_dataframe())
    # The pair of Compare: its two models copied together, stepping like a fresh pair.
    pair = controls.opened(controls.ComparePair, seed=2)
    ref = controls.ComparePair(seed=2)
    for _ in range(3):
        pair.step()
        ref.step()
    assert [state_digest(m) for m in pair.models] == [state_digest(m) for m in ref.models]
    # A bad argument is refused as the class refuses it, and nothing is kept.
    kept = len(controls._TEMPLATES)
    with pytest.raises(UserError, match="preset"):
        controls.opened(controls.ComparePair, preset_a="nonsense")
    assert len(controls._TEMPLATES) == kept


def test_sessions_opened_at_the_same_time_wait_for_one_build():
    import threading
    import time

    builds = []

    class Slow:
        def __init__(self, n: int):
            builds.append(n)
            time.sleep(0.3)  # a build long enough for the others to arrive meanwhile
            self.n = n

    got = []
    threads = [
        threading.Thread(target=lambda: got.append(controls.opened(Slow, n=7))) for _ in range(6)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert builds == [7]  # built once, copied six times
    assert len({id(x) for x in got}) == 6 and all(x.n == 7 for x in got)
    # More argument sets than are kept: the oldest go, and their build locks with them.
    for n in range(controls._TEMPLATES_KEPT + 3):
        controls.opened(Slow, n=100 + n)
    assert len(controls._TEMPLATES) == controls._TEMPLATES_KEPT
    assert set(controls._BUILDING) == set(controls._TEMPLATES)


def test_compare_pair_steps_together_on_the_same_environment():
    pair = controls.ComparePair("baseline", "none", "six_principles", seed=11)
    for _ in range(10):
        pair.step()
    a, b = pair.models
    assert a.month == b.month == 10
    np.testing.assert_array_equal(a.state.orgs.sector, b.state.orgs.sector)
    assert a.p["governance"] == "none" and b.p["governance"] == "six_principles"
    assert [e["story"] for e in a.events] != [e["story"] for e in b.events]
    images = CompareFigures(pair).render(pair.frames)
    assert set(images) == {"series", "network_0", "network_1", "heatmaps_0", "heatmaps_1"}
    with pytest.raises(UserError):
        controls.ComparePair("baseline", "none", "nonsense")


def test_viz_model_stops_at_its_planned_length_and_ignores_later_steps():
    m = controls.VizModel(seed=4, stop_at=3, **resolve("baseline", {"n_orgs": 40}))
    for _ in range(3):
        assert m.running
        m.step()
    assert not m.running and m.frame.month == 3
    m.step()  # a click that arrives after the end changes nothing
    assert m.month == 3 and m.frame.month == 3
    free = controls.VizModel(seed=4, **resolve("baseline", {"n_orgs": 40}))
    for _ in range(4):
        free.step()
    assert free.running and free.month == 4


def test_a_demo_runs_beside_its_suggested_change_on_the_same_seed():
    name = "demo_flat_cash"
    pair = controls.ComparePair(name, seed=3, mode=controls.COMPARE_CHANGE)
    assert pair.labels == controls.CHANGE_LABELS
    a, b = pair.models
    for m, want in ((a, resolve(name)), (b, resolve(name, CONTRASTS[name].overrides))):
        assert {k: m.p[k] for k in want} == want
    np.testing.assert_array_equal(a.state.orgs.sector, b.state.orgs.sector)
    assert pair.stop_at == get(name).steps
    for bad in (
        dict(scenario_name="baseline", mode=controls.COMPARE_CHANGE),  # no suggested change
        dict(scenario_name=name, mode="sideways"),
    ):
        with pytest.raises(UserError) as e:
            controls.ComparePair(**bad)
        assert len(str(e.value).splitlines()) == 1 and "allowed" in str(e.value)


def test_compare_page_opens_a_demo_beside_its_change_from_the_link():
    from simulation.viz.app import compare_path, compare_settings

    path, _, search = compare_path("demo_forced_marriage").partition("?")
    assert path == "/compare"
    s = compare_settings(search)
    assert s["scenario_name"] == "demo_forced_marriage" and s["mode"] == controls.COMPARE_CHANGE
    for other in (None, "", "demo=baseline", "demo=nonsense"):
        assert compare_settings(other)["mode"] == controls.COMPARE_PRESETS


@pytest.mark.slow
@pytest.mark.parametrize("name", list(CONTRASTS))
def test_each_demo_shows_its_contrast_in_the_page_table(name):
    """The contrast a demo's narrative claims, read where the class reads it: the marked row
    of the Compare table, demo beside its suggested change, at the planned length, over
    paired seeds (one-sided sign test)."""
    from simulation.viz.app import MEASURE_MARK, headline_rows

    con, seeds = CONTRASTS[name], range(1, 9)
    agree = 0
    for seed in seeds:
        pair = controls.ComparePair(name, seed=seed, mode=controls.COMPARE_CHANGE)
        while pair.running:
            pair.step()
        assert [f.month for f in pair.frames] == [get(name).steps] * 2
        demo, changed = (
            float(dict(headline_rows(f, con))[MEASURE_MARK + con.label]) for f in pair.frames
        )
        agree += int(np.sign(changed - demo) == con.direction)
    assert binomtest(agree, len(seeds), alternative="greater").pvalue < 0.05, agree


# --- a lecturer's controls -------------------------------------------------------------------
def test_play_speeds_are_named_slow_to_fastest_with_a_short_pause_the_default():
    from simulation.viz import app

    ms = app.PLAY_INTERVALS_MS
    assert len(ms) == len(app.SPEED_NAMES) == 5
    assert list(ms) == sorted(ms, reverse=True) and ms[-1] == 0  # fastest: no pause
    assert ms[app.DEFAULT_SPEED - 1] == app.PLAY_INTERVAL_MS == 50
    assert "as fast as the page draws" in app.speed_label(5)
    assert "normal (50 ms" in app.speed_label(app.DEFAULT_SPEED)


def test_a_change_of_speed_takes_effect_in_the_running_play_loop():
    import threading

    from simulation.viz.app import play_steps

    m = controls.VizModel(seed=3, stop_at=6, **resolve("baseline", {"n_orgs": 60}))
    pause = [3_600_000]  # an hour between months: the loop would not step at this speed
    cancel = threading.Event()
    announced: list[int] = []
    loop = threading.Thread(
        target=play_steps, args=(m, lambda: pause[0], cancel, lambda: announced.append(m.month))
    )
    loop.start()
    loop.join(0.3)
    assert loop.is_alive() and m.month == 0  # still in its first pause
    pause[0] = 0  # fastest, while it waits: the same loop runs on and reaches the end
    loop.join(60)
    assert not loop.is_alive() and announced == [1, 2, 3, 4, 5, 6] and not m.running


def test_the_play_loop_stops_when_cancelled_during_a_pause():
    import threading

    from simulation.viz.app import play_steps

    m = controls.VizModel(seed=3, **resolve("baseline", {"n_orgs": 60}))
    cancel = threading.Event()
    loop = threading.Thread(target=play_steps, args=(m, lambda: 3_600_000, cancel, lambda: None))
    loop.start()
    cancel.set()
    loop.join(60)
    assert not loop.is_alive() and m.month == 0


def test_monitors_show_the_frames_read_outs():
    from simulation.viz.app import _monitors_html, headline_rows, monitor_items

    m = controls.VizModel(seed=4, **resolve("baseline", {"n_orgs": 80}))
    for _ in range(7):
        m.step()
    items = monitor_items(m.frame)
    rows = dict(headline_rows(m.frame))
    assert [full for _, full, _ in items] == [
        "month",
        "active partnerships",
        "share of ended that failed",
        "cross-sector trust",
        "myths about other sectors",
        "organisations in no partnership",
    ]
    assert items[0][2] == "7" and all(v == rows[full] for _, full, v in items)
    assert items[1][2] == str(m.frame.readout["active"])
    html = _monitors_html(m.frame, "as set:")
    assert html.count("class='cs-monitor'") == 6 and "as set:" in html


def test_demo_titles_are_the_heads_of_their_descriptions():
    from simulation.viz.app import demo_title

    assert demo_title("demo_flat_cash") == "Flat cash and turbulence"
    assert demo_title("demo_forced_marriage") == "A beneficial alliance or a forced marriage?"
    assert demo_title("demo_six_principles") == "The six principles of partnership working"
    titles = [demo_title(n) for n in CONTRASTS]
    assert len(set(titles)) == len(titles) and all(5 < len(t) < 60 for t in titles)


def test_info_page_says_what_the_model_is_and_names_every_source():
    from simulation.viz.app import SCHEDULE, info_html

    html = info_html()
    for k in range(5):
        assert f"source 00{k}" in html
    assert "docs/ODD.md" in html and "<a " not in html  # cited by name, no links
    assert html.count("<li>") >= len(SCHEDULE) + 5
    # The schedule in brief follows CollabModel.step's order of mechanisms.
    order = ["Shocks", "Founding", "Formation", "Joint work", "Trust", "Review", "Tie decay"]
    at = [html.index(w) for w in order]
    assert at == sorted(at)


def test_inspecting_an_organisation_reads_its_name_partners_and_trust_from_the_frame():
    from simulation.viz.app import org_card_rows, org_index, org_names

    m = controls.VizModel(seed=4, **resolve("baseline", {"n_orgs": 100}))
    for _ in range(12):
        m.step()
    f = m.frame
    assert sorted(org_names(f)) == sorted(m.state.orgs.name) and len(set(f.names)) == m.n
    # The names are the event log's: every organisation a story names can be found.
    named = {w for e in m.events for w in f.names if w + " " in e["story"] + " "}
    assert named and all(org_index(f, w) is not None for w in named)
    assert org_index(f, "Public 99999") is None and org_index(f, "") is None
    p = m.partnerships[0]
    k = p.members[0].index
    rows = dict(org_card_rows(f, k))
    assert rows["sector"] == SECTORS[m.state.orgs.sector[k]]
    assert rows["active partnerships"] == str(m.state.orgs.n_memberships[k])
    row = next(v for key, v in rows.items() if key.startswith(f"partnership {p.id} "))
    assert all(o.name in row for o in p.members if o.index != k)
    rel = m.state.relations
    assert rows["mean trust it gives"] == f"{rel.trust[rel.src == k].mean():.2f}"
    assert rows["mean trust it receives"] == f"{rel.trust[rel.dst == k].mean():.2f}"


def test_the_network_rings_the_inspected_organisation_at_its_dot():
    m = controls.VizModel(seed=4, **resolve("baseline", {"n_orgs": 100}))
    m.step()
    fig = NetworkFigure(m.frame)
    plain = _pixels(fig.image(m.frame))
    k = 17
    marked = _pixels(fig.image(m.frame, mark=k))
    assert fig.mark_label.get_text() == m.frame.names[k]
    changed = np.abs(marked - plain).sum(axis=2) > 60
    ys, xs = np.nonzero(changed)
    # What changed is around organisation k's dot (the ring and its name above it).
    x, y = fig.ring.get_offsets()[0]
    px, py = fig.ring.axes.transData.transform((x, y))
    py = plain.shape[0] - py
    assert changed.sum() > 100
    assert np.median(np.abs(xs - px)) < 60 and np.median(np.abs(ys - py)) < 60
    again = _pixels(fig.image(m.frame))  # unmarked: the ring goes
    assert np.abs(again - plain).mean() < 1.0


def test_csv_export_is_the_data_collectors_table_up_to_the_month_shown():
    import pandas as pd

    from simulation.viz.app import as_png, csv_text

    m = controls.VizModel(seed=4, **resolve("baseline", {"n_orgs": 60}))
    for _ in range(5):
        m.step()
    shown = m.frame.month
    m.step()  # the model has moved on since the page drew month 5
    df = pd.read_csv(io.StringIO(csv_text(m, shown)))
    assert df["month"].tolist() == list(range(shown + 1))
    full = m.datacollector.get_model_vars_dataframe().reset_index(drop=True)
    assert list(df.columns) == list(full.columns)
    np.testing.assert_allclose(df["cross_trust"], full["cross_trust"][: shown + 1])
    pair = controls.ComparePair(seed=2)
    pair.step()
    pair.step()
    both = pd.read_csv(io.StringIO(csv_text(pair, 2)))
    assert both[controls.RUN_COLUMN].tolist() == ["none"] * 3 + ["six_principles"] * 3
    assert both["month"].tolist() == [0, 1, 2] * 2
    png = as_png(NetworkFigure(m.frame).image(m.frame))
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and Image.open(io.BytesIO(png)).width > 200


# --- the viz command ---------------------------------------------------------------------------
def test_viz_refuses_a_port_in_use_with_one_line_and_status_2():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        r = subprocess.run(
            [*COLLABSIM, "viz", "--port", str(port)], capture_output=True, text=True, timeout=120
        )
    assert r.returncode == 2
    assert r.stderr.count("\n") == 1 and "already in use" in r.stderr and str(port) in r.stderr


@pytest.mark.parametrize("port", ["abc", "0", "70000"])
def test_viz_rejects_a_bad_port(port):
    r = subprocess.run(
        [*COLLABSIM, "viz", "--port", port], capture_output=True, text=True, timeout=120
    )
    assert r.returncode == 2 and "--port" in r.stderr and r.stderr.count("\n") == 1


def test_viz_serves_the_app_with_solara_offline_options():
    from simulation.viz import cli as viz_cli

    cmd = viz_cli.solara_command("127.0.0.1", 8765)
    assert cmd[1:4] == ["-m", "solara", "run"] and Path(cmd[4]).parts[-3:] == (
        "simulation",
        "viz",
        "app.py",
    )
    assert {"--production", "--no-open", "--no-check-version"} <= set(cmd)


def test_viz_runs_solara_offline_and_frees_closed_sessions():
    from simulation.viz import cli as viz_cli

    env = viz_cli.solara_environment("/some/dir", 90)
    assert env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] == "false"
    assert env["SOLARA_TELEMETRY_SERVER_USER_ID"]  # set: Solara writes no id file
    assert env["SOLARA_HOME"] == "/some/dir" and env["SOLARA_KERNEL_CULL_TIMEOUT"] == "90s"
    assert env["SOLARA_THEME_SHOW_BANNER"] == "false"
    # Solara reads these names: check them against its own settings classes.
    import solara.server.settings as ss

    assert ss.Telemetry.Config.env_prefix + "mixpanel_enable" == "solara_telemetry_mixpanel_enable"
    assert "mixpanel_enable" in ss.Telemetry.__annotations__
    assert "cull_timeout" in ss.Kernel.__annotations__ and ss.Kernel.Config.env_prefix == (
        "solara_kernel_"
    )
    assert "show_banner" in ss.ThemeSettings.__annotations__


@pytest.mark.parametrize("value", ["0", "-3", "x", "100000"])
def test_viz_rejects_a_bad_session_timeout(value):
    r = subprocess.run(
        [*COLLABSIM, "viz", "--session-timeout", value], capture_output=True, text=True, timeout=120
    )
    assert r.returncode == 2 and "--session-timeout" in r.stderr and r.stderr.count("\n") == 1


def test_exposure_warning_lists_the_addresses_students_can_use():
    from simulation.viz import cli as viz_cli

    assert viz_cli.exposure_warning("127.0.0.1", 8765) is None
    assert viz_cli.exposure_warning("localhost", 8765) is None
    text = viz_cli.exposure_warning("0.0.0.0", 8765)
    assert "no log-in" in text
    for a in viz_cli.lan_addresses():
        assert f"http://{a}:8765/" in text
    assert "127.0.0.1" not in text and "http://0.0.0.0" not in text


# --- text alternatives ------------------------------------------------------------------------
def _numbers(text: str) -> list[float]:
    return [float(x) for x in re.findall(r"-?\d+(?:\.\d+)?", text)]


def test_each_figures_text_alternative_states_what_its_frame_shows():
    from simulation.viz import alt_text
    from simulation.viz.frame import STATES

    m = controls.VizModel(seed=4, **resolve("baseline", {"n_orgs": 80}))
    for _ in range(9):
        m.step()
    f = m.frame
    net = alt_text.network(f)
    states = np.bincount(f.hub_state, minlength=3)
    assert "month 9 of 80 organisations" in net
    assert f"{f.readout['active']} partnerships active" in net
    assert f"{f.readout['isolated']} organisations in none" in net
    for n, s in zip(states, STATES, strict=True):
        assert f"{n} {s}" in net
    assert states.sum() == f.readout["active"] == f.n_hubs

    lines = alt_text.series([f])
    s = f.series
    assert "to month 9" in lines
    assert f"{s['active'][-1]:.0f} active partnerships" in lines
    assert f"cross-sector trust {s['cross_trust'][-1]:.2f}" in lines
    assert f"mean myth strength {s['mean_myth'][-1]:.2f}" in lines

    heat = alt_text.heatmaps(f)
    t = f.trust_matrix
    i, j = np.unravel_index(np.nanargmax(t), t.shape)
    assert f"Trust: highest {SECTORS[i]} about {SECTORS[j]} {t[i, j]:.2f}" in heat
    i, j = np.unravel_index(np.nanargmin(f.myth_matrix), t.shape)
    assert f"lowest {SECTORS[i]} about {SECTORS[j]} {f.myth_matrix[i, j]:.2f}" in heat


def test_compare_text_alternatives_name_each_run_and_differ_between_them():
    from simulation.viz import alt_text

    pair = controls.ComparePair("baseline", "none", "six_principles", seed=11)
    for _ in range(24):
        pair.step()
    a, b = pair.frames
    na, nb = alt_text.network(a, "none"), alt_text.network(b, "six_principles")
    assert na.startswith("none: network at month 24") and nb.startswith("six_principles:")
    both = alt_text.series(pair.frames, pair.labels)
    assert "none: " in both and "; six_principles: " in both
    # The two runs' texts carry their own numbers (the presets differ after two years).
    assert _numbers(na) != _numbers(nb)
    assert alt_text.heatmaps(a, "none").startswith("none: heatmaps at month 24")
