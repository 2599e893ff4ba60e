"""Runs the Python client's tests and prints one JSON line per test on stdout, for
test/e2e/python-sdk.test.ts to report each as a node:test subtest:

    SWITCHYARD-PYTEST {"id": "...", "name": "...", "status": "pass|fail|skip", "ms": 12, "message": "..."}

    /usr/bin/python3 clients/python/tests/run.py [unittest name patterns...]

Every module ``test_*.py`` here runs by default. A summary goes to stderr; the exit code is 0 when
every test passed. The server the tests share is stopped (by its pid) on exit, SIGTERM included."""
from __future__ import annotations

import json
import os
import signal
import sys
import time
import traceback
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
CLIENT_DIR = os.path.dirname(HERE)
for p in (CLIENT_DIR, os.path.join(CLIENT_DIR, "azure-compat")):
    if p not in sys.path:
        sys.path.insert(0, p)

PREFIX = "SWITCHYARD-PYTEST "


def emit(test: unittest.TestCase, status: str, started: float, message: str = "") -> None:
    tid = test.id()
    record = {"id": tid, "name": tid.split(".", 1)[-1] if tid.startswith("tests.") else tid,
              "status": status, "ms": round((time.monotonic() - started) * 1000), "message": message}
    sys.stdout.write(PREFIX + json.dumps(record) + "\n")
    sys.stdout.flush()


class JsonResult(unittest.TestResult):
    def __init__(self) -> None:
        super().__init__()
        self._started = time.monotonic()

    def startTest(self, test: unittest.TestCase) -> None:
        super().startTest(test)
        self._started = time.monotonic()

    def addSuccess(self, test: unittest.TestCase) -> None:
        super().addSuccess(test)
        emit(test, "pass", self._started)

    def addFailure(self, test, err) -> None:
        super().addFailure(test, err)
        emit(test, "fail", self._started, "".join(traceback.format_exception(*err)))

    def addError(self, test, err) -> None:
        super().addError(test, err)
        emit(test, "fail", self._started, "".join(traceback.format_exception(*err)))

    def addSkip(self, test, reason: str) -> None:
        super().addSkip(test, reason)
        emit(test, "skip", self._started, reason)

    def addExpectedFailure(self, test, err) -> None:
        super().addExpectedFailure(test, err)
        emit(test, "pass", self._started)

    def addUnexpectedSuccess(self, test) -> None:
        super().addUnexpectedSuccess(test)
        emit(test, "fail", self._started, "unexpected success")


def main(argv: list) -> int:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so atexit stops the server
    loader = unittest.TestLoader()
    if argv:
        suite = loader.loadTestsFromNames(argv)
    else:
        suite = loader.discover(HERE, pattern="test_*.py", top_level_dir=CLIENT_DIR)
    result = JsonResult()
    started = time.monotonic()
    suite.run(result)
    sys.stderr.write(
        f"python client tests: {result.testsRun} run, {len(result.failures)} failed, {len(result.errors)} errors, "
        f"{len(result.skipped)} skipped in {time.monotonic() - started:.1f}s\n"
    )
    return 0 if result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
