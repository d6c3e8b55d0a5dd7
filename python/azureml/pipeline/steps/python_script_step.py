"""``PythonScriptStep``: runs a Python script from a source directory (a spec ``type: python`` step)."""

import os

from azureml.pipeline.core.builder import PipelineStep

__all__ = ["PythonScriptStep"]


class PythonScriptStep(PipelineStep):
    """``PythonScriptStep(script_name, name=None, arguments=None, compute_target=None, runconfig=None,
    runconfig_pipeline_params=None, inputs=None, outputs=None, params=None, source_directory=None, allow_reuse=True,
    version=None, hash_paths=None)``.

    - ``arguments`` mixes strings and numbers with ``PipelineData``, ``OutputFileDatasetConfig``, ``DataReference``
      and ``PipelineParameter`` objects, which become local paths and values on the worker.
    - ``compute_target`` is a ``ComputeTarget`` or a name; None uses the deployment's default target.
    - ``params`` become environment variables ``AML_PARAMETER_<name>``; ``runconfig.environment_variables`` are set
      too, and ``runconfig.environment`` (when one is assigned or packages are declared) becomes the step's spec
      ``environment:``, whose packages the worker checks before the step runs.
    - ``source_directory`` (default: the current folder) is packed and uploaded as a snapshot on submit, honouring
      ``.amlignore`` (else ``.gitignore``).
    """

    def __init__(self, script_name, name=None, arguments=None, compute_target=None, runconfig=None,
                 runconfig_pipeline_params=None, inputs=None, outputs=None, params=None, source_directory=None,
                 allow_reuse=True, version=None, hash_paths=None):
        if not isinstance(script_name, str) or not script_name:
            raise ValueError("script_name is required: the script to run, relative to source_directory")
        PipelineStep.__init__(self, name if name is not None else script_name, inputs, outputs, arguments)
        if arguments is not None and not isinstance(arguments, (list, tuple)):
            raise ValueError("arguments must be a list, not %s" % type(arguments).__name__)
        if source_directory is not None and not isinstance(source_directory, str):
            raise ValueError("source_directory must be a path (str)")
        if params is not None and not isinstance(params, dict):
            raise ValueError("params must be a dict of name to value")
        from azureml.core.runconfig import RunConfiguration

        if runconfig is not None and not isinstance(runconfig, RunConfiguration):
            raise ValueError("runconfig must be a RunConfiguration, not %r" % type(runconfig).__name__)
        if compute_target is not None and not isinstance(compute_target, str) and \
                not isinstance(getattr(compute_target, "name", None), str):
            raise ValueError("compute_target must be a ComputeTarget or a compute target name, not %r"
                             % (compute_target,))
        self.script_name = script_name
        self.compute_target = compute_target
        self.runconfig = runconfig
        self.runconfig_pipeline_params = runconfig_pipeline_params
        self.params = dict(params or {})
        self.source_directory = source_directory
        self.allow_reuse = bool(allow_reuse)
        self.version = version
        self.hash_paths = hash_paths
        self._check_script()

    def _check_script(self):
        if os.path.isabs(self.script_name) or ".." in self.script_name.replace("\\", "/").split("/"):
            raise ValueError("script_name %r must be a path inside source_directory" % self.script_name)
        if self.source_directory is None:
            return  # the pipeline's default_source_directory, else the current folder, when it is submitted
        directory = os.path.abspath(self.source_directory)
        if not os.path.isdir(directory):
            raise ValueError("source_directory %r does not exist (it is resolved from the current folder, %s)"
                             % (self.source_directory, os.getcwd()))
        if not os.path.isfile(os.path.join(directory, self.script_name)):
            raise ValueError("script_name %r is not a file in source_directory %s" % (self.script_name, directory))

    def _spec(self, context):
        spec = {"type": "python",
                "source_directory": context.source_key(os.path.abspath(self.source_directory or os.getcwd())),
                "script": self.script_name.replace("\\", "/")}
        arguments = [context.argument(self, value) for value in self._arguments]
        if arguments:
            spec["arguments"] = arguments
        env = {}
        for key, value in self.params.items():
            env["AML_PARAMETER_%s" % key] = context.value(self, value)
        for key, value in (getattr(self.runconfig, "environment_variables", None) or {}).items():
            env[str(key)] = context.value(self, value)
        if env:
            spec["env"] = env
        if self.compute_target is not None:
            spec["compute"] = self.compute_target if isinstance(self.compute_target, str) else self.compute_target.name
        if not self.allow_reuse:
            spec["allow_reuse"] = False
        environment = self.runconfig._environment_spec() if hasattr(self.runconfig, "_environment_spec") else None
        if environment is not None:
            spec["environment"] = environment
        return spec
