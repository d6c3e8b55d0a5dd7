import contextlib
import io
import os

from azureml.core import Experiment, Run
from azureml.core._run_client import _metrics_from_list
from azureml.exceptions import ActivityFailedException, UserErrorException
from azureml.pipeline.core import PipelineRun, StepRun
from azureml.widgets import RunDetails

from .support import TempDirTest, workspace


def step(name, status, **extra):
    return dict({"name": name, "status": status, "attempt": 1, "compute": "cpu", "metrics": [], "tags": {},
                 "outputs": [], "reused": False, "links": {"logs": "http://sluice.test/logs/" + name}}, **extra)


def run_record(status, steps, **extra):
    return dict({"id": "r1", "experiment": "e", "status": status, "pipelineName": "diabetes", "metrics": {},
                 "tags": {"team": "ml"}, "parameters": {"reg_rate": 0.1}, "steps": steps}, **extra)


class Runs(TempDirTest):
    def test_run_constructor_dispatches_on_the_id_and_the_kind_the_service_says(self):
        ws, _ = workspace({("GET", "runs/r1"): run_record("Completed", []),
                           ("GET", "runs/nb_1"): dict(run_record("Running", []), id="nb_1", kind="interactive")})
        experiment = Experiment(ws, "e")
        self.assertIsInstance(Run(experiment, "r1"), PipelineRun)
        from azureml.core._interactive_run import InteractiveRun

        self.assertIsInstance(Run(experiment, "nb_1"), InteractiveRun)
        step_run = Run(experiment, "r1:train")
        self.assertIsInstance(step_run, StepRun)
        self.assertEqual((step_run.name, step_run.parent.id), ("train", "r1"))
        with self.assertRaises(UserErrorException):
            Run("e", "r1")
        with self.assertRaises(UserErrorException):
            Run(experiment, "")
        with self.assertRaises(UserErrorException):
            StepRun(experiment, "r1")

    def test_get_context_outside_a_worker_is_offline(self):
        os.environ.pop("SLUICE_CONTEXT_FILE", None)
        context = Run.get_context()
        self.assertTrue(context.id.startswith("OfflineRun_"))

    def test_details_tags_children_and_metrics(self):
        ws, transport = workspace({("GET", "runs/r1"): run_record("Completed", [
            step("train", "Completed", startedAt="2024-01-01T00:01:00Z", metrics=[
                {"name": "Accuracy", "kind": "scalar", "value": 0.9},
                {"name": "loss", "kind": "scalar", "value": 0.5}, {"name": "loss", "kind": "scalar", "value": 0.3},
                {"name": "roc", "kind": "row", "value": {"fpr": 0.1, "tpr": 0.8}},
                {"name": "roc", "kind": "row", "value": {"fpr": 0.2, "tpr": 0.9}}]),
            step("prepare", "Completed", startedAt="2024-01-01T00:00:00Z", reused=True,
                 reusedFrom={"runId": "r0", "step": "prepare"})], metrics={"Accuracy": 0.9})})
        run = PipelineRun(Experiment(ws, "e"), "r1")
        self.assertEqual(run.get_status(), "Completed")
        self.assertEqual(run.get_tags(), {"team": "ml"})
        self.assertEqual(run.display_name, "diabetes")
        self.assertEqual(run.get_details()["parameters"], {"reg_rate": 0.1})
        children = run.get_children()
        self.assertFalse(isinstance(children, list))  # a generator, as in v1
        children = list(children)
        self.assertEqual([c.name for c in children], ["prepare", "train"])
        self.assertEqual([c.id for c in children], ["r1:prepare", "r1:train"])
        prepare, train = children
        self.assertTrue(prepare.reused)
        self.assertEqual(prepare.get_details()["properties"]["azureml.reusedrunid"], "r0:prepare")
        self.assertEqual(train.get_metrics(), {"Accuracy": 0.9, "loss": [0.5, 0.3],
                                               "roc": {"fpr": [0.1, 0.2], "tpr": [0.8, 0.9]}})
        self.assertEqual(train.get_metrics("loss"), {"loss": [0.5, 0.3]})
        self.assertEqual(run.get_metrics(), {"Accuracy": 0.9})
        self.assertEqual(run.get_metrics(recursive=True)["r1:train"]["Accuracy"], 0.9)
        self.assertEqual([c.name for c in run.find_step_run("train")], ["train"])
        self.assertEqual(run.find_step_run("nope"), [])
        self.assertEqual(train.get_details()["target"], "cpu")

    def test_metric_lists(self):
        self.assertEqual(_metrics_from_list([{"name": "l", "kind": "list", "value": [1, 2]}]), {"l": [1, 2]})

    def test_wait_for_completion_streams_steps_and_logs(self):
        records = [run_record("Running", [step("prepare", "Running")]),
                   run_record("Completed", [step("prepare", "Completed", startedAt="a")])]
        logs = ["reading data\n", "done\n"]
        ws, transport = workspace({("GET", "runs/r1"): records,
                                   ("GET", "runs/r1/steps/prepare/logs"): logs})
        run = PipelineRun(Experiment(ws, "e"), "r1")
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            status = run.wait_for_completion(show_output=True)
        printed = out.getvalue()
        self.assertEqual(status, "Completed")
        for line in ("PipelineRunId: r1", "PipelineRun Status: Running", "StepRunId: r1:prepare",
                     "StepRun( prepare ) Status: Running", "reading data", "done",
                     "StepRun( prepare ) Status: Completed", "StepRun(prepare) Execution Summary",
                     "PipelineRun Execution Summary"):
            self.assertIn(line, printed)
        self.assertLess(printed.index("reading data"), printed.index("StepRun( prepare ) Status: Completed"))

    def test_a_failed_run_raises_activity_failed_unless_asked_not_to(self):
        failed = run_record("Failed", [step("boom", "Failed")], error={"code": "StepFailed",
                                                                       "message": "step boom exited with code 3"})
        ws, _ = workspace({("GET", "runs/r1"): failed, ("GET", "runs/r1/steps/boom/logs"): ""})
        run = PipelineRun(Experiment(ws, "e"), "r1")
        with self.assertRaises(ActivityFailedException) as caught:
            run.wait_for_completion(show_output=False)
        self.assertIn("exited with code 3", str(caught.exception))
        self.assertEqual(run.wait_for_completion(show_output=False, raise_on_error=False), "Failed")
        self.assertEqual(run.get_details()["error"]["error"]["code"], "StepFailed")

    def test_cancel_and_publish(self):
        ws, transport = workspace({("POST", "runs/r1/cancel"): {"id": "r1", "status": "CancelRequested"},
                                   ("POST", "published-pipelines"): {"id": "pp", "name": "n", "status": "Active"}})
        run = PipelineRun(Experiment(ws, "e"), "r1")
        run.cancel()
        self.assertEqual(transport.last("POST", "runs/r1/cancel")["json_body"], {})
        published = run.publish_pipeline(name="n", description="d", version="1.0")
        self.assertEqual(transport.last("POST", "published-pipelines")["json_body"],
                         {"name": "n", "runId": "r1", "description": "d", "version": "1.0"})
        self.assertEqual(published.id, "pp")
        with self.assertRaises(UserErrorException):
            run.publish_pipeline(name="", description="d", version="1")
        with self.assertRaises(UserErrorException):
            StepRun(Experiment(ws, "e"), "r1:a").cancel()

    def test_cancel_of_an_ended_run_is_harmless(self):
        ws, _ = workspace({("POST", "runs/r1/cancel"): UserErrorException("ended", status_code=409,
                                                                           code="RunEnded")})
        PipelineRun(Experiment(ws, "e"), "r1").cancel()

    def test_a_pipeline_run_logs_inside_its_steps_and_has_no_files_of_its_own(self):
        ws, _ = workspace({("GET", "runs/r1/files"): {"value": []}})
        run = PipelineRun(Experiment(ws, "e"), "r1")
        self.assertEqual(run.get_file_names(), [])
        for action in (lambda: run.log("a", 1), lambda: run.upload_file("a", "b"),
                       lambda: run.register_model("m", "p")):
            with self.assertRaises(UserErrorException) as caught:
                action()
            self.assertRegex(str(caught.exception), "start_logging|Model.register")

    def test_run_details_prints_where_to_watch(self):
        ws, _ = workspace({("GET", "runs/r1"): run_record("Running", [])})
        out = io.StringIO()
        RunDetails(PipelineRun(Experiment(ws, "e"), "r1")).show(out)
        self.assertIn("npx sluice runs show r1", out.getvalue())
        self.assertIn("http://sluice.test/api/runs/r1", out.getvalue())
        with self.assertRaises(ValueError):
            RunDetails("r1")


