"""``Dataset.Tabular`` and ``Dataset.File``: datasets defined over ``(datastore, path)`` pairs, folders and globs."""

from azureml.data.abstract_dataset import path_pairs
from azureml.exceptions import UserErrorException

__all__ = ["TabularDatasetFactory", "FileDatasetFactory", "DataType"]


def _workspace_of(path):
    items = path if isinstance(path, list) else [path]
    for item in items:
        store = item[0] if isinstance(item, tuple) and item else getattr(item, "datastore", None)
        ws = getattr(store, "workspace", None)
        if ws is not None:
            return ws
    return None


def _need_workspace(path, validate):
    ws = _workspace_of(path)
    if ws is None:
        from azureml.core.workspace import Workspace

        if validate:
            ws = Workspace.from_config()
    return ws


def _create(dataset_class, path, validate, partition_format, options):
    """An unregistered dataset of ``dataset_class`` over ``path``, checked against the workspace when ``validate``."""
    if partition_format is not None:
        options["partitionFormat"] = str(partition_format)
    dataset = dataset_class._create(_need_workspace(path, validate), path_pairs(path), options)
    if validate:
        dataset._validate()
    return dataset


class TabularDatasetFactory(object):
    """``Dataset.Tabular``."""

    @staticmethod
    def from_delimited_files(path, validate=True, include_path=False, infer_column_types=True,
                             set_column_types=None, separator=",", header=True, partition_format=None,
                             support_multi_line=False, empty_as_string=False, encoding="utf8"):
        """A TabularDataset of delimited files: ``path`` is a ``(datastore, path)`` tuple, a DataPath, or a list of
        them; a path may be a file, a folder or a glob (``data/*.csv``, ``data/**/*.csv``). With ``validate``, a
        path that matches no file raises ``DatasetValidationError``."""
        from azureml.data.tabular_dataset import TabularDataset

        options = _delimited_options(include_path, infer_column_types, set_column_types, separator, header,
                                     support_multi_line, empty_as_string, encoding)
        return _create(TabularDataset, path, validate, partition_format, options)

    @staticmethod
    def from_parquet_files(*args, **kwargs):
        raise NotImplementedError("Dataset.Tabular.from_parquet_files is not supported by Sluice: use "
                                  "from_delimited_files, or a FileDataset and read the files in the step")

    @staticmethod
    def from_json_lines_files(*args, **kwargs):
        raise NotImplementedError("Dataset.Tabular.from_json_lines_files is not supported by Sluice: use a "
                                  "FileDataset and read the files in the step")

    @staticmethod
    def from_sql_query(*args, **kwargs):
        raise NotImplementedError("Dataset.Tabular.from_sql_query is not supported by Sluice: SQL datastores are "
                                  "not served")


class FileDatasetFactory(object):
    """``Dataset.File``."""

    @staticmethod
    def from_files(path, validate=True, partition_format=None, is_file=False):
        """A FileDataset: ``path`` as for ``from_delimited_files``. ``is_file=True`` says every path is a file (so
        no folder listing is needed); Sluice resolves paths the same way either way."""
        from azureml.data.file_dataset import FileDataset

        return _create(FileDataset, path, validate, partition_format, {})


class DataType(object):
    """Azure ML's column types for ``set_column_types`` (``DataType.to_long()`` etc.)."""

    def __init__(self, name):
        self._sluice_type = name

    @staticmethod
    def _name_of(value):
        if isinstance(value, DataType):
            return value._sluice_type
        if isinstance(value, str):
            return value.lower()
        raise UserErrorException("set_column_types: %r is not a DataType (DataType.to_string(), ...)" % (value,))

    @staticmethod
    def to_string():
        return DataType("string")

    @staticmethod
    def to_long():
        return DataType("long")

    @staticmethod
    def to_float(decimal_mark="."):
        return DataType("float")

    @staticmethod
    def to_bool():
        return DataType("bool")

    @staticmethod
    def to_datetime(formats=None):
        return DataType("datetime")

    def __repr__(self):
        return "DataType(%s)" % self._sluice_type



def _delimited_options(include_path=False, infer_column_types=True, set_column_types=None, separator=",",
                       header=True, support_multi_line=False, empty_as_string=False, encoding="utf8"):
    """How delimited files are read, checked as v1 checks them, in the service's words (``POST /api/datasets``'s
    ``delimited``); also what ``OutputFileDatasetConfig.read_delimited_files`` records."""
    if not isinstance(separator, str) or not separator:
        raise UserErrorException("separator must be a non-empty string, such as ',' or ';'")
    if isinstance(header, bool):
        header_flag = header
    else:
        text = str(getattr(header, "name", header)).upper()
        if text not in ("NO_HEADERS", "FROM_FIRST_FILE", "ALL_FILES_HAVE_SAME_HEADERS", "COMBINE_ALL_FILES_HEADERS"):
            raise UserErrorException("header must be True, False or a PromoteHeadersBehavior, not %r" % (header,))
        header_flag = text != "NO_HEADERS"
    if set_column_types is not None and not isinstance(set_column_types, dict):
        raise UserErrorException("set_column_types must be a dict of column name to DataType")
    options = {"separator": separator, "header": header_flag, "encoding": str(encoding),
               "includePath": bool(include_path), "inferColumnTypes": bool(infer_column_types),
               "supportMultiLine": bool(support_multi_line), "emptyAsString": bool(empty_as_string)}
    if set_column_types:
        options["setColumnTypes"] = {str(k): DataType._name_of(v) for k, v in set_column_types.items()}
    return options
