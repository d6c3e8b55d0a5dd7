"""``Environment``: the Python packages a step needs (Azure ML v1's environments).

Sluice records a step's environment in its spec (``environment:``: name, version, python, pip, conda) and shows it
in the run; it is part of the step's reuse key. Steps are not run in a built image: locally a step runs in the
worker's interpreter (``SLUICE_PYTHON`` for ``npm start``), and the worker checks before the step starts that each
declared package can be imported there, failing the step with a message naming the package otherwise.

``env.register(workspace)`` records the definition in the server's registry (``POST /api/environments``): the same
definition keeps its version, another gets the next; ``Environment.get(workspace, name, version=None)``,
``Environment.list(workspace)`` and ``ws.environments`` read it.
"""

import os

from azureml.core.conda_dependencies import CondaDependencies
from azureml.exceptions import UserErrorException

__all__ = ["Environment", "PythonSection", "DockerSection", "DEFAULT_CPU_IMAGE", "DEFAULT_GPU_IMAGE"]

DEFAULT_CPU_IMAGE = "mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu20.04"
DEFAULT_GPU_IMAGE = "mcr.microsoft.com/azureml/openmpi4.1.0-cuda11.1-cudnn8-ubuntu20.04"

from azureml._sluice.http import api_path


def _check_workspace(workspace, what):
    from azureml.core.workspace import Workspace

    if not isinstance(workspace, Workspace):
        raise UserErrorException("%s needs workspace, a Workspace (e.g. Workspace.from_config())" % what)


class PythonSection(object):
    """``env.python``: the interpreter and its packages."""

    def __init__(self, _skip_defaults=False):
        self.user_managed_dependencies = False
        self.interpreter_path = "python"
        self.conda_dependencies_file = None
        self.base_conda_environment = None
        self._conda_dependencies = None if _skip_defaults else CondaDependencies()

    @property
    def conda_dependencies(self):
        return self._conda_dependencies

    @conda_dependencies.setter
    def conda_dependencies(self, value):
        if value is not None and not isinstance(value, CondaDependencies):
            raise UserErrorException("python.conda_dependencies must be a CondaDependencies (e.g. "
                                     "CondaDependencies.create(pip_packages=[...])), not %r" % type(value).__name__)
        self._conda_dependencies = value


class DockerSection(object):
    """``env.docker``: recorded as Azure ML holds it; Sluice runs no containers per environment."""

    def __init__(self):
        self.enabled = False
        self.base_image = DEFAULT_CPU_IMAGE
        self.base_dockerfile = None
        self.base_image_registry = None
        self.shm_size = None
        self.arguments = []


class Environment(object):
    """``Environment(name)``: a named set of packages (``env.python.conda_dependencies``)."""

    def __init__(self, name, _skip_validation=False):
        if not isinstance(name, str) or not name.strip():
            raise UserErrorException("Environment needs name, a non-empty string")
        if len(name) > 255:
            raise UserErrorException("Environment name must be at most 255 characters")
        self.name = name
        self.version = None
        self.python = PythonSection()
        self.docker = DockerSection()
        self.environment_variables = {}
        self.inferencing_stack_version = None
        self.spark = None
        self.r = None

    # -- making one -----------------------------------------------------------------------------------------------

    @staticmethod
    def from_conda_specification(name, file_path):
        """An environment with the packages of a conda environment file (``environment.yml``)."""
        if not os.path.isfile(file_path):
            raise UserErrorException("Conda specification %s does not exist (it is resolved from %s)"
                                     % (file_path, os.getcwd()))
        env = Environment(name)
        env.python.conda_dependencies = CondaDependencies(conda_dependencies_file_path=file_path)
        return env

    @staticmethod
    def from_pip_requirements(name, file_path, pip_version=None):
        """An environment with the packages of a pip requirements file (options and comments are skipped)."""
        if not os.path.isfile(file_path):
            raise UserErrorException("Requirements file %s does not exist (it is resolved from %s)"
                                     % (file_path, os.getcwd()))
        deps = CondaDependencies()
        if pip_version is not None:
            deps.add_conda_package("pip=%s" % pip_version)
        with open(file_path, "r", encoding="utf-8") as f:
            for line in f:
                line = line.split("#", 1)[0].strip()
                if line and not line.startswith("-"):
                    deps.add_pip_package(line)
        env = Environment(name)
        env.python.conda_dependencies = deps
        return env

    @staticmethod
    def from_existing_conda_environment(name, conda_environment_name):
        raise NotImplementedError("Environment.from_existing_conda_environment: Sluice does not read local conda "
                                  "environments; use Environment.from_conda_specification with its exported "
                                  "environment.yml (conda env export)")

    @staticmethod
    def from_docker_image(name, image, container_registry=None, conda_specification=None, pip_requirements=None):
        raise NotImplementedError("Environment.from_docker_image: Sluice runs steps in the worker's interpreter, "
                                  "not in images; declare the packages with CondaDependencies instead")

    # -- the registry ---------------------------------------------------------------------------------------------

    def register(self, workspace):
        """Registers this definition (python, pip, conda): returns the registered ``Environment`` with its
        ``version`` (the existing one when the same definition was registered before)."""
        _check_workspace(workspace, "Environment.register")
        spec = self._spec()
        body = {"name": self.name, "pip": spec["pip"], "conda": spec["conda"]}
        if "python" in spec:
            body["python"] = spec["python"]
        return Environment._from_record(workspace._transport.json("POST", "environments", json_body=body))

    @staticmethod
    def get(workspace, name, version=None, label=None):
        """A registered environment (its latest version when ``version`` is None)."""
        _check_workspace(workspace, "Environment.get")
        if label is not None:
            raise UserErrorException("Environment.get: labels are not supported by Sluice; give version instead")
        path = api_path("environments", name, "versions", "latest" if version is None else str(version))
        return Environment._from_record(workspace._transport.json("GET", path))

    @staticmethod
    def list(workspace):
        """The latest version of every registered environment, by name (a dict, as in Azure ML)."""
        _check_workspace(workspace, "Environment.list")
        answer = workspace._transport.json("GET", "environments")
        return {r["name"]: Environment._from_record(r) for r in answer.get("value", [])}

    @staticmethod
    def _from_record(record):
        env = Environment(record["name"])
        env.version = str(record["version"])
        deps = CondaDependencies()
        if record.get("python"):
            deps.set_python_version(record["python"])
        for package in record.get("conda") or []:
            deps.add_conda_package(package)
        for package in record.get("pip") or []:
            deps.add_pip_package(package)
        env.python.conda_dependencies = deps
        return env

    def build(self, workspace, image_build_compute=None):
        raise NotImplementedError("Environment.build: Sluice builds no images; steps run in the worker's "
                                  "interpreter, which must have the packages")

    def build_local(self, workspace, platform=None, **kwargs):
        raise NotImplementedError("Environment.build_local: Sluice builds no images")

    # -- for the step spec ----------------------------------------------------------------------------------------

    def _spec(self):
        """The step spec's ``environment:`` entry."""
        spec = {"name": self.name, "pip": [], "conda": []}
        if self.version is not None:
            spec["version"] = str(self.version)
        deps = self.python.conda_dependencies
        if deps is not None:
            spec.update(deps._spec())
        return spec

    def __repr__(self):
        return "Environment(Name: %s, Version: %s)" % (self.name, self.version)
