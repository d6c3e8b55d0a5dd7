"""Sluice's Python helpers for step scripts (standard library only).

``from sluice.run import Run`` gives the run context; ``from azureml.core import Run`` works too, through the
``azureml`` shim package next to this one.
"""

__all__ = ["run"]
