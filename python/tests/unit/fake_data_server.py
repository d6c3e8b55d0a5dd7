"""An in-memory stand-in for the datastore and dataset routes (our own small interface, as FakeTransport), so the
unit tests can check what the package sends and what it makes of the answers."""

import json
import os
import re

from azureml.core import Workspace
from azureml.exceptions import UserErrorException


class FakeDataServer(object):
    base_url = "http://sluice.test"

    def __init__(self):
        self.blobs = {}  # (datastore, path) -> bytes
        self.staged = {}
        self.datasets = {}  # name -> [records]
        self.calls = []
        self.default = "workspaceblobstore"
        self.stores = {"workspaceblobstore": "workspaceblobstore"}
        self.registered = {}  # name -> the registration body (as the API keeps it, secrets aside)

    def workspace(self):
        return Workspace("sub", "rg", "ws", url=self.base_url, _transport=self)

    def _store(self, name):
        if name not in self.stores:
            raise UserErrorException('Datastore "%s" does not exist' % name, status_code=404, code="NotFound")
        body = self.registered.get(name, {})
        out = {"name": name, "container": self.stores[name], "isDefault": name == self.default,
               "accountName": body.get("accountName", "devstoreaccount1"),
               "datastoreType": body.get("datastoreType", "AzureBlob")}
        if body.get("credential"):
            out["credential"] = {k: v for k, v in body["credential"].items() if k != "secret"}
        return out

    def url(self, path, query=None):
        return "%s/api/%s" % (self.base_url, path)

    def request(self, method, path, query=None, json_body=None, data=None, **kwargs):
        self.calls.append({"method": method, "path": path, "query": query, "json_body": json_body, "data": data})
        parts = [p for p in path.split("/")]
        if parts[0] == "datastores":
            return _Response(self._datastores(method, parts[1:], query or {}, json_body, data))
        if parts[0] in ("datasets", "dataset-paths"):
            return _Response(self._datasets(method, parts, query or {}, json_body))
        raise UserErrorException("no route %s %s" % (method, path), status_code=404, code="NotFound")

    def json(self, method, path, **kwargs):
        return self.request(method, path, **kwargs).json()

    def download(self, path, target, query=None):
        parts = path.split("/")
        data = self.blobs.get((parts[1], query["path"]))
        if data is None:
            raise UserErrorException("no blob", status_code=404, code="NotFound")
        os.makedirs(os.path.dirname(os.path.abspath(target)), exist_ok=True)
        with open(target, "wb") as f:
            f.write(data)
        return target

    def _datastores(self, method, rest, query, body, data):
        if not rest:
            return {"value": [self._store(n) for n in sorted(self.stores)]}
        name = rest[0]
        if len(rest) == 1 and method == "GET":
            return self._store(name)
        if len(rest) == 1 and method == "PUT":
            self.stores[name] = body["container"]
            self.registered[name] = body
            return self._store(name)
        if rest[1:] == ["default"]:
            self._store(name)
            self.default = name
            return self._store(name)
        if rest[1:] == ["blobs"]:
            prefix = query.get("prefix") or ""
            return {"value": [{"path": p, "size": len(b)} for (s, p), b in sorted(self.blobs.items())
                              if s == name and p.startswith(prefix)]}
        if rest[1] == "uploads" and rest[3] == "blocks":
            self.staged[(name, rest[2], int(rest[4]))] = data
            return {"index": int(rest[4]), "size": len(data)}
        if rest[1] == "uploads" and rest[3] == "commit":
            key = (name, body["path"])
            if key in self.blobs and not body["overwrite"]:
                return {"path": body["path"], "size": len(self.blobs[key]), "uploaded": False}
            self.blobs[key] = b"".join(self.staged.pop((name, rest[2], i)) for i in range(body["blocks"]))
            return {"path": body["path"], "size": len(self.blobs[key]), "uploaded": True}
        raise AssertionError("unexpected %s %r" % (method, rest))

    def _match(self, pair):
        path = pair["path"]
        out = []
        for (store, name), data in sorted(self.blobs.items()):
            if store != pair["datastore"]:
                continue
            if any(c in path for c in "*?["):
                pattern = re.escape(path).replace(r"\*\*/", "(?:.*/)?").replace(r"\*", "[^/]*").replace(r"\?", "[^/]")
                ok = re.match("^" + pattern + "$", name) is not None
            else:
                ok = path == "" or name == path or name.startswith(path.rstrip("/") + "/")
            if ok:
                out.append({"datastore": store, "path": name, "size": len(data)})
        return out

    def _datasets(self, method, parts, query, body):
        if parts[0] == "dataset-paths":
            return {"value": [f for p in body["paths"] for f in self._match(p)]}
        if len(parts) == 1 and method == "POST":
            versions = self.datasets.setdefault(body["name"], [])
            definition = {k: body.get(k) for k in ("kind", "paths", "delimited", "partitionFormat")}
            if versions:
                latest = versions[-1]
                if {k: latest.get(k) for k in definition} == definition:
                    return latest
                if not body["createNewVersion"]:
                    raise UserErrorException("There is already a dataset registered under name %r; Specify "
                                             "create_new_version=True" % body["name"], status_code=409,
                                             code="DatasetExists")
            record = dict(definition, name=body["name"], version=len(versions) + 1, tags=body["tags"],
                          id="id-%s-%d" % (body["name"], len(versions) + 1), description=body.get("description"))
            versions.append(record)
            return record
        if len(parts) == 1:
            latest = [v[-1] for _, v in sorted(self.datasets.items())]
            if query.get("id"):
                return {"value": [r for v in self.datasets.values() for r in v if r["id"] == query["id"]]}
            return {"value": latest}
        versions = self.datasets.get(parts[1], [])
        version = query.get("version", "latest")
        found = versions[-1:] if version == "latest" else [v for v in versions if str(v["version"]) == version]
        if not found:
            raise UserErrorException('Cannot find dataset registered with name "%s" (version: %s) in the workspace.'
                                     % (parts[1], "None" if version == "latest" else version), status_code=404,
                                     code="NotFound")
        return found[0]


class _Response(object):
    def __init__(self, value):
        self._value = json.loads(json.dumps(value))
        self.headers = {}

    def json(self):
        return self._value


__all__ = ["FakeDataServer"]
