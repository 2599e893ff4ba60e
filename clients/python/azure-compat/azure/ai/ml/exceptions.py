"""Switchyard's stand-in for ``azure.ai.ml.exceptions``."""
from switchyard_ml.exceptions import ValidationException  # noqa: F401

__all__ = ["ValidationException"]
