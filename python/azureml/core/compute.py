"""``ComputeTarget`` and ``AmlCompute``: a compute target is a name whose queue (``compute-<name>``) workers serve.

``ComputeTarget(workspace, name)`` reads the target from the Sluice API (``GET /api/compute-targets/<name>``) and
raises ``ComputeTargetException`` when it does not exist, as Azure ML does, so the usual "get it or create it" code
works unchanged. ``ComputeTarget.create`` registers the name (``PUT``): steps may use it at once, and the local
stack (``npm start``) starts a worker for it within seconds. The provisioning configuration is recorded as given;
Sluice does not size machines (``vm_size``, node counts and priorities are shown, not enforced).
"""

import sys
import time

from azureml._sluice.http import api_path
from azureml._sluice.names import COMPUTE_NAME, COMPUTE_RULE
from azureml.exceptions import ComputeTargetException, UserErrorException

__all__ = ["ComputeTarget", "AmlCompute", "ComputeInstance", "AmlComputeProvisioningConfiguration",
           "ComputeTargetProvisioningConfiguration", "DatabricksCompute", "DatabricksAttachConfiguration",
           "ComputeTargetAttachConfiguration",
           "ScaleSettings", "AmlComputeStatus"]


def _check_workspace(workspace, what):
    from azureml.core.workspace import Workspace

    if not isinstance(workspace, Workspace):
        raise ComputeTargetException("%s needs workspace, a Workspace (e.g. Workspace.from_config())" % what)


def _check_name(name):
    if not isinstance(name, str) or not COMPUTE_NAME.match(name):
        raise ComputeTargetException("Compute target name %r is not valid: use %s (it names the queue "
                                     "compute-<name> that workers serve)" % (name, COMPUTE_RULE))


def _not_found(name):
    return ComputeTargetException("ComputeTargetNotFound: Compute Target with name %s not found in provided "
                                  "workspace" % name, status_code=404, code="ComputeTargetNotFound")


def _as_compute_error(err, name=None):
    """A service answer about a compute target, as the exception v1 code catches."""
    if getattr(err, "status_code", None) == 404 and name is not None:
        return _not_found(name)
    return ComputeTargetException(str(err), status_code=getattr(err, "status_code", None),
                                  code=getattr(err, "code", None), details=getattr(err, "details", None))


class ScaleSettings(object):
    """How many nodes a cluster may have (recorded; Sluice's workers are not counted as nodes)."""

    def __init__(self, minimum_node_count, maximum_node_count, idle_seconds_before_scaledown=None):
        self.minimum_node_count = minimum_node_count
        self.maximum_node_count = maximum_node_count
        self.idle_seconds_before_scaledown = idle_seconds_before_scaledown

    def serialize(self):
        return {"minNodeCount": self.minimum_node_count, "maxNodeCount": self.maximum_node_count,
                "nodeIdleTimeBeforeScaleDown": self.idle_seconds_before_scaledown}


class AmlComputeStatus(object):
    """``AmlCompute.get_status()``: the provisioning state, with the nodes as Sluice knows them (workers)."""

    def __init__(self, record):
        self.provisioning_state = record.get("provisioningState", "Succeeded")
        self.provisioning_errors = None
        active = bool(record.get("workerActive"))
        self.current_node_count = 1 if active else 0
        self.target_node_count = self.current_node_count
        self.node_state_counts = {"idleNodeCount": 0, "runningNodeCount": self.current_node_count,
                                  "preparingNodeCount": 0, "unusableNodeCount": 0, "leavingNodeCount": 0,
                                  "preemptedNodeCount": 0}
        self.allocation_state = "Steady"
        self.vm_size = record.get("vmSize", "")
        self.vm_priority = record.get("vmPriority", "dedicated")
        self.scale_settings = ScaleSettings(record.get("minNodes", 0), record.get("maxNodes"),
                                            record.get("idleSecondsBeforeScaledown"))
        self.queue_depth = record.get("queueDepth", 0)
        """Jobs waiting in the target's queue (our addition)."""

    def serialize(self):
        return {"provisioningState": self.provisioning_state, "currentNodeCount": self.current_node_count,
                "targetNodeCount": self.target_node_count, "nodeStateCounts": dict(self.node_state_counts),
                "allocationState": self.allocation_state, "vmSize": self.vm_size, "vmPriority": self.vm_priority,
                "scaleSettings": self.scale_settings.serialize(), "queueDepth": self.queue_depth}


