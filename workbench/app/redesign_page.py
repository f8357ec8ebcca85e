"""Redesign: LEAN moves on the after-scenario, with an undoable change list."""

from __future__ import annotations

import streamlit as st

from workbench import redesign
from workbench.app import state
from workbench.app.guard import flash, guarded
from workbench.app.widgets import pick_map_zoom, show_map
from workbench.errors import ModelError
from workbench.model import ProcessModel

__all__ = ["redesign_page"]

_MOVES = {
    "remove_step": "Remove a step",
    "merge_steps": "Merge a step with the next one",
    "set_value_class": "Change the value class",
    "set_duration": "Change the time",
    "set_pca": "Change the %C&A",
    "move_lane": "Move to another lane",
    "set_staff": "Add or remove staff",
    "set_route": "Change where a step leads",
    "set_probability": "Change a branch probability",
}


@guarded
def redesign_page() -> None:
    """Apply LEAN moves to the after-scenario and list them, each undoable."""
    st.title("Redesign")
    before, after = state.get_model("before"), state.get_model("after")
    _scenario_controls(before, after)
    moves_column, changes_column = st.columns([1, 1])
    with moves_column:
        st.subheader("Apply a LEAN move")
        _move_form(after)
    with changes_column:
        st.subheader("Change list")
        _change_list(before, after)
    st.subheader("After-scenario map")
    show_map(state.get_model("after"), zoom=pick_map_zoom("redesign_map_zoom"))


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _scenario_controls(before: ProcessModel, after: ProcessModel) -> None:
    steps_before = _count(len(before.steps), "step")
    steps_after = _count(len(after.steps), "step")
    changes = _count(len(after.changes), "change")
    st.caption(
        f"Before: **{before.name}**, {steps_before}. "
        f"After: **{after.name}**, {steps_after}, {changes}."
    )
    left, right = st.columns(2)
    if left.button("Start the after-scenario as a copy of the before"):
        state.set_model("after", redesign.start_after(before))
        flash("The after-scenario is now a copy of the before, with no changes.")
        st.rerun()
    if right.button("Replay the change list on the current before"):
        _replace_after(lambda: redesign.replay_changes(before, after.changes))


def _replace_after(build) -> None:
    try:
        model = build()
    except (ModelError, IndexError) as error:
        st.error(f"The after-scenario is unchanged: {error}")
        return
    state.set_model("after", model)
    st.rerun()


def _move_form(after: ProcessModel) -> None:
    action = st.selectbox(
        "Move", list(_MOVES), format_func=_MOVES.__getitem__, key="move_action"
    )
    if action == "set_staff":
        pools = [pool.name for pool in after.pools]
        target = st.selectbox("Staff pool", pools, key="move_pool")
    else:
        target = st.selectbox("Step", [s.name for s in after.steps], key="move_step")
    details = _move_details(action, target, after)
    label = st.text_input("Label in the change list (optional)", key="move_label")
    if st.button("Apply the move", type="primary", disabled=target is None):
        _replace_after(
            lambda: redesign.apply_move(after, action, target, label, **details)
        )


def _move_details(action: str, target: str | None, after: ProcessModel) -> dict:
    if target is None:
        return {}
    names = [s.name for s in after.steps]
    if action == "merge_steps":
        other = st.selectbox("Merge with", names, key="move_other")
        new_name = st.text_input("Name of the merged step (optional)", key="move_name")
        return {"other": other, "name": new_name} if new_name else {"other": other}
    if action == "set_value_class":
        value_class = st.radio("Value class", ["VA", "BVA", "NVA"], horizontal=True)
        return {"value_class": value_class}
    if action == "set_duration":
        return {"duration": _duration_inputs(after.time_unit)}
    if action == "set_pca":
        return {"pca": st.number_input("%C&A", 1.0, 100.0, 100.0, key="move_pca")}
    if action == "move_lane":
        lanes = [lane.name for lane in after.lanes]
        return {"lane": st.selectbox("Lane", lanes, accept_new_options=True)}
    if action == "set_staff":
        capacity = after.pool(target).capacity
        return {"capacity": int(st.number_input("Staff", 1, 1000, capacity))}
    if action == "set_route":
        return _route_inputs(names)
    return _probability_inputs(after, target) if action == "set_probability" else {}


def _duration_inputs(time_unit: str) -> dict:
    st.caption(f"Three-point time in {time_unit}; equal values make it fixed.")
    columns = st.columns(3)
    low = columns[0].number_input("Min", 0.0, value=1.0, key="move_min")
    likely = columns[1].number_input("Most likely", 0.0, value=2.0, key="move_mode")
    high = columns[2].number_input("Max", 0.0, value=4.0, key="move_max")
    if low == high:
        return {"dist": "fixed", "value": likely}
    return {"dist": "triangular", "min": low, "mode": likely, "max": high}


def _route_inputs(names: list[str]) -> dict:
    ends = ["resolved", "withdrawn", "transferred_out"]
    choice = st.selectbox("Leads to", names + [f"end: {e}" for e in ends])
    if choice.startswith("end: "):
        return {"end": choice.removeprefix("end: ")}
    return {"to": choice}


def _probability_inputs(after: ProcessModel, target: str) -> dict:
    branches = after.step(target).branches or []
    if not branches:
        st.info(f"'{target}' is not a decision; pick a decision step.")
        return {}
    to = st.selectbox("Branch to", [b.to for b in branches], key="move_branch")
    probability = st.number_input("Probability", 0.0, 1.0, 0.5, key="move_p")
    return {"to": to, "probability": probability}


def _matches_replay(before: ProcessModel, after: ProcessModel) -> bool:
    try:
        replayed = redesign.replay_changes(before, after.changes)
    except ModelError:
        return False
    fields = ("steps", "pools", "arrivals", "lanes", "calendar")
    return all(getattr(replayed, f) == getattr(after, f) for f in fields)


def _change_list(before: ProcessModel, after: ProcessModel) -> None:
    if not _matches_replay(before, after):
        st.warning(
            "The after-scenario differs from the before plus this change list, "
            "because it was loaded or edited on Build. Undo replays the listed "
            "changes on the before, so those other differences would be lost."
        )
    if not after.changes:
        st.info("No changes yet. Apply a move to start the redesign.")
        return
    for index, change in enumerate(after.changes):
        text, button = st.columns([4, 1])
        text.markdown(f"{index + 1}. **{change.label}** ({change.action})")
        if button.button("Undo", key=f"undo-{index}"):
            _replace_after(lambda i=index: redesign.undo_change(before, after, i))
