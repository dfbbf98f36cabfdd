"""Bad input through the command line and HTTP: each bad file gets its own error, the store is unchanged,
memory stays bounded and the server keeps serving. What is refused and why does not depend on the vectors'
meaning: the stores here get the fake encoder's.

The bad files are made here from a real PDF and real Ukrainian text: corrupt, truncated, encrypted, empty and
blank PDFs, binary data named .txt, a zip bomb named .docx (with honest and with lying sizes), an enormous
one-line file, a broken JSON Lines file, a CSV without a text column and a PNG of a few hundred bytes that
declares 2.5 billion pixels. cp1251 and UTF-16 text index fine.
"""

from __future__ import annotations

import io
import json
import re
import struct
import zipfile
from collections.abc import Callable
from pathlib import Path

import pypdf
import pytest
from docx import Document
from fastapi.testclient import TestClient

from models.ukrainian_pipeline import UkrainianPipeline
from service.api import create_app
from service.hromada import Hromada
from service.settings import Settings
from tests.conftest import Command
from tests.hashing_encoder import HashingEncoder
from tests.scans import png_declaring

SPORT_PDF = Path(__file__).parent / "fixtures" / "readers" / "sport-rules-3-pages.pdf"
MAX_FILE_BYTES = 1_000_000
MAX_UPLOAD_BYTES = 2_000_000
MAX_REQUEST_BYTES = 20_000
MEMORY_BOUND_KB = 60_000
"""Peak RSS growth allowed while refusing a file 60 times larger than the file size limit (or a zip bomb)."""
UKRAINIAN = (
    "Сільська рада розглянула звернення мешканців щодо ремонту дороги до школи та підвезення учнів. "
    "Депутати доручили виконавчому комітету підготувати кошторис і знайти кошти в бюджеті громади."
)

# Each bad file, its bytes, and what the reason of its failure must say.
BadFile = tuple[str, Callable[[], bytes], str]


