"""``AbstractDataset``: what tabular and file datasets share — a definition (kind, ``(datastore, path)`` pairs,
reading options), its registration (name, version, id, tags, description), and resolving it to blobs."""

import os
import shutil
import tempfile

from azureml.exceptions import UserErrorException

__all__ = ["AbstractDataset"]

_GLOB_CHARS = "*?["


def _is_glob(path):
    return any(c in path for c in _GLOB_CHARS)


def glob_base(path):
    """The literal folder before a glob's first wildcard: ``data/*.csv`` → ``data/``."""
    first = min([path.index(c) for c in _GLOB_CHARS if c in path] or [len(path)])
    return path[:path.rfind("/", 0, first) + 1]


def _path_pair(item, field):
    """``(datastore name, path)`` from a ``(datastore, path)`` tuple, a DataPath or a DataReference."""
    from azureml.data.data_reference import DataReference
    from azureml.data.datapath import DataPath
    from azureml._sluice.names import datastore_name

    if isinstance(item, (DataPath, DataReference)):
        return {"datastore": item.datastore_name, "path": (item.path_on_datastore or "").lstrip("/")}
    if isinstance(item, tuple) and len(item) in (1, 2):
        path = item[1] if len(item) == 2 and item[1] is not None else ""
        if not isinstance(path, str):
            raise UserErrorException("%s: the path of %r must be a string" % (field, item))
        return {"datastore": datastore_name(item[0]), "path": path.replace("\\", "/").lstrip("/")}
    if isinstance(item, str):
        if "://" in item:
            raise NotImplementedError("%s: URLs (%s) are not supported by Sluice: give (datastore, path) tuples or "
                                      "DataPath objects over datastores of the workspace" % (field, item))
        raise UserErrorException("%s: %r is a bare string; give a (datastore, path) tuple such as "
                                 "(ws.get_default_datastore(), %r) or a DataPath" % (field, item, item))
    raise UserErrorException("%s must be a (datastore, path) tuple, a DataPath, or a list of them; got %r"
                             % (field, item))


def path_pairs(path, field="path"):
    items = path if isinstance(path, list) else [path]
    if not items:
        raise UserErrorException("%s must name at least one (datastore, path)" % field)
    pairs = [_path_pair(item, field) for item in items]
    for pair in pairs:
        if ".." in pair["path"].split("/"):
            raise UserErrorException("%s: %r must stay inside its datastore (no '..')" % (field, pair["path"]))
    return pairs


def _tag_map(tags):
    if tags is None:
        return {}
    if not isinstance(tags, dict):
        raise UserErrorException("tags must be a dict of strings, not %s" % type(tags).__name__)
    return {str(k): str(v) for k, v in tags.items()}


