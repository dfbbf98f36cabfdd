"""Upgrading a store of format 1: regions as the gazetteer names them, and the dates and places of headers.

Stores written before the gazetteer hold regions as their sources wrote them («Полтавська», «Київщина») and no
date or region for transcripts, proposals and notes. Filters now compare the gazetteer's region names, so an old
store is brought to the same form once, in one transaction, when it is opened.
"""

from __future__ import annotations

import json

from indexing.places import Gazetteer, normal_region, place_metadata
from indexing.places.document_place import HEADED_KINDS, HROMADA_KEY
from indexing.store.sql_session import SqlSession, placeholders


def upgrade_places(session: SqlSession, gazetteer: Gazetteer) -> None:
    """Normalise every stored region and add what headers state; the caller's transaction commits."""
    _place_headed_documents(session, gazetteer)
    tables = ["documents", "chunks"]
    if session.has_table("problem_items"):
        tables.append("problem_items")
    for table in tables:
        _normalise_regions(session, table, gazetteer)
    if "problem_items" in tables:
        # Statements taken from documents follow what their documents now say.
        for column in ("region", "date"):
            session.run(
                f"UPDATE problem_items SET {column} = (SELECT d.{column} FROM documents d WHERE d.id = doc_id) "
                f"WHERE {column} IS NULL AND doc_id IS NOT NULL"
            )


def _place_headed_documents(session: SqlSession, gazetteer: Gazetteer) -> None:
    rows = session.rows(
        f"SELECT id, kind, date, region, metadata, text FROM documents "
        f"WHERE kind IN ({placeholders(len(HEADED_KINDS))}) AND (date IS NULL OR region IS NULL)",
        HEADED_KINDS,
    )
    for doc_id, kind, date, region, metadata_json, text in rows:
        metadata = json.loads(metadata_json)
        given = {**metadata, "date": date or metadata.get("date"), "region": region or metadata.get("region")}
        placed = place_metadata({key: value for key, value in given.items() if value}, text, kind, gazetteer)
        date, region = placed.get("date"), placed.get("region")
        metadata.update(
            {key: value for key, value in placed.items() if key in metadata or key == HROMADA_KEY}
        )
        session.run(
            "UPDATE documents SET date = ?, region = ?, metadata = ? WHERE id = ?",
            (date, region, json.dumps(metadata, ensure_ascii=False), doc_id),
        )
        session.run("UPDATE chunks SET date = ?, region = ? WHERE doc_id = ?", (date, region, doc_id))


def _normalise_regions(session: SqlSession, table: str, gazetteer: Gazetteer) -> None:
    regions = [
        row[0] for row in session.rows(f"SELECT DISTINCT region FROM {table} WHERE region IS NOT NULL")
    ]
    for region in regions:
        normal = normal_region(region, gazetteer)
        if normal != region:
            session.run(f"UPDATE {table} SET region = ? WHERE region = ?", (normal, region))
