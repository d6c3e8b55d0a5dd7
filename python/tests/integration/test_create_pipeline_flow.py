"""The Azure ML "Create a pipeline" lab end to end through the package, against the real local stack.

Upload CSVs, register a tabular dataset, create a compute target, two PythonScriptSteps joined by PipelineData with
a named dataset input and an environment, submit with regenerate_outputs, wait with output, read child metrics,
a model registered by the train step, publish, call the endpoint with an authentication header, wait for that run,
schedule weekly, list runs, an interactive run, and the errors users catch. The lab's scripts are those of
samples/azureml-notebook/diabetes_pipeline (pandas, scikit-learn, matplotlib from Debian). Tests run in order.
"""

import contextlib
import csv
import io
import json
import os
import shutil
import tempfile
import unittest
import urllib.request

from azureml.core import Dataset, Environment, Experiment, Model, Run, Workspace
from azureml.core.authentication import InteractiveLoginAuthentication
from azureml.core.compute import AmlCompute, ComputeTarget
from azureml.core.compute_target import ComputeTargetException
from azureml.core.runconfig import RunConfiguration
from azureml.exceptions import UserErrorException
from azureml.pipeline.core import Pipeline, PipelineData, PipelineRun, Schedule, ScheduleRecurrence
from azureml.pipeline.steps import PythonScriptStep

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
LAB = os.path.join(REPO, "samples", "azureml-notebook", "diabetes_pipeline")
GENERATE = os.path.join(REPO, "samples", "diabetes", "generate_data.py")
NEEDS_STACK = "needs the local stack: run through npm test (test/integration/python/azuremlFlow.test.ts)"
EXPERIMENT = "py-lab-pipeline"
CLUSTER = "py-lab-cluster"


def generate(path, rows, seed):
    import subprocess
    import sys

    subprocess.run([sys.executable, GENERATE, "--rows", str(rows), "--seed", str(seed), "--output", path],
                   check=True, stdout=subprocess.DEVNULL)


