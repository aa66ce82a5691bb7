"""Read PyTorch checkpoints without torch, and without running code from the file.

``torch.save`` (since PyTorch 1.6) writes a zip archive::

    <archive>/data.pkl      the pickled object; tensors refer to storages by key
    <archive>/data/<key>    the raw bytes of each storage
    <archive>/byteorder     "little" or "big" (absent in old files: little)

A pickle can name any Python callable and have it called while loading, which is how a
malicious "checkpoint" runs code. This reader unpickles ``data.pkl`` with a whitelist that
holds only what a state_dict needs (OrderedDict, the tensor rebuild functions, the storage
types, dtypes); every other global is refused with a WeightsError before anything is called.
Tensors come back as numpy arrays (bfloat16 is widened to float32, exactly).

The legacy format (before PyTorch 1.6, a bare pickle stream) cannot be read this way and is
refused with instructions to convert it.
"""

from __future__ import annotations

import io
import pickle
import zipfile
from collections import OrderedDict
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from .errors import WeightsError

__all__ = [
    "TensorMeta",
    "load",
    "read_state_dict",
    "check_layout",
    "load_layout",
    "LAYOUT_MODELS",
]

# Refuse absurd pickles before reading them into memory (a state_dict pickle is < 1 MB).
_MAX_PICKLE_BYTES = 64 * 1024 * 1024

# The legacy format starts with this number, pickled (torch.serialization.MAGIC_NUMBER).
_LEGACY_MAGIC = pickle.dumps(0x1950A86A20F9469CFC6C, protocol=2)[2:]


class TensorMeta(NamedTuple):
    """Shape and dtype of a tensor whose data was not read (``load(..., data=False)``)."""

    shape: tuple[int, ...]
    dtype: np.dtype


# ---------------------------------------------------------------------------------------
# The whitelist. Every callable handed to the unpickler is an instance of a class with
# empty __slots__, so a pickle cannot set attributes on it (BUILD fails) and cannot reach
# anything else through it.


class _DType:
    """A torch dtype named in the pickle, e.g. ``torch.float32``."""

    __slots__ = ("name", "np_dtype")

    def __init__(self, name: str, np_dtype: np.dtype) -> None:
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "np_dtype", np_dtype)

    def __setattr__(self, key, value):  # noqa: D105 - immutable
        raise AttributeError("read-only")

    def __repr__(self) -> str:
        return f"torch.{self.name}"


# numpy dtype (little-endian) per torch dtype name; None for bfloat16 (special-cased).
_DTYPES: dict[str, np.dtype | None] = {
    "float32": np.dtype("<f4"),
    "float": np.dtype("<f4"),
    "float64": np.dtype("<f8"),
    "double": np.dtype("<f8"),
    "float16": np.dtype("<f2"),
    "half": np.dtype("<f2"),
    "bfloat16": None,
    "int64": np.dtype("<i8"),
    "long": np.dtype("<i8"),
    "int32": np.dtype("<i4"),
    "int": np.dtype("<i4"),
    "int16": np.dtype("<i2"),
    "short": np.dtype("<i2"),
    "int8": np.dtype("i1"),
    "uint8": np.dtype("u1"),
    "uint16": np.dtype("<u2"),
    "uint32": np.dtype("<u4"),
    "uint64": np.dtype("<u8"),
    "bool": np.dtype("?"),
}

# torch.<Name>Storage -> dtype name
_STORAGES = {
    "FloatStorage": "float32",
    "DoubleStorage": "float64",
    "HalfStorage": "float16",
    "BFloat16Storage": "bfloat16",
    "LongStorage": "int64",
    "IntStorage": "int32",
    "ShortStorage": "int16",
    "CharStorage": "int8",
    "ByteStorage": "uint8",
    "BoolStorage": "bool",
    "UntypedStorage": "uint8",
}


class _StorageType:
    __slots__ = ("dtype",)

    def __init__(self, dtype: str) -> None:
        object.__setattr__(self, "dtype", dtype)

    def __setattr__(self, key, value):
        raise AttributeError("read-only")


class _Storage:
    """A storage record of the archive: raw bytes (or only their count) and a dtype."""

    __slots__ = ("key", "dtype", "numel", "array")

    def __init__(self, key: str, dtype: str, numel: int, array: np.ndarray | None) -> None:
        for name, value in zip(self.__slots__, (key, dtype, numel, array)):
            object.__setattr__(self, name, value)

    def __setattr__(self, key, value):  # a pickle must not change what a storage holds
        raise AttributeError("read-only")