class Retries(TempDirTest):
    def test_a_retried_step_shows_the_rest_of_the_old_attempt_then_the_new_one(self):
        records = [run_record("Running", [step("train", "Running", attempt=1)]),
                   run_record("Running", [step("train", "Running", attempt=2)]),
                   run_record("Completed", [step("train", "Completed", attempt=2)])]
        # Attempt 1 wrote 19 bytes before the first poll and more before it failed; attempt 2 then starts over.
        answers = {(None, 0): ["attempt one starts\n", "attempt two\n"], (1, 19): ["attempt one dies\n"],
                   (None, 12): [""]}
        order = []

        def log(query, **kwargs):
            key = (query.get("attempt"), query.get("offset"))
            order.append(key)
            return answers[key].pop(0) if len(answers[key]) > 1 else answers[key][0]

        ws, transport = workspace({("GET", "runs/r1"): records, ("GET", "runs/r1/steps/train/logs"): log})
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            PipelineRun(Experiment(ws, "e"), "r1").wait_for_completion(show_output=True)
        printed = out.getvalue()
        self.assertLess(printed.index("attempt one starts"), printed.index("attempt one dies"))
        self.assertLess(printed.index("attempt one dies"), printed.index("--- attempt 2 ---"))
        self.assertLess(printed.index("--- attempt 2 ---"), printed.index("attempt two"))
        self.assertEqual(order[:3], [(None, 0), (1, 19), (None, 0)])


