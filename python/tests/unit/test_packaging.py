"""``pip install ./python`` works offline: the in-tree build backend makes a correct wheel of the package alone."""

import base64
import hashlib
import importlib.util
import os
import subprocess
import sys
import tempfile
import unittest
import zipfile

PACKAGE_DIR = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def backend():
    spec = importlib.util.spec_from_file_location("sluice_build", os.path.join(PACKAGE_DIR, "_build",
                                                                               "sluice_build.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Wheel(unittest.TestCase):
    def setUp(self):
        self.out = tempfile.mkdtemp(prefix="sluice-wheel-")

    def test_the_wheel_holds_the_packages_and_a_record_that_matches(self):
        name = backend().build_wheel(self.out)
        self.assertRegex(name, r"^sluice_azureml-[0-9][^-]*-py3-none-any\.whl$")
        with zipfile.ZipFile(os.path.join(self.out, name)) as wheel:
            names = wheel.namelist()
            for expected in ("azureml/__init__.py", "azureml/core/__init__.py", "azureml/pipeline/steps/__init__.py",
                             "sluice/run.py"):
                self.assertIn(expected, names)
            self.assertFalse([n for n in names if n.startswith(("tests/", "_build/")) or n.endswith(".pyc")])
            info = [n for n in names if n.endswith(".dist-info/RECORD")][0]
            for line in wheel.read(info).decode().splitlines():
                path, digest, size = line.rsplit(",", 2)
                if not digest:
                    continue
                data = wheel.read(path)
                expected = "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
                self.assertEqual((digest, int(size)), (expected, len(data)), path)
            metadata = wheel.read(info.replace("RECORD", "METADATA")).decode()
            self.assertIn("Name: sluice-azureml", metadata)
        # Pure Python: importable straight from the wheel.
        check = subprocess.run([sys.executable, "-c", "import azureml.core, azureml.pipeline.steps; "
                                "print(azureml.core.__file__)"],
                               env=dict(os.environ, PYTHONPATH=os.path.join(self.out, name)), capture_output=True,
                               text=True, cwd=self.out)
        self.assertEqual(check.returncode, 0, check.stderr)
        self.assertIn(name, check.stdout)

    def test_pip_installs_it_without_an_index(self):
        if subprocess.run([sys.executable, "-m", "pip", "--version"], capture_output=True).returncode != 0:
            self.skipTest("pip is not installed for %s" % sys.executable)
        target = os.path.join(self.out, "site")
        result = subprocess.run([sys.executable, "-m", "pip", "install", "--no-index", "--no-cache-dir",
                                 "--disable-pip-version-check", "--target", target, PACKAGE_DIR],
                                capture_output=True, text=True, cwd=self.out)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        check = subprocess.run([sys.executable, "-c", "import azureml.core; print(azureml.core.VERSION)"],
                               env=dict(os.environ, PYTHONPATH=target), capture_output=True, text=True,
                               cwd=self.out)
        self.assertEqual(check.returncode, 0, check.stderr)
        self.assertTrue(check.stdout.strip())

    def tearDown(self):
        import shutil

        shutil.rmtree(self.out, True)
