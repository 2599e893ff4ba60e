"""The client's pure parts, without a server: where it connects, the debug log, entities' attributes,
deterministic archives, and that the compatibility layer imports beside other azure.* packages."""
from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

from switchyard_ml import (
    Environment,
    KubernetesOnlineDeployment,
    ManagedOnlineDeployment,
    ManagedOnlineEndpoint,
    MLClient,
    Model,
    OnlineRequestSettings,
    ProbeSettings,
    ValidationException,
    resolve_connection,
)
from switchyard_ml.artifacts import pack

CLIENT_DIR = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
COMPAT_DIR = os.path.join(CLIENT_DIR, "azure-compat")


class Connection(unittest.TestCase):
    def setUp(self) -> None:
        self.home = tempfile.mkdtemp(prefix="sy-py-conn-")
        self.addCleanup(shutil.rmtree, self.home, True)

    def write(self, rel: str, text: str) -> None:
        path = os.path.join(self.home, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)

    def test_environment_first(self) -> None:
        self.write(".switchyard/cli.json", json.dumps({"url": "http://saved:1", "token": "saved"}))
        c = resolve_connection({"SWITCHYARD_URL": "http://env:2/", "SWITCHYARD_TOKEN": "envtok"}, self.home)
        self.assertEqual((c.url, c.token, c.url_source, c.token_source), ("http://env:2", "envtok", "SWITCHYARD_URL", "SWITCHYARD_TOKEN"))

    def test_configure_file_then_admin_token(self) -> None:
        self.write(".switchyard/cli.json", json.dumps({"url": "http://saved:1", "token": "saved"}))
        self.write(".switchyard/admin-token", "admintok\n")
        c = resolve_connection({}, self.home)
        self.assertEqual((c.url, c.token), ("http://saved:1", "saved"))
        # Another URL than the saved one: the saved token was not configured for it; the admin token is.
        c = resolve_connection({"SWITCHYARD_URL": "http://other:3"}, self.home)
        self.assertEqual(c.token, "admintok")
        self.assertIn("admin-token", c.token_source)

    def test_default_server_and_data_dir(self) -> None:
        self.write("data/admin-token", "fromdatadir")
        c = resolve_connection({"SWITCHYARD_DATA_DIR": os.path.join(self.home, "data")}, self.home)
        self.assertEqual((c.url, c.token, c.url_source), ("http://127.0.0.1:7070", "fromdatadir", "the default"))
        self.assertIsNone(resolve_connection({}, self.home).token)

    def test_bad_url_and_bad_config(self) -> None:
        with self.assertRaises(ValidationException) as caught:
            resolve_connection({"SWITCHYARD_URL": "localhost:7070"}, self.home)
        self.assertIn("SWITCHYARD_URL", str(caught.exception))
        self.write(".switchyard/cli.json", "{not json")
        with self.assertRaises(ValidationException):
            resolve_connection({}, self.home)

    def test_debug_log_names_the_server(self) -> None:
        os.environ["SWITCHYARD_URL"] = "http://example.invalid:7070"
        try:
            with self.assertLogs("switchyard_ml", "DEBUG") as logs:
                MLClient(None, "sub", "rg", "ws", token="t")
        finally:
            del os.environ["SWITCHYARD_URL"]
        self.assertIn("http://example.invalid:7070", logs.output[0])
        self.assertIn("SWITCHYARD_URL", logs.output[0])


class Entities(unittest.TestCase):
    def test_attributes_are_settable_and_shown(self) -> None:
        e = ManagedOnlineEndpoint(name="ep", tags={"a": "b"})
        e.traffic = {"blue": 90, "green": 10}
        e.mirror_traffic = {"green": 10}
        self.assertEqual(e._patch_against({"traffic": {"blue": 100}, "tags": {"a": "b"}, "auth_mode": "key"}),
                         {"traffic": {"blue": 90, "green": 10}, "mirror_traffic": {"green": 10}})
        self.assertIn("'traffic': {'blue': 90, 'green': 10}", repr(e))
        d = ManagedOnlineDeployment(name="blue", endpoint_name="ep", instance_count=1,
                                    request_settings=OnlineRequestSettings(request_timeout_ms=3000),
                                    liveness_probe=ProbeSettings(period=5))
        d.instance_count = 2
        fields = d._plain_fields()
        self.assertEqual((fields["instance_count"], fields["request_settings"], fields["liveness_probe"]), (2, {"request_timeout_ms": 3000}, {"period": 5}))
        self.assertEqual(KubernetesOnlineDeployment(name="k").type, "kubernetes")

    def test_empty_traffic_leaves_the_servers(self) -> None:
        self.assertEqual(ManagedOnlineEndpoint(name="ep")._patch_against({"traffic": {"blue": 100}, "auth_mode": "key"}), {})

    def test_paths_resolve_against_the_working_directory_when_made(self) -> None:
        here = os.getcwd()
        tmp = tempfile.mkdtemp(prefix="sy-py-cwd-")
        try:
            with open(os.path.join(tmp, "conda.yml"), "w") as f:
                f.write("name: x\ndependencies: [python=3.11]\n")
            os.chdir(tmp)
            made_in = os.getcwd()
            env = Environment(conda_file="conda.yml")
            model = Model(path="model.pkl")
        finally:
            os.chdir(here)
        self.assertEqual(env.conda_file, {"name": "x", "dependencies": ["python=3.11"]})
        self.assertEqual(model._local_path(), os.path.join(made_in, "model.pkl"))
        shutil.rmtree(tmp)


