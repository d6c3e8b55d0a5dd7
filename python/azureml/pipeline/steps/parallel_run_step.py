"""``ParallelRunConfig`` and ``ParallelRunStep``: an entry script's ``init()`` / ``run(mini_batch)`` over
mini-batches of the inputs on warm processes (a spec ``type: parallel`` step; docs/parallel-run.md)."""

import os
import re

from azureml.pipeline.core.builder import PipelineStep

__all__ = ["ParallelRunConfig", "ParallelRunStep"]

_SIZE = re.compile(r"^\s*\d+(\.\d+)?\s*(B|KB|MB|GB)\s*$", re.IGNORECASE)


def _int(name, value, low, high=None, none_ok=False):
    if value is None and none_ok:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < low or (high is not None and value > high):
        bound = "at least %d" % low if high is None else "from %d to %d" % (low, high)
        raise ValueError("%s must be an integer %s, not %r" % (name, bound, value))
    return value


class ParallelRunConfig(object):
    """``ParallelRunConfig(environment, entry_script, error_threshold, output_action, compute_target, node_count,
    process_count_per_node=None, mini_batch_size=None, source_directory=None, description=None, logging_level='INFO',
    run_invocation_timeout=60, run_max_try=3, append_row_file_name=None, allowed_failed_count=None,
    allowed_failed_percent=None, partition_keys=None, environment_variables=None)``, as in Azure ML v1.

    - ``mini_batch_size``: files per mini-batch (an int, or its text such as ``"10"``; default 10) for file inputs,
      or a size (``"1KB"``, ``"10MB"``; default 1 MB in v1) cutting delimited files into DataFrame mini-batches.
    - ``process_count_per_node`` defaults to 1 (v1: the node's cores); ``environment`` is recorded nowhere yet (the
      worker's interpreter runs the script); ``environment_variables`` reach the processes.
    - ``partition_keys`` is not supported (``NotImplementedError``).
    """

    def __init__(self, environment, entry_script, error_threshold, output_action, compute_target, node_count,
                 process_count_per_node=None, mini_batch_size=None, source_directory=None, description=None,
                 logging_level="INFO", run_invocation_timeout=60, run_max_try=3, append_row_file_name=None,
                 allowed_failed_count=None, allowed_failed_percent=None, partition_keys=None,
                 environment_variables=None):
        if not isinstance(entry_script, str) or not entry_script:
            raise ValueError("entry_script is required: the script with init() and run(mini_batch), relative to "
                             "source_directory")
        if output_action not in ("append_row", "summary_only"):
            raise ValueError('output_action must be "append_row" or "summary_only", not %r' % (output_action,))
        if compute_target is not None and not isinstance(compute_target, str) and \
                not isinstance(getattr(compute_target, "name", None), str):
            raise ValueError("compute_target must be a ComputeTarget or a compute target name, not %r"
                             % (compute_target,))
        if logging_level not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
            raise ValueError("logging_level must be DEBUG, INFO, WARNING, ERROR or CRITICAL, not %r"
                             % (logging_level,))
        if partition_keys:
            raise NotImplementedError("ParallelRunConfig partition_keys (mini-batches by partition of a tabular "
                                      "dataset) is not supported by Sluice yet; use mini_batch_size")
        if allowed_failed_percent is not None and (isinstance(allowed_failed_percent, bool) or
                                                   not isinstance(allowed_failed_percent, (int, float)) or
                                                   not (allowed_failed_percent == -1 or
                                                        0 <= allowed_failed_percent <= 100)):
            raise ValueError("allowed_failed_percent must be from 0 to 100, or -1 to ignore, not %r"
                             % (allowed_failed_percent,))
        if environment_variables is not None and not isinstance(environment_variables, dict):
            raise ValueError("environment_variables must be a dict of name to value")
        self.environment = environment
        self.entry_script = entry_script
        self.error_threshold = _int("error_threshold", error_threshold, -1)
        self.output_action = output_action
        self.compute_target = compute_target
        self.node_count = _int("node_count", node_count, 1, 100)
        self.process_count_per_node = _int("process_count_per_node", process_count_per_node, 1, 64, none_ok=True)
        self.mini_batch_size = self._mini_batch_size(mini_batch_size)
        self.source_directory = source_directory
        self.description = description
        self.logging_level = logging_level
        self.run_invocation_timeout = _int("run_invocation_timeout", run_invocation_timeout, 1)
        self.run_max_try = _int("run_max_try", run_max_try, 1, 10)
        self.append_row_file_name = append_row_file_name
        self.allowed_failed_count = _int("allowed_failed_count", allowed_failed_count, -1, none_ok=True)
        self.allowed_failed_percent = allowed_failed_percent
        self.partition_keys = partition_keys
        self.environment_variables = dict(environment_variables or {})
        if append_row_file_name is not None and (not isinstance(append_row_file_name, str) or
                                                 os.path.isabs(append_row_file_name) or
                                                 ".." in append_row_file_name.replace("\\", "/").split("/")):
            raise ValueError("append_row_file_name must be a file name inside the output, not %r"
                             % (append_row_file_name,))

    @staticmethod
    def _mini_batch_size(value):
        if value is None:
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            return _int("mini_batch_size", value, 1)
        if isinstance(value, str) and value.strip().isdigit():
            return _int("mini_batch_size", int(value.strip()), 1)
        if isinstance(value, str) and _SIZE.match(value):
            return value.strip().upper().replace(" ", "")
        raise ValueError('mini_batch_size must be a number of files (e.g. 10) or a size such as "1MB", not %r'
                         % (value,))


