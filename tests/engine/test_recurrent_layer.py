"""dlviz.recurrent.layer: the explicit stack against torch's nn.RNN, nn.LSTM and nn.GRU (one
or two layers, one or both directions: outputs, last hidden and cell states, traced shapes),
and the learning signal through time against autograd on a stack run cell by cell with
torch's own cells, plus its closed form at the last step for a linear head."""

import pytest
import torch
from torch import nn

from dlviz.recurrent.cells import CELLS
from dlviz.recurrent.layer import run_cell, run_stack, signal_through_time, weights_of

MODULES = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}
CELL_MODULES = {
    "rnn": lambda d, h: nn.RNNCell(d, h, nonlinearity="tanh"),
    "lstm": nn.LSTMCell,
    "gru": nn.GRUCell,
}
SHAPES = [(1, False), (1, True), (2, False), (2, True)]
B, T, D, H = 3, 7, 4, 5


def _module(name: str, layers: int, bidirectional: bool, seed: int = 0) -> nn.RNNBase:
    torch.manual_seed(seed)
    return MODULES[name](D, H, num_layers=layers, batch_first=True, bidirectional=bidirectional)


def _x(batch: int = B, seed: int = 1) -> torch.Tensor:
    return torch.randn(batch, T, D, generator=torch.Generator().manual_seed(seed))


@pytest.mark.parametrize(("layers", "bidirectional"), SHAPES)
@pytest.mark.parametrize("name", ["rnn", "lstm", "gru"])
@torch.no_grad()
def test_the_explicit_stack_computes_what_torchs_module_does(name, layers, bidirectional):
    module, x = _module(name, layers, bidirectional), _x()
    out, last = module(x)
    traced = run_stack(name, module, x)
    dirs = 2 if bidirectional else 1
    torch.testing.assert_close(traced.output, out, rtol=0, atol=1e-6)
    assert len(traced.layers) == layers
    for k, layer in enumerate(traced.layers):
        assert set(layer) == set(CELLS[name].records)
        assert all(v.shape == (B, T, H * dirs) for v in layer.values())
        states = {"hidden": last[0], "cell": last[1]} if name == "lstm" else {"hidden": last}
        for state, final in states.items():
            # the forward direction ends at the last step, the backward one at the first
            torch.testing.assert_close(layer[state][:, -1, :H], final[k * dirs], rtol=0,
                                       atol=1e-6)  # fmt: skip
            if bidirectional:
                torch.testing.assert_close(layer[state][:, 0, H:], final[k * dirs + 1], rtol=0,
                                           atol=1e-6)  # fmt: skip
    torch.testing.assert_close(traced.layers[-1]["hidden"], traced.output, rtol=0, atol=0)


@torch.no_grad()
def test_a_reversed_run_reads_the_sequence_from_its_end_but_returns_it_in_time_order():
    module, x = _module("gru", 1, True), _x()
    back = weights_of(module, 0, reverse=True)
    reverse = run_cell("gru", x, back, reverse=True)
    flipped = run_cell("gru", x.flip(1), back)
    torch.testing.assert_close(reverse["hidden"], flipped["hidden"].flip(1), rtol=0, atol=0)
    assert not torch.allclose(reverse["hidden"], run_cell("gru", x, back)["hidden"])


@torch.no_grad()
def test_weights_of_reads_the_named_layer_and_direction():
    module = _module("lstm", 2, True)
    w = weights_of(module, 1, reverse=True)
    assert w.w_ih is module.weight_ih_l1_reverse and w.b_hh is module.bias_hh_l1_reverse
    assert w.w_ih.shape == (4 * H, 2 * H) and w.hidden == H


# --- the learning signal through time -------------------------------------------------------


