"""The peer of B3: the tutorial's unmodified score.py served by Flask under gunicorn.

What Azure's own inference server does, minus everything else: import score.py, call init() once
per worker process, and route POST /score to run(body) with the body as a UTF-8 string.
  SCORE_PY            path to score.py (its folder goes on sys.path, as the platform does)
  AZUREML_MODEL_DIR   the model root score.py reads (set by the benchmark)
Run:  gunicorn -w 2 -b 127.0.0.1:PORT --chdir bench/peers flask_app:app
Without --preload every worker imports this module itself, so init() runs once in each worker.
"""
import importlib.util
import json
import logging
import os
import sys

from flask import Flask, Response, request

# score.py logs INFO lines per request; a Switchyard instance keeps them (they are the deployment's
# logs), so the peer writes them too, to stderr, and both sides do the same work per request.
logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")

_path = os.environ["SCORE_PY"]
sys.path.insert(0, os.path.dirname(os.path.abspath(_path)))
_spec = importlib.util.spec_from_file_location("score", _path)
score = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(score)
score.init()

app = Flask(__name__)


@app.get("/")
def liveness():
    return "Healthy"


@app.post("/score")
def run():
    try:
        result = score.run(request.get_data(as_text=True))
    except Exception as e:  # the platform's contract: a failing run() is the model's error
        return Response(json.dumps({"error": str(e)}), status=500, mimetype="application/json")
    return Response(json.dumps(result), mimetype="application/json")
