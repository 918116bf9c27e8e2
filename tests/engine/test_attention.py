"""Attention stage by stage against torch's scaled_dot_product_attention, positional
encodings against their formulas (sinusoidal table, RoPE as complex multiplication), the
toy tasks' targets and patterns, the tiny transformer and the live AttentionSession."""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from dlviz.attention import (
    POSITIONALS,
    TASKS,
    AttentionConfig,
    AttentionSession,
    TinyTransformer,
    attention_stages,
    get_task,
    make_batch,
    parse_tokens,
    pattern,
    probe_line,
    rope,
    rope_circle,
    rope_similarity,
    similarity,
    sinusoidal,
    step_through,
)
from dlviz.attention.stages import MAX_TOKENS
from dlviz.live import Session


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
    unscaled = attention_stages(q, k, v, scale=False)
    torch.testing.assert_close(unscaled.scaled, unscaled.raw)


def test_head_mask_silences_one_head_only():
    q, k, v = _qkv(3, 5, 4, seed=1)
    full = attention_stages(q, k, v)
    masked = attention_stages(q, k, v, head_mask=torch.tensor([1.0, 0.0, 1.0]))
    assert (masked.output[1] == 0).all()
    torch.testing.assert_close(masked.output[[0, 2]], full.output[[0, 2]])
    torch.testing.assert_close(masked.weights, full.weights)


def test_step_through_shapes_saturation_and_positions():
    tokens, cut = parse_tokens("the cat sat on the mat")
    assert tokens == ("the", "cat", "sat", "on", "the", "mat") and not cut
    small = step_through(tokens, d_k=4, heads=2)
    assert small.weights.shape == (2, 6, 6) and small.output.shape == (2, 6, 4)
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


def test_step_through_causal_and_hostile_input():
    causal = step_through(("a", "b", "c", "d"), causal=True)
    assert (causal.weights[:, np.triu_indices(4, 1)[0], np.triu_indices(4, 1)[1]] == 0).all()
    np.testing.assert_allclose(causal.weights[:, 0, 0], 1.0)
    tokens, cut = parse_tokens(" ".join(["x" * 40] * 30))
    assert cut and len(tokens) == MAX_TOKENS and all(len(t) <= 16 for t in tokens)
    with pytest.raises(ValueError, match="at least one token"):
        parse_tokens("   \n ")
    with pytest.raises(ValueError, match="d_k"):
        step_through(("a",), d_k=0)


def test_sinusoidal_matches_the_formula_at_sample_positions():
    table = sinusoidal(50, 16).double()
    for pos in (0, 1, 7, 49):
        for i in range(8):
            angle = pos / 10000 ** (2 * i / 16)
            assert table[pos, 2 * i].item() == pytest.approx(math.sin(angle), abs=1e-6)
            assert table[pos, 2 * i + 1].item() == pytest.approx(math.cos(angle), abs=1e-6)
    sim = similarity(table.numpy())
    np.testing.assert_allclose(np.diag(sim), 1.0, atol=1e-6)
    # Similarity depends on the offset only: constant along each diagonal.
    np.testing.assert_allclose(np.diag(sim, 3), np.diag(sim, 3)[0], atol=1e-5)
    assert sim[0, 1] > sim[0, 10]
    with pytest.raises(ValueError, match="even"):
        sinusoidal(4, 7)


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
    # The score of one query and one key depends on their offset only.
    q, k = torch.randn(8, generator=gen), torch.randn(8, generator=gen)
    qs, ks = rope(q.expand(10, 8)), rope(k.expand(10, 8))
    assert qs[2] @ ks[5] == pytest.approx((qs[4] @ ks[7]).item(), abs=1e-5)
    assert qs[2] @ ks[5] != pytest.approx((qs[2] @ ks[6]).item(), abs=1e-3)
    circle = rope_circle(5, 8, pair=0)
    np.testing.assert_allclose(circle[1], [math.cos(1), math.sin(1)], atol=1e-6)
    np.testing.assert_allclose(np.hypot(*rope_circle(5, 8, pair=3).T), 1.0, atol=1e-6)
    sim = rope_similarity(6, 8)
    np.testing.assert_allclose(np.diag(sim, 2), np.diag(sim, 2)[0], atol=1e-5)


