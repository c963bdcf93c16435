"""The mock as a pytest fixture: one process for the session, reset before every test.

It starts the built command (`npm ci` builds it) on a free port and waits for its ready file,
which appears only once the mock answers and holds where it listens and the management keys.
"""

import json
import pathlib
import subprocess
import time
import urllib.request

import pytest

REPOSITORY = pathlib.Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def mock(tmp_path_factory):
    ready_file = tmp_path_factory.mktemp("mock") / "ready.json"
    process = subprocess.Popen(
        ["node", str(REPOSITORY / "dist" / "cli.js"), "--port", "0", "--ready-file", str(ready_file), "--log-level", "warn"],
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while not ready_file.exists():
        if process.poll() is not None:
            raise RuntimeError(f"the mock exited with {process.returncode} before it was ready")
        if time.monotonic() > deadline:
            process.kill()
            raise TimeoutError("the mock wrote no ready file within 30 s")
        time.sleep(0.02)
    ready = json.loads(ready_file.read_text())  # {url, origin, managementKeys, pid, version, control}
    yield ready
    process.terminate()  # SIGTERM: the mock closes and removes its ready file
    process.wait(timeout=10)


@pytest.fixture(autouse=True)
def fresh_mock(mock):
    """Every test starts from the start-up dataset: keys, clock, faults and journal as they were."""
    request = urllib.request.Request(f"{mock['origin']}/__mock/reset", method="POST")
    with urllib.request.urlopen(request) as response:
        assert response.status == 200
