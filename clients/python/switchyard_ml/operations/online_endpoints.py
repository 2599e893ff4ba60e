"""``ml_client.online_endpoints``: create or update, get, list, delete, invoke, keys."""
from __future__ import annotations

import os
import urllib.error
import urllib.request
from datetime import datetime
from typing import Any, Dict, List, Optional, Union

from .._http import Transport, seg, unreachable
from ..entities.endpoint import OnlineEndpoint
from ..entities.settings import EndpointAuthKeys, EndpointAuthToken
from ..exceptions import HttpResponseError, ResourceNotFoundError, ValidationException
from ..poller import LROPoller
from .comparison import ComparisonSample, EndpointComparison, get_comparison, get_comparison_samples

# Scoring requests may run up to request_timeout_ms (at most 180 s); then some slack.
_SCORING_TIMEOUT = 200.0


class OnlineEndpointOperations:
    def __init__(self, http: Transport) -> None:
        self._http = http

    def _view(self, name: str) -> dict:
        return self._http.request("GET", f"/api/v1/endpoints/{seg(name)}")

    def get(self, name: str, *, local: bool = False, **kwargs: Any) -> OnlineEndpoint:
        """The endpoint as the server has it (traffic, mirror_traffic, scoring_uri, provisioning_state...)."""
        return OnlineEndpoint._from_rest(self._view(name))

    def list(self, *, local: bool = False, **kwargs: Any) -> List[OnlineEndpoint]:
        return [OnlineEndpoint._from_rest(v) for v in self._http.request("GET", "/api/v1/endpoints")["value"]]

    def begin_create_or_update(self, endpoint: OnlineEndpoint, *, local: bool = False, **kwargs: Any) -> LROPoller[OnlineEndpoint]:
        """Creates the endpoint, or updates it to match ``endpoint`` (traffic, mirror traffic,
        description, tags, auth mode). Only fields that differ from the server's are sent; an empty
        ``traffic`` or ``mirror_traffic`` leaves the server's as it is."""
        if not isinstance(endpoint, OnlineEndpoint):
            raise ValidationException(f"begin_create_or_update takes an OnlineEndpoint, got {type(endpoint).__name__}")
        if not endpoint.name:
            raise ValidationException("the endpoint needs a name")
        name = endpoint.name
        try:
            current = self._view(name)
        except ResourceNotFoundError:
            current = None
        finish = lambda: self.get(name)  # noqa: E731
        if current is None:
            accepted = self._http.request("POST", "/api/v1/endpoints", json_body=endpoint._create_body())
            return LROPoller(self._http, accepted["operation"], finish)
        patch = endpoint._patch_against(current)
        if not patch:
            return LROPoller(self._http, None, finish)
        accepted = self._http.request("PATCH", f"/api/v1/endpoints/{seg(name)}", json_body=patch)
        return LROPoller(self._http, accepted["operation"], finish)

    def begin_delete(self, name: Optional[str] = None, *, local: bool = False, **kwargs: Any) -> LROPoller[None]:
        """Deletes the endpoint and all its deployments."""
        if not name:
            raise ValidationException("begin_delete needs the endpoint's name")
        accepted = self._http.request("DELETE", f"/api/v1/endpoints/{seg(name)}")
        return LROPoller(self._http, accepted["operation"], lambda: None)

    def get_keys(self, name: str, **kwargs: Any) -> Union[EndpointAuthKeys, EndpointAuthToken]:
        """The keys of a key endpoint, or a fresh token of an aml_token endpoint."""
        view = self._view(name)
        if view.get("auth_mode") == "aml_token":
            t = self._http.request("POST", f"/api/v1/endpoints/{seg(name)}/token")
            return EndpointAuthToken(
                access_token=t.get("accessToken"), expiry_time_utc=t.get("expiryTimeUtc"),
                refresh_after_time_utc=t.get("refreshAfterTimeUtc"), token_type=t.get("tokenType"),
            )
        k = self._http.request("POST", f"/api/v1/endpoints/{seg(name)}/list-keys")
        return EndpointAuthKeys(primary_key=k.get("primaryKey"), secondary_key=k.get("secondaryKey"))

    def begin_regenerate_keys(self, name: str, *, key_type: str = "primary", **kwargs: Any) -> LROPoller[None]:
        """Regenerates one key; the old one is refused as soon as this returns."""
        kind = str(key_type).lower()
        if kind not in ("primary", "secondary"):
            raise ValidationException(f"key_type must be 'primary' or 'secondary', got {key_type!r}")
        self._http.request("POST", f"/api/v1/endpoints/{seg(name)}/regenerate-keys", json_body={"keyType": kind})
        return LROPoller(self._http, None, lambda: None)

    def invoke(
        self,
        endpoint_name: str,
        request_file: Optional[str] = None,
        deployment_name: Optional[str] = None,
        *,
        input_data: Any = None,
        params_override: Any = None,
        local: bool = False,
        **kwargs: Any,
    ) -> str:
        """Scores ``request_file`` (relative to the working directory) at the endpoint, or at one
        deployment with ``deployment_name`` whatever the traffic; answers the response body (text)."""
        if request_file is None and input_data is None:
            raise ValidationException("invoke needs request_file (a JSON file) or input_data")
        if request_file is not None:
            path = os.path.abspath(request_file)
            if not os.path.isfile(path):
                raise ValidationException(f"request_file: {path} is not a readable file")
            with open(path, "rb") as f:
                payload = f.read()
        else:
            payload = input_data if isinstance(input_data, bytes) else str(input_data).encode("utf-8")
        view = self._view(endpoint_name)
        if view.get("auth_mode") == "aml_token":
            credential = self._http.request("POST", f"/api/v1/endpoints/{seg(endpoint_name)}/token")["accessToken"]
        else:
            credential = self._http.request("POST", f"/api/v1/endpoints/{seg(endpoint_name)}/list-keys")["primaryKey"]
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {credential}"}
        if deployment_name:
            headers["azureml-model-deployment"] = deployment_name
        req = urllib.request.Request(view["scoring_uri"], data=payload, method="POST", headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=_SCORING_TIMEOUT) as res:
                return res.read().decode("utf-8", errors="replace")
        except urllib.error.HTTPError as e:
            body = (e.read() if e.fp is not None else b"").decode("utf-8", errors="replace").strip()[:2000]
            reason = e.headers.get("ms-azureml-model-error-reason") if e.headers else None
            text = f"the scoring request failed with HTTP {e.code}" + (f" ({reason})" if reason else "") + (f": {body}" if body else "")
            cls = ResourceNotFoundError if e.code == 404 else HttpResponseError
            raise cls(text, status_code=e.code, reason=str(e.reason)) from None
        except (urllib.error.URLError, ConnectionError, TimeoutError) as e:
            raise unreachable(view["scoring_uri"], e) from None

    # --- Switchyard extensions ----------------------------------------------------------------
    def get_comparison(
        self, name: str, *, deployment: Optional[str] = None, since: Optional[Union[str, datetime]] = None,
    ) -> EndpointComparison:
        """Shadow comparison: the mirrored deployments' answers compared with the live answers to the
        same requests (agreement, differences, latencies, a distribution-shift test, samples of
        disagreements for Contributor and Owner). ``deployment`` keeps one shadow; ``since`` (an ISO
        8601 time or a datetime) keeps pairs compared from then on."""
        return get_comparison(self._http, name, deployment, _iso(since))

    def get_comparison_samples(
        self, name: str, *, deployment: Optional[str] = None, since: Optional[Union[str, datetime]] = None,
    ) -> Dict[str, List[ComparisonSample]]:
        """Only the samples of disagreements, by shadow deployment (Contributor and Owner)."""
        return get_comparison_samples(self._http, name, deployment, _iso(since))


def _iso(since: Optional[Union[str, datetime]]) -> Optional[str]:
    if isinstance(since, datetime):
        return since.isoformat()
    return since
