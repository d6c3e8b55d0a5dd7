"""``Workspace``: one Sluice deployment, reached over its REST API.

Where it is (``Workspace.from_config()``): ``SLUICE_URL`` (with ``SLUICE_TOKEN`` when set), else a ``config.json``
found as Azure ML finds it (the folder, its ``.azureml/`` and ``aml_config/``, then each parent) with a
``"sluice_url"``, else the local stack at http://localhost:7071 with tokens from its development key.
"""

import json
import os

from azureml._sluice.http import Transport
from azureml._sluice.tokens import is_local_url
from azureml.core.authentication import AbstractAuthentication, InteractiveLoginAuthentication, \
    _StaticTokenAuthentication
from azureml.exceptions import UserErrorException

__all__ = ["Workspace"]

LOCAL_URL = "http://localhost:7071"
CONFIG_FILE = "config.json"
_CONFIG_DIRS = ("", ".azureml", "aml_config")


def _find_config(path=None, file_name=None):
    """``(file, dict)`` of the config file for ``path`` (a file or a folder, default the current folder), or None."""
    file_name = file_name or CONFIG_FILE
    start = os.path.abspath(path or os.getcwd())
    if os.path.isfile(start):
        return start, _read_config(start)
    directory = start
    while True:
        for sub in _CONFIG_DIRS:
            candidate = os.path.join(directory, sub, file_name)
            if os.path.isfile(candidate):
                return candidate, _read_config(candidate)
        parent = os.path.dirname(directory)
        if parent == directory:
            return None
        directory = parent


def _read_config(path):
    try:
        with open(path, "r", encoding="utf-8") as f:
            config = json.load(f)
    except (OSError, ValueError) as err:
        raise UserErrorException("Could not read the workspace config %s: %s" % (path, err))
    if not isinstance(config, dict):
        raise UserErrorException("The workspace config %s must be a JSON object" % path)
    return config


def _discover(path=None, file_name=None, explicit=False):
    """Where the workspace is: ``{"url", "name", "api_scope", "token", "config_file", ...}``."""
    env_url = os.environ.get("SLUICE_URL")
    if env_url:
        return {"url": env_url.rstrip("/"), "name": os.environ.get("SLUICE_WORKSPACE", "sluice"),
                "token": os.environ.get("SLUICE_TOKEN") or None, "api_scope": os.environ.get("SLUICE_API_SCOPE")}
    found = _find_config(path, file_name)
    if found is None:
        if explicit:
            raise UserErrorException(
                "We could not find %s in %s or in its parent directories (nor in their .azureml or aml_config "
                "folders). Give the full path of the config file, or write one with Workspace.write_config()."
                % (file_name or CONFIG_FILE, os.path.abspath(path)))
        return {"url": LOCAL_URL, "name": "local", "token": os.environ.get("SLUICE_TOKEN") or None,
                "api_scope": None}
    config_file, config = found
    url = config.get("sluice_url")
    if not isinstance(url, str) or not url:
        raise UserErrorException(
            '%s names no Sluice URL: add "sluice_url": "https://<your app>.azurewebsites.net" (or '
            '"http://localhost:7071" for the local stack) next to workspace_name, or set SLUICE_URL.' % config_file)
    return {"url": url.rstrip("/"), "name": config.get("workspace_name") or "sluice",
            "subscription_id": config.get("subscription_id"), "resource_group": config.get("resource_group"),
            "api_scope": config.get("api_scope"), "token": os.environ.get("SLUICE_TOKEN") or None,
            "config_file": config_file}