class ComputeTargetProvisioningConfiguration(object):
    """The base of what ``ComputeTarget.create`` takes."""

    def __init__(self, type, location=None):
        self.type = type
        self.location = location

    def validate_configuration(self):
        pass


class AmlComputeProvisioningConfiguration(ComputeTargetProvisioningConfiguration):
    """``AmlCompute.provisioning_configuration(...)``'s answer: the requested cluster, as v1 holds it."""

    def __init__(self, vm_size="", vm_priority="dedicated", min_nodes=0, max_nodes=None,
                 idle_seconds_before_scaledown=None, admin_username=None, admin_user_password=None,
                 admin_user_ssh_key=None, vnet_resourcegroup_name=None, vnet_name=None, subnet_name=None, tags=None,
                 description=None, remote_login_port_public_access="NotSpecified", identity_type=None,
                 identity_id=None, location=None, enable_node_public_ip=True):
        ComputeTargetProvisioningConfiguration.__init__(self, "AmlCompute", location)
        self.vm_size = vm_size
        self.vm_priority = vm_priority
        self.min_nodes = min_nodes
        self.max_nodes = max_nodes
        self.idle_seconds_before_scaledown = idle_seconds_before_scaledown
        self.admin_username = admin_username
        self.admin_user_password = admin_user_password
        self.admin_user_ssh_key = admin_user_ssh_key
        self.vnet_resourcegroup_name = vnet_resourcegroup_name
        self.vnet_name = vnet_name
        self.subnet_name = subnet_name
        self.tags = tags
        self.description = description
        self.remote_login_port_public_access = remote_login_port_public_access
        self.identity_type = identity_type
        self.identity_id = identity_id
        self.enable_node_public_ip = enable_node_public_ip
        self.validate_configuration()

    def validate_configuration(self):
        """Raises ``ComputeTargetException`` for what Azure ML refuses too."""
        if not isinstance(self.vm_size, str):
            raise ComputeTargetException("vm_size must be a string such as 'STANDARD_D2_V2', not %r" % (self.vm_size,))
        if self.vm_priority not in ("dedicated", "lowpriority"):
            raise ComputeTargetException('Invalid configuration, vm_priority must be "dedicated" or "lowpriority", '
                                         'not %r' % (self.vm_priority,))
        for field in ("min_nodes", "max_nodes", "idle_seconds_before_scaledown"):
            value = getattr(self, field)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
                raise ComputeTargetException("Invalid configuration, %s must be a whole number of at least 0, not %r"
                                             % (field, value))
        if self.max_nodes is not None and self.max_nodes < 1:
            raise ComputeTargetException("Invalid configuration, max_nodes must be at least 1")
        if self.max_nodes is not None and self.min_nodes is not None and self.max_nodes < self.min_nodes:
            raise ComputeTargetException("Invalid configuration, max_nodes (%s) must not be less than min_nodes (%s)"
                                         % (self.max_nodes, self.min_nodes))
        if self.tags is not None and not isinstance(self.tags, dict):
            raise ComputeTargetException("Invalid configuration, tags must be a dict of strings")

    def _body(self):
        body = {"vmSize": self.vm_size or "", "vmPriority": self.vm_priority, "minNodes": self.min_nodes or 0,
                "tags": {str(k): str(v) for k, v in (self.tags or {}).items()}}
        if self.max_nodes is not None:
            body["maxNodes"] = self.max_nodes
        if self.idle_seconds_before_scaledown is not None:
            body["idleSecondsBeforeScaledown"] = self.idle_seconds_before_scaledown
        if self.description is not None:
            body["description"] = str(self.description)
        return body


