"""``Pipeline``: steps built in Python, turned into the same pipeline spec a YAML file gives (docs/pipeline-spec.md),
so reuse, plans, publishing and schedules behave as for the CLI."""

import json
import os
import uuid

from azureml._sluice.http import api_path
from azureml._sluice.names import EXPERIMENT_NAME, spec_name
from azureml._sluice.snapshot import pack_snapshot
from azureml.data.data_reference import DataReference
from azureml.data.output_dataset_config import OutputFileDatasetConfig, _OutputInput
from azureml.exceptions import SnapshotException, UserErrorException
from azureml.pipeline.core.builder import PipelineData, PipelineStep, StepSequence
from azureml.pipeline.core.graph import PipelineParameter, PublishedPipeline

__all__ = ["Pipeline"]

DATASET_INPUTS_ENV = "AZUREML_DATASET_INPUTS"
"""The step variable that tells the run context which inputs are datasets (python/sluice/run.py reads it)."""


class _SpecContext(object):
    """Collects parameters, inputs, data and source directories while the steps are written out."""

    def __init__(self, steps, base_dir, default_datastore=None):
        self.base_dir = os.path.abspath(base_dir)
        self.default_datastore = default_datastore
        self.parameters = {}
        self.inputs = {}
        self.dataset_inputs = {}
        self.step_datasets = {}
        self.data = {}
        self.sources = {}  # spec source_directory → absolute folder
        self._source_keys = {}
        self.step_names = {}
        self.producers = {}
        self.step_io = {}
        self.input_names = {}
        self._kinds = {}
        used = set()
        for step in steps:
            name = spec_name(step.name, "step name")
            candidate, n = name, 2
            while candidate in used:
                candidate, n = "%s_%d" % (name[:60], n), n + 1
            used.add(candidate)
            self.step_names[id(step)] = candidate
            self.step_io[id(step)] = ([], [])
        # Producers first: a step's declared outputs, then arguments not produced elsewhere.
        for step in steps:
            for output in step._outputs:
                self._produce(step, output)
        for step in steps:
            for value in step._arguments:
                if isinstance(value, OutputFileDatasetConfig) and value.name not in self.producers:
                    self._produce(step, value)
        for step in steps:
            for value in step._arguments:
                if isinstance(value, PipelineData) and value.name not in self.producers and \
                        not any(_data_name(i) == value.name for i in step._inputs):
                    self._produce(step, value)
        for step in steps:
            for value in step._inputs:
                self._consume(step, value)

    def _declare(self, name, kind, field):
        previous = self._kinds.get(name)
        if previous is not None and previous != kind:
            raise ValueError("%s: the name %r is used for a %s and a %s; parameters, inputs and data share one "
                             "namespace, so rename one of them" % (field, name, previous, kind))
        self._kinds[name] = kind

    def _produce(self, step, output):
        if isinstance(output, (PipelineData, OutputFileDatasetConfig)):
            name = output.name
            self._declare(name, "data", "outputs")
            if name in self.producers and self.producers[name] is not step:
                raise ValueError("PipelineData %s is an output of two steps (%s and %s); each data has one "
                                 "producing step" % (name, self.producers[name].name, step.name))
            self.producers[name] = step
            self.data[name] = _data_spec(output, self.default_datastore)
            outs = self.step_io[id(step)][1]
            if name not in outs:
                outs.append(name)
        else:
            raise ValueError("step %s: outputs must be PipelineData or OutputFileDatasetConfig, not %r"
                             % (step.name, output))

    def _consume(self, step, value):
        ins = self.step_io[id(step)][0]
        datapath = _datapath_parameter(value)
        if datapath is not None:
            name = self._parameter(datapath)
        elif isinstance(value, DataReference):
            name = self._input(value)
        elif _dataset_input(value) is not None:
            name = self._dataset(step, _dataset_input(value))
        elif isinstance(value, (PipelineData, OutputFileDatasetConfig, _OutputInput)):
            name = _data_name(value)
            if name not in self.producers:
                raise ValueError("step %s reads %s %s, but no step of the pipeline writes it: list it in the "
                                 "outputs of the step that produces it" % (step.name, type(value).__name__, name))
            if self.producers[name] is step:
                raise ValueError("step %s reads %s, which it writes itself" % (step.name, name))
        elif isinstance(value, PipelineParameter):
            raise ValueError("step %s: a PipelineParameter is not an input; pass it in arguments" % step.name)
        else:
            raise ValueError("step %s: inputs must be PipelineData, OutputFileDatasetConfig, DataReference or a "
                             "dataset input (dataset.as_named_input(name)), not %r" % (step.name, value))
        self.input_names[(id(step), id(value))] = name
        if name not in ins:
            ins.append(name)

    def _input(self, reference):
        name = reference.data_reference_name
        self._declare(name, "input", "inputs")
        spec = {"datastore": reference.datastore_name, "path": reference.path_on_datastore or ""}
        if name in self.inputs and self.inputs[name] != spec:
            raise ValueError("two DataReferences are named %s (%s and %s); give each its own data_reference_name"
                             % (name, self.inputs[name], spec))
        self.inputs[name] = spec
        return name

    def _dataset(self, step, config):
        """A dataset input: a registered dataset is a spec ``{dataset, version}`` input the server resolves; an
        unregistered one a spec input at the datastore folder (or file) it names, plus what the step's run context
        needs to give ``input_datasets[name]`` (kind, glob, reading options)."""
        dataset = config.dataset
        name = config.name
        self._declare(name, "input", "inputs")
        if len(dataset._paths) != 1:
            raise NotImplementedError("step %s: dataset input %s names %d paths; a dataset input of a step takes "
                                      "one (datastore, path) (a folder or a glob) on Sluice"
                                      % (step.name, name, len(dataset._paths)))
        if dataset.name is not None and dataset.version is not None:
            # A registered dataset: the server resolves it at submit (its folder, glob and reading options) and
            # pins the version on the run (docs/pipeline-spec.md#dataset-inputs).
            known = self.inputs.get(name)
            if known is not None and (known.get("dataset"), known.get("version")) != (dataset.name, dataset.version):
                raise ValueError("two inputs are named %s; give each dataset its own as_named_input name" % name)
            mode = config.mode if config.mode != "direct" else (known or {}).get("mode", "direct")
            self.inputs[name] = dict({"dataset": dataset.name, "version": dataset.version},
                                     **({"mode": mode} if mode != "direct" else {}))
            return name
        pair = dataset._paths[0]
        from azureml.data.abstract_dataset import _is_glob, glob_base

        path = pair["path"]
        pattern = None
        if _is_glob(path):
            pattern = path[len(glob_base(path)):]
            path = glob_base(path)
        spec = {"datastore": pair["datastore"], "path": path}
        descriptor = {"kind": dataset._kind, "mode": config.mode, "pattern": pattern, "name": dataset.name,
                      "version": dataset.version, "id": dataset.id, "options": dataset._options}
        known = self.dataset_inputs.get(name)
        same = known is not None and dict(known, mode=None) == dict(descriptor, mode=None)
        if name in self.inputs and (self.inputs[name] != spec or (known is not None and not same)):
            raise ValueError("two inputs are named %s; give each dataset its own as_named_input name" % name)
        if same and descriptor["mode"] == "direct":
            descriptor = known  # as_mount()/as_download() in arguments wins over the same input given directly
        self.inputs[name] = spec
        self.dataset_inputs[name] = descriptor
        for datasets in self.step_datasets.values():
            if name in datasets:
                datasets[name] = descriptor
        self.step_datasets.setdefault(id(step), {})[name] = descriptor
        return name

    def source_key(self, directory):
        if directory in self._source_keys:
            return self._source_keys[directory]
        rel = os.path.relpath(directory, self.base_dir)
        if rel == "." or not (rel == ".." or rel.startswith(".." + os.sep) or os.path.isabs(rel)):
            key = "." if rel == "." else rel.replace(os.sep, "/")
        else:
            base = spec_name(os.path.basename(directory.rstrip(os.sep)) or "src", "source_directory")
            key, n = base, 2
            while key in self.sources:
                key, n = "%s_%d" % (base, n), n + 1
        self._source_keys[directory] = key
        self.sources[key] = directory
        return key

    def _parameter(self, parameter):
        self._declare(parameter.name, "parameter", "arguments")
        known = self.parameters.get(parameter.name)
        if known is not None and known != parameter._spec():
            raise ValueError("two PipelineParameters are named %s with different defaults" % parameter.name)
        self.parameters[parameter.name] = parameter._spec()
        return parameter.name

    def value(self, step, value):
        if isinstance(value, PipelineParameter):
            if value.type == "datapath":
                raise ValueError("step %s: DataPath parameter %s is a location; pass it in arguments or inputs, "
                                 "not as an environment value" % (step.name, value.name))
            return "${{parameters.%s}}" % self._parameter(value)
        if isinstance(value, bool) or isinstance(value, (int, float, str)):
            return str(value)
        raise ValueError("step %s: %r cannot be an environment value; use text, numbers or a PipelineParameter"
                         % (step.name, value))

    def argument(self, step, value):
        datapath = _datapath_parameter(value)
        if datapath is not None:
            name = self._parameter(datapath)
            ins = self.step_io[id(step)][0]
            if name not in ins:
                ins.append(name)
            return "${{inputs.%s}}" % name
        if isinstance(value, (PipelineData, OutputFileDatasetConfig, _OutputInput)):
            name = _data_name(value)
            ins, outs = self.step_io[id(step)]
            if name not in ins and name not in outs:
                self._consume(step, value)
            return "${{data.%s}}" % name
        if isinstance(value, DataReference):
            name = self._input(value)
            ins = self.step_io[id(step)][0]
            if name not in ins:
                ins.append(name)
            return "${{inputs.%s}}" % name
        if _dataset_input(value) is not None:
            name = self._dataset(step, _dataset_input(value))
            ins = self.step_io[id(step)][0]
            if name not in ins:
                ins.append(name)
            return "${{inputs.%s}}" % name
        if value is None:
            raise ValueError("step %s: an argument is None" % step.name)
        if not isinstance(value, (PipelineParameter, bool, int, float, str)):
            raise ValueError("step %s: argument %r is not text, a number, PipelineData, OutputFileDatasetConfig, "
                             "DataReference or PipelineParameter" % (step.name, value))
        return self.value(step, value)


