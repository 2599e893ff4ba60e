"""Microsoft's SDK notebook for safe rollout (online-endpoints-safe-rollout.ipynb), cell by cell as
it writes them, through the ``azure.ai.ml`` compatibility layer against a real server; each step
checks what the server did. Steps run in order (one endpoint); a failed step fails the later ones."""
from __future__ import annotations

import json
import os
import subprocess
import unittest

from tests import server as harness
from tests.server import wait_for

from azure.ai.ml import MLClient
from azure.ai.ml.entities import (
    CodeConfiguration,
    Environment,
    ManagedOnlineDeployment,
    ManagedOnlineEndpoint,
    Model,
)
from azure.core.exceptions import ResourceNotFoundError
from azure.identity import DefaultAzureCredential

NOTEBOOK_DIR = os.path.join(harness.EXAMPLE, "managed")


def expected_predictions() -> dict:
    """Each model's own answers to its sample request, from scikit-learn directly."""
    code = (
        "import joblib, json\n"
        "out = {}\n"
        "for who, m in (('blue', 'model-1'), ('green', 'model-2')):\n"
        "    d = json.load(open(f'{m}/sample-request.json'))['data']\n"
        "    out[who] = joblib.load(f'{m}/model/sklearn_regression_model.pkl').predict(d).tolist()\n"
        "print(json.dumps(out))\n"
    )
    return json.loads(subprocess.check_output(["/usr/bin/python3", "-c", code], cwd=harness.EXAMPLE, text=True))


