"""The WSGI entry point that gunicorn serves."""

import subprocess
import sys


def test_a_worker_freezes_what_it_loads_at_start_up_out_of_the_garbage_collectors_way():
    script = "import gc, portal.wsgi; print(gc.get_freeze_count(), callable(portal.wsgi.application))"
    output = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout.split()

    assert int(output[0]) > 100_000
    assert output[1] == "True"
