"""Starts a child and a grandchild, records their pids, ignores SIGTERM, and waits (to be stopped by the worker)."""
import os
import signal
import subprocess
import sys
import time

signal.signal(signal.SIGTERM, signal.SIG_IGN)
child = subprocess.Popen(["sleep", "300"])
middle = subprocess.Popen([sys.executable, "-c", "import subprocess, time, sys\n"
                           "p = subprocess.Popen(['sleep', '301'])\n"
                           "print(p.pid, flush=True)\n"
                           "time.sleep(300)\n"], stdout=subprocess.PIPE, text=True)
grandchild = int(middle.stdout.readline())
with open(os.environ["PIDS_FILE"], "w") as f:
    f.write("%d %d %d %d\n" % (os.getpid(), child.pid, middle.pid, grandchild))
print("started", flush=True)
time.sleep(300)
