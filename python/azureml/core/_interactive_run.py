"""An interactive run (``Experiment.start_logging()``): a run the notebook or script itself drives, recorded on the
Sluice service (REST: ``experiments/{name}/interactive-runs``, ``runs/{id}/metrics``, ``runs/{id}/files``,
``runs/{id}/end``). ``Run(experiment, run_id)`` returns one again later."""

import datetime
import io
import os
import shutil
import tempfile

from azureml._sluice.http import api_path
from azureml.core._run_client import Run
from azureml.exceptions import UserErrorException

__all__ = ["InteractiveRun", "start_logging"]

_ENDED = ("Completed", "Failed", "Canceled")


def _now():
    return datetime.datetime.now(datetime.timezone.utc).isoformat().replace("+00:00", "Z")


def _value(value):
    from sluice.run import _value as step_value

    return step_value(value)


def _artifact_name(name, what):
    from sluice.run import _safe_name

    try:
        return _safe_name(name)
    except ValueError as err:
        raise UserErrorException("%s: %s" % (what, err))


def start_logging(experiment, outputs=None, snapshot_directory=None, display_name=None, tags=None,
                  description=None):
    """Records a Running interactive run on the service and returns it."""
    if outputs is not None and not isinstance(outputs, str):
        raise UserErrorException("start_logging: outputs is a local folder whose files complete() uploads under "
                                 "outputs/, not %r" % type(outputs).__name__)
    if snapshot_directory is not None and not os.path.isdir(str(snapshot_directory)):
        raise UserErrorException('start_logging: snapshot_directory "%s" is not a folder' % snapshot_directory)
    body = {"tags": {str(k): str(v) for k, v in (tags or {}).items()}}
    if display_name is not None:
        body["displayName"] = str(display_name)
    if description is not None:
        body["description"] = str(description)
    record = experiment.workspace._transport.json(
        "POST", api_path("experiments", experiment.name, "interactive-runs"), json_body=body)
    run = InteractiveRun(experiment, record["id"], _record=record)
    run._outputs = outputs
    if snapshot_directory is not None:
        run.upload_folder("snapshot", str(snapshot_directory))
    return run


