"""``from azureml.core.model import Model`` works as in Azure ML (a record of a registered model)."""

from sluice.run import Model

__all__ = ["Model"]
