import json
import os

from azureml.core import Datastore, Experiment, Workspace
from azureml.core.compute import AmlCompute
from azureml.core.authentication import InteractiveLoginAuthentication
from azureml.exceptions import UserErrorException

from .support import TempDirTest, compute_record, workspace

DATASTORES = {"value": [{"name": "workspaceblobstore", "container": "workspaceblobstore", "isDefault": True},
                        {"name": "archive", "container": "archive-data", "isDefault": False}]}


class FromConfig(TempDirTest):
    def test_sluice_url_and_token_from_the_environment_win(self):
        self.write(".azureml/config.json", json.dumps({"sluice_url": "http://elsewhere:1"}))
        os.environ["SLUICE_URL"] = "https://sluice.example.net/"
        os.environ["SLUICE_TOKEN"] = "tok-123"
        ws = Workspace.from_config()
        self.assertEqual(ws.service_url, "https://sluice.example.net")
        self.assertEqual(ws.auth.get_authentication_header(), {"Authorization": "Bearer tok-123"})

    def test_config_json_is_found_in_a_parent_folders_azureml_folder(self):
        self.write(".azureml/config.json", json.dumps({"sluice_url": "https://mine.example.net",
                                                       "workspace_name": "prod", "subscription_id": "s",
                                                       "resource_group": "r"}))
        os.makedirs(os.path.join(self.dir, "notebooks", "deep"))
        os.chdir(os.path.join(self.dir, "notebooks", "deep"))
        ws = Workspace.from_config()
        self.assertEqual((ws.service_url, ws.name, ws.subscription_id, ws.resource_group),
                         ("https://mine.example.net", "prod", "s", "r"))

    def test_config_json_in_the_folder_itself_and_an_explicit_file(self):
        path = self.write("config.json", json.dumps({"sluice_url": "http://localhost:9000", "workspace_name": "a"}))
        self.assertEqual(Workspace.from_config().service_url, "http://localhost:9000")
        self.assertEqual(Workspace.from_config(path=path).name, "a")

    def test_an_azure_ml_config_without_sluice_url_says_what_to_add(self):
        self.write("config.json", json.dumps({"subscription_id": "s", "resource_group": "r",
                                              "workspace_name": "w"}))
        with self.assertRaises(UserErrorException) as caught:
            Workspace.from_config()
        self.assertIn('"sluice_url"', str(caught.exception))

    def test_an_explicit_path_without_config_is_an_error(self):
        os.makedirs(os.path.join(self.dir, "empty"))
        with self.assertRaises(UserErrorException) as caught:
            Workspace.from_config(path=os.path.join(self.dir, "empty"))
        self.assertIn("could not find config.json", str(caught.exception))

    def test_nothing_configured_means_the_local_stack(self):
        ws = Workspace.from_config()
        self.assertEqual(ws.service_url, "http://localhost:7071")
        self.assertIsInstance(ws.auth, InteractiveLoginAuthentication)

    def test_a_config_that_is_not_json_is_a_user_error(self):
        self.write("config.json", "{nope")
        with self.assertRaises(UserErrorException):
            Workspace.from_config()

    def test_write_config_round_trips(self):
        ws = Workspace("sub", "rg", "named", url="http://localhost:7072")
        path = ws.write_config()
        self.assertEqual(path, os.path.join(self.dir, ".azureml", "config.json"))
        again = Workspace.from_config()
        self.assertEqual((again.service_url, again.name, again.subscription_id), ("http://localhost:7072", "named",
                                                                                  "sub"))


class Construct(TempDirTest):
    def test_v1_positional_signature(self):
        ws = Workspace("sub-id", "my-rg", "my-ws", url="http://localhost:7071")
        self.assertEqual((ws.subscription_id, ws.resource_group, ws.name), ("sub-id", "my-rg", "my-ws"))

    def test_get_uses_the_discovered_url(self):
        os.environ["SLUICE_URL"] = "http://127.0.0.1:8123"
        ws = Workspace.get(name="ws1", subscription_id="s", resource_group="r")
        self.assertEqual((ws.name, ws.service_url), ("ws1", "http://127.0.0.1:8123"))
        with self.assertRaises(UserErrorException):
            Workspace.get("")

    def test_auth_must_be_an_authentication_object(self):
        with self.assertRaises(UserErrorException) as caught:
            Workspace("s", "r", "w", auth="token", url="http://localhost:7071")
        self.assertIn("InteractiveLoginAuthentication", str(caught.exception))

    def test_a_url_that_is_not_http_is_refused(self):
        with self.assertRaises(UserErrorException):
            Workspace("s", "r", "w", url="ftp://host")

    def test_create_is_not_a_sluice_operation(self):
        with self.assertRaises(NotImplementedError) as caught:
            Workspace.create("w")
        self.assertIn("azd up", str(caught.exception))


class Contents(TempDirTest):
    def test_datastores_is_a_dict_and_the_default_is_marked(self):
        missing = UserErrorException('Datastore "nope" does not exist; the workspace has: archive, workspaceblobstore.',
                                     status_code=404, code="NotFound")
        ws, transport = workspace({("GET", "datastores"): DATASTORES,
                                   ("GET", "datastores/archive"): DATASTORES["value"][1],
                                   ("GET", "datastores/nope"): missing})
        stores = ws.datastores
        self.assertEqual(sorted(stores), ["archive", "workspaceblobstore"])
        self.assertEqual(stores["archive"].container_name, "archive-data")
        self.assertEqual(ws.get_default_datastore().name, "workspaceblobstore")
        self.assertEqual(Datastore(ws).name, "workspaceblobstore")
        self.assertEqual(Datastore.get(ws, "archive").container_name, "archive-data")
        with self.assertRaises(UserErrorException) as caught:
            Datastore.get(ws, "nope")
        self.assertIn("archive, workspaceblobstore", str(caught.exception))

    def test_experiments_come_from_the_run_listing_across_pages(self):
        ws, transport = workspace({("GET", "runs"): [
            {"value": [{"id": "r3", "experiment": "b"}, {"id": "r2", "experiment": "a"}], "continuationToken": "t"},
            {"value": [{"id": "r1", "experiment": "b"}]}]})
        experiments = ws.experiments
        self.assertEqual(list(experiments), ["b", "a"])
        self.assertIsInstance(experiments["a"], Experiment)
        self.assertEqual(transport.calls[1]["query"]["continuationToken"], "t")

    def test_compute_targets_are_the_registry_s(self):
        ws, _ = workspace({("GET", "compute-targets"): {"value": [compute_record("cpu", source="configured"),
                                                                  compute_record("gpu")]}})
        targets = ws.compute_targets
        self.assertEqual(list(targets), ["cpu", "gpu"])
        self.assertIsInstance(targets["gpu"], AmlCompute)
        self.assertEqual(targets["gpu"].provisioning_state, "Succeeded")

    def test_datastore_path_is_a_data_reference(self):
        ws, _ = workspace({("GET", "datastores"): DATASTORES})
        store = ws.get_default_datastore()
        reference = store.path("diabetes/", data_reference_name="raw")
        self.assertEqual((reference.datastore_name, reference.path_on_datastore, reference.data_reference_name),
                         ("workspaceblobstore", "diabetes/", "raw"))
        self.assertEqual(reference.as_download().mode, "download")