class _Callable:
    __slots__ = ()

    def __setattr__(self, key, value):
        raise AttributeError("read-only")


class _MakeOrderedDict(_Callable):
    def __call__(self, *args):
        return OrderedDict(*args)


class _RebuildTensorV2(_Callable):
    # torch._utils._rebuild_tensor_v2(storage, storage_offset, size, stride,
    #                                  requires_grad, backward_hooks, metadata=None)
    def __call__(self, storage, storage_offset, size, stride, *rest):
        return _tensor(storage, storage_offset, size, stride, None)


class _RebuildTensorV3(_Callable):
    # torch._utils._rebuild_tensor_v3(storage, storage_offset, size, stride,
    #                                  requires_grad, backward_hooks, dtype, metadata=None)
    def __call__(self, storage, storage_offset, size, stride, requires_grad, hooks, dtype, *rest):
        if not isinstance(dtype, _DType):
            raise _refuse("a tensor with an unknown dtype")
        return _tensor(storage, storage_offset, size, stride, dtype.name)


class _RebuildParameter(_Callable):
    # torch._utils._rebuild_parameter(data, requires_grad, backward_hooks)
    # torch._utils._rebuild_parameter_with_state(data, requires_grad, backward_hooks, state)
    def __call__(self, data, *rest):
        if not isinstance(data, (np.ndarray, TensorMeta)):
            raise _refuse("a parameter that is not a tensor")
        return data


class _TensorClass(_Callable):
    """torch.Tensor / torch.nn.Parameter named as the type in _rebuild_from_type_v2."""


class _RebuildFromTypeV2(_Callable):
    # torch._tensor._rebuild_from_type_v2(func, new_type, args, state)
    def __call__(self, func, new_type, args, state):
        if not isinstance(func, (_RebuildTensorV2, _RebuildTensorV3, _RebuildParameter)):
            raise _refuse("a tensor rebuilt by an unknown function")
        if not isinstance(new_type, _TensorClass) or not isinstance(args, tuple):
            raise _refuse("a tensor subclass")
        if state:
            raise _refuse("a tensor with extra Python attributes")
        return func(*args)


_REBUILD_V2 = _RebuildTensorV2()
_REBUILD_PARAM = _RebuildParameter()
_TENSOR_CLASS = _TensorClass()

_WHITELIST: dict[tuple[str, str], Any] = {
    ("collections", "OrderedDict"): _MakeOrderedDict(),
    ("torch._utils", "_rebuild_tensor_v2"): _REBUILD_V2,
    ("torch._utils", "_rebuild_tensor_v3"): _RebuildTensorV3(),
    ("torch._utils", "_rebuild_parameter"): _REBUILD_PARAM,
    ("torch._utils", "_rebuild_parameter_with_state"): _REBUILD_PARAM,
    ("torch._tensor", "_rebuild_from_type_v2"): _RebuildFromTypeV2(),
    ("torch", "Tensor"): _TENSOR_CLASS,
    ("torch._tensor", "Tensor"): _TENSOR_CLASS,
    ("torch.nn.parameter", "Parameter"): _TENSOR_CLASS,
}
for _name, _dt in _STORAGES.items():
    _WHITELIST[("torch", _name)] = _StorageType(_dt)
_WHITELIST[("torch.storage", "UntypedStorage")] = _StorageType("uint8")
for _name, _np in _DTYPES.items():
    _WHITELIST[("torch", _name)] = _DType(
        {"float": "float32", "double": "float64", "half": "float16", "long": "int64",
         "int": "int32", "short": "int16"}.get(_name, _name),
        _np,
    )


class _Refused(Exception):
    """Raised inside the unpickler; turned into a WeightsError naming the file."""


def _refuse(what: str) -> _Refused:
    return _Refused(what)


class _Corrupt(Exception):
    """A structurally broken archive (missing or short storage record)."""


def _np_dtype(name: str) -> np.dtype:
    dt = _DTYPES[name]
    return np.dtype("<u2") if dt is None else dt  # bfloat16 is read as raw uint16


