"""Switchyard's Python scoring host (stdlib only): `python3 -u run_host.py`.

Serves a user's Azure ML scoring script (score.py) over HTTP: GET / (liveness), GET /ready,
POST /score, GET /swagger.json. Configured by the environment the way the azureml inference server
is: AML_APP_ROOT, AZUREML_ENTRY_SCRIPT, AZUREML_MODEL_DIR, WORKER_COUNT, PORT.
"""
import sys

from switchyard_host.main import main

if __name__ == "__main__":
    sys.exit(main())
