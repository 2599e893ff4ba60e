"""Starts the host: bind the port first (so PORT is known to the script), then serve with one worker
in this process or WORKER_COUNT forked workers."""
import logging
import os
import socket
import sys

from . import control_channel, shim_path
from .prefork import run_prefork
from .settings import HostSettings
from .worker import run_worker


def main():
    # print() and logging (INFO and up) of the scoring script end up in the instance's log.
    logging.basicConfig(
        level=logging.INFO,
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s [%(process)d] %(name)s: %(message)s",
    )
    _limit_memory(os.environ.get("SWITCHYARD_MEMORY_LIMIT_BYTES"))
    if os.environ.get("SWITCHYARD_INSTANCE_SECRET_FILE"):
        _not_dumpable()
    settings = HostSettings(os.environ)
    shim_path.install()
    listener = _bind(settings.bind_host, settings.port)
    port = listener.getsockname()[1]
    os.environ["PORT"] = str(port)

    def announce_ready():
        control_channel.announce("ready", port=port, pid=os.getpid(), workers=settings.workers)

    if settings.workers == 1:
        control_channel.exit_on_stdin_eof()
        return run_worker(listener, settings, announce_ready)
    # The master watches stdin in its own loop: it forks, and forking a threaded process is unsafe.
    return run_prefork(listener, settings, announce_ready)


def _limit_memory(value):
    """resources.limits.memory of the deployment: the address space of this process (and of the
    workers it forks). Past it, allocations fail (MemoryError) and the instance is restarted."""
    if not value:
        return
    try:
        import resource

        limit = int(value)
        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
        logging.getLogger("switchyard.host").info("memory limit: %d bytes of address space per process", limit)
    except (ImportError, ValueError, OSError) as e:
        logging.getLogger("switchyard.host").warning("cannot apply the memory limit %r: %s", value, e)


def _not_dumpable():
    """Run by Switchyard: other processes of the same user (other deployments' instances share the
    instance user) may then neither ptrace this one nor read its memory, environment or open files
    through /proc; the process itself and its forked workers still can (docs/security.md)."""
    try:
        import ctypes

        pr_set_dumpable = 4
        if ctypes.CDLL(None, use_errno=True).prctl(pr_set_dumpable, 0, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_DUMPABLE) failed")
    except (ImportError, OSError, AttributeError) as e:
        logging.getLogger("switchyard.host").warning("cannot make the host non-dumpable: %s", e)


def _bind(host, port):
    listener = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((host, port))
    listener.listen(1024)
    return listener
