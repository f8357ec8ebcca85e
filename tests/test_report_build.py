"""Tests of the savings report built from every bundled before/after pair.

Each pair runs with few replications and short runs through the real engine, the
real comparison and real graphviz, so these tests check the report's wiring and
layout, not the precision of its numbers.
"""

from __future__ import annotations

import io
import math
import re
import subprocess
import unicodedata
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import MODELS
from openpyxl import load_workbook

from workbench.report import FORMATS, build_report, render_report
from workbench.report.assemble import HEADLINE, YEARLY, collect_report
from workbench.report.attribution import SHARE_METRICS
from workbench.report.pdf import html_to_pdf
from workbench.report.xlsx import SHEETS
from workbench.sim.experiment import ExperimentSettings
from workbench.validation import load_and_validate

SETTINGS = ExperimentSettings(replications=3, days=7, jobs=1, seed=7)

PAIRS = sorted(path.parent.name for path in MODELS.glob("*/after.yaml"))


def load_pair(name: str):
    before, _ = load_and_validate(MODELS / name / "before.yaml")
    after, _ = load_and_validate(MODELS / name / "after.yaml")
    return before, after


@pytest.fixture(scope="module", params=PAIRS)
def pair_content(request):
    before, after = load_pair(request.param)
    return request.param, before, after, collect_report(before, after, SETTINGS)


def test_bundled_pairs_exist():
    assert len(PAIRS) >= 2


def test_content_has_every_section(pair_content):
    name, before, after, content = pair_content

    assert [row.metric for row in content.headline] == [key for key, _ in HEADLINE]
    assert [saving.metric for saving in content.yearly] == [key for key, *_ in YEARLY]
    assert content.changes
    assert content.timeline_before
    assert content.timeline_after
    assert content.lead_times_before
    assert content.lead_times_after


def test_maps_are_svg(pair_content):
    pytest.importorskip("workbench.maps")
    name, before, after, content = pair_content

    assert "<svg" in content.before_map_svg
    assert "<svg" in content.after_map_svg
    assert not [text for text in content.warnings if "map" in text.lower()]


def test_change_savings_add_up(pair_content):
    name, before, after, content = pair_content
    rows = {row.metric: row for row in content.share_metrics}

    for metric in SHARE_METRICS:
        total = sum(change.savings[metric] for change in content.changes)
        whole = rows[metric].before - rows[metric].after
        assert total == pytest.approx(whole, rel=1e-9, abs=1e-9), metric


def test_change_shares_add_to_hundred(pair_content):
    name, before, after, content = pair_content

    for metric in SHARE_METRICS:
        shares = [change.shares[metric] for change in content.changes]
        if all(math.isnan(share) for share in shares):
            continue
        assert sum(shares) == pytest.approx(100.0), metric


def test_timeline_names_model_steps(pair_content):
    name, before, after, content = pair_content
    before_steps = {step.name for step in before.steps if not step.is_decision}
    after_steps = {step.name for step in after.steps if not step.is_decision}

    assert {row.step for row in content.timeline_before} <= before_steps
    assert {row.step for row in content.timeline_after} <= after_steps
    for row in [*content.timeline_before, *content.timeline_after]:
        assert row.process_minutes >= 0
        assert row.waiting_minutes >= 0


def test_html_is_self_contained(pair_content):
    name, before, after, content = pair_content

    html = render_report(content, "html").decode("utf-8")

    assert html.startswith("<!DOCTYPE html>")
    assert "http://" not in html.replace("http://www.w3.org/", "")
    assert "https://" not in html
    assert "<link" not in html
    assert "src=" not in html
    assert html.count("<svg") >= 2
    assert "<?xml" not in html
    assert "<!DOCTYPE svg" not in html
    for change in content.changes:
        assert change.label.split()[0] in html
    for row in content.headline:
        assert row.label in html


def test_xlsx_sheets_and_headers(pair_content):
    name, before, after, content = pair_content

    workbook = load_workbook(io.BytesIO(render_report(content, "xlsx")))

    assert workbook.sheetnames == list(SHEETS)
    headline = workbook["Headline"]
    header = [cell.value for cell in headline[1]]
    assert header[:3] == ["Metric", "Key", "Unit"]
    assert "Change 95% CI low" in header
    assert [row[1] for row in headline.iter_rows(min_row=2, values_only=True)] == [
        key for key, _ in HEADLINE
    ]
    timeline = [cell.value for cell in workbook["Timeline"][1]]
    assert "Process time (minutes per case)" in timeline
    assert "Waiting time (minutes per case)" in timeline
    changes = [cell.value for cell in workbook["Changes"][1]]
    assert "Lead time, mean: saving (minutes)" in changes
    assert workbook["Changes"].max_row == len(content.changes) + 1
    lead_times = [cell.value for cell in workbook["Lead times"][1]]
    assert lead_times == [
        "Percentile",
        "Before lead time (minutes)",
        "After lead time (minutes)",
    ]


