"""The browser app in a real headless Chromium, against the real `collabsim viz` server.

The server runs as a subprocess on a free port for the whole module, with its web proxy
pointed at a local listener (to check it calls nowhere); what is under ``~/.solara`` is
noted before it starts (to check it writes nothing there). On CI (CI=true) a missing
Chromium fails these tests; elsewhere they are skipped.
"""

from __future__ import annotations

import math
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from simulation.scenarios import SCENARIOS

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).parent / "artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
START_TIMEOUT_S = 90
UI_TIMEOUT_MS = 60_000


def _chromium() -> str:
    path = (
        os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    )
    if path:
        return path
    message = "headless Chromium not found (install Debian's chromium package)"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


#: `collabsim ...` with this interpreter (the same as the console script).
COLLABSIM = [sys.executable, "-c", "import sys; from simulation.cli import main; sys.exit(main())"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Listener:
    """A TCP port that counts connections: the server's HTTP(S) proxy, so any call the
    server makes to the internet (telemetry, IP look-up) arrives here instead."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            conn.close()


#: Seconds a closed session keeps its models in the memory test's server (short, so the
#: test does not wait long). The main test server keeps the default, so a page whose
#: connection stalls while ten sessions start at once on a busy machine keeps its session.
SHORT_SESSION_TIMEOUT_S = 5


def _start_server(log_dir: Path, *extra: str):
    """Start `collabsim viz` on a free port; returns (process, URL, port, proxy, log)."""
    port = free_port()
    proxy = Listener()
    log_path = log_dir / "server.log"
    log = open(log_path, "w")  # a file, not a pipe: a full pipe would block the server
    env = {
        **os.environ,
        "HTTP_PROXY": f"http://127.0.0.1:{proxy.port}",
        "HTTPS_PROXY": f"http://127.0.0.1:{proxy.port}",
        "NO_PROXY": "127.0.0.1,localhost",
    }
    env.pop("SOLARA_HOME", None)
    proc = subprocess.Popen(
        [*COLLABSIM, "viz", "--port", str(port), *extra],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        env=env,
    )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        if proc.poll() is not None:
            pytest.fail("server exited: " + log_path.read_text(errors="replace")[-2000:])
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                if r.status == 200:
                    break
        except OSError:
            pass
        if time.monotonic() > deadline:
            os.killpg(proc.pid, signal.SIGKILL)
            pytest.fail(f"server did not answer within {START_TIMEOUT_S} s")
        time.sleep(0.5)
    return proc, url, port, proxy, log


def _stop_server(proc, proxy, log) -> None:
    os.killpg(proc.pid, signal.SIGTERM)  # the server and the Solara process it started
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    log.close()
    proxy.sock.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`collabsim viz` on a free port; yields (base URL, port)."""
    solara_home = Path.home() / ".solara"
    before = _tree(solara_home)
    log_dir = tmp_path_factory.mktemp("log")
    ARTIFACTS.mkdir(exist_ok=True)  # screenshots, whichever test runs first
    proc, url, port, proxy, log = _start_server(log_dir)
    server_info.update(
        solara_home=solara_home,
        solara_home_before=before,
        proxy=proxy,
        log=log_dir / "server.log",
        proc=proc,
    )
    yield url, port
    _stop_server(proc, proxy, log)


#: What the server fixture knows besides its URL: ~/.solara before it started, its proxy,
#: log file and process.
server_info: dict = {}


def _tree(root: Path) -> dict[str, tuple[int, int]] | None:
    """Every file under ``root`` with its size and modification time (None: no root)."""
    if not root.exists():
        return None
    return {
        str(f): (f.stat().st_size, f.stat().st_mtime_ns) for f in root.rglob("*") if f.is_file()
    }


def server_log() -> str:
    return server_info["log"].read_text(errors="replace")


#: Signs of a Python exception in the server's output.
_CRASH = re.compile(r"Traceback|raised exception|Error in|error in step|Exception")
#: Solara's own error when a closed page's websocket is torn down twice (its server, not the
#: app): one ASGI error block ending in this assertion, with no other error inside it.
_SOLARA_DISCONNECT = re.compile(
    r"ERROR:\s+Exception in ASGI application\n"
    r"(?:(?!ERROR:|[^\n]*(?:raised exception|error in step))[^\n]*\n)*?"
    r"[^\n]*AssertionError: cannot disconnect a page that is in state[^\n]*\n"
    r"(?:\s*\+-+\n)?"
)


class _Crash:
    """``CRASH.search(log)``: an exception in the log other than Solara's disconnect error."""

    @staticmethod
    def search(log: str):
        return _CRASH.search(_SOLARA_DISCONNECT.sub("", log))


CRASH = _Crash()


@pytest.fixture(scope="module")
def browser():
    executable = _chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield b
        b.close()


class Session:
    """One browser context (its own cookies, so its own server-side session) on a page."""

    def __init__(self, browser, url: str, viewport: tuple[int, int] = (1500, 1100)):
        self.context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on(
            "console",
            lambda m: (
                self.errors.append(f"console {m.type}: {m.text}") if m.type == "error" else None
            ),
        )
        self.page.on("pageerror", lambda e: self.errors.append(f"page error: {e}"))
        self.page.goto(url)

    def wait_ready(self, *selectors: str, timeout_ms: int = UI_TIMEOUT_MS) -> None:
        for sel in selectors:
            self.page.wait_for_selector(sel, timeout=timeout_ms)

    def src(self, css: str) -> str:
        return self.page.locator(f"{css} img").get_attribute("src")

    def month(self, css: str = ".cs-headline") -> int:
        text = self.page.locator(css).inner_text()
        return int(re.search(r"month\s+(\d+)", text).group(1))

    def wait_month(self, month: int, css: str = ".cs-headline") -> None:
        self.page.wait_for_function(
            "([css, m]) => { const t = document.querySelector(css)?.innerText || '';"
            " const r = /month\\s+(\\d+)/.exec(t); return r && Number(r[1]) === m; }",
            arg=[css, month],
            timeout=UI_TIMEOUT_MS,
        )

    def button(self, name: str):
        return self.page.get_by_role("button", name=name, exact=True)

    def step(self, times: int = 1, css: str = ".cs-headline") -> None:
        start = self.month(css)
        for k in range(times):
            self.button("Step").click()
            self.wait_month(start + k + 1, css)

    def settled_text(self, locator, quiet_ms: int = 600) -> str:
        """The locator's text once it has stopped changing.

        The headline can show the new month a render before the event list catches up.
        """
        text = locator.inner_text()
        deadline = time.monotonic() + UI_TIMEOUT_MS / 1000
        while time.monotonic() < deadline:
            self.page.wait_for_timeout(quiet_ms)
            now = locator.inner_text()
            if now == text:
                return text
            text = now
        raise AssertionError("text kept changing")

    def choose(self, label: str, option: str) -> None:
        self.page.locator(".v-select").filter(has_text=label).first.click()
        self.page.locator(".menuable__content__active .v-list-item").filter(
            has_text=re.compile(rf"^\s*{re.escape(option)}\s*$")
        ).first.click()

    def close(self) -> None:
        self.context.close()

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


EXPLORE_READY = (".cs-network img", ".cs-series img", ".cs-heatmaps img", ".cs-headline")


@pytest.fixture
def session(browser, server):
    s = Session(browser, server[0])
    s.wait_ready(*EXPLORE_READY)
    yield s
    s.close()


def test_page_loads_without_console_errors_and_renders(session):
    page = session.page
    assert "Scenario: baseline" in page.locator(".cs-narrative").inner_text()
    # The figures are real images with content, not empty placeholders.
    for css in (".cs-network", ".cs-series", ".cs-heatmaps"):
        width = page.locator(f"{css} img").evaluate("img => img.naturalWidth")
        assert width >= 300, css
    # Sliders are built from the parameter table, with its help text.
    sidebar = page.locator(".cs-sidebar").inner_text()
    assert "clarity: 0.4" in sidebar
    assert "Clarity of accountabilities and responsibilities" in sidebar
    assert session.month() == 0
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "explore.png"), full_page=True)
    assert (ARTIFACTS / "explore.png").stat().st_size > 50_000
    assert session.errors == []


