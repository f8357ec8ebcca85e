"""A wrapper that keeps tracebacks off the page."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable

import streamlit as st

from workbench.errors import ModelError

__all__ = ["guarded", "flash"]

logger = logging.getLogger(__name__)


def guarded(page: Callable[[], None]) -> Callable[[], None]:
    """Wrap a page function so that an error shows as ``st.error``, not a traceback.

    Model errors show their problems. Any other exception is logged with its
    traceback and shown as one sentence; the session state is left as it was.
    ``st.rerun`` and ``st.stop`` still work, because their exceptions derive from
    ``BaseException``.
    """

    @functools.wraps(page)
    def run() -> None:
        message = st.session_state.pop("flash", None)
        if message:
            st.success(message)
        try:
            page()
        except ModelError as error:
            st.error(str(error))
        except Exception as error:
            logger.exception("page %s failed", page.__name__)
            st.error(
                f"This page failed: {type(error).__name__}: {error}. Your work is "
                "kept; undo the last change or reload the page."
            )

    return run


def flash(message: str) -> None:
    """Show ``message`` as a success note at the top of the page after the rerun."""
    st.session_state.flash = message
