"""Data-subject requests (004 art. 13): open, verify identity, list with deadlines, close with a
decision (erasure executes it), lift a restriction, and the access export as JSON or as a
printable Dutch letter. The rules live in SQL (db/functions/1410_requests.sql)."""

from __future__ import annotations

import datetime as dt
import html
import json

# psycopg is imported where it is used: `dossier --help` reads KINDS and DECISIONS only

KINDS = ("access", "rectification", "objection", "erasure", "restriction")
DECISIONS = ("granted", "partly_granted", "refused")
DECISION_NL = {"granted": "toegewezen", "partly_granted": "gedeeltelijk toegewezen", "refused": "afgewezen"}
KIND_NL = {"access": "inzage", "rectification": "rectificatie", "objection": "bezwaar",
           "erasure": "verwijdering", "restriction": "beperking van de verwerking"}


def open_request(conn, subject: int, kind: str, annex: str | None, received: dt.date | None,
                 verified: bool, details: str | None) -> dict:
    with conn.transaction():
        rid = conn.execute("select privacy.open_request(%s, %s, %s, %s, %s, %s)",
                           (subject, kind, annex, received, verified, details)).fetchone()[0]
    return show(conn, rid, received or dt.date.today())


def state(conn, as_of: dt.date) -> list[dict]:
    from psycopg.rows import dict_row

    return conn.cursor(row_factory=dict_row).execute(
        "select * from privacy.request_state(%s) order by id", (as_of,)).fetchall()


def show(conn, rid: int, as_of: dt.date) -> dict:
    from psycopg.rows import dict_row

    r = conn.cursor(row_factory=dict_row).execute(
        "select * from privacy.request_state(%s) where id = %s", (as_of, rid)).fetchone()
    if r is None:
        raise ValueError(f"no request {rid} (received on or before {as_of})")
    return r


def verify(conn, rid: int) -> None:
    """The proof of identity arrived today (art. 13.2); the function takes the day from the session."""
    with conn.transaction():
        conn.execute("select privacy.verify_request(%s)", (rid,))


def close(conn, rid: int, decision: str, reason: str, erase: list[str] | None = None,
          correction: str | None = None, passed_on: list[str] | None = None) -> dict:
    """Close with a decision, today. A granted erasure is carried out by privacy.close_request in
    the same transaction (all or nothing); its outcome is computed there and recorded on the request."""
    with conn.transaction():
        outcome = conn.execute("select privacy.close_request(%s, %s, %s, %s, %s, %s)",
                               (rid, decision, reason, list(erase) if erase else None, correction,
                                list(passed_on) if passed_on is not None else None)).fetchone()[0]
    return show(conn, rid, dt.date.today()) | {"outcome": outcome}


def lift(conn, rid: int, reason: str) -> int:
    with conn.transaction():
        return conn.execute("select privacy.lift_restriction(%s, %s)", (rid, reason)).fetchone()[0]


def export(conn, rid: int) -> dict:
    from psycopg.rows import dict_row

    r = conn.cursor(row_factory=dict_row).execute(
        "select id, subject_id, kind, received_on from privacy.subject_request where id = %s", (rid,)).fetchone()
    if r is None:
        raise ValueError(f"no request {rid}")
    data = conn.execute("select privacy.subject_export(%s)", (r["subject_id"],)).fetchone()[0]
    return {"request": {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in r.items()}} | data


def _cell(v) -> str:
    if v is None:
        return ""
    if isinstance(v, dict | list):
        return html.escape(json.dumps(v, ensure_ascii=False))
    return html.escape(str(v))