def test_stepping_changes_the_plots(session):
    before = {css: session.src(css) for css in (".cs-network", ".cs-series", ".cs-heatmaps")}
    session.step(3)
    session.page.wait_for_function(
        "s => document.querySelector('.cs-series img').src !== s",
        arg=before[".cs-series"],
        timeout=UI_TIMEOUT_MS,
    )
    after = {css: session.src(css) for css in before}
    for css in before:
        assert after[css] != before[css], f"{css} did not change after stepping"
    assert session.month() == 3
    assert "month " in session.page.locator(".cs-event-list").inner_text()
    session.page.screenshot(path=str(ARTIFACTS / "explore-stepped.png"), full_page=True)
    assert session.errors == []


def test_changing_preset_and_reset_changes_the_model(session):
    events = session.page.locator(".cs-events")
    session.step(3)
    assert "mandated" not in events.inner_text()  # the baseline forms partnerships by choice
    session.choose("governance preset", "forced_marriage")
    # The preset sets its rules in the controls...
    session.page.wait_for_function(
        "() => [...document.querySelectorAll('.v-select')].some(e =>"
        " e.innerText.includes('formation mode') && e.innerText.includes('mandated'))",
        timeout=UI_TIMEOUT_MS,
    )
    session.button("Reset").click()
    session.wait_month(0)
    session.step(3)
    # ...and the rebuilt model runs under them: partnerships are now mandated.
    assert "a partnership was mandated" in events.inner_text()
    assert session.errors == []


