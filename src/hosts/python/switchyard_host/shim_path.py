"""Puts Switchyard's stand-ins for azureml and inference-schema on sys.path, only where the real
packages are absent, so that a tutorial's `from azureml.contrib.services.aml_response import
AMLResponse` works without installing the azureml inference server."""
import importlib.util
import os
import sys

SHIM_ROOT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "shims")

# module that proves the real package is installed -> folder under shims/ that provides a stand-in
_SHIMS = (
    ("azureml.contrib.services.aml_response", "azureml_contrib"),
    ("azureml_inference_server_http.api.aml_response", "azureml_inference_server_http"),
    ("inference_schema.schema_decorators", "inference_schema"),
)


def _importable(module):
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError, AttributeError):
        return False


def install():
    added = []
    for module, folder in _SHIMS:
        if not _importable(module):
            path = os.path.join(SHIM_ROOT, folder)
            # Appended, not prepended: anything the user installed still wins.
            sys.path.append(path)
            added.append(folder)
    importlib.invalidate_caches()
    return added
