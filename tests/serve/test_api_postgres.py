"""The JSON API over a PostgreSQL index (a coordinator and two shards on loopback): the same
hits as the folder index, the writes through the writer process, a commit seen at once.
Skips without psycopg or the PostgreSQL server binaries."""

from __future__ import annotations

from pathlib import Path

import pytest
from shared_paths import SAMPLE_ID, SEEDS

pytest.importorskip("fastapi", reason="the 'serve' extra (FastAPI) is not installed")
pytest.importorskip("psycopg", reason="psycopg (the 'postgres' extra) is not installed")

from fastapi.testclient import TestClient  # noqa: E402

import searchlib  # noqa: E402
from searchlib.postgres.cluster import LocalCluster  # noqa: E402
from searchlib.serve.app import create_app  # noqa: E402

pytestmark = pytest.mark.heavy
TOKEN = "pg-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(scope="module")
def pg_index(pg_cluster: LocalCluster) -> str:
    """The seeds indexed on the session's cluster, in an index (schema) of this module's own."""
    url = f"{pg_cluster.url}?index=serve"
    with searchlib.create_index(url) as index:
        searchlib.index_paths(index, [SEEDS])
    return url


def test_the_api_over_postgresql(pg_index: str, seeds_index: Path) -> None:
    with (
        TestClient(create_app(pg_index, allow_writes=True, token=TOKEN)) as pg,
        TestClient(create_app(str(seeds_index))) as folder,
    ):
        assert pg.get("/health").json() == {"status": "ok", "generation": 1, "docs": 13}
        params = {"q": "cooperación antidrogas", "doc_lang": "en"}
        hits = pg.get("/search", params=params).json()["hits"]
        assert [h["id"] for h in hits] == [SAMPLE_ID]
        assert hits == folder.get("/search", params=params).json()["hits"]
        assert pg.get(f"/docs/{SAMPLE_ID}").json() == folder.get(f"/docs/{SAMPLE_ID}").json()
        assert pg.get("/docs/nope").status_code == 404
        assert pg.get("/suggest", params={"q": "Humla cooperaci"}).json()["suggestion"] == (
            "Humala cooperación"
        )
        new = {"id": "pg1", "lang": "es", "title": "Extorsión", "body": "Las maras cobran."}
        r = pg.post("/docs", params={"commit": "true"}, json=new, headers=AUTH)
        assert r.status_code == 200 and r.json()["generation"] == 2
        assert [h["id"] for h in pg.get("/search", params={"q": "maras"}).json()["hits"]] == ["pg1"]
        r = pg.delete("/docs/pg1", params={"commit": "true"}, headers=AUTH)
        assert r.json() == {"deleted": "pg1", "generation": 3, "docs": 13}
        assert pg.get("/search", params={"q": "maras"}).json()["hits"] == []