def test_play_runs_the_model_and_pause_stops_it(session):
    session.button("▶").click()
    session.page.wait_for_function(
        "() => /month\\s+([3-9]|\\d\\d+)/.test(document.querySelector('.cs-headline').innerText)",
        timeout=UI_TIMEOUT_MS,
    )
    session.button("❚❚").click()
    # A step already under way may still finish (slowly, on a loaded machine): wait until
    # the month holds still, then check that it stays still.
    paused = session.month()
    for _ in range(20):
        session.page.wait_for_timeout(1500)
        now = session.month()
        if now == paused:
            break
        paused = now
    session.page.wait_for_timeout(1500)
    assert session.month() == paused >= 3
    assert session.errors == []


def test_seed_is_used_on_reset_and_reproduces_the_run(session):
    events = session.page.locator(".cs-event-list")

    def run_with_seed(seed: str) -> str:
        box = session.page.get_by_label("seed")
        box.fill(seed)
        box.press("Enter")
        session.button("Reset").click()
        session.wait_month(0)
        session.step(4)
        return session.settled_text(events)

    first = run_with_seed("42")
    other = run_with_seed("7")
    again = run_with_seed("42")
    assert first != other and first == again
    assert session.errors == []


def test_teaching_demo_narrative_is_shown_beside_the_model(session):
    session.choose("scenario", "demo_flat_cash")
    narrative = session.page.locator(".cs-narrative")
    narrative.get_by_text("What to watch.").wait_for(timeout=UI_TIMEOUT_MS)
    text = narrative.inner_text()
    assert "Flat cash" in text and "What to change." in text and "What happens, and why." in text
    session.page.locator(".cs-apply-change").click()
    session.page.locator(".cs-notice").wait_for(timeout=UI_TIMEOUT_MS)
    # The demo's suggested change (sanctions on) is now in the controls.
    assert (
        session.page.locator(".v-input--checkbox")
        .filter(has_text="sanctions")
        .locator("input")
        .is_checked()
    )
    session.step(2)
    assert session.errors == []


def test_suggested_change_labels_the_preset_custom_and_reset_clears_the_notice(session):
    session.choose("scenario", "demo_forced_marriage")
    session.page.locator(".cs-narrative").filter(
        has_text="Scenario: demo_forced_marriage"
    ).wait_for(timeout=UI_TIMEOUT_MS)
    preset = session.page.locator(".v-select").filter(has_text="governance preset").first
    assert "forced_marriage" in preset.inner_text()
    session.page.locator(".cs-apply-change").click()
    session.page.locator(".cs-notice").wait_for(timeout=UI_TIMEOUT_MS)
    # Formation is now voluntary: the rules are no longer the forced_marriage preset's.
    assert "custom" in preset.inner_text() and "forced_marriage" not in preset.inner_text()
    session.button("Reset").click()
    session.page.locator(".cs-notice").wait_for(state="detached", timeout=UI_TIMEOUT_MS)
    assert session.errors == []


def test_a_demo_opens_beside_its_suggested_change_from_the_demos_page(browser, server):
    with Session(browser, server[0] + "demos") as s:
        card = s.page.locator(".cs-demo").filter(has_text="demo_flat_cash")
        card.locator(".cs-open-demo").click()
        s.wait_ready(
            ".cs-network-0 img", ".cs-network-1 img", ".cs-series img", ".cs-compare-table"
        )
        table = s.page.locator(".cs-compare-table")
        assert table.locator("th").all_inner_texts()[1:] == ["as set", "with the change"]
        # The demo's measure is a marked row of the table, for both runs.
        row = [r for r in table.inner_text().splitlines() if r.startswith("▶")]
        assert len(row) == 1 and "partnerships ended by a funding cut" in row[0]
        assert "sanctions = True" in s.page.locator(".cs-change").inner_text()
        s.step(3, css=".cs-compare-table")
        assert s.errors == []


def test_compare_page_steps_two_presets_together(browser, server):
    with Session(browser, server[0] + "compare") as s:
        s.wait_ready(
            ".cs-network-0 img", ".cs-network-1 img", ".cs-series img", ".cs-compare-table"
        )
        table = s.page.locator(".cs-compare-table")
        assert "none" in table.inner_text() and "six_principles" in table.inner_text()
        s.step(4, css=".cs-compare-table")
        # Both columns show month 4: the two models step together.
        row = [r for r in table.inner_text().splitlines() if r.startswith("month")][0]
        assert row.split()[1:] == ["4", "4"]
        s.page.screenshot(path=str(ARTIFACTS / "compare.png"), full_page=True)
        # Changing a preset restarts both models under the new pair.
        s.choose("preset B", "forced_marriage")
        s.wait_month(0, css=".cs-compare-table")
        assert "forced_marriage" in table.inner_text()
        s.step(2, css=".cs-compare-table")
        assert s.errors == []


