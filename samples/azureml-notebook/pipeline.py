"""The Azure ML "create a pipeline" notebook, as a plain script, running on Sluice.

Everything below is Azure ML SDK v1 code; the one change is where the workspace comes from: Workspace.from_config()
finds Sluice through SLUICE_URL, a config.json with "sluice_url", or — as here after `npm start` — the local stack.

    npm start                                    # in one terminal (uploads the diabetes data)
    PYTHONPATH=python python3 samples/azureml-notebook/pipeline.py      # in another, from the repository root

Not in this script yet, because Sluice's server side does not have them yet (issue 14): uploading the CSVs with
Datastore.upload, registering them as a Dataset, ComputeTarget.create, Model.register/Model.list. The data
comes from workspaceblobstore/diabetes/ (which `npm start` fills) through a DataReference instead.
"""

import json
import os
import sys
import urllib.request

from azureml.core import VERSION, ComputeTarget, Datastore, Experiment, Workspace
from azureml.core.authentication import InteractiveLoginAuthentication
from azureml.core.compute_target import ComputeTargetException
from azureml.pipeline.core import Pipeline, PipelineData, PipelineParameter, PipelineRun, Schedule, \
    ScheduleRecurrence
from azureml.pipeline.steps import PythonScriptStep

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPTS = os.path.join(HERE, "..", "diabetes", "scripts")  # prep.py and train.py, unchanged Azure ML scripts

# -- Connect to the workspace ----------------------------------------------------------------------------------------
print("Azure ML SDK version (Sluice):", VERSION)
ws = Workspace.from_config()
print(ws.name, "at", ws.service_url)

# -- Data: the default datastore and the diabetes folder -------------------------------------------------------------
default_ds = ws.get_default_datastore()
raw_data = Datastore.get(ws, default_ds.name).path("diabetes/", data_reference_name="raw_data")

# -- Compute: a compute target is a name whose queue workers serve (`npm start` serves "cpu") -------------------------
cluster_name = os.environ.get("COMPUTE", "cpu")
try:
    pipeline_cluster = ComputeTarget(workspace=ws, name=cluster_name)
    print("Found existing cluster, use it.")
except ComputeTargetException as ex:
    print(ex)
    sys.exit(2)

# -- The pipeline: prepare, then train, connected by PipelineData -----------------------------------------------------
prepped_data = PipelineData("prepped_data", datastore=default_ds)
model_output = PipelineData("model", datastore=default_ds)
reg_param = PipelineParameter(name="reg_rate", default_value=0.01)

prep_step = PythonScriptStep(name="Prepare Data", source_directory=SCRIPTS, script_name="prep.py",
                             arguments=["--input-data", raw_data, "--prepped-data", prepped_data],
                             inputs=[raw_data], outputs=[prepped_data], compute_target=pipeline_cluster,
                             allow_reuse=True)
train_step = PythonScriptStep(name="Train and Register Model", source_directory=SCRIPTS, script_name="train.py",
                              arguments=["--training-data", prepped_data, "--reg", reg_param,
                                         "--model-output", model_output],
                              inputs=[prepped_data], outputs=[model_output], compute_target=pipeline_cluster,
                              allow_reuse=True)
pipeline_steps = [prep_step, train_step]
print("Pipeline steps defined")

# -- Run it ---------------------------------------------------------------------------------------------------------
pipeline = Pipeline(workspace=ws, steps=pipeline_steps)
print("Pipeline is built.")
experiment = Experiment(workspace=ws, name="mslearn-diabetes-training")
pipeline_run = experiment.submit(pipeline, regenerate_outputs=True)
print("Pipeline submitted for execution.")
pipeline_run.wait_for_completion(show_output=True)

for run in pipeline_run.get_children():
    print(run.name, ":")
    for metric_name, value in run.get_metrics().items():
        print("\t", metric_name, ":", value)

# -- Publish it and call its REST endpoint --------------------------------------------------------------------------
published_pipeline = pipeline_run.publish_pipeline(name="diabetes-training-pipeline",
                                                   description="Trains diabetes model", version="1.0")
rest_endpoint = published_pipeline.endpoint
print(published_pipeline)
print(rest_endpoint)

auth_header = InteractiveLoginAuthentication().get_authentication_header()
request = urllib.request.Request(
    rest_endpoint, method="POST",
    data=json.dumps({"ExperimentName": "rest_pipeline", "ParameterAssignments": {"reg_rate": 0.1}}).encode(),
    headers=dict(auth_header, **{"Content-Type": "application/json"}))
with urllib.request.urlopen(request) as response:
    run_id = json.loads(response.read())["Id"]
print(run_id)

published_run = PipelineRun(ws.experiments["rest_pipeline"], run_id)
published_run.wait_for_completion(show_output=True)

# -- Schedule it weekly ---------------------------------------------------------------------------------------------
recurrence = ScheduleRecurrence(frequency="Week", interval=1, week_days=["Monday"], time_of_day="00:00")
weekly_schedule = Schedule.create(ws, name="weekly-diabetes-training", description="Based on time",
                                  pipeline_id=published_pipeline.id, experiment_name="mslearn-diabetes-pipeline",
                                  recurrence=recurrence)
print("Pipeline scheduled.")
schedules = Schedule.list(ws)
print(schedules)

# The sample leaves nothing firing behind it.
weekly_schedule.disable()

runs = list(experiment.get_runs())
print("Runs of %s, newest first: %s" % (experiment.name, [r.id for r in runs]))
