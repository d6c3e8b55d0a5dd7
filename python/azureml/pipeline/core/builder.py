"""``PipelineData``, ``PipelineStep`` and ``StepSequence`` (``azureml.pipeline.core.builder``, as in Azure ML)."""

from azureml._sluice.names import check_name, datastore_name

__all__ = ["PipelineData", "PipelineStep", "StepSequence"]


class PipelineData(object):
    """Intermediate data: written by the one step that lists it in ``outputs`` (or passes it in ``arguments`` without
    another step producing it), read by every step that lists it in ``inputs``. Every v1 argument is accepted; what
    Sluice does with each is in docs/python-sdk.md (the data always lands at ``<run id>/<step>/<name>/`` of its
    datastore's container, ``pipeline-data`` for the default)."""

    def __init__(self, name, datastore=None, output_name=None, output_mode="mount", output_path_on_compute=None,
                 output_overwrite=None, data_type=None, is_directory=None, pipeline_output_name=None,
                 training_output=None):
        self._name = check_name(name, "PipelineData name")
        if datastore is not None:
            datastore_name(datastore)
        if output_mode not in ("mount", "upload"):
            raise ValueError('PipelineData %s: output_mode must be "mount" or "upload", not %r' % (name, output_mode))
        if output_name is not None:
            check_name(output_name, "PipelineData output_name")
        self._datastore = datastore
        self._output_name = output_name or name
        self._output_mode = output_mode
        self._output_path_on_compute = output_path_on_compute
        self._output_overwrite = output_overwrite
        self._data_type = data_type or "AnyDirectory"
        self._is_directory = is_directory
        self._pipeline_output_name = pipeline_output_name
        self._training_output = training_output
        self._producer = None

    name = property(lambda self: self._name)
    datastore = property(lambda self: self._datastore)
    data_type = property(lambda self: self._data_type)

    @property
    def datastore_name(self):
        return datastore_name(self._datastore) if self._datastore is not None else None

    def as_input(self, input_name=None):
        return self

    def as_mount(self):
        self._output_mode = "mount"
        return self

    def as_download(self, input_name=None, path_on_compute=None, overwrite=None):
        return self

    def as_dataset(self):
        return self

    def _spec(self):
        return {"datastore": self.datastore_name} if self._datastore is not None else {}

    def __repr__(self):
        return "$AZUREML_DATAREFERENCE_%s" % self._name

    def __str__(self):
        return self.__repr__()


class PipelineStep(object):
    """The base of the step classes: a name, inputs, outputs and ``run_after``."""

    def __init__(self, name, inputs=None, outputs=None, arguments=None, fix_port_name_collisions=False,
                 resource_inputs=None):
        if not isinstance(name, str) or not name.strip():
            raise ValueError("a step needs a name (a non-empty string)")
        self.name = name
        self._inputs = list(inputs or [])
        self._outputs = list(outputs or [])
        self._arguments = list(arguments or [])
        self.run_after_steps = []
        for output in self._outputs:
            if hasattr(output, "_producer"):
                output._producer = self
        for value in self._arguments:
            if type(value).__name__ == "OutputFileDatasetConfig" and getattr(value, "_producer", None) is None:
                value._producer = self

    def run_after(self, step):
        """This step starts only after ``step`` completed, even though no data connects them."""
        if not isinstance(step, PipelineStep):
            raise ValueError("run_after takes a step, not %r" % (step,))
        if step is self:
            raise ValueError("step %s cannot run after itself" % self.name)
        if step not in self.run_after_steps:
            self.run_after_steps.append(step)

    def _spec(self, context):
        raise NotImplementedError


class StepSequence(object):
    """Steps that run one after another: ``StepSequence(steps=[a, b, c])``; an item may be a list of steps that run
    side by side, after the previous item."""

    def __init__(self, steps=None):
        self._steps = list(steps or [])
        groups = [s if isinstance(s, (list, tuple)) else [s] for s in self._steps]
        for group in groups:
            for step in group:
                if not isinstance(step, PipelineStep):
                    raise ValueError("StepSequence takes steps (or lists of steps), not %r" % (step,))
        for before, after in zip(groups, groups[1:]):
            for step in after:
                for previous in before:
                    step.run_after(previous)
        self._flat = [step for group in groups for step in group]

    def __iter__(self):
        return iter(self._flat)

    def __len__(self):
        return len(self._flat)
