"""``CondaDependencies``: the packages of an environment (conda and pip), as Azure ML v1 holds them.

On Sluice the packages are recorded on the step (spec ``environment:``) and, locally, checked before the step runs:
each must be importable by the worker's interpreter (steps are not run in a built conda environment).
"""

import os
import re

__all__ = ["CondaDependencies"]

_SDK_PACKAGE = "azureml-defaults"


def _strip(value):
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        value = value[1:-1]
    return value


def _parse_conda_yaml(text):
    """The parts of a conda environment file Azure ML reads (``name``, ``channels``, ``dependencies`` with a nested
    ``pip:`` list), with the standard library only. Other keys are ignored."""
    result = {"name": None, "channels": [], "conda": [], "pip": []}
    section = None
    in_pip = False
    pip_indent = None
    for raw in text.splitlines():
        line = raw.split(" #")[0].rstrip() if not raw.lstrip().startswith("#") else ""
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip())
        stripped = line.strip()
        if indent == 0:
            in_pip = False
            key, _, rest = stripped.partition(":")
            section = key.strip()
            if section == "name" and rest.strip():
                result["name"] = _strip(rest)
            continue
        if not stripped.startswith("-"):
            continue
        item = _strip(stripped[1:])
        if in_pip and indent > pip_indent:
            result["pip"].append(item)
            continue
        in_pip = False
        if section == "channels":
            result["channels"].append(item)
        elif section == "dependencies":
            if item.rstrip(":").strip() == "pip" and item.endswith(":"):
                in_pip, pip_indent = True, indent
            else:
                result["conda"].append(item)
    return result


class CondaDependencies(object):
    """``CondaDependencies(conda_dependencies_file_path=None)``: conda packages, pip packages, channels and the
    Python version. ``CondaDependencies.create(...)`` is the usual way to make one."""

    def __init__(self, conda_dependencies_file_path=None, _underlying_structure=None):
        self._name = None
        self._python = None
        self._conda = []
        self._pip = []
        self._channels = ["anaconda", "conda-forge"]
        self._pip_options = []
        if conda_dependencies_file_path is not None:
            with open(conda_dependencies_file_path, "r", encoding="utf-8") as f:
                parsed = _parse_conda_yaml(f.read())
            self._load(parsed)
        elif _underlying_structure is not None:
            self._load(_underlying_structure)

    def _load(self, parsed):
        self._name = parsed.get("name")
        self._channels = list(parsed.get("channels") or [])
        for package in parsed.get("conda") or []:
            self.add_conda_package(package)
        for package in parsed.get("pip") or []:
            self.add_pip_package(package)

    @staticmethod
    def create(pip_indexurl=None, pip_packages=None, conda_packages=None, python_version=None, pin_sdk_version=True):
        """A new set: ``azureml-defaults`` (pinned to this SDK's version with ``pin_sdk_version``), the given pip and
        conda packages, and ``python=<python_version>`` when given."""
        for field, value in (("pip_packages", pip_packages), ("conda_packages", conda_packages)):
            if value is not None and (isinstance(value, str) or not all(isinstance(p, str) for p in value)):
                raise TypeError("%s must be a list of package specifications (str), not %r" % (field, value))
        deps = CondaDependencies()
        if python_version is not None:
            deps.set_python_version(python_version)
        if pip_indexurl:
            deps.set_pip_option("--index-url %s" % pip_indexurl)
        if pin_sdk_version:
            from azureml.core import VERSION

            deps.add_pip_package("%s~=%s" % (_SDK_PACKAGE, VERSION.split(".sluice")[0]))
        else:
            deps.add_pip_package(_SDK_PACKAGE)
        for package in conda_packages or []:
            deps.add_conda_package(package)
        for package in pip_packages or []:
            deps.add_pip_package(package)
        return deps

    @staticmethod
    def merge_requirements(requirements):
        return list(dict.fromkeys(requirements))

    @staticmethod
    def _name_of(spec):
        return re.split(r"[\s=<>!~;\[(]", spec.strip().split("::")[-1], 1)[0].lower()

    # -- packages -------------------------------------------------------------------------------------------------

    def add_pip_package(self, pip_package):
        if not isinstance(pip_package, str) or not pip_package.strip():
            raise TypeError("pip_package must be a package specification such as 'scikit-learn==1.3'")
        name = self._name_of(pip_package)
        self._pip = [p for p in self._pip if self._name_of(p) != name] + [pip_package.strip()]

    def add_conda_package(self, conda_package):
        if not isinstance(conda_package, str) or not conda_package.strip():
            raise TypeError("conda_package must be a package specification such as 'numpy=1.24'")
        if self._name_of(conda_package) == "python":
            self._python = conda_package.strip().split("=", 1)[1].lstrip("=") if "=" in conda_package else None
            return
        name = self._name_of(conda_package)
        if name == "pip":
            return  # pip itself is always there (serialize_to_string lists it)
        self._conda = [p for p in self._conda if self._name_of(p) != name] + [conda_package.strip()]

    def remove_pip_package(self, pip_package):
        name = self._name_of(pip_package)
        self._pip = [p for p in self._pip if self._name_of(p) != name]

    def remove_conda_package(self, conda_package):
        name = self._name_of(conda_package)
        self._conda = [p for p in self._conda if self._name_of(p) != name]

    def add_channel(self, channel):
        if channel not in self._channels:
            self._channels.append(channel)

    def remove_channel(self, channel):
        self._channels = [c for c in self._channels if c != channel]

    def set_pip_option(self, pip_option):
        if pip_option not in self._pip_options:
            self._pip_options.append(pip_option)

    def set_python_version(self, version):
        self._python = str(version)

    def get_python_version(self):
        return self._python

    def get_default_number_of_packages(self):
        return 1

    @property
    def pip_packages(self):
        return iter(list(self._pip))

    @property
    def conda_packages(self):
        return iter(list(self._conda))

    @property
    def conda_channels(self):
        return iter(list(self._channels))

    @property
    def pip_options(self):
        return iter(list(self._pip_options))

    # -- files ----------------------------------------------------------------------------------------------------

    def serialize_to_string(self):
        """The conda environment file (YAML) these dependencies make."""
        lines = ["name: %s" % (self._name or "project_environment"), "channels:"]
        lines += ["  - %s" % c for c in self._channels]
        lines.append("dependencies:")
        if self._python:
            lines.append("  - python=%s" % self._python)
        lines += ["  - %s" % c for c in self._conda]
        lines.append("  - pip")
        lines.append("  - pip:")
        lines += ["    - %s" % o for o in self._pip_options]
        lines += ["    - %s" % p for p in self._pip]
        return "\n".join(lines) + "\n"

    def save(self, path=None):
        path = path or os.path.join(os.getcwd(), "conda_dependencies.yml")
        with open(path, "w", encoding="utf-8") as f:
            f.write(self.serialize_to_string())
        return path

    def save_to_file(self, base_directory, conda_file_path=None):
        return self.save(os.path.join(base_directory, conda_file_path or "conda_dependencies.yml"))

    def _spec(self):
        """The ``python``, ``pip`` and ``conda`` parts of a step's spec ``environment:``."""
        out = {"pip": list(self._pip), "conda": list(self._conda)}
        if self._python:
            out["python"] = self._python
        return out

    def _declares_packages(self):
        return any(not p.lower().startswith("azureml") for p in self._pip) or bool(self._conda)

    def __eq__(self, other):
        return isinstance(other, CondaDependencies) and self.serialize_to_string() == other.serialize_to_string()

    def __repr__(self):
        return "CondaDependencies(python=%r, conda=%r, pip=%r)" % (self._python, self._conda, self._pip)
