"""Loads the user's scoring script and calls it the way the azureml inference server does.

init() runs once per worker before it serves. run() is called per request with the body as a str,
plus `request_headers` when its signature asks for them; with the raw request when it is decorated
with @rawhttp; and with the JSON body's keys as arguments when it carries inference-schema
decorators (which turn them into numpy arrays, data frames, ...).
"""
import importlib.util
import inspect
import logging
import os
import sys
import traceback

from . import aml_types, responses

log = logging.getLogger("switchyard.host")


class ScriptError(Exception):
    """The script could not be loaded or its init() raised: the instance must not become ready."""


class UserScript:
    def __init__(self, module, path):
        self.module = module
        self.path = path
        self.run = getattr(module, "run", None)
        if not callable(self.run):
            raise ScriptError("%s defines no run() function; a scoring script needs init() and run(raw_data)." % path)
        self.raw_http = _wants_raw_http(self.run)
        self.schema_decorated = _is_schema_decorated(self.run)
        params = _parameters(self.run)
        self.accepts_any_keyword = any(p.kind == p.VAR_KEYWORD for p in params)
        self.param_names = [p.name for p in params if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
        positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        self.wants_headers = "request_headers" in self.param_names or len(positional) >= 2 or any(
            p.kind == p.VAR_POSITIONAL for p in params
        )

    @classmethod
    def load(cls, app_root, entry_path):
        if not os.path.isfile(entry_path):
            raise ScriptError("scoring script not found: %s (AZUREML_ENTRY_SCRIPT is relative to AML_APP_ROOT %s)" % (entry_path, app_root))
        for folder in (os.path.dirname(entry_path), app_root):
            if folder not in sys.path:
                sys.path.insert(0, folder)
        name = os.path.splitext(os.path.basename(entry_path))[0]
        spec = importlib.util.spec_from_file_location(name, entry_path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
        return cls(module, entry_path)

    def init(self):
        init = getattr(self.module, "init", None)
        if callable(init):
            init()

    def score(self, request):
        try:
            result = self._invoke(request)
        except _BadInput as bad:
            return responses.error(400, str(bad))
        except Exception as exc:  # the user's code failed: 500, the traceback goes to the log
            if isinstance(exc, MemoryError) and os.environ.get("SWITCHYARD_MEMORY_LIMIT_BYTES"):
                # Over resources.limits.memory: end like a container killed for OOM, so the runtime
                # restarts the instance with its memory back (a leak would fail every later request).
                del exc
                log.error("run() ran out of memory (resources.limits.memory = %s bytes); the instance exits and is restarted",
                          os.environ["SWITCHYARD_MEMORY_LIMIT_BYTES"])
                logging.shutdown()
                os._exit(137)
            log.error("Encountered exception in run():\n%s", user_traceback(exc))
            return responses.error(
                500,
                "An unexpected error occurred in scoring script. Check the logs for more info.",
                error="%s: %s" % (type(exc).__name__, exc),
            )
        try:
            return responses.from_result(result)
        except responses.BadHeader as bad:
            log.error("run() returned a response that was refused: %s", bad)
            return responses.error(500, "run() returned a response with an invalid header: %s. Check the logs for more info." % bad)
        except Exception as exc:
            log.error("run() returned a result that cannot be sent:\n%s", traceback.format_exc().rstrip())
            return responses.error(500, "run() returned a result that cannot be sent as JSON: %s" % exc)

    def _invoke(self, request):
        if self.raw_http:
            return self.run(request.as_aml_request())
        if self.schema_decorated:
            return self.run(**self._schema_arguments(request))
        try:
            data = request.body.decode("utf-8")
        except UnicodeDecodeError:
            raise _BadInput("The request body is not valid UTF-8 text; use @rawhttp to receive binary data.")
        if self.wants_headers:
            return self.run(data, aml_types.headers_of(request.raw_headers))
        return self.run(data)

    def _schema_arguments(self, request):
        import json

        try:
            payload = json.loads(request.body) if request.body else {}
        except ValueError as exc:
            raise _BadInput("The request body is not valid JSON: %s" % exc)
        if not isinstance(payload, dict):
            raise _BadInput("The request body must be a JSON object whose keys are run()'s parameters: %s" % ", ".join(self.param_names))
        if self.accepts_any_keyword:
            kwargs = dict(payload)
        else:
            kwargs = {k: v for k, v in payload.items() if k in self.param_names}
        if "request_headers" in self.param_names and "request_headers" not in kwargs:
            kwargs["request_headers"] = aml_types.headers_of(request.raw_headers)
        return kwargs


class _BadInput(Exception):
    pass


def _parameters(func):
    try:
        return list(inspect.signature(func).parameters.values())
    except (TypeError, ValueError):
        return []


def _wants_raw_http(run):
    if getattr(run, aml_types.RAW_HTTP_ATTR, False) or getattr(inspect.unwrap(run), aml_types.RAW_HTTP_ATTR, False):
        return True
    # The real azureml packages record @rawhttp in a module global.
    for name in ("azureml.contrib.services.aml_request", "azureml_inference_server_http.api.aml_request"):
        module = sys.modules.get(name)
        if module is not None and getattr(module, "_rawHttpRequested", False):
            return True
    return False


def _is_schema_decorated(run):
    util = sys.modules.get("inference_schema.schema_util")
    if util is None:
        return False
    try:
        return bool(util.is_schema_decorated(run)) and "properties" in util.get_input_schema(run)
    except Exception:
        return False


_HOST_DIR = os.path.dirname(os.path.abspath(__file__))


def user_traceback(exc):
    """The traceback from the first frame outside the host: the user's code and what it called."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None and _is_host_frame(tb.tb_frame.f_code.co_filename):
        tb = tb.tb_next
    return "".join(traceback.format_exception(type(exc), exc, tb)).rstrip()


def _is_host_frame(filename):
    return os.path.dirname(filename) == _HOST_DIR or filename.startswith("<frozen importlib")


def format_failure(phase, exc):
    """The traceback of a failed load or init(), for the log and the server."""
    return "%s failed:\n%s" % (phase, user_traceback(exc))
