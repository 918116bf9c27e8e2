"""dlviz: an interactive deep-learning visualizer whose pages train real PyTorch models live."""

__version__ = "0.1.0"
