"""DatabricksStep: v1's arguments and checks, and the spec step it becomes."""

import inspect
import os

from azureml.core.databricks import EggLibrary, JarLibrary, MavenLibrary, PyPiLibrary, RCranLibrary
from azureml.core.runconfig import RunConfiguration
from azureml.data import DataReference
from azureml.pipeline.core import Pipeline, PipelineData, PipelineParameter
from azureml.pipeline.steps import DatabricksStep, PythonScriptStep

from .support import TempDirTest, workspace

V1_ARGUMENTS = [
    "name", "inputs", "outputs", "existing_cluster_id", "spark_version", "node_type", "instance_pool_id",
    "num_workers", "min_workers", "max_workers", "spark_env_variables", "spark_conf", "init_scripts",
    "cluster_log_dbfs_path", "notebook_path", "notebook_params", "python_script_path", "python_script_params",
    "main_class_name", "jar_params", "python_script_name", "source_directory", "hash_paths", "run_name",
    "timeout_seconds", "runconfig", "maven_libraries", "pypi_libraries", "egg_libraries", "jar_libraries",
    "rcran_libraries", "compute_target", "allow_reuse", "version", "permit_cluster_restart"]


class Arguments(TempDirTest):
    def test_v1_signature_and_defaults(self):
        params = inspect.signature(DatabricksStep.__init__).parameters
        self.assertEqual(list(params)[1:], V1_ARGUMENTS)
        self.assertTrue(params["allow_reuse"].default)
        self.assertTrue(all(params[n].default is None for n in V1_ARGUMENTS[1:] if n != "allow_reuse"))

    def check(self, message, **kwargs):
        args = dict(name="s", notebook_path="/Shared/nb", existing_cluster_id="c1", compute_target="dbx")
        args.update(kwargs)
        with self.assertRaises(ValueError) as caught:
            DatabricksStep(**{k: v for k, v in args.items() if v is not _UNSET})
        self.assertIn(message, str(caught.exception))

    def test_exactly_one_task(self):
        self.check("Exactly one of notebook_path, python_script_path, python_script_name or main_class_name",
                   python_script_path="dbfs:/a.py")
        self.check("Exactly one of notebook_path", notebook_path=_UNSET)
        self.check("notebook_path must be a string", notebook_path=3)

    def test_cluster_rules(self):
        self.check("one of num_workers or min_workers and max_workers is required", existing_cluster_id=_UNSET)
        self.check("exactly one of num_workers or min_workers and max_workers", existing_cluster_id=_UNSET,
                   num_workers=2, min_workers=1)
        self.check("Exactly one of node_type or instance_pool_id", existing_cluster_id=_UNSET, num_workers=1,
                   node_type="Standard_DS3_v2", instance_pool_id="pool-1")
        self.check("num_workers must be an int", existing_cluster_id=_UNSET, num_workers="2")
        self.check("existing_cluster_id must be a string", existing_cluster_id=5)

    def test_other_checks(self):
        self.check("compute_target is required", compute_target=_UNSET)
        self.check("name must be a string", name=5)
        self.check("If python_script_name is specified then source_directory must be too", notebook_path=_UNSET,
                   python_script_name="prep.py")
        self.check("Either pass runconfig or each library type", runconfig=RunConfiguration(),
                   pypi_libraries=[PyPiLibrary("pandas")])
        self.check("timeout_seconds must be an int", timeout_seconds="60")
        self.check("main_class_name needs jar_libraries", notebook_path=_UNSET, main_class_name="a.B")

    def test_a_new_cluster_gets_v1_defaults(self):
        step = DatabricksStep(name="s", notebook_path="/nb", num_workers=2, compute_target="dbx")
        self.assertEqual(step.new_cluster, {"spark_version": "4.0.x-scala2.11", "node_type_id": "Standard_D3_v2",
                                            "num_workers": 2,
                                            "spark_env_vars": {"PYSPARK_PYTHON": "/databricks/python3/bin/python3"}})


_UNSET = object()


