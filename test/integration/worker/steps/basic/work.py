"""A step that reads its inputs, writes an output, and uses the run context the way Azure ML scripts do."""
import argparse
import os
import sys

from azureml.core import Run

parser = argparse.ArgumentParser()
parser.add_argument("--folder")
parser.add_argument("--single")
parser.add_argument("--upstream")
parser.add_argument("--out")
parser.add_argument("--fail", type=int, default=0)
args = parser.parse_args()
run = Run.get_context()

print("hello from the step")
print("to stderr", file=sys.stderr)
run.log("seen_inputs", len(run.input_datasets))
if args.fail:
    run.log("before_failure", 1)
    raise SystemExit(args.fail)

folder_files = sorted(os.listdir(args.folder))
with open(args.single) as f:
    single = f.read()
with open(os.path.join(args.upstream, "part.txt")) as f:
    upstream = f.read()
os.makedirs(os.path.join(args.out, "sub"), exist_ok=True)
with open(os.path.join(args.out, "summary.txt"), "w") as f:
    f.write("folder=%s\nsingle=%s\nupstream=%s\n" % (",".join(folder_files), single, upstream))
with open(os.path.join(args.out, "sub", "empty.txt"), "w") as f:
    pass

run.log("Accuracy", 0.5)
run.log("Accuracy", 0.75, description="last wins")
run.log_list("losses", [3, 2.5, 1])
run.log_row("roc", fpr=0.1, tpr=0.9)
run.tag("framework", "stdlib")
run.parent.log("pipeline_metric", 42)
run.parent.tag("owner", "tests")
run.upload_file("notes/readme.txt", os.path.join(args.out, "summary.txt"))
os.makedirs("outputs", exist_ok=True)
with open("outputs/model.bin", "wb") as f:
    f.write(b"\x00\x01model")
run.register_model("my_model", model_path="outputs/model.bin", tags={"k": "v"})
print("ids", run.id, run.parent.id, run.experiment.name, sorted(run.input_datasets), sorted(run.output_datasets))
