"""AppTest of the map size selector on the Map, Build and Redesign pages."""

from __future__ import annotations

import base64

import pytest
from app_harness import page_test


@pytest.fixture(autouse=True)
def drafts_file(monkeypatch, tmp_path):
    monkeypatch.setenv("WORKBENCH_DRAFTS", str(tmp_path / "drafts.sqlite3"))


def test_map_fits_page_by_default():
    at = page_test("map").run()

    assert len(at.get("graphviz_chart")) == 1
    assert not at.get("html")
    assert not at.exception


def test_zoomed_map_scrolls_in_frame():
    at = page_test("map").run()

    at.select_slider(key="map_zoom").set_value(200)
    at.run()

    html = at.get("html")
    assert not at.exception
    assert not at.get("graphviz_chart")
    assert len(html) == 1
    body = html[0].proto.body
    source = body.split('src="data:image/svg+xml;base64,')[1].split('"')[0]
    svg = base64.b64decode(source).decode("utf-8")
    assert "width:200%" in body
    assert "overflow:auto" in body
    assert ">Open mail<" in svg


@pytest.mark.parametrize(
    ("page", "key"), [("build", "build_map_zoom"), ("redesign", "redesign_map_zoom")]
)
def test_map_zoom_on_other_pages(page, key):
    at = page_test(page).run()

    at.select_slider(key=key).set_value(150)
    at.run()

    html = at.get("html")
    assert not at.exception
    assert len(html) == 1
    assert "width:150%" in html[0].proto.body