@pytest.mark.slow
def test_ten_concurrent_sessions_keep_independent_models(browser, server):
    sessions = []
    try:
        # Opened one after another (each ready before the next; see the test below for
        # opening all at once), then all stepped side by side.
        for _ in range(10):
            sessions.append(Session(browser, server[0]))
            sessions[-1].wait_ready(*EXPLORE_READY, timeout_ms=3 * UI_TIMEOUT_MS)
        # Session k steps k times; if sessions shared a model the months would add up.
        for k, s in enumerate(sessions):
            s.step(k)
        assert [s.month() for s in sessions] == list(range(10))
        # Each page still shows its own model after all the others have moved on.
        srcs = {s.src(".cs-series") for s in sessions}
        assert len(srcs) == 10
        for s in sessions:
            assert s.errors == []
    finally:
        for s in sessions:
            s.close()


def test_ten_sessions_opened_at_once_all_load(browser, server):
    sessions = [Session(browser, server[0]) for _ in range(10)]
    try:
        for s in sessions:
            s.wait_ready(*EXPLORE_READY, timeout_ms=3 * UI_TIMEOUT_MS)
        for s in sessions:
            assert s.errors == []
    finally:
        for s in sessions:
            s.close()


def test_server_refuses_a_port_in_use(server):
    _, port = server
    r = subprocess.run(
        [*COLLABSIM, "viz", "--port", str(port)], capture_output=True, text=True, timeout=120
    )
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and f"port {port}" in lines[0] and "already in use" in lines[0]
    assert r.stdout == ""


# --- never crash in front of a class ---------------------------------------------------------
TEACHING_DEMOS = [n for n, s in SCENARIOS.items() if s.kind == "teaching"]
#: Play/Pause clicks per demo, and the pause between them (ms): faster than a step plus a
#: redraw, so clicks land while a step is under way.
TOGGLES = 16
TOGGLE_GAP_MS = 60


def test_rapid_play_pause_and_step_never_crash_on_any_teaching_demo(session):
    page = session.page
    play_pause = page.get_by_role("button", name=re.compile(r"^\s*(▶|❚❚)\s*$"))
    log_before = len(server_log())
    for name in TEACHING_DEMOS:
        session.choose("scenario", name)
        try:
            page.locator(".cs-narrative").filter(has_text=f"Scenario: {name}").wait_for(
                timeout=UI_TIMEOUT_MS
            )
        except Exception:
            page.screenshot(path=str(ARTIFACTS / f"failed-{name}.png"), full_page=True)
            raise
        session.wait_month(0)
        play_pause.click()  # play
        # The label first, then the month: a lost click and a slow step fail apart.
        page.get_by_role("button", name="❚❚", exact=True).wait_for(timeout=UI_TIMEOUT_MS)
        try:
            page.wait_for_function(
                "() => /month\\s+([1-9]|\\d\\d+)/.test("
                "document.querySelector('.cs-headline').innerText)",
                timeout=UI_TIMEOUT_MS,
            )
        except Exception:  # a Play that is shown but never steps: keep what the page showed
            page.screenshot(path=str(ARTIFACTS / f"failed-play-{name}.png"), full_page=True)
            raise
        for _ in range(TOGGLES):  # pause, play, pause, ... as fast as a click goes
            play_pause.click()
            page.wait_for_timeout(TOGGLE_GAP_MS)
        page.wait_for_timeout(300)
        if "❚❚" in play_pause.inner_text():
            play_pause.click()  # leave it paused
        page.get_by_role("button", name="▶", exact=True).wait_for(timeout=UI_TIMEOUT_MS)
        # The forced-marriage report: Play, Pause, then Step at once.
        session.button("Step").click()
        session.settled_text(page.locator(".cs-headline"))  # paused: the month stops
        assert session.errors == [], name
        assert page.locator(".cs-network img").count() == 1, name
        for bad in ("Traceback", "Error", "error in step"):
            assert bad not in page.locator(".cs-main").inner_text(), (name, bad)
        assert page.locator(".v-alert.error").count() == 0, name
    new_log = server_log()[log_before:]
    assert not CRASH.search(new_log), new_log[-3000:]


# --- offline, and safe to expose --------------------------------------------------------------
def test_server_sends_no_telemetry_and_writes_nothing_to_home(session):
    session.step(2)
    # No server_user_id.txt or anything else: ~/.solara is as it was (or still absent).
    assert _tree(server_info["solara_home"]) == server_info["solara_home_before"]
    assert server_info["proxy"].connections == 0  # nothing tried to reach the internet
    assert session.page.get_by_text("This website runs on").count() == 0  # no badge


