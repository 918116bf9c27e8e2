"""Fixtures shared by engine and page tests: tiny, randomly initialised Hugging Face models
(a BERT and a byte-level GPT-2) saved once per run in a temporary folder. No network."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import torch

WORDS = ["the", "cat", "sat", "on", "mat", "dog", "ran", "a", "big", "red", "and", "is", "##s"]
VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *WORDS]
TEXT = "the cat sat on the mat"


@pytest.fixture(scope="session")
def tiny_bert_dir(tmp_path_factory):
    """(directory, model) of a 2-layer, 2-head BERT with a WordPiece tokenizer from vocab.txt."""
    import transformers

    path = tmp_path_factory.mktemp("bert")
    (path / "vocab.txt").write_text("\n".join(VOCAB) + "\n")
    tokenizer = transformers.BertTokenizer(
        vocab=str(path / "vocab.txt")
    )  # 5.x: vocab=, not vocab_file=
    config = transformers.BertConfig(
        vocab_size=len(VOCAB),
        hidden_size=16,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=32,
        max_position_embeddings=64,
    )
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        model = transformers.BertModel(config).eval()
    model.save_pretrained(path)  # model.safetensors (5.x always writes safetensors)
    tokenizer.save_pretrained(path)
    return str(path), model


@pytest.fixture(scope="session")
def tiny_gpt2_dir(tmp_path_factory):
    """Directory of a 2-layer GPT-2 with a byte-level BPE tokenizer trained offline ('Ġ' tokens)."""
    import transformers
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    path = tmp_path_factory.mktemp("gpt2")
    bpe = Tokenizer(models.BPE())
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.decoder = decoders.ByteLevel()
    alphabet = pre_tokenizers.ByteLevel.alphabet()
    trainer = trainers.BpeTrainer(vocab_size=300, initial_alphabet=alphabet, show_progress=False)
    bpe.train_from_iterator([TEXT, "a big red dog ran to the cat"] * 20, trainer)
    tokenizer = transformers.PreTrainedTokenizerFast(tokenizer_object=bpe)
    config = transformers.GPT2Config(
        n_embd=16, n_layer=2, n_head=2, vocab_size=bpe.get_vocab_size(), n_positions=64
    )
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(1)
        transformers.GPT2Model(config).save_pretrained(path)
    tokenizer.save_pretrained(path)
    return str(path)


def hub_cache_with(model_dir: str, cache: Path, repo_id: str) -> Path:
    """Put the saved model in `model_dir` into a Hugging Face cache folder `cache` as if
    `hf download repo_id` had fetched it (refs/main → snapshots/<revision>/files)."""
    revision = "0" * 40
    repo = cache / f"models--{repo_id.replace('/', '--')}"
    shutil.copytree(model_dir, repo / "snapshots" / revision)
    (repo / "refs").mkdir(parents=True, exist_ok=True)
    (repo / "refs" / "main").write_text(revision)
    return cache


TINY_HUB_ID = "dlviz-tests/tiny-bert"  # the tiny BERT's name inside a test Hub cache


@pytest.fixture(scope="session")
def tiny_hub_cache(tiny_bert_dir, tmp_path_factory) -> Path:
    """A Hugging Face cache folder holding the tiny BERT as TINY_HUB_ID (point HF_HUB_CACHE
    at it): the page's real loading path, cache lookup included, with no network."""
    return hub_cache_with(tiny_bert_dir[0], tmp_path_factory.mktemp("hub"), TINY_HUB_ID)
