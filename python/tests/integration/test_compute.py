"""Compute targets through the azureml package against the real local stack (started by
test/integration/python/azuremlFlow.test.ts, whose worker pool follows the registry as npm start's does)."""

import os
import tempfile
import unittest
import uuid

from azureml.core import ComputeTarget, Experiment, Workspace
from azureml.core.compute import AmlCompute
from azureml.exceptions import ComputeTargetException
from azureml.pipeline.core import Pipeline
from azureml.pipeline.steps import PythonScriptStep

NEEDS_STACK = "needs the local stack: run through npm test (test/integration/python/azuremlFlow.test.ts)"


@unittest.skipUnless(os.environ.get("SLUICE_URL"), NEEDS_STACK)
class ComputeTargets(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.ws = Workspace.from_config()

    def test_unknown_target_is_a_compute_target_exception_then_create_serves_it_without_restart(self):
        name = "py-%s" % uuid.uuid4().hex[:8]
        try:
            ComputeTarget(workspace=self.ws, name=name)
            self.fail("an unknown compute target must raise")
        except ComputeTargetException as err:
            self.assertIn("Compute Target with name %s not found" % name, str(err))
            config = AmlCompute.provisioning_configuration(vm_size="STANDARD_DS3_V2", max_nodes=2)
            target = ComputeTarget.create(self.ws, name, config)
        target.wait_for_completion(show_output=False, min_node_count=1, timeout_in_minutes=2)
        self.assertEqual(target.get_status().current_node_count, 1)
        self.assertIn(name, self.ws.compute_targets)
        self.assertEqual(ComputeTarget(self.ws, name).status.vm_size, "STANDARD_DS3_V2")

        source = tempfile.mkdtemp(prefix="sluice-py-compute-")
        with open(os.path.join(source, "where.py"), "w") as f:
            f.write("import os\nprint('served by', os.environ.get('AZUREML_RUN_ID', '?'))\n")
        step = PythonScriptStep(name="where", source_directory=source, script_name="where.py",
                                compute_target=target, allow_reuse=False)
        run = Experiment(self.ws, "py-compute").submit(Pipeline(self.ws, [step]))
        run.wait_for_completion(show_output=False)
        self.assertEqual(run.get_status(), "Completed")
        self.assertEqual([s.get_details()["target"] for s in run.get_children()], [name])

        target.delete()
        with self.assertRaises(ComputeTargetException):
            ComputeTarget(self.ws, name)

    def test_a_configured_target_cannot_be_created_or_deleted(self):
        with self.assertRaises(ComputeTargetException) as caught:
            ComputeTarget.create(self.ws, "cpu", AmlCompute.provisioning_configuration())
        self.assertEqual(caught.exception.code, "ComputeTargetExists")
        with self.assertRaises(ComputeTargetException):
            ComputeTarget(self.ws, "cpu").delete()
