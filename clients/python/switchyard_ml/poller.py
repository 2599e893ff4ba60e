"""``LROPoller``: what every ``begin_*`` method answers, as in azure-core.

The change is committed on the server when ``begin_*`` returns; the poller long-polls the server's
operation (``GET /api/v1/operations/:id?wait=S``), so ``result()`` answers as soon as the operation
ends, without sleeping. A failed operation raises ``HttpResponseError`` with the server's code and
message."""
from __future__ import annotations

import time
from typing import Any, Callable, Generic, List, Optional, TypeVar

from ._http import Transport, seg
from .exceptions import HttpResponseError

T = TypeVar("T")

# The server caps one long poll at 60 s; shorter polls keep timeouts responsive.
_POLL_SECONDS = 10

_STATUS = {"Running": "InProgress", "Succeeded": "Succeeded", "Failed": "Failed"}


class LROPoller(Generic[T]):
    def __init__(
        self,
        http: Transport,
        operation: Optional[dict],
        finish: Callable[[], T],
        *,
        hint: Optional[Callable[[], Optional[str]]] = None,
    ) -> None:
        """``operation``: the server's Operation (None: nothing to wait for); ``finish``: builds the
        result once the operation succeeded; ``hint``: added to the message of a failure."""
        self._http = http
        self._operation = operation
        self._finish = finish
        self._hint = hint
        self._result: Any = None
        self._finished = False
        self._callbacks: List[Callable[[Any], None]] = []

    # --- azure-core's surface ---------------------------------------------------------------
    def status(self) -> str:
        """``InProgress``, ``Succeeded`` or ``Failed`` (the last state seen; ``done()`` refreshes it)."""
        if self._operation is None:
            return "Succeeded"
        return _STATUS.get(self._operation.get("status", ""), str(self._operation.get("status")))

    def done(self) -> bool:
        """True once the operation has ended (asks the server, without waiting)."""
        if self._running():
            self._poll(0)
        return not self._running()

    def wait(self, timeout: Optional[float] = None) -> None:
        """Waits until the operation ends or ``timeout`` seconds pass; raises if it failed."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while self._running():
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                return
            self._poll(_POLL_SECONDS if left is None else max(0, min(_POLL_SECONDS, int(left + 0.999))))
        self._complete()

    def result(self, timeout: Optional[float] = None) -> T:
        """Waits like ``wait()`` and answers the resource (an entity; None for deletes). Answers None
        when ``timeout`` passed first."""
        self.wait(timeout)
        if self._running():
            return None  # type: ignore[return-value]
        return self._result

    def add_done_callback(self, func: Callable[[Any], None]) -> None:
        if self._finished:
            func(self._result)
        else:
            self._callbacks.append(func)

    def remove_done_callback(self, func: Callable[[Any], None]) -> None:
        self._callbacks = [f for f in self._callbacks if f is not func]

    def continuation_token(self) -> Optional[str]:
        """The server's operation id."""
        return self._operation.get("id") if self._operation else None

    def polling_method(self) -> "LROPoller[T]":
        return self

    # --- Switchyard ---------------------------------------------------------------------------
    @property
    def operation(self) -> Optional[dict]:
        """The server's Operation as last seen (``id``, ``kind``, ``status``, ``error``...)."""
        return self._operation

    def _running(self) -> bool:
        return self._operation is not None and self._operation.get("status") == "Running"

    def _poll(self, wait_seconds: int) -> None:
        op_id = self._operation["id"]  # type: ignore[index]
        self._operation = self._http.request(
            "GET", f"/api/v1/operations/{seg(op_id)}", query={"wait": wait_seconds or None}, timeout=wait_seconds + 60,
        )

    def _complete(self) -> None:
        if self._finished:
            return
        if self._operation is not None and self._operation.get("status") == "Failed":
            err = self._operation.get("error") or {}
            code = err.get("code")
            message = err.get("message") or f"operation {self._operation.get('id')} ({self._operation.get('kind')}) failed"
            hint = self._hint() if self._hint else None
            text = f"({code}) {message}" if code else message
            raise HttpResponseError(f"{text}\n{hint}" if hint else text, error_code=code, details={"operation": self._operation.get("id")})
        self._result = self._finish()
        self._finished = True
        for func in self._callbacks:
            func(self._result)
        self._callbacks = []
