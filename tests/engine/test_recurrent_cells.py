"""dlviz.recurrent.cells and hand: the explicit RNN, LSTM and GRU steps against torch's own
nn.RNNCell, nn.LSTMCell and nn.GRUCell with the same weights, the gates' ranges, the unknown
cell's refusal, and the one-unit LSTM step by hand against nn.LSTMCell and plain math."""

import math

import pytest
import torch
from torch import nn

from dlviz.formulas import latex_number
from dlviz.recurrent.cells import (
    CELLS,
    GATES,
    SQUASHED,
    CellWeights,
    cell_step,
    get_cell,
    zero_state,
)
from dlviz.recurrent.hand import (
    EXAMPLE_WEIGHTS,
    StepConfig,
    gate_line,
    state_lines,
    step_weights,
    work_step,
)

TORCH_CELLS = {
    "rnn": lambda d, h: nn.RNNCell(d, h, nonlinearity="tanh"),
    "lstm": nn.LSTMCell,
    "gru": nn.GRUCell,
}


def _weights(module: nn.RNNCellBase) -> CellWeights:
    return CellWeights(module.weight_ih, module.weight_hh, module.bias_ih, module.bias_hh)


def _torch_cell(name: str, d: int, h: int, seed: int, scale: float = 1.0):
    torch.manual_seed(seed)
    module = TORCH_CELLS[name](d, h)
    with torch.no_grad():
        for p in module.parameters():
            p.mul_(scale)
    return module


def _state(name: str, b: int, h: int, gen: torch.Generator, scale: float = 1.0):
    return {c: scale * torch.randn(b, h, generator=gen) for c in get_cell(name).carries}


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("name", ["rnn", "lstm", "gru"])
@torch.no_grad()
def test_one_step_matches_torchs_own_cell(name, seed):
    module = _torch_cell(name, 3, 5, seed)
    gen = torch.Generator().manual_seed(100 + seed)
    x = torch.randn(4, 3, generator=gen)
    state = _state(name, 4, 5, gen)
    got = cell_step(name, x, state, _weights(module))
    assert set(got) == set(CELLS[name].records)
    assert all(v.shape == (4, 5) for v in got.values())
    if name == "lstm":
        h, c = module(x, (state["hidden"], state["cell"]))
        torch.testing.assert_close(got["cell"], c, rtol=0, atol=1e-6)
    else:
        h = module(x, state["hidden"])
    torch.testing.assert_close(got["hidden"], h, rtol=0, atol=1e-6)


@pytest.mark.parametrize("name", ["rnn", "lstm", "gru"])
@torch.no_grad()
def test_a_cell_run_by_hand_over_steps_matches_torch_step_after_step(name):
    module = _torch_cell(name, 2, 4, seed=5)
    gen = torch.Generator().manual_seed(7)
    state = zero_state(name, 3, 4, torch.zeros(1))
    mine = dict(state)
    theirs = (state["hidden"], state["cell"]) if name == "lstm" else state["hidden"]
    for _ in range(6):
        x = torch.randn(3, 2, generator=gen)
        now = cell_step(name, x, mine, _weights(module))
        mine = {k: now[k] for k in mine}
        theirs = module(x, theirs)
    h = theirs[0] if name == "lstm" else theirs
    torch.testing.assert_close(mine["hidden"], h, rtol=0, atol=1e-6)
    assert mine["hidden"].abs().sum() > 0  # the state did move


@torch.no_grad()
def test_the_lstm_gates_follow_the_written_formulas():
    module = _torch_cell("lstm", 3, 2, seed=3)
    gen = torch.Generator().manual_seed(3)
    x, state = torch.randn(5, 3, generator=gen), _state("lstm", 5, 2, gen)
    got = cell_step("lstm", x, state, _weights(module))
    h = 2
    blocks = {}
    for k, gate in enumerate(("input", "forget", "candidate", "output")):  # torch's row order
        rows = slice(k * h, (k + 1) * h)
        z = (x @ module.weight_ih[rows].T + module.bias_ih[rows]
             + state["hidden"] @ module.weight_hh[rows].T + module.bias_hh[rows])  # fmt: skip
        blocks[gate] = torch.tanh(z) if gate == "candidate" else torch.sigmoid(z)
        torch.testing.assert_close(got[gate], blocks[gate], rtol=0, atol=1e-6)
    cell = blocks["forget"] * state["cell"] + blocks["input"] * blocks["candidate"]
    torch.testing.assert_close(got["cell"], cell, rtol=0, atol=1e-6)
    torch.testing.assert_close(got["hidden"], blocks["output"] * torch.tanh(cell))


