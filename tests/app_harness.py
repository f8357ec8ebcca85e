"""Run one page of the workshop app under Streamlit's AppTest."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

#: Seconds an AppTest run may take; the Simulate page runs real replications.
TIMEOUT = 120


def run_page(module_name: str, function_name: str) -> None:
    """Run a page the way ``streamlit_app.py`` does, without the navigation.

    A test moves to another page by setting ``harness_page`` in the session state
    to its ``(module_name, function_name)``.
    """
    import importlib

    import streamlit as st

    from workbench.app import state

    state.ensure_session()
    state.offer_draft()
    module_name, function_name = st.session_state.get(
        "harness_page", (module_name, function_name)
    )
    page = getattr(importlib.import_module(module_name), function_name)
    page()
    state.autosave()


def page_test(page: str) -> AppTest:
    """Return an AppTest of page module ``workbench.app.<page>_page``, not yet run."""
    module = f"workbench.app.{page}_page"
    return AppTest.from_function(
        run_page, args=(module, f"{page}_page"), default_timeout=TIMEOUT
    )


def switch_page(at: AppTest, page: str) -> AppTest:
    """Move ``at`` to page ``workbench.app.<page>_page`` and run it."""
    at.session_state["harness_page"] = (f"workbench.app.{page}_page", f"{page}_page")
    return at.run()
