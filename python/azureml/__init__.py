"""A shim so that ``from azureml.core import Run`` works in Sluice steps without Azure ML installed.

Other ``azureml.*`` packages installed in the environment stay importable (this is a pkgutil-style namespace).
"""

__path__ = __import__("pkgutil").extend_path(__path__, __name__)  # noqa: F821
