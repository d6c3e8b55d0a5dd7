"""``Experiment.start_logging()`` and the interactive run it returns, against v1's signatures (in-memory transport)."""

import io
import os

from azureml.core import Experiment, Run
from azureml.core._interactive_run import InteractiveRun
from azureml.exceptions import UserErrorException

from .support import TempDirTest, workspace


def record(status="Running", **extra):
    return dict({"id": "nb_1", "experiment": "e", "kind": "interactive", "status": status, "metrics": {},
                 "tags": {}, "steps": []}, **extra)


def started(routes=None):
    answers = {("POST", "experiments/e/interactive-runs"): record(),
               ("POST", "runs/nb_1/metrics"): {"metrics": {}},
               ("PUT", "runs/nb_1/files"): {"name": "x", "size": 1},
               ("POST", "runs/nb_1/end"): lambda **kw: record(kw["json_body"]["status"]),
               ("GET", "runs/nb_1"): record()}
    answers.update(routes or {})
    ws, transport = workspace(answers)
    return Experiment(ws, "e").start_logging(), transport


class InteractiveRuns(TempDirTest):
    def test_start_logging_takes_v1_arguments_and_refuses_others(self):
        run, transport = started()
        self.assertIsInstance(run, InteractiveRun)
        self.assertEqual(run.id, "nb_1")
        self.assertEqual(transport.last("POST", "experiments/e/interactive-runs")["json_body"], {"tags": {}})
        ws, transport = workspace({("POST", "experiments/e/interactive-runs"): record()})
        Experiment(ws, "e").start_logging(display_name="try 1", tags={"a": 1})
        self.assertEqual(transport.last()["json_body"], {"tags": {"a": "1"}, "displayName": "try 1"})
        with self.assertRaises(UserErrorException) as caught:
            Experiment(ws, "e").start_logging(outptus="x")
        self.assertIn("outptus", str(caught.exception))
        with self.assertRaises(UserErrorException):
            Experiment(ws, "e").start_logging(snapshot_directory=os.path.join(self.dir, "missing"))

    def test_log_variants_send_the_kinds_the_server_folds(self):
        run, transport = started()
        run.log("rows", 1000)
        run.log_list("sizes", [1, 2.5])
        run.log_row("roc", fpr=0.1, tpr=0.9)
        run.log_table("t", {"a": [1, 2], "b": [3]})
        sent = [c["json_body"]["metrics"][0] for c in transport.calls if c["path"] == "runs/nb_1/metrics"]
        self.assertEqual([(m["name"], m["kind"], m["value"]) for m in sent], [
            ("rows", "scalar", 1000), ("sizes", "list", [1, 2.5]), ("roc", "row", {"fpr": 0.1, "tpr": 0.9}),
            ("t", "row", {"a": 1, "b": 3}), ("t", "row", {"a": 2, "b": None})])
        with self.assertRaises(UserErrorException):
            run.log("", 1)
        with self.assertRaises(UserErrorException):
            run.log_image("roc")

    def test_log_image_uploads_the_file_and_logs_where_it_is(self):
        run, transport = started()
        path = self.write("plot.png", "png")
        run.log_image("ROC", path=path)
        upload = transport.last("PUT", "runs/nb_1/files")
        self.assertRegex(upload["query"]["path"], r"^ROC_\d+\.png$")
        logged = transport.last("POST", "runs/nb_1/metrics")["json_body"]["metrics"][0]
        self.assertEqual(logged["value"], "aml://artifactId/ExperimentRun/dcid.nb_1/" + upload["query"]["path"])

    def test_upload_file_folder_and_names_that_escape(self):
        run, transport = started()
        run.upload_file("outputs/a.txt", io.BytesIO(b"hi"))
        self.assertEqual(transport.last("PUT")["data"], b"hi")
        self.write("folder/x.txt", "x")
        self.write("folder/sub/y.txt", "y")
        self.assertEqual(sorted(run.upload_folder("out", os.path.join(self.dir, "folder"))),
                         ["out/sub/y.txt", "out/x.txt"])
        with self.assertRaises(UserErrorException):
            run.upload_file("../x", io.BytesIO(b"x"))
        with self.assertRaises(UserErrorException):
            run.upload_file("x", os.path.join(self.dir, "missing.txt"))

    def test_complete_fail_and_the_context_manager(self):
        run, transport = started()
        run.complete()
        self.assertEqual(transport.last("POST", "runs/nb_1/end")["json_body"], {"status": "Completed"})
        run, transport = started()
        run.fail(error_details="bad data", error_code="DataError")
        self.assertEqual(transport.last("POST", "runs/nb_1/end")["json_body"],
                         {"status": "Failed", "error": {"message": "bad data", "code": "DataError"}})
        run, transport = started()
        with self.assertRaises(ValueError):
            with run:
                raise ValueError("boom")
        self.assertEqual(transport.last("POST", "runs/nb_1/end")["json_body"]["status"], "Failed")
        run, transport = started()
        with run:
            pass
        self.assertEqual(transport.last("POST", "runs/nb_1/end")["json_body"]["status"], "Completed")

    def test_outputs_folder_is_uploaded_on_complete(self):
        self.write("outs/model.txt", "m")
        ws, transport = workspace({("POST", "experiments/e/interactive-runs"): record(),
                                   ("PUT", "runs/nb_1/files"): {"name": "x", "size": 1},
                                   ("POST", "runs/nb_1/end"): record("Completed")})
        run = Experiment(ws, "e").start_logging(outputs=os.path.join(self.dir, "outs"))
        run.complete()
        self.assertEqual(transport.last("PUT", "runs/nb_1/files")["query"], {"path": "outputs/model.txt"})

    def test_run_again_reads_metrics_and_files(self):
        ws, transport = workspace({("GET", "runs/nb_1"): record("Completed", metrics={"rows": 1000}),
                                   ("GET", "runs/nb_1/files"): {"value": [{"name": "outputs/a.txt", "size": 2}]},
                                   ("GET", "runs/nb_1/files/download"): "hi"})
        again = Run(Experiment(ws, "e"), "nb_1")
        self.assertEqual(again.get_metrics(), {"rows": 1000})
        self.assertEqual(again.get_metrics("rows"), {"rows": 1000})
        self.assertEqual(again.get_file_names(), ["outputs/a.txt"])
        again.download_files(output_directory=os.path.join(self.dir, "got"))
        with open(os.path.join(self.dir, "got", "outputs", "a.txt")) as f:
            self.assertEqual(f.read(), "hi")
        self.assertEqual(list(again.get_children()), [])

    def test_register_model_needs_a_file_of_the_run(self):
        run, _ = started({("GET", "runs/nb_1/files"): {"value": [{"name": "outputs/a.txt", "size": 2}]}})
        with self.assertRaises(UserErrorException) as caught:
            run.register_model("m", "outputs/missing.pkl")
        self.assertIn("outputs/a.txt", str(caught.exception))
        with self.assertRaises(UserErrorException):
            run.register_model("m")


