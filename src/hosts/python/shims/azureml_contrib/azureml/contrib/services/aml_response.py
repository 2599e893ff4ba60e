"""Switchyard stand-in for azureml.contrib.services.aml_response."""
from switchyard_host.aml_types import AMLResponse

__all__ = ["AMLResponse"]
