"""``azureml.core.compute_target``: where v1 code imports ``ComputeTargetException`` from."""

from azureml.core.compute import ComputeTarget
from azureml.exceptions import ComputeTargetException

__all__ = ["ComputeTarget", "ComputeTargetException"]
