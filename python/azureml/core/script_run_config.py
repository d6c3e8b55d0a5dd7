"""``ScriptRunConfig``: not supported (Sluice runs pipelines; wrap the script in a ``PythonScriptStep``)."""

from azureml.core._not_yet import not_yet_class

ScriptRunConfig = not_yet_class("ScriptRunConfig", "script runs are not part of Sluice; wrap the script in a "
                                                   "PythonScriptStep of a one-step Pipeline", __name__,
                                server_side=False)

__all__ = ["ScriptRunConfig"]
