"""One worker: load the scoring script, run init(), then serve until told to stop."""
import logging

from . import control_channel
from .http_server import HttpServer
from .scoring_app import ScoringApp
from .user_script import UserScript, format_failure

log = logging.getLogger("switchyard.host")

INIT_FAILED = 3


def run_worker(listener, settings, on_ready):
    """Returns the process exit code: 0 after a drain, INIT_FAILED when the script cannot start."""
    try:
        script = UserScript.load(settings.app_root, settings.entry_path)
    except BaseException as exc:
        return _failed("Loading %s" % settings.entry_script, exc)
    try:
        script.init()
    except BaseException as exc:
        return _failed("init() of %s" % settings.entry_script, exc)
    app = ScoringApp(script)
    on_ready()
    HttpServer(listener, app, settings.max_body, settings.drain_seconds, shared=settings.workers > 1, secret=settings.secret).serve_forever()
    return 0


def _failed(phase, exc):
    text = format_failure(phase, exc)
    log.error("%s", text)
    lines = text.splitlines()
    control_channel.announce("init_failed", phase=phase, error="%s: %s" % (type(exc).__name__, exc), traceback="\n".join(lines[-40:]))
    return INIT_FAILED
