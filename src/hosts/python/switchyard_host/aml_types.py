"""AMLResponse, AMLRequest and @rawhttp as the azureml inference server defines them, without Flask.

The shims under shims/ re-export these names from the module paths users import them from.
"""
import json
from urllib.parse import parse_qs, unquote

RAW_HTTP_ATTR = "__switchyard_rawhttp__"


def rawhttp(func):
    """Marks run() as wanting the raw request (an AMLRequest) instead of the body as a string."""
    try:
        setattr(func, RAW_HTTP_ATTR, True)
    except (AttributeError, TypeError):
        pass
    global _rawHttpRequested
    _rawHttpRequested = True
    return func


_rawHttpRequested = False


class AMLResponse:
    """What run() may return to choose the status code, headers and body of its answer.

    json_str=True sends `json.dumps(message)` as application/json; otherwise a str or bytes message is
    sent as it is (text/html, as Flask does, unless response_headers name a Content-Type).
    """

    def __init__(self, message, status_code, response_headers=None, json_str=False, run_function_failed=False):
        self.message = message
        self.status_code = int(status_code)
        self.headers = dict(response_headers or {})
        self.json_str = json_str
        self.run_function_failed = run_function_failed

    @property
    def response_headers(self):
        return self.headers

    def get_data(self, as_text=False):
        if self.json_str:
            data = json.dumps(self.message).encode("utf-8")
        elif isinstance(self.message, (bytes, bytearray)):
            data = bytes(self.message)
        elif isinstance(self.message, str):
            data = self.message.encode("utf-8")
        elif self.message is None:
            data = b""
        else:
            data = json.dumps(self.message).encode("utf-8")
        return data.decode("utf-8", "replace") if as_text else data


class HeaderDict(dict):
    """Request headers keyed as Werkzeug shows them ('Content-Type'); lookups ignore case."""

    def __getitem__(self, key):
        return dict.__getitem__(self, key.title())

    def get(self, key, default=None):
        return dict.get(self, key.title(), default)

    def __contains__(self, key):
        return isinstance(key, str) and dict.__contains__(self, key.title())

    def getlist(self, key):
        value = self.get(key)
        return [] if value is None else [value]


def headers_of(raw_headers):
    headers = HeaderDict()
    for name, value in raw_headers:
        key = name.title()
        if dict.__contains__(headers, key):
            dict.__setitem__(headers, key, dict.__getitem__(headers, key) + ", " + value)
        else:
            dict.__setitem__(headers, key, value)
    return headers


class MultiDict(dict):
    """Query arguments: `args['k']` and `args.get('k')` give the first value, getlist() all of them."""

    def __init__(self, pairs):
        dict.__init__(self)
        self._lists = {}
        for key, value in pairs:
            self._lists.setdefault(key, []).append(value)
            if not dict.__contains__(self, key):
                dict.__setitem__(self, key, value)

    def getlist(self, key, type=None):
        values = self._lists.get(key, [])
        return [type(v) for v in values] if type else list(values)

    def get(self, key, default=None, type=None):
        if not dict.__contains__(self, key):
            return default
        value = dict.__getitem__(self, key)
        if type is None:
            return value
        try:
            return type(value)
        except (ValueError, TypeError):
            return default

    def to_dict(self, flat=True):
        return dict(self) if flat else {k: list(v) for k, v in self._lists.items()}


def _pairs(query):
    out = []
    for key, values in parse_qs(query, keep_blank_values=True).items():
        for value in values:
            out.append((key, value))
    return out


class AMLRequest:
    """The request a @rawhttp run() receives: the parts of flask.Request scoring scripts use."""

    def __init__(self, method="POST", path="/score", query_string=b"", raw_headers=(), data=b"", remote_addr=None):
        self.method = method
        self.path = unquote(path)
        self.query_string = query_string if isinstance(query_string, bytes) else query_string.encode("latin-1")
        self.headers = headers_of(raw_headers)
        self.data = data
        self.remote_addr = remote_addr
        self._args = None
        self._form = None

    @property
    def full_path(self):
        return self.path + "?" + self.query_string.decode("latin-1")

    @property
    def url(self):
        host = self.headers.get("Host", "localhost")
        qs = self.query_string.decode("latin-1")
        return "http://" + host + self.path + ("?" + qs if qs else "")

    @property
    def args(self):
        if self._args is None:
            self._args = MultiDict(_pairs(self.query_string.decode("latin-1")))
        return self._args

    @property
    def content_type(self):
        return self.headers.get("Content-Type")

    @property
    def mimetype(self):
        ct = self.content_type or ""
        return ct.split(";", 1)[0].strip().lower()

    @property
    def content_length(self):
        return len(self.data)

    @property
    def is_json(self):
        mt = self.mimetype
        return mt == "application/json" or (mt.startswith("application/") and mt.endswith("+json"))

    @property
    def form(self):
        if self._form is None:
            if self.mimetype == "application/x-www-form-urlencoded":
                self._form = MultiDict(_pairs(self.data.decode("utf-8", "replace")))
            else:
                self._form = MultiDict(())
        return self._form

    @property
    def values(self):
        merged = dict(self.args)
        merged.update(self.form)
        return merged

    @property
    def json(self):
        return self.get_json(silent=True)

    def get_data(self, cache=True, as_text=False, parse_form_data=False):
        return self.data.decode("utf-8", "replace") if as_text else self.data

    def get_json(self, force=False, silent=False, cache=True):
        if not (force or self.is_json):
            if silent:
                return None
            raise ValueError("Did not attempt to load JSON data because the request Content-Type was not 'application/json'.")
        try:
            return json.loads(self.data)
        except ValueError:
            if silent:
                return None
            raise
