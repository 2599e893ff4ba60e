"""``MLClient``: azure-ai-ml's entry point, connected to a Switchyard server.

It takes Azure's arguments (a credential, subscription, resource group, workspace) and ignores the
Azure identifiers: the server and token come from ``SWITCHYARD_URL`` / ``SWITCHYARD_TOKEN``, else the
``switchyard configure`` file, else the local default server and its admin-token file (see
``connection.py``). The ``switchyard_ml`` logger says at DEBUG level which server it chose and why.
"""
from __future__ import annotations

import logging
from typing import Any, Optional, Union

from ._http import Transport
from .connection import Connection, resolve_connection
from .entities.assets import Environment, Model
from .entities.deployment import OnlineDeployment
from .entities.endpoint import OnlineEndpoint
from .exceptions import ValidationException
from .operations.access_control import AccessTokenOperations, AuditOperations, WhoAmI, whoami
from .operations.assets import EnvironmentOperations, ModelOperations
from .operations.online_deployments import OnlineDeploymentOperations
from .operations.online_endpoints import OnlineEndpointOperations
from .operations.rollouts import RolloutOperations
from .poller import LROPoller

logger = logging.getLogger("switchyard_ml")


class MLClient:
    """``MLClient(credential, subscription_id, resource_group_name, workspace_name)``.

    Switchyard keywords (optional): ``url`` and ``token`` to name the server and token explicitly,
    ``timeout`` (seconds) for each control-plane request.
    """

    def __init__(
        self,
        credential: Any = None,
        subscription_id: Optional[str] = None,
        resource_group_name: Optional[str] = None,
        workspace_name: Optional[str] = None,
        registry_name: Optional[str] = None,
        *,
        url: Optional[str] = None,
        token: Optional[str] = None,
        timeout: float = 60.0,
        **kwargs: Any,
    ) -> None:
        self._credential = credential
        self.subscription_id = subscription_id
        self.resource_group_name = resource_group_name
        self.workspace_name = workspace_name
        self.connection: Connection = resolve_connection(url=url, token=token)
        logger.debug(
            "MLClient: using the Switchyard server at %s (url from %s; token from %s). "
            "The Azure identifiers (subscription %r, resource group %r, workspace %r) are not used.",
            self.connection.url, self.connection.url_source, self.connection.token_source,
            subscription_id, resource_group_name, workspace_name,
        )
        self._http = Transport(self.connection, timeout=timeout)
        self.environments = EnvironmentOperations(self._http)
        self.models = ModelOperations(self._http)
        self.online_endpoints = OnlineEndpointOperations(self._http)
        self.online_deployments = OnlineDeploymentOperations(self._http, self.environments._register_for_deployment)
        # Switchyard extensions.
        self.access_tokens = AccessTokenOperations(self._http)
        self.audit = AuditOperations(self._http)
        self.rollouts = RolloutOperations(self._http)

    @classmethod
    def from_config(cls, credential: Any = None, *, path: Optional[str] = None, file_name: Optional[str] = None, **kwargs: Any) -> "MLClient":
        """As azure-ai-ml's, minus the workspace config file: connects like the constructor."""
        return cls(credential, **kwargs)

    def whoami(self) -> WhoAmI:
        """Who the server takes this client for (Switchyard extension): principal, role, allowed
        actions. A quick check of the connection: a bad token raises ClientAuthenticationError."""
        return whoami(self._http)

    @property
    def server_url(self) -> str:
        """The control plane in use (Switchyard extension)."""
        return self.connection.url

    def begin_create_or_update(self, entity: Union[OnlineEndpoint, OnlineDeployment], **kwargs: Any) -> LROPoller:
        if isinstance(entity, OnlineEndpoint):
            return self.online_endpoints.begin_create_or_update(entity, **kwargs)
        if isinstance(entity, OnlineDeployment):
            return self.online_deployments.begin_create_or_update(entity, **kwargs)
        raise ValidationException(
            f"begin_create_or_update takes an online endpoint or deployment, got {type(entity).__name__}"
            " (models and environments: create_or_update)"
        )

    def create_or_update(self, entity: Union[Model, Environment], **kwargs: Any) -> Union[Model, Environment]:
        if isinstance(entity, Model):
            return self.models.create_or_update(entity, **kwargs)
        if isinstance(entity, Environment):
            return self.environments.create_or_update(entity, **kwargs)
        raise ValidationException(
            f"create_or_update takes a Model or an Environment, got {type(entity).__name__}"
            " (online endpoints and deployments: begin_create_or_update)"
        )

    def __repr__(self) -> str:
        return f"MLClient(switchyard={self.connection.url!r}, workspace_name={self.workspace_name!r})"
