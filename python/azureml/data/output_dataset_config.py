"""``OutputFileDatasetConfig``: a folder a step writes and later steps read (a spec ``data`` entry)."""

import uuid
import warnings

from azureml._sluice.names import check_name, datastore_name

__all__ = ["OutputFileDatasetConfig"]


class OutputFileDatasetConfig(object):
    """``OutputFileDatasetConfig(name=None, destination=None, source=None, partition_format=None)``.

    ``destination=(datastore, path)``: the datastore is used; the path is not (Sluice keeps every step output at
    ``<run id>/<step>/<name>/`` so that reuse can point at it), and a warning says so.
    """

    def __init__(self, name=None, destination=None, source=None, partition_format=None):
        self.name = check_name(name, "OutputFileDatasetConfig name") if name is not None else \
            "output_" + uuid.uuid4().hex[:8]
        self.datastore = None
        self.destination_path = None
        if destination is not None:
            if not isinstance(destination, (tuple, list)) or len(destination) not in (1, 2):
                raise ValueError("destination must be a tuple (datastore, path)")
            self.datastore = destination[0]
            datastore_name(self.datastore)
            self.destination_path = destination[1] if len(destination) == 2 else None
            if self.destination_path:
                warnings.warn("OutputFileDatasetConfig %s: destination path %r is not used; Sluice writes step "
                              "outputs under <run id>/<step>/%s/ in datastore %s"
                              % (self.name, self.destination_path, self.name, datastore_name(self.datastore)))
        self.source = source
        self.partition_format = partition_format
        self.mode = "mount"
        self._producer = None

    def as_mount(self, disable_metadata_cache=False):
        self.mode = "mount"
        return self

    def as_upload(self, overwrite=False, source_globs=None):
        self.mode = "upload"
        return self

    def as_input(self, name=None):
        """This output as a later step's input."""
        consumer = _OutputInput(self)
        return consumer

    def read_delimited_files(self, *args, **kwargs):
        raise NotImplementedError("OutputFileDatasetConfig.read_delimited_files: Sluice has no datasets yet (the "
                                  "server side of issue 14); pass the output itself to the next step")

    def read_parquet_files(self, *args, **kwargs):
        raise NotImplementedError("OutputFileDatasetConfig.read_parquet_files: Sluice has no datasets yet (the "
                                  "server side of issue 14)")

    def register_on_complete(self, name, description=None, tags=None):
        raise NotImplementedError("OutputFileDatasetConfig.register_on_complete: Sluice has no dataset registry "
                                  "yet (the server side of issue 14)")

    def __repr__(self):
        return "$AZUREML_DATAREFERENCE_%s" % self.name


class _OutputInput(object):
    """``output.as_input()``: the same data, read by a step."""

    def __init__(self, output):
        self.output = output
        self.name = output.name

    @property
    def _producer(self):
        return self.output._producer

    def as_mount(self):
        return self

    def as_download(self, *args, **kwargs):
        return self

    def __repr__(self):
        return "$AZUREML_DATAREFERENCE_%s" % self.name