def _by_hand(name: str, module: nn.RNNBase, x: torch.Tensor):
    """`module` on x (1, T, D), run step by step with torch's own cells carrying its weights:
    the top layer's output (1, T, H·dirs) and the first layer's hidden states, one list per
    direction, each (1, H) with its gradient kept."""
    dirs = 2 if module.bidirectional else 1
    first: list[list[torch.Tensor]] = []
    inputs = x
    for k in range(module.num_layers):
        outs = []
        for d in range(dirs):
            suffix = f"l{k}{'_reverse' if d else ''}"
            cell = CELL_MODULES[name](inputs.shape[-1], H)
            with torch.no_grad():
                for p in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
                    getattr(cell, p).copy_(getattr(module, f"{p}_{suffix}"))
            h = torch.zeros(1, H)
            state = (h, torch.zeros(1, H)) if name == "lstm" else h
            hs: dict[int, torch.Tensor] = {}
            for t in reversed(range(T)) if d else range(T):
                state = cell(inputs[:, t], state)
                h = state[0] if name == "lstm" else state
                h.retain_grad()
                hs[t] = h
            ordered = [hs[t] for t in range(T)]
            outs.append(torch.stack(ordered, 1))
            if k == 0:
                first.append(ordered)
        inputs = torch.cat(outs, -1)
    return inputs, first


def _norms(hs: list[torch.Tensor]) -> torch.Tensor:
    return torch.stack([h.grad.norm() if h.grad is not None else torch.tensor(0.0) for h in hs])


@pytest.mark.parametrize(("layers", "bidirectional"), SHAPES)
@pytest.mark.parametrize("name", ["rnn", "lstm", "gru"])
def test_the_signal_through_time_is_autograds_gradient_on_each_hidden_state(
    name, layers, bidirectional
):
    module = _module(name, layers, bidirectional, seed=2)
    torch.manual_seed(3)
    head = nn.Linear(H * (2 if bidirectional else 1), 1)
    x, y = _x(batch=1, seed=4), torch.tensor(0.7)
    loss = lambda out: (out[0, -1, 0] - y) ** 2  # noqa: E731
    got = signal_through_time(name, module, head, x, loss)
    assert got.shape == (T,) and not got.requires_grad

    output, first = _by_hand(name, module, x)
    loss(head(output)).backward()
    forward = _norms(first[0])
    expected = (forward**2 + _norms(first[1]) ** 2).sqrt() if bidirectional else forward
    torch.testing.assert_close(got, expected, rtol=1e-4, atol=1e-9)
    assert (got > 0).all()  # every hidden state reaches the last step's loss
    if bidirectional:  # both directions count: more than the forward one alone
        assert (got > forward + 1e-9).any()


def test_the_signal_at_the_last_step_is_the_heads_gradient_in_closed_form():
    module = _module("lstm", 1, False, seed=5)
    torch.manual_seed(6)
    head = nn.Linear(H, 1)
    x, y = _x(batch=1, seed=7), torch.tensor(-0.3)
    loss = lambda out: (out[0, -1, 0] - y) ** 2  # noqa: E731
    got = signal_through_time("lstm", module, head, x, loss)
    with torch.no_grad():
        y_hat = head(module(x)[0])[0, -1, 0]
    closed = (2 * (y_hat - y) * head.weight[0]).norm()  # ∂ℓ/∂h_T = 2 (ŷ − y) w
    assert got[-1].item() == pytest.approx(closed.item(), rel=1e-5)


def test_steps_after_the_judged_one_get_no_signal_in_one_direction():
    module = _module("gru", 1, False, seed=8)
    head = nn.Linear(H, 1)
    loss = lambda out: out[0, 3, 0] ** 2  # noqa: E731  the loss of step 3 of 7
    got = signal_through_time("gru", module, head, _x(batch=1, seed=9), loss)
    assert (got[:4] > 0).all() and (got[4:] == 0).all()


def test_a_vanilla_rnn_with_small_weights_forgets_quickly():
    module = _module("rnn", 1, False, seed=10)
    with torch.no_grad():
        module.weight_hh_l0.mul_(0.2)
    torch.manual_seed(11)
    head = nn.Linear(H, 1)
    loss = lambda out: out[0, -1, 0] ** 2  # noqa: E731
    got = signal_through_time("rnn", module, head, _x(batch=1, seed=12), loss)
    assert (got[:-1] < got[1:]).all()  # each step back gets less
    assert got[0] < 1e-3 * got[-1]
