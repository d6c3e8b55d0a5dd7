"""``Dataset``: v1's factories, registration, lookup and consumption against an in-memory server; the pipeline
builder's dataset inputs; ``input_datasets`` inside a step."""

import json
import os
import sys
import unittest
from unittest import mock

from azureml.core import Dataset, Datastore
from azureml.data import DataPath, DataType, TabularDataset
from azureml.data.dataset_consumption_config import DatasetConsumptionConfig
from azureml.data.dataset_error_handling import DatasetValidationError
from azureml.exceptions import UserErrorException
from azureml.pipeline.core import Pipeline
from azureml.pipeline.steps import PythonScriptStep

from .fake_data_server import FakeDataServer
from .support import TempDirTest

try:
    import pandas  # noqa: F401
    HAVE_PANDAS = True
except ImportError:
    HAVE_PANDAS = False


class Datasets(TempDirTest):
    def setUp(self):
        TempDirTest.setUp(self)
        self.server = FakeDataServer()
        self.ws = self.server.workspace()
        self.store = Datastore.get(self.ws, "workspaceblobstore")
        for name, text in (("diabetes/a.csv", "x,y\n1,a\n2,b\n"), ("diabetes/b.csv", "x,y\n3,c\n"),
                           ("diabetes/readme.txt", "hello"), ("images/1.png", "p1"), ("images/sub/2.png", "p2")):
            self.server.blobs[("workspaceblobstore", name)] = text.encode()

    def test_from_delimited_files_records_v1s_options(self):
        ds = Dataset.Tabular.from_delimited_files(path=[(self.store, "diabetes/*.csv")], separator=";", header=False,
                                                  include_path=True, set_column_types={"x": DataType.to_long()},
                                                  encoding="latin1", empty_as_string=True)
        self.assertIsInstance(ds, TabularDataset)
        definition = ds._definition()
        self.assertEqual(definition["kind"], "tabular")
        self.assertEqual(definition["paths"], [{"datastore": "workspaceblobstore", "path": "diabetes/*.csv"}])
        self.assertEqual(definition["delimited"], {
            "separator": ";", "header": False, "encoding": "latin1", "includePath": True, "inferColumnTypes": True,
            "supportMultiLine": False, "emptyAsString": True, "setColumnTypes": {"x": "long"}})
        self.assertIsNone(ds.name)

    def test_validate_raises_v1s_error_when_nothing_matches(self):
        with self.assertRaises(DatasetValidationError) as caught:
            Dataset.Tabular.from_delimited_files(path=(self.store, "nothing/*.csv"))
        self.assertIn("Cannot load any data from the specified path", str(caught.exception))
        self.assertIsInstance(caught.exception, UserErrorException)
        ds = Dataset.File.from_files(path=(self.store, "nothing/"), validate=False)
        self.assertEqual(ds.to_path(), [])

    def test_paths_must_be_datastore_pairs_inside_the_datastore(self):
        for bad in ("diabetes/a.csv", 42, [(self.store, "../x")]):
            with self.assertRaises(UserErrorException):
                Dataset.File.from_files(path=bad)
        with self.assertRaises(NotImplementedError):
            Dataset.File.from_files(path="https://example.com/data.csv")
        with self.assertRaises(UserErrorException):
            Dataset.Tabular.from_delimited_files(path=(self.store, "diabetes/*.csv"), separator="")

    def test_file_datasets_over_folders_globs_and_datapaths(self):
        folder = Dataset.File.from_files(path=(self.store, "images"))
        self.assertEqual(folder.to_path(), ["/1.png", "/sub/2.png"])
        glob = Dataset.File.from_files(path=[DataPath(self.store, "images/**/*.png")])
        self.assertEqual(glob.to_path(), ["/1.png", "/sub/2.png"])
        one = Dataset.File.from_files(path=(self.store, "diabetes/a.csv"), is_file=True)
        self.assertEqual(one.to_path(), ["/a.csv"])
        files = folder.download(target_path="out")
        self.assertEqual(sorted(os.path.relpath(f, "out") for f in files), ["1.png", os.path.join("sub", "2.png")])
        with self.assertRaises(UserErrorException):
            folder.download(target_path="out")
        self.assertEqual(len(folder.download(target_path="out", overwrite=True)), 2)
        with folder.mount() as mounted:
            with open(os.path.join(mounted.mount_point, "sub", "2.png")) as f:
                self.assertEqual(f.read(), "p2")
            where = mounted.mount_point
        self.assertFalse(os.path.exists(where))

    def test_register_versions_and_lookups(self):
        ds = Dataset.Tabular.from_delimited_files(path=(self.store, "diabetes/*.csv"))
        first = ds.register(workspace=self.ws, name="diabetes", description="d", tags={"a": 1})
        self.assertEqual((first.name, first.version, first.description, first.tags), ("diabetes", 1, "d", {"a": "1"}))
        self.assertEqual(self.server.calls[-1]["json_body"]["createNewVersion"], False)
        again = ds.register(self.ws, "diabetes")
        self.assertEqual(again.version, 1)
        other = Dataset.Tabular.from_delimited_files(path=(self.store, "diabetes/a.csv"))
        with self.assertRaises(UserErrorException) as caught:
            other.register(self.ws, "diabetes")
        self.assertIn("create_new_version=True", str(caught.exception))
        second = other.register(self.ws, "diabetes", create_new_version=True)
        self.assertEqual(second.version, 2)
        self.assertEqual(Dataset.get_by_name(self.ws, "diabetes").version, 2)
        self.assertEqual(Dataset.get_by_name(self.ws, name="diabetes", version=1)._paths[0]["path"],
                         "diabetes/*.csv")
        self.assertEqual(Dataset.get_by_id(self.ws, id=first.id).version, 1)
        self.assertEqual(list(self.ws.datasets), ["diabetes"])
        self.assertIsInstance(self.ws.datasets["diabetes"], TabularDataset)
        with self.assertRaises(UserErrorException) as caught:
            Dataset.get_by_name(self.ws, "nope")
        self.assertIn('Cannot find dataset registered with name "nope"', str(caught.exception))
        with self.assertRaises(UserErrorException):
            Dataset.get_by_name(self.ws, "diabetes", version="two")
        with self.assertRaises(UserErrorException):
            Dataset.get_by_id(self.ws, "missing")

    def test_as_named_input_modes(self):
        ds = Dataset.File.from_files(path=(self.store, "images/"))
        config = ds.as_named_input("pics")
        self.assertIsInstance(config, DatasetConsumptionConfig)
        self.assertEqual((config.name, config.mode), ("pics", "direct"))
        self.assertEqual(config.as_mount().mode, "mount")
        self.assertEqual(config.as_download(path_on_compute="/tmp/x").path_on_compute, "/tmp/x")
        with self.assertRaises(ValueError):
            ds.as_named_input("bad name")

    @unittest.skipUnless(HAVE_PANDAS, "pandas is not installed for this interpreter (tests run with /usr/bin/python3 "
                                      "and Debian's python3-pandas)")
    def test_to_pandas_dataframe_reads_every_matching_file_and_take_limits_rows(self):
        ds = Dataset.Tabular.from_delimited_files(path=(self.store, "diabetes/*.csv"), include_path=True)
        frame = ds.to_pandas_dataframe()
        self.assertEqual(list(frame["x"]), [1, 2, 3])
        self.assertEqual(list(frame["Path"]), ["/a.csv", "/a.csv", "/b.csv"])
        self.assertEqual(len(ds.take(2).to_pandas_dataframe()), 2)
        typed = Dataset.Tabular.from_delimited_files(path=(self.store, "diabetes/a.csv"), infer_column_types=False)
        self.assertEqual(list(typed.to_pandas_dataframe()["x"]), ["1", "2"])

    def test_without_pandas_the_error_names_the_packages(self):
        ds = Dataset.Tabular.from_delimited_files(path=(self.store, "diabetes/*.csv"))
        with mock.patch.dict(sys.modules, {"pandas": None}):
            with self.assertRaises(ImportError) as caught:
                ds.to_pandas_dataframe()
        self.assertIn("python3-pandas", str(caught.exception))
        self.assertIn("pip install pandas", str(caught.exception))


