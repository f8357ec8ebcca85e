"""LEAN Workbench: map, simulate and compare service processes before and after a
LEAN redesign."""

from workbench.errors import ModelError
from workbench.loading import dump_model, load_model, parse_model
from workbench.model import ProcessModel

__all__ = ["ModelError", "ProcessModel", "load_model", "parse_model", "dump_model"]
__version__ = "0.1.0"
