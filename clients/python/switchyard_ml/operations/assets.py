"""``ml_client.models`` and ``ml_client.environments``: register, get, list versioned assets."""
from __future__ import annotations

import os
from typing import Any, List, Optional

from .._http import Transport, seg
from ..artifacts import Uploader, is_digest
from ..entities._base import drop_none, same
from ..entities.assets import Environment, Model
from ..exceptions import ResourceNotFoundError, ValidationException


def _version_or_label(kind: str, name: str, version: Optional[str], label: Optional[str]) -> str:
    if version is not None and label is not None:
        raise ValidationException(f"{kind} {name}: give version or label, not both")
    if version is not None:
        return str(version)
    if label is not None:
        if label != "latest":
            raise ValidationException(f"{kind} {name}: the only label is 'latest', got {label!r}")
        return "latest"
    raise ValidationException(f"{kind} {name}: give a version, or label='latest'")


class ModelOperations:
    def __init__(self, http: Transport) -> None:
        self._http = http

    def create_or_update(self, model: Model, **kwargs: Any) -> Model:
        """Registers the model (uploading a local ``path``). The same name and version with the same
        content answers the existing model; other content raises ResourceExistsError."""
        if not isinstance(model, Model):
            raise ValidationException(f"create_or_update takes a Model, got {type(model).__name__}")
        if not model.name:
            raise ValidationException("a model to register needs a name")
        local = model._local_path()
        if local is not None:
            if not os.path.exists(local):
                raise ValidationException(f"model.path: {local} does not exist (relative paths resolve against {model.base_path})")
            path = Uploader(self._http).digest(local)
        elif model.path and is_digest(model.path):
            path = model.path
        else:
            raise ValidationException(f"model {model.name} needs a path: the local file or folder to register")
        body = drop_none({
            "name": model.name, "version": model.version, "path": path, "type": model.type,
            "description": model.description, "tags": model.tags or None,
        })
        return Model._from_rest(self._http.request("POST", "/api/v1/models", json_body=body))

    def get(self, name: str, version: Optional[str] = None, label: Optional[str] = None, **kwargs: Any) -> Model:
        v = _version_or_label("model", name, version, label)
        return Model._from_rest(self._http.request("GET", f"/api/v1/models/{seg(name)}/versions/{seg(v)}"))

    def list(self, name: Optional[str] = None, **kwargs: Any) -> List[Model]:
        """With ``name``: every version of that model; without: the latest version of each model."""
        path = f"/api/v1/models/{seg(name)}/versions" if name else "/api/v1/models"
        return [Model._from_rest(m) for m in self._http.request("GET", path)["value"]]


class EnvironmentOperations:
    def __init__(self, http: Transport) -> None:
        self._http = http

    def create_or_update(self, environment: Environment, **kwargs: Any) -> Environment:
        """Registers the environment (its conda content is sent inline)."""
        if not isinstance(environment, Environment):
            raise ValidationException(f"create_or_update takes an Environment, got {type(environment).__name__}")
        if not environment.name:
            raise ValidationException("an environment to register needs a name")
        body = drop_none({
            "name": environment.name, "version": environment.version, **environment._content(),
            "description": environment.description, "tags": environment.tags or None,
        })
        return Environment._from_rest(self._http.request("POST", "/api/v1/environments", json_body=body))

    def _register_for_deployment(self, environment: Environment) -> Environment:
        """A deployment's named environment: without a version, its latest version is reused when the
        content is the same (so resubmitting a deployment does not make a new version each time)."""
        if environment.version is None:
            try:
                latest = self.get(environment.name, label="latest")
            except ResourceNotFoundError:
                latest = None
            if latest is not None and same(latest._content(), environment._content()):
                return latest
        return self.create_or_update(environment)

    def get(self, name: str, version: Optional[str] = None, label: Optional[str] = None, **kwargs: Any) -> Environment:
        v = _version_or_label("environment", name, version, label)
        return Environment._from_rest(self._http.request("GET", f"/api/v1/environments/{seg(name)}/versions/{seg(v)}"))

    def list(self, name: Optional[str] = None, **kwargs: Any) -> List[Environment]:
        path = f"/api/v1/environments/{seg(name)}/versions" if name else "/api/v1/environments"
        return [Environment._from_rest(e) for e in self._http.request("GET", path)["value"]]
