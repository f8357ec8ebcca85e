"""The trace tables that a simulation run produces and every consumer reads.

All instants (``*_at``) are minutes since the start of the simulation, which is
midnight at the start of the experiment's start date. All durations (``*_time``) are
in minutes, whatever the model's time unit, so scenarios with different units compare
directly. Each table has a ``replication`` column so replications concatenate.

Tables
------
visits
    One row per step visit (decisions included, with zero times).
cases
    One row per case that arrived, finished or not.
pools
    One row per staff pool: time-weighted statistics over the measured period.
queues
    One row per step with a staff pool: time-weighted queue length.
"""

from __future__ import annotations

__all__ = [
    "VISIT_COLUMNS",
    "CASE_COLUMNS",
    "POOL_COLUMNS",
    "QUEUE_COLUMNS",
    "WAIT_CAUSES",
]

#: Causes of waiting, each a column of the visit and case tables ("<cause>_wait_time").
#: queue: waiting for a free member of staff while the pool is on duty.
#: off_hours: waiting while the pool has no staff on duty (nights, weekends, holidays).
#: external: an external wait step (the customer, mail, another agency).
#: batching: waiting for a batch to be released.
WAIT_CAUSES = ("queue", "off_hours", "external", "batching")

VISIT_COLUMNS = (
    "replication",
    "case_id",
    "stream",
    "channel",
    "step",
    "kind",  # task, wait or decision
    "lane",
    "pool",  # empty string when the step uses no staff
    "value_class",
    "touchpoint",
    "arrival_at",  # when the case reached the step
    "start_at",  # when work (or the external wait) started
    "end_at",
    "queue_wait_time",
    "off_hours_wait_time",
    "external_wait_time",
    "batching_wait_time",
    "process_time",  # staff or self-service work time; zero for waits and decisions
    "abandoned",  # the case left the queue of this step
    "in_warmup",  # the case arrived during the warm-up
)

CASE_COLUMNS = (
    "replication",
    "case_id",
    "stream",
    "channel",
    "priority",
    "arrival_at",
    "end_at",  # NaN while the case is still in progress at the end of the run
    "end_state",  # resolved, withdrawn, abandoned, transferred_out or in_progress
    "lead_time",  # end_at - arrival_at; NaN while in progress
    "process_time",
    "va_time",  # process time of VA steps
    "queue_wait_time",
    "off_hours_wait_time",
    "external_wait_time",
    "batching_wait_time",
    "steps",  # visits to task and wait steps; decisions are not steps
    "handoffs",  # moves between lanes, decisions being transparent
    "touchpoints",
    "staff_time",  # staff minutes spent on the case
    "labour_cost",  # staff_time priced at each pool's cost_per_hour
    "in_warmup",
)

POOL_COLUMNS = (
    "replication",
    "pool",
    "on_duty_time",  # staff minutes on duty, overtime included
    "busy_time",  # staff minutes serving cases
    "overtime",  # staff minutes worked past the end of a shift to finish a case
    "utilization",  # busy_time / on_duty_time, between 0 and 1
    "mean_busy",  # time-weighted mean number of busy staff
    "max_busy",
)

QUEUE_COLUMNS = (
    "replication",
    "step",
    "pool",
    "mean_queue",  # time-weighted mean number of cases waiting
    "max_queue",
)