def _lan_addresses() -> set[str]:
    import psutil

    return {
        a.address
        for addrs in psutil.net_if_addrs().values()
        for a in addrs
        if a.family == socket.AF_INET
        and not a.address.startswith("127.")
        and not a.address.startswith("169.254.")
    }


def test_listening_on_all_interfaces_warns_and_prints_the_students_addresses():
    port = free_port()
    proc = subprocess.Popen(
        [*COLLABSIM, "viz", "--host", "0.0.0.0", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        lines = []
        expected = _lan_addresses()
        needed = 3 + len(expected) if expected else 3
        while len(lines) < needed:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line.rstrip("\n"))
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
    text = "\n".join(lines)
    assert "warning" in text and "no log-in or password" in text
    shown = set(re.findall(r"http://([\d.]+):" + str(port) + "/", text))
    assert shown - {"0.0.0.0"} == expected
    assert "127.0.0.1" not in shown


# --- readable at 1024 x 768 ---------------------------------------------------------------------
#: Smallest text a projected figure may show, in CSS px.
MIN_TEXT_PX = 11.0
VIEWPORTS = [(1024, 768), (1400, 900)]


def _figure_min_font_pt(kind: str) -> dict[str, tuple[float, int]]:
    """(smallest font in points, natural width in px) of each figure, built in-process."""
    from simulation.scenarios import resolve
    from simulation.viz.controls import ComparePair, VizModel
    from simulation.viz.figures import CompareFigures, PageFigures

    if kind == "explore":
        m = VizModel(**resolve("baseline"))
        figs = PageFigures(m.frame)
        figs.render(m.frame)
    else:
        pair = ComparePair()
        figs = CompareFigures(pair)
        figs.render(pair.frames)
    return {k: (min(f.font_sizes_pt()), f.natural_width) for k, f in figs.all().items()}


def _text_px(page, css: str, font_pt: float, natural: int) -> float:
    img = page.locator(f"{css} img")
    assert img.evaluate("i => i.naturalWidth") == natural, css  # the figure measured
    shown = img.evaluate("i => i.getBoundingClientRect().width")
    # points -> image pixels at the figure's DPI, then image pixels -> CSS pixels
    from simulation.viz.figures import DPI

    return font_pt * DPI / 72 * shown / natural


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=lambda v: f"{v[0]}x{v[1]}")
def test_explore_first_screen_shows_the_network_and_plots_in_readable_text(
    browser, server, viewport
):
    width, height = viewport
    with Session(browser, server[0], viewport) as s:
        s.wait_ready(*EXPLORE_READY)
        page = s.page
        page.wait_for_timeout(500)
        page.screenshot(path=str(ARTIFACTS / f"explore-{width}x{height}.png"))
        fonts = _figure_min_font_pt("explore")
        for css, key in ((".cs-network", "network"), (".cs-series", "series")):
            box = page.locator(f"{css} img").bounding_box()
            assert box["y"] >= 0 and box["y"] + box["height"] <= height, css  # first screen
            assert box["x"] + box["width"] <= width, css
            assert _text_px(page, css, *fonts[key]) >= MIN_TEXT_PX, css
        assert _text_px(page, ".cs-heatmaps", *fonts["heatmaps"]) >= MIN_TEXT_PX
        # The sidebar is narrow and the bar's button hides it, giving the plots the room.
        sidebar = page.locator(".cs-sidebar")
        assert sidebar.bounding_box()["width"] <= 0.27 * width
        main_before = page.locator(".cs-main").bounding_box()["width"]
        page.locator(".cs-toggle").click()
        sidebar.wait_for(state="hidden", timeout=UI_TIMEOUT_MS)
        assert page.locator(".cs-main").bounding_box()["width"] > main_before + 200
        page.screenshot(path=str(ARTIFACTS / f"explore-{width}x{height}-no-sidebar.png"))
        page.locator(".cs-toggle").click()
        sidebar.wait_for(state="visible", timeout=UI_TIMEOUT_MS)
        # Nothing on the page is wider than the window.
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert s.errors == []


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=lambda v: f"{v[0]}x{v[1]}")
def test_compare_table_and_figures_fit_and_read_at_small_screens(browser, server, viewport):
    width, height = viewport
    with Session(browser, server[0] + "compare", viewport) as s:
        s.wait_ready(".cs-network-0 img", ".cs-series img", ".cs-compare-table")
        page = s.page
        page.wait_for_timeout(500)
        page.screenshot(path=str(ARTIFACTS / f"compare-{width}x{height}.png"), full_page=True)
        table = page.locator(".cs-compare-table table")
        box = table.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width
        assert table.evaluate("t => t.parentElement.scrollWidth <= t.parentElement.clientWidth")
        fonts = _figure_min_font_pt("compare")
        for css, key in (
            (".cs-network-0", "network_0"),
            (".cs-network-1", "network_1"),
            (".cs-series", "series"),
            (".cs-heatmaps-0", "heatmaps_0"),
        ):
            assert _text_px(page, css, *fonts[key]) >= MIN_TEXT_PX, css
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert s.errors == []


