"""Fidelity of our plain-PyTorch MobileSAM (samroi.models.mobilesam) against the golden
outputs of the official code (shared/reference/mobilesam_*.npz, random-initialised
checkpoint mobile_sam_random.pt). Tolerances from shared/reference/README.md."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from PIL import Image  # noqa: E402

from samroi.models import build_model  # noqa: E402
from samroi.models import mobilesam  # noqa: E402

IMAGES = ("dsb_fluo_d01", "dsb_he_d01", "usiigaci_phase_d01")
E2E_IMAGE = "dsb_he_d01"  # non-square: exercises the bottom padding
CHECKPOINT = "mobile_sam_random.pt"
N_TENSORS = 439
N_PARAMS = 10_130_092

TOL_EMBEDDING = 2e-4
TOL_LOWRES = 5e-5
TOL_LOWRES_E2E = 1e-4
TOL_IOU = 1e-5

PIXEL_MEAN = (123.675, 116.28, 103.53)
PIXEL_STD = (58.395, 57.12, 57.375)


@pytest.fixture(scope="module", autouse=True)
def two_threads():
    previous = torch.get_num_threads()
    torch.set_num_threads(2)
    yield
    torch.set_num_threads(previous)


@pytest.fixture(scope="module")
def state_dict(reference_dir):
    return torch.load(reference_dir / CHECKPOINT, map_location="cpu", weights_only=True)


@pytest.fixture(scope="module")
def model(state_dict):
    # build_model returns the network already in eval mode; loading afterwards is the order
    # that left the official TinyViT with a stale (zero) attention-bias cache.
    net = build_model("mobilesam")
    net.load_state_dict(state_dict, strict=True)
    return net.eval()


@pytest.fixture(scope="module")
def fixtures(reference_dir):
    cache = {}

    def get(name):
        if name not in cache:
            with np.load(reference_dir / f"mobilesam_{name}.npz") as z:
                cache[name] = {k: z[k] for k in z.files}
        return cache[name]

    return get


@pytest.fixture(scope="module")
def own_embedding(model, fixtures):
    cache = {}

    def get(name):
        if name not in cache:
            x = normalise_and_pad(fixtures(name)["input_resized"])
            with torch.no_grad():
                cache[name] = model.image_encoder(x)
        return cache[name]

    return get


# --------------------------------------------------------------------------------------
# helpers: the official SamPredictor's preprocessing and prompt layout


def resized_size(h: int, w: int) -> tuple[int, int]:
    scale = 1024 / max(h, w)
    return int(h * scale + 0.5), int(w * scale + 0.5)


def normalise_and_pad(resized: np.ndarray) -> torch.Tensor:
    """uint8 [h, w, 3] -> normalised float32 [1, 3, 1024, 1024], zero-padded bottom/right."""
    h, w = resized.shape[:2]
    x = torch.from_numpy(resized).permute(2, 0, 1)[None].float()
    x = (x - torch.tensor(PIXEL_MEAN).view(1, 3, 1, 1)) / torch.tensor(PIXEL_STD).view(1, 3, 1, 1)
    return torch.nn.functional.pad(x, (0, 1024 - w, 0, 1024 - h))


def official_prompt(data: dict, k: int) -> tuple[torch.Tensor, torch.Tensor]:
    """The point list the official predictor feeds its prompt encoder for case k:
    clicks, then box corners (labels 2, 3), or one (0, 0) padding point (label -1) if
    there is no box. Coordinates scaled by (new_w/W, new_h/H) in float64, then float32."""
    h, w = data["image"].shape[:2]
    new_h, new_w = resized_size(h, w)
    scale = np.array([new_w / w, new_h / h])
    points = data[f"case{k}_points"].astype(np.float64).reshape(-1, 2)
    labels = data[f"case{k}_labels"].astype(np.float32)
    box = data[f"case{k}_box"].astype(np.float64)
    coords = (points * scale).astype(np.float32)
    if box.size:
        coords = np.concatenate([coords, (box.reshape(2, 2) * scale).astype(np.float32)])
        labels = np.concatenate([labels, np.float32([2, 3])])
    else:
        coords = np.concatenate([coords, np.zeros((1, 2), np.float32)])
        labels = np.concatenate([labels, np.float32([-1])])
    return torch.from_numpy(coords)[None], torch.from_numpy(labels.astype(np.float32))[None]


def token_slice(k: int) -> slice:
    return slice(0, 1) if k == 4 else slice(1, 4)  # case 4 is single-mask


def max_abs(a: torch.Tensor, b: np.ndarray) -> float:
    return float((a - torch.from_numpy(b)).abs().max())


# --------------------------------------------------------------------------------------
# structure


def test_state_dict_matches_checkpoint(state_dict):
    net = mobilesam.build()
    ours = net.state_dict()
    assert len(state_dict) == N_TENSORS
    assert set(ours) == set(state_dict)
    for key, value in state_dict.items():
        assert ours[key].shape == value.shape, key
        assert ours[key].dtype == value.dtype, key
    assert sum(p.numel() for p in net.parameters()) == N_PARAMS
    assert not any("attention_bias_idxs" in key for key in ours)
    net.load_state_dict(state_dict, strict=True)


def test_attention_bias_index_and_no_stale_cache():
    for window in (7, 14):
        # offsets numbered in order of first appearance over all position pairs
        points = list(itertools.product(range(window), range(window)))
        numbering: dict[tuple[int, int], int] = {}
        expected = []
        for p1 in points:
            for p2 in points:
                off = (abs(p1[0] - p2[0]), abs(p1[1] - p2[1]))
                expected.append(numbering.setdefault(off, len(numbering)))
        assert len(numbering) == window * window
        got = mobilesam._relative_offset_index(window)
        assert got.tolist() == torch.tensor(expected).view(len(points), -1).tolist()

    attn = mobilesam.WindowAttention(dim=32, heads=2, window=7).eval()
    x = torch.randn(3, 49, 32)
    with torch.no_grad():
        before = attn(x)
        attn.load_state_dict(
            {**attn.state_dict(), "attention_biases": torch.randn(2, 49)}, strict=True
        )
        after = attn(x)
    assert float((after - before).abs().max()) > 1e-3  # loaded biases are used at once


# --------------------------------------------------------------------------------------
# preprocessing and encoder


@pytest.mark.parametrize("name", IMAGES)
def test_pillow_resize_reproduces_input_resized(fixtures, name):
    data = fixtures(name)
    h, w = data["image"].shape[:2]
    new_h, new_w = resized_size(h, w)
    resized = np.asarray(Image.fromarray(data["image"]).resize((new_w, new_h), Image.BILINEAR))
    assert resized.shape == data["input_resized"].shape
    assert np.array_equal(resized, data["input_resized"])


@pytest.mark.parametrize("name", IMAGES)
def test_encoder_on_input_resized(own_embedding, fixtures, name):
    emb = own_embedding(name)
    assert emb.shape == (1, 256, 64, 64)
    assert max_abs(emb[0], fixtures(name)["embedding"]) <= TOL_EMBEDDING


# --------------------------------------------------------------------------------------
# decoder on the stored embedding


@pytest.mark.parametrize("name", IMAGES)
def test_decoder_on_reference_embedding(model, fixtures, name):
    data = fixtures(name)
    embedding = torch.from_numpy(data["embedding"])[None]
    for k in range(5):
        coords, labels = official_prompt(data, k)
        with torch.no_grad():
            lowres, iou = model.decode(embedding, coords, labels)
        assert lowres.shape == (1, 4, 256, 256) and iou.shape == (1, 4)
        sel = token_slice(k)
        assert max_abs(lowres[0, sel], data[f"case{k}_lowres"]) <= TOL_LOWRES, k
        assert max_abs(iou[0, sel], data[f"case{k}_iou"]) <= TOL_IOU, k


def test_decoder_batched_boxes(model, fixtures):
    data = fixtures("dsb_fluo_d01")
    h, w = data["image"].shape[:2]
    new_h, new_w = resized_size(h, w)
    boxes = data["batch_boxes"].astype(np.float64).reshape(-1, 2, 2)
    coords = torch.from_numpy((boxes * np.array([new_w / w, new_h / h])).astype(np.float32))
    labels = torch.tensor([[2.0, 3.0]]).expand(len(boxes), 2)
    with torch.no_grad():
        lowres, iou = model.decode(torch.from_numpy(data["embedding"])[None], coords, labels)
    assert lowres.shape == (4, 4, 256, 256) and iou.shape == (4, 4)
    assert max_abs(lowres[:, 1:], data["batch_lowres"]) <= TOL_LOWRES
    assert max_abs(iou[:, 1:], data["batch_iou"]) <= TOL_IOU


# --------------------------------------------------------------------------------------
# end to end (own embedding)


def test_end_to_end(model, fixtures, own_embedding):
    data = fixtures(E2E_IMAGE)
    resized = np.asarray(
        Image.fromarray(data["image"]).resize(data["input_resized"].shape[1::-1], Image.BILINEAR)
    )
    assert np.array_equal(resized, data["input_resized"])
    embedding = own_embedding(E2E_IMAGE)
    for k in range(5):
        coords, labels = official_prompt(data, k)
        with torch.no_grad():
            lowres, iou = model.decode(embedding, coords, labels)
        sel = token_slice(k)
        assert max_abs(lowres[0, sel], data[f"case{k}_lowres"]) <= TOL_LOWRES_E2E, k
        assert max_abs(iou[0, sel], data[f"case{k}_iou"]) <= TOL_IOU, k
