"""The host's settings, read once from the environment (the same variables the azureml server reads)."""
import os

from .gateway_secret import read_secret


class HostSettings:
    __slots__ = ("app_root", "entry_script", "workers", "bind_host", "port", "max_body", "drain_seconds", "secret")

    def __init__(self, environ):
        self.app_root = os.path.abspath(environ.get("AML_APP_ROOT") or os.getcwd())
        self.entry_script = environ.get("AZUREML_ENTRY_SCRIPT") or "score.py"
        self.workers = _positive_int(environ, "WORKER_COUNT", 1)
        self.bind_host = environ.get("SWITCHYARD_BIND_HOST") or "127.0.0.1"
        # The azureml server listens on 5001 in its container; Switchyard passes PORT=0 (any free port).
        self.port = _positive_int(environ, "PORT", 5001, allow_zero=True)
        self.max_body = _positive_int(environ, "SWITCHYARD_MAX_BODY_BYTES", 256 * 1024 * 1024)
        self.drain_seconds = _positive_int(environ, "SWITCHYARD_DRAIN_SECONDS", 30, allow_zero=True)
        self.secret = read_secret(environ)

    @property
    def entry_path(self):
        if os.path.isabs(self.entry_script):
            return self.entry_script
        return os.path.join(self.app_root, self.entry_script)


def _positive_int(environ, name, default, allow_zero=False):
    raw = environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SystemExit("switchyard host: %s must be an integer, got %r" % (name, raw))
    if value < 0 or (value == 0 and not allow_zero):
        raise SystemExit("switchyard host: %s must be positive, got %r" % (name, raw))
    return value
