"""Errors a script meets, as azure-ai-ml raises them: a missing resource, a refused change, bad or
missing credentials, an unreachable server, a deployment whose init() fails, and bad local input."""
from __future__ import annotations

import json
import os
import shutil
import tempfile
import unittest
import urllib.request

from tests import server as harness
from tests.server import wait_for

from switchyard_ml import (
    ClientAuthenticationError,
    CodeConfiguration,
    Environment,
    HttpResponseError,
    ManagedOnlineDeployment,
    ManagedOnlineEndpoint,
    MLClient,
    Model,
    ResourceNotFoundError,
    ServiceRequestError,
    ValidationException,
)


class Errors(unittest.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        cls.server = harness.shared()
        harness.use_server_env(cls.server)
        cls.ml_client = MLClient(None, "sub", "rg", "ws")
        cls.name = f"err-{os.getpid() % 100000}"
        cls.ml_client.begin_create_or_update(ManagedOnlineEndpoint(name=cls.name)).result()

    @classmethod
    def tearDownClass(cls) -> None:
        cls.ml_client.online_endpoints.begin_delete(name=cls.name).result()

    def raw_patch(self, path: str, body: dict) -> dict:
        """The server's own answer to a request, to compare the client's error with."""
        req = urllib.request.Request(
            self.server.control_url + path, data=json.dumps(body).encode(), method="PATCH",
            headers={"Authorization": f"Bearer {self.server.admin_token}", "Content-Type": "application/json"},
        )
        try:
            urllib.request.urlopen(req, timeout=30)
        except urllib.error.HTTPError as e:
            return {"status": e.code, **json.loads(e.read())["error"]}
        raise AssertionError(f"PATCH {path} {body} was accepted")

    def test_missing_endpoint_raises_resource_not_found(self) -> None:
        for call in (
            lambda: self.ml_client.online_endpoints.get("no-such-endpoint"),
            lambda: self.ml_client.online_endpoints.begin_delete(name="no-such-endpoint"),
            lambda: self.ml_client.online_endpoints.invoke("no-such-endpoint", request_file=os.path.join(harness.EXAMPLE, "model-1", "sample-request.json")),
            lambda: self.ml_client.online_deployments.get(name="blue", endpoint_name="no-such-endpoint"),
        ):
            with self.assertRaises(ResourceNotFoundError) as caught:
                call()
            self.assertEqual(caught.exception.status_code, 404)
            self.assertEqual(caught.exception.error_code, "EndpointNotFound")
            self.assertIn('"no-such-endpoint" does not exist', caught.exception.message)

    def test_refused_traffic_split_raises_http_response_error_with_the_servers_message(self) -> None:
        server_says = self.raw_patch(f"/api/v1/endpoints/{self.name}", {"traffic": {"ghost": 100}})
        endpoint = self.ml_client.online_endpoints.get(self.name)
        endpoint.traffic = {"ghost": 100}
        with self.assertRaises(HttpResponseError) as caught:
            self.ml_client.begin_create_or_update(endpoint)
        e = caught.exception
        self.assertNotIsInstance(e, ResourceNotFoundError)
        self.assertEqual(e.status_code, server_says["status"])
        self.assertEqual(e.error_code, server_says["code"])
        self.assertIn(server_says["message"], e.message)
        self.assertIn(server_says["message"], str(e))
        self.assertEqual(self.ml_client.online_endpoints.get(self.name).traffic, {}, "a refused change changes nothing")

    def test_bad_token_fails_clearly(self) -> None:
        client = MLClient(None, "sub", "rg", "ws", token="syt_not-a-real-token")
        with self.assertRaises(ClientAuthenticationError):
            client.whoami()
        with self.assertRaises(ClientAuthenticationError) as caught:
            client.online_endpoints.list()
        e = caught.exception
        self.assertEqual(e.status_code, 401)
        self.assertIn(self.server.control_url, e.message)
        self.assertIn("refused the token", e.message)
        self.assertIn("SWITCHYARD_TOKEN", e.message)

    def test_bad_token_from_the_environment_names_it(self) -> None:
        os.environ["SWITCHYARD_TOKEN"] = "syt_wrong"
        try:
            client = MLClient(None, "sub", "rg", "ws")
        finally:
            del os.environ["SWITCHYARD_TOKEN"]
        with self.assertRaises(ClientAuthenticationError) as caught:
            client.online_endpoints.get(self.name)
        self.assertIn("refused the token from SWITCHYARD_TOKEN", caught.exception.message)

    def test_no_token_at_all_says_where_it_looked(self) -> None:
        empty = tempfile.mkdtemp(prefix="sy-py-empty-")
        try:
            os.environ["SWITCHYARD_DATA_DIR"] = empty  # no admin-token file there
            client = MLClient(None, "sub", "rg", "ws")
            with self.assertRaises(ClientAuthenticationError) as caught:
                client.online_endpoints.list()
            self.assertIn("No token was found", caught.exception.message)
        finally:
            os.environ["SWITCHYARD_DATA_DIR"] = self.server.data_dir
            shutil.rmtree(empty, ignore_errors=True)

    def test_revoked_and_reader_tokens(self) -> None:
        reader = self.ml_client.access_tokens.create("py-reader", "Reader")
        self.assertTrue(reader.token and reader.token.startswith("syt_"))
        self.assertIn("py-reader", [t.name for t in self.ml_client.access_tokens.list()])
        as_reader = MLClient(None, token=reader.token)
        me = as_reader.whoami()
        self.assertEqual((me.principal, me.role), ("py-reader", "Reader"))
        self.assertTrue(me.allows("onlineEndpoints/read"))
        self.assertFalse(me.allows("onlineEndpoints/delete"))
        self.assertEqual(self.ml_client.whoami().role, "Owner")
        self.assertEqual(as_reader.online_endpoints.get(self.name).name, self.name)
        with self.assertRaises(HttpResponseError) as caught:
            as_reader.online_endpoints.begin_delete(name=self.name)
        self.assertEqual(caught.exception.status_code, 403)
        self.assertEqual(caught.exception.error_code, "Forbidden")
        revoked = self.ml_client.access_tokens.revoke(name="py-reader")
        self.assertTrue(all(t.revoked_at for t in revoked))
        with self.assertRaises(ClientAuthenticationError):
            as_reader.online_endpoints.get(self.name)
        actions = [(a.principal, a.action, a.outcome) for a in self.ml_client.audit.list(limit=50) if a.target and "py-reader" in a.target]
        self.assertIn("Succeeded", {o for _, _, o in actions}, actions)
        # Refused requests are counted apart, and written every few seconds: wait for them.
        denied = wait_for(
            lambda: [d for d in self.ml_client.audit.list_denied(limit=100) if d.principal == "py-reader" and d.reason == "forbidden"],
            "py-reader's forbidden delete in the denied attempts",
        )
        self.assertEqual(denied[0].status, 403)

    def test_unreachable_server(self) -> None:
        client = MLClient(None, url="http://127.0.0.1:9", token="x")
        with self.assertRaises(ServiceRequestError) as caught:
            client.online_endpoints.list()
        self.assertIn("cannot reach the Switchyard server at http://127.0.0.1:9", str(caught.exception))

    def test_deployment_whose_init_fails_raises_with_the_reason_and_where_the_logs_are(self) -> None:
        code = tempfile.mkdtemp(prefix="sy-py-code-")
        try:
            with open(os.path.join(code, "score.py"), "w") as f:
                f.write("def init():\n    raise RuntimeError('no model here')\n\ndef run(raw):\n    return raw\n")
            deployment = ManagedOnlineDeployment(
                name="broken", endpoint_name=self.name, instance_type="Standard_DS3_v2", instance_count=1,
                code_configuration=CodeConfiguration(code=code, scoring_script="score.py"),
                environment=Environment(image="python:3.11"),
            )
            poller = self.ml_client.online_deployments.begin_create_or_update(deployment)
            with self.assertRaises(HttpResponseError) as caught:
                poller.result()
            self.assertEqual(poller.status(), "Failed")
            self.assertIn("get_logs(name='broken'", caught.exception.message)
            logs = self.ml_client.online_deployments.get_logs("broken", self.name, 200)
            self.assertIn("no model here", logs)
            self.ml_client.online_deployments.begin_delete(name="broken", endpoint_name=self.name).result()
        finally:
            shutil.rmtree(code, ignore_errors=True)

    def test_local_input_is_checked_before_anything_is_sent(self) -> None:
        with self.assertRaises(ValidationException) as caught:
            Environment(conda_file="no/such/conda.yml")
        self.assertIn("does not exist", str(caught.exception))
        deployment = ManagedOnlineDeployment(
            name="nothing", endpoint_name=self.name, model=Model(path="no/such/model.pkl"),
            code_configuration=CodeConfiguration(code=harness.EXAMPLE + "/model-1/onlinescoring", scoring_script="score.py"),
        )
        with self.assertRaises(ValidationException) as caught:
            self.ml_client.online_deployments.begin_create_or_update(deployment)
        self.assertIn("model.path", str(caught.exception))
        deployment.model = None
        deployment.code_configuration.scoring_script = "missing.py"
        with self.assertRaises(ValidationException) as caught:
            self.ml_client.online_deployments.begin_create_or_update(deployment)
        self.assertIn("missing.py was not found", str(caught.exception))
        with self.assertRaises(ResourceNotFoundError):
            self.ml_client.online_deployments.get("nothing", self.name)


if __name__ == "__main__":
    unittest.main()
