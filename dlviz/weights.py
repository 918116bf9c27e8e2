"""Trained weights in and out of a live session as safetensors: the session's modules'
parameters and buffers by name, saved to bytes, and loaded back only from a file of
bounded size whose tensor names and shapes match the current model and whose numbers
are finite. Never pickle; the format holds tensors only.
"""

from __future__ import annotations

import torch
from safetensors import SafetensorError
from safetensors.torch import load, save

MAX_WEIGHTS_BYTES = 4 * 2**20  # the largest model here (the digits GAN) is under 1 MB


def modules(session: object) -> dict[str, torch.nn.Module]:
    """The session's networks by attribute name ("net", "d", "g"; "nets.0" for a race's)."""
    found: dict[str, torch.nn.Module] = {}
    for name, value in vars(session).items():
        if isinstance(value, torch.nn.Module):
            found[name] = value
        elif isinstance(value, list) and value and isinstance(value[0], torch.nn.Module):
            found |= {f"{name}.{i}": net for i, net in enumerate(value)}
    return found


def named_tensors(session: object) -> dict[str, torch.Tensor]:
    """Every parameter and buffer of the session's networks, "net.layers.0.weight"-style
    (the tensors themselves: writing into them changes the model)."""
    return {f"{prefix}.{key}": tensor for prefix, net in modules(session).items()
            for key, tensor in net.state_dict(keep_vars=True).items()}  # fmt: skip


def weights_file(session: object) -> bytes | None:
    """The session's weights as a safetensors file, or None when it has no network (the
    perceptron keeps two numbers, not a module)."""
    tensors = {k: t.detach().cpu().clone() for k, t in named_tensors(session).items()}
    if not tensors:
        return None
    return save(tensors, metadata={"format": "pt", "made_by": "dlviz"})


def load_weights(session: object, data: bytes) -> str | None:
    """Copy the weights in `data` (a safetensors file) into the session's networks; None
    when done, else a sentence saying why nothing changed. The file must be at most
    MAX_WEIGHTS_BYTES, hold exactly the current model's tensor names with the same shapes,
    and only finite numbers."""
    if len(data) > MAX_WEIGHTS_BYTES:
        size, cap = len(data) / 2**20, MAX_WEIGHTS_BYTES // 2**20
        return f"That file is {size:.1f} MB; a weights file here is at most {cap} MB."
    try:
        loaded = load(data)
    except (SafetensorError, ValueError, RuntimeError, OSError, TypeError):
        return "That is not a safetensors weights file (it could not be read)."
    current = named_tensors(session)
    if set(loaded) != set(current):
        missing, extra = sorted(set(current) - set(loaded)), sorted(set(loaded) - set(current))
        said = [f"missing {', '.join(missing[:3])}" if missing else "",
                f"unknown {', '.join(extra[:3])}" if extra else ""]  # fmt: skip
        return "Those weights are for another model: " + "; ".join(s for s in said if s) + "."
    for name, tensor in loaded.items():
        if tensor.shape != current[name].shape:
            there, here = tuple(tensor.shape), tuple(current[name].shape)
            return f"Those weights are for another model: {name} is {there} there, {here} here."
        if tensor.is_floating_point() and not torch.isfinite(tensor).all():
            return f"Those weights hold NaN or infinite numbers (in {name})."
    with torch.no_grad():  # in place: optimizers and views keep pointing at these tensors
        for name, tensor in loaded.items():
            current[name].copy_(tensor.to(current[name].dtype))
    return None
