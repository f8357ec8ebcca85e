"""The warnings a report lists: of the models, of the comparison and of the changes.

Precision warnings of one scenario are condensed into one sentence that still names
every metric, so that a noisy run does not push the rest of the page off the sheet.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from workbench.model import ProcessModel
from workbench.report.attribution import Attribution
from workbench.sim.precision import HEADLINE_METRICS
from workbench.sim.stats import (
    TARGET_RELATIVE_HALF_WIDTH,
    mean_ci,
    precision_warning,
    replications_needed,
)

__all__ = ["report_warnings"]


def report_warnings(
    attribution: Attribution, models: Sequence[ProcessModel]
) -> list[str]:
    """Return every warning about the before and after model and their comparison.

    Parameters
    ----------
    attribution : Attribution
        The comparison of the chain of models from before to after.
    models : sequence of ProcessModel
        The before and the after model.

    Returns
    -------
    list of str
        Validation warnings of both models, the comparison's warnings with the
        precision warnings of each scenario condensed into one sentence, one
        sentence for the models between before and after, and one per recorded
        change that matches no difference.
    """
    comparison = attribution.comparison
    ends = [attribution.before_name, attribution.after_name]
    warnings = _model_warnings(ends, models)
    condensed = {name: _precision_texts(comparison, name) for name in ends}
    covered = {text for texts in condensed.values() for text, _ in texts}
    inner_prefixes = tuple(f"{name}: " for name in attribution.intermediate_names)
    inner = [t for t in comparison.warnings if t.startswith(inner_prefixes)]
    for text in comparison.warnings:
        if text not in covered and text not in inner:
            warnings.append(text)
    for name in ends:
        if condensed[name]:
            warnings.append(_precision_sentence(comparison, name, condensed[name]))
    if inner:
        warnings.append(
            f"{len(inner)} metrics of the models between before and after are less "
            "precise than the target, so the shares of the changes are uncertain; "
            "more replications narrow them"
        )
    warnings += _change_warnings(attribution)
    return warnings


def _model_warnings(names: list[str], models: Sequence[ProcessModel]) -> list[str]:
    from workbench.validation import validate

    warnings = []
    for name, model in zip(names, models, strict=True):
        warnings += [f"{name}: {problem}" for problem in validate(model)]
    return warnings


def _checked_metrics(columns) -> list[str]:
    """Return the metrics whose precision the comparison checks, in its order."""
    checked = [metric for metric in HEADLINE_METRICS if metric in columns]
    return checked + [metric for metric in columns if metric.startswith("utilization_")]


def _precision_texts(comparison, name: str) -> list[tuple[str, str]]:
    """Return ``(warning text, metric)`` for each metric of ``name`` that is too wide.

    The texts are those the comparison wrote, recomputed with the same function.
    """
    frame = comparison.metrics[name]
    texts = []
    for metric in _checked_metrics(frame.columns):
        text = precision_warning(
            metric, frame[metric].to_numpy(dtype=float), scenario=name
        )
        if text and text in comparison.warnings:
            texts.append((text, metric))
    return texts


def _precision_sentence(comparison, name: str, texts: list[tuple[str, str]]) -> str:
    frame = comparison.metrics[name]
    parts, counts = [], []
    for _, metric in texts:
        values = frame[metric].to_numpy(dtype=float)
        relative = mean_ci(values).relative_half_width
        width = f"{100 * relative:.0f}%" if math.isfinite(relative) else "unbounded"
        parts.append(f"{metric} ({width})")
        counts.append(replications_needed(values))
    known = [count for count in counts if count is not None]
    advice = (
        f"about {max(known)} replications would make all of them precise enough"
        if known
        else "no replication count can be estimated"
    )
    return (
        f"{name}: with {len(frame)} replications, the 95% interval is wider than "
        f"{100 * TARGET_RELATIVE_HALF_WIDTH:.0f}% of the mean for "
        f"{', '.join(parts)}; {advice}"
    )


def _change_warnings(attribution: Attribution) -> list[str]:
    return [
        f"Change '{change.label}': no difference between the models matches it, so "
        "its share is zero unless an earlier change pulled in its elements"
        for change in attribution.changes
        if change.recorded and change.description.startswith("no difference")
    ]
