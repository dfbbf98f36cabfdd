"""The SQLite schema of the store. Chunk ids are never reused, so a chunk id names one vector for ever."""

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS sources (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    path     TEXT NOT NULL UNIQUE,   -- resolved absolute path: the identity of a file between runs
    source   TEXT NOT NULL,          -- the path as the user gave it, shown in citations
    sha256   TEXT NOT NULL,
    size     INTEGER NOT NULL,
    complete INTEGER NOT NULL,       -- 0 while a large file is being indexed in several commits
    indexed_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS documents (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    source_id   INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    record_id   TEXT,
    title       TEXT NOT NULL,
    kind        TEXT NOT NULL,
    language    TEXT,
    date        TEXT,
    region      TEXT,
    sector      TEXT,
    paginated   INTEGER NOT NULL,
    page_starts TEXT NOT NULL,       -- JSON list of page start offsets into text
    metadata    TEXT NOT NULL,       -- JSON object
    text        TEXT NOT NULL        -- the normalised text that chunk offsets point into
);
CREATE INDEX IF NOT EXISTS documents_source ON documents(source_id, record_id);
CREATE TABLE IF NOT EXISTS chunks (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    doc_id    INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    ordinal   INTEGER NOT NULL,
    start     INTEGER NOT NULL,
    end       INTEGER NOT NULL,
    page      INTEGER,
    section   TEXT,
    heading   TEXT,
    speaker   TEXT,
    timestamp TEXT,
    kind      TEXT NOT NULL,         -- copied from the document so that filters need no join
    date      TEXT,
    region    TEXT,
    sector    TEXT,
    text      TEXT NOT NULL,
    vector    BLOB NOT NULL          -- float32, normalised: the truth the FAISS index is rebuilt from
);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_id);
CREATE INDEX IF NOT EXISTS chunks_filters ON chunks(kind, date);
CREATE VIRTUAL TABLE IF NOT EXISTS chunk_lemmas USING fts5(lemmas, tokenize = 'unicode61 remove_diacritics 0');
"""
