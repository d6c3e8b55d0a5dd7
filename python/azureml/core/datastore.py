"""``Datastore``: a named blob container of the workspace (``GET /api/datastores``)."""

from azureml.exceptions import UserErrorException

__all__ = ["Datastore"]


class Datastore(object):
    """A datastore; ``Datastore(workspace, name)`` or ``Datastore.get(workspace, name)``. ``name=None`` gives the
    workspace's default datastore, as in Azure ML."""

    def __init__(self, workspace=None, name=None):
        if workspace is None and name is None:
            return  # _from_json fills it in
        known = workspace.datastores
        if name is None:
            found = [d for d in known.values() if d.is_default]
            if not found:
                raise UserErrorException("The workspace has no default datastore")
            name = found[0].name
        if name not in known:
            raise UserErrorException('Datastore "%s" does not exist; the workspace has: %s'
                                     % (name, ", ".join(sorted(known)) or "(none)"))
        self.__dict__.update(known[name].__dict__)

    @classmethod
    def _from_json(cls, workspace, record):
        datastore = cls.__new__(cls)
        datastore.workspace = workspace
        datastore.name = record["name"]
        datastore.container_name = record.get("container", record["name"])
        datastore.description = record.get("description")
        datastore.is_default = bool(record.get("isDefault"))
        datastore.datastore_type = "AzureBlob"
        return datastore

    @staticmethod
    def get(workspace, datastore_name):
        return Datastore(workspace, datastore_name)

    @staticmethod
    def get_default(workspace):
        return workspace.get_default_datastore()

    @staticmethod
    def list(workspace):
        return list(workspace.datastores.values())

    def path(self, path=None, data_reference_name=None):
        """A location in this datastore, usable as a step input: a ``DataReference``."""
        from azureml.data.data_reference import DataReference

        return DataReference(self, data_reference_name=data_reference_name, path_on_datastore=path)

    def as_mount(self):
        return self.path().as_mount()

    def as_download(self, path_on_compute=None):
        return self.path().as_download(path_on_compute)

    @staticmethod
    def register_azure_blob_container(workspace, datastore_name, container_name, account_name, *args, **kwargs):
        raise NotImplementedError("Datastore.register_azure_blob_container: the Sluice API has no datastore "
                                  "registration yet (the server side of issue 14)")

    def upload(self, src_dir, target_path=None, overwrite=False, show_progress=True):
        raise NotImplementedError("Datastore.upload: the Sluice API has no datastore uploads yet (the server side "
                                  "of issue 14); upload with `az storage blob upload-batch` or Azure Storage "
                                  "Explorer (locally: Azurite)")

    def upload_files(self, files, relative_root=None, target_path=None, overwrite=False, show_progress=True):
        raise NotImplementedError("Datastore.upload_files: the Sluice API has no datastore uploads yet (the server "
                                  "side of issue 14)")

    def download(self, target_path, prefix=None, overwrite=False, show_progress=True):
        raise NotImplementedError("Datastore.download: the Sluice API has no datastore downloads yet (the server "
                                  "side of issue 14)")

    def __repr__(self):
        return "Datastore(name=%r, container_name=%r)" % (self.name, self.container_name)

    def __eq__(self, other):
        return isinstance(other, Datastore) and other.name == self.name

    def __hash__(self):
        return hash(self.name)
