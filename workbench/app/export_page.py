"""Export: the scenarios as YAML, the results as CSV and XLSX, and the trace."""

from __future__ import annotations

import streamlit as st

from workbench.app import state
from workbench.app.export_files import results_xlsx, trace_zip
from workbench.app.guard import guarded
from workbench.app.results import latest_run
from workbench.labels import readable_differences
from workbench.loading import dump_model

__all__ = ["export_page"]


@guarded
def export_page() -> None:
    """Offer downloads of both scenarios and of the latest results."""
    st.title("Export")
    _scenario_downloads()
    st.subheader("Results")
    run = latest_run()
    if run is None:
        st.info("Run the comparison on Simulate and compare to export results.")
        return
    if any(run[name] != state.get_model(name) for name in state.SCENARIOS):
        st.warning(
            "These results are for earlier versions of the scenarios. Run the "
            "comparison again on Simulate and compare to export current results."
        )
    _result_downloads(run["comparison"])


def _scenario_downloads() -> None:
    st.subheader("Scenarios")
    for scenario in state.SCENARIOS:
        model = state.get_model(scenario)
        st.download_button(
            f"Download the {scenario}-scenario (YAML): {model.name}",
            dump_model(model),
            file_name=f"{scenario}.yaml",
            mime="application/x-yaml",
        )


def _result_downloads(comparison) -> None:
    st.download_button(
        "Download the before/after table as shown, with units (CSV)",
        readable_differences(comparison.to_frame()).to_csv(index=False),
        file_name="comparison-readable.csv",
        mime="text/csv",
    )
    st.download_button(
        "Download the before/after table, raw, times in minutes (CSV)",
        comparison.to_frame().to_csv(index=False),
        file_name="comparison.csv",
        mime="text/csv",
    )
    st.download_button(
        "Download the results (XLSX)",
        results_xlsx(comparison),
        file_name="results.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    st.download_button(
        "Download the trace (ZIP of CSV tables)",
        trace_zip(comparison),
        file_name="trace.zip",
        mime="application/zip",
    )
