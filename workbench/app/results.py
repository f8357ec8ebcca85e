"""The latest comparison of the session, read by the Map, Simulate and Export pages."""

from __future__ import annotations

import streamlit as st

__all__ = ["latest_run"]


def latest_run() -> dict | None:
    """Return the latest run (``comparison``, ``before``, ``after``), or None.

    The run may be stale: its models can differ from the session's current ones.
    """
    key = st.session_state.get("latest_key")
    if key is None:
        return None
    return st.session_state.get("results", {}).get(key)