def test_task_targets_and_patterns():
    x = torch.tensor([[3, 1, 4, 1, 5, 9, 2, 6]])
    expected = {
        "copy": [3, 1, 4, 1, 5, 9, 2, 6], "reverse": [6, 2, 9, 5, 1, 4, 1, 3],
        "sort": [1, 1, 2, 3, 4, 5, 6, 9], "shift": [6, 3, 1, 4, 1, 5, 9, 2],
    }  # fmt: skip
    for name, target in expected.items():
        task = get_task(name)
        assert task.targets(x)[0].tolist() == target
        keys = pattern(task, x)[0].argmax(-1)
        assert (x[0, keys] == task.targets(x)[0]).all(), name  # the pattern finds the answer
    assert pattern(get_task("reverse"), x)[0].flip(1).diagonal().eq(1).all()
    induction = get_task("induction")
    seq = make_batch(induction, 4, 8, 10, torch.Generator().manual_seed(0))
    assert (seq[:, :4] == seq[:, 4:]).all()
    scored = induction.scored(8)
    assert scored.tolist() == [False] * 4 + [True] * 3 + [False]
    graded_keys = pattern(induction, seq)[0][scored].argmax(-1)
    assert graded_keys.tolist() == [1, 2, 3]
    assert (seq[0, graded_keys] == induction.targets(seq)[0, scored]).all()
    assert set(TASKS) == {"copy", "reverse", "sort", "shift", "induction"}


def test_sort_pattern_accepts_any_copy_of_a_repeated_token():
    x = torch.tensor([[3, 1, 4, 1]])
    marks = pattern(get_task("sort"), x)[0]  # targets 1 1 3 4
    assert marks[0].tolist() == [0, 1, 0, 1] and marks[1].tolist() == [0, 1, 0, 1]
    assert marks[2].tolist() == [1, 0, 0, 0] and marks[3].tolist() == [0, 0, 1, 0]
    # A position-based task marks exactly one key even when tokens repeat.
    assert pattern(get_task("reverse"), x)[0].sum(-1).tolist() == [1, 1, 1, 1]


def test_transformer_attention_matches_torch_multihead_attention():
    torch.manual_seed(0)
    model = TinyTransformer(vocab=10, length=6, d_model=16, heads=4, layers=1,
                            positional="learned", causal=True)  # fmt: skip
    own = model.blocks[0].attention
    reference = torch.nn.MultiheadAttention(16, 4, batch_first=True)
    with torch.no_grad():
        reference.in_proj_weight.copy_(own.qkv.weight)
        reference.in_proj_bias.copy_(own.qkv.bias)
        reference.out_proj.weight.copy_(own.out.weight)
        reference.out_proj.bias.copy_(own.out.bias)
    x = torch.randn(3, 6, 16)
    out, weights = own(x)
    mask = torch.ones(6, 6, dtype=torch.bool).triu(1)
    ref_out, ref_weights = reference(x, x, x, attn_mask=mask, average_attn_weights=False)
    torch.testing.assert_close(out, ref_out, atol=1e-5, rtol=0)
    torch.testing.assert_close(weights, ref_weights, atol=1e-5, rtol=0)


def test_unknown_names_raise_value_errors_listing_the_choices():
    with pytest.raises(ValueError, match="copy, reverse, sort, shift, induction"):
        get_task("palindrome")
    with pytest.raises(ValueError, match="learned, sinusoidal, rope, none"):
        AttentionSession(AttentionConfig(positional="alibi"))
    with pytest.raises(ValueError, match="choose one of"):
        AttentionSession(AttentionConfig(task="nope"))
    for bad in (dict(heads=3), dict(length=40), dict(layers=3), dict(task="induction", length=9),
                dict(learning_rate=float("nan")), dict(vocab=True)):  # fmt: skip
        with pytest.raises(ValueError):
            AttentionConfig(**bad).validate()
    assert set(POSITIONALS) == {"learned", "sinusoidal", "rope", "none"}
    with pytest.raises(ValueError, match="must be even"):
        AttentionConfig(d_model=20, heads=4, positional="rope").validate()
    with pytest.raises(ValueError, match="steps per update"):
        AttentionConfig(chunk_steps=0).validate()


def _trained_reverse(seed=0, limit=1000):
    session = AttentionSession(AttentionConfig(task="reverse", length=8, vocab=10, layers=1,
                                               seed=seed))  # fmt: skip
    while session.accuracy() < 0.99 and session.step_count < limit:
        session.train_steps(20)
    return session


@pytest.mark.parametrize("seed", [0, 1])
def test_reverse_reaches_99_percent_and_a_head_finds_the_mirror(seed):
    session = _trained_reverse(seed)
    assert isinstance(session, Session)
    assert session.accuracy() >= 0.99, f"only {session.accuracy():.3f} after 1000 steps"
    reached = session.step_count
    session.train_steps(600)
    mass = session.pattern_mass()  # (layers, heads, graded queries), fresh evaluation set
    assert mass.shape == (1, 2, 8)
    best = mass.min(-1).max()  # the head whose weakest query is strongest
    assert best >= 0.8, f"best head puts only {best:.2f} on the mirror (99% at step {reached})"
    snap = session.snapshot()
    head = snap.best_head
    assert snap.pattern_mass[head] == snap.pattern_mass.max()
    probe_weights = snap.attention[head]
    assert (probe_weights.argmax(-1) == np.arange(8)[::-1]).all()
    assert (snap.probe_predictions == snap.probe[::-1]).all()