class DisplayNames(TempDirTest):
    def test_a_step_run_is_named_as_it_was_built_and_its_id_keeps_the_spec_name(self):
        record = run_record("Running", [step("Prepare_Data", "Running", displayName="Prepare Data")])
        ws, _ = workspace({("GET", "runs/r1"): [record] * 4 + [run_record("Completed", [
            step("Prepare_Data", "Completed", displayName="Prepare Data")])],
            ("GET", "runs/r1/steps/Prepare_Data/logs"): "x\n"})
        run = PipelineRun(Experiment(ws, "e"), "r1")
        child = run.find_step_run("Prepare Data")[0]
        self.assertEqual((child.name, child.display_name, child.id), ("Prepare Data", "Prepare Data",
                                                                       "r1:Prepare_Data"))
        self.assertEqual([c.id for c in run.find_step_run("Prepare_Data")], ["r1:Prepare_Data"])
        self.assertEqual(run.find_step_run("Prepare"), [])
        with self.assertRaises(UserErrorException):
            run.find_step_run("")
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            PipelineRun(Experiment(ws, "e"), "r1").wait_for_completion(show_output=True)
        self.assertIn("StepRun( Prepare Data ) Status: Running", out.getvalue())
        self.assertIn("StepRunId: r1:Prepare_Data", out.getvalue())
        self.assertIn("StepRun(Prepare Data) Execution Summary", out.getvalue())

    def test_find_step_run_takes_the_name_the_step_was_built_with(self):
        ws, _ = workspace({("GET", "runs/r1"): run_record("Completed", [step("Prepare_Data", "Completed")])})
        run = PipelineRun(Experiment(ws, "e"), "r1")
        self.assertEqual([c.id for c in run.find_step_run("Prepare Data")], ["r1:Prepare_Data"])
        self.assertEqual([c.id for c in run.find_step_run("Prepare_Data")], ["r1:Prepare_Data"])


class RunListing(TempDirTest):
    def test_get_runs_filters_by_tags_as_v1_does(self):
        ws, transport = workspace({("GET", "runs"): {"value": [
            {"id": "r2", "experiment": "e", "tags": {"team": "a", "x": "1"}},
            {"id": "r1", "experiment": "e", "tags": {"team": "b"}}]}})
        experiment = Experiment(ws, "e")
        self.assertEqual([r.id for r in experiment.get_runs()], ["r2", "r1"])
        self.assertEqual(transport.last("GET", "runs")["query"]["experiment"], "e")
        self.assertEqual([r.id for r in experiment.get_runs(tags={"team": "b"})], ["r1"])
        self.assertEqual([r.id for r in experiment.get_runs(tags="x")], ["r2"])
        self.assertEqual([r.id for r in experiment.get_runs(tags=["team"])], ["r2", "r1"])


