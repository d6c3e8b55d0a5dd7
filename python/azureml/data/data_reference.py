"""``DataReference``: a path in a datastore that a step reads (a spec ``inputs`` entry)."""

from azureml._sluice.names import check_name, datastore_name

__all__ = ["DataReference"]


class DataReference(object):
    """``DataReference(datastore, data_reference_name=None, path_on_datastore=None, mode="mount",
    path_on_compute=None, overwrite=False)``. The step gets a local folder (a prefix) or file (a blob); ``mode``
    is recorded as given — Sluice always downloads inputs before the step starts."""

    def __init__(self, datastore, data_reference_name=None, path_on_datastore=None, mode="mount",
                 path_on_compute=None, overwrite=False):
        if datastore is None:
            raise ValueError("DataReference needs datastore (a Datastore or its name)")
        if mode not in ("mount", "download", "upload", "direct"):
            raise ValueError('mode must be "mount", "download", "upload" or "direct", not %r' % (mode,))
        self.datastore = datastore
        self.datastore_name = datastore_name(datastore)
        self.path_on_datastore = path_on_datastore
        self.data_reference_name = check_name(data_reference_name or self.datastore_name.replace("-", "_"),
                                              "data_reference_name")
        self.mode = mode
        self.path_on_compute = path_on_compute
        self.overwrite = overwrite

    def as_mount(self):
        return self._copy("mount")

    def as_download(self, path_on_compute=None, overwrite=False):
        copy = self._copy("download")
        copy.path_on_compute = path_on_compute
        return copy

    def path(self, path=None, data_reference_name=None):
        return DataReference(self.datastore, data_reference_name, path, self.mode, self.path_on_compute)

    def _copy(self, mode):
        return DataReference(self.datastore, self.data_reference_name, self.path_on_datastore, mode,
                             self.path_on_compute, self.overwrite)

    def __repr__(self):
        return "$AZUREML_DATAREFERENCE_%s" % self.data_reference_name
