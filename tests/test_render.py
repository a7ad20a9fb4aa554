# ruff: noqa: E501
"""The one hit renderer (searchlib.render) prints what the command line and the REPL printed
before they shared it, byte for byte: the texts below are their output on the seeds index."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import searchlib
from searchlib import render
from searchlib.repl import hit_frags
from searchlib.search import Hit, Results

CLI_SEARCH = """\
 1. Peru's Humala Calls for Closer Anti-Drug Cooperation with US
    brief | en | 2011-09-23 | Peru | id 60fa42e6893d93ee | 3.317
    …types of scanners were needed to locate illicit *coca* crops in remote regions like the Apurimac and Ene River Valley (known as the VRAE). At the same time, *Humala* said that his government needed to do more to present…
 2. Humala de Perú pide mayor cooperación antidrogas con EEUU
    brief | es | 2011-09-23 | Perú | id 44fea6efc1d86929 | 2.883
    …escáneres para localizar cultivos ilícitos de *coca* en regiones remotas como el Valle de los Ríos Apurímac y Ene (VRAE). Al mismo tiempo, *Humala* dijo que su gobierno debe hacer más para ofrecer alternativas económicas al…
"""

CLI_TWINS = """\
 1. Peru's Humala Calls for Closer Anti-Drug Cooperation with US
    brief | en | 2011-09-23 | Peru | id 60fa42e6893d93ee | 1.489
    …types of scanners were needed to locate illicit *coca* crops in remote regions like the Apurimac and Ene River Valley (known as the VRAE). At the same time, Humala said that his government needed to do more to present…
    also in es: Humala de Perú pide mayor cooperación antidrogas con EEUU (id 44fea6efc1d86929)
"""

CLI_RELATED = """\
 1. Humala de Perú pide mayor cooperación antidrogas con EEUU
    brief | es | 2011-09-23 | Perú | id 44fea6efc1d86929 | [same story, other language]
    El presidente de Perú, Ollanta Humala, ha pedido una mayor cooperación antinarcóticos con Estados Unidos y ha solicitado nuevas tecnologías para ayudar a su gobierno en la lucha contra el narcotráfico.
 2. Failing prison systems and entrenched corruption mean mega-prisons holding tens…
    related | en | 2022-11-25 | Brazil | id rel-ee3d90a50cc2af90 | [shown on its page]
    Failing prison systems and entrenched corruption mean mega-prisons holding tens of thousands won't solve insecurity in Latin America.
 3. The taricaya turtle conservation program in northern Peru has been heralded as…
    related | en | 2021-05-14 | China and Crime | id rel-777c16f4b6e8b43c | [shown on its page]
    The taricaya turtle conservation program in northern Peru has been heralded as bringing an endangered species back from the brink…
 4. There was record destruction of the Amazon in 2020, as the rainforest lost an…
    related | en | 2021-12-28 | Brazil | id rel-81d4ec3a4bbc59cf | [shown on its page]
    There was record destruction of the Amazon in 2020, as the rainforest lost an area around the size of Belize,…
"""

REPL_SEARCH = """\
 1. Peru's Humala Calls for Closer Anti-Drug Cooperation with US
    brief | en | 2011-09-23 | Peru | score 3.317 | id 60fa42e6893d93ee
    …types of scanners were needed to locate illicit *coca* crops in remote regions like the Apurimac
    and Ene River Valley (known as the VRAE). At the same time, *Humala* said that his government
    needed to do more to present…
    also in es: Humala de Perú pide mayor cooperación antidrogas con EEUU (id 44fea6efc1d86929)
"""

REPL_RELATED = """\
 1. Humala de Perú pide mayor cooperación antidrogas con EEUU
    brief | es | 2011-09-23 | Perú | [same story, other language] | id 44fea6efc1d86929
    El presidente de Perú, Ollanta Humala, ha pedido una mayor cooperación antinarcóticos con
    Estados Unidos y ha solicitado nuevas tecnologías para ayudar a su gobierno en la lucha contra
    el narcotráfico.
 2. Failing prison systems and entrenched corruption mean mega-prisons holding tens…
    related | en | 2022-11-25 | Brazil | [shown on its page] | id rel-ee3d90a50cc2af90
    Failing prison systems and entrenched corruption mean mega-prisons holding tens of thousands
    won't solve insecurity in Latin America.
 3. The taricaya turtle conservation program in northern Peru has been heralded as…
    related | en | 2021-05-14 | China and Crime | [shown on its page] | id rel-777c16f4b6e8b43c
    The taricaya turtle conservation program in northern Peru has been heralded as bringing an
    endangered species back from the brink…
 4. There was record destruction of the Amazon in 2020, as the rainforest lost an…
    related | en | 2021-12-28 | Brazil | [shown on its page] | id rel-81d4ec3a4bbc59cf
    There was record destruction of the Amazon in 2020, as the rainforest lost an area around the
    size of Belize,…
"""


def cli_text(results: Results, related: bool = False) -> str:
    return "".join(
        render.plain(line) + "\n"
        for i, hit in enumerate(results.hits, 1)
        for line in render.hit_lines(i, hit, render.CLI, related=related)
    )


def repl_text(hits: tuple[Hit, ...], related: bool = False) -> str:
    return "".join(
        render.plain(line) + "\n"
        for i, hit in enumerate(hits, 1)
        for line in hit_frags(i, hit, related=related, width=100)
    )


def test_the_cli_layout_is_unchanged(seeds_index: Path) -> None:
    with searchlib.open_index(seeds_index) as index:
        assert cli_text(index.search("Humala coca", 3)) == CLI_SEARCH
        assert cli_text(index.search("coca", 4, twins=True)) == CLI_TWINS
        assert cli_text(index.related("60fa42e6893d93ee"), related=True) == CLI_RELATED


def test_the_repl_layout_is_unchanged(seeds_index: Path) -> None:
    with searchlib.open_index(seeds_index) as index:
        hits = index.search("Humala coca", 10, twins=True, syntax="lenient").hits
        assert repl_text(hits) == REPL_SEARCH
        assert repl_text(index.related("60fa42e6893d93ee").hits, related=True) == REPL_RELATED


def test_the_command_line_prints_the_renderer_output(seeds_index: Path) -> None:
    """``searchlib search`` and ``searchlib related`` print exactly these lines."""
    run = [sys.executable, "-m", "searchlib"]
    out = subprocess.run(
        [*run, "search", "coca", "--twins", "--limit", "4", "--index", str(seeds_index)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert out.startswith(CLI_TWINS) and out[len(CLI_TWINS) :].startswith("-- 1 hit in ")
    out = subprocess.run(
        [*run, "related", "60fa42e6893d93ee", "--index", str(seeds_index)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert out == CLI_RELATED


@pytest.mark.parametrize("layout", [render.CLI, render.REPL])
def test_a_hand_made_twin_without_its_title_is_named(layout: render.Layout) -> None:
    hit = Hit("b1", 1.0, "brief", "t", "es", None, (), "", twin="b2")
    lines = [render.plain(line) for line in render.hit_lines(1, hit, layout)]
    assert lines[-1] == "    also in en: b2"
