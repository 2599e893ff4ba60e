"""Switchyard extensions (not in azure-ai-ml): control-plane tokens and the audit log (Owner role)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

from .._http import Transport, seg
from ..exceptions import ValidationException

ROLES = ("Owner", "Contributor", "Reader")


@dataclass
class AccessToken:
    """A control-plane token. ``token`` is set only in the answer of ``create`` (never shown again)."""

    id: str
    name: str
    role: str
    created_at: str
    created_by: str
    expires_at: Optional[str] = None
    revoked_at: Optional[str] = None
    token: Optional[str] = field(default=None, repr=False)

    @classmethod
    def _from_rest(cls, d: Dict[str, Any]) -> "AccessToken":
        return cls(
            id=d["id"], name=d["name"], role=d["role"], created_at=d["created_at"], created_by=d["created_by"],
            expires_at=d.get("expires_at"), revoked_at=d.get("revoked_at"), token=d.get("token"),
        )


@dataclass
class DeniedAttempt:
    """Refused requests (401, 403, 429) of one minute, source, principal, action and reason, counted."""

    window: str
    source: str
    principal: str
    action: str
    reason: str
    status: int
    count: int
    first_at: str
    last_at: str

    @classmethod
    def _from_rest(cls, d: Dict[str, Any]) -> "DeniedAttempt":
        return cls(**{k: d.get(k) for k in ("window", "source", "principal", "action", "reason", "status", "count", "first_at", "last_at")})


@dataclass
class AuditEntry:
    """Who did what to which resource, when, and how it ended."""

    id: int
    at: str
    principal: str
    role: Optional[str]
    action: str
    target: Optional[str]
    status: int
    outcome: str
    code: Optional[str] = None

    @classmethod
    def _from_rest(cls, d: Dict[str, Any]) -> "AuditEntry":
        return cls(
            id=d["id"], at=d["at"], principal=d["principal"], role=d.get("role"), action=d["action"],
            target=d.get("target"), status=d["status"], outcome=d["outcome"], code=d.get("code"),
        )


@dataclass
class WhoAmI:
    """The caller as the server sees its token: the principal, its role and the actions it allows."""

    principal: str
    role: str
    actions: List[str]

    def allows(self, action: str) -> bool:
        """``action`` as in docs/rest-api.md, e.g. ``onlineEndpoints/write``; the
        ``Microsoft.MachineLearningServices/workspaces/`` prefix may be left out."""
        prefix = "Microsoft.MachineLearningServices/workspaces/"
        short = action[len(prefix):] if action.startswith(prefix) else action
        return any(a == action or a == short or a.endswith("/" + short) for a in self.actions)


def whoami(http: Transport) -> WhoAmI:
    d = http.request("GET", "/api/v1/whoami")
    return WhoAmI(principal=d["principal"], role=d["role"], actions=list(d.get("actions") or []))


class AccessTokenOperations:
    """``ml_client.access_tokens`` (Switchyard extension)."""

    def __init__(self, http: Transport) -> None:
        self._http = http

    def create(self, name: str, role: str, *, expires_in_seconds: Optional[int] = None) -> AccessToken:
        """Makes a token for ``name`` with ``role`` (Owner, Contributor or Reader), expiring after
        ``expires_in_seconds`` if given; the answer's ``token`` is the only time the server shows it."""
        if str(role).capitalize() not in ROLES:
            raise ValidationException(f"role must be one of {', '.join(ROLES)}, got {role!r}")
        body: Dict[str, Any] = {"name": name, "role": role}
        if expires_in_seconds is not None:
            body["expires_in_seconds"] = expires_in_seconds
        return AccessToken._from_rest(self._http.request("POST", "/api/v1/tokens", json_body=body))

    def list(self) -> List[AccessToken]:
        """Tokens not revoked (never the tokens themselves)."""
        return [AccessToken._from_rest(t) for t in self._http.request("GET", "/api/v1/tokens")["value"]]

    def revoke(self, id: Optional[str] = None, *, name: Optional[str] = None) -> List[AccessToken]:
        """Revokes the token ``id``, or every token of ``name``; answers the revoked records."""
        if (id is None) == (name is None):
            raise ValidationException("revoke takes an id or a name (one of them)")
        ids = [id] if id is not None else [t.id for t in self.list() if t.name == name]
        if not ids:
            raise ValidationException(f"no token named {name!r}")
        return [AccessToken._from_rest(self._http.request("DELETE", f"/api/v1/tokens/{seg(i)}")) for i in ids]


class AuditOperations:
    """``ml_client.audit`` (Switchyard extension)."""

    def __init__(self, http: Transport) -> None:
        self._http = http

    def list(self, limit: int = 100) -> List[AuditEntry]:
        """The newest ``limit`` entries (1..10000), newest first: every change, key listing, token
        minting... made with a valid token, whatever its outcome."""
        return [AuditEntry._from_rest(e) for e in self._http.request("GET", "/api/v1/audit", query={"limit": limit})["value"]]

    def list_denied(self, limit: int = 100) -> List[DeniedAttempt]:
        """Refused requests (401, 403, 429), counted per minute, source, principal, action and reason,
        most recently seen first (the server writes them every few seconds)."""
        return [DeniedAttempt._from_rest(e) for e in self._http.request("GET", "/api/v1/audit/denied", query={"limit": limit})["value"]]
