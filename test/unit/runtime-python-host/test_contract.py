"""The scoring-script contract pieces: AMLResponse rendering, headers, run() signatures, @rawhttp and
the inference-schema stand-in."""
import json
import os
import sys
import tempfile
import textwrap
import unittest

HOST = os.path.join(os.path.dirname(__file__), "..", "..", "..", "src", "hosts", "python")
sys.path.insert(0, HOST)

from switchyard_host import aml_types, responses, shim_path  # noqa: E402
from switchyard_host.http_server import Request  # noqa: E402
from switchyard_host.user_script import UserScript  # noqa: E402

shim_path.install()


def request(body=b"", headers=(), method="POST", query=""):
    r = Request()
    r.method, r.path, r.query, r.version = method, "/score", query, "HTTP/1.1"
    r.raw_headers = list(headers)
    r.headers = {k.lower(): v for k, v in headers}
    r.body = body
    r.keep_alive = True
    return r


def load(source):
    folder = tempfile.mkdtemp()
    name = "script_%d" % id(source)
    path = os.path.join(folder, name + ".py")
    with open(path, "w") as f:
        f.write(textwrap.dedent(source))
    script = UserScript.load(folder, path)
    script.init()
    return script


class ResponsesTest(unittest.TestCase):
    def test_plain_results_are_json_and_bytes_are_raw(self):
        self.assertEqual(responses.from_result({"a": [1]})[2], b'{"a": [1]}')
        self.assertEqual(responses.from_result("text")[2], b'"text"')
        self.assertEqual(responses.from_result(b"\x00"), (200, responses.OCTETS, b"\x00"))

    def test_aml_response(self):
        status, head, body = responses.from_result(aml_types.AMLResponse("no", 404, {"X-A": "1"}))
        self.assertEqual((status, body), (404, b"no"))
        self.assertIn(b"X-A: 1\r\n", head)
        status, head, body = responses.from_result(aml_types.AMLResponse({"k": 1}, 200, json_str=True))
        self.assertEqual(json.loads(body), {"k": 1})
        self.assertIn(b"application/json", head)
        _, head, _ = responses.from_result(aml_types.AMLResponse("<b>", 200, {"Content-Type": "text/html"}))
        self.assertEqual(head.count(b"Content-Type"), 1)

    def test_headers_that_could_forge_lines_are_refused(self):
        for name, value in [("X-A", "a\r\nSet-Cookie: s=1"), ("X-A", "a\nb"), ("X-A", "a\rb"), ("X-A", "a\x00"), ("X-A", "\x0b"),
                            ("X A", "1"), ("X-A:", "1"), ("", "1"), ("X-\u00e9", "1")]:
            with self.assertRaises(responses.BadHeader, msg=repr((name, value))):
                responses.from_result(aml_types.AMLResponse("x", 200, {name: value}))
        _, head, _ = responses.from_result(aml_types.AMLResponse("x", 200, {"X-A": "tab\tand \u00e9"}))
        self.assertIn("X-A: tab\tand \u00e9\r\n".encode("latin-1"), head)

    def test_a_script_returning_a_forged_header_gets_500_and_a_log_line(self):
        s = load(
            """
            from azureml.contrib.services.aml_response import AMLResponse
            def run(data):
                return AMLResponse("ok", 200, {"X-Evil": "1\\r\\nSet-Cookie: s=1"})
            """
        )
        with self.assertLogs(level="ERROR") as logs:
            status, _, body = s.score(request(b"x"))
        self.assertEqual(status, 500)
        self.assertIn("X-Evil", json.loads(body)["message"])
        self.assertIn("refused", "\n".join(logs.output))

    def test_numpy_values_become_lists(self):
        import numpy as np

        self.assertEqual(json.loads(responses.from_result({"p": np.array([1.5, 2.0]), "n": np.int64(3)})[2]), {"p": [1.5, 2.0], "n": 3})


