"""Experiments taken away as code: for a live session's config, one self-contained Python
script that reproduces the run with plain PyTorch (and NumPy), no dlviz import. One exporter
per topic, registered here by config type; `exported(config)` is what a page offers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from dlviz.activations.activation_race import ActivationRaceConfig
from dlviz.attention.session import AttentionConfig
from dlviz.autoencoder.session import AutoencoderConfig
from dlviz.convolution.session import CnnConfig
from dlviz.descent.optimizer_race import OptimizerRaceConfig
from dlviz.export.activations import activation_race_script
from dlviz.export.attention import attention_script
from dlviz.export.autoencoder import autoencoder_script
from dlviz.export.convolution import cnn_script
from dlviz.export.descent import optimizer_race_script
from dlviz.export.gan import gan_script
from dlviz.export.gan_digits import digits_gan_script
from dlviz.export.neurons import perceptron_script, xor_script
from dlviz.export.overfit import overfit_script
from dlviz.export.playground import playground_script
from dlviz.export.recurrent import cell_race_script, recurrent_script
from dlviz.export.training import classifier_script, robust_script
from dlviz.gan.digits import DigitsGanConfig
from dlviz.gan.session import GanConfig
from dlviz.neurons.perceptron import PerceptronConfig
from dlviz.neurons.xor import XorConfig
from dlviz.playground.config import PlaygroundConfig
from dlviz.recurrent.race import CellRaceConfig
from dlviz.recurrent.session import RecurrentConfig
from dlviz.training.classifier import ClassifierConfig
from dlviz.training.overfit import OverfitConfig
from dlviz.training.robust import RobustConfig


@dataclass(frozen=True)
class Exported:
    """A script to download: its file name and its text."""

    file_name: str
    text: str


EXPORTERS: dict[type, tuple[str, Callable[..., str]]] = {
    PerceptronConfig: ("dlviz_perceptron", perceptron_script),
    XorConfig: ("dlviz_xor", xor_script),
    ClassifierConfig: ("dlviz_classifier", classifier_script),
    RobustConfig: ("dlviz_outliers", robust_script),
    OverfitConfig: ("dlviz_overfitting", overfit_script),
    OptimizerRaceConfig: ("dlviz_optimizer_race", optimizer_race_script),
    ActivationRaceConfig: ("dlviz_activation_race", activation_race_script),
    CnnConfig: ("dlviz_cnn", cnn_script),
    PlaygroundConfig: ("dlviz_playground", playground_script),
    AttentionConfig: ("dlviz_attention", attention_script),
    RecurrentConfig: ("dlviz_recurrent", recurrent_script),
    CellRaceConfig: ("dlviz_cell_race", cell_race_script),
    GanConfig: ("dlviz_gan", gan_script),
    DigitsGanConfig: ("dlviz_gan_digits", digits_gan_script),
    AutoencoderConfig: ("dlviz_autoencoders", autoencoder_script),
}


def exported(config: object) -> Exported | None:
    """The script that reproduces a session of `config`, or None for a config that no live
    session trains."""
    found = EXPORTERS.get(type(config))
    if found is None:
        return None
    stem, make = found
    gate = f"_{config.gate}" if isinstance(config, PerceptronConfig) else ""
    return Exported(f"{stem}{gate}_seed{getattr(config, 'seed', 0)}.py", make(config))
