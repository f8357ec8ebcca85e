"""Session state of the workshop app: the two scenarios, drafts and cached results.

Everything that belongs to one browser session lives in ``st.session_state``. The
only thing shared between sessions is the draft database, where each session reads
and writes under its own random id. The id is kept in the page's URL as the
``draft`` query parameter, so a refresh of the same page finds the draft again.
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path

import streamlit as st

from workbench.drafts import DraftStore, default_path, is_session_id, new_session_id
from workbench.errors import ModelError
from workbench.loading import dump_model, load_model, parse_model
from workbench.model import ProcessModel
from workbench.tables import blank_model

__all__ = [
    "SCENARIOS",
    "DEFAULT_PROCESS",
    "MODELS_DIR",
    "bundled_processes",
    "load_bundled_pair",
    "ensure_session",
    "get_model",
    "set_model",
    "replacement_count",
    "model_hash",
    "autosave",
    "restore_draft",
    "discard_draft",
    "offer_draft",
]

logger = logging.getLogger(__name__)

#: The scenario names, in the order the app shows them; the first is the baseline.
SCENARIOS = ("before", "after")

#: The bundled process the app opens on.
DEFAULT_PROCESS = "permit_intake"

#: Folder of the bundled models, ``<process>/before.yaml`` and ``after.yaml``.
MODELS_DIR = Path(__file__).resolve().parents[2] / "process_models"

_DRAFT_PARAM = "draft"

# Draft key of the Build tables that differ from their model, by scenario.
_TABLES_KEY = "tables"


def bundled_processes() -> list[str]:
    """Return the bundled processes that have both a before and an after file."""
    if not MODELS_DIR.is_dir():
        return []
    return sorted(
        folder.name
        for folder in MODELS_DIR.iterdir()
        if (folder / "before.yaml").is_file() and (folder / "after.yaml").is_file()
    )


def load_bundled_pair(process: str) -> tuple[ProcessModel, ProcessModel]:
    """Load the before and after scenarios of a bundled process.

    Raises
    ------
    ModelError
        If a file is missing or invalid.
    """
    folder = MODELS_DIR / process
    return load_model(folder / "before.yaml"), load_model(folder / "after.yaml")


def _opening_pair() -> tuple[ProcessModel, ProcessModel]:
    processes = bundled_processes()
    if DEFAULT_PROCESS in processes:
        processes.insert(0, DEFAULT_PROCESS)
    for process in processes:
        try:
            return load_bundled_pair(process)
        except ModelError as error:
            logger.error("bundled process %s is invalid: %s", process, error)
    # NOTE: reached only when no bundled pair loads, such as in a bare checkout.
    model = blank_model()
    return model, model.model_copy(update={"name": f"{model.name} (after)"})


def ensure_session() -> None:
    """Fill the session state on the first run of a browser session.

    Sets the session id (from the URL or new), opens on the bundled pair, and
    offers a saved draft of this session id back when one exists.
    """
    state = st.session_state
    if "session_id" in state:
        # Moving to another page can drop the query parameters, so put it back.
        if st.query_params.get(_DRAFT_PARAM) != state.session_id:
            st.query_params[_DRAFT_PARAM] = state.session_id
        return
    from_url = st.query_params.get(_DRAFT_PARAM)
    state.session_id = from_url if is_session_id(from_url) else new_session_id()
    st.query_params[_DRAFT_PARAM] = state.session_id
    state.before, state.after = _opening_pair()
    state.results = {}
    state.saved_hash = _content_hash({s: dump_model(get_model(s)) for s in SCENARIOS})
    draft = _store().load(state.session_id) if from_url else None
    state.draft_offer = draft.content if draft else None


@st.cache_resource
def _cached_store(path: str) -> DraftStore:
    return DraftStore(path)


def _store() -> DraftStore:
    return _cached_store(str(default_path()))


def get_model(scenario: str) -> ProcessModel:
    """Return the current model of ``scenario`` (``before`` or ``after``)."""
    return st.session_state[scenario]


def set_model(scenario: str, model: ProcessModel, *, from_tables: bool = False) -> None:
    """Replace the model of ``scenario``; results of the old inputs stay, as stale.

    ``from_tables`` is True when the Build page rebuilt ``model`` from its own edited
    tables. Every other replacement (upload, import, draft restore, a Redesign move)
    counts in :func:`replacement_count`, so the Build page starts its tables afresh.
    """
    st.session_state[scenario] = model
    if not from_tables:
        counts = st.session_state.setdefault("model_replacements", {})
        counts[scenario] = counts.get(scenario, 0) + 1


def replacement_count(scenario: str) -> int:
    """Return how often ``scenario`` was replaced other than from the Build tables."""
    return st.session_state.get("model_replacements", {}).get(scenario, 0)


def model_hash(model: ProcessModel) -> str:
    """Return a short content hash of ``model``'s YAML text."""
    return hashlib.sha256(dump_model(model).encode("utf-8")).hexdigest()[:16]


