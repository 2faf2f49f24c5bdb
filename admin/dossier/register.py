"""The art. 30 register (AVG), rendered from the rows of the privacy schema.

The renderer holds only the section headings and labels (Dutch, with English available); every
sentence of content comes from privacy.processing_activity and the tables around it, which
db/schema/V0210__register_data.sql filled from the seeds.
"""

from __future__ import annotations

import psycopg
from psycopg.rows import dict_row

LABELS = {
    "nl": {
        "title": "Beschrijving van gegevensverwerking", "name": "Omschrijving",
        "organisation": "Organisatie", "reference": "Referentienummer",
        "purposes": "Doel van de verwerking", "legal_basis": "Grondslag",
        "subjects_and_data": "Betrokkene en gegevens", "subjects": "Betrokkene(n)",
        "personal_data": "Persoonsgegevens", "collection_purpose": "Verzameldoel",
        "retention": "Bewaartermijn", "source": "Bron", "mandatory": "Aanleverplicht",
        "automated": "Automatische besluitvorming", "recipients": "Ontvangers",
        "outside_eu": "Doorgifte buiten EU", "controllers": "Verantwoordelijken",
        "controller": "Naam", "visiting": "Bezoekadres", "postal": "Postadres",
        "related": "Gerelateerde verwerkingen", "legal_reference": "Bron in het reglement",
        "special": "Bijzondere persoonsgegevens",
        "no_special": "Er worden geen bijzondere persoonsgegevens verwerkt.",
    },
    "en": {
        "title": "Description of processing activity", "name": "Name",
        "organisation": "Organisation", "reference": "Reference",
        "purposes": "Purposes of the processing", "legal_basis": "Legal basis",
        "subjects_and_data": "Data subjects and data", "subjects": "Data subjects",
        "personal_data": "Personal data", "collection_purpose": "Purpose of collection",
        "retention": "Retention period", "source": "Source", "mandatory": "Obligation to provide",
        "automated": "Automated decision-making", "recipients": "Recipients",
        "outside_eu": "Transfer outside the EU", "controllers": "Controllers",
        "controller": "Name", "visiting": "Visiting address", "postal": "Postal address",
        "related": "Related processing activities", "legal_reference": "Source in the regulation",
        "special": "Special categories of personal data",
        "no_special": "No special categories of personal data are processed.",
    },
}


class NotFound(LookupError):
    pass


def list_activities(conn: psycopg.Connection) -> list[dict]:
    cur = conn.cursor(row_factory=dict_row)
    return cur.execute(
        """select code, reference, name, organisation, array_length(purposes, 1) as purposes,
                  array_to_string(legal_basis, ', ') as legal_basis, legal_reference
             from privacy.processing order by code""").fetchall()


def load(conn: psycopg.Connection, code: str) -> dict:
    """One activity with everything the register shows; CODE is an annex code or a reference."""
    cur = conn.cursor(row_factory=dict_row)
    a = cur.execute(
        "select * from privacy.processing_activity where upper(code) = upper(%s) "
        "or upper(reference) = upper(%s)", (code, code)).fetchone()
    if not a:
        known = ", ".join(r["code"] + (f" ({r['reference']})" if r["reference"] else "")
                          for r in list_activities(conn))
        raise NotFound(f"no processing activity {code!r}; known: {known}")
    c = a["code"]
    a["purposes"] = cur.execute(
        "select clause, text_nl, text_en from privacy.purpose where activity = %s "
        "order by clause", (c,)).fetchall()
    a["legal_bases"] = cur.execute(
        "select l.code, l.clause, l.label_nl, l.label_en from privacy.processing_basis b "
        "join privacy.legal_basis l on l.code = b.basis where b.activity = %s order by l.clause",
        (c,)).fetchall()
    a["recipients"] = cur.execute(
        "select text_nl, text_en from privacy.recipient where activity = %s order by ordinal",
        (c,)).fetchall()
    a["categories"] = cur.execute(
        "select d.code, d.label_nl, d.label_en, ac.clause, d.special, d.special_ground from privacy.annex_category ac "
        "join privacy.data_category d on d.code = ac.category where ac.annex = %s "
        "order by ac.clause, d.code", (c,)).fetchall()
    return a


def render_markdown(a: dict, lang: str = "nl") -> str:
    """The register entry as a document with the sections of the seed's register entry."""
    L = LABELS[lang]
    t = "text_nl" if lang == "nl" else "text_en"
    lbl = "label_nl" if lang == "nl" else "label_en"

    def field(k: str) -> str:
        v = a.get(f"{k}_{lang}") or a.get(f"{k}_nl") or a.get(k)
        return str(v) if v is not None else "—"

    def row(label: str, value: str) -> str:
        return f"| {label} | {value.replace('|', '/')} |"

    name = a["name_nl"] if lang == "nl" else a["name_en"]
    out = [f"# {L['title']}", "", "| | |", "|---|---|", row(L["name"], name),
           row(L["organisation"], a["organisation"]),
           row(L["reference"], a["reference"] or a["code"]), "",
           f"## {L['purposes']}", ""]
    out += [f"- {p[t]}" for p in a["purposes"]]
    bases = ", ".join(b[lbl] for b in a["legal_bases"])
    out += ["", f"{L['legal_basis']}: {bases}", "", f"## {L['subjects_and_data']}", "",
            "| | |", "|---|---|", row(L["subjects"], field("data_subjects"))]
    personal = a["personal_data_nl"] if lang == "nl" and a["personal_data_nl"] else "; ".join(
        f"{c[lbl]} ({c['clause']})" for c in a["categories"])
    out += [row(L["personal_data"], personal),
            row(L["collection_purpose"], "; ".join(p[t] for p in a["purposes"])),
            row(L["retention"], field("retention")), row(L["source"], field("source"))]
    if a.get("mandatory_nl"):
        out.append(row(L["mandatory"], a["mandatory_nl"]))
    # art. 2 (issue 16.6): the special categories, each with its legal ground
    special = [c for c in a["categories"] if c["special"]]
    out += ["", f"## {L['special']}", ""]
    out += [f"- {c[lbl]} ({c['clause']}): {c['special_ground']}" for c in special] or [L["no_special"]]
    out += ["", f"## {L['automated']}", "", a["automated_decisions_nl"], "",
            f"## {L['recipients']}", ""]
    out += [f"- {r[t]}" for r in a["recipients"]]
    out += ["", f"## {L['outside_eu']}", "", a["outside_eu_nl"], "",
            f"## {L['controllers']}", "", "| | |", "|---|---|",
            row(L["controller"], a["controller"]),
            row(L["visiting"], a["visiting_address"] or "—"),
            row(L["postal"], a["postal_address"] or "—"), "",
            f"## {L['related']}", "", a["related_nl"], "",
            f"_{L['legal_reference']}: {a['legal_reference']}_", ""]
    return "\n".join(out)
