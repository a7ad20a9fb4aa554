"""The JSON API of ``searchlib serve`` (searchlib/serve/app.py) over an index of seeds/ plus a
hostile document, through Starlette's TestClient: the same JSON as ``--json``, the errors and
their statuses, the writes and their token, a commit seen without a restart."""

from __future__ import annotations

import http.client
import json
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from commands import searchlib_cli
from shared_paths import REPO, SAMPLE_ID, SEEDS

pytest.importorskip("fastapi", reason="the 'serve' extra (FastAPI) is not installed")

from fastapi.testclient import TestClient  # noqa: E402

import searchlib  # noqa: E402
from searchlib.records import Brief  # noqa: E402
from searchlib.serve.app import MAX_BODY_BYTES, MAX_OVERDUE, create_app  # noqa: E402

SAMPLE_ES = "44fea6efc1d86929"  # the Spanish version of the sample brief
HOSTILE_ID = "xss-1"
HOSTILE_TITLE = "<script>alert('xss')</script> Coca & <b>cocaine</b>"
HOSTILE_BODY = "Coca growers met <img src=x onerror=alert(1)> in Lima."
TOKEN = "s3cret-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def build(folder: Path) -> str:
    """An index of seeds/ and the hostile document, built by the command line."""
    extra = folder / "hostile.jsonl"
    record = {"id": HOSTILE_ID, "lang": "en", "title": HOSTILE_TITLE, "body": HOSTILE_BODY}
    extra.write_text(json.dumps(record) + "\n", encoding="utf-8")
    index = str(folder / "idx")
    proc = searchlib_cli(
        "index", str(SEEDS), str(extra), "--index", index, "--quiet", "--workers", "1"
    )
    assert proc.returncode == 0, proc.stderr
    return index


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> str:
    return build(tmp_path_factory.mktemp("serve"))


@pytest.fixture(scope="module")
def client(index_dir: str) -> Iterator[TestClient]:
    with TestClient(create_app(index_dir)) as c:
        yield c


def without_timing(obj: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in obj.items() if k != "took_ms"}


def test_a_spanish_query_finds_the_english_brief(client: TestClient) -> None:
    r = client.get("/search", params={"q": "cooperación antidrogas", "doc_lang": "en"})
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    assert [h["id"] for h in r.json()["hits"]] == [SAMPLE_ID]
    twins = client.get("/search", params={"q": "cooperación antidrogas", "twins": "true"}).json()
    assert [(h["id"], h["twin"]["id"]) for h in twins["hits"]] == [(SAMPLE_ES, SAMPLE_ID)]


@pytest.mark.parametrize(
    ("query", "options"),
    [
        ("Humala coca", []),
        ("cooperación antidrogas", ["--twins", "--facets"]),
        ("coca OR drogas", ["--lang", "es", "--limit", "3", "--offset", "1"]),
        (
            "coca",
            ["--doc-lang", "en", "--country", "Perú", "--since", "2011", "--until", "2011-12"],
        ),
        ("Humala pide cooperación (antidrogas", ["--syntax", "plain"]),
        ("Humla", []),
    ],
)
def test_search_json_equals_the_command_lines(
    client: TestClient, index_dir: str, query: str, options: list[str]
) -> None:
    proc = searchlib_cli("search", query, "--index", index_dir, "--json", *options)
    assert proc.returncode == 0, proc.stderr
    expected = json.loads(proc.stdout)
    params: dict[str, str] = {"q": query}
    it = iter(options)
    for option in it:
        name = option[2:].replace("-", "_")
        if name in ("twins", "facets"):
            params[name] = "true"
        elif name == "syntax":
            params["mode"] = next(it)
        else:
            params[name] = next(it)
    r = client.get("/search", params=params)
    assert r.status_code == 200, r.text
    assert without_timing(r.json()) == without_timing(expected)
    assert expected["hits"] or expected.get("suggestion")  # each case has something to compare


def test_docs_related_and_stats_equal_the_command_lines(client: TestClient, index_dir: str) -> None:
    for path, args in [
        (f"/docs/{SAMPLE_ID}", ["get", SAMPLE_ID]),
        (f"/related/{SAMPLE_ID}", ["related", SAMPLE_ID]),
        ("/stats", ["stats"]),
    ]:
        proc = searchlib_cli(*args, "--index", index_dir, "--json")
        assert proc.returncode == 0, proc.stderr
        r = client.get(path)
        assert r.status_code == 200, r.text
        assert without_timing(r.json()) == without_timing(json.loads(proc.stdout)), path
    related = client.get(f"/related/{SAMPLE_ID}").json()
    assert related["id"] == SAMPLE_ID
    assert related["hits"][0]["id"] == SAMPLE_ES
    assert related["hits"][0]["reason"] == "same story, other language"


