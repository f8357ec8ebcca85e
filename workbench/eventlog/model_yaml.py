"""Write a calibrated model as YAML with a comment above each element.

Comments are attached with ruamel.yaml's round-trip types (``CommentedMap``), so the
file reads like a hand-written model that explains where each number came from.
"""

from __future__ import annotations

import io

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

__all__ = ["write_model_yaml"]

_WIDTH = 88


def write_model_yaml(data: dict, notes: dict[tuple[str, str], str], header: str) -> str:
    """Return the YAML text of ``data`` with ``notes`` as comments.

    Parameters
    ----------
    data : dict
        The model as plain data (sections ``lanes``, ``pools``, ``arrivals``,
        ``steps`` are lists of mappings with a ``name``).
    notes : dict of (str, str) to str
        A comment per element, keyed by section and element name; the name is
        empty for a section that is a mapping, such as ``("calendar", "")``.
    header : str
        Lines written at the top of the file.
    """
    document = CommentedMap()
    for key, value in data.items():
        document[key] = _commented(value)
    document.yaml_set_start_comment(_wrap(header, 0))
    for (section, name), text in notes.items():
        if section not in document:
            continue
        if not name:
            document.yaml_set_comment_before_after_key(section, before=_wrap(text, 0))
            continue
        items = document[section]
        for index, item in enumerate(items):
            if item.get("name") == name:
                items.yaml_set_comment_before_after_key(
                    index, before=_wrap(text, 0), indent=2
                )
    yaml = YAML()
    yaml.width = _WIDTH
    yaml.indent(mapping=2, sequence=4, offset=2)
    stream = io.StringIO()
    yaml.dump(document, stream)
    return stream.getvalue()


def _commented(value):
    if isinstance(value, dict):
        mapping = CommentedMap()
        for key, item in value.items():
            mapping[key] = _commented(item)
        return mapping
    if isinstance(value, list):
        sequence = CommentedSeq(_commented(item) for item in value)
        if value and all(isinstance(item, int | float) for item in value):
            sequence.fa.set_flow_style()
        return sequence
    # numpy scalars (np.float64, np.int64) become plain Python numbers.
    return value.item() if hasattr(value, "item") else value


def _wrap(text: str, indent: int) -> str:
    lines = []
    for paragraph in text.splitlines():
        words, line = paragraph.split(), ""
        for word in words:
            if line and len(line) + 1 + len(word) > _WIDTH - indent - 2:
                lines.append(line)
                line = word
            else:
                line = f"{line} {word}" if line else word
        lines.append(line)
    return "\n".join(lines)
