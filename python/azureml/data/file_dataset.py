"""``FileDataset``: files at datastore paths, downloaded or "mounted" (locally: downloaded to a temporary folder)."""

import os
import shutil
import tempfile

from azureml.data.abstract_dataset import AbstractDataset
from azureml.exceptions import UserErrorException

__all__ = ["FileDataset"]


class FileDataset(AbstractDataset):
    """Files: ``to_path()`` lists them, ``download()`` copies them, ``mount()`` gives a folder holding them."""

    _kind = "file"

    def _definition(self):
        body = AbstractDataset._definition(self)
        if self._options.get("partitionFormat"):
            body["partitionFormat"] = self._options["partitionFormat"]
        return body

    def to_path(self):
        """The files' paths, relative to the dataset's folder, each starting with ``/`` (as in Azure ML)."""
        return ["/" + rel for rel, _, _ in self._relative_files()]

    def download(self, target_path=None, overwrite=False, ignore_not_found=False):
        """Downloads every file into ``target_path`` (default: a new temporary folder), keeping the layout that
        ``to_path()`` shows; returns the local paths. An existing file is an error unless ``overwrite``."""
        if target_path is None:
            target_path = tempfile.mkdtemp(prefix="sluice-dataset-")
        if not ignore_not_found:
            self._validate()
        return self._download_to(target_path, overwrite)

    def mount(self, mount_point=None, **kwargs):
        """A ``MountContext``: ``with dataset.mount() as m: ... m.mount_point ...``. Sluice downloads the files into
        ``mount_point`` (default: a temporary folder) on ``start()`` and removes a temporary folder on ``stop()``;
        nothing is mounted with FUSE."""
        return MountContext(self, mount_point)

    def as_mount(self, path_on_compute=None):
        return self.as_named_input(self.name or "dataset").as_mount(path_on_compute)

    def as_download(self, path_on_compute=None):
        return self.as_named_input(self.name or "dataset").as_download(path_on_compute)


class MountContext(object):
    """What ``FileDataset.mount()`` returns (a context manager)."""

    def __init__(self, dataset, mount_point=None):
        self._dataset = dataset
        self._given = mount_point
        self.mount_point = mount_point or tempfile.mkdtemp(prefix="sluice-mount-")
        self._started = False

    def start(self):
        if self._given and os.path.isdir(self._given) and os.listdir(self._given):
            raise UserErrorException("mount_point %s is not empty" % self._given)
        self._dataset._download_to(self.mount_point, True)
        self._started = True

    def stop(self):
        if self._started and not self._given:
            shutil.rmtree(self.mount_point, True)
        self._started = False

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()
        return False
