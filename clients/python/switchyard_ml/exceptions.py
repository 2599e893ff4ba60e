"""Errors raised by the client, named and shaped like ``azure.core.exceptions``.

A script written for Azure catches ``ResourceNotFoundError``, ``HttpResponseError`` (``.status_code``,
``.message``, ``.reason``), ``ClientAuthenticationError``, ``ResourceExistsError``... and reads the same
attributes here. Every error from the server also carries Switchyard's stable ``.error_code``
(``EndpointNotFound``, ``TrafficSumInvalid``, ...: the catalogue of ``src/errors.ts``).

When the real ``azure-core`` package is installed too, these classes derive from its classes, so an
``except azure.core.exceptions.HttpResponseError`` catches them whichever module the script imported.
"""
from __future__ import annotations

import importlib.util
from typing import Any, Optional, Tuple, Type


def _real_azure_core() -> Any:
    """The installed azure-core's exceptions module, or None (the compat layer's own is not it)."""
    try:
        spec = importlib.util.find_spec("azure.core")
    except (ImportError, ValueError):
        return None
    # The compat layer ships azure/core as a namespace portion (no __init__.py); azure-core is a
    # regular package, whose spec has an origin.
    if spec is None or not spec.origin or spec.origin == "namespace":
        return None
    try:
        from azure.core import exceptions as real  # type: ignore[import-not-found]
    except ImportError:
        return None
    return real


_REAL = _real_azure_core()


def _bases(name: str, *ours: Type[BaseException]) -> Tuple[Type[BaseException], ...]:
    """Our bases, with azure-core's class of the same name first when azure-core is installed."""
    real = getattr(_REAL, name, None) if _REAL is not None else None
    if not isinstance(real, type):
        return ours
    return (real, *[b for b in ours if b is not Exception])


class AzureError(*_bases("AzureError", Exception)):  # type: ignore[misc]
    """Base of every error of this client (azure.core's ``AzureError``)."""

    def __init__(self, message: Optional[str] = None, *args: Any, **kwargs: Any) -> None:
        self.message = str(message) if message is not None else self.__class__.__name__
        self.inner_exception = kwargs.get("error")
        self.exc_type, self.exc_value, self.exc_traceback = None, None, None
        self.exc_msg = self.message
        self.continuation_token = None
        Exception.__init__(self, self.message, *args)

    def __str__(self) -> str:
        return self.message


class ServiceRequestError(*_bases("ServiceRequestError", AzureError)):  # type: ignore[misc]
    """The request never reached the server (connection refused, host not found...)."""


class ServiceResponseError(*_bases("ServiceResponseError", AzureError)):  # type: ignore[misc]
    """The server closed the connection or answered something that is not HTTP."""


class HttpResponseError(*_bases("HttpResponseError", AzureError)):  # type: ignore[misc]
    """The server answered with an error status.

    ``status_code`` is the HTTP status, ``reason`` its phrase, ``message`` the server's message, and
    ``error_code`` Switchyard's stable code (``error.code`` in the REST answer).
    """

    def __init__(
        self,
        message: Optional[str] = None,
        *,
        status_code: Optional[int] = None,
        reason: Optional[str] = None,
        error_code: Optional[str] = None,
        details: Any = None,
        response: Any = None,
        **kwargs: Any,
    ) -> None:
        self.status_code = status_code
        self.reason = reason
        self.error_code = error_code
        self.details = details
        self.response = response
        self.model = None
        # azure.core exposes the parsed error as .error with .code and .message.
        self.error = _ODataError(error_code, message) if error_code or message else None
        AzureError.__init__(self, message, **kwargs)

    def __str__(self) -> str:
        return self.message


class _ODataError:
    def __init__(self, code: Optional[str], message: Optional[str]) -> None:
        self.code = code
        self.message = message

    def __str__(self) -> str:
        return f"({self.code}) {self.message}" if self.code else str(self.message)


class ClientAuthenticationError(*_bases("ClientAuthenticationError", HttpResponseError)):  # type: ignore[misc]
    """401: no token, or one the server does not accept (unknown or revoked)."""


class ResourceNotFoundError(*_bases("ResourceNotFoundError", HttpResponseError)):  # type: ignore[misc]
    """404: the endpoint, deployment, model, environment... does not exist."""


class ResourceExistsError(*_bases("ResourceExistsError", HttpResponseError)):  # type: ignore[misc]
    """409 for something that already exists (an endpoint name, an asset version with other content)."""


class ResourceModifiedError(*_bases("ResourceModifiedError", HttpResponseError)):  # type: ignore[misc]
    """412 (kept for scripts that name it; Switchyard does not use conditional requests)."""


class ResourceNotModifiedError(*_bases("ResourceNotModifiedError", HttpResponseError)):  # type: ignore[misc]
    """304 (kept for scripts that name it)."""


class ValidationException(ValueError):
    """An argument or entity the client refuses before sending anything (``azure.ai.ml.exceptions``)."""

    def __init__(self, message: str, **kwargs: Any) -> None:
        super().__init__(message)
        self.message = message
        self.no_personal_data_message = kwargs.get("no_personal_data_message", message)


__all__ = [
    "AzureError",
    "ServiceRequestError",
    "ServiceResponseError",
    "HttpResponseError",
    "ClientAuthenticationError",
    "ResourceNotFoundError",
    "ResourceExistsError",
    "ResourceModifiedError",
    "ResourceNotModifiedError",
    "ValidationException",
]