def test_untrained_model_does_not_know_the_task():
    session = AttentionSession(AttentionConfig())
    snap = session.snapshot()
    assert snap.accuracy < 0.3 and snap.pattern_mass.max() < 0.4
    np.testing.assert_allclose(snap.attention.sum(-1), 1.0, atol=1e-5)


def test_same_seed_gives_identical_snapshots_and_another_seed_does_not():
    def run(seed):
        session = AttentionSession(AttentionConfig(task="shift", heads=2, seed=seed))
        session.train_steps(60)
        return session.snapshot()

    a, b, c = run(4), run(4), run(5)
    for field in ("attention", "history_loss", "history_accuracy", "probe", "ablation"):
        np.testing.assert_array_equal(getattr(a, field), getattr(b, field))
    assert a.loss == b.loss and a.step == b.step == 60
    assert not np.array_equal(a.attention, c.attention)


def test_probe_line_writes_tokens_and_dots_for_ungraded_positions():
    session = AttentionSession(AttentionConfig(task="induction", vocab=12))
    snap = session.snapshot()
    line = probe_line(snap)
    letters = " ".join("ABCDEFGHIJKL"[t] for t in snap.probe)
    assert line.startswith(f"Probe `{letters}` → target `· · · · ")
    assert line.endswith("(· = not graded)") and line.count("·") == 2 * 5 + 1
    reverse = probe_line(AttentionSession(AttentionConfig()).snapshot())
    assert "·" not in reverse and reverse.count("`") == 6


def test_snapshot_shapes_for_two_layers_and_causal_mask():
    session = AttentionSession(AttentionConfig(task="induction", layers=2, heads=4, length=10))
    session.train_steps(20)
    snap = session.snapshot()
    assert snap.attention.shape == (2, 4, 10, 10)
    assert (snap.attention[..., np.triu_indices(10, 1)[0], np.triu_indices(10, 1)[1]] == 0).all()
    assert snap.pattern_mass.shape == snap.ablation.shape == (2, 4)
    assert snap.scored.sum() == 4 and snap.pattern[~snap.scored].sum() == 0
    assert snap.positions.shape == (10, 32) and len(snap.history_steps) == 2


def test_ablating_the_mirror_head_breaks_reverse():
    session = AttentionSession(AttentionConfig(task="reverse", heads=1))
    session.train_steps(400)
    snap = session.snapshot()
    assert snap.accuracy > 0.99 and snap.ablation[0, 0] < 0.3
    assert snap.ablation_baseline > 0.99


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_session_runs_on_the_gpu_and_takes_a_cpu_head_mask():
    session = AttentionSession(AttentionConfig(layers=2))
    assert next(session.model.parameters()).is_cuda
    session.train_steps(20)
    snap = session.snapshot()
    assert snap.attention.shape == (2, 2, 8, 8) and 0 <= snap.accuracy <= 1
    assert 0 <= session.accuracy(torch.ones(2, 2)) <= 1  # a CPU mask is moved over


def test_positional_choices_matter_for_reverse():
    rope_only = AttentionSession(AttentionConfig(task="reverse", positional="rope"))
    rope_only.train_steps(400)
    sinus = AttentionSession(AttentionConfig(task="reverse", positional="sinusoidal"))
    sinus.train_steps(400)
    blind = AttentionSession(AttentionConfig(task="reverse", positional="none"))
    blind.train_steps(400)
    # RoPE alone knows only offsets (the edges give it a little more); no positions at all
    # leaves attention blind to order.
    assert sinus.accuracy() > 0.95 > 0.85 > rope_only.accuracy() > 0.5 > blind.accuracy()
    assert sinus.snapshot().positions is not None and rope_only.snapshot().positions is None
    np.testing.assert_allclose(sinus.snapshot().positions, sinusoidal(8, 32).numpy())


def test_retune_and_divergence_pause_without_raising():
    session = AttentionSession(AttentionConfig())
    session.train_steps(20)
    session.retune(AttentionConfig(learning_rate=1e-3))
    assert session.optimizer.param_groups[0]["lr"] == 1e-3 and session.step_count == 20
    wild = AttentionSession(AttentionConfig(learning_rate=1e6))
    snap = wild.step(0.0)
    for _ in range(20):
        if snap.halted:
            break
        snap = wild.step(0.0)
    assert snap.halted and wild.step(0.0).step == snap.step
