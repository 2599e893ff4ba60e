"""A pre-warmed Python for one (interpreter, environment): the zygote.

It imports the host and the environment's packages once (SWITCHYARD_ZYGOTE_PRELOAD, a comma-separated
list of module names the server derived from the conda file; never the user's code), then waits for
requests from the server on stdin, one JSON line each: {"fork": TOKEN}. For each it forks a child
that becomes one scoring instance, so the instance only loads the scoring script and runs init().

Nothing a deployment owns ever passes through the zygote's memory (it is copied into every later
child): the request names only a token. The child (still privileged) reads its launch spec from
TOKEN.json in the server's private folder (SWITCHYARD_ZYGOTE_DIR) and deletes it, connects three times
to the server's private socket (SWITCHYARD_ZYGOTE_SOCKET) for its stdin + control channel, stdout and
stderr, then takes the same isolation a cold start has: its own session and process group, no
descriptor but 0-3, no supplementary groups, the deployment's gid and the instance uid, the run's
folder and an environment replaced wholesale. The host's main() then applies the memory limit and
makes the process non-dumpable exactly as in a cold start.

Events go to stdout, one JSON line each: ready (after the imports), forked {token, pid},
fork_failed {token, error}, exit {pid, code, signal} (the zygote is the children's parent and reaps
them). The zygote exits when stdin reaches end-of-file (the server is gone).
"""
import fcntl
import gc
import importlib
import json
import os
import re
import select
import signal
import socket
import sys
import time

_TOKEN = re.compile(r"^[0-9a-f]{32,128}$")
_ROLES = ("control", "out", "err")
# The child's descriptors: stdin and the control channel share one connection.
_TARGETS = ((0, 0), (1, 1), (2, 2), (0, 3))
# The child's exit code when the instance's user could not have started the interpreter or read the
# host (a cold start would fail with EACCES): the server then starts it cold, to fail the same way.
NOT_RUNNABLE = 126


def main():
    socket_path = os.environ.pop("SWITCHYARD_ZYGOTE_SOCKET")
    spec_dir = os.environ.pop("SWITCHYARD_ZYGOTE_DIR")
    preload = [m for m in os.environ.pop("SWITCHYARD_ZYGOTE_PRELOAD", "").split(",") if m]
    _not_dumpable()
    started = time.monotonic()
    # The host first (the whole package main() uses), then the environment's packages.
    from . import main as _host_main  # noqa: F401

    loaded, failed = [], []
    for module in preload:
        try:
            importlib.import_module(module)
            loaded.append(module)
        except BaseException as e:  # a broken package must not take the zygote down; the child imports it again
            failed.append({"module": module, "error": "%s: %s" % (type(e).__name__, e)})
    # Objects made so far are never collected in the children: the collector then leaves their pages
    # alone, and they stay shared between the instances instead of being copied into each.
    gc.collect()
    gc.freeze()
    _event("ready", pid=os.getpid(), preloaded=loaded, failed=failed, ms=round((time.monotonic() - started) * 1000))
    return _serve(socket_path, spec_dir)


def _serve(socket_path, spec_dir):
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_r, False)
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    pending = b""
    while True:
        readable, _, _ = select.select([0, wake_r], [], [])
        if wake_r in readable:
            try:
                while os.read(wake_r, 512):
                    pass
            except BlockingIOError:
                pass
        _reap()
        if 0 not in readable:
            continue
        chunk = os.read(0, 4096)
        if not chunk:
            return 0  # the server is gone; its instances see their connections close and exit
        pending += chunk
        while b"\n" in pending:
            line, pending = pending.split(b"\n", 1)
            _handle(line, socket_path, spec_dir)


