"""dlviz.attention.positions: the sinusoidal table against its formula, RoPE against
complex multiplication (and relative by construction), the similarity maps, encode_positions'
view and PositionsConfig's bounds."""

import math

import numpy as np
import pytest
import torch

from dlviz.attention import (
    PositionsConfig,
    encode_positions,
    rope,
    rope_circle,
    rope_similarity,
    similarity,
    sinusoidal,
    sinusoidal_table,
)


def test_sinusoidal_matches_the_formula_at_sample_positions():
    table = sinusoidal(50, 16).double()
    for pos in (0, 1, 7, 49):
        for i in range(8):
            angle = pos / 10000 ** (2 * i / 16)
            assert table[pos, 2 * i].item() == pytest.approx(math.sin(angle), abs=1e-6)
            assert table[pos, 2 * i + 1].item() == pytest.approx(math.cos(angle), abs=1e-6)
    np.testing.assert_array_equal(sinusoidal_table(50, 16), table.float().numpy())
    with pytest.raises(ValueError, match="even"):
        sinusoidal(4, 7)


def test_similarity_of_the_sinusoidal_table_depends_on_the_offset_only():
    sim = similarity(sinusoidal(50, 16).numpy())
    assert sim.shape == (50, 50) and sim.dtype == np.float32
    np.testing.assert_allclose(np.diag(sim), 1.0, atol=1e-6)
    np.testing.assert_allclose(sim, sim.T, atol=1e-6)
    np.testing.assert_allclose(np.diag(sim, 3), np.diag(sim, 3)[0], atol=1e-5)
    assert sim[0, 1] > sim[0, 10]


def test_similarity_is_cosine_and_a_zero_row_is_zero():
    table = np.array([[3.0, 4.0], [4.0, -3.0], [0.0, 0.0], [-6.0, -8.0]], dtype=np.float32)
    sim = similarity(table)
    assert sim[0, 1] == pytest.approx(0.0, abs=1e-7) and sim[0, 3] == pytest.approx(-1.0)
    assert (sim[2] == 0).all() and (sim[:, 2] == 0).all()
    assert np.isfinite(sim).all()
    np.testing.assert_allclose(similarity(torch.from_numpy(table)), sim)


def test_rope_is_complex_rotation_and_relative():
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(2, 6, 8, generator=gen, dtype=torch.float64)
    turned = rope(x)
    pairs = torch.view_as_complex(x.reshape(2, 6, 4, 2).contiguous())
    freq = 10000 ** (-torch.arange(0, 8, 2, dtype=torch.float64) / 8)
    angle = torch.arange(6, dtype=torch.float64)[:, None] * freq
    reference = torch.view_as_real(pairs * torch.polar(torch.ones_like(angle), angle))
    torch.testing.assert_close(turned, reference.reshape(2, 6, 8), atol=1e-6, rtol=0)
    torch.testing.assert_close(turned.norm(dim=-1), x.norm(dim=-1))  # rotations keep length
    torch.testing.assert_close(turned[:, 0], x[:, 0])  # position 0 is not turned
    # The score of one query and one key depends on their offset only.
    q, k = torch.randn(8, generator=gen), torch.randn(8, generator=gen)
    qs, ks = rope(q.expand(10, 8)), rope(k.expand(10, 8))
    assert qs[2] @ ks[5] == pytest.approx((qs[4] @ ks[7]).item(), abs=1e-5)
    assert qs[2] @ ks[5] != pytest.approx((qs[2] @ ks[6]).item(), abs=1e-3)


def test_rope_circle_turns_one_pair_by_position_times_frequency():
    circle = rope_circle(5, 8, pair=0)
    assert circle.shape == (5, 2) and circle.dtype == np.float32
    np.testing.assert_allclose(circle[1], [math.cos(1), math.sin(1)], atol=1e-6)
    slow = rope_circle(5, 8, pair=3)  # ω = 10000^(−6/8)
    omega = 10000 ** (-6 / 8)
    np.testing.assert_allclose(slow[4], [math.cos(4 * omega), math.sin(4 * omega)], atol=1e-6)
    np.testing.assert_allclose(np.hypot(*slow.T), 1.0, atol=1e-6)
    with pytest.raises(ValueError, match="pair must be 0–3"):
        rope_circle(5, 8, pair=4)


def test_rope_similarity_is_a_function_of_the_offset():
    sim = rope_similarity(6, 8)
    assert sim.shape == (6, 6)
    for offset in range(-5, 6):
        diagonal = np.diag(sim, offset)
        np.testing.assert_allclose(diagonal, diagonal[0], atol=1e-5)
    np.testing.assert_allclose(np.diag(sim), 1.0, atol=1e-6)


def test_encode_positions_shapes_and_the_chosen_pair():
    view = encode_positions(PositionsConfig(length=20, dim=32, pair=5))
    assert view.table.shape == (20, 32) and view.similarity.shape == (20, 20)
    assert view.rope_similarity.shape == (20, 20)
    np.testing.assert_array_equal(view.table, sinusoidal_table(20, 32))
    np.testing.assert_allclose(view.similarity, similarity(view.table), atol=1e-6)
    assert len(view.circles) == len(view.circle_labels) == 2
    assert view.circle_labels[0].startswith("pair 5 ")
    np.testing.assert_allclose(view.circles[0], rope_circle(8, 32, 5), atol=1e-7)
    assert view.circles[0].shape == (8, 2)  # at most 8 positions on the circle
    slow = int(view.circle_labels[1].split()[1])
    assert slow > 5  # the contrast pair turns more slowly
    np.testing.assert_allclose(view.circles[1], rope_circle(8, 32, slow), atol=1e-7)
    for arr in (view.table, view.similarity, view.rope_similarity, *view.circles):
        assert arr.dtype == np.float32 and np.isfinite(arr).all()


def test_encode_positions_at_the_last_pair_and_few_positions():
    view = encode_positions(PositionsConfig(length=4, dim=8, pair=3))
    assert len(view.circles) == 1 and view.circle_labels[0].startswith("pair 3 ")
    assert view.circles[0].shape == (4, 2)


def test_positions_config_bounds():
    with pytest.raises(ValueError, match=r"\(pair\).*at most 3"):
        PositionsConfig(dim=8, pair=4)
    assert PositionsConfig(dim=8, pair=3).pair == 3
    assert PositionsConfig(dim=128, pair=63).pair == 63
    with pytest.raises(ValueError, match="must be even"):
        PositionsConfig(dim=9)  # an odd width cannot be split into pairs
    for bad in (dict(length=3), dict(length=65), dict(dim=4), dict(dim=256), dict(pair=-1)):
        name = next(iter(bad))
        with pytest.raises(ValueError, match=rf"\({name}\)"):
            PositionsConfig(**bad)
