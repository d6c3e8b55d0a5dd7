"""The dataset errors of Azure ML v1 that user code catches."""

from azureml.exceptions import UserErrorException

__all__ = ["DatasetValidationError", "DatasetExecutionError"]

NO_DATA_MESSAGE = ("Cannot load any data from the specified path. Make sure the path is accessible and contains "
                   "data.")


class DatasetValidationError(UserErrorException):
    """A dataset's paths match no data (``validate=True``), or its definition is not valid."""


class DatasetExecutionError(UserErrorException):
    """Reading a dataset's data failed."""
