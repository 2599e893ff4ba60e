"""WORKER_COUNT > 1: a master process forks the workers, which share its listening socket.

Each worker loads the script and runs init() itself (as gunicorn does without --preload). The master
announces readiness once every worker is ready, replaces a worker that dies, and gives up (exit 1)
when workers keep dying. SIGTERM is passed on to the workers, which drain. The master exits when its
stdin (the server's pipe) closes; a worker whose master is gone (its end of a pipe closes) exits too.
The master runs no threads, so forking replacements is safe.
"""
import logging
import os
import select
import signal
import time

from . import control_channel
from .worker import INIT_FAILED, run_worker

log = logging.getLogger("switchyard.host")

CRASH_WINDOW = 60.0
MAX_CRASHES = 5


class _Stop(Exception):
    pass


def run_prefork(listener, settings, announce_ready):
    death_r, death_w = os.pipe()
    ready_r, ready_w = os.pipe()
    children = {}

    def spawn():
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                os.close(death_w)
                os.close(ready_r)
                control_channel.exit_on_eof(death_r)
                code = run_worker(listener, settings, lambda: os.write(ready_w, b"R"))
            finally:
                os._exit(code)
        children[pid] = time.monotonic()

    def on_term(*_):
        raise _Stop()

    watched = [ready_r] + ([0] if control_channel.stdin_is_pipe() else [])
    signal.signal(signal.SIGTERM, on_term)
    try:
        for _ in range(settings.workers):
            spawn()
        ready = 0
        announced = False
        crashes = []
        while True:
            readable, _, _ = select.select(watched, [], [], 0.1)
            if 0 in readable and not os.read(0, 4096):
                _kill_all(children, signal.SIGKILL)  # the server is gone
                return 0
            if ready_r in readable:
                ready += len(os.read(ready_r, 256))
            if not announced and ready >= settings.workers:
                announced = True
                announce_ready()
            while children:
                pid, status = os.waitpid(-1, os.WNOHANG)
                if not pid:
                    break
                children.pop(pid, None)
                if not announced:
                    log.error("worker %d exited before it was ready (%s); stopping the instance", pid, _describe(status))
                    _kill_all(children, signal.SIGKILL)
                    return INIT_FAILED if _exit_code(status) == INIT_FAILED else 1
                now = time.monotonic()
                crashes = [t for t in crashes if now - t < CRASH_WINDOW] + [now]
                if len(crashes) > MAX_CRASHES:
                    log.error("workers died %d times within %ds; stopping the instance", len(crashes), CRASH_WINDOW)
                    _kill_all(children, signal.SIGKILL)
                    return 1
                log.warning("worker %d died (%s); starting a new one", pid, _describe(status))
                spawn()
    except _Stop:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        _kill_all(children, signal.SIGTERM)
        deadline = time.monotonic() + settings.drain_seconds + 1
        while children and time.monotonic() < deadline:
            pid, _ = os.waitpid(-1, os.WNOHANG)
            if pid:
                children.pop(pid, None)
            else:
                time.sleep(0.02)
        _kill_all(children, signal.SIGKILL)
        return 0


def _kill_all(children, sig):
    for pid in list(children):
        try:
            os.kill(pid, sig)
        except OSError:
            children.pop(pid, None)


def _exit_code(status):
    return os.WEXITSTATUS(status) if os.WIFEXITED(status) else -1


def _describe(status):
    if os.WIFSIGNALED(status):
        return "killed by signal %d" % os.WTERMSIG(status)
    return "exit code %d" % _exit_code(status)
