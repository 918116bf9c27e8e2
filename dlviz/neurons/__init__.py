"""The first chapters: one neuron worked out (neuron.py), logic gates as data (gates.py),
Rosenblatt's perceptron and XOR from three of them (perceptron.py), backpropagation by hand
on a 2-2-1 network (backprop.py) and that network learning XOR live (xor.py).
"""

from dlviz.neurons.backprop import (
    BackpropConfig,
    walk,
    work_backprop,
    xor_net,
)
from dlviz.neurons.gates import INPUTS, LOGIC_GATES, get_gate
from dlviz.neurons.neuron import NeuronConfig, work_neuron
from dlviz.neurons.perceptron import (
    PerceptronConfig,
    PerceptronSession,
    PerceptronSnapshot,
    XorView,
    perceptron_update,
    train_perceptron,
    xor_network,
    xor_view,
)
from dlviz.neurons.xor import XorConfig, XorSession, XorSnapshot, xor_loss

__all__ = [
    "INPUTS",
    "LOGIC_GATES",
    "BackpropConfig",
    "NeuronConfig",
    "PerceptronConfig",
    "PerceptronSession",
    "PerceptronSnapshot",
    "XorConfig",
    "XorSession",
    "XorSnapshot",
    "XorView",
    "get_gate",
    "perceptron_update",
    "train_perceptron",
    "walk",
    "work_backprop",
    "work_neuron",
    "xor_loss",
    "xor_net",
    "xor_network",
    "xor_view",
]
