"""A ParallelRunStep pipeline as a v1 user writes it: built, submitted, waited for and its append_row output
downloaded with ``get_output_data(...).download(...)``. Started by test/integration/python/azuremlFlow.test.ts
(the stack has ``diabetes/diabetes.csv`` in workspaceblobstore)."""

import contextlib
import io
import os
import shutil
import tempfile
import unittest

from azureml.core import Datastore, Experiment, Workspace
from azureml.pipeline.core import Pipeline, PipelineData
from azureml.pipeline.steps import ParallelRunConfig, ParallelRunStep

NEEDS_STACK = "needs the local stack: run through npm test (test/integration/python/azuremlFlow.test.ts)"

ENTRY_SCRIPT = '''import os
from azureml_user.parallel_run import EntryScript


def init():
    EntryScript().logger.info("counting lines")


def run(mini_batch):
    rows = []
    for path in mini_batch:
        with open(path) as f:
            rows.append("%s %d" % (os.path.basename(path), sum(1 for _ in f)))
    return rows
'''


@unittest.skipUnless(os.environ.get("SLUICE_URL"), NEEDS_STACK)
class ParallelRun(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="sluice-py-parallel-")
        self.addCleanup(shutil.rmtree, self.tmp, True)

    def test_build_submit_and_download_the_append_row_file(self):
        ws = Workspace.from_config()
        source = os.path.join(self.tmp, "src")
        os.makedirs(source)
        with open(os.path.join(source, "count.py"), "w") as f:
            f.write(ENTRY_SCRIPT)
        files = Datastore.get(ws, "workspaceblobstore").path("diabetes/", data_reference_name="csv_files")
        counts = PipelineData("line_counts", datastore=ws.get_default_datastore())
        config = ParallelRunConfig(environment=None, entry_script="count.py", source_directory=source,
                                   error_threshold=0, output_action="append_row", compute_target="cpu",
                                   node_count=1, process_count_per_node=2, mini_batch_size="1")
        step = ParallelRunStep(name="count-lines", parallel_run_config=config, inputs=[files], output=counts,
                               allow_reuse=False)
        run = Experiment(ws, "py-parallel").submit(Pipeline(ws, [step]))
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            status = run.wait_for_completion(show_output=True)
        self.assertEqual(status, "Completed", printed.getvalue())
        self.assertIn("StepRun( count-lines ) Status: Completed", printed.getvalue())

        step_run = run.find_step_run("count-lines")[0]
        folder = step_run.get_output_data("line_counts").download(os.path.join(self.tmp, "out"),
                                                                  show_progress=False)
        with open(os.path.join(folder, "parallel_run_step.txt")) as f:
            rows = f.read().splitlines()
        # diabetes.csv: a header and 2000 rows (azuremlFlow.test.ts generates it)
        self.assertEqual(rows, ["diabetes.csv 2001"])
        self.assertEqual(step_run.get_metrics()["mini_batches_completed"], 1)
