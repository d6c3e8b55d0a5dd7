import os
import warnings

from azureml.core import ComputeTarget, Experiment
from azureml.core.runconfig import RunConfiguration
from azureml.data import DataReference, OutputFileDatasetConfig
from azureml.exceptions import ComputeTargetException, ExperimentExecutionException, SnapshotException, \
    UserErrorException
from azureml.pipeline.core import Pipeline, PipelineData, PipelineParameter, PipelineRun, StepSequence
from azureml.pipeline.steps import PythonScriptStep
import azureml.pipeline.steps as steps_module

from .support import TempDirTest, compute_record, workspace

from azureml._sluice.snapshot import pack_snapshot


class PipelineTest(TempDirTest):
    def setUp(self):
        TempDirTest.setUp(self)
        self.write("scripts/prep.py", "print('prep')\n")
        self.write("scripts/train.py", "print('train')\n")
        self.write("other/score.py", "print('score')\n")
        self.ws, self.transport = workspace({("GET", "compute-targets/%s" % n): compute_record(n)
                                             for n in ("cpu", "cpu-cluster")})

    def lab(self):
        raw = DataReference("workspaceblobstore", data_reference_name="raw_data", path_on_datastore="diabetes/")
        prepped = PipelineData("prepped_data", datastore="workspaceblobstore")
        reg = PipelineParameter(name="reg_rate", default_value=0.01)
        prep = PythonScriptStep(name="prepare", source_directory="scripts", script_name="prep.py",
                                arguments=["--input-data", raw, "--prepped-data", prepped], inputs=[raw],
                                outputs=[prepped], compute_target=ComputeTarget(self.ws, "cpu"))
        train = PythonScriptStep(name="Train Model", source_directory="scripts", script_name="train.py",
                                 arguments=["--training-data", prepped, "--reg", reg, "--epochs", 5],
                                 inputs=[prepped], compute_target="gpu", allow_reuse=False)
        return Pipeline(self.ws, [prep, train], description="the lab")


