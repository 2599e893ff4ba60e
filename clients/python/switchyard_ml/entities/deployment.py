"""Online deployments: ``ManagedOnlineDeployment`` and ``KubernetesOnlineDeployment``.

``model`` is a ``Model`` (a local ``path`` is uploaded when the deployment is created or updated) or a
reference string (``azureml:name:version``); ``environment`` an ``Environment`` (inline: its image and
conda content are sent; registered: referenced) or a reference string; ``code_configuration`` a
``CodeConfiguration`` whose local folder is uploaded. ``get`` fills the read-only attributes
(``provisioning_state``, ``id``, ``type``) and Switchyard's ``instances`` and ``conditions``.
"""
from __future__ import annotations

import os
from typing import Any, Dict, Optional, Union

from ._base import Entity, drop_none, plain
from .assets import Environment, Model
from .settings import CodeConfiguration, OnlineRequestSettings, ProbeSettings, scale_settings_from

# Keys of a deployment the REST API takes besides the references (docs/compatibility.md, "Deployments"), in YAML order.
_PLAIN_KEYS = (
    "description", "tags", "environment_variables", "instance_type", "instance_count",
    "app_insights_enabled", "egress_public_network_access", "data_collector", "resources", "model_mount_path",
)
_SETTINGS_KEYS = ("request_settings", "liveness_probe", "readiness_probe", "scale_settings")