class SafeRolloutNotebook(unittest.TestCase):
    ml_client: MLClient
    online_endpoint_name: str
    endpoint: ManagedOnlineEndpoint

    @classmethod
    def setUpClass(cls) -> None:
        cls.server = harness.shared()
        harness.use_server_env(cls.server)
        cls.predictions = expected_predictions()
        cls._cwd = os.getcwd()
        os.chdir(NOTEBOOK_DIR)  # the notebook runs in its folder; its paths are relative to it
        cls.ml_client = MLClient(DefaultAzureCredential(), "<SUBSCRIPTION_ID>", "<RESOURCE_GROUP>", "<AML_WORKSPACE_NAME>")
        cls.online_endpoint_name = f"endpoint-{os.getpid() % 100000}-nb"

    @classmethod
    def tearDownClass(cls) -> None:
        os.chdir(cls._cwd)
        try:  # leave nothing behind if a step failed half-way
            cls.ml_client.online_endpoints.begin_delete(name=cls.online_endpoint_name).result()
        except ResourceNotFoundError:
            pass

    def invoke(self, **kwargs) -> list:
        return json.loads(self.ml_client.online_endpoints.invoke(endpoint_name=self.online_endpoint_name, **kwargs))

    def assertPredictions(self, got: list, who: str) -> None:
        self.assertEqual(len(got), len(self.predictions[who]))
        for g, want in zip(got, self.predictions[who]):
            self.assertAlmostEqual(g, want, places=6, msg=f"expected {who}'s predictions {self.predictions[who]}, got {got}")

    def test_01_create_endpoint(self) -> None:
        cls = type(self)
        cls.endpoint = ManagedOnlineEndpoint(
            name=self.online_endpoint_name,
            description="this is a sample online endpoint",
            auth_mode="key",
            tags={"foo": "bar"},
        )
        created = self.ml_client.begin_create_or_update(cls.endpoint).result()
        self.assertIsInstance(created, ManagedOnlineEndpoint)
        self.assertEqual(created.provisioning_state, "Succeeded")
        self.assertEqual(created.tags, {"foo": "bar"})
        self.assertEqual(created.description, "this is a sample online endpoint")
        self.assertTrue(created.scoring_uri.startswith(self.server.gateway_url), created.scoring_uri)

    def test_02_blue_from_a_single_file_model(self) -> None:
        model = Model(path="../model-1/model/sklearn_regression_model.pkl")
        env = Environment(
            conda_file="../model-1/environment/conda.yml",
            image="mcr.microsoft.com/azureml/openmpi3.1.2-ubuntu18.04:20210727.v1",
        )
        blue_deployment = ManagedOnlineDeployment(
            name="blue",
            endpoint_name=self.online_endpoint_name,
            model=model,
            environment=env,
            code_configuration=CodeConfiguration(code="../model-1/onlinescoring", scoring_script="score.py"),
            instance_type="Standard_DS2_v2",
            instance_count=1,
        )
        poller = self.ml_client.begin_create_or_update(blue_deployment)
        blue = poller.result()
        self.assertTrue(poller.done())
        self.assertEqual(poller.status(), "Succeeded")
        self.assertEqual(blue.provisioning_state, "Succeeded")
        self.assertEqual(blue.instance_count, 1)
        self.assertEqual(blue.instance_type, "Standard_DS2_v2")
        self.assertEqual(blue.environment.conda_file["dependencies"][0], "python=3.9")
        # As on Azure, AZUREML_MODEL_DIR holds the one file itself (no folder around it).
        log = self.ml_client.online_deployments.get_logs("blue", self.online_endpoint_name, 100, container_type="storage-initializer")
        model_dir = [l.split("AZUREML_MODEL_DIR=", 1)[1].strip() for l in log.splitlines() if "AZUREML_MODEL_DIR=" in l][-1]
        self.assertEqual(sorted(os.listdir(model_dir)), ["sklearn_regression_model.pkl"], model_dir)

    def test_03_blue_takes_all_traffic(self) -> None:
        self.endpoint.traffic = {"blue": 100}
        updated = self.ml_client.begin_create_or_update(self.endpoint).result()
        self.assertEqual(updated.traffic, {"blue": 100})
        self.assertEqual(updated.tags, {"foo": "bar"})

    def test_04_invoke_blue_with_and_without_deployment_name(self) -> None:
        self.assertPredictions(self.invoke(deployment_name="blue", request_file="../model-1/sample-request.json"), "blue")
        self.assertPredictions(self.invoke(request_file="../model-1/sample-request.json"), "blue")

    def test_05_scale_blue_by_get_modify_update(self) -> None:
        blue_deployment = self.ml_client.online_deployments.get(name="blue", endpoint_name=self.online_endpoint_name)
        self.assertEqual(blue_deployment.instance_count, 1)
        blue_deployment.instance_count = 2
        scaled = self.ml_client.online_deployments.begin_create_or_update(blue_deployment).result()
        self.assertEqual(scaled.instance_count, 2)
        self.assertEqual(sum(1 for i in scaled.instances if i["state"] == "Ready"), 2, scaled.instances)
        # The same model and code: a scale, not a new revision.
        self.assertEqual(len({i["revision"] for i in scaled.instances}), 1)
        self.assertEqual(scaled.model, blue_deployment.model)

    def test_06_get_endpoint_details(self) -> None:
        cls = type(self)
        cls.endpoint = self.ml_client.online_endpoints.get(name=self.online_endpoint_name)
        self.assertEqual(cls.endpoint.traffic, {"blue": 100})
        self.assertTrue(cls.endpoint.scoring_uri.endswith(f"/endpoints/{self.online_endpoint_name}/score"))
        self.assertEqual(cls.endpoint.provisioning_state, "Succeeded")

    def test_07_green_gets_no_traffic(self) -> None:
        model2 = Model(path="../model-2/model/sklearn_regression_model.pkl")
        env2 = Environment(
            conda_file="../model-2/environment/conda.yml",
            image="mcr.microsoft.com/azureml/openmpi3.1.2-ubuntu18.04:20210727.v1",
        )
        green_deployment = ManagedOnlineDeployment(
            name="green",
            endpoint_name=self.online_endpoint_name,
            model=model2,
            environment=env2,
            code_configuration=CodeConfiguration(code="../model-2/onlinescoring", scoring_script="score.py"),
            instance_type="Standard_F2s_v2",
            instance_count=1,
        )
        green = self.ml_client.begin_create_or_update(green_deployment).result()
        self.assertEqual(green.provisioning_state, "Succeeded")
        self.assertEqual(self.ml_client.online_endpoints.get(self.online_endpoint_name).traffic, {"blue": 100, "green": 0})
        self.assertEqual(sorted(d.name for d in self.ml_client.online_deployments.list(self.online_endpoint_name)), ["blue", "green"])

    def test_08_invoke_green_by_name(self) -> None:
        self.assertPredictions(self.invoke(deployment_name="green", request_file="../model-2/sample-request.json"), "green")

    def test_09_mirror_ten_percent_to_green(self) -> None:
        self.endpoint.mirror_traffic = {"green": 10}
        updated = self.ml_client.begin_create_or_update(self.endpoint).result()
        self.assertEqual(updated.mirror_traffic, {"green": 10})
        self.assertEqual(updated.traffic["blue"], 100)
        before = self.ml_client.online_deployments.get_metrics("green", self.online_endpoint_name)
        for i in range(20):
            # Clients get only blue's answers.
            self.assertPredictions(self.invoke(request_file="../model-1/sample-request.json"), "blue")
        # The gateway copies exactly floor(n * 10 / 100) of n requests: 2 of 20 (copies are sent after
        # the live answer, so wait for the counter).
        metrics = wait_for(
            lambda: (lambda m: m if m["mirror"]["succeeded"] >= 2 else None)(
                self.ml_client.online_deployments.get_metrics("green", self.online_endpoint_name)),
            "green's 2 mirrored copies",
        )
        self.assertEqual(metrics["mirror"]["received"], 2, metrics)
        self.assertEqual(metrics["requests"], before["requests"], "green answered no client")

    def test_09b_compare_green_with_blue(self) -> None:
        # Switchyard extension: the mirrored answers paired with the live ones and compared.
        import switchyard_ml

        client = switchyard_ml.MLClient()
        comparison = wait_for(
            lambda: (lambda c: c if c.shadow("green") and c.shadow("green").pairs >= 2 else None)(
                client.online_endpoints.get_comparison(self.online_endpoint_name, deployment="green")),
            "2 compared pairs for green",
        )
        green = comparison.shadow("green")
        self.assertEqual((green.kind, green.pairs, green.live_deployments), ("mirror", 2, {"blue": 2}))
        self.assertEqual(green.statuses["both_ok"], 2)
        self.assertEqual(green.agreement, 0.0, "model 2 answers other numbers than model 1")
        self.assertGreater(green.abs_diff["max"], 100)
        self.assertTrue(green.samples and not green.samples_withheld)
        self.assertAlmostEqual(json.loads(green.samples[0].live["body"])[0], self.predictions["blue"][0], places=6)
        self.assertAlmostEqual(json.loads(green.samples[0].shadow["body"])[0], self.predictions["green"][0], places=6)
        self.assertEqual(len(client.online_endpoints.get_comparison_samples(self.online_endpoint_name)["green"]), len(green.samples))

    def test_10_stop_the_mirror(self) -> None:
        self.endpoint.mirror_traffic = {"green": 0}
        updated = self.ml_client.begin_create_or_update(self.endpoint).result()
        self.assertFalse(updated.mirror_traffic.get("green"), updated.mirror_traffic)

    def test_11_ninety_ten(self) -> None:
        self.endpoint.traffic = {"blue": 90, "green": 10}
        updated = self.ml_client.begin_create_or_update(self.endpoint).result()
        self.assertEqual(updated.traffic, {"blue": 90, "green": 10})

    def test_12_all_traffic_to_green(self) -> None:
        self.endpoint.traffic = {"blue": 0, "green": 100}
        updated = self.ml_client.begin_create_or_update(self.endpoint).result()
        self.assertEqual(updated.traffic, {"blue": 0, "green": 100})
        self.assertPredictions(self.invoke(request_file="../model-2/sample-request.json"), "green")

    def test_13_remove_blue(self) -> None:
        result = self.ml_client.online_deployments.begin_delete(name="blue", endpoint_name=self.online_endpoint_name).result()
        self.assertIsNone(result)
        self.assertEqual([d.name for d in self.ml_client.online_deployments.list(self.online_endpoint_name)], ["green"])
        with self.assertRaises(ResourceNotFoundError):
            self.ml_client.online_deployments.get(name="blue", endpoint_name=self.online_endpoint_name)

    def test_14_delete_endpoint(self) -> None:
        self.assertIsNone(self.ml_client.online_endpoints.begin_delete(name=self.online_endpoint_name).result())
        with self.assertRaises(ResourceNotFoundError):
            self.ml_client.online_endpoints.get(self.online_endpoint_name)


if __name__ == "__main__":
    unittest.main()