class Spec(PipelineTest):
    def test_the_lab_becomes_the_yaml_paths_spec(self):
        spec, sources = self.lab()._spec("diabetes")
        self.assertEqual(spec, {
            "name": "diabetes", "description": "the lab",
            "parameters": {"reg_rate": {"type": "float", "default": 0.01}},
            "inputs": {"raw_data": {"datastore": "workspaceblobstore", "path": "diabetes/"}},
            "data": {"prepped_data": {"datastore": "workspaceblobstore"}},
            "steps": [
                {"name": "prepare", "type": "python", "source_directory": "scripts", "script": "prep.py",
                 "arguments": ["--input-data", "${{inputs.raw_data}}", "--prepped-data", "${{data.prepped_data}}"],
                 "compute": "cpu", "inputs": ["raw_data"], "outputs": ["prepped_data"]},
                {"name": "Train_Model", "display_name": "Train Model", "type": "python",
                 "source_directory": "scripts", "script": "train.py",
                 "arguments": ["--training-data", "${{data.prepped_data}}", "--reg", "${{parameters.reg_rate}}",
                               "--epochs", "5"],
                 "compute": "gpu", "allow_reuse": False, "inputs": ["prepped_data"]},
            ]})
        self.assertEqual(sources, {"scripts": os.path.join(self.dir, "scripts")})

    def test_data_only_in_arguments_is_written_by_the_step_that_does_not_read_it(self):
        out = PipelineData("features")
        a = PythonScriptStep("prep.py", source_directory="scripts", arguments=["--out", out])
        b = PythonScriptStep("train.py", source_directory="scripts", arguments=["--in", out])
        spec, _ = Pipeline(self.ws, [a, b])._spec()
        self.assertEqual([(s["name"], s.get("inputs"), s.get("outputs")) for s in spec["steps"]],
                         [("prep_py", None, ["features"]), ("train_py", ["features"], None)])

    def test_output_file_dataset_config_and_as_input(self):
        out = OutputFileDatasetConfig(name="cleaned", destination=("archive",))
        a = PythonScriptStep("prep.py", name="a", source_directory="scripts", arguments=["--out", out])
        b = PythonScriptStep("train.py", name="b", source_directory="scripts", arguments=["--in", out.as_input()])
        spec, _ = Pipeline(self.ws, [b, a])._spec()
        self.assertEqual(spec["data"], {"cleaned": {"datastore": "archive"}})
        by_name = {s["name"]: s for s in spec["steps"]}
        self.assertEqual(by_name["a"]["outputs"], ["cleaned"])
        self.assertEqual(by_name["b"]["inputs"], ["cleaned"])
        self.assertEqual(by_name["b"]["arguments"], ["--in", "${{data.cleaned}}"])

    def test_register_on_complete_as_a_tabular_dataset_read_by_the_next_step(self):
        prepped = OutputFileDatasetConfig(name="prepped").read_delimited_files(
            separator=";", header="ALL_FILES_HAVE_SAME_HEADERS", path_glob="*.csv").register_on_complete(
            "prepped data", description="cleaned", tags={"stage": "prep"})
        self.assertEqual(type(prepped).__name__, "OutputTabularDatasetConfig")
        a = PythonScriptStep("prep.py", name="a", source_directory="scripts", arguments=["--out", prepped])
        b = PythonScriptStep("train.py", name="b", source_directory="scripts", inputs=[prepped.as_input("prepped")])
        spec, _ = Pipeline(self.ws, [a, b])._spec()
        register = spec["data"]["prepped"]["register"]
        self.assertEqual((register["name"], register["kind"], register["glob"], register["description"],
                          register["tags"]), ("prepped data", "tabular", "*.csv", "cleaned", {"stage": "prep"}))
        self.assertEqual((register["delimited"]["separator"], register["delimited"]["header"]), (";", True))
        self.assertEqual({s["name"]: s.get("inputs") for s in spec["steps"]}, {"a": None, "b": ["prepped"]})

    def test_register_on_complete_of_a_file_output_and_the_original_object_shares_it(self):
        out = OutputFileDatasetConfig(name="files")
        tabular = out.read_delimited_files()
        self.assertIs(out.register_on_complete("files ds"), out)
        a = PythonScriptStep("prep.py", name="a", source_directory="scripts", arguments=[out])
        spec, _ = Pipeline(self.ws, [a])._spec()
        self.assertEqual(spec["data"]["files"]["register"]["kind"], "tabular", "one output, read as delimited files")
        plain = OutputFileDatasetConfig(name="plain").register_on_complete("plain ds")
        spec, _ = Pipeline(self.ws, [PythonScriptStep("prep.py", name="p", source_directory="scripts",
                                                      arguments=[plain])])._spec()
        self.assertEqual(spec["data"]["plain"], {"register": {"name": "plain ds", "tags": {}}})
        self.assertIsNotNone(tabular)

    def test_output_dataset_arguments_are_checked_as_v1_does(self):
        out = OutputFileDatasetConfig(name="o")
        for bad in (lambda: out.register_on_complete(""), lambda: out.register_on_complete(None),
                    lambda: out.register_on_complete("x", tags=["a"]), lambda: out.register_on_complete("x", tags={"a": 1}),
                    lambda: out.register_on_complete(" x"), lambda: out.read_delimited_files(separator=""),
                    lambda: out.read_delimited_files(header="SOMETIMES"), lambda: out.read_delimited_files(path_glob="/x"),
                    lambda: out.read_delimited_files(path_glob="../*.csv"),
                    lambda: out.read_delimited_files(set_column_types=["a"])):
            with self.assertRaises(UserErrorException):
                bad()
        with self.assertRaises(NotImplementedError) as caught:
            out.read_parquet_files()
        self.assertIn("delimited files only", str(caught.exception))
        with self.assertRaises(NotImplementedError):
            out.read_delimited_files(partition_format="{x}/*.csv")
        with self.assertRaises(TypeError):
            out.register_on_complete()  # name is required, as in v1
        with self.assertRaises(TypeError):
            out.read_delimited_files(True, ",", True, None, None, None, "extra")

    def test_a_destination_path_is_not_used_and_a_warning_says_so(self):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            OutputFileDatasetConfig(name="x", destination=("workspaceblobstore", "out/{run-id}"))
        self.assertIn("is not used", str(caught[0].message))

    def test_resolve_closure_adds_the_producer_of_what_a_step_reads(self):
        data = PipelineData("d")
        producer = PythonScriptStep("prep.py", name="producer", source_directory="scripts", outputs=[data],
                                    arguments=[data])
        consumer = PythonScriptStep("train.py", name="consumer", source_directory="scripts", inputs=[data])
        spec, _ = Pipeline(self.ws, [consumer])._spec()
        self.assertEqual(sorted(s["name"] for s in spec["steps"]), ["consumer", "producer"])
        with self.assertRaises(ValueError) as caught:
            Pipeline(self.ws, [consumer], resolve_closure=False)._spec()
        self.assertIn("no step of the pipeline writes it", str(caught.exception))

    def test_step_sequence_orders_steps_without_data(self):
        a = PythonScriptStep("prep.py", name="a", source_directory="scripts")
        b = PythonScriptStep("train.py", name="b", source_directory="scripts")
        c = PythonScriptStep("train.py", name="c", source_directory="scripts")
        spec, _ = Pipeline(self.ws, StepSequence(steps=[a, [b, c]]))._spec()
        self.assertEqual([s.get("run_after") for s in spec["steps"]], [None, ["a"], ["a"]])

    def test_params_and_runconfig_environment_variables_become_env(self):
        config = RunConfiguration()
        config.environment_variables = {"MODE": "fast"}
        p = PipelineParameter("batch", 32)
        step = PythonScriptStep("prep.py", source_directory="scripts", params={"batch": p, "tag": "x"},
                                runconfig=config)
        spec, _ = Pipeline(self.ws, step)._spec()
        self.assertEqual(spec["steps"][0]["env"], {"AML_PARAMETER_batch": "${{parameters.batch}}",
                                                   "AML_PARAMETER_tag": "x", "MODE": "fast"})
        self.assertEqual(spec["parameters"], {"batch": {"type": "int", "default": 32}})

    def test_source_directories_outside_the_current_folder_and_the_default(self):
        os.chdir(os.path.join(self.dir, "other"))
        step = PythonScriptStep("prep.py", source_directory=os.path.join(self.dir, "scripts"))
        here = PythonScriptStep("score.py")
        spec, sources = Pipeline(self.ws, [step, here])._spec()
        self.assertEqual([s["source_directory"] for s in spec["steps"]], ["scripts", "."])
        self.assertEqual(sources, {"scripts": os.path.join(self.dir, "scripts"), ".": os.path.join(self.dir, "other")})
        default = PythonScriptStep("train.py")
        spec, sources = Pipeline(self.ws, [default], default_source_directory=os.path.join(self.dir, "scripts"))._spec()
        self.assertEqual(sources, {"scripts": os.path.join(self.dir, "scripts")})

    def test_default_datastore_applies_to_data_without_one(self):
        data = PipelineData("d")
        step = PythonScriptStep("prep.py", source_directory="scripts", outputs=[data])
        spec, _ = Pipeline(self.ws, step, default_datastore="archive")._spec()
        self.assertEqual(spec["data"], {"d": {"datastore": "archive"}})

    def test_to_yaml_writes_the_spec_next_to_its_sources(self):
        path = os.path.join(self.dir, "pipeline.yaml")
        text = self.lab().to_yaml(path, name="diabetes")
        with open(path, encoding="utf-8") as f:
            self.assertEqual(f.read(), text)
        self.assertIn('  - name: "prepare"\n', text)
        self.assertIn('      - "${{inputs.raw_data}}"\n', text)
        with self.assertRaises(UserErrorException):
            self.lab().to_yaml(os.path.join(self.dir, "other", "pipeline.yaml"))
        os.makedirs(os.path.join(self.dir, "other", "scripts"))  # a folder of the same name is not the same folder
        with self.assertRaises(UserErrorException):
            self.lab().to_yaml(os.path.join(self.dir, "other", "pipeline.yaml"))


