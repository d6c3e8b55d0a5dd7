"""``azureml.core`` on Sluice: the workspace client (``Workspace``, ``Experiment``, runs, datastores) and, inside a
step, the run context (``Run.get_context()``)."""

from azureml.core._run_client import Run
from azureml.core.compute import ComputeTarget
from azureml.core.conda_dependencies import CondaDependencies
from azureml.core.dataset import Dataset
from azureml.core.datastore import Datastore
from azureml.core.environment import Environment
from azureml.core.experiment import Experiment
from azureml.core.runconfig import RunConfiguration
from azureml.core.script_run_config import ScriptRunConfig
from azureml.core.workspace import Workspace
from azureml.core.model import Model

VERSION = "1.60.0.sluice1"
"""The Azure ML SDK v1 version this package follows (its last), and Sluice's revision of it."""

__version__ = VERSION

__all__ = ["VERSION", "Workspace", "Experiment", "Run", "Datastore", "ComputeTarget", "RunConfiguration", "Model",
           "Dataset", "Environment", "ScriptRunConfig", "CondaDependencies"]
