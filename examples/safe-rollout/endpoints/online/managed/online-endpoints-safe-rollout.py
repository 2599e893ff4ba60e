# Safe rollout for managed online endpoints, with the Python SDK: the cells of Microsoft's notebook
# sdk/python/endpoints/online/managed/online-endpoints-safe-rollout.ipynb (Azure/azureml-examples),
# in order and unchanged, run against a Switchyard server.
#
#   cd examples/safe-rollout/endpoints/online/managed
#   export PYTHONPATH=$PWD/../../../../../clients/python/azure-compat:$PWD/../../../../../clients/python
#   /usr/bin/python3 online-endpoints-safe-rollout.py [ENDPOINT_NAME]
#
# The server and token come from SWITCHYARD_URL / SWITCHYARD_TOKEN, else `switchyard configure`, else
# the local default server (http://127.0.0.1:7070) and its admin-token file. The Azure identifiers
# below are accepted and not used. Printed values are what the notebook's cells display.
import os
import sys

# A notebook runs in its own folder, and its paths (../model-1/...) are relative to it: so does this.
os.chdir(os.path.dirname(os.path.abspath(__file__)))

# --- 1.1 Import the required libraries ------------------------------------------------------------
# import required libraries
from azure.ai.ml import MLClient
from azure.ai.ml.entities import (
    ManagedOnlineEndpoint,
    ManagedOnlineDeployment,
    Model,
    Environment,
    CodeConfiguration,
)
from azure.identity import DefaultAzureCredential

# --- 1.2 Configure workspace details and get a handle to the workspace ------------------------------
# enter details of your AML workspace
subscription_id = "<SUBSCRIPTION_ID>"
resource_group = "<RESOURCE_GROUP>"
workspace = "<AML_WORKSPACE_NAME>"

# get a handle to the workspace
ml_client = MLClient(
    DefaultAzureCredential(), subscription_id, resource_group, workspace
)

# --- 2.1 Configure the endpoint ---------------------------------------------------------------------
# Creating a unique endpoint name with current datetime to avoid conflicts
import datetime

online_endpoint_name = "endpoint-" + datetime.datetime.now().strftime("%m%d%H%M%f")
if len(sys.argv) > 1:  # (not in the notebook) a name of your choice
    online_endpoint_name = sys.argv[1]

# create an online endpoint
endpoint = ManagedOnlineEndpoint(
    name=online_endpoint_name,
    description="this is a sample online endpoint",
    auth_mode="key",
    tags={"foo": "bar"},
)

# --- 2.2 Create the endpoint ------------------------------------------------------------------------
print(ml_client.begin_create_or_update(endpoint).result())

# --- 3.1 Configure blue deployment ------------------------------------------------------------------
# create blue deployment
model = Model(path="../model-1/model/sklearn_regression_model.pkl")
env = Environment(
    conda_file="../model-1/environment/conda.yml",
    image="mcr.microsoft.com/azureml/openmpi3.1.2-ubuntu18.04:20210727.v1",
)

blue_deployment = ManagedOnlineDeployment(
    name="blue",
    endpoint_name=online_endpoint_name,
    model=model,
    environment=env,
    code_configuration=CodeConfiguration(
        code="../model-1/onlinescoring", scoring_script="score.py"
    ),
    instance_type="Standard_DS2_v2",
    instance_count=1,
)

# --- 3.2 Create the deployment ----------------------------------------------------------------------
print(ml_client.begin_create_or_update(blue_deployment).result())

# blue deployment takes 100 traffic
endpoint.traffic = {"blue": 100}
print(ml_client.begin_create_or_update(endpoint).result())

# --- 4. Test the endpoint with sample data -----------------------------------------------------------
# test the blue deployment with some sample data
print(
    ml_client.online_endpoints.invoke(
        endpoint_name=online_endpoint_name,
        deployment_name="blue",
        request_file="../model-1/sample-request.json",
    )
)

# --- 5. Scale the deployment --------------------------------------------------------------------------
# scale the deployment
blue_deployment = ml_client.online_deployments.get(
    name="blue", endpoint_name=online_endpoint_name
)
blue_deployment.instance_count = 2
print(ml_client.online_deployments.begin_create_or_update(blue_deployment).result())

# --- 6. Get endpoint details ------------------------------------------------------------------------
# Get the details for online endpoint
endpoint = ml_client.online_endpoints.get(name=online_endpoint_name)

# existing traffic details
print(endpoint.traffic)

# Get the scoring URI
print(endpoint.scoring_uri)

# --- 7. Deploy a new model, but send no traffic yet ----------------------------------------------------
# create green deployment
model2 = Model(path="../model-2/model/sklearn_regression_model.pkl")
env2 = Environment(
    conda_file="../model-2/environment/conda.yml",
    image="mcr.microsoft.com/azureml/openmpi3.1.2-ubuntu18.04:20210727.v1",
)

green_deployment = ManagedOnlineDeployment(
    name="green",
    endpoint_name=online_endpoint_name,
    model=model2,
    environment=env2,
    code_configuration=CodeConfiguration(
        code="../model-2/onlinescoring", scoring_script="score.py"
    ),
    instance_type="Standard_F2s_v2",
    instance_count=1,
)

# use MLClient to create green deployment
print(ml_client.begin_create_or_update(green_deployment).result())

# --- 7.1 Test the new deployment ----------------------------------------------------------------------
print(
    ml_client.online_endpoints.invoke(
        endpoint_name=online_endpoint_name,
        deployment_name="green",
        request_file="../model-2/sample-request.json",
    )
)

# --- 8. Test the deployment with mirrored traffic -----------------------------------------------------
endpoint.mirror_traffic = {"green": 10}
print(ml_client.begin_create_or_update(endpoint).result())

# You can test mirror traffic by invoking the endpoint several times
for i in range(20):
    ml_client.online_endpoints.invoke(
        endpoint_name=online_endpoint_name,
        request_file="../model-1/sample-request.json",
    )

endpoint.mirror_traffic = {"green": 0}
print(ml_client.begin_create_or_update(endpoint).result())

# --- 9. Test the new deployment with a small percentage of live traffic --------------------------------
endpoint.traffic = {"blue": 90, "green": 10}
print(ml_client.begin_create_or_update(endpoint).result())

# --- 10. Send all traffic to your new deployment -------------------------------------------------------
endpoint.traffic = {"blue": 0, "green": 100}
print(ml_client.begin_create_or_update(endpoint).result())

# --- 11. Remove the old deployment ------------------------------------------------------------------------
print(
    ml_client.online_deployments.begin_delete(
        name="blue", endpoint_name=online_endpoint_name
    ).result()
)

# --- 12. Delete endpoint -------------------------------------------------------------------------------
print(ml_client.online_endpoints.begin_delete(name=online_endpoint_name).result())
