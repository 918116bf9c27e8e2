"""Attention weights of a small pretrained Hugging Face model on the learner's own text.

Owns loading by Hub id through the Hugging Face cache (never a visitor's text as a path;
safetensors only, no remote code, size-capped, cached) and one forward pass. It trains
nothing, and `transformers` is imported only when a model is first needed.
"""

from __future__ import annotations

import os
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from dlviz.knobs import Config, knob

# A classroom server holds at most CACHE_SIZE models. The caps fit bert-large and
# gpt2-medium (~350 M parameters, ~1.4 GB in float32) and refuse anything bigger.
MAX_LAYERS = 24  # transformer blocks (num_hidden_layers / n_layer)
MAX_HIDDEN = 1024  # width of the residual stream (hidden_size / n_embd)
MAX_PARAMETERS = 400_000_000  # estimated from the config before any weight is read
CACHE_SIZE = 2  # models kept in memory by load_pretrained, least recently used goes
MAX_TOKENS = 128  # largest max_tokens accepted: T×T maps per head stay small
MIN_TOKENS = 4  # room for the special tokens plus a word or two
MAX_TEXT_CHARS = 4000  # longer text is cut before tokenising (and marked truncated)

SUGGESTED_MODELS: tuple[str, ...] = (
    "prajjwal1/bert-tiny",  # encoder, 2 layers × 2 heads: the quickest to read
    "distilbert-base-uncased",  # encoder, 6 layers × 12 heads
    "bert-base-uncased",  # encoder, 12 layers × 12 heads
    "gpt2",  # decoder-only (causal), 12 layers × 12 heads
    "distilgpt2",  # decoder-only (causal), 6 layers × 12 heads
)


@dataclass(frozen=True)
class PretrainedConfig(Config):
    """The pretrained view: on or off, which Hub model (any id may be typed), the text, and
    whether this visitor asks for a download (only where the server allows them)."""

    on: bool = knob(False, "Show a pretrained model's attention")
    model: str = knob(SUGGESTED_MODELS[0], "Model (Hub id)", options=SUGGESTED_MODELS, high=96,
                      widget="combo")  # fmt: skip
    text: str = knob("The animal didn't cross the street because it was too tired.", "Text",
                     high=400)  # fmt: skip
    download: bool = knob(False, "Allow download", help="Fetch the model from the Hub if this "
                          "server has no copy.")  # fmt: skip
    layer: int = knob(1, "Layer", low=1, high=MAX_LAYERS, step=1)
    head: int = knob(1, "Head", low=1, high=64, step=1)


_HUB_PART = r"[A-Za-z0-9_](?:[A-Za-z0-9_.\-]*[A-Za-z0-9_])?"
_HUB_ID = re.compile(rf"{_HUB_PART}(?:/{_HUB_PART})?")
_LOAD_LOCK = threading.Lock()  # one load at a time (a model is never loaded twice at once)
_CACHE_LOCK = threading.Lock()  # held only for dictionary updates: hits never wait on a load
DOWNLOAD_ENV = "DLVIZ_ALLOW_DOWNLOADS"  # "1": the server's operator lets visitors download
_CACHE: OrderedDict[str, tuple[Any, Any]] = OrderedDict()  # Hub id -> (tokenizer, model)
_LOCAL_ONLY = {"local_files_only": True, "trust_remote_code": False}  # every transformers call

