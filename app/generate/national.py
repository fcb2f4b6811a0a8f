"""``perspectief generate --families N``: a national data set, written through ``COPY``.

The demo region's reference data and hand-made families are loaded first (its dev tokens keep
working); then ``N`` families are spread
over the demo's three municipalities and generated ones (``GM9xxx``, four districts and teams
each, in the demo region so the demo providers' contracts cover them), with sizes falling off like
real municipalities (Amsterdam largest). Each municipality is generated in chunks by one
:class:`~app.generate.cases.CaseGenerator`; while one chunk is copied into the database the next is
generated in a thread. Half the families have a specialist trajectory, the others a plan with
the district team only; every family has 20 audit rows (reads of its file) by default.
"""

import asyncio
import contextlib
import gc
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import asyncpg

from app.demo.ids import DEMO_REGION
from app.demo.reference import INDICATORS, MUNICIPALITIES
from app.embedded_pg import asyncpg_dsn
from app.generate import ledger, outcomes
from app.generate.area import Area, demo_area, demo_providers
from app.generate.cases import NATIONAL_GIVEN, NATIONAL_SURNAMES, CaseGenerator, Options
from app.generate.rows import WRITE_ORDER, Rows, SequentialIds
from app.generate.writers import copy_rows

CHUNK = 2000
FAMILIES_PER_MUNICIPALITY = 12_000  # the mean; the largest holds about a fifth of the country
HISTORY_DAYS = 2 * 365


@dataclass
class Stats:
    families: int = 0
    rows: int = 0
    seconds: float = 0.0
    municipalities: int = 0


