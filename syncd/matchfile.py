"""``syncd match``: the daemon's matcher on a CSV file, with no vendor and no database.

Input: a header with ``system,record_id`` and any of ``name,given_name,family_name,email,phone,mobile,
company,street,city,zip``. Output: ``system,record_id,entity_id,confidence,status,candidate,candidate_score``:
``status`` is ``linked`` (in an entity with records of other systems), ``alone`` (an entity of its own) or
``review`` (held: no entity id; ``candidate`` is its best candidate and ``candidate_score`` that match's
probability — what an admin would be asked about). ``--explain`` writes the trained model as JSON.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from syncd.matching import MatchRecord, MatchSettings, ReconcileResult, reconcile
from syncd.model import Contact

__all__ = ["OUTPUT_HEADER", "InputError", "MatchSummary", "match_csv", "read_records"]

REQUIRED = ("system", "record_id")
OPTIONAL = ("name", "given_name", "family_name", "email", "phone", "mobile", "company", "street", "city", "zip")
OUTPUT_HEADER = ("system", "record_id", "entity_id", "confidence", "status", "candidate", "candidate_score")


class InputError(ValueError):
    """The input file is malformed; the message names the file, the line and the reason."""


@dataclass(frozen=True, slots=True)
class MatchSummary:
    records: int
    entities: int
    linked: int
    review: int
    creates_held: int = 0

    def __str__(self) -> str:
        return (f"{self.records} records -> {self.entities} entities ({self.linked} records linked to another, "
                f"{self.review} sent to review, {self.creates_held} of them because a create could duplicate)")


def read_records(path: Path) -> list[MatchRecord]:
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror})") from None
    records: list[MatchRecord] = []
    seen: set[str] = set()
    with handle:
        reader = csv.DictReader(handle)
        header = [h.strip() for h in reader.fieldnames or []]
        missing = [c for c in REQUIRED if c not in header]
        if missing:
            raise InputError(f"{path}: line 1: the header needs {', '.join(missing)} (it has: {', '.join(header)})")
        unknown = [c for c in header if c not in REQUIRED + OPTIONAL]
        if unknown:
            raise InputError(f"{path}: line 1: unknown column(s) {', '.join(unknown)}; "
                             f"known: {', '.join(REQUIRED + OPTIONAL)}")
        try:
            for row in reader:
                line = reader.line_num
                if None in row:
                    raise InputError(f"{path}: line {line}: more fields than the header has columns")
                values = {k.strip(): (v or "").strip() for k, v in row.items() if k}
                if not values.get("system") or not values.get("record_id"):
                    raise InputError(f"{path}: line {line}: system and record_id must not be empty")
                key = f"{values['system']}:{values['record_id']}"
                if key in seen:
                    raise InputError(f"{path}: line {line}: {key} appears twice")
                seen.add(key)
                contact = Contact(full_name=values.get("name") or None, given_name=values.get("given_name") or None,
                                  family_name=values.get("family_name") or None, email=values.get("email") or None,
                                  phone_office=values.get("phone") or None, phone_mobile=values.get("mobile") or None,
                                  company=values.get("company") or None, street=values.get("street") or None,
                                  city=values.get("city") or None, zip=values.get("zip") or None)
                records.append(MatchRecord(key, values["system"], contact))
        except csv.Error as exc:
            raise InputError(f"{path}: line {reader.line_num}: {exc}") from None
        except UnicodeDecodeError:
            raise InputError(f"{path}: line {reader.line_num + 1}: not valid UTF-8") from None
    return records


def match_csv(input_path: Path, output_path: Path, settings: MatchSettings,
              progress: Callable[[str], None] | None = None, explain: Path | None = None) -> MatchSummary:
    records = read_records(input_path)
    if progress:
        progress(f"read {len(records)} records")
    result = reconcile(records, settings)
    write_result(records, result, output_path)
    if explain is not None and result.model is not None:
        explain.write_text(json.dumps(result.model, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    sizes: dict[str, int] = {}
    for ref in result.assignments.values():
        sizes[ref] = sizes.get(ref, 0) + 1
    linked = sum(n for n in sizes.values() if n > 1)
    return MatchSummary(len(records), len(sizes), linked, len(result.reviews), result.creates_held)


def write_result(records: list[MatchRecord], result: ReconcileResult, output_path: Path) -> None:
    review = {r.key: r for r in result.reviews}
    sizes: dict[str, int] = {}
    for ref in result.assignments.values():
        sizes[ref] = sizes.get(ref, 0) + 1
    names = {ref: f"E{i:06d}" for i, ref in enumerate(sorted(sizes, key=lambda r: int(r.split(":")[1])), start=1)}
    with output_path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(OUTPUT_HEADER)
        for record in records:
            system, _, record_id = record.key.partition(":")
            if record.key in result.assignments:
                ref = result.assignments[record.key]
                evidence = result.links.get(record.key)
                status = "linked" if sizes[ref] > 1 else "alone"
                writer.writerow([system, record_id, names[ref], f"{evidence.confidence:.3f}" if evidence else "",
                                 status, "", ""])
            elif record.key in review:
                item = review[record.key]
                candidate = item.candidate
                owner = result.assignments.get(candidate)
                shown = f"{candidate} ({names[owner]})" if owner is not None else candidate
                writer.writerow([system, record_id, "", "", "review", shown, f"{item.score:.3f}"])
            else:
                writer.writerow([system, record_id, "", "", "alone", "", ""])
