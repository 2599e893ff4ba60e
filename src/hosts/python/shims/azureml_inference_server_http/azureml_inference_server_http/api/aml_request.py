"""Switchyard stand-in for azureml_inference_server_http.api.aml_request."""
from switchyard_host.aml_types import AMLRequest, rawhttp

__all__ = ["AMLRequest", "rawhttp"]
