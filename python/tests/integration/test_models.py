"""Models and run artifacts through the azureml package, against the real local stack (started by
test/integration/python/azuremlFlow.test.ts, as for test_pipeline_flow)."""

import os
import shutil
import tempfile
import unittest
import uuid

from azureml.core import Experiment, Model, Workspace
from azureml.exceptions import UserErrorException, WebserviceException
from azureml.pipeline.core import Pipeline, PipelineData
from azureml.pipeline.steps import PythonScriptStep

NEEDS_STACK = "needs the local stack: run through npm test (test/integration/python/azuremlFlow.test.ts)"

STEP_SCRIPT = """
import os, sys
from azureml.core import Run
run = Run.get_context()
os.makedirs("outputs", exist_ok=True)
with open("outputs/model.pkl", "w") as f:
    f.write("trained weights")
with open("notes.txt", "w") as f:
    f.write("notes")
run.upload_file("extra/notes.txt", "notes.txt")
print("made the model")
run.register_model(model_name=sys.argv[2], model_path="outputs/model.pkl", tags={"from": "step"})
os.makedirs(sys.argv[1], exist_ok=True)
with open(os.path.join(sys.argv[1], "part-0.csv"), "w") as f:
    f.write("a,b\\n1,2\\n")
"""


@unittest.skipUnless(os.environ.get("SLUICE_URL"), NEEDS_STACK)
class Models(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.ws = Workspace.from_config()
        cls.tmp = tempfile.mkdtemp(prefix="sluice-py-models-")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, True)

    def test_register_find_list_and_download(self):
        name = "py-model-%s" % uuid.uuid4().hex[:8]
        path = os.path.join(self.tmp, "model.pkl")
        with open(path, "w") as f:
            f.write("weights v1")
        first = Model.register(self.ws, model_path=path, model_name=name, tags={"area": "health"},
                               properties={"auc": "0.91"}, description="first")
        self.assertEqual((first.name, first.version, first.id), (name, 1, "%s:1" % name))
        folder = os.path.join(self.tmp, "model-dir")
        os.makedirs(os.path.join(folder, "sub"))
        with open(os.path.join(folder, "sub", "w.bin"), "w") as f:
            f.write("weights v2")
        second = Model.register(self.ws, folder, name, tags={"area": "health", "stage": "prod"})
        self.assertEqual(second.version, 2)

        self.assertEqual(Model(self.ws, name).version, 2)
        self.assertEqual(Model(self.ws, name=name, version=1).description, "first")
        self.assertEqual(Model(self.ws, id="%s:1" % name).properties, {"auc": "0.91"})
        self.assertEqual([m.version for m in Model.list(self.ws, name=name)], [2, 1])
        self.assertEqual([m.version for m in Model.list(self.ws, name=name, tags=[["stage", "prod"]])], [2])
        self.assertEqual([m.id for m in Model.list(self.ws, name=name, latest=True)], ["%s:2" % name])
        self.assertEqual(self.ws.models[name].version, 2)

        target = os.path.join(self.tmp, "downloaded")
        got = Model(self.ws, name, version=1).download(target_dir=target)
        with open(got) as f:
            self.assertEqual(f.read(), "weights v1")
        got_dir = Model(self.ws, name).download(target_dir=target)
        self.assertEqual(got_dir, os.path.join(target, "model-dir"))
        with open(os.path.join(got_dir, "sub", "w.bin")) as f:
            self.assertEqual(f.read(), "weights v2")
        with self.assertRaises(WebserviceException):
            Model(self.ws, name).download(target_dir=target)

        cwd = os.getcwd()
        os.chdir(self.tmp)
        try:
            local = Model.get_model_path(name, version=1, _workspace=self.ws)
            self.assertEqual(local, os.path.join("azureml-models", name, "1", "model.pkl"))
            self.assertTrue(os.path.isfile(local))
        finally:
            os.chdir(cwd)

    def test_unknown_models_raise_webservice_exception(self):
        with self.assertRaises(WebserviceException) as caught:
            Model(self.ws, "no-such-model-%s" % uuid.uuid4().hex[:8])
        self.assertEqual(caught.exception.status_code, 404)
        path = os.path.join(self.tmp, "m.pkl")
        with open(path, "w") as f:
            f.write("x")
        name = "py-model-%s" % uuid.uuid4().hex[:8]
        Model.register(self.ws, path, name)
        with self.assertRaises(WebserviceException) as caught:
            Model(self.ws, name, version=5)
        self.assertIn("its latest is 1", str(caught.exception))

    def test_step_files_and_outputs_download(self):
        source = os.path.join(self.tmp, "step-src")
        os.makedirs(source)
        with open(os.path.join(source, "make.py"), "w") as f:
            f.write(STEP_SCRIPT)
        table = PipelineData("table")
        model_name = "step-model-%s" % uuid.uuid4().hex[:8]
        make = PythonScriptStep(name="make", source_directory=source, script_name="make.py",
                                arguments=[table, model_name],
                                outputs=[table], compute_target="cpu", allow_reuse=False)
        run = Experiment(self.ws, "py-artifacts").submit(Pipeline(self.ws, [make]))
        self.assertEqual(run.wait_for_completion(show_output=False), "Completed")
        step = run.find_step_run("make")[0]
        self.assertEqual(step.get_file_names(),
                         ["azureml-logs/70_driver_log.txt", "extra/notes.txt", "outputs/model.pkl"])
        log = step.download_file("azureml-logs/70_driver_log.txt", output_file_path=self.tmp)
        self.assertEqual(log, os.path.join(self.tmp, "70_driver_log.txt"))
        with open(log) as f:
            self.assertIn("made the model", f.read())
        self.assertIn("made the model", step.get_details_with_logs()["logFiles"]["azureml-logs/70_driver_log.txt"])

        saved = step.download_file("outputs/model.pkl", output_file_path=self.tmp)
        self.assertEqual(saved, os.path.join(self.tmp, "model.pkl"))
        with open(saved) as f:
            self.assertEqual(f.read(), "trained weights")
        into = os.path.join(self.tmp, "all")
        step.download_files(prefix="outputs", output_directory=into)
        self.assertTrue(os.path.isfile(os.path.join(into, "outputs", "model.pkl")))
        self.assertFalse(os.path.exists(os.path.join(into, "extra")))
        with self.assertRaises(UserErrorException):
            step.download_file("outputs/none.pkl", output_file_path=self.tmp)
        with self.assertRaises(UserErrorException):
            step.download_file("../../etc/passwd", output_file_path=self.tmp)

        data = step.get_output_data("table")
        folder = data.download(os.path.join(self.tmp, "data"), show_progress=False)
        with open(os.path.join(folder, "part-0.csv")) as f:
            self.assertEqual(f.read(), "a,b\n1,2\n")
        with self.assertRaises(UserErrorException):
            step.get_output_data("nope")

        # register_model inside the step became a registry version of the step run.
        models = Model.list(self.ws, run_id=step.id)
        self.assertEqual([(m.name, m.version, m.run_id, m.tags) for m in models],
                         [(model_name, 1, step.id, {"from": "step"})])
        path = Model(self.ws, model_name).download(target_dir=os.path.join(self.tmp, "from-step"))
        with open(path) as f:
            self.assertEqual(f.read(), "trained weights")
