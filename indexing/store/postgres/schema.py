"""The PostgreSQL schema of a store: the same tables as a store folder's SQLite database, with the lemma keys as a
``tsvector`` (GIN index) and the vectors as a pgvector ``vector`` (HNSW index, cosine). Ids are identities that
are never reused, so a chunk id names one vector for ever."""

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS sources (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    path       TEXT NOT NULL UNIQUE,
    source     TEXT NOT NULL,
    sha256     TEXT NOT NULL,
    size       BIGINT NOT NULL,
    complete   INTEGER NOT NULL,
    indexed_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS documents (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    source_id   BIGINT NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    record_id   TEXT,
    title       TEXT NOT NULL,
    kind        TEXT NOT NULL,
    language    TEXT,
    date        TEXT,
    region      TEXT,
    sector      TEXT,
    paginated   INTEGER NOT NULL,
    page_starts TEXT NOT NULL,
    metadata    TEXT NOT NULL,
    text        TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS documents_source ON documents(source_id, record_id);
CREATE TABLE IF NOT EXISTS chunks (
    id        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    doc_id    BIGINT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    ordinal   INTEGER NOT NULL,
    start     INTEGER NOT NULL,
    "end"     INTEGER NOT NULL,
    page      INTEGER,
    section   TEXT,
    heading   TEXT,
    speaker   TEXT,
    timestamp TEXT,
    kind      TEXT NOT NULL,
    date      TEXT,
    region    TEXT,
    sector    TEXT,
    text      TEXT NOT NULL,
    embedding vector({dimension}) NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_id);
CREATE INDEX IF NOT EXISTS chunks_filters ON chunks(kind, date);
CREATE INDEX IF NOT EXISTS chunks_region ON chunks(region);
CREATE INDEX IF NOT EXISTS chunks_embedding ON chunks USING hnsw (embedding vector_cosine_ops);
CREATE TABLE IF NOT EXISTS chunk_lemmas (
    chunk_id BIGINT PRIMARY KEY REFERENCES chunks(id) ON DELETE CASCADE,
    lemmas   TSVECTOR NOT NULL,
    length   INTEGER NOT NULL  -- lemmas in the chunk: BM25's document length
);
CREATE INDEX IF NOT EXISTS chunk_lemmas_search ON chunk_lemmas USING gin(lemmas);
"""
