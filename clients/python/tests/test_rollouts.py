"""Progressive rollouts through the Python client (Switchyard extension, docs/rollout.md), against a
real server: start with a policy, a manual traffic change refused while it runs, pause, resume, abort
(the baseline gets its traffic back), and a second rollout from a policy file that succeeds."""
from __future__ import annotations

import os
import tempfile
import unittest

from tests import server as harness
from tests.server import wait_for

from switchyard_ml import (
    HttpResponseError,
    ManagedOnlineEndpoint,
    MLClient,
    ResourceNotFoundError,
    RolloutGates,
    RolloutPolicy,
    RolloutStep,
    load_online_deployment,
)

SAMPLE = os.path.join(harness.EXAMPLE, "managed", "sample")


class Rollouts(unittest.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        cls.server = harness.shared()
        harness.use_server_env(cls.server)
        cls.ml_client = MLClient(None, "sub", "rg", "ws")
        cls.name = f"roll-{os.getpid() % 100000}"
        endpoint = ManagedOnlineEndpoint(name=cls.name)
        cls.ml_client.begin_create_or_update(endpoint).result()
        for who in ("blue", "green"):
            d = load_online_deployment(os.path.join(SAMPLE, f"{who}-deployment.yml"))
            d.endpoint_name = cls.name
            cls.ml_client.online_deployments.begin_create_or_update(d).result()
        endpoint.traffic = {"blue": 100}
        cls.ml_client.begin_create_or_update(endpoint).result()

    @classmethod
    def tearDownClass(cls) -> None:
        try:
            if cls.ml_client.rollouts.get(cls.name).active:
                cls.ml_client.rollouts.abort(cls.name)
        except ResourceNotFoundError:
            pass
        cls.ml_client.online_endpoints.begin_delete(name=cls.name).result()

    def test_0_shadow_traffic_and_sticky_header(self) -> None:
        # Endpoint extensions (docs/shadow-evaluation.md), set as attributes like Azure's traffic.
        endpoint = self.ml_client.online_endpoints.get(self.name)
        self.assertIsNone(endpoint.shadow_traffic)
        endpoint.shadow_traffic = {"green": 50}
        endpoint.sticky_header = "x-user-id"
        endpoint.shadow_compare = {"abs_tolerance": 0.5, "rel_tolerance": 0.01}
        updated = self.ml_client.begin_create_or_update(endpoint).result()
        self.assertEqual((updated.shadow_traffic, updated.sticky_header), ({"green": 50}, "x-user-id"))
        self.assertEqual(updated.shadow_compare["abs_tolerance"], 0.5)
        self.assertEqual(updated.traffic, {"blue": 100, "green": 0}, "the live split is untouched")
        request = os.path.join(harness.EXAMPLE, "model-1", "sample-request.json")
        for _ in range(4):
            self.ml_client.online_endpoints.invoke(self.name, request)
        green = wait_for(
            lambda: (lambda c: c if c and c.pairs >= 2 else None)(
                self.ml_client.online_endpoints.get_comparison(self.name, deployment="green").shadow("green")),
            "2 compared pairs for the green shadow",
        )
        self.assertEqual((green.kind, green.tolerance["abs"]), ("shadow", 0.5))
        # A freshly made endpoint object leaves the extensions as they are; {} and "" clear them.
        self.ml_client.begin_create_or_update(ManagedOnlineEndpoint(name=self.name)).result()
        self.assertEqual(self.ml_client.online_endpoints.get(self.name).shadow_traffic, {"green": 50})
        updated.shadow_traffic = {}
        updated.sticky_header = ""
        cleared = self.ml_client.begin_create_or_update(updated).result()
        self.assertFalse(cleared.shadow_traffic)
        self.assertFalse(cleared.sticky_header)

    def test_1_start_refuse_manual_change_pause_resume_abort(self) -> None:
        with self.assertRaises(ResourceNotFoundError) as caught:
            self.ml_client.rollouts.get(self.name)
        self.assertEqual(caught.exception.error_code, "RolloutNotFound")
        policy = RolloutPolicy(
            steps=[RolloutStep(shadow=10, duration="1h"), RolloutStep(traffic=100)],
            gates=RolloutGates(min_requests=1000), interval="1s",
        )
        rollout = self.ml_client.rollouts.start(self.name, "green", policy)
        self.assertEqual((rollout.state, rollout.spec.candidate, rollout.spec.baseline), ("Progressing", "green", {"blue": 100}))
        self.assertEqual(rollout.routing["mirror_traffic"], {"green": 10})
        endpoint = self.ml_client.online_endpoints.get(self.name)
        self.assertEqual(endpoint.mirror_traffic, {"green": 10})

        # The Azure path is refused while the rollout holds the traffic.
        endpoint.traffic = {"blue": 50, "green": 50}
        with self.assertRaises(HttpResponseError) as caught:
            self.ml_client.begin_create_or_update(endpoint)
        self.assertEqual((caught.exception.status_code, caught.exception.error_code), (409, "RolloutInProgress"))

        self.assertEqual(self.ml_client.rollouts.pause(self.name).state, "Paused")
        self.assertEqual(self.ml_client.rollouts.resume(self.name).state, "Progressing")
        aborted = self.ml_client.rollouts.abort(self.name)
        self.assertEqual(aborted.state, "Aborted")
        endpoint = self.ml_client.online_endpoints.get(self.name)
        self.assertEqual(endpoint.traffic, {"blue": 100, "green": 0})
        self.assertFalse(endpoint.mirror_traffic.get("green"))
        with self.assertRaises(HttpResponseError) as caught:
            self.ml_client.rollouts.resume(self.name)
        self.assertEqual(caught.exception.error_code, "RolloutNotActive")

    def test_2_policy_file_rollout_succeeds(self) -> None:
        with tempfile.NamedTemporaryFile("w", suffix=".yml", delete=False) as f:
            f.write("steps:\n  - {traffic: 100}\ninterval: 200ms\n")
        self.addCleanup(os.unlink, f.name)
        self.ml_client.rollouts.start(self.name, "green", f.name)
        seen = []
        done = self.ml_client.rollouts.wait(self.name, timeout=60, poll_interval=0.2, on_update=seen.append)
        self.assertEqual(done.state, "Succeeded", done.status.reason)
        self.assertTrue(seen)
        self.assertEqual(self.ml_client.online_endpoints.get(self.name).traffic, {"blue": 0, "green": 100})
        mine = [r for r in self.ml_client.rollouts.list() if r.endpoint == self.name]
        self.assertEqual([r.state for r in mine], ["Succeeded", "Aborted"])


if __name__ == "__main__":
    unittest.main()
