"""Stand-ins for ``azure.identity``'s credentials, so ``MLClient(DefaultAzureCredential(), ...)`` runs
unchanged. Switchyard does not use Microsoft Entra ID: the client authenticates with the Switchyard
token it resolves (SWITCHYARD_TOKEN, the saved CLI configuration, or the local admin-token file).
``get_token()`` answers that token, so a notebook's "check the credential" cell works too."""
from __future__ import annotations

import time
from typing import Any, NamedTuple, Optional

from .connection import resolve_connection
from .exceptions import ClientAuthenticationError


class AccessToken(NamedTuple):
    token: str
    expires_on: int


class SwitchyardCredential:
    """Base of the stand-ins: accepts any arguments the Azure classes take."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._kwargs = kwargs

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        conn = resolve_connection()
        if not conn.token:
            raise ClientAuthenticationError(
                f"no Switchyard token for {conn.url}: set SWITCHYARD_TOKEN, or run `switchyard configure --url URL --token TOKEN`"
            )
        # Switchyard tokens do not expire (they are revoked); say an hour, as Entra tokens last.
        return AccessToken(conn.token, int(time.time()) + 3600)

    def close(self) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *args: Any) -> None:
        self.close()


class DefaultAzureCredential(SwitchyardCredential):
    pass


class AzureCliCredential(SwitchyardCredential):
    pass


class InteractiveBrowserCredential(SwitchyardCredential):
    pass


class DeviceCodeCredential(SwitchyardCredential):
    pass


class EnvironmentCredential(SwitchyardCredential):
    pass


class ManagedIdentityCredential(SwitchyardCredential):
    pass


class ClientSecretCredential(SwitchyardCredential):
    pass


class ChainedTokenCredential(SwitchyardCredential):
    pass


__all__ = [
    "AccessToken", "SwitchyardCredential", "DefaultAzureCredential", "AzureCliCredential",
    "InteractiveBrowserCredential", "DeviceCodeCredential", "EnvironmentCredential",
    "ManagedIdentityCredential", "ClientSecretCredential", "ChainedTokenCredential",
]
