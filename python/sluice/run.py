"""The run context of a Sluice step: the subset of ``azureml.core.Run`` that step scripts use.

Inside a worker, ``Run.get_context()`` returns the step's run. Metrics and tags are appended as JSON lines to the
file named by ``SLUICE_CONTEXT_FILE``; ``upload_file`` copies content into ``SLUICE_UPLOADS_DIR``; the worker turns
both into the step's result after the script exits. Outside a worker (those variables unset) it returns an offline
run that prints what it is given, like Azure ML's offline run.
"""

import datetime
import json
import math
import os
import shutil
import sys
import uuid

__all__ = ["Run", "Experiment", "Model"]

_ENV_CONTEXT_FILE = "SLUICE_CONTEXT_FILE"
_ENV_UPLOADS_DIR = "SLUICE_UPLOADS_DIR"


def _now():
    return datetime.datetime.now(datetime.timezone.utc).isoformat().replace("+00:00", "Z")


def _value(value):
    """A metric value as JSON allows: numbers, strings, booleans, None. NaN and infinities become strings."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if hasattr(value, "item") and callable(value.item):  # numpy scalars and 0-d arrays
        try:
            return _value(value.item())
        except (TypeError, ValueError):
            pass
    return str(value)


def _safe_name(name):
    """An artifact name: relative, `/`-separated, no `..`. The same rule the worker applies."""
    if not isinstance(name, str) or name == "":
        raise ValueError("artifact name must be a non-empty string")
    if "\\" in name or name.startswith("/") or (len(name) > 1 and name[1] == ":") or "\0" in name:
        raise ValueError("artifact name %r must be a relative path with '/' separators" % name)
    parts = [p for p in name.split("/") if p not in ("", ".")]
    if ".." in parts or not parts:
        raise ValueError("artifact name %r must not contain '..'" % name)
    return "/".join(parts)


class Experiment(object):
    """The experiment a run belongs to (``run.experiment.name``; ``run.experiment.workspace`` inside a step is the
    workspace the step runs in, reached with the step's own token: ``SLUICE_URL`` and ``SLUICE_TOKEN``)."""

    def __init__(self, name):
        self.name = name
        self._workspace = None

    @property
    def workspace(self):
        if self._workspace is None:
            from azureml.core.workspace import Workspace

            self._workspace = Workspace.from_config()
        return self._workspace

    def __repr__(self):
        return "Experiment(name=%r)" % self.name


class Model(object):
    """What ``register_model`` returns: the model's name and where its files are among the step's artifacts."""

    def __init__(self, name, path, tags=None, properties=None, description=None, model_framework=None,
                 model_framework_version=None):
        self.name = name
        self.path = path
        self.tags = dict(tags or {})
        self.properties = dict(properties or {})
        self.description = description
        self.model_framework = model_framework
        self.model_framework_version = model_framework_version
        self.version = None  # assigned by the service when the run's result is recorded

    def __repr__(self):
        return "Model(name=%r, path=%r)" % (self.name, self.path)


class _Writer(object):
    """Appends records to the context file (one JSON object per line, flushed at once)."""

    def __init__(self, path):
        self.path = path

    def write(self, record):
        line = json.dumps(record, allow_nan=False, separators=(",", ":"))
        with open(self.path, "a", encoding="utf-8") as f:
            f.write(line + "\n")


class Run(object):
    """A step run (or, through ``parent``, the pipeline run). Get it with ``Run.get_context()``."""

    _context = None

    def __init__(self, run_id, experiment, scope, writer, uploads_dir, inputs, outputs, parent=None):
        self.id = run_id
        self.experiment = experiment
        self._scope = scope
        self._writer = writer
        self._uploads_dir = uploads_dir
        self.input_datasets = dict(inputs)
        self.output_datasets = dict(outputs)
        self._parent = parent
        self._metrics = {}
        self._tags = {}

    # -- getting a run -------------------------------------------------------------------------------------------

    @classmethod
    def get_context(cls, allow_offline=True, **_kwargs):
        """The current step's run; an offline run when the script runs outside a Sluice worker."""
        if cls._context is None:
            if os.environ.get(_ENV_CONTEXT_FILE):
                cls._context = _step_run_from_env()
            elif allow_offline:
                cls._context = _OfflineRun()
            else:
                raise RuntimeError("not running inside a Sluice worker and allow_offline=False")
        return cls._context

    @property
    def parent(self):
        """The pipeline run: metrics and tags logged on it belong to the whole run."""
        return self._parent

    # -- metrics ---------------------------------------------------------------------------------------------------

    def log(self, name, value, description=""):
        """Logs a scalar metric (logging the same name again adds a value, as in Azure ML)."""
        self._metric(name, "scalar", _value(value), description)

    def log_list(self, name, value, description=""):
        """Logs a list of values under one name."""
        self._metric(name, "list", [_value(v) for v in value], description)

    def log_row(self, name, description=None, **kwargs):
        """Logs one row of a table metric: ``run.log_row("roc", fpr=0.1, tpr=0.8)``."""
        self._metric(name, "row", {str(k): _value(v) for k, v in kwargs.items()}, description or "")

    def log_table(self, name, value, description=""):
        """Logs a table given as ``{column: [values]}``, one row per index."""
        columns = list(value.keys())
        length = max((len(value[c]) for c in columns), default=0)
        for i in range(length):
            row = {c: value[c][i] if i < len(value[c]) else None for c in columns}
            self.log_row(name, description, **row)

    def log_image(self, name, path=None, plot=None, description=""):
        """Logs an image (a file at ``path``, or a matplotlib ``plot``): it becomes the step's file
        ``<name>_<ms>.png`` and the metric ``name`` says where it is, as in Azure ML."""
        if (path is None) == (plot is None):
            raise ValueError("log_image needs exactly one of path (an image file) and plot (a matplotlib figure)")
        stamp = int(datetime.datetime.now().timestamp() * 1000)
        ext = ".png" if plot is not None else (os.path.splitext(path)[1] or ".png")
        file_name = "%s_%d%s" % (_safe_name(str(name)).replace("/", "_"), stamp, ext)
        if self._uploads_dir is None:
            print("Attempted to log image %s" % name)
            return
        if plot is not None:
            plot.savefig(self._artifact_path(file_name), format="png")
        else:
            self.upload_file(file_name, path)
        self._metric(name, "scalar", "aml://artifactId/ExperimentRun/dcid.%s/%s" % (self.id, file_name), description)

    def get_metrics(self, name=None):
        """The metrics this process logged on this run: a single value per scalar metric, lists for repeated ones."""
        if name is not None:
            return {name: self._metrics[name]} if name in self._metrics else {}
        return dict(self._metrics)

    def _metric(self, name, kind, value, description):
        record = {"type": "metric", "scope": self._scope, "name": str(name), "kind": kind, "value": value,
                  "time": _now()}
        if description:
            record["description"] = str(description)
        self._emit(record)
        if kind == "scalar" and name in self._metrics:
            previous = self._metrics[name]
            self._metrics[name] = (previous if isinstance(previous, list) else [previous]) + [value]
        elif kind == "row":
            self._metrics.setdefault(name, []).append(value)
        else:
            self._metrics[name] = value

    # -- tags ------------------------------------------------------------------------------------------------------

    def tag(self, key, value=None):
        """Sets a tag (a string; ``None`` becomes an empty string)."""
        value = "" if value is None else str(value)
        self._tags[str(key)] = value
        self._emit({"type": "tag", "scope": self._scope, "key": str(key), "value": value, "time": _now()})

    def set_tags(self, tags):
        for key, value in dict(tags).items():
            self.tag(key, value)

    def get_tags(self):
        return dict(self._tags)

    # -- files and models -----------------------------------------------------------------------------------------

    def upload_file(self, name, path_or_stream):
        """Makes a file an artifact of the step under ``name`` (e.g. ``outputs/model.pkl``)."""
        name = _safe_name(name)
        target = self._artifact_path(name)
        if hasattr(path_or_stream, "read"):
            data = path_or_stream.read()
            with open(target, "wb") as f:
                f.write(data.encode("utf-8") if isinstance(data, str) else data)
        else:
            shutil.copyfile(path_or_stream, target)
        return name

    def upload_files(self, names, paths):
        return [self.upload_file(n, p) for n, p in zip(names, paths)]

    def upload_folder(self, name, path):
        """Uploads every file under a local folder as artifacts under ``name/``."""
        name = _safe_name(name)
        uploaded = []
        for root, _dirs, files in os.walk(path):
            for file_name in files:
                full = os.path.join(root, file_name)
                rel = os.path.relpath(full, path).replace(os.sep, "/")
                uploaded.append(self.upload_file(name + "/" + rel, full))
        return uploaded

    def register_model(self, model_name, model_path=None, tags=None, properties=None, model_framework=None,
                       model_framework_version=None, description=None, datasets=None, sample_input_dataset=None,
                       sample_output_dataset=None, resource_configuration=None, **kwargs):
        """Records a model (Azure ML v1's signature). ``model_path`` is an artifact name (``outputs/model.pkl``, or
        one uploaded with ``upload_file``) or a local file or folder, which is then uploaded under
        ``models/<model_name>/``. The model is recorded on the step run with its tags, properties, description and
        framework; ``datasets``, the sample datasets and ``resource_configuration`` are accepted and not recorded."""
        if not isinstance(model_name, str) or not model_name:
            raise ValueError("register_model needs model_name: a non-empty string")
        if not model_path:
            raise ValueError("register_model needs model_path: an artifact name or a local file or folder")
        path = self._resolve_model_path(model_name, model_path)
        model = Model(model_name, path, tags, properties, description, model_framework, model_framework_version)
        record = {"type": "model", "scope": self._scope, "name": model_name, "path": path,
                  "tags": {str(k): str(v) for k, v in (tags or {}).items()},
                  "properties": {str(k): str(v) for k, v in (properties or {}).items()},
                  "description": "" if description is None else str(description), "time": _now()}
        if model_framework is not None:
            record["framework"] = str(model_framework)
        if model_framework_version is not None:
            record["frameworkVersion"] = str(model_framework_version)
        self._emit(record)
        return model

    def _resolve_model_path(self, model_name, model_path):
        normalized = model_path.replace(os.sep, "/")
        try:
            name = _safe_name(normalized)
        except ValueError:
            name = None
        if name is not None:
            if self._uploads_dir and os.path.exists(os.path.join(self._uploads_dir, *name.split("/"))):
                return name
            # Azure ML uploads ./outputs after the script ends; the worker does the same.
            if name.split("/")[0] == "outputs" and os.path.exists(name):
                return name
        if not os.path.exists(model_path):
            raise ValueError("register_model: %r is neither an artifact of this run nor a local file" % model_path)
        base = "models/%s/%s" % (_safe_name(model_name), os.path.basename(os.path.normpath(model_path)))
        if os.path.isdir(model_path):
            self.upload_folder(base, model_path)
        else:
            self.upload_file(base, model_path)
        return base

    def _artifact_path(self, name):
        target = os.path.join(self._uploads_dir, *name.split("/"))
        os.makedirs(os.path.dirname(target), exist_ok=True)
        return target

    # -- lifecycle (the worker owns the status; these exist so Azure ML scripts run unchanged) -------------------

    def complete(self, **_kwargs):
        pass

    def fail(self, **_kwargs):
        pass

    def flush(self, **_kwargs):
        pass

    def get_status(self):
        return "Running"

    def _emit(self, record):
        self._writer.write(record)

    def __repr__(self):
        return "Run(id=%r, experiment=%r)" % (self.id, self.experiment.name)


def _dataset_inputs(inputs, described):
    """``input_datasets``: a dataset input used directly (``as_named_input(n)``) of a tabular dataset is a
    TabularDataset reading the files the worker downloaded; every other input is its local path."""
    if not described:
        return inputs
    out = dict(inputs)
    for name, d in json.loads(described).items():
        if name in inputs and d.get("kind") == "tabular" and d.get("mode") == "direct":
            from azureml.data.tabular_dataset import TabularDataset

            registration = {k: d[k] for k in ("name", "version", "id") if d.get(k) is not None} or None
            dataset = TabularDataset._create(None, [], d.get("options") or {}, registration)
            dataset._local_dir = inputs[name]
            dataset._local_pattern = d.get("pattern")
            out[name] = dataset
    return out


def _step_run_from_env():
    env = os.environ
    experiment = Experiment(env.get("SLUICE_EXPERIMENT", ""))
    writer = _Writer(env[_ENV_CONTEXT_FILE])
    uploads = env.get(_ENV_UPLOADS_DIR) or os.path.join(os.path.dirname(env[_ENV_CONTEXT_FILE]), "uploads")
    inputs = _dataset_inputs(json.loads(env.get("SLUICE_INPUTS") or "{}"), env.get("AZUREML_DATASET_INPUTS"))
    outputs = json.loads(env.get("SLUICE_OUTPUTS") or "{}")
    parent = Run(env.get("SLUICE_RUN_ID", ""), experiment, "run", writer, uploads, {}, {})
    return Run(env.get("SLUICE_STEP_RUN_ID", ""), experiment, "step", writer, uploads, inputs, outputs, parent)


class _PrintWriter(object):
    """The offline run's 'storage': prints what would have been recorded, as Azure ML's offline run does."""

    def write(self, record):
        kind = record["type"]
        if kind == "metric":
            print("Attempted to log %s metric %s:\n%s" % (record["kind"], record["name"], record["value"]))
        elif kind == "tag":
            print("Attempted to set tag %s = %s" % (record["key"], record["value"]))
        elif kind == "model":
            print("Attempted to register model %s from %s" % (record["name"], record["path"]))
        sys.stdout.flush()


class _OfflineRun(Run):
    """A run for scripts started by hand: nothing is recorded, everything is printed."""

    def __init__(self):
        run_id = "OfflineRun_" + str(uuid.uuid4())
        experiment = Experiment("offline")
        parent = Run(run_id + "_parent", experiment, "run", _PrintWriter(), None, {}, {})
        Run.__init__(self, run_id, experiment, "step", _PrintWriter(), None, {}, {}, parent)

    def upload_file(self, name, path_or_stream):
        name = _safe_name(name)
        print("Attempted to upload %s" % name)
        return name

    def _resolve_model_path(self, model_name, model_path):
        return _safe_name(model_path.replace(os.sep, "/")) if not os.path.isabs(model_path) else model_path
