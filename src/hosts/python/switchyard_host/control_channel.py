"""Talks to the process that started the host.

Events (one JSON object per line) go to the file descriptor named by SWITCHYARD_CONTROL_FD, so that
the user's own prints on stdout can never be mistaken for them. Without that variable (the host run by
hand) they are printed to stdout. The host also exits as soon as its stdin (a pipe held by the server)
reaches end-of-file: a server that died leaves no scoring process behind.
"""
import json
import os
import stat
import sys
import threading

_fd = None


def _control_fd():
    global _fd
    if _fd is None:
        raw = os.environ.get("SWITCHYARD_CONTROL_FD")
        _fd = int(raw) if raw else -1
    return _fd


def announce(event, **fields):
    fields["event"] = event
    line = (json.dumps(fields) + "\n").encode("utf-8")
    fd = _control_fd()
    if fd >= 0:
        # Writes to a pipe up to PIPE_BUF (4096) bytes are atomic, so several workers may share it.
        os.write(fd, line[:4000] if len(line) > 4000 else line)
    else:
        sys.stdout.write(line.decode("utf-8"))
        sys.stdout.flush()


def exit_on_eof(fd):
    """Exit at once when `fd` reaches end-of-file (its writer, our parent, is gone)."""

    def watch():
        try:
            while os.read(fd, 4096):
                pass
        except OSError:
            pass
        os._exit(0)

    threading.Thread(target=watch, name="switchyard-parent-watch", daemon=True).start()


def stdin_is_pipe():
    """Is stdin a pipe from the server (not a terminal or /dev/null)?"""
    try:
        mode = os.fstat(0).st_mode
    except OSError:
        return False
    return stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)


def exit_on_stdin_eof():
    """Exit when stdin, a pipe from the server, closes. A terminal or /dev/null is left alone."""
    if stdin_is_pipe():
        exit_on_eof(0)
