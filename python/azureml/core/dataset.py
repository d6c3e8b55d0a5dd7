"""``Dataset``: not supported yet (no dataset registry in the Sluice API)."""

from azureml.core._not_yet import not_yet_class

Dataset = not_yet_class("Dataset", "datasets need a dataset registry; read data through a DataReference "
                                   "(datastore.path(...)) meanwhile", __name__)

__all__ = ["Dataset"]