def _tensor(storage, offset, size, stride, dtype_name):
    if not isinstance(storage, _Storage):
        raise _refuse("a tensor whose data is not a storage of the archive")
    if not (isinstance(offset, int) and isinstance(size, tuple) and isinstance(stride, tuple)):
        raise _refuse("a malformed tensor")
    if len(size) != len(stride) or not all(isinstance(v, int) and v >= 0 for v in size + stride):
        raise _refuse("a malformed tensor")
    dtype = dtype_name or storage.dtype
    if dtype not in _DTYPES:
        raise _refuse(f"a tensor of dtype {dtype}")
    if dtype_name is not None and dtype_name != storage.dtype:
        # v3 tensors view an untyped (byte) storage with a dtype of their own.
        if storage.dtype != "uint8":
            raise _refuse("a tensor whose dtype does not match its storage")
        itemsize = _np_dtype(dtype).itemsize
        if storage.numel % itemsize:
            raise _refuse("a storage whose size is not a multiple of its dtype")
        numel = storage.numel // itemsize
        data = None if storage.array is None else storage.array.view(_np_dtype(dtype))
    else:
        numel, data = storage.numel, storage.array
    if data is not None and (not isinstance(data, np.ndarray) or data.size != numel):
        raise _refuse("a tampered storage")
    count = int(np.prod(size, dtype=np.int64)) if size else 1
    if count and offset + sum((n - 1) * s for n, s in zip(size, stride)) >= numel:
        raise _refuse("a tensor that reaches outside its storage")
    out_dtype = np.dtype("<f4") if dtype == "bfloat16" else _np_dtype(dtype)
    if data is None:
        return TensorMeta(tuple(size), out_dtype)
    itemsize = data.itemsize
    if count == 0:
        arr = np.zeros(size, dtype=data.dtype)
    else:
        arr = np.lib.stride_tricks.as_strided(
            data[offset:],
            shape=size,
            strides=tuple(s * itemsize for s in stride),
            writeable=False,
        ).copy()  # contiguous, owns its memory
    if dtype == "bfloat16":
        arr = (arr.astype(np.uint32) << 16).view(np.float32)
    return arr.astype(arr.dtype.newbyteorder("="), copy=False)


class _Unpickler(pickle.Unpickler):
    def __init__(self, file, archive: zipfile.ZipFile, prefix: str, big_endian: bool, data: bool):
        super().__init__(file)
        self._archive = archive
        self._prefix = prefix
        self._big = big_endian
        self._data = data
        self._storages: dict[str, _Storage] = {}

    def find_class(self, module: str, name: str):
        try:
            return _WHITELIST[(module, name)]
        except (KeyError, TypeError):
            raise _Refused(f"{module}.{name}") from None

    def persistent_load(self, pid):
        if not (isinstance(pid, tuple) and len(pid) == 5 and pid[0] == "storage"):
            raise _Refused(f"an unknown persistent object {pid!r:.80}")
        _, storage_type, key, _location, numel = pid
        if not isinstance(storage_type, _StorageType):
            raise _Refused("a storage of unknown type")
        if not isinstance(key, str) or not isinstance(numel, int) or numel < 0:
            raise _Refused("a malformed storage reference")
        if key in self._storages:
            return self._storages[key]
        name = f"{self._prefix}data/{key}"
        try:
            info = self._archive.getinfo(name)
        except KeyError:
            raise _Corrupt(f"storage record {name} is missing") from None
        dtype = _np_dtype(storage_type.dtype)
        nbytes = numel * dtype.itemsize
        if info.file_size < nbytes:
            raise _Corrupt(f"storage record {name} is shorter than its tensor data")
        array = None
        if self._data:
            raw = self._archive.read(name)
            array = np.frombuffer(raw, dtype=dtype.newbyteorder(">" if self._big else "<"),
                                  count=numel)
        storage = _Storage(key, storage_type.dtype, numel, array)
        self._storages[key] = storage
        return storage


