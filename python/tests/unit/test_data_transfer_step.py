"""``DataTransferStep``: v1's arguments become a spec ``type: data_transfer`` step; wrong types raise ValueError."""

from azureml.data import DataReference, OutputFileDatasetConfig
from azureml.pipeline.core import Pipeline, PipelineData
from azureml.pipeline.steps import DataTransferStep, PythonScriptStep

from .test_pipeline import PipelineTest


class DataTransfer(PipelineTest):
    def test_a_copy_into_pipeline_data_read_by_the_next_step(self):
        landing = DataReference("landing", data_reference_name="drop", path_on_datastore="drop/")
        staged = PipelineData("staged", datastore="workspaceblobstore")
        copy = DataTransferStep(name="copy", source_data_reference=landing, destination_data_reference=staged,
                                compute_target="adf", source_reference_type="directory", allow_reuse=False)
        train = PythonScriptStep(name="train", source_directory="scripts", script_name="train.py",
                                 arguments=["--data", staged], inputs=[staged])
        spec, _ = Pipeline(self.ws, [copy, train])._spec("p")
        self.assertEqual(spec["inputs"], {"drop": {"datastore": "landing", "path": "drop/"}})
        self.assertIn("staged", spec["data"])
        self.assertEqual(spec["steps"][0], {"name": "copy", "type": "data_transfer", "source": "drop",
                                            "destination": "staged", "source_reference_type": "directory",
                                            "allow_reuse": False})
        self.assertEqual(spec["steps"][1]["inputs"], ["staged"])

    def test_a_copy_to_a_datastore_path_and_from_an_output_file_dataset_config(self):
        out = OutputFileDatasetConfig(name="scores")
        score = PythonScriptStep(name="score", source_directory="scripts", script_name="prep.py",
                                 arguments=["--out", out])
        archive = DataReference("archive", data_reference_name="reports", path_on_datastore="reports/x.csv")
        copy = DataTransferStep("archive", source_data_reference=out.as_input(), destination_data_reference=archive,
                                destination_reference_type="file")
        spec, _ = Pipeline(self.ws, [score, copy])._spec("p")
        self.assertEqual(spec["steps"][1], {"name": "archive", "type": "data_transfer", "source": "scores",
                                            "destination": {"datastore": "archive", "path": "reports/x.csv"},
                                            "destination_reference_type": "file"})

    def test_wrong_arguments_raise_value_error(self):
        ref = DataReference("landing", data_reference_name="drop", path_on_datastore="drop/")
        with self.assertRaisesRegex(ValueError, "source_data_reference is required"):
            DataTransferStep("c", destination_data_reference=ref)
        with self.assertRaisesRegex(ValueError, "destination_data_reference must be a DataReference.*not str"):
            DataTransferStep("c", source_data_reference=ref, destination_data_reference="out/")
        with self.assertRaisesRegex(ValueError, "source_reference_type must be 'file' or 'directory', not 'folder'"):
            DataTransferStep("c", source_data_reference=ref, destination_data_reference=ref,
                             source_reference_type="folder")
        with self.assertRaisesRegex(ValueError, "a step needs a name"):
            DataTransferStep("", source_data_reference=ref, destination_data_reference=ref)
