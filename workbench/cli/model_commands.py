"""Commands that check, draw and describe model files: validate, render and info.

``workbench validate MODEL...`` prints each file's problems and exits with 1 if any
file has an error; warnings alone exit with 0. ``workbench render MODEL -o FILE``
writes the swimlane map. ``workbench info MODEL`` prints the structural metrics as a
table, or as JSON with ``--json``.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys

from workbench.errors import ModelError
from workbench.maps import MAP_FORMATS, MapRenderError, map_format, render_map
from workbench.structure import expected_visits, structural_metrics
from workbench.validation import load_and_validate

__all__ = ["register"]

logger = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``validate``, ``render`` and ``info`` commands to ``subparsers``."""
    validate = subparsers.add_parser(
        "validate",
        help="Check model files and list every problem found.",
        description="Check model files; exit 1 if any has an error.",
    )
    validate.add_argument("models", nargs="+", metavar="MODEL", help="YAML model file.")
    validate.set_defaults(handler=run_validate)

    render = subparsers.add_parser(
        "render",
        help="Draw a model as a swimlane map.",
        description="Draw a model as a swimlane map coloured by value class.",
    )
    render.add_argument("model", metavar="MODEL", help="YAML model file.")
    render.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="FILE",
        help=f"Output file; its suffix sets the format ({', '.join(MAP_FORMATS)}).",
    )
    render.add_argument(
        "--format",
        choices=sorted(set(MAP_FORMATS.values())),
        help="Output format when the file name has another suffix.",
    )
    render.set_defaults(handler=run_render)

    info = subparsers.add_parser(
        "info",
        help="Show a model's structural LEAN metrics.",
        description=(
            "Show steps, handoffs, loops, rolled %%C&A, end-state shares and the "
            "expected visits to each step per arriving case."
        ),
    )
    info.add_argument("model", metavar="MODEL", help="YAML model file.")
    info.add_argument("--json", action="store_true", help="Print the metrics as JSON.")
    info.set_defaults(handler=run_info)


def run_validate(args: argparse.Namespace) -> int:
    """Check each model file and print its problems; return 1 if any has an error."""
    failed = 0
    for path in args.models:
        try:
            _, warnings = load_and_validate(path)
        except ModelError as error:
            print(error, file=sys.stderr)
            failed += 1
            continue
        for warning in warnings:
            print(f"{path}: {warning}")
        noun = "warning" if len(warnings) == 1 else "warnings"
        suffix = f" with {len(warnings)} {noun}" if warnings else ""
        print(f"{path}: valid{suffix}")
    return 1 if failed else 0


def run_render(args: argparse.Namespace) -> int:
    """Write the swimlane map of a model file.

    Returns 2 for an unknown output format and 1 if the map cannot be written.
    """
    try:
        fmt = map_format(args.output, args.format)
    except ValueError as error:
        print(f"workbench render: {error}", file=sys.stderr)
        return 2
    model, _ = load_and_validate(args.model)
    try:
        written = render_map(model, args.output, fmt)
    except (MapRenderError, OSError) as error:
        print(f"cannot write {args.output}: {error}", file=sys.stderr)
        return 1
    logger.info("map of %s written to %s", args.model, written)
    print(f"map written to {written}")
    return 0


def run_info(args: argparse.Namespace) -> int:
    """Print the structural metrics of a model file as a table or as JSON."""
    model, _ = load_and_validate(args.model)
    metrics = structural_metrics(model).as_dict()
    visits = expected_visits(model)
    if args.json:
        data = {"model": model.name, **metrics, "expected_visits": visits}
        print(json.dumps(_rounded(data), indent=2, ensure_ascii=False))
        return 0
    width = max([34, *(len(name) for name in visits)])
    print(model.name)
    for label, value in _table_rows(metrics):
        print(f"  {label:<{width}} {value}")
    print("expected visits per case")
    for name, count in visits.items():
        print(f"  {name:<{width}} {count:.2f}")
    return 0


def _rounded(value):
    """Round each float in ``value`` to 12 significant digits.

    Sums of probabilities such as 0.9999999999999998 then print as 1.0.
    """
    if isinstance(value, float):
        return float(f"{value:.12g}")
    if isinstance(value, dict):
        return {key: _rounded(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_rounded(item) for item in value]
    return value


_LABELS = {
    "steps": "steps (task and wait)",
    "va_steps": "value-added steps",
    "bva_steps": "business-value-added steps",
    "nva_steps": "non-value-added steps",
    "decisions": "decisions",
    "lanes": "lanes",
    "handoff_edges": "handoff edges",
    "rework_loops": "rework loops (%C&A below 100)",
    "routing_cycles": "routing cycles",
    "touchpoint_steps": "touchpoint steps",
    "rolled_pca_percent": "rolled %C&A (percent)",
    "expected_steps_per_case": "expected steps per case",
    "expected_handoffs_per_case": "expected handoffs per case",
    "expected_touchpoints_per_case": "expected touchpoints per case",
    "expected_decisions_per_case": "expected decisions per case",
}


def _table_rows(metrics: dict) -> list[tuple[str, str]]:
    rows = []
    for key, label in _LABELS.items():
        value = metrics[key]
        rows.append((label, f"{value:.2f}" if isinstance(value, float) else str(value)))
    for state, probability in metrics["end_state_probabilities"].items():
        rows.append((f"ends {state} (percent)", f"{100 * probability:.1f}"))
    return rows
