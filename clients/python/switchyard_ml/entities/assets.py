"""Model and Environment, as azure-ai-ml shapes them.

``Model(path=...)`` names a local file or folder (relative to the working directory when the object
is made); it is uploaded when the model is registered or deployed. ``Environment(conda_file=...)``
reads the conda file when the object is made, as azure-ai-ml does, and sends its content inline.
"""
from __future__ import annotations

import os
from typing import Any, Dict, Optional, Union

from .._yaml import load_yaml_file
from ..exceptions import ValidationException
from ._base import Entity, drop_none, plain


def _abs(base_path: str, path: str) -> str:
    return path if os.path.isabs(path) else os.path.normpath(os.path.join(base_path, path))


class Model(Entity):
    """A model: a local ``path`` to upload, or a registered asset (``name``, ``version``)."""

    def __init__(
        self,
        *,
        name: Optional[str] = None,
        version: Optional[str] = None,
        type: Optional[str] = None,
        path: Optional[Union[str, os.PathLike]] = None,
        description: Optional[str] = None,
        tags: Optional[Dict[str, str]] = None,
        properties: Optional[Dict[str, str]] = None,
        **kwargs: Any,
    ) -> None:
        self.name = name
        self.version = str(version) if version is not None else None
        self.type = type or "custom_model"
        self.path = os.fspath(path) if path is not None else None
        self.description = description
        self.tags = dict(tags or {})
        self.properties = dict(properties or {})
        self.base_path = kwargs.pop("base_path", None) or os.getcwd()
        self.id = kwargs.pop("id", None)
        self.creation_context = kwargs.pop("creation_context", None)
        self.stage = kwargs.pop("stage", None)
        self.flavors = kwargs.pop("flavors", None)
        # True for a model read from the server (models.get/list): deployments reference it by name.
        self._registered = bool(kwargs.pop("_registered", False))

    def _to_dict(self) -> Dict[str, Any]:
        return drop_none({
            "name": self.name, "version": self.version, "type": self.type, "path": self.path,
            "description": self.description, "tags": self.tags or None, "properties": self.properties or None,
            "creation_context": self.creation_context,
        })

    def _local_path(self) -> Optional[str]:
        """The absolute local path to upload, or None (a digest or no path)."""
        from ..artifacts import is_digest

        if not self.path or is_digest(self.path) or self.path.startswith("azureml:"):
            return None
        return _abs(self.base_path, self.path)

    @classmethod
    def _from_rest(cls, asset: Dict[str, Any]) -> "Model":
        return cls(
            name=asset.get("name"), version=asset.get("version"), type=asset.get("type"), path=asset.get("path"),
            description=asset.get("description"), tags=asset.get("tags"),
            creation_context={"created_at": asset.get("created_at")} if asset.get("created_at") else None,
            _registered=True,
        )


class BuildContext(Entity):
    """A Docker build context (recorded; the local runtime runs the scoring host itself)."""

    def __init__(self, *, path: Optional[str] = None, dockerfile_path: Optional[str] = None, **kwargs: Any) -> None:
        self.path = path
        self.dockerfile_path = dockerfile_path

    def _to_dict(self) -> Dict[str, Any]:
        return drop_none({"path": self.path, "dockerfile_path": self.dockerfile_path})


class Environment(Entity):
    """An environment: an image and/or a conda file (read now, sent inline), or a registered asset.

    Switchyard extensions (opt-in, absent from Azure's YAML): ``interpreter`` (the Python that runs
    ``score.py``) and ``command``.
    """

    def __init__(
        self,
        *,
        name: Optional[str] = None,
        version: Optional[str] = None,
        description: Optional[str] = None,
        image: Optional[str] = None,
        build: Optional[Union[BuildContext, Dict[str, Any]]] = None,
        conda_file: Optional[Union[str, os.PathLike, Dict[str, Any]]] = None,
        tags: Optional[Dict[str, str]] = None,
        properties: Optional[Dict[str, str]] = None,
        inference_config: Optional[Dict[str, Any]] = None,
        os_type: Optional[str] = None,
        **kwargs: Any,
    ) -> None:
        self.base_path = kwargs.pop("base_path", None) or os.getcwd()
        self.name = name
        self.version = str(version) if version is not None else None
        self.description = description
        self.image = image
        self.build = BuildContext(**build) if isinstance(build, dict) else build
        self.tags = dict(tags or {})
        self.properties = dict(properties or {})
        self.inference_config = inference_config
        self.os_type = os_type
        self.interpreter = kwargs.pop("interpreter", None)
        self.command = kwargs.pop("command", None)
        self.id = kwargs.pop("id", None)
        self.creation_context = kwargs.pop("creation_context", None)
        self._registered = bool(kwargs.pop("_registered", False))
        self.conda_file = self._read_conda(conda_file)

    def _read_conda(self, conda_file: Any) -> Optional[Dict[str, Any]]:
        if conda_file is None or isinstance(conda_file, dict):
            return conda_file
        path = _abs(self.base_path, os.fspath(conda_file))
        if not os.path.isfile(path):
            rel = "" if os.path.isabs(os.fspath(conda_file)) else f" (relative paths resolve against {self.base_path})"
            raise ValidationException(f"conda_file: {path} does not exist{rel}")
        doc = load_yaml_file(path)
        if not isinstance(doc, dict):
            raise ValidationException(f"conda_file: {path} must hold a map (channels, dependencies...)")
        return doc

    def _content(self) -> Dict[str, Any]:
        """The inline form (what a deployment's ``environment:`` map holds)."""
        build = self.build._to_dict() if self.build is not None else None
        if build and build.get("path") and "://" not in build["path"]:
            build["path"] = _abs(self.base_path, build["path"])
        interpreter = self.interpreter
        if interpreter and "/" in interpreter and not os.path.isabs(interpreter):
            interpreter = _abs(self.base_path, interpreter)
        return drop_none({
            "image": self.image, "conda_file": self.conda_file, "build": build,
            "inference_config": self.inference_config, "os_type": self.os_type,
            "interpreter": interpreter, "command": list(self.command) if self.command else None,
        })

    def _to_dict(self) -> Dict[str, Any]:
        return drop_none({
            "name": self.name, "version": self.version, "description": self.description,
            "tags": self.tags or None, **plain(self._content()), "creation_context": self.creation_context,
        })

    @classmethod
    def _from_rest(cls, asset: Dict[str, Any], registered: bool = True) -> "Environment":
        known = {"image", "conda_file", "build", "inference_config", "os_type", "interpreter", "command", "name", "version", "description", "tags"}
        fields = {k: v for k, v in asset.items() if k in known}
        created = asset.get("created_at")
        return cls(**fields, creation_context={"created_at": created} if created else None, _registered=registered)


__all__ = ["Model", "Environment", "BuildContext"]
