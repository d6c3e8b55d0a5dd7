"""``ComputeTarget`` and ``AmlCompute``: a compute target is a name whose queue (``compute-<name>``) workers serve.

The Sluice API has no compute registry yet (the server side of issue 14): ``ComputeTarget(workspace, name)`` checks
the name and returns a reference without asking the service, and creating or deleting targets raises
``NotImplementedError`` (locally, ``SLUICE_COMPUTE_TARGETS`` lists the targets ``npm start`` serves).
"""

from azureml._sluice.names import COMPUTE_NAME, COMPUTE_RULE
from azureml.exceptions import ComputeTargetException

__all__ = ["ComputeTarget", "AmlCompute"]

_REGISTRY = "the Sluice API has no compute registry yet (the server side of issue 14)"


class ComputeTarget(object):
    def __init__(self, workspace, name):
        from azureml.core.workspace import Workspace

        if not isinstance(workspace, Workspace):
            raise ComputeTargetException("ComputeTarget needs workspace, a Workspace")
        if not isinstance(name, str) or not COMPUTE_NAME.match(name):
            raise ComputeTargetException("Compute target name %r is not valid: use %s (it names the queue "
                                         "compute-<name> that workers serve)" % (name, COMPUTE_RULE))
        self.workspace = workspace
        self.name = name
        self.type = "AmlCompute"
        self.provisioning_state = "Succeeded"

    @staticmethod
    def create(workspace, name, provisioning_configuration):
        raise NotImplementedError("ComputeTarget.create: %s; start a worker for it instead "
                                  "(`npx sluice worker --compute %s`)" % (_REGISTRY, name))

    @staticmethod
    def list(workspace):
        return list(workspace.compute_targets.values())

    def wait_for_completion(self, show_output=False, min_node_count=None, timeout_in_minutes=20,
                            is_delete_operation=False):
        if show_output:
            print("Compute target %s: %s" % (self.name, self.provisioning_state))

    def get_status(self):
        return self.provisioning_state

    def delete(self):
        raise NotImplementedError("ComputeTarget.delete: %s" % _REGISTRY)

    def detach(self):
        raise NotImplementedError("ComputeTarget.detach: %s" % _REGISTRY)

    def __repr__(self):
        return "ComputeTarget(name=%r)" % self.name


class AmlCompute(ComputeTarget):
    @staticmethod
    def provisioning_configuration(vm_size="", vm_priority="dedicated", min_nodes=0, max_nodes=None,
                                   idle_seconds_before_scaledown=None, admin_username=None, admin_user_password=None,
                                   admin_user_ssh_key=None, vnet_resourcegroup_name=None, vnet_name=None,
                                   subnet_name=None, tags=None, description=None, remote_login_port_public_access=
                                   "NotSpecified", identity_type=None, identity_id=None, location=None,
                                   enable_node_public_ip=True):
        if vm_priority not in ("dedicated", "lowpriority"):
            raise ComputeTargetException('vm_priority must be "dedicated" or "lowpriority", not %r' % vm_priority)
        if max_nodes is not None and min_nodes is not None and max_nodes < min_nodes:
            raise ComputeTargetException("max_nodes (%s) must not be less than min_nodes (%s)" % (max_nodes,
                                                                                                 min_nodes))
        return {"vm_size": vm_size, "vm_priority": vm_priority, "min_nodes": min_nodes, "max_nodes": max_nodes,
                "idle_seconds_before_scaledown": idle_seconds_before_scaledown, "tags": tags,
                "description": description}

    @staticmethod
    def supported_vmsizes(workspace, location=None):
        return []
