"""``azureml.core.Model``: v1's arguments (register, the constructor, list, download, get_model_path) against a fake
transport."""

import gzip
import io
import os
import tarfile
import unittest

from azureml.core import Model
from azureml.exceptions import ModelNotFoundException, UserErrorException, WebserviceException

from .support import TempDirTest, workspace


def model_json(name="diabetes", version=1, **extra):
    body = {"id": "%s:%d" % (name, version), "name": name, "version": version, "tags": {}, "properties": {},
            "root": "model.pkl", "files": [{"name": "model.pkl", "size": 7}], "createdAt": "2026-01-01T00:00:00Z",
            "links": {"self": "http://sluice.test/api/models/%s/versions/%d" % (name, version)}}
    body.update(extra)
    return body


LISTING = {"value": [
    model_json("diabetes", 3, tags={"area": "health", "stage": "prod"}, runId="r1", step="train"),
    model_json("diabetes", 2, tags={"area": "health"}, properties={"auc": "0.9"}),
    model_json("diabetes", 1),
    model_json("churn", 1, framework="ScikitLearn"),
]}


class Register(TempDirTest):
    def test_a_file_is_uploaded_named_by_its_base_name_then_registered_with_a_key(self):
        path = os.path.join(self.dir, "model.pkl")
        with open(path, "wb") as f:
            f.write(b"weights")
        ws, transport = workspace({("POST", "model-uploads"): {"id": "a" * 64, "root": "model.pkl"},
                                   ("POST", "models"): model_json(tags={"area": "health"}, description="d")})
        model = Model.register(ws, model_path=path, model_name="diabetes", tags={"area": "health"},
                               properties={"auc": 0.9}, description="d", model_framework="ScikitLearn",
                               model_framework_version="1.2", datasets=[("training", object())])
        upload = transport.last("POST", "model-uploads")
        with tarfile.open(fileobj=io.BytesIO(gzip.decompress(upload["data"]))) as tar:
            self.assertEqual(tar.getnames(), ["model.pkl"])
            self.assertEqual(tar.extractfile("model.pkl").read(), b"weights")
        body = transport.last("POST", "models")["json_body"]
        self.assertEqual(body, {"name": "diabetes", "upload": "a" * 64, "tags": {"area": "health"},
                                "properties": {"auc": "0.9"}, "description": "d", "framework": "ScikitLearn",
                                "frameworkVersion": "1.2"})
        self.assertIn("Idempotency-Key", transport.last("POST", "models")["headers"])
        self.assertEqual((model.id, model.name, model.version, model.description), ("diabetes:1", "diabetes", 1, "d"))

    def test_a_folder_keeps_its_name_and_layout(self):
        folder = os.path.join(self.dir, "model")
        os.makedirs(os.path.join(folder, "sub"))
        for name in ("a.bin", os.path.join("sub", "b.json")):
            with open(os.path.join(folder, name), "w") as f:
                f.write(name)
        ws, transport = workspace({("POST", "model-uploads"): {"id": "b" * 64},
                                   ("POST", "models"): model_json(root="model")})
        Model.register(ws, folder, "diabetes")
        with tarfile.open(fileobj=io.BytesIO(gzip.decompress(transport.last("POST", "model-uploads")["data"]))) as t:
            self.assertEqual(sorted(t.getnames()), ["model/a.bin", "model/sub/b.json"])

    def test_bad_arguments_are_refused_before_anything_is_sent(self):
        ws, transport = workspace()
        with self.assertRaises(UserErrorException):
            Model.register(ws, os.path.join(self.dir, "missing.pkl"), "diabetes")
        with self.assertRaises(UserErrorException):
            Model.register(ws, self.dir, "")
        with self.assertRaises(UserErrorException):
            Model.register(ws, self.dir, "diabetes", tags=["not", "a dict"])
        with self.assertRaises(NotImplementedError):
            Model.register(ws, self.dir, "diabetes", child_paths=["a"])
        self.assertEqual(transport.calls, [])


