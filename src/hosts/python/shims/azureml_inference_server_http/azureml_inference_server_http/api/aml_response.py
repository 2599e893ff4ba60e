"""Switchyard stand-in for azureml_inference_server_http.api.aml_response."""
from switchyard_host.aml_types import AMLResponse

__all__ = ["AMLResponse"]
