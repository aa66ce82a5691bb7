"""The official checkpoints: where they come from, how they are installed and verified.

Each model has one official checkpoint, identified by the **git blob SHA-1** that its
upstream repository records for it (what ``git hash-object FILE`` prints). EfficientSAM-S
is published as a zip (GitHub refuses files over 100 MB): the zip is verified, then
``efficient_sam_vits.pt`` is extracted from it.

Installed files live in ``paths.weights_dir()`` under their upstream names. Beside each one
a small sidecar ``<name>.verified.json`` records the size, mtime and SHA-1 that were
verified, so later runs need only a ``stat``; a file whose size or mtime changed is hashed
again.

Downloads stream into ``<download name>.part`` in the same folder, resume with an HTTP
Range request when the server allows it, retry a few times with backoff, and are verified
before an atomic rename into place: a partial or wrong file is never used and never
replaces a good one. An interrupted transfer keeps its ``.part`` so that the next attempt
resumes; a complete but wrong download is deleted.

Environment:
    SAMROI_WEIGHTS_URL  base URL of a mirror serving the same file names as upstream
                        (efficient_sam_vitt.pt, efficient_sam_vits.pt.zip, mobile_sam.pt),
                        e.g. https://intranet.example/samroi/ or file:///mnt/share/weights/.
                        The files must be identical to upstream (they are verified).

A user's own checkpoint (fine-tuned, or the random test fixtures) is used with
``find_checkpoint(model, checkpoint=FILE)`` (CLI ``--checkpoint FILE``): it is checked
strictly against the model's state_dict layout instead of by identity.
"""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import hashlib
import http.client
import json
import os
import socket
import sys
import tempfile
import time
import urllib.error
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from . import __version__, paths
from .errors import DownloadError, InputError, WeightsError
from .modelspec import MODELS, get_spec

ENV_URL = "SAMROI_WEIGHTS_URL"
TIMEOUT = 30.0  # seconds without data before a connection counts as failed
CHUNK = 1 << 20

__all__ = [
    "ENV_URL",
    "OfficialWeights",
    "REGISTRY",
    "WeightsStatus",
    "registry_override",
    "download_url",
    "git_blob_sha1",
    "checkpoint_path",
    "install",
    "status",
    "verify",
    "installed_path",
    "find_checkpoint",
    "checkpoint_sha1",
]


@dataclass(frozen=True)
class OfficialWeights:
    """Where a model's official checkpoint comes from and how to recognise it."""

    model: str
    url: str  # upstream download URL
    sha1: str  # git blob SHA-1 of the file at ``url``
    # For a zip download: the checkpoint inside it, and its own blob SHA-1 when known.
    archive_member: str | None = None
    member_sha1: str | None = None

    @property
    def download_name(self) -> str:
        return self.url.rsplit("/", 1)[-1]

    @property
    def filename(self) -> str:
        return MODELS[self.model].checkpoint_name


_EFFICIENTSAM = "https://github.com/yformer/EfficientSAM/raw/d525f622e6f640acf5a0fc37c7ca1f243da5bde0/weights/"
_MOBILESAM = "https://github.com/ChaoningZhang/MobileSAM/raw/34bbbfdface3c18e5221aa7de6032d7220c6c6a1/weights/"

# Identities from shared/models/README.md (upstream tree entries at the pinned commits).
REGISTRY: dict[str, OfficialWeights] = {
    "efficientsam-ti": OfficialWeights(
        "efficientsam-ti",
        _EFFICIENTSAM + "efficient_sam_vitt.pt",
        "af883c49e33c68f01107be52df0ecad26a48355f",
    ),
    "efficientsam-s": OfficialWeights(
        "efficientsam-s",
        _EFFICIENTSAM + "efficient_sam_vits.pt.zip",
        "fa4e9f05f753e109dbde052f97d37903b833cf53",  # the .zip
        archive_member="efficient_sam_vits.pt",
        member_sha1=None,  # not published; fill in once the real file has been seen
    ),
    "mobilesam": OfficialWeights(
        "mobilesam",
        _MOBILESAM + "mobile_sam.pt",
        "7ef2d090979fd9853adf17b7a99c8b94a1c5a6a7",
    ),
}


