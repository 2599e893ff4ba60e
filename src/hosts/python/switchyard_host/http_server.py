"""A lean HTTP/1.1 server for one worker process: one epoll loop, no thread per request.

Each worker of an instance runs this loop on the listening socket it shares with its siblings. Every
idle worker wakes on a new connection and they race to accept it; a worker that already holds
connections waits a moment before trying, so keep-alive connections (which stay with the worker that
accepted them) spread evenly over the workers. Connections are kept alive, pipelined
requests are answered in order, `Expect: 100-continue` and chunked bodies are understood. run() is
called synchronously: the gateway sends an instance at most max_concurrent_requests_per_instance
requests at a time, so a worker has nothing else to do meanwhile.

On SIGTERM the worker stops accepting, closes idle connections, finishes the requests it has
started (with `Connection: close`) and returns; after `drain_seconds` it returns anyway.
"""
import hmac
import os
import select
import signal
import socket
import time
from http import HTTPStatus
from urllib.parse import unquote

from .aml_types import AMLRequest

# The header the gateway presents with the instance's secret (see gateway_secret.py); removed before
# the scoring script sees the request.
SECRET_HEADER = "x-switchyard-instance-secret"
MAX_HEAD = 64 * 1024
RECV_SIZE = 256 * 1024
CHUNKED = -1

_REASONS = {s.value: s.phrase for s in HTTPStatus}
_STATUS_LINES = {}


def status_line(status):
    line = _STATUS_LINES.get(status)
    if line is None:
        line = ("HTTP/1.1 %d %s\r\n" % (status, _REASONS.get(status, "Unknown"))).encode("latin-1")
        _STATUS_LINES[status] = line
    return line


class HttpError(Exception):
    def __init__(self, status, message):
        Exception.__init__(self, message)
        self.status = status


class Request:
    __slots__ = ("method", "target", "path", "query", "version", "headers", "raw_headers", "body", "keep_alive")

    def as_aml_request(self):
        return AMLRequest(self.method, self.path, self.query.encode("latin-1"), self.raw_headers, self.body)


class _Connection:
    __slots__ = ("sock", "fd", "buf", "head", "out", "close_after", "reading")

    def __init__(self, sock):
        self.sock = sock
        self.fd = sock.fileno()
        self.buf = bytearray()
        self.head = None  # a parsed request head waiting for its body
        self.out = None  # unsent bytes of a response (memoryview)
        self.close_after = False
        self.reading = True

    @property
    def idle(self):
        return not self.buf and self.head is None and self.out is None


