"""``Run``: a run recorded by the Sluice service, read over its REST API (``Run(experiment, run_id)``).

Every Sluice run is a pipeline run (``PipelineRun``) whose step runs (``StepRun``, id ``<run id>:<step>``) are its
children. ``Run.get_context()`` inside a step still returns the step's own run context (``sluice.run``).
"""

import json
import os
import sys
import time

from azureml._sluice.http import api_path
from azureml.exceptions import ActivityFailedException, UserErrorException

__all__ = ["Run"]

TERMINAL = ("Completed", "Failed", "Canceled")


def _metrics_from_list(metrics):
    """Step metrics as Azure ML's ``get_metrics()`` shows them: a scalar logged once is a value, logged again a
    list; a list is a list; table rows become ``{column: [values]}``."""
    result = {}
    for metric in metrics or []:
        name, kind, value = metric.get("name"), metric.get("kind"), metric.get("value")
        if kind == "row":
            table = result.setdefault(name, {})
            for column, cell in (value or {}).items():
                table.setdefault(column, []).append(cell)
        elif kind == "list":
            result[name] = list(value or [])
        elif name in result:
            previous = result[name]
            result[name] = (previous if isinstance(previous, list) else [previous]) + [value]
        else:
            result[name] = value
    return result


class Run(object):
    """A run of an experiment. ``Run(experiment, run_id)`` gives a ``PipelineRun`` for a run id and a ``StepRun``
    for a step run id (``<run id>:<step>``)."""

    def __new__(cls, experiment=None, run_id=None, *args, **kwargs):
        if cls is Run and isinstance(run_id, str):
            from azureml.core._interactive_run import InteractiveRun
            from azureml.core.experiment import Experiment
            from azureml.pipeline.core.run import PipelineRun, StepRun

            if ":" in run_id:
                return object.__new__(StepRun)
            if isinstance(experiment, Experiment) and kwargs.get("_record") is None:
                # Which kind of run it is, the service says (as v1's Run(experiment, run_id) reads the run).
                record = experiment.workspace._transport.json("GET", api_path("runs", run_id))
                run = object.__new__(InteractiveRun if record.get("kind") == "interactive" else PipelineRun)
                run._fetched = record
                return run
            return object.__new__(PipelineRun)
        return object.__new__(cls)

    def __init__(self, experiment, run_id, outputs=None, **kwargs):
        from azureml.core.experiment import Experiment

        if not isinstance(experiment, Experiment):
            raise UserErrorException("Run needs experiment, an Experiment (Experiment(workspace, name))")
        if not isinstance(run_id, str) or not run_id:
            raise UserErrorException("Run needs run_id, the run's id")
        self._experiment = experiment
        self._id = run_id
        self._record = kwargs.get("_record") or getattr(self, "_fetched", None)

    # -- the in-step run context -------------------------------------------------------------------------------

    @staticmethod
    def get_context(allow_offline=True, used_for_context_manager=False, **kwargs):
        """Inside a step: the step's run (metrics, tags, files); outside a worker: an offline run that prints."""
        from sluice.run import Run as StepContext

        return StepContext.get_context(allow_offline=allow_offline, **kwargs)

    # -- identity ------------------------------------------------------------------------------------------------

    @property
    def id(self):
        return self._id

    @property
    def experiment(self):
        return self._experiment

    @property
    def _transport(self):
        return self._experiment.workspace._transport

    @property
    def name(self):
        return self.display_name

    @property
    def display_name(self):
        return self._id

    @property
    def status(self):
        """The status when the run was last read (``get_status()`` reads it again)."""
        return self._get_record().get("status")

    @property
    def tags(self):
        return dict(self._get_record().get("tags") or {})

    @property
    def properties(self):
        return {}

    @property
    def parent(self):
        return None

    def get_portal_url(self):
        """Where to watch the run: its API URL (Sluice has no portal; ``npx sluice runs show`` prints it)."""
        return self._transport.url(api_path("runs", self._id.split(":")[0]))

    # -- reading -------------------------------------------------------------------------------------------------

    def _get_record(self):
        if self._record is None:
            self._refresh()
        return self._record

    def _refresh(self):
        raise NotImplementedError

    def get_status(self):
        self._refresh()
        return self._record.get("status")

    def get_tags(self):
        return dict(self._get_record().get("tags") or {})

    def get_properties(self):
        return self.properties

    def get_metrics(self, name=None, recursive=False, run_type=None, populate=False):
        raise NotImplementedError

    def get_details(self):
        raise NotImplementedError

    def get_children(self, recursive=False, tags=None, properties=None, type=None, status=None,
                     _rehydrate_runs=True):
        return iter(())

    # -- files -----------------------------------------------------------------------------------------------------

    def _files_path(self, *rest):
        return api_path("runs", self._id, *rest)

    def get_file_names(self):
        """The run's files, by name: a step's uploads (``run.upload_file``, ``upload_folder``, ``./outputs``), an
        interactive run's uploads; a pipeline run has none of its own (its steps do)."""
        return [f["name"] for f in self._transport.json("GET", self._files_path("files")).get("value", [])]

    def download_file(self, name, output_file_path=None, _validate_checksum=False):
        """Downloads one of the run's files to ``output_file_path`` (a file, or a folder to put it in; default: the
        current folder under the file's base name). An unknown name is a ``UserErrorException``."""
        base = name.rstrip("/").split("/")[-1]
        if output_file_path is None:
            output_file_path = base
        elif os.path.isdir(output_file_path):
            output_file_path = os.path.join(output_file_path, base)
        self._transport.download(self._files_path("files", "download"), output_file_path, query={"path": name})
        return output_file_path

    def download_files(self, prefix=None, output_directory=None, output_paths=None, batch_size=100,
                       append_prefix=True, timeout_seconds=None):
        """Downloads every file whose name starts with ``prefix`` into ``output_directory`` (default: the current
        folder), keeping the names (without the prefix when ``append_prefix=False``)."""
        directory = output_directory or "."
        names = [n for n in self.get_file_names() if not prefix or n.startswith(prefix)]
        if output_paths is not None and len(output_paths) != len(names):
            raise UserErrorException("download_files: output_paths has %d paths for %d files"
                                     % (len(output_paths), len(names)))
        for i, name in enumerate(names):
            local = name if append_prefix or not prefix else name[len(prefix):].lstrip("/")
            target = output_paths[i] if output_paths is not None else os.path.join(directory, *local.split("/"))
            self._transport.download(self._files_path("files", "download"), target, query={"path": name})

    # -- only for interactive runs -----------------------------------------------------------------------------------

    def register_model(self, model_name, model_path=None, *args, **kwargs):
        raise UserErrorException("Run.register_model registers a file of an interactive run "
                                 "(Experiment.start_logging()); for a pipeline run use Model.register(workspace, "
                                 "model_path, model_name), or inside a step Run.get_context().register_model(...)")

    def log(self, name, value, description="", step=None):
        raise UserErrorException("run %s is a pipeline run: log inside its steps with Run.get_context(), or start "
                                 "an interactive run with Experiment.start_logging()" % self._id)

    log_list = log_row = log_table = log_image = upload_file = upload_folder = log

    def tag(self, key, value=None):
        raise NotImplementedError("tagging a run after it was submitted is not in the Sluice API yet; pass "
                                  "tags=... to submit")

    # -- waiting -------------------------------------------------------------------------------------------------

    def _wait(self, show_output, timeout_seconds, raise_on_error, out):
        from azureml.widgets import _RunPrinter

        printer = _RunPrinter(self, out) if show_output else None
        deadline = None if timeout_seconds is None else time.time() + timeout_seconds
        interval, last = 0.5, None
        while True:
            self._refresh()
            seen = json.dumps(self._record, sort_keys=True)
            if printer:
                printer.update(self._record)
            if self._record.get("status") in TERMINAL:
                break
            if deadline is not None and time.time() >= deadline:
                break
            interval = 0.5 if seen != last else min(5.0, interval * 1.5)
            last = seen
            time.sleep(interval if deadline is None else max(0.0, min(interval, deadline - time.time())))
        if printer:
            printer.finish(self._record)
        status = self._record.get("status")
        if raise_on_error and status in ("Failed", "Canceled"):
            error = self._record.get("error") or {}
            raise ActivityFailedException(
                "Activity Failed:\n" + json.dumps({"error": {"code": error.get("code", status),
                                                             "message": error.get("message", "the run ended %s"
                                                                                  % status)}}, indent=2),
                code=error.get("code"), details=error)
        return status

    def wait_for_completion(self, show_output=False, wait_post_processing=False, raise_on_error=True):
        """Waits until the run ends (printing step status and logs with ``show_output``); returns
        ``get_details()``. Raises ``ActivityFailedException`` for a failed run when ``raise_on_error``."""
        self._wait(show_output, None, raise_on_error, sys.stdout)
        return self.get_details()

    def cancel(self):
        raise NotImplementedError

    def __repr__(self):
        return "Run(Experiment: %s, Id: %s, Type: %s, Status: %s)" % (
            self._experiment.name, self._id, getattr(self, "type", "azureml.PipelineRun"),
            (self._record or {}).get("status"))