def test_a_syntax_error_is_400_with_its_position(client: TestClient, index_dir: str) -> None:
    r = client.get("/search", params={"q": "(((("})
    assert r.status_code == 400
    proc = searchlib_cli("search", "((((", "--index", index_dir)
    assert proc.returncode == 2
    body = r.json()
    assert proc.stderr.splitlines()[0] == f"searchlib: {body['error']}"
    assert body == {
        "error": "query syntax error at position 3: unbalanced parenthesis: this ( is never closed",
        "type": "QuerySyntaxError",
        "status": 400,
        "position": 3,
        "excerpt": "((((",
        "caret": 3,
    }
    lenient = client.get("/search", params={"q": "((((coca", "mode": "lenient"})
    assert lenient.status_code == 200 and lenient.json()["warnings"]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"q": "coca", "limit": "20000"}, "limit must be from 0 to 10000, got 20000"),
        ({"q": "coca", "offset": "-1"}, "offset must be from 0 to 9990, got -1"),
        ({"q": "coca", "limit": "x"}, "limit: Input should be a valid integer"),
        ({"q": "coca", "lang": "fr"}, "lang: Input should be 'en' or 'es'"),
        ({"q": "coca", "since": "2011-13"}, "since: "),
        ({"q": "coca", "mode": "regex"}, "mode: Input should be 'syntax', 'lenient' or 'plain'"),
        ({}, "q: Field required"),
    ],
)
def test_a_bad_parameter_is_400_naming_it(
    client: TestClient, params: dict[str, str], message: str
) -> None:
    r = client.get("/search", params=params)
    assert r.status_code == 400
    assert r.json()["error"].startswith(message), r.json()
    assert r.json()["type"] == "ArgumentError"


def test_an_unknown_id_is_404(client: TestClient) -> None:
    for path in ("/docs/nope", "/related/nope"):
        r = client.get(path)
        assert r.status_code == 404
        assert r.json() == {
            "error": "no document with id 'nope' in the index",
            "type": "IndexStateError",
            "status": 404,
        }
    r = client.get("/no/such/path")
    assert r.status_code == 404 and r.json()["type"] == "NotFound"


def test_the_hostile_document_comes_back_as_json_text(client: TestClient) -> None:
    r = client.get("/search", params={"q": "cocaine growers"})
    (hit,) = [h for h in r.json()["hits"] if h["id"] == HOSTILE_ID]
    assert hit["title"] == HOSTILE_TITLE  # plain text, as stored: the page escapes it
    assert "<img" not in hit["snippet"] and "&lt;img src=x onerror=alert(1)&gt;" in hit["snippet"]
    assert "<img src=x onerror=alert(1)>" in hit["snippet_text"]
    doc = client.get(f"/docs/{HOSTILE_ID}")
    assert doc.headers["content-type"] == "application/json"
    assert doc.json()["title"] == HOSTILE_TITLE
    assert b"<script>alert('xss')</script>" in doc.content  # a JSON string, never markup


def test_suggest_gives_did_you_mean_and_completions(client: TestClient) -> None:
    """The did-you-mean a search for the text gives, and the last word completed with words of
    the titles (accents as the titles write them)."""
    assert client.get("/suggest", params={"q": "Humla cooperaci"}).json() == {
        "query": "Humla cooperaci",
        "suggestion": "Humala cooperación",
        "completions": ["Humla cooperación"],
    }
    search = client.get("/search", params={"q": "Humla cooperaci"}).json()
    assert search["suggestion"] == "Humala cooperación"
    assert client.get("/suggest", params={"q": "antidr", "limit": 1}).json()["completions"] == [
        "antidrogas"
    ]
    # narcotráfico is in a body, not a title; a query ending in a space completes nothing
    assert client.get("/suggest", params={"q": "narcotrafi"}).json()["completions"] == []
    assert client.get("/suggest", params={"q": "coca "}).json()["completions"] == []
    assert client.get("/suggest", params={"q": "co", "limit": 3}).json()["completions"] == [
        "coca",  # the most titles, then ties in folded order
        "cocaína",
        "cocaine",
    ]


