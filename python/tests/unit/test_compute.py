"""ComputeTarget / AmlCompute against the v1 signatures, over the in-memory transport."""

import inspect
import io
import unittest
from contextlib import redirect_stdout

from azureml.core import ComputeTarget
from azureml.core.compute import AmlCompute, AmlComputeProvisioningConfiguration, AmlComputeStatus
from azureml.exceptions import ComputeTargetException, UserErrorException

from .support import compute_record, workspace


class Signatures(unittest.TestCase):
    def test_v1_arguments_and_defaults(self):
        params = inspect.signature(AmlCompute.provisioning_configuration).parameters
        self.assertEqual(list(params)[:5], ["vm_size", "vm_priority", "min_nodes", "max_nodes",
                                            "idle_seconds_before_scaledown"])
        self.assertEqual([params[n].default for n in ("vm_size", "vm_priority", "min_nodes", "max_nodes")],
                         ["", "dedicated", 0, None])
        wait = inspect.signature(ComputeTarget.wait_for_completion).parameters
        self.assertEqual([(n, wait[n].default) for n in ("show_output", "min_node_count", "timeout_in_minutes")],
                         [("show_output", False), ("min_node_count", None), ("timeout_in_minutes", 20)])
        self.assertEqual(list(inspect.signature(ComputeTarget.create).parameters),
                         ["workspace", "name", "provisioning_configuration"])

    def test_provisioning_configuration_is_validated_as_v1_does(self):
        config = AmlCompute.provisioning_configuration(vm_size="STANDARD_D2_V2", max_nodes=4)
        self.assertIsInstance(config, AmlComputeProvisioningConfiguration)
        self.assertEqual((config.vm_size, config.min_nodes, config.max_nodes, config.type),
                         ("STANDARD_D2_V2", 0, 4, "AmlCompute"))
        for bad in (dict(vm_priority="spot"), dict(min_nodes=3, max_nodes=2), dict(min_nodes=-1),
                    dict(max_nodes=0), dict(max_nodes="4"), dict(tags=["a"])):
            with self.assertRaises(ComputeTargetException, msg=repr(bad)):
                AmlCompute.provisioning_configuration(**bad)


class Registry(unittest.TestCase):
    def test_unknown_target_raises_compute_target_exception_with_v1_message(self):
        ws, _ = workspace({("GET", "compute-targets/gpu"): UserErrorException("not there", status_code=404)})
        with self.assertRaises(ComputeTargetException) as caught:
            ComputeTarget(workspace=ws, name="gpu")
        self.assertEqual(str(caught.exception),
                         "ComputeTargetNotFound: Compute Target with name gpu not found in provided workspace")

    def test_get_returns_an_aml_compute_with_its_state(self):
        ws, _ = workspace({("GET", "compute-targets/cpu"): compute_record(
            "cpu", vmSize="S", maxNodes=3, workerActive=True, queueDepth=2, tags={"t": "1"})})
        target = ComputeTarget(ws, "cpu")
        self.assertIsInstance(target, AmlCompute)
        self.assertEqual((target.name, target.type, target.provisioning_state, target.tags),
                         ("cpu", "AmlCompute", "Succeeded", {"t": "1"}))
        status = target.get_status()
        self.assertIsInstance(status, AmlComputeStatus)
        self.assertEqual((status.current_node_count, status.scale_settings.maximum_node_count, status.queue_depth),
                         (1, 3, 2))
        self.assertEqual(AmlCompute(ws, "cpu").name, "cpu")

    def test_create_puts_the_configuration_and_wait_prints_the_state(self):
        ws, transport = workspace({("PUT", "compute-targets/cpu-cluster"): compute_record("cpu-cluster")})
        config = AmlCompute.provisioning_configuration(vm_size="STANDARD_DS3_V2", max_nodes=4, min_nodes=0,
                                                       idle_seconds_before_scaledown=300, tags={"team": 7},
                                                       description="training")
        target = ComputeTarget.create(ws, "cpu-cluster", config)
        self.assertEqual(transport.last("PUT")["json_body"],
                         {"vmSize": "STANDARD_DS3_V2", "vmPriority": "dedicated", "minNodes": 0, "maxNodes": 4,
                          "idleSecondsBeforeScaledown": 300, "tags": {"team": "7"}, "description": "training"})
        self.assertEqual(target.name, "cpu-cluster")
        out = io.StringIO()
        with redirect_stdout(out):
            target.wait_for_completion(show_output=True)
        self.assertIn('Provisioning operation finished, operation "Succeeded"', out.getvalue())
        with self.assertRaises(ComputeTargetException):
            ComputeTarget.create(ws, "cpu-cluster", {"vm_size": "S"})
        with self.assertRaises(ComputeTargetException):
            ComputeTarget.create(ws, "Bad_Name", config)

    def test_server_refusals_become_compute_target_exceptions(self):
        ws, _ = workspace({
            ("PUT", "compute-targets/cpu"): UserErrorException("exists", status_code=409, code="ComputeTargetExists"),
            ("GET", "compute-targets/busy"): compute_record("busy"),
            ("DELETE", "compute-targets/busy"): UserErrorException("1 job(s) waiting", status_code=409,
                                                                  code="ComputeTargetBusy")})
        with self.assertRaises(ComputeTargetException) as caught:
            ComputeTarget.create(ws, "cpu", AmlCompute.provisioning_configuration())
        self.assertEqual(caught.exception.code, "ComputeTargetExists")
        busy = ComputeTarget(ws, "busy")
        with self.assertRaises(ComputeTargetException) as caught:
            busy.delete()
        self.assertIn("waiting", str(caught.exception))
        with self.assertRaises(ComputeTargetException):
            busy.detach()

    def test_list(self):
        ws, _ = workspace({("GET", "compute-targets"): {"value": [compute_record("a"), compute_record("b")]}})
        self.assertEqual([t.name for t in ComputeTarget.list(ws)], ["a", "b"])