class Find(unittest.TestCase):
    def test_by_name_is_the_latest_by_version_or_id_that_version(self):
        ws, transport = workspace({("GET", "models/diabetes/versions/latest"): model_json(version=3),
                                   ("GET", "models/diabetes/versions/2"): model_json(version=2)})
        self.assertEqual(Model(ws, "diabetes").version, 3)
        self.assertEqual(Model(ws, name="diabetes", version=2).id, "diabetes:2")
        self.assertEqual(Model(ws, id="diabetes:2").version, 2)

    def test_unknown_models_raise_webservice_exception(self):
        ws, _ = workspace()
        with self.assertRaises(WebserviceException) as caught:
            Model(ws, "nope")
        self.assertEqual(caught.exception.status_code, 404)
        for kwargs in ({}, {"id": "no-version"}, {"name": "x", "version": "two"}, {"id": "x:1", "version": 2}):
            with self.assertRaises(WebserviceException):
                Model(ws, **kwargs)

    def test_tags_and_properties_pick_the_latest_that_matches(self):
        ws, _ = workspace({("GET", "models"): LISTING})
        self.assertEqual(Model(ws, "diabetes", tags=[["stage", "prod"]]).version, 3)
        self.assertEqual(Model(ws, "diabetes", properties=["auc"]).version, 2)
        with self.assertRaises(WebserviceException):
            Model(ws, "diabetes", tags=[["stage", "dev"]])

    def test_list_filters_as_v1_does(self):
        ws, transport = workspace({("GET", "models"): LISTING})
        self.assertEqual([m.id for m in Model.list(ws)], ["diabetes:3", "diabetes:2", "diabetes:1", "churn:1"])
        self.assertEqual([m.id for m in Model.list(ws, latest=True)], ["diabetes:3", "churn:1"])
        self.assertEqual([m.id for m in Model.list(ws, tags=["area"])], ["diabetes:3", "diabetes:2"])
        self.assertEqual([m.id for m in Model.list(ws, tags=[["area", "health"], "stage"])], ["diabetes:3"])
        self.assertEqual([m.id for m in Model.list(ws, properties=[["auc", "0.9"]])], ["diabetes:2"])
        self.assertEqual([m.id for m in Model.list(ws, model_framework="ScikitLearn")], ["churn:1"])
        self.assertEqual([m.id for m in Model.list(ws, run_id="r1:train")], ["diabetes:3"])
        self.assertEqual(transport.last("GET", "models")["query"], {"name": None, "runId": "r1"})
        Model.list(ws, name="diabetes")
        self.assertEqual(transport.last("GET", "models")["query"], {"name": "diabetes"})
        self.assertEqual(Model.list(ws, run_id="r1:train")[0].run_id, "r1:train")
        with self.assertRaises(UserErrorException):
            Model.list(ws, tags="area")
        with self.assertRaises(NotImplementedError):
            Model.list(ws, dataset_id="d")

    def test_workspace_models_is_a_dict_of_the_latest_versions(self):
        ws, _ = workspace({("GET", "models"): LISTING})
        self.assertEqual({n: m.version for n, m in ws.models.items()}, {"diabetes": 3, "churn": 1})

    def test_versions_never_change(self):
        ws, _ = workspace({("GET", "models/diabetes/versions/latest"): model_json()})
        model = Model(ws, "diabetes")
        for action in (lambda: model.add_tags({"a": "b"}), lambda: model.delete(), lambda: model.update()):
            with self.assertRaises(NotImplementedError):
                action()


class Download(TempDirTest):
    def routes(self):
        return {("GET", "models/diabetes/versions/latest"): model_json(),
                ("GET", "models/diabetes/versions/1/files/download"): "weights"}

    def test_download_writes_the_model_and_returns_its_path(self):
        ws, transport = workspace(self.routes())
        path = Model(ws, "diabetes").download(target_dir=self.dir)
        self.assertEqual(path, os.path.join(self.dir, "model.pkl"))
        with open(path) as f:
            self.assertEqual(f.read(), "weights")
        self.assertEqual(transport.last("GET", "models/diabetes/versions/1/files/download")["query"],
                         {"path": "model.pkl"})
        with self.assertRaises(WebserviceException):
            Model(ws, "diabetes").download(target_dir=self.dir)
        self.assertEqual(Model(ws, "diabetes").download(target_dir=self.dir, exist_ok=True), path)

    def test_get_model_path_downloads_once_into_azureml_models(self):
        ws, transport = workspace(self.routes())
        cwd = os.getcwd()
        os.chdir(self.dir)
        try:
            path = Model.get_model_path("diabetes", _workspace=ws)
            self.assertEqual(path, os.path.join("azureml-models", "diabetes", "1", "model.pkl"))
            self.assertTrue(os.path.isfile(path))
            downloads = len([c for c in transport.calls if c["path"].endswith("/download")])
            self.assertEqual(Model.get_model_path("diabetes", _workspace=ws), path)
            self.assertEqual(len([c for c in transport.calls if c["path"].endswith("/download")]), downloads)
        finally:
            os.chdir(cwd)

    def test_get_model_path_of_an_unknown_model_raises_model_not_found(self):
        ws, _ = workspace()
        with self.assertRaises(ModelNotFoundException):
            Model.get_model_path("nope", _workspace=ws)


