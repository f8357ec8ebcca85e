"""Check a calibrated model against its event log.

The model is simulated for the log's number of cases, and the simulated cases are
compared with the log's in three tables. Lead time is compared by mean, median and
90th percentile, and by the Kolmogorov-Smirnov and Wasserstein distances between
the two distributions. The other tables compare visits per case of each activity
and the share of cases of the most frequent variants.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from workbench.eventlog.calibration import CASE_CLOSED, SESSION_WAIT, START_SUFFIX
from workbench.eventlog.discovery import case_variants
from workbench.eventlog.fitting import lead_times
from workbench.model import ProcessModel
from workbench.sim.experiment import ExperimentSettings, run_experiment

__all__ = [
    "DEFAULT_TOLERANCE",
    "LogCheck",
    "check_against_log",
    "lead_time_figure",
]

logger = logging.getLogger(__name__)

#: Largest relative difference between simulated and logged lead-time statistics,
#: and between visits per case of an activity, that counts as a match.
DEFAULT_TOLERANCE = 0.2

#: Largest absolute difference between the shares of cases of a variant.
VARIANT_SHARE_TOLERANCE = 0.05

#: Steps that calibration adds and that are not activities of the log.
_ADDED_STEPS = {SESSION_WAIT, CASE_CLOSED}


@dataclass
class LogCheck:
    """A calibrated model's simulated cases compared with the log's cases.

    Attributes
    ----------
    lead_time : pandas.DataFrame
        Rows ``mean``, ``median``, ``p90`` (minutes), ``ks_distance`` and
        ``wasserstein`` (minutes), with columns ``log``, ``simulated``,
        ``difference`` (relative, for the statistics) and ``miss``.
    activities : pandas.DataFrame
        Visits per case of each activity, ``log`` and ``simulated``, with
        ``difference`` and ``miss``.
    variants : pandas.DataFrame
        Share of cases of the log's most frequent variants, ``log`` and
        ``simulated``, with ``difference`` (absolute) and ``miss``.
    log_lead_times, simulated_lead_times : pandas.Series
        The lead times in minutes, for plots.
    in_progress : int
        Simulated cases still in progress at the end of the run; they have no
        lead time and are left out of the comparison.
    """

    lead_time: pd.DataFrame
    activities: pd.DataFrame
    variants: pd.DataFrame
    log_lead_times: pd.Series
    simulated_lead_times: pd.Series
    in_progress: int

    @property
    def misses(self) -> list[str]:
        """One sentence per flagged difference."""
        lines = []
        for name, table in (
            ("lead time", self.lead_time),
            ("activity", self.activities),
            ("variant", self.variants),
        ):
            for label, row in table[table["miss"]].iterrows():
                lines.append(
                    f"{name} {label}: log {row['log']:.4g}, simulated "
                    f"{row['simulated']:.4g}"
                )
        return lines


def check_against_log(
    model: ProcessModel,
    events: pd.DataFrame,
    *,
    replications: int = 3,
    seed: int = 1,
    tolerance: float = DEFAULT_TOLERANCE,
    top_variants: int = 10,
) -> LogCheck:
    """Simulate ``model`` for the log's number of cases and compare with ``events``.

    Parameters
    ----------
    model : ProcessModel
        The calibrated model, such as from :func:`workbench.eventlog.calibrate`.
    events : pandas.DataFrame
        The event table that the model was calibrated from.
    replications : int, default 3
        Runs of the log's number of cases each; their cases are pooled.
    seed : int, default 1
        Root seed of the runs.
    tolerance : float, default 0.2
        Relative difference above which a statistic is flagged as a miss.
    top_variants : int, default 10
        How many of the log's most frequent variants to compare.

    Returns
    -------
    LogCheck
    """
    cases = events["case_id"].nunique()
    settings = ExperimentSettings(
        replications=replications, cases=cases, seed=seed, jobs=1
    )
    result = run_experiment(model, settings)
    simulated = result.cases
    ended = simulated[simulated["end_state"] != "in_progress"]
    log_times = lead_times(events).reset_index(drop=True)
    sim_times = ended["lead_time"].reset_index(drop=True)
    in_progress = len(simulated) - len(ended)
    if in_progress:
        logger.warning(
            "%d simulated cases were still in progress at the end of the run and "
            "are left out of the comparison",
            in_progress,
        )
    sim_paths = _simulated_paths(result.visits, ended)
    return LogCheck(
        lead_time=_compare_lead_times(log_times, sim_times, tolerance),
        activities=_compare_activities(events, sim_paths, tolerance),
        variants=_compare_variants(case_variants(events), sim_paths, top_variants),
        log_lead_times=log_times,
        simulated_lead_times=sim_times,
        in_progress=in_progress,
    )


def _compare_lead_times(
    log: pd.Series, sim: pd.Series, tolerance: float
) -> pd.DataFrame:
    rows = {}
    for name, measure in (
        ("mean", np.mean),
        ("median", np.median),
        ("p90", lambda v: np.quantile(v, 0.9)),
    ):
        logged, simulated = float(measure(log)), float(measure(sim))
        difference = _relative_difference(logged, simulated)
        rows[name] = (logged, simulated, difference, abs(difference) > tolerance)
    ks = stats.ks_2samp(log, sim).statistic
    rows["ks_distance"] = (0.0, float(ks), float(ks), bool(ks > tolerance))
    distance = stats.wasserstein_distance(log, sim)
    scale = float(np.mean(log)) or 1.0
    rows["wasserstein"] = (
        0.0,
        distance,
        distance / scale,
        distance / scale > tolerance,
    )
    table = pd.DataFrame.from_dict(
        rows, orient="index", columns=["log", "simulated", "difference", "miss"]
    )
    table["miss"] = table["miss"].astype(bool)
    return table


def _relative_difference(logged: float, simulated: float) -> float:
    if logged != 0:
        return (simulated - logged) / logged
    if simulated != 0:
        return float("inf")
    return 0.0


def _simulated_paths(visits: pd.DataFrame, ended: pd.DataFrame) -> pd.Series:
    keys = set(zip(ended["replication"], ended["case_id"], strict=True))
    work = visits[(visits["kind"] != "decision") & ~visits["step"].isin(_ADDED_STEPS)]
    work = work.sort_values(["replication", "case_id", "end_at"], kind="mergesort")
    work = work.assign(step=work["step"].str.removesuffix(START_SUFFIX))
    paths = work.groupby(["replication", "case_id"], sort=False)["step"].agg(tuple)
    paths = paths[[key in keys for key in paths.index]]
    missing = len(keys) - len(paths)
    # A case that visits only added steps has an empty path.
    empty = pd.Series([()] * missing, dtype=object)
    return pd.concat([paths.reset_index(drop=True), empty], ignore_index=True)


def _compare_activities(
    events: pd.DataFrame, paths: pd.Series, tolerance: float
) -> pd.DataFrame:
    log = events["activity"].value_counts() / events["case_id"].nunique()
    sim_counts = pd.Series([step for path in paths for step in path]).value_counts()
    sim = sim_counts / max(len(paths), 1)
    table = pd.DataFrame({"log": log, "simulated": sim}).fillna(0.0)
    table["difference"] = table["simulated"] - table["log"]
    relative = table["difference"].abs() / table["log"].where(table["log"] > 0, 1.0)
    # Rare activities differ by chance, so a miss needs a relative and an absolute gap.
    table["miss"] = (relative > tolerance) & (table["difference"].abs() > 0.05)
    return table.sort_values("log", ascending=False)


def _compare_variants(
    log_variants: pd.Series, paths: pd.Series, top: int
) -> pd.DataFrame:
    log = log_variants.value_counts(normalize=True).head(top)
    sim = paths.value_counts(normalize=True)
    table = pd.DataFrame(
        {"log": log, "simulated": [float(sim.get(v, 0.0)) for v in log.index]},
        index=log.index,
    )
    table.index = [_short_variant(v) for v in table.index]
    table["difference"] = table["simulated"] - table["log"]
    table["miss"] = table["difference"].abs() > VARIANT_SHARE_TOLERANCE
    return table


def _short_variant(variant: tuple) -> str:
    return (
        " > ".join(variant)
        if len(variant) <= 6
        else (
            " > ".join(variant[:3])
            + f" > ... ({len(variant)} activities) > "
            + variant[-1]
        )
    )


def lead_time_figure(check: LogCheck):
    """Return a plotly figure of the log's and simulated lead-time distributions.

    The x axis is logarithmic in hours, because lead times of service processes
    span minutes to months. Zero lead times are drawn in the smallest bin.
    """
    import plotly.graph_objects as go

    figure = go.Figure()
    log_hours = np.log10(np.maximum(check.log_lead_times / 60.0, 1e-3))
    sim_hours = np.log10(np.maximum(check.simulated_lead_times / 60.0, 1e-3))
    bins = {"start": -3, "end": float(max(log_hours.max(), sim_hours.max())) + 0.1}
    bins["size"] = (bins["end"] - bins["start"]) / 40
    for name, values in (("Event log", log_hours), ("Simulated", sim_hours)):
        figure.add_histogram(
            x=values, name=name, histnorm="probability", opacity=0.6, xbins=bins
        )
    ticks = list(range(-3, int(bins["end"]) + 1))
    figure.update_layout(
        barmode="overlay",
        title="Lead time: event log against simulated model",
        xaxis={
            "title": "lead time (hours, log scale)",
            "tickvals": ticks,
            "ticktext": [f"{10.0**t:g}" for t in ticks],
        },
        yaxis={"title": "share of cases"},
    )
    return figure