class Spec(TempDirTest):
    def setUp(self):
        TempDirTest.setUp(self)
        self.write("dbx/prep.py", "print('prep')\n")
        self.ws, _ = workspace({})

    def test_a_notebook_step_with_params_input_output_and_libraries(self):
        raw = DataReference("workspaceblobstore", data_reference_name="raw", path_on_datastore="sales/")
        features = PipelineData("features", datastore="workspaceblobstore")
        rows = PipelineParameter(name="rows", default_value=100)
        step = DatabricksStep(name="features", inputs=[raw], outputs=[features], notebook_path="/Shared/features",
                              notebook_params={"rows": rows, "mode": "full"}, spark_version="14.3.x-scala2.12",
                              node_type="Standard_DS3_v2", min_workers=1, max_workers=4,
                              spark_conf={"spark.speculation": True}, pypi_libraries=[PyPiLibrary("pandas")],
                              maven_libraries=[MavenLibrary("com.x:y:1.0")], egg_libraries=[EggLibrary("dbfs:/a.egg")],
                              rcran_libraries=[RCranLibrary("forecast")], run_name="feat", timeout_seconds=600,
                              compute_target="dbx", permit_cluster_restart=True)
        consumer = PythonScriptStep(name="train", script_name="prep.py", source_directory="dbx",
                                    arguments=["--features", features], inputs=[features], compute_target="cpu")
        spec, _ = Pipeline(self.ws, [step, consumer])._spec("p")
        self.assertEqual(spec["steps"][0], {
            "name": "features", "type": "databricks", "notebook_path": "/Shared/features",
            "notebook_params": {"rows": "${{parameters.rows}}", "mode": "full"},
            "new_cluster": {"spark_version": "14.3.x-scala2.12", "node_type_id": "Standard_DS3_v2",
                            "autoscale": {"min_workers": 1, "max_workers": 4},
                            "spark_env_vars": {"PYSPARK_PYTHON": "/databricks/python3/bin/python3"},
                            "spark_conf": {"spark.speculation": "True"}},
            "libraries": [{"pypi": {"package": "pandas"}}, {"maven": {"coordinates": "com.x:y:1.0"}},
                          {"egg": "dbfs:/a.egg"}, {"cran": {"package": "forecast"}}],
            "run_name": "feat", "timeout_seconds": 600, "permit_cluster_restart": True, "compute": "dbx",
            "inputs": ["raw"], "outputs": ["features"]})
        self.assertEqual(spec["inputs"], {"raw": {"datastore": "workspaceblobstore", "path": "sales/"}})

    def test_a_local_script_is_uploaded_from_its_source_directory_with_its_params(self):
        out = PipelineData("out")
        step = DatabricksStep(name="prep", python_script_name="prep.py", source_directory="dbx",
                              python_script_params=["--rows", 5, out], outputs=[out], existing_cluster_id="c1",
                              compute_target="dbx", allow_reuse=False)
        spec, sources = Pipeline(self.ws, [step])._spec("p")
        self.assertEqual(spec["steps"][0], {
            "name": "prep", "type": "databricks", "python_script_name": "prep.py", "source_directory": "dbx",
            "arguments": ["--rows", "5", "${{data.out}}"], "existing_cluster_id": "c1", "compute": "dbx",
            "allow_reuse": False, "outputs": ["out"]})
        self.assertEqual(sources, {"dbx": os.path.join(self.dir, "dbx")})

    def test_a_jar_step_names_its_jars(self):
        step = DatabricksStep(name="j", main_class_name="com.x.Main", jar_params=["a"],
                              jar_libraries=[JarLibrary("dbfs:/jars/x.jar")], existing_cluster_id="c1",
                              compute_target="dbx")
        spec, _ = Pipeline(self.ws, [step])._spec("p")
        self.assertEqual(spec["steps"][0]["jar_libraries"], ["dbfs:/jars/x.jar"])
        self.assertEqual(spec["steps"][0]["arguments"], ["a"])

    def test_a_missing_script_is_refused_when_the_step_is_built(self):
        with self.assertRaises(ValueError) as caught:
            DatabricksStep(name="p", python_script_name="nope.py", source_directory="dbx", existing_cluster_id="c",
                           compute_target="dbx")
        self.assertIn("is not a file in source_directory", str(caught.exception))
