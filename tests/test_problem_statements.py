"""Which indexed text becomes a problem statement: never a law, an appeal whole, else the detector's sentences."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from models.errors import ModelNotAvailableError
from models.statement_model import StatementModel
from service.hromada import Hromada
from service.problems.problem_statements import sentence_spans, states_problem_by_cues
from tests.conftest import Command

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "statements"


def _statements(hromada: Hromada) -> list:
    return hromada.problem_service.statements_from_chunks(hromada.store().iter_chunks())


def test_laws_give_no_statement_and_appeals_stay_whole(indexed: Hromada) -> None:
    chunks = list(indexed.store().iter_chunks())
    laws = [chunk for chunk in chunks if chunk.kind == "legislation"]
    law_sentences = [c.text[s:e] for c in laws for s, e in sentence_spans(c.text, indexed.pipeline)]
    assert any(states_problem_by_cues(sentence, indexed.pipeline) for sentence in law_sentences), (
        "the law of the corpus has sentences with problem cues, so the rule is put to the test"
    )

    statements = _statements(indexed)

    assert statements
    assert not [item for item in statements if item.kind == "legislation"]
    appeals = {chunk.id: chunk for chunk in chunks if chunk.kind == "appeal"}
    whole = [item for item in statements if item.chunk_id in appeals]
    assert len(whole) == len(appeals)
    assert all(item.text == appeals[item.chunk_id].text for item in whole)


@pytest.mark.parametrize(
    ("name", "kind", "problem", "not_problems"),
    [
        (
            "zasidannia-novoselytsia-2025.txt",
            "transcript",
            "Третій рік у селі Вилавче немає фельдшера, і по допомогу люди їздять за двадцять кілометрів.",
            [
                "Доброго ранку, шановні колеги.",
                "Прошу зайняти свої місця, розпочинаємо засідання.",
                "Переходимо до наступного питання порядку денного.",
            ],
        ),
        (
            "proposal-vodohin-lukivtsi.md",
            "proposal",
            "Водогін у селі Луківці збудований у 1970-х роках, труби зношені, щомісяця стаються пориви, і "
            "триста домогосподарств залишаються без води.",
            ["Забезпечити мешканців села безперебійним водопостачанням."],
        ),
    ],
)
def test_a_planted_problem_is_found_and_procedure_is_not(
    fresh: Hromada, cli: Command, name: str, kind: str, problem: str, not_problems: list[str]
) -> None:
    store = str(fresh.settings.store)
    assert cli(["index", str(FIXTURES / name), "--kind", kind, "--store", store]) == 0

    statements = _statements(fresh)
    texts = [item.text for item in statements]

    assert any(problem in text for text in texts), texts
    assert not [sentence for sentence in not_problems if any(sentence in text for text in texts)], texts
    document = fresh.document(statements[0].doc_id)
    assert all(document.text[item.start : item.end] == item.text for item in statements)


def test_the_detector_loads_from_disk_and_refuses_a_missing_file(fresh: Hromada, tmp_path: Path) -> None:
    model = StatementModel.load()
    assert model.embedding_model == fresh.embedder.name
    assert model.dimension == fresh.embedder.dimension
    assert model.prompt in ("query: ", "passage: ")

    model.save(tmp_path)
    copy = StatementModel.load(tmp_path)
    vectors = fresh.embedder.embed_queries(["Немає освітлення на вулиці Шевченка."])
    cues = np.array([[1.0, 1.0]], dtype=np.float32)
    assert np.allclose(copy.probabilities(vectors, cues), model.probabilities(vectors, cues))

    with pytest.raises(ModelNotAvailableError, match=str(tmp_path / "none")):
        StatementModel.load(tmp_path / "none")


def test_a_proposals_plan_gives_no_statement_while_its_problem_does(indexed: Hromada) -> None:
    proposals = [item for item in _statements(indexed) if item.kind == "proposal"]
    sections = {chunk.id: chunk.section for chunk in indexed.store().iter_chunks() if chunk.kind == "proposal"}
    stated_in = {(sections[item.chunk_id] or "").lower() for item in proposals}

    assert "опис проблеми" in stated_in, stated_in
    assert not [section for section in stated_in if section.startswith(("заходи", "бюджет", "мета"))]
    assert not [item for item in proposals if "Придбання двох нових шкільних автобусів" in item.text]
