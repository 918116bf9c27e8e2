"""Pretrained attention on tiny, randomly initialised BERT and GPT-2 models laid out in
temporary Hugging Face caches: shapes and invariants, a hand-computed layer-0 reference, every
refusal, and a visitor's name never read as a path. No network.
"""

from __future__ import annotations

import fnmatch
import math
import shutil
import socket
import subprocess
import sys
import threading
from collections import OrderedDict
from pathlib import Path

import huggingface_hub
import huggingface_hub.constants
import numpy as np
import pytest
import torch
import transformers

from dlviz.attention import pretrained as pt
from dlviz.attention.pretrained import (
    PretrainedUnavailable,
    check_hub_name,
    load_pretrained,
    load_pretrained_dir,
    pretrained_attention,
)

TEXT = "the cat sat on the mat"
TINY_HUB_ID = "dlviz-tests/tiny-bert"  # the tiny BERT's name in tests/conftest.py's tiny_hub_cache
BERT_ID, GPT2_ID, BERT_COPY_ID = TINY_HUB_ID, "dlviz-tests/tiny-gpt2", "dlviz-tests/tiny-bert-2"
ABSENT_ID = "dlviz-tests/surely-not-cached-model"
NOT_CACHED = "is not in this machine's Hugging Face cache and downloading is switched off"


def put_in_hub_cache(cache: Path, repo_id: str, model_dir: str | Path) -> None:
    """Lay `model_dir` out in `cache` as `hf download repo_id` would (refs/main → snapshots/
    <commit>/files), like tests/conftest.py's hub_cache_with."""
    repo = cache / f"models--{repo_id.replace('/', '--')}"
    shutil.copytree(model_dir, repo / "snapshots" / ("0" * 40))
    (repo / "refs").mkdir(parents=True)
    (repo / "refs" / "main").write_text("0" * 40)


def use_hub_cache(monkeypatch: pytest.MonkeyPatch, cache: Path) -> None:
    """Point the Hugging Face cache at `cache`. huggingface_hub reads HF_HUB_CACHE once, at
    import, into constants.HF_HUB_CACHE, which snapshot_download reads at each call: set both."""
    monkeypatch.setenv("HF_HUB_CACHE", str(cache))
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(cache))


def spy_on(monkeypatch: pytest.MonkeyPatch, owner: object, attr: str) -> list[tuple]:
    """Record (args, kwargs, result) of every call to owner.attr, which still runs."""
    calls: list[tuple] = []
    real = getattr(owner, attr)

    def spy(*args, **kwargs):
        calls.append((args, kwargs, result := real(*args, **kwargs)))
        return result

    monkeypatch.setattr(owner, attr, spy)
    return calls


