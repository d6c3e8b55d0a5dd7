"""A step's environment through the azureml package against the real local stack: recorded on the run, and a
declared package the worker's interpreter cannot import fails the step naming it."""

import os
import tempfile
import unittest
import uuid

from azureml.core import CondaDependencies, Environment, Experiment, RunConfiguration, Workspace
from azureml.exceptions import ActivityFailedException
from azureml.pipeline.core import Pipeline
from azureml.pipeline.steps import PythonScriptStep

NEEDS_STACK = "needs the local stack: run through npm test (test/integration/python/azuremlFlow.test.ts)"


def step_with(env, name):
    source = tempfile.mkdtemp(prefix="sluice-py-env-")
    with open(os.path.join(source, "use.py"), "w") as f:
        f.write("import json\nprint('ran with', json.dumps([1]))\n")
    runconfig = RunConfiguration()
    runconfig.environment = env
    return PythonScriptStep(name=name, source_directory=source, script_name="use.py", runconfig=runconfig,
                            allow_reuse=False)


@unittest.skipUnless(os.environ.get("SLUICE_URL"), NEEDS_STACK)
class Environments(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.ws = Workspace.from_config()
        cls.experiment = Experiment(cls.ws, "py-environments")

    def test_a_missing_package_fails_the_step_naming_it_and_the_interpreter(self):
        missing = "sluice-missing-%s" % uuid.uuid4().hex[:6]
        env = Environment("needs-missing")
        env.python.conda_dependencies = CondaDependencies.create(pip_packages=["PyYAML", missing])
        run = self.experiment.submit(Pipeline(self.ws, [step_with(env, "needs")]))
        with self.assertRaises(ActivityFailedException):
            run.wait_for_completion(show_output=False)
        step = next(run.get_children())
        error = step.get_details()["error"]["error"]["message"]
        self.assertIn('package "%s" (import %s) cannot be imported' % (missing, missing.replace("-", "_")), error)
        self.assertIn("python", error)
        self.assertNotIn('"PyYAML"', error, "a package the interpreter has is not named")

    def test_an_environment_whose_packages_import_runs_and_is_shown_on_the_step(self):
        env = Environment("stdlib-env")
        env.python.conda_dependencies = CondaDependencies.create(pip_packages=["json"], pin_sdk_version=True)
        run = self.experiment.submit(Pipeline(self.ws, [step_with(env, "fine")]))
        run.wait_for_completion(show_output=False)
        record = self.ws._transport.json("GET", "runs/%s" % run.id)
        self.assertEqual(record["steps"][0]["environment"]["name"], "stdlib-env")
        self.assertIn("json", record["steps"][0]["environment"]["pip"])

    def test_register_versions_get_and_list(self):
        name = "py-env-%s" % uuid.uuid4().hex[:6]
        env = Environment(name)
        env.python.conda_dependencies = CondaDependencies.create(pip_packages=["PyYAML"], python_version="3.11")
        first = env.register(self.ws)
        self.assertEqual(first.version, "1")
        self.assertEqual(env.register(self.ws).version, "1", "the same definition keeps its version")
        env.python.conda_dependencies.add_pip_package("json5")
        self.assertEqual(env.register(self.ws).version, "2")
        self.assertEqual(Environment.get(self.ws, name).version, "2")
        self.assertEqual(Environment.get(self.ws, name, version="1").python.conda_dependencies.get_python_version(),
                         "3.11")
        self.assertIn(name, self.ws.environments)
