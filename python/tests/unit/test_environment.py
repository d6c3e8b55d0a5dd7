"""Environment, CondaDependencies and RunConfiguration against the v1 signatures, and what a step records."""

import inspect

from azureml.core import CondaDependencies, Environment, RunConfiguration
from azureml.core.runconfig import DEFAULT_CPU_IMAGE
from azureml.exceptions import UserErrorException
from azureml.pipeline.steps import PythonScriptStep

from .support import TempDirTest

ENV_YML = """name: diabetes-env
channels:
  - conda-forge
dependencies:
  - python=3.10
  - numpy=1.24   # arrays
  - pip
  - pip:
    - scikit-learn==1.3.2
    - azureml-defaults
"""


class Signatures(TempDirTest):
    def test_v1_arguments_and_defaults(self):
        create = inspect.signature(CondaDependencies.create).parameters
        self.assertEqual([(n, p.default) for n, p in create.items()],
                         [("pip_indexurl", None), ("pip_packages", None), ("conda_packages", None),
                          ("python_version", None), ("pin_sdk_version", True)])
        self.assertEqual(list(inspect.signature(Environment.from_conda_specification).parameters),
                         ["name", "file_path"])
        self.assertEqual(list(inspect.signature(Environment.get).parameters)[:3], ["workspace", "name", "version"])
        self.assertIsNone(inspect.signature(RunConfiguration).parameters["conda_dependencies"].default)
        self.assertTrue(DEFAULT_CPU_IMAGE.startswith("mcr.microsoft.com/azureml/"))

    def test_conda_dependencies_create_and_add(self):
        deps = CondaDependencies.create(pip_packages=["scikit-learn"], conda_packages=["numpy"], python_version="3.10")
        deps.add_pip_package("pandas>=1.5")
        deps.add_conda_package("scipy")
        deps.add_pip_package("scikit-learn==1.3")  # replaces the earlier spec of the same package
        self.assertEqual(list(deps.conda_packages), ["numpy", "scipy"])
        self.assertEqual([p for p in deps.pip_packages if not p.startswith("azureml")], ["pandas>=1.5", "scikit-learn==1.3"])
        self.assertTrue(next(deps.pip_packages).startswith("azureml-defaults~="))
        self.assertEqual(deps.get_python_version(), "3.10")
        self.assertIn("  - python=3.10\n", deps.serialize_to_string())
        with self.assertRaises(TypeError):
            CondaDependencies.create(pip_packages="scikit-learn")

    def test_from_conda_specification_and_pip_requirements(self):
        self.write("environment.yml", ENV_YML)
        env = Environment.from_conda_specification(name="diabetes-env", file_path="environment.yml")
        self.assertEqual(env._spec(), {"name": "diabetes-env", "python": "3.10", "conda": ["numpy=1.24"],
                                       "pip": ["scikit-learn==1.3.2", "azureml-defaults"]})
        self.write("requirements.txt", "# deps\n-r base.txt\npandas==2.0\nPyYAML  # config\n")
        env = Environment.from_pip_requirements("req-env", "requirements.txt")
        self.assertEqual(env._spec()["pip"], ["pandas==2.0", "PyYAML"])
        with self.assertRaises(UserErrorException):
            Environment.from_conda_specification("x", "missing.yml")
        with self.assertRaises(UserErrorException):
            Environment("")

    def test_a_step_records_its_environment_only_when_one_is_declared(self):
        self.write("src/train.py", "print(1)\n")
        env = Environment("train-env")
        env.python.conda_dependencies = CondaDependencies.create(pip_packages=["scikit-learn"], pin_sdk_version=False)
        runconfig = RunConfiguration()
        runconfig.environment = env
        step = PythonScriptStep("train.py", source_directory="src", runconfig=runconfig)
        spec = step._spec(_Context())
        self.assertEqual(spec["environment"], {"name": "train-env", "pip": ["azureml-defaults", "scikit-learn"],
                                               "conda": []})
        plain = PythonScriptStep("train.py", source_directory="src", runconfig=RunConfiguration())
        self.assertNotIn("environment", plain._spec(_Context()))
        legacy = RunConfiguration(conda_dependencies=CondaDependencies.create(conda_packages=["lightgbm"]))
        spec = PythonScriptStep("train.py", source_directory="src", runconfig=legacy)._spec(_Context())
        self.assertEqual((spec["environment"]["name"], spec["environment"]["conda"]),
                         ("default-environment", ["lightgbm"]))
        with self.assertRaises(ValueError):
            PythonScriptStep("train.py", source_directory="src", runconfig={"environment": env})
        with self.assertRaises(UserErrorException):
            runconfig.environment = "train-env"


class _Context(object):
    def source_key(self, path):
        return "src"

    def argument(self, step, value):
        return value

    def value(self, step, value):
        return value


class Registry(TempDirTest):
    def test_register_get_and_list(self):
        from .support import workspace

        record = {"id": "train-env:2", "name": "train-env", "version": 2, "python": "3.10",
                  "pip": ["scikit-learn==1.3"], "conda": ["numpy"], "createdAt": "t", "links": {}}
        ws, transport = workspace({("POST", "environments"): record,
                                   ("GET", "environments/train-env/versions/latest"): record,
                                   ("GET", "environments/train-env/versions/1"): dict(record, version=1),
                                   ("GET", "environments"): {"value": [record]}})
        env = Environment("train-env")
        env.python.conda_dependencies = CondaDependencies.create(pip_packages=["scikit-learn==1.3"],
                                                                 conda_packages=["numpy"], python_version="3.10",
                                                                 pin_sdk_version=False)
        registered = env.register(workspace=ws)
        self.assertEqual(transport.last("POST")["json_body"],
                         {"name": "train-env", "python": "3.10", "conda": ["numpy"],
                          "pip": ["azureml-defaults", "scikit-learn==1.3"]})
        self.assertEqual((registered.name, registered.version), ("train-env", "2"))
        self.assertEqual(list(registered.python.conda_dependencies.conda_packages), ["numpy"])
        self.assertEqual(Environment.get(ws, "train-env").version, "2")
        self.assertEqual(Environment.get(ws, "train-env", version=1).version, "1")
        self.assertEqual(list(Environment.list(ws)), ["train-env"])
        self.assertEqual(list(ws.environments), ["train-env"])
        self.assertEqual(registered._spec()["version"], "2")
        with self.assertRaises(UserErrorException):
            Environment.get(None, "train-env")