class InStep(TempDirTest):
    """The in-step run context (sluice.run): what the lab's train step uses."""

    def context(self):
        import sluice.run

        os.environ.update({"SLUICE_CONTEXT_FILE": os.path.join(self.dir, "context.jsonl"),
                           "SLUICE_UPLOADS_DIR": os.path.join(self.dir, "uploads"), "SLUICE_STEP_RUN_ID": "r1:train",
                           "SLUICE_EXPERIMENT": "e"})
        sluice.run.Run._context = None
        self.addCleanup(setattr, sluice.run.Run, "_context", None)
        return sluice.run.Run.get_context()

    def test_log_image_keeps_the_image_and_logs_where_it_is(self):
        import json

        run = self.context()
        run.log_image("ROC", path=self.write("roc.png", "png"))
        with open(os.path.join(self.dir, "context.jsonl")) as f:
            record = json.loads(f.read().splitlines()[-1])
        name = record["value"].rsplit("/", 1)[-1]
        self.assertEqual((record["name"], record["kind"]), ("ROC", "scalar"))
        self.assertTrue(record["value"].startswith("aml://artifactId/ExperimentRun/dcid.r1:train/ROC_"))
        self.assertTrue(os.path.exists(os.path.join(self.dir, "uploads", name)))
        with self.assertRaises(ValueError):
            run.log_image("ROC")

    def test_the_experiment_s_workspace_is_the_one_the_worker_names(self):
        run = self.context()
        os.environ.update({"SLUICE_URL": "http://127.0.0.1:7999", "SLUICE_TOKEN": "step-token"})
        workspace = run.experiment.workspace
        self.assertEqual(workspace._url, "http://127.0.0.1:7999")
        self.assertIs(run.experiment.workspace, workspace)
