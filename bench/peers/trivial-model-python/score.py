# The trivial model as a Python scoring script, for Switchyard's Python host (docs/compatibility.md,
# "The scoring script"): the same answer as trivial-model/score.mjs, importing nothing beyond the
# standard library, so B5's per-instance memory of the Python host is the host's own.
import os

MODEL = os.environ.get("MODEL_NAME", "trivial")


def init():
    pass


def run(raw_data):
    return {"ok": True, "model": MODEL, "bytes": len(raw_data or "")}