def sizes(families: int) -> list[int]:
    """Families per municipality: a Zipf-like fall-off, the first (Amsterdam) the largest."""
    count = max(len(MUNICIPALITIES), -(-families // FAMILIES_PER_MUNICIPALITY))
    weights = [1 / (k + 1) ** 0.9 for k in range(count)]
    total = sum(weights)
    result = [int(families * w / total) for w in weights]
    result[0] += families - sum(result)
    return result


def generated_code(k: int) -> str:
    return f"GM{9000 + k:04d}"


def area_for(k: int) -> Area:
    """The k-th municipality: the demo's three first, then generated ones."""
    if k < len(MUNICIPALITIES):
        return demo_area(MUNICIPALITIES[k][0])
    code = generated_code(k)
    ids = SequentialIds("national-reference", code)
    return Area(
        municipality=code,
        districts=[f"WK{code[2:]}{i + 1:02d}" for i in range(4)],
        teams=[ids("team", str(i)) for i in range(4)],
        providers=demo_providers(),
        intake_team=ids("team", "intake"),
        district_weights=[5, 9, 8, 6],
    )


async def _demo_region(url: str) -> None:
    """The demo's reference data and hand-made families (not its history: this set replaces it)."""
    from sqlalchemy.ext.asyncio import create_async_engine

    from app.db import create_sessionmaker
    from app.demo import families, reference
    from app.models.geography import Region

    engine = create_async_engine(url)
    try:
        async with create_sessionmaker(engine)() as session:
            if await session.get(Region, DEMO_REGION) is not None:
                raise RuntimeError("the database already holds the demo region; generate into an empty one")
            await reference.seed(session)
            await families.seed(session)
            await session.commit()
    finally:
        await engine.dispose()


SECONDARY_INDEXES = """
SELECT i.indexname, i.indexdef FROM pg_indexes i
WHERE i.schemaname = current_schema() AND i.tablename = ANY($1::text[])
  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)
ORDER BY i.tablename, i.indexname
"""


@contextlib.asynccontextmanager
async def _indexes_built_after(conn: asyncpg.Connection, tables: list[str]) -> AsyncIterator[None]:
    """Drop the tables' secondary indexes for the load and build them again from their own
    definitions afterwards: one sort per index instead of millions of single inserts."""
    indexes = await conn.fetch(SECONDARY_INDEXES, tables)
    for row in indexes:
        await conn.execute(f'DROP INDEX "{row["indexname"]}"')
    try:
        yield
    finally:
        await conn.execute("SET maintenance_work_mem = '256MB'")
        for row in indexes:
            await conn.execute(row["indexdef"])


async def _reference(conn: asyncpg.Connection, areas: list[Area]) -> None:
    """Municipalities, districts with indicators, teams of the generated municipalities."""
    now = datetime.now(UTC)
    for area in areas:
        if area.municipality in {code for code, _ in MUNICIPALITIES}:
            continue
        code = area.municipality
        await conn.execute(
            "INSERT INTO municipalities (code, name, region_id) VALUES ($1, $2, $3)",
            code, f"Gemeente {code[2:]} (gegenereerd)", DEMO_REGION,
        )  # fmt: skip
        for i, (district, team) in enumerate(zip(area.districts, area.teams, strict=True)):
            youth, share = INDICATORS[i]
            await conn.execute(
                "INSERT INTO districts (code, name, municipality_code) VALUES ($1, $2, $3)",
                district, f"Wijk {i + 1}", code,
            )  # fmt: skip
            await conn.executemany(
                """INSERT INTO district_indicators (district_code, year, municipality_code, youth_population,
                   values, updated_at) VALUES ($1, $2, $3, $4, $5, $6)""",
                [
                    (
                        district,
                        year,
                        code,
                        youth,
                        f'{{"youthPopulation": {youth}, "lowIncomeShare": {share}}}',
                        now,
                    )
                    for year in (now.year - 1, now.year)
                ],
            )
            await conn.execute(
                "INSERT INTO teams (id, name, kind, municipality_code, created_at)"
                " VALUES ($1, $2, 'neighbourhood', $3, $4)",
                team, f"Wijkteam {i + 1} ({code})", code, now,
            )  # fmt: skip
            await conn.execute(
                "INSERT INTO team_districts (team_id, district_code) VALUES ($1, $2)", team, district
            )
        await conn.execute(
            "INSERT INTO teams (id, name, kind, municipality_code, created_at)"
            " VALUES ($1, 'Intaketeam', 'intake', $2, $3)",
            area.intake_team, code, now,
        )  # fmt: skip


async def _municipality(
    conn: asyncpg.Connection,
    gen: CaseGenerator,
    families: int,
    first_day: date,
    report: Callable[[int], None],
) -> int:
    """Generate the municipality in chunks, copying one while the next is generated."""
    last_day = gen.today - timedelta(days=1)
    written = 0

    def chunk(part: range) -> Rows:
        gen.rows = Rows(count=gen.rows.count)
        gen.spread(families, first_day, last_day, part)
        outcomes.evaluations(gen.rows, gen.today, part.start)
        if part.stop >= families:
            ledger.lumpsum(gen, first_day)
            indicators = [(d, d, y, s) for d, (y, s) in zip(gen.area.districts, INDICATORS, strict=True)]
            scale = max(families, 1) * 450_000
            ledger.budgets(gen, indicators, scale, {"local_team": scale // 4, "lumpsum": scale // 6})
        return gen.rows

    # the monthly batches go in first (empty) and get their totals at the end: their lines come
    # in chunk after chunk and refer to them
    month = first_day.replace(day=1)
    while month <= gen.today:
        ledger.batch_of(gen, f"{month:%Y-%m}", 0)
        month = (month + timedelta(days=32)).replace(day=1)
    for batch in gen.batches.values():
        batch["lines"] = 0
    ledger.batches(gen, keep=True)
    written += await copy_rows(conn, gen.rows)
    parts = [range(start, min(start + CHUNK, families)) for start in range(0, max(families, 1), CHUNK)]
    pending = asyncio.create_task(asyncio.to_thread(chunk, parts[0]))
    for index in range(len(parts)):
        rows = await pending
        if index + 1 < len(parts):
            pending = asyncio.create_task(asyncio.to_thread(chunk, parts[index + 1]))
        async with conn.transaction():
            written += await copy_rows(conn, rows)
        report(len(parts[index]))
    await conn.executemany(
        "UPDATE payment_batches SET line_count = $2, total_cents = $3 WHERE id = $1",
        [(b["id"], b["lines"], b["total"]) for b in gen.batches.values()],
    )
    await conn.execute(
        "DELETE FROM payment_batches WHERE municipality_code = $1 AND line_count = 0", gen.municipality
    )
    return written


async def generate(
    url: str,
    families: int,
    *,
    seed: int = 1,
    audit_per_family: int = 20,
    today: date | None = None,
    progress: Callable[[str], None] = print,
) -> Stats:
    """Write ``families`` families (plus the demo region) into the migrated database at ``url``."""
    started = time.perf_counter()
    today = today or date.today()
    await _demo_region(url)
    dsn, kwargs = asyncpg_dsn(url)
    conn = await asyncpg.connect(dsn, **kwargs)
    stats = Stats()
    try:
        await conn.execute("SET synchronous_commit = off")
        # The rows are consistent by construction: skip the per-row foreign-key triggers while
        # copying (needs a superuser, as the embedded server's; otherwise they stay on).
        with contextlib.suppress(asyncpg.InsufficientPrivilegeError):
            await conn.execute("SET session_replication_role = replica")
        domains = [r["code"] for r in await conn.fetch("SELECT code FROM life_domains ORDER BY position")]
        counts = sizes(families)
        areas = [area_for(k) for k in range(len(counts))]
        await _reference(conn, areas)
        options = Options(
            engaged_share=0.5,
            open_referral_share=0.1,
            intake_share=0.02,
            audit_per_family=audit_per_family,
            created_by="generated",
            surnames=NATIONAL_SURNAMES,
            given_names=NATIONAL_GIVEN,
        )
        done = 0

        def report(n: int) -> None:
            nonlocal done
            done += n
            elapsed = time.perf_counter() - started
            progress(f"  {done:>9} / {families} families, {stats.rows:>11} rows, {elapsed:6.0f} s")

        gc.disable()  # millions of acyclic rows: the cycle collector would only slow them down
        async with _indexes_built_after(conn, [model.__tablename__ for model in WRITE_ORDER]):
            for k, (area, count) in enumerate(zip(areas, counts, strict=True)):
                ids = SequentialIds("national", str(seed), area.municipality)
                gen = CaseGenerator(Rows(), area, today, ids, domains, seed=seed * 1000 + k, options=options)
                first_day = today - timedelta(days=HISTORY_DAYS)
                stats.rows += await _municipality(conn, gen, count, first_day, report)
            progress(f"  building indexes ({time.perf_counter() - started:.0f} s)...")
        progress(f"  analyzing ({time.perf_counter() - started:.0f} s)...")
        await conn.execute("ANALYZE")
    finally:
        gc.enable()
        await conn.close()
    stats.families, stats.municipalities = families, len(counts)
    stats.seconds = time.perf_counter() - started
    return stats