class StepFiles(TempDirTest):
    FILES = {"value": [{"name": "outputs/model.pkl", "size": 5}, {"name": "extra/notes.txt", "size": 5}]}

    def step(self, routes):
        from azureml.core import Experiment
        from azureml.pipeline.core import StepRun

        ws, transport = workspace(routes)
        return StepRun(Experiment(ws, "e"), "r1:train"), transport

    def test_download_file_defaults_to_the_base_name_and_accepts_a_folder(self):
        run, transport = self.step({("GET", "runs/r1/steps/train/files/download"): "w"})
        self.assertEqual(run.download_file("outputs/model.pkl"), "model.pkl")
        self.assertTrue(os.path.isfile(os.path.join(self.dir, "model.pkl")))
        os.makedirs("into")
        self.assertEqual(run.download_file("outputs/model.pkl", "into"), os.path.join("into", "model.pkl"))
        self.assertEqual(run.download_file("outputs/model.pkl", "m.bin"), "m.bin")
        self.assertEqual(transport.last()["query"], {"path": "outputs/model.pkl"})

    def test_download_files_by_prefix_with_or_without_it(self):
        run, _ = self.step({("GET", "runs/r1/steps/train/files"): self.FILES,
                            ("GET", "runs/r1/steps/train/files/download"): "w"})
        self.assertEqual(run.get_file_names(), ["outputs/model.pkl", "extra/notes.txt"])
        run.download_files(prefix="outputs", output_directory="a")
        self.assertTrue(os.path.isfile(os.path.join("a", "outputs", "model.pkl")))
        self.assertFalse(os.path.exists(os.path.join("a", "extra")))
        run.download_files(prefix="outputs/", output_directory="b", append_prefix=False)
        self.assertTrue(os.path.isfile(os.path.join("b", "model.pkl")))
        with self.assertRaises(UserErrorException):
            run.download_files(output_paths=["only-one"])

    def test_get_output_data_names_the_outputs_and_downloads_under_its_datastore_path(self):
        output = {"name": "table", "container": "workspaceblobstore", "path": "r1/train/table/",
                  "files": [{"name": "part-0.csv", "size": 1}]}
        run, _ = self.step({("GET", "runs/r1"): {"id": "r1", "status": "Completed",
                                                 "steps": [{"name": "train", "outputs": [output]}]},
                            ("GET", "runs/r1/steps/train/outputs/table/download"): "a,b"})
        with self.assertRaises(UserErrorException) as caught:
            run.get_output_data("nope")
        self.assertIn("its outputs: table", str(caught.exception))
        data = run.get_output_data("table")
        self.assertEqual((data.name, data.datastore_name, data.path_on_datastore),
                         ("table", "workspaceblobstore", "r1/train/table/"))
        folder = data.download("local", show_progress=False)
        self.assertEqual(folder, os.path.join("local", "r1", "train", "table"))
        self.assertTrue(os.path.isfile(os.path.join(folder, "part-0.csv")))
        with self.assertRaises(UserErrorException):
            data.download("local", show_progress=False)
        data.download("local", overwrite=True, show_progress=False)

    def test_an_output_in_a_datastore_of_another_container_shows_the_datastore_name(self):
        output = {"name": "table", "datastore": "training_data", "container": "raw-data", "path": "r1/train/table/",
                  "files": []}
        run, _ = self.step({("GET", "runs/r1"): {"id": "r1", "status": "Completed",
                                                 "steps": [{"name": "train", "outputs": [output]}]}})
        self.assertEqual(run.get_output_data("table").datastore_name, "training_data")