class QueuedHint(TempDirTest):
    def test_a_step_waiting_long_for_a_worker_gets_one_hint(self):
        from azureml.widgets import _RunPrinter

        ws, _ = workspace()
        now = [1000.0]
        out = io.StringIO()
        printer = _RunPrinter(PipelineRun(Experiment(ws, "e"), "r1"), out, clock=lambda: now[0])
        queued = run_record("Running", [step("train", "Queued", compute="gpu")])
        printer.update(queued)
        now[0] += 59
        printer.update(queued)
        self.assertNotIn("waited", out.getvalue())
        now[0] += 1
        printer.update(queued)
        now[0] += 100
        printer.update(queued)
        self.assertEqual(out.getvalue().count("waited 60 s for a worker of compute target gpu"), 1)
        self.assertIn("npx sluice worker --compute gpu", out.getvalue())

    def test_a_running_steps_progress_is_printed_when_it_moves(self):
        from azureml.widgets import _RunPrinter

        ws, _ = workspace()
        out = io.StringIO()
        printer = _RunPrinter(PipelineRun(Experiment(ws, "e"), "r1"), out)

        def at(done, failed):
            progress = {"unit": "mini-batches", "done": done, "failed": failed, "total": 100, "perSecond": 12.5,
                        "updatedAt": "2024-05-01T10:00:00Z"}
            return run_record("Running", [step("score", "Running", progress=progress)])

        for done, failed in [(0, 0), (0, 0), (40, 1)]:
            printer.update(at(done, failed))
        lines = [line for line in out.getvalue().splitlines() if "Progress" in line]
        self.assertEqual(lines, ["StepRun( score ) Progress: 0/100 mini-batches, 12.5/s",
                                 "StepRun( score ) Progress: 40/100 mini-batches, 1 failed, 12.5/s"])

    def test_get_runs_gives_interactive_runs_as_such(self):
        ws, _ = workspace({("GET", "runs"): {"value": [
            {"id": "nb_1", "experiment": "e", "kind": "interactive", "tags": {}},
            {"id": "r1", "experiment": "e", "tags": {}}]}})
        experiment = Experiment(ws, "e")
        self.assertEqual([type(r).__name__ for r in experiment.get_runs()], ["InteractiveRun", "PipelineRun"])
        self.assertEqual([r.id for r in experiment.get_runs(type="azureml.PipelineRun")], ["r1"])


class DriverLog(TempDirTest):
    """A step's log under v1's name, azureml-logs/70_driver_log.txt."""

    def test_details_name_the_log_and_with_logs_carry_its_text(self):
        ws, transport = workspace({
            ("GET", "runs/r1"): run_record("Completed", [step("train", "Completed"),
                                                         step("later", "NotStarted", attempt=0)]),
            ("GET", "runs/r1/steps/train/logs"): "epoch 1\n"})
        train = StepRun(Experiment(ws, "e"), "r1:train")
        self.assertEqual(train.get_details()["logFiles"],
                         {"azureml-logs/70_driver_log.txt": "http://sluice.test/logs/train"})
        self.assertEqual(train.get_details_with_logs()["logFiles"], {"azureml-logs/70_driver_log.txt": "epoch 1\n"})
        self.assertEqual(transport.last("GET", "runs/r1/steps/train/logs")["query"], {"offset": 0})
        later = StepRun(Experiment(ws, "e"), "r1:later")
        self.assertEqual(later.get_details_with_logs()["logFiles"], {}, "no log before the step starts")
        self.assertEqual(PipelineRun(Experiment(ws, "e"), "r1").get_details_with_logs()["logFiles"], {})

    def test_download_file_of_the_driver_log_asks_the_service_for_it(self):
        ws, transport = workspace({
            ("GET", "runs/r1/steps/train/files"): {"value": [{"name": "azureml-logs/70_driver_log.txt", "size": 8}]},
            ("GET", "runs/r1/steps/train/files/download"): "epoch 1\n"})
        train = StepRun(Experiment(ws, "e"), "r1:train")
        self.assertEqual(train.get_file_names(), ["azureml-logs/70_driver_log.txt"])
        target = train.download_file("azureml-logs/70_driver_log.txt")
        self.assertEqual(target, "70_driver_log.txt")
        with open(target) as f:
            self.assertEqual(f.read(), "epoch 1\n")
        self.assertEqual(transport.last("GET", "runs/r1/steps/train/files/download")["query"],
                         {"path": "azureml-logs/70_driver_log.txt"})

    def test_step_run_wait_for_completion_streams_the_driver_log(self):
        ws, _ = workspace({("GET", "runs/r1"): [run_record("Running", [step("train", "Running")]),
                                                run_record("Completed", [step("train", "Completed")])],
                           ("GET", "runs/r1/steps/train/logs"): ["epoch 1\n", "epoch 2\n"]})
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            details = StepRun(Experiment(ws, "e"), "r1:train").wait_for_completion(show_output=True)
        printed = out.getvalue()
        self.assertIn("StepRunId: r1:train", printed)
        self.assertIn("Streaming azureml-logs/70_driver_log.txt\n========================================\n"
                      "epoch 1\n", printed)
        self.assertLess(printed.index("epoch 1"), printed.index("epoch 2"))
        self.assertEqual(details["status"], "Completed")