class Mistakes(PipelineTest):
    def test_two_producers_of_one_data(self):
        d = PipelineData("d")
        a = PythonScriptStep("prep.py", name="a", source_directory="scripts", outputs=[d])
        b = PythonScriptStep("train.py", name="b", source_directory="scripts", outputs=[d])
        with self.assertRaises(ValueError) as caught:
            Pipeline(self.ws, [a, b])._spec()
        self.assertIn("output of two steps", str(caught.exception))

    def test_a_name_used_as_parameter_and_data(self):
        step = PythonScriptStep("prep.py", source_directory="scripts",
                                arguments=[PipelineParameter("x", 1), PipelineData("x")])
        with self.assertRaises(ValueError) as caught:
            Pipeline(self.ws, step)._spec()
        self.assertIn("share one namespace", str(caught.exception))

    def test_bad_arguments_name_the_step(self):
        with self.assertRaises(ValueError) as caught:
            Pipeline(self.ws, PythonScriptStep("prep.py", name="s1", source_directory="scripts",
                                               arguments=[object()]))._spec()
        self.assertIn("step s1", str(caught.exception))
        with self.assertRaises(ValueError) as caught:
            class TabularDataset(object):
                pass
            Pipeline(self.ws, PythonScriptStep("prep.py", source_directory="scripts",
                                               inputs=[TabularDataset()]))._spec()
        self.assertIn("as_named_input", str(caught.exception))

    def test_pipeline_arguments(self):
        step = PythonScriptStep("prep.py", source_directory="scripts")
        with self.assertRaises(ValueError):
            Pipeline("not a workspace", [step])
        with self.assertRaises(ValueError):
            Pipeline(self.ws, [])
        with self.assertRaises(ValueError):
            Pipeline(self.ws, ["prep.py"])


