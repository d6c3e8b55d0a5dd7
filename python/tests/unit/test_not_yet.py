"""What the server side of issue 14 will bring exists for imports and refuses clearly when used."""

import unittest

from azureml.core import CondaDependencies, Dataset, Environment, ScriptRunConfig
from azureml.core.dataset import Dataset as DatasetFromModule
from azureml.core.environment import Environment as EnvironmentFromModule


class NotYet(unittest.TestCase):
    def refused(self, action, *words):
        with self.assertRaises(NotImplementedError) as caught:
            action()
        for word in words:
            self.assertIn(word, str(caught.exception))

    def test_datasets_come_from_their_module(self):
        self.assertIs(Dataset, DatasetFromModule)

    def test_environments_that_need_images(self):
        self.assertIs(Environment, EnvironmentFromModule)
        self.refused(lambda: Environment.from_docker_image("e", "img"), "CondaDependencies")
        self.refused(lambda: Environment("e").build(None), "worker's interpreter")
        self.assertEqual(list(CondaDependencies.create(pin_sdk_version=False).pip_packages), ["azureml-defaults"])

    def test_script_run_config_is_not_a_sluice_concept(self):
        with self.assertRaises(NotImplementedError) as caught:
            ScriptRunConfig(source_directory=".", script="train.py")
        self.assertIn("PythonScriptStep", str(caught.exception))
        self.assertNotIn("issue 14", str(caught.exception))
