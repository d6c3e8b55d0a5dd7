"""Sluice's internals behind the ``azureml`` classes: the HTTP transport, tokens, snapshots and the pipeline spec.

Nothing here is part of the Azure ML API; user code imports ``azureml.core`` and ``azureml.pipeline.*``.
"""