@contextlib.contextmanager
def registry_override(model: str, **changes) -> Iterator[OfficialWeights]:
    """Temporarily change a registry entry (``url``, ``sha1``, ``archive_member``,
    ``member_sha1``): the hook for tests, and for private mirrors of re-packed files.

        with weights.registry_override("mobilesam", sha1=git_blob_sha1(my_file)):
            weights.install("mobilesam")
    """
    old = REGISTRY[model]
    REGISTRY[model] = dataclasses.replace(old, **changes)
    try:
        yield REGISTRY[model]
    finally:
        REGISTRY[model] = old


def _entry(model: str) -> OfficialWeights:
    get_spec(model)  # InputError for an unknown name
    return REGISTRY[model]


def download_url(model: str) -> str:
    """The URL ``install`` downloads from: upstream, or the SAMROI_WEIGHTS_URL mirror."""
    entry = _entry(model)
    base = os.environ.get(ENV_URL)
    if base:
        return base.rstrip("/") + "/" + entry.download_name
    return entry.url


def checkpoint_path(model: str) -> Path:
    """Where the official checkpoint of ``model`` is (or would be) installed."""
    return paths.weights_dir() / _entry(model).filename


def _sidecar(path: Path) -> Path:
    return path.with_name(path.name + ".verified.json")


# ---------------------------------------------------------------------------------------
# hashing


