"""Switchyard stand-in for azureml_inference_server_http (used only when the real server is absent)."""
