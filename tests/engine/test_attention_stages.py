"""dlviz.attention.stages: attention stage by stage against torch's
scaled_dot_product_attention, the step-through example (scaling, positions, causal mask,
hostile input), walk_through's fallback to the example sentence, and StepThroughConfig."""

import math

import numpy as np
import pytest
import scipy.stats
import torch
import torch.nn.functional as F

from dlviz.attention import (
    EXAMPLE,
    StepThroughConfig,
    attention_stages,
    parse_tokens,
    step_through,
    walk_through,
)
from dlviz.attention.stages import MAX_TOKEN_CHARS, MAX_TOKENS, embed_tokens


def _qkv(heads=3, t=7, d=5, seed=0):
    gen = torch.Generator().manual_seed(seed)
    return (torch.randn(heads, t, d, generator=gen, dtype=torch.float64) for _ in range(3))


@pytest.mark.parametrize("causal", [False, True])
@pytest.mark.parametrize("shape", [(3, 7, 5), (1, 4, 16), (2, 9, 2)])
def test_stages_match_torch_scaled_dot_product_attention(causal, shape):
    q, k, v = _qkv(*shape)
    stages = attention_stages(q, k, v, causal)
    reference = F.scaled_dot_product_attention(q, k, v, is_causal=causal)
    torch.testing.assert_close(stages.output, reference, atol=1e-5, rtol=0)
    assert stages.weights.shape == (shape[0], shape[1], shape[1])
    assert stages.output.shape == shape


def test_stages_take_a_batch_dimension_in_front():
    gen = torch.Generator().manual_seed(7)
    q, k, v = (torch.randn(2, 3, 5, 4, generator=gen, dtype=torch.float64) for _ in range(3))
    stages = attention_stages(q, k, v, causal=True)
    reference = F.scaled_dot_product_attention(q, k, v, is_causal=True)
    torch.testing.assert_close(stages.output, reference, atol=1e-5, rtol=0)


def test_each_stage_is_the_one_before_it_transformed():
    q, k, v = _qkv(2, 6, 8, seed=3)
    st = attention_stages(q, k, v, causal=True)
    torch.testing.assert_close(st.raw, torch.einsum("hid,hjd->hij", q, k))
    torch.testing.assert_close(st.scaled, st.raw / math.sqrt(8))
    upper = torch.ones(6, 6, dtype=torch.bool).triu(1)
    assert torch.isneginf(st.masked[:, upper]).all()
    torch.testing.assert_close(st.masked[:, ~upper], st.scaled[:, ~upper])
    torch.testing.assert_close(st.weights.sum(-1), torch.ones(2, 6, dtype=torch.float64))
    assert (st.weights[:, upper] == 0).all()  # exactly zero, not just small
    assert (st.weights[:, ~upper] > 0).all()
    torch.testing.assert_close(st.output, st.weights @ v)
    unscaled = attention_stages(q, k, v, scale=False)
    torch.testing.assert_close(unscaled.scaled, unscaled.raw)
    torch.testing.assert_close(unscaled.masked, unscaled.raw)  # no mask without causal


def test_head_mask_silences_one_head_only():
    q, k, v = _qkv(3, 5, 4, seed=1)
    full = attention_stages(q, k, v)
    masked = attention_stages(q, k, v, head_mask=torch.tensor([1.0, 0.0, 1.0]))
    assert (masked.output[1] == 0).all() and (full.output[1] != 0).any()
    torch.testing.assert_close(masked.output[[0, 2]], full.output[[0, 2]])
    torch.testing.assert_close(masked.weights, full.weights)


def test_parse_tokens_splits_on_whitespace_and_cuts_long_input():
    tokens, cut = parse_tokens("the cat sat on the mat")
    assert tokens == ("the", "cat", "sat", "on", "the", "mat") and not cut
    assert parse_tokens(" a\tb\n c ") == (("a", "b", "c"), False)
    assert parse_tokens("\u202eabc d\u200be") == (("abc", "de"), False)
    with pytest.raises(ValueError, match="at least one token"):
        parse_tokens("\u202e \u200b")
    tokens, cut = parse_tokens(" ".join(["x" * 40] * 30))
    assert cut and len(tokens) == MAX_TOKENS and all(len(t) == MAX_TOKEN_CHARS for t in tokens)
    assert parse_tokens("y" * (MAX_TOKEN_CHARS + 1))[1]  # one long word is a cut too
    assert parse_tokens(" ".join("abcdefghijkl"[:MAX_TOKENS]))[1] is False
    with pytest.raises(ValueError, match="at least one token"):
        parse_tokens("   \n ")


def test_the_same_word_gets_the_same_embedding():
    rows = embed_tokens(("the", "cat", "the"))
    assert rows.shape == (3, 32) and torch.equal(rows[0], rows[2])
    assert not torch.equal(rows[0], rows[1])


