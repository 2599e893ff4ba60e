"""``load_online_endpoint``, ``load_online_deployment``, ``load_model``, ``load_environment``: Azure's
YAML files as entities. Relative paths in a file (model, code, conda file) resolve against the
file's folder, as with azure-ai-ml; ``params_override`` is a list of ``{key: value}`` applied on top."""
from __future__ import annotations

import os
from typing import Any, Dict, List, Optional, Union

from ._yaml import load_yaml_mapping
from .entities.assets import Environment, Model
from .entities.deployment import KubernetesOnlineDeployment, ManagedOnlineDeployment, OnlineDeployment
from .entities.endpoint import KubernetesOnlineEndpoint, ManagedOnlineEndpoint, OnlineEndpoint
from .entities.settings import CodeConfiguration
from .exceptions import ValidationException

PathLike = Union[str, "os.PathLike[str]"]


def _read(source: PathLike, what: str, params_override: Optional[List[Dict[str, Any]]]) -> tuple:
    path = os.path.abspath(os.fspath(source))
    doc = load_yaml_mapping(path, what)
    for override in params_override or []:
        for key, value in override.items():
            cur = doc
            parts = str(key).split(".")
            for part in parts[:-1]:
                cur = cur.setdefault(part, {})
            cur[parts[-1]] = value
    doc.pop("$schema", None)
    return doc, os.path.dirname(path)


def _check_keys(doc: Dict[str, Any], allowed: set, source: PathLike, what: str) -> None:
    unknown = sorted(set(doc) - allowed)
    if unknown:
        raise ValidationException(f"{os.fspath(source)}: unknown {what} key {unknown[0]!r}; known keys: {', '.join(sorted(allowed))}")


_ENDPOINT_KEYS = {
    "name", "description", "tags", "auth_mode", "traffic", "mirror_traffic", "compute", "identity", "public_network_access",
    "properties", "kind", "location", "shadow_traffic", "sticky_header", "shadow_compare",
}


def load_online_endpoint(source: PathLike, *, relative_origin: Optional[str] = None, params_override: Optional[list] = None, **kwargs: Any) -> OnlineEndpoint:
    doc, _ = _read(source, "endpoint", params_override)
    _check_keys(doc, _ENDPOINT_KEYS, source, "endpoint")
    if doc.get("compute"):
        return KubernetesOnlineEndpoint(**doc)
    doc.pop("compute", None)
    return ManagedOnlineEndpoint(**doc)


def _model(value: Any, base: str) -> Any:
    if isinstance(value, dict):
        return Model(**value, base_path=base)
    if isinstance(value, str) and not value.startswith("azureml:"):
        return Model(path=value, base_path=base)  # the bare-path form of older samples
    return value


def _environment(value: Any, base: str) -> Any:
    if isinstance(value, dict):
        return Environment(**value, base_path=base)
    return value


_DEPLOYMENT_KEYS = {
    "name", "endpoint_name", "description", "tags", "type", "model", "code_configuration", "environment",
    "environment_variables", "instance_type", "instance_count", "request_settings", "liveness_probe",
    "readiness_probe", "scale_settings", "app_insights_enabled", "egress_public_network_access",
    "data_collector", "resources", "model_mount_path", "properties",
}


def load_online_deployment(source: PathLike, *, relative_origin: Optional[str] = None, params_override: Optional[list] = None, **kwargs: Any) -> OnlineDeployment:
    doc, base = _read(source, "deployment", params_override)
    _check_keys(doc, _DEPLOYMENT_KEYS, source, "deployment")
    kind = str(doc.pop("type", "managed")).lower()
    if kind not in ("managed", "kubernetes"):
        raise ValidationException(f"{os.fspath(source)}: type must be managed or kubernetes, got {kind!r}")
    if "model" in doc:
        doc["model"] = _model(doc["model"], base)
    if "environment" in doc:
        doc["environment"] = _environment(doc["environment"], base)
    code = doc.get("code_configuration")
    if isinstance(code, dict):
        doc["code_configuration"] = CodeConfiguration(**code, base_path=base)
    cls = KubernetesOnlineDeployment if kind == "kubernetes" else ManagedOnlineDeployment
    return cls(**doc)


def load_model(source: PathLike, *, relative_origin: Optional[str] = None, params_override: Optional[list] = None, **kwargs: Any) -> Model:
    doc, base = _read(source, "model", params_override)
    _check_keys(doc, {"name", "version", "path", "type", "description", "tags", "properties", "stage"}, source, "model")
    return Model(**doc, base_path=base)


def load_environment(source: PathLike, *, relative_origin: Optional[str] = None, params_override: Optional[list] = None, **kwargs: Any) -> Environment:
    doc, base = _read(source, "environment", params_override)
    _check_keys(doc, {"name", "version", "description", "tags", "image", "conda_file", "build", "inference_config", "os_type", "interpreter", "command", "properties"}, source, "environment")
    return Environment(**doc, base_path=base)


__all__ = ["load_online_endpoint", "load_online_deployment", "load_model", "load_environment"]
