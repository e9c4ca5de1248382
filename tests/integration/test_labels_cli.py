"""`radura labels render`: every serial of a batch, in issue order, part by part."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

import pytest

from service.core.db import create_pool
from service.core.settings import Settings
from service.labels_api import render_command
from tests.integration.cli_run import radura
from tests.integration.test_labels_api import pdf_pages
from tests.integration.verify_fixtures import LabelledBatch, make_batch
from tests.integration.world import build_world
from tests.unit.labels.samples import decode_all


def _batch(database_url: str, serials: int) -> LabelledBatch:
    async def build() -> LabelledBatch:
        pool = await create_pool(database_url, max_size=1)
        try:
            async with pool.acquire() as conn:
                world = await build_world(conn)
                return await make_batch(conn, world, serials=serials, with_gtin=False)
        finally:
            await pool.close()

    return asyncio.run(build())


def _render(
    settings: Settings,
    database_url: str,
    batch: LabelledBatch,
    output: Path,
    layout: str = "a4-3x8",
    dpi: int = 203,
) -> int:
    args = argparse.Namespace(
        batch=str(batch.batch_id),
        layout=layout,
        output=str(output),
        copies=None,
        dpi=dpi,
        market=None,
        lang=None,
    )
    return render_command.run(args, settings, database_url)


def test_past_one_pdf_the_labels_go_into_numbered_parts_in_issue_order(
    settings: Settings,
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # parts of 4 labels stand in for parts of 10 000: the same code paths, in seconds
    monkeypatch.setattr(render_command, "MAX_LABELS_PER_PDF", 4)
    batch = _batch(database_url, serials=10)
    assert _render(settings, database_url, batch, tmp_path / "roll.pdf") == 0
    parts = [tmp_path / f"roll-00{n}.pdf" for n in (1, 2, 3)]
    assert sorted(tmp_path.iterdir()) == parts
    assert capsys.readouterr().out.splitlines() == [
        f"wrote {labels} labels to {part}" for part, labels in zip(parts, (4, 4, 2), strict=True)
    ]
    serials_by_part = []
    for part in parts:
        decoded = decode_all(pdf_pages(part.read_bytes())[0])
        serials_by_part.append(sorted(uri.split("/")[-1].split("?")[0] for uri in decoded))
    assert [len(serials) for serials in serials_by_part] == [4, 4, 2]
    # issue order: make_batch inserts them in one transaction (one issued_at), then by serial
    in_order = sorted(batch.serials)
    assert serials_by_part == [in_order[0:4], in_order[4:8], in_order[8:10]]


def test_up_to_one_pdf_the_labels_go_into_the_file_named(
    settings: Settings, database_url: str, tmp_path: Path
) -> None:
    batch = _batch(database_url, serials=3)
    output = tmp_path / "roll.pdf"
    assert _render(settings, database_url, batch, output) == 0
    assert list(tmp_path.iterdir()) == [output]
    decoded = decode_all(pdf_pages(output.read_bytes())[0])
    assert sorted(uri.split("/")[-1].split("?")[0] for uri in decoded) == sorted(batch.serials)


def test_a_batch_may_be_named_by_its_code_as_typed(
    database_url: str, data_dir: Path, tmp_path: Path
) -> None:
    batch = _batch(database_url, serials=2)
    output = tmp_path / "by-code.pdf"
    typed = batch.code.lower()  # as a person types it off a screen
    result = radura(
        "labels",
        "render",
        typed,
        "-o",
        str(output),
        data_dir=data_dir,
        RADURA_DATABASE_URL=database_url,
        RADURA_PUBLIC_BASE_URL="https://radura.test",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"wrote 2 labels to {output}"
    decoded = decode_all(pdf_pages(output.read_bytes())[0])
    assert sorted(uri.split("/")[-1].split("?")[0] for uri in decoded) == sorted(batch.serials)


def test_an_unknown_batch_code_is_refused(database_url: str, data_dir: Path, tmp_path: Path):
    result = radura(
        "labels",
        "render",
        "ZZZZZZZZZZ",
        "-o",
        str(tmp_path / "none.pdf"),
        data_dir=data_dir,
        RADURA_DATABASE_URL=database_url,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "batch" in result.stderr.lower()
    assert not (tmp_path / "none.pdf").exists()


@pytest.mark.parametrize("dpi", [203, 300])
def test_a_roll_for_a_203_or_300_dpi_printer(
    settings: Settings, database_url: str, tmp_path: Path, dpi: int
) -> None:
    batch = _batch(database_url, serials=2)
    output = tmp_path / "roll.pdf"
    assert _render(settings, database_url, batch, output, "thermal-58x40", dpi) == 0
    pages = pdf_pages(output.read_bytes(), dpi=dpi)  # at the printer's own resolution
    assert len(pages) == 2  # one sticker per serial, one per page
    decoded = [uri.split("/")[-1].split("?")[0] for page in pages for uri in decode_all(page)]
    assert sorted(decoded) == sorted(batch.serials)


def test_a_layout_too_small_is_refused_naming_the_smallest_that_fits(
    database_url: str, data_dir: Path, tmp_path: Path
) -> None:
    batch = _batch(database_url, serials=2)
    output = tmp_path / "small.pdf"
    result = radura(
        "labels",
        "render",
        batch.code,
        "--layout",
        "thermal-40x30",
        "-o",
        str(output),
        data_dir=data_dir,
        RADURA_DATABASE_URL=database_url,
        RADURA_PUBLIC_BASE_URL="https://radura.test",
    )
    assert result.returncode == 1, result.stderr
    assert "thermal-40x30" in result.stderr
    assert "the smallest layout that holds it is thermal-58x40" in result.stderr
    assert not output.exists()
    wrong = radura(
        "labels", "render", batch.code, "--dpi", "250", "-o", str(output), data_dir=data_dir
    )
    assert wrong.returncode == 2 and "--dpi" in wrong.stderr
