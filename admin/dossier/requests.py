"""Data-subject requests (004 art. 13): open, verify identity, list with deadlines, close with a
decision (erasure executes it), lift a restriction, and the access export as JSON or as a
printable Dutch letter. The rules live in SQL (db/functions/1410_requests.sql)."""

from __future__ import annotations

import datetime as dt
import html
import re

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
    from .conn import org_today
    return show(conn, rid, received or org_today(conn))


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
    from .conn import org_today
    return show(conn, rid, org_today(conn)) | {"outcome": outcome}


def lift(conn, rid: int, reason: str) -> int:
    with conn.transaction():
        return conn.execute("select privacy.lift_restriction(%s, %s)", (rid, reason)).fetchone()[0]


def export(conn, rid: int) -> dict:
    from psycopg.rows import dict_row

    r = conn.cursor(row_factory=dict_row).execute(
        "select id, subject_id, kind, received_on from privacy.subject_request where id = %s", (rid,)).fetchone()
    if r is None:
        raise ValueError(f"no request {rid}")
    data, addressee = conn.execute("select privacy.subject_export(%s), privacy.letter_addressee(%s)",
                                   (r["subject_id"], r["subject_id"])).fetchone()
    return ({"request": {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in r.items()}} | data
            | {"addressee": addressee})


def letter_labels(conn) -> dict:
    """The Dutch labels and types of the personal-data tables and columns (privacy.letter_labels)."""
    return conn.execute("select privacy.letter_labels()").fetchone()[0]


# --- the letters: one template, A4, Dutch (issue 17 item 5; AVG art. 12: clear and plain language)

STYLE = """
@page { size: A4; margin: 22mm 20mm 20mm 25mm;
        @bottom-right { content: "pagina " counter(page) " van " counter(pages); font-size: 8pt; color: #555 } }
body { font-family: "DejaVu Serif", Georgia, serif; font-size: 10.5pt; line-height: 1.4; color: #000 }
@media screen { body { max-width: 46em; margin: 2em auto } }
.letterhead { text-align: right; font-size: 9.5pt }
.letterhead strong { font-size: 12pt }
.addressee { margin: 2.5em 0 2em; min-height: 5em }
.meta td { padding: 0 1em 0 0; border: 0 }
h1 { font-size: 13pt; margin: 1.5em 0 .5em }
h2 { font-size: 13pt; margin: 0 0 .3em; break-after: avoid }
h3 { font-size: 11pt; margin: 1em 0 .3em; break-after: avoid }
h4 { font-size: 10.5pt; margin: .8em 0 .2em; break-after: avoid }
section.annex { break-before: page }
table.data { border-collapse: collapse; width: 100%; font-size: 9.5pt; margin: .3em 0 .8em }
table.data th, table.data td { border-bottom: .5pt solid #999; padding: 2pt 4pt; text-align: left; vertical-align: top }
table.data thead { display: table-header-group }
table.data tr { break-inside: avoid }
table.record th { width: 38%; font-weight: normal; color: #333 }
.signature { margin-top: 2em; break-inside: avoid }
"""


def _nl_date(value: str) -> str:
    """2024-03-01 -> 01-03-2024; a timestamp keeps its hours and minutes (local time as stored)."""
    v = str(value)
    if len(v) >= 10 and v[4] == "-" and v[7] == "-":
        out = f"{v[8:10]}-{v[5:7]}-{v[0:4]}"
        return out + (f" {v[11:16]}" if len(v) >= 16 and v[10] in "T " else "")
    return v


def _nl_number(value, scale: int | None) -> str:
    """A number the Dutch way: 5056.0 with scale 2 -> 5.056,00; 0.8 -> 0,8."""
    from decimal import Decimal

    d = Decimal(str(value))
    text = f"{d:,.{scale}f}" if scale is not None else (f"{d:,f}" if d == d.to_integral() else f"{d.normalize():,f}")
    if scale is None and "." in text and d == d.to_integral():
        text = text.split(".")[0]
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def nl_value(value, col: dict | None = None) -> str:
    """One value as a letter shows it: dd-mm-jjjj, decimal comma, ja/nee; binary contents named, not printed."""
    col = col or {}
    base, typ = col.get("base") or "", col.get("type") or ""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if base == "bytea":
        return "aanwezig (niet afgedrukt; op verzoek ontvangt u een kopie)"
    if base in ("date", "timestamptz", "timestamp"):
        return _nl_date(value)
    if base in ("numeric", "float4", "float8") or isinstance(value, float):
        m = re.search(r"numeric\(\d+,(\d+)\)", typ)
        return _nl_number(value, int(m.group(1)) if m else None)
    if isinstance(value, int):
        return str(value)  # a year or a count: no thousands separator
    if isinstance(value, dict | list):
        return ", ".join(str(x) for x in (value.values() if isinstance(value, dict) else value))
    return str(value)


def _shown(table: str, labels: dict) -> list[tuple[str, dict]]:
    """The columns of a table a letter shows, in table order: the catalogued personal data, never a
    key, id or bookkeeping column (privacy.technical_column)."""
    cols = (labels.get("columns") or {}).get(table) or {}
    technical = set(labels.get("technical") or [])
    return sorted(((c, m) for c, m in cols.items() if c not in technical and not c.endswith("_id")),
                  key=lambda cm: (cm[1].get("pos") or 0, cm[0]))


