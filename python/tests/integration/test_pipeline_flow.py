"""The Azure ML "create a pipeline" flow, written against the v1 SDK, driving the real local stack.

Started by test/integration/python/azuremlFlow.test.ts, which starts Azurite, the host and a worker, uploads the
diabetes CSV to workspaceblobstore/diabetes/, and sets SLUICE_URL and SLUICE_APP_DIR (the folder of the development
key: the package signs its own tokens with it, as a user's would). The tests run in order (test_01_…) and share the
runs they create.
"""

import contextlib
import io
import json
import os
import unittest
import urllib.request

from azureml.core import ComputeTarget, Datastore, Experiment, Run, Workspace
from azureml.core.authentication import InteractiveLoginAuthentication
from azureml.exceptions import ActivityFailedException, ComputeTargetException, UserErrorException
from azureml.pipeline.core import (Pipeline, PipelineData, PipelineEndpoint, PipelineParameter, PipelineRun,
                                   PublishedPipeline, Schedule, ScheduleRecurrence)
from azureml.pipeline.steps import PythonScriptStep
from azureml.widgets import RunDetails

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
SCRIPTS = os.path.join(REPO, "samples", "diabetes", "scripts")
NEEDS_STACK = "needs the local stack: run through npm test (test/integration/python/azuremlFlow.test.ts)"


def diabetes_pipeline(ws, compute="cpu"):
    raw = Datastore.get(ws, "workspaceblobstore").path("diabetes/", data_reference_name="raw_data")
    prepped = PipelineData("prepped_data", datastore=ws.get_default_datastore())
    model = PipelineData("model")
    reg = PipelineParameter(name="reg_rate", default_value=0.01)
    prep = PythonScriptStep(name="prepare", source_directory=SCRIPTS, script_name="prep.py",
                            arguments=["--input-data", raw, "--prepped-data", prepped], inputs=[raw],
                            outputs=[prepped], compute_target=ComputeTarget(ws, compute), allow_reuse=True)
    train = PythonScriptStep(name="train", source_directory=SCRIPTS, script_name="train.py",
                             arguments=["--training-data", prepped, "--reg", reg, "--model-output", model],
                             inputs=[prepped], outputs=[model], compute_target=compute)
    return Pipeline(workspace=ws, steps=[prep, train], description="diabetes from Python")


