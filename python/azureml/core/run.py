"""``from azureml.core.run import Run`` works as in Azure ML: the client class (``Run(experiment, run_id)``), whose
``Run.get_context()`` returns the in-step run context of ``sluice.run``."""

from azureml.core._run_client import Run

__all__ = ["Run"]
