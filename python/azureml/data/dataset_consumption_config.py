"""``DatasetConsumptionConfig``: a dataset as a named step input (``dataset.as_named_input("raw")``)."""

from azureml._sluice.names import check_name

__all__ = ["DatasetConsumptionConfig"]


class DatasetConsumptionConfig(object):
    """``DatasetConsumptionConfig(name, dataset, mode="direct", path_on_compute=None)``. In a step, ``direct`` gives
    ``Run.get_context().input_datasets[name]`` as a dataset (a TabularDataset reads the downloaded files);
    ``mount`` and ``download`` give the local folder (or file) of the files — Sluice always downloads inputs
    before the step starts."""

    def __init__(self, name, dataset, mode="direct", path_on_compute=None):
        self.name = check_name(name, "dataset input name")
        if mode not in ("direct", "mount", "download"):
            raise ValueError('mode must be "direct", "mount" or "download", not %r' % (mode,))
        from azureml.data.abstract_dataset import AbstractDataset

        if not isinstance(dataset, AbstractDataset):
            raise ValueError("dataset must be a TabularDataset or FileDataset, not %r" % (dataset,))
        self.dataset = dataset
        self.mode = mode
        self.path_on_compute = path_on_compute

    def as_mount(self, path_on_compute=None):
        return DatasetConsumptionConfig(self.name, self.dataset, "mount", path_on_compute)

    def as_download(self, path_on_compute=None):
        return DatasetConsumptionConfig(self.name, self.dataset, "download", path_on_compute)

    def __repr__(self):
        return "$AZUREML_DATAREFERENCE_%s" % self.name
