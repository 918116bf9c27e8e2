"""Pretrained attention on tiny, randomly initialised BERT and GPT-2 models saved in tmp dirs:
shapes and invariants, a hand-computed layer-0 reference, and every refusal. No network.
"""

from __future__ import annotations

import math
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest
import torch
import transformers

from dlviz.attention import pretrained as pt
from dlviz.attention.pretrained import (
    PretrainedUnavailable,
    check_hub_name,
    load_pretrained,
    pretrained_attention,
)

TEXT = "the cat sat on the mat"


@pytest.fixture(autouse=True)
def offline(monkeypatch):
    """No test may reach the Hub: the env var, and the constant huggingface_hub read at import."""
    import huggingface_hub.constants

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)


@pytest.fixture
def bert_dir(tiny_bert_dir):
    """(directory, model) of the tiny BERT saved once per run (tests/conftest.py)."""
    return tiny_bert_dir


@pytest.fixture
def gpt2_dir(tiny_gpt2_dir):
    """Directory of the tiny byte-level GPT-2 saved once per run (tests/conftest.py)."""
    return tiny_gpt2_dir


def test_bert_shapes_tokens_and_rows(bert_dir):
    result = pretrained_attention(bert_dir[0], TEXT)
    assert result.tokens == ("[CLS]", *TEXT.split(), "[SEP]")
    assert result.attention.shape == (2, 2, 8, 8)
    assert result.attention.dtype == np.float32
    np.testing.assert_allclose(result.attention.sum(-1), 1.0, atol=1e-5)
    assert result.causal is False and result.truncated is False
    assert np.triu(result.attention[0, 0], 1).max() > 0.01  # an encoder looks ahead too


def test_bert_wordpiece_tokens_stay_readable(bert_dir):
    assert pretrained_attention(bert_dir[0], "cats").tokens == ("[CLS]", "cat", "##s", "[SEP]")


def test_bert_layer0_matches_hand_computed_softmax(bert_dir):
    path, model = bert_dir
    result = pretrained_attention(path, TEXT)
    vocab = (Path(path) / "vocab.txt").read_text().split()
    ids = torch.tensor([[2, *(vocab.index(w) for w in TEXT.split()), 3]])
    with torch.no_grad():
        h0 = model(input_ids=ids, output_hidden_states=True).hidden_states[0]  # (1, T, 16)
        attn = model.encoder.layer[0].attention.self  # 5.x names: .query / .key / .value
        heads, d_head = 2, 8
        q = attn.query(h0).view(1, -1, heads, d_head).transpose(1, 2)  # (1, heads, T, d_head)
        k = attn.key(h0).view(1, -1, heads, d_head).transpose(1, 2)  # (1, heads, T, d_head)
        expected = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(d_head), dim=-1)[0]
    np.testing.assert_allclose(result.attention[0], expected.numpy(), atol=1e-5)
    assert not np.allclose(result.attention[0], result.attention[1], atol=1e-3)  # layers differ


def test_gpt2_is_causal_with_readable_byte_level_tokens(gpt2_dir):
    result = pretrained_attention(gpt2_dir, TEXT)
    t = len(result.tokens)
    assert result.attention.shape == (2, 2, t, t) and t >= 2
    assert result.causal is True
    assert np.all(np.triu(result.attention, 1) == 0.0)  # exactly zero above the diagonal
    np.testing.assert_allclose(result.attention.sum(-1), 1.0, atol=1e-5)
    assert "".join(result.tokens) == TEXT  # no special tokens added, 'Ġ' shown as a space
    assert not any("Ġ" in token for token in result.tokens)


def test_long_text_is_truncated_to_max_tokens(bert_dir):
    long = pretrained_attention(bert_dir[0], TEXT * 30, max_tokens=10)
    assert long.attention.shape == (2, 2, 10, 10) and len(long.tokens) == 10
    assert long.truncated is True and long.tokens[-1] == "[SEP]"
    assert pretrained_attention(bert_dir[0], TEXT, max_tokens=8).truncated is False