def _what_is(path: Path) -> str:
    """A hint for a file that is not a zip-format torch checkpoint."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(64)
    except OSError:
        return ""
    if head[:1] == b"\x80" and _LEGACY_MAGIC in head[:16]:
        return (
            "it is in the legacy PyTorch format (torch.save before PyTorch 1.6), which can "
            "only be read by running the pickle it contains; samroi does not do that. If you "
            "trust the file, convert it once with PyTorch: python -c \"import torch; "
            "torch.save(torch.load('OLD.pt', weights_only=True), 'NEW.pt')\""
        )
    if head[:1] == b"\x80":
        return (
            "it is a bare pickle, not a torch.save zip archive; loading it would mean running "
            "the code it may contain, so samroi does not read it"
        )
    return "it is not a PyTorch checkpoint written by torch.save (PyTorch 1.6 or later)"


def load(path: str | Path, *, data: bool = True) -> Any:
    """Unpickle a torch.save zip checkpoint safely; tensors become numpy arrays.

    With ``data=False`` the storages are not read and each tensor is a TensorMeta
    (shape, dtype): fast, for layout checks. Raises WeightsError for anything that is not
    a plain container of tensors, numbers and strings, and for unreadable files.
    """
    path = Path(path)
    if not path.is_file():
        raise WeightsError(f"checkpoint {path} not found")
    if not zipfile.is_zipfile(path):
        raise WeightsError(f"cannot read checkpoint {path}: {_what_is(path)}")
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as err:
        raise WeightsError(f"cannot read checkpoint {path}: damaged zip archive ({err})") from None
    with archive:
        pickles = [n for n in archive.namelist() if n.endswith("data.pkl") and n.count("/") == 1]
        if len(pickles) != 1:
            members = [n for n in archive.namelist() if n.lower().endswith((".pt", ".pth"))]
            hint = (
                f"it is a zip archive holding {', '.join(members[:3])}; extract that file "
                "first (for EfficientSAM-S use `samroi weights install efficientsam-s --from "
                f"{path}`)"
                if members
                else "it is a zip archive but not a PyTorch checkpoint (no <name>/data.pkl)"
            )
            raise WeightsError(f"cannot read checkpoint {path}: {hint}")
        prefix = pickles[0][: -len("data.pkl")]
        big = False
        if f"{prefix}byteorder" in archive.namelist():
            order = archive.read(f"{prefix}byteorder").strip()
            if order not in (b"little", b"big"):
                raise WeightsError(f"cannot read checkpoint {path}: unknown byte order {order!r}")
            big = order == b"big"
        info = archive.getinfo(pickles[0])
        if info.file_size > _MAX_PICKLE_BYTES:
            raise WeightsError(
                f"cannot read checkpoint {path}: its pickle is {info.file_size} bytes, far "
                "larger than any state_dict; it will not be loaded"
            )
        try:
            blob = archive.read(pickles[0])
            unpickler = _Unpickler(io.BytesIO(blob), archive, prefix, big, data)
            return unpickler.load()
        except _Refused as err:
            raise WeightsError(
                f"refusing to load {path}: the file contains code or objects that are not "
                f"tensors ({err}) and will not be loaded. A model checkpoint holds only "
                "tensors; if this file comes from a source you trust, re-save its "
                "state_dict with torch.save(model.state_dict(), ...)"
            ) from None
        except _Corrupt as err:
            raise WeightsError(f"cannot read checkpoint {path}: {err} (damaged file?)") from None
        except WeightsError:
            raise
        except Exception as err:  # truncated/garbled pickle, zip CRC error, ...
            raise WeightsError(
                f"cannot read checkpoint {path}: damaged or not a checkpoint "
                f"({type(err).__name__}: {err})"
            ) from None


# ---------------------------------------------------------------------------------------
# state_dict extraction and the strict layout check


def _is_state_dict(obj: Any) -> bool:
    return (
        isinstance(obj, dict)
        and len(obj) > 0
        and all(isinstance(k, str) for k in obj)
        and all(isinstance(v, (np.ndarray, TensorMeta)) for v in obj.values())
    )


def read_state_dict(path: str | Path, spec, *, data: bool = True) -> dict[str, np.ndarray]:
    """The state_dict of a checkpoint for ``spec`` (a ModelSpec), as {key: array}.

    EfficientSAM files keep it under ``spec.checkpoint_key`` ("model"); MobileSAM's is a
    bare dict. The other arrangement is accepted too (a fine-tuned model may be saved
    either way); anything else is a WeightsError. No layout check here: see check_layout.
    """
    path = Path(path)
    obj = load(path, data=data)
    candidates = []
    if isinstance(obj, dict):
        if spec.checkpoint_key and spec.checkpoint_key in obj:
            candidates.append(obj[spec.checkpoint_key])
        candidates.append(obj)
        for key in ("model", "state_dict"):
            if key in obj:
                candidates.append(obj[key])
    for cand in candidates:
        if _is_state_dict(cand):
            return dict(cand)
    where = (
        f'a dict with key "{spec.checkpoint_key}" holding the state_dict'
        if spec.checkpoint_key
        else "a bare state_dict (a dict of tensors)"
    )
    found = (
        f"a dict with keys {', '.join(map(repr, list(obj)[:6]))}"
        if isinstance(obj, dict)
        else f"a {type(obj).__name__}"
    )
    raise WeightsError(
        f"{path} is not a {spec.title} checkpoint: expected {where}, found {found}"
    )


LAYOUT_MODELS = ("efficientsam-ti", "efficientsam-s", "mobilesam")
_layout_cache: dict[str, dict[str, tuple[tuple[int, ...], str]]] = {}


def load_layout(model: str) -> dict[str, tuple[tuple[int, ...], str]]:
    """{key: (shape, dtype name)} of the official state_dict of ``model``, in file order."""
    if model not in _layout_cache:
        import json
        from importlib import resources

        text = (resources.files("samroi") / "data" / "layouts" / f"{model}.json").read_text(
            encoding="utf-8"
        )
        doc = json.loads(text)
        _layout_cache[model] = {
            k: (tuple(shape), dtype) for k, (shape, dtype) in doc["layout"].items()
        }
    return _layout_cache[model]


def _compatible(dtype: np.dtype, expected: str) -> bool:
    kind = np.dtype(expected).kind
    return dtype.kind == kind or (kind in "iu" and dtype.kind in "iu")


def _mismatches(state, layout) -> tuple[list[str], list[str], list[str]]:
    missing = [k for k in layout if k not in state]
    unexpected = [k for k in state if k not in layout]
    wrong = []
    for key, (shape, dtype) in layout.items():
        if key in state:
            got = state[key]
            if tuple(got.shape) != shape:
                wrong.append(f"{key}: shape {list(got.shape)}, expected {list(shape)}")
            elif not _compatible(np.dtype(got.dtype), dtype):
                wrong.append(f"{key}: dtype {np.dtype(got.dtype).name}, expected {dtype}")
    return missing, unexpected, wrong


def _few(items: list[str], n: int = 4) -> str:
    more = f" and {len(items) - n} more" if len(items) > n else ""
    return ", ".join(items[:n]) + more


def check_layout(state: dict, spec, path: str | Path | None = None) -> None:
    """Raise WeightsError unless ``state`` has exactly the official keys and shapes.

    Like ``load_state_dict(strict=True)``: no key missing, none extra, every shape equal;
    dtypes must be of the same kind (floating where the model has float32; any integer
    for BatchNorm ``num_batches_tracked``). float16/float64 are accepted for float32
    entries: cast with ``.astype(np.float32)`` before use.
    """
    layout = load_layout(spec.name)
    missing, unexpected, wrong = _mismatches(state, layout)
    if not (missing or unexpected or wrong):
        return
    from .modelspec import MODELS

    where = f"{path}" if path is not None else "the checkpoint"
    lines = [f"{where} does not fit {spec.title} ({spec.name}):"]
    if missing:
        lines.append(f"  {len(missing)} missing key(s): {_few(missing)}")
    if unexpected:
        lines.append(f"  {len(unexpected)} unexpected key(s): {_few(unexpected)}")
    if wrong:
        lines.append(f"  {len(wrong)} wrong shape(s)/dtype(s): {_few(wrong, 3)}")
    for other in LAYOUT_MODELS:
        if other == spec.name:
            continue
        if not any(_mismatches(state, load_layout(other))):
            title = MODELS[other].title
            lines.append(
                f"  this looks like a {title} checkpoint, not {spec.title}: "
                f"use --model {other}, or give the {spec.title} checkpoint"
            )
            break
    else:
        lines.append(
            f"  give a {spec.title} checkpoint (the official file, or one fine-tuned from it "
            "with the same architecture), or choose the model that matches the file"
        )
    raise WeightsError("\n".join(lines))


def load_state(path: str | Path, spec) -> dict[str, np.ndarray]:
    """The state_dict of ``path`` for ``spec``, checked strictly against the official layout."""
    state = read_state_dict(path, spec)
    check_layout(state, spec, path)
    return state
