"""switchyard_ml: a Python client for Switchyard's control plane, shaped like azure-ai-ml.

    from switchyard_ml import MLClient, ManagedOnlineEndpoint, ManagedOnlineDeployment, Model, ...

With ``clients/python/azure-compat`` on the path too, the same classes import as ``azure.ai.ml``,
``azure.ai.ml.entities``, ``azure.identity`` and ``azure.core.exceptions``, so Microsoft's notebooks
run unchanged. See docs/python-sdk.md.
"""
__version__ = "0.1.0"

from .client import MLClient  # noqa: E402
from .connection import Connection, resolve_connection  # noqa: E402
from .credentials import (  # noqa: E402
    AzureCliCredential,
    DefaultAzureCredential,
    InteractiveBrowserCredential,
    SwitchyardCredential,
)
from .entities import *  # noqa: E402,F401,F403
from .entities import __all__ as _entities
from .exceptions import (  # noqa: E402
    ClientAuthenticationError,
    HttpResponseError,
    ResourceExistsError,
    ResourceNotFoundError,
    ServiceRequestError,
    ValidationException,
)
from .load import load_environment, load_model, load_online_deployment, load_online_endpoint  # noqa: E402
from .operations.access_control import AccessToken, AuditEntry, DeniedAttempt, WhoAmI  # noqa: E402
from .operations.comparison import ComparisonSample, EndpointComparison, ShadowComparison  # noqa: E402
from .operations.rollouts import GateResult, Rollout, RolloutGates, RolloutPolicy, RolloutStep  # noqa: E402
from .poller import LROPoller  # noqa: E402

__all__ = [
    "MLClient", "Connection", "resolve_connection", "LROPoller",
    "DefaultAzureCredential", "AzureCliCredential", "InteractiveBrowserCredential", "SwitchyardCredential",
    "ClientAuthenticationError", "HttpResponseError", "ResourceExistsError", "ResourceNotFoundError",
    "ServiceRequestError", "ValidationException",
    "load_environment", "load_model", "load_online_deployment", "load_online_endpoint",
    "AccessToken", "AuditEntry", "DeniedAttempt", "WhoAmI", "ComparisonSample", "EndpointComparison", "ShadowComparison",
    "GateResult", "Rollout", "RolloutGates", "RolloutPolicy", "RolloutStep",
    *_entities,
]
