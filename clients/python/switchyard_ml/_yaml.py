"""Reading and writing YAML: PyYAML when it is installed; otherwise JSON files (JSON is YAML) can still
be read, and anything else fails with a message that says what to install."""
from __future__ import annotations

import json
import os
from typing import Any

try:  # PyYAML (Debian: python3-yaml)
    import yaml as _yaml
except ImportError:  # pragma: no cover - depends on the interpreter
    _yaml = None

from .exceptions import ValidationException


def load_yaml_file(path: str) -> Any:
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError as e:
        raise ValidationException(f"cannot read {path}: {e.strerror or e}") from None
    if _yaml is not None:
        try:
            return _yaml.safe_load(text)
        except _yaml.YAMLError as e:
            raise ValidationException(f"{path} is not valid YAML: {e}") from None
    try:
        return json.loads(text)
    except ValueError:
        raise ValidationException(
            f"cannot read {path}: reading YAML needs PyYAML (`apt-get install python3-yaml` or `pip install pyyaml`)"
        ) from None


def dump_yaml(value: Any) -> str:
    if _yaml is not None:
        return _yaml.safe_dump(value, sort_keys=False, default_flow_style=False)
    return json.dumps(value, indent=2) + os.linesep


def load_yaml_mapping(path: str, what: str) -> dict:
    doc = load_yaml_file(path)
    if doc is None:
        doc = {}
    if not isinstance(doc, dict):
        raise ValidationException(f"{path} must hold a map of {what} fields, got {type(doc).__name__}")
    return doc
