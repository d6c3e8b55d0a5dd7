"""``TabularDataset``: delimited files read as one table (``to_pandas_dataframe``; pandas is imported only there)."""

import fnmatch
import os
import shutil

from azureml.data.abstract_dataset import AbstractDataset
from azureml.exceptions import UserErrorException

__all__ = ["TabularDataset"]

PANDAS_MISSING = ("to_pandas_dataframe needs pandas, which is not installed for %s. Install it with "
                  "`apt-get install python3-pandas` (Debian/Ubuntu) or `pip install pandas`.")

_PANDAS_TYPES = {"string": "object", "str": "object", "int": "Int64", "integer": "Int64", "long": "Int64",
                 "float": "float64", "double": "float64", "decimal": "float64", "bool": "boolean",
                 "boolean": "boolean", "datetime": "datetime64[ns]", "date": "datetime64[ns]"}


def _pandas():
    try:
        import pandas
    except ImportError as err:
        import sys

        raise ImportError(PANDAS_MISSING % sys.executable) from err
    return pandas


def _type_name(value):
    """A column type given as a string (``"int"``) or as Azure ML's ``DataType`` (``DataType.to_long()``)."""
    name = getattr(value, "_sluice_type", None) or str(value)
    return name.lower()


class TabularDataset(AbstractDataset):
    """Delimited files as a table. ``take(n)`` gives the first n rows; ``to_pandas_dataframe()`` reads them all."""

    _kind = "tabular"

    def __init__(self):
        AbstractDataset.__init__(self)
        self._take = None
        self._local_dir = None  # inside a step: the folder the worker downloaded
        self._local_pattern = None

    def _definition(self):
        body = AbstractDataset._definition(self)
        options = {k: v for k, v in self._options.items() if k != "partitionFormat" or v is not None}
        body["delimited"] = options
        return body

    def take(self, count):
        """A dataset of the first ``count`` rows."""
        if not isinstance(count, int) or isinstance(count, bool) or count < 0:
            raise UserErrorException("take(count): count must be a non-negative integer, not %r" % (count,))
        copy = self._copy()
        copy._take = count if self._take is None else min(count, self._take)
        return copy

    def _copy(self):
        copy = type(self)._create(self._workspace, self._paths, self._options, self._registration)
        copy._take = self._take
        copy._local_dir = self._local_dir
        copy._local_pattern = self._local_pattern
        return copy

    def _local_files_list(self):
        """``[(relative name, local file)]``: the worker's download inside a step, else a temporary copy."""
        files = []
        root = self._local_dir
        if os.path.isfile(root):
            return [(os.path.basename(root), root)]
        for folder, dirs, names in os.walk(root):
            dirs.sort()
            for name in sorted(names):
                full = os.path.join(folder, name)
                rel = os.path.relpath(full, root).replace(os.sep, "/")
                if self._local_pattern and not fnmatch.fnmatchcase(rel, self._local_pattern):
                    continue
                files.append((rel, full))
        return files

    def to_pandas_dataframe(self, on_error="null", out_of_range_datetime="null"):
        """Reads every file into one ``pandas.DataFrame`` (files in name order, rows in file order)."""
        pd = _pandas()
        temp = None
        try:
            if self._local_dir is not None:
                files = self._local_files_list()
            else:
                self._validate()
                temp = self._local_copy()
                files = [(rel, os.path.join(temp, *rel.split("/"))) for rel, _, _ in self._relative_files()]
            frames = [self._read(pd, rel, local) for rel, local in files]
        finally:
            if temp:
                shutil.rmtree(temp, True)
        frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
        return frame.head(self._take).reset_index(drop=True) if self._take is not None else frame

    def _read(self, pd, rel, local):
        return read_delimited(pd, local, self._options, rel)


def read_delimited(pd, source, options, rel):
    """One delimited file (a path or a binary file object) as a DataFrame, read with a tabular dataset's options
    (separator, header, encoding, inferColumnTypes, emptyAsString, setColumnTypes, includePath; ``rel`` is the file's
    path below the dataset). Also how a parallel step's mini-batch of rows is read (azureml_user.parallel_run)."""
    o = options or {}
    kwargs = {"sep": o.get("separator", ","), "header": 0 if o.get("header", True) else None,
              "encoding": _encoding(o.get("encoding", "utf8"))}
    if not o.get("inferColumnTypes", True):
        kwargs["dtype"] = str
    if o.get("emptyAsString"):
        kwargs["keep_default_na"] = False
    frame = pd.read_csv(source, **kwargs)
    if o.get("header", True) is False:
        frame.columns = ["Column%d" % (i + 1) for i in range(len(frame.columns))]
    for column, kind in (o.get("setColumnTypes") or {}).items():
        if column in frame.columns:
            target = _PANDAS_TYPES.get(kind, kind)
            frame[column] = pd.to_datetime(frame[column]) if target.startswith("datetime") else \
                frame[column].astype(target)
    if o.get("includePath"):
        frame.insert(0, "Path", "/" + rel)
    return frame


def _encoding(name):
    return {"utf8": "utf-8", "iso88591": "iso-8859-1", "latin1": "latin-1", "ascii": "ascii",
            "utf16": "utf-16", "windows1252": "cp1252"}.get(str(name).lower().replace("-", ""), name)
