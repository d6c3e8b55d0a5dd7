"""``azureml_user``: what a ParallelRunStep entry script imports on the compute (``azureml_user.parallel_run``)."""
