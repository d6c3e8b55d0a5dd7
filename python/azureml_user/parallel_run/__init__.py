"""``from azureml_user.parallel_run import EntryScript``, as in Azure ML v1: an entry script's view of the parallel
step running it (its logger, output and working folders). The driver that calls ``init()`` / ``run()`` is
``_driver.py``; see docs/parallel-run.md."""

import logging
import os

__all__ = ["EntryScript"]

_LOGGER_NAME = "azureml_user.parallel_run"


class EntryScript(object):
    """``EntryScript()``: cheap to construct anywhere in the entry script (``init()``, ``run()``, module level).

    - ``logger``: a ``logging.Logger`` writing to this process's log (``logs/user/processNNN.txt`` among the step's
      artifacts), at the step's ``logging_level``.
    - ``output_dir``: the step's output folder (what ``output`` publishes); write extra files there.
    - ``working_dir``: the step's source directory, the processes' current folder.
    - ``process_name``: this process's name (``process000``, ...).
    """

    @property
    def logger(self):
        return logging.getLogger(_LOGGER_NAME)

    @property
    def output_dir(self):
        return os.environ.get("SLUICE_PARALLEL_OUTPUT_DIR") or os.getcwd()

    @property
    def working_dir(self):
        return os.getcwd()

    @property
    def process_name(self):
        return os.environ.get("SLUICE_PARALLEL_PROCESS", "process000")

    @property
    def agent_name(self):
        return self.process_name

    def log_error(self, message):
        self.logger.error(message)

    def log_warning(self, message):
        self.logger.warning(message)

    def log_info(self, message):
        self.logger.info(message)

    def log_debug(self, message):
        self.logger.debug(message)
