import os
import logging
import json
import numpy
import joblib


def init():
    """
    Runs once in each instance when it starts (after a deployment is created or updated),
    before the instance takes requests: load the model into memory here.
    """
    global model
    # AZUREML_MODEL_DIR is set by the platform: the root of the deployed model. A registered folder
    # keeps its name under it, so the deployment's "model: {path: ../../model-1/model/}" arrives as
    # $AZUREML_MODEL_DIR/model/; a single file lands directly in it, so the Python SDK notebook's
    # Model(path="../model-1/model/sklearn_regression_model.pkl") arrives as
    # $AZUREML_MODEL_DIR/sklearn_regression_model.pkl.
    model_path = os.path.join(
        os.getenv("AZUREML_MODEL_DIR"), "model/sklearn_regression_model.pkl"
    )
    if not os.path.exists(model_path):
        model_path = os.path.join(os.getenv("AZUREML_MODEL_DIR"), "sklearn_regression_model.pkl")
    # deserialize the model file back into a sklearn model
    model = joblib.load(model_path)
    logging.info("Init complete")


def run(raw_data):
    """
    Runs for every request with the request body as a string. Reads the "data" rows of the JSON
    body, calls the scikit-learn model's predict() and returns the predictions as a list.
    """
    logging.info("model 1: request received")
    data = json.loads(raw_data)["data"]
    data = numpy.array(data)
    result = model.predict(data)
    logging.info("Request processed")
    return result.tolist()