def test_demos_page_prints_every_demo(browser, server):
    with Session(browser, server[0] + "demos", (1024, 768)) as s:
        page = s.page
        page.locator(".cs-demo").first.wait_for(timeout=UI_TIMEOUT_MS)
        page.emulate_media(media="print")
        titles = page.locator(".cs-demo .v-card__title").all_inner_texts()
        # Each card is titled with the demo's title, its code name beside it.
        assert [t.strip().rsplit("(", 1)[1].rstrip(")") for t in titles] == TEACHING_DEMOS
        assert "Flat cash and turbulence (demo_flat_cash)" in [t.strip() for t in titles]
        assert page.title().startswith("Teaching demos")
        # No element clips its content in print (the old page scrolled inside a box, so
        # only the first two and a half demos reached the paper).
        clipped = page.evaluate(
            """() => [...document.querySelectorAll('*')].filter(e => {
                 const st = getComputedStyle(e);
                 return ['auto', 'scroll', 'hidden'].includes(st.overflowY)
                        && e.scrollHeight > e.clientHeight + 2;
               }).map(e => e.className)"""
        )
        assert clipped == []
        content = page.evaluate("document.documentElement.scrollHeight")
        pdf = page.pdf(format="A4", print_background=False)
        (ARTIFACTS / "demos.pdf").write_bytes(pdf)
        pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
        # A4 at 96 px per inch, less Chromium's default margins of 0.4 in each side.
        printable = (11.69 - 0.8) * 96
        assert pages >= math.ceil(content * 0.9 / printable) >= 2
        assert s.errors == []


# --- a lecturer's controls -----------------------------------------------------------------------
def _monitor(page, label: str, css: str = ".cs-monitor-strip") -> str:
    box = page.locator(f"{css} .cs-monitor").filter(has_text=label).first
    return box.locator(".cs-monitor-value").inner_text().strip()


def _hold_still(session) -> int:
    """The month once it has stopped changing (a step under way may still finish)."""
    paused = session.month()
    for _ in range(20):
        session.page.wait_for_timeout(1500)
        now = session.month()
        if now == paused:
            break
        paused = now
    return paused


def test_speed_changes_while_playing_and_pause_still_stops_the_one_loop(session):
    page = session.page
    # Only this test's part of the shared server's log: an earlier test's closed pages can
    # leave Solara's own disconnect errors there ("cannot disconnect a page that is in
    # state DISCONNECTED"), which are not the app's.
    log_before = len(server_log())
    speed = page.locator(".cs-speed")
    assert "normal (50 ms between months)" in speed.inner_text()
    session.button("▶").click()
    session.page.wait_for_function(
        "() => /month\\s+([2-9]|\\d\\d+)/.test(document.querySelector('.cs-headline').innerText)",
        timeout=UI_TIMEOUT_MS,
    )
    speed.get_by_role("button", name="5", exact=True).click()
    page.locator(".cs-speed-label").filter(has_text="fastest").wait_for(timeout=UI_TIMEOUT_MS)
    start = session.month()
    session.page.wait_for_function(
        "m => Number(/month\\s+(\\d+)/.exec(document.querySelector('.cs-headline').innerText)[1])"
        " >= m + 5",
        arg=start,
        timeout=UI_TIMEOUT_MS,
    )
    speed.get_by_role("button", name="1", exact=True).click()  # slow, still playing
    page.locator(".cs-speed-label").filter(has_text="1000 ms").wait_for(timeout=UI_TIMEOUT_MS)
    session.button("❚❚").click()
    paused = _hold_still(session)
    page.wait_for_timeout(2500)  # at speed 1 a second loop would step within this
    assert session.month() == paused >= start + 5
    assert session.errors == []
    new_log = server_log()[log_before:]
    assert not CRASH.search(new_log), new_log[-3000:]