def test_xlsx_values_equal_content(pair_content):
    name, before, after, content = pair_content

    workbook = load_workbook(io.BytesIO(render_report(content, "xlsx")))

    rows = list(workbook["Headline"].iter_rows(min_row=2, values_only=True))
    for row, expected in zip(rows, content.headline, strict=True):
        assert row[3] == _cell(expected.before)
        assert row[4] == _cell(expected.after)
        assert row[5] == _cell(expected.change)
    savings = list(workbook["Per year"].iter_rows(min_row=2, values_only=True))
    for row, expected in zip(savings, content.yearly, strict=True):
        assert row[3] == _cell(expected.mean)


def _cell(value: float):
    # The XLSX round trip through openpyxl can change the last digit of a float.
    return None if math.isnan(value) else pytest.approx(value, rel=1e-14)


def test_build_report_rejects_unknown_format():
    before, after = load_pair(PAIRS[0])

    with pytest.raises(ValueError, match="unknown report format 'docx'"):
        build_report(before, after, SETTINGS, "docx")


def test_formats_cover_writers():
    assert set(FORMATS) == {"html", "pdf", "xlsx"}


ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


class _VisibleText(HTMLParser):
    """Collect the rendered words of a page, without head, style, script or titles."""

    _HIDDEN = {"head", "style", "script", "title"}

    def __init__(self):
        super().__init__()
        self.words: list[str] = []
        self.page_words: list[str] = []  # words outside SVG drawings
        self._hidden_depth = 0
        self._svg_depth = 0

    def handle_starttag(self, tag, attrs):
        self._hidden_depth += tag in self._HIDDEN
        self._svg_depth += tag == "svg"

    def handle_endtag(self, tag):
        self._hidden_depth -= tag in self._HIDDEN
        self._svg_depth -= tag == "svg"

    def handle_data(self, data):
        if not self._hidden_depth:
            self.words += _words(data)
            if not self._svg_depth:
                self.page_words += _words(data)


def _words(text: str) -> list[str]:
    # pdftotext joins a word broken at a hyphen at the end of a line, dropping the
    # hyphen, so hyphens are left out on both sides.
    return unicodedata.normalize("NFKC", text).replace("-", "").split()


@pytest.fixture(scope="module")
def pdf_and_html(pair_content):
    name, before, after, content = pair_content
    html = render_report(content, "html").decode("utf-8")
    pdf = html_to_pdf(html)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"report-{name}.pdf").write_bytes(pdf)
    return name, html, pdf


def _pdf_tool(tool: str, pdf: bytes, tmp_path: Path, *after_path: str) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    command = [tool, str(path), *after_path]
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


def test_pdf_has_one_page(pdf_and_html, tmp_path):
    name, html, pdf = pdf_and_html

    info = _pdf_tool("pdfinfo", pdf, tmp_path)

    assert pdf.startswith(b"%PDF-")
    assert re.search(r"^Pages:\s+1$", info, re.MULTILINE), info


def test_pdf_text_equals_html_text(pdf_and_html, tmp_path):
    name, html, pdf = pdf_and_html
    parser = _VisibleText()
    parser.feed(html)

    pdf_words = _words(_pdf_tool("pdftotext", pdf, tmp_path, "-"))

    # pdftotext may join SVG labels drawn close together, so the drawings are
    # compared character by character and the rest of the page word by word.
    assert Counter("".join(pdf_words)) == Counter("".join(parser.words))
    assert Counter(parser.page_words) - Counter(pdf_words) == Counter()


@pytest.mark.browser
def test_html_opens_in_chromium(pair_content, tmp_path):
    playwright = pytest.importorskip("playwright.sync_api")
    name, before, after, content = pair_content
    page_file = tmp_path / "report.html"
    page_file.write_bytes(render_report(content, "html"))
    errors, requests = [], []

    with playwright.sync_playwright() as driver:
        browser = driver.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_FLAGS
        )
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else 0)
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("request", lambda request: requests.append(request.url))
        page.goto(page_file.as_uri())
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=ARTIFACTS / f"report-{name}.png", full_page=True)
        heading = page.inner_text("h1")
        browser.close()

    assert errors == []
    assert requests == [page_file.as_uri()]
    assert heading == content.title