def _dataset_input(value):
    """The DatasetConsumptionConfig of a dataset input (a dataset given directly is named after itself)."""
    from azureml.data.abstract_dataset import AbstractDataset
    from azureml.data.dataset_consumption_config import DatasetConsumptionConfig

    if isinstance(value, DatasetConsumptionConfig):
        return value
    if isinstance(value, AbstractDataset):
        return value.as_named_input((value.name or "dataset").replace(".", "_"))
    return None


def _datapath_parameter(value):
    """The DataPath PipelineParameter of ``param`` or ``(param, DataPathComputeBinding(...))``, else None."""
    from azureml.data.datapath import DataPathComputeBinding

    if isinstance(value, tuple) and len(value) == 2 and isinstance(value[1], DataPathComputeBinding):
        value = value[0]
        if not isinstance(value, PipelineParameter) or value.type != "datapath":
            raise ValueError("a DataPathComputeBinding goes with a PipelineParameter whose default is a DataPath")
    if isinstance(value, PipelineParameter) and value.type == "datapath":
        return value
    return None


def _data_name(value):
    return value.name


def _data_spec(output, default_datastore=None):
    from azureml._sluice.names import datastore_name

    datastore = output.datastore if output.datastore is not None else default_datastore
    spec = {"datastore": datastore_name(datastore)} if datastore is not None else {}
    registration = output._registration() if isinstance(output, OutputFileDatasetConfig) else None
    if registration is not None:
        spec["register"] = registration
    return spec