class Steps(PipelineTest):
    def test_python_script_step_checks_its_arguments(self):
        with self.assertRaises(ValueError):
            PythonScriptStep(script_name="")
        with self.assertRaises(ValueError):
            PythonScriptStep("missing.py", source_directory="scripts")
        with self.assertRaises(ValueError):
            PythonScriptStep("prep.py", source_directory="nope")
        with self.assertRaises(ValueError):
            PythonScriptStep("../prep.py", source_directory="scripts")
        with self.assertRaises(ValueError):
            PythonScriptStep("prep.py", source_directory="scripts", arguments="--a 1")
        with self.assertRaises(ValueError):
            PythonScriptStep("prep.py", source_directory="scripts", compute_target=42)
        step = PythonScriptStep(script_name="prep.py", name=None, arguments=None, compute_target=None,
                                runconfig=None, runconfig_pipeline_params=None, inputs=None, outputs=None,
                                params=None, source_directory="scripts", allow_reuse=True, version="1",
                                hash_paths=["x"])
        self.assertEqual((step.name, step.allow_reuse, step.version), ("prep.py", True, "1"))

    def test_run_after(self):
        a = PythonScriptStep("prep.py", name="a", source_directory="scripts")
        with self.assertRaises(ValueError):
            a.run_after(a)
        with self.assertRaises(ValueError):
            a.run_after("b")

    def test_other_step_classes_name_what_they_need(self):
        for name in ("AdlaStep",
                     "AutoMLStep", "HyperDriveStep", "CommandStep", "EstimatorStep", "MpiStep", "ModuleStep",
                     "AzureBatchStep", "KustoStep", "SynapseSparkStep"):
            with self.assertRaises(NotImplementedError) as caught:
                getattr(steps_module, name)(name="x", script_name="y.py")
            self.assertIn(name, str(caught.exception))

    def test_pipeline_data_accepts_every_v1_argument(self):
        data = PipelineData(name="d", datastore="archive", output_name="out", output_mode="upload",
                            output_path_on_compute="/tmp/x", output_overwrite=True, data_type="UriFolder",
                            is_directory=True, pipeline_output_name="po", training_output=None)
        self.assertEqual((data.name, data.datastore_name, data.data_type), ("d", "archive", "UriFolder"))
        self.assertIs(data.as_input("i"), data)
        with self.assertRaises(ValueError):
            PipelineData("d", output_mode="direct")
        with self.assertRaises(ValueError):
            PipelineData("bad name")
        with self.assertRaises(ValueError):
            PipelineData("d", datastore=3)

    def test_pipeline_parameter_types(self):
        self.assertEqual([PipelineParameter("p", v).type for v in ("a", 1, 1.5, True)],
                         ["string", "int", "float", "bool"])
        with self.assertRaises(ValueError):
            PipelineParameter("p", [1])
        with self.assertRaises(ValueError):
            PipelineParameter("1p", 1)

    def test_compute_target_names(self):
        self.assertEqual(ComputeTarget(self.ws, "cpu-cluster").name, "cpu-cluster")
        for bad in ("CPU", "a_b", "", "-a"):
            with self.assertRaises(ComputeTargetException):
                ComputeTarget(self.ws, bad)


