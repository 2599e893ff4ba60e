"""Shadow comparison (Switchyard extension): the answers a mirrored (shadow) deployment gave, paired
with the live answers to the same requests and compared (``GET /api/v1/endpoints/:name/comparison``).
Read it while ``mirror_traffic`` sends a share of the requests to the new deployment, before moving
live traffic to it."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

from .._http import Transport, seg


@dataclass
class ComparisonSample:
    """One disagreement: the request (first 2 KiB), both answers, and the first differing path."""

    at: str
    request_id: str
    live_deployment: str
    request: str
    request_bytes: int
    live: Dict[str, Any]
    shadow: Dict[str, Any]
    difference: Optional[Dict[str, Any]]

    @classmethod
    def _from_rest(cls, d: Dict[str, Any]) -> "ComparisonSample":
        return cls(**{k: d.get(k) for k in cls.__dataclass_fields__})


@dataclass
class ShadowComparison:
    """The evidence for one shadow deployment over ``window``: how many request pairs were compared,
    the share that agreed (``agreement``, within ``tolerance``; ``status_agreement`` for status codes),
    numeric differences (``abs_diff``, ``rel_diff``: mean, p50, p99, max), latencies of both sides, a
    distribution-shift test (``distribution``), pairs dropped and why, and samples of disagreements
    (withheld, ``samples_withheld``, from roles that may not read request bodies)."""

    deployment: str
    kind: str
    window: Dict[str, str]
    pairs: int
    agreement: Optional[float]
    status_agreement: Optional[float]
    statuses: Dict[str, int]
    abs_diff: Dict[str, Optional[float]]
    rel_diff: Dict[str, Optional[float]]
    latency_ms: Dict[str, Optional[float]]
    shadow_errors: int
    dropped: int
    dropped_by_reason: Dict[str, int]
    live_deployments: Dict[str, int]
    distribution: Optional[Dict[str, Any]]
    tolerance: Dict[str, float]
    samples: List[ComparisonSample] = field(default_factory=list)
    samples_withheld: bool = False

    @classmethod
    def _from_rest(cls, d: Dict[str, Any]) -> "ShadowComparison":
        fields = {k: d.get(k) for k in cls.__dataclass_fields__ if k not in ("samples", "samples_withheld")}
        return cls(
            **fields,
            samples=[ComparisonSample._from_rest(s) for s in d.get("samples") or []],
            samples_withheld=bool(d.get("samples_withheld", False)),
        )


@dataclass
class EndpointComparison:
    endpoint: str
    shadows: List[ShadowComparison]

    def shadow(self, deployment: str) -> Optional[ShadowComparison]:
        """The comparison of one shadow deployment, or None when it has none."""
        return next((s for s in self.shadows if s.deployment == deployment), None)


def get_comparison(http: Transport, endpoint_name: str, deployment: Optional[str], since: Optional[str]) -> EndpointComparison:
    d = http.request("GET", f"/api/v1/endpoints/{seg(endpoint_name)}/comparison", query={"deployment": deployment, "since": since})
    return EndpointComparison(endpoint=d["endpoint"], shadows=[ShadowComparison._from_rest(s) for s in d.get("shadows") or []])


def get_comparison_samples(http: Transport, endpoint_name: str, deployment: Optional[str], since: Optional[str]) -> Dict[str, List[ComparisonSample]]:
    d = http.request("GET", f"/api/v1/endpoints/{seg(endpoint_name)}/comparison/samples", query={"deployment": deployment, "since": since})
    return {s["deployment"]: [ComparisonSample._from_rest(x) for x in s.get("samples") or []] for s in d.get("shadows") or []}
