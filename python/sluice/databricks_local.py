"""Runs one task of `sluice databricks-local` (the development stand-in for Databricks Jobs; docs/databricks.md).

Called as ``python3 databricks_local.py TASK.json`` in the run's sandbox folder, without a shell. TASK.json holds:

- ``kind``: ``python`` (spark_python_task) or ``notebook`` (a Python SOURCE notebook);
- ``file``: the script or the notebook's source, a path on this machine;
- ``parameters``: the script's argv (python) or the notebook's widget values (notebook);
- ``dbfs_root``: the folder that stands for ``dbfs:/``; ``mounts``: ABFSS/WASBS URI -> local folder, the data
  the stand-in staged for this run;
- ``result``: where to write ``{"result": ..., "error": ..., "error_trace": ...}`` when the task ends.

There is no Spark: the task runs in this interpreter. A minimal ``dbutils`` is provided (widgets.get/text,
notebook.exit, fs.ls/cp/mv/rm/mkdirs/put/head for dbfs:/, file:/, local paths and the staged URIs). Standard
library only.
"""

import json
import os
import runpy
import shutil
import sys
import traceback

NOTEBOOK_HEADER = "# Databricks notebook source"
CELL_SEPARATOR = "# COMMAND ----------"


class NotebookExit(BaseException):
    """Raised by dbutils.notebook.exit; ends the notebook successfully with a result (not an Exception)."""

    def __init__(self, value):
        super().__init__(value)
        self.value = value


class InputWidgetNotDefined(Exception):
    pass


class _Widgets:
    def __init__(self, values):
        self._values = dict(values)

    def text(self, name, defaultValue="", label=None):
        self._values.setdefault(name, defaultValue)

    dropdown = combobox = lambda self, name, defaultValue, choices=None, label=None: self.text(name, defaultValue)

    def get(self, name):
        if name not in self._values:
            raise InputWidgetNotDefined("No input widget named %s is defined" % name)
        return self._values[name]

    getArgument = get

    def removeAll(self):
        pass


class _Notebook:
    def exit(self, value):
        raise NotebookExit("" if value is None else str(value))


class FileInfo(tuple):
    """What dbutils.fs.ls returns per entry: path, name, size (a tuple with named fields, as Databricks')."""

    def __new__(cls, path, name, size):
        return tuple.__new__(cls, (path, name, size))

    path = property(lambda self: self[0])
    name = property(lambda self: self[1])
    size = property(lambda self: self[2])


class _Fs:
    def __init__(self, dbfs_root, mounts):
        self._dbfs = os.path.realpath(dbfs_root)
        self._mounts = sorted(mounts.items(), key=lambda kv: -len(kv[0]))

    def _local(self, path):
        for uri, folder in self._mounts:
            if path.rstrip("/") == uri.rstrip("/") or path.startswith(uri.rstrip("/") + "/"):
                rest = path[len(uri.rstrip("/")):].lstrip("/")
                return os.path.join(folder, rest)
        if path.startswith("dbfs:"):
            rest = os.path.normpath("/" + path[len("dbfs:"):].lstrip("/")).lstrip("/")
            return os.path.join(self._dbfs, rest)
        if path.startswith("file:"):
            return path[len("file:"):]
        if "://" in path:
            raise ValueError("databricks-local cannot reach %s: only dbfs:/, file:/ and the URIs staged for this run "
                             "(%s) are available" % (path, ", ".join(u for u, _ in self._mounts) or "none"))
        return path

    def ls(self, path):
        local = self._local(path)
        if os.path.isfile(local):
            return [FileInfo(path, os.path.basename(local), os.path.getsize(local))]
        out = []
        for name in sorted(os.listdir(local)):
            full = os.path.join(local, name)
            is_dir = os.path.isdir(full)
            out.append(FileInfo(path.rstrip("/") + "/" + name + ("/" if is_dir else ""), name + ("/" if is_dir else ""),
                                0 if is_dir else os.path.getsize(full)))
        return out

    def mkdirs(self, path):
        os.makedirs(self._local(path), exist_ok=True)
        return True

    def put(self, path, contents, overwrite=False):
        local = self._local(path)
        if os.path.exists(local) and not overwrite:
            raise FileExistsError("%s already exists (pass overwrite=True)" % path)
        os.makedirs(os.path.dirname(local) or ".", exist_ok=True)
        with open(local, "w", encoding="utf-8") as f:
            f.write(contents)
        return True

    def head(self, path, maxBytes=65536):
        with open(self._local(path), "rb") as f:
            return f.read(maxBytes).decode("utf-8", "replace")

    def cp(self, source, destination, recurse=False):
        src, dst = self._local(source), self._local(destination)
        if os.path.isdir(src):
            if not recurse:
                raise IsADirectoryError("%s is a directory (pass recurse=True)" % source)
            shutil.copytree(src, dst, dirs_exist_ok=True)
        else:
            os.makedirs(os.path.dirname(dst) or ".", exist_ok=True)
            shutil.copyfile(src, dst)
        return True

    def mv(self, source, destination, recurse=False):
        self.cp(source, destination, recurse)
        return self.rm(source, recurse)

    def rm(self, path, recurse=False):
        local = self._local(path)
        if os.path.isdir(local):
            if not recurse:
                raise IsADirectoryError("%s is a directory (pass recurse=True)" % path)
            shutil.rmtree(local)
        elif os.path.exists(local):
            os.remove(local)
        else:
            return False
        return True


