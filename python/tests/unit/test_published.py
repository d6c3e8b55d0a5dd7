from azureml.core import Experiment
from azureml.data import DataReference
from azureml.exceptions import UserErrorException
from azureml.pipeline.core import PipelineEndpoint, PublishedPipeline

from .support import TempDirTest, workspace

RECORD = {"id": "pp1", "name": "diabetes", "description": "d", "version": "1.0", "status": "Active",
          "endpoint": "http://sluice.test/api/published-pipelines/pp1/submit", "pipelineId": "abc",
          "parameters": [{"name": "reg_rate", "type": "float", "default": 0.01, "required": False}]}
ENDPOINT = {"name": "ep", "defaultVersion": "0", "endpoint": "http://sluice.test/api/pipeline-endpoints/ep/submit",
            "versions": [{"version": "0", "publishedPipelineId": "pp1"}]}


class Published(TempDirTest):
    def test_get_list_and_attributes(self):
        ws, transport = workspace({("GET", "published-pipelines/pp1"): RECORD,
                                   ("GET", "published-pipelines"): {"value": [RECORD]}})
        published = PublishedPipeline.get(ws, id="pp1")
        self.assertEqual((published.id, published.name, published.version, published.status, published.graph_id),
                         ("pp1", "diabetes", "1.0", "Active", "abc"))
        self.assertEqual(published.parameters[0]["name"], "reg_rate")
        PublishedPipeline.list(ws)
        self.assertEqual(transport.last("GET", "published-pipelines")["query"], {"status": "Active"})
        PublishedPipeline.list(ws, active_only=False)
        self.assertIsNone(transport.last("GET", "published-pipelines")["query"])
        with self.assertRaises(UserErrorException):
            PublishedPipeline.get(ws, "")

    def test_submit_sends_azure_mls_payload(self):
        ws, transport = workspace({("GET", "published-pipelines/pp1"): RECORD,
                                   ("POST", "published-pipelines/pp1/submit"): {"Id": "r1", "id": "r1"}})
        published = PublishedPipeline.get(ws, "pp1")
        run = published.submit(ws, "nightly", pipeline_parameters={
            "reg_rate": 0.1, "raw_data": DataReference("workspaceblobstore", "raw_data", "new/")},
            continue_on_step_failure=True)
        call = transport.last("POST", "published-pipelines/pp1/submit")
        self.assertEqual(call["json_body"], {"ExperimentName": "nightly", "ParameterAssignments": {"reg_rate": 0.1},
                                             "DataPathAssignments": {"raw_data": {"datastore": "workspaceblobstore",
                                                                                  "path": "new/"}},
                                             "continueOnStepFailure": True})
        self.assertIn("Idempotency-Key", call["headers"])
        self.assertEqual((run.id, run.experiment.name), ("r1", "nightly"))
        run = Experiment(ws, "other").submit(published, pipeline_parameters={"reg_rate": 1})
        self.assertEqual(transport.last("POST", "published-pipelines/pp1/submit")["json_body"]["ExperimentName"],
                         "other")
        with self.assertRaises(UserErrorException):
            published.submit(ws, "")
        with self.assertRaises(UserErrorException):
            published.submit(ws, "e", pipeline_parameters={"x": [1]})

    def test_disable_and_enable(self):
        ws, transport = workspace({("GET", "published-pipelines/pp1"): RECORD,
                                   ("POST", "published-pipelines/pp1/disable"): dict(RECORD, status="Disabled"),
                                   ("POST", "published-pipelines/pp1/enable"): RECORD})
        published = PublishedPipeline.get(ws, "pp1")
        published.disable()
        self.assertEqual(published.status, "Disabled")
        published.enable()
        self.assertEqual(published.status, "Active")


class Endpoints(TempDirTest):
    def test_publish_add_default_submit(self):
        ws, transport = workspace({("GET", "published-pipelines/pp1"): RECORD,
                                   ("GET", "published-pipelines/pp2"): dict(RECORD, id="pp2"),
                                   ("PUT", "pipeline-endpoints/ep"): ENDPOINT,
                                   ("GET", "pipeline-endpoints/ep"): ENDPOINT,
                                   ("POST", "pipeline-endpoints/ep/submit"): {"Id": "r9", "id": "r9"}})
        first = PublishedPipeline.get(ws, "pp1")
        endpoint = PipelineEndpoint.publish(ws, name="ep", description="stable", pipeline=first)
        self.assertEqual(transport.last("PUT", "pipeline-endpoints/ep")["json_body"],
                         {"publishedPipelineId": "pp1", "makeDefault": True, "description": "stable"})
        self.assertEqual((endpoint.name, endpoint.default_version), ("ep", "0"))
        endpoint.add_default(PublishedPipeline.get(ws, "pp2"))
        self.assertEqual(transport.last("PUT", "pipeline-endpoints/ep")["json_body"],
                         {"publishedPipelineId": "pp2", "makeDefault": True})
        endpoint = PipelineEndpoint.get(ws, name="ep")
        run = endpoint.submit("e", pipeline_parameters={"reg_rate": 2}, pipeline_version="0")
        call = transport.last("POST", "pipeline-endpoints/ep/submit")
        self.assertEqual((call["query"], call["json_body"]), ({"version": "0"}, {
            "ExperimentName": "e", "ParameterAssignments": {"reg_rate": 2}}))
        self.assertEqual(run.id, "r9")
        self.assertEqual(endpoint.get_pipeline().id, "pp1")
        with self.assertRaises(UserErrorException):
            endpoint.get_pipeline(version="7")
        with self.assertRaises(UserErrorException):
            PipelineEndpoint.publish(ws, "ep", "d", pipeline="pp1")
        with self.assertRaises(UserErrorException):
            PipelineEndpoint.get(ws)
