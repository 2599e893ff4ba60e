"""Switchyard's stand-in for ``azure.core.exceptions`` (used only when azure-core is not installed:
``azure/core`` here is a namespace portion, and an installed azure-core, a regular package, wins;
switchyard_ml's errors then derive from its classes)."""
from switchyard_ml.exceptions import *  # noqa: F401,F403
from switchyard_ml.exceptions import __all__  # noqa: F401