def test_monitors_are_on_the_first_screen_and_follow_the_frame(browser, server):
    with Session(browser, server[0], (1024, 768)) as s:
        s.wait_ready(*EXPLORE_READY, ".cs-monitor-strip")
        page = s.page
        s.step(3)
        s.settled_text(page.locator(".cs-monitor-strip"))
        assert _monitor(page, "month") == "3"
        head = dict(
            line.split("\t") for line in page.locator(".cs-headline").inner_text().splitlines()
        )
        assert _monitor(page, "partnerships") == head["active partnerships"].strip()
        assert _monitor(page, "cross-sector trust") == head["cross-sector trust"].strip()
        labels = page.locator(".cs-monitor-strip .cs-monitor-label").all_inner_texts()
        assert len(labels) == 6
        box = page.locator(".cs-monitor-strip").bounding_box()
        assert box["y"] >= 0 and box["y"] + box["height"] <= 768
        for css in (".cs-network", ".cs-series"):
            img = page.locator(f"{css} img").bounding_box()
            assert img["y"] + img["height"] <= 768, css
        assert page.evaluate("document.documentElement.scrollWidth") <= 1024
        assert s.errors == []


def test_compare_page_has_monitors_for_both_runs(browser, server):
    with Session(browser, server[0] + "compare", (1024, 768)) as s:
        s.wait_ready(".cs-monitor-strip-0", ".cs-monitor-strip-1", ".cs-compare-table")
        s.step(2, css=".cs-compare-table")
        for k, label in enumerate(("none", "six_principles")):
            strip = s.page.locator(f".cs-monitor-strip-{k}")
            s.settled_text(strip)
            assert label in strip.inner_text()
            assert _monitor(s.page, "month", f".cs-monitor-strip-{k}") == "2"
        assert s.errors == []


def test_info_page_is_in_the_bar_and_each_tab_names_its_page(browser, server):
    with Session(browser, server[0], (1024, 768)) as s:
        s.wait_ready(*EXPLORE_READY)
        page = s.page
        assert page.title().startswith("Explore")
        page.locator(".cs-bar .cs-tab").filter(has_text="Info").click()
        page.locator(".cs-info").wait_for(timeout=UI_TIMEOUT_MS)
        assert page.url.endswith("/info")
        page.wait_for_function("() => document.title.startsWith('Info')", timeout=UI_TIMEOUT_MS)
        text = page.locator(".cs-info").inner_text()
        for part in ("About collabsim", "How it works", "Things to try", "ODD", "Sources"):
            assert part in text, part
        assert all(f"source 00{k}" in text for k in range(5))
        assert page.locator(".cs-tab-active").inner_text().strip() == "Info"
        page.locator(".cs-bar .cs-tab").filter(has_text="Compare").click()
        page.wait_for_function("() => document.title.startsWith('Compare')", timeout=UI_TIMEOUT_MS)
        assert s.errors == []


def _alt(page, css: str) -> str:
    return page.locator(css).get_attribute("aria-label") or ""


def test_pages_declare_their_language_and_every_figure_has_a_text_alternative(browser, server):
    """WCAG 3.1.1 and 1.1.1: the document says it is English, and each figure is an image
    role with a label that follows the frame it shows (month, counts, both runs)."""
    with Session(browser, server[0], (1024, 768)) as s:
        s.wait_ready(*EXPLORE_READY)
        page = s.page
        assert page.evaluate("() => document.documentElement.lang") == "en"
        assert page.get_by_role("img", name=re.compile(r"^Network at month 0 of ")).count() == 1
        s.step(2)
        page.wait_for_function(
            "() => /month 2 /.test(document.querySelector('.cs-network')"
            ".getAttribute('aria-label'))",
            timeout=UI_TIMEOUT_MS,
        )
        net = _alt(page, ".cs-network")
        active = _monitor(page, "partnerships")
        assert f"{active} partnerships active" in net
        # The monitor gives the share of organisations in none; the text, their number.
        share = float(_monitor(page, "in no partnership"))
        n, none = re.search(r"of (\d+) organisations.*; (\d+) organisations in none", net).groups()
        assert round(int(none) / int(n), 2) == share
        assert _alt(page, ".cs-series").startswith("Live plots to month 2")
        assert re.search(r"Trust: highest \w+ about \w+ \d\.\d\d", _alt(page, ".cs-heatmaps"))
        assert s.errors == []
    with Session(browser, server[0] + "compare", (1024, 768)) as s:
        s.wait_ready(".cs-network-0 img", ".cs-network-1 img", ".cs-compare-table")
        page = s.page
        assert page.evaluate("() => document.documentElement.lang") == "en"
        for k, label in enumerate(("none", "six_principles")):
            assert _alt(s.page, f".cs-network-{k}").startswith(f"{label}: network at month 0")
            assert _alt(s.page, f".cs-heatmaps-{k}").startswith(f"{label}: heatmaps at month 0")
        series = _alt(page, ".cs-series")
        assert "none: " in series and "six_principles: " in series
        assert s.errors == []


