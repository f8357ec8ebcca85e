"""Result files for download: a workbook of results and a ZIP of trace tables."""

from __future__ import annotations

import io
import re
import zipfile

import pandas as pd

__all__ = ["results_xlsx", "trace_zip"]

_TRACE_TABLES = ("visits", "cases", "pools", "queues")


def results_xlsx(comparison) -> bytes:
    """Return a workbook with the comparison, each scenario's metrics and the savings.

    Sheets: ``comparison``, ``savings``, ``warnings`` and one ``metrics <n>`` sheet
    per scenario, ``n`` counting from 1 in scenario order.
    """
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        comparison.to_frame().to_excel(writer, sheet_name="comparison", index=False)
        savings = [saving.as_dict() for saving in comparison.savings]
        pd.json_normalize(savings).to_excel(writer, sheet_name="savings", index=False)
        warnings = pd.DataFrame({"warning": list(comparison.warnings)})
        warnings.to_excel(writer, sheet_name="warnings", index=False)
        for number, name in enumerate(comparison.scenarios, start=1):
            metrics = comparison.metrics[name]
            metrics.to_excel(writer, sheet_name=f"metrics {number}", index=False)
    return buffer.getvalue()


def trace_zip(comparison) -> bytes:
    """Return a ZIP with each scenario's trace tables as CSV files.

    Files are named ``<n>-<scenario>/<table>.csv`` with ``n`` counting from 1.
    """
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for number, name in enumerate(comparison.scenarios, start=1):
            folder = f"{number}-{_safe(name)}"
            result = comparison.results[name]
            for table in _TRACE_TABLES:
                frame = getattr(result, table)
                archive.writestr(f"{folder}/{table}.csv", frame.to_csv(index=False))
    return buffer.getvalue()


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "_", name).strip("_")[:40] or "scenario"
