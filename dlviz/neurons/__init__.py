"""The first chapters: one neuron worked out (neuron.py), logic gates as data (gates.py),
Rosenblatt's perceptron and XOR from three of them (perceptron.py), backpropagation by hand
on a 2-2-1 network (backprop.py) and that network learning XOR live (xor.py).
"""

from dlviz.neurons.backprop import (
    ROW_LABELS,
    BackpropConfig,
    Walkthrough,
    XorNet,
    walk,
    work_backprop,
    xor_net,
)
from dlviz.neurons.gates import GATE_LABELS, INPUTS, LOGIC_GATES, LogicGate, get_gate
from dlviz.neurons.neuron import NeuronConfig, WorkedNeuron, work_neuron
from dlviz.neurons.perceptron import (
    PerceptronConfig,
    PerceptronSession,
    PerceptronSnapshot,
    Update,
    XorNetwork,
    perceptron_update,
    step,
    train_perceptron,
    weighted_sum,
    xor_network,
)
from dlviz.neurons.xor import XorConfig, XorSession, XorSnapshot, xor_loss

__all__ = [
    "GATE_LABELS",
    "INPUTS",
    "LOGIC_GATES",
    "ROW_LABELS",
    "BackpropConfig",
    "LogicGate",
    "NeuronConfig",
    "PerceptronConfig",
    "PerceptronSession",
    "PerceptronSnapshot",
    "Update",
    "Walkthrough",
    "WorkedNeuron",
    "XorConfig",
    "XorNet",
    "XorNetwork",
    "XorSession",
    "XorSnapshot",
    "get_gate",
    "perceptron_update",
    "step",
    "train_perceptron",
    "walk",
    "weighted_sum",
    "work_backprop",
    "work_neuron",
    "xor_loss",
    "xor_net",
    "xor_network",
]
