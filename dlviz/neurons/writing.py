"""The Neurons page's numbers in words and formulas: a neuron's sum and activation, a
perceptron update, every step of one backpropagation pass as LaTeX with its numbers, and
the metrics row of each live panel. Text only.
"""

from __future__ import annotations

from dlviz.activations import get_activation
from dlviz.formulas import latex_number as n
from dlviz.neurons.backprop import Walkthrough
from dlviz.neurons.gates import get_gate
from dlviz.neurons.neuron import WorkedNeuron
from dlviz.neurons.perceptron import PerceptronSnapshot, Update
from dlviz.neurons.xor import XorSnapshot

SLOPES = {"sigmoid": r"a(1-a)", "tanh": r"1-a^2", "relu": r"[z>0]"}


def v(value: float) -> str:
    """A number inside a vector or matrix: 3 significant digits, its sign as is."""
    return f"{value + 0.0:.3g}"


def vec(values) -> str:
    """(a, b) of a 2-vector."""
    return rf"({v(values[0])},\ {v(values[1])})"


def mat(m) -> str:
    """A 2×2 matrix as a pmatrix."""
    return (rf"\begin{{pmatrix}} {v(m[0, 0])} & {v(m[0, 1])} \\ {v(m[1, 0])} & {v(m[1, 1])} "
            r"\end{pmatrix}")  # fmt: skip


def neuron_lines(worked: WorkedNeuron) -> list[str]:
    """z = w·x + b with the numbers, then a = f(z)."""
    c = worked.config
    act = get_activation(c.activation)
    return [
        rf"z = w_1 x_1 + w_2 x_2 + b = {n(c.w1)}\cdot{n(c.x1)} + {n(c.w2)}\cdot{n(c.x2)} "
        rf"+ {n(c.b)} = {n(worked.z)}",
        rf"a = f(z) = \text{{{act.label}}}({n(worked.z)}) = {n(worked.a)}",
    ]


def update_lines(u: Update) -> list[str]:
    """The row shown, the answer, and the rule with its numbers."""
    x1, x2 = (f"{value:g}" for value in u.x)
    fired = r"\ge 0" if u.z >= 0 else "< 0"
    lines = [
        rf"\text{{row }} x = ({x1}, {x2}),\ y = {u.y:g}",
        rf"z = {n(u.w[0])}\cdot{x1} + {n(u.w[1])}\cdot{x2} + {n(u.b)} = {n(u.z)} {fired}"
        rf"\;\Rightarrow\; \hat y = {u.y_hat:g}",
    ]
    if not u.mistake:
        return [*lines, r"\hat y = y:\ \text{right, so nothing changes}"]
    err = u.y - u.y_hat
    return [
        *lines,
        # the rule itself is written above the view: these lines are its numbers only
        rf"w \leftarrow {vec(u.w)} + {n(u.lr)}\cdot({err:g})\cdot({x1}, {x2}) = {vec(u.w + u.dw)}",
        rf"b \leftarrow {n(u.b)} + {n(u.lr)}\cdot({err:g}) = {n(u.b + u.db)}",
    ]


def perceptron_verdict(snap: PerceptronSnapshot) -> str:
    """One sentence: converged (when), still learning, or can't (XOR)."""
    label = get_gate(snap.gate).label
    if snap.converged_at is not None:
        return (
            f"Converged: epoch {snap.converged_at} went through all four rows without "
            f"a mistake; the line separates {label}'s 1s from its 0s and stays put."
        )
    if not get_gate(snap.gate).separable and snap.epoch > 4:
        return (
            f"{snap.epoch - 1} epochs and never a clean one: no straight line puts "
            f"{label}'s two 1s on one side and its two 0s on the other, so every epoch "
            "has a mistake and the line keeps moving for ever."
        )
    return f"Epoch {snap.epoch}: still learning."