class _BlobHasher:
    """git's blob SHA-1: sha1(b"blob <size>\\0" + content), fed in chunks."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.seen = 0
        self._h = hashlib.sha1(f"blob {size}\0".encode("ascii"))

    def update(self, data: bytes) -> None:
        self.seen += len(data)
        self._h.update(data)

    def hexdigest(self) -> str:
        if self.seen != self.size:
            raise WeightsError(f"file changed while hashing ({self.seen} of {self.size} bytes)")
        return self._h.hexdigest()


def git_blob_sha1(path: str | Path) -> str:
    """The git blob SHA-1 of a file, as ``git hash-object FILE`` prints it (streaming)."""
    with open(path, "rb") as fh:
        hasher = _BlobHasher(os.fstat(fh.fileno()).st_size)
        while chunk := fh.read(CHUNK):
            hasher.update(chunk)
    return hasher.hexdigest()


# ---------------------------------------------------------------------------------------
# status and verification


@dataclass(frozen=True)
class WeightsStatus:
    model: str
    path: Path  # where the checkpoint is or would be installed
    installed: bool
    # "ok" | "missing" | "mismatch" (not the official file) | "unverified" (cannot tell)
    identity: str
    sha1: str | None  # git blob SHA-1 of the installed file, when known
    expected: str | None  # the official blob SHA-1 of the installed file, when known

    @property
    def ok(self) -> bool:
        return self.identity == "ok"


def _read_sidecar(path: Path) -> dict | None:
    try:
        return json.loads(_sidecar(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _write_sidecar(path: Path, entry: OfficialWeights, sha1: str, source_sha1: str) -> None:
    st = path.stat()
    doc = {
        "model": entry.model,
        "file": path.name,
        "size": st.st_size,
        "mtime_ns": st.st_mtime_ns,
        "sha1": sha1,
        "source": entry.download_name,
        "source_sha1": source_sha1,
        "verified": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    tmp = _sidecar(path).with_suffix(".tmp")
    tmp.write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")
    os.replace(tmp, _sidecar(path))


def _judge(entry: OfficialWeights, sha1: str, side: dict | None) -> tuple[str, str | None]:
    """(identity, expected sha1) of an installed file with blob SHA-1 ``sha1``."""
    if entry.archive_member is None:
        return ("ok" if sha1 == entry.sha1 else "mismatch"), entry.sha1
    if entry.member_sha1 is not None:
        return ("ok" if sha1 == entry.member_sha1 else "mismatch"), entry.member_sha1
    # The extracted file's identity is not published: trust what was extracted from the
    # verified zip, as recorded by install.
    if side and side.get("source_sha1") == entry.sha1 and side.get("sha1"):
        return ("ok" if sha1 == side["sha1"] else "mismatch"), side["sha1"]
    return "unverified", None


def status(model: str, *, rehash: bool = False) -> WeightsStatus:
    """Installed state of the official checkpoint; cheap unless the file changed or
    ``rehash`` is set. A file that verifies is (re)recorded in its sidecar."""
    entry = _entry(model)
    path = checkpoint_path(model)
    try:
        st = path.stat()
    except FileNotFoundError:
        return WeightsStatus(model, path, False, "missing", None, None)
    side = _read_sidecar(path)
    fresh = (
        side is not None
        and side.get("size") == st.st_size
        and side.get("mtime_ns") == st.st_mtime_ns
        and isinstance(side.get("sha1"), str)
    )
    sha1 = side["sha1"] if fresh and not rehash else git_blob_sha1(path)
    identity, expected = _judge(entry, sha1, side)
    if identity == "ok" and not (fresh and side.get("sha1") == sha1):
        source_sha1 = side.get("source_sha1", entry.sha1) if side else entry.sha1
        with contextlib.suppress(OSError):
            _write_sidecar(path, entry, sha1, source_sha1)
    return WeightsStatus(model, path, True, identity, sha1, expected)


def verify(model: str) -> WeightsStatus:
    """Hash the installed file again and compare it with the official identity."""
    return status(model, rehash=True)


def _ways_out(model: str) -> str:
    entry = _entry(model)
    return (
        "Two ways out:\n"
        f"  - download {entry.url} on a computer with internet access, copy it here and run\n"
        f"      samroi weights install {model} --from FILE\n"
        "  - or use a checkpoint file you already have (e.g. fine-tuned): --checkpoint FILE\n"
        f"(a mirror serving the same file names can be set with {ENV_URL}=URL)"
    )


def _not_official(st: WeightsStatus) -> WeightsError:
    if st.identity == "mismatch":
        why = (
            f"it is not the official file (git blob SHA-1 {st.sha1}, expected {st.expected}); "
            "it was changed or damaged"
        )
    else:
        why = "its identity cannot be verified (it was not installed by `samroi weights install`)"
    return WeightsError(
        f"the installed {MODELS[st.model].title} checkpoint {st.path} will not be used: {why}.\n"
        f"Reinstall it with: samroi weights install {st.model} (or --from FILE), "
        "or give your own file with --checkpoint FILE"
    )


def installed_path(model: str) -> Path | None:
    """The verified official checkpoint, or None when it is not installed.

    Raises WeightsError when a file is there but is not the official one."""
    st = status(model)
    if not st.installed:
        return None
    if not st.ok:
        raise _not_official(st)
    return st.path


def checkpoint_sha1(path: str | Path) -> str:
    """Git blob SHA-1 of a checkpoint file; free for verified installed checkpoints."""
    path = Path(path)
    side = _read_sidecar(path)
    if side:
        with contextlib.suppress(OSError):
            st = path.stat()
            if side.get("size") == st.st_size and side.get("mtime_ns") == st.st_mtime_ns:
                return side["sha1"]
    return git_blob_sha1(path)


def find_checkpoint(
    model: str,
    checkpoint: str | Path | None = None,
    *,
    download: bool = True,
    progress: bool = True,
) -> Path:
    """The checkpoint file to run ``model`` with.

    ``checkpoint`` (the user's own file) is accepted after a strict layout check. Without
    it, the verified official checkpoint is used, downloaded first when missing (unless
    ``download`` is False). Errors say what to do, including the offline ways out.
    """
    spec = get_spec(model)
    if checkpoint is not None:
        from .checkpoint import check_layout, read_state_dict

        path = Path(checkpoint).expanduser()
        if not path.is_file():
            raise WeightsError(f"checkpoint file {path} not found")
        check_layout(read_state_dict(path, spec, data=False), spec, path)
        return path
    path = installed_path(model)
    if path is not None:
        return path
    if not download:
        raise WeightsError(
            f"the {spec.title} weights are not installed ({checkpoint_path(model)}).\n"
            f"Install them with: samroi weights install {model}\n" + _ways_out(model)
        )
    return install(model, progress=progress)


# ---------------------------------------------------------------------------------------
# installing


@contextlib.contextmanager
def _lock(folder: Path, model: str):
    """Serialise installs of one model across processes (POSIX; no-op elsewhere)."""
    try:
        import fcntl
    except ImportError:  # Windows
        yield
        return
    with open(folder / f".{model}.lock", "a+b") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def _tmp_in(folder: Path, name: str) -> Path:
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=folder)
    os.close(fd)
    return Path(tmp)


def _copy_hashing(src, dst: Path, size: int) -> str:
    """Copy a binary stream to ``dst`` and return the blob SHA-1 of what was written."""
    hasher = _BlobHasher(size)
    with open(dst, "wb") as out:
        while chunk := src.read(CHUNK):
            hasher.update(chunk)
            out.write(chunk)
        out.flush()
        os.fsync(out.fileno())
    return hasher.hexdigest()


def _place(tmp: Path, entry: OfficialWeights, sha1: str, source_sha1: str) -> Path:
    final = paths.weights_dir() / entry.filename
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    paths.usual_permissions(tmp)
    os.replace(tmp, final)
    _write_sidecar(final, entry, sha1, source_sha1)
    return final


def _from_zip(zip_path: Path, entry: OfficialWeights, source_sha1: str) -> Path:
    """Extract the checkpoint of a verified zip to a temp file, then into place."""
    folder = paths.weights_dir()
    try:
        archive = zipfile.ZipFile(zip_path)
    except (zipfile.BadZipFile, OSError) as err:
        raise WeightsError(f"cannot open {zip_path}: {err}") from None
    with archive:
        members = [
            i
            for i in archive.infolist()
            if i.filename.rsplit("/", 1)[-1] == entry.archive_member
            and not i.filename.startswith("__MACOSX/")
            and not i.is_dir()
        ]
        if len(members) != 1:
            raise WeightsError(f"{zip_path} does not hold {entry.archive_member}")
        tmp = _tmp_in(folder, entry.filename)
        try:
            with archive.open(members[0]) as src:
                sha1 = _copy_hashing(src, tmp, members[0].file_size)
            if entry.member_sha1 is not None and sha1 != entry.member_sha1:
                raise WeightsError(
                    f"{entry.archive_member} in {zip_path} is not the official file: git blob "
                    f"SHA-1 {sha1}, expected {entry.member_sha1}"
                )
            return _place(tmp, entry, sha1, source_sha1)
        except zipfile.BadZipFile as err:
            raise WeightsError(f"{zip_path} is damaged: {err}") from None
        finally:
            tmp.unlink(missing_ok=True)


def _install_verified(path: Path, entry: OfficialWeights, sha1: str, *, move: bool) -> Path:
    """Put a file whose identity matched ``entry.sha1`` into place."""
    if entry.archive_member is not None:
        return _from_zip(path, entry, sha1)
    folder = paths.weights_dir()
    if move:
        return _place(path, entry, sha1, sha1)
    tmp = _tmp_in(folder, entry.filename)
    try:
        with open(path, "rb") as src:
            copied = _copy_hashing(src, tmp, os.fstat(src.fileno()).st_size)
        if copied != sha1:
            raise WeightsError(f"{path} changed while it was being copied; try again")
        return _place(tmp, entry, sha1, sha1)
    finally:
        tmp.unlink(missing_ok=True)


def _identity_error(what: str, entry: OfficialWeights, got: str, extra: str = "") -> WeightsError:
    title = MODELS[entry.model].title
    return WeightsError(
        f"{what} is not the official {title} file {entry.download_name}: "
        f"git blob SHA-1 {got}, expected {entry.sha1}.{extra}"
    )


def install(
    model: str,
    source: str | Path | None = None,
    progress: bool = True,
    *,
    force: bool = False,
    retries: int = 3,
    backoff: float = 1.0,
) -> Path:
    """Install the official checkpoint of ``model`` and return its path.

    ``source`` is a local copy of the official file (for EfficientSAM-S: the .zip);
    without it, and unless ``force`` is set or the installed file does not verify, the file
    is downloaded from ``download_url(model)`` with up to ``retries``
    retries (delays backoff, 2*backoff, ...) after an interrupted or failed transfer; an
    unreachable server (no network, DNS failure, connection refused) fails at once. The file is verified by its git blob SHA-1
    before it replaces anything.
    """
    entry = _entry(model)
    folder = paths.weights_dir()
    folder.mkdir(parents=True, exist_ok=True)
    with _lock(folder, model):
        if source is not None:
            src = Path(source).expanduser()
            if not src.is_file():
                raise InputError(f"{src} not found")
            got = git_blob_sha1(src)
            if got == entry.sha1:
                return _install_verified(src, entry, got, move=False)
            if entry.member_sha1 is not None and got == entry.member_sha1:
                plain = dataclasses.replace(entry, archive_member=None, sha1=entry.member_sha1)
                return _install_verified(src, plain, got, move=False)
            extra = ""
            if entry.archive_member is not None and entry.member_sha1 is None:
                extra = (
                    f" Give the {entry.download_name} archive as downloaded from {entry.url} "
                    f"(the identity of the extracted {entry.archive_member} is not published), "
                    "or use the file as it is with --checkpoint FILE."
                )
            raise _identity_error(str(src), entry, got, extra)
        if not force:
            st = status(model)
            if st.ok:
                return st.path
        url = download_url(model)
        part = folder / (entry.download_name + ".part")
        resumed = part.exists() and part.stat().st_size > 0
        _download(url, part, model, progress=progress, retries=retries, backoff=backoff)
        got = git_blob_sha1(part)
        if got != entry.sha1 and resumed:
            # The kept partial file may have come from another version of the file: the
            # resumed result is wrong, so download it once more from the start.
            part.unlink(missing_ok=True)
            _download(url, part, model, progress=progress, retries=retries, backoff=backoff)
            got = git_blob_sha1(part)
        if got != entry.sha1:
            part.unlink(missing_ok=True)
            raise _identity_error(
                f"the file downloaded from {url}",
                entry,
                got,
                " It was deleted; nothing was installed. If the URL is a mirror "
                f"({ENV_URL}), it serves a different file.",
            )
        try:
            return _install_verified(part, entry, got, move=True)
        finally:
            if entry.archive_member is not None:
                part.unlink(missing_ok=True)


# ---------------------------------------------------------------------------------------
# downloading


class _Retry(Exception):
    """A transient failure: try again (resuming when possible)."""


def _unreachable(err: BaseException) -> bool:
    """No route to the server at all (no DNS, refused, network down): not worth retrying."""
    reason = getattr(err, "reason", err)
    if isinstance(reason, (socket.gaierror, ConnectionRefusedError)):
        return True
    return isinstance(reason, OSError) and reason.errno in (
        errno.ENETUNREACH,
        errno.EHOSTUNREACH,
        errno.ENETDOWN,
        errno.ECONNREFUSED,
    )


def _offline(err: BaseException) -> bool:
    reason = getattr(err, "reason", err)
    return _unreachable(err) or isinstance(reason, (TimeoutError, socket.timeout))


def _content_range_start(value: str | None) -> tuple[int, int | None] | None:
    # "bytes 100-999/1000" -> (100, 1000); "bytes */1000" (416 answer) -> (-1, 1000)
    try:
        unit, rest = value.split(" ", 1)
        span, total = rest.split("/", 1)
        start = -1 if span.strip() == "*" else int(span.split("-", 1)[0])
        return start, (None if total.strip() == "*" else int(total))
    except (AttributeError, ValueError):
        return None


def _attempt(url: str, part: Path, progress: bool) -> None:
    offset = part.stat().st_size if part.exists() else 0
    request = urllib.request.Request(url, headers={"User-Agent": f"samroi/{__version__}"})
    if offset:
        request.add_header("Range", f"bytes={offset}-")
    try:
        response = urllib.request.urlopen(request, timeout=TIMEOUT)
    except ValueError as err:  # not a URL at all
        raise DownloadError(f"cannot download from {url!r}: {err}") from None
    except urllib.error.HTTPError as err:
        if err.code == 416 and offset:  # nothing left to send, or a wrong partial file
            span = _content_range_start(err.headers.get("Content-Range"))
            if span is not None and span[1] == offset:
                return  # the partial file is already complete
            part.unlink(missing_ok=True)
            raise _Retry(f"HTTP 416 for a resumed download of {url}; starting again") from None
        if err.code in (408, 425, 429) or err.code >= 500:
            raise _Retry(f"HTTP {err.code} {err.reason} from {url}") from None
        raise DownloadError(
            f"download of {url} failed: HTTP {err.code} {err.reason}.\n" + _ways_out_for(part)
        ) from None
    with response:
        code = response.status or 200  # file:// URLs have no status
        mode = "wb"
        total = None
        if code == 206 and offset:
            span = _content_range_start(response.headers.get("Content-Range"))
            if span is None or span[0] != offset:
                part.unlink(missing_ok=True)
                raise _Retry(f"{url} answered a resume request with the wrong range")
            mode, total = "ab", span[1]
        else:
            offset = 0
        length = response.headers.get("Content-Length")
        expected = int(length) if length and length.isdigit() else None
        if total is None and expected is not None:
            total = offset + expected
        got = 0
        with open(part, mode) as out, _progress(total, offset, part, progress) as bar:
            try:
                while chunk := response.read(CHUNK):
                    out.write(chunk)
                    got += len(chunk)
                    bar.update(len(chunk))
            except (OSError, http.client.HTTPException) as err:
                raise _Retry(f"transfer from {url} interrupted: {err}") from None
        if expected is not None and got < expected:
            raise _Retry(
                f"transfer from {url} interrupted after {offset + got} of {offset + expected} bytes"
            )


def _ways_out_for(part: Path) -> str:
    name = part.name[: -len(".part")]
    for model, entry in REGISTRY.items():
        if entry.download_name == name:
            return _ways_out(model)
    return ""


@contextlib.contextmanager
def _progress(total, initial, part, enabled):
    from tqdm import tqdm

    bar = tqdm(
        total=total,
        initial=initial,
        unit="B",
        unit_scale=True,
        unit_divisor=1024,
        desc=part.name[: -len(".part")],
        file=sys.stderr,
        disable=not enabled,
        leave=False,
    )
    try:
        yield bar
    finally:
        bar.close()


def _download(url: str, part: Path, model: str, *, progress: bool, retries: int, backoff: float):
    last: BaseException | None = None
    for attempt in range(retries + 1):
        if attempt:
            time.sleep(backoff * 2 ** (attempt - 1))
        try:
            _attempt(url, part, progress)
            return
        except _Retry as err:
            last = err
        except (urllib.error.URLError, OSError, http.client.HTTPException) as err:
            last = err  # connection-level failure
            if _unreachable(err):
                break  # no network or no server: retrying will not help
    reason = getattr(last, "reason", last)
    kept = part.stat().st_size if part.exists() else 0
    lines = [f"could not download the {MODELS[model].title} weights from {url}: {reason}"]
    if last is not None and _offline(last):
        lines.append(
            "This computer seems to have no network access (or a proxy/firewall blocks it)."
        )
    if kept:
        lines.append(f"{kept} bytes are kept in {part}; the next attempt resumes from there.")
    lines.append(_ways_out(model))
    raise DownloadError("\n".join(lines))
