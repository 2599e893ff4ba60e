"""Value objects of a deployment, with Azure's names and fields."""
from __future__ import annotations

import os
from typing import Any, Dict, Optional, Union

from ._base import Settings, drop_none


class CodeConfiguration(Settings):
    """The folder with the scoring script (``code``: a local path, or an uploaded ``sha256:`` digest)
    and the script's path inside it. A local path is relative to the working directory when the
    object was made (or to the YAML file's folder when loaded from one), as with azure-ai-ml."""

    _fields = ("code", "scoring_script")

    def __init__(self, code: Optional[Union[str, os.PathLike]] = None, scoring_script: Optional[str] = None, **kwargs: Any) -> None:
        self.code = os.fspath(code) if code is not None else None
        self.scoring_script = scoring_script
        self.base_path = kwargs.pop("base_path", None) or os.getcwd()


class OnlineRequestSettings(Settings):
    _fields = ("request_timeout_ms", "max_concurrent_requests_per_instance", "max_queue_wait_ms")

    def __init__(
        self,
        max_concurrent_requests_per_instance: Optional[int] = None,
        request_timeout_ms: Optional[int] = None,
        max_queue_wait_ms: Optional[int] = None,
        **kwargs: Any,
    ) -> None:
        self.max_concurrent_requests_per_instance = max_concurrent_requests_per_instance
        self.request_timeout_ms = request_timeout_ms
        self.max_queue_wait_ms = max_queue_wait_ms


class ProbeSettings(Settings):
    """Liveness or readiness probe (seconds and counts, as in Azure's YAML)."""

    _fields = ("initial_delay", "period", "timeout", "success_threshold", "failure_threshold")

    def __init__(
        self,
        *,
        failure_threshold: Optional[int] = None,
        success_threshold: Optional[int] = None,
        timeout: Optional[int] = None,
        period: Optional[int] = None,
        initial_delay: Optional[int] = None,
        **kwargs: Any,
    ) -> None:
        self.failure_threshold = failure_threshold
        self.success_threshold = success_threshold
        self.timeout = timeout
        self.period = period
        self.initial_delay = initial_delay


class DefaultScaleSettings(Settings):
    _fields = ("type",)

    def __init__(self, **kwargs: Any) -> None:
        self.type = "default"


class TargetUtilizationScaleSettings(Settings):
    """Recorded and shown; the local runtime keeps ``instance_count`` instances."""

    _fields = ("type", "min_instances", "max_instances", "polling_interval", "target_utilization_percentage")

    def __init__(
        self,
        *,
        min_instances: Optional[int] = None,
        max_instances: Optional[int] = None,
        polling_interval: Optional[int] = None,
        target_utilization_percentage: Optional[int] = None,
        **kwargs: Any,
    ) -> None:
        self.type = "target_utilization"
        self.min_instances = min_instances
        self.max_instances = max_instances
        self.polling_interval = polling_interval
        self.target_utilization_percentage = target_utilization_percentage


def scale_settings_from(d: Optional[Dict[str, Any]]):
    if d is None or isinstance(d, Settings):
        return d
    kind = str(d.get("type", "default")).lower()
    if kind == "target_utilization":
        return TargetUtilizationScaleSettings._from_dict(d)
    return DefaultScaleSettings()


class EndpointAuthKeys(Settings):
    """``get_keys`` of a key-auth endpoint."""

    _fields = ("primary_key", "secondary_key")

    def __init__(self, *, primary_key: Optional[str] = None, secondary_key: Optional[str] = None, **kwargs: Any) -> None:
        self.primary_key = primary_key
        self.secondary_key = secondary_key

    def __repr__(self) -> str:  # never print the keys themselves
        return "EndpointAuthKeys(primary_key=***, secondary_key=***)"


class EndpointAuthToken(Settings):
    """``get_keys`` of an aml_token endpoint."""

    _fields = ("access_token", "expiry_time_utc", "refresh_after_time_utc", "token_type")

    def __init__(
        self,
        *,
        access_token: Optional[str] = None,
        expiry_time_utc: Any = None,
        refresh_after_time_utc: Any = None,
        token_type: Optional[str] = None,
        **kwargs: Any,
    ) -> None:
        self.access_token = access_token
        self.expiry_time_utc = expiry_time_utc
        self.refresh_after_time_utc = refresh_after_time_utc
        self.token_type = token_type

    def __repr__(self) -> str:
        return f"EndpointAuthToken(access_token=***, expiry_time_utc={self.expiry_time_utc!r}, token_type={self.token_type!r})"


__all__ = [
    "CodeConfiguration",
    "OnlineRequestSettings",
    "ProbeSettings",
    "DefaultScaleSettings",
    "TargetUtilizationScaleSettings",
    "EndpointAuthKeys",
    "EndpointAuthToken",
    "drop_none",
]
