"""The part of ``azureml.core`` that Sluice provides: the run context."""

from sluice.run import Experiment, Model, Run

__all__ = ["Run", "Experiment", "Model"]
