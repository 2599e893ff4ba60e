"""Switchyard's stand-in for ``azure.identity``: credentials that MLClient accepts and does not need
(the client authenticates with the Switchyard token it finds; see switchyard_ml.credentials)."""
from switchyard_ml.credentials import *  # noqa: F401,F403
from switchyard_ml.credentials import __all__  # noqa: F401
