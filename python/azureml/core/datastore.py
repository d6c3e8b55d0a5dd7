"""``Datastore``: a named blob container or ADLS Gen2 file system, of any storage account (``/api/datastores``).

Files go through the Sluice API: an upload is sent in blocks of 4 MiB (any size, never whole in memory) and committed
as one blob; a download streams each blob to a file. As in Azure ML, an existing blob (or local file) is skipped
unless ``overwrite=True``.
"""

import os
import sys
import uuid

from azureml._sluice.http import api_path
from azureml.exceptions import UserErrorException

__all__ = ["Datastore"]

BLOCK_BYTES = 4 * 1024 * 1024
"""The size of one upload request (the API takes up to 8 MiB per block)."""


def _blob_join(*parts):
    """Joins blob path parts with ``/``; ``None`` and empty parts are left out."""
    out = []
    for part in parts:
        if part:
            out.extend(s for s in str(part).replace("\\", "/").split("/") if s not in ("", "."))
    return "/".join(out)


def _check_name(value, field):
    if not isinstance(value, str) or not value:
        raise UserErrorException("%s is required: a non-empty string" % field)


def _text(value, field):
    if not isinstance(value, str):
        raise UserErrorException("%s must be a string, not %s" % (field, type(value).__name__))
    return value


def _check_blob_path(path, field):
    if path is None:
        return None
    text = str(path).replace("\\", "/")
    if text.startswith("/") or ".." in text.split("/"):
        raise UserErrorException("%s %r must be a path inside the datastore (relative, without '..')" % (field, path))
    return text