class ComputeTarget(object):
    """A compute target of the workspace. ``ComputeTarget(workspace, name)`` returns the ``AmlCompute`` of that name,
    or raises ``ComputeTargetException`` when the workspace has none."""

    _compute_type = None

    def __new__(cls, workspace=None, name=None):
        if cls is ComputeTarget:
            return object.__new__(AmlCompute)
        return object.__new__(cls)

    def __init__(self, workspace, name):
        _check_workspace(workspace, type(self).__name__)
        _check_name(name)
        self._workspace = workspace
        self._name = name
        self._record = None
        self._refresh()

    @classmethod
    def _from_record(cls, workspace, record):
        target = object.__new__(DatabricksCompute if record.get("type") == "Databricks" else AmlCompute)
        target._workspace = workspace
        target._name = record["name"]
        target._record = record
        return target

    def _refresh(self):
        try:
            self._record = self._workspace._transport.json("GET", api_path("compute-targets", self._name))
        except UserErrorException as err:
            raise _as_compute_error(err, self._name)
        if self._record.get("type") == "Databricks" and not isinstance(self, DatabricksCompute):
            self.__class__ = DatabricksCompute  # ComputeTarget(ws, name) of an attached workspace
        return self._record

    # -- what it is ------------------------------------------------------------------------------------------------

    workspace = property(lambda self: self._workspace)
    name = property(lambda self: self._name)
    type = property(lambda self: self._record.get("type", "AmlCompute") if self._record else "AmlCompute")
    location = property(lambda self: None)
    tags = property(lambda self: dict(self._record.get("tags") or {}))
    description = property(lambda self: self._record.get("description"))
    provisioning_state = property(lambda self: self._record.get("provisioningState", "Succeeded"))
    provisioning_errors = property(lambda self: None)
    cluster_resource_id = property(lambda self: None)
    created_on = property(lambda self: self._record.get("createdAt"))
    modified_on = property(lambda self: self._record.get("createdAt"))
    status = property(lambda self: AmlComputeStatus(self._record))

    # -- creating, listing, deleting ------------------------------------------------------------------------------

    @staticmethod
    def create(workspace, name, provisioning_configuration):
        """Registers the compute target ``name``; steps may use it at once. Returns its ``AmlCompute``."""
        _check_workspace(workspace, "ComputeTarget.create")
        _check_name(name)
        if not isinstance(provisioning_configuration, AmlComputeProvisioningConfiguration):
            raise ComputeTargetException(
                "provisioning_configuration must be what AmlCompute.provisioning_configuration(...) returns, not %r"
                % type(provisioning_configuration).__name__)
        provisioning_configuration.validate_configuration()
        try:
            record = workspace._transport.json("PUT", api_path("compute-targets", name),
                                               json_body=provisioning_configuration._body())
        except UserErrorException as err:
            raise _as_compute_error(err)
        return ComputeTarget._from_record(workspace, record)

    @staticmethod
    def list(workspace):
        """Every compute target of the workspace (those the deployment configures and the registered ones)."""
        _check_workspace(workspace, "ComputeTarget.list")
        answer = workspace._transport.json("GET", "compute-targets")
        return [ComputeTarget._from_record(workspace, r) for r in answer.get("value", [])]

    def wait_for_completion(self, show_output=False, min_node_count=None, timeout_in_minutes=20,
                            is_delete_operation=False):
        """A registered target is ready at once: prints its state with ``show_output``. With ``min_node_count``,
        waits up to ``timeout_in_minutes`` for a worker to serve it (locally, ``npm start`` starts one)."""
        deadline = time.time() + 60 * (timeout_in_minutes or 0)
        if show_output:
            sys.stdout.write("%s\n" % self.provisioning_state)
        if min_node_count and not is_delete_operation:
            while AmlComputeStatus(self._refresh()).current_node_count < min_node_count:
                if time.time() >= deadline:
                    raise ComputeTargetException(
                        "Timed out after %s minutes waiting for %s node(s) of %s: no worker serves queue %s"
                        % (timeout_in_minutes, min_node_count, self._name, self._record.get("queue")))
                time.sleep(2)
            if show_output:
                sys.stdout.write("AmlCompute wait for completion finished\n\nMinimum number of nodes requested have "
                                 "been provisioned\n")
        elif show_output:
            sys.stdout.write("Provisioning operation finished, operation \"%s\"\n" % self.provisioning_state)

    @staticmethod
    def attach(workspace, name, attach_configuration):
        """Attaches an existing compute (a Databricks workspace: ``DatabricksCompute.attach_configuration``) as
        ``name``; steps may name it at once. Returns the ``DatabricksCompute``."""
        _check_workspace(workspace, "ComputeTarget.attach")
        _check_name(name)
        if not isinstance(attach_configuration, DatabricksAttachConfiguration):
            raise ComputeTargetException(
                "attach_configuration must be what DatabricksCompute.attach_configuration(...) returns, not %r "
                "(Sluice attaches Databricks workspaces only)" % type(attach_configuration).__name__)
        attach_configuration.validate_configuration()
        try:
            record = workspace._transport.json("PUT", api_path("compute-targets", name),
                                               json_body=attach_configuration._body())
        except UserErrorException as err:
            raise _as_compute_error(err)
        return ComputeTarget._from_record(workspace, record)

    def get_status(self):
        """The target's status now (``AmlComputeStatus``)."""
        return AmlComputeStatus(self._refresh())

    def refresh_state(self):
        self._refresh()

    def serialize(self):
        return dict(self._record, name=self._name)

    def delete(self):
        """Deletes the registration (refused while jobs wait in its queue, and for a target the deployment
        configures): raises ``ComputeTargetException`` then."""
        try:
            self._workspace._transport.request("DELETE", api_path("compute-targets", self._name))
        except UserErrorException as err:
            raise _as_compute_error(err, self._name)

    def detach(self):
        raise ComputeTargetException("Detach is not supported for AmlCompute object. Try to use delete instead.")

    def __repr__(self):
        return "%s(workspace=%r, name=%s, provisioning_state=%s, type=%s)" % (
            type(self).__name__, self._workspace, self._name, self.provisioning_state, self.type)

    def __eq__(self, other):
        return isinstance(other, ComputeTarget) and other._name == self._name and other._workspace == self._workspace

    def __hash__(self):
        return hash(self._name)


