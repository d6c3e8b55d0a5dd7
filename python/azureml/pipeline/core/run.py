"""``PipelineRun`` and ``StepRun`` (``azureml.pipeline.core.run``, as in Azure ML)."""

import os
import sys

from azureml._sluice.http import api_path
from azureml.core._run_client import Run, _metrics_from_list
from azureml.exceptions import UserErrorException

__all__ = ["PipelineRun", "StepRun", "PortDataReference"]

DRIVER_LOG = "azureml-logs/70_driver_log.txt"  # v1's name of a step's log among its run files


def _details(record, run_id, target=None):
    details = {"runId": run_id, "status": record.get("status"), "startTimeUtc": record.get("startedAt"),
               "endTimeUtc": record.get("endedAt"), "target": target, "tags": dict(record.get("tags") or {}),
               "properties": {}, "inputDatasets": [], "outputDatasets": [], "logFiles": {}}
    if record.get("error"):
        details["error"] = {"error": {"code": record["error"].get("code"), "message": record["error"].get("message")}}
    return details


class PipelineRun(Run):
    """``PipelineRun(experiment, run_id)``: a pipeline run and its step runs."""

    type = "azureml.PipelineRun"

    def __init__(self, experiment, run_id, _service_endpoint=None, **kwargs):
        Run.__init__(self, experiment, run_id, **kwargs)

    def _refresh(self):
        self._record = self._transport.json("GET", api_path("runs", self._id))

    @property
    def display_name(self):
        return self._get_record().get("pipelineName") or self._id

    def get_details_with_logs(self):
        """``get_details()``; a pipeline run's logs are its steps' (``step_run.get_details_with_logs()``)."""
        return self.get_details()

    def get_details(self):
        record = self._get_record()
        details = _details(record, self._id)
        details["properties"] = {"azureml.runsource": "azureml.PipelineRun",
                                 "azureml.pipelineid": record.get("pipelineId"),
                                 "azureml.pipelineName": record.get("pipelineName"),
                                 "triggeredBy": record.get("triggeredBy")}
        details["parameters"] = dict(record.get("parameters") or {})
        return details

    @property
    def properties(self):
        return self.get_details()["properties"]

    def get_metrics(self, name=None, recursive=False, run_type=None, populate=False):
        """The run's own metrics (``run.parent.log`` in a step); with ``recursive=True`` also each step run's,
        keyed by step run id."""
        record = self._get_record()
        metrics = dict(record.get("metrics") or {})
        if name is not None:
            metrics = {name: metrics[name]} if name in metrics else {}
        if not recursive:
            return metrics
        result = {self._id: metrics}
        for child in self.get_children():
            result[child.id] = child.get_metrics(name)
        return result

    def get_children(self, recursive=False, tags=None, properties=None, type=None, status=None,
                     _rehydrate_runs=True):
        """The step runs (a generator, as in Azure ML), in the order they started."""
        self._refresh()
        steps = sorted(self._record.get("steps", []), key=lambda s: (s.get("startedAt") or "~", s.get("name")))
        for step in steps:
            if status is not None and step.get("status") != status:
                continue
            if tags and any(step.get("tags", {}).get(k) != v for k, v in tags.items()):
                continue
            yield StepRun(self._experiment, "%s:%s" % (self._id, step["name"]), _record=step, _parent=self)

    def find_step_run(self, name, recursive=True):
        """The step runs named ``name`` (a list, as in Azure ML): the name the step was built with ("Prepare Data"),
        or its id in the spec ("Prepare_Data")."""
        from azureml._sluice.names import spec_name

        if not isinstance(name, str) or not name.strip():
            raise UserErrorException("find_step_run needs name, the step's name")
        wanted = {name}
        try:
            wanted.add(spec_name(name))  # a run recorded before display names: only the spec name is known
        except ValueError:
            pass
        return [c for c in self.get_children() if c.name == name or c._step in wanted]

    def get_steps(self):
        return self.get_children()

    def wait_for_completion(self, show_output=True, timeout_seconds=sys.maxsize, raise_on_error=True):
        """Waits for the run to end, printing each step's status and log as it goes (``show_output``); returns the
        final status. Raises ``ActivityFailedException`` when it failed and ``raise_on_error``."""
        timeout = None if timeout_seconds is None or timeout_seconds >= sys.maxsize else timeout_seconds
        return self._wait(show_output, timeout, raise_on_error, sys.stdout)

    def cancel(self):
        """Asks the run to stop: running steps are stopped, steps not started are canceled."""
        from azureml.exceptions import UserErrorException as _Error

        try:
            answer = self._transport.json("POST", api_path("runs", self._id, "cancel"), json_body={})
        except _Error as err:
            if err.code == "RunEnded":
                return
            raise
        if self._record is not None:
            self._record["status"] = answer.get("status", "CancelRequested")

    def publish_pipeline(self, name, description, version, continue_on_step_failure=None, **kwargs):
        """Publishes this run's pipeline (its spec and snapshots) as a ``PublishedPipeline``; the run must have
        completed."""
        from azureml.pipeline.core.graph import PublishedPipeline

        if not name or not isinstance(name, str):
            raise UserErrorException("publish_pipeline needs name, the published pipeline's name")
        body = {"name": name, "runId": self._id}
        if description is not None:
            body["description"] = description
        if version is not None:
            body["version"] = str(version)
        if continue_on_step_failure is not None:
            body["continueOnStepFailure"] = bool(continue_on_step_failure)
        record = self._transport.json("POST", "published-pipelines", json_body=body)
        return PublishedPipeline._from_json(self._experiment.workspace, record)

    def get_pipeline_runs(self):
        return [self]