class Submit(PipelineTest):
    def routes(self):
        def snapshot(**kwargs):
            return {"id": self.expected_id, "size": 1, "created": True}

        self.expected_id = pack_snapshot(os.path.join(self.dir, "scripts")).id
        return {("POST", "snapshots"): snapshot, ("POST", "experiments/exp-1/runs"): {"id": "run-1"},
                ("POST", "published-pipelines"): {"id": "pp-1", "name": "n", "status": "Active",
                                                  "endpoint": "http://sluice.test/api/published-pipelines/pp-1/submit"}}

    def test_submit_uploads_snapshots_then_posts_the_spec(self):
        self.transport.routes.update(self.routes())
        run = Experiment(self.ws, "exp-1").submit(self.lab(), regenerate_outputs=True,
                                                  pipeline_parameters={"reg_rate": 0.5}, tags={"k": 1})
        self.assertIsInstance(run, PipelineRun)
        self.assertEqual(run.id, "run-1")
        upload = self.transport.last("POST", "snapshots")
        self.assertEqual(upload["content_type"], "application/gzip")
        body = self.transport.last("POST", "experiments/exp-1/runs")
        self.assertEqual(body["json_body"]["snapshots"], {"scripts": self.expected_id})
        self.assertEqual(body["json_body"]["regenerateOutputs"], True)
        self.assertEqual(body["json_body"]["parameters"], {"reg_rate": 0.5})
        self.assertEqual(body["json_body"]["tags"], {"k": "1"})
        self.assertEqual(body["json_body"]["pipeline"]["name"], "exp-1")
        self.assertTrue(body["idempotent"])
        self.assertRegex(body["headers"]["Idempotency-Key"], r"^[0-9a-f-]{36}$")

    def test_a_data_reference_as_a_parameter_value_is_a_data_path(self):
        self.transport.routes.update(self.routes())
        self.lab().submit("exp-1", pipeline_parameters={
            "raw_data": DataReference("archive", "raw_data", "2024/")})
        body = self.transport.last("POST", "experiments/exp-1/runs")["json_body"]
        self.assertEqual(body["dataPaths"], {"raw_data": {"datastore": "archive", "path": "2024/"}})

    def test_every_folder_is_packed_before_anything_is_uploaded_and_equal_content_once(self):
        self.transport.routes.update(self.routes())
        self.write("copy/prep.py", "print('prep')\n")
        self.write("copy/train.py", "print('train')\n")
        a = PythonScriptStep("prep.py", name="a", source_directory="scripts")
        b = PythonScriptStep("prep.py", name="b", source_directory="copy")
        Pipeline(self.ws, [a, b]).submit("exp-1")
        self.assertEqual(len([c for c in self.transport.calls if c["path"] == "snapshots"]), 1)
        body = self.transport.last("POST", "experiments/exp-1/runs")["json_body"]
        self.assertEqual(body["snapshots"], {"scripts": self.expected_id, "copy": self.expected_id})
        self.transport.calls = []
        missing = PythonScriptStep("prep.py", name="c", source_directory="copy")
        import shutil

        shutil.rmtree(os.path.join(self.dir, "copy"))
        with self.assertRaises(UserErrorException):
            Pipeline(self.ws, [a, missing]).submit("exp-1")
        self.assertEqual(self.transport.calls, [])

    def test_a_server_that_disagrees_on_the_snapshot_id_is_an_error(self):
        self.transport.routes[("POST", "snapshots")] = {"id": "other", "created": True}
        with self.assertRaises(SnapshotException):
            self.lab().submit("exp-1")

    def test_experiment_names_and_configs(self):
        with self.assertRaises(UserErrorException):
            Experiment(self.ws, "bad name")
        with self.assertRaises(UserErrorException):
            self.lab().submit("bad name")
        with self.assertRaises(ExperimentExecutionException) as caught:
            Experiment(self.ws, "e").submit(object())
        self.assertIn("PythonScriptStep", str(caught.exception))
        with self.assertRaises(UserErrorException):  # start_logging: tests/unit/test_interactive_runs.py
            Experiment(self.ws, "e").start_logging("outputs", "snapshot", "a third")

    def test_publish_sends_name_version_and_spec(self):
        self.transport.routes.update(self.routes())
        published = self.lab().publish(name="n", description="d", version=2, continue_on_step_failure=True)
        body = self.transport.last("POST", "published-pipelines")["json_body"]
        self.assertEqual((body["name"], body["description"], body["version"], body["continueOnStepFailure"]),
                         ("n", "d", "2", True))
        self.assertEqual(body["snapshots"], {"scripts": self.expected_id})
        self.assertEqual((published.id, published.endpoint), ("pp-1",
                                                              "http://sluice.test/api/published-pipelines/pp-1/submit"))
        with self.assertRaises(UserErrorException):
            self.lab().publish()

    def test_validate_returns_the_services_issues(self):
        self.transport.routes.update(self.routes())
        self.transport.routes[("POST", "experiments/validate/runs")] = UserErrorException(
            "bad", status_code=400, code="InvalidPipelineSpec",
            details={"issues": [{"path": "steps[0].compute", "message": "must be a compute target name"}]})
        self.assertEqual(self.lab().validate(), ["steps[0].compute: must be a compute target name"])
        self.assertEqual(self.transport.last("POST", "experiments/validate/runs")["query"], {"dryRun": "true"})
        self.transport.routes[("POST", "experiments/validate/runs")] = {"dryRun": True}
        self.assertEqual(self.lab().validate(), [])


