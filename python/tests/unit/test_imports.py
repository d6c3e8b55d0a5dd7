"""The imports v1 notebooks and scripts start with resolve (what they then do is tested class by class)."""

import importlib
import unittest

V1_IMPORTS = [
    ("azureml.core", ["VERSION", "Workspace", "Experiment", "Run", "Datastore", "Dataset", "Environment",
                      "ComputeTarget", "RunConfiguration", "ScriptRunConfig", "Model"]),
    ("azureml.core.workspace", ["Workspace"]),
    ("azureml.core.experiment", ["Experiment"]),
    ("azureml.core.datastore", ["Datastore"]),
    ("azureml.core.dataset", ["Dataset"]),
    ("azureml.core.environment", ["Environment"]),
    ("azureml.core.conda_dependencies", ["CondaDependencies"]),
    ("azureml.core.runconfig", ["RunConfiguration", "DEFAULT_CPU_IMAGE"]),
    ("azureml.core.compute", ["ComputeTarget", "AmlCompute"]),
    ("azureml.core.compute_target", ["ComputeTargetException"]),
    ("azureml.core.authentication", ["InteractiveLoginAuthentication", "ServicePrincipalAuthentication",
                                     "MsiAuthentication", "AzureCliAuthentication", "TokenAuthentication"]),
    ("azureml.core.run", ["Run"]),
    ("azureml.core.model", ["Model"]),
    ("azureml.exceptions", ["UserErrorException", "ComputeTargetException", "ExperimentExecutionException",
                            "ActivityFailedException", "WebserviceException", "AuthenticationException",
                            "AzureMLException"]),
    ("azureml.data", ["OutputFileDatasetConfig", "DataReference"]),
    ("azureml.data.data_reference", ["DataReference"]),
    ("azureml.data.datapath", ["DataPath", "DataPathComputeBinding"]),
    ("azureml.data.output_dataset_config", ["OutputFileDatasetConfig"]),
    ("azureml.pipeline.core", ["Pipeline", "PipelineData", "PipelineParameter", "PublishedPipeline",
                               "PipelineEndpoint", "Schedule", "ScheduleRecurrence", "TimeZone", "PipelineRun",
                               "StepRun", "StepSequence", "OutputFileDatasetConfig"]),
    ("azureml.pipeline.core.graph", ["PipelineParameter", "PublishedPipeline"]),
    ("azureml.pipeline.core.builder", ["PipelineData", "StepSequence"]),
    ("azureml.pipeline.core.run", ["PipelineRun", "StepRun"]),
    ("azureml.pipeline.core.schedule", ["Schedule", "ScheduleRecurrence", "TimeZone"]),
    ("azureml.pipeline.core.pipeline_endpoint", ["PipelineEndpoint"]),
    ("azureml.pipeline.steps", ["PythonScriptStep", "ParallelRunStep", "ParallelRunConfig", "DataTransferStep",
                                "DatabricksStep", "CommandStep"]),
    ("azureml.widgets", ["RunDetails"]),
]


class Imports(unittest.TestCase):
    def test_v1_imports_resolve(self):
        missing = []
        for module_name, names in V1_IMPORTS:
            module = importlib.import_module(module_name)
            missing.extend("%s.%s" % (module_name, n) for n in names if not hasattr(module, n))
        self.assertEqual(missing, [])

    def test_the_exception_users_catch_is_the_same_class_everywhere(self):
        from azureml.core.compute_target import ComputeTargetException as from_compute_target
        from azureml.exceptions import ComputeTargetException

        self.assertIs(from_compute_target, ComputeTargetException)


class RunImports(unittest.TestCase):
    def test_azureml_core_run_is_the_client_class_with_the_in_step_context(self):
        import azureml.core
        from azureml.core.run import Run

        self.assertIs(Run, azureml.core.Run)
        self.assertTrue(callable(getattr(Run, "get_context")))
        self.assertTrue(hasattr(Run, "get_children"))
