"""Yearly savings of a redesign: staff hours, FTE, labour cost and customer waiting.

A saving is the per-case difference between two scenarios (before minus after, so
a positive number is a saving) times the yearly case volume. The per-case
differences are paired by replication, because both scenarios ran with the same
seed, and the volume is a constant, so each saving carries the paired 95%
confidence interval of its per-case difference, scaled.

Assumptions, each stated in :attr:`YearlySavings.assumptions`:

- The yearly case volume is the before-scenario's mean arrival rate over a typical
  week (profiles and ``open_hours_only`` applied, holidays and backlog left out)
  times 365 days, unless the caller gives a volume.
- Every arriving case needs the mean staff time of a finished case (abandoned
  cases included) and waits the mean waiting time of a completed case.
- An FTE works :data:`HOURS_PER_FTE` hours a year unless the caller gives another
  figure.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd

from workbench.calendar import mean_arrival_rate_per_minute
from workbench.model import ProcessModel
from workbench.sim.stats import CONFIDENCE, Estimate, paired_difference_ci

__all__ = [
    "HOURS_PER_FTE",
    "DAYS_PER_YEAR",
    "SavingsAssumptions",
    "YearlySavings",
    "yearly_case_volume",
    "yearly_savings",
]

#: Working hours of one full-time equivalent per year: 2,080 hours (52 weeks of 40
#: hours) less 360 hours of leave, public holidays and other absence. This is a
#: planning estimate, so pass the organisation's own figure where it differs.
HOURS_PER_FTE = 1720.0

#: Days in the year that :func:`yearly_case_volume` scales the weekly rate to.
DAYS_PER_YEAR = 365.0

_YEAR_MINUTES = DAYS_PER_YEAR * 1440.0


@dataclass(frozen=True)
class SavingsAssumptions:
    """The figures that turn per-case differences into yearly savings.

    Attributes
    ----------
    hours_per_fte : float
        Working hours per FTE per year, default :data:`HOURS_PER_FTE`.
    cases_per_year : float or None
        The yearly case volume; None derives it from the before-scenario's
        arrival rates with :func:`yearly_case_volume`.
    cost_per_hour : float or None
        One labour cost per staff hour for every pool; None prices staff time at
        each pool's ``cost_per_hour`` as the simulation recorded it.
    """

    hours_per_fte: float = HOURS_PER_FTE
    cases_per_year: float | None = None
    cost_per_hour: float | None = None

    def __post_init__(self):
        if not self.hours_per_fte > 0:
            raise ValueError(
                f"hours per FTE must be positive, received {self.hours_per_fte}; "
                f"a common figure is {HOURS_PER_FTE:,.0f}"
            )
        if self.cases_per_year is not None and self.cases_per_year < 0:
            raise ValueError(
                f"cases per year must not be negative, received {self.cases_per_year}"
            )
        if self.cost_per_hour is not None and self.cost_per_hour < 0:
            raise ValueError(
                f"cost per hour must not be negative, received {self.cost_per_hour}"
            )


@dataclass(frozen=True)
class YearlySavings:
    """Yearly savings of one scenario against the baseline, with 95% intervals.

    Each estimate is before minus after, so positive values are savings.
    """

    scenario: str
    baseline: str
    cases_per_year: float
    staff_hours: Estimate
    fte: Estimate
    labour_cost: Estimate
    customer_waiting_hours: Estimate
    assumptions: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        """Return the savings as plain data for JSON."""
        return {
            "scenario": self.scenario,
            "baseline": self.baseline,
            "cases_per_year": self.cases_per_year,
            "staff_hours": self.staff_hours.as_dict(),
            "fte": self.fte.as_dict(),
            "labour_cost": self.labour_cost.as_dict(),
            "customer_waiting_hours": self.customer_waiting_hours.as_dict(),
            "assumptions": list(self.assumptions),
        }


def yearly_case_volume(model: ProcessModel) -> float:
    """Estimate the cases arriving in a year from the model's arrival streams.

    The sum over streams of the mean arrival rate over a typical week (hour and
    weekday profiles and ``open_hours_only`` applied, holidays ignored) times
    :data:`DAYS_PER_YEAR` days. The initial backlog is not counted.
    """
    per_minute = sum(
        mean_arrival_rate_per_minute(model, stream.name) for stream in model.arrivals
    )
    return per_minute * _YEAR_MINUTES


def _scaled(estimate: Estimate, factor: float) -> Estimate:
    low, high = estimate.ci_low * factor, estimate.ci_high * factor
    return Estimate(
        estimate.mean * factor,
        min(low, high),
        max(low, high),
        estimate.half_width * abs(factor),
        estimate.n,
    )


def _saving(
    before: pd.DataFrame,
    after: pd.DataFrame,
    column: str,
    factor: float,
    confidence: float,
) -> Estimate:
    if column not in before or column not in after:
        return Estimate(math.nan, math.nan, math.nan, math.nan, 0)
    first = before[column].to_numpy(dtype=float)
    second = after[column].to_numpy(dtype=float)
    # Saving = before - after, the paired difference taken the other way round.
    return _scaled(paired_difference_ci(second, first, confidence), factor)


def _assumption_texts(
    assumptions: SavingsAssumptions, cases_per_year: float, derived: bool
) -> list[str]:
    source = (
        "the before-scenario's mean arrival rate over a typical week times "
        f"{DAYS_PER_YEAR:g} days (holidays and backlog left out)"
        if derived
        else "given by the user"
    )
    cost = (
        f"labour cost at {assumptions.cost_per_hour:g} per staff hour for every pool"
        if assumptions.cost_per_hour is not None
        else "labour cost at each pool's cost_per_hour"
    )
    return [
        f"{cases_per_year:,.0f} cases per year: {source}",
        f"{assumptions.hours_per_fte:,.0f} working hours per FTE per year",
        cost,
        "every case needs the mean staff time of a finished case (abandoned "
        "included) and waits the mean waiting time of a completed case",
    ]


def yearly_savings(
    before: pd.DataFrame,
    after: pd.DataFrame,
    before_model: ProcessModel,
    assumptions: SavingsAssumptions | None = None,
    confidence: float = CONFIDENCE,
    names: tuple[str, str] = ("before", "after"),
) -> YearlySavings:
    """Estimate the yearly savings of ``after`` against ``before``.

    Parameters
    ----------
    before, after : pandas.DataFrame
        Replication metrics of the two scenarios (from
        :func:`workbench.sim.metrics.replication_metrics`), run with the same
        seed and the same number of replications, so row ``i`` pairs with row
        ``i``.
    before_model : ProcessModel
        The baseline model, whose arrival rates give the yearly case volume
        unless ``assumptions.cases_per_year`` is set.
    assumptions : SavingsAssumptions, optional
        Hours per FTE (default 1,720), yearly case volume and labour cost rate.
    confidence : float, default 0.95
        The confidence level of the intervals.
    names : tuple of str, default ("before", "after")
        The scenario names recorded in the result.

    Returns
    -------
    YearlySavings
        Staff hours, FTE, labour cost and customer waiting hours saved per year.

    Raises
    ------
    ValueError
        If the two tables have different numbers of replications.
    """
    assumptions = assumptions or SavingsAssumptions()
    derived = assumptions.cases_per_year is None
    volume = yearly_case_volume(before_model) if derived else assumptions.cases_per_year
    staff_hours = _saving(before, after, "staff_hours_per_case", volume, confidence)
    if assumptions.cost_per_hour is None:
        cost = _saving(before, after, "labour_cost_per_case", volume, confidence)
    else:
        cost = _scaled(staff_hours, assumptions.cost_per_hour)
    waiting = _saving(
        before, after, "waiting_time_mean_minutes", volume / 60.0, confidence
    )
    return YearlySavings(
        scenario=names[1],
        baseline=names[0],
        cases_per_year=float(volume),
        staff_hours=staff_hours,
        fte=_scaled(staff_hours, 1.0 / assumptions.hours_per_fte),
        labour_cost=cost,
        customer_waiting_hours=waiting,
        assumptions=_assumption_texts(assumptions, volume, derived),
    )