def test_uncached_model_without_download_is_refused_quickly():
    name = "dlviz-tests/surely-not-cached-model"
    with pytest.raises(PretrainedUnavailable) as info:
        pretrained_attention(name, TEXT)
    message = str(info.value)
    assert name in message and "downloading is switched off" in message
    assert "Allow download" in message


def test_download_failure_is_a_sentence_not_a_traceback(monkeypatch):
    monkeypatch.setenv(pt.DOWNLOAD_ENV, "1")
    with pytest.raises(PretrainedUnavailable, match="reach the Hub"):
        load_pretrained("dlviz-tests/surely-not-cached-model", allow_download=True)


def test_downloads_are_refused_unless_the_server_allows_them(monkeypatch):
    monkeypatch.delenv(pt.DOWNLOAD_ENV, raising=False)
    assert not pt.downloads_allowed()
    with pytest.raises(PretrainedUnavailable, match="does not download models"):
        load_pretrained("dlviz-tests/surely-not-cached-model", allow_download=True)
    with pytest.raises(PretrainedUnavailable, match=f"{pt.DOWNLOAD_ENV}=1"):
        load_pretrained("dlviz-tests/surely-not-cached-model")
    monkeypatch.setenv(pt.DOWNLOAD_ENV, "1")
    assert pt.downloads_allowed()
    with pytest.raises(PretrainedUnavailable, match="Switch on 'Allow download'"):
        load_pretrained("dlviz-tests/surely-not-cached-model")


@pytest.mark.parametrize("name", ["gpt2", "prajjwal1/bert-tiny", "  distilbert-base-uncased "])
def test_check_hub_name_accepts_hub_ids(name):
    assert check_hub_name(name) == name.strip()


@pytest.mark.parametrize(
    "name",
    ["../etc", "/tmp/x", "a/b/c", "", "   ", "x" * 200, "name with space", ".hidden", "a..b"],
)
def test_check_hub_name_rejects_paths_and_junk(name):
    with pytest.raises(ValueError, match="Hub"):
        check_hub_name(name)


def test_check_hub_name_rejects_a_local_directory_of_that_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "owner" / "model").mkdir(parents=True)
    with pytest.raises(ValueError):
        check_hub_name("owner/model")
    assert check_hub_name("owner/other") == "owner/other"


def test_pickle_only_weights_are_refused(bert_dir, tmp_path, monkeypatch):
    src, model = bert_dir
    torch.save(model.state_dict(), tmp_path / "pytorch_model.bin")  # a valid pickle checkpoint
    for name in ("config.json", "tokenizer.json", "tokenizer_config.json", "vocab.txt"):
        shutil.copy(f"{src}/{name}", tmp_path)
    loads = []
    real_load = torch.load
    monkeypatch.setattr(torch, "load", lambda *a, **k: loads.append(a) or real_load(*a, **k))
    transformers.BertModel.from_pretrained(tmp_path)  # control: transformers alone unpickles it
    assert loads, "the torch.load spy saw nothing, so it would not catch pickle loading"
    loads.clear()
    with pytest.raises(PretrainedUnavailable, match="safetensors"):
        pretrained_attention(str(tmp_path), TEXT)
    assert loads == []


@pytest.mark.parametrize(
    ("config", "refusal"),
    [
        (dict(num_hidden_layers=48), "too large"),
        (dict(hidden_size=2048, num_attention_heads=16), "too large"),
        (dict(num_hidden_layers=24, hidden_size=1024, vocab_size=250_000), "too large"),
        (dict(), "safetensors"),  # bert-base: within the caps, refused only for lack of weights
        (dict(num_hidden_layers=24, hidden_size=1024, num_attention_heads=16), "safetensors"),
    ],
)
def test_size_caps_are_checked_from_the_config_alone(tmp_path, config, refusal):
    transformers.BertConfig(**config).save_pretrained(tmp_path)  # config.json, no weights
    with pytest.raises(PretrainedUnavailable, match=refusal):
        load_pretrained(str(tmp_path))


