"""The OpenAPI (Swagger 2.0) document of a scoring script decorated with inference-schema, in the
shape the azureml inference server publishes at /swagger.json. None when run() has no schema."""
import json
import sys


def build(run):
    util = sys.modules.get("inference_schema.schema_util")
    if util is None:
        return None
    try:
        if not util.is_schema_decorated(run):
            return None
        input_schema = util.get_input_schema(run)
        output_schema = util.get_output_schema(run)
    except Exception:
        return None
    return json.dumps(_document(input_schema, output_schema), indent=2).encode("utf-8")


def _document(input_schema, output_schema):
    return {
        "swagger": "2.0",
        "info": {
            "title": "ML service",
            "description": "API specification for the Azure Machine Learning service ML service",
            "version": "1.0",
        },
        "schemes": ["https"],
        "consumes": ["application/json"],
        "produces": ["application/json"],
        "securityDefinitions": {
            "Bearer": {
                "type": "apiKey",
                "name": "Authorization",
                "in": "header",
                "description": "For example: Bearer abc123",
            }
        },
        "paths": {
            "/": {
                "get": {
                    "operationId": "ServiceHealthCheck",
                    "description": "Simple health check endpoint to ensure the service is up at any given point.",
                    "responses": {
                        "200": {
                            "description": "If service is up and running, this response will be returned with the content 'Healthy'",
                            "schema": {"type": "string"},
                            "examples": {"application/json": "Healthy"},
                        },
                        "default": {
                            "description": "The service failed to execute due to an error.",
                            "schema": {"$ref": "#/definitions/ErrorResponse"},
                        },
                    },
                }
            },
            "/score": {
                "post": {
                    "operationId": "RunMLService",
                    "description": "Run web service's model and get the prediction output",
                    "security": [{"Bearer": []}],
                    "parameters": [
                        {
                            "name": "serviceInputPayload",
                            "in": "body",
                            "description": "The input payload for executing the real-time machine learning service.",
                            "schema": {"$ref": "#/definitions/ServiceInput"},
                        }
                    ],
                    "responses": {
                        "200": {
                            "description": "The service processed the input correctly and provided a result prediction, if applicable.",
                            "schema": {"$ref": "#/definitions/ServiceOutput"},
                        },
                        "default": {
                            "description": "The service failed to execute due to an error.",
                            "schema": {"$ref": "#/definitions/ErrorResponse"},
                        },
                    },
                }
            },
        },
        "definitions": {
            "ServiceInput": input_schema,
            "ServiceOutput": output_schema,
            "ErrorResponse": {
                "type": "object",
                "properties": {
                    "status_code": {"type": "integer", "format": "int32"},
                    "message": {"type": "string"},
                },
            },
        },
    }
