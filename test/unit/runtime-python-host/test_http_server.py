"""The host's HTTP/1.1 handling, driven through a socketpair (no event loop, no port)."""
import os
import socket
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..", "src", "hosts", "python"))

from switchyard_host.http_server import HttpServer, _Connection  # noqa: E402


def echo_app(request):
    body = ("%s %s %s|%s" % (request.method, request.path, request.query, request.body.decode())).encode()
    return 200, b"Content-Type: text/plain\r\n", body


class HttpServerTest(unittest.TestCase):
    def setUp(self):
        self.listener = socket.socket()
        self.server = HttpServer(self.listener, echo_app, max_body=1000, drain_seconds=1)
        self.ours, self.theirs = socket.socketpair()
        self.ours.setblocking(False)
        self.conn = _Connection(self.ours)
        self.server.conns[self.conn.fd] = self.conn
        self.server.poller.register(self.conn.fd, 1)
        self.theirs.settimeout(2)

    def tearDown(self):
        for s in (self.ours, self.theirs, self.listener):
            s.close()

    def feed(self, data):
        self.theirs.sendall(data)
        self.server._on_readable(self.conn)

    def read(self):
        return self.theirs.recv(65536).decode()

    def test_pipelined_keep_alive_requests_answer_in_order(self):
        self.feed(b"POST /score?x=1 HTTP/1.1\r\nContent-Length: 2\r\n\r\nhiGET / HTTP/1.1\r\n\r\n")
        out = self.read()
        first, second = out.split("HTTP/1.1 200 OK")[1:]
        self.assertIn("POST /score x=1|hi", first)
        self.assertIn("GET / |", second)
        self.assertNotIn("Connection: close", out)

    def test_body_split_over_several_reads(self):
        self.feed(b"POST /score HTTP/1.1\r\nContent-Length: 10\r\n\r\n01234")
        self.feed(b"56789")
        self.assertIn("|0123456789", self.read())

    def test_expect_continue_and_chunked_body(self):
        self.feed(b"POST /score HTTP/1.1\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n")
        self.assertTrue(self.read().startswith("HTTP/1.1 100 Continue"))
        self.feed(b"4\r\nWiki\r\n5;ext=1\r\npedia\r\n0\r\nTrailer: x\r\n\r\n")
        self.assertIn("|Wikipedia", self.read())

    def test_http_1_0_closes_unless_asked_to_keep_alive(self):
        self.feed(b"GET / HTTP/1.0\r\n\r\n")
        self.assertIn("Connection: close", self.read())
        self.assertNotIn(self.conn.fd, self.server.conns)

    def test_malformed_request_gets_400_and_close(self):
        self.feed(b"NONSENSE\r\n\r\n")
        out = self.read()
        self.assertTrue(out.startswith("HTTP/1.1 400 Bad Request"))
        self.assertIn("Connection: close", out)

    def test_payload_over_the_limit_gets_413(self):
        self.feed(b"POST /score HTTP/1.1\r\nContent-Length: 5000\r\n\r\n")
        self.assertTrue(self.read().startswith("HTTP/1.1 413"))

    def test_head_sends_no_body(self):
        self.feed(b"HEAD / HTTP/1.1\r\n\r\n")
        out = self.read()
        self.assertIn("Content-Length: 8", out)
        self.assertTrue(out.endswith("\r\n\r\n"))


def headers_app(request):
    names = ",".join(name.lower() for name, _ in request.raw_headers)
    return 200, b"Content-Type: text/plain\r\n", (names + "|" + ",".join(sorted(request.headers))).encode()


class GatewaySecretTest(unittest.TestCase):
    """Only requests carrying the instance's secret are served; the header never reaches the script."""

    SECRET = b"s" * 64

    def setUp(self):
        self.listener = socket.socket()
        self.server = HttpServer(self.listener, headers_app, max_body=1000, drain_seconds=1, secret=self.SECRET)
        self.ours, self.theirs = socket.socketpair()
        self.ours.setblocking(False)
        self.conn = _Connection(self.ours)
        self.server.conns[self.conn.fd] = self.conn
        self.server.poller.register(self.conn.fd, 1)
        self.theirs.settimeout(2)

    def tearDown(self):
        for s in (self.ours, self.theirs, self.listener):
            s.close()

    def ask(self, head):
        self.theirs.sendall(head + b"\r\n")
        self.server._on_readable(self.conn)
        return self.theirs.recv(65536).decode()

    def test_without_the_secret_401_and_close(self):
        out = self.ask(b"POST /score HTTP/1.1\r\nContent-Length: 2\r\n\r\nhi")
        self.assertTrue(out.startswith("HTTP/1.1 401"), out)
        self.assertIn("Connection: close", out)
        self.assertNotIn(self.conn.fd, self.server.conns)

    def test_wrong_or_repeated_secret_401(self):
        self.assertTrue(self.ask(b"GET / HTTP/1.1\r\nX-Switchyard-Instance-Secret: " + b"t" * 64 + b"\r\n").startswith("HTTP/1.1 401"))

    def test_repeated_secret_401(self):
        line = b"x-switchyard-instance-secret: " + self.SECRET + b"\r\n"
        self.assertTrue(self.ask(b"GET / HTTP/1.1\r\n" + line + line).startswith("HTTP/1.1 401"))

    def test_right_secret_served_and_hidden_from_the_script(self):
        out = self.ask(b"GET /ready HTTP/1.1\r\nX-Switchyard-Instance-Secret: " + self.SECRET + b"\r\nX-Other: 1\r\n")
        self.assertTrue(out.startswith("HTTP/1.1 200"), out)
        self.assertTrue(out.endswith("x-other|x-other"), out)


if __name__ == "__main__":
    unittest.main()