class Datastore(object):
    """A datastore; ``Datastore(workspace, name)`` or ``Datastore.get(workspace, name)``. ``name=None`` gives the
    workspace's default datastore, as in Azure ML."""

    def __init__(self, workspace=None, name=None):
        if workspace is None and name is None:
            return  # _from_json fills it in
        if name is None:
            found = workspace.get_default_datastore()
        else:
            found = Datastore._get(workspace, name)
        self.__dict__.update(found.__dict__)

    @classmethod
    def _from_json(cls, workspace, record):
        datastore = cls.__new__(cls)
        datastore.workspace = workspace
        datastore.name = record["name"]
        datastore.container_name = record.get("container", record["name"])
        datastore.account_name = record.get("accountName")
        datastore.description = record.get("description")
        datastore.is_default = bool(record.get("isDefault"))
        datastore.datastore_type = record.get("datastoreType", "AzureBlob")
        datastore.protocol = record.get("protocol", "https")
        datastore.endpoint = record.get("endpoint", "core.windows.net")
        # The credential's type only: Sluice never returns a secret, so sas_token/account_key stay None.
        datastore.credential_type = (record.get("credential") or {}).get("type")
        datastore.sas_token = None
        datastore.account_key = None
        return datastore

    @staticmethod
    def _get(workspace, name):
        if not isinstance(name, str) or not name:
            raise UserErrorException("datastore_name must be a datastore's name (a non-empty string)")
        record = workspace._transport.json("GET", api_path("datastores", name))
        return Datastore._from_json(workspace, record)

    @staticmethod
    def get(workspace, datastore_name):
        return Datastore._get(workspace, datastore_name)

    @staticmethod
    def get_default(workspace):
        return workspace.get_default_datastore()

    @staticmethod
    def list(workspace):
        return list(workspace.datastores.values())

    @staticmethod
    def register_azure_blob_container(workspace, datastore_name, container_name, account_name, sas_token=None,
                                      account_key=None, protocol=None, endpoint=None, overwrite=False,
                                      create_if_not_exists=False, skip_validation=False, blob_cache_timeout=None,
                                      grant_workspace_access=False, subscription_id=None, resource_group=None):
        """Registers blob container ``container_name`` of storage account ``account_name`` as ``datastore_name``.
        The workspace's own account needs no credential. Another account is reached with ``sas_token`` or
        ``account_key`` (sent once, stored sealed by Sluice, never returned) or, with neither, the Sluice app's
        managed identity (grant it Storage Blob Data Contributor on the account)."""
        _check_name(datastore_name, "datastore_name")
        _check_name(container_name, "container_name")
        credential = None
        if (sas_token or account_key) and Datastore._is_workspace_account(workspace, account_name):
            pass  # Sluice reaches its own account with its own connection: the secret is not needed, never sent
        elif sas_token:  # with both, the SAS (the narrower grant) is the one kept
            credential = {"type": "sas", "secret": _text(sas_token, "sas_token")}
        elif account_key:
            credential = {"type": "account_key", "secret": _text(account_key, "account_key")}
        body = Datastore._registration(container_name, account_name, protocol, endpoint, credential, overwrite,
                                       create_if_not_exists)
        return Datastore._register(workspace, datastore_name, body)

    @staticmethod
    def register_azure_data_lake_gen2(workspace, datastore_name, filesystem, account_name, tenant_id=None,
                                      client_id=None, client_secret=None, resource_url=None, authority_url=None,
                                      protocol=None, endpoint=None, overwrite=False, subscription_id=None,
                                      resource_group=None, grant_workspace_access=False):
        """Registers ADLS Gen2 file system ``filesystem`` of ``account_name`` as ``datastore_name``; Sluice reaches
        it through the account's blob endpoint. With ``tenant_id``, ``client_id`` and ``client_secret`` a service
        principal signs in (the secret stored sealed, never returned); without them the Sluice app's managed
        identity does (grant it Storage Blob Data Contributor on the account)."""
        _check_name(datastore_name, "datastore_name")
        _check_name(filesystem, "filesystem")
        given = [n for n, v in (("tenant_id", tenant_id), ("client_id", client_id), ("client_secret", client_secret))
                 if v]
        credential = None
        if given:
            if len(given) != 3:
                raise UserErrorException("a service principal needs tenant_id, client_id and client_secret (got %s)"
                                         % ", ".join(given))
            credential = {"type": "service_principal", "tenantId": _text(tenant_id, "tenant_id"),
                          "clientId": _text(client_id, "client_id"), "secret": _text(client_secret, "client_secret")}
        body = Datastore._registration(filesystem, account_name, protocol, endpoint, credential, overwrite, False)
        body["datastoreType"] = "AzureDataLakeGen2"
        return Datastore._register(workspace, datastore_name, body)

    @staticmethod
    def _is_workspace_account(workspace, account_name):
        if not account_name:
            return True
        return account_name == workspace._transport.json("GET", api_path("datastores", "workspaceblobstore"))[
            "accountName"]

    @staticmethod
    def _registration(container, account_name, protocol, endpoint, credential, overwrite, create_if_not_exists):
        body = {"container": container, "overwrite": bool(overwrite), "createIfNotExists": bool(create_if_not_exists)}
        if account_name:
            body["accountName"] = _text(account_name, "account_name")
        if protocol:
            body["protocol"] = _text(protocol, "protocol")
        if endpoint:
            body["endpoint"] = _text(endpoint, "endpoint")
        if credential:
            body["credential"] = credential
        return body

    @staticmethod
    def _register(workspace, datastore_name, body):
        record = workspace._transport.json("PUT", api_path("datastores", datastore_name), json_body=body,
                                           idempotent=True)
        return Datastore._from_json(workspace, record)

    def set_as_default(self):
        self.workspace.set_default_datastore(self.name)
        self.is_default = True

    # -- data references ------------------------------------------------------------------------------------------

    def path(self, path=None, data_reference_name=None):
        """A location in this datastore, usable as a step input: a ``DataReference``."""
        from azureml.data.data_reference import DataReference

        return DataReference(self, data_reference_name=data_reference_name, path_on_datastore=path)

    def as_mount(self):
        return self.path().as_mount()

    def as_download(self, path_on_compute=None):
        return self.path().as_download(path_on_compute)

    # -- files ----------------------------------------------------------------------------------------------------

    def upload(self, src_dir, target_path=None, overwrite=False, show_progress=True):
        """Uploads every file under ``src_dir`` to ``target_path`` (keeping the folder layout); returns a
        ``DataReference`` to ``target_path``."""
        if not src_dir or not os.path.isdir(src_dir):
            raise UserErrorException("src_dir %r is not a folder; use upload_files for single files" % (src_dir,))
        target_path = _check_blob_path(target_path, "target_path")
        files = []
        for folder, dirs, names in os.walk(src_dir):
            dirs.sort()
            for name in sorted(names):
                full = os.path.join(folder, name)
                files.append((full, _blob_join(target_path, os.path.relpath(full, src_dir))))
        self._upload(files, target_path, overwrite, show_progress)
        return self.path(target_path)

    def upload_files(self, files, relative_root=None, target_path=None, overwrite=False, show_progress=True):
        """Uploads ``files`` to ``target_path``, each named by its path relative to ``relative_root`` (default: the
        files' common folder); returns a ``DataReference`` to ``target_path``."""
        if isinstance(files, str) or not files:
            raise UserErrorException("files must be a non-empty list of file paths")
        for f in files:
            if not os.path.isfile(f):
                raise UserErrorException("files: %r is not a file" % (f,))
        target_path = _check_blob_path(target_path, "target_path")
        absolute = [os.path.abspath(f) for f in files]
        if relative_root is None:
            relative_root = os.path.commonpath([os.path.dirname(f) for f in absolute])
        root = os.path.abspath(relative_root)
        pairs = []
        for f in absolute:
            rel = os.path.relpath(f, root)
            if rel == ".." or rel.startswith(".." + os.sep):
                raise UserErrorException("files: %s is not inside relative_root %s" % (f, root))
            pairs.append((f, _blob_join(target_path, rel)))
        self._upload(pairs, target_path, overwrite, show_progress)
        return self.path(target_path)

    def _upload(self, pairs, target_path, overwrite, show_progress):
        transport = self.workspace._transport
        existing = set()
        if not overwrite:
            prefix = (target_path.rstrip("/") + "/") if target_path else None
            listed = transport.json("GET", api_path("datastores", self.name, "blobs"), query={"prefix": prefix})
            existing = {b["path"] for b in listed.get("value", [])}
        say = _printer(show_progress)
        say("Uploading an estimated of %d files" % len(pairs))
        done = 0
        for local, blob in pairs:
            if blob in existing:
                say("Target already exists. Skipping upload for %s" % blob)
                continue
            say("Uploading %s" % local)
            self._upload_one(local, blob, overwrite)
            done += 1
            say("Uploaded %s, %d files out of an estimated total of %d" % (local, done, len(pairs)))
        say("Uploaded %d files" % done)
        return done

    def _upload_one(self, local, blob, overwrite):
        transport = self.workspace._transport
        upload_id = uuid.uuid4().hex
        blocks = 0
        with open(local, "rb") as f:
            while True:
                chunk = f.read(BLOCK_BYTES)
                if not chunk and blocks > 0:
                    break
                if chunk:
                    transport.request("PUT", api_path("datastores", self.name, "uploads", upload_id, "blocks", blocks),
                                      query={"path": blob}, data=chunk, content_type="application/octet-stream",
                                      idempotent=True)
                    blocks += 1
                if len(chunk) < BLOCK_BYTES:
                    break
        return transport.json("POST", api_path("datastores", self.name, "uploads", upload_id, "commit"),
                              json_body={"path": blob, "blocks": blocks, "overwrite": bool(overwrite)},
                              idempotent=True)

    def _list(self, prefix=None):
        """The blobs under ``prefix``: ``[{"path", "size", "etag", "md5"}]``."""
        answer = self.workspace._transport.json("GET", api_path("datastores", self.name, "blobs"),
                                                query={"prefix": prefix or None})
        return answer.get("value", [])

    def _download_blob(self, blob, target):
        return self.workspace._transport.download(api_path("datastores", self.name, "blobs", "download"), target,
                                                  query={"path": blob})

    def download(self, target_path, prefix=None, overwrite=False, show_progress=True):
        """Downloads the blobs whose names start with ``prefix`` (default: all) to ``target_path/<blob name>``;
        returns how many files were downloaded (existing local files are skipped unless ``overwrite``)."""
        if not target_path:
            raise UserErrorException("target_path is required: the local folder to download into")
        prefix = _check_blob_path(prefix, "prefix")
        blobs = self._list(prefix)
        base = os.path.abspath(target_path)
        say = _printer(show_progress)
        say("Downloading an estimated of %d files" % len(blobs))
        done = 0
        for blob in blobs:
            name = blob["path"]
            local = os.path.abspath(os.path.join(base, *name.split("/")))
            if not local.startswith(base + os.sep):
                raise UserErrorException("blob %r would be written outside %s" % (name, base))
            if os.path.exists(local) and not overwrite:
                say("Target already exists. Skipping download for %s" % name)
                continue
            say("Downloading %s" % name)
            self._download_blob(name, local)
            done += 1
            say("Downloaded %s, %d files out of an estimated total of %d" % (name, done, len(blobs)))
        say("Downloaded %d files" % done)
        return done

    def __repr__(self):
        return "Datastore(name=%r, container_name=%r)" % (self.name, self.container_name)

    def __eq__(self, other):
        return isinstance(other, Datastore) and other.name == self.name

    def __hash__(self):
        return hash(self.name)


def _printer(show_progress):
    def say(line):
        if show_progress:
            sys.stdout.write(line + "\n")
            sys.stdout.flush()

    return say