class OnlineDeployment(Entity):
    _type = "managed"

    def __init__(
        self,
        name: Optional[str] = None,
        *,
        endpoint_name: Optional[str] = None,
        tags: Optional[Dict[str, str]] = None,
        properties: Optional[Dict[str, Any]] = None,
        description: Optional[str] = None,
        model: Optional[Union[str, Model]] = None,
        code_configuration: Optional[CodeConfiguration] = None,
        environment: Optional[Union[str, Environment]] = None,
        app_insights_enabled: Optional[bool] = None,
        scale_settings: Any = None,
        request_settings: Optional[OnlineRequestSettings] = None,
        liveness_probe: Optional[ProbeSettings] = None,
        readiness_probe: Optional[ProbeSettings] = None,
        environment_variables: Optional[Dict[str, str]] = None,
        instance_count: Optional[int] = None,
        instance_type: Optional[str] = None,
        model_mount_path: Optional[str] = None,
        code_path: Optional[Union[str, os.PathLike]] = None,
        scoring_script: Optional[str] = None,
        egress_public_network_access: Optional[str] = None,
        data_collector: Any = None,
        resources: Any = None,
        **kwargs: Any,
    ) -> None:
        self.name = name
        self.endpoint_name = endpoint_name
        self.tags = dict(tags or {})
        self.properties = dict(properties or {})
        self.description = description
        self.model = model
        if code_configuration is None and (code_path is not None or scoring_script is not None):
            code_configuration = CodeConfiguration(code=code_path, scoring_script=scoring_script)
        self.code_configuration = code_configuration
        self.environment = environment
        self.app_insights_enabled = app_insights_enabled
        self.scale_settings = scale_settings_from(scale_settings) if isinstance(scale_settings, dict) else scale_settings
        self.request_settings = OnlineRequestSettings._from_dict(request_settings) if isinstance(request_settings, dict) else request_settings
        self.liveness_probe = ProbeSettings._from_dict(liveness_probe) if isinstance(liveness_probe, dict) else liveness_probe
        self.readiness_probe = ProbeSettings._from_dict(readiness_probe) if isinstance(readiness_probe, dict) else readiness_probe
        self.environment_variables = dict(environment_variables or {})
        self.instance_count = instance_count
        self.instance_type = instance_type
        self.model_mount_path = model_mount_path
        self.egress_public_network_access = egress_public_network_access
        self.data_collector = data_collector
        self.resources = resources
        # Read-only, filled by get.
        self.id = kwargs.pop("id", None)
        self.provisioning_state = kwargs.pop("provisioning_state", None)
        self.type = kwargs.pop("type", None) or self._type
        self.instances = kwargs.pop("instances", None)
        self.conditions = kwargs.pop("conditions", None)
        self.error = kwargs.pop("error", None)
        self.creation_context = kwargs.pop("creation_context", None)

    @property
    def code_path(self) -> Optional[str]:
        return self.code_configuration.code if self.code_configuration else None

    @property
    def scoring_script(self) -> Optional[str]:
        return self.code_configuration.scoring_script if self.code_configuration else None

    def _to_dict(self) -> Dict[str, Any]:
        model = self.model._to_dict() if isinstance(self.model, Model) else self.model
        env = self.environment._to_dict() if isinstance(self.environment, Environment) else self.environment
        return drop_none({
            "name": self.name, "endpoint_name": self.endpoint_name, "type": self.type,
            "description": self.description, "tags": self.tags or None, "model": model,
            "code_configuration": plain(self.code_configuration), "environment": env,
            "environment_variables": self.environment_variables or None,
            "instance_type": self.instance_type, "instance_count": self.instance_count,
            "request_settings": plain(self.request_settings), "liveness_probe": plain(self.liveness_probe),
            "readiness_probe": plain(self.readiness_probe), "scale_settings": plain(self.scale_settings),
            "app_insights_enabled": self.app_insights_enabled,
            "egress_public_network_access": self.egress_public_network_access,
            "data_collector": self.data_collector, "resources": self.resources,
            "model_mount_path": self.model_mount_path, "provisioning_state": self.provisioning_state,
            "id": self.id,
        })

    def _plain_fields(self) -> Dict[str, Any]:
        """Every field but the references, as the REST API takes them (None: not set)."""
        out: Dict[str, Any] = {}
        for key in _PLAIN_KEYS:
            value = getattr(self, key)
            if key in ("tags", "environment_variables") and not value:
                value = None
            out[key] = plain(value)
        for key in _SETTINGS_KEYS:
            value = plain(getattr(self, key))
            out[key] = value or None
        return out

    @staticmethod
    def _from_rest(view: Dict[str, Any]) -> "OnlineDeployment":
        cls = KubernetesOnlineDeployment if view.get("type") == "kubernetes" else ManagedOnlineDeployment
        code = view.get("code_configuration")
        env = view.get("environment")
        if isinstance(env, dict):
            env = Environment._from_rest(env, registered=False)
        return cls(
            name=view.get("name"),
            endpoint_name=view.get("endpoint_name"),
            tags=view.get("tags"),
            description=view.get("description"),
            model=view.get("model"),
            code_configuration=CodeConfiguration(**code) if isinstance(code, dict) else None,
            environment=env,
            app_insights_enabled=view.get("app_insights_enabled"),
            scale_settings=view.get("scale_settings"),
            request_settings=view.get("request_settings"),
            liveness_probe=view.get("liveness_probe"),
            readiness_probe=view.get("readiness_probe"),
            environment_variables=view.get("environment_variables"),
            instance_count=view.get("instance_count"),
            instance_type=view.get("instance_type"),
            model_mount_path=view.get("model_mount_path"),
            egress_public_network_access=view.get("egress_public_network_access"),
            data_collector=view.get("data_collector"),
            resources=view.get("resources"),
            id=view.get("id"),
            provisioning_state=view.get("provisioning_state"),
            type=view.get("type"),
            instances=view.get("instances"),
            conditions=view.get("conditions"),
            error=view.get("error"),
            creation_context=view.get("creation_context"),
        )


class ManagedOnlineDeployment(OnlineDeployment):
    """A deployment whose instances the platform runs (here: local processes)."""

    _type = "managed"


class KubernetesOnlineDeployment(OnlineDeployment):
    """A deployment of a Kubernetes endpoint (``resources`` recorded; run by the local runtime)."""

    _type = "kubernetes"


__all__ = ["OnlineDeployment", "ManagedOnlineDeployment", "KubernetesOnlineDeployment"]
