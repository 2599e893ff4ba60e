"""``ml_client.online_deployments``: create or update, get, list, logs, delete (and, a Switchyard
extension, the gateway's metrics of a deployment)."""
from __future__ import annotations

from typing import Any, Callable, Dict, List, Optional

from .._http import Transport, seg
from ..artifacts import Uploader
from ..entities._base import same
from ..entities.deployment import KubernetesOnlineDeployment, OnlineDeployment
from ..exceptions import ResourceNotFoundError, ValidationException
from ..poller import LROPoller
from .references import code_input, environment_input, model_input, view_as_input

_CONTAINERS = {
    "inference-server": "inference-server", "inferenceserver": "inference-server",
    "storage-initializer": "storage-initializer", "storageinitializer": "storage-initializer",
}


class OnlineDeploymentOperations:
    def __init__(self, http: Transport, register_environment: Callable[[Any], Any]) -> None:
        self._http = http
        self._register_environment = register_environment

    def _path(self, endpoint_name: str, name: Optional[str] = None) -> str:
        base = f"/api/v1/endpoints/{seg(endpoint_name)}/deployments"
        return f"{base}/{seg(name)}" if name else base

    def get(self, name: str, endpoint_name: str, *, local: bool = False, **kwargs: Any) -> OnlineDeployment:
        return OnlineDeployment._from_rest(self._http.request("GET", self._path(endpoint_name, name)))

    def list(self, endpoint_name: str, *, local: bool = False, **kwargs: Any) -> List[OnlineDeployment]:
        return [OnlineDeployment._from_rest(v) for v in self._http.request("GET", self._path(endpoint_name))["value"]]

    def _input(self, deployment: OnlineDeployment, skip_script_validation: bool) -> Dict[str, Any]:
        """The deployment as the REST API takes it, after uploading its local paths."""
        uploader = Uploader(self._http)
        body: Dict[str, Any] = {"name": deployment.name}
        for key, value in deployment._plain_fields().items():
            if value is not None:
                body[key] = value
        if deployment.model is not None:
            body["model"] = model_input(deployment.model, uploader)
        if deployment.code_configuration is not None:
            body["code_configuration"] = code_input(deployment.code_configuration, uploader, skip_script_validation)
        if deployment.environment is not None:
            body["environment"] = environment_input(deployment.environment, self._register_environment)
        if isinstance(deployment, KubernetesOnlineDeployment):
            body["type"] = "kubernetes"
        return body

    def _logs_hint(self, name: str, endpoint_name: str) -> Callable[[], str]:
        return lambda: (
            f"See the logs: ml_client.online_deployments.get_logs(name={name!r}, endpoint_name={endpoint_name!r}, lines=100)"
            " (add container_type='storage-initializer' for the staging of model and code)"
        )

    def begin_create_or_update(
        self,
        deployment: OnlineDeployment,
        *,
        local: bool = False,
        vscode_debug: bool = False,
        skip_script_validation: bool = False,
        local_enable_gpu: bool = False,
        **kwargs: Any,
    ) -> LROPoller[OnlineDeployment]:
        """Creates the deployment, or updates it: only the fields that differ from the server's are
        sent (``instance_count`` alone scales; a new model, code or environment rolls instances over)."""
        if not isinstance(deployment, OnlineDeployment):
            raise ValidationException(f"begin_create_or_update takes an OnlineDeployment, got {type(deployment).__name__}")
        if not deployment.name:
            raise ValidationException("the deployment needs a name")
        if not deployment.endpoint_name:
            raise ValidationException(f"deployment {deployment.name} needs endpoint_name: the endpoint to create it in")
        name, endpoint = deployment.name, deployment.endpoint_name
        try:
            current: Optional[dict] = self._http.request("GET", self._path(endpoint, name))
        except ResourceNotFoundError as e:
            if e.error_code == "EndpointNotFound":
                raise
            current = None
        body = self._input(deployment, skip_script_validation)
        finish = lambda: self.get(name, endpoint)  # noqa: E731
        hint = self._logs_hint(name, endpoint)
        if current is None:
            accepted = self._http.request("POST", self._path(endpoint), json_body=body)
            return LROPoller(self._http, accepted["operation"], finish, hint=hint)
        now = view_as_input(current)
        patch = {k: v for k, v in body.items() if k != "name" and not same(v, now.get(k))}
        if not patch:
            return LROPoller(self._http, None, finish)
        accepted = self._http.request("PATCH", self._path(endpoint, name), json_body=patch)
        return LROPoller(self._http, accepted["operation"], finish, hint=hint)

    def begin_delete(self, name: Optional[str] = None, endpoint_name: Optional[str] = None, *, local: bool = False, **kwargs: Any) -> LROPoller[None]:
        """Deletes the deployment (its live and mirror traffic must be 0 first)."""
        if not name or not endpoint_name:
            raise ValidationException("begin_delete needs the deployment's name and endpoint_name")
        accepted = self._http.request("DELETE", self._path(endpoint_name, name))
        return LROPoller(self._http, accepted["operation"], lambda: None)

    def get_logs(
        self,
        name: str,
        endpoint_name: str,
        lines: int = 5000,
        container_type: Optional[str] = None,
        *,
        local: bool = False,
        **kwargs: Any,
    ) -> str:
        """The last ``lines`` lines of the instances' logs; ``container_type='storage-initializer'``
        shows the staging of model and code (and the environment check)."""
        if not isinstance(lines, int) or isinstance(lines, bool) or lines < 1:
            raise ValidationException(f"lines must be a positive whole number, got {lines!r}")
        container = None
        if container_type is not None:
            container = _CONTAINERS.get(str(container_type).replace("_", "-").lower()) or _CONTAINERS.get(str(container_type).lower())
            if container is None:
                raise ValidationException(f"container_type must be 'inference-server' or 'storage-initializer', got {container_type!r}")
        return self._http.request(
            "GET", self._path(endpoint_name, name) + "/logs", query={"lines": lines, "container": container}, expect="text",
        )

    # --- Switchyard extension -----------------------------------------------------------------
    def get_metrics(self, name: str, endpoint_name: str) -> Dict[str, Any]:
        """The gateway's counters for this deployment (Switchyard extension): ``requests``,
        ``byStatus``, ``inFlight``, ``queued``, ``readyInstances``, ``p50Ms``, ``p99Ms`` and
        ``mirror`` (copies sent to it as a shadow, and how they ended)."""
        return self._http.request("GET", self._path(endpoint_name, name) + "/metrics")
