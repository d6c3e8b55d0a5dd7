"""``Datastore``: v1's arguments for registration, uploads and downloads, against an in-memory server."""

import contextlib
import io
import os

from azureml.core import Datastore
from azureml.core import datastore as datastore_module
from azureml.exceptions import UserErrorException

from .fake_data_server import FakeDataServer
from .support import TempDirTest


class Datastores(TempDirTest):
    def setUp(self):
        TempDirTest.setUp(self)
        self.server = FakeDataServer()
        self.ws = self.server.workspace()

    def test_register_azure_blob_container_sends_v1s_arguments_and_never_the_secrets(self):
        store = Datastore.register_azure_blob_container(
            workspace=self.ws, datastore_name="raw_data", container_name="raw-data", account_name="devstoreaccount1",
            sas_token="secret-sas", account_key="secret-key", create_if_not_exists=True, overwrite=False)
        body = self.server.calls[-1]["json_body"]
        self.assertEqual(body, {"container": "raw-data", "accountName": "devstoreaccount1", "overwrite": False,
                                "createIfNotExists": True})
        self.assertNotIn("secret", repr(self.server.calls))
        self.assertEqual((store.name, store.container_name, store.account_name), ("raw_data", "raw-data",
                                                                                   "devstoreaccount1"))
        self.assertEqual(Datastore.get(self.ws, "raw_data").container_name, "raw-data")
        self.assertEqual(sorted(self.ws.datastores), ["raw_data", "workspaceblobstore"])

    def test_register_azure_blob_container_of_another_account_sends_the_secret_once_and_never_shows_it(self):
        store = Datastore.register_azure_blob_container(self.ws, "landing", "raw", "landing1",
                                                        account_key="the-account-key", endpoint="core.windows.net")
        body = self.server.calls[-1]["json_body"]
        self.assertEqual(body, {"container": "raw", "accountName": "landing1", "endpoint": "core.windows.net",
                                "overwrite": False, "createIfNotExists": False,
                                "credential": {"type": "account_key", "secret": "the-account-key"}})
        self.assertEqual((store.account_name, store.credential_type, store.account_key), ("landing1", "account_key",
                                                                                         None))
        sas = Datastore.register_azure_blob_container(self.ws, "landing_sas", "raw", "landing1", sas_token="sv=1")
        self.assertEqual(self.server.calls[-1]["json_body"]["credential"], {"type": "sas", "secret": "sv=1"})
        self.assertEqual(sas.credential_type, "sas")
        Datastore.register_azure_blob_container(self.ws, "both", "raw", "landing1", sas_token="a", account_key="b")
        self.assertEqual(self.server.calls[-1]["json_body"]["credential"], {"type": "sas", "secret": "a"})
        with self.assertRaises(UserErrorException) as caught:
            Datastore.register_azure_blob_container(self.ws, "x", "raw", "landing1", account_key=b"bytes")
        self.assertIn("account_key must be a string", str(caught.exception))
        identity = Datastore.register_azure_blob_container(self.ws, "landing_mi", "raw", "landing1")
        self.assertNotIn("credential", self.server.calls[-1]["json_body"])
        self.assertEqual(identity.account_name, "landing1")

    def test_register_azure_data_lake_gen2_with_a_service_principal_or_the_apps_identity(self):
        lake = Datastore.register_azure_data_lake_gen2(
            workspace=self.ws, datastore_name="lake", filesystem="curated", account_name="lake1",
            tenant_id="t-id", client_id="c-id", client_secret="c-secret", protocol="https", overwrite=True)
        self.assertEqual(self.server.calls[-1]["json_body"], {
            "container": "curated", "accountName": "lake1", "protocol": "https", "overwrite": True,
            "createIfNotExists": False, "datastoreType": "AzureDataLakeGen2",
            "credential": {"type": "service_principal", "tenantId": "t-id", "clientId": "c-id",
                           "secret": "c-secret"}})
        self.assertEqual((lake.datastore_type, lake.container_name, lake.credential_type),
                         ("AzureDataLakeGen2", "curated", "service_principal"))
        with self.assertRaises(UserErrorException) as caught:
            Datastore.register_azure_data_lake_gen2(self.ws, "lake2", "curated", "lake1", tenant_id="t",
                                                    client_secret="s")
        self.assertIn("needs tenant_id, client_id and client_secret (got tenant_id, client_secret)",
                      str(caught.exception))
        Datastore.register_azure_data_lake_gen2(self.ws, "lake3", "curated", "lake1")
        self.assertNotIn("credential", self.server.calls[-1]["json_body"])

    def test_set_default_datastore_changes_what_get_default_returns(self):
        Datastore.register_azure_blob_container(self.ws, "raw_data", "raw-data", "devstoreaccount1")
        self.assertEqual(self.ws.get_default_datastore().name, "workspaceblobstore")
        self.ws.set_default_datastore("raw_data")
        self.assertEqual(self.ws.get_default_datastore().name, "raw_data")
        self.assertEqual(Datastore(self.ws).name, "raw_data")
        self.assertEqual(Datastore.get_default(self.ws).name, "raw_data")

    def test_upload_keeps_the_layout_skips_existing_files_and_prints_progress(self):
        self.write("data/a.csv", "x\n1\n")
        self.write("data/sub/b.csv", "x\n2\n")
        store = Datastore.get(self.ws, "workspaceblobstore")
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            ref = store.upload(src_dir="data", target_path="diabetes", overwrite=False, show_progress=True)
        self.assertEqual(sorted(p for _, p in self.server.blobs), ["diabetes/a.csv", "diabetes/sub/b.csv"])
        self.assertEqual((ref.datastore_name, ref.path_on_datastore), ("workspaceblobstore", "diabetes"))
        self.assertIn("Uploading an estimated of 2 files", out.getvalue())
        self.assertIn("Uploaded 2 files", out.getvalue())
        self.write("data/a.csv", "changed\n")
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            store.upload("data", "diabetes")
        self.assertIn("Skipping upload for diabetes/a.csv", out.getvalue())
        self.assertEqual(self.server.blobs[("workspaceblobstore", "diabetes/a.csv")], b"x\n1\n")
        quiet = io.StringIO()
        with contextlib.redirect_stdout(quiet):
            store.upload("data", "diabetes", overwrite=True, show_progress=False)
        self.assertEqual(quiet.getvalue(), "")
        self.assertEqual(self.server.blobs[("workspaceblobstore", "diabetes/a.csv")], b"changed\n")

    def test_a_large_file_goes_in_several_blocks_and_arrives_whole(self):
        old = datastore_module.BLOCK_BYTES
        datastore_module.BLOCK_BYTES = 10
        self.addCleanup(setattr, datastore_module, "BLOCK_BYTES", old)
        content = "".join("%03d," % i for i in range(30))
        path = self.write("big.csv", content)
        Datastore.get(self.ws, "workspaceblobstore").upload_files([path], target_path="big", show_progress=False)
        blocks = [c for c in self.server.calls if "/blocks/" in c["path"]]
        self.assertEqual(len(blocks), 12)
        self.assertTrue(all(len(c["data"]) <= 10 for c in blocks))
        self.assertEqual(self.server.blobs[("workspaceblobstore", "big/big.csv")], content.encode())

    def test_an_empty_file_is_uploaded_as_an_empty_blob(self):
        path = self.write("empty.txt", "")
        Datastore.get(self.ws, "workspaceblobstore").upload_files([path], show_progress=False)
        self.assertEqual(self.server.blobs[("workspaceblobstore", "empty.txt")], b"")

    def test_upload_files_names_blobs_relative_to_relative_root(self):
        a = self.write("src/x/a.txt", "a")
        b = self.write("src/y/b.txt", "b")
        store = Datastore.get(self.ws, "workspaceblobstore")
        store.upload_files([a, b], relative_root=os.path.join(self.dir, "src"), target_path="t", show_progress=False)
        self.assertEqual(sorted(p for _, p in self.server.blobs), ["t/x/a.txt", "t/y/b.txt"])
        with self.assertRaises(UserErrorException):
            store.upload_files([a], relative_root=os.path.join(self.dir, "src", "y"), show_progress=False)
        with self.assertRaises(UserErrorException):
            store.upload_files("src/x/a.txt")
        with self.assertRaises(UserErrorException):
            store.upload_files([a], target_path="../out")
        with self.assertRaises(UserErrorException):
            store.upload(src_dir="missing")

    def test_download_returns_how_many_files_and_skips_existing_ones(self):
        self.server.blobs[("workspaceblobstore", "diabetes/a.csv")] = b"a"
        self.server.blobs[("workspaceblobstore", "diabetes/sub/b.csv")] = b"b"
        self.server.blobs[("workspaceblobstore", "other/c.csv")] = b"c"
        store = Datastore.get(self.ws, "workspaceblobstore")
        with contextlib.redirect_stdout(io.StringIO()):
            n = store.download(target_path="out", prefix="diabetes", overwrite=False, show_progress=True)
        self.assertEqual(n, 2)
        with open(os.path.join("out", "diabetes", "sub", "b.csv")) as f:
            self.assertEqual(f.read(), "b")
        self.assertFalse(os.path.exists(os.path.join("out", "other")))
        self.assertEqual(store.download("out", prefix="diabetes", show_progress=False), 0)
        self.assertEqual(store.download("out", prefix="diabetes", overwrite=True, show_progress=False), 2)
        with self.assertRaises(UserErrorException):
            store.download("out", prefix="../x")
