"""Turns what run() returned (or raised) into an HTTP response: (status, header lines, body).

A result is sent as JSON (a str is JSON-encoded too, as the azureml server does), bytes as they are,
and an AMLResponse with its own status, headers and body.
"""
import json
import re

JSON = b"Content-Type: application/json\r\n"
TEXT = b"Content-Type: text/plain; charset=utf-8\r\n"
HTML = b"Content-Type: text/html; charset=utf-8\r\n"
OCTETS = b"Content-Type: application/octet-stream\r\n"


def _default(value):
    # numpy arrays and scalars (and pandas objects) know how to become plain Python values.
    tolist = getattr(value, "tolist", None)
    if callable(tolist):
        return tolist()
    item = getattr(value, "item", None)
    if callable(item):
        return item()
    raise TypeError("Object of type %s is not JSON serializable" % type(value).__name__)


def to_json(value):
    return json.dumps(value, default=_default).encode("utf-8")


# A header name is a token (RFC 9110); a value may not hold a control character other than HTAB (CR and
# LF would let a script forge header lines or a whole second response; the gateway refuses those too).
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+\Z")
_BAD_VALUE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")


class BadHeader(ValueError):
    """run() returned a response header that cannot be sent; the request is answered 500."""


def _header_lines(headers):
    lines = []
    has_type = False
    for name, value in headers:
        name = str(name)
        value = str(value)
        if not _TOKEN.match(name):
            raise BadHeader("the response header name %r is not a valid HTTP token" % name[:60])
        if _BAD_VALUE.search(value):
            raise BadHeader("the value of response header %r holds CR, LF, NUL or another control character" % name)
        lower = name.lower()
        if lower in ("content-length", "transfer-encoding", "connection"):
            continue  # the server frames the body itself
        if lower == "content-type":
            has_type = True
        lines.append(("%s: %s\r\n" % (name, value)).encode("latin-1", "replace"))
    return b"".join(lines), has_type


def from_result(result):
    if isinstance(result, (bytes, bytearray)):
        return 200, OCTETS, bytes(result)
    if _is_response(result):
        return _from_response(result)
    return 200, JSON, to_json(result)


def _is_response(result):
    return hasattr(result, "status_code") and (hasattr(result, "get_data") or hasattr(result, "message"))


def _from_response(resp):
    status = int(resp.status_code)
    headers = getattr(resp, "headers", None) or {}
    pairs = list(headers.items()) if hasattr(headers, "items") else list(headers)
    extra, has_type = _header_lines(pairs)
    if hasattr(resp, "json_str") and hasattr(resp, "message"):
        message = resp.message
        if resp.json_str:
            body, ctype = to_json(message), JSON
        elif isinstance(message, (bytes, bytearray)):
            body, ctype = bytes(message), HTML
        elif isinstance(message, str):
            body, ctype = message.encode("utf-8"), HTML
        elif message is None:
            body, ctype = b"", HTML
        else:
            body, ctype = to_json(message), JSON
    else:  # a Flask response (the real azureml AMLResponse)
        body, ctype = resp.get_data(), HTML
    return status, extra if has_type else ctype + extra, body


def error(status, message, **fields):
    fields["message"] = message
    return status, JSON, to_json(fields)
