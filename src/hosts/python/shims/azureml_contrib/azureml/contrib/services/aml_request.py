"""Switchyard stand-in for azureml.contrib.services.aml_request."""
from switchyard_host.aml_types import AMLRequest, rawhttp

__all__ = ["AMLRequest", "rawhttp"]
