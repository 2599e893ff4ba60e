"""Progressive rollouts (Switchyard extension, docs/rollout.md): mirror a share of traffic to a
candidate deployment, then give it growing shares of live traffic, judging gates (error rate, latency,
agreement of answers) against the current deployments on the same window, and roll back at once when a
gate fails. ``ml_client.rollouts.start(endpoint_name, candidate, policy)``; ``get``, ``list``,
``pause``, ``resume``, ``abort``, ``promote``; ``wait`` until it is no longer Progressing.

While a rollout is Progressing, a manual traffic change (``endpoint.traffic = ...`` then
``begin_create_or_update``) is refused with ``HttpResponseError`` 409 ``RolloutInProgress``."""
from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Union

from .._http import Transport, seg
from .._yaml import load_yaml_mapping
from ..entities._base import drop_none
from ..exceptions import ValidationException

#: States in which the rollout still holds the endpoint's traffic.
ACTIVE_STATES = ("Progressing", "Paused")


@dataclass
class RolloutStep:
    """``RolloutStep(shadow=20, duration="5m")`` mirrors 20% to the candidate while the baseline
    answers; ``RolloutStep(traffic=20, duration="5m")`` gives it 20% of live traffic. The last step is
    ``RolloutStep(traffic=100)``. Durations: ``500ms``, ``30s``, ``5m``, ``1h``."""

    shadow: Optional[int] = None
    traffic: Optional[int] = None
    duration: Optional[str] = None

    def _to_rest(self) -> Dict[str, Any]:
        return drop_none({"shadow": self.shadow, "traffic": self.traffic, "duration": self.duration})


@dataclass
class RolloutGates:
    """Thresholds judged on each step's window (None: the server's default; see docs/rollout.md)."""

    max_error_rate: Optional[float] = None
    max_latency_p99_ratio: Optional[float] = None
    min_agreement: Optional[float] = None
    min_requests: Optional[int] = None
    latency_mann_whitney: Optional[Dict[str, float]] = None

    def _to_rest(self) -> Dict[str, Any]:
        return drop_none(dict(self.__dict__))


@dataclass
class RolloutPolicy:
    """Steps, gates, how often gates are evaluated, and what a failure does (``rollback`` or ``pause``).
    Fields left None take the server's defaults."""

    steps: Optional[List[Union[RolloutStep, Dict[str, Any]]]] = None
    gates: Optional[Union[RolloutGates, Dict[str, Any]]] = None
    interval: Optional[str] = None
    on_failure: Optional[str] = None
    delete_baseline_on_success: Optional[bool] = None

    def _to_rest(self) -> Dict[str, Any]:
        steps = None
        if self.steps is not None:
            steps = [s._to_rest() if isinstance(s, RolloutStep) else dict(s) for s in self.steps]
        gates = self.gates._to_rest() if isinstance(self.gates, RolloutGates) else self.gates
        return drop_none({
            "steps": steps, "gates": gates, "interval": self.interval, "on_failure": self.on_failure,
            "delete_baseline_on_success": self.delete_baseline_on_success,
        })


@dataclass
class GateResult:
    gate: str
    value: Optional[float]
    threshold: float
    verdict: str  # pass, fail, pending (not enough data) or not_applicable
    detail: str


@dataclass
class RolloutStatus:
    state: str  # Progressing, Paused, Succeeded, RolledBack or Aborted
    step: int
    step_started_at: str
    bake_ms: int
    applied: bool
    gates: List[GateResult]
    window: Optional[Dict[str, Any]]
    reason: Optional[Dict[str, Any]]
    last_evaluated_at: Optional[str]
    history: List[Dict[str, Any]] = field(default_factory=list)


@dataclass
class RolloutSpec:
    candidate: str
    baseline: Dict[str, int]
    policy: Dict[str, Any]
    started_by: str
    started_by_role: Optional[str]


@dataclass
class Rollout:
    """A rollout as the server has it: what was asked (``spec``), where it is (``status``), the traffic
    and mirror it holds in force (``routing``), and ``current_step`` ("2 of 4: traffic 20% for 5m")."""

    id: str
    endpoint: str
    spec: RolloutSpec
    status: RolloutStatus
    routing: Dict[str, Dict[str, int]]
    current_step: str
    created_at: str
    updated_at: str

    @property
    def state(self) -> str:
        return self.status.state

    @property
    def active(self) -> bool:
        return self.status.state in ACTIVE_STATES

    @classmethod
    def _from_rest(cls, d: Dict[str, Any]) -> "Rollout":
        st = d["status"]
        status = RolloutStatus(
            state=st["state"], step=st["step"], step_started_at=st["step_started_at"], bake_ms=st["bake_ms"],
            applied=st.get("applied", False),
            gates=[GateResult(**{k: g.get(k) for k in ("gate", "value", "threshold", "verdict", "detail")}) for g in st.get("gates") or []],
            window=st.get("window"), reason=st.get("reason"), last_evaluated_at=st.get("last_evaluated_at"),
            history=list(st.get("history") or []),
        )
        sp = d["spec"]
        spec = RolloutSpec(
            candidate=sp["candidate"], baseline=sp.get("baseline") or {}, policy=sp.get("policy") or {},
            started_by=sp.get("started_by", ""), started_by_role=sp.get("started_by_role"),
        )
        return cls(
            id=d["id"], endpoint=d["endpoint"], spec=spec, status=status, routing=d.get("routing") or {},
            current_step=d.get("current_step", ""), created_at=d.get("created_at", ""), updated_at=d.get("updated_at", ""),
        )


