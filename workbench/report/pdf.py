"""Print the HTML report to PDF with headless chromium.

Chromium runs with a fresh profile in a temporary folder and with its background
network features off, and it opens only the report file, which loads nothing
else. The PDF therefore shows the same text as the HTML page.
"""

from __future__ import annotations

import logging
import os
import subprocess
import tempfile
from pathlib import Path

from workbench.errors import ReportError

__all__ = ["CHROMIUM", "CHROMIUM_FLAGS", "PRINT_TIMEOUT_SECONDS", "html_to_pdf"]

logger = logging.getLogger(__name__)

#: The chromium binary; the ``WORKBENCH_CHROMIUM`` environment variable overrides it.
CHROMIUM = os.environ.get("WORKBENCH_CHROMIUM", "/usr/bin/chromium")

#: Flags for a headless run that contacts no service of its own.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)

#: Seconds that one print may take before it is stopped.
PRINT_TIMEOUT_SECONDS = 120


def html_to_pdf(html: str, chromium: str | None = None) -> bytes:
    """Print an HTML page to PDF with headless chromium.

    Parameters
    ----------
    html : str
        A self-contained page; anything it would load from elsewhere is not fetched.
    chromium : str, optional
        The chromium binary; :data:`CHROMIUM` by default.

    Returns
    -------
    bytes
        The PDF document.

    Raises
    ------
    ReportError
        If chromium is missing, fails, times out or writes no PDF.
    """
    binary = chromium or CHROMIUM
    with tempfile.TemporaryDirectory(prefix="workbench-pdf-") as folder:
        page = Path(folder) / "report.html"
        output = Path(folder) / "report.pdf"
        page.write_text(html, encoding="utf-8")
        command = [
            binary,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={Path(folder) / 'profile'}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={output}",
            page.as_uri(),
        ]
        _run(command, binary)
        if not output.exists() or output.stat().st_size == 0:
            raise ReportError(f"chromium ({binary}) ran but wrote no PDF")
        return output.read_bytes()


def _run(command: list[str], binary: str) -> None:
    logger.info("printing the report with %s", binary)
    try:
        completed = subprocess.run(
            command, capture_output=True, text=True, timeout=PRINT_TIMEOUT_SECONDS
        )
    except FileNotFoundError:
        raise ReportError(
            f"chromium not found at {binary}; install it or set WORKBENCH_CHROMIUM "
            "to its path, or write the report as .html or .xlsx"
        ) from None
    except subprocess.TimeoutExpired:
        raise ReportError(
            f"chromium did not finish printing within {PRINT_TIMEOUT_SECONDS} s"
        ) from None
    if completed.returncode != 0:
        last_line = (completed.stderr.strip().splitlines() or ["no message"])[-1]
        raise ReportError(
            f"chromium failed with exit code {completed.returncode}: {last_line}"
        )
