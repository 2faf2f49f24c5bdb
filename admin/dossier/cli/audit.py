"""`dossier audit log|reads|verify|keygen|digest`: who changed and who read whose data, the tamper
check, and signed digests of the chain kept outside the database."""

from __future__ import annotations

import json
import os
from pathlib import Path

import click

from . import DATE, cli, lazy
from .output import emit, format_option

lib = lazy("dossier.audit")
# the environment variable of the key file (dossier.audit.KEY_ENV), spelt here so that --help
# loads no driver (tests/test_cli.py)
KEY_ENV, PUBLIC_KEY_ENV = "DOSSIER_AUDIT_KEY", "DOSSIER_AUDIT_PUBLIC_KEY"


@cli.group()
def audit() -> None:
    """The change audit (tamper-evident) and the read audit (pgaudit), 004 art. 8 and 10.

    Example: dossier audit verify
    """


@audit.command("log")
@click.option("--subject", type=int, default=None, help="only changes about this subject")
@click.option("--controls", is_flag=True,
              help="the changes to the controls instead: grants, access matrix, technical access, retention "
                   "rules and settings, legal holds, restrictions, requests, migrations")
@click.option("--limit", type=click.IntRange(1, 100000), default=200, show_default=True)
@format_option()
@click.pass_obj
def audit_log(obj, subject: int | None, controls: bool, limit: int, fmt: str) -> None:
    """The write history: who changed which row of which table when, and what changed
    (updates show only the changed columns, old → new; erased payloads show as redacted).
    With --controls: who changed which control when, with old and new values.

    Example: dossier audit log --controls --limit 20
    """
    with obj.connect() as conn:
        if controls:
            rows = lib.control_log(conn, subject, limit)
            emit(rows, fmt, ["id", "at", "login", "role", "application_name", "table", "operation",
                             "subject_id", "row_id", "change"], title="audit of the controls")
            return
        rows = lib.change_log(conn, subject, limit)
    emit(rows, fmt, ["id", "at", "login", "role", "application_name", "table_name", "operation", "annex",
                     "subject_id", "record_id", "row_id", "change"], title="audit.change")


def _key(path: str | None) -> Path:
    p = path or os.environ.get(lib.KEY_ENV)
    if not p:
        raise click.UsageError(f"no key: give --key FILE or set {lib.KEY_ENV}")
    return Path(p)


@audit.command("keygen")
@click.option("--key", "key", default=None, metavar="FILE",
              help=f"where to write the private key (else ${KEY_ENV}); the public key goes to FILE.pub")
def audit_keygen(key: str | None) -> None:
    """Make the Ed25519 key pair that signs digests: the private key (mode 0600) for the machine
    that takes digests, never the database server; FILE.pub for whoever verifies.

    Example: dossier audit keygen --key ~/.dossier-audit.key
    """
    try:
        pub = lib.keygen(_key(key))
    except lib.DigestError as e:
        raise click.ClickException(str(e)) from None
    click.echo(f"private key: {_key(key)} (keep it off the database server)\npublic key:  {pub}")


@audit.command("digest")
@click.option("--key", "key", default=None, metavar="FILE", help=f"the private key (else ${KEY_ENV})")
@click.option("-o", "--output", default=None, metavar="FILE", help="write the digest here (else stdout)")
@click.pass_obj
def audit_digest(obj, key: str | None, output: str | None) -> None:
    """Seal, then write the chain head (seal number, txid range, chain hash, time, database
    identity) signed with a key the database never holds. Keep digests on write-once storage;
    `audit verify --digest` holds the chain to them (docs/operations.md, "Audit digests").

    Example: dossier audit digest -o /srv/audit-digests/$(date +%F).json
    """
    k = _key(key)
    with obj.connect() as conn:
        try:
            doc = lib.take_digest(conn, k)
        except lib.DigestError as e:
            raise click.ClickException(str(e)) from None
    text = json.dumps(doc, indent=2, sort_keys=True) + "\n"
    if output:
        try:
            fd = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except OSError as e:
            raise click.ClickException(f"cannot write the digest to {output}: {e.strerror}") from None
        with os.fdopen(fd, "w") as f:
            f.write(text)
        click.echo(f"digest of seal {doc['digest']['seq']} written to {output}", err=True)
    else:
        click.echo(text, nl=False)


