"""Event logs: read them, discover the process, calibrate a model and check it.

The public functions are :func:`read_log`, :func:`discover`, :func:`calibrate` and
:func:`check_against_log`; they pass the event table described in
:mod:`workbench.eventlog.reading` from one to the next.
"""

from workbench.eventlog.reading import EVENT_COLUMNS, ImportReport, LogMapping, read_log

__all__ = ["EVENT_COLUMNS", "ImportReport", "LogMapping", "read_log"]
