"""Cluster libraries for ``DatabricksStep`` (v1's ``azureml.core.databricks``): each becomes one entry of the
Databricks run's ``libraries`` (Jobs API shape)."""

__all__ = ["PyPiLibrary", "MavenLibrary", "RCranLibrary", "JarLibrary", "EggLibrary"]


class PyPiLibrary(object):
    def __init__(self, package, repo=None):
        self.package = package
        self.repo = repo

    def _spec(self):
        return {"pypi": _without_none(package=self.package, repo=self.repo)}


class MavenLibrary(object):
    def __init__(self, coordinates, repo=None, exclusions=None):
        self.coordinates = coordinates
        self.repo = repo
        self.exclusions = exclusions

    def _spec(self):
        return {"maven": _without_none(coordinates=self.coordinates, repo=self.repo,
                                       exclusions=list(self.exclusions) if self.exclusions else None)}


class RCranLibrary(object):
    def __init__(self, package, repo=None):
        self.package = package
        self.repo = repo

    def _spec(self):
        return {"cran": _without_none(package=self.package, repo=self.repo)}


class JarLibrary(object):
    """A JAR on DBFS or cloud storage (``dbfs:/…``)."""

    def __init__(self, library):
        self.library = library

    def _spec(self):
        return {"jar": self.library}


class EggLibrary(object):
    def __init__(self, library):
        self.library = library

    def _spec(self):
        return {"egg": self.library}


def _without_none(**fields):
    return {k: v for k, v in fields.items() if v is not None}
