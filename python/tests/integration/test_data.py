"""Datastores and datasets through the azureml package, against the real local stack (started by
test/integration/python/azuremlFlow.test.ts): uploads through the API, tabular and file datasets with versions,
to_pandas_dataframe, a pipeline with a named dataset input that is reused when nothing changed and runs again when
the data did, and the errors users catch."""

import contextlib
import io
import os
import shutil
import tempfile
import unittest
import uuid

from azureml.core import Dataset, Datastore, Experiment, Workspace
from azureml.data import FileDataset, TabularDataset
from azureml.data.dataset_error_handling import DatasetValidationError
from azureml.exceptions import UserErrorException
from azureml.pipeline.core import Pipeline
from azureml.pipeline.steps import PythonScriptStep

NEEDS_STACK = "needs the local stack: run through npm test (test/integration/python/azuremlFlow.test.ts)"

try:
    import pandas  # noqa: F401
    HAVE_PANDAS = True
except ImportError:
    HAVE_PANDAS = False

STEP_SCRIPT = """
import argparse, csv, os
from azureml.core import Run
parser = argparse.ArgumentParser()
parser.add_argument("--files")
args = parser.parse_args()
run = Run.get_context()
table = run.input_datasets["table"]
assert type(table).__name__ == "TabularDataset", type(table)
rows = 0
for folder, _, names in os.walk(args.files):
    for name in sorted(names):
        if name.endswith(".csv"):
            with open(os.path.join(folder, name)) as f:
                rows += sum(1 for _ in csv.DictReader(f))
run.log("rows", rows)
run.log("table_version", table.version)
print("rows", rows, "from", args.files, "dataset", table.name, table.version)
"""