@torch.no_grad()
def test_the_gru_update_gate_mixes_the_old_state_and_the_candidate():
    module = _torch_cell("gru", 3, 4, seed=4)
    gen = torch.Generator().manual_seed(4)
    x, state = torch.randn(5, 3, generator=gen), _state("gru", 5, 4, gen)
    got = cell_step("gru", x, state, _weights(module))
    z, n = got["update"], got["candidate"]
    torch.testing.assert_close(got["hidden"], (1 - z) * n + z * state["hidden"])
    rows = slice(0, 4)  # the reset gate's block comes first
    from_x = x @ module.weight_ih[rows].T + module.bias_ih[rows]
    r = torch.sigmoid(from_x + state["hidden"] @ module.weight_hh[rows].T + module.bias_hh[rows])
    torch.testing.assert_close(got["reset"], r, rtol=0, atol=1e-6)


@pytest.mark.parametrize("name", ["rnn", "lstm", "gru"])
@torch.no_grad()
def test_gates_lie_strictly_in_0_1_and_candidates_and_hidden_in_minus_1_1(name):
    # float64 and pre-activations up to about ±15: nearly saturated, yet short of where
    # sigmoid or tanh round to exactly 0 or ±1
    module = _torch_cell(name, 4, 8, seed=6, scale=2.0).double()
    gen = torch.Generator().manual_seed(6)
    x = 3 * torch.randn(256, 4, generator=gen, dtype=torch.float64)
    state = {c: torch.rand(256, 8, generator=gen, dtype=torch.float64) * 2 - 1
             for c in get_cell(name).carries}  # fmt: skip
    w = _weights(module)
    z = x @ w.w_ih.T + w.b_ih + state["hidden"] @ w.w_hh.T + w.b_hh
    assert 6 < z.abs().max() < 17  # large, but short of rounding to the limits
    got = cell_step(name, x, state, w)
    for key, value in got.items():
        if key in GATES:
            assert ((value > 0) & (value < 1)).all(), key
            assert value.min() < 0.05 and value.max() > 0.95  # the scale did push them out
        elif key in SQUASHED:
            assert ((value > -1) & (value < 1)).all(), key
        else:
            assert key == "cell"


@pytest.mark.parametrize("name", ["rnn", "lstm", "gru"])
@torch.no_grad()
def test_at_a_huge_scale_the_gates_saturate_but_stay_in_range(name):
    module = _torch_cell(name, 4, 8, seed=8, scale=1e3)
    gen = torch.Generator().manual_seed(8)
    x = 1e3 * torch.randn(64, 4, generator=gen)
    state = {"hidden": torch.rand(64, 8, generator=gen) * 2 - 1,  # a hidden state in (-1, 1)
             "cell": 10 * torch.randn(64, 8, generator=gen)}  # fmt: skip
    got = cell_step(name, x, state, _weights(module))
    for key, value in got.items():
        assert torch.isfinite(value).all(), key
        if key in GATES:
            assert ((value >= 0) & (value <= 1)).all(), key
        elif key in SQUASHED:
            assert ((value >= -1) & (value <= 1)).all(), key


def test_every_recorded_name_is_a_gate_a_squashed_value_or_the_cell_state():
    for cell in CELLS.values():
        assert cell.records[-1] == "hidden" and set(cell.carries) <= set(cell.records)
        assert all(r in GATES or r in SQUASHED or r == "cell" for r in cell.records)
    assert [c.blocks for c in CELLS.values()] == [1, 4, 3]


def test_an_unknown_cell_is_refused_with_the_list_of_cells():
    with pytest.raises(ValueError, match="unknown cell 'nope'; choose one of rnn, lstm, gru"):
        get_cell("nope")
    with pytest.raises(ValueError, match="rnn, lstm, gru"):
        cell_step("nope", torch.zeros(1, 1), {"hidden": torch.zeros(1, 1)},
                  _weights(nn.RNNCell(1, 1)))  # fmt: skip


# --- one LSTM step by hand ---------------------------------------------------------------

STEPS = [
    StepConfig(),
    StepConfig(x=-2.3, h=0.7, c=-1.2, scale=0.4),
    StepConfig(x=3.0, h=-1.0, c=3.0, scale=5.0),
    StepConfig(x=0.5, h=0.25, c=-0.3, scale=2.5),
]


def _sigmoid(v: float) -> float:
    return 1 / (1 + math.exp(-v))


@pytest.mark.parametrize("cfg", STEPS, ids=repr)
@torch.no_grad()
def test_the_worked_step_matches_torchs_lstm_cell(cfg):
    step = work_step(cfg)
    module = nn.LSTMCell(1, 1).double()
    w = step_weights(cfg.scale)
    for name, value in (("weight_ih", w.w_ih), ("weight_hh", w.w_hh), ("bias_ih", w.b_ih),
                        ("bias_hh", w.b_hh)):  # fmt: skip
        getattr(module, name).copy_(value)
    x = torch.tensor([[cfg.x]], dtype=torch.float64)
    h, c = module(x, (torch.tensor([[cfg.h]], dtype=torch.float64),
                      torch.tensor([[cfg.c]], dtype=torch.float64)))  # fmt: skip
    assert step.hidden == pytest.approx(h.item(), abs=1e-12)
    assert step.cell == pytest.approx(c.item(), abs=1e-12)


