"""``azureml.pipeline.core`` on Sluice: build pipelines in Python, submit, publish, schedule and watch them."""

from azureml.data.data_reference import DataReference
from azureml.data.output_dataset_config import OutputFileDatasetConfig
from azureml.pipeline.core.builder import PipelineData, PipelineStep, StepSequence
from azureml.pipeline.core.graph import PipelineParameter, PublishedPipeline
from azureml.pipeline.core.pipeline import Pipeline
from azureml.pipeline.core.pipeline_endpoint import PipelineEndpoint
from azureml.pipeline.core.run import PipelineRun, PortDataReference, StepRun
from azureml.pipeline.core.schedule import Schedule, ScheduleRecurrence, TimeZone

__all__ = ["Pipeline", "PipelineData", "PipelineStep", "StepSequence", "PipelineParameter", "PublishedPipeline",
           "PipelineEndpoint", "PipelineRun", "StepRun", "Schedule", "ScheduleRecurrence", "TimeZone",
           "OutputFileDatasetConfig", "DataReference", "PortDataReference"]
