"""Models and environments (create_or_update, get, list), Azure's YAML files through
load_online_endpoint / load_online_deployment, keys, and Kubernetes endpoints, against a real server."""
from __future__ import annotations

import json
import os
import unittest

from tests import server as harness

from switchyard_ml import (
    CodeConfiguration,
    EndpointAuthKeys,
    Environment,
    KubernetesOnlineDeployment,
    KubernetesOnlineEndpoint,
    ManagedOnlineDeployment,
    ManagedOnlineEndpoint,
    MLClient,
    Model,
    ResourceExistsError,
    ResourceNotFoundError,
    load_online_deployment,
    load_online_endpoint,
)

SAMPLE = os.path.join(harness.EXAMPLE, "managed", "sample")


class AssetsAndYaml(unittest.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        cls.server = harness.shared()
        harness.use_server_env(cls.server)
        cls.ml_client = MLClient(None, "sub", "rg", "ws")
        cls.tag = str(os.getpid() % 100000)

    def test_models_register_get_list(self) -> None:
        name = f"py-model-{self.tag}"
        m1 = self.ml_client.models.create_or_update(Model(name=name, version="1", path=os.path.join(harness.EXAMPLE, "model-1", "model"), description="blue"))
        self.assertEqual((m1.name, m1.version, m1.type), (name, "1", "custom_model"))
        self.assertTrue(m1.path.startswith("sha256:"))
        # Same name, version and content: the existing model; other content: refused.
        self.assertEqual(self.ml_client.models.create_or_update(Model(name=name, version="1", path=os.path.join(harness.EXAMPLE, "model-1", "model"), description="blue")).path, m1.path)
        with self.assertRaises(ResourceExistsError):
            self.ml_client.models.create_or_update(Model(name=name, version="1", path=os.path.join(harness.EXAMPLE, "model-2", "model")))
        m2 = self.ml_client.create_or_update(Model(name=name, path=os.path.join(harness.EXAMPLE, "model-2", "model", "sklearn_regression_model.pkl")))
        self.assertEqual(m2.version, "2")
        self.assertEqual(self.ml_client.models.get(name, label="latest").version, "2")
        self.assertEqual(self.ml_client.models.get(name, version="1").description, "blue")
        self.assertEqual(sorted(m.version for m in self.ml_client.models.list(name=name)), ["1", "2"])
        self.assertIn(name, [m.name for m in self.ml_client.models.list()])
        with self.assertRaises(ResourceNotFoundError):
            self.ml_client.models.get(name, version="9")

    def test_environments_register_get_list(self) -> None:
        name = f"py-env-{self.tag}"
        env = Environment(name=name, version="1", image="python:3.11", conda_file=os.path.join(harness.EXAMPLE, "model-1", "environment", "conda.yaml"))
        created = self.ml_client.environments.create_or_update(env)
        self.assertEqual(created.conda_file["name"], "model-env")
        got = self.ml_client.environments.get(name, version="1")
        self.assertEqual((got.image, got.conda_file), ("python:3.11", env.conda_file))
        self.assertEqual([e.version for e in self.ml_client.environments.list(name=name)], ["1"])

    def test_yaml_files_deploy_with_a_registered_environment_and_keys_rotate(self) -> None:
        endpoint = load_online_endpoint(os.path.join(SAMPLE, "endpoint.yml"))
        self.assertIsInstance(endpoint, ManagedOnlineEndpoint)
        self.assertEqual((endpoint.name, endpoint.auth_mode), ("my-endpoint", "key"))
        endpoint.name = f"yaml-{self.tag}"
        self.ml_client.online_endpoints.begin_create_or_update(endpoint).result()
        try:
            blue = load_online_deployment(os.path.join(SAMPLE, "blue-deployment.yml"))
            self.assertIsInstance(blue, ManagedOnlineDeployment)
            self.assertEqual(blue.instance_type, "Standard_DS3_v2")
            blue.endpoint_name = endpoint.name
            # A named environment with content is registered and referenced, as azure-ai-ml does.
            blue.environment.name = f"py-yaml-env-{self.tag}"
            created = self.ml_client.online_deployments.begin_create_or_update(blue).result()
            self.assertEqual(created.provisioning_state, "Succeeded")
            self.assertTrue(created.environment.startswith(f"azureml:py-yaml-env-{self.tag}:"), created.environment)
            endpoint.traffic = {"blue": 100}
            self.ml_client.online_endpoints.begin_create_or_update(endpoint).result()
            request = os.path.join(harness.EXAMPLE, "model-1", "sample-request.json")
            first = json.loads(self.ml_client.online_endpoints.invoke(endpoint.name, request))
            self.assertEqual(len(first), 2)
            # Resubmitting the same files rolls nothing over: the uploads have the same digests.
            before = self.ml_client.online_deployments.get("blue", endpoint.name)
            again = self.ml_client.online_deployments.begin_create_or_update(blue).result()
            self.assertEqual([i["revision"] for i in again.instances], [i["revision"] for i in before.instances])
            self.assertEqual(again.code_configuration.code, before.code_configuration.code)

            keys = self.ml_client.online_endpoints.get_keys(endpoint.name)
            self.assertIsInstance(keys, EndpointAuthKeys)
            self.assertNotIn(keys.primary_key, repr(keys))
            self.assertIsNone(self.ml_client.online_endpoints.begin_regenerate_keys(endpoint.name, key_type="primary").result())
            rotated = self.ml_client.online_endpoints.get_keys(endpoint.name)
            self.assertNotEqual(rotated.primary_key, keys.primary_key)
            self.assertEqual(rotated.secondary_key, keys.secondary_key)
            self.assertEqual(json.loads(self.ml_client.online_endpoints.invoke(endpoint.name, request)), first)
        finally:
            self.ml_client.online_endpoints.begin_delete(name=endpoint.name).result()

    def test_kubernetes_endpoint_round_trips(self) -> None:
        name = f"k8s-{self.tag}"
        self.ml_client.begin_create_or_update(KubernetesOnlineEndpoint(name=name, compute="k8s-compute", auth_mode="aml_token")).result()
        try:
            got = self.ml_client.online_endpoints.get(name)
            self.assertIsInstance(got, KubernetesOnlineEndpoint)
            self.assertEqual((got.compute, got.kind, got.auth_mode), ("k8s-compute", "K8S", "aml_token"))
            token = self.ml_client.online_endpoints.get_keys(name)
            self.assertEqual(token.token_type, "Bearer")
            model_1 = os.path.join(harness.EXAMPLE, "model-1")
            deployment = KubernetesOnlineDeployment(
                name="blue", endpoint_name=name, instance_count=1,
                model=Model(path=os.path.join(model_1, "model")),
                code_configuration=CodeConfiguration(code=os.path.join(model_1, "onlinescoring"), scoring_script="score.py"),
                environment=Environment(conda_file=os.path.join(model_1, "environment", "conda.yml")),
                resources={"requests": {"cpu": "100m", "memory": "0.5Gi"}},
            )
            self.ml_client.begin_create_or_update(deployment).result()
            got_deployment = self.ml_client.online_deployments.get("blue", name)
            self.assertIsInstance(got_deployment, KubernetesOnlineDeployment)
            self.assertEqual((got_deployment.type, got_deployment.resources), ("kubernetes", {"requests": {"cpu": "100m", "memory": "0.5Gi"}}))
            # An aml_token endpoint is invoked with a fresh token.
            answer = json.loads(self.ml_client.online_endpoints.invoke(name, os.path.join(model_1, "sample-request.json"), "blue"))
            self.assertEqual(len(answer), 2)
            self.assertIn(name, [e.name for e in self.ml_client.online_endpoints.list()])
        finally:
            self.ml_client.online_endpoints.begin_delete(name).wait()


if __name__ == "__main__":
    unittest.main()
