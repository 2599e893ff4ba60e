"""The entities of ``azure.ai.ml.entities`` that online endpoints use."""
from .assets import BuildContext, Environment, Model
from .deployment import KubernetesOnlineDeployment, ManagedOnlineDeployment, OnlineDeployment
from .endpoint import KubernetesOnlineEndpoint, ManagedOnlineEndpoint, OnlineEndpoint
from .settings import (
    CodeConfiguration,
    DefaultScaleSettings,
    EndpointAuthKeys,
    EndpointAuthToken,
    OnlineRequestSettings,
    ProbeSettings,
    TargetUtilizationScaleSettings,
)

__all__ = [
    "BuildContext", "Environment", "Model",
    "OnlineDeployment", "ManagedOnlineDeployment", "KubernetesOnlineDeployment",
    "OnlineEndpoint", "ManagedOnlineEndpoint", "KubernetesOnlineEndpoint",
    "CodeConfiguration", "DefaultScaleSettings", "TargetUtilizationScaleSettings",
    "OnlineRequestSettings", "ProbeSettings", "EndpointAuthKeys", "EndpointAuthToken",
]
