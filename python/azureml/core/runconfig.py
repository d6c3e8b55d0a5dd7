"""``RunConfiguration``: what a ``PythonScriptStep`` takes as ``runconfig``. Sluice uses ``environment_variables``
(set for the step) and ``target``; environments are recorded nowhere yet (the server side of issue 14)."""

__all__ = ["RunConfiguration", "DEFAULT_CPU_IMAGE"]

DEFAULT_CPU_IMAGE = "mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu20.04"


class RunConfiguration(object):
    def __init__(self, script=None, arguments=None, framework=None, communicator=None, conda_dependencies=None,
                 _history_enabled=None, _path=None, _name=None, command=None):
        self.script = script
        self.arguments = list(arguments or [])
        self.framework = framework or "Python"
        self.communicator = communicator or "None"
        self.target = "local"
        self.environment_variables = {}
        self.environment = None
        self.node_count = 1
        self.command = command
        self.conda_dependencies = conda_dependencies