class StepRun(Run):
    """A step of a pipeline run; its id is ``<run id>:<step>``."""

    type = "azureml.StepRun"

    def __init__(self, experiment, step_run_id, pipeline_run_id=None, node_id=None, _service_endpoint=None,
                 _node_id=None, **kwargs):
        Run.__init__(self, experiment, step_run_id, **kwargs)
        self._run_id, _, self._step = step_run_id.partition(":")
        if not self._step:
            raise UserErrorException("a step run id is <run id>:<step name>, not %r" % step_run_id)
        self._parent = kwargs.get("_parent")

    def _refresh(self):
        run = self._transport.json("GET", api_path("runs", self._run_id))
        for step in run.get("steps", []):
            if step.get("name") == self._step:
                self._record = step
                return
        raise UserErrorException("run %s has no step %s" % (self._run_id, self._step))

    @property
    def name(self):
        """The step's name as it was built (``PythonScriptStep(name="Prepare Data")``, the spec's
        ``display_name``); the id's last part (``<run id>:Prepare_Data``) is the spec name."""
        if self._record is None:
            try:
                self._refresh()
            except UserErrorException:  # not in the run (yet): its id is all there is
                return self._step
        return self._record.get("displayName") or self._step

    @property
    def display_name(self):
        return self.name

    @property
    def parent(self):
        if self._parent is None:
            self._parent = PipelineRun(self._experiment, self._run_id)
        return self._parent

    @property
    def reused(self):
        """True when the step completed by reusing an earlier result (our addition)."""
        return bool(self._get_record().get("reused"))

    def get_details(self):
        record = self._get_record()
        details = _details(record, self._id, record.get("compute"))
        details["properties"] = {"azureml.runsource": "azureml.StepRun", "StepType": record.get("type"),
                                 "azureml.reused": str(bool(record.get("reused"))),
                                 "attempt": record.get("attempt")}
        if record.get("reusedFrom"):
            reused = record["reusedFrom"]
            details["properties"]["azureml.reusedrunid"] = "%s:%s" % (reused.get("runId"), reused.get("step"))
        details["outputDatasets"] = list(record.get("outputs") or [])
        details["inputDatasets"] = [
            {"dataset": dict(d.get("dataset") or {}),
             "consumptionDetails": {"type": "RunInput", "inputName": d.get("name"),
                                    "mechanism": {"direct": "Direct", "download": "Download",
                                                  "mount": "Mount"}.get(d.get("mode"), d.get("mode"))}}
            for d in record.get("datasetInputs") or []]
        details["logFiles"] = {DRIVER_LOG: (record.get("links") or {}).get("logs")} if record.get("attempt") \
            or record.get("reused") else {}
        return details

    def get_details_with_logs(self):
        """``get_details()`` with ``logFiles`` holding each log's text (``azureml-logs/70_driver_log.txt``: the
        step's log), as in v1."""
        details = self.get_details()
        if details["logFiles"]:
            details["logFiles"] = {DRIVER_LOG: self.get_log()}
        return details

    def get_metrics(self, name=None, recursive=False, run_type=None, populate=False):
        metrics = _metrics_from_list(self._get_record().get("metrics"))
        if name is not None:
            return {name: metrics[name]} if name in metrics else {}
        return metrics

    def get_log(self, offset=0):
        """The step's log (stdout and stderr) as text (our addition)."""
        return self._transport.request("GET", api_path("runs", self._run_id, "steps", self._step, "logs"),
                                       query={"offset": offset}, headers={"Accept": "text/plain"}).text()

    def get_job_log(self):
        return self.get_log()

    def get_stdout_log(self):
        return self.get_log()

    def cancel(self):
        raise UserErrorException("Sluice cancels whole pipeline runs: call run.parent.cancel() to stop this step "
                                 "and the rest of run %s" % self._run_id)

    # -- files (artifacts and outputs) ------------------------------------------------------------------------------

    def _files_path(self, *rest):
        return api_path("runs", self._run_id, "steps", self._step, *rest)

    def get_output_data(self, name):
        """The step's output ``name`` (a ``PortDataReference``): ``.download(local_path)`` fetches its files."""
        for output in self._get_record().get("outputs") or []:
            if output.get("name") == name:
                return PortDataReference(self, output)
        names = ", ".join(o.get("name", "?") for o in self._get_record().get("outputs") or []) or "none"
        raise UserErrorException('step %s has no output "%s"; its outputs: %s' % (self._step, name, names))