class DataPaths(PipelineTest):
    def test_a_datapath_parameter_is_an_input_a_submit_can_repoint(self):
        from azureml.data import DataPath, DataPathComputeBinding

        param = PipelineParameter(name="input_data", default_value=DataPath("workspaceblobstore", "incoming/"))
        bound = (param, DataPathComputeBinding(mode="mount"))
        step = PythonScriptStep("prep.py", name="prep", source_directory="scripts", arguments=["--in", bound],
                                inputs=[bound])
        spec, _ = Pipeline(self.ws, step)._spec()
        self.assertEqual(spec["parameters"], {"input_data": {"type": "datapath", "default": {
            "datastore": "workspaceblobstore", "path": "incoming/"}}})
        self.assertEqual((spec["steps"][0]["arguments"], spec["steps"][0]["inputs"]),
                         (["--in", "${{inputs.input_data}}"], ["input_data"]))
        self.transport.routes[("POST", "snapshots")] = lambda **kw: {
            "id": pack_snapshot(os.path.join(self.dir, "scripts")).id}
        self.transport.routes[("POST", "experiments/e/runs")] = {"id": "r"}
        Pipeline(self.ws, step).submit("e", pipeline_parameters={"input_data": DataPath("archive", "2024/")})
        body = self.transport.last("POST", "experiments/e/runs")["json_body"]
        self.assertEqual(body["dataPaths"], {"input_data": {"datastore": "archive", "path": "2024/"}})
        with self.assertRaises(ValueError):
            DataPathComputeBinding(mode="upload")
        with self.assertRaises(ValueError):
            Pipeline(self.ws, PythonScriptStep("prep.py", source_directory="scripts",
                                               arguments=[(PipelineParameter("n", 1), DataPathComputeBinding())]
                                               ))._spec()
