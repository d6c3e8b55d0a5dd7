"""One small HTTP transport for the Sluice REST API (``urllib`` only): bearer tokens, JSON bodies, retries of what is
safe to retry, and the server's ``{"error": {code, message, details}}`` turned into the v1 SDK's exceptions."""

import json
import os
import shutil
import socket
import time
import urllib.error
import urllib.parse
import urllib.request

from azureml.exceptions import AuthenticationException, ServiceException, UserErrorException

__all__ = ["Transport", "error_from_response"]

USER_AGENT = "sluice-azureml-python"


def _quote(segment):
    return urllib.parse.quote(str(segment), safe="")


def api_path(*segments):
    """``api_path("runs", run_id, "cancel")`` → ``runs/<encoded id>/cancel``."""
    return "/".join(_quote(s) for s in segments)


def _preview(text):
    one_line = " ".join(text.split())
    return one_line if len(one_line) <= 200 else one_line[:200] + "…"


def error_from_response(status, body, label, request_id=None):
    """The exception for a non-2xx answer: the server's message and code, with the class users catch."""
    try:
        parsed = json.loads(body.decode("utf-8") if isinstance(body, bytes) else body)
    except (ValueError, UnicodeDecodeError):
        parsed = None
    error = parsed.get("error") if isinstance(parsed, dict) else None
    if isinstance(error, dict) and isinstance(error.get("message"), str):
        code, message, details = error.get("code"), error["message"], error.get("details")
    else:
        text = body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body or "")
        code, message, details = "Http%d" % status, "%s failed with HTTP %d%s" % (
            label, status, (": " + _preview(text)) if text else ""), None
    if status in (401, 403):
        cls = AuthenticationException
    elif 400 <= status < 500:
        cls = UserErrorException
    else:
        cls = ServiceException
    return cls(message, status_code=status, code=code, details=details, request_id=request_id)


class Response(object):
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def json(self):
        try:
            return json.loads(self.body.decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            raise ServiceException("the service answered %d with a body that is not JSON: %s" % (
                self.status, _preview(self.body.decode("utf-8", "replace"))), status_code=self.status,
                code="BadResponse")

    def text(self):
        return self.body.decode("utf-8", "replace")


class Transport(object):
    """Sends requests under ``<base_url>/api/``.

    ``token`` is a callable returning a bearer token (called before every request, so it decides how long to cache).
    GETs and requests marked ``idempotent`` (submits carry an ``Idempotency-Key``) are retried after a dropped
    connection, a 429 or a 5xx (not 501), ``retries`` times with a growing pause; anything else only when the
    connection was refused, which means nothing was sent.
    """

    def __init__(self, base_url, token, retries=4, timeout=120, backoff=0.5, sleep=time.sleep):
        self.base_url = base_url.rstrip("/")
        self._token = token
        self.retries = retries
        self.timeout = timeout
        self.backoff = backoff
        self._sleep = sleep

    def url(self, path, query=None):
        url = "%s/api/%s" % (self.base_url, path)
        pairs = [(k, "true" if v is True else "false" if v is False else str(v))
                 for k, v in (query or {}).items() if v is not None]
        return url + ("?" + urllib.parse.urlencode(pairs) if pairs else "")

    def token(self):
        return self._token()

    def request(self, method, path, query=None, json_body=None, data=None, content_type=None, headers=None,
                idempotent=None, timeout=None, sink=None):
        """Sends one request (with retries) and returns the ``Response`` of a 2xx; raises otherwise. ``sink``: a
        function given the open answer (a file-like object) that consumes it, for downloads that stream; it is called
        again from the start when a GET is retried, and the Response's body is then what it returned."""
        label = "%s /api/%s" % (method, path.split("?")[0])
        url = self.url(path, query)
        body = None
        all_headers = {"Accept": "application/json", "User-Agent": USER_AGENT}
        if json_body is not None:
            body = json.dumps(json_body).encode("utf-8")
            all_headers["Content-Type"] = "application/json"
        elif data is not None:
            body = data
            all_headers["Content-Type"] = content_type or "application/octet-stream"
        all_headers.update(headers or {})
        safe = method == "GET" if idempotent is None else idempotent
        attempt = 0
        while True:
            attempt += 1
            try:
                all_headers["Authorization"] = "Bearer " + self._token()
            except AuthenticationException:
                raise
            except Exception as err:  # a provider's own failure: say where the token was for
                raise AuthenticationException("Could not get a token for %s: %s" % (self.base_url, err),
                                              inner_exception=err, status_code=0, code="NoToken")
            request = urllib.request.Request(url, data=body, headers=all_headers, method=method)
            try:
                with urllib.request.urlopen(request, timeout=timeout or self.timeout) as answer:
                    return Response(answer.status, answer.headers, sink(answer) if sink else answer.read())
            except urllib.error.HTTPError as err:
                payload = err.read()
                error = error_from_response(err.code, payload, label, err.headers.get("request-id"))
                transient = err.code == 429 or (err.code >= 500 and err.code != 501)
                if not (safe and transient and attempt <= self.retries):
                    raise error
                self._pause(attempt, err.headers.get("retry-after"))
            except (urllib.error.URLError, socket.timeout, ConnectionError, OSError) as err:
                reason = getattr(err, "reason", err)
                refused = isinstance(reason, ConnectionRefusedError)
                if not ((safe or refused) and attempt <= self.retries):
                    raise ServiceException(
                        "Could not reach Sluice at %s (%s). Is it running? Locally, start it with `npm start`; "
                        "otherwise check SLUICE_URL or the sluice_url of your config.json." % (self.base_url, reason),
                        inner_exception=err, status_code=0, code="ConnectionFailed")
                self._pause(attempt, None)

    def json(self, method, path, **kwargs):
        return self.request(method, path, **kwargs).json()

    def download(self, path, target, query=None):
        """GETs ``path`` into the file ``target`` in chunks (never whole in memory), through a temporary file next
        to it, so ``target`` appears only complete. Returns ``target``."""
        folder = os.path.dirname(os.path.abspath(target))
        os.makedirs(folder, exist_ok=True)
        partial = "%s.part-%d" % (target, os.getpid())

        def save(answer):
            with open(partial, "wb") as f:
                shutil.copyfileobj(answer, f, 1024 * 1024)
            return b""

        try:
            self.request("GET", path, query=query, headers={"Accept": "application/octet-stream"}, sink=save)
            os.replace(partial, target)
        finally:
            if os.path.exists(partial):
                os.remove(partial)
        return target

    def _pause(self, attempt, retry_after):
        delay = self.backoff * (2 ** (attempt - 1))
        try:
            if retry_after is not None:
                delay = max(delay, min(float(retry_after), 10.0))
        except ValueError:
            pass
        self._sleep(delay)