def backprop_lines(w: Walkthrough, activation: str, loss: str) -> dict[str, list[str]]:
    """The forward pass, the backward pass (output, then hidden) and the update, as LaTeX."""
    f = get_activation(activation).label
    slope = SLOPES[activation]
    fwd = [
        rf"z^{{(1)}}_j = w_{{j1}} x_1 + w_{{j2}} x_2 + b_j:\quad z^{{(1)}} = {vec(w.z1)}",
        rf"a_j = \text{{{f}}}(z^{{(1)}}_j) = {vec(w.a1)}",
        rf"z^{{(2)}} = v_1 a_1 + v_2 a_2 + c = {n(w.w2[0])}\cdot{n(w.a1[0])} + {n(w.w2[1])}"
        rf"\cdot{n(w.a1[1])} + {n(w.b2)} = {n(w.z2)}",
        rf"\hat y = \sigma(z^{{(2)}}) = {n(w.y_hat)}",
    ]
    if loss == "bce":
        fwd.append(rf"L = -[y\log\hat y + (1-y)\log(1-\hat y)] = {n(w.loss)}")
        first = (rf"\frac{{\partial L}}{{\partial \hat y}} = \frac{{\hat y - y}}"
                 rf"{{\hat y(1-\hat y)}} = {n(w.dloss_dyhat)}")  # fmt: skip
    else:
        fwd.append(rf"L = (\hat y - y)^2 = {n(w.loss)}")
        first = rf"\frac{{\partial L}}{{\partial \hat y}} = 2(\hat y - y) = {n(w.dloss_dyhat)}"
    out = [
        first,
        rf"\frac{{\partial \hat y}}{{\partial z^{{(2)}}}} = \hat y(1-\hat y) = {n(w.dyhat_dz2)}",
        rf"\delta^{{(2)}} = \frac{{\partial L}}{{\partial \hat y}}\cdot\frac{{\partial \hat y}}"
        rf"{{\partial z^{{(2)}}}} = {n(w.delta2)}",
        rf"\frac{{\partial L}}{{\partial v_j}} = \delta^{{(2)}} a_j = {vec(w.grad_w2)},\quad "
        rf"\frac{{\partial L}}{{\partial c}} = \delta^{{(2)}} = {n(w.grad_b2)}",
    ]
    hidden = [
        rf"\frac{{\partial L}}{{\partial a_j}} = \delta^{{(2)}} v_j = {vec(w.dloss_da1)}",
        rf"f'(z^{{(1)}}_j) = {slope} = {vec(w.da1_dz1)}",
        rf"\delta^{{(1)}}_j = \frac{{\partial L}}{{\partial a_j}} f'(z^{{(1)}}_j) = "
        rf"{vec(w.delta1)} = \frac{{\partial L}}{{\partial b_j}}",
        rf"\frac{{\partial L}}{{\partial w_{{ji}}}} = \delta^{{(1)}}_j x_i = {mat(w.grad_w1)}",
    ]
    update = [
        rf"\theta \leftarrow \theta - \eta\,\frac{{\partial L}}{{\partial \theta}},\ \eta = "
        rf"{n(w.lr)}:\quad v = {vec(w.new_w2)},\ c = {v(w.new_b2)}",
        rf"W = {mat(w.new_w1)},\ b = {vec(w.new_b1)}",
    ]
    return {"forward": fwd, "output": out, "hidden": hidden, "update": update}


def perceptron_readouts(snap: PerceptronSnapshot) -> list[tuple[str, str]]:
    """Epoch, rows right now, and whether it converged."""
    right = int((snap.answers == snap.targets).sum())
    done = f"epoch {snap.converged_at}" if snap.converged_at is not None else "not yet"
    return [("Epoch", f"{snap.epoch}"), ("Rows right now", f"{right} of 4"), ("Converged", done)]


def xor_readouts(snap: XorSnapshot) -> list[tuple[str, str]]:
    """Loss, rows right, solved or not."""
    right = int(((snap.outputs > 0.5) == (snap.targets > 0.5)).sum())
    return [("Loss", f"{snap.loss:.3g}"), ("Rows right", f"{right} of 4"),
            ("XOR", "solved" if snap.solved else "not yet")]  # fmt: skip
