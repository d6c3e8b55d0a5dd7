"""``azureml.pipeline.steps``: the step classes. ``PythonScriptStep``, ``ParallelRunStep``, ``DataTransferStep`` and
``DatabricksStep`` run on Sluice; each other v1 step class exists so imports work, and constructing one raises
``NotImplementedError`` naming what it needs."""

from azureml.pipeline.steps.data_transfer_step import DataTransferStep
from azureml.pipeline.steps.databricks_step import DatabricksStep
from azureml.pipeline.steps.parallel_run_step import ParallelRunConfig, ParallelRunStep
from azureml.pipeline.steps.python_script_step import PythonScriptStep

__all__ = ["PythonScriptStep", "ParallelRunStep", "ParallelRunConfig", "DataTransferStep", "DatabricksStep",
           "AdlaStep", "AutoMLStep", "HyperDriveStep", "CommandStep", "EstimatorStep", "MpiStep", "ModuleStep",
           "AzureBatchStep", "KustoStep", "SynapseSparkStep"]


def _not_yet(class_name, feature):
    def __init__(self, *args, **kwargs):
        raise NotImplementedError("%s is not supported by Sluice's Python package yet: %s" % (class_name, feature))

    return type(class_name, (object,), {"__init__": __init__, "__doc__": "Not supported yet: %s" % feature})


_SPEC = ("the pipeline spec runs it (docs/pipeline-spec.md, type: %s), but building it in Python is a later issue; "
         "write the pipeline as YAML meanwhile")
CommandStep = _not_yet("CommandStep", _SPEC % "command")
AdlaStep = _not_yet("AdlaStep", "Azure Data Lake Analytics was retired on 2024-02-29; port the U-SQL job to a "
                                "databricks step")
AutoMLStep = _not_yet("AutoMLStep", "automated ML has no Sluice equivalent")
HyperDriveStep = _not_yet("HyperDriveStep", "hyperparameter tuning has no Sluice equivalent")
EstimatorStep = _not_yet("EstimatorStep", "estimators were deprecated in v1; use PythonScriptStep")
MpiStep = _not_yet("MpiStep", "distributed (MPI) training has no Sluice equivalent")
ModuleStep = _not_yet("ModuleStep", "modules have no Sluice equivalent; use PythonScriptStep")
AzureBatchStep = _not_yet("AzureBatchStep", "Azure Batch has no Sluice equivalent")
KustoStep = _not_yet("KustoStep", "Kusto has no Sluice equivalent")
SynapseSparkStep = _not_yet("SynapseSparkStep", "Synapse Spark has no Sluice equivalent")
