"""The operation groups of ``MLClient`` (``online_endpoints``, ``online_deployments``, ``models``,
``environments``, and Switchyard's ``access_tokens`` and ``audit``)."""
from .access_control import AccessToken, AccessTokenOperations, AuditEntry, AuditOperations
from .assets import EnvironmentOperations, ModelOperations
from .online_deployments import OnlineDeploymentOperations
from .online_endpoints import OnlineEndpointOperations

__all__ = [
    "AccessToken", "AccessTokenOperations", "AuditEntry", "AuditOperations", "EnvironmentOperations",
    "ModelOperations", "OnlineDeploymentOperations", "OnlineEndpointOperations",
]
