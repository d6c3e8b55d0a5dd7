"""ParallelRunConfig / ParallelRunStep take v1's arguments and become a spec ``type: parallel`` step; the driver
(azureml_user.parallel_run._driver) answers the worker's protocol as docs/parallel-run.md says."""

import json
import os
import subprocess
import sys

from azureml.data import DataReference
from azureml.pipeline.core import Pipeline, PipelineData
from azureml.pipeline.steps import ParallelRunConfig, ParallelRunStep

from .support import TempDirTest, workspace

PACKAGE_DIR = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def config(**overrides):
    kwargs = dict(environment=None, entry_script="score.py", error_threshold=10, output_action="append_row",
                  compute_target="cpu", node_count=2, process_count_per_node=2, mini_batch_size="5",
                  source_directory="scripts")
    kwargs.update(overrides)
    return ParallelRunConfig(**kwargs)


class Config(TempDirTest):
    def setUp(self):
        TempDirTest.setUp(self)
        self.write("scripts/score.py", "def run(mini_batch):\n    return mini_batch\n")
        self.ws, _ = workspace()

    def test_v1_positional_signature_and_defaults(self):
        c = ParallelRunConfig(None, "score.py", 10, "append_row", "cpu", 2)
        self.assertEqual((c.entry_script, c.error_threshold, c.output_action, c.compute_target, c.node_count),
                         ("score.py", 10, "append_row", "cpu", 2))
        self.assertEqual((c.logging_level, c.run_invocation_timeout, c.run_max_try, c.process_count_per_node),
                         ("INFO", 60, 3, None))

    def test_mini_batch_size_is_a_count_or_a_size(self):
        self.assertEqual(config(mini_batch_size="5").mini_batch_size, 5)
        self.assertEqual(config(mini_batch_size=7).mini_batch_size, 7)
        self.assertEqual(config(mini_batch_size="1kb").mini_batch_size, "1KB")
        with self.assertRaises(ValueError) as caught:
            config(mini_batch_size="lots")
        self.assertIn("mini_batch_size", str(caught.exception))

    def test_bad_values_name_their_argument(self):
        for kwargs, name in [({"output_action": "merge"}, "output_action"), ({"node_count": 0}, "node_count"),
                             ({"error_threshold": -2}, "error_threshold"), ({"run_max_try": 0}, "run_max_try"),
                             ({"allowed_failed_percent": 150}, "allowed_failed_percent"),
                             ({"logging_level": "LOUD"}, "logging_level"), ({"entry_script": ""}, "entry_script"),
                             ({"append_row_file_name": "../x.txt"}, "append_row_file_name")]:
            with self.assertRaises(ValueError, msg=name) as caught:
                config(**kwargs)
            self.assertIn(name, str(caught.exception))
        with self.assertRaises(NotImplementedError):
            config(partition_keys=["region"])

    def test_the_step_becomes_a_parallel_spec_step_with_side_inputs_and_one_output(self):
        images = DataReference("workspaceblobstore", data_reference_name="images", path_on_datastore="img/")
        labels = DataReference("workspaceblobstore", data_reference_name="labels", path_on_datastore="labels.txt")
        scores = PipelineData("scores")
        step = ParallelRunStep(name="batch-score", parallel_run_config=config(allowed_failed_percent=5,
                                                                              append_row_file_name="out.txt"),
                               inputs=[images], side_inputs=[labels], output=scores,
                               arguments=["--labels", labels], allow_reuse=False)
        spec, sources = Pipeline(self.ws, [step])._spec("p")
        self.assertEqual(spec["steps"], [{
            "name": "batch-score", "type": "parallel", "source_directory": "scripts", "entry_script": "score.py",
            "mini_batch_size": 5, "error_threshold": 10, "output_action": "append_row", "node_count": 2,
            "run_invocation_timeout": 60, "run_max_try": 3, "logging_level": "INFO", "process_count_per_node": 2,
            "append_row_file_name": "out.txt", "allowed_failed_percent": 5,
            "arguments": ["--labels", "${{inputs.labels}}"], "compute": "cpu", "allow_reuse": False,
            "inputs": ["images"], "side_inputs": ["labels"], "output": "scores"}])
        self.assertEqual(sorted(spec["inputs"]), ["images", "labels"])
        self.assertEqual(sources, {"scripts": os.path.join(self.dir, "scripts")})

    def test_the_step_checks_its_arguments(self):
        images = DataReference("workspaceblobstore", data_reference_name="images", path_on_datastore="img/")
        with self.assertRaises(ValueError) as caught:
            ParallelRunStep("s", config(), inputs=[images])
        self.assertIn("output", str(caught.exception))
        with self.assertRaises(ValueError):
            ParallelRunStep("s", {"entry_script": "x"}, inputs=[images], output=PipelineData("o"))
        with self.assertRaises(ValueError):
            ParallelRunStep("s", config(), inputs=[], output=PipelineData("o"))
        with self.assertRaises(ValueError) as caught:
            ParallelRunStep("s", config(entry_script="missing.py"), inputs=[images], output=PipelineData("o"))
        self.assertIn("missing.py", str(caught.exception))