@audit.command("verify")
@click.option("--no-seal", is_flag=True, help="verify what is sealed without sealing what was committed since")
@click.option("--digest", "digests", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="also hold the chain to this signed digest (repeatable)")
@click.option("--public-key", default=None, metavar="FILE",
              help=f"the digests' public key (else ${PUBLIC_KEY_ENV}, else ${KEY_ENV}.pub)")
@format_option()
@click.pass_obj
def audit_verify(obj, no_seal: bool, digests: tuple[str, ...], public_key: str | None, fmt: str) -> None:
    """Check the hash chain and every entry; exit 1 naming the first entry modified, deleted,
    inserted out of band or reordered.

    First seals what was committed since the last seal (the `dossier-audit-seal` job does so
    every minute), so every finished transaction is covered; entries of transactions still
    running are counted as not yet sealed. Then holds the chain to the copy of every seal in
    the server log (needs a superuser or pg_read_server_files; only lines a sealing backend wrote
    count), so links deleted from its tail are found too. With --digest, holds the chain to signed
    digests taken before: an entry or seal removed, changed or re-sealed since fails, even by a
    superuser who also rewrote the server log.

    Example: dossier audit verify --digest /srv/audit-digests/2026-11-30.json
    """
    pub = None
    if digests:
        p = public_key or os.environ.get(lib.PUBLIC_KEY_ENV) or (
            str(lib.public_key_path(Path(os.environ[lib.KEY_ENV]))) if os.environ.get(lib.KEY_ENV) else None)
        if not p:
            raise click.UsageError(f"--digest needs the public key: --public-key FILE or ${lib.PUBLIC_KEY_ENV}")
        pub = Path(p)
    with obj.connect() as conn:
        if not no_seal:
            lib.seal(conn)
        bad = lib.verify(conn)
        logged = lib.witness(conn)
        bad = bad or logged
        if not bad and pub is not None:
            try:
                bad = lib.check_digests(conn, [Path(d) for d in digests], pub)
            except lib.DigestError as e:
                raise click.ClickException(str(e)) from None
        n = lib.counts(conn)
    if bad:
        emit([bad], fmt, ["problem", "chain_seq", "change_id"], title="audit verify: FAILED")
        raise SystemExit(1)
    if fmt == "table":
        click.echo(f"audit verified: {n['entries']} entries, {n['links']} seals in the chain"
                   + (f"; {n['unsealed']} entries not yet sealed" if n["unsealed"] else "")
                   + ("; the server log's copy of the seals not checked (needs pg_read_server_files)"
                      if logged is None else ""))
        if digests:
            click.echo(f"held to {len(digests)} signed digest(s): the chain still has their seals")
    else:
        emit([], fmt, ["problem", "chain_seq", "change_id"])


@audit.command("reads")
@click.option("--subject", type=int, default=None, help="reads whose statement named this subject")
@click.option("--unattributed", is_flag=True, help="with --subject: also the reads that named no subject (*)")
@click.option("--login", default=None, help="reads by this login")
@click.option("--since", type=DATE, default=None, help="from this date")
@click.option("--limit", type=click.IntRange(1, 100000), default=200, show_default=True)
@click.option("--maintenance", is_flag=True, help="include the product's own work (pg_cron jobs, dossier as superuser)")
@format_option()
@click.pass_obj
def audit_reads(obj, subject: int | None, unattributed: bool, login: str | None, since, limit: int,
                maintenance: bool, fmt: str) -> None:
    """Who read whose data when, from pgaudit's lines in the csv server log (copied into
    audit.read): login, relation, processing activity (annex) and the subjects the statement
    named exactly, by literal or parameter (* = any subject in the login's scope).

    Example: dossier audit reads --subject 42 --since 2026-11-01 --limit 50
    """
    with obj.connect() as conn:
        rows, skipped = lib.reads(conn, subject, login, since.date() if since else None, limit, unattributed,
                                  maintenance)
    emit(rows, fmt, ["at", "login", "database", "relation", "annex", "subjects", "application", "statement"],
         title="reads of personal data (pgaudit)")
    if skipped and fmt == "table":
        click.echo(f"{skipped} reads named no subject (any subject in the login's scope): --unattributed lists them",
                   err=True)
