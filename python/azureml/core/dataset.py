"""``Dataset`` (``azureml.core.dataset.Dataset``): ``Dataset.Tabular``/``Dataset.File`` to define one, and the dataset
registry of the workspace (``/api/datasets``): ``get_by_name``, ``get_by_id``, ``get_all``."""

from azureml._sluice.http import api_path
from azureml.data.abstract_dataset import AbstractDataset
from azureml.data.dataset_factory import FileDatasetFactory, TabularDatasetFactory
from azureml.exceptions import UserErrorException

__all__ = ["Dataset"]


class Dataset(object):
    """Azure ML's entry point to datasets: ``Dataset.Tabular.from_delimited_files(...)``,
    ``Dataset.File.from_files(...)``, ``Dataset.get_by_name(ws, name, version="latest")``."""

    Tabular = TabularDatasetFactory
    File = FileDatasetFactory

    def __init__(self, *args, **kwargs):
        raise UserErrorException("Dataset is not created directly: use Dataset.Tabular.from_delimited_files, "
                                 "Dataset.File.from_files or Dataset.get_by_name")

    @staticmethod
    def get_by_name(workspace, name, version="latest"):
        """The registered dataset ``name`` (its latest version, or ``version``). Unknown: ``UserErrorException``
        ("Cannot find dataset registered with name ...")."""
        if not isinstance(name, str) or not name:
            raise UserErrorException("get_by_name needs name: a registered dataset's name")
        if version != "latest" and (isinstance(version, bool) or not str(version).isdigit()):
            raise UserErrorException("version must be 'latest' or a version number, not %r" % (version,))
        record = workspace._transport.json("GET", api_path("datasets", name), query={"version": str(version)})
        return AbstractDataset._from_json(workspace, record)

    @staticmethod
    def get_by_id(workspace, id):
        """The registered dataset version with this id."""
        answer = workspace._transport.json("GET", "datasets", query={"id": id})
        found = answer.get("value", [])
        if not found:
            raise UserErrorException("Cannot find dataset with id %s in the workspace." % id)
        return AbstractDataset._from_json(workspace, found[0])

    @staticmethod
    def get_all(workspace):
        """The latest version of every registered dataset, by name (a dict)."""
        answer = workspace._transport.json("GET", "datasets")
        return {r["name"]: AbstractDataset._from_json(workspace, r) for r in answer.get("value", [])}

    @staticmethod
    def list(workspace):
        return list(Dataset.get_all(workspace).values())
