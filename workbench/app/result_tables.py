"""Headline metrics and readable result tables of the Simulate and compare page."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from workbench.labels import (
    DETAIL_PREFIXES,
    format_number,
    format_percent_change,
    readable_differences,
    readable_structure,
    round_significant,
    time_unit_for,
)

__all__ = [
    "HEADLINE",
    "SAVINGS",
    "show_headline",
    "show_differences",
    "show_structure",
    "show_savings",
]

#: Headline metrics: id in the comparison and label on the page.
HEADLINE = {
    "lead_time_mean_minutes": "Lead time, mean",
    "waiting_time_mean_minutes": "Waiting time, mean",
    "steps_per_case": "Steps per case",
    "handoffs_per_case": "Handoffs per case",
}

#: Yearly savings: attribute of the savings estimate, label and unit on the page.
SAVINGS = (
    ("staff_hours", "Staff hours", "hours"),
    ("fte", "FTE", "full-time staff"),
    ("labour_cost", "Labour cost", "currency"),
    ("customer_waiting_hours", "Customer waiting hours", "hours"),
)

#: Pixel heights of a dataframe row and of its header and border in Streamlit 1.67,
#: so a table shows every row without an inner scroll bar.
_ROW_PIXELS = 35
_FRAME_PIXELS = 38

#: Pixel widths of the columns, which fit a 1280-pixel-wide window with the
#: sidebar open. Longer labels end in an ellipsis.
_LABEL_COLUMNS = {
    "metric": st.column_config.TextColumn(width=220),
    "unit": st.column_config.TextColumn(width=110),
    "before (95% CI)": st.column_config.TextColumn(width=125),
    "after (95% CI)": st.column_config.TextColumn(width=125),
    "change (95% CI)": st.column_config.TextColumn(width=145),
    "% change": st.column_config.TextColumn(width=70),
}

_CAPTION = (
    "Each cell shows the mean over the replications and its 95% confidence "
    "interval in brackets. The change is after minus before, with common random "
    "numbers; an interval that contains 0 means no clear change. Times of 2 hours "
    "or more are in hours, of 2 days or more in days of 24 hours. Export has the "
    "raw table in minutes."
)


def show_headline(comparison) -> None:
    """Show the headline metrics of the after-scenario with their change.

    A drop is coloured green and a rise red, because every headline metric is
    better lower. A change whose 95% confidence interval contains 0 stays grey,
    because the run cannot tell it from noise.
    Each time carries its own unit, so a lead time can read "14.7 hours" with a
    change of "-3.93 days".
    """
    table = comparison.to_frame().set_index("metric")
    columns = st.columns(len(HEADLINE))
    for column, (metric, label) in zip(columns, HEADLINE.items(), strict=True):
        if metric not in table.index:
            continue
        row = table.loc[metric]
        is_time = row["unit"] == "minutes"
        column.metric(
            f"{label}, after",
            _with_unit(row["after_mean"], is_time),
            f"{_with_unit(row['change'], is_time, signed=True)} "
            f"({format_percent_change(row['percent_change'])})",
            delta_color="inverse" if _is_clear(row) else "off",
            help=f"Before: {_with_unit(row['before_mean'], is_time)}. "
            "The change is after minus before, with its percent of before. It is "
            "grey when its 95% confidence interval contains 0.",
        )


def _is_clear(row: pd.Series) -> bool:
    return bool(row["change_ci_low"] > 0 or row["change_ci_high"] < 0)


def _with_unit(value: float, is_time: bool, signed: bool = False) -> str:
    unit, scale = time_unit_for(value) if is_time else ("", 1.0)
    text = format_number(value / scale)
    if signed and not text.startswith("-"):
        text = f"+{text}"
    return f"{text} {unit}" if unit else text


def show_differences(comparison) -> None:
    """Show the before/after table with labels, units and rounded intervals.

    Per-pool utilization and per-step queue lengths follow in a collapsed table,
    because they make the main table too long to read on a projector.
    """
    frame = _without_empty_end_states(comparison.to_frame())
    detail = frame["metric"].str.startswith(DETAIL_PREFIXES)
    _full_table(readable_differences(frame[~detail]), column_config=_LABEL_COLUMNS)
    st.caption(_CAPTION)
    if detail.any():
        with st.expander("Utilization per staff pool and queue length per step"):
            _full_table(
                readable_differences(frame[detail]), column_config=_LABEL_COLUMNS
            )
            st.caption("An en dash marks a pool or step that the scenario lacks.")


def _without_empty_end_states(frame: pd.DataFrame) -> pd.DataFrame:
    """Drop end-state shares that are 0 in both scenarios, such as no abandonment."""
    end_state = frame["metric"].str.match(r"end_state_.*_percent$")
    empty = (frame["before_mean"] == 0) & (frame["after_mean"] == 0)
    return frame[~(end_state & empty)]


def show_structure(comparison) -> None:
    """Show the structural metrics of both models with readable labels."""
    if comparison.structure.empty:
        return
    st.subheader("Structure of each scenario (from the models, no simulation)")
    _full_table(readable_structure(comparison.structure), hide_index=False)


def show_savings(saving) -> None:
    """Show the yearly savings with their unit and 95% confidence interval.

    The numbers stay numeric, rounded to three significant digits, so the table
    still sorts. A negative saving is a cost of the redesign.
    """
    rows = []
    for attribute, label, unit in SAVINGS:
        estimate = getattr(saving, attribute)
        rows.append(
            {
                "saving per year": label,
                "unit": unit,
                "mean": round_significant(estimate.mean),
                "95% CI low": round_significant(estimate.ci_low),
                "95% CI high": round_significant(estimate.ci_high),
            }
        )
    number = st.column_config.NumberColumn(format="localized")
    _full_table(
        pd.DataFrame(rows),
        column_config={c: number for c in ("mean", "95% CI low", "95% CI high")},
    )


def _full_table(frame: pd.DataFrame, hide_index: bool = True, **options) -> None:
    height = _FRAME_PIXELS + _ROW_PIXELS * len(frame)
    st.dataframe(
        frame, hide_index=hide_index, width="stretch", height=height, **options
    )
