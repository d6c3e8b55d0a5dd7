"""``CondaDependencies``: not supported yet (environments are not recorded by the Sluice API)."""

from azureml.core._not_yet import not_yet_class

CondaDependencies = not_yet_class("CondaDependencies", "environments are not recorded yet; steps run in the "
                                                       "worker's Python interpreter", __name__)

__all__ = ["CondaDependencies"]