# The files a snapshot may be fetched with (glob patterns): config first, so the size caps are
# checked before any weight downloads; never pickles (*.bin, *.pt, *.pkl) nor *.h5 / *.msgpack.
_CONFIG_FILES: tuple[str, ...] = ("config.json",)
_MODEL_FILES: tuple[str, ...] = (
    *_CONFIG_FILES,
    *("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "added_tokens.json"),
    *("vocab.txt", "vocab.json", "merges.txt"),  # WordPiece (BERT), byte-level BPE (GPT-2)
    *("spiece.model", "sentencepiece.bpe.model", "tokenizer.model"),  # SentencePiece protobufs
    *("model.safetensors", "model.safetensors.index.json", "model-*-of-*.safetensors"),
)


def downloads_allowed() -> bool:
    """Whether this server lets visitors download models from the Hub (its operator sets
    DLVIZ_ALLOW_DOWNLOADS=1); by default only the local Hugging Face cache is used."""
    return os.environ.get(DOWNLOAD_ENV, "") == "1"


class PretrainedUnavailable(Exception):
    """The model cannot be had here; the message is a sentence for the learner."""


@dataclass(frozen=True)
class PretrainedAttention:
    """One forward pass: who attends to whom, per layer and head."""

    model_name: str
    tokens: tuple[str, ...]  # the T tokens as the tokenizer split the text, special ones too
    attention: np.ndarray  # float32 (layers, heads, T, T); row i = how token i spreads attention
    causal: bool  # decoder-only model: token i sees only tokens 0..i
    truncated: bool  # the text was cut to fit max_tokens


def check_hub_name(text: str) -> str:
    """`text` stripped if it is a Hub id (`name` or `owner/name`), else ValueError.

    Letters, digits, '-', '_' and '.' only; no '..' or '--'; at most 96 characters. The name is
    only ever looked up in the Hugging Face cache (and on the Hub), never as a path, so the
    answer is the same whatever files or folders the server holds.
    """
    name = text.strip()
    if not name or len(name) > 96 or ".." in name or "--" in name or not _HUB_ID.fullmatch(name):
        raise ValueError(
            f"'{name[:100]}' is not a Hugging Face Hub model id. Use 'name' or 'owner/name' "
            "made of letters, digits, '-', '_' and '.', for example 'prajjwal1/bert-tiny'."
        )
    return name


def _first_line(err: Exception, folder: str | None = None) -> str:
    """The error's first line for the learner, with the server's cache folder left out."""
    message = str(err).strip()
    if folder:
        message = message.replace(folder, "the model's folder")
    return message.splitlines()[0][:300] if message else type(err).__name__


def _unreachable(name: str, allow_download: bool, err: Exception) -> PretrainedUnavailable:
    """A Hub id that the cache does not hold (or the Hub did not give): a sentence."""
    if not allow_download:
        how = (
            "Switch on 'Allow download'"
            if downloads_allowed()
            else f"Allow downloads on this server ({DOWNLOAD_ENV}=1)"
        )
        return PretrainedUnavailable(
            f"'{name}' is not in this machine's Hugging Face cache and downloading is switched "
            f"off. {how} or run `hf download {name}` where the app runs."
        )
    return PretrainedUnavailable(
        f"Could not load '{name}': check the name on huggingface.co and that the app's machine "
        f"can reach the Hub, or run `hf download {name}` there. ({_first_line(err)})"
    )


def _unreadable(name: str, folder: str, err: Exception) -> PretrainedUnavailable:
    """A model folder (found in the cache, or given by code) that cannot be loaded: a sentence."""
    detail = _first_line(err, folder)
    if "safetensors" in str(err):
        return PretrainedUnavailable(
            f"'{name}' has no safetensors weights. dlviz loads only safetensors files, because "
            "pickled .bin weights can run code; choose another model."
        )
    if isinstance(err, OSError):
        return PretrainedUnavailable(
            f"'{name}' could not be read: a file it needs (config, tokenizer or weights) is "
            f"missing or damaged; run `hf download {name}` where the app runs. ({detail})"
        )
    return PretrainedUnavailable(
        f"'{name}' cannot be shown here: this view needs a text model with a tokenizer, "
        f"such as 'bert-base-uncased' or 'gpt2'. ({detail})"
    )


def _check_config(name: str, config: Any) -> None:
    """Refuse encoder–decoder models and models over the size caps, before any weights load."""
    if getattr(config, "is_encoder_decoder", False):
        raise PretrainedUnavailable(
            f"'{name}' is an encoder–decoder model (like T5 or BART). This view shows "
            "encoder-only or decoder-only models, such as 'bert-base-uncased' or 'gpt2'."
        )
    layers = getattr(config, "num_hidden_layers", None)
    hidden = getattr(config, "hidden_size", None)
    if not isinstance(layers, int) or not isinstance(hidden, int):
        raise PretrainedUnavailable(
            f"'{name}' ({getattr(config, 'model_type', '?')}) does not say how many layers or "
            "how wide it is, so dlviz cannot check its size; choose a BERT- or GPT-style model."
        )
    inner = getattr(config, "intermediate_size", None) or getattr(config, "n_inner", None)
    inner = inner if isinstance(inner, int) else 4 * hidden
    vocab = getattr(config, "vocab_size", 0) or 0
    params = layers * (4 * hidden * hidden + 2 * hidden * inner) + vocab * hidden
    if layers > MAX_LAYERS or hidden > MAX_HIDDEN or params > MAX_PARAMETERS:
        raise PretrainedUnavailable(
            f"'{name}' is too large for this server: {layers} layers, width {hidden}, about "
            f"{params / 1e6:.0f} M parameters (limit {MAX_LAYERS} layers, width {MAX_HIDDEN}, "
            f"{MAX_PARAMETERS / 1e6:.0f} M). Try one of: {', '.join(SUGGESTED_MODELS)}."
        )


def _import_transformers() -> None:
    """Import transformers when a model is first needed; a sentence for the learner if missing."""
    try:
        import transformers
    except ImportError as err:
        needs = "The pretrained view needs the 'transformers' package: pip install transformers"
        raise PretrainedUnavailable(f"{needs}==5.23.0 where the app runs.") from err
    transformers.utils.logging.disable_progress_bar()  # no tqdm bars in the log, hub's too


def _snapshot(name: str, allow_download: bool, files: tuple[str, ...], revision: str | None) -> str:
    """The folder of Hub id `name` inside the Hugging Face cache (models--owner--name/snapshots/
    <commit>); with downloads allowed, fetches only the files matching `files` first. The name
    is a repository id here, never a path; the server's own Hub token is never sent."""
    from huggingface_hub import snapshot_download

    try:
        return snapshot_download(
            repo_id=name,
            revision=revision,
            allow_patterns=list(files),
            local_files_only=not allow_download,
            token=False,  # a visitor never reaches the private or gated repos of the server's token
        )
    except Exception as err:  # not cached, not on the Hub, offline, network errors
        raise _unreachable(name, allow_download, err) from err


def _read_config(name: str, folder: str) -> Any:
    """The model's config from `folder`, refused over the size caps before any weight is read."""
    import transformers

    try:
        config = transformers.AutoConfig.from_pretrained(folder, **_LOCAL_ONLY)
    except Exception as err:  # OSError, ValueError, KeyError (unknown model_type)
        raise _unreadable(name, folder, err) from err
    _check_config(name, config)
    return config


def _read_model(name: str, folder: str, config: Any) -> tuple[Any, Any]:
    """(tokenizer, model) from `folder`: safetensors weights only, float32, eager attention."""
    import torch
    import transformers

    try:
        tokenizer = transformers.AutoTokenizer.from_pretrained(folder, **_LOCAL_ONLY)
        model = transformers.AutoModel.from_pretrained(
            folder,
            config=config,
            use_safetensors=True,  # never unpickle .bin weights
            attn_implementation="eager",  # sdpa / flash kernels return no weights
            dtype=torch.float32,  # transformers 5 defaults to "auto" (checkpoint dtype)
            **_LOCAL_ONLY,
        )
    except Exception as err:  # OSError, ValueError, KeyError
        raise _unreadable(name, folder, err) from err
    return tokenizer, model.to("cpu").eval()


def _load(name: str, allow_download: bool) -> tuple[Any, Any]:
    """Hub id -> its cache folder -> config (checked) -> tokenizer and weights. Only the config
    is fetched first, so a model over the caps is refused before its weights are downloaded."""
    _import_transformers()
    folder = _snapshot(name, allow_download, _CONFIG_FILES, revision=None)
    config = _read_config(name, folder)
    commit = Path(folder).name  # the snapshot the config came from: the rest must match it
    folder = _snapshot(name, allow_download, _MODEL_FILES, revision=commit)
    return _read_model(name, folder, config)


def load_pretrained_dir(path: str | os.PathLike[str]) -> tuple[Any, Any]:
    """(tokenizer, model) from a folder saved with `save_pretrained`, chosen by code or tests.

    The same checks as load_pretrained (size caps, safetensors only, no remote code), not
    cached. Never pass it a visitor's text: a name typed on a page goes to load_pretrained.
    """
    folder = os.fspath(path)
    _import_transformers()
    return _read_model(folder, folder, _read_config(folder, folder))


def load_pretrained(name: str, *, allow_download: bool = False) -> tuple[Any, Any]:
    """(tokenizer, model) of Hub id `name` on CPU, float32, eval mode, eager attention;
    cached per name. The model comes from this machine's Hugging Face cache, or with
    `allow_download` from the Hub (config, tokenizer and safetensors files only).

    Raises ValueError when `name` is not a Hub id (check_hub_name), and PretrainedUnavailable
    with a learner-facing sentence when the model cannot be had, or when a download is asked
    for on a server that does not allow them (downloads_allowed). Loads are serialised, so two
    visitors asking at once load the model once; a model already in memory is returned
    without waiting for another's load or download.
    """
    name = check_hub_name(name)
    with _CACHE_LOCK:
        if name in _CACHE:
            _CACHE.move_to_end(name)
            return _CACHE[name]
    if allow_download and not downloads_allowed():
        raise PretrainedUnavailable(
            f"This server does not download models (its operator can allow it with "
            f"{DOWNLOAD_ENV}=1); only models already in its Hugging Face cache can be shown."
        )
    with _LOAD_LOCK:
        with _CACHE_LOCK:
            if name in _CACHE:  # loaded by another visitor while we waited
                return _CACHE[name]
        loaded = _load(name, allow_download)
        with _CACHE_LOCK:
            _CACHE[name] = loaded
            while len(_CACHE) > CACHE_SIZE:
                _CACHE.popitem(last=False)
        return loaded


def _readable(tokenizer: Any, ids: list[int]) -> tuple[str, ...]:
    """Each token as text: GPT-2's 'Ġcat' becomes ' cat', BERT keeps '[CLS]' and '##s'."""
    out = []
    for token_id, raw in zip(ids, tokenizer.convert_ids_to_tokens(ids)):
        text = tokenizer.decode([token_id], clean_up_tokenization_spaces=False)
        out.append(text if text.strip() and "\ufffd" not in text else str(raw))
    return tuple(out)


def _token_ids(tokenizer: Any, config: Any, text: str, max_tokens: int) -> tuple[list[int], bool]:
    """The model's token ids for `text`, special tokens included, and whether it was cut."""
    positions = getattr(config, "max_position_embeddings", None)
    limit = min(max_tokens, positions) if isinstance(positions, int) else max_tokens
    clipped = text[:MAX_TEXT_CHARS]
    truncated = len(clipped) < len(text) or len(tokenizer(clipped)["input_ids"]) > limit
    return tokenizer(clipped, truncation=True, max_length=limit)["input_ids"], truncated


def _is_causal(model: Any) -> bool:
    """Decoder-only: transformers 5 marks causal self-attention modules with `is_causal`."""
    if getattr(model.config, "is_decoder", False):  # 5.x: only some configs have is_decoder
        return True
    return any(getattr(module, "is_causal", None) is True for module in model.modules())


def pretrained_attention(
    name: str, text: str, *, allow_download: bool = False, max_tokens: int = 48
) -> PretrainedAttention:
    """Run `text` through the model once and return every layer's and head's attention.

    The model's own special tokens are added (BERT: [CLS] … [SEP]; GPT-2: none); at most
    `max_tokens` tokens (MIN_TOKENS..MAX_TOKENS) are kept. Attention is (layers, heads, T, T).
    """
    if not text or not text.strip():
        raise ValueError("Type some text to see where the model looks.")
    if not MIN_TOKENS <= max_tokens <= MAX_TOKENS:
        raise ValueError(f"max_tokens must be between {MIN_TOKENS} and {MAX_TOKENS}.")
    import torch

    tokenizer, model = load_pretrained(name, allow_download=allow_download)
    ids, truncated = _token_ids(tokenizer, model.config, text, max_tokens)
    try:
        with torch.no_grad():
            outputs = model(input_ids=torch.tensor([ids]), output_attentions=True)
    except Exception as err:  # an architecture that cannot run this input
        raise PretrainedUnavailable(f"'{name}' failed on this text: {err}") from err
    maps = getattr(outputs, "attentions", None)  # per layer (1, heads, T, T); () if not eager
    if not maps or any(m is None for m in maps):
        raise PretrainedUnavailable(
            f"'{name}' does not expose its attention weights; try a BERT- or GPT-style model."
        )
    attention = torch.stack(list(maps))[:, 0]  # (layers, 1, heads, T, T) -> (layers, heads, T, T)
    return PretrainedAttention(
        model_name=name,
        tokens=_readable(tokenizer, ids),
        attention=attention.to(torch.float32).numpy(),
        causal=_is_causal(model),
        truncated=truncated,
    )
