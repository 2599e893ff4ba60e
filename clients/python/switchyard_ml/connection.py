"""Where the client finds its server and token: the same rules as the ``switchyard`` CLI.

- URL: ``SWITCHYARD_URL``, else the ``url`` saved by ``switchyard configure`` (``~/.switchyard/cli.json``),
  else ``http://127.0.0.1:7070`` (the defaults of ``switchyard serve``).
- Token: ``SWITCHYARD_TOKEN``; else the token saved by ``configure`` when the URL in use is the one saved
  with it; else ``<SWITCHYARD_DATA_DIR or ~/.switchyard>/admin-token`` (written by a local
  ``switchyard serve``); else any saved token.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Mapping, Optional
from urllib.parse import urlparse

from .exceptions import ValidationException

DEFAULT_URL = "http://127.0.0.1:7070"


@dataclass(frozen=True)
class Connection:
    """The server chosen, its token, and where each came from (for messages and the debug log)."""

    url: str
    token: Optional[str]
    url_source: str
    token_source: str


def config_file(home: str) -> str:
    return os.path.join(home, ".switchyard", "cli.json")


def data_dir(env: Mapping[str, str], home: str) -> str:
    return env.get("SWITCHYARD_DATA_DIR") or os.path.join(home, ".switchyard")


def _read_config(home: str) -> dict:
    path = config_file(home)
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError:
        return {}
    try:
        parsed = json.loads(text)
    except ValueError:
        raise ValidationException(
            f"{path} is not valid JSON; fix it or run `switchyard configure --url URL --token TOKEN`"
        ) from None
    if not isinstance(parsed, dict):
        return {}
    return {k: parsed[k] for k in ("url", "token") if isinstance(parsed.get(k), str)}


def _read_admin_token(env: Mapping[str, str], home: str) -> Optional[str]:
    path = os.path.join(data_dir(env, home), "admin-token")
    try:
        with open(path, encoding="utf-8") as f:
            return f.read().strip() or None
    except OSError:
        return None


def _check_url(url: str, source: str) -> None:
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise ValidationException(f"{source} is {url!r}, which is not an http(s) URL; use e.g. {DEFAULT_URL}")


def _same(a: str, b: str) -> bool:
    return a.rstrip("/") == b.rstrip("/")


def resolve_connection(
    env: Optional[Mapping[str, str]] = None,
    home: Optional[str] = None,
    *,
    url: Optional[str] = None,
    token: Optional[str] = None,
) -> Connection:
    """Picks the server and token. Explicit ``url``/``token`` arguments come first."""
    env = os.environ if env is None else env
    home = os.path.expanduser("~") if home is None else home
    config = _read_config(home)
    if url:
        chosen, url_source = url, "the url argument"
    elif env.get("SWITCHYARD_URL"):
        chosen, url_source = env["SWITCHYARD_URL"], "SWITCHYARD_URL"
    elif config.get("url"):
        chosen, url_source = config["url"], f"the url saved by `switchyard configure` ({config_file(home)})"
    else:
        chosen, url_source = DEFAULT_URL, "the default"
    _check_url(chosen, url_source)
    chosen = chosen.rstrip("/")
    if token:
        return Connection(chosen, token, url_source, "the token argument")
    if env.get("SWITCHYARD_TOKEN"):
        return Connection(chosen, env["SWITCHYARD_TOKEN"], url_source, "SWITCHYARD_TOKEN")
    saved = config.get("token")
    if saved and config.get("url") and _same(config["url"], chosen):
        return Connection(chosen, saved, url_source, f"the token saved by `switchyard configure` ({config_file(home)})")
    admin = _read_admin_token(env, home)
    if admin:
        return Connection(chosen, admin, url_source, f"the admin token file {os.path.join(data_dir(env, home), 'admin-token')}")
    if saved:
        return Connection(chosen, saved, url_source, f"the token saved by `switchyard configure` ({config_file(home)})")
    return Connection(chosen, None, url_source, "nowhere (no SWITCHYARD_TOKEN, no saved token, no admin-token file)")
