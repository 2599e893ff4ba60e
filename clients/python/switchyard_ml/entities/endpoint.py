"""Online endpoints: ``ManagedOnlineEndpoint`` and ``KubernetesOnlineEndpoint`` (one with ``compute``).

Attributes are plain and settable (``endpoint.traffic = {"blue": 90, "green": 10}``); ``get`` fills
the read-only ones from the server (``scoring_uri``, ``openapi_uri``, ``provisioning_state``, ``id``...).
"""
from __future__ import annotations

from typing import Any, Dict, Optional

from ._base import Entity, drop_none, same

_PATCHABLE = ("description", "tags", "auth_mode", "traffic", "mirror_traffic", "public_network_access")
# Switchyard extensions (docs/shadow-evaluation.md): None leaves the server's value; {} / "" clear it.
_EXTENSIONS = ("shadow_traffic", "sticky_header", "shadow_compare")


def _lower(v: Optional[str]) -> Optional[str]:
    return v.lower() if isinstance(v, str) else v


class OnlineEndpoint(Entity):
    def __init__(
        self,
        *,
        name: Optional[str] = None,
        tags: Optional[Dict[str, str]] = None,
        properties: Optional[Dict[str, Any]] = None,
        auth_mode: str = "key",
        description: Optional[str] = None,
        location: Optional[str] = None,
        traffic: Optional[Dict[str, int]] = None,
        mirror_traffic: Optional[Dict[str, int]] = None,
        identity: Any = None,
        scoring_uri: Optional[str] = None,
        openapi_uri: Optional[str] = None,
        provisioning_state: Optional[str] = None,
        kind: Optional[str] = None,
        public_network_access: Optional[str] = None,
        **kwargs: Any,
    ) -> None:
        self.name = name
        self.tags = dict(tags or {})
        self.properties = dict(properties or {})
        self.auth_mode = auth_mode
        self.description = description
        self.location = location
        self.traffic = dict(traffic or {})
        self.mirror_traffic = dict(mirror_traffic or {})
        self.identity = identity
        self.scoring_uri = scoring_uri
        self.openapi_uri = openapi_uri
        self.provisioning_state = provisioning_state
        self.kind = kind
        self.public_network_access = public_network_access
        self.id = kwargs.pop("id", None)
        # Switchyard extensions (not in Azure): shadows {deployment: percent} beside mirror_traffic, a
        # header that makes a client's requests stick to one deployment, and the comparison's tolerances.
        self.shadow_traffic: Optional[Dict[str, int]] = kwargs.pop("shadow_traffic", None)
        self.sticky_header: Optional[str] = kwargs.pop("sticky_header", None)
        self.shadow_compare: Optional[Dict[str, Any]] = kwargs.pop("shadow_compare", None)

    def _to_dict(self) -> Dict[str, Any]:
        return drop_none({
            "name": self.name, "description": self.description, "tags": self.tags,
            "auth_mode": self.auth_mode, "traffic": self.traffic, "mirror_traffic": self.mirror_traffic,
            "identity": self.identity, "public_network_access": self.public_network_access,
            "provisioning_state": self.provisioning_state, "scoring_uri": self.scoring_uri,
            "openapi_uri": self.openapi_uri, "kind": self.kind, "location": self.location,
            "id": self.id, "properties": self.properties or None,
            **{k: getattr(self, k) for k in _EXTENSIONS if getattr(self, k) is not None},
        })

    # --- REST ---------------------------------------------------------------------------------
    def _create_body(self) -> Dict[str, Any]:
        body = drop_none({
            "name": self.name, "description": self.description, "tags": self.tags or None,
            "auth_mode": _lower(self.auth_mode), "identity": self.identity,
            "public_network_access": _lower(self.public_network_access),
            # The server refuses a create that sends traffic to deployments (they cannot exist yet).
            "traffic": self.traffic or None, "mirror_traffic": self.mirror_traffic or None,
            **{k: getattr(self, k) for k in _EXTENSIONS if getattr(self, k) is not None},
        })
        return body

    def _patch_against(self, current: Dict[str, Any]) -> Dict[str, Any]:
        """The fields of this entity that differ from the server's ``current`` view.

        An empty ``traffic`` or ``mirror_traffic`` means "leave it as it is" (a freshly made entity
        has ``{}``); ``{"green": 0}`` is sent, and stops the mirror.
        """
        wanted = {
            "description": self.description,
            "tags": self.tags if self.tags else None,
            "auth_mode": _lower(self.auth_mode),
            "traffic": self.traffic or None,
            "mirror_traffic": self.mirror_traffic or None,
            "public_network_access": _lower(self.public_network_access),
        }
        for key in _EXTENSIONS:
            wanted[key] = getattr(self, key)
        patch: Dict[str, Any] = {}
        for key in (*_PATCHABLE, *_EXTENSIONS):
            value = wanted[key]
            if value is None:
                continue
            if not same(value, current.get(key)):
                patch[key] = value
        return patch

    @staticmethod
    def _from_rest(view: Dict[str, Any]) -> "OnlineEndpoint":
        cls = KubernetesOnlineEndpoint if view.get("kind") == "K8S" or view.get("compute") else ManagedOnlineEndpoint
        fields = dict(
            name=view.get("name"), tags=view.get("tags"), properties=view.get("properties"),
            auth_mode=view.get("auth_mode", "key"), description=view.get("description"),
            location=view.get("location"), traffic=view.get("traffic"), mirror_traffic=view.get("mirror_traffic"),
            identity=view.get("identity"), scoring_uri=view.get("scoring_uri"), openapi_uri=view.get("openapi_uri"),
            provisioning_state=view.get("provisioning_state"), kind=view.get("kind"),
            public_network_access=view.get("public_network_access"), id=view.get("id"),
            **{k: view[k] for k in _EXTENSIONS if k in view},
        )
        if cls is KubernetesOnlineEndpoint:
            return KubernetesOnlineEndpoint(compute=view.get("compute"), **fields)
        return ManagedOnlineEndpoint(**fields)


class ManagedOnlineEndpoint(OnlineEndpoint):
    """An endpoint whose instances the platform runs (here: local processes)."""

    def __init__(self, *, name: Optional[str] = None, **kwargs: Any) -> None:
        kwargs.setdefault("kind", "Managed")
        super().__init__(name=name, **kwargs)


class KubernetesOnlineEndpoint(OnlineEndpoint):
    """An endpoint on a Kubernetes ``compute`` (recorded; the local runtime runs its instances)."""

    def __init__(self, *, name: Optional[str] = None, compute: Optional[str] = None, **kwargs: Any) -> None:
        kwargs.setdefault("kind", "K8S")
        super().__init__(name=name, **kwargs)
        self.compute = compute

    def _to_dict(self) -> Dict[str, Any]:
        return drop_none({**super()._to_dict(), "compute": self.compute})

    def _create_body(self) -> Dict[str, Any]:
        return drop_none({**super()._create_body(), "compute": self.compute})


__all__ = ["OnlineEndpoint", "ManagedOnlineEndpoint", "KubernetesOnlineEndpoint"]