class Pipeline(object):
    """``Pipeline(workspace, steps, description=None, default_datastore=None, default_source_directory=None,
    resolve_closure=True, ...)``: the steps (a list, a ``StepSequence``, or one step) and, with ``resolve_closure``,
    every step that produces data they read."""

    def __init__(self, workspace, steps, description=None, default_datastore=None, default_source_directory=None,
                 resolve_closure=True, _workflow_provider=None, _service_endpoint=None, **kwargs):
        from azureml.core.workspace import Workspace

        if not isinstance(workspace, Workspace):
            raise ValueError("Pipeline needs workspace, a Workspace (e.g. Workspace.from_config())")
        if isinstance(steps, PipelineStep):
            steps = [steps]
        if isinstance(steps, StepSequence):
            steps = list(steps)
        if not isinstance(steps, (list, tuple)) or not steps:
            raise ValueError("Pipeline needs steps: a list of steps, a StepSequence or a step")
        flat = []
        for item in steps:
            group = list(item) if isinstance(item, (list, tuple, StepSequence)) else [item]
            for step in group:
                if not isinstance(step, PipelineStep):
                    raise ValueError("steps must be pipeline steps such as PythonScriptStep, not %r" % (step,))
                if step not in flat:
                    flat.append(step)
        if resolve_closure:
            _add_closure(flat)
        self._workspace = workspace
        self._steps = flat
        self.description = description
        self._default_datastore = default_datastore
        self._default_source_directory = default_source_directory
        self._name = kwargs.get("name")

    @property
    def workspace(self):
        return self._workspace

    @property
    def steps(self):
        return list(self._steps)

    # -- the spec ----------------------------------------------------------------------------------------------

    def _spec(self, name=None, base_dir=None):
        """``(spec, {source_directory: absolute folder})``."""
        for step in self._steps:
            if getattr(step, "source_directory", "unset") is None and self._default_source_directory:
                step.source_directory = self._default_source_directory
        context = _SpecContext(self._steps, base_dir or os.getcwd(), self._default_datastore)
        steps = []
        for step in self._steps:
            body = step._spec(context)
            side_objects = body.pop("_side_input_objects", None)
            transfer = body.pop("_transfer", False)
            ins, outs = context.step_io[id(step)]
            entry = {"name": context.step_names[id(step)]}
            entry.update(body)
            if transfer:  # a data_transfer step: its one input is `source`, its one output `destination`
                entry["source"] = ins[0]
                if outs:
                    entry["destination"] = outs[0]
                ins, outs = [], []
            if side_objects is not None:  # a parallel step: side inputs apart, and one output
                side = [context.input_names[(id(step), id(value))] for value in side_objects]
                ins = [name for name in ins if name not in side]
                if side:
                    entry["side_inputs"] = side
            if ins:
                entry["inputs"] = list(ins)
            datasets = context.step_datasets.get(id(step))
            if datasets:
                entry.setdefault("env", {})[DATASET_INPUTS_ENV] = json.dumps(datasets, sort_keys=True,
                                                                             separators=(",", ":"))
            if side_objects is not None:
                entry["output"] = outs[0]
            elif outs:
                entry["outputs"] = list(outs)
            after = [context.step_names[id(s)] for s in step.run_after_steps if id(s) in context.step_names]
            if after:
                entry["run_after"] = after
            if step.name != entry["name"]:
                entry["display_name"] = step.name  # v1's name as written ("Prepare Data"); the id is a spec name
            steps.append(entry)
        spec = {"name": spec_name(name or self._name or "pipeline", "pipeline name")}
        if self.description:
            spec["description"] = self.description
        if context.parameters:
            spec["parameters"] = context.parameters
        if context.inputs:
            spec["inputs"] = context.inputs
        if context.data:
            spec["data"] = context.data
        spec["steps"] = steps
        return spec, context.sources

    def to_yaml(self, path=None, name=None):
        """The pipeline spec as YAML (our addition): what ``npx sluice run FILE`` runs. With ``path``, writes it
        there, with source directories relative to the file's folder (they must lie inside it)."""
        base = os.path.dirname(os.path.abspath(path)) if path else os.getcwd()
        spec, sources = self._spec(name, base)
        for key in sources:
            if os.path.abspath(os.path.join(base, key)) != sources[key]:
                raise UserErrorException("source_directory %s lies outside %s; write the YAML file in a folder that "
                                         "contains every source directory" % (sources[key], base))
        text = _to_yaml(spec)
        if path:
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
        return text

    def _upload(self, sources):
        snapshots = {}
        transport = self._workspace._transport
        # Pack everything first: a missing or oversized folder fails before anything is uploaded (as the CLI does).
        packed_all = [(key, directory, pack_snapshot(directory)) for key, directory in sources.items()]
        uploaded = set()
        for key, directory, packed in packed_all:
            snapshots[key] = packed.id
            if packed.id in uploaded:
                continue
            stored = transport.json("POST", "snapshots", data=packed.archive, content_type="application/gzip")
            if stored.get("id") != packed.id:
                raise SnapshotException("the service computed snapshot id %s for %s, not %s; this package and the "
                                        "service disagree on the snapshot format (update one of them)"
                                        % (stored.get("id"), directory, packed.id))
            uploaded.add(packed.id)
        return snapshots

    # -- validate, submit, publish -------------------------------------------------------------------------------

    def validate(self):
        """The problems of the pipeline as a list of messages (empty when it is valid): checked here, then by the
        service (a dry run, which uploads the source snapshots and starts nothing)."""
        try:
            spec, sources = self._spec()
            snapshots = self._upload(sources)
        except (ValueError, UserErrorException) as err:
            return [str(err)]
        try:
            self._workspace._transport.json("POST", api_path("experiments", "validate", "runs"),
                                            query={"dryRun": "true"},
                                            json_body={"pipeline": spec, "snapshots": snapshots})
        except UserErrorException as err:
            issues = err.issues
            return ["%s: %s" % (i.get("path"), i.get("message")) for i in issues] if issues else [str(err)]
        return []

    def submit(self, experiment_name, pipeline_parameters=None, continue_on_step_failure=False,
               regenerate_outputs=False, parent_run_id=None, credential_passthrough=None, **kwargs):
        """Uploads the source snapshots and starts a run in ``experiment_name``; returns its ``PipelineRun``."""
        from azureml.core.experiment import Experiment
        from azureml.pipeline.core.graph import _split_parameters
        from azureml.pipeline.core.run import PipelineRun

        if not isinstance(experiment_name, str) or not EXPERIMENT_NAME.match(experiment_name):
            raise UserErrorException("experiment_name %r must be 1-256 letters, digits, '_' or '-'"
                                     % (experiment_name,))
        spec, sources = self._spec(kwargs.get("name") or experiment_name)
        snapshots = self._upload(sources)
        body = {"pipeline": spec, "snapshots": snapshots, "regenerateOutputs": bool(regenerate_outputs),
                "continueOnStepFailure": bool(continue_on_step_failure)}
        if pipeline_parameters:
            parameters, data_paths = _split_parameters(pipeline_parameters)
            if parameters:
                body["parameters"] = parameters
            if data_paths:
                body["dataPaths"] = data_paths
        if kwargs.get("tags"):
            body["tags"] = {str(k): str(v) for k, v in kwargs["tags"].items()}
        if kwargs.get("description") or self.description:
            body["description"] = kwargs.get("description") or self.description
        answer = self._workspace._transport.json(
            "POST", api_path("experiments", experiment_name, "runs"), json_body=body,
            headers={"Idempotency-Key": str(uuid.uuid4())}, idempotent=True)
        return PipelineRun(Experiment(self._workspace, experiment_name), answer["id"])

    def publish(self, name=None, description=None, version=None, continue_on_step_failure=None):
        """Publishes the pipeline (its spec and snapshots, pinned); returns the ``PublishedPipeline``."""
        if not name or not isinstance(name, str):
            raise UserErrorException("publish needs name, the published pipeline's name")
        spec, sources = self._spec(name)
        snapshots = self._upload(sources)
        body = {"name": name, "pipeline": spec, "snapshots": snapshots}
        if description is not None:
            body["description"] = description
        if version is not None:
            body["version"] = str(version)
        if continue_on_step_failure is not None:
            body["continueOnStepFailure"] = bool(continue_on_step_failure)
        record = self._workspace._transport.json("POST", "published-pipelines", json_body=body)
        return PublishedPipeline._from_json(self._workspace, record)

    def __repr__(self):
        return "Pipeline(steps=%r)" % [s.name for s in self._steps]


