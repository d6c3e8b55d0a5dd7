"""The Azure ML "Create a pipeline" lab (DP-100), as a plain script, running on Sluice.

Everything below is Azure ML SDK v1 code; the one change is where the workspace comes from: Workspace.from_config()
finds Sluice through SLUICE_URL, a config.json with "sluice_url", or — as here after `npm start` — the local stack.

    npm start                                                        # terminal 1
    PYTHONPATH=python python3 samples/azureml-notebook/pipeline.py   # terminal 2, from the repository root

The steps use pandas, scikit-learn and matplotlib (Debian: apt-get install python3-pandas python3-sklearn
python3-matplotlib); the worker runs them with SLUICE_PYTHON (default python3).
"""

import json
import os
import subprocess
import sys
import urllib.request

import azureml.core
from azureml.core import Dataset, Environment, Experiment, Model, Workspace
from azureml.core.authentication import InteractiveLoginAuthentication
from azureml.core.compute import AmlCompute, ComputeTarget
from azureml.core.compute_target import ComputeTargetException
from azureml.core.runconfig import RunConfiguration
from azureml.pipeline.core import Pipeline, PipelineData, PipelineRun, Schedule, ScheduleRecurrence
from azureml.pipeline.steps import PythonScriptStep
from azureml.widgets import RunDetails

HERE = os.path.dirname(os.path.abspath(__file__))
experiment_folder = os.path.join(HERE, "diabetes_pipeline")
experiment_name = os.environ.get("EXPERIMENT", "mslearn-diabetes-pipeline")

# -- Connect to your workspace ---------------------------------------------------------------------------------------
ws = Workspace.from_config()
print("Ready to use Azure ML {} to work with {}".format(azureml.core.VERSION, ws.name))

# -- Prepare data: two CSV files uploaded to the default datastore and registered as a tabular dataset -------------
data_folder = os.path.join(HERE, "data")
for name, seed in (("diabetes.csv", 42), ("diabetes2.csv", 43)):
    if not os.path.exists(os.path.join(data_folder, name)):
        subprocess.run([sys.executable, os.path.join(HERE, "..", "diabetes", "generate_data.py"), "--rows", "5000",
                        "--seed", str(seed), "--output", os.path.join(data_folder, name)], check=True)

default_ds = ws.get_default_datastore()
if 'diabetes dataset' not in ws.datasets:
    default_ds.upload_files(files=[os.path.join(data_folder, 'diabetes.csv'),
                                   os.path.join(data_folder, 'diabetes2.csv')],  # Upload the diabetes csv files
                            target_path='diabetes-data/',  # Put it in a folder path in the datastore
                            overwrite=True,  # Replace existing files of the same name
                            show_progress=True)

    # Create a tabular dataset from the path on the datastore (this may take a short while)
    tab_data_set = Dataset.Tabular.from_delimited_files(path=(default_ds, 'diabetes-data/*.csv'))

    # Register the tabular dataset
    tab_data_set = tab_data_set.register(workspace=ws, name='diabetes dataset', description='diabetes data',
                                         tags={'format': 'CSV'}, create_new_version=True)
    print('Dataset registered.')
else:
    print('Dataset already registered.')

# -- Create compute: a compute target is a name whose queue the workers serve ---------------------------------------
cluster_name = os.environ.get("COMPUTE", "diabetes-cluster")
try:
    # Check for existing compute target
    pipeline_cluster = ComputeTarget(workspace=ws, name=cluster_name)
    print('Found existing cluster, use it.')
except ComputeTargetException:
    # If it doesn't already exist, create it
    compute_config = AmlCompute.provisioning_configuration(vm_size='STANDARD_DS11_V2', max_nodes=2)
    pipeline_cluster = ComputeTarget.create(ws, cluster_name, compute_config)
    pipeline_cluster.wait_for_completion(show_output=True)

# -- The environment and run configuration ---------------------------------------------------------------------------
experiment_env = Environment.from_conda_specification("experiment_env",
                                                      os.path.join(experiment_folder, "experiment_env.yml"))
experiment_env.register(workspace=ws)
registered_env = Environment.get(ws, 'experiment_env')

