"""``azureml.core.Model`` (``azureml.core.model.Model``): the model registry, over Sluice's ``/api/models`` routes.

A model is a name with versions 1, 2, … (one more per registration); each version holds one file or one folder,
uploaded by ``Model.register`` or registered inside a step by ``run.register_model``. Registered versions never
change.
"""

import gzip
import io
import os
import tarfile
import uuid

from azureml._sluice.http import api_path
from azureml.exceptions import UserErrorException, WebserviceException

__all__ = ["Model"]

MAX_UPLOAD_BYTES = 100 * 1024 * 1024
"""The API's limit for one model upload (compressed), as for snapshots."""


def _pairs(what, items):
    """v1's ``tags``/``properties`` filters: a list of keys or ``[key, value]`` pairs (a dict is taken too)."""
    if items is None:
        return []
    if isinstance(items, dict):
        return [(str(k), None if v is None else str(v)) for k, v in items.items()]
    if isinstance(items, str):
        raise UserErrorException("%s must be a list of keys or [key, value] pairs, not a string" % what)
    out = []
    for item in items:
        if isinstance(item, str):
            out.append((item, None))
        elif isinstance(item, (list, tuple)) and len(item) == 2:
            out.append((str(item[0]), str(item[1])))
        else:
            raise UserErrorException("%s must be a list of keys or [key, value] pairs; got %r" % (what, item))
    return out


def _matches(values, wanted):
    return all(k in values and (v is None or values[k] == v) for k, v in wanted)


def _string_map(what, value):
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise UserErrorException("%s must be a dict of strings, not %s" % (what, type(value).__name__))
    return {str(k): str(v) for k, v in value.items()}


