"""Calls a Sluice published pipeline the way the Azure ML tutorial calls a published pipeline's REST endpoint with
``requests`` -- using only the standard library (urllib.request).

    python3 submit_published.py --endpoint URL --token TOKEN --experiment NAME --param reg_rate=0.1 [--wait]

Prints the run id (what Azure ML clients read from ``response.json()["Id"]``). With ``--wait`` it then polls the
run's status URL until the run ends and prints one JSON line: the run's status and the metrics of each step.
Exit codes: 0 submitted (with --wait: the run Completed), 1 the request or the run failed.
"""

import argparse
import json
import sys
import time
import urllib.error
import urllib.request


def call(method, url, token, body=None):
    data = None if body is None else json.dumps(body).encode("utf-8")
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Authorization", "Bearer " + token)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), json.loads(response.read().decode("utf-8"))
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), json.loads(err.read().decode("utf-8") or "null")


def parse_value(text):
    """``0.1`` -> 0.1, ``3`` -> 3, anything else stays text (as a JSON payload would carry it)."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoint", required=True, help="the published pipeline's endpoint URL")
    parser.add_argument("--token", required=True, help="a bearer token with the Sluice.Run role")
    parser.add_argument("--experiment", required=True)
    parser.add_argument("--param", action="append", default=[], help="NAME=VALUE (repeatable)")
    parser.add_argument("--wait", action="store_true", help="poll until the run ends")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds to wait at most")
    args = parser.parse_args()

    assignments = {}
    for item in args.param:
        name, _, value = item.partition("=")
        assignments[name] = parse_value(value)

    status, headers, body = call(
        "POST",
        args.endpoint,
        args.token,
        {"ExperimentName": args.experiment, "ParameterAssignments": assignments},
    )
    if status != 202:
        print("submit failed with HTTP %d: %s" % (status, json.dumps(body)), file=sys.stderr)
        return 1
    run_id = body["Id"]
    print(run_id, flush=True)
    if not args.wait:
        return 0

    status_url = body["links"]["self"]
    if headers.get("Location", headers.get("location")) != status_url:
        print("the Location header does not match links.self", file=sys.stderr)
        return 1
    deadline = time.time() + args.timeout
    while True:
        status, _, run = call("GET", status_url, args.token)
        if status != 200:
            print("polling failed with HTTP %d: %s" % (status, json.dumps(run)), file=sys.stderr)
            return 1
        if run["status"] in ("Completed", "Failed", "Canceled"):
            break
        if time.time() > deadline:
            print("the run is still %s after %gs" % (run["status"], args.timeout), file=sys.stderr)
            return 1
        time.sleep(0.5)
    metrics = {s["name"]: {m["name"]: m["value"] for m in s["metrics"]} for s in run["steps"]}
    print(json.dumps({"id": run["id"], "status": run["status"], "parameters": run["parameters"], "metrics": metrics}))
    return 0 if run["status"] == "Completed" else 1


if __name__ == "__main__":
    sys.exit(main())
