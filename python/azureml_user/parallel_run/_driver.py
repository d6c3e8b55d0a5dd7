"""The parallel step's driver: ``python -m azureml_user.parallel_run._driver ENTRY_SCRIPT [ARGUMENTS...]``.

Started by the Sluice worker (worker/parallel/runParallel.ts) as one of the step's warm processes. It imports the
entry script, calls ``init()`` once, then reads mini-batches from stdin (one JSON object a line), calls
``run(mini_batch)`` for each and answers on file descriptor 3; ``{"stop": true}`` or the end of stdin calls
``shutdown()`` if the script defines it. The entry script's own stdout and stderr go to the process log.

A mini-batch is ``{"index", "files": [local paths]}`` (``run`` gets the list of paths) or ``{"index", "table":
{"file", "start", "end", "rel", "options"}}`` (``run`` gets a pandas DataFrame of those rows, with the file's header,
read with the tabular dataset's ``options`` as ``to_pandas_dataframe()`` reads them; pandas is imported only then). Answers: ``{"event": "ready"}``, ``{"event": "init_failed", "error"}``, ``{"event": "done",
"index", "rows", "failed_items"}``, ``{"event": "failed", "index", "error"}``.
"""

import importlib.util
import io
import json
import logging
import os
import sys
import traceback


def _answer(channel, message):
    channel.write(json.dumps(message) + "\n")
    channel.flush()


def _load(entry_script):
    path = os.path.abspath(entry_script)
    sys.path.insert(0, os.path.dirname(path))
    spec = importlib.util.spec_from_file_location(os.path.splitext(os.path.basename(path))[0], path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    if not callable(getattr(module, "run", None)):
        raise AttributeError("entry script %s defines no run(mini_batch) function" % entry_script)
    return module


def _table(table):
    """The rows ``start``–``end`` of a delimited file, with its header line unless the dataset's options say it has
    none, read with the tabular dataset's options (``options``; without a dataset, ``,``, or tab for ``.tsv``)."""
    import pandas  # only for tabular input
    from azureml.data.tabular_dataset import read_delimited

    options = dict(table.get("options") or {})
    options.setdefault("separator", "\t" if table["file"].endswith(".tsv") else ",")
    with open(table["file"], "rb") as f:
        header = f.readline() if options.get("header", True) is not False else b""
        f.seek(table["start"])
        body = f.read(table["end"] - table["start"])
    return read_delimited(pandas, io.BytesIO(header + body), options, table.get("rel", ""))


def _rows(result):
    """What ``run`` returned as the lines appended to the output file, and how many items it answered for."""
    if result is None:
        return [], 0
    if hasattr(result, "to_csv") and hasattr(result, "columns"):  # a DataFrame: rows joined by spaces, as v1
        text = result.to_csv(sep=" ", header=False, index=False)
        lines = [line for line in text.splitlines() if line != ""]
        return lines, len(result)
    if isinstance(result, (list, tuple)):
        return [str(item) for item in result], len(result)
    raise TypeError("run() must return a list or a pandas DataFrame, not %s" % type(result).__name__)


def main(argv):
    if len(argv) < 1:
        sys.stderr.write("usage: python -m azureml_user.parallel_run._driver ENTRY_SCRIPT [ARGUMENTS...]\n")
        return 2
    # The answers go to fd 3; print() in the entry script must not mix with them.
    channel = os.fdopen(int(os.environ.get("SLUICE_PARALLEL_CHANNEL_FD", "3")), "w", encoding="utf-8")
    entry_script = argv[0]
    sys.argv = [entry_script] + list(argv[1:])
    level = os.environ.get("SLUICE_PARALLEL_LOGGING_LEVEL", "INFO")
    logging.basicConfig(stream=sys.stderr, level=getattr(logging, level, logging.INFO),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        module = _load(entry_script)
        if callable(getattr(module, "init", None)):
            module.init()
    except BaseException:  # noqa: B902 - init failing in any way fails the step
        error = traceback.format_exc()
        sys.stderr.write(error)
        _answer(channel, {"event": "init_failed", "error": error})
        return 1
    _answer(channel, {"event": "ready"})
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        message = json.loads(line)
        if message.get("stop"):
            break
        index = message["index"]
        try:
            if "files" in message:
                batch, items = message["files"], len(message["files"])
            else:
                batch = _table(message["table"])
                items = len(batch)
            rows, answered = _rows(module.run(batch))
            _answer(channel, {"event": "done", "index": index, "rows": rows,
                              "failed_items": max(0, items - answered) if "files" in message else 0})
        except Exception:
            error = traceback.format_exc()
            sys.stderr.write(error)
            _answer(channel, {"event": "failed", "index": index, "error": error})
    if callable(getattr(module, "shutdown", None)):
        module.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
