"""Fidelity of samroi.models.efficientsam against the official EfficientSAM-Ti outputs.

The golden outputs (shared/reference/efficientsam_ti_*.npz) come from the official code on a
random-initialised checkpoint; tolerances are the recommended ones of the reference README.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from samroi.models import build_model
from samroi.models.efficientsam import bicubic_matrix

CHECKPOINT = "efficient_sam_vitt_random.pt"
IMAGES = ("dsb_fluo_d01", "dsb_he_d01", "usiigaci_phase_d01")
CASES = range(5)
NUM_POINTS = 6
MEAN = (0.485, 0.456, 0.406)
STD = (0.229, 0.224, 0.225)

TOL_EMBEDDING = 2e-4
TOL_LOWRES = 5e-5  # decoder fed the stored embedding
TOL_LOWRES_E2E = 1e-4
TOL_IOU = 1e-5

TI_PARAMS = 10_223_204
S_PARAMS = 26_413_028
N_TENSORS = 278
TI_TO_S = {192: 384, 576: 1152, 768: 1536}


@pytest.fixture(scope="module", autouse=True)
def two_threads():
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="module")
def checkpoint(reference_dir):
    return torch.load(reference_dir / CHECKPOINT, map_location="cpu", weights_only=True)["model"]


@pytest.fixture(scope="module")
def ti(checkpoint):
    model = build_model("efficientsam-ti")
    model.load_state_dict(checkpoint, strict=True)
    return model


@pytest.fixture(scope="module")
def fixtures(reference_dir):
    cache: dict[str, dict[str, np.ndarray]] = {}

    def get(name: str) -> dict[str, np.ndarray]:
        if name not in cache:
            with np.load(reference_dir / f"efficientsam_ti_{name}.npz") as z:
                cache[name] = {k: z[k] for k in z.files}
        return cache[name]

    return get


@pytest.fixture(scope="module")
def own_embeddings(ti, fixtures):
    """Our encoder's embedding per image, computed once."""
    cache: dict[str, torch.Tensor] = {}

    def get(name: str) -> torch.Tensor:
        if name not in cache:
            with torch.inference_mode():
                cache[name] = ti.image_encoder(encoder_input(fixtures(name)["image"]))
        return cache[name]

    return get


def encoder_input(image: np.ndarray) -> torch.Tensor:
    """Official EfficientSAM preprocessing of a float HxWx3 [0,1] image -> 1x3x1024x1024."""
    x = torch.from_numpy(image).permute(2, 0, 1)[None]
    if x.shape[-2:] != (1024, 1024):
        x = F.interpolate(x, size=(1024, 1024), mode="bilinear", align_corners=False)
    mean = torch.tensor(MEAN).view(1, 3, 1, 1)
    std = torch.tensor(STD).view(1, 3, 1, 1)
    return (x - mean) / std


def prompts(points: np.ndarray, labels: np.ndarray, h: int, w: int):
    """[Q, P, 2] original-pixel points, [Q, P] labels -> decoder coords [Q, 6, 2], labels [Q, 6]."""
    q, p = labels.shape
    coords = np.full((q, NUM_POINTS, 2), -1.0, dtype=np.float32)
    labs = np.full((q, NUM_POINTS), -1.0, dtype=np.float32)
    coords[:, :p, 0] = points[..., 0] * 1024 / w
    coords[:, :p, 1] = points[..., 1] * 1024 / h
    labs[:, :p] = labels
    return torch.from_numpy(coords), torch.from_numpy(labs)


def run_case(model, embedding: torch.Tensor, z: dict, k: int):
    """(our lowres [M,256,256], our iou [M]) for case k, selecting the tokens the case used."""
    h, w = z["image"].shape[:2]
    coords, labels = prompts(z[f"case{k}_api_points"][None], z[f"case{k}_api_labels"][None], h, w)
    with torch.inference_mode():
        lowres, iou = model.decode(embedding, coords, labels)
    tokens = slice(1, 4) if z[f"case{k}_lowres"].shape[0] == 3 else slice(0, 1)
    return lowres[0, tokens].numpy(), iou[0, tokens].numpy()


def max_diff(a, b) -> float:
    return float(np.abs(np.asarray(a, dtype=np.float64) - np.asarray(b, dtype=np.float64)).max())


# ------------------------------------------------------------------------------------------
# structure


def test_ti_loads_official_checkpoint_strictly(ti, checkpoint):
    state = ti.state_dict()
    assert len(checkpoint) == N_TENSORS
    assert {k: tuple(v.shape) for k, v in state.items()} == {
        k: tuple(v.shape) for k, v in checkpoint.items()
    }
    assert sum(p.numel() for p in ti.parameters()) == TI_PARAMS
    for key, value in checkpoint.items():
        assert torch.equal(state[key], value), key


