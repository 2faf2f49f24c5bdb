"""The migration runner: `db/schema/V####__name.sql` once each, in order; then the repeatable
files of `db/functions/` and `db/policies/` whose checksum changed (all of them again after any
versioned step, so grants and policies derived from the catalogue follow the schema).

- One session-level advisory lock: concurrent runs queue, they never interleave.
- Each file in its own transaction: a failure leaves the database at the last good step and
  names the file, the line and PostgreSQL's message.
- A versioned file that was edited after it landed is refused before anything runs.
- Files run as `dossier_owner` (so it owns what they create) unless their first lines say
  `-- dossier:run-as superuser` (roles, extensions, database-level settings).
- The SQL ships inside the package (`dossier/db`), so the runner does not depend on the
  current directory.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from importlib.abc import Traversable

import psycopg
from psycopg import sql

LOCK_KEY = 0x0D055_1E4  # pg_advisory_lock key shared by every `dossier migrate`
VERSIONED = re.compile(r"^V(\d{4})__([a-z0-9_]+)\.sql$")
REPEATABLE = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")
REPEATABLE_DIRS = ("functions", "policies")
RUN_AS = re.compile(r"^--\s*dossier:run-as\s+(\w+)", re.MULTILINE)
OWNER = "dossier_owner"


class MigrationError(RuntimeError):
    """A migration problem, worded for the user."""


@dataclass(frozen=True)
class Step:
    kind: str  # "versioned" | "repeatable"
    name: str  # path below db/, e.g. "schema/V0001__foundation.sql"
    version: str  # "0001" for versioned; the name for repeatables
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()

    @property
    def run_as(self) -> str:
        m = RUN_AS.search("\n".join(self.sql.splitlines()[:5]))
        return m.group(1) if m else OWNER


def sql_root() -> Traversable:
    return resources.files("dossier") / "db"


def discover(root: Traversable | None = None) -> list[Step]:
    """Every migration file, versioned ones first by version, then repeatables by folder/name."""
    root = root or sql_root()
    steps: list[Step] = []
    seen: dict[str, str] = {}
    for f in sorted((root / "schema").iterdir(), key=lambda f: f.name):
        if not f.name.endswith(".sql"):
            continue
        m = VERSIONED.match(f.name)
        if not m:
            raise MigrationError(f"schema/{f.name}: versioned files are named V####__name.sql")
        if m.group(1) in seen:
            raise MigrationError(f"schema/{f.name}: version {m.group(1)} is also {seen[m[1]]}")
        seen[m.group(1)] = f.name
        steps.append(Step("versioned", f"schema/{f.name}", m.group(1), f.read_text("utf-8")))
    for folder in REPEATABLE_DIRS:
        d = root / folder
        if not d.is_dir():
            continue
        for f in sorted(d.iterdir(), key=lambda f: f.name):
            if not f.name.endswith(".sql"):
                continue
            if not REPEATABLE.match(f.name):
                raise MigrationError(f"{folder}/{f.name}: repeatable files are named ####_name.sql")
            name = f"{folder}/{f.name}"
            steps.append(Step("repeatable", name, name, f.read_text("utf-8")))
    return steps


def split_statements(step: Step) -> list[tuple[int, str]]:
    """(offset, statement) pairs; a syntax error is reported with its line."""
    import pglast  # the parser loads only when something is applied (not for `dossier status`)

    try:
        return [(s.start, step.sql[s]) for s in pglast.split(step.sql, only_slices=True)]
    except pglast.parser.ParseError as e:
        offset = e.args[1] if len(e.args) > 1 and isinstance(e.args[1], int) else 0
        raise MigrationError(
            f"{step.name}:{line_of(step.sql, offset)}: {e.args[0]}") from None


def line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, max(offset, 0)) + 1


def first_code_offset(stmt: str) -> int:
    """Offset of a statement's first line that is not blank or a comment."""
    pos = 0
    for line in stmt.splitlines(keepends=True):
        if line.strip() and not line.lstrip().startswith("--"):
            return pos + len(line) - len(line.lstrip())
        pos += len(line)
    return 0


META = """
create schema if not exists dossier_migrate;
revoke all on schema dossier_migrate from public;
create table if not exists dossier_migrate.applied (
    name        text primary key,
    kind        text not null check (kind in ('versioned', 'repeatable')),
    version     text not null,
    checksum    text not null,
    applied_at  timestamptz not null default now(),
    applied_by  text not null default session_user,
    duration_ms integer not null
);
comment on table dossier_migrate.applied is
    'One row per migration file applied by `dossier migrate` (admin/dossier/migrate.py).';
"""


@dataclass
class Planned:
    step: Step
    action: str  # "apply" | "reapply"
    reason: str