class AmlCompute(ComputeTarget):
    """A compute cluster: on Sluice, a registered name whose queue workers serve."""

    _compute_type = "AmlCompute"

    @staticmethod
    def provisioning_configuration(vm_size="", vm_priority="dedicated", min_nodes=0, max_nodes=None,
                                   idle_seconds_before_scaledown=None, admin_username=None, admin_user_password=None,
                                   admin_user_ssh_key=None, vnet_resourcegroup_name=None, vnet_name=None,
                                   subnet_name=None, tags=None, description=None, remote_login_port_public_access=
                                   "NotSpecified", identity_type=None, identity_id=None, location=None,
                                   enable_node_public_ip=True):
        """What ``ComputeTarget.create`` takes; raises ``ComputeTargetException`` for an invalid configuration."""
        return AmlComputeProvisioningConfiguration(
            vm_size, vm_priority, min_nodes, max_nodes, idle_seconds_before_scaledown, admin_username,
            admin_user_password, admin_user_ssh_key, vnet_resourcegroup_name, vnet_name, subnet_name, tags,
            description, remote_login_port_public_access, identity_type, identity_id, location,
            enable_node_public_ip)

    @staticmethod
    def supported_vmsizes(workspace, location=None):
        """Sluice does not size machines: no VM sizes to choose from."""
        return []

    def get_active_runs(self, type=None, tags=None, properties=None, status=None):
        raise NotImplementedError("AmlCompute.get_active_runs: list the runs with Experiment.get_runs() or "
                                  "`npx sluice runs list --status Running`")

    def update(self, min_nodes=None, max_nodes=None, idle_seconds_before_scaledown=None):
        raise NotImplementedError("AmlCompute.update: Sluice records the provisioning configuration at creation "
                                  "only; delete the target and create it again")


class ComputeTargetAttachConfiguration(object):
    """What ``ComputeTarget.attach`` takes (v1's base class)."""

    def __init__(self, type=None):
        self.type = type

    def validate_configuration(self):
        pass


