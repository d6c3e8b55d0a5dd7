"""``azureml.data``: the data references a step reads and writes, and datasets."""

from azureml.data.data_reference import DataReference
from azureml.data.datapath import DataPath, DataPathComputeBinding
from azureml.data.dataset_consumption_config import DatasetConsumptionConfig
from azureml.data.dataset_factory import DataType
from azureml.data.file_dataset import FileDataset
from azureml.data.output_dataset_config import OutputFileDatasetConfig, OutputTabularDatasetConfig
from azureml.data.tabular_dataset import TabularDataset

__all__ = ["DataReference", "DataPath", "DataPathComputeBinding", "OutputFileDatasetConfig", "OutputTabularDatasetConfig",
           "TabularDataset", "FileDataset", "DatasetConsumptionConfig", "DataType"]