def _pack(model_path):
    """A tar.gz of one file or folder, named by its base name (as the model's files are named)."""
    root = os.path.basename(os.path.normpath(os.path.abspath(model_path)))
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        if os.path.isdir(model_path):
            entries = []
            for folder, dirs, files in os.walk(model_path):
                dirs.sort()
                for name in sorted(files):
                    full = os.path.join(folder, name)
                    rel = os.path.relpath(full, model_path).replace(os.sep, "/")
                    entries.append((root + "/" + rel, full))
            if not entries:
                raise UserErrorException('model_path "%s" is an empty folder; a model needs at least one file'
                                         % model_path)
        else:
            entries = [(root, model_path)]
        for arcname, full in entries:
            info = tarfile.TarInfo(arcname)
            info.size = os.path.getsize(full)
            info.mode = 0o644
            info.mtime = 0
            with open(full, "rb") as f:
                tar.addfile(info, f)
    archive = gzip.compress(raw.getvalue(), compresslevel=6, mtime=0)
    if len(archive) > MAX_UPLOAD_BYTES:
        raise UserErrorException('model_path "%s" packs to %.1f MiB; Sluice accepts models up to %d MiB compressed'
                                 % (model_path, len(archive) / 1048576.0, MAX_UPLOAD_BYTES // 1048576))
    return archive


class Model(object):
    """A registered model version. ``Model(ws, name)`` is the latest version of ``name``; ``version=`` picks one,
    ``id="name:version"`` too; ``tags``/``properties`` pick the latest version that has them. Raises
    ``WebserviceException`` when there is none, as the SDK does."""

    def __init__(self, workspace, name=None, id=None, tags=None, properties=None, version=None, run_id=None,
                 model_framework=None, expand=True, **kwargs):
        if workspace is None:
            raise UserErrorException("Model needs workspace: a Workspace (Workspace.from_config())")
        self._workspace = workspace
        if id is not None:
            if ":" not in str(id):
                raise WebserviceException('Model id "%s" is not "name:version"' % id, code="InvalidModelId")
            name, _, id_version = str(id).rpartition(":")
            if version is not None and str(version) != id_version:
                raise WebserviceException("Model id %s and version=%s disagree" % (id, version), code="BadRequest")
            version = id_version
        if not name:
            raise WebserviceException("Model needs name or id to find a model", code="BadRequest")
        if version is not None:
            try:
                version = int(version)
            except (TypeError, ValueError):
                raise WebserviceException("Model version must be a whole number, not %r" % (version,),
                                          code="BadRequest")
        if tags or properties or run_id or model_framework:
            candidates = Model.list(workspace, name=name, tags=tags, properties=properties, run_id=run_id,
                                    model_framework=model_framework)
            if version is not None:
                candidates = [m for m in candidates if m.version == version]
            if not candidates:
                raise WebserviceException('No model "%s"%s matches the given tags, properties, run_id or framework'
                                          % (name, "" if version is None else " version %d" % version),
                                          status_code=404, code="NotFound")
            self._load(candidates[0]._json)
            return
        self._load(Model._fetch(workspace, name, "latest" if version is None else version))

    @staticmethod
    def _fetch(workspace, name, version):
        try:
            return workspace._transport.json("GET", api_path("models", name, "versions", version))
        except UserErrorException as err:
            if getattr(err, "status_code", None) in (400, 404):
                raise WebserviceException(str(err), status_code=err.status_code, code=getattr(err, "code", None))
            raise

    @classmethod
    def _from_json(cls, workspace, body):
        model = cls.__new__(cls)
        model._workspace = workspace
        model._load(body)
        return model

    def _load(self, body):
        self._json = body
        self.name = body["name"]
        self.version = body["version"]
        self.id = body["id"]
        self.description = body.get("description")
        self.tags = dict(body.get("tags") or {})
        self.properties = dict(body.get("properties") or {})
        self.model_framework = body.get("framework")
        self.model_framework_version = body.get("frameworkVersion")
        self.created_time = body.get("createdAt")
        self.created_by = body.get("createdBy")
        run_id = body.get("runId")
        self.run_id = "%s:%s" % (run_id, body["step"]) if run_id and body.get("step") else run_id
        self.experiment_name = body.get("experiment")
        self.url = body.get("links", {}).get("self")
        self._files = [f["name"] for f in body.get("files", [])]
        self._root = body.get("root")

    @property
    def workspace(self):
        return self._workspace

    # -- registering -----------------------------------------------------------------------------------------------

    @staticmethod
    def register(workspace, model_path, model_name, tags=None, properties=None, description=None, datasets=None,
                 model_framework=None, model_framework_version=None, child_paths=None, sample_input_dataset=None,
                 sample_output_dataset=None, resource_configuration=None, **kwargs):
        """Uploads a local file or folder and registers it as the next version of ``model_name``. ``datasets``,
        the sample datasets and ``resource_configuration`` are accepted and not recorded; ``child_paths`` (files of
        the folder to keep) is not supported."""
        if not isinstance(model_name, str) or not model_name:
            raise UserErrorException("Model.register needs model_name: a non-empty string")
        if not model_path or not os.path.exists(model_path):
            raise UserErrorException('Model.register: model_path "%s" does not exist; give a local file or folder'
                                     % model_path)
        if child_paths:
            raise NotImplementedError("Model.register(child_paths=...) is not supported by Sluice: register a folder "
                                      "holding just those files")
        body = {"name": model_name, "tags": _string_map("tags", tags),
                "properties": _string_map("properties", properties)}
        for key, value in (("description", description), ("framework", model_framework),
                           ("frameworkVersion", model_framework_version)):
            if value is not None:
                body[key] = str(value)
        transport = workspace._transport
        upload = transport.request("POST", "model-uploads", data=_pack(model_path), content_type="application/gzip",
                                   idempotent=True).json()
        body["upload"] = upload["id"]
        registered = transport.json("POST", "models", json_body=body, headers={"Idempotency-Key": str(uuid.uuid4())},
                                    idempotent=True)
        return Model._from_json(workspace, registered)

    # -- finding ---------------------------------------------------------------------------------------------------

    @staticmethod
    def list(workspace, name=None, tags=None, properties=None, run_id=None, latest=False, dataset_id=None,
             expand=True, page_count=255, model_framework=None):
        """Registered models by name, newest version first. ``tags`` and ``properties``: lists of keys or
        ``[key, value]`` pairs that must all match; ``latest``: only each name's latest version (of those that
        match)."""
        if dataset_id is not None:
            raise NotImplementedError("Model.list(dataset_id=...) is not supported by Sluice: models do not record "
                                      "datasets")
        wanted_tags, wanted_props = _pairs("tags", tags), _pairs("properties", properties)
        query = {"name": name}
        step = None
        if run_id:
            query["runId"], _, step = str(run_id).partition(":")
        answer = workspace._transport.json("GET", "models", query=query)
        models = [Model._from_json(workspace, m) for m in answer.get("value", [])]
        models = [m for m in models
                  if _matches(m.tags, wanted_tags) and _matches(m.properties, wanted_props)
                  and (not step or m._json.get("step") == step)
                  and (model_framework is None or m.model_framework == model_framework)]
        if latest:
            seen, out = set(), []
            for m in models:  # newest version first within each name
                if m.name not in seen:
                    seen.add(m.name)
                    out.append(m)
            models = out
        return models

    @staticmethod
    def get_model_path(model_name, version=None, _workspace=None):
        """A local path to the model's file or folder: ``./azureml-models/<name>/<version>/<file or folder>``,
        downloaded there first unless it is there already. The workspace is ``_workspace``, else
        ``Workspace.from_config()`` (inside a step: ``SLUICE_URL`` and ``SLUICE_TOKEN``)."""
        if _workspace is None:
            from azureml.core.workspace import Workspace

            _workspace = Workspace.from_config()
        try:
            model = Model(_workspace, name=model_name, version=version)
        except WebserviceException as err:
            from azureml.exceptions import ModelNotFoundException

            raise ModelNotFoundException(str(err), status_code=getattr(err, "status_code", None), code="NotFound")
        target = os.path.join("azureml-models", model.name, str(model.version))
        local = os.path.join(target, model._root)
        if os.path.exists(local):
            return local
        return model.download(target_dir=target, exist_ok=True)

    # -- files -----------------------------------------------------------------------------------------------------

    def download(self, target_dir=".", exist_ok=False, exists_ok=None):
        """Downloads the model's file or folder into ``target_dir`` and returns its path. An existing file or
        folder of that name is an error unless ``exist_ok`` (then files are overwritten)."""
        if exists_ok is not None:
            exist_ok = exists_ok
        root = os.path.join(target_dir, self._root)
        if os.path.exists(root) and not exist_ok:
            raise WebserviceException('Model.download: "%s" exists already; pass exist_ok=True to overwrite it'
                                      % root, code="FileExists")
        base = os.path.abspath(target_dir)
        for name in self._files:
            target = os.path.abspath(os.path.join(base, *name.split("/")))
            if not target.startswith(base + os.sep):
                raise WebserviceException('Model file "%s" would be written outside %s' % (name, base),
                                          code="UnsafePath")
            self._workspace._transport.download(
                api_path("models", self.name, "versions", self.version, "files", "download"), target,
                query={"path": name})
        return root

    def serialize(self):
        return {"id": self.id, "name": self.name, "version": self.version, "description": self.description,
                "tags": dict(self.tags), "properties": dict(self.properties), "runId": self.run_id,
                "createdTime": self.created_time, "modelFramework": self.model_framework,
                "modelFrameworkVersion": self.model_framework_version, "url": self.url}

    def _refuse(self, what):
        raise NotImplementedError("Model.%s is not supported by Sluice: registered versions never change; register "
                                  "a new version instead" % what)

    def add_tags(self, tags):
        self._refuse("add_tags")

    def remove_tags(self, tags):
        self._refuse("remove_tags")

    def add_properties(self, properties):
        self._refuse("add_properties")

    def update(self, **kwargs):
        self._refuse("update")

    def delete(self):
        self._refuse("delete")

    def __repr__(self):
        return "Model(workspace=%r, name=%s, id=%s, version=%s, tags=%s, properties=%s)" % (
            self._workspace, self.name, self.id, self.version, self.tags, self.properties)
