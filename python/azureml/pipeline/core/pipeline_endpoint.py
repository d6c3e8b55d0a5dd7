"""``PipelineEndpoint``: a stable, versioned name in front of published pipelines (``/api/pipeline-endpoints``)."""

from azureml._sluice.http import api_path
from azureml.exceptions import UserErrorException

__all__ = ["PipelineEndpoint"]


class PipelineEndpoint(object):
    def __init__(self, workspace, id, name, description, status, default_version, endpoint, pipeline_version_list,
                 _pipeline_endpoint_provider=None, _published_pipeline_provider=None, _swaggerurl=None, **kwargs):
        self._workspace = workspace
        self._id = id
        self._name = name
        self._description = description
        self._status = status
        self._default_version = default_version
        self._endpoint = endpoint
        self._versions = list(pipeline_version_list or [])

    id = property(lambda self: self._id)
    name = property(lambda self: self._name)
    description = property(lambda self: self._description)
    status = property(lambda self: self._status)
    default_version = property(lambda self: self._default_version)
    endpoint = property(lambda self: self._endpoint)
    pipeline_version_list = property(lambda self: list(self._versions))

    @classmethod
    def _from_json(cls, workspace, record):
        return cls(workspace, record.get("name"), record.get("name"), record.get("description"),
                   record.get("status", "Active"), record.get("defaultVersion"), record.get("endpoint"),
                   record.get("versions"))

    @staticmethod
    def _put(workspace, name, body):
        record = workspace._transport.json("PUT", api_path("pipeline-endpoints", name), json_body=body)
        return PipelineEndpoint._from_json(workspace, record)

    @staticmethod
    def publish(workspace, name, description, pipeline, _workflow_provider=None, _service_endpoint=None):
        """Creates the endpoint ``name`` with ``pipeline`` (a ``PublishedPipeline``) as its default version."""
        from azureml.pipeline.core.graph import PublishedPipeline

        if not isinstance(pipeline, PublishedPipeline):
            raise UserErrorException("PipelineEndpoint.publish takes a PublishedPipeline (pipeline.publish(...) "
                                     "gives one), not %s" % type(pipeline).__name__)
        body = {"publishedPipelineId": pipeline.id, "makeDefault": True}
        if description is not None:
            body["description"] = description
        return PipelineEndpoint._put(workspace, name, body)

    @staticmethod
    def get(workspace, id=None, name=None, _workflow_provider=None, _service_endpoint=None):
        key = name or id
        if not key:
            raise UserErrorException("PipelineEndpoint.get needs id or name")
        record = workspace._transport.json("GET", api_path("pipeline-endpoints", key))
        return PipelineEndpoint._from_json(workspace, record)

    @staticmethod
    def list(workspace, active_only=True, _workflow_provider=None, _service_endpoint=None):
        answer = workspace._transport.json("GET", "pipeline-endpoints")
        return [PipelineEndpoint._from_json(workspace, r) for r in answer.get("value", [])]

    def add(self, pipeline):
        """Adds ``pipeline`` as the next version."""
        self.__dict__.update(PipelineEndpoint._put(self._workspace, self._name,
                                                   {"publishedPipelineId": pipeline.id}).__dict__)

    def add_default(self, pipeline):
        """Adds ``pipeline`` as the next version and makes it the default."""
        self.__dict__.update(PipelineEndpoint._put(self._workspace, self._name,
                                                   {"publishedPipelineId": pipeline.id, "makeDefault": True}).__dict__)

    def set_default_version(self, version):
        self.__dict__.update(PipelineEndpoint._put(self._workspace, self._name,
                                                   {"defaultVersion": str(version)}).__dict__)

    def get_default_version(self):
        return self._default_version

    def get_pipeline(self, version=None):
        from azureml.pipeline.core.graph import PublishedPipeline

        wanted = str(version) if version is not None else self._default_version
        for entry in self._versions:
            if str(entry.get("version")) == wanted:
                return PublishedPipeline.get(self._workspace, entry.get("publishedPipelineId"))
        raise UserErrorException("PipelineEndpoint %s has no version %s; its versions: %s" % (
            self._name, wanted, ", ".join(str(v.get("version")) for v in self._versions)))

    def list_versions(self):
        return list(self._versions)

    def submit(self, experiment_name, pipeline_parameters=None, parent_run_id=None, pipeline_version=None):
        """Runs the default version (or ``pipeline_version``); returns the ``PipelineRun``."""
        from azureml.core.experiment import Experiment
        from azureml.pipeline.core.graph import _idempotency, _submit_body
        from azureml.pipeline.core.run import PipelineRun

        body = _submit_body(experiment_name, pipeline_parameters)
        query = {"version": str(pipeline_version)} if pipeline_version is not None else None
        answer = self._workspace._transport.json("POST", api_path("pipeline-endpoints", self._name, "submit"),
                                                 query=query, json_body=body, headers=_idempotency(),
                                                 idempotent=True)
        return PipelineRun(Experiment(self._workspace, experiment_name), answer["id"])

    def disable(self):
        raise NotImplementedError("PipelineEndpoint.disable: the Sluice API disables published pipelines, not "
                                  "endpoints; disable its versions with PublishedPipeline.disable()")

    def __repr__(self):
        return "PipelineEndpoint(Name: %s, Default version: %s, Endpoint: %s)" % (
            self._name, self._default_version, self._endpoint)