def _handle(line, socket_path, spec_dir):
    try:
        token = json.loads(line)["fork"]
    except (ValueError, KeyError, TypeError):
        return
    if not isinstance(token, str) or not _TOKEN.match(token):
        _event("fork_failed", token=str(token)[:128], error="bad token")
        return
    try:
        pid = os.fork()
    except OSError as e:
        _event("fork_failed", token=token, error=str(e))
        return
    if pid == 0:
        _child(token, socket_path, os.path.join(spec_dir, token + ".json"))
    _event("forked", token=token, pid=pid)


def _reap():
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        if os.WIFSIGNALED(status):
            _event("exit", pid=pid, code=None, signal=os.WTERMSIG(status))
        else:
            _event("exit", pid=pid, code=os.WEXITSTATUS(status), signal=None)


def _child(token, socket_path, spec_path):
    """Becomes one instance; never returns."""
    code = 70
    try:
        signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        os.setsid()
        with open(spec_path, "rb") as f:
            spec = json.loads(f.read())
        os.unlink(spec_path)
        if spec.get("token") != token:
            raise RuntimeError("the launch spec is not this request's")
        uid, gid = spec.get("uid"), spec.get("gid")
        # What spawn() does for a cold start, in its order: the folder, no supplementary groups, the
        # gid, the uid; and exec() would need the interpreter executable and the host readable by them.
        os.chdir(spec["cwd"])
        if (uid is not None or gid is not None) and not _runnable_as(uid, gid, spec["interpreter"], spec["argv0"]):
            os._exit(NOT_RUNNABLE)
        _connect_stdio(token, socket_path)
        if gid is not None:
            os.setgroups([])
            os.setgid(int(gid))
        if uid is not None:
            os.setuid(int(uid))
        os.environ.clear()
        os.environ.update(spec["env"])
        sys.argv = [spec["argv0"]]
        sys.dont_write_bytecode = False  # the zygote runs with -B; a cold host does not
        _reseed()
        from .main import main as host_main

        code = host_main()
    except SystemExit as e:
        code = e.code
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        if isinstance(code, str):
            sys.stderr.write(code + "\n")
            code = 1
        elif not isinstance(code, int):
            code = 0 if code is None else 1
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):
                pass
        os._exit(code)


def _connect_stdio(token, socket_path):
    fds = []
    for role in _ROLES:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(socket_path)
        s.sendall(("%s %s\n" % (token, role)).encode("ascii"))
        fds.append(s.detach())
    # Out of the way of 0-3 first, so that no dup2 overwrites a connection not yet placed.
    high = [fcntl.fcntl(fd, fcntl.F_DUPFD, 10) for fd in fds]
    for source, target in _TARGETS:
        os.dup2(high[source], target)
    # Nothing else of the zygote's stays open: its pipes to the server, other connections, libraries' files.
    os.closerange(4, os.sysconf("SC_OPEN_MAX") if os.sysconf("SC_OPEN_MAX") > 0 else 65536)


def _runnable_as(uid, gid, interpreter, script):
    """Could this uid and gid (no other groups) execute the interpreter and read the host script?"""
    os.setgroups([])
    if gid is not None:
        os.setegid(int(gid))
    if uid is not None:
        os.seteuid(int(uid))
    try:
        return os.access(interpreter, os.X_OK, effective_ids=True) and os.access(script, os.R_OK, effective_ids=True)
    finally:
        os.seteuid(os.getuid())
        os.setegid(os.getgid())


def _reseed():
    """A cold start seeds numpy's global generator from the OS; forked children would all share the
    zygote's sequence. (`random` reseeds itself after fork.)"""
    numpy = sys.modules.get("numpy")
    if numpy is not None:
        try:
            numpy.random.seed()
        except Exception:
            pass


def _event(name, **fields):
    fields["event"] = name
    data = (json.dumps(fields) + "\n").encode("utf-8")
    while data:
        data = data[os.write(1, data):]


def _not_dumpable():
    """Nobody of the instance user's (nor of the server's, without one) may ptrace the zygote or read
    its memory through /proc; its children are made non-dumpable again by the host's main()."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE, 0
    except (ImportError, OSError, AttributeError):
        pass
