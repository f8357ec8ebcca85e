"""Simulate and compare: run both scenarios and show the before/after results."""

from __future__ import annotations

import hashlib

import streamlit as st

from workbench.app import charts, result_tables, state
from workbench.app.guard import guarded
from workbench.app.report_section import report_section
from workbench.labels import label_metric_ids
from workbench.loading import dump_model
from workbench.savings import HOURS_PER_FTE, SavingsAssumptions, yearly_savings
from workbench.sim.compare import compare_scenarios
from workbench.sim.experiment import ExperimentSettings
from workbench.sim.streams import DEFAULT_SEED
from workbench.validation import find_problems

__all__ = ["simulate_page", "DEFAULT_REPLICATIONS", "DEFAULT_DAYS", "run_key"]

#: Replications per scenario unless the user sets another number.
DEFAULT_REPLICATIONS = 10

#: Measured days per replication unless the user sets another number.
DEFAULT_DAYS = 20.0

#: Comparisons kept per session; older ones are dropped.
MAX_KEPT_RESULTS = 4


def run_key(before, after, settings: ExperimentSettings) -> str:
    """Return the content hash of two scenarios and the settings (seed included)."""
    text = dump_model(before) + "\n---\n" + dump_model(after) + repr(settings)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@guarded
def simulate_page() -> None:
    """Run the comparison with a progress bar and show the latest results."""
    st.title("Simulate and compare")
    before, after = state.get_model("before"), state.get_model("after")
    settings = _settings_inputs()
    key = run_key(before, after, settings)
    if st.button("Run the comparison", type="primary") and _runnable(before, after):
        _run(before, after, settings, key)
    latest = st.session_state.get("latest_key")
    if latest is None:
        st.info("Run the comparison to see results.")
        return
    if latest != key:
        st.warning(
            "These results are for earlier inputs: a scenario or a setting changed "
            "since. Run the comparison again to update them."
        )
    run = st.session_state.results[latest]
    step_order = [s.name for s in run["before"].steps + run["after"].steps]
    assumptions = _show_results(run["comparison"], run["before"], step_order)
    report_section(
        run["before"], run["after"], run["comparison"].settings, latest, assumptions
    )


def _settings_inputs() -> ExperimentSettings:
    with st.expander("Replications, seed and run length"):
        columns = st.columns(4)
        replications = columns[0].number_input(
            "Replications", 2, 500, DEFAULT_REPLICATIONS, key="sim_replications"
        )
        seed = columns[1].number_input(
            "Seed", 0, 2**31 - 1, DEFAULT_SEED, key="sim_seed"
        )
        days = columns[2].number_input(
            "Measured days", 1.0, 3650.0, DEFAULT_DAYS, key="sim_days"
        )
        warmup = columns[3].number_input(
            "Warm-up days", 0.0, 365.0, 0.0, key="sim_warmup"
        )
    return ExperimentSettings(
        replications=int(replications),
        seed=int(seed),
        days=float(days),
        warmup_days=float(warmup),
        jobs=1,
    )


def _runnable(before, after) -> bool:
    for name, model in (("before", before), ("after", after)):
        errors = [p for p in find_problems(model) if p.severity == "error"]
        if errors:
            st.error(
                f"The {name}-scenario has {len(errors)} problems; fix them on Build "
                f"first. The first: {errors[0]}"
            )
            return False
    return True


def _run(before, after, settings: ExperimentSettings, key: str) -> None:
    results = st.session_state.setdefault("results", {})
    if key not in results:
        bar = st.progress(0.0, text="Simulating")

        def progress(done: int, total: int) -> None:
            bar.progress(done / total, text=f"Replication {done} of {total}")

        comparison = compare_scenarios([before, after], settings, progress=progress)
        results[key] = {"comparison": comparison, "before": before, "after": after}
        bar.empty()
        while len(results) > MAX_KEPT_RESULTS:
            results.pop(next(iter(results)))
    st.session_state.latest_key = key


def _show_results(comparison, before, step_order: list[str]) -> SavingsAssumptions:
    result_tables.show_headline(comparison)
    st.subheader("Before and after, with 95% confidence intervals")
    result_tables.show_differences(comparison)
    if comparison.warnings:
        count = len(comparison.warnings)
        with st.expander(f"Precision warnings ({count}): consider more replications"):
            for warning in comparison.warnings:
                st.warning(label_metric_ids(warning))
    result_tables.show_structure(comparison)
    lead, waiting = st.columns(2)
    lead.plotly_chart(charts.distribution_figure(comparison, "lead_time", "Lead time"))
    waiting.plotly_chart(
        charts.distribution_figure(comparison, "waiting_time", "Waiting time")
    )
    st.plotly_chart(charts.value_stream_figure(comparison, step_order))
    st.plotly_chart(charts.utilization_figure(comparison))
    return _savings(comparison, before)


def _savings(comparison, before) -> SavingsAssumptions:
    st.subheader("Yearly savings")
    assumptions = _savings_assumptions()
    names = comparison.scenarios
    saving = yearly_savings(
        comparison.metrics[names[0]],
        comparison.metrics[names[1]],
        before,
        assumptions,
        names=(names[0], names[1]),
    )
    result_tables.show_savings(saving)
    st.caption("Assumptions: " + "; ".join(saving.assumptions) + ".")
    return assumptions


def _savings_assumptions() -> SavingsAssumptions:
    columns = st.columns(3)
    hours = columns[0].number_input(
        "Hours per FTE per year", 1.0, 8760.0, HOURS_PER_FTE
    )
    use_pool_cost = columns[1].checkbox("Price staff time at each pool's cost", True)
    cost = columns[2].number_input(
        "Cost per staff hour", 0.0, 10_000.0, 50.0, disabled=use_pool_cost
    )
    return SavingsAssumptions(
        hours_per_fte=hours, cost_per_hour=None if use_pool_cost else cost
    )