def test_gpt2_sized_configs_fit_and_gpt2_large_does_not(tmp_path):
    transformers.GPT2Config().save_pretrained(tmp_path / "small")  # gpt2: 12 × 768
    transformers.GPT2Config(n_layer=36, n_embd=1280, n_head=20).save_pretrained(tmp_path / "large")
    with pytest.raises(PretrainedUnavailable, match="safetensors"):
        load_pretrained(str(tmp_path / "small"))
    with pytest.raises(PretrainedUnavailable, match="too large"):
        load_pretrained(str(tmp_path / "large"))


def test_encoder_decoder_models_are_refused(tmp_path):
    transformers.T5Config(d_model=16, num_layers=1, num_heads=2).save_pretrained(tmp_path)
    with pytest.raises(PretrainedUnavailable, match="encoder–decoder"):
        load_pretrained(str(tmp_path))


@pytest.mark.parametrize("text", ["", "   \n\t"])
def test_empty_text_asks_for_text(bert_dir, text):
    with pytest.raises(ValueError, match="Type some text"):
        pretrained_attention(bert_dir[0], text)


@pytest.mark.parametrize("max_tokens", [0, 3, pt.MAX_TOKENS + 1])
def test_max_tokens_out_of_range_is_refused(bert_dir, max_tokens):
    with pytest.raises(ValueError, match="max_tokens"):
        pretrained_attention(bert_dir[0], TEXT, max_tokens=max_tokens)


def test_loads_are_cached_shared_between_threads_and_bounded(bert_dir, gpt2_dir, tmp_path):
    pt._CACHE.clear()
    results: list[tuple] = []
    threads = [threading.Thread(target=lambda: results.append(load_pretrained(gpt2_dir)))]
    threads += [threading.Thread(target=lambda: results.append(load_pretrained(gpt2_dir)))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results[0][1] is results[1][1]  # one model object, loaded once
    assert load_pretrained(gpt2_dir, allow_download=True)[1] is results[0][1]
    load_pretrained(bert_dir[0])
    third = str(shutil.copytree(bert_dir[0], tmp_path / "third"))
    load_pretrained(third)  # a third model pushes out the least recently used
    assert list(pt._CACHE) == [bert_dir[0], third]


def test_missing_transformers_is_a_sentence(monkeypatch):
    monkeypatch.setitem(sys.modules, "transformers", None)  # makes `import transformers` fail
    with pytest.raises(PretrainedUnavailable, match="pip install transformers"):
        load_pretrained("gpt2-not-loaded-before")


def test_import_does_not_load_transformers():
    code = "import sys, dlviz.attention.pretrained; print('transformers' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_every_hub_call_is_local_only_without_remote_code(bert_dir, tmp_path, monkeypatch):
    calls = []
    for auto in (transformers.AutoConfig, transformers.AutoTokenizer, transformers.AutoModel):
        real = auto.from_pretrained  # bound classmethod

        def spy(name, *args, _real=real, _auto=auto.__name__, **kwargs):
            calls.append((_auto, kwargs))
            return _real(name, *args, **kwargs)

        monkeypatch.setattr(auto, "from_pretrained", spy)
    load_pretrained(str(shutil.copytree(bert_dir[0], tmp_path / "fresh")))
    assert {auto for auto, _ in calls} == {"AutoConfig", "AutoTokenizer", "AutoModel"}
    for _, kwargs in calls:  # AutoTokenizer also reads the config itself, with the same flags
        assert kwargs["local_files_only"] is True and kwargs["trust_remote_code"] is False
    (model_kwargs,) = [kwargs for auto, kwargs in calls if auto == "AutoModel"]
    assert model_kwargs["use_safetensors"] is True
    assert model_kwargs["attn_implementation"] == "eager"
    assert model_kwargs["dtype"] == torch.float32
