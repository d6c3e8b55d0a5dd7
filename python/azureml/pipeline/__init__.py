"""``azureml.pipeline``: pipelines built in Python, run by Sluice (``azureml.pipeline.core``, ``.steps``)."""
