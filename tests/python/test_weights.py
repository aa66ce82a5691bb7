"""samroi.weights and `samroi weights`: identity, install, download (against a local HTTP
server on 127.0.0.1 -- no test talks to the internet)."""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import threading
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from samroi import weights
from samroi.cli import main
from samroi.errors import DownloadError, WeightsError
from samroi.weights import git_blob_sha1, registry_override


def _dead_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/weights/"  # nothing listens there


@pytest.fixture(autouse=True)
def home(tmp_path, monkeypatch):
    """Every test gets its own SAMROI_HOME and a mirror URL that cannot reach anything."""
    monkeypatch.setenv("SAMROI_HOME", str(tmp_path / "home"))
    monkeypatch.setenv(weights.ENV_URL, _dead_url())
    return tmp_path / "home"


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):  # quiet
        pass

    def do_GET(self):  # noqa: N802
        srv = self.server
        srv.requests.append((self.path, self.headers.get("Range")))
        name = self.path.rsplit("/", 1)[-1]
        if name not in srv.files:
            self.send_error(404, "Not Found")
            return
        body = srv.files[name]
        start = 0
        rng = self.headers.get("Range")
        if rng and srv.honour_range and rng.startswith("bytes=") and rng.endswith("-"):
            start = int(rng[6:-1])
            if start >= len(body):
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{len(body)}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
        else:
            self.send_response(200)
            self.send_header("Accept-Ranges", "bytes" if srv.honour_range else "none")
        part = body[start:]
        self.send_header("Content-Length", str(len(part)))
        self.send_header("Connection", "close")
        self.end_headers()
        if srv.truncate > 0:
            srv.truncate -= 1
            self.wfile.write(part[: len(part) // 2])  # promised more, then close
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(part)


@pytest.fixture
def server(monkeypatch):
    """A local mirror; set .files, .truncate (number of responses to cut short) and
    .honour_range; .requests logs (path, Range header)."""
    srv = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    srv.daemon_threads = True
    srv.files, srv.requests, srv.truncate, srv.honour_range = {}, [], 0, True
    thread = threading.Thread(target=srv.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    monkeypatch.setenv(weights.ENV_URL, f"http://127.0.0.1:{srv.server_address[1]}/mirror/")
    yield srv
    srv.shutdown()
    srv.server_close()


def _blob(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


@pytest.fixture
def payload():
    return os.urandom(300_000)


def _leftovers(home: Path) -> list[str]:
    folder = home / "weights"
    if not folder.exists():
        return []
    return sorted(p.name for p in folder.iterdir() if not p.name.endswith(".lock"))


# --- identity -----------------------------------------------------------------------------


def test_git_blob_sha1(tmp_path):
    (tmp_path / "hello").write_bytes(b"hello\n")
    assert git_blob_sha1(tmp_path / "hello") == "ce013625030ba8dba906f756967f9e9ca394464a"
    (tmp_path / "empty").write_bytes(b"")
    assert git_blob_sha1(tmp_path / "empty") == "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391"
    big = os.urandom(3 * weights.CHUNK + 17)  # several chunks
    (tmp_path / "big").write_bytes(big)
    assert git_blob_sha1(tmp_path / "big") == _blob(big)


def test_registry_matches_models_readme():
    assert weights.REGISTRY["efficientsam-ti"].sha1 == "af883c49e33c68f01107be52df0ecad26a48355f"
    assert weights.REGISTRY["efficientsam-s"].sha1 == "fa4e9f05f753e109dbde052f97d37903b833cf53"
    assert weights.REGISTRY["efficientsam-s"].download_name == "efficient_sam_vits.pt.zip"
    assert weights.REGISTRY["mobilesam"].sha1 == "7ef2d090979fd9853adf17b7a99c8b94a1c5a6a7"
    with registry_override("mobilesam", sha1="0" * 40):
        assert weights.REGISTRY["mobilesam"].sha1 == "0" * 40
    assert weights.REGISTRY["mobilesam"].sha1.startswith("7ef2d0")


def test_download_url_override(monkeypatch):
    monkeypatch.delenv(weights.ENV_URL)
    assert weights.download_url("mobilesam").startswith("https://github.com/ChaoningZhang/")
    monkeypatch.setenv(weights.ENV_URL, "file:///mnt/mirror")
    assert weights.download_url("efficientsam-s") == "file:///mnt/mirror/efficient_sam_vits.pt.zip"


# --- downloads ----------------------------------------------------------------------------


def test_download_reference_checkpoint(server, reference_dir, home):
    data = (reference_dir / "mobile_sam_random.pt").read_bytes()
    server.files["mobile_sam.pt"] = data
    with registry_override("mobilesam", sha1=_blob(data)):
        path = weights.install("mobilesam", progress=False)
        assert path == home / "weights" / "mobile_sam.pt"
        assert path.read_bytes() == data
        assert weights.status("mobilesam").ok
        assert weights.installed_path("mobilesam") == path
        assert weights.find_checkpoint("mobilesam") == path
    assert _leftovers(home) == ["mobile_sam.pt", "mobile_sam.pt.verified.json"]


def test_truncated_download_installs_nothing_then_resumes(server, payload, home):
    server.files["mobile_sam.pt"] = payload
    server.truncate = 10  # every response is cut short
    with registry_override("mobilesam", sha1=_blob(payload)):
        with pytest.raises(DownloadError, match="interrupted") as err:
            weights.install("mobilesam", progress=False, retries=2, backoff=0)
        assert "--from FILE" in str(err.value) and "--checkpoint FILE" in str(err.value)
        assert not (home / "weights" / "mobile_sam.pt").exists()
        assert weights.status("mobilesam").identity == "missing"
        assert weights.installed_path("mobilesam") is None
        part = home / "weights" / "mobile_sam.pt.part"
        assert _leftovers(home) == ["mobile_sam.pt.part"]  # kept only to resume
        kept = part.stat().st_size
        assert 0 < kept < len(payload)
        # Next attempt: the server behaves; the download resumes where it stopped.
        server.truncate, server.requests[:] = 0, []
        path = weights.install("mobilesam", progress=False, backoff=0)
        assert server.requests == [("/mirror/mobile_sam.pt", f"bytes={kept}-")]
        assert path.read_bytes() == payload
    assert _leftovers(home) == ["mobile_sam.pt", "mobile_sam.pt.verified.json"]


def test_range_resume_within_one_install(server, payload, home):
    server.files["mobile_sam.pt"] = payload
    server.truncate = 2  # the first two responses are cut short, then fine
    with registry_override("mobilesam", sha1=_blob(payload)):
        path = weights.install("mobilesam", progress=False, backoff=0)
    assert path.read_bytes() == payload
    ranges = [r for _, r in server.requests]
    assert ranges[0] is None and ranges[1] == f"bytes={len(payload) // 2}-" and len(ranges) == 3


def test_server_without_range_retries_cleanly(server, payload, home):
    server.files["mobile_sam.pt"] = payload
    server.truncate, server.honour_range = 1, False
    with registry_override("mobilesam", sha1=_blob(payload)):
        path = weights.install("mobilesam", progress=False, backoff=0)
    assert path.read_bytes() == payload  # the 200 answer restarted the file, no duplication
    assert server.requests[1][1] is not None  # asked to resume, server sent it all


def test_wrong_file_is_refused_and_good_install_kept(server, payload, home):
    server.files["mobile_sam.pt"] = payload
    good = _blob(payload)
    with registry_override("mobilesam", sha1=good):
        installed = weights.install("mobilesam", progress=False)
        server.files["mobile_sam.pt"] = b"not the official file" + payload[:1000]
        bad = _blob(server.files["mobile_sam.pt"])
        server.requests[:] = []
        assert weights.install("mobilesam", progress=False) == installed  # verified: no download
        assert server.requests == []
        with pytest.raises(WeightsError) as err:
            weights.install("mobilesam", progress=False, force=True)
        assert not isinstance(err.value, DownloadError)
        assert good in str(err.value) and bad in str(err.value)
        assert installed.read_bytes() == payload
        assert weights.status("mobilesam").ok
    assert _leftovers(home) == ["mobile_sam.pt", "mobile_sam.pt.verified.json"]


def test_stale_or_complete_part_file(server, payload, home):
    server.files["mobile_sam.pt"] = payload
    part = home / "weights" / "mobile_sam.pt.part"
    part.parent.mkdir(parents=True)
    with registry_override("mobilesam", sha1=_blob(payload)):
        # A .part left from another version of the file: resumed, wrong, then restarted.
        part.write_bytes(b"junk" * 1000)
        assert weights.install("mobilesam", progress=False).read_bytes() == payload
        assert [r for _, r in server.requests] == ["bytes=4000-", None]
        # A .part that is already complete: the server answers 416, nothing is re-sent.
        part.write_bytes(payload)
        server.requests[:] = []
        assert weights.install("mobilesam", progress=False, force=True).read_bytes() == payload
        assert [r for _, r in server.requests] == [f"bytes={len(payload)}-"]
    assert _leftovers(home) == ["mobile_sam.pt", "mobile_sam.pt.verified.json"]


def test_404_names_the_url(server, home):
    with pytest.raises(DownloadError) as err:
        weights.install("efficientsam-ti", progress=False, backoff=0)
    url = weights.download_url("efficientsam-ti")
    assert url in str(err.value) and "404" in str(err.value)
    assert len(server.requests) == 1  # not retried
    assert _leftovers(home) == []
    assert main(["weights", "install", "efficientsam-ti", "--quiet"]) == 5


def test_no_network_message_shows_the_ways_out(home):
    with pytest.raises(DownloadError) as err:
        weights.find_checkpoint("efficientsam-ti", progress=False)
    message = str(err.value)
    assert "no network access" in message
    assert "samroi weights install efficientsam-ti --from FILE" in message
    assert "--checkpoint FILE" in message
    with pytest.raises(WeightsError, match="not installed") as err:
        weights.find_checkpoint("mobilesam", download=False)
    assert "--from FILE" in str(err.value)


def test_zip_download_extracts_checkpoint(server, payload, home, tmp_path):
    buf = tmp_path / "efficient_sam_vits.pt.zip"
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("efficient_sam_vits.pt", payload)
    server.files["efficient_sam_vits.pt.zip"] = buf.read_bytes()
    with registry_override("efficientsam-s", sha1=git_blob_sha1(buf)):
        path = weights.install("efficientsam-s", progress=False)
        assert path.name == "efficient_sam_vits.pt" and path.read_bytes() == payload
        st = weights.verify("efficientsam-s")
        assert st.ok and st.sha1 == _blob(payload)
        # A changed file is noticed (size/mtime differ from the sidecar) and re-verified.
        path.write_bytes(payload[::-1])
        assert weights.status("efficientsam-s").identity == "mismatch"
        with pytest.raises(WeightsError, match="will not be used"):
            weights.installed_path("efficientsam-s")
        # The .zip also installs with --from; the extracted .pt alone cannot be verified.
        assert weights.install("efficientsam-s", source=buf).read_bytes() == payload
        (tmp_path / "loose.pt").write_bytes(payload)
        with pytest.raises(WeightsError, match="identity of the extracted"):
            weights.install("efficientsam-s", source=tmp_path / "loose.pt")
    assert _leftovers(home) == ["efficient_sam_vits.pt", "efficient_sam_vits.pt.verified.json"]


def test_status_is_cached_until_the_file_changes(server, payload, home, monkeypatch):
    server.files["mobile_sam.pt"] = payload
    with registry_override("mobilesam", sha1=_blob(payload)):
        path = weights.install("mobilesam", progress=False)
        real = weights.git_blob_sha1
        monkeypatch.setattr(weights, "git_blob_sha1", lambda p: pytest.fail("re-hashed"))
        assert weights.status("mobilesam").ok  # sidecar: no hashing
        assert weights.checkpoint_sha1(path) == _blob(payload)
        monkeypatch.setattr(weights, "git_blob_sha1", real)
        os.utime(path, ns=(1, 1))  # touched, same bytes: re-verified, still ok
        assert weights.status("mobilesam").ok
        with open(path, "r+b") as fh:  # same size, different bytes
            fh.write(b"X")
        os.utime(path, ns=(2, 2))
        st = weights.status("mobilesam")
        assert st.identity == "mismatch" and st.expected == _blob(payload)


# --- user checkpoints ---------------------------------------------------------------------


def test_user_checkpoint_is_checked_by_layout(reference_dir):
    ti = reference_dir / "efficient_sam_vitt_random.pt"
    mobile = reference_dir / "mobile_sam_random.pt"
    assert weights.find_checkpoint("efficientsam-ti", ti) == ti
    assert weights.find_checkpoint("mobilesam", mobile) == mobile
    with pytest.raises(WeightsError, match="looks like a MobileSAM checkpoint, not EfficientSAM-Ti"):
        weights.find_checkpoint("efficientsam-ti", mobile)
    with pytest.raises(WeightsError, match="not found"):
        weights.find_checkpoint("mobilesam", reference_dir / "nope.pt")


# --- command line -------------------------------------------------------------------------


def test_cli_install_from_file(reference_dir, home, tmp_path, capsys):
    src = tmp_path / "mobile_sam.pt"
    shutil.copyfile(reference_dir / "mobile_sam_random.pt", src)
    with registry_override("mobilesam", sha1=git_blob_sha1(src)):
        assert main(["weights", "path", "mobilesam"]) == 4
        assert main(["weights", "install", "mobilesam", "--from", str(src)]) == 0
        assert (home / "weights" / "mobile_sam.pt").read_bytes() == src.read_bytes()
        capsys.readouterr()
        assert main(["weights", "list"]) == 0
        out = capsys.readouterr().out
        assert "mobilesam" in out and "ok" in out and "missing" in out
        assert main(["weights", "verify"]) == 0
        assert main(["weights", "verify", "mobilesam"]) == 0
        assert main(["weights", "verify", "efficientsam-ti"]) == 4  # not installed
        capsys.readouterr()
        assert main(["weights", "path", "mobilesam"]) == 0
        assert capsys.readouterr().out.strip() == str(home / "weights" / "mobile_sam.pt")
    # The real identity: the random fixture is not the official file.
    capsys.readouterr()
    assert main(["weights", "install", "mobilesam", "--from", str(src)]) == 4
    err = capsys.readouterr().err
    assert "7ef2d090979fd9853adf17b7a99c8b94a1c5a6a7" in err and git_blob_sha1(src) in err
    assert main(["weights", "verify", "mobilesam"]) == 4  # installed file is not official
    assert main(["weights", "install", "mobilesam", "--from", str(tmp_path / "none")]) == 3