def _add_closure(steps):
    """Adds the producers of data the steps read (Azure ML's resolve_closure)."""
    changed = True
    while changed:
        changed = False
        produced = set()
        for step in steps:
            for output in step._outputs:
                produced.add(output.name)
        for step in list(steps):
            for value in list(step._inputs) + list(step._arguments):
                producer = getattr(value, "_producer", None)
                if producer is not None and producer not in steps:
                    steps.append(producer)
                    changed = True


def _to_yaml(value, indent=0):
    """YAML for the spec (JSON scalars are valid YAML, so strings are written as JSON strings)."""
    pad = "  " * indent
    lines = []
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, (dict, list)) and item:
                lines.append("%s%s:" % (pad, key))
                lines.append(_to_yaml(item, indent + 1))
            else:
                lines.append("%s%s: %s" % (pad, key, _scalar(item)))
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, dict) and item:
                inner = _to_yaml(item, indent + 1).split("\n")
                lines.append("%s- %s" % (pad, inner[0].lstrip()))
                lines.extend(inner[1:])
            else:
                lines.append("%s- %s" % (pad, _scalar(item)))
    return "\n".join(lines) + ("\n" if indent == 0 else "")


def _scalar(item):
    if isinstance(item, dict):
        return "{}"
    if isinstance(item, list):
        return "[]"
    return json.dumps(item, ensure_ascii=False)