@unittest.skipUnless(os.environ.get("SLUICE_URL"), NEEDS_STACK)
class CreatePipelineLab(unittest.TestCase):
    state = {}

    @classmethod
    def setUpClass(cls):
        cls.ws = Workspace.from_config()
        cls.scratch = tempfile.mkdtemp(prefix="py-lab-")
        generate(os.path.join(cls.scratch, "diabetes.csv"), 600, 11)
        generate(os.path.join(cls.scratch, "diabetes2.csv"), 400, 12)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.scratch, ignore_errors=True)

    def test_01_upload_files_and_register_a_tabular_dataset(self):
        default_ds = self.ws.get_default_datastore()
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            default_ds.upload_files(files=[os.path.join(self.scratch, "diabetes.csv"),
                                           os.path.join(self.scratch, "diabetes2.csv")],
                                    target_path="lab-diabetes-data/", overwrite=True, show_progress=True)
        self.assertIn("diabetes2.csv", out.getvalue())
        tab = Dataset.Tabular.from_delimited_files(path=(default_ds, "lab-diabetes-data/*.csv"))
        tab = tab.register(workspace=self.ws, name="lab diabetes dataset", description="diabetes data",
                           tags={"format": "CSV"}, create_new_version=True)
        self.assertIn("lab diabetes dataset", self.ws.datasets)
        got = Dataset.get_by_name(self.ws, "lab diabetes dataset")
        self.assertEqual(got.version, tab.version)
        self.assertEqual(got.tags, {"format": "CSV"})
        frame = got.to_pandas_dataframe()
        self.assertEqual(len(frame), 1000)
        self.assertIn("PlasmaGlucose", list(frame.columns))

    def test_02_unknown_dataset_is_the_error_v1_raises(self):
        with self.assertRaises(UserErrorException) as caught:
            Dataset.get_by_name(self.ws, "no such dataset")
        self.assertIn("no such dataset", str(caught.exception))

    def test_03_compute_target_created_when_missing(self):
        with self.assertRaises(ComputeTargetException):
            ComputeTarget(workspace=self.ws, name=CLUSTER)
        config = AmlCompute.provisioning_configuration(vm_size="STANDARD_DS11_V2", max_nodes=2)
        cluster = ComputeTarget.create(self.ws, CLUSTER, config)
        cluster.wait_for_completion(show_output=False)
        self.assertEqual(ComputeTarget(workspace=self.ws, name=CLUSTER).name, CLUSTER)
        self.assertIn(CLUSTER, self.ws.compute_targets)
        self.state["cluster"] = cluster

    def test_04_submit_with_regenerate_outputs_and_wait_with_output(self):
        env = Environment.from_conda_specification("lab_env", os.path.join(LAB, "experiment_env.yml"))
        env.register(workspace=self.ws)
        run_config = RunConfiguration()
        run_config.target = self.state["cluster"]
        run_config.environment = Environment.get(self.ws, "lab_env")
        ds = self.ws.datasets.get("lab diabetes dataset")
        prepped = PipelineData("prepped_data", datastore=self.ws.get_default_datastore())
        prep = PythonScriptStep(name="Prepare Data", source_directory=LAB, script_name="prep_diabetes.py",
                                arguments=["--input-data", ds.as_named_input("raw_data"), "--prepped-data", prepped],
                                outputs=[prepped], compute_target=self.state["cluster"], runconfig=run_config,
                                allow_reuse=True)
        train = PythonScriptStep(name="Train and Register Model", source_directory=LAB,
                                 script_name="train_diabetes.py", arguments=["--training-data", prepped],
                                 inputs=[prepped], compute_target=self.state["cluster"], runconfig=run_config,
                                 allow_reuse=True)
        pipeline = Pipeline(workspace=self.ws, steps=[prep, train])
        experiment = Experiment(workspace=self.ws, name=EXPERIMENT)
        run = experiment.submit(pipeline, regenerate_outputs=True)
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            status = run.wait_for_completion(show_output=True)
        self.assertEqual(status, "Completed", out.getvalue()[-3000:])
        self.assertIn("Loading Data...", out.getvalue())
        self.assertIn("Registering model...", out.getvalue())
        self.state["run"] = run
        self.state["pipeline"] = pipeline

    def test_05_child_metrics(self):
        children = {child.name: child for child in self.state["run"].get_children()}
        self.assertEqual(sorted(children), ["Prepare Data", "Train and Register Model"])
        self.assertEqual(children["Prepare Data"].id, "%s:Prepare_Data" % self.state["run"].id)
        self.assertEqual(self.state["run"].find_step_run("Prepare Data")[0].id, children["Prepare Data"].id)
        prep = children["Prepare Data"].get_metrics()
        self.assertEqual(prep["raw_rows"], 1000)
        self.assertEqual(prep["processed_rows"], 1000)
        train = children["Train and Register Model"].get_metrics()
        self.assertGreater(train["Accuracy"], 0.5)
        self.assertGreater(train["AUC"], 0.5)
        self.assertIn("ROC", train)
        self.assertIn("raw_data", json.dumps(children["Prepare Data"].get_details()))

    def test_06_model_registered_by_the_train_step_is_listed(self):
        models = [m for m in Model.list(self.ws) if m.name == "diabetes_model"]
        self.assertTrue(models, "Model.list has no diabetes_model")
        newest = max(models, key=lambda m: m.version)
        self.assertEqual(newest.tags.get("Training context"), "Pipeline")
        self.assertGreater(float(newest.properties["AUC"]), 0.5)
        target = os.path.join(self.scratch, "model")
        path = newest.download(target_dir=target, exist_ok=True)
        self.assertTrue(os.path.exists(path))

    def test_07_regenerate_outputs_runs_every_step_again_and_default_reuses(self):
        experiment = Experiment(workspace=self.ws, name=EXPERIMENT)
        again = experiment.submit(self.state["pipeline"])
        self.assertEqual(again.wait_for_completion(show_output=False), "Completed")
        self.assertEqual({c.name: c.reused for c in again.get_children()},
                         {"Prepare Data": True, "Train and Register Model": True})
        fresh = experiment.submit(self.state["pipeline"], regenerate_outputs=True)
        self.assertEqual(fresh.wait_for_completion(show_output=False), "Completed")
        self.assertEqual({c.name: c.reused for c in fresh.get_children()},
                         {"Prepare Data": False, "Train and Register Model": False})

    def test_08_publish_and_call_the_endpoint_with_an_authentication_header(self):
        published = self.state["run"].publish_pipeline(name="lab-diabetes-training", description="Trains",
                                                       version="1.0")
        header = InteractiveLoginAuthentication().get_authentication_header()
        request = urllib.request.Request(published.endpoint, method="POST",
                                         data=json.dumps({"ExperimentName": EXPERIMENT}).encode(),
                                         headers=dict(header, **{"Content-Type": "application/json"}))
        with urllib.request.urlopen(request) as response:
            run_id = json.loads(response.read())["Id"]
        rest_run = PipelineRun(self.ws.experiments[EXPERIMENT], run_id)
        self.assertEqual(rest_run.wait_for_completion(show_output=False), "Completed")
        self.state["published"] = published
        self.state["rest_run"] = rest_run

    def test_09_weekly_schedule_and_list(self):
        recurrence = ScheduleRecurrence(frequency="Week", interval=1, week_days=["Monday"], time_of_day="00:00")
        schedule = Schedule.create(self.ws, name="lab-weekly", description="Based on time",
                                   pipeline_id=self.state["published"].id, experiment_name=EXPERIMENT,
                                   recurrence=recurrence)
        try:
            self.assertIn(schedule.id, [s.id for s in Schedule.list(self.ws)])
        finally:
            schedule.disable()
        with self.assertRaises(ValueError) as caught:
            Schedule.create(self.ws, name="lab-bad", pipeline_id=self.state["published"].id,
                            experiment_name=EXPERIMENT,
                            recurrence=ScheduleRecurrence(frequency="Fortnight", interval=1))
        self.assertIn("frequency", str(caught.exception))

    def test_10_runs_newest_first(self):
        runs = list(self.ws.experiments.get(EXPERIMENT).get_runs())
        self.assertGreaterEqual(len(runs), 4)
        self.assertEqual(runs[0].id, self.state["rest_run"].id)
        self.assertEqual(runs[-1].id, self.state["run"].id)

    def test_11_interactive_run_with_start_logging(self):
        experiment = Experiment(workspace=self.ws, name=EXPERIMENT + "-notebook")
        run = experiment.start_logging()
        run.log("observations", 1000)
        run.log_list("sizes", [1, 2, 3])
        path = os.path.join(self.scratch, "notes.txt")
        with open(path, "w") as f:
            f.write("hello")
        run.upload_file(name="outputs/notes.txt", path_or_stream=path)
        run.complete()
        self.assertEqual(run.get_status(), "Completed")
        again = Run(experiment, run.id)
        self.assertEqual(again.get_metrics()["observations"], 1000)
        self.assertIn("outputs/notes.txt", again.get_file_names())


if __name__ == "__main__":
    unittest.main()
