"""samroi.checkpoint: the torch-free safe reader and the strict layout check."""

from __future__ import annotations

import builtins
import json
import os
import pickle
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

from samroi import checkpoint
from samroi.checkpoint import check_layout, load, load_layout, read_state_dict
from samroi.errors import WeightsError
from samroi.modelspec import MODELS

TI = MODELS["efficientsam-ti"]
S = MODELS["efficientsam-s"]
MOBILE = MODELS["mobilesam"]
REFERENCE = {
    "efficientsam-ti": "efficient_sam_vitt_random.pt",
    "mobilesam": "mobile_sam_random.pt",
}


def _torch():
    try:
        import torch
    except ImportError:
        return None
    return torch


# --- reading the reference checkpoints ------------------------------------------------


@pytest.fixture(scope="module")
def states(reference_dir):
    return {
        model: read_state_dict(reference_dir / name, MODELS[model])
        for model, name in REFERENCE.items()
    }


@pytest.mark.parametrize("model", list(REFERENCE))
def test_reference_checkpoint_reads(states, model):
    state = states[model]
    layout = load_layout(model)
    assert list(state) == list(layout)  # same keys, same (file) order
    for key, (shape, dtype) in layout.items():
        assert state[key].shape == shape and state[key].dtype == np.dtype(dtype), key
        assert state[key].flags.c_contiguous and state[key].flags.owndata
    check_layout(state, MODELS[model])


@pytest.mark.parametrize("model", list(REFERENCE))
def test_reference_equals_torch_load(states, reference_dir, model):
    torch = _torch()
    if torch is None:
        pytest.skip("torch not installed: comparison with torch.load skipped")
    ref = torch.load(reference_dir / REFERENCE[model], map_location="cpu", weights_only=True)
    if MODELS[model].checkpoint_key:
        ref = ref[MODELS[model].checkpoint_key]
    state = states[model]
    assert list(ref) == list(state)
    for key, tensor in ref.items():
        expected = tensor.numpy()
        got = state[key]
        assert got.dtype == expected.dtype and got.shape == expected.shape, key
        assert got.tobytes() == expected.tobytes(), key  # bit for bit


def test_metadata_only_matches_data(reference_dir, states):
    meta = read_state_dict(reference_dir / REFERENCE["mobilesam"], MOBILE, data=False)
    assert {k: (v.shape, v.dtype) for k, v in meta.items()} == {
        k: (v.shape, v.dtype) for k, v in states["mobilesam"].items()
    }
    check_layout(meta, MOBILE)


def test_reader_imports_no_torch(reference_dir):
    code = (
        "import sys; from samroi import checkpoint, weights; from samroi.modelspec import MODELS;"
        f"checkpoint.read_state_dict({str(reference_dir / REFERENCE['mobilesam'])!r},"
        " MODELS['mobilesam'], data=False);"
        "assert 'torch' not in sys.modules, 'torch was imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_tensor_variants_equal_torch(tmp_path):
    """bfloat16, float16, int64, bool, shared storages, offsets, non-contiguous views and
    a real module state_dict (OrderedDict with _metadata)."""
    torch = _torch()
    if torch is None:
        pytest.skip("torch not installed")
    torch.manual_seed(0)
    base = torch.randn(6, 8)
    module = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3), torch.nn.BatchNorm2d(4))
    state = dict(module.state_dict())
    state.update(
        {
            "bf16": torch.randn(5, 3).to(torch.bfloat16),
            "f16": torch.randn(4).half(),
            "f64": torch.randn(2, 2, dtype=torch.float64),
            "i64": torch.arange(7),
            "i8": torch.arange(-3, 3, dtype=torch.int8),
            "u8": torch.arange(5, dtype=torch.uint8),
            "bool": torch.tensor([True, False, True]),
            "view_t": base.t(),  # non-contiguous, shares storage with base
            "view_slice": base[2:, 1::3],  # offset + strides
            "base": base,
            "scalar": torch.tensor(3.5),
            "empty": torch.zeros(0, 4),
        }
    )
    path = tmp_path / "variants.pt"
    torch.save({"model": module.state_dict(), "extra": state}, path)
    got = load(path)
    assert getattr(got["model"], "_metadata", None) is not None  # OrderedDict + BUILD
    for key, tensor in state.items():
        want = tensor.float() if tensor.dtype == torch.bfloat16 else tensor
        want = want.numpy()
        assert got["extra"][key].dtype == want.dtype, key
        assert got["extra"][key].shape == want.shape, key
        assert np.array_equal(got["extra"][key], want), key
    # A Parameter pickles through _rebuild_parameter.
    torch.save({"p": torch.nn.Parameter(torch.ones(3))}, tmp_path / "param.pt")
    assert np.array_equal(load(tmp_path / "param.pt")["p"], np.ones(3, np.float32))