def pdf_cut_in_half() -> bytes:
    data = SPORT_PDF.read_bytes()
    return data[: len(data) // 2]


def corrupt_pdf() -> bytes:
    """A PDF header and end marker around bytes that are no PDF objects."""
    return b"%PDF-1.7\n" + binary_data()[:5000] + b"\n%%EOF\n"


def encrypted_pdf() -> bytes:
    writer = pypdf.PdfWriter(clone_from=SPORT_PDF)
    writer.encrypt(user_password="таємниця", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def blank_pdf() -> bytes:
    """Pages with no text layer and nothing drawn on them: nothing to read, nothing to recognise."""
    writer = pypdf.PdfWriter()
    writer.add_blank_page(595, 842)
    writer.add_blank_page(595, 842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def binary_data() -> bytes:
    return bytes((i * 7919) % 256 for i in range(20_000))


def zip_bomb(unpacked_bytes: int, declared_bytes: int | None = None) -> bytes:
    """A real .docx whose document part unpacks to ``unpacked_bytes`` of spaces (a few kB packed).

    With ``declared_bytes`` its headers lie about that size, so that a check of the headers alone passes it.
    """
    template = io.BytesIO()
    Document().save(template)
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(template) as source,
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bomb,
    ):
        for member in source.infolist():
            if member.filename != "word/document.xml":
                bomb.writestr(member, source.read(member))
        with bomb.open("word/document.xml", "w") as part:
            block = b" " * (1 << 20)
            for _ in range(unpacked_bytes >> 20):
                part.write(block)
    data = buffer.getvalue()
    return data if declared_bytes is None else _with_declared_size(data, "word/document.xml", declared_bytes)


def _with_declared_size(data: bytes, name: str, size: int) -> bytes:
    patched = bytearray(data)
    encoded = name.encode()
    # The uncompressed size sits 22 bytes into a local file header and 24 into a central directory entry,
    # whose names start 30 and 46 bytes in.
    for signature, size_at, name_at in ((b"PK\x03\x04", 22, 30), (b"PK\x01\x02", 24, 46)):
        for match in re.finditer(re.escape(signature), data):
            start = match.start()
            if data[start + name_at : start + name_at + len(encoded)] == encoded:
                patched[start + size_at : start + size_at + 4] = struct.pack("<I", size)
    return bytes(patched)


BAD_FILES: list[BadFile] = [
    ("corrupt.pdf", corrupt_pdf, r"corrupt PDF|no text"),
    ("truncated.pdf", pdf_cut_in_half, r"truncated PDF"),
    ("encrypted.pdf", encrypted_pdf, r"encrypted: a password is needed"),
    ("empty.pdf", lambda: b"", r"empty file"),
    ("blank.pdf", blank_pdf, r"no text"),
    ("bomb.png", lambda: png_declaring(50_000, 50_000), r"too large an image"),
    ("binary.txt", binary_data, r"binary data, not text"),
    ("bomb.docx", lambda: zip_bomb(64 << 20), r"too large when unpacked"),
    ("lying-bomb.docx", lambda: zip_bomb(64 << 20, declared_bytes=4096), r"corrupt"),
    ("one-line.txt", lambda: ("слово " * 600_000).encode(), r"too large"),
    ("broken.jsonl", lambda: b'{"id": "1", "text": "\xd0\xb2\xd0\xbe\xd0\xb4\xd0\xb0"}\n{"id": "2", "te', r"line 2 is not valid JSON"),
    ("no-text.csv", lambda: "id;звернення\n1;Немає води\n".encode(), r"no 'text' column"),
]  # fmt: skip
GOOD_FILES = {
    "cp1251.txt": UKRAINIAN.encode("cp1251"),
    "utf16.txt": UKRAINIAN.replace("дороги", "мосту").encode("utf-16"),
}


def settings(store: Path) -> Settings:
    return Settings(
        store=store,
        max_file_bytes=MAX_FILE_BYTES,
        max_upload_bytes=MAX_UPLOAD_BYTES,
        max_request_bytes=MAX_REQUEST_BYTES,
    )


@pytest.fixture
def service(tmp_path: Path, fake_encoder: HashingEncoder, ukrainian_pipeline: UkrainianPipeline) -> Hromada:
    return Hromada(settings(tmp_path / "store"), embedder=fake_encoder, pipeline=ukrainian_pipeline)  # type: ignore[arg-type]


def peak_rss_growth_kb(action: Callable[[], object]) -> int:
    """How far the process's peak resident memory rises above its current one while ``action`` runs."""
    Path("/proc/self/clear_refs").write_text("5")  # resets the peak (VmHWM) to the current RSS
    before = _status_kb("VmRSS")
    action()
    return _status_kb("VmHWM") - before


def _status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise LookupError(field)


def test_each_bad_file_fails_alone_through_the_cli(
    tmp_path: Path, fake_cli: Command, capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "inbox"
    folder.mkdir()
    for name, make, _ in BAD_FILES:
        (folder / name).write_bytes(make())
    for name, data in GOOD_FILES.items():
        (folder / name).write_bytes(data)
    store = tmp_path / "store"
    monkeypatch.setenv("HROMADA_MAX_FILE_BYTES", str(MAX_FILE_BYTES))
    status = fake_cli(["index", str(folder), "--store", str(store), "--json"])
    out, err = capfd.readouterr()
    assert status == 1, err
    assert "Traceback" not in err
    report = json.loads(out)
    reasons = {Path(failure["path"]).name: failure["error"] for failure in report["failed"]}
    for name, _, expected in BAD_FILES:
        assert re.search(expected, reasons.get(name, "")), f"{name}: {reasons.get(name)!r}"
    assert sorted(Path(path).name for path in report["indexed"]) == sorted(GOOD_FILES)
    hromada = Hromada(Settings(store=store))
    assert hromada.stats()["documents"] == 2 and hromada.check() == []
    texts = [hromada.document(d["id"]).text for d in hromada.store().documents()]
    assert any("ремонту мосту" in text for text in texts) and any("ремонту дороги" in text for text in texts)


def test_each_bad_upload_gets_its_own_error_and_leaves_the_store_unchanged(service: Hromada) -> None:
    client = TestClient(create_app(service))
    good = client.post("/documents", files={"file": ("cp1251.txt", GOOD_FILES["cp1251.txt"])})
    assert good.status_code == 200 and good.json()["documents"] == 1
    before = service.stats()
    for name, make, expected in BAD_FILES:
        data = make()
        response = client.post("/documents", files={"file": (name, data)})
        if len(data) > MAX_UPLOAD_BYTES:
            assert response.status_code == 413, name
        else:
            assert response.status_code == 200, (name, response.text)
            failure = response.json()["failed"][0]
            assert failure["path"].endswith(name) and re.search(expected, failure["error"]), failure
        assert str(service.settings.store) not in response.text and "Traceback" not in response.text
        assert service.stats() == before, name
    found = client.get("/search", params={"q": "ремонт дороги"})
    assert found.json()["hits"][0]["source"] == "cp1251.txt"
    for response in (found, client.get("/stats"), client.get("/documents")):
        assert str(service.settings.store) not in response.text
    assert service.check() == []


def test_upload_names_cannot_climb_out_of_the_store(service: Hromada, tmp_path: Path) -> None:
    client = TestClient(create_app(service))
    names = [
        "../../outside.txt",
        "..\\..\\outside-too.txt",
        "/etc/cron.d/outside-ремонт.txt",
        "....//outside.md",
    ]
    files = [("file", (name, (UKRAINIAN + str(number)).encode())) for number, name in enumerate(names)]
    response = client.post("/documents", files=files)
    assert response.status_code == 200, response.text
    indexed = response.json()["indexed"]
    assert len(indexed) == len(names) and all("/" not in name and ".." not in name for name in indexed)
    uploads = service.settings.uploads_folder
    written = [path for path in tmp_path.rglob("*") if path.is_file() and "outside" in path.name]
    assert written and all(path.parent == uploads for path in written)
    assert not list(uploads.glob(".*.part"))


def test_oversized_requests_are_refused_with_413_and_the_server_keeps_serving(service: Hromada) -> None:
    client = TestClient(create_app(service))
    huge_query = {"query": "вода " * MAX_REQUEST_BYTES, "k": 1}
    assert client.post("/excerpts", json=huge_query).status_code == 413
    # A body streamed without a declared length is cut off as soon as it passes the limit.
    streamed = client.post(
        "/excerpts",
        content=iter([b"{" + b" " * 1000] * (MAX_REQUEST_BYTES // 500)),
        headers={"Content-Type": "application/json"},
    )
    assert streamed.status_code == 413 and "limit" in streamed.json()["detail"]
    upload = client.post("/documents", files={"file": ("big.txt", b"a" * (MAX_UPLOAD_BYTES + 1))})
    assert upload.status_code == 413 and "upload" in upload.json()["detail"]
    uploads = service.settings.uploads_folder
    assert not uploads.exists() or not any(uploads.iterdir())
    assert client.get("/health").json()["status"] == "ok"
    assert client.post("/excerpts", json={"query": "вода", "k": 1}).status_code in (200, 503)


@pytest.mark.parametrize(
    ("name", "make"),
    [
        ("bomb.docx", lambda: zip_bomb(256 << 20)),
        ("lying-bomb.docx", lambda: zip_bomb(256 << 20, declared_bytes=4096)),
        ("one-line.txt", lambda: b"x" * (60 * MAX_FILE_BYTES)),
        ("bomb.png", lambda: png_declaring(12_000, 12_000)),
    ],
)
def test_memory_stays_bounded(service: Hromada, tmp_path: Path, name: str, make: Callable[[], bytes]) -> None:
    path = tmp_path / name
    path.write_bytes(make())
    reports = []
    growth = peak_rss_growth_kb(lambda: reports.append(service.index([path])))
    assert reports[0].failed and not reports[0].indexed
    assert growth < MEMORY_BOUND_KB, f"{name}: peak RSS grew by {growth} kB"
