"""Argument handling against v1's signatures for the classes the other suites reach only through their happy path
(the audit of issue 14: DatasetConsumptionConfig, StepSequence, PortDataReference, Run.download_files,
OutputTabularDatasetConfig)."""

import io
import os

from azureml.core import Dataset, Datastore, Experiment
from azureml.data import OutputFileDatasetConfig, OutputTabularDatasetConfig
from azureml.data.dataset_consumption_config import DatasetConsumptionConfig
from azureml.exceptions import UserErrorException
from azureml.pipeline.core import PipelineRun, StepSequence
from azureml.pipeline.steps import PythonScriptStep

from .fake_data_server import FakeDataServer
from .support import TempDirTest, workspace


class ConsumptionConfig(TempDirTest):
    def setUp(self):
        TempDirTest.setUp(self)
        self.server = FakeDataServer()
        self.server.blobs[("workspaceblobstore", "diabetes/a.csv")] = b"x\n1\n"
        self.ws = self.server.workspace()
        self.dataset = Dataset.Tabular.from_delimited_files(path=(Datastore.get(self.ws, "workspaceblobstore"),
                                                                  "diabetes/"))

    def test_v1_arguments_defaults_and_refusals(self):
        config = DatasetConsumptionConfig("raw", self.dataset)
        self.assertEqual((config.name, config.mode, config.path_on_compute), ("raw", "direct", None))
        mounted = config.as_mount(path_on_compute="/mnt/raw")
        self.assertEqual((mounted.mode, mounted.path_on_compute, config.mode), ("mount", "/mnt/raw", "direct"))
        self.assertEqual(config.as_download().mode, "download")
        self.assertEqual(DatasetConsumptionConfig(name="raw", dataset=self.dataset, mode="mount").mode, "mount")
        with self.assertRaises(ValueError):
            DatasetConsumptionConfig("raw", self.dataset, mode="stream")
        with self.assertRaises(ValueError):
            DatasetConsumptionConfig("raw", "not a dataset")
        with self.assertRaises(ValueError):
            DatasetConsumptionConfig("", self.dataset)
        with self.assertRaises(TypeError):
            DatasetConsumptionConfig("raw")  # dataset is required, as in v1


class Sequences(TempDirTest):
    def test_step_sequence_takes_steps_or_lists_of_steps_only(self):
        self.write("a.py", "")
        self.write("b.py", "")
        a = PythonScriptStep("a.py", name="a", source_directory=".")
        b = PythonScriptStep("b.py", name="b", source_directory=".")
        self.assertEqual(list(StepSequence(steps=[a, b])), [a, b])
        self.assertEqual(list(StepSequence()), [])
        for bad in (["a.py"], [a, [b, "c"]], [None]):
            with self.assertRaises(ValueError):
                StepSequence(steps=bad)


class Downloads(TempDirTest):
    def test_port_data_reference_download_and_download_files_check_their_arguments(self):
        step = {"name": "prep", "status": "Completed", "attempt": 1, "metrics": [], "tags": {}, "reused": False,
                "outputs": [{"name": "table", "container": "pipeline-data", "path": "r1/prep/table/",
                             "files": [{"name": "part-0.csv", "size": 4}]}], "links": {}}
        ws, transport = workspace({
            ("GET", "runs/r1"): {"id": "r1", "status": "Completed", "steps": [step]},
            ("GET", "runs/r1/steps/prep/outputs/table/download"): "a,b\n",
            ("GET", "runs/r1/steps/prep/files"): {"value": [{"name": "outputs/a.txt", "size": 1}]},
            ("GET", "runs/r1/steps/prep/files/download"): "x"})
        prep = PipelineRun(Experiment(ws, "e"), "r1").find_step_run("prep")[0]
        reference = prep.get_output_data("table")
        self.assertEqual((reference.name, reference.datastore_name, reference.path_on_datastore),
                         ("table", "pipeline-data", "r1/prep/table/"))
        out = io.StringIO()
        folder = reference.download(self.dir, show_progress=False)
        self.assertTrue(os.path.isfile(os.path.join(folder, "part-0.csv")))
        with self.assertRaises(UserErrorException):
            reference.download(self.dir)  # exists, and overwrite defaults to False
        reference.download(local_path=self.dir, overwrite=True, show_progress=False)
        with self.assertRaises(UserErrorException):
            prep.get_output_data("nope")
        with self.assertRaises(UserErrorException):
            prep.download_files(output_directory=self.dir, output_paths=[])  # one path per file, as in v1
        prep.download_files(prefix="outputs/", output_directory=os.path.join(self.dir, "flat"), append_prefix=False)
        self.assertTrue(os.path.isfile(os.path.join(self.dir, "flat", "a.txt")))
        self.assertEqual(out.getvalue(), "")


class OutputTabular(TempDirTest):
    def test_output_tabular_dataset_config_comes_only_from_read_delimited_files(self):
        with self.assertRaises(UserErrorException):
            OutputTabularDatasetConfig()
        tabular = OutputFileDatasetConfig(name="o").read_delimited_files()
        self.assertIsInstance(tabular, OutputTabularDatasetConfig)
        with self.assertRaises(UserErrorException):
            tabular.read_delimited_files()