@unittest.skipUnless(os.environ.get("SLUICE_URL"), NEEDS_STACK)
class Data(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.ws = Workspace.from_config()
        cls.tmp = tempfile.mkdtemp(prefix="sluice-py-data-")
        cls.prefix = "py-data-%s" % uuid.uuid4().hex[:8]
        cls.store = Datastore.get(cls.ws, "workspaceblobstore")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, True)

    def write(self, rel, text):
        path = os.path.join(self.tmp, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)
        return path

    def test_upload_download_and_register_a_container(self):
        self.write("up/a.csv", "x,y\n1,2\n")
        self.write("up/sub/b.csv", "x,y\n3,4\n")
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            ref = self.store.upload(src_dir=os.path.join(self.tmp, "up"), target_path=self.prefix + "/up",
                                    show_progress=True)
        self.assertIn("Uploaded 2 files", out.getvalue())
        self.assertEqual(ref.path_on_datastore, self.prefix + "/up")
        with contextlib.redirect_stdout(io.StringIO()) as skipped:
            self.store.upload(src_dir=os.path.join(self.tmp, "up"), target_path=self.prefix + "/up")
        self.assertIn("Skipping upload", skipped.getvalue())
        target = os.path.join(self.tmp, "down")
        n = self.store.download(target_path=target, prefix=self.prefix + "/up", show_progress=False)
        self.assertEqual(n, 2)
        with open(os.path.join(target, self.prefix, "up", "sub", "b.csv")) as f:
            self.assertEqual(f.read(), "x,y\n3,4\n")

        name = "py_data_%s" % uuid.uuid4().hex[:8]
        account = self.store.account_name
        with self.assertRaises(UserErrorException) as caught:
            Datastore.register_azure_blob_container(self.ws, name, "py-data-missing", account)
        self.assertIn("createIfNotExists", str(caught.exception))
        with self.assertRaises(UserErrorException) as caught:
            Datastore.register_azure_blob_container(self.ws, name, "py-data", "someotheraccount")
        self.assertIn("account_key", str(caught.exception))  # the emulator has no managed identity
        created = Datastore.register_azure_blob_container(self.ws, name, "py-data-" + self.prefix[-8:], account,
                                                          create_if_not_exists=True)
        self.assertEqual(Datastore.get(self.ws, name).container_name, created.container_name)
        self.ws.set_default_datastore(name)
        try:
            self.assertEqual(self.ws.get_default_datastore().name, name)
        finally:
            self.ws.set_default_datastore("workspaceblobstore")
        self.assertEqual(self.ws.get_default_datastore().name, "workspaceblobstore")

    def test_datasets_register_versions_read_and_errors(self):
        for i in range(3):
            self.write("ds/part-%d.csv" % i, "x,y\n%d,%d\n%d,%d\n" % (i, i * 2, i + 10, i * 3))
        self.write("ds/readme.txt", "not data")
        self.store.upload(os.path.join(self.tmp, "ds"), self.prefix + "/ds", show_progress=False)
        name = "py-tab-%s" % uuid.uuid4().hex[:8]
        tab = Dataset.Tabular.from_delimited_files(path=[(self.store, self.prefix + "/ds/*.csv")])
        first = tab.register(workspace=self.ws, name=name, description="three parts", tags={"kind": "csv"})
        self.assertEqual((first.version, first.description, first.tags), (1, "three parts", {"kind": "csv"}))
        self.assertEqual(tab.register(self.ws, name).version, 1)
        two = Dataset.Tabular.from_delimited_files(path=(self.store, self.prefix + "/ds/part-0.csv"))
        with self.assertRaises(UserErrorException):
            two.register(self.ws, name)
        self.assertEqual(two.register(self.ws, name, create_new_version=True).version, 2)
        self.assertEqual(Dataset.get_by_name(self.ws, name).version, 2)
        got = Dataset.get_by_name(self.ws, name, version=1)
        self.assertIsInstance(got, TabularDataset)
        self.assertEqual(Dataset.get_by_id(self.ws, got.id).version, 1)
        self.assertIn(name, self.ws.datasets)
        if HAVE_PANDAS:
            frame = got.to_pandas_dataframe()
            self.assertEqual(len(frame), 6)
            self.assertEqual(sorted(frame["x"]), [0, 1, 2, 10, 11, 12])
            self.assertEqual(len(got.take(4).to_pandas_dataframe()), 4)

        files = Dataset.File.from_files(path=(self.store, self.prefix + "/ds")).register(self.ws, name + "-files")
        self.assertIsInstance(files, FileDataset)
        self.assertEqual(files.to_path(), ["/part-0.csv", "/part-1.csv", "/part-2.csv", "/readme.txt"])
        local = files.download(target_path=os.path.join(self.tmp, "files"))
        self.assertEqual(len(local), 4)
        with files.mount() as mounted:
            self.assertTrue(os.path.isfile(os.path.join(mounted.mount_point, "readme.txt")))

        with self.assertRaises(UserErrorException) as caught:
            Dataset.get_by_name(self.ws, "no-such-dataset-%s" % uuid.uuid4().hex[:6])
        self.assertIn("Cannot find dataset registered with name", str(caught.exception))
        with self.assertRaises(DatasetValidationError):
            Dataset.File.from_files(path=(self.store, self.prefix + "/nothing-here/*.csv"))

    def test_a_pipeline_with_a_dataset_input_is_reused_until_the_data_changes(self):
        folder = self.prefix + "/pipe/"
        self.write("pipe/a.csv", "x\n1\n2\n")
        self.store.upload(os.path.join(self.tmp, "pipe"), folder, show_progress=False)
        scripts = os.path.join(self.tmp, "scripts")
        self.write("scripts/count.py", STEP_SCRIPT)
        name = "py-pipe-%s" % uuid.uuid4().hex[:8]
        ds = Dataset.Tabular.from_delimited_files(path=(self.store, folder + "*.csv")).register(self.ws, name)

        def submit():
            step = PythonScriptStep(name="count", source_directory=scripts, script_name="count.py",
                                    arguments=["--files", ds.as_named_input("files").as_mount()],
                                    inputs=[ds.as_named_input("table")], compute_target="cpu")
            run = Experiment(self.ws, "py-datasets").submit(Pipeline(self.ws, [step]))
            self.assertEqual(run.wait_for_completion(show_output=False), "Completed")
            return list(run.get_children())[0]

        first = submit()
        self.assertFalse(first.reused)
        self.assertEqual(first.get_metrics()["rows"], 2)
        self.assertEqual(first.get_metrics()["table_version"], 1)
        again = submit()
        self.assertTrue(again.reused)
        self.write("pipe2/b.csv", "x\n3\n4\n5\n")
        self.store.upload(os.path.join(self.tmp, "pipe2"), folder, show_progress=False)
        changed = submit()
        self.assertFalse(changed.reused)
        self.assertEqual(changed.get_metrics()["rows"], 5)

    @unittest.skipUnless(HAVE_PANDAS, "pandas is not installed for this interpreter")
    def test_an_output_registered_on_complete_is_a_tabular_dataset_for_the_next_step_and_the_registry(self):
        from azureml.data import OutputFileDatasetConfig

        scripts = os.path.join(self.tmp, "out-scripts")
        self.write("out-scripts/write.py", "import os, sys\nos.makedirs(sys.argv[1], exist_ok=True)\n"
                   "open(os.path.join(sys.argv[1], 'part-0.csv'), 'w').write('x;y\\n1;a\\n2;b\\n3;c\\n')\n"
                   "open(os.path.join(sys.argv[1], 'notes.txt'), 'w').write('not a table')\n")
        self.write("out-scripts/read.py", "from azureml.core import Run\nrun = Run.get_context()\n"
                   "table = run.input_datasets['prepped']\n"
                   "assert type(table).__name__ == 'TabularDataset', type(table)\n"
                   "frame = table.to_pandas_dataframe()\nrun.log('rows', len(frame))\n"
                   "run.log('columns', ','.join(frame.columns))\n")
        name = "py-out-%s" % uuid.uuid4().hex[:8]
        prepped = OutputFileDatasetConfig(name="prepped").read_delimited_files(
            separator=";", path_glob="*.csv").register_on_complete(name, tags={"from": "test"})
        write = PythonScriptStep(name="write", source_directory=scripts, script_name="write.py",
                                 arguments=[prepped], compute_target="cpu", allow_reuse=False)
        read = PythonScriptStep(name="read", source_directory=scripts, script_name="read.py",
                                inputs=[prepped.as_input("prepped")], compute_target="cpu", allow_reuse=False)
        run = Experiment(self.ws, "py-output-datasets").submit(Pipeline(self.ws, [write, read]))
        self.assertEqual(run.wait_for_completion(show_output=False), "Completed")
        self.assertEqual(run.find_step_run("read")[0].get_metrics(), {"rows": 3, "columns": "x,y"})
        registered = Dataset.get_by_name(self.ws, name)
        self.assertIsInstance(registered, TabularDataset)
        self.assertEqual((registered.version, registered.tags), (1, {"from": "test"}))
        self.assertEqual(list(registered.to_pandas_dataframe()["x"]), [1, 2, 3])
        outputs = run.find_step_run("write")[0].get_details()["outputDatasets"]
        self.assertEqual([o.get("dataset") for o in outputs],
                         [{"name": name, "version": 1, "id": registered.id}])