pipeline_run_config = RunConfiguration()
pipeline_run_config.target = pipeline_cluster
pipeline_run_config.environment = registered_env
print("Run configuration created.")

# -- Create and run a pipeline ---------------------------------------------------------------------------------------
diabetes_ds = ws.datasets.get("diabetes dataset")
prepped_data = PipelineData("prepped_data", datastore=default_ds)

prep_step = PythonScriptStep(name="Prepare Data",
                             source_directory=experiment_folder,
                             script_name="prep_diabetes.py",
                             arguments=['--input-data', diabetes_ds.as_named_input('raw_data'),
                                        '--prepped-data', prepped_data],
                             outputs=[prepped_data],
                             compute_target=pipeline_cluster,
                             runconfig=pipeline_run_config,
                             allow_reuse=True)

train_step = PythonScriptStep(name="Train and Register Model",
                              source_directory=experiment_folder,
                              script_name="train_diabetes.py",
                              arguments=['--training-data', prepped_data],
                              inputs=[prepped_data],
                              compute_target=pipeline_cluster,
                              runconfig=pipeline_run_config,
                              allow_reuse=True)
print("Pipeline steps defined")

pipeline_steps = [prep_step, train_step]
pipeline = Pipeline(workspace=ws, steps=pipeline_steps)
print("Pipeline is built.")

experiment = Experiment(workspace=ws, name=experiment_name)
pipeline_run = experiment.submit(pipeline, regenerate_outputs=True)
print("Pipeline submitted for execution.")
RunDetails(pipeline_run).show()
pipeline_run.wait_for_completion(show_output=True)

for run in pipeline_run.get_children():
    print(run.name, ':')
    metrics = run.get_metrics()
    for metric_name in metrics:
        print('\t', metric_name, ":", metrics[metric_name])

for model in Model.list(ws):
    print(model.name, 'version:', model.version)
    for tag_name in model.tags:
        tag = model.tags[tag_name]
        print('\t', tag_name, ':', tag)
    for prop_name in model.properties:
        prop = model.properties[prop_name]
        print('\t', prop_name, ':', prop)
    print('\n')

# -- Publish the pipeline and call its REST endpoint ----------------------------------------------------------------
published_pipeline = pipeline_run.publish_pipeline(name="diabetes-training-pipeline",
                                                   description="Trains diabetes model", version="1.0")
rest_endpoint = published_pipeline.endpoint
print(published_pipeline)
print(rest_endpoint)

interactive_auth = InteractiveLoginAuthentication()
auth_header = interactive_auth.get_authentication_header()
print("Authentication header ready.")

request = urllib.request.Request(rest_endpoint, method="POST",
                                 data=json.dumps({"ExperimentName": experiment_name}).encode(),
                                 headers=dict(auth_header, **{"Content-Type": "application/json"}))
with urllib.request.urlopen(request) as response:
    run_id = json.loads(response.read())["Id"]
print(run_id)

published_pipeline_run = PipelineRun(ws.experiments[experiment_name], run_id)
published_pipeline_run.wait_for_completion(show_output=True)

# -- Schedule the pipeline -------------------------------------------------------------------------------------------
recurrence = ScheduleRecurrence(frequency="Week", interval=1, week_days=["Monday"], time_of_day="00:00")
weekly_schedule = Schedule.create(ws, name="weekly-diabetes-training",
                                  description="Based on time",
                                  pipeline_id=published_pipeline.id,
                                  experiment_name=experiment_name,
                                  recurrence=recurrence)
print('Pipeline scheduled.')

schedules = Schedule.list(ws)
print(schedules)

pipeline_experiment = ws.experiments.get(experiment_name)
latest_run = list(pipeline_experiment.get_runs())[0]
print(json.dumps(latest_run.get_details(), indent=2, default=str)[:2000])

# The sample leaves nothing firing behind it.
weekly_schedule.disable()

# -- An interactive run: log from the notebook itself ---------------------------------------------------------------
notebook_run = experiment.start_logging()
notebook_run.log("observations", len(diabetes_ds.to_pandas_dataframe()))
notebook_run.complete()
print("Interactive run", notebook_run.id, notebook_run.get_status())
