"""Turning a deployment's ``model``, ``code_configuration`` and ``environment`` into what the REST API
takes: local paths are uploaded (their digests sent), registered assets referenced as
``azureml:name:version``, inline environments sent as their content."""
from __future__ import annotations

import os
from typing import Any, Dict, Optional, Union

from ..artifacts import Uploader, is_digest
from ..entities.assets import Environment, Model
from ..entities.settings import CodeConfiguration
from ..exceptions import ValidationException


def model_input(model: Union[str, Model], uploader: Uploader) -> Union[str, Dict[str, Any]]:
    if isinstance(model, str):
        return model
    if not isinstance(model, Model):
        raise ValidationException(f"model must be a Model or an 'azureml:<name>:<version>' string, got {type(model).__name__}")
    local = model._local_path()
    if local is not None:
        if not os.path.exists(local):
            rel = "" if os.path.isabs(model.path or "") else f" (relative paths resolve against {model.base_path})"
            raise ValidationException(f"model.path: {local} does not exist{rel}")
        out: Dict[str, Any] = {"path": uploader.digest(local)}
    elif model.path and is_digest(model.path) and not model._registered:
        out = {"path": model.path}
    elif model.name:
        return f"azureml:{model.name}:{model.version}" if model.version else f"azureml:{model.name}@latest"
    elif model.path and model.path.startswith("azureml:"):
        return model.path
    else:
        raise ValidationException("model needs a path (a local file or folder) or a name and version of a registered model")
    if model.name:
        out["name"] = model.name
    if model.version:
        out["version"] = model.version
    if model.type:
        out["type"] = model.type
    return out


def code_input(code: CodeConfiguration, uploader: Uploader, skip_script_validation: bool = False) -> Dict[str, Any]:
    if not isinstance(code, CodeConfiguration):
        raise ValidationException(f"code_configuration must be a CodeConfiguration, got {type(code).__name__}")
    if not code.code:
        raise ValidationException("code_configuration.code is required: the folder that holds the scoring script")
    if not code.scoring_script:
        raise ValidationException("code_configuration.scoring_script is required: the script, relative to the code folder (e.g. score.py)")
    if is_digest(code.code):
        return {"code": code.code, "scoring_script": code.scoring_script}
    folder = code.code if os.path.isabs(code.code) else os.path.normpath(os.path.join(code.base_path, code.code))
    if not os.path.isdir(folder):
        what = "is a file; expected a folder" if os.path.isfile(folder) else "does not exist"
        raise ValidationException(f"code_configuration.code: {folder} {what} (relative paths resolve against {code.base_path})")
    if not skip_script_validation and not os.path.isfile(os.path.join(folder, code.scoring_script)):
        raise ValidationException(f"code_configuration.scoring_script: {code.scoring_script} was not found in the code folder {folder}")
    return {"code": uploader.digest(folder), "scoring_script": code.scoring_script}


def environment_input(env: Union[str, Environment], register) -> Union[str, Dict[str, Any]]:
    """``register(env) -> Environment`` registers a named environment with content (as Azure does)."""
    if isinstance(env, str):
        return env
    if not isinstance(env, Environment):
        raise ValidationException(f"environment must be an Environment or an 'azureml:<name>:<version>' string, got {type(env).__name__}")
    content = env._content()
    if env._registered or (env.name and env.version and not content):
        return f"azureml:{env.name}:{env.version}"
    if env.name and not content:
        return f"azureml:{env.name}@latest"
    if not content:
        raise ValidationException("environment needs an image or a conda_file (or the name and version of a registered environment)")
    if env.name:
        registered = register(env)
        return f"azureml:{registered.name}:{registered.version}"
    return content


def view_as_input(view: Dict[str, Any]) -> Dict[str, Any]:
    """A DeploymentView in input form, to compare an entity with (only keys the input has)."""
    out = dict(view)
    env = out.get("environment")
    if isinstance(env, dict):
        if env.get("registered") and env.get("name") and env.get("version"):
            out["environment"] = f"azureml:{env['name']}:{env['version']}"
        else:
            out["environment"] = {k: v for k, v in env.items() if k not in ("name", "version", "registered")}
    return out


def optional(value: Any) -> Optional[Any]:
    return value if value not in ({}, [], "") else None