class HeadersTest(unittest.TestCase):
    def test_lookups_ignore_case(self):
        h = aml_types.headers_of([("x-request-id", "a"), ("Accept", "b"), ("accept", "c")])
        self.assertEqual(h["X-Request-Id"], "a")
        self.assertEqual(h.get("x-REQUEST-id"), "a")
        self.assertIn("ACCEPT", h)
        self.assertEqual(h["Accept"], "b, c")
        self.assertEqual(dict(h), {"X-Request-Id": "a", "Accept": "b, c"})


class UserScriptTest(unittest.TestCase):
    def test_run_with_and_without_headers(self):
        one = load("def run(data):\n    return data.upper()\n")
        self.assertEqual(one.score(request(b"abc"))[2], b'"ABC"')
        two = load("def run(raw_data, request_headers):\n    return request_headers.get('x-custom')\n")
        self.assertEqual(two.score(request(b"", [("X-Custom", "v")]))[2], b'"v"')

    def test_errors_in_run_are_500_with_the_reason(self):
        s = load("def run(data):\n    raise KeyError('missing')\n")
        status, _, body = s.score(request(b"x"))
        self.assertEqual(status, 500)
        self.assertIn("KeyError", json.loads(body)["error"])

    def test_rawhttp_gets_the_request(self):
        s = load(
            """
            from azureml.contrib.services.aml_request import rawhttp
            @rawhttp
            def run(request):
                return {"m": request.method, "a": request.args.get("a"), "j": request.get_json(force=True)}
            """
        )
        self.assertTrue(s.raw_http)
        self.assertEqual(json.loads(s.score(request(b'{"z": 1}', query="a=5"))[2]), {"m": "POST", "a": "5", "j": {"z": 1}})

    def test_input_schema_parses_the_named_parameter(self):
        s = load(
            """
            import numpy as np
            from inference_schema.schema_decorators import input_schema, output_schema
            from inference_schema.parameter_types.numpy_parameter_type import NumpyParameterType
            from inference_schema.parameter_types.standard_py_parameter_type import StandardPythonParameterType
            @input_schema("Inputs", StandardPythonParameterType({"data": NumpyParameterType(np.array([[1.0, 2.0]]))}))
            @input_schema("GlobalParameters", StandardPythonParameterType({"method": "predict"}))
            @output_schema(StandardPythonParameterType([1.0]))
            def run(Inputs, GlobalParameters):
                return {"type": type(Inputs["data"]).__name__, "shape": list(Inputs["data"].shape), "method": GlobalParameters["method"]}
            """
        )
        self.assertTrue(s.schema_decorated)
        body = json.dumps({"Inputs": {"data": [[1, 2], [3, 4], [5, 6]]}, "GlobalParameters": {"method": "proba"}, "extra": 1})
        self.assertEqual(json.loads(s.score(request(body.encode()))[2]), {"type": "ndarray", "shape": [3, 2], "method": "proba"})
        from inference_schema.schema_util import get_input_schema

        schema = get_input_schema(s.run)
        self.assertEqual(schema["properties"]["Inputs"]["properties"]["data"]["items"]["items"], {"type": "number", "format": "double"})
        self.assertEqual(schema["example"]["GlobalParameters"], {"method": "predict"})

    def test_a_non_object_body_for_a_schema_run_is_400(self):
        s = load(
            """
            import numpy as np
            from inference_schema.schema_decorators import input_schema
            from inference_schema.parameter_types.numpy_parameter_type import NumpyParameterType
            @input_schema("data", NumpyParameterType(np.array([1, 2])))
            def run(data):
                return data.tolist()
            """
        )
        self.assertEqual(s.score(request(b"[1, 2]"))[0], 400)
        self.assertEqual(json.loads(s.score(request(b'{"data": [3, 4]}'))[2]), [3, 4])


if __name__ == "__main__":
    unittest.main()
