"""dlviz.attention.model: the tiny transformer's attention against torch's
nn.MultiheadAttention, its positional encodings (learned, sinusoidal, RoPE, none), head
masks, and an unknown encoding listing the choices."""

import pytest
import torch

from dlviz.attention import POSITIONALS, TinyTransformer, rope, sinusoidal
from dlviz.attention.model import check_positional


def _model(positional="learned", causal=True, heads=4, layers=1, seed=0) -> TinyTransformer:
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return TinyTransformer(vocab=10, length=6, d_model=16, heads=heads, layers=layers,
                               positional=positional, causal=causal)  # fmt: skip


def _reference_of(own) -> torch.nn.MultiheadAttention:
    reference = torch.nn.MultiheadAttention(16, own.heads, batch_first=True)
    with torch.no_grad():
        reference.in_proj_weight.copy_(own.qkv.weight)
        reference.in_proj_bias.copy_(own.qkv.bias)
        reference.out_proj.weight.copy_(own.out.weight)
        reference.out_proj.bias.copy_(own.out.bias)
    return reference


@pytest.mark.parametrize("causal", [True, False])
def test_transformer_attention_matches_torch_multihead_attention(causal):
    own = _model(causal=causal).blocks[0].attention
    reference = _reference_of(own)
    x = torch.randn(3, 6, 16, generator=torch.Generator().manual_seed(1))
    out, weights = own(x)
    mask = torch.ones(6, 6, dtype=torch.bool).triu(1) if causal else None
    ref_out, ref_weights = reference(x, x, x, attn_mask=mask, average_attn_weights=False)
    torch.testing.assert_close(out, ref_out, atol=1e-5, rtol=0)
    torch.testing.assert_close(weights, ref_weights, atol=1e-5, rtol=0)


def test_rope_attention_is_multihead_attention_on_turned_queries_and_keys():
    own = _model("rope", causal=False).blocks[0].attention
    x = torch.randn(2, 6, 16, generator=torch.Generator().manual_seed(2))
    _, weights = own(x)
    q, k, _ = own.qkv(x).reshape(2, 6, 3, 4, 4).permute(2, 0, 3, 1, 4)  # each (B, H, T, d_h)
    scores = rope(q) @ rope(k).transpose(-2, -1) / 2.0  # √d_h = 2
    torch.testing.assert_close(weights, torch.softmax(scores, -1), atol=1e-5, rtol=0)


def test_outputs_and_weights_have_their_documented_shapes():
    model = _model(layers=2)
    tokens = torch.randint(0, 10, (5, 6), generator=torch.Generator().manual_seed(3))
    logits, weights = model(tokens)
    assert logits.shape == (5, 6, 10) and weights.shape == (2, 5, 4, 6, 6)
    torch.testing.assert_close(weights.sum(-1), torch.ones(2, 5, 4, 6))
    assert (weights.triu(1) == 0).all()  # causal: no weight on a later key
    short, short_weights = model(tokens[:, :4])  # shorter sequences use the first positions
    assert short.shape == (5, 4, 10) and short_weights.shape == (2, 5, 4, 4, 4)


def test_positional_encodings_are_what_their_names_say():
    learned, sinus, rope_only, blind = (_model(name) for name in POSITIONALS)
    assert learned.position.requires_grad and learned.position.abs().sum() > 0
    assert not sinus.position.requires_grad
    torch.testing.assert_close(sinus.position.detach(), sinusoidal(6, 16))
    for model in (rope_only, blind):
        assert not model.position.requires_grad and (model.position == 0).all()
    assert rope_only.blocks[0].attention.use_rope and not blind.blocks[0].attention.use_rope
    # without positions and without a mask, attention cannot tell order: permuting the
    # tokens permutes the outputs
    model = _model("none", causal=False)
    tokens = torch.tensor([[1, 2, 3, 4, 5, 6]])
    order = torch.tensor([5, 3, 1, 0, 2, 4])
    torch.testing.assert_close(model(tokens[:, order])[0], model(tokens)[0][:, order])
    learned_plain = _model("learned", causal=False)
    moved = learned_plain(tokens[:, order])[0]
    assert not torch.allclose(moved, learned_plain(tokens)[0][:, order], atol=1e-4)


def test_head_mask_silences_exactly_the_masked_heads():
    model = _model(heads=4, layers=2)
    tokens = torch.randint(0, 10, (3, 6), generator=torch.Generator().manual_seed(4))
    full, full_weights = model(tokens)
    ones = torch.ones(2, 4)
    same, _ = model(tokens, ones)
    torch.testing.assert_close(same, full)
    mask = ones.clone()
    mask[0, 1] = 0.0
    silenced, weights = model(tokens, mask)
    assert not torch.allclose(silenced, full, atol=1e-4)
    torch.testing.assert_close(weights[0], full_weights[0])  # weights are still reported
    # the reference: layer 1's attention with head 2's output zeroed by hand
    block = model.blocks[0].attention
    x = model.blocks[0].norm1(model.embed(tokens) + model.position)
    q, k, v = block.qkv(x).reshape(3, 6, 3, 4, 4).permute(2, 0, 3, 1, 4)
    heads = torch.nn.functional.scaled_dot_product_attention(q, k, v, is_causal=True)
    heads[:, 1] = 0.0
    expected = block.out(heads.transpose(1, 2).reshape(3, 6, 16))
    torch.testing.assert_close(block(x, mask[0])[0], expected, atol=1e-5, rtol=0)


def test_unknown_positional_encoding_lists_the_choices():
    assert set(POSITIONALS) == {"learned", "sinusoidal", "rope", "none"}
    with pytest.raises(ValueError, match="learned, sinusoidal, rope, none"):
        check_positional("alibi")
    with pytest.raises(ValueError, match="learned, sinusoidal, rope, none"):
        _model("alibi")