def autosave() -> None:
    """Save both scenarios as this session's draft if they changed since last saved.

    The draft also stores a scenario's Build tables as the user left them when they
    differ from its model, such as rows that are not a valid model yet. A failed
    save is logged and shown as a warning, and the work in the session is kept.
    """
    state = st.session_state
    content = {s: dump_model(get_model(s)) for s in SCENARIOS}
    unsaved = _unsaved_tables()
    if unsaved:
        content[_TABLES_KEY] = unsaved
    current = _content_hash(content)
    if current == state.get("saved_hash"):
        return
    try:
        _store().save(state.session_id, content)
    except (OSError, ValueError) as error:
        logger.error("autosave of session %s failed: %s", state.session_id, error)
        st.warning(f"Autosave failed ({error}); download your models on Export.")
        return
    state.saved_hash = current


def _unsaved_tables() -> dict:
    # Imported here because the table editor module imports this one.
    from workbench.app.table_editor import unsaved_tables

    found = {s: unsaved_tables(s, get_model(s)) for s in SCENARIOS}
    return {scenario: data for scenario, data in found.items() if data is not None}


def _content_hash(content: dict) -> str:
    text = json.dumps(content, sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def restore_draft() -> list[str]:
    """Replace both scenarios with the offered draft; return any problems found.

    A scenario whose draft text is no longer a valid model is left as it is and
    named in the returned messages. Saved Build tables of a restored scenario are
    shown again, unless they are unusable, which is also named in the messages.
    """
    state = st.session_state
    content = state.get("draft_offer")
    if not isinstance(content, dict):
        content = {}
    saved_tables = content.get(_TABLES_KEY, {})
    problems = []
    if not isinstance(saved_tables, dict):
        problems.append(
            "the saved Build tables of the draft are unusable (expected a mapping "
            f"of scenario to tables, received {type(saved_tables).__name__}); "
            "the Build page shows the last valid models instead"
        )
        saved_tables = {}
    for scenario in SCENARIOS:
        try:
            set_model(scenario, parse_model(content[scenario], f"draft {scenario}"))
        except (KeyError, ModelError) as error:
            problems.append(
                f"the {scenario}-scenario of the draft is unusable: {error}"
            )
            continue
        if scenario in saved_tables:
            problems += _restore_tables(scenario, saved_tables[scenario])
    state.draft_offer = None
    return problems


def _restore_tables(scenario: str, data: object) -> list[str]:
    from workbench.app.table_editor import restore_tables

    try:
        restore_tables(scenario, get_model(scenario), data)
    except ValueError as error:
        logger.warning(
            "saved Build tables of %s in the draft of session %s are unusable: %s",
            scenario,
            st.session_state.session_id,
            error,
        )
        return [
            f"the saved Build tables of the {scenario}-scenario are unusable "
            f"({error}); the Build page shows its last valid model instead"
        ]
    return []


def discard_draft() -> None:
    """Drop the offered draft; the next autosave replaces it."""
    st.session_state.draft_offer = None
    st.session_state.saved_hash = ""


def offer_draft() -> None:
    """Offer this session's saved draft, if any, with Restore and Discard buttons."""
    if not st.session_state.get("draft_offer"):
        return
    with st.container(border=True):
        st.info(
            "A draft of your work from an earlier visit of this page was saved "
            "automatically. Restore it to continue where you left off."
        )
        restore, discard = st.columns(2)
        if restore.button("Restore the draft", type="primary"):
            problems = restore_draft()
            for problem in problems:
                st.error(problem)
            if not problems:
                st.rerun()
        if discard.button("Discard the draft"):
            discard_draft()
            st.rerun()