class AbstractDataset(object):
    """The base of ``TabularDataset`` and ``FileDataset``; get one from ``Dataset.Tabular``/``Dataset.File``,
    ``Dataset.get_by_name`` or ``ws.datasets``."""

    _kind = None

    def __init__(self):
        self._workspace = None
        self._paths = []
        self._options = {}
        self._registration = None
        self._local_files = None  # inside a step: the files the worker downloaded

    @classmethod
    def _create(cls, workspace, paths, options, registration=None):
        dataset = cls()
        dataset._workspace = workspace
        dataset._paths = paths
        dataset._options = dict(options)
        dataset._registration = registration
        return dataset

    @staticmethod
    def _from_json(workspace, record):
        from azureml.data.file_dataset import FileDataset
        from azureml.data.tabular_dataset import TabularDataset

        cls = TabularDataset if record.get("kind") == "tabular" else FileDataset
        options = dict(record.get("delimited") or {})
        if record.get("partitionFormat"):
            options["partitionFormat"] = record["partitionFormat"]
        return cls._create(workspace, record.get("paths", []), options, record)

    # -- what it is -----------------------------------------------------------------------------------------------

    @property
    def name(self):
        return (self._registration or {}).get("name")

    @property
    def version(self):
        return (self._registration or {}).get("version")

    @property
    def id(self):
        return (self._registration or {}).get("id")

    @property
    def tags(self):
        return dict((self._registration or {}).get("tags") or {})

    @property
    def description(self):
        return (self._registration or {}).get("description")

    @property
    def data_changed_time(self):
        return None

    def _definition(self):
        body = {"kind": self._kind, "paths": [dict(p) for p in self._paths]}
        return body

    # -- registration ---------------------------------------------------------------------------------------------

    def register(self, workspace, name, description=None, tags=None, create_new_version=False):
        """Registers this definition as ``name`` (version 1 for a new name; the next version with
        ``create_new_version=True``; the same definition again returns the registered version). Returns the
        registered dataset."""
        from azureml.core.workspace import Workspace

        if not isinstance(workspace, Workspace):
            raise UserErrorException("register needs workspace, a Workspace")
        if not isinstance(name, str) or not name:
            raise UserErrorException("register needs name: a non-empty string")
        body = self._definition()
        body.update({"name": name, "tags": _tag_map(tags), "createNewVersion": bool(create_new_version)})
        if description is not None:
            body["description"] = str(description)
        record = workspace._transport.json("POST", "datasets", json_body=body, idempotent=True)
        return AbstractDataset._from_json(workspace, record)

    def unregister_all_versions(self):
        raise NotImplementedError("unregister_all_versions is not supported by Sluice: registered dataset versions "
                                  "are kept")

    # -- consumption ----------------------------------------------------------------------------------------------

    def as_named_input(self, name):
        """This dataset as the input ``name`` of a step: ``Run.get_context().input_datasets[name]`` inside it."""
        from azureml.data.dataset_consumption_config import DatasetConsumptionConfig

        return DatasetConsumptionConfig(name, self)

    # -- files ----------------------------------------------------------------------------------------------------

    def _resolve(self):
        """``[(pair, base, [blob records])]``: the blobs each path matches now, with the folder they are relative
        to (a glob's literal folder, a folder, or a single blob's folder)."""
        if self._local_files is not None:
            return self._local_files
        if self._workspace is None:
            raise UserErrorException("this dataset has no workspace: define it over Datastore objects (not names), "
                                     "or get it with Dataset.get_by_name(ws, name)")
        transport = self._workspace._transport
        out = []
        for pair in self._paths:
            answer = transport.json("POST", "dataset-paths", json_body={"paths": [pair]})
            files = answer.get("value", [])
            path = pair["path"]
            if _is_glob(path):
                base = glob_base(path)
            elif path == "" or path.endswith("/") or any(f["path"].startswith(path + "/") for f in files):
                base = path.rstrip("/") + "/" if path else ""
            else:
                base = path[:path.rfind("/") + 1]
            out.append((pair, base, files))
        return out

    def _validate(self):
        from azureml.data.dataset_error_handling import DatasetValidationError, NO_DATA_MESSAGE

        if not any(files for _, _, files in self._resolve()):
            raise DatasetValidationError(NO_DATA_MESSAGE + " (paths: %s)" % ", ".join(
                "(%s, %r)" % (p["datastore"], p["path"]) for p in self._paths), code="NoData")

    def _relative_files(self):
        """``[(relative name, datastore, blob path)]`` in a stable order."""
        out = []
        for pair, base, files in self._resolve():
            for f in files:
                out.append((f["path"][len(base):], f["datastore"], f["path"]))
        return out

    def _download_to(self, target, overwrite):
        """Downloads every file under ``target`` (relative names kept); returns the local paths."""
        from azureml.core.datastore import Datastore

        base = os.path.abspath(target)
        stores = {}
        paths = []
        for rel, store_name, blob in self._relative_files():
            local = os.path.abspath(os.path.join(base, *rel.split("/")))
            if not local.startswith(base + os.sep):
                raise UserErrorException("file %r would be written outside %s" % (rel, base))
            if os.path.exists(local) and not overwrite:
                raise UserErrorException("%s exists already; pass overwrite=True to replace it" % local)
            if store_name not in stores:
                stores[store_name] = Datastore._from_json(self._workspace, {"name": store_name})
            stores[store_name]._download_blob(blob, local)
            paths.append(local)
        return paths

    def _local_copy(self):
        """A temporary folder holding the files (removed by the caller)."""
        folder = tempfile.mkdtemp(prefix="sluice-dataset-")
        try:
            self._download_to(folder, True)
        except BaseException:
            shutil.rmtree(folder, True)
            raise
        return folder

    def __repr__(self):
        return "%s(name=%r, version=%r, paths=%r)" % (type(self).__name__, self.name, self.version, self._paths)