def test_an_organisation_named_in_the_event_log_can_be_inspected_and_is_ringed(session):
    page = session.page
    session.step(4)
    log = session.settled_text(page.locator(".cs-event-list"))
    name = re.search(r"\b(?:Public|Private|Third|Community) \d+\b", log).group(0)
    before = session.src(".cs-network")
    box = page.locator(".cs-inspect-select input[type=text]")
    box.click()
    box.fill(name)
    page.locator(".menuable__content__active .v-list-item").filter(
        has_text=re.compile(rf"^\s*{re.escape(name)}\s*$")
    ).first.click()
    card = page.locator(".cs-inspect-card")
    card.wait_for(timeout=UI_TIMEOUT_MS)
    text = card.inner_text()
    assert name in text and "sector" in text and "mean trust it gives" in text
    assert name.split()[0].lower() in text  # its sector
    page.wait_for_function(
        "s => document.querySelector('.cs-network img').src !== s",
        arg=before,
        timeout=UI_TIMEOUT_MS,
    )  # the ring is drawn on the network
    session.step(1)  # the card follows the run
    assert "sector" in page.locator(".cs-inspect-card").inner_text()
    assert session.errors == []


def _download(page, label: str) -> bytes:
    with page.expect_download(timeout=UI_TIMEOUT_MS) as info:
        page.locator(".cs-export .v-btn").filter(has_text=label).first.click()
    return Path(info.value.path()).read_bytes()


def test_explore_exports_the_run_as_csv_and_the_figures_as_png(session):
    import io

    import pandas as pd
    from PIL import Image

    page = session.page
    session.step(3)
    page.locator(".cs-export .v-btn").filter(has_text="table (CSV)").wait_for()
    session.settled_text(page.locator(".cs-headline"))
    table = pd.read_csv(io.BytesIO(_download(page, "table (CSV)")))
    assert table["month"].tolist() == [0, 1, 2, 3]  # one row per month shown
    assert {"active", "cross_trust", "mean_myth"} <= set(table.columns)
    for label in ("plots (PNG)", "network (PNG)"):
        data = _download(page, label)
        assert data[:4] == b"\x89PNG", label
        assert Image.open(io.BytesIO(data)).width >= 300, label
    # A second download, months later, has the months since: the button's data is read
    # when it is clicked, not kept from the first click.
    session.step(2)
    session.settled_text(page.locator(".cs-headline"))
    table = pd.read_csv(io.BytesIO(_download(page, "table (CSV)")))
    assert table["month"].tolist() == [0, 1, 2, 3, 4, 5]
    assert session.errors == []


def test_compare_exports_both_runs_in_one_csv(browser, server):
    import io

    import pandas as pd

    with Session(browser, server[0] + "compare") as s:
        s.wait_ready(".cs-network-0 img", ".cs-compare-table", ".cs-export")
        s.step(2, css=".cs-compare-table")
        s.settled_text(s.page.locator(".cs-compare-table"))
        table = pd.read_csv(io.BytesIO(_download(s.page, "table (CSV)")))
        assert table["run"].tolist() == ["none"] * 3 + ["six_principles"] * 3
        assert table["month"].tolist() == [0, 1, 2] * 2
        assert _download(s.page, "network, six_principles (PNG)")[:4] == b"\x89PNG"
        assert s.errors == []


# --- closed sessions are freed ------------------------------------------------------------------
WARMUP_SESSIONS = 5
SESSIONS = 50


def _server_rss(proc) -> int:
    import psutil

    (solara,) = psutil.Process(proc.pid).children()
    return solara.memory_info().rss


def _open_and_close(browser, url: str) -> None:
    with Session(browser, url, (1024, 768)) as s:
        s.wait_ready(*EXPLORE_READY)
        s.step(1)


def _settled_rss(proc) -> int:
    """The server's memory once sessions past their timeout have been freed."""
    time.sleep(SHORT_SESSION_TIMEOUT_S + 5)  # not a timing assertion: cull timeout + slack
    return _server_rss(proc)


@pytest.mark.slow
def test_memory_of_closed_sessions_is_freed(browser, tmp_path):
    proc, url, _, proxy, log = _start_server(
        tmp_path, "--session-timeout", str(SHORT_SESSION_TIMEOUT_S)
    )
    try:
        for _ in range(WARMUP_SESSIONS):
            _open_and_close(browser, url)
        warm = _settled_rss(proc)
        for _ in range(SESSIONS):
            _open_and_close(browser, url)
        after = _settled_rss(proc)
    finally:
        _stop_server(proc, proxy, log)
    # Printed for the record (pytest -rP shows it; docs/visualisation.md quotes a run).
    mb = (warm / 1e6, after / 1e6)
    print(f"server RSS after warm-up {mb[0]:.0f} MB, after {SESSIONS} more {mb[1]:.0f} MB")
    assert after <= 1.10 * warm, (warm / 1e6, after / 1e6)