class HttpServer:
    def __init__(self, listener, app, max_body, drain_seconds, shared=False, secret=None):
        self.listener = listener
        # bytes: every request must carry it in SECRET_HEADER (only the gateway and the server's probes know it).
        self.secret = secret
        self.shared = shared  # other workers accept on the same socket
        self.app = app
        self.max_body = max_body
        self.drain_seconds = drain_seconds
        self.poller = select.epoll()
        self.conns = {}
        self.stopping = False
        self._drain_deadline = None

    def stop(self, *_):
        self.stopping = True

    def serve_forever(self):
        listener_fd = self.listener.fileno()
        self.listener.setblocking(False)
        wake_r, wake_w = os.pipe()
        os.set_blocking(wake_r, False)
        os.set_blocking(wake_w, False)
        signal.set_wakeup_fd(wake_w)
        signal.signal(signal.SIGTERM, self.stop)
        self.poller.register(listener_fd, select.EPOLLIN)
        self.poller.register(wake_r, select.EPOLLIN)
        accepting = True
        poll = self.poller.poll
        conns = self.conns
        while True:
            timeout = -1
            if self.stopping:
                if accepting:
                    accepting = False
                    self.poller.unregister(listener_fd)
                    self._drain_deadline = time.monotonic() + self.drain_seconds
                for conn in [c for c in conns.values() if c.idle]:
                    self._close(conn)
                if not conns or time.monotonic() >= self._drain_deadline:
                    return
                timeout = 0.2
            for fd, events in poll(timeout):
                if fd == listener_fd:
                    if accepting:
                        self._accept()
                elif fd == wake_r:
                    try:
                        os.read(wake_r, 512)
                    except OSError:
                        pass
                else:
                    conn = conns.get(fd)
                    if conn is None:
                        continue
                    if events & select.EPOLLOUT:
                        self._flush(conn)
                    elif events & (select.EPOLLIN | select.EPOLLHUP | select.EPOLLERR):
                        self._on_readable(conn)

    def _accept(self):
        if self.shared and self.conns:
            # Let a sibling with fewer connections take it (0.5 ms per connection held, at most 5 ms).
            time.sleep(min(0.005, 0.0005 * len(self.conns)))
        try:
            sock, _ = self.listener.accept()
        except (BlockingIOError, InterruptedError, ConnectionAbortedError):
            return  # a sibling worker took it
        except OSError:
            return
        sock.setblocking(False)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        conn = _Connection(sock)
        self.conns[conn.fd] = conn
        self.poller.register(conn.fd, select.EPOLLIN)

    def _close(self, conn):
        self.conns.pop(conn.fd, None)
        try:
            self.poller.unregister(conn.fd)
        except (OSError, ValueError):
            pass
        try:
            conn.sock.close()
        except OSError:
            pass

    def _on_readable(self, conn):
        try:
            data = conn.sock.recv(RECV_SIZE)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            self._close(conn)
            return
        if not data:
            self._close(conn)
            return
        conn.buf += data
        self._process(conn)

    def _process(self, conn):
        while conn.out is None and not conn.close_after:
            try:
                request = self._parse(conn)
            except HttpError as bad:
                self._send(conn, bad.status, b"Content-Type: text/plain; charset=utf-8\r\n", str(bad).encode("utf-8"), False, False)
                return
            if request is None:
                return
            try:
                status, head, body = self.app(request)
            except Exception as exc:  # a bug of the host itself; the request still gets an answer
                import traceback

                traceback.print_exc()
                status, head, body = 500, b"Content-Type: text/plain; charset=utf-8\r\n", ("host error: %s" % exc).encode("utf-8")
            keep = request.keep_alive and not self.stopping
            self._send(conn, status, head, body, keep, request.method == "HEAD", request.version)
            if not keep:
                return

    def _send(self, conn, status, head, body, keep, head_only=False, version="HTTP/1.1"):
        parts = [status_line(status), head, b"Content-Length: ", str(len(body)).encode(), b"\r\n"]
        if not keep:
            parts.append(b"Connection: close\r\n")
            conn.close_after = True
        elif version == "HTTP/1.0":
            parts.append(b"Connection: keep-alive\r\n")
        parts.append(b"\r\n")
        if not head_only:
            parts.append(body)
        data = b"".join(parts)
        try:
            sent = conn.sock.send(data)
        except (BlockingIOError, InterruptedError):
            sent = 0
        except OSError:
            self._close(conn)
            return
        if sent < len(data):
            conn.out = memoryview(data)[sent:]
            self.poller.modify(conn.fd, select.EPOLLOUT)
        elif conn.close_after:
            self._close(conn)

    def _flush(self, conn):
        try:
            sent = conn.sock.send(conn.out)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            self._close(conn)
            return
        if sent < len(conn.out):
            conn.out = conn.out[sent:]
            return
        conn.out = None
        if conn.close_after:
            self._close(conn)
            return
        self.poller.modify(conn.fd, select.EPOLLIN)
        self._process(conn)  # pipelined requests may already be buffered

    def _parse(self, conn):
        buf = conn.buf
        if conn.head is None:
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                if len(buf) > MAX_HEAD:
                    raise HttpError(431, "Request header fields too large")
                return None
            conn.head = self._parse_head(bytes(buf[:end]).decode("latin-1"), conn)
            del buf[: end + 4]
        request, length = conn.head
        if length == CHUNKED:
            if not buf.endswith(b"\r\n\r\n"):
                if len(buf) > self.max_body + MAX_HEAD:
                    raise HttpError(413, "Payload too large")
                return None
            parsed = _dechunk(buf)
            if parsed is None:
                return None
            body, used = parsed
            if len(body) > self.max_body:
                raise HttpError(413, "Payload too large")
            del buf[:used]
        elif length:
            if len(buf) < length:
                return None
            body = bytes(buf[:length])
            del buf[:length]
        else:
            body = b""
        conn.head = None
        request.body = body
        return request

    def _parse_head(self, head, conn):
        lines = head.lstrip("\r\n").split("\r\n")
        parts = lines[0].split(" ")
        if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
            raise HttpError(400, "Malformed request line")
        method, target, version = parts
        raw_headers = []
        headers = {}
        presented = None
        for line in lines[1:]:
            colon = line.find(":")
            if colon <= 0:
                raise HttpError(400, "Malformed header line")
            name = line[:colon].strip()
            value = line[colon + 1 :].strip()
            if len(name) == 28 and name.lower() == SECRET_HEADER:
                presented = value if presented is None else ""  # twice: refused
                continue
            raw_headers.append((name, value))
            key = name.lower()
            headers[key] = headers[key] + ", " + value if key in headers else value
        if self.secret is not None and (presented is None or not hmac.compare_digest(presented.encode("latin-1"), self.secret)):
            raise HttpError(401, "This instance answers only the Switchyard gateway: call the endpoint's scoring URI instead.")
        request = Request()
        request.method = method
        request.target = target
        request.version = version
        question = target.find("?")
        if question >= 0:
            request.path, request.query = unquote(target[:question]), target[question + 1 :]
        else:
            request.path, request.query = unquote(target), ""
        request.headers = headers
        request.raw_headers = raw_headers
        connection = headers.get("connection", "").lower()
        if version == "HTTP/1.0":
            request.keep_alive = "keep-alive" in connection
        else:
            request.keep_alive = "close" not in connection
        if "transfer-encoding" in headers:
            if "chunked" not in headers["transfer-encoding"].lower():
                raise HttpError(501, "Only the chunked transfer coding is supported")
            length = CHUNKED
        elif "content-length" in headers:
            try:
                length = int(headers["content-length"])
            except ValueError:
                raise HttpError(400, "Invalid Content-Length")
            if length < 0:
                raise HttpError(400, "Invalid Content-Length")
            if length > self.max_body:
                raise HttpError(413, "Payload too large: %d bytes, the limit is %d" % (length, self.max_body))
        else:
            length = 0
        if length and headers.get("expect", "").lower() == "100-continue" and len(conn.buf) <= len(head) + 4:
            try:
                conn.sock.send(b"HTTP/1.1 100 Continue\r\n\r\n")
            except OSError:
                pass
        return request, length


def _dechunk(buf):
    """(body, bytes used) of a complete chunked body at the start of buf, or None if incomplete."""
    pos = 0
    parts = []
    while True:
        eol = buf.find(b"\r\n", pos)
        if eol < 0:
            return None
        try:
            size = int(bytes(buf[pos:eol]).split(b";", 1)[0].strip(), 16)
        except ValueError:
            raise HttpError(400, "Malformed chunk size")
        pos = eol + 2
        if size == 0:
            while True:  # trailer fields, up to an empty line
                eol = buf.find(b"\r\n", pos)
                if eol < 0:
                    return None
                if eol == pos:
                    return b"".join(parts), pos + 2
                pos = eol + 2
        if len(buf) < pos + size + 2:
            return None
        parts.append(bytes(buf[pos : pos + size]))
        pos += size + 2