def test_s_layout_follows_ti(checkpoint):
    s = build_model("efficientsam-s")
    state = s.state_dict()
    assert len(state) == N_TENSORS
    assert sum(p.numel() for p in s.parameters()) == S_PARAMS
    expected = {k: tuple(TI_TO_S.get(d, d) for d in v.shape) for k, v in checkpoint.items()}
    assert {k: tuple(v.shape) for k, v in state.items()} == expected


def test_bicubic_matrix_matches_interpolate():
    torch.manual_seed(0)
    grid = torch.randn(4, 14, 14, dtype=torch.float64)
    m = torch.from_numpy(bicubic_matrix(14, 64))
    ref = F.interpolate(grid[None], size=(64, 64), mode="bicubic", align_corners=False)[0]
    assert max_diff(m @ grid @ m.T, ref) <= 1e-12
    assert np.allclose(m.sum(1).numpy(), 1.0)


def test_resized_pos_embed_matches_interpolate(ti):
    pos = ti.image_encoder.pos_embed.detach()[0, 1:].reshape(14, 14, -1).permute(2, 0, 1)
    ref = F.interpolate(pos[None], size=(64, 64), mode="bicubic", align_corners=False)[0]
    with torch.no_grad():
        ours = ti.image_encoder.resized_pos_embed().permute(2, 0, 1)
    assert max_diff(ours, ref) <= 2e-6


# ------------------------------------------------------------------------------------------
# numerics against the official outputs


@pytest.mark.parametrize("name", IMAGES)
def test_encoder_embedding(name, fixtures, own_embeddings):
    emb = own_embeddings(name)
    assert emb.shape == (1, 256, 64, 64)
    assert max_diff(emb[0], fixtures(name)["embedding"]) <= TOL_EMBEDDING


@pytest.mark.parametrize("name", IMAGES)
@pytest.mark.parametrize("k", CASES)
def test_decoder_on_reference_embedding(name, k, ti, fixtures):
    z = fixtures(name)
    embedding = torch.from_numpy(z["embedding"])[None]
    lowres, iou = run_case(ti, embedding, z, k)
    assert lowres.shape == z[f"case{k}_lowres"].shape
    assert max_diff(lowres, z[f"case{k}_lowres"]) <= TOL_LOWRES
    assert max_diff(iou, z[f"case{k}_iou"]) <= TOL_IOU


def test_decoder_outputs_all_four_tokens(ti, fixtures):
    """Single-mask (case 4) is token 0 of the same pass whose tokens 1..3 are case 0."""
    z = fixtures("dsb_fluo_d01")
    h, w = z["image"].shape[:2]
    coords, labels = prompts(z["case0_api_points"][None], z["case0_api_labels"][None], h, w)
    with torch.inference_mode():
        lowres, iou = ti.decode(torch.from_numpy(z["embedding"])[None], coords, labels)
    assert lowres.shape == (1, 4, 256, 256) and iou.shape == (1, 4)
    assert max_diff(lowres[0, :1], z["case4_lowres"]) <= TOL_LOWRES
    assert max_diff(lowres[0, 1:], z["case0_lowres"]) <= TOL_LOWRES


def test_decoder_batched_boxes(ti, fixtures):
    z = fixtures("dsb_fluo_d01")
    h, w = z["image"].shape[:2]
    boxes = z["batch_boxes"]  # [4, 4] x0 y0 x1 y1
    points = boxes.reshape(-1, 2, 2)
    labels = np.tile(np.array([2, 3], dtype=np.float32), (len(boxes), 1))
    coords, labs = prompts(points, labels, h, w)
    with torch.inference_mode():
        lowres, iou = ti.decode(torch.from_numpy(z["embedding"])[None], coords, labs)
    assert lowres.shape == (4, 4, 256, 256)
    assert max_diff(lowres[:, 1:], z["batch_lowres"]) <= TOL_LOWRES
    assert max_diff(iou[:, 1:], z["batch_iou"]) <= TOL_IOU


def test_end_to_end_non_square_image(ti, fixtures, own_embeddings):
    name = "dsb_he_d01"  # 256x320: exercises the stretch resize and per-axis point scaling
    z = fixtures(name)
    embedding = own_embeddings(name)
    for k in CASES:
        lowres, iou = run_case(ti, embedding, z, k)
        assert max_diff(lowres, z[f"case{k}_lowres"]) <= TOL_LOWRES_E2E, k
        assert max_diff(iou, z[f"case{k}_iou"]) <= TOL_IOU, k