def _policy_body(policy: Union[None, RolloutPolicy, Dict[str, Any], str, "os.PathLike[str]"]) -> Optional[Dict[str, Any]]:
    if policy is None:
        return None
    if isinstance(policy, RolloutPolicy):
        return policy._to_rest()
    if isinstance(policy, dict):
        return policy
    if isinstance(policy, (str, os.PathLike)):
        return load_yaml_mapping(os.path.abspath(os.fspath(policy)), "rollout policy")
    raise ValidationException(f"policy must be a RolloutPolicy, a dict or the path of a policy YAML file, got {type(policy).__name__}")


class RolloutOperations:
    """``ml_client.rollouts`` (Switchyard extension)."""

    def __init__(self, http: Transport) -> None:
        self._http = http

    def _path(self, endpoint_name: str, action: str = "") -> str:
        return f"/api/v1/endpoints/{seg(endpoint_name)}/rollout" + (f"/{action}" if action else "")

    def start(
        self,
        endpoint_name: str,
        candidate: str,
        policy: Union[None, RolloutPolicy, Dict[str, Any], str, "os.PathLike[str]"] = None,
    ) -> Rollout:
        """Starts rolling ``candidate`` out on the endpoint; answers once the first step is in force.
        ``policy``: a RolloutPolicy, a dict, or the path of a policy YAML file (as ``switchyard rollout
        start -f``); None takes the defaults."""
        body: Dict[str, Any] = {"candidate": candidate}
        policy_body = _policy_body(policy)
        if policy_body is not None:
            body["policy"] = policy_body
        return Rollout._from_rest(self._http.request("POST", self._path(endpoint_name), json_body=body))

    def get(self, endpoint_name: str) -> Rollout:
        """The endpoint's newest rollout (ResourceNotFoundError ``RolloutNotFound`` when none)."""
        return Rollout._from_rest(self._http.request("GET", self._path(endpoint_name)))

    def list(self) -> List[Rollout]:
        """Every rollout, newest first."""
        return [Rollout._from_rest(r) for r in self._http.request("GET", "/api/v1/rollouts")["value"]]

    def pause(self, endpoint_name: str) -> Rollout:
        """Traffic stays as it is and gates stop; manual traffic changes are allowed while Paused."""
        return Rollout._from_rest(self._http.request("POST", self._path(endpoint_name, "pause")))

    def resume(self, endpoint_name: str) -> Rollout:
        """Back to the step's traffic, with a new gate window."""
        return Rollout._from_rest(self._http.request("POST", self._path(endpoint_name, "resume")))

    def abort(self, endpoint_name: str) -> Rollout:
        """The baseline gets its traffic back; the candidate is kept."""
        return Rollout._from_rest(self._http.request("POST", self._path(endpoint_name, "abort")))

    def promote(self, endpoint_name: str) -> Rollout:
        """The next step now, without a verdict."""
        return Rollout._from_rest(self._http.request("POST", self._path(endpoint_name, "promote")))

    def wait(
        self,
        endpoint_name: str,
        *,
        timeout: Optional[float] = None,
        poll_interval: float = 1.0,
        on_update: Optional[Callable[[Rollout], None]] = None,
    ) -> Rollout:
        """Reads the rollout every ``poll_interval`` seconds until it is no longer Progressing
        (Succeeded, RolledBack, Aborted, or Paused: which waits for a person); answers it. Raises
        TimeoutError after ``timeout`` seconds."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            rollout = self.get(endpoint_name)
            if on_update is not None:
                on_update(rollout)
            if rollout.state != "Progressing":
                return rollout
            if deadline is not None and time.monotonic() > deadline:
                raise TimeoutError(f"the rollout of {rollout.spec.candidate} on {endpoint_name} is still Progressing ({rollout.current_step})")
            time.sleep(poll_interval)


__all__ = [
    "ACTIVE_STATES", "GateResult", "Rollout", "RolloutGates", "RolloutOperations", "RolloutPolicy",
    "RolloutSpec", "RolloutStatus", "RolloutStep",
]
