"""Switchyard stand-in for azureml.contrib.services (used only when azureml-defaults is absent)."""
