"""The instance routes of the azureml inference server, over a loaded scoring script."""
from . import responses, swagger

_HEALTHY = (200, responses.TEXT, b"Healthy")
_READY = (200, responses.TEXT, b"Ready")


class ScoringApp:
    def __init__(self, script):
        self.script = script
        self.swagger = swagger.build(script.run)

    def __call__(self, request):
        path = request.path
        method = request.method
        if path == "/score":
            if method == "POST" or (self.script.raw_http and method in ("GET", "PUT", "PATCH", "DELETE")):
                return self.script.score(request)
            if method == "OPTIONS":
                return 200, b"Allow: POST, OPTIONS\r\n" + responses.TEXT, b""
            return 405, b"Allow: POST\r\n" + responses.TEXT, b"Method not allowed: /score takes POST"
        if method in ("GET", "HEAD"):
            if path == "/":
                return _HEALTHY
            if path == "/ready":
                return _READY  # the host listens only once init() has succeeded
            if path == "/swagger.json":
                if self.swagger is None:
                    return responses.error(404, "This scoring script has no schema: decorate run() with @input_schema/@output_schema to get a swagger.json.")
                return 200, responses.JSON, self.swagger
        return responses.error(404, "Not found: %s %s" % (method, path))