class DBUtils:
    def __init__(self, widgets, dbfs_root, mounts):
        self.widgets = _Widgets(widgets)
        self.notebook = _Notebook()
        self.fs = _Fs(dbfs_root, mounts)


def notebook_cells(source):
    """The code cells of a Python SOURCE notebook; `# MAGIC` cells (%md, %sh, ...) are skipped."""
    lines = source.splitlines()
    if not lines or lines[0].strip() != NOTEBOOK_HEADER:
        raise ValueError("not a Databricks Python source notebook: the first line must be '%s'" % NOTEBOOK_HEADER)
    cells, current = [], []
    for line in lines[1:]:
        if line.strip() == CELL_SEPARATOR:
            cells.append(current)
            current = []
        else:
            current.append(line)
    cells.append(current)
    out = []
    for cell in cells:
        code = [ln for ln in cell if ln.strip()]
        if code and all(ln.startswith("# MAGIC") for ln in code):
            continue
        out.append("\n".join(cell))
    return out


def run_notebook(path, dbutils):
    with open(path, encoding="utf-8") as f:
        cells = notebook_cells(f.read())
    scope = {"__name__": "__main__", "__file__": path, "dbutils": dbutils}
    for i, cell in enumerate(cells):
        exec(compile(cell, "%s [cell %d]" % (os.path.basename(path), i + 1), "exec"), scope)


def main(argv):
    with open(argv[1], encoding="utf-8") as f:
        task = json.load(f)
    widgets = task["parameters"] if task["kind"] == "notebook" else {}
    dbutils = DBUtils(widgets, task["dbfs_root"], task.get("mounts", {}))
    outcome = {"result": None, "error": None, "error_trace": None}
    code = 0
    try:
        if task["kind"] == "notebook":
            run_notebook(task["file"], dbutils)
        else:
            import builtins
            builtins.dbutils = dbutils  # as on a cluster, where a Python file sees dbutils too
            sys.argv = [task["file"]] + list(task["parameters"])
            runpy.run_path(task["file"], run_name="__main__")
    except NotebookExit as done:
        outcome["result"] = done.value
    except SystemExit as ended:
        if ended.code not in (None, 0):
            outcome["error"] = "SystemExit: %s" % ended.code
            outcome["error_trace"] = traceback.format_exc()
            code = 1
    except BaseException as err:  # noqa: B902 - the task's failure is the run's output
        outcome["error"] = "%s: %s" % (type(err).__name__, err)
        outcome["error_trace"] = traceback.format_exc()
        traceback.print_exc()
        code = 1
    sys.stdout.flush()
    sys.stderr.flush()
    with open(task["result"], "w", encoding="utf-8") as f:
        json.dump(outcome, f)
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv))