def test_health_and_openapi(client: TestClient) -> None:
    assert client.get("/health").json() == {"status": "ok", "generation": 1, "docs": 14}
    spec = client.get("/openapi.json").json()
    assert {
        "/search",
        "/docs/{doc_id}",
        "/related/{doc_id}",
        "/suggest",
        "/stats",
        "/health",
    } <= set(spec["paths"])
    assert "post" not in spec["paths"]["/docs/{doc_id}"] and "/commit" not in spec["paths"]


def test_a_missing_index_is_503_and_the_server_runs_on(tmp_path: Path) -> None:
    missing = tmp_path / "later"
    with TestClient(create_app(str(missing))) as c:
        health = c.get("/health")
        assert health.status_code == 503
        assert health.json()["status"] == "unavailable"
        assert health.json()["error"].startswith(f"no index at {missing}")
        r = c.get("/search", params={"q": "coca"})
        assert r.status_code == 503 and r.json()["type"] == "IndexUnavailable"
        state = c.app.state.searchlib  # type: ignore[attr-defined]
        state._tried = 0.0  # do not wait for the next retry
        build(tmp_path)
        (tmp_path / "idx").rename(missing)
        assert c.get("/health").json()["docs"] == 14


def test_a_newer_commit_that_is_damaged_leaves_the_last_whole_one_served(tmp_path: Path) -> None:
    """A commit made while the server runs whose new .store is damaged on disk is not pinned:
    searches go on over the snapshot served (whole files), /health says "stale" naming the
    file, and the commit is pinned once its file is whole (tried again, not at every request)."""
    index = build(tmp_path)
    with TestClient(create_app(index)) as c:
        assert c.get("/health").json() == {"status": "ok", "generation": 1, "docs": 14}
        before = set(Path(index).glob("*.store"))
        with searchlib.open_index(index) as writer:
            writer.add(Brief(id="late-1", lang="en", title="Coca late", body=["Coca news."]))
            assert writer.commit() == 2
        (store,) = set(Path(index).glob("*.store")) - before
        original = store.read_bytes()
        damaged = bytearray(original)
        damaged[len(damaged) // 2] ^= 0x10
        store.write_bytes(bytes(damaged))
        for _ in range(2):
            r = c.get("/search", params={"q": "Humala coca"})
            assert r.status_code == 200 and SAMPLE_ID in [h["id"] for h in r.json()["hits"]]
        health = c.get("/health")
        assert health.status_code == 200
        body = health.json()
        assert (body["status"], body["generation"], body["docs"]) == ("stale", 1, 14)
        assert body["error"].startswith("commit 2 cannot be served: corrupt index file")
        assert f"{store}: checksum mismatch" in body["error"]
        store.write_bytes(original)
        assert c.get("/health").json()["status"] == "stale"  # not tried again yet
        state = c.app.state.searchlib  # type: ignore[attr-defined]
        state._newer_tried = 0.0  # do not wait for the next retry
        assert c.get("/health").json() == {"status": "ok", "generation": 2, "docs": 15}
        r = c.get("/search", params={"q": "coca late"})
        assert r.status_code == 200 and "late-1" in [h["id"] for h in r.json()["hits"]]


def test_a_damaged_index_is_503_and_served_once_it_is_whole(tmp_path: Path) -> None:
    """A .store damaged on disk (which a program's searches verify only when they first read
    it): the server verifies the whole index once it opens it, so /health is 503 naming the
    file and every route 503 IndexUnavailable, not 500s and a healthy /health."""
    index = build(tmp_path)
    store = sorted(Path(index).glob("*.store"))[0]
    original = store.read_bytes()
    damaged = bytearray(original)
    damaged[len(damaged) // 2] ^= 0x10
    store.write_bytes(bytes(damaged))
    with TestClient(create_app(index)) as c:
        health = c.get("/health")
        assert health.status_code == 503 and health.json()["status"] == "unavailable"
        assert f"{store}: checksum mismatch" in health.json()["error"]
        for url in (
            "/search?q=coca",
            f"/docs/{SAMPLE_ID}",
            f"/related/{SAMPLE_ID}",
            "/suggest?q=coc",
            "/stats",
        ):
            r = c.get(url)
            assert (r.status_code, r.json()["type"]) == (503, "IndexUnavailable"), url
        store.write_bytes(original)
        state = c.app.state.searchlib  # type: ignore[attr-defined]
        state._tried = 0.0  # do not wait for the next retry
        assert c.get("/health").json()["status"] == "ok"
        r = c.get("/search", params={"q": "Humala coca"})
        assert r.status_code == 200 and SAMPLE_ID in [h["id"] for h in r.json()["hits"]]


def test_writes_are_off_without_allow_writes(client: TestClient) -> None:
    for r in (
        client.post("/docs", json={"id": "n1", "title": "x"}, headers=AUTH),
        client.delete(f"/docs/{SAMPLE_ID}", headers=AUTH),
        client.post("/commit", headers=AUTH),
    ):
        assert r.status_code == 403
        assert r.json() == {
            "error": "writes are off: start searchlib serve with --allow-writes and a token",
            "type": "WritesOff",
            "status": 403,
        }
    assert client.get(f"/docs/{SAMPLE_ID}").status_code == 200


def test_allow_writes_needs_a_token(index_dir: str) -> None:
    with pytest.raises(ValueError, match="writes need a token"):
        create_app(index_dir, allow_writes=True)


@pytest.fixture()
def writable(tmp_path: Path) -> Iterator[TestClient]:
    index = build(tmp_path)
    with TestClient(create_app(index, allow_writes=True, token=TOKEN)) as c:
        yield c


NEW = {"id": "n1", "lang": "es", "title": "Extorsión en Honduras", "body": "Las maras cobran."}


def test_writes_are_refused_without_the_token(writable: TestClient) -> None:
    r = writable.post("/docs", json=NEW)
    assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
    r = writable.post("/docs", json=NEW, headers={"Authorization": "Bearer wrong"})
    assert r.status_code == 403 and r.json()["error"] == "wrong token"
    assert writable.delete(f"/docs/{SAMPLE_ID}").status_code == 401
    assert writable.post("/commit", headers={"Authorization": "Basic x"}).status_code == 401
    assert writable.get("/docs/n1").status_code == 404
    assert writable.get("/health").json()["docs"] == 14


def test_a_commit_is_seen_by_the_next_search_without_a_restart(writable: TestClient) -> None:
    def ids(q: str) -> list[str]:
        return [h["id"] for h in writable.get("/search", params={"q": q}).json()["hits"]]

    assert ids("maras") == []
    r = writable.post("/docs", json=NEW, headers=AUTH)
    assert r.status_code == 200
    assert r.json() == {"added": 1, "ids": ["n1"], "warnings": [], "pending": 1}
    assert ids("maras") == []  # not committed yet
    r = writable.post("/commit", headers=AUTH)
    assert r.status_code == 200 and r.json() == {"generation": 2, "docs": 15}
    assert ids("maras") == ["n1"]
    batch = [
        {"id": "n2", "lang": "en", "title": "Gangs in Honduras", "body": "Maras extort buses."},
        {"id": "n3", "lang": "en", "title": "Bad date", "body": "Maras.", "date": "2020-02-30"},
    ]
    r = writable.post("/docs", params={"commit": "true"}, json=batch, headers=AUTH)
    assert r.status_code == 200
    assert r.json()["ids"] == ["n2", "n3"] and r.json()["generation"] == 3
    assert r.json()["warnings"][0].startswith("record 1: ")
    assert sorted(ids("maras")) == ["n1", "n2", "n3"]
    r = writable.delete("/docs/n1", params={"commit": "true"}, headers=AUTH)
    assert r.json() == {"deleted": "n1", "generation": 4, "docs": 16}
    assert sorted(ids("maras")) == ["n2", "n3"]
    r = writable.delete("/docs/n1", headers=AUTH)
    assert r.status_code == 404


def test_a_bad_record_is_400_and_adds_nothing(writable: TestClient) -> None:
    r = writable.post("/docs", json=[NEW, {"title": "no id"}], headers=AUTH)
    assert r.status_code == 400
    assert r.json() == {"error": "record 1: record has no id", "type": "IngestError", "status": 400}
    r = writable.post("/docs", content=b"{not json", headers=AUTH)
    assert r.status_code == 400 and r.json()["error"].startswith("the body is not JSON")
    writable.post("/commit", headers=AUTH)
    assert writable.get("/docs/n1").status_code == 404


def test_a_search_over_its_time_budget_is_503(index_dir: str) -> None:
    app = create_app(index_dir, time_budget_s=0.05)
    state = app.state.searchlib
    release = threading.Event()
    original = state.search_json

    def slow(results: Any) -> dict[str, Any]:
        release.wait(10)
        return original(results)

    state.search_json = slow
    with TestClient(app) as c:
        for _ in range(MAX_OVERDUE):
            r = c.get("/search", params={"q": "coca"})
            assert r.status_code == 503 and r.json()["type"] == "TimeBudgetExceeded"
            assert r.json()["error"] == "the request took longer than its time budget of 0.05 s"
        r = c.get("/search", params={"q": "coca"})
        assert r.status_code == 503 and r.json()["type"] == "Busy"
        release.set()
        state.search_json = original
        for _ in range(100):
            if c.get("/health").status_code == 200 and state._overdue.count == 0:
                break
            threading.Event().wait(0.05)
        assert c.get("/search", params={"q": "coca"}).status_code == 200


def test_cors_only_when_configured(index_dir: str) -> None:
    headers = {"Origin": "https://example.org"}
    with TestClient(create_app(index_dir)) as c:
        r = c.get("/health", headers=headers)
        assert "access-control-allow-origin" not in r.headers
    with TestClient(create_app(index_dir, cors_origins=["https://example.org"])) as c:
        r = c.get("/health", headers=headers)
        assert r.headers["access-control-allow-origin"] == "https://example.org"
        other = c.get("/health", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in other.headers


def test_the_command_serves_over_a_real_socket(index_dir: str) -> None:
    """``python3 -m searchlib serve --port 0`` takes a free port, says which on its first line,
    and answers /health over loopback; SIGTERM stops it."""
    env = {"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"}
    with subprocess.Popen(
        [sys.executable, "-m", "searchlib", "serve", "--index", index_dir, "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=REPO,
        env=env,
    ) as proc:
        try:
            assert proc.stdout is not None
            line = proc.stdout.readline()
            m = re.fullmatch(
                r"searchlib serve: http://127\.0\.0\.1:(\d+)/ \(index (.*), read-only\)\n", line
            )
            assert m and m.group(2) == index_dir, line
            for _ in range(100):  # the socket listens before uvicorn serves: retry briefly
                conn = http.client.HTTPConnection("127.0.0.1", int(m.group(1)), timeout=10)
                try:
                    conn.request("GET", "/health")
                    response = conn.getresponse()
                    status, body = response.status, response.read()
                    break
                except (ConnectionError, http.client.RemoteDisconnected):
                    time.sleep(0.1)
                finally:
                    conn.close()
            else:
                raise AssertionError("the server never answered")
            assert status == 200
            assert json.loads(body) == {"status": "ok", "generation": 1, "docs": 14}
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    assert proc.returncode in (0, -signal.SIGTERM)


def test_the_command_needs_a_token_for_writes(index_dir: str) -> None:
    proc = searchlib_cli("serve", "--index", index_dir, "--allow-writes")
    assert proc.returncode == 2
    assert proc.stderr == (
        "searchlib: --allow-writes needs a token: give --token or set SEARCHLIB_SERVE_TOKEN\n"
    )


def test_without_the_extra_the_command_says_what_to_install(tmp_path: Path) -> None:
    """With FastAPI not importable, one line naming the extra, exit 3 (no traceback)."""
    shadow = tmp_path / "fastapi"
    shadow.mkdir()
    (shadow / "__init__.py").write_text(
        'raise ModuleNotFoundError("No module named \'fastapi\'", name="fastapi")\n'
    )
    proc = subprocess.run(
        [sys.executable, "-m", "searchlib", "serve", "--index", str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={"PYTHONPATH": f"{tmp_path}:{REPO}", "PATH": "/usr/bin:/bin"},
        timeout=120,
    )
    assert proc.returncode == 3
    assert proc.stderr == (
        "searchlib: error: searchlib serve needs FastAPI and uvicorn (fastapi is missing), "
        "in the 'serve' extra: pip install 'searchlib[serve]'\n"
    )


def test_concurrent_searches_while_a_writer_commits(writable: TestClient) -> None:
    """Searches from 8 threads (the server's thread pool runs them at once) while another
    thread adds and commits documents: every answer is the answer of one commit (as one
    search gives it alone after that commit: a commit changes the statistics, so scores), no
    error; each commit is seen by the next search."""
    queries = ["Humala coca", "cooperación antidrogas", "narcotráfico", "coca OR drogas"]

    def answer(q: str) -> str:
        r = writable.get("/search", params={"q": q, "facets": "true"})
        if r.status_code != 200:
            return f"{r.status_code} {r.text}"
        return json.dumps(without_timing(r.json()), sort_keys=True)

    expected = {q: {answer(q)} for q in queries}
    seen: list[tuple[str, str]] = []
    stop = threading.Event()

    def reader(n: int) -> None:
        while not stop.is_set():
            q = queries[n % len(queries)]
            n += 1
            seen.append((q, answer(q)))

    threads = [threading.Thread(target=reader, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    try:
        for generation in range(2, 7):
            word = f"zzword{generation}"
            doc = {"id": f"w{generation}", "lang": "en", "title": word, "body": "Coca."}
            assert writable.post("/docs", json=doc, headers=AUTH).status_code == 200
            r = writable.post("/commit", headers=AUTH)
            assert r.json()["generation"] == generation
            hits = writable.get("/search", params={"q": word}).json()["hits"]
            assert [h["id"] for h in hits] == [f"w{generation}"]
            for q in queries:
                expected[q].add(answer(q))
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert len(seen) > 40
    assert [(q, a[:300]) for q, a in seen if a not in expected[q]] == []
    assert len({a for q, a in seen if q == "Humala coca"}) > 1  # answers of several commits


def test_the_listening_socket_says_it_is_tcp() -> None:
    """asyncio turns Nagle's algorithm off only on sockets whose protocol is IPPROTO_TCP (a
    socket made with protocol 0 kept it on: 40 ms a keep-alive request)."""
    from searchlib.serve.run import listen

    with listen("127.0.0.1", 0) as sock:
        assert sock.proto == socket.IPPROTO_TCP and sock.getsockname()[1] > 0


def test_a_writer_process_that_died_is_503_then_started_again(writable: TestClient) -> None:
    """Writes go to a child process; when it dies, the write in flight is answered 503 (its
    uncommitted changes are lost, and said so) and the next write starts a new one."""
    assert writable.post("/docs", json=NEW, headers=AUTH).status_code == 200
    writer = writable.app.state.searchlib._writer  # type: ignore[attr-defined]
    assert writer.proc is not None
    writer.proc.kill()
    writer.proc.wait()
    r = writable.post("/commit", headers=AUTH)
    assert r.status_code == 503
    assert r.json() == {
        "error": "the writer process stopped: changes not committed are lost",
        "type": "WriterStopped",
        "status": 503,
    }
    assert writable.get("/docs/n1").status_code == 404
    r = writable.post("/docs", params={"commit": "true"}, json=NEW, headers=AUTH)
    assert r.status_code == 200 and r.json()["generation"] == 2
    assert writable.get("/docs/n1").json()["title"] == NEW["title"]


def test_a_body_past_the_limit_is_413(writable: TestClient) -> None:
    big = b'{"id": "big", "title": "' + b"x" * MAX_BODY_BYTES + b'"}'
    r = writable.post("/docs", content=big, headers={**AUTH, "Content-Type": "application/json"})
    assert r.status_code == 413
    assert r.json()["error"] == f"the body is over {MAX_BODY_BYTES} bytes"


def test_the_query_limits_are_the_search_layers(client: TestClient) -> None:
    """A strict query past 1,000 characters is a 400 naming the limit; lenient mode reads it
    as words, with a warning."""
    long = " ".join(["coca"] * 250)  # 1,249 characters
    r = client.get("/search", params={"q": long})
    assert r.status_code == 400 and r.json()["type"] == "QuerySyntaxError"
    assert r.json()["error"].endswith("query is too long (1249 characters, limit 1000)")
    r = client.get("/search", params={"q": long, "mode": "lenient"})
    assert r.status_code == 200 and r.json()["hits"] and r.json()["warnings"]


def test_no_page_loads_scripts_from_elsewhere(client: TestClient) -> None:
    """FastAPI's Swagger UI and ReDoc pages load their scripts from a CDN: they are off (the
    OpenAPI description stays, as JSON)."""
    for path in ("/redoc", "/docs", "/api"):
        r = client.get(path)
        assert r.status_code in (404, 405) and r.headers["content-type"] == "application/json"
    assert client.get("/openapi.json").json()["info"]["title"] == "searchlib"


def test_a_filter_value_that_names_nothing_is_a_warning(client: TestClient) -> None:
    r = client.get("/search", params={"q": "coca", "country": "Atlantis"})
    assert r.status_code == 200
    assert (r.json()["total"], r.json()["warnings"]) == (0, ["no country 'Atlantis'"])
    kind = client.get("/search", params={"q": "coca kind:nope"}).json()
    assert kind["total"] == 0
    kinds = "(kinds: analysis, brief, news, related)"
    assert kind["warnings"] == [f"no document has kind 'nope' {kinds}"]
    valid = client.get("/search", params={"q": "coca", "country": "Peru"}).json()
    assert valid["total"] == 2
    assert "warnings" not in valid