@unittest.skipUnless(os.environ.get("SLUICE_URL"), NEEDS_STACK)
class PipelineFlow(unittest.TestCase):
    state = {}

    @classmethod
    def setUpClass(cls):
        cls.ws = Workspace.from_config()
        cls.experiment = Experiment(workspace=cls.ws, name="py-diabetes")

    def test_01_workspace_knows_its_datastores(self):
        self.assertEqual(self.ws.service_url, os.environ["SLUICE_URL"].rstrip("/"))
        self.assertIn("workspaceblobstore", self.ws.datastores)
        self.assertEqual(self.ws.get_default_datastore().name, "workspaceblobstore")
        with self.assertRaises(UserErrorException) as caught:
            Datastore.get(self.ws, "nosuchstore")
        self.assertIn("workspaceblobstore", str(caught.exception))

    def test_02_unknown_compute_target_name_is_a_compute_target_exception(self):
        with self.assertRaises(ComputeTargetException):
            ComputeTarget(workspace=self.ws, name="CPU Cluster")

    def test_03_submit_wait_with_output_and_read_metrics(self):
        pipeline = diabetes_pipeline(self.ws)
        self.assertEqual(pipeline.validate(), [])
        run = self.experiment.submit(pipeline, regenerate_outputs=True)
        self.assertIsInstance(run, PipelineRun)
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            status = run.wait_for_completion(show_output=True)
        printed = out.getvalue()
        self.assertEqual(status, "Completed", printed)
        self.assertIn("PipelineRunId: %s" % run.id, printed)
        self.assertIn("StepRun( prepare ) Status: Completed", printed)
        self.assertIn("StepRun( train ) Status: Completed", printed)
        self.assertIn("PipelineRun Status: Completed", printed)
        self.assertIn("Accuracy", printed)  # train.py prints it: the step's log was streamed
        children = list(run.get_children())
        self.assertEqual(sorted(c.name for c in children), ["prepare", "train"])
        train = [c for c in children if c.name == "train"][0]
        accuracy = train.get_metrics()["Accuracy"]
        self.assertTrue(0.5 < accuracy <= 1, accuracy)
        self.assertEqual(run.get_metrics()["Accuracy"], accuracy)
        self.assertEqual(run.get_metrics(recursive=True)[train.id]["Accuracy"], accuracy)
        self.assertEqual(train.get_details()["status"], "Completed")
        self.assertEqual(train.get_details()["target"], "cpu")
        self.assertEqual(Run(self.experiment, run.id).get_status(), "Completed")
        self.state["run"] = run

    def test_04_same_pipeline_again_reuses_both_steps(self):
        run = self.experiment.submit(diabetes_pipeline(self.ws))
        self.assertEqual(run.wait_for_completion(show_output=False), "Completed")
        self.assertEqual({c.name: c.reused for c in run.get_children()}, {"prepare": True, "train": True})
        with_param = self.experiment.submit(diabetes_pipeline(self.ws), pipeline_parameters={"reg_rate": 0.1})
        self.assertEqual(with_param.wait_for_completion(show_output=False), "Completed")
        self.assertEqual({c.name: c.reused for c in with_param.get_children()}, {"prepare": True, "train": False})

    def test_05_publish_call_endpoint_with_authentication_header(self):
        published = self.state["run"].publish_pipeline(name="diabetes-py", description="from Python", version="1.0")
        self.assertIsInstance(published, PublishedPipeline)
        self.assertEqual(published.status, "Active")
        self.assertTrue(published.endpoint.endswith("/api/published-pipelines/%s/submit" % published.id))
        self.assertEqual(PublishedPipeline.get(self.ws, published.id).name, "diabetes-py")
        self.assertIn(published.id, [p.id for p in PublishedPipeline.list(self.ws)])
        auth_header = InteractiveLoginAuthentication().get_authentication_header()
        request = urllib.request.Request(
            published.endpoint, method="POST",
            data=json.dumps({"ExperimentName": "py-rest", "ParameterAssignments": {"reg_rate": 0.2}}).encode(),
            headers=dict(auth_header, **{"Content-Type": "application/json"}))
        with urllib.request.urlopen(request) as response:
            run_id = json.loads(response.read())["Id"]
        rest_run = PipelineRun(Experiment(self.ws, "py-rest"), run_id)
        self.assertEqual(rest_run.wait_for_completion(show_output=False), "Completed")
        self.assertEqual(rest_run.get_details()["parameters"]["reg_rate"], 0.2)
        self.state["published"] = published

    def test_06_pipeline_endpoint_publish_and_submit(self):
        endpoint = PipelineEndpoint.publish(self.ws, name="diabetes-py-endpoint", description="stable name",
                                            pipeline=self.state["published"])
        self.assertEqual(endpoint.default_version, "0")
        run = PipelineEndpoint.get(self.ws, name="diabetes-py-endpoint").submit("py-endpoint")
        self.assertEqual(run.wait_for_completion(show_output=False), "Completed")

    def test_07_weekly_schedule_create_list_disable(self):
        recurrence = ScheduleRecurrence(frequency="Week", interval=1, week_days=["Monday"], time_of_day="06:30")
        schedule = Schedule.create(self.ws, name="weekly-diabetes", pipeline_id=self.state["published"].id,
                                   experiment_name="py-weekly", recurrence=recurrence,
                                   pipeline_parameters={"reg_rate": 0.05})
        self.assertEqual(schedule.status, "Active")
        self.assertEqual(len(schedule.next_fire_times), 5)
        self.assertIn(schedule.id, [s.id for s in Schedule.list(self.ws)])
        schedule.disable()
        self.assertEqual(Schedule.get(self.ws, schedule.id).status, "Disabled")
        self.assertNotIn(schedule.id, [s.id for s in Schedule.list(self.ws, active_only=True)])
        self.assertEqual(schedule.get_pipeline_runs(), [])

    def test_07b_data_change_schedule_on_a_datapath_parameter(self):
        from azureml.data import DataPath, DataPathComputeBinding

        param = PipelineParameter(name="input_data", default_value=DataPath("workspaceblobstore", "diabetes/"))
        binding = (param, DataPathComputeBinding())
        prepped = PipelineData("prepped_data")
        prep = PythonScriptStep(name="prepare", source_directory=SCRIPTS, script_name="prep.py",
                                arguments=["--input-data", binding, "--prepped-data", prepped], inputs=[binding],
                                outputs=[prepped], compute_target="cpu")
        published = Pipeline(self.ws, [prep]).publish(name="ingest-py", version="1")
        self.assertEqual([p["name"] for p in published.parameters], ["input_data"])
        schedule = Schedule.create(self.ws, name="on-new-data", pipeline_id=published.id, experiment_name="py-ingest",
                                   datastore=Datastore.get(self.ws, "workspaceblobstore"),
                                   path_on_datastore="incoming", polling_interval=5,
                                   data_path_parameter_name="input_data")
        self.assertEqual((schedule.datastore_name, schedule.path_on_datastore, schedule.polling_interval,
                          schedule.data_path_parameter_name), ("workspaceblobstore", "incoming", 5, "input_data"))
        self.assertIsNone(schedule.recurrence)
        schedule.disable()
        with self.assertRaises(UserErrorException) as caught:
            Schedule.create(self.ws, name="bad", pipeline_id=published.id, experiment_name="py-ingest",
                            datastore="workspaceblobstore", path_on_datastore="incoming",
                            data_path_parameter_name="no_such_parameter")
        self.assertIn("input_data", str(caught.exception))

    def test_08_get_runs_newest_first(self):
        runs = list(self.experiment.get_runs())
        self.assertGreaterEqual(len(runs), 3)
        self.assertEqual(runs[-1].id, self.state["run"].id)
        self.assertIn("py-diabetes", self.ws.experiments)
        self.assertIn("cpu", self.ws.compute_targets)

    def test_09_errors_users_catch(self):
        with self.assertRaises(UserErrorException) as caught:
            self.experiment.submit(diabetes_pipeline(self.ws), pipeline_parameters={"reg_rat": 0.1})
        self.assertEqual(caught.exception.code, "InvalidParameters")
        self.assertIn('did you mean "reg_rate"', str(caught.exception))
        with self.assertRaises(UserErrorException) as caught:
            PublishedPipeline.get(self.ws, "no-such-pipeline")
        self.assertEqual(caught.exception.status_code, 404)
        with self.assertRaises(ValueError):
            Schedule.create(self.ws, name="bad", pipeline_id=self.state["published"].id, experiment_name="x",
                            recurrence=ScheduleRecurrence(frequency="Hour", interval=1, hours=[25]))
        a = PythonScriptStep(name="a", source_directory=SCRIPTS, script_name="prep.py", compute_target="cpu")
        b = PythonScriptStep(name="b", source_directory=SCRIPTS, script_name="train.py", compute_target="cpu")
        a.run_after(b)
        b.run_after(a)
        problems = Pipeline(self.ws, [a, b]).validate()
        self.assertEqual(len(problems), 1, problems)
        self.assertIn("the steps form a cycle", problems[0])
        self.state["published"].disable()
        with self.assertRaises(UserErrorException) as caught:
            self.state["published"].submit(self.ws, "py-disabled")
        self.assertEqual(caught.exception.code, "PipelineDisabled")
        self.state["published"].enable()
        self.assertEqual(PublishedPipeline.get(self.ws, self.state["published"].id).status, "Active")

    def test_10_failed_step_raises_activity_failed(self):
        failing = os.path.join(os.environ.get("SLUICE_TEST_SCRATCH", "/tmp"), "failing")
        os.makedirs(failing, exist_ok=True)
        with open(os.path.join(failing, "fail.py"), "w") as f:
            f.write("import sys\nprint('about to fail')\nsys.exit(3)\n")
        step = PythonScriptStep(name="boom", script_name="fail.py", source_directory=failing, compute_target="cpu")
        run = Experiment(self.ws, "py-failing").submit(Pipeline(self.ws, [step]))
        with self.assertRaises(ActivityFailedException):
            run.wait_for_completion(show_output=False)
        self.assertEqual(run.get_status(), "Failed")
        out = io.StringIO()
        RunDetails(run).show(out)
        self.assertIn("npx sluice runs show %s" % run.id, out.getvalue())


if __name__ == "__main__":
    unittest.main()