# --- refusing code ----------------------------------------------------------------------


def _torch_zip(path: Path, payload: bytes, name: str = "archive") -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(f"{name}/data.pkl", payload)
        zf.writestr(f"{name}/byteorder", "little")
        zf.writestr(f"{name}/version", "3\n")
    return path


class _Evil:
    def __init__(self, func, *args):
        self.func, self.args = func, args

    def __reduce__(self):
        return self.func, self.args


@pytest.mark.parametrize("how", ["os.system", "posix.system", "builtins.eval", "exec-in-dict"])
def test_code_in_pickle_is_refused_and_not_run(tmp_path, how):
    marker = tmp_path / "pwned"
    command = f"touch {marker}"
    if how == "os.system":
        evil = _Evil(os.system, command)
    elif how == "posix.system":
        payload = (
            b"\x80\x02cposix\nsystem\nq\x00X" + len(command).to_bytes(4, "little")
            + command.encode() + b"\x85R."
        )
        evil = None
    elif how == "builtins.eval":
        evil = _Evil(builtins.eval, f"open({str(marker)!r}, 'w').close()")
    else:  # hidden among ordinary entries of a state_dict
        evil = {"model": {"a": 1, "b": [_Evil(builtins.exec, f"open({str(marker)!r},'w')")]}}
    if evil is not None:
        payload = pickle.dumps(evil, protocol=2)
    path = _torch_zip(tmp_path / "evil.pt", payload)
    with pytest.raises(WeightsError, match="contains code or objects that are not tensors"):
        load(path)
    with pytest.raises(WeightsError, match="will not be loaded"):
        read_state_dict(path, TI)
    assert not marker.exists()


def test_legacy_pickle_is_refused(tmp_path):
    torch = _torch()
    path = tmp_path / "legacy.pt"
    if torch is not None:
        torch.save({"w": torch.ones(2)}, path, _use_new_zipfile_serialization=False)
    else:
        path.write_bytes(pickle.dumps(0x1950A86A20F9469CFC6C, protocol=2) + b"\x80\x02}q\x00.")
    with pytest.raises(WeightsError, match="legacy PyTorch format"):
        load(path)


def test_other_files_are_refused(tmp_path):
    (tmp_path / "bare.pkl").write_bytes(pickle.dumps({"a": 1}, protocol=2))
    with pytest.raises(WeightsError, match="bare pickle"):
        load(tmp_path / "bare.pkl")
    (tmp_path / "text.pt").write_text("hello")
    with pytest.raises(WeightsError, match="not a PyTorch checkpoint"):
        load(tmp_path / "text.pt")
    with zipfile.ZipFile(tmp_path / "vits.pt.zip", "w") as zf:
        zf.writestr("efficient_sam_vits.pt", b"x")
    with pytest.raises(WeightsError, match="extract that file first"):
        load(tmp_path / "vits.pt.zip")
    with pytest.raises(WeightsError, match="not found"):
        load(tmp_path / "missing.pt")