class Driver(TempDirTest):
    """The driver as the worker runs it: mini-batches on stdin, answers on fd 3."""

    def drive(self, script, messages):
        self.write("entry.py", script)
        for name in ("a.txt", "b.txt"):
            self.write(name, "x")
        read_fd, write_fd = os.pipe()
        env = dict(os.environ, PYTHONPATH=PACKAGE_DIR, SLUICE_PARALLEL_CHANNEL_FD=str(write_fd))
        proc = subprocess.Popen([sys.executable, "-m", "azureml_user.parallel_run._driver", "entry.py", "--k", "v"],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                pass_fds=(write_fd,), env=env, cwd=self.dir)
        os.close(write_fd)
        out, err = proc.communicate("".join(json.dumps(m) + "\n" for m in messages).encode(), timeout=60)
        with os.fdopen(read_fd) as f:
            answers = [json.loads(line) for line in f.read().splitlines()]
        return proc.returncode, answers, (out + err).decode()

    def test_init_once_run_per_mini_batch_then_shutdown(self):
        script = ("import sys\nfrom azureml_user.parallel_run import EntryScript\ncalls = []\n"
                  "def init():\n    print('init', sys.argv[1:])\n"
                  "def run(mini_batch):\n    EntryScript().logger.info('batch')\n"
                  "    if 'b.txt' in mini_batch[0]:\n        raise ValueError('bad b')\n"
                  "    return [p.rsplit('/', 1)[-1] for p in mini_batch]\n"
                  "def shutdown():\n    print('shutdown called')\n")
        a, b = os.path.join(self.dir, "a.txt"), os.path.join(self.dir, "b.txt")
        code, answers, output = self.drive(script, [{"index": 0, "files": [a]}, {"index": 1, "files": [b]},
                                                    {"stop": True}])
        self.assertEqual(code, 0, output)
        self.assertEqual(answers[0], {"event": "ready"})
        self.assertEqual(answers[1], {"event": "done", "index": 0, "rows": ["a.txt"], "failed_items": 0})
        self.assertEqual((answers[2]["event"], answers[2]["index"]), ("failed", 1))
        self.assertIn("ValueError: bad b", answers[2]["error"])
        self.assertIn("init ['--k', 'v']", output)
        self.assertIn("shutdown called", output)

    def test_init_raising_is_reported_and_ends_the_process(self):
        code, answers, _ = self.drive("def init():\n    raise RuntimeError('no model')\ndef run(b):\n    return b\n",
                                      [])
        self.assertEqual(code, 1)
        self.assertEqual(answers[0]["event"], "init_failed")
        self.assertIn("RuntimeError: no model", answers[0]["error"])

    def test_a_range_of_rows_is_read_with_the_tabular_datasets_options(self):
        # No header line, ';' between fields, latin-1 text, no type inference (08 stays 08), the file's path as a column.
        path = os.path.join(self.dir, "t.csv")
        with open(path, "wb") as f:
            f.write("1;caf\u00e9;07\n2;th\u00e9;08\n3;eau;09\n".encode("latin-1"))
        start = len("1;caf\u00e9;07\n".encode("latin-1"))
        options = {"separator": ";", "header": False, "encoding": "iso88591", "includePath": True,
                   "inferColumnTypes": False}
        script = ("def run(frame):\n"
                  "    return ['%s %s %s %s' % (r['Path'], r['Column1'], r['Column2'], r['Column3'])\n"
                  "            for _, r in frame.iterrows()]\n")
        code, answers, output = self.drive(script, [
            {"index": 0, "table": {"file": path, "start": start, "end": os.path.getsize(path), "rel": "sub/t.csv",
                                   "options": options}}, {"stop": True}])
        self.assertEqual(code, 0, output)
        self.assertEqual(answers[1]["rows"], ["/sub/t.csv 2 th\u00e9 08", "/sub/t.csv 3 eau 09"], output)

    def test_a_range_without_options_has_the_files_header_and_commas(self):
        path = os.path.join(self.dir, "t.csv")
        self.write("t.csv", "id,value\n1,10\n2,20\n")
        script = "def run(frame):\n    return ['%s=%s' % (c, frame[c].sum()) for c in frame.columns]\n"
        code, answers, output = self.drive(script, [
            {"index": 0, "table": {"file": path, "start": len("id,value\n"), "end": os.path.getsize(path)}},
            {"stop": True}])
        self.assertEqual(code, 0, output)
        self.assertEqual(answers[1]["rows"], ["id=3", "value=30"])

    def test_a_script_without_run_fails_init(self):
        code, answers, _ = self.drive("def init():\n    pass\n", [])
        self.assertEqual(code, 1)
        self.assertIn("defines no run(mini_batch)", answers[0]["error"])


class DatasetInputs(TempDirTest):
    def setUp(self):
        TempDirTest.setUp(self)
        self.write("scripts/score.py", "def run(mini_batch):\n    return mini_batch\n")
        self.ws, _ = workspace()

    def test_a_dataset_input_is_described_in_the_steps_environment(self):
        from azureml.core import Dataset

        texts = Dataset.File.from_files(path=("workspaceblobstore", "docs/*.txt"), validate=False)
        step = ParallelRunStep(name="s", parallel_run_config=config(), inputs=[texts.as_named_input("texts")],
                               output=PipelineData("out"))
        spec, _ = Pipeline(self.ws, [step])._spec("p")
        entry = spec["steps"][0]
        self.assertEqual((entry["inputs"], entry["output"]), (["texts"], "out"))
        described = json.loads(entry["env"]["AZUREML_DATASET_INPUTS"])
        self.assertEqual((described["texts"]["kind"], described["texts"]["pattern"]), ("file", "*.txt"))
        self.assertEqual(spec["inputs"]["texts"], {"datastore": "workspaceblobstore", "path": "docs/"})