class DatasetInputs(TempDirTest):
    def setUp(self):
        TempDirTest.setUp(self)
        self.server = FakeDataServer()
        self.ws = self.server.workspace()
        self.store = Datastore.get(self.ws, "workspaceblobstore")
        self.server.blobs[("workspaceblobstore", "diabetes/a.csv")] = b"x\n1\n"
        self.write("scripts/prep.py", "")

    def test_a_registered_dataset_input_is_named_for_the_server_to_resolve(self):
        ds = Dataset.Tabular.from_delimited_files(path=(self.store, "diabetes/*.csv")).register(self.ws, "diabetes")
        step = PythonScriptStep("prep.py", name="prep", source_directory="scripts",
                                arguments=["--data", ds.as_named_input("raw").as_mount()],
                                inputs=[ds.as_named_input("raw")])
        spec, _ = Pipeline(self.ws, [step])._spec()
        self.assertEqual(spec["inputs"], {"raw": {"dataset": "diabetes", "version": 1, "mode": "mount"}})
        entry = spec["steps"][0]
        self.assertEqual(entry["inputs"], ["raw"])
        self.assertEqual(entry["arguments"], ["--data", "${{inputs.raw}}"])
        self.assertNotIn("AZUREML_DATASET_INPUTS", entry.get("env", {}), "the server describes it at submit")
        direct = PythonScriptStep("prep.py", name="prep", source_directory="scripts",
                                  inputs=[ds.as_named_input("raw")])
        self.assertEqual(Pipeline(self.ws, [direct])._spec()[0]["inputs"],
                         {"raw": {"dataset": "diabetes", "version": 1}})
        other = Dataset.File.from_files(path=(self.store, "diabetes/")).register(self.ws, "other")
        clash = PythonScriptStep("prep.py", name="prep", source_directory="scripts",
                                 inputs=[ds.as_named_input("raw"), other.as_named_input("raw")])
        with self.assertRaises(ValueError):
            Pipeline(self.ws, [clash])._spec()

    def test_an_unregistered_dataset_input_becomes_a_spec_input_and_a_step_variable(self):
        ds = Dataset.Tabular.from_delimited_files(path=(self.store, "diabetes/*.csv"))
        step = PythonScriptStep("prep.py", name="prep", source_directory="scripts",
                                arguments=["--data", ds.as_named_input("raw").as_mount()],
                                inputs=[ds.as_named_input("raw")])
        spec, _ = Pipeline(self.ws, [step])._spec()
        self.assertEqual(spec["inputs"], {"raw": {"datastore": "workspaceblobstore", "path": "diabetes/"}})
        entry = spec["steps"][0]
        described = json.loads(entry["env"]["AZUREML_DATASET_INPUTS"])
        self.assertEqual((described["raw"]["pattern"], described["raw"]["mode"], described["raw"]["kind"]),
                         ("*.csv", "mount", "tabular"))
        self.assertIsNone(described["raw"]["version"])

    def test_a_dataset_of_several_paths_is_refused_as_a_step_input(self):
        ds = Dataset.File.from_files(path=[(self.store, "diabetes/a.csv"), (self.store, "diabetes/")])
        step = PythonScriptStep("prep.py", source_directory="scripts", inputs=[ds.as_named_input("raw")])
        with self.assertRaises(NotImplementedError) as caught:
            Pipeline(self.ws, [step])._spec()
        self.assertIn("one (datastore, path)", str(caught.exception))

    @unittest.skipUnless(HAVE_PANDAS, "pandas is not installed for this interpreter (tests run with /usr/bin/python3 "
                                      "and Debian's python3-pandas)")
    def test_inside_a_step_a_direct_tabular_input_reads_the_downloaded_files(self):
        from sluice import run as step_run

        self.write("inputs/raw/a.csv", "x\n1\n2\n")
        self.write("inputs/raw/notes.txt", "not a csv")
        described = json.dumps({"raw": {"kind": "tabular", "mode": "direct", "pattern": "*.csv", "name": "diabetes",
                                        "version": 3, "id": "i", "options": {"separator": ","}},
                                "files": {"kind": "file", "mode": "mount", "pattern": None, "options": {}}})
        inputs = step_run._dataset_inputs({"raw": os.path.join(self.dir, "inputs", "raw"), "files": "/x"}, described)
        self.assertEqual(inputs["files"], "/x")
        self.assertIsInstance(inputs["raw"], TabularDataset)
        self.assertEqual((inputs["raw"].name, inputs["raw"].version), ("diabetes", 3))
        self.assertEqual(list(inputs["raw"].to_pandas_dataframe()["x"]), [1, 2])