class PortDataReference(object):
    """A step output's data (v1's ``azureml.pipeline.core.PortDataReference``)."""

    def __init__(self, step_run, output):
        self._step_run = step_run
        self._output = output
        self.name = output.get("name")
        # The datastore by name; an output recorded before outputs carried it, or one in Sluice's own pipeline-data
        # container (no datastore), shows its container.
        self.datastore_name = output.get("datastore") or output.get("container")
        self.path_on_datastore = output.get("path", "")

    @property
    def data_reference_name(self):
        return self.name

    def download(self, local_path, overwrite=False, show_progress=True):
        """Downloads the output's files into ``local_path/<path on the datastore>`` and returns that folder. An
        existing file is an error unless ``overwrite``."""
        folder = os.path.join(local_path, *[p for p in self.path_on_datastore.split("/") if p])
        run = self._step_run
        files = self._output.get("files") or []
        for i, f in enumerate(files):
            target = os.path.join(folder, *f["name"].split("/"))
            if os.path.exists(target) and not overwrite:
                raise UserErrorException('PortDataReference.download: "%s" exists; pass overwrite=True' % target)
            run._transport.download(run._files_path("outputs", self.name, "download"), target,
                                    query={"path": f["name"]})
            if show_progress:
                print("Downloaded %s, %d files out of %d." % (f["name"], i + 1, len(files)))
        return folder

    def __repr__(self):
        return "PortDataReference(name=%s, datastore=%s, path=%s)" % (
            self.name, self.datastore_name, self.path_on_datastore)
