"""Steps that talk back and interactive runs, against the real local stack (started by
test/integration/python/azuremlFlow.test.ts): a step registers a model with Model.register through
run.experiment.workspace (the worker's step token), a later step finds it with Model.get_model_path, and a notebook's
interactive run logs, uploads, registers a model and ends."""

import os
import shutil
import tempfile
import unittest
import uuid

from azureml.core import Experiment, Model, Run, Workspace
from azureml.exceptions import UserErrorException
from azureml.pipeline.core import Pipeline, PipelineData
from azureml.pipeline.steps import PythonScriptStep

NEEDS_STACK = "needs the local stack: run through npm test (test/integration/python/azuremlFlow.test.ts)"

TRAIN = """
import os, sys
from azureml.core import Model, Run
run = Run.get_context()
assert os.environ.get("SLUICE_TOKEN"), "the worker gave the step no token"
os.makedirs("outputs", exist_ok=True)
with open("outputs/model.txt", "w") as f:
    f.write("weights of " + run.id)
model = Model.register(workspace=run.experiment.workspace, model_path="outputs/model.txt", model_name=sys.argv[1],
                       tags={"by": "step"})
print("registered", model.name, model.version)
os.makedirs(sys.argv[2], exist_ok=True)
with open(os.path.join(sys.argv[2], "done"), "w") as f:
    f.write("ok")
"""

SCORE = """
import sys
from azureml.core import Model, Run
path = Model.get_model_path(sys.argv[1])
with open(path) as f:
    content = f.read()
print("model at", path)
Run.get_context().log("model_from", content)
"""


@unittest.skipUnless(os.environ.get("SLUICE_URL"), NEEDS_STACK)
class TalkBack(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.ws = Workspace.from_config()
        cls.tmp = tempfile.mkdtemp(prefix="sluice-py-talk-")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, True)

    def test_a_step_registers_a_model_and_a_later_step_gets_its_path(self):
        name = "py-step-model-%s" % uuid.uuid4().hex[:8]
        source = os.path.join(self.tmp, "src")
        os.makedirs(source)
        for file_name, text in (("train.py", TRAIN), ("score.py", SCORE)):
            with open(os.path.join(source, file_name), "w") as f:
                f.write(text)
        done = PipelineData("done")
        train = PythonScriptStep(name="train", source_directory=source, script_name="train.py",
                                 arguments=[name, done], outputs=[done], compute_target="cpu", allow_reuse=False)
        score = PythonScriptStep(name="score", source_directory=source, script_name="score.py", arguments=[name],
                                 inputs=[done], compute_target="cpu", allow_reuse=False)
        run = Experiment(self.ws, "py-talk-back").submit(Pipeline(self.ws, [train, score]))
        self.assertEqual(run.wait_for_completion(show_output=False, raise_on_error=False), "Completed",
                         "\n".join(c.get_log() for c in run.get_children()))
        model = Model(self.ws, name)
        self.assertEqual((model.version, model.tags), (1, {"by": "step"}))
        children = {c.name: c for c in run.get_children()}
        self.assertEqual(children["score"].get_metrics()["model_from"], "weights of %s:train" % run.id)
        log = children["train"].get_log()
        self.assertIn("registered %s 1" % name, log)
        self.assertNotIn(os.environ.get("SLUICE_TOKEN") or "eyJ", log, "no token in the step's log")

    def test_an_interactive_run_logs_uploads_registers_and_ends(self):
        experiment = Experiment(self.ws, "py-notebook")
        path = os.path.join(self.tmp, "model.pkl")
        with open(path, "w") as f:
            f.write("notebook weights")
        with experiment.start_logging(display_name="try 1") as run:
            run.log("loss", 0.5)
            run.log("loss", 0.25)
            run.log_row("roc", fpr=0.0, tpr=0.0)
            run.log_row("roc", fpr=1.0, tpr=1.0)
            run.upload_file("outputs/model.pkl", path)
            model = run.register_model("py-notebook-model-%s" % uuid.uuid4().hex[:8], "outputs/model.pkl")
            self.assertEqual(run.get_status(), "Running")
        self.assertEqual(run.get_status(), "Completed")
        self.assertEqual(model.version, 1)
        again = Run(experiment, run.id)
        self.assertEqual(again.get_metrics(), {"loss": [0.5, 0.25], "roc": {"fpr": [0.0, 1.0], "tpr": [0.0, 1.0]}})
        target = os.path.join(self.tmp, "got")
        again.download_files(prefix="outputs/", output_directory=target)
        with open(os.path.join(target, "outputs", "model.pkl")) as f:
            self.assertEqual(f.read(), "notebook weights")
        with self.assertRaises(UserErrorException) as caught:
            again.log("late", 1)
        self.assertIn("Completed", str(caught.exception))
        listed = {r.id: r for r in experiment.get_runs()}
        self.assertEqual(type(listed[run.id]).__name__, "InteractiveRun")

    def test_a_failed_block_fails_the_run_and_cancel_ends_one(self):
        experiment = Experiment(self.ws, "py-notebook")
        with self.assertRaises(RuntimeError):
            with experiment.start_logging() as failing:
                raise RuntimeError("bad data")
        self.assertEqual(failing.get_status(), "Failed")
        self.assertIn("bad data", failing.get_details()["error"]["error"]["message"])
        canceled = experiment.start_logging()
        canceled.cancel()
        self.assertEqual(canceled.get_status(), "Canceled")
