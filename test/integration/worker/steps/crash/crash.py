"""First delivery: records its pid and hangs (the test kills the worker). Later deliveries finish at once."""
import os
import sys
import time

marker = os.environ["MARKER_FILE"]
out = sys.argv[1]
if not os.path.exists(marker):
    with open(marker, "w") as f:
        f.write(str(os.getpid()))
    print("first delivery: hanging", flush=True)
    time.sleep(300)
with open(os.path.join(out, "done.txt"), "w") as f:
    f.write("done")
print("second delivery: done", flush=True)