def _record_table(rec: dict, labels: dict) -> str:
    e = html.escape
    rows = []
    for c, m in _shown("person_record", labels):
        v = rec.get("photo_supplied") if c == "photo" else rec.get(c)
        if v is None or v == "":
            continue
        text = ("aanwezig (niet afgedrukt; op verzoek ontvangt u een kopie)" if v else "") if c == "photo" \
            else nl_value(v, m)
        if text:
            rows.append(f"<tr><th>{e(m.get('label') or c)}</th><td>{e(text)}</td></tr>")
    basis = (labels.get("legal_bases") or {}).get(rec.get("legal_basis"))
    if basis:
        rows.append(f"<tr><th>Grondslag (artikel 7)</th><td>{e(basis)}</td></tr>")
    return "<table class='data record'><tbody>" + "".join(rows) + "</tbody></table>"


def _detail_table(table: str, rows: list[dict], labels: dict) -> str:
    e = html.escape
    cols = [(c, m) for c, m in _shown(table, labels) if any(r.get(c) not in (None, "") for r in rows)]
    head = "".join(f"<th>{e(m.get('label') or c)}</th>" for c, m in cols)
    body = "".join("<tr>" + "".join(f"<td>{e(nl_value(r.get(c), m))}</td>" for c, m in cols) + "</tr>"
                   for r in rows)
    title = (labels.get("tables") or {}).get(table) or table
    return f"<h4>{e(title)}</h4><table class='data'><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _page(title: str, ctrl: dict, addressee: dict | None, meta: list[tuple[str, str]], body: list[str],
          enclosures: list[str] = ()) -> str:
    """The one letter template: letterhead (the organisation's own controller), addressee, date and
    reference, body, signature, then the enclosures (each from a new page); A4 print styles."""
    e = html.escape
    ctrl = ctrl or {}
    to = addressee or {}
    address = [to.get("name"), to.get("street"), to.get("postcode_city"), to.get("country")]
    return "\n".join([
        "<!doctype html><html lang='nl'><head><meta charset='utf-8'>",
        f"<title>{e(title)}</title><style>{STYLE}</style></head><body>",
        f"<div class='letterhead'><strong>{e(ctrl.get('organisation') or '')}</strong><br>"
        f"{e(ctrl.get('visiting_address') or '')}<br>{e(ctrl.get('postal_address') or '')}</div>",
        "<div class='addressee'>" + "<br>".join(e(x) for x in address if x) + "</div>",
        "<table class='meta'>" + "".join(f"<tr><td>{e(k)}</td><td>{e(v)}</td></tr>" for k, v in meta) + "</table>",
        *body,
        f"<div class='signature'><p>Met vriendelijke groet,</p><p>{e(ctrl.get('controller') or '')}</p></div>",
        *enclosures,
        "</body></html>"])


def _controller(conn, subject: int, annex: str | None) -> dict:
    """The organisation's controller (privacy.controller_of): the same source as the export's."""
    from psycopg.rows import dict_row

    return conn.cursor(row_factory=dict_row).execute(
        "select c.* from dossier.subject s cross join lateral privacy.controller_of(s.org_id, %s) c "
        "where s.id = %s", (annex, subject)).fetchone() or {}