class Migrator:
    def __init__(self, conn: psycopg.Connection, steps: list[Step] | None = None,
                 log: Callable[[str], None] | None = None):
        if not conn.autocommit:
            raise ValueError("Migrator needs an autocommit connection")
        self.conn = conn
        self.steps = steps if steps is not None else discover()
        self.log = log or (lambda _msg: None)

    # -- state -----------------------------------------------------------------------------
    def applied(self) -> dict[str, dict]:
        exists = self.conn.execute(
            "select to_regclass('dossier_migrate.applied') is not null").fetchone()[0]
        if not exists:
            return {}
        cur = self.conn.cursor(row_factory=psycopg.rows.dict_row)
        rows = cur.execute("select * from dossier_migrate.applied order by kind desc, name")
        return {r["name"]: r for r in rows}

    def level(self) -> str | None:
        """The highest applied versioned file, e.g. "V0300__absence", or None."""
        names = [n for n, r in self.applied().items() if r["kind"] == "versioned"]
        return max(names).removeprefix("schema/").removesuffix(".sql") if names else None

    def plan(self) -> list[Planned]:
        """What a run would do, in order; raises on an edited or missing versioned file."""
        done = self.applied()
        problems = []
        files = {s.name for s in self.steps}
        for name, row in done.items():
            if row["kind"] == "versioned" and name not in files:
                problems.append(f"{name}: applied on {row['applied_at']:%Y-%m-%d} but its file "
                                "is gone")
        versioned = [s for s in self.steps if s.kind == "versioned"]
        last_applied = max((s.version for s in versioned if s.name in done), default="")
        out: list[Planned] = []
        for s in versioned:
            row = done.get(s.name)
            if row and row["checksum"] != s.checksum:
                problems.append(
                    f"{s.name}: edited after it was applied (checksum {row['checksum'][:12]} "
                    f"applied, {s.checksum[:12]} on disk); add a new versioned file instead")
            elif not row and s.version < last_applied:
                problems.append(f"{s.name}: older than the applied {last_applied}; "
                                "renumber it after the last applied version")
            elif not row:
                out.append(Planned(s, "apply", "new"))
        if problems:
            raise MigrationError("refusing to migrate:\n  " + "\n  ".join(problems))
        any_versioned = bool(out)
        for s in self.steps:
            if s.kind != "repeatable":
                continue
            row = done.get(s.name)
            if not row:
                out.append(Planned(s, "apply", "new"))
            elif row["checksum"] != s.checksum:
                out.append(Planned(s, "reapply", "checksum changed"))
            elif any_versioned:
                out.append(Planned(s, "reapply", "schema changed"))
            elif out and s.name.startswith("policies/"):
                # policies are derived from everything before them (grants from the matrix and
                # the functions): any earlier change re-derives them
                out.append(Planned(s, "reapply", "an earlier file changed"))
        return out

    # -- running ---------------------------------------------------------------------------
    def run(self, dry_run: bool = False) -> list[Planned]:
        if dry_run:
            return self.plan()
        got = self.conn.execute("select pg_try_advisory_lock(%s)", (LOCK_KEY,)).fetchone()[0]
        if not got:
            self.log("another `dossier migrate` is running; waiting for it to finish")
            self.conn.execute("select pg_advisory_lock(%s)", (LOCK_KEY,))
        import pglast

        try:
            for stmt in pglast.split(META):
                self.conn.execute(stmt)
            todo = self.plan()  # under the lock: a run that waited sees the other's work
            for p in todo:
                self._apply(p.step)
                self.log(f"{p.action:8} {p.step.name}")
            return todo
        finally:
            self.conn.execute("select pg_advisory_unlock(%s)", (LOCK_KEY,))

    def _apply(self, step: Step) -> None:
        statements = split_statements(step)
        started = time.monotonic()
        with self.conn.transaction():
            if step.run_as != "superuser":
                self.conn.execute(sql.SQL("set local role {}").format(sql.Identifier(step.run_as)))
            self.conn.execute("set local search_path = public")
            for offset, stmt in statements:
                try:
                    self.conn.execute(stmt)
                except psycopg.Error as e:
                    raise MigrationError(self._describe(step, offset, stmt, e)) from None
            self.conn.execute("reset role")
            self.conn.execute(
                """insert into dossier_migrate.applied (name, kind, version, checksum, duration_ms)
                   values (%s, %s, %s, %s, %s)
                   on conflict (name) do update set checksum = excluded.checksum,
                       applied_at = now(), applied_by = session_user,
                       duration_ms = excluded.duration_ms""",
                (step.name, step.kind, step.version, step.checksum,
                 int((time.monotonic() - started) * 1000)))

    @staticmethod
    def _describe(step: Step, offset: int, stmt: str, e: psycopg.Error) -> str:
        pos = e.diag.statement_position
        at = offset + (int(pos) - 1 if pos else first_code_offset(stmt))
        msg = (e.diag.message_primary or str(e)).strip()
        detail = f" ({e.diag.message_detail})" if e.diag.message_detail else ""
        context = e.diag.context.splitlines()[0] if e.diag.context else ""
        where = f" [{context}]" if context and "PL/pgSQL" in context else ""
        return (f"{step.name}:{line_of(step.sql, at)}: {msg}{detail}{where} "
                f"(SQLSTATE {e.sqlstate}); rolled back, database left at the previous step")