def test_step_through_shapes_saturation_and_positions():
    tokens, _ = parse_tokens(EXAMPLE)
    small = step_through(tokens, d_k=4, heads=2)
    assert small.weights.shape == (2, 6, 6) and small.output.shape == (2, 6, 4)
    assert small.q.shape == small.k.shape == small.v.shape == (2, 6, 4)
    assert small.embeddings.shape == (6, 32) and small.tokens == tokens
    np.testing.assert_allclose(small.weights.sum(-1), 1.0, atol=1e-6)
    # Q·Kᵀ entries spread like √d_k: dropping the scaling saturates the softmax at large d_k.
    big_scaled = step_through(tokens, d_k=256, heads=2)
    big_raw = step_through(tokens, d_k=256, heads=2, scale=False)
    assert (big_raw.top_weight > 0.95).all() and (big_scaled.top_weight < 0.95).all()
    assert (big_raw.entropy_bits < 0.3).all() and (big_scaled.entropy_bits > 0.3).all()
    ratio = big_raw.raw.std() / small.raw.std()
    assert 5 < ratio < 11  # about √(256/4) = 8
    assert big_raw.top_weight.shape == big_raw.score_spread.shape == (2,)
    np.testing.assert_allclose(
        big_raw.score_spread, big_raw.raw.reshape(2, -1).std(1, ddof=1), rtol=1e-4
    )
    np.testing.assert_allclose(big_scaled.score_spread * 16, big_raw.score_spread, rtol=1e-4)
    # Without positions both "the" get identical rows of scores; with them they differ.
    bare = step_through(tokens, positions=False)
    np.testing.assert_allclose(bare.raw[:, 0], bare.raw[:, 4], atol=1e-5)
    assert not np.allclose(step_through(tokens).raw[:, 0], step_through(tokens).raw[:, 4])


def test_step_through_entropy_is_the_mean_row_entropy_in_bits():
    seen = step_through(("a", "b", "c", "d", "e"), d_k=8, heads=3)
    p = seen.weights.astype(np.float64)  # (heads, 5, 5), rows of attention weights
    bits = scipy.stats.entropy(p, base=2, axis=-1).mean(-1)
    np.testing.assert_allclose(seen.entropy_bits, bits, rtol=1e-4)
    assert (seen.entropy_bits <= math.log2(5) + 1e-6).all()
    np.testing.assert_allclose(seen.top_weight, p.max(-1).mean(-1), rtol=1e-6)


def test_step_through_causal_and_bad_sizes():
    causal = step_through(("a", "b", "c", "d"), causal=True)
    upper = np.triu_indices(4, 1)
    assert (causal.weights[:, upper[0], upper[1]] == 0).all()
    assert np.isneginf(causal.masked[:, upper[0], upper[1]]).all()
    np.testing.assert_allclose(causal.weights[:, 0, 0], 1.0)
    with pytest.raises(ValueError, match="d_k"):
        step_through(("a",), d_k=0)
    with pytest.raises(ValueError, match="heads"):
        step_through(("a",), heads=9)


def test_walk_through_follows_the_config():
    config = StepThroughConfig(tokens="a b c", d_k=16, heads=2, head=2, causal=True,
                               scale=False, positions=False)  # fmt: skip
    seen, problem, cut = walk_through(config)
    assert problem is None and not cut and seen.tokens == ("a", "b", "c")
    direct = step_through(("a", "b", "c"), 16, 2, causal=True, scale=False, positions=False)
    np.testing.assert_array_equal(seen.weights, direct.weights)
    assert seen.q.shape == (2, 3, 16) and seen.weights[:, 0, 1:].max() == 0


@pytest.mark.parametrize("typed", ["", "   ", "\n\t \n"])
def test_walk_through_shows_the_example_when_no_tokens_were_typed(typed):
    seen, problem, cut = walk_through(StepThroughConfig(tokens=typed))
    assert seen.tokens == tuple(EXAMPLE.split()) and not cut
    assert problem is not None and "at least one token" in problem


def test_walk_through_cuts_hostile_text_and_says_so():
    hostile = " ".join(["<script>alert(1)</script>" * 2] * 20)[:300]
    seen, problem, cut = walk_through(StepThroughConfig(tokens=hostile))
    assert problem is None and cut
    assert len(seen.tokens) <= MAX_TOKENS and all(len(t) <= MAX_TOKEN_CHARS for t in seen.tokens)
    assert np.isfinite(seen.weights).all()


def test_step_through_config_bounds():
    assert StepThroughConfig().tokens == EXAMPLE
    with pytest.raises(ValueError, match=r"\(head\).*at most 2"):
        StepThroughConfig(heads=2, head=3)
    assert StepThroughConfig(heads=4, head=4).head == 4
    with pytest.raises(ValueError, match=r"\(tokens\)"):
        StepThroughConfig(tokens="a " * 151)  # more than 300 characters
    with pytest.raises(ValueError, match=r"\(d_k\)"):
        StepThroughConfig(d_k=0)
    with pytest.raises(ValueError, match=r"\(heads\)"):
        StepThroughConfig(heads=5)
    with pytest.raises(ValueError, match=r"\(scale\)"):
        StepThroughConfig(scale=1)