class InteractiveRun(Run):
    """A run started with ``Experiment.start_logging()``: log metrics, upload files, ``complete()``."""

    type = "azureml.scriptrun"

    def __init__(self, experiment, run_id, outputs=None, **kwargs):
        Run.__init__(self, experiment, run_id, **kwargs)
        self._outputs = outputs

    def _refresh(self):
        self._record = self._transport.json("GET", api_path("runs", self._id))

    @property
    def display_name(self):
        return self._get_record().get("pipelineName") or self._id

    @property
    def properties(self):
        return {"azureml.runsource": "experiment", "ContentSnapshotId": None}

    def get_details(self):
        record = self._get_record()
        details = {"runId": self._id, "status": record.get("status"), "startTimeUtc": record.get("startedAt"),
                   "endTimeUtc": record.get("endedAt"), "target": "local", "tags": dict(record.get("tags") or {}),
                   "properties": self.properties, "inputDatasets": [], "outputDatasets": [], "logFiles": {}}
        if record.get("error"):
            details["error"] = {"error": {"code": record["error"].get("code"),
                                          "message": record["error"].get("message")}}
        return details

    def get_metrics(self, name=None, recursive=False, run_type=None, populate=False):
        self._refresh()
        metrics = dict(self._record.get("metrics") or {})
        if name is not None:
            return {name: metrics[name]} if name in metrics else {}
        return {self._id: metrics} if recursive else metrics

    def get_children(self, recursive=False, tags=None, properties=None, type=None, status=None,
                     _rehydrate_runs=True):
        return iter(())

    # -- metrics ---------------------------------------------------------------------------------------------------

    def _log(self, name, kind, value, description):
        if not isinstance(name, str) or not name:
            raise UserErrorException("a metric needs name: a non-empty string")
        metric = {"name": name, "kind": kind, "value": value, "time": _now()}
        if description:
            metric["description"] = str(description)
        self._transport.json("POST", api_path("runs", self._id, "metrics"), json_body={"metrics": [metric]})

    def log(self, name, value, description="", step=None):
        """Logs a scalar (logging the same name again adds a value: ``get_metrics()`` then shows a list)."""
        self._log(name, "scalar", _value(value), description)

    def log_list(self, name, value, description=""):
        self._log(name, "list", [_value(v) for v in value], description)

    def log_row(self, name, description=None, **kwargs):
        self._log(name, "row", {str(k): _value(v) for k, v in kwargs.items()}, description)

    def log_table(self, name, value, description=""):
        """Logs ``{column: [values]}``: ``get_metrics()`` shows it the same way."""
        if not isinstance(value, dict):
            raise UserErrorException("log_table: value is a dict of columns {name: [values]}")
        columns = list(value)
        rows = max((len(value[c]) for c in columns), default=0)
        for i in range(rows):
            self.log_row(name, description, **{c: value[c][i] if i < len(value[c]) else None for c in columns})

    def log_image(self, name, path=None, plot=None, description=""):
        """Uploads the image (a file at ``path``, or a matplotlib ``plot``) and logs where it is, as v1 does."""
        if (path is None) == (plot is None):
            raise UserErrorException("log_image needs exactly one of path (an image file) and plot (a matplotlib "
                                     "figure or pyplot)")
        file_name = "%s_%d.png" % (name, int(datetime.datetime.now().timestamp() * 1000))
        if plot is not None:
            buffer = io.BytesIO()
            plot.savefig(buffer, format="png")
            buffer.seek(0)
            self.upload_file(file_name, buffer)
        else:
            file_name = "%s_%d%s" % (name, int(datetime.datetime.now().timestamp() * 1000),
                                     os.path.splitext(path)[1] or ".png")
            self.upload_file(file_name, path)
        self._log(name, "scalar", "aml://artifactId/ExperimentRun/dcid.%s/%s" % (self._id, file_name), description)

    def flush(self, timeout_seconds=300):
        pass

    # -- files -------------------------------------------------------------------------------------------------------

    def upload_file(self, name, path_or_stream, datastore_name=None):
        """Uploads a local file (or a readable stream) as the run's file ``name`` (e.g. ``outputs/model.pkl``)."""
        name = _artifact_name(name, "upload_file")
        if hasattr(path_or_stream, "read"):
            data = path_or_stream.read()
            data = data.encode("utf-8") if isinstance(data, str) else data
        else:
            if not os.path.isfile(path_or_stream):
                raise UserErrorException('upload_file: "%s" is not a file' % path_or_stream)
            with open(path_or_stream, "rb") as f:
                data = f.read()
        self._transport.request("PUT", self._files_path("files"), query={"path": name}, data=data,
                                content_type="application/octet-stream", idempotent=True)
        return name

    def upload_files(self, names, paths, return_artifacts=False, timeout_seconds=None, datastore_name=None):
        if len(names) != len(paths):
            raise UserErrorException("upload_files: names and paths must have the same length")
        return [self.upload_file(n, p) for n, p in zip(names, paths)]

    def upload_folder(self, name, path, datastore_name=None):
        """Uploads every file under the local folder ``path`` as ``name/<relative path>``."""
        name = _artifact_name(name, "upload_folder")
        if not os.path.isdir(path):
            raise UserErrorException('upload_folder: "%s" is not a folder' % path)
        uploaded = []
        for root, _dirs, files in os.walk(path):
            for file_name in sorted(files):
                full = os.path.join(root, file_name)
                uploaded.append(self.upload_file(name + "/" + os.path.relpath(full, path).replace(os.sep, "/"), full))
        return uploaded

    # -- models ------------------------------------------------------------------------------------------------------

    def register_model(self, model_name, model_path=None, tags=None, properties=None, model_framework=None,
                       model_framework_version=None, description=None, datasets=None, sample_input_dataset=None,
                       sample_output_dataset=None, resource_configuration=None, **kwargs):
        """Registers the run's file or folder ``model_path`` (a name from ``get_file_names()``, e.g.
        ``outputs/model.pkl`` or ``outputs``) as the next version of ``model_name``."""
        from azureml.core.model import Model

        if not model_path:
            raise UserErrorException("register_model needs model_path: a file or folder of this run "
                                     "(see get_file_names())")
        prefix = _artifact_name(model_path, "register_model")
        names = self.get_file_names()
        if prefix in names:
            picked, folder = [prefix], False
        else:
            picked, folder = [n for n in names if n.startswith(prefix + "/")], True
        if not picked:
            raise UserErrorException('register_model: run %s has no file or folder "%s"; its files: %s'
                                     % (self._id, model_path, ", ".join(names) or "none"))
        scratch = tempfile.mkdtemp(prefix="sluice-model-")
        try:
            base = prefix.split("/")[-1]
            for n in picked:
                rel = base if not folder else base + "/" + n[len(prefix) + 1:]
                self._transport.download(self._files_path("files", "download"),
                                         os.path.join(scratch, *rel.split("/")), query={"path": n})
            return Model.register(self._experiment.workspace, os.path.join(scratch, base), model_name, tags=tags,
                                  properties=properties, description=description, model_framework=model_framework,
                                  model_framework_version=model_framework_version)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)

    # -- ending ------------------------------------------------------------------------------------------------------

    def _end(self, status, error=None):
        if status == "Completed" and self._outputs and os.path.isdir(self._outputs):
            self.upload_folder("outputs", self._outputs)
        body = {"status": status}
        if error:
            body["error"] = error
        self._record = self._transport.json("POST", api_path("runs", self._id, "end"), json_body=body,
                                            idempotent=True)

    def complete(self, _set_status=True):
        """Marks the run Completed (uploading the ``outputs`` folder given to ``start_logging`` first)."""
        self._end("Completed")

    def fail(self, error_details=None, error_code=None, _set_status=True):
        """Marks the run Failed, with ``error_details`` (a message or an exception) as its error."""
        error = {"message": str(error_details) if error_details else "the run was marked failed"}
        if error_code:
            error["code"] = str(error_code)
        self._end("Failed", error)

    def cancel(self):
        """Marks the run Canceled (no orchestration runs it: it ends at once)."""
        try:
            self._transport.json("POST", api_path("runs", self._id, "cancel"), json_body={})
        except UserErrorException as err:
            if getattr(err, "code", None) != "RunEnded":
                raise
        self._record = None

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc_value, traceback):
        if self.get_status() in _ENDED:  # the block ended it itself
            return False
        if exc_type is None:
            self.complete()
        else:
            self.fail(error_details=exc_value)
        return False

    def __repr__(self):
        return "Run(Experiment: %s,\nId: %s,\nType: %s,\nStatus: %s)" % (
            self._experiment.name, self._id, self.type, (self._record or {}).get("status"))
