"""What every entity shares: keyword construction, ``_to_dict()``, Azure's ``repr`` and ``dump()``."""
from __future__ import annotations

import json
import os
from typing import Any, Dict, Optional, Union

from .._yaml import dump_yaml


def drop_none(d: Dict[str, Any]) -> Dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None}


def plain(value: Any) -> Any:
    """Entities and settings as plain dicts/lists (what a YAML file or the REST API holds)."""
    if hasattr(value, "_to_dict"):
        return value._to_dict()
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items() if v is not None}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


class Entity:
    """Base of the entities: attributes are plain and settable; ``_to_dict()`` shows them."""

    def _to_dict(self) -> Dict[str, Any]:  # pragma: no cover - every entity overrides it
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}({self._to_dict()!r})"

    def __str__(self) -> str:
        return dump_yaml(self._to_dict())

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and self._to_dict() == other._to_dict()  # type: ignore[attr-defined]

    __hash__ = None  # type: ignore[assignment]

    def dump(self, dest: Union[str, os.PathLike, Any], **kwargs: Any) -> None:
        """Writes the entity as YAML to a path (refusing to overwrite) or an open text stream."""
        text = dump_yaml(self._to_dict())
        if hasattr(dest, "write"):
            dest.write(text)
            return
        with open(os.fspath(dest), "x", encoding="utf-8") as f:
            f.write(text)


class Settings(Entity):
    """Small value objects (request settings, probes...): their fields, None when unset."""

    _fields: tuple = ()

    def _to_dict(self) -> Dict[str, Any]:
        return drop_none({k: getattr(self, k, None) for k in self._fields})

    @classmethod
    def _from_dict(cls, d: Optional[Dict[str, Any]]):
        if d is None:
            return None
        if isinstance(d, cls):
            return d
        return cls(**{k: v for k, v in d.items() if k in cls._fields})


def same(a: Any, b: Any) -> bool:
    """Equality of two JSON-shaped values, whatever their key order."""
    return json.dumps(a, sort_keys=True, default=str) == json.dumps(b, sort_keys=True, default=str)
