"""``PipelineParameter`` and ``PublishedPipeline`` (in ``azureml.pipeline.core.graph``, as in Azure ML)."""

from azureml._sluice.http import api_path
from azureml._sluice.names import check_name
from azureml.exceptions import UserErrorException

__all__ = ["PipelineParameter", "PublishedPipeline"]


class PipelineParameter(object):
    """``PipelineParameter(name, default_value)``: a value set per submit; its type (string, int, float, bool) is
    that of ``default_value``. In ``arguments`` it becomes the value as text."""

    def __init__(self, name, default_value):
        self.name = check_name(name, "PipelineParameter name")
        from azureml.data.datapath import DataPath

        if isinstance(default_value, DataPath):
            self.type = "datapath"
        elif isinstance(default_value, bool):
            self.type = "bool"
        elif isinstance(default_value, int):
            self.type = "int"
        elif isinstance(default_value, float):
            self.type = "float"
        elif isinstance(default_value, str):
            self.type = "string"
        else:
            raise ValueError("PipelineParameter %s: default_value must be a str, int, float, bool or DataPath, not %s"
                             % (name, type(default_value).__name__))
        self.default_value = default_value

    def _spec(self):
        default = self.default_value._json() if self.type == "datapath" else self.default_value
        return {"type": self.type, "default": default}

    def __repr__(self):
        return "PipelineParameter_Name:%s_Default:%s" % (self.name, self.default_value)


def _submit_body(experiment_name, pipeline_parameters, continue_on_step_failure=None, regenerate_outputs=None,
                 description=None, tags=None):
    if not experiment_name or not isinstance(experiment_name, str):
        raise UserErrorException("experiment_name is required: the experiment the run belongs to")
    body = {"ExperimentName": experiment_name}
    if pipeline_parameters:
        parameters, data_paths = _split_parameters(pipeline_parameters)
        if parameters:
            body["ParameterAssignments"] = parameters
        if data_paths:
            body["DataPathAssignments"] = data_paths
    if continue_on_step_failure is not None:
        body["continueOnStepFailure"] = bool(continue_on_step_failure)
    if regenerate_outputs is not None:
        body["regenerateOutputs"] = bool(regenerate_outputs)
    if description is not None:
        body["Description"] = description
    if tags:
        body["Tags"] = {str(k): str(v) for k, v in tags.items()}
    return body


def _split_parameters(pipeline_parameters):
    """``{name: value}`` → (parameters, data paths): a DataReference or ``(datastore, path)`` value is a data path."""
    if not isinstance(pipeline_parameters, dict):
        raise UserErrorException("pipeline_parameters must be a dict of parameter name to value")
    from azureml.data.data_reference import DataReference
    from azureml.data.datapath import DataPath

    parameters, data_paths = {}, {}
    for name, value in pipeline_parameters.items():
        if isinstance(value, (DataReference, DataPath)):
            data_paths[name] = {"datastore": value.datastore_name, "path": value.path_on_datastore or ""}
        elif isinstance(value, bool) or isinstance(value, (int, float, str)):
            parameters[name] = value
        else:
            raise UserErrorException("pipeline_parameters[%r]: %r is not a str, int, float, bool, DataPath or "
                                     "DataReference" % (name, value))
    return parameters, data_paths


class PublishedPipeline(object):
    """A published pipeline: an immutable spec behind a REST endpoint. Get one with ``PublishedPipeline.get``,
    ``PublishedPipeline.list``, ``pipeline.publish(...)`` or ``run.publish_pipeline(...)``."""

    def __init__(self, name, graph_id, description, version, published_pipeline_id, status, endpoint,
                 total_run_steps, workspace, continue_on_step_failure=None, _pipeline_provider=None, **kwargs):
        self._name = name
        self._graph_id = graph_id
        self._description = description
        self._version = version
        self._id = published_pipeline_id
        self._status = status
        self._endpoint = endpoint
        self._total_run_steps = total_run_steps
        self._workspace = workspace
        self._continue_on_step_failure = continue_on_step_failure
        self._record = kwargs.get("_record") or {}

    @classmethod
    def _from_json(cls, workspace, record):
        return cls(record.get("name"), record.get("pipelineId"), record.get("description"), record.get("version"),
                   record["id"], record.get("status"), record.get("endpoint"), None, workspace,
                   record.get("continueOnStepFailure"), _record=record)

    name = property(lambda self: self._name)
    graph_id = property(lambda self: self._graph_id)
    description = property(lambda self: self._description)
    version = property(lambda self: self._version)
    id = property(lambda self: self._id)
    status = property(lambda self: self._status)
    endpoint = property(lambda self: self._endpoint)
    total_run_steps = property(lambda self: self._total_run_steps)
    continue_on_step_failure = property(lambda self: self._continue_on_step_failure)

    @property
    def parameters(self):
        """The parameters a caller may set: ``[{"name", "type", "default"?, "required"}]`` (our addition)."""
        return list(self._record.get("parameters", []))

    @staticmethod
    def get(workspace, id, _workflow_provider=None, _service_endpoint=None):
        if not id:
            raise UserErrorException("PublishedPipeline.get needs id, the published pipeline's id")
        record = workspace._transport.json("GET", api_path("published-pipelines", id))
        return PublishedPipeline._from_json(workspace, record)

    @staticmethod
    def list(workspace, active_only=True, _service_endpoint=None):
        query = {"status": "Active"} if active_only else None
        answer = workspace._transport.json("GET", "published-pipelines", query=query)
        return [PublishedPipeline._from_json(workspace, r) for r in answer.get("value", [])]

    def submit(self, workspace, experiment_name, pipeline_parameters=None, _workflow_provider=None,
               _service_endpoint=None, parent_run_id=None, continue_on_step_failure=None, **kwargs):
        """Runs it in ``experiment_name``; returns the ``PipelineRun``."""
        from azureml.core.experiment import Experiment
        from azureml.pipeline.core.run import PipelineRun

        body = _submit_body(experiment_name, pipeline_parameters, continue_on_step_failure,
                            kwargs.get("regenerate_outputs"))
        answer = workspace._transport.json("POST", api_path("published-pipelines", self._id, "submit"),
                                           json_body=body, headers=_idempotency(), idempotent=True)
        return PipelineRun(Experiment(workspace, experiment_name), answer["id"])

    def disable(self):
        record = self._workspace._transport.json("POST", api_path("published-pipelines", self._id, "disable"))
        self._status = record.get("status", "Disabled")

    def enable(self):
        record = self._workspace._transport.json("POST", api_path("published-pipelines", self._id, "enable"))
        self._status = record.get("status", "Active")

    def get_step_names(self):
        raise NotImplementedError("PublishedPipeline.get_step_names: read the steps from the spec with "
                                  "GET /api/published-pipelines/{id}")

    def __repr__(self):
        return "PublishedPipeline(Name: %s, Id: %s, Status: %s, Endpoint: %s)" % (
            self._name, self._id, self._status, self._endpoint)


def _idempotency():
    import uuid

    return {"Idempotency-Key": str(uuid.uuid4())}
