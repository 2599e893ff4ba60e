"""Switchyard's stand-in for ``azure.ai.ml.entities``: the online-endpoint entities of switchyard_ml."""
from switchyard_ml.entities import *  # noqa: F401,F403
from switchyard_ml.entities import __all__  # noqa: F401