def test_damaged_storage_is_refused(tmp_path, reference_dir):
    src = zipfile.ZipFile(reference_dir / REFERENCE["efficientsam-ti"])
    path = tmp_path / "cut.pt"
    with src, zipfile.ZipFile(path, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename.endswith("/data/0"):
                data = data[:-4]  # one float short
            dst.writestr(info.filename, data)
    with pytest.raises(WeightsError, match="shorter than its tensor data"):
        read_state_dict(path, TI, data=False)


# --- state_dict arrangement and strict layout --------------------------------------------


def test_mobilesam_file_as_efficientsam_is_refused(reference_dir):
    path = reference_dir / REFERENCE["mobilesam"]
    state = read_state_dict(path, TI, data=False)  # bare dict accepted, layout decides
    with pytest.raises(WeightsError) as err:
        check_layout(state, TI, path)
    message = str(err.value)
    assert str(path) in message
    assert "this looks like a MobileSAM checkpoint, not EfficientSAM-Ti" in message
    assert "missing key" in message and "unexpected key" in message


def test_ti_file_as_s_is_refused(reference_dir):
    path = reference_dir / REFERENCE["efficientsam-ti"]
    state = read_state_dict(path, S, data=False)
    with pytest.raises(WeightsError, match="looks like a EfficientSAM-Ti checkpoint, not EfficientSAM-S"):
        check_layout(state, S, path)


def test_missing_key_and_wrong_shape_are_refused(states):
    state = dict(states["efficientsam-ti"])
    del state["mask_decoder.iou_token.weight"]
    with pytest.raises(WeightsError, match=r"1 missing key\(s\): mask_decoder.iou_token.weight"):
        check_layout(state, TI, "f.pt")
    state = dict(states["efficientsam-ti"])
    state["image_encoder.pos_embed"] = np.zeros((1, 196, 192), np.float32)
    with pytest.raises(WeightsError, match=r"image_encoder.pos_embed: shape \[1, 196, 192\], expected \[1, 197, 192\]"):
        check_layout(state, TI, "f.pt")
    state = dict(states["efficientsam-ti"])
    state["extra.weight"] = np.zeros(3, np.float32)
    with pytest.raises(WeightsError, match=r"unexpected key\(s\): extra.weight"):
        check_layout(state, TI, "f.pt")
    state = dict(states["mobilesam"])
    key = next(k for k in state if k.endswith("num_batches_tracked"))
    state[key] = np.zeros((), np.float32)
    with pytest.raises(WeightsError, match="dtype float32, expected int64"):
        check_layout(state, MOBILE, "f.pt")


def test_other_arrangement_is_tolerated(tmp_path, reference_dir):
    torch = _torch()
    if torch is None:
        pytest.skip("torch not installed")
    sd = torch.load(reference_dir / REFERENCE["mobilesam"], map_location="cpu", weights_only=True)
    torch.save({"model": sd}, tmp_path / "wrapped.pt")
    check_layout(read_state_dict(tmp_path / "wrapped.pt", MOBILE, data=False), MOBILE)
    torch.save({"model": {"not": "tensors"}}, tmp_path / "junk.pt")
    with pytest.raises(WeightsError, match='expected a dict with key "model"'):
        read_state_dict(tmp_path / "junk.pt", TI)


def test_layout_files_match_documented_counts():
    expected = {
        "efficientsam-ti": (278, 10_223_204),
        "efficientsam-s": (278, 26_413_028),
        "mobilesam": (439, 10_130_092),
    }
    for model in checkpoint.LAYOUT_MODELS:
        text = (Path(checkpoint.__file__).parent / "data" / "layouts" / f"{model}.json").read_text()
        doc = json.loads(text)
        assert (doc["tensors"], doc["parameters"]) == expected[model]
        assert len(load_layout(model)) == expected[model][0]
    s = load_layout("efficientsam-s")
    assert s["image_encoder.blocks.0.mlp.fc1.weight"] == ((1536, 384), "float32")
    assert s["mask_decoder.iou_token.weight"] == ((1, 256), "float32")


def test_bfloat16_storage_without_torch(tmp_path):
    """The bfloat16 path on a hand-made archive (no torch needed)."""
    values = np.array([1.0, -2.5, 3.140625, 0.0], np.float32)
    raw = (values.view(np.uint32) >> 16).astype("<u2").tobytes()
    # data.pkl by hand, with the opcodes torch writes: {"w": 2x2 tensor on storage "0"}.
    payload = (
        b"\x80\x02ccollections\nOrderedDict\nq\x00)Rq\x01X\x01\x00\x00\x00w"
        b"ctorch._utils\n_rebuild_tensor_v2\nq\x02((X\x07\x00\x00\x00storage"
        b"ctorch\nBFloat16Storage\nX\x01\x00\x00\x000X\x03\x00\x00\x00cpuK\x04tQ"
        b"K\x00K\x02K\x02\x86K\x02K\x01\x86\x89h\x00)Rtq\x03Rs."
    )
    path = tmp_path / "bf16.pt"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("a/data.pkl", payload)
        zf.writestr("a/byteorder", "little")
        zf.writestr("a/data/0", raw)
    got = load(path)["w"]
    assert got.dtype == np.float32
    assert np.array_equal(got, values.reshape(2, 2))


def test_storage_cannot_be_altered_by_the_pickle(tmp_path):
    """BUILD on a storage (to enlarge numel and read past its buffer) is refused."""
    raw = np.arange(4, dtype="<f4").tobytes()
    payload = (
        b"\x80\x02}X\x01\x00\x00\x00w"
        b"ctorch._utils\n_rebuild_tensor_v2\n("
        b"(X\x07\x00\x00\x00storagectorch\nFloatStorage\nX\x01\x00\x00\x000X\x03\x00\x00\x00cpuK\x04tQ"
        b"N}X\x05\x00\x00\x00numelJ\x00\x00\x00\x10s\x86b"  # BUILD(storage, (None, {numel: 2**28}))
        b"K\x00J\x00\x00\x00\x10\x85K\x01\x85\x89NtRs."
    )
    path = tmp_path / "tamper.pt"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("a/data.pkl", payload)
        zf.writestr("a/data/0", raw)
    with pytest.raises(WeightsError):
        load(path)