class DatabricksAttachConfiguration(ComputeTargetAttachConfiguration):
    """An Azure Databricks workspace to attach: its URL and how Sluice authenticates (a reference, never a token)."""

    def __init__(self, resource_group=None, workspace_name=None, resource_id=None, access_token="",
                 workspace_url=None, pat_setting=None, managed_identity_client_id=None):
        super(DatabricksAttachConfiguration, self).__init__("Databricks")
        self.resource_group = resource_group
        self.workspace_name = workspace_name
        self.resource_id = resource_id
        self.access_token = access_token
        self.workspace_url = workspace_url
        self.pat_setting = pat_setting
        self.managed_identity_client_id = managed_identity_client_id
        self.validate_configuration()

    def validate_configuration(self):
        if self.access_token:
            raise ComputeTargetException(
                "access_token: Sluice never stores a Databricks token. Put the personal access token in an app "
                "setting of the Sluice app (in Azure, a Key Vault reference) and pass pat_setting='<its name>', or "
                "leave both out to use the app's managed identity (docs/databricks.md)")
        if not self.workspace_url or not isinstance(self.workspace_url, str):
            raise ComputeTargetException(
                "workspace_url is required: the workspace's URL, e.g. https://adb-1234567890123456.7.azuredatabricks."
                "net (Sluice does not look it up from resource_group/workspace_name), or http://127.0.0.1:7075 for "
                "`npx sluice databricks-local`")
        if self.pat_setting is not None and self.managed_identity_client_id is not None:
            raise ComputeTargetException("pass pat_setting or managed_identity_client_id, not both")
        if self.pat_setting is not None and (not isinstance(self.pat_setting, str) or not self.pat_setting):
            raise ComputeTargetException("pat_setting must be the name of an app setting holding the token")

    def _body(self):
        if self.pat_setting:
            credential = {"type": "pat", "setting": self.pat_setting}
        else:
            credential = {"type": "managedIdentity"}
            if self.managed_identity_client_id:
                credential["clientId"] = self.managed_identity_client_id
        databricks = {"workspaceUrl": self.workspace_url, "credential": credential}
        resource_id = self.resource_id
        if resource_id is None and self.resource_group and self.workspace_name:
            resource_id = "resourceGroups/%s/providers/Microsoft.Databricks/workspaces/%s" % (
                self.resource_group, self.workspace_name)
        if resource_id:
            databricks["resourceId"] = resource_id
        return {"type": "Databricks", "databricks": databricks}


class DatabricksCompute(ComputeTarget):
    """An attached Azure Databricks workspace: ``databricks`` steps (DatabricksStep) submit their runs there."""

    _compute_type = "Databricks"

    @staticmethod
    def attach_configuration(resource_group=None, workspace_name=None, resource_id=None, access_token="",
                             workspace_url=None, pat_setting=None, managed_identity_client_id=None):
        """What ``ComputeTarget.attach`` takes. v1's arguments, plus where Sluice differs: ``workspace_url`` (required)
        and the credential as a reference — ``pat_setting`` names the app setting holding a token, otherwise the
        app's managed identity is used (``managed_identity_client_id`` for a user-assigned one). ``access_token``
        is refused: Sluice never stores a token.

        @example
            config = DatabricksCompute.attach_configuration(
                workspace_url="https://adb-1234567890123456.7.azuredatabricks.net", pat_setting="DATABRICKS_PAT")
            databricks = ComputeTarget.attach(ws, "dbx", config)
        """
        return DatabricksAttachConfiguration(resource_group, workspace_name, resource_id, access_token,
                                             workspace_url, pat_setting, managed_identity_client_id)

    workspace_url = property(lambda self: (self._record.get("databricks") or {}).get("workspaceUrl"))
    status = property(lambda self: None)

    def get_status(self):
        self._refresh()
        return None

    def detach(self):
        """Removes the attachment (runs that used it stay)."""
        self.delete()


from azureml.core._not_yet import not_yet_class  # noqa: E402 (after the classes it does not need)

ComputeInstance = not_yet_class("ComputeInstance", "a compute instance is a notebook VM; register an AmlCompute "
                                                   "(ComputeTarget.create with AmlCompute.provisioning_configuration) "
                                                   "for steps to run on", __name__, server_side=False)
"""``ComputeInstance``: refused (a notebook VM has no Sluice equivalent), with a message saying what to use."""
