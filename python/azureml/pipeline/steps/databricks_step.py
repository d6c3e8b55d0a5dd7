"""``DatabricksStep``: a notebook, Python script or JAR run on an attached Databricks workspace (a spec
``type: databricks`` step; docs/databricks.md)."""

import os

from azureml.pipeline.core.builder import PipelineStep

__all__ = ["DatabricksStep"]

_TASKS = ("notebook_path", "python_script_path", "python_script_name", "main_class_name")
_ONE_TASK = "Exactly one of notebook_path, python_script_path, python_script_name or main_class_name is required"


class DatabricksStep(PipelineStep):
    """``DatabricksStep(name, inputs=None, outputs=None, existing_cluster_id=None, spark_version=None, node_type=None,
    instance_pool_id=None, num_workers=None, min_workers=None, max_workers=None, spark_env_variables=None,
    spark_conf=None, init_scripts=None, cluster_log_dbfs_path=None, notebook_path=None, notebook_params=None,
    python_script_path=None, python_script_params=None, main_class_name=None, jar_params=None,
    python_script_name=None, source_directory=None, hash_paths=None, run_name=None, timeout_seconds=None,
    runconfig=None, maven_libraries=None, pypi_libraries=None, egg_libraries=None, jar_libraries=None,
    rcran_libraries=None, compute_target=None, allow_reuse=True, version=None, permit_cluster_restart=None)``.

    v1's arguments and checks (``ValueError``): exactly one task (a workspace notebook, a Python file on DBFS, a
    Python file in ``source_directory`` that Sluice uploads, or a JAR main class); an ``existing_cluster_id`` or a
    new cluster (v1's defaults ``spark_version="4.0.x-scala2.11"``, ``node_type="Standard_D3_v2"``, and
    ``num_workers`` or ``min_workers`` + ``max_workers``); a ``compute_target`` (a ``DatabricksCompute`` or its
    name). Inputs and outputs reach the run as ABFSS URIs: a notebook reads each with
    ``dbutils.widgets.get("<name>")``, a Python script gets ``--<name> <uri>`` after its parameters.
    ``permit_cluster_restart`` is recorded and has no effect.

    @example
        step = DatabricksStep(name="features", notebook_path="/Shared/features", notebook_params={"rows": 100},
                              inputs=[raw], outputs=[features], existing_cluster_id="0611-094512-abcd123",
                              compute_target="dbx")
    """

    def __init__(self, name, inputs=None, outputs=None, existing_cluster_id=None, spark_version=None,
                 node_type=None, instance_pool_id=None, num_workers=None, min_workers=None, max_workers=None,
                 spark_env_variables=None, spark_conf=None, init_scripts=None, cluster_log_dbfs_path=None,
                 notebook_path=None, notebook_params=None, python_script_path=None, python_script_params=None,
                 main_class_name=None, jar_params=None, python_script_name=None, source_directory=None,
                 hash_paths=None, run_name=None, timeout_seconds=None, runconfig=None, maven_libraries=None,
                 pypi_libraries=None, egg_libraries=None, jar_libraries=None, rcran_libraries=None,
                 compute_target=None, allow_reuse=True, version=None, permit_cluster_restart=None):
        libraries = (maven_libraries, pypi_libraries, egg_libraries, jar_libraries, rcran_libraries)
        if runconfig is not None and any(lib is not None for lib in libraries):
            raise ValueError("Either pass runconfig or each library type as a separate parameter")
        if name is None:
            raise ValueError("name is required")
        if not isinstance(name, str):
            raise ValueError("name must be a string")
        if runconfig is not None:
            from azureml.core.runconfig import RunConfiguration

            if not isinstance(runconfig, RunConfiguration):
                raise ValueError("runconfig must be a RunConfiguration")
            databricks = getattr(getattr(runconfig, "environment", None), "databricks", None)
            maven_libraries, pypi_libraries, egg_libraries, jar_libraries, rcran_libraries = (
                getattr(databricks, k, None) for k in ("maven_libraries", "pypi_libraries", "egg_libraries",
                                                       "jar_libraries", "rcran_libraries"))

        new_cluster = None
        if existing_cluster_id is None:
            spark_version = "4.0.x-scala2.11" if spark_version is None else spark_version
            if not isinstance(spark_version, str):
                raise ValueError("spark_version must be a string")
            if node_type is None and instance_pool_id is None:
                node_type = "Standard_D3_v2"
            if node_type is not None and not isinstance(node_type, str):
                raise ValueError("node_type must be a string")
            if node_type is not None and instance_pool_id is not None:
                raise ValueError("Exactly one of node_type or instance_pool_id can be specified")
            if instance_pool_id is not None and not isinstance(instance_pool_id, str):
                raise ValueError("instance_pool_id must be a string")
            if num_workers is None and (min_workers is None or max_workers is None):
                raise ValueError("one of num_workers or min_workers and max_workers is required")
            if num_workers is not None and (min_workers is not None or max_workers is not None):
                raise ValueError("exactly one of num_workers or min_workers and max_workers is required")
            for field, value in (("num_workers", num_workers), ("min_workers", min_workers),
                                 ("max_workers", max_workers)):
                if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
                    raise ValueError("%s must be an int" % field)
            if spark_env_variables is None:
                spark_env_variables = {"PYSPARK_PYTHON": "/databricks/python3/bin/python3"}
            if init_scripts is not None and not isinstance(init_scripts, list):
                raise ValueError("init_scripts should be a list of strings")
            if cluster_log_dbfs_path is not None and not isinstance(cluster_log_dbfs_path, str):
                raise ValueError("cluster_log_dbfs_path should be a string")
            new_cluster = {"spark_version": spark_version}
            if node_type is not None:
                new_cluster["node_type_id"] = node_type
            else:
                new_cluster["instance_pool_id"] = instance_pool_id
            if num_workers is not None:
                new_cluster["num_workers"] = num_workers
            else:
                new_cluster["autoscale"] = {"min_workers": min_workers, "max_workers": max_workers}
            new_cluster["spark_env_vars"] = {str(k): str(v) for k, v in spark_env_variables.items()}
            if spark_conf:
                new_cluster["spark_conf"] = {str(k): str(v) for k, v in spark_conf.items()}
            if init_scripts:
                new_cluster["init_scripts"] = [str(s) for s in init_scripts]
            if cluster_log_dbfs_path is not None:
                new_cluster["cluster_log_dbfs_path"] = cluster_log_dbfs_path
        elif not isinstance(existing_cluster_id, str):
            raise ValueError("existing_cluster_id must be a string")

        given = {"notebook_path": notebook_path, "python_script_path": python_script_path,
                 "python_script_name": python_script_name, "main_class_name": main_class_name}
        for field, value in given.items():
            if value is not None and not isinstance(value, str):
                raise ValueError("%s must be a string" % field)
        if sum(value is not None for value in given.values()) != 1:
            raise ValueError(_ONE_TASK)
        if python_script_name is not None and source_directory is None:
            raise ValueError("If python_script_name is specified then source_directory must be too")
        if compute_target is None:
            raise ValueError("compute_target is required")
        if not isinstance(compute_target, str) and not isinstance(getattr(compute_target, "name", None), str):
            raise ValueError("compute_target must be a DatabricksCompute or its name, not %r" % (compute_target,))
        if timeout_seconds is not None and (not isinstance(timeout_seconds, int) or isinstance(timeout_seconds, bool)):
            raise ValueError("timeout_seconds must be an int")
        if run_name is not None and not isinstance(run_name, str):
            raise ValueError("run_name must be a string")
        if notebook_params is not None and not isinstance(notebook_params, dict):
            raise ValueError("notebook_params must be a dict of name to value")
        params = python_script_params if main_class_name is None else jar_params
        if params is not None and not isinstance(params, (list, tuple)):
            raise ValueError("python_script_params and jar_params must be lists")
        jars = [getattr(j, "library", j) for j in (jar_libraries or [])]
        if main_class_name is not None and not jars:
            raise ValueError("main_class_name needs jar_libraries: the JAR (a JarLibrary on DBFS) that holds it")

        PipelineStep.__init__(self, name, inputs, outputs, list(params or []))
        self.compute_target = compute_target
        self.existing_cluster_id = existing_cluster_id
        self.new_cluster = new_cluster
        self.notebook_path = notebook_path
        self.notebook_params = dict(notebook_params or {})
        self.python_script_path = python_script_path
        self.python_script_name = python_script_name
        self.main_class_name = main_class_name
        self.source_directory = source_directory
        self.hash_paths = hash_paths
        self.run_name = run_name
        self.timeout_seconds = timeout_seconds
        self.allow_reuse = bool(allow_reuse)
        self.version = version
        self.permit_cluster_restart = permit_cluster_restart
        self._jar_libraries = [str(j) for j in jars]
        self._libraries = [_library(lib) for group in (pypi_libraries, maven_libraries, egg_libraries,
                                                       rcran_libraries) for lib in (group or [])]
        if python_script_name is not None:
            self._check_script()

    def _check_script(self):
        script = self.python_script_name
        if os.path.isabs(script) or ".." in script.replace("\\", "/").split("/"):
            raise ValueError("python_script_name %r must be a path inside source_directory" % script)
        directory = os.path.abspath(self.source_directory)
        if not os.path.isdir(directory):
            raise ValueError("source_directory %r does not exist (it is resolved from the current folder, %s)"
                             % (self.source_directory, os.getcwd()))
        if not os.path.isfile(os.path.join(directory, script)):
            raise ValueError("python_script_name %r is not a file in source_directory %s" % (script, directory))

    def _spec(self, context):
        spec = {"type": "databricks"}
        for field in _TASKS:
            value = getattr(self, field)
            if value is not None:
                spec[field] = value.replace("\\", "/") if field == "python_script_name" else value
        if self.python_script_name is not None:
            spec["source_directory"] = context.source_key(os.path.abspath(self.source_directory))
        if self.notebook_params:
            spec["notebook_params"] = {str(k): context.value(self, v) for k, v in self.notebook_params.items()}
        arguments = [context.argument(self, value) for value in self._arguments]
        if arguments:
            spec["arguments"] = arguments
        if self.existing_cluster_id is not None:
            spec["existing_cluster_id"] = self.existing_cluster_id
        else:
            spec["new_cluster"] = dict(self.new_cluster)
        if self._jar_libraries:
            spec["jar_libraries"] = list(self._jar_libraries)
        if self._libraries:
            spec["libraries"] = list(self._libraries)
        if self.run_name is not None:
            spec["run_name"] = self.run_name
        if self.timeout_seconds is not None:
            spec["timeout_seconds"] = self.timeout_seconds
        if self.permit_cluster_restart is not None:
            spec["permit_cluster_restart"] = bool(self.permit_cluster_restart)
        spec["compute"] = self.compute_target if isinstance(self.compute_target, str) else self.compute_target.name
        if not self.allow_reuse:
            spec["allow_reuse"] = False
        return spec


def _library(lib):
    if hasattr(lib, "_spec"):
        return lib._spec()
    if isinstance(lib, dict) and len(lib) == 1:
        return dict(lib)
    raise ValueError("a library must be a PyPiLibrary, MavenLibrary, EggLibrary or RCranLibrary "
                     "(azureml.core.databricks), not %r" % (lib,))