@pytest.mark.parametrize("cfg", STEPS, ids=repr)
def test_the_worked_step_matches_plain_math(cfg):
    step = work_step(cfg)
    values = {}
    for name, (wx, wh, b) in EXAMPLE_WEIGHTS.items():
        gate = step.gate(name)
        z = cfg.scale * (wx * cfg.x + wh * cfg.h + b)
        assert (gate.w_x, gate.w_h, gate.bias) == pytest.approx(
            (cfg.scale * wx, cfg.scale * wh, cfg.scale * b)
        )
        assert gate.z == pytest.approx(z, abs=1e-12)
        values[name] = math.tanh(z) if name == "candidate" else _sigmoid(z)
        assert gate.value == pytest.approx(values[name], abs=1e-12)
    cell = values["forget"] * cfg.c + values["input"] * values["candidate"]
    assert step.cell == pytest.approx(cell, abs=1e-12)
    assert step.hidden == pytest.approx(values["output"] * math.tanh(cell), abs=1e-12)
    assert [g.name for g in step.gates] == ["input", "forget", "candidate", "output"]


@pytest.mark.parametrize("cfg", STEPS, ids=repr)
def test_the_written_lines_hold_the_computed_numbers(cfg):
    step = work_step(cfg)
    for g in step.gates:
        line = gate_line(step, g.name)
        assert line.endswith(f"= {g.value:.3f}")
        n = latex_number
        squash = r"\tanh" if g.name == "candidate" else r"\sigma"
        assert f"{squash}({n(g.w_x)}\\cdot{n(cfg.x)} + {n(g.w_h)}\\cdot{n(cfg.h)}" in line
        assert f" + {n(g.bias)})" in line
    f, i, c, o = (latex_number(step.gate(k).value)
                  for k in ("forget", "input", "candidate", "output"))  # fmt: skip
    cell, hidden = state_lines(step)
    assert cell.startswith("c' = ") and cell.endswith(f"= {step.cell:.3f}")
    assert f"{f}\\cdot{latex_number(cfg.c)} + {i}\\cdot{c}" in cell
    assert hidden.startswith("h' = ") and hidden.endswith(f"= {step.hidden:.3f}")
    assert f"{o}\\cdot\\tanh({latex_number(step.cell)})" in hidden


def test_a_negative_number_is_written_in_brackets():
    step = work_step(StepConfig(x=-2.0, h=0.5, c=0.5, scale=1.0))
    assert r"1\cdot(-2)" in gate_line(step, "input")


def test_at_scale_zero_every_gate_is_a_half_and_the_candidate_zero():
    step = work_step(StepConfig(x=2.0, h=-0.5, c=1.5, scale=0.0))
    for name in ("input", "forget", "output"):
        assert step.gate(name).value == 0.5 and step.gate(name).z == 0.0
    assert step.gate("candidate").value == 0.0
    assert step.cell == pytest.approx(0.75)  # half the old cell, nothing new
    assert step.hidden == pytest.approx(0.5 * math.tanh(0.75))


def test_with_no_input_the_forget_gate_leans_to_keeping_the_cell():
    # the forget gate's bias is positive (the usual +1 trick), every other bias 0
    step = work_step(StepConfig(x=0.0, h=0.0, c=2.0, scale=1.0))
    assert step.gate("forget").value == pytest.approx(_sigmoid(1.0))
    assert [step.gate(k).value for k in ("input", "output")] == [0.5, 0.5]
    assert step.cell == pytest.approx(2.0 * _sigmoid(1.0))  # most of the old cell is kept


def test_a_large_scale_pushes_the_gates_towards_0_or_1():
    gentle = work_step(StepConfig(x=1.0, h=0.5, c=0.5, scale=0.2))
    strong = work_step(StepConfig(x=1.0, h=0.5, c=0.5, scale=5.0))
    for name in ("input", "forget", "output"):
        assert abs(strong.gate(name).value - 0.5) > abs(gentle.gate(name).value - 0.5)
    assert strong.gate("input").value > 0.99


@pytest.mark.parametrize("bad", [dict(scale=-1.0), dict(scale=6.0), dict(x=4.0), dict(h=1.5)])
def test_the_calculator_refuses_values_out_of_range(bad):
    with pytest.raises(ValueError, match=rf"\({next(iter(bad))}\)"):
        StepConfig(**bad)
