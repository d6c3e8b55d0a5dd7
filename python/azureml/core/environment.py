"""``Environment``: not supported yet (environments are not recorded by the Sluice API; steps run in the worker's
interpreter)."""

from azureml.core._not_yet import not_yet_class

Environment = not_yet_class("Environment", "environments are not recorded yet; steps run in the worker's Python "
                                           "interpreter", __name__)

__all__ = ["Environment"]
