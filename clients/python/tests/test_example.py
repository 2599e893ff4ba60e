"""examples/safe-rollout/endpoints/online/managed/online-endpoints-safe-rollout.py, run as a user runs
it (from another folder, with only PYTHONPATH and SWITCHYARD_URL set): it must finish with exit 0,
print both models' predictions, and leave its endpoint deleted."""
from __future__ import annotations

import os
import subprocess
import sys
import unittest

from tests import server as harness
from tests.test_safe_rollout import expected_predictions

from switchyard_ml import MLClient, ResourceNotFoundError

SCRIPT = os.path.join(harness.EXAMPLE, "managed", "online-endpoints-safe-rollout.py")
CLIENT_DIR = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))


class Example(unittest.TestCase):
    def test_the_sdk_walkthrough_runs_unchanged(self) -> None:
        server = harness.shared()
        name = f"example-{os.getpid() % 100000}"
        env = server.env(PYTHONPATH=os.pathsep.join([os.path.join(CLIENT_DIR, "azure-compat"), CLIENT_DIR]))
        r = subprocess.run([sys.executable, SCRIPT, name], cwd="/", env=env, capture_output=True, text=True, timeout=240)
        self.assertEqual(r.returncode, 0, f"stdout:\n{r.stdout[-3000:]}\nstderr:\n{r.stderr[-3000:]}")
        for who, preds in expected_predictions().items():
            for p in preds:
                self.assertIn(str(p)[:8], r.stdout, f"{who}'s prediction {p} printed")
        self.assertIn("{'blue': 100}", r.stdout, "the traffic after scaling, as the notebook prints it")
        harness.use_server_env(server)
        with self.assertRaises(ResourceNotFoundError):
            MLClient().online_endpoints.get(name)


if __name__ == "__main__":
    unittest.main()
