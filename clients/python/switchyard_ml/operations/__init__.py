"""The operation groups of ``MLClient`` (``online_endpoints``, ``online_deployments``, ``models``,
``environments``, and Switchyard's ``access_tokens`` and ``audit``)."""
from .access_control import AccessToken, AccessTokenOperations, AuditEntry, AuditOperations, DeniedAttempt
from .assets import EnvironmentOperations, ModelOperations
from .online_deployments import OnlineDeploymentOperations
from .online_endpoints import OnlineEndpointOperations
from .rollouts import RolloutOperations

__all__ = [
    "AccessToken", "AccessTokenOperations", "AuditEntry", "AuditOperations", "DeniedAttempt", "EnvironmentOperations",
    "ModelOperations", "OnlineDeploymentOperations", "OnlineEndpointOperations", "RolloutOperations",
]
