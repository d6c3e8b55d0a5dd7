"""``RunConfiguration``: what a ``PythonScriptStep`` takes as ``runconfig``. Sluice uses ``environment_variables``
(set for the step), ``environment`` (recorded on the step; its packages are checked before it runs) and ``target``."""

from azureml.core.conda_dependencies import CondaDependencies
from azureml.core.environment import DEFAULT_CPU_IMAGE, DEFAULT_GPU_IMAGE, Environment
from azureml.exceptions import UserErrorException

__all__ = ["RunConfiguration", "DEFAULT_CPU_IMAGE", "DEFAULT_GPU_IMAGE"]

_DEFAULT_ENVIRONMENT = "default-environment"


class RunConfiguration(object):
    """``RunConfiguration(script=None, arguments=None, framework=None, communicator=None, conda_dependencies=None,
    ...)``. Its ``environment`` is an ``Environment`` named ``default-environment`` until one is assigned."""

    def __init__(self, script=None, arguments=None, framework=None, communicator=None, conda_dependencies=None,
                 _history_enabled=None, _path=None, _name=None, command=None):
        self.script = script
        self.arguments = list(arguments or [])
        self.framework = framework or "Python"
        self.communicator = communicator or "None"
        self.target = "local"
        self.environment_variables = {}
        self.node_count = 1
        self.command = command
        self._environment = Environment(_DEFAULT_ENVIRONMENT)
        if conda_dependencies is not None:
            self.environment.python.conda_dependencies = conda_dependencies

    @property
    def environment(self):
        return self._environment

    @environment.setter
    def environment(self, value):
        if not isinstance(value, Environment):
            raise UserErrorException("runconfig.environment must be an Environment, not %r" % type(value).__name__)
        self._environment = value

    @property
    def conda_dependencies(self):
        return self._environment.python.conda_dependencies

    @conda_dependencies.setter
    def conda_dependencies(self, value):
        self._environment.python.conda_dependencies = value

    def _environment_spec(self):
        """The step's spec ``environment:``, or None for the untouched default (no packages declared)."""
        env = self._environment
        deps = env.python.conda_dependencies
        declared = deps is not None and (deps._declares_packages() or deps.get_python_version())
        if env.name == _DEFAULT_ENVIRONMENT and not declared:
            return None
        return env._spec()


_ = CondaDependencies  # re-exported for ``from azureml.core.runconfig import CondaDependencies`` users