class Workspace(object):
    """A Sluice deployment: its datastores, experiments, runs, published pipelines and schedules.

    ``Workspace(subscription_id, resource_group, workspace_name, auth=None, ...)`` and ``Workspace.get(name, ...)`` as
    in Azure ML; the Sluice URL comes from ``url=`` (our addition), ``SLUICE_URL``, a config.json or the local stack.
    """

    def __init__(self, subscription_id=None, resource_group=None, workspace_name=None, auth=None, _location=None,
                 _disable_service_check=False, _workspace_id=None, sku="basic", tags=None, _cloud="AzureCloud",
                 url=None, _transport=None, _found=None, **kwargs):
        found = dict(_found or {})
        if url is None and not found:
            found = _discover()
        self._url = (url or found.get("url") or LOCAL_URL).rstrip("/")
        is_local_url(self._url)  # validates it
        self._name = workspace_name or found.get("name") or "sluice"
        self._subscription_id = subscription_id or found.get("subscription_id")
        self._resource_group = resource_group or found.get("resource_group")
        self._location = _location
        self._tags = dict(tags or {})
        scope = found.get("api_scope") or os.environ.get("SLUICE_API_SCOPE")
        if auth is not None and not isinstance(auth, AbstractAuthentication):
            raise UserErrorException("auth must be an azureml.core.authentication object such as "
                                     "InteractiveLoginAuthentication(), not %r" % type(auth).__name__)
        if auth is None:
            token = found.get("token") if url is None else os.environ.get("SLUICE_TOKEN")
            auth = _StaticTokenAuthentication(token) if token else InteractiveLoginAuthentication()
        self._auth = auth._bind(self._url, scope)
        self._transport = _transport or Transport(self._url, auth._get_token)
        self._config_file = found.get("config_file")

    # -- getting a workspace ---------------------------------------------------------------------------------------

    @staticmethod
    def from_config(path=None, auth=None, _logger=None, _file_name=None):
        """The workspace named by the environment (``SLUICE_URL``), a config.json, or the local stack."""
        found = _discover(path, _file_name, explicit=path is not None)
        return Workspace(auth=auth, _found=found)

    @staticmethod
    def get(name, auth=None, subscription_id=None, resource_group=None, location=None, cloud="AzureCloud", id=None,
            url=None):
        """The workspace ``name`` at ``url`` (default: ``SLUICE_URL``, a config.json, or the local stack)."""
        if not name or not isinstance(name, str):
            raise UserErrorException("Workspace.get needs name, the workspace's name")
        if url is not None:
            return Workspace(subscription_id, resource_group, name, auth=auth, url=url)
        found = _discover()
        return Workspace(subscription_id, resource_group, name, auth=auth, _found=found)

    @staticmethod
    def create(name, *args, **kwargs):
        raise NotImplementedError("Workspace.create: a Sluice workspace is a deployment; create one with `azd up` "
                                  "(see docs/deploy.md) or run the local stack with `npm start`")

    def write_config(self, path=None, file_name=None):
        """Writes ``<path>/.azureml/config.json`` (default: the current folder) naming this workspace's URL."""
        folder = os.path.join(os.path.abspath(path or os.getcwd()), ".azureml")
        os.makedirs(folder, exist_ok=True)
        target = os.path.join(folder, file_name or CONFIG_FILE)
        config = {"sluice_url": self._url, "workspace_name": self._name}
        if self._subscription_id:
            config["subscription_id"] = self._subscription_id
        if self._resource_group:
            config["resource_group"] = self._resource_group
        with open(target, "w", encoding="utf-8") as f:
            json.dump(config, f, indent=2)
            f.write("\n")
        return target

    # -- what it is ------------------------------------------------------------------------------------------------

    @property
    def name(self):
        return self._name

    @property
    def subscription_id(self):
        return self._subscription_id

    @property
    def resource_group(self):
        return self._resource_group

    @property
    def location(self):
        return self._location

    @property
    def tags(self):
        return dict(self._tags)

    @property
    def service_url(self):
        """The Sluice base URL (our addition)."""
        return self._url

    @property
    def auth(self):
        return self._auth

    def get_details(self):
        health = self._transport.json("GET", "health")
        return {"name": self._name, "url": self._url, "subscriptionId": self._subscription_id,
                "resourceGroup": self._resource_group, "version": health.get("version")}

    # -- what it holds ---------------------------------------------------------------------------------------------

    @property
    def datastores(self):
        """Every datastore by name (a dict, as in Azure ML)."""
        from azureml.core.datastore import Datastore

        answer = self._transport.json("GET", "datastores")
        return {d["name"]: Datastore._from_json(self, d) for d in answer.get("value", [])}

    def get_default_datastore(self):
        for datastore in self.datastores.values():
            if datastore.is_default:
                return datastore
        raise UserErrorException("The workspace has no default datastore")

    def set_default_datastore(self, name):
        """Makes the datastore ``name`` the one ``get_default_datastore()`` returns. (Pipeline specs that name no
        datastore still read workspaceblobstore.)"""
        from azureml._sluice.http import api_path

        if not isinstance(name, str) or not name:
            raise UserErrorException("set_default_datastore needs name, a datastore's name")
        self._transport.json("POST", api_path("datastores", name, "default"), idempotent=True)

    @property
    def experiments(self):
        """Every experiment that has runs, by name (a dict; read from the run listing, newest first)."""
        from azureml.core.experiment import Experiment

        names = []
        for run in self._list_runs():
            if run["experiment"] not in names:
                names.append(run["experiment"])
        return {n: Experiment(self, n) for n in names}

    @property
    def compute_targets(self):
        """Every compute target by name (a dict, as in Azure ML): those the deployment configures and the
        registered ones (``ComputeTarget.create``)."""
        from azureml.core.compute import ComputeTarget

        return {t.name: t for t in ComputeTarget.list(self)}

    @property
    def datasets(self):
        """The latest version of every registered dataset, by name (a dict, as in Azure ML)."""
        from azureml.core.dataset import Dataset

        return Dataset.get_all(self)

    @property
    def environments(self):
        """The latest version of every registered environment, by name (a dict, as in Azure ML)."""
        from azureml.core.environment import Environment

        return Environment.list(self)

    @property
    def models(self):
        """The latest version of every registered model, by name (a dict, as in Azure ML)."""
        from azureml.core.model import Model

        return {m.name: m for m in Model.list(self, latest=True)}

    def _list_runs(self, experiment=None, limit=None):
        """Run summaries, newest first, page by page."""
        token = None
        count = 0
        while True:
            page = self._transport.json("GET", "runs", query={"experiment": experiment, "top": 100,
                                                              "continuationToken": token})
            for run in page.get("value", []):
                yield run
                count += 1
                if limit is not None and count >= limit:
                    return
            token = page.get("continuationToken")
            if not token:
                return

    def __repr__(self):
        return "Workspace.create(name=%r, url=%r)" % (self._name, self._url)

    def __eq__(self, other):
        return isinstance(other, Workspace) and other._url == self._url and other._name == self._name

    def __hash__(self):
        return hash((self._url, self._name))
