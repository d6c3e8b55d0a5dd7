"""``Experiment(workspace, name)``: a name that groups runs; created on the first submit."""

from azureml._sluice.names import EXPERIMENT_NAME
from azureml.exceptions import ExperimentExecutionException, UserErrorException

__all__ = ["Experiment"]


def _has_tags(run_tags, wanted):
    """v1's filter: a dict of values, a tag name, or a list of tag names."""
    if not wanted:
        return True
    if isinstance(wanted, dict):
        return all(run_tags.get(k) == v for k, v in wanted.items())
    names = [wanted] if isinstance(wanted, str) else list(wanted)
    return all(n in run_tags for n in names)


class Experiment(object):
    def __init__(self, workspace, name, _skip_name_validation=False, _id=None, _archived_time=None,
                 _create_in_cloud=True, _experiment_dto=None, **kwargs):
        from azureml.core.workspace import Workspace

        if not isinstance(workspace, Workspace):
            raise UserErrorException("Experiment needs workspace, a Workspace (e.g. Workspace.from_config())")
        if not _skip_name_validation and (not isinstance(name, str) or not EXPERIMENT_NAME.match(name)):
            raise UserErrorException("Experiment name %r is not valid: use 1-256 letters, digits, '_' or '-'"
                                     % (name,))
        self._workspace = workspace
        self._name = name

    workspace = property(lambda self: self._workspace)
    name = property(lambda self: self._name)
    id = property(lambda self: self._name)
    archived_time = property(lambda self: None)
    tags = property(lambda self: {})

    def submit(self, config, tags=None, **kwargs):
        """Submits a ``Pipeline`` (``regenerate_outputs``, ``pipeline_parameters``, ``continue_on_step_failure``),
        a ``PublishedPipeline`` or a ``PipelineEndpoint`` (``pipeline_parameters``); returns its ``PipelineRun``."""
        from azureml.pipeline.core.graph import PublishedPipeline
        from azureml.pipeline.core.pipeline import Pipeline
        from azureml.pipeline.core.pipeline_endpoint import PipelineEndpoint

        if isinstance(config, Pipeline):
            return config.submit(self._name, tags=tags, **kwargs)
        if isinstance(config, PublishedPipeline):
            return config.submit(self._workspace, self._name, pipeline_parameters=kwargs.get("pipeline_parameters"),
                                 continue_on_step_failure=kwargs.get("continue_on_step_failure"),
                                 regenerate_outputs=kwargs.get("regenerate_outputs"))
        if isinstance(config, PipelineEndpoint):
            return config.submit(self._name, pipeline_parameters=kwargs.get("pipeline_parameters"),
                                 pipeline_version=kwargs.get("pipeline_version"))
        kind = type(config).__name__
        raise ExperimentExecutionException(
            "Experiment.submit takes a Pipeline, PublishedPipeline or PipelineEndpoint; %s is not supported by "
            "Sluice (script runs are not; wrap the script in a PythonScriptStep)" % kind)

    def get_runs(self, type=None, tags=None, properties=None, include_children=False):
        """The experiment's runs, newest first (a generator of ``PipelineRun`` and, for runs started with
        ``start_logging``, interactive ``Run``; step runs too with ``include_children``)."""
        from azureml.core._interactive_run import InteractiveRun
        from azureml.pipeline.core.run import PipelineRun

        for summary in self._workspace._list_runs(experiment=self._name):
            if not _has_tags(summary.get("tags") or {}, tags):
                continue
            if summary.get("kind") == "interactive":  # started with start_logging
                if type in (None, InteractiveRun.type):
                    yield InteractiveRun(self, summary["id"])
                continue
            run = PipelineRun(self, summary["id"])
            if type in (None, "azureml.PipelineRun"):
                yield run
            if include_children:
                for child in run.get_children():
                    yield child

    def start_logging(self, *args, **kwargs):
        """Starts an interactive run recorded on the service (v1: ``outputs``, ``snapshot_directory``,
        ``display_name``; ``tags`` and ``description`` too): log on it, upload files, then ``complete()``, or use it
        as a context manager. ``snapshot_directory``'s files are uploaded under ``snapshot/``; ``outputs`` (a local
        folder) is uploaded under ``outputs/`` by ``complete()``."""
        from azureml.core._interactive_run import start_logging

        known = ("outputs", "snapshot_directory", "display_name", "tags", "description")
        if len(args) > 2:
            raise UserErrorException("Experiment.start_logging takes at most outputs and snapshot_directory by "
                                     "position; pass the rest by name")
        for key, value in zip(known, args):
            if key in kwargs:
                raise UserErrorException("Experiment.start_logging got %s twice" % key)
            kwargs[key] = value
        unknown = sorted(set(kwargs) - set(known))
        if unknown:
            raise UserErrorException("Experiment.start_logging got unexpected argument(s) %s; it takes %s"
                                     % (", ".join(unknown), ", ".join(known)))
        return start_logging(self, **kwargs)

    @staticmethod
    def list(workspace, experiment_name=None, view_type="ActiveOnly", tags=None):
        experiments = workspace.experiments
        if experiment_name is not None:
            return [experiments[experiment_name]] if experiment_name in experiments else []
        return list(experiments.values())

    def __repr__(self):
        return "Experiment(Name: %s, Workspace: %s)" % (self._name, self._workspace.name)

    def __eq__(self, other):
        return isinstance(other, Experiment) and other._name == self._name and other._workspace == self._workspace

    def __hash__(self):
        return hash(self._name)