def render_erasure_letter(conn, rid: int) -> str:
    """The decision on an erasure request as a printable Dutch letter (HTML): per processing and
    part what was erased, and what was kept and why (art. 13.5, 13.7; AVG art. 17)."""
    from psycopg.rows import dict_row

    cur = conn.cursor(row_factory=dict_row)
    r = cur.execute("select q.id, q.subject_id, q.kind, q.received_on, q.decision, q.decision_reason, q.closed_on, "
                    "q.outcome, coalesce(q.annex, q.outcome->0->>'annex') as annex, "
                    "privacy.letter_addressee(q.subject_id) as addressee "
                    "from privacy.subject_request q where q.id = %s", (rid,)).fetchone()
    if r is None:
        raise ValueError(f"no request {rid}")
    if r["kind"] != "erasure" or r["closed_on"] is None:
        raise ValueError(f"request {rid} is not a decided erasure request")
    ctrl = _controller(conn, r["subject_id"], r["annex"])
    names = {x["code"]: x["name_nl"] for x in cur.execute("select code, name_nl from privacy.processing_activity")}
    parts_nl = letter_labels(conn).get("tables") or {}
    e = html.escape
    rows = r["outcome"] or []
    erased = [o for o in rows if o["deleted"]]
    kept = [o for o in rows if o["kept"]]

    def part(o):
        what = "het dossier zelf (identificerende gegevens)" if o["part"] == "record" \
            else (parts_nl.get(o["part"]) or o["part"]).lower()
        return f"{e(names.get(o['annex'], o['annex']))}: {e(what)}"
    body = [
        "<p>Geachte heer, mevrouw,</p>",
        f"<p>Op uw verzoek (artikel 17 AVG, artikel 13.5 van het privacyreglement) is besloten: "
        f"<strong>{e(DECISION_NL[r['decision']])}</strong>. {e(r['decision_reason'])}</p>",
        "<h3>Verwijderd</h3><ul>" + ("".join(f"<li>{part(o)} ({o['deleted']})</li>" for o in erased)
                                     or "<li>niets</li>") + "</ul>",
        "<h3>Bewaard, en waarom</h3><ul>"
        + ("".join(f"<li>{part(o)} ({o['kept']}): {e(o['why_kept'] or '')}</li>" for o in kept) or "<li>niets</li>")
        + "</ul>",
        "<p>Wat bewaard blijft wordt verwijderd zodra de genoemde grond vervalt, en uiterlijk na de bewaartermijn "
        "van artikel 14. Tegen dit besluit kunt u bezwaar maken (artikel 13.7: een besluit in de zin van de "
        "Algemene wet bestuursrecht); heeft u een klacht, dan kunt u de klachtenprocedure volgen (artikel 16).</p>",
    ]
    if r["decision"] in ("granted", "partly_granted"):
        # where traces remain after an erasure, and for how long (the audit's own settings)
        traces = cur.execute("select audit.erasure_traces() as t").fetchone()["t"]
        body.insert(4, f"<h3>Wat er na de verwijdering nog bestaat</h3><p>{e(traces)}</p>")
    return _page(f"Besluit op uw verzoek om verwijdering — kenmerk {r['id']}", ctrl, r["addressee"],
                 [("Datum", _nl_date(r["closed_on"].isoformat())),
                  ("Kenmerk", str(r["id"])),
                  ("Betreft", f"uw verzoek om verwijdering van {_nl_date(r['received_on'].isoformat())}")], body)


def render_letter(doc: dict, labels: dict, day: dt.date) -> str:
    """The export as a printable Dutch letter (HTML): one section per processing (annex), Dutch
    labels from the catalogue, values the Dutch way, no technical fields. Dated `day` (org_today)."""
    req = doc["request"]
    ctrl = (doc.get("controller") or [{}])[0]
    e = html.escape
    body = [
        "<p>Geachte heer, mevrouw,</p>",
        "<p>U heeft gevraagd welke persoonsgegevens wij over u verwerken (artikel 15 AVG, artikel 13 van het "
        "privacyreglement). Hieronder vindt u per verwerking: het doel, de categorieën van gegevens, de "
        "ontvangers, de herkomst van de gegevens, de bewaartermijn en een volledig overzicht van de gegevens zelf.</p>",
        f"<p>Verantwoordelijke: {e(ctrl.get('controller') or '')}"
        + (f", {e(ctrl['visiting_address'])}" if ctrl.get("visiting_address") else "") + ".</p>",
        "<p>Tegen dit besluit kunt u bezwaar maken (artikel 13.7: een besluit in de zin van de Algemene wet "
        "bestuursrecht). Heeft u een klacht, dan kunt u de klachtenprocedure volgen (artikel 16).</p>",
        f"<p>Bijlagen: {len(doc.get('processing') or [])}, één per verwerking.</p>",
    ]
    sections = []
    for p in doc.get("processing") or []:
        s = [f"<section class='annex'><h2>Bijlage {len(sections) + 1}: {e(p['name_nl'])}</h2>",
             "<h3>Doelen</h3><ul>" + "".join(f"<li>{e(x['nl'])}</li>" for x in p.get("purposes") or []) + "</ul>",
             "<h3>Categorieën van gegevens</h3><ul>"
             + "".join(f"<li>{e(x['nl'])}</li>" for x in p.get("categories") or []) + "</ul>",
             "<h3>Ontvangers</h3><ul>" + ("".join(f"<li>{e(x['nl'])}</li>" for x in p.get("recipients") or [])
                                          or "<li>geen</li>") + "</ul>",
             f"<h3>Herkomst</h3><p>{e((p.get('origin') or {}).get('register_nl') or '')}</p>",
             f"<h3>Bewaartermijn</h3><p>{e(p.get('retention_nl') or '')}</p>",
             "<h3>Uw gegevens</h3>"]
        for rec in p.get("records") or []:
            s.append(_record_table(rec, labels))
            for table, rows in sorted((rec.get("details") or {}).items(),
                                      key=lambda tr: (labels.get("tables") or {}).get(tr[0]) or tr[0]):
                s.append(_detail_table(table, rows, labels))
        s.append("</section>")
        sections.append("".join(s))
    return _page(f"Inzage persoonsgegevens — kenmerk {req['id']}", ctrl, doc.get("addressee"),
                 [("Datum", _nl_date(day.isoformat())), ("Kenmerk", str(req["id"])),
                  ("Betreft", f"uw verzoek om {KIND_NL.get(req['kind'], req['kind'])} van "
                              f"{_nl_date(req['received_on'])}")],
                 body, sections)


def render_pdf(letter_html: str) -> bytes:
    """The same HTML as an A4 PDF (WeasyPrint; its Pango libraries come from scripts/install-system.sh)."""
    import weasyprint

    return weasyprint.HTML(string=letter_html).write_pdf()
