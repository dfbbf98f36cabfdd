"""The sector classifier with its shipped weights, on real Ukrainian texts kept out of its training data.

The texts come from the held-aside sample (``scripts/sector_data/heldout.jsonl``): appeals to Kyiv's 1551
centre and an article of the 2003 law on social services, an act the classifier never saw.
"""

import numpy as np
import pytest

from models.embedder import Embedder
from models.errors import ModelNotAvailableError
from models.sector_classifier import SECTORS, SectorClassifier, SectorModel, sector_names

HEATING_APPEAL = (
    "Незадовільна температура опалення Опалення в квартирі просто жахливе, дуже холодно !!!!! Ледве теплі "
    "батареї, також сушарка у ванній практично холодна, так як вода в горячому крані ледь тепла йде."
)
SCHOOL_ENROLMENT_APPEAL = (
    "Прошу надати інформацію стосовно запису дитини до школи. За місцем проживання школа 99. Чому завуч "
    "молодших класів проводить екзамен з дитиною."
)
CLINIC_APPEAL = (
    "Доброго дня. Проблема полягає у тому, що у районній дитячій поліклініці немає цілої низки лікарів, "
    "на приклад, лора, ортопеда, гастроентеролога, що приймають безкоштовно. Вони всі давно перейшли у "
    "приватний медичний заклад, де прийом одного з перерахованих вище лікарів коштує 250 грн."
)
SOCIAL_SERVICES_ARTICLE = (
    "Стаття 9. Порядок і умови отримання соціальних послуг\n"
    "Для отримання соціальних послуг, що надаються державними та комунальними суб’єктами, особа, яка їх "
    "потребує, має звернутися з письмовою заявою до місцевого органу виконавчої влади або органу місцевого "
    "самоврядування.\n"
    "Для отримання соціальних послуг, що надаються недержавними суб’єктами, особа, яка їх потребує, "
    "звертається до відповідного суб’єкта, що їх надає."
)
TEXTS = [HEATING_APPEAL, SCHOOL_ENROLMENT_APPEAL, CLINIC_APPEAL, SOCIAL_SERVICES_ARTICLE]
EXPECTED = ["communal_services", "education", "health", "social_protection"]


@pytest.fixture(scope="module")
def classifier(embedder: Embedder) -> SectorClassifier:
    return SectorClassifier.load(embedder=embedder)


@pytest.fixture(scope="module")
def vectors(embedder: Embedder) -> np.ndarray:
    return embedder.embed_passages(TEXTS)


def test_shipped_model_loads_for_every_sector_and_the_embedder_it_was_trained_with(embedder: Embedder):
    model = SectorModel.load()
    assert model.weights.shape == (len(SECTORS), embedder.dimension)
    assert model.prototypes.shape == (len(SECTORS), embedder.dimension)
    assert model.embedding_model == embedder.name
    assert set(sector_names) == set(SECTORS)


def test_unambiguous_texts_get_their_sector_as_primary(classifier: SectorClassifier, vectors: np.ndarray):
    tags = classifier.classify(TEXTS, embeddings=vectors)
    assert [tag.primary for tag in tags] == EXPECTED


def test_tags_start_with_the_primary_sector_and_scores_are_probabilities(
    classifier: SectorClassifier, vectors: np.ndarray
):
    for tag in classifier.classify(TEXTS, embeddings=vectors):
        assert tag.tags[0] == tag.primary
        assert set(tag.scores) == set(SECTORS)
        assert sum(tag.scores.values()) == pytest.approx(1.0, abs=1e-3)
        assert tag.scores[tag.primary] == max(tag.scores.values())
        assert all(tag.scores[secondary] >= 0.2 for secondary in tag.tags[1:])


def test_given_embeddings_and_computed_ones_agree(classifier: SectorClassifier, vectors: np.ndarray):
    given = classifier.classify(TEXTS, embeddings=vectors)
    computed = classifier.classify(TEXTS)
    assert [tag.tags for tag in given] == [tag.tags for tag in computed]
    for one, other in zip(given, computed, strict=True):
        assert one.scores == pytest.approx(other.scores, abs=1e-3)


def test_without_embeddings_or_embedder_the_classifier_says_what_is_missing():
    with pytest.raises(ModelNotAvailableError, match="neither embeddings nor an embedder"):
        SectorClassifier.load().classify([HEATING_APPEAL])


def test_embeddings_of_the_wrong_shape_are_refused(classifier: SectorClassifier, vectors: np.ndarray):
    with pytest.raises(ValueError, match="one passage vector per text"):
        classifier.classify(TEXTS, embeddings=vectors[:2])


def test_no_texts_give_no_tags(classifier: SectorClassifier):
    assert classifier.classify([]) == []


def test_a_missing_model_file_is_reported_with_its_path(tmp_path):
    with pytest.raises(ModelNotAvailableError, match=r"sector_model\.npz"):
        SectorModel.load(tmp_path)
