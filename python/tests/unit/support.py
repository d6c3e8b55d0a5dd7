"""Helpers of the unit tests: an in-memory transport (our own small interface) and a workspace that uses it."""

import json
import os
import shutil
import tempfile
import unittest

from azureml.core import Workspace
from azureml.exceptions import UserErrorException


class FakeTransport(object):
    """Records every call and answers from ``routes``: ``{(method, path): answer or [answers...] or callable}``."""

    base_url = "http://sluice.test"

    def __init__(self, routes=None):
        self.routes = dict(routes or {})
        self.calls = []

    def url(self, path, query=None):
        return "%s/api/%s" % (self.base_url, path)

    def json(self, method, path, **kwargs):
        self.calls.append(dict(kwargs, method=method, path=path))
        key = (method, path)
        if key not in self.routes:
            raise UserErrorException("no route %s %s" % key, status_code=404, code="NotFound")
        answer = self.routes[key]
        if isinstance(answer, list):
            answer = answer.pop(0) if len(answer) > 1 else answer[0]
        if callable(answer):
            answer = answer(**kwargs)
        if isinstance(answer, Exception):
            raise answer
        return json.loads(json.dumps(answer))

    def request(self, method, path, **kwargs):
        body = self.json(method, path, **kwargs)
        return _Response(body)

    def download(self, path, target, query=None):
        """Writes the route's answer (text) into ``target``, as the real transport streams a file."""
        content = self.json("GET", path, query=query)
        os.makedirs(os.path.dirname(os.path.abspath(target)), exist_ok=True)
        with open(target, "w") as f:
            f.write(content)
        return target

    def last(self, method=None, path=None):
        for call in reversed(self.calls):
            if (method is None or call["method"] == method) and (path is None or call["path"] == path):
                return call
        raise AssertionError("no %s %s call in %r" % (method, path, [(c["method"], c["path"]) for c in self.calls]))


class _Response(object):
    def __init__(self, body):
        self._value = body
        self.body = (body if isinstance(body, str) else "").encode("utf-8")
        self.headers = {"sluice-log-offset": str(len(self.body))}

    def text(self):
        return self.body.decode("utf-8")

    def json(self):
        return self._value


def compute_record(name, **extra):
    """A compute target as GET /api/compute-targets/<name> answers it."""
    record = {"name": name, "type": "AmlCompute", "source": "registered", "isDefault": False,
              "provisioningState": "Succeeded", "vmSize": "", "vmPriority": "dedicated", "minNodes": 0, "tags": {},
              "queue": "compute-%s" % name, "queueDepth": 0, "workerActive": False, "links": {}}
    record.update(extra)
    return record


def workspace(routes=None):
    transport = FakeTransport(routes)
    ws = Workspace("sub", "rg", "ws", url="http://sluice.test", _transport=transport)
    return ws, transport


class TempDirTest(unittest.TestCase):
    """A test with its own temporary folder as the current folder and a clean SLUICE_* environment."""

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="sluice-py-")
        self.addCleanup(shutil.rmtree, self.dir, True)
        cwd = os.getcwd()
        os.chdir(self.dir)
        self.addCleanup(os.chdir, cwd)
        saved = {k: os.environ.pop(k) for k in list(os.environ) if k.startswith("SLUICE_")}
        self.addCleanup(os.environ.update, saved)
        self.addCleanup(lambda: [os.environ.pop(k) for k in list(os.environ) if k.startswith("SLUICE_")])

    def write(self, rel, text="", mode=None):
        path = os.path.join(self.dir, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        if mode is not None:
            os.chmod(path, mode)
        return path
