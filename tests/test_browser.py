"""Browser test of the main workshop flow: redesign, compare, see fewer steps.

The test starts ``streamlit run streamlit_app.py`` on a free loopback port and drives
it with Playwright and Debian's chromium at ``/usr/bin/chromium``. It saves a
screenshot of the results under ``test-artifacts/``, and copies it to
``docs/images/compare.png`` for the README when ``WORKBENCH_UPDATE_SCREENSHOTS=1``.
A second test types into two cells of the Build page's steps grid in a row.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
START_TIMEOUT = 60.0
# A step that every permit_intake case visits, so its removal lowers steps per case.
REMOVED_STEP = "Re-key into permit system"
RUN_TIMEOUT_MS = 120_000

# The health check goes straight to loopback, ignoring any proxy variables.
_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_healthy(url: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited with code {process.returncode}")
        try:
            with _DIRECT.open(f"{url}/_stcore/health", timeout=2) as reply:
                if reply.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(f"streamlit did not answer at {url} within {START_TIMEOUT} s")


@pytest.fixture
def app_url(tmp_path):
    if not CHROMIUM.exists():
        pytest.skip(f"chromium not found at {CHROMIUM}")
    port = _free_port()
    command = [
        sys.executable, "-m", "streamlit", "run", "streamlit_app.py",
        "--server.headless", "true",
        "--browser.gatherUsageStats", "false",
        "--server.address", "127.0.0.1",
        "--server.port", str(port),
        "--server.fileWatcherType", "none",
    ]  # fmt: skip
    environment = dict(os.environ, WORKBENCH_DRAFTS=str(tmp_path / "drafts.sqlite3"))
    log = (tmp_path / "streamlit.log").open("w")
    process = subprocess.Popen(
        command, cwd=REPO, env=environment, stdout=log,
        stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_healthy(url, process)
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()


@pytest.fixture
def page():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        context = browser.new_context(viewport={"width": 1400, "height": 1600})
        yield context.new_page()
        browser.close()


def _wait_idle(page) -> None:
    # Streamlit shows its status widget while a script run is in progress, and
    # elements of the previous run stay on the page until the run ends.
    page.wait_for_timeout(300)
    page.locator('[data-testid="stStatusWidget"]').wait_for(state="hidden")
    page.locator("[data-stale='true']").first.wait_for(state="detached")


def _set_number(page, label: str, value: str) -> None:
    field = page.get_by_label(label, exact=True)
    field.fill(value)
    field.press("Enter")
    _wait_idle(page)


def test_redesign_then_compare_shows_fewer_steps(app_url, page):
    page.goto(f"{app_url}/redesign")
    page.get_by_text("Apply a LEAN move").wait_for()
    page.get_by_role("button", name="Start the after-scenario as a copy").click()
    page.get_by_text("now a copy of the before").wait_for()
    _wait_idle(page)

    step_box = page.locator('[data-testid="stSelectbox"]').filter(has_text="Step")
    step_box.click()
    page.get_by_role("option", name=REMOVED_STEP).click()
    _wait_idle(page)
    page.get_by_role("button", name="Apply the move").click()
    page.get_by_text(f"Remove step '{REMOVED_STEP}'").wait_for()
    page.get_by_text(re.compile(r"\b1 change\b")).wait_for()
    _wait_idle(page)

    page.get_by_role("link", name="Simulate and compare").click()
    page.get_by_role("button", name="Run the comparison").wait_for()
    _wait_idle(page)
    page.get_by_text("Replications, seed and run length").click()
    _set_number(page, "Replications", "5")
    _set_number(page, "Measured days", "10")
    page.get_by_role("button", name="Run the comparison").click()
    metric = page.locator('[data-testid="stMetric"]').filter(has_text="Steps per case")
    try:
        metric.wait_for(timeout=RUN_TIMEOUT_MS)
    except Exception:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "compare-flow-failed.png"), full_page=True)
        raise

    text = metric.inner_text()
    change = re.search(r"([+-][\d.,]+) \(([+-][\d.]+)%\)", text)
    assert change is not None, text
    assert float(change.group(1).replace(",", "")) < 0
    assert float(change.group(2)) < 0
    _wait_idle(page)
    page.locator(".js-plotly-plot").nth(3).wait_for()
    page.wait_for_timeout(1000)
    ARTIFACTS.mkdir(exist_ok=True)
    screenshot = ARTIFACTS / "compare-flow.png"
    page.screenshot(path=str(screenshot), full_page=True)
    if os.environ.get("WORKBENCH_UPDATE_SCREENSHOTS") == "1":
        images = REPO / "docs" / "images"
        images.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(screenshot, images / "compare.png")

    assert "draft=" in page.url
    page.reload()
    page.get_by_text("A draft of your work").wait_for()
    page.get_by_role("button", name="Restore the draft").click()
    _wait_idle(page)
    page.get_by_role("link", name="Redesign").click()
    page.get_by_text(f"Remove step '{REMOVED_STEP}'").wait_for()


# The steps grid draws on a canvas and mirrors the visible cells in an accessible
# table whose cells have the ids glide-cell-<column>-<row>. Column 0 contains the row
# markers, so the step name is column 1 and the lane column 3.
LANE_COLUMN = 3
GRID_ROW_HEIGHT = 35


def _grid_cell(page, column: int, row: int) -> str | None:
    return page.locator(f"#glide-cell-{column}-{row}").first.text_content()


def _type_into_selected_cell(page, text: str) -> None:
    # Enter opens the cell editor. Enter in the editor saves and selects the cell below.
    page.keyboard.press("Enter")
    editor = page.locator("textarea.gdg-input")
    editor.wait_for()
    editor.fill(text)
    editor.press("Enter")
    _wait_idle(page)


def test_steps_grid_keeps_selection_between_edits(app_url, page):
    page.goto(f"{app_url}/build")
    grid = page.locator('[data-testid="stDataFrame"]').first
    grid.wait_for()
    _wait_idle(page)
    assert _grid_cell(page, LANE_COLUMN, 0) == "Records"
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 90, box["y"] + 1.5 * GRID_ROW_HEIGHT)
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")

    _type_into_selected_cell(page, "Mailroom")
    _type_into_selected_cell(page, "Front desk")

    assert _grid_cell(page, LANE_COLUMN, 0) == "Mailroom"
    assert _grid_cell(page, LANE_COLUMN, 1) == "Front desk"
    page.get_by_role("link", name="Map").click()
    page.locator('[data-testid="stGraphVizChart"]').get_by_text("Front desk").wait_for()
    page.get_by_role("link", name="Build").click()
    grid.wait_for()
    _wait_idle(page)
    assert _grid_cell(page, LANE_COLUMN, 0) == "Mailroom"
    assert _grid_cell(page, LANE_COLUMN, 1) == "Front desk"