class NotHere(unittest.TestCase):
    def test_compute_instance_says_what_to_use(self):
        from azureml.core.compute import ComputeInstance

        with self.assertRaises(NotImplementedError) as caught:
            ComputeInstance.provisioning_configuration(vm_size="STANDARD_DS3_V2")
        self.assertIn("register an AmlCompute", str(caught.exception))


class Databricks(unittest.TestCase):
    def test_attach_configuration_has_v1_arguments_first(self):
        from azureml.core.compute import DatabricksCompute

        params = list(inspect.signature(DatabricksCompute.attach_configuration).parameters)
        self.assertEqual(params[:4], ["resource_group", "workspace_name", "resource_id", "access_token"])
        self.assertEqual(list(inspect.signature(ComputeTarget.attach).parameters),
                         ["workspace", "name", "attach_configuration"])

    def test_attach_puts_the_workspace_and_a_credential_reference(self):
        from azureml.core.compute import DatabricksCompute

        answer = compute_record("dbx", type="Databricks", databricks={
            "workspaceUrl": "https://adb-1.2.azuredatabricks.net", "credential": {"type": "pat", "setting": "PAT"}})
        ws, transport = workspace({("PUT", "compute-targets/dbx"): answer, ("GET", "compute-targets/dbx"): answer})
        config = DatabricksCompute.attach_configuration(resource_group="rg", workspace_name="w",
                                                        workspace_url="https://adb-1.2.azuredatabricks.net",
                                                        pat_setting="PAT")
        target = ComputeTarget.attach(ws, "dbx", config)
        self.assertEqual(transport.last("PUT")["json_body"], {
            "type": "Databricks",
            "databricks": {"workspaceUrl": "https://adb-1.2.azuredatabricks.net",
                           "credential": {"type": "pat", "setting": "PAT"},
                           "resourceId": "resourceGroups/rg/providers/Microsoft.Databricks/workspaces/w"}})
        self.assertIsInstance(target, DatabricksCompute)
        self.assertEqual((target.type, target.workspace_url), ("Databricks", "https://adb-1.2.azuredatabricks.net"))
        again = ComputeTarget(ws, "dbx")
        self.assertIsInstance(again, DatabricksCompute)

    def test_managed_identity_is_the_default_credential(self):
        from azureml.core.compute import DatabricksCompute

        config = DatabricksCompute.attach_configuration(workspace_url="http://127.0.0.1:7075")
        self.assertEqual(config._body()["databricks"]["credential"], {"type": "managedIdentity"})

    def test_a_token_or_no_url_is_refused_with_compute_target_exception(self):
        from azureml.core.compute import DatabricksCompute

        with self.assertRaises(ComputeTargetException) as caught:
            DatabricksCompute.attach_configuration(workspace_url="https://a.b", access_token="dapi-secret")
        self.assertIn("never stores a Databricks token", str(caught.exception))
        self.assertNotIn("dapi-secret", str(caught.exception))
        with self.assertRaises(ComputeTargetException) as caught:
            DatabricksCompute.attach_configuration(resource_group="rg", workspace_name="w")
        self.assertIn("workspace_url is required", str(caught.exception))
        ws, _ = workspace({})
        with self.assertRaises(ComputeTargetException):
            ComputeTarget.attach(ws, "dbx", AmlCompute.provisioning_configuration())
