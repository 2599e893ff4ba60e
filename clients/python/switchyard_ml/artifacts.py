"""Uploading a local folder or file as the tar.gz body of ``POST /api/v1/artifacts``, as the CLI does:
a folder's archive holds its contents (not the folder itself) and the server records the folder's
name (a registered folder keeps it under ``AZUREML_MODEL_DIR``); a file's archive holds that one
file (it lands directly in ``AZUREML_MODEL_DIR``, as on Azure). The archive is written to a
temporary file and streamed, never held whole in memory."""
from __future__ import annotations

import gzip
import os
import re
import tarfile
import tempfile
from typing import Dict, Tuple

from ._http import Transport
from .exceptions import ValidationException

DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")


def is_digest(value: object) -> bool:
    return isinstance(value, str) and bool(DIGEST.match(value))


def _portable(info: tarfile.TarInfo) -> tarfile.TarInfo:
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    return info


def _write_archive(out, add) -> None:
    """Writes a tar stream gzipped without a timestamp (the same files give the same digest);
    ``add(tar)`` adds the entries."""
    gz = gzip.GzipFile(filename="", mode="wb", fileobj=out, mtime=0)
    with tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as tar:
        add(tar)
    gz.close()  # ends the gzip stream; ``out`` stays open


def pack(local_path: str, out) -> Tuple[str, str]:
    """Writes the tar.gz of ``local_path`` to the binary file ``out``; answers (kind, name)."""
    path = os.path.abspath(local_path)
    name = os.path.basename(path.rstrip(os.sep))
    if os.path.isdir(path):
        kind = "dir"
        entries = sorted(os.listdir(path))

        def add(tar: tarfile.TarFile) -> None:
            if not entries:
                tar.add(path, arcname=".", recursive=False, filter=_portable)
            for entry in entries:
                tar.add(os.path.join(path, entry), arcname=entry, filter=_portable)

        _write_archive(out, add)
    elif os.path.isfile(path):
        kind = "file"
        _write_archive(out, lambda tar: tar.add(path, arcname=name, filter=_portable))
    elif os.path.exists(path):
        raise ValidationException(f"cannot upload {path}: not a regular file or folder")
    else:
        raise ValidationException(f"cannot upload {path}: no such file or folder")
    return kind, name


class Uploader:
    """Uploads local paths once per call (the same path named twice is sent once)."""

    def __init__(self, http: Transport) -> None:
        self.http = http
        self._done: Dict[str, dict] = {}

    def upload(self, local_path: str) -> dict:
        """Answers the server's ArtifactInfo (``digest``, ``kind``, ``files``, ``size``...)."""
        path = os.path.abspath(local_path)
        if path in self._done:
            return self._done[path]
        with tempfile.TemporaryFile() as tmp:
            kind, name = pack(path, tmp)
            size = tmp.tell()
            tmp.seek(0)
            info = self.http.request(
                "POST",
                "/api/v1/artifacts",
                query={"kind": kind, "name": name},
                body=tmp,
                content_type="application/gzip",
                content_length=size,
                timeout=max(self.http.timeout, 600.0),
            )
        self._done[path] = info
        return info

    def digest(self, local_path: str) -> str:
        return self.upload(local_path)["digest"]
