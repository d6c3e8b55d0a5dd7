"""``DataTransferStep``: a server-side copy between datastores (a spec ``type: data_transfer`` step)."""

from azureml.pipeline.core.builder import PipelineStep

__all__ = ["DataTransferStep"]

_TYPES = ("file", "directory")


class DataTransferStep(PipelineStep):
    """``DataTransferStep(name, source_data_reference=None, destination_data_reference=None, compute_target=None,
    source_reference_type=None, destination_reference_type=None, allow_reuse=True)``.

    - ``source_data_reference``: a ``DataReference`` (a datastore path, in any storage account), ``PipelineData``
      or ``OutputFileDatasetConfig`` written by an earlier step.
    - ``destination_data_reference``: a ``DataReference`` (a datastore path) or a ``PipelineData`` /
      ``OutputFileDatasetConfig`` this step writes (later steps read the copy).
    - ``compute_target`` (v1's Data Factory compute) is accepted and not needed: Sluice copies in its own app.
    - ``source_reference_type`` / ``destination_reference_type``: ``'file'`` or ``'directory'``.
    """

    def __init__(self, name, source_data_reference=None, destination_data_reference=None, compute_target=None,
                 source_reference_type=None, destination_reference_type=None, allow_reuse=True):
        from azureml.data.data_reference import DataReference
        from azureml.data.output_dataset_config import OutputFileDatasetConfig
        from azureml.pipeline.core.builder import PipelineData

        if source_data_reference is None:
            raise ValueError("source_data_reference is required: a DataReference, PipelineData or "
                             "OutputFileDatasetConfig")
        if destination_data_reference is None:
            raise ValueError("destination_data_reference is required: a DataReference, PipelineData or "
                             "OutputFileDatasetConfig")
        if not isinstance(source_data_reference, (DataReference, PipelineData, OutputFileDatasetConfig)) and \
                type(source_data_reference).__name__ != "_OutputInput":  # OutputFileDatasetConfig.as_input()
            raise ValueError("source_data_reference must be a DataReference, PipelineData or OutputFileDatasetConfig, "
                             "not %s" % type(source_data_reference).__name__)
        if not isinstance(destination_data_reference, (DataReference, PipelineData, OutputFileDatasetConfig)):
            raise ValueError("destination_data_reference must be a DataReference, PipelineData or "
                             "OutputFileDatasetConfig, not %s" % type(destination_data_reference).__name__)
        for field, value in (("source_reference_type", source_reference_type),
                             ("destination_reference_type", destination_reference_type)):
            if value is not None and value not in _TYPES:
                raise ValueError("%s must be 'file' or 'directory', not %r" % (field, value))
        writes = not isinstance(destination_data_reference, DataReference)
        PipelineStep.__init__(self, name, inputs=[source_data_reference],
                              outputs=[destination_data_reference] if writes else None)
        self.source_data_reference = source_data_reference
        self.destination_data_reference = destination_data_reference
        self.compute_target = compute_target
        self.source_reference_type = source_reference_type
        self.destination_reference_type = destination_reference_type
        self.allow_reuse = bool(allow_reuse)

    def _spec(self, context):
        spec = {"type": "data_transfer", "_transfer": True}
        destination = self.destination_data_reference
        if type(destination).__name__ == "DataReference":
            spec["destination"] = {"datastore": destination.datastore_name,
                                   "path": destination.path_on_datastore or ""}
        if self.source_reference_type:
            spec["source_reference_type"] = self.source_reference_type
        if self.destination_reference_type:
            spec["destination_reference_type"] = self.destination_reference_type
        if not self.allow_reuse:
            spec["allow_reuse"] = False
        return spec