def _table(rows: list[dict]) -> str:
    cols = [c for c in rows[0] if c != "details"]
    head = "".join(f"<th>{html.escape(c)}</th>" for c in cols)
    body = "".join("<tr>" + "".join(f"<td>{_cell(r.get(c))}</td>" for c in cols) + "</tr>" for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def render_erasure_letter(conn, rid: int) -> str:
    """The decision on an erasure request as a printable Dutch letter (HTML): per processing and
    part what was erased, and what was kept and why (art. 13.5, 13.7; AVG art. 17)."""
    from psycopg.rows import dict_row

    cur = conn.cursor(row_factory=dict_row)
    r = cur.execute("select q.id, q.kind, q.received_on, q.decision, q.decision_reason, q.closed_on, q.outcome, "
                    "a.organisation, a.controller, a.postal_address from privacy.subject_request q "
                    "left join lateral (select x.organisation, x.controller, x.postal_address "
                    "from privacy.processing_activity x "
                    "where x.code = coalesce(q.annex, q.outcome->0->>'annex', 'A2')) a on true "
                    "where q.id = %s", (rid,)).fetchone()
    if r is None:
        raise ValueError(f"no request {rid}")
    if r["kind"] != "erasure" or r["closed_on"] is None:
        raise ValueError(f"request {rid} is not a decided erasure request")
    names = {x["code"]: x["name_nl"] for x in cur.execute("select code, name_nl from privacy.processing_activity")}
    e = html.escape
    rows = r["outcome"] or []
    erased = [o for o in rows if o["deleted"]]
    kept = [o for o in rows if o["kept"]]

    def part(o):
        what = "het dossier zelf (identificerende gegevens)" if o["part"] == "record" else o["part"]
        return f"{e(o['annex'])} {e(names.get(o['annex'], ''))}: {e(what)}"
    parts = [
        "<!doctype html><html lang='nl'><head><meta charset='utf-8'>",
        f"<title>Besluit op uw verzoek om verwijdering — kenmerk {r['id']}</title></head><body>",
        f"<p>{e(r['organisation'] or '')}<br>{e(r['postal_address'] or '')}</p>",
        f"<p>Datum: {e(str(r['closed_on']))}<br>Betreft: uw verzoek om verwijdering van {e(str(r['received_on']))} "
        f"(kenmerk {r['id']})</p>",
        "<p>Geachte heer, mevrouw,</p>",
        f"<p>Op uw verzoek (artikel 17 AVG, artikel 13.5 van het privacyreglement) is besloten: "
        f"<strong>{e(DECISION_NL[r['decision']])}"
        f"</strong>. {e(r['decision_reason'])}</p>",
        "<h2>Verwijderd</h2><ul>" + ("".join(f"<li>{part(o)} ({o['deleted']})</li>" for o in erased) or "<li>niets</li>")
        + "</ul>",
        "<h2>Bewaard, en waarom</h2><ul>"
        + ("".join(f"<li>{part(o)} ({o['kept']}): {e(o['why_kept'] or '')}</li>" for o in kept) or "<li>niets</li>")
        + "</ul>",
        "<p>Wat bewaard blijft wordt verwijderd zodra de genoemde grond vervalt, en uiterlijk na de bewaartermijn "
        "van artikel 14. Tegen dit besluit kunt u bezwaar maken (artikel 13.7: een besluit in de zin van de "
        "Algemene wet bestuursrecht); heeft u een klacht, dan kunt u de klachtenprocedure volgen (artikel 16).</p>",
        f"<p>Met vriendelijke groet,</p><p>{e(r['controller'] or '')}</p></body></html>",
    ]
    return "\n".join(parts)


def render_letter(doc: dict) -> str:
    """The export as a printable Dutch letter (HTML; print to PDF from a browser)."""
    req = doc["request"]
    ctrl = (doc.get("controller") or [{}])[0]
    e = html.escape
    parts = [
        "<!doctype html><html lang='nl'><head><meta charset='utf-8'>",
        f"<title>Inzage persoonsgegevens — verzoek {req['id']}</title>",
        "<style>body{font-family:serif;max-width:48em;margin:2em auto}table{border-collapse:collapse;"
        "font-size:9pt;margin:.5em 0}td,th{border:1px solid #999;padding:2px 4px;text-align:left}"
        "h2{page-break-before:auto}@media print{h2{page-break-before:always}}</style></head><body>",
        f"<p>{e(ctrl.get('organisation') or '')}<br>{e(ctrl.get('postal_address') or '')}</p>",
        f"<p>Datum: {e(dt.date.today().isoformat())}<br>Betreft: uw verzoek om {e(KIND_NL.get(req['kind'], req['kind']))} "
        f"van {e(str(req['received_on']))} (kenmerk {req['id']})</p>",
        "<p>Geachte heer, mevrouw,</p>",
        "<p>U heeft gevraagd welke persoonsgegevens wij over u verwerken (artikel 15 AVG, artikel 13 van het "
        "privacyreglement). Hieronder vindt u per verwerking: de verantwoordelijke, het doel, de categorieën van "
        "gegevens, de ontvangers, de herkomst van de gegevens, de bewaartermijn en een volledig overzicht van de "
        "gegevens zelf.</p>",
        f"<p>Verantwoordelijke: {e(ctrl.get('controller') or '')}, {e(ctrl.get('visiting_address') or '')}.</p>",
    ]
    for p in doc.get("processing") or []:
        parts.append(f"<h2>{e(p['annex'])} — {e(p['name_nl'])}</h2>")
        parts.append("<h3>Doelen</h3><ul>" + "".join(f"<li>{e(x['clause'])}. {e(x['nl'])}</li>"
                                                     for x in p.get("purposes") or []) + "</ul>")
        parts.append("<h3>Categorieën van gegevens</h3><p>" + e(", ".join(x["nl"] for x in p.get("categories") or []))
                     + "</p>")
        parts.append("<h3>Ontvangers</h3><ul>" + "".join(f"<li>{e(x['nl'])}</li>" for x in p.get("recipients") or [])
                     + "</ul>")
        origin = p.get("origin") or {}
        parts.append(f"<h3>Herkomst</h3><p>{e(origin.get('register_nl') or '')} (vastgelegd als: "
                     f"{e(', '.join(origin.get('records') or []))})</p>")
        parts.append(f"<h3>Bewaartermijn</h3><p>{e(p.get('retention_nl') or '')}</p>")
        parts.append("<h3>Uw gegevens</h3>")
        for rec in p.get("records") or []:
            parts.append(_table([rec]))
            for table, rows in (rec.get("details") or {}).items():
                parts.append(f"<h4>{e(table)}</h4>" + _table(rows))
    parts.append("<p>Tegen dit besluit kunt u bezwaar maken (artikel 13.7: een besluit in de zin van de "
                 "Algemene wet bestuursrecht). Heeft u een klacht, dan kunt u de klachtenprocedure volgen "
                 "(artikel 16).</p><p>Met vriendelijke groet,</p>"
                 f"<p>{e(ctrl.get('controller') or '')}</p></body></html>")
    return "\n".join(parts)
