"""``azureml.data``: the data references a step reads and writes."""

from azureml.data.data_reference import DataReference
from azureml.data.datapath import DataPath, DataPathComputeBinding
from azureml.data.output_dataset_config import OutputFileDatasetConfig

__all__ = ["DataReference", "DataPath", "DataPathComputeBinding", "OutputFileDatasetConfig"]
