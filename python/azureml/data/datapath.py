"""``DataPath`` and ``DataPathComputeBinding``: a datastore location a submit (or a data-change schedule) can
repoint, as a ``datapath`` pipeline parameter (``PipelineParameter(name, default_value=DataPath(...))``)."""

from azureml._sluice.names import datastore_name

__all__ = ["DataPath", "DataPathComputeBinding"]


class DataPath(object):
    """``DataPath(datastore=None, path_on_datastore=None, name=None)``: a path in a datastore."""

    def __init__(self, datastore=None, path_on_datastore=None, name=None):
        self.datastore_name = datastore_name(datastore)
        self.datastore = datastore
        self.path_on_datastore = path_on_datastore or ""
        self._name = name

    def _json(self):
        return {"datastore": self.datastore_name, "path": self.path_on_datastore}

    def __repr__(self):
        return "DataPath(datastore=%r, path_on_datastore=%r)" % (self.datastore_name, self.path_on_datastore)


class DataPathComputeBinding(object):
    """How a step sees a ``DataPath`` parameter: ``(param, DataPathComputeBinding(mode="mount"))`` in ``inputs`` and
    ``arguments``. Sluice always downloads inputs before the step starts; the mode is recorded as given."""

    def __init__(self, mode="mount", path_on_compute=None, overwrite=False):
        if mode not in ("mount", "download"):
            raise ValueError('mode must be "mount" or "download", not %r' % (mode,))
        self.mode = mode
        self.path_on_compute = path_on_compute
        self.overwrite = overwrite
