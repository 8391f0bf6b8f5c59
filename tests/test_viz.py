"""The parts of the browser app that need no browser: layout, figures, controls, CLI."""

from __future__ import annotations

import io
import socket
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from simulation.errors import UserError
from simulation.governance import PRESETS, RULES
from simulation.model import CollabModel
from simulation.params import PARAMS
from simulation.scenarios import resolve
from simulation.viz import controls, layout
from simulation.viz.figures import (
    CompareFigures,
    HeatmapFigure,
    NetworkFigure,
    SeriesFigure,
    figures_for,
    partnership_pairs,
    trust_edges,
)

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
    m = CollabModel(seed=3, n_orgs=100)
    figs = figures_for(m)
    first = figs.render(m)
    for _ in range(6):
        m.step()
    later = figs.render(m)
    for key in first:
        assert first[key] != later[key], key
    # Blitting must give the same picture as drawing a fresh figure for the same state.
    fresh = NetworkFigure(m).image(m)
    diff = np.abs(_pixels(fresh) - _pixels(later["network"]))
    assert diff.mean() < 2.0  # JPEG noise only
    fresh_series = SeriesFigure(1).image([m])
    assert np.abs(_pixels(fresh_series) - _pixels(later["series"])).max() == 0


def test_network_edges_follow_trust_and_active_partnerships():
    m = CollabModel(seed=4, n_orgs=100)
    for _ in range(12):
        m.step()
    a, b, trust = trust_edges(m)
    assert np.all(a < b) and np.all((trust >= 0) & (trust <= 1))
    pa, pb, colours = partnership_pairs(m)
    # A list: two partnerships may have the same members, and each draws its own lines.
    active_members = [frozenset(o.index for o in p.members) for p in m.partnerships]
    assert len(colours) == pa.size == sum(len(s) * (len(s) - 1) // 2 for s in active_members)
    for i, j in zip(pa, pb, strict=True):
        assert any({int(i), int(j)} <= s for s in active_members)


def test_series_axes_grow_when_the_run_outlasts_them():
    m = CollabModel(seed=1, n_orgs=60)
    fig = SeriesFigure(1, horizon=12)
    fig.image([m])
    for _ in range(20):
        m.step()
    fig.image([m])
    assert fig.horizon == 24 and fig.axes[0].get_xlim() == (0, 24)


def test_heatmap_labels_show_the_sector_matrices():
    m = CollabModel(seed=1, n_orgs=60)
    h = HeatmapFigure()
    h.image(m)
    texts = [t for _, _, t, _ in h.labels()]
    assert len(texts) == 16 + 12  # trust: all 16 cells; myths: not about one's own sector
    from simulation.readouts import trust_matrix

    assert f"{trust_matrix(m.state)[0, 0]:.2f}" == texts[0]


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
    assert moved["clarity"] == 0.2 and moved["governance"] == "six_principles"
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


def test_compare_pair_steps_together_on_the_same_environment():
    pair = controls.ComparePair("baseline", "none", "six_principles", seed=11)
    for _ in range(10):
        pair.step()
    a, b = pair.models
    assert a.month == b.month == 10
    np.testing.assert_array_equal(a.state.orgs.sector, b.state.orgs.sector)
    assert a.p["governance"] == "none" and b.p["governance"] == "six_principles"
    assert [e["story"] for e in a.events] != [e["story"] for e in b.events]
    images = CompareFigures(pair).render(pair)
    assert set(images) == {"series", "network_0", "network_1", "heatmaps_0", "heatmaps_1"}
    with pytest.raises(UserError):
        controls.ComparePair("baseline", "none", "nonsense")


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
