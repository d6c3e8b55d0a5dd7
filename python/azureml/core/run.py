"""``from azureml.core.run import Run`` works as in Azure ML."""

from sluice.run import Run

__all__ = ["Run"]