@pytest.fixture(autouse=True)
def offline(monkeypatch, tmp_path_factory):
    """No test reaches the Hub (HF_HUB_OFFLINE, the constant huggingface_hub read at import,
    and a socket that refuses to connect), nor this machine's own Hugging Face cache, nor a
    model another test left in memory."""
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)
    use_hub_cache(monkeypatch, tmp_path_factory.mktemp("empty-hub"))
    monkeypatch.setattr(pt, "_CACHE", OrderedDict())
    attempts: list[object] = []

    def refuse(sock, address):
        attempts.append(address)
        raise OSError("tests do not reach the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    yield
    assert attempts == [], "a test tried to reach the network"


@pytest.fixture(scope="module")
def models_cache(tiny_bert_dir, tiny_gpt2_dir, tmp_path_factory) -> Path:
    """A Hugging Face cache holding the tiny BERT (twice, under two names) and the tiny GPT-2."""
    cache = tmp_path_factory.mktemp("hub-models")
    put_in_hub_cache(cache, BERT_ID, tiny_bert_dir[0])
    put_in_hub_cache(cache, BERT_COPY_ID, tiny_bert_dir[0])
    put_in_hub_cache(cache, GPT2_ID, tiny_gpt2_dir)
    return cache


@pytest.fixture
def hub(models_cache, monkeypatch) -> Path:
    use_hub_cache(monkeypatch, models_cache)
    return models_cache


def test_bert_shapes_tokens_and_rows(hub):
    result = pretrained_attention(BERT_ID, TEXT)
    assert result.model_name == BERT_ID
    assert result.tokens == ("[CLS]", *TEXT.split(), "[SEP]")
    assert result.attention.shape == (2, 2, 8, 8)
    assert result.attention.dtype == np.float32
    np.testing.assert_allclose(result.attention.sum(-1), 1.0, atol=1e-5)
    assert result.causal is False and result.truncated is False
    assert np.triu(result.attention[0, 0], 1).max() > 0.01  # an encoder looks ahead too


def test_bert_wordpiece_tokens_stay_readable(hub):
    assert pretrained_attention(BERT_ID, "cats").tokens == ("[CLS]", "cat", "##s", "[SEP]")


def test_bert_layer0_matches_hand_computed_softmax(hub, tiny_bert_dir):
    path, model = tiny_bert_dir
    result = pretrained_attention(BERT_ID, TEXT)
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


def test_gpt2_is_causal_with_readable_byte_level_tokens(hub):
    result = pretrained_attention(GPT2_ID, TEXT)
    t = len(result.tokens)
    assert result.attention.shape == (2, 2, t, t) and t >= 2
    assert result.causal is True
    assert np.all(np.triu(result.attention, 1) == 0.0)  # exactly zero above the diagonal
    np.testing.assert_allclose(result.attention.sum(-1), 1.0, atol=1e-5)
    assert "".join(result.tokens) == TEXT  # no special tokens added, 'Ġ' shown as a space
    assert not any("Ġ" in token for token in result.tokens)


def test_long_text_is_truncated_to_max_tokens(hub):
    long = pretrained_attention(BERT_ID, TEXT * 30, max_tokens=10)
    assert long.attention.shape == (2, 2, 10, 10) and len(long.tokens) == 10
    assert long.truncated is True and long.tokens[-1] == "[SEP]"
    assert pretrained_attention(BERT_ID, TEXT, max_tokens=8).truncated is False


def test_a_model_in_the_hub_cache_loads_through_the_cache_lookup(tiny_hub_cache, monkeypatch):
    lookups = spy_on(monkeypatch, huggingface_hub, "snapshot_download")
    with pytest.raises(PretrainedUnavailable, match=NOT_CACHED):  # the empty default cache
        pretrained_attention(TINY_HUB_ID, TEXT)
    use_hub_cache(monkeypatch, tiny_hub_cache)
    result = pretrained_attention(TINY_HUB_ID, TEXT)
    assert result.attention.shape == (2, 2, 8, 8)
    assert result.tokens == ("[CLS]", *TEXT.split(), "[SEP]")
    snapshot = tiny_hub_cache.resolve() / "models--dlviz-tests--tiny-bert" / "snapshots"
    found = [Path(folder) for _, _, folder in lookups]
    assert len(found) == 2 and all(folder.parent == snapshot for folder in found)


def test_uncached_model_without_download_is_refused_quickly(hub):
    with pytest.raises(PretrainedUnavailable) as info:
        pretrained_attention(ABSENT_ID, TEXT)
    message = str(info.value)
    assert ABSENT_ID in message and "downloading is switched off" in message
    assert "Allow download" in message


def test_download_failure_is_a_sentence_not_a_traceback(hub, monkeypatch):
    monkeypatch.setenv(pt.DOWNLOAD_ENV, "1")
    with pytest.raises(PretrainedUnavailable, match="reach the Hub"):
        load_pretrained(ABSENT_ID, allow_download=True)


def test_downloads_are_refused_unless_the_server_allows_them(hub, monkeypatch):
    monkeypatch.delenv(pt.DOWNLOAD_ENV, raising=False)
    assert not pt.downloads_allowed()
    with pytest.raises(PretrainedUnavailable, match="does not download models"):
        load_pretrained(ABSENT_ID, allow_download=True)
    with pytest.raises(PretrainedUnavailable, match=f"{pt.DOWNLOAD_ENV}=1"):
        load_pretrained(ABSENT_ID)
    monkeypatch.setenv(pt.DOWNLOAD_ENV, "1")
    assert pt.downloads_allowed()
    with pytest.raises(PretrainedUnavailable, match="Switch on 'Allow download'"):
        load_pretrained(ABSENT_ID)


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


def test_paths_are_never_taken_for_hub_ids(tiny_bert_dir):
    for call in (load_pretrained, lambda path: pretrained_attention(path, TEXT)):
        with pytest.raises(ValueError, match="not a Hugging Face Hub model id"):
            call(tiny_bert_dir[0])  # a folder holding a valid model, named by its full path


def test_the_working_directory_never_changes_the_answer(hub, tiny_bert_dir, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    shutil.copytree(tiny_bert_dir[0], tmp_path / "owner" / "model")  # a valid saved model
    shutil.copytree(tiny_bert_dir[0], tmp_path / "tiny-bert")
    (tmp_path / "owner" / "empty").mkdir()
    (tmp_path / "notes.txt").write_text("a file, not a folder")
    configs = spy_on(monkeypatch, transformers.AutoConfig, "from_pretrained")
    tokenizers = spy_on(monkeypatch, transformers.AutoTokenizer, "from_pretrained")
    names = ["owner/model", "tiny-bert", "owner/empty", "notes.txt", "owner/absent"]
    for allow_download in (False, True):
        monkeypatch.setenv(pt.DOWNLOAD_ENV, "1" if allow_download else "0")
        answers = set()
        for name in names:
            assert check_hub_name(name) == name
            with pytest.raises(PretrainedUnavailable) as info:
                pretrained_attention(name, TEXT, allow_download=allow_download)
            answers.add(str(info.value).replace(name, "NAME"))
        assert len(answers) == 1, answers  # 'owner/absent' is not on disk, the others are
        assert (NOT_CACHED if not allow_download else "Could not load 'NAME'") in answers.pop()
    assert configs == tokenizers == []  # transformers never opened the working directory


def test_only_config_tokenizer_and_safetensors_files_are_fetched(hub, monkeypatch):
    monkeypatch.setenv(pt.DOWNLOAD_ENV, "1")
    lookups = spy_on(monkeypatch, huggingface_hub, "snapshot_download")
    load_pretrained(BERT_ID, allow_download=True)  # offline: the Hub refuses, the cache serves
    (_, first, _), (_, rest, _) = lookups
    assert first["allow_patterns"] == ["config.json"]  # the size check comes before weights
    assert rest["revision"] == "0" * 40  # the rest from the snapshot the config came from
    for kwargs in (first, rest):
        assert kwargs["repo_id"] == BERT_ID and kwargs["local_files_only"] is False
        assert kwargs["token"] is False  # never the server's own token
    patterns = rest["allow_patterns"]

    def fetched(file: str) -> bool:
        return any(fnmatch.fnmatchcase(file, pattern) for pattern in patterns)

    needed = ["config.json", "tokenizer.json", "tokenizer_config.json", "vocab.txt"]
    needed += ["vocab.json", "merges.txt", "model.safetensors", "model.safetensors.index.json"]
    needed += ["model-00001-of-00002.safetensors", "spiece.model"]
    assert all(fetched(file) for file in needed)
    pickles = ["pytorch_model.bin", "model.pt", "model.pkl", "tf_model.h5", "flax_model.msgpack"]
    pickles += ["pytorch_model-00001-of-00002.bin", "training_args.bin", "optimizer.pt"]
    assert not any(fetched(file) for file in pickles)
    lookups.clear()
    pt._CACHE.clear()
    load_pretrained(BERT_ID)
    assert [kwargs["local_files_only"] for _, kwargs, _ in lookups] == [True, True]


def test_a_model_too_large_is_refused_before_its_weights_are_fetched(tmp_path, monkeypatch):
    transformers.BertConfig(num_hidden_layers=48).save_pretrained(tmp_path / "large")
    put_in_hub_cache(tmp_path / "hub", "dlviz-tests/too-large", tmp_path / "large")
    use_hub_cache(monkeypatch, tmp_path / "hub")
    monkeypatch.setenv(pt.DOWNLOAD_ENV, "1")
    lookups = spy_on(monkeypatch, huggingface_hub, "snapshot_download")
    with pytest.raises(PretrainedUnavailable, match="too large"):
        load_pretrained("dlviz-tests/too-large", allow_download=True)
    assert [kwargs["allow_patterns"] for _, kwargs, _ in lookups] == [["config.json"]]


def test_pickle_only_weights_are_refused(tiny_bert_dir, tmp_path, monkeypatch):
    src, model = tiny_bert_dir
    folder = tmp_path / "pickled"
    folder.mkdir()
    torch.save(model.state_dict(), folder / "pytorch_model.bin")  # a valid pickle checkpoint
    for name in ("config.json", "tokenizer.json", "tokenizer_config.json", "vocab.txt"):
        shutil.copy(f"{src}/{name}", folder)
    put_in_hub_cache(tmp_path / "hub", "dlviz-tests/pickle-only", folder)
    use_hub_cache(monkeypatch, tmp_path / "hub")
    loads = []
    real_load = torch.load
    monkeypatch.setattr(torch, "load", lambda *a, **k: loads.append(a) or real_load(*a, **k))
    transformers.BertModel.from_pretrained(folder)  # control: transformers alone unpickles it
    assert loads, "the torch.load spy saw nothing, so it would not catch pickle loading"
    loads.clear()
    with pytest.raises(PretrainedUnavailable, match="'dlviz-tests/pickle-only' has no safetensors"):
        pretrained_attention("dlviz-tests/pickle-only", TEXT)
    with pytest.raises(PretrainedUnavailable, match="safetensors"):
        load_pretrained_dir(folder)
    assert loads == []


def test_a_damaged_cached_repo_says_so_without_the_servers_paths(tmp_path, monkeypatch):
    (tmp_path / "damaged").mkdir()
    (tmp_path / "damaged" / "config.json").write_text("{")  # cut short: not JSON
    put_in_hub_cache(tmp_path / "hub", "dlviz-tests/damaged", tmp_path / "damaged")
    use_hub_cache(monkeypatch, tmp_path / "hub")
    with pytest.raises(PretrainedUnavailable, match="missing or damaged") as info:
        load_pretrained("dlviz-tests/damaged")
    assert "hf download dlviz-tests/damaged" in str(info.value)
    assert str(tmp_path) in str(info.value.__cause__)  # transformers named the folder; we do not
    assert str(tmp_path) not in str(info.value) and "models--" not in str(info.value)


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
        load_pretrained_dir(tmp_path)


def test_gpt2_sized_configs_fit_and_gpt2_large_does_not(tmp_path):
    transformers.GPT2Config().save_pretrained(tmp_path / "small")  # gpt2: 12 × 768
    transformers.GPT2Config(n_layer=36, n_embd=1280, n_head=20).save_pretrained(tmp_path / "large")
    with pytest.raises(PretrainedUnavailable, match="safetensors"):
        load_pretrained_dir(str(tmp_path / "small"))
    with pytest.raises(PretrainedUnavailable, match="too large"):
        load_pretrained_dir(str(tmp_path / "large"))


def test_encoder_decoder_models_are_refused(tmp_path):
    transformers.T5Config(d_model=16, num_layers=1, num_heads=2).save_pretrained(tmp_path)
    with pytest.raises(PretrainedUnavailable, match="encoder–decoder"):
        load_pretrained_dir(tmp_path)


def test_load_pretrained_dir_reads_a_trusted_folder_uncached(tiny_bert_dir):
    tokenizer, model = load_pretrained_dir(Path(tiny_bert_dir[0]))
    assert tokenizer.tokenize("cats") == ["cat", "##s"]
    assert model.config.num_hidden_layers == 2 and not model.training
    assert next(model.parameters()).dtype == torch.float32
    assert len(pt._CACHE) == 0  # only Hub ids are cached


@pytest.mark.parametrize("text", ["", "   \n\t"])
def test_empty_text_asks_for_text(text):
    with pytest.raises(ValueError, match="Type some text"):
        pretrained_attention(BERT_ID, text)


@pytest.mark.parametrize("max_tokens", [0, 3, pt.MAX_TOKENS + 1])
def test_max_tokens_out_of_range_is_refused(max_tokens):
    with pytest.raises(ValueError, match="max_tokens"):
        pretrained_attention(BERT_ID, TEXT, max_tokens=max_tokens)


def test_loads_are_cached_shared_between_threads_and_bounded(hub):
    results: list[tuple] = []
    threads = [threading.Thread(target=lambda: results.append(load_pretrained(GPT2_ID)))]
    threads += [threading.Thread(target=lambda: results.append(load_pretrained(GPT2_ID)))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results[0][1] is results[1][1]  # one model object, loaded once
    assert load_pretrained(f" {GPT2_ID} ", allow_download=True)[1] is results[0][1]
    load_pretrained(BERT_ID)
    load_pretrained(BERT_COPY_ID)  # a third model pushes out the least recently used
    assert list(pt._CACHE) == [BERT_ID, BERT_COPY_ID]


def test_missing_transformers_is_a_sentence(monkeypatch):
    monkeypatch.setitem(sys.modules, "transformers", None)  # makes `import transformers` fail
    with pytest.raises(PretrainedUnavailable, match="pip install transformers"):
        load_pretrained("gpt2-not-loaded-before")


def test_import_does_not_load_transformers():
    code = "import sys, dlviz.attention.pretrained; print('transformers' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_every_transformers_call_is_local_only_without_remote_code(hub, monkeypatch):
    autos = (transformers.AutoConfig, transformers.AutoTokenizer, transformers.AutoModel)
    configs, tokenizers, models = (spy_on(monkeypatch, auto, "from_pretrained") for auto in autos)
    load_pretrained(BERT_ID)
    assert configs and tokenizers and len(models) == 1
    for (folder, *_), kwargs, _ in configs + tokenizers + models:  # AutoTokenizer reads the
        # config itself too, with the same flags: every read is of the snapshot in the cache
        assert Path(folder).is_relative_to(hub.resolve() / "models--dlviz-tests--tiny-bert")
        assert kwargs["local_files_only"] is True and kwargs["trust_remote_code"] is False
    ((_, model_kwargs, _),) = models
    assert model_kwargs["use_safetensors"] is True
    assert model_kwargs["attn_implementation"] == "eager"
    assert model_kwargs["dtype"] == torch.float32
