"""Run one page of the workshop app under Streamlit's AppTest."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

#: Seconds an AppTest run may take; the Simulate page runs real replications.
TIMEOUT = 120


def run_page(module_name: str, function_name: str) -> None:
    """Run a page the way ``streamlit_app.py`` does, without the navigation."""
    import importlib

    from workbench.app import state

    state.ensure_session()
    state.offer_draft()
    page = getattr(importlib.import_module(module_name), function_name)
    page()
    state.autosave()


def page_test(page: str) -> AppTest:
    """Return an AppTest of page module ``workbench.app.<page>_page``, not yet run."""
    module = f"workbench.app.{page}_page"
    return AppTest.from_function(
        run_page, args=(module, f"{page}_page"), default_timeout=TIMEOUT
    )
