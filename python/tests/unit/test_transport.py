"""The HTTP transport against a real HTTP server on loopback (http.server in a thread)."""

import http.server
import json
import socket
import threading

from azureml._sluice.http import Transport
from azureml.exceptions import AuthenticationException, ServiceException, UserErrorException

from .support import TempDirTest


class Server(object):
    """Answers each request with the next of ``answers``: ``(status, body, headers)``; records the requests."""

    def __init__(self, answers):
        self.answers = list(answers)
        self.requests = []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def handle_one(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                server.requests.append((self.command, self.path, dict(self.headers), body))
                status, payload, headers = server.answers.pop(0) if len(server.answers) > 1 else server.answers[0]
                data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
                self.send_response(status)
                for k, v in dict({"Content-Type": "application/json"}, **headers).items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = handle_one

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d" % self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


class TransportTest(TempDirTest):
    def serve(self, *answers):
        server = Server(answers)
        self.addCleanup(server.close)
        self.sleeps = []
        return server, Transport(server.url, lambda: "tok", retries=2, sleep=self.sleeps.append)

    def test_sends_a_bearer_token_and_json(self):
        server, transport = self.serve((200, {"ok": True}, {}))
        self.assertEqual(transport.json("POST", "runs/a%2Fb", json_body={"x": 1}, query={"dryRun": True,
                                                                                       "skip": None}), {"ok": True})
        method, path, headers, body = server.requests[0]
        self.assertEqual((method, path), ("POST", "/api/runs/a%2Fb?dryRun=true"))
        self.assertEqual(headers["Authorization"], "Bearer tok")
        self.assertEqual(headers["Content-Type"], "application/json")
        self.assertEqual(json.loads(body), {"x": 1})

    def test_the_servers_error_body_becomes_a_user_error_with_its_code_and_issues(self):
        issues = [{"path": "body.pipeline.steps[0].compute", "message": "must be a compute target name"}]
        _, transport = self.serve((400, {"error": {"code": "InvalidPipelineSpec", "message": "Invalid spec",
                                                   "details": {"issues": issues}}}, {"request-id": "req-1"}))
        with self.assertRaises(UserErrorException) as caught:
            transport.json("POST", "experiments/e/runs", json_body={})
        error = caught.exception
        self.assertEqual((error.status_code, error.code, str(error), error.request_id),
                         (400, "InvalidPipelineSpec", "Invalid spec", "req-1"))
        self.assertEqual(error.issues, issues)

    def test_401_and_403_are_authentication_errors(self):
        _, transport = self.serve((401, {"error": {"code": "Unauthorized", "message": "The token has expired"}}, {}))
        with self.assertRaises(AuthenticationException) as caught:
            transport.json("GET", "runs")
        self.assertIn("expired", str(caught.exception))

    def test_a_get_is_retried_after_a_5xx_and_429(self):
        server, transport = self.serve((503, b"busy", {}), (429, b"", {"Retry-After": "3"}), (200, {"v": 1}, {}))
        self.assertEqual(transport.json("GET", "runs"), {"v": 1})
        self.assertEqual(len(server.requests), 3)
        self.assertEqual(self.sleeps, [0.5, 3.0])

    def test_a_post_is_not_retried_unless_idempotent(self):
        server, transport = self.serve((500, {"error": {"code": "InternalError", "message": "boom"}}, {}),
                                       (200, {"v": 1}, {}))
        with self.assertRaises(ServiceException) as caught:
            transport.json("POST", "published-pipelines", json_body={})
        self.assertEqual(caught.exception.code, "InternalError")
        self.assertEqual(len(server.requests), 1)
        self.assertEqual(transport.json("POST", "experiments/e/runs", json_body={}, idempotent=True), {"v": 1})

    def test_retries_give_up(self):
        server, transport = self.serve((502, b"<html>bad gateway</html>", {}))
        with self.assertRaises(ServiceException) as caught:
            transport.json("GET", "runs")
        self.assertEqual(len(server.requests), 3)
        self.assertIn("HTTP 502", str(caught.exception))

    def test_no_server_is_a_service_error_that_says_how_to_start_one(self):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        transport = Transport("http://127.0.0.1:%d" % port, lambda: "t", retries=1, sleep=lambda s: None)
        with self.assertRaises(ServiceException) as caught:
            transport.json("POST", "published-pipelines", json_body={})
        self.assertEqual(caught.exception.status_code, 0)
        self.assertIn("npm start", str(caught.exception))

    def test_a_token_provider_failure_is_an_authentication_error(self):
        def broken():
            raise RuntimeError("no key")

        transport = Transport("http://127.0.0.1:9", broken)
        with self.assertRaises(AuthenticationException) as caught:
            transport.json("GET", "runs")
        self.assertIn("no key", str(caught.exception))