class Archives(unittest.TestCase):
    def test_same_files_same_bytes(self) -> None:
        folder = os.path.join(CLIENT_DIR, "switchyard_ml", "entities")
        a, b = io.BytesIO(), io.BytesIO()
        self.assertEqual(pack(folder, a), ("dir", "entities"))
        pack(folder, b)
        self.assertEqual(a.getvalue(), b.getvalue())

    def test_missing_path(self) -> None:
        with self.assertRaises(ValidationException):
            pack("/no/such/path", io.BytesIO())


def run_python(code: str, *path: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PYTHONPATH"] = os.pathsep.join(path)
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)


class CompatibilityLayer(unittest.TestCase):
    def test_imports_as_azure_and_leaves_other_azure_packages_importable(self) -> None:
        other = tempfile.mkdtemp(prefix="sy-py-other-")
        self.addCleanup(shutil.rmtree, other, True)
        # Another azure.* distribution (namespace-packaged, as every current azure-* wheel is).
        os.makedirs(os.path.join(other, "azure", "storage", "blob"))
        with open(os.path.join(other, "azure", "storage", "blob", "__init__.py"), "w") as f:
            f.write("NAME = 'blob'\n")
        r = run_python(
            "import azure, azure.storage.blob as b\n"
            "from azure.ai.ml import MLClient, load_online_endpoint, load_online_deployment\n"
            "from azure.ai.ml.entities import ManagedOnlineEndpoint, KubernetesOnlineEndpoint, ManagedOnlineDeployment, KubernetesOnlineDeployment, Model, Environment, CodeConfiguration, OnlineRequestSettings, ProbeSettings\n"
            "from azure.identity import DefaultAzureCredential\n"
            "from azure.core.exceptions import ResourceNotFoundError, HttpResponseError, ClientAuthenticationError, ResourceExistsError\n"
            "import switchyard_ml\n"
            "assert ResourceNotFoundError is switchyard_ml.ResourceNotFoundError\n"
            "assert MLClient is switchyard_ml.MLClient\n"
            "print(b.NAME, getattr(azure, '__file__', None))\n",
            COMPAT_DIR, CLIENT_DIR, other,
        )
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.strip(), "blob None")  # azure is a namespace package

    def test_an_installed_azure_core_keeps_its_exceptions_and_catches_ours(self) -> None:
        fake = tempfile.mkdtemp(prefix="sy-py-azcore-")
        self.addCleanup(shutil.rmtree, fake, True)
        os.makedirs(os.path.join(fake, "azure", "core"))
        with open(os.path.join(fake, "azure", "core", "__init__.py"), "w") as f:
            f.write("")
        with open(os.path.join(fake, "azure", "core", "exceptions.py"), "w") as f:
            f.write(
                "class AzureError(Exception):\n    pass\n"
                "class HttpResponseError(AzureError):\n    pass\n"
                "class ResourceNotFoundError(HttpResponseError):\n    pass\n"
                "class ClientAuthenticationError(HttpResponseError):\n    pass\n"
            )
        r = run_python(
            "from azure.core.exceptions import ResourceNotFoundError as Real, HttpResponseError as RealHttp\n"
            "import switchyard_ml.exceptions as ours\n"
            "assert Real is not ours.ResourceNotFoundError\n"
            "e = ours.ResourceNotFoundError('(EndpointNotFound) gone', status_code=404, error_code='EndpointNotFound')\n"
            "assert isinstance(e, Real) and isinstance(e, RealHttp) and isinstance(e, ours.HttpResponseError)\n"
            "print(str(e), e.status_code)\n",
            COMPAT_DIR, CLIENT_DIR, fake,
        )
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.strip(), "(EndpointNotFound) gone 404")


if __name__ == "__main__":
    unittest.main()
