"""The JSON Schema of model files, generated from the pydantic models.

Editors that speak the YAML language server protocol check a model file as it is
typed when its first line points at the schema::

    # yaml-language-server: $schema=../../docs/model.schema.json

The schema covers the field rules of :mod:`workbench.model`. The rules across
elements (unknown names, probabilities that do not sum to 1, unreachable steps) are
only checked by :func:`workbench.validation.validate`.

Regenerate the committed copy with
``python -m workbench.schema > docs/model.schema.json``.
"""

from __future__ import annotations

import json
import sys

from workbench.model import ProcessModel

__all__ = ["JSON_SCHEMA_DIALECT", "model_json_schema", "schema_text"]

#: The JSON Schema dialect that pydantic 2 generates.
JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def model_json_schema() -> dict:
    """Return the JSON Schema of a model file as a dictionary.

    Returns
    -------
    dict
        A draft 2020-12 schema whose root is :class:`~workbench.model.ProcessModel`,
        with the other models under ``$defs``.
    """
    schema = ProcessModel.model_json_schema(mode="validation")
    schema["title"] = "LEAN Workbench process model"
    return {"$schema": JSON_SCHEMA_DIALECT, **schema}


def schema_text() -> str:
    """Return :func:`model_json_schema` as the text of ``docs/model.schema.json``."""
    return json.dumps(model_json_schema(), indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    sys.stdout.write(schema_text())
