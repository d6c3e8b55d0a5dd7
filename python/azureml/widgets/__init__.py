"""``azureml.widgets.RunDetails``: where to watch a run (Sluice has no notebook widget; it prints instead)."""

import json
import sys
import time

from azureml._sluice.http import api_path

__all__ = ["RunDetails"]


class RunDetails(object):
    """``RunDetails(run).show()`` prints where to watch the run: the CLI commands and the API URL."""

    def __init__(self, run_instance):
        if not hasattr(run_instance, "id") or not hasattr(run_instance, "experiment"):
            raise ValueError("RunDetails needs a run (a PipelineRun or StepRun), not %r" % (run_instance,))
        self.run_instance = run_instance

    def show(self, out=None):
        out = out or sys.stdout
        run = self.run_instance
        run_id = run.id.split(":")[0]
        url = run.experiment.workspace._transport.url(api_path("runs", run_id))
        out.write("Run %s (experiment %s)\n" % (run.id, run.experiment.name))
        out.write("  status:  %s\n" % run.get_status())
        out.write("  watch:   npx sluice runs show %s --url %s\n" % (run_id, run.experiment.workspace.service_url))
        step = run.id.split(":")[1] if ":" in run.id else "<step>"
        out.write("  logs:    npx sluice runs logs %s %s --follow\n" % (run_id, step))
        out.write("  API:     %s\n" % url)
        out.flush()
        return None

    def get_widget_data(self, widget_settings=None):
        return self.run_instance.get_details()


def _progress_text(progress):
    """``40/100 mini-batches, 1 failed, 12.5/s``: a running step's progress as its worker last wrote it."""
    text = "%s%s %s" % (progress.get("done", 0),
                        "/%s" % progress["total"] if progress.get("total") is not None else "",
                        progress.get("unit", ""))
    if progress.get("failed"):
        text += ", %s failed" % progress["failed"]
    if progress.get("perSecond") is not None:
        text += ", %s/s" % progress["perSecond"]
    return text


class _RunPrinter(object):
    """What ``wait_for_completion(show_output=True)`` prints: each step's status as it changes and its log as it
    grows, then the execution summary, in the layout of Azure ML's SDK."""

    QUEUED_HINT_AFTER = 60  # seconds a step may wait for a worker before the printer says where to look

    def __init__(self, run, out, clock=time.time):
        self.run = run
        self.out = out
        self.clock = clock
        self.queued_since = {}
        self.step_status = {}
        self.log_offsets = {}
        self.attempts = {}
        self.progress = {}
        self.summarised = set()
        self.started = False
        self.transport = run.experiment.workspace._transport
        self.is_step = ":" in run.id
        self.run_id = run.id.split(":")[0]

    def write(self, text):
        self.out.write(text)
        self.out.flush()

    def update(self, record):
        if not self.started:
            self.started = True
            kind = "StepRun" if self.is_step else "PipelineRun"
            self.write("%sId: %s\nLink to Sluice: %s\n" % (kind, self.run.id, self.run.get_portal_url()))
            if not self.is_step:
                self.write("PipelineRun Status: %s\n" % record.get("status"))
        steps = [record] if self.is_step else sorted(
            record.get("steps", []), key=lambda s: (s.get("startedAt") or "~", s.get("name")))
        for step in steps:
            name, status = step.get("name"), step.get("status")
            title = step.get("displayName") or name
            attempt = step.get("attempt") or 1
            if name in self.attempts and self.attempts[name] != attempt and name in self.log_offsets:
                # the rest of the earlier attempt
                self._stream(name, status, attempt=self.attempts[name], shown=title)
                self.write("--- attempt %d ---\n" % attempt)
                self.log_offsets[name] = 0
            self.attempts[name] = attempt
            if self.step_status.get(name) != status:
                if name not in self.step_status and not self.is_step:
                    self.write("\n\nStepRunId: %s:%s\nLink to Sluice: %s\n" % (self.run_id, name,
                                                                               self.run.get_portal_url()))
                self.step_status[name] = status
                self.write("StepRun( %s ) Status: %s\n" % (title, status))
            progress = step.get("progress")
            if status == "Running" and progress:
                moved = (attempt, progress.get("done"), progress.get("failed"))
                if self.progress.get(name) != moved:
                    self.progress[name] = moved
                    self.write("StepRun( %s ) Progress: %s\n" % (title, _progress_text(progress)))
            if status == "Queued":
                since = self.queued_since.setdefault(name, self.clock())
                if since is not None and self.clock() - since >= self.QUEUED_HINT_AFTER:
                    compute = step.get("compute") or "cpu"
                    self.write("StepRun( %s ) has waited %d s for a worker of compute target %s: is one running? "
                               "Locally: `npx sluice worker --compute %s` (or list it in SLUICE_COMPUTE_TARGETS for "
                               "`npm start`)\n" % (name, self.clock() - since, compute, compute))
                    self.queued_since[name] = None  # said once
            if status in ("Running", "Completed", "Failed", "Canceled") and not step.get("reused"):
                self._stream(name, status, shown=title)
            if status in ("Completed", "Failed", "Canceled") and name not in self.summarised:
                self.summarised.add(name)
                self._step_summary(step)

    def _stream(self, name, status, attempt=None, shown=None):
        shown = shown or name
        offset = self.log_offsets.get(name)
        try:
            answer = self.transport.request("GET", api_path("runs", self.run_id, "steps", name, "logs"),
                                            query={"offset": offset or 0, "attempt": attempt},
                                            headers={"Accept": "text/plain"})
        except Exception:  # the log is a convenience; the status still tells
            return
        text = answer.text()
        if offset is None:
            title = "Streaming azureml-logs/70_driver_log.txt" + ("" if self.is_step else " of step %s" % shown)
            self.write("\n%s\n%s\n" % (title, "=" * len(title)))
        if text:
            self.write(text if text.endswith("\n") else text + "\n")
        next_offset = answer.headers.get("sluice-log-offset")
        self.log_offsets[name] = int(next_offset) if next_offset and next_offset.isdigit() else \
            (offset or 0) + len(answer.body)

    def _step_summary(self, step):
        name = step.get("name")
        shown = step.get("displayName") or name
        title = "StepRun(%s) Execution Summary" % shown
        self.write("\n%s\n%s\nStepRun( %s ) Status: %s\n" % (title, "=" * len(title), shown, step.get("status")))
        if step.get("reused"):
            origin = step.get("reusedFrom") or {}
            self.write("Reused the result of %s:%s\n" % (origin.get("runId"), origin.get("step")))
        summary = {"runId": "%s:%s" % (self.run_id, name), "status": step.get("status"),
                   "startTimeUtc": step.get("startedAt"), "endTimeUtc": step.get("endedAt")}
        if step.get("error"):
            summary["error"] = step["error"]
        self.write(json.dumps(summary) + "\n")

    def finish(self, record):
        if self.is_step:
            return
        title = "PipelineRun Execution Summary"
        self.write("\n\n%s\n%s\nPipelineRun Status: %s\n" % (title, "=" * len(title), record.get("status")))
        summary = {"runId": self.run_id, "status": record.get("status"), "startTimeUtc": record.get("startedAt"),
                   "endTimeUtc": record.get("endedAt")}
        if record.get("error"):
            summary["error"] = record["error"]
        self.write(json.dumps(summary) + "\n\n")
