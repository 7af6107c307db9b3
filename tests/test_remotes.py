"""Cloud remotes: each answer renders a DVC remote that DVC reads, with its plugin locked.

The full tier pushes to and pulls from a real S3 API: moto's server on 127.0.0.1.
"""

from __future__ import annotations

import hashlib
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from cookiecutter.exceptions import FailedHookException
from parsing import parse

REMOTES = {
    # answer: (an address, the DVC extra, the plugin it brings, the name `dvc version` lists)
    "s3": ("s3://practice-data/digits-study", "s3", "dvc-s3", "s3"),
    "gcs": ("gs://practice-data/digits-study", "gs", "dvc-gs", "gs"),
    "azure": ("azure://practice-data/digits-study", "azure", "dvc-azure", "azure"),
    "ssh": ("ssh://learner@data.example.org/srv/dvc/digits-study", "ssh", "dvc-ssh", "ssh"),
}
CLOUD = pytest.mark.parametrize("remote", list(REMOTES))


def dvc_extra_flags(study) -> list[str]:
    """What the study's setup adds to `uv sync` for its remote (kit/environment.py)."""
    return [
        flag for extra in study.command_layer("environment.EXTRAS") for flag in ("--extra", extra)
    ]


def render_with_remote(render, remote: str):
    return render(dvc_remote=remote, dvc_remote_url=REMOTES[remote][0])


@CLOUD
def test_a_cloud_remote_without_its_address_is_refused(render, remote, capfd):
    for url in ("", "http://example.org/data", REMOTES[remote][0] + " with space"):
        with pytest.raises(FailedHookException) as refused:  # as typed, or by the hook
            render(dvc_remote=remote, dvc_remote_url=url)
        err = f"{refused.value}\n{capfd.readouterr().err}"
        assert "dvc_remote_url" in err and REMOTES[remote][0].split("//")[0] in err


@CLOUD
def test_the_study_locks_and_installs_the_plugin_its_remote_needs(render, remote):
    study = render_with_remote(render, remote)
    _, dvc_extra, plugin, _ = REMOTES[remote]
    assert dvc_extra_flags(study) == ["--extra", remote]
    lock = parse(study.path / "uv.lock")
    packages = {p["name"]: p for p in lock["package"]}
    study_entry = packages[study.path.name]
    assert study_entry["optional-dependencies"][remote] == [{"name": "dvc", "extra": [dvc_extra]}]
    assert plugin in {d["name"] for d in packages["dvc"]["optional-dependencies"][dvc_extra]}
    assert plugin in packages
    # The study's data page names the address, the extra, and where credentials go instead.
    page = study.read("docs/data.md")
    assert f"`{REMOTES[remote][0]}`" in page and f"the `{remote}` extra" in page
    assert "`.dvc/config.local`" in page


@pytest.mark.parametrize("remote", ["local", "none"])
def test_a_study_without_a_cloud_remote_installs_no_plugin(render, remote):
    study = render(dvc_remote=remote)
    assert dvc_extra_flags(study) == []
    assert "://" not in study.read(".dvc/config")
    assert "credentials" not in study.read("docs/data.md")


@pytest.mark.slow
@CLOUD
def test_dvc_reads_each_cloud_remote_and_has_its_plugin(render, remote):
    study = render_with_remote(render, remote)
    study.make("setup")
    dvc = str(study.path / ".venv/bin/dvc")
    listed = study.run(dvc, "remote", "list").stdout.split()
    assert listed[:2] == ["storage", REMOTES[remote][0]]
    assert study.run(dvc, "remote", "default").stdout.strip() == "storage"
    supports = study.run(dvc, "version").stdout.split("Supports:")[1].split("Config:")[0]
    assert f"\t{REMOTES[remote][3]} (" in supports


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def s3_server(tmp_path):
    """moto's S3 server on 127.0.0.1, stopped after the test: yields its endpoint URL."""
    port = free_port()
    log = (tmp_path / "moto.log").open("w")
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("moto_server")), "-H", "127.0.0.1", "-p", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(endpoint, timeout=2).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    log = (tmp_path / "moto.log").read_text()
                    raise RuntimeError(f"moto did not start: {log}") from None
                time.sleep(0.3)
        yield endpoint
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def digests(folder: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.iterdir())
        if p.is_file() and p.name != ".gitkeep"
    }


@pytest.mark.slow
def test_s3_push_then_pull_restores_the_data(render, s3_server, monkeypatch):
    import boto3  # comes with moto; only this test needs it

    # Credentials come from the environment, as the study's docs/data.md tells learners.
    for name, value in [
        ("AWS_ACCESS_KEY_ID", "testing"),
        ("AWS_SECRET_ACCESS_KEY", "testing"),
        ("AWS_DEFAULT_REGION", "us-east-1"),
    ]:
        monkeypatch.setenv(name, value)
    bucket = boto3.client("s3", endpoint_url=s3_server)
    bucket.create_bucket(Bucket="practice-data")

    study = render_with_remote(render, "s3")
    study.make("study")
    dvc = str(study.path / ".venv/bin/dvc")
    # The endpoint is this machine's business: it goes in the git-ignored local config.
    study.run(dvc, "remote", "modify", "--local", "storage", "endpointurl", s3_server)
    before = digests(study.path / "data/raw")
    assert before

    study.run(dvc, "push")
    stored = bucket.list_objects_v2(Bucket="practice-data", Prefix="digits-study/")
    assert stored["KeyCount"] >= len(before)

    shutil.rmtree(study.path / ".dvc/cache")
    for name in before:
        (study.path / "data/raw" / name).unlink()
    study.run(dvc, "pull")
    assert digests(study.path / "data/raw") == before

    config = study.read(".dvc/config")
    assert "endpointurl" not in config and "testing" not in config
    assert ".dvc/config" not in study.run("git", "status", "--porcelain").stdout
