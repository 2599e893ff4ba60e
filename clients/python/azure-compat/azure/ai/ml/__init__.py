"""Switchyard's stand-in for ``azure.ai.ml`` (azure-ai-ml v2): the same names, backed by switchyard_ml.

Only on the path when ``clients/python/azure-compat`` is (see docs/python-sdk.md); ``azure`` and
``azure.ai`` stay namespace packages, so other ``azure.*`` packages installed next to it still import.
"""
from switchyard_ml import (  # noqa: F401
    MLClient,
    load_environment,
    load_model,
    load_online_deployment,
    load_online_endpoint,
)
from switchyard_ml import __version__  # noqa: F401

__all__ = ["MLClient", "load_environment", "load_model", "load_online_deployment", "load_online_endpoint"]
