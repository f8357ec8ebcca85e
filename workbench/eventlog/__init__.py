"""Event logs: read them, discover the process, calibrate a model and check it.

The public functions are :func:`read_log`, :func:`discover`, :func:`calibrate` and
:func:`check_against_log`; they pass the event table described in
:mod:`workbench.eventlog.reading` from one to the next.
"""

from workbench.eventlog.calibration import calibrate
from workbench.eventlog.checking import LogCheck, check_against_log, lead_time_figure
from workbench.eventlog.discovery import Discovery, discover
from workbench.eventlog.reading import EVENT_COLUMNS, ImportReport, LogMapping, read_log
from workbench.eventlog.report import render_report

__all__ = [
    "EVENT_COLUMNS",
    "Discovery",
    "ImportReport",
    "LogCheck",
    "LogMapping",
    "calibrate",
    "check_against_log",
    "discover",
    "lead_time_figure",
    "read_log",
    "render_report",
]
