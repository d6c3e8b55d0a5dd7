"""``OutputFileDatasetConfig``: a folder a step writes and later steps read (a spec ``data`` entry)."""

import uuid
import warnings

from azureml._sluice.names import check_name, datastore_name
from azureml.exceptions import UserErrorException

__all__ = ["OutputFileDatasetConfig", "OutputTabularDatasetConfig"]


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
        self._shared = {"register": None, "tabular": None}

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

    def read_delimited_files(self, include_path=False, separator=",", header=True, partition_format=None,
                             path_glob=None, set_column_types=None):
        """This output read as delimited files: an ``OutputTabularDatasetConfig`` (the same output). With
        ``register_on_complete`` it becomes a tabular dataset version when the step completes, and a later step given
        it (or ``.as_input(name)``) finds a ``TabularDataset`` in ``Run.get_context().input_datasets``. ``path_glob``
        picks the files of the output folder (e.g. ``"*.csv"``). ``header`` is True/False or a
        ``PromoteHeadersBehavior`` name; a ``partition_format`` is not supported on Sluice."""
        from azureml.data.dataset_factory import _delimited_options

        if partition_format is not None:
            raise NotImplementedError("OutputFileDatasetConfig.read_delimited_files: partition_format is not "
                                      "supported by Sluice; leave it out (path_glob picks files)")
        _check_glob(path_glob)
        options = _delimited_options(include_path=include_path, set_column_types=set_column_types,
                                     separator=separator, header=header)
        tabular = OutputTabularDatasetConfig.__new__(OutputTabularDatasetConfig)
        tabular.__dict__ = self.__dict__  # one output: what either registers or reads is the other's too
        tabular._shared["tabular"] = {"delimited": options, "glob": path_glob}
        return tabular

    def read_parquet_files(self, include_path=False, partition_format=None, path_glob=None,
                           set_column_types=None):
        raise NotImplementedError("OutputFileDatasetConfig.read_parquet_files: Sluice reads tabular data from "
                                  "delimited files only (as Dataset.Tabular.from_parquet_files); write CSV and use "
                                  "read_delimited_files, or register the output as a file dataset")

    def register_on_complete(self, name, description=None, tags=None):
        """Registers the output, when the step that writes it completes, as the next version of the dataset
        ``name`` (a file dataset, or a tabular one after ``read_delimited_files``); returns this output. The output
        is then written to its datastore (workspaceblobstore by default) at ``<run id>/<step>/<output name>/``."""
        import re

        if not isinstance(name, str) or not re.match(r"^[A-Za-z0-9](?:[A-Za-z0-9 _.-]{0,253}[A-Za-z0-9_.-])?$", name):
            raise UserErrorException("register_on_complete needs name, a dataset name: letters, digits, spaces, "
                                     "_ . - (at most 255), starting with a letter or digit; not %r" % (name,))
        if description is not None and not isinstance(description, str):
            raise UserErrorException("register_on_complete: description must be a string")
        if tags is not None and (not isinstance(tags, dict) or
                                 not all(isinstance(k, str) and isinstance(v, str) for k, v in tags.items())):
            raise UserErrorException("register_on_complete: tags must be a dict of strings to strings")
        self._shared["register"] = {"name": name, "description": description, "tags": dict(tags or {})}
        return self

    def _registration(self):
        """The spec's ``register:`` of this output, or None (python/azureml/pipeline/core/pipeline.py)."""
        register = self._shared.get("register")
        if register is None:
            return None
        spec = {"name": register["name"], "tags": register["tags"]}
        if register["description"] is not None:
            spec["description"] = register["description"]
        tabular = self._shared.get("tabular")
        if tabular is not None:
            spec["kind"] = "tabular"
            spec["delimited"] = tabular["delimited"]
        if tabular is not None and tabular["glob"]:
            spec["glob"] = tabular["glob"]
        return spec

    def __repr__(self):
        return "$AZUREML_DATAREFERENCE_%s" % self.name


class OutputTabularDatasetConfig(OutputFileDatasetConfig):
    """``output.read_delimited_files(...)``: the same output, registered (``register_on_complete``) and read by later
    steps as a tabular dataset."""

    def __init__(self, *args, **kwargs):
        raise UserErrorException("OutputTabularDatasetConfig comes from OutputFileDatasetConfig(...)"
                                 ".read_delimited_files(...)")

    def read_delimited_files(self, *args, **kwargs):
        raise UserErrorException("this output is read as delimited files already")


def _check_glob(path_glob):
    if path_glob is None:
        return
    if not isinstance(path_glob, str) or not path_glob or path_glob.startswith("/") or ".." in path_glob.split("/"):
        raise UserErrorException("path_glob must be a relative glob inside the output, such as '*.csv', not %r"
                                 % (path_glob,))


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
