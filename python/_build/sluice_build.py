"""A PEP 517 build backend in the standard library only, so that ``pip install ./python`` works offline — without
PyPI, setuptools or wheel. It packs ``azureml/`` and ``sluice/`` into a pure-Python wheel (``py3-none-any``) and an
sdist of this folder; the name, version and summary come from pyproject.toml's ``[project]`` table."""

import base64
import hashlib
import io
import os
import re
import tarfile
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PACKAGES = ("azureml", "azureml_user", "sluice")
SDIST_ITEMS = ("pyproject.toml", "README.md", "_build", "azureml", "azureml_user", "sluice")


def _project():
    """name, version, description and requires-python from pyproject.toml (simple ``key = "value"`` lines)."""
    with open(os.path.join(ROOT, "pyproject.toml"), "r", encoding="utf-8") as f:
        text = f.read()
    section = re.search(r"^\[project\]\s*$(.*?)(?=^\[|\Z)", text, re.M | re.S).group(1)
    fields = dict(re.findall(r'^([A-Za-z-]+)\s*=\s*"([^"]*)"\s*$', section, re.M))
    return fields


def _dist_name(name):
    return re.sub(r"[-_.]+", "_", name).lower()


def _metadata(project):
    lines = ["Metadata-Version: 2.1", "Name: %s" % project["name"], "Version: %s" % project["version"],
             "Summary: %s" % project.get("description", ""), "License: MIT"]
    if project.get("requires-python"):
        lines.append("Requires-Python: %s" % project["requires-python"])
    lines.append("Provides-Extra: pandas")
    lines.append('Requires-Dist: pandas ; extra == "pandas"')
    readme = os.path.join(ROOT, "README.md")
    body = ""
    if os.path.exists(readme):
        lines.append("Description-Content-Type: text/markdown")
        with open(readme, "r", encoding="utf-8") as f:
            body = "\n" + f.read()
    return ("\n".join(lines) + "\n" + body).encode("utf-8")


def _package_files():
    for package in PACKAGES:
        for folder, dirs, files in os.walk(os.path.join(ROOT, package)):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            for name in sorted(files):
                if name.endswith((".pyc", ".pyo")):
                    continue
                full = os.path.join(folder, name)
                yield os.path.relpath(full, ROOT).replace(os.sep, "/"), full


def _record_line(path, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode("ascii")
    return "%s,sha256=%s,%d" % (path, digest, len(data))


def _dist_info(project):
    return "%s-%s.dist-info" % (_dist_name(project["name"]), project["version"])


def _write_dist_info(directory, project):
    info = os.path.join(directory, _dist_info(project))
    os.makedirs(info, exist_ok=True)
    with open(os.path.join(info, "METADATA"), "wb") as f:
        f.write(_metadata(project))
    return os.path.basename(info)


def _wheel(wheel_directory, project, members):
    """Writes a wheel of ``members`` ([(path in wheel, bytes)]) plus its dist-info; returns the file name."""
    name = "%s-%s-py3-none-any.whl" % (_dist_name(project["name"]), project["version"])
    info = _dist_info(project)
    files = list(members)
    files.append((info + "/METADATA", _metadata(project)))
    files.append((info + "/WHEEL", b"Wheel-Version: 1.0\nGenerator: sluice_build\nRoot-Is-Purelib: true\n"
                                   b"Tag: py3-none-any\n"))
    record = [_record_line(path, data) for path, data in files] + [info + "/RECORD,,"]
    files.append((info + "/RECORD", ("\n".join(record) + "\n").encode("utf-8")))
    with zipfile.ZipFile(os.path.join(wheel_directory, name), "w", zipfile.ZIP_DEFLATED) as archive:
        for path, data in files:
            entry = zipfile.ZipInfo(path, date_time=(1980, 1, 1, 0, 0, 0))
            entry.external_attr = 0o644 << 16
            entry.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(entry, data)
    return name


# -- PEP 517 hooks -------------------------------------------------------------------------------------------------

def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_sdist(config_settings=None):
    return []


def get_requires_for_build_editable(config_settings=None):
    return []


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    return _write_dist_info(metadata_directory, _project())


def prepare_metadata_for_build_editable(metadata_directory, config_settings=None):
    return _write_dist_info(metadata_directory, _project())


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    members = []
    for path, full in _package_files():
        with open(full, "rb") as f:
            members.append((path, f.read()))
    return _wheel(wheel_directory, _project(), members)


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    """An editable install: a .pth file that puts this folder on sys.path."""
    project = _project()
    pth = ("%s\n" % ROOT).encode("utf-8")
    return _wheel(wheel_directory, project, [("__editable__.%s.pth" % _dist_name(project["name"]), pth)])


def build_sdist(sdist_directory, config_settings=None):
    project = _project()
    base = "%s-%s" % (_dist_name(project["name"]), project["version"])
    name = base + ".tar.gz"
    with tarfile.open(os.path.join(sdist_directory, name), "w:gz", format=tarfile.PAX_FORMAT) as archive:
        for item in SDIST_ITEMS:
            path = os.path.join(ROOT, item)
            if os.path.exists(path):
                archive.add(path, arcname=base + "/" + item,
                            filter=lambda t: None if "__pycache__" in t.name or t.name.endswith(".pyc") else t)
        info = tarfile.TarInfo(base + "/PKG-INFO")
        data = _metadata(project)
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
    return name
