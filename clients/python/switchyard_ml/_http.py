"""One HTTP exchange with the control plane (standard library only): the bearer token, JSON in and
out, and every failure turned into an exception named like azure.core's, carrying the server's
stable error code and message."""
from __future__ import annotations

import json
import socket
import urllib.error
import urllib.request
from typing import IO, Any, Dict, Mapping, Optional, Union
from urllib.parse import quote, urlencode

from . import __version__
from .connection import Connection
from .exceptions import (
    ClientAuthenticationError,
    HttpResponseError,
    ResourceExistsError,
    ResourceNotFoundError,
    ServiceRequestError,
    ServiceResponseError,
)

# 409 codes that mean "it already exists" (azure-ai-ml maps 409 to ResourceExistsError); other 409s
# (an operation in progress, a deployment that still has traffic) are plain HttpResponseErrors.
_EXISTS_CODES = {"EndpointExists", "DeploymentExists", "AssetExists", "AssetImmutable"}

Body = Union[bytes, IO[bytes], None]


def seg(value: str) -> str:
    """A URL path segment."""
    return quote(str(value), safe="")


def error_for_status(status: int, reason: str, body: bytes, what: str, connection: Optional[Connection] = None) -> HttpResponseError:
    """The exception for a non-2xx answer: the class by status, the message and code from the body."""
    code: Optional[str] = None
    details: Any = None
    message: Optional[str] = None
    text = body.decode("utf-8", errors="replace")
    try:
        parsed = json.loads(text)
        err = parsed.get("error") if isinstance(parsed, dict) else None
        if isinstance(err, dict) and isinstance(err.get("message"), str):
            message = err["message"]
            code = err.get("code") if isinstance(err.get("code"), str) else None
            details = err.get("details")
    except ValueError:
        pass
    if message is None:
        shown = text.strip()[:500]
        message = f"{what} failed with HTTP {status}" + (f": {shown}" if shown else "")
    kwargs: Dict[str, Any] = dict(status_code=status, reason=reason, error_code=code, details=details)
    if status == 401:
        hint = ""
        if connection is not None:
            hint = (
                f" The Switchyard server at {connection.url} refused the token from {connection.token_source}."
                if connection.token
                else f" No token was found for the Switchyard server at {connection.url}."
            )
            hint += (
                " Set SWITCHYARD_TOKEN to a valid token (the server's <data-dir>/admin-token, or one from"
                " `switchyard token create`), or run `switchyard configure --url URL --token TOKEN`."
            )
        return ClientAuthenticationError(f"({code or 'Unauthorized'}) {message}{hint}", **kwargs)
    full = f"({code}) {message}" if code else message
    if status == 404:
        return ResourceNotFoundError(full, **kwargs)
    if status == 409 and code in _EXISTS_CODES:
        return ResourceExistsError(full, **kwargs)
    return HttpResponseError(full, **kwargs)


def unreachable(url: str, error: BaseException) -> ServiceRequestError:
    reason = getattr(error, "reason", error)
    if isinstance(reason, ConnectionRefusedError):
        why = "connection refused"
    elif isinstance(reason, socket.gaierror):
        why = "host not found"
    elif isinstance(reason, (socket.timeout, TimeoutError)):
        why = "timed out"
    else:
        why = str(reason)
    return ServiceRequestError(
        f"cannot reach the Switchyard server at {url} ({why}). Start it with `switchyard serve`, "
        "or set SWITCHYARD_URL to the address of a running server.",
        error=error,
    )


class Transport:
    """Requests to one control plane with one token."""

    def __init__(self, connection: Connection, timeout: float = 60.0) -> None:
        self.connection = connection
        self.timeout = timeout
        self.user_agent = f"switchyard-ml-python/{__version__}"

    @property
    def url(self) -> str:
        return self.connection.url

    def request(
        self,
        method: str,
        path: str,
        *,
        query: Optional[Mapping[str, Any]] = None,
        json_body: Any = None,
        body: Body = None,
        content_type: Optional[str] = None,
        content_length: Optional[int] = None,
        expect: str = "json",
        timeout: Optional[float] = None,
    ) -> Any:
        """Sends one request; answers the parsed JSON (``expect='json'``) or the text (``'text'``)."""
        target = self.connection.url + path
        params = {k: v for k, v in (query or {}).items() if v is not None}
        if params:
            target += "?" + urlencode(params)
        headers = {"User-Agent": self.user_agent, "Accept": "application/json"}
        if self.connection.token:
            headers["Authorization"] = f"Bearer {self.connection.token}"
        data: Body = None
        if json_body is not None:
            data = json.dumps(json_body).encode("utf-8")
            headers["Content-Type"] = "application/json"
        elif body is not None:
            data = body
            headers["Content-Type"] = content_type or "application/octet-stream"
            if content_length is not None:
                headers["Content-Length"] = str(content_length)
        req = urllib.request.Request(target, data=data, method=method, headers=headers)
        what = f"{method} {path}"
        try:
            with urllib.request.urlopen(req, timeout=timeout or self.timeout) as res:
                raw = res.read()
        except urllib.error.HTTPError as e:
            raw = e.read() if e.fp is not None else b""
            raise error_for_status(e.code, str(e.reason), raw, what, self.connection) from None
        except urllib.error.URLError as e:
            raise unreachable(self.connection.url, e) from None
        except (ConnectionError, socket.timeout, TimeoutError) as e:
            raise unreachable(self.connection.url, e) from None
        if expect == "text":
            return raw.decode("utf-8", errors="replace")
        if not raw:
            return None
        try:
            return json.loads(raw)
        except ValueError:
            raise ServiceResponseError(
                f"{what}: the server answered with a body that is not JSON: {raw[:200]!r}"
            ) from None