class ParallelRunStep(PipelineStep):
    """``ParallelRunStep(name, parallel_run_config, inputs, output=None, side_inputs=None, arguments=None,
    allow_reuse=True)``: ``inputs`` are split into mini-batches (folders of files: ``DataReference``,
    ``PipelineData``, ``OutputFileDatasetConfig``); ``side_inputs`` every process reads whole; ``output`` (a
    ``PipelineData`` or ``OutputFileDatasetConfig``) receives ``append_row_file_name``; ``arguments`` reach the entry
    script's ``sys.argv``."""

    def __init__(self, name, parallel_run_config, inputs, output=None, side_inputs=None, arguments=None,
                 allow_reuse=True):
        if not isinstance(parallel_run_config, ParallelRunConfig):
            raise ValueError("parallel_run_config must be a ParallelRunConfig, not %r" % (parallel_run_config,))
        if not isinstance(inputs, (list, tuple)) or not inputs:
            raise ValueError("inputs must be a non-empty list of the data to split into mini-batches")
        if side_inputs is not None and not isinstance(side_inputs, (list, tuple)):
            raise ValueError("side_inputs must be a list, not %s" % type(side_inputs).__name__)
        if arguments is not None and not isinstance(arguments, (list, tuple)):
            raise ValueError("arguments must be a list, not %s" % type(arguments).__name__)
        if output is None:
            raise ValueError("ParallelRunStep %s needs output (a PipelineData or OutputFileDatasetConfig): Sluice "
                             "writes append_row_file_name or the summary there" % name)
        PipelineStep.__init__(self, name, list(inputs) + list(side_inputs or []), [output], arguments)
        self.parallel_run_config = parallel_run_config
        self._main_inputs = list(inputs)
        self._side_inputs = list(side_inputs or [])
        self.output = output
        self.allow_reuse = bool(allow_reuse)
        self.source_directory = parallel_run_config.source_directory
        self._check_script()

    def _check_script(self):
        script = self.parallel_run_config.entry_script
        if os.path.isabs(script) or ".." in script.replace("\\", "/").split("/"):
            raise ValueError("entry_script %r must be a path inside source_directory" % script)
        if self.source_directory is None:
            return
        directory = os.path.abspath(self.source_directory)
        if not os.path.isdir(directory):
            raise ValueError("source_directory %r does not exist (it is resolved from the current folder, %s)"
                             % (self.source_directory, os.getcwd()))
        if not os.path.isfile(os.path.join(directory, script)):
            raise ValueError("entry_script %r is not a file in source_directory %s" % (script, directory))

    def _spec(self, context):
        config = self.parallel_run_config
        spec = {"type": "parallel",
                "source_directory": context.source_key(os.path.abspath(self.source_directory or os.getcwd())),
                "entry_script": config.entry_script.replace("\\", "/"),
                "mini_batch_size": config.mini_batch_size if config.mini_batch_size is not None else 10,
                "error_threshold": config.error_threshold,
                "output_action": config.output_action,
                "node_count": config.node_count,
                "run_invocation_timeout": config.run_invocation_timeout,
                "run_max_try": config.run_max_try,
                "logging_level": config.logging_level}
        if config.process_count_per_node is not None:
            spec["process_count_per_node"] = config.process_count_per_node
        if config.append_row_file_name is not None:
            spec["append_row_file_name"] = config.append_row_file_name.replace("\\", "/")
        if config.allowed_failed_count is not None:
            spec["allowed_failed_count"] = config.allowed_failed_count
        if config.allowed_failed_percent is not None:
            spec["allowed_failed_percent"] = config.allowed_failed_percent
        arguments = [context.argument(self, value) for value in self._arguments]
        if arguments:
            spec["arguments"] = arguments
        env = {str(k): context.value(self, v) for k, v in config.environment_variables.items()}
        if env:
            spec["env"] = env
        target = config.compute_target
        if target is not None:
            spec["compute"] = target if isinstance(target, str) else target.name
        if not self.allow_reuse:
            spec["allow_reuse"] = False
        # Which of the step's inputs are side inputs: the pipeline moves them from inputs to side_inputs.
        spec["_side_input_objects"] = list(self._side_inputs)
        return spec
