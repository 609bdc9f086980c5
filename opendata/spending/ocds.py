"""Public contracts in the Open Contracting Data Standard (OCDS 1.1): import files, write release and record packages.

`import_contracts` reads what publishers write: release packages, record packages, bare releases and records,
arrays of them and JSON Lines; records with a `compiledRelease`, a `versionedRelease` (reduced to each field's
latest value) or only their releases; JSON in UTF-8 (with or without BOM), UTF-16 or a Windows code page;
`tag` as a list or a lone string; amounts as numbers or strings, always read as Decimal. It keeps one
ContractingProcess per `ocid`: the releases of an ocid (those stored before and the file's, one per release `id`,
the file's replacing a stored one of the same id) are merged in date order as OCDS merging does, the latest
value of each field winning, and the process, its awards and contracts take the compiled values. The releases
themselves are kept, tidied only where the standard requires it (a lone tag becomes a list, an amount written as
text a number, an empty currency or date is left out), for the packages the portal publishes.

Everything goes into the body given, whoever the file names as buyer: the staff member who imports vouches for
it. A process whose ocid belongs to another body is refused (reported), never moved. A file that is not JSON or
of an OCDS version other than 1.0 and 1.1 changes nothing; the whole import is one transaction.

What is reported: rows are the releases and records of the file, numbered from 1 in the order they come (across
packages and lines); errors are what was left out (a release without ocid, id or date), warnings what was
imported without a value (an amount without currency, an empty or unreadable date).
"""

import codecs
import copy
import csv
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from portal.bodies.models import PublicBody
from portal.files import decode
from portal.importing import ImportReport, RowError, assign_changed, update_if_changed

from . import exactjson
from .auth import can_publish_spending
from .models import AMOUNT_DIGITS, Award, Contract, ContractingProcess, Supplier

# The versions this reader understands: 1.1 and the 1.0 it extends (a package without `version` is 1.0).
OCDS_VERSIONS = ("1.0", "1.1")
# The version the portal writes (the vendored schemas: ocds_schema/README.md).
OCDS_VERSION = "1.1"
SCHEMA_DIR = Path(__file__).with_name("ocds_schema")
# OCDS date fields: `date`, `dateSigned`, `startDate`, `releaseDate`…
DATE_KEY = re.compile(r"^date|Date$")
CENTS = Decimal("0.01")
MAX_AMOUNT = Decimal(10) ** (AMOUNT_DIGITS - 2)


class OcdsFileError(ValueError):
    """The file can't be imported at all (not JSON, not OCDS, an unknown version): nothing was changed."""


@dataclass
class ContractImportReport(ImportReport):
    """What an OCDS import did: contracting processes created, updated, unchanged; releases or records left
    out (errors); values imported without what they lacked (warnings)."""

    warnings: list[RowError] = field(default_factory=list)

    def summary(self) -> str:
        text = super().summary()
        if self.warnings:
            text += _("; %(count)s warnings") % {"count": len(self.warnings)}
        return text


@dataclass
class FileProcess:
    """What the file says of one ocid: its releases and, from a record, its compiled state."""

    number: int
    releases: list[dict] = field(default_factory=list)
    compiled: dict | None = None


# Reading ------------------------------------------------------------------------------------------------


def read_text(source: Path | str | bytes | IO[bytes]) -> tuple[str, str]:
    """Return the text of `source` (a path, bytes or a binary file) and the codec it was read with."""
    if isinstance(source, bytes):
        data = source
    elif isinstance(source, Path | str):
        data = Path(source).read_bytes()
    else:
        data = source.read()
    if data[:4] not in (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE) and len(data) > 1 and b"\0" in data[:2]:
        # UTF-16 without BOM: JSON starts with an ASCII character, so one of its first two bytes is zero.
        return data.decode("utf-16-le" if data[1] == 0 else "utf-16-be", errors="replace"), "utf-16"
    return decode(data)


def parse_documents(text: str) -> list[Any]:
    """Return the JSON documents of `text`: one document, or one per line of JSON Lines. OcdsFileError if broken."""
    text = text.lstrip("\ufeff")
    try:
        return [exactjson.loads(text)]
    except json.JSONDecodeError as error:
        if error.msg != "Extra data":
            raise OcdsFileError(broken_json(error)) from None
    documents = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            try:
                documents.append(exactjson.loads(line))
            except json.JSONDecodeError as error:
                raise OcdsFileError(broken_json(error, line=number)) from None
    return documents


def broken_json(error: json.JSONDecodeError, *, line: int | None = None) -> str:
    return _("The file is not valid JSON: %(error)s (line %(line)s, column %(column)s). Nothing was imported.") % {
        "error": error.msg,
        "line": line or error.lineno,
        "column": error.colno,
    }


class Collector:
    """Sorts the file's releases and records by ocid, tidying each release (`tidy`) and reporting as it goes."""

    def __init__(self, report: ContractImportReport):
        self.report = report
        self.processes: dict[str, FileProcess] = {}
        self.number = 0

    def visit(self, document: Any) -> None:
        if isinstance(document, list):
            for item in document:
                self.visit(item)
            return
        if not isinstance(document, dict):
            raise OcdsFileError(_("The file holds something other than OCDS releases, records or packages."))
        if "ocid" not in document and ("releases" in document or "records" in document):
            published = check_version(document)
            for release in as_list(document.get("releases")):
                self.add_release(release, published)
            for record in as_list(document.get("records")):
                self.add_record(record, published)
        elif "ocid" in document and ({"compiledRelease", "versionedRelease", "releases"} & document.keys()):
            self.add_record(document, "")
        elif "ocid" in document or "tag" in document:
            self.add_release(document, "")
        else:
            raise OcdsFileError(
                _("The file holds JSON that is not an OCDS release, record or package (no ocid). Nothing was imported.")
            )

    def ocid_of(self, data: Any) -> str | None:
        ocid = str(data.get("ocid") or "").strip() if isinstance(data, dict) else ""
        if not ocid:
            self.error("", _("no ocid: left out"))
            return None
        if len(ocid) > ContractingProcess._meta.get_field("ocid").max_length:
            self.error(ocid[:40], _("the ocid is too long: left out"))
            return None
        return ocid

    def add_release(self, release: Any, published: str, *, ocid: str | None = None, counted: bool = False) -> None:
        if not counted:
            self.number += 1
        if isinstance(release, dict) and ocid and not release.get("ocid"):
            release = {**release, "ocid": ocid}
        ocid = self.ocid_of(release)
        if ocid is None:
            return
        if not str(release.get("id") or "").strip():
            self.error(ocid, _("a release without id: left out"))
            return
        tidied = tidy(release, self.warn_for(ocid))
        if "date" not in tidied:
            if not published:
                self.error(ocid, _("release %(id)s has no date: left out") % {"id": release["id"]})
                return
            self.warn(ocid, _("release %(id)s has no date: the package's is used") % {"id": release["id"]})
            tidied["date"] = published
        self.process(ocid).releases.append(tidied)

    def add_record(self, record: Any, published: str) -> None:
        self.number += 1
        ocid = self.ocid_of(record)
        if ocid is None:
            return
        process = self.process(ocid)
        for release in as_list(record.get("releases")):
            # Linked releases (url, date, tag) carry no content; embedded ones are whole releases.
            if isinstance(release, dict) and not ("url" in release and "id" not in release):
                self.add_release(release, published, ocid=ocid, counted=True)
        if isinstance(record.get("compiledRelease"), dict):
            process.compiled = tidy({**record["compiledRelease"], "ocid": ocid}, self.warn_for(ocid))
        elif isinstance(record.get("versionedRelease"), dict):
            process.compiled = tidy(latest_values(record["versionedRelease"]), self.warn_for(ocid))
            dates = release_dates(record["versionedRelease"])
            latest = max(dates) if dates else published
            process.compiled.update(ocid=ocid, id=f"{ocid}-versioned-{latest}", tag=["compiled"])
            if latest:
                process.compiled["date"] = latest
        if not process.releases and process.compiled and process.compiled.get("date"):
            # A record with its compiled state only: that compiled release is what is kept and published.
            process.releases.append(process.compiled)

    def process(self, ocid: str) -> FileProcess:
        return self.processes.setdefault(ocid, FileProcess(self.number))

    def error(self, reference: str, message: str) -> None:
        self.report.errors.append(RowError(self.number, reference, message))

    def warn(self, reference: str, message: str) -> None:
        self.report.warnings.append(RowError(self.number, reference, message))

    def warn_for(self, ocid: str):
        return lambda message: self.warn(ocid, message)


def check_version(package: dict) -> str:
    """Return the package's publishedDate; OcdsFileError when its OCDS version is not one this reader knows."""
    version = package.get("version", "1.0")
    if version not in OCDS_VERSIONS:
        raise OcdsFileError(
            _("The file declares OCDS version %(version)s; the portal reads versions %(versions)s. Nothing was imported.")
            % {"version": version, "versions": ", ".join(OCDS_VERSIONS)}
        )
    published = package.get("publishedDate")
    return published if isinstance(published, str) else ""


def as_list(value: Any) -> list:
    return value if isinstance(value, list) else []


def tidy(data: Any, warn, path: str = "") -> Any:
    """Return a copy of `data` as the standard writes it, calling `warn` for what had to be left out: `tag` as a
    list, amounts as numbers, no empty currency or date."""
    if isinstance(data, list):
        return [tidy(item, warn, f"{path}[{position}]") for position, item in enumerate(data)]
    if not isinstance(data, dict):
        return data
    tidied = {}
    for key, value in data.items():
        where = f"{path}.{key}" if path else key
        if key == "tag" and not path and isinstance(value, str):
            value = [value]
        if DATE_KEY.search(key) and isinstance(value, str) and not value.strip():
            warn(_("%(field)s: an empty date, left out") % {"field": where})
            continue
        if key == "amount" and isinstance(value, str):
            number = read_amount(value)
            if number is None:
                warn(_("%(field)s: “%(value)s” is not an amount, left out") % {"field": where, "value": value})
                continue
            value = number
        if key == "currency" and isinstance(value, str):
            value = value.strip().upper()
            if not value:
                continue
        tidied[key] = tidy(value, warn, where)
    if tidied.get("amount") is not None and not tidied.get("currency"):
        warn(_("%(field)s: an amount without currency, imported without value") % {"field": path or "value"})
    return tidied


def read_amount(text: str) -> Decimal | None:
    try:
        number = Decimal(text.strip().replace(" ", "").replace("\u00a0", ""))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def latest_values(versioned: Any) -> Any:
    """Return a versioned release (OCDS 1.1 `versionedRelease`) with each field at its latest value."""
    if isinstance(versioned, list):
        if versioned and all(isinstance(item, dict) and {"releaseDate", "value"} <= item.keys() for item in versioned):
            latest = max(enumerate(versioned), key=lambda pair: (str(pair[1]["releaseDate"]), pair[0]))[1]
            return latest_values(latest["value"])
        return [latest_values(item) for item in versioned]
    if isinstance(versioned, dict):
        values = {key: latest_values(value) for key, value in versioned.items()}
        return {key: value for key, value in values.items() if value is not None}
    return versioned


def release_dates(versioned: Any) -> list[str]:
    if isinstance(versioned, list):
        return [found for item in versioned for found in release_dates(item)]
    if isinstance(versioned, dict):
        own = [versioned["releaseDate"]] if isinstance(versioned.get("releaseDate"), str) else []
        return own + [found for value in versioned.values() for found in release_dates(value)]
    return []


# Merging --------------------------------------------------------------------------------------------------


def merge(target: dict, release: dict) -> None:
    """Merge `release` into `target` as OCDS merging does: objects field by field, arrays of objects with an
    `id` item by item, anything else replaced; null removes a field."""
    for key, value in release.items():
        if value is None:
            target.pop(key, None)
        elif isinstance(value, dict):
            current = target.get(key)
            if not isinstance(current, dict):
                current = target[key] = {}
            merge(current, value)
        elif isinstance(value, list) and value and all(isinstance(item, dict) and "id" in item for item in value):
            by_id = {str(item.get("id")): item for item in as_list(target.get(key)) if isinstance(item, dict)}
            for item in value:
                merge(by_id.setdefault(str(item["id"]), {}), item)
            target[key] = list(by_id.values())
        else:
            target[key] = copy.deepcopy(value)


def in_date_order(releases: Iterable[dict]) -> list[dict]:
    return sorted(releases, key=lambda release: parse_datetime(release.get("date")) or datetime.min.replace(tzinfo=UTC))


def compile_releases(releases: Iterable[dict]) -> dict:
    """Return the compiled state of releases of one process: merged in date order, the latest value winning."""
    compiled: dict = {}
    for release in in_date_order(releases):
        merge(compiled, release)
    return compiled


def combined_releases(stored: list[dict], new: list[dict]) -> list[dict]:
    """Return stored and new releases, one per id (a new one replacing a stored one), in date order."""
    by_id = {str(release.get("id")): release for release in stored if isinstance(release, dict)}
    for release in new:
        by_id[str(release["id"])] = release
    return in_date_order(by_id.values())


def parse_datetime(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


# Writing the portal's records ----------------------------------------------------------------------------------


class ProcessWriter:
    """Turns the compiled state of one ocid into the process, its awards and contracts; says what changed."""

    def __init__(self, ocid: str, warn):
        self.ocid, self.warn = ocid, warn

    def day(self, value: Any, where: str) -> date | None:
        if value is None:
            return None
        moment = parse_datetime(value)
        if moment is None:
            self.warn(_("%(field)s: “%(value)s” is not a date, left out") % {"field": where, "value": value})
            return None
        return moment.date()

    def money(self, value: Any, where: str) -> tuple[Decimal | None, str]:
        """Return (amount, currency) of an OCDS Value; (None, "") when either is missing or unusable."""
        if not isinstance(value, dict):
            return None, ""
        amount, currency = value.get("amount"), value.get("currency") or ""
        if isinstance(amount, bool) or not isinstance(amount, int | Decimal) or not currency:
            return None, ""
        if currency not in currencies():
            self.warn(_("%(field)s: “%(currency)s” is not an ISO 4217 currency, value left out") % {
                "field": where, "currency": currency,
            })  # fmt: skip
            return None, ""
        amount = Decimal(amount)
        if abs(amount) >= MAX_AMOUNT:
            self.warn(_("%(field)s: the amount is too large, left out") % {"field": where})
            return None, ""
        if amount != amount.quantize(CENTS):
            self.warn(_("%(field)s: the amount is rounded to cents") % {"field": where})
        return amount.quantize(CENTS), currency

    def process_values(self, state: dict) -> dict[str, Any]:
        tender = state.get("tender") if isinstance(state.get("tender"), dict) else {}
        period = tender.get("tenderPeriod") if isinstance(tender.get("tenderPeriod"), dict) else {}
        value, currency = self.money(tender.get("value"), "tender.value")
        start = self.day(period.get("startDate"), "tender.tenderPeriod.startDate")
        released = parse_datetime(state.get("date"))
        status = tender.get("status")
        method = tender.get("procurementMethod")
        return {
            "title": text(tender.get("title"), 500) or self.ocid,
            "description": text(tender.get("description")),
            "status": status if status in ContractingProcess.Status.values else "",
            "method": method if method in ContractingProcess.Method.values else "",
            "value": value,
            "currency": currency or None,
            "tender_start": start,
            "tender_end": self.day(period.get("endDate"), "tender.tenderPeriod.endDate"),
            "fiscal_year": (start or released).year if (start or released) else None,
        }

    def supplier(self, award: dict, parties: dict[str, dict]) -> tuple[Supplier | None, bool]:
        """Return the award's (first) supplier, found or created, and whether it was created."""
        references = [item for item in as_list(award.get("suppliers")) if isinstance(item, dict)]
        if not references:
            return None, False
        if len(references) > 1:
            self.warn(_("award %(id)s names %(count)s suppliers; the first is kept") % {
                "id": award.get("id"), "count": len(references),
            })  # fmt: skip
        party = parties.get(str(references[0].get("id")), {})
        name = text(references[0].get("name") or party.get("name"), 500)
        identifier = party.get("identifier") if isinstance(party.get("identifier"), dict) else {}
        official = text(identifier.get("id"), 100)
        if not name:
            return None, False
        supplier, created = Supplier.objects.get_or_create(
            key=Supplier.key_for(name, official),
            defaults={"name": name, "identifier": official, "kind": Supplier.Kind.COMPANY},
        )
        return supplier, created

    def award_values(self, award: dict, parties: dict[str, dict]) -> tuple[dict[str, Any], bool]:
        where = f"award {award.get('id')}"
        supplier, created = self.supplier(award, parties)
        value, currency = self.money(award.get("value"), f"{where}.value")
        return {
            "supplier": supplier,
            "title": text(award.get("title"), 500),
            "status": text(award.get("status"), 20),
            "date": self.day(award.get("date"), f"{where}.date"),
            "value": value,
            "currency": currency or None,
        }, created

    def contract_values(self, contract: dict) -> dict[str, Any]:
        where = f"contract {contract.get('id')}"
        period = contract.get("period") if isinstance(contract.get("period"), dict) else {}
        value, currency = self.money(contract.get("value"), f"{where}.value")
        return {
            "award_id": text(contract.get("awardID"), 200),
            "title": text(contract.get("title"), 500),
            "status": text(contract.get("status"), 20),
            "date_signed": self.day(contract.get("dateSigned"), f"{where}.dateSigned"),
            "start_date": self.day(period.get("startDate"), f"{where}.period.startDate"),
            "end_date": self.day(period.get("endDate"), f"{where}.period.endDate"),
            "value": value,
            "currency": currency or None,
            "amendments": as_list(contract.get("amendments")),
            "implementation": contract.get("implementation") if isinstance(contract.get("implementation"), dict) else {},
        }

    def write(self, process: ContractingProcess, state: dict, releases: list[dict]) -> bool:
        """Write the process and its children from `state`; return whether anything was written."""
        changed = bool(assign_changed(process, {**self.process_values(state), "releases": releases}))
        if changed:
            process.save()
        parties = {str(party.get("id")): party for party in as_list(state.get("parties")) if isinstance(party, dict)}
        awards = {award.award_id: award for award in process.awards.all()}
        for data in as_list(state.get("awards")):
            award_id = text(data.get("id"), 200) if isinstance(data, dict) else ""
            if not award_id:
                continue
            values, supplier_created = self.award_values(data, parties)
            award = awards.pop(award_id, None) or Award(process=process, award_id=award_id)
            changed = update_if_changed(award, values) or supplier_created or changed
        contracts = {contract.contract_id: contract for contract in process.contracts.all()}
        for data in as_list(state.get("contracts")):
            contract_id = text(data.get("id"), 200) if isinstance(data, dict) else ""
            if not contract_id:
                continue
            contract = contracts.pop(contract_id, None) or Contract(process=process, contract_id=contract_id)
            changed = update_if_changed(contract, self.contract_values(data)) or changed
        # Awards and contracts the releases no longer have: the compiled state is the whole process.
        for gone in [*awards.values(), *contracts.values()]:
            gone.delete()
            changed = True
        return changed


def text(value: Any, length: int | None = None) -> str:
    if value is None or isinstance(value, dict | list):
        return ""
    return str(value).strip()[:length]


@cache
def codelist(name: str) -> frozenset[str]:
    """The codes of one of the vendored OCDS codelists (ocds_schema/codelists/<name>.csv)."""
    with open(SCHEMA_DIR / "codelists" / f"{name}.csv", encoding="utf-8", newline="") as file:
        return frozenset(row["Code"] for row in csv.DictReader(file))


def currencies() -> frozenset[str]:
    return codelist("currency")


# The import -------------------------------------------------------------------------------------------------


def import_contracts(
    source: Path | str | bytes | IO[bytes], *, body: PublicBody, user=None
) -> ContractImportReport:
    """Import the contracting processes of an OCDS file into `body`; return what was done.

    Raises OcdsFileError (nothing written) for a file that is not JSON, not OCDS or of an unknown version, and
    PermissionDenied when `user` may not publish the body's spending figures.
    """
    if user is not None and not can_publish_spending(user, body):
        raise PermissionDenied
    report = ContractImportReport()
    text_data, report.encoding = read_text(source)
    collector = Collector(report)
    for document in parse_documents(text_data):
        collector.visit(document)
    if not collector.processes and not report.errors:
        raise OcdsFileError(_("The file holds no OCDS release or record. Nothing was imported."))
    with transaction.atomic():
        for ocid, found in collector.processes.items():
            existing = ContractingProcess.objects.filter(ocid=ocid).first()
            warn = lambda message, ocid=ocid, number=found.number: report.warnings.append(  # noqa: E731
                RowError(number, ocid, message)
            )
            if existing is not None and existing.body_id != body.pk:
                report.errors.append(RowError(found.number, ocid, _("this ocid belongs to another body: left out")))
                continue
            process = existing or ContractingProcess(ocid=ocid, body=body)
            releases = combined_releases(existing.releases if existing else [], found.releases)
            state = found.compiled or compile_releases(releases)
            if ProcessWriter(ocid, warn).write(process, state, releases):
                if existing is None:
                    report.created += 1
                else:
                    report.updated += 1
                log(process, "wagtail.create" if existing is None else "wagtail.edit", user=user)
            else:
                report.unchanged += 1
    return report


# Packages the portal publishes -------------------------------------------------------------------------------


def ocds_datetime(value: date | datetime) -> str:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    return f"{value.isoformat()}T00:00:00Z"


def ocds_value(amount: Decimal | None, currency: str) -> dict | None:
    return {"amount": amount, "currency": currency} if amount is not None and currency else None


def portal_release(process: ContractingProcess, *, compiled: bool = False) -> dict:
    """Return the release the portal writes from a process's fields (one typed by staff, or the compiled state
    of an imported one). Its `id` changes only when the process does (its updated_at)."""
    body = process.body
    buyer = {"id": str(body.uuid), "name": str(body.name)}
    parties: dict[str, dict] = {buyer["id"]: {**buyer, "roles": ["buyer"]}}
    awards = []
    for award in process.awards.all():
        entry: dict[str, Any] = {"id": award.award_id}
        if award.title:
            entry["title"] = award.title
        if award.status in codelist("awardStatus"):
            entry["status"] = award.status
        if award.date:
            entry["date"] = ocds_datetime(award.date)
        if value := ocds_value(award.value, award.currency):
            entry["value"] = value
        if award.supplier is not None:
            supplier = award.supplier
            reference = {"id": str(supplier.uuid), "name": supplier.public_name}
            party: dict[str, Any] = {**reference, "roles": ["supplier"]}
            if supplier.identifier and not supplier.is_private_person:
                party["identifier"] = {"id": supplier.identifier, "legalName": supplier.name}
            parties.setdefault(reference["id"], party)
            entry["suppliers"] = [reference]
        awards.append(entry)
    contracts = [portal_contract(contract, awards) for contract in process.contracts.all()]
    tags = ["compiled"] if compiled else ["tender", *(["award"] if awards else []), *(["contract"] if contracts else [])]
    release: dict[str, Any] = {
        "ocid": process.ocid,
        "id": f"{process.ocid}-{process.updated_at.astimezone(UTC):%Y%m%dT%H%M%S%f}",
        "date": ocds_datetime(process.updated_at),
        "tag": tags,
        "initiationType": "tender",
        "parties": list(parties.values()),
        "buyer": buyer,
        "tender": portal_tender(process),
    }
    if awards:
        release["awards"] = awards
    if contracts:
        release["contracts"] = contracts
    return release


def portal_tender(process: ContractingProcess) -> dict:
    tender: dict[str, Any] = {"id": process.ocid, "title": process.title}
    if process.description:
        tender["description"] = process.description
    if process.status:
        tender["status"] = process.status
    if process.method:
        tender["procurementMethod"] = process.method
    if value := ocds_value(process.value, process.currency):
        tender["value"] = value
    period = {
        name: ocds_datetime(day)
        for name, day in (("startDate", process.tender_start), ("endDate", process.tender_end))
        if day
    }
    if period:
        tender["tenderPeriod"] = period
    return tender


def portal_contract(contract: Contract, awards: list[dict]) -> dict:
    # awardID is required: a contract typed without one refers to the process's first award.
    award_id = contract.award_id or (awards[0]["id"] if awards else contract.contract_id)
    entry: dict[str, Any] = {"id": contract.contract_id, "awardID": award_id}
    if contract.title:
        entry["title"] = contract.title
    if contract.status in codelist("contractStatus"):
        entry["status"] = contract.status
    if contract.date_signed:
        entry["dateSigned"] = ocds_datetime(contract.date_signed)
    period = {
        name: ocds_datetime(day)
        for name, day in (("startDate", contract.start_date), ("endDate", contract.end_date))
        if day
    }
    if period:
        entry["period"] = period
    if value := ocds_value(contract.value, contract.currency):
        entry["value"] = value
    if contract.amendments:
        entry["amendments"] = contract.amendments
    if contract.implementation:
        entry["implementation"] = contract.implementation
    return entry


def with_package_data(queryset):
    """`queryset` of processes with what their releases are written from fetched in a few queries."""
    return queryset.select_related("body").prefetch_related("awards__supplier", "contracts")


def releases_of(process: ContractingProcess) -> list[dict]:
    """The releases published for a process: those imported, else the one the portal writes."""
    return list(process.releases) or [portal_release(process)]


def compiled_release(process: ContractingProcess) -> dict:
    if not process.releases:
        return portal_release(process, compiled=True)
    releases = in_date_order(process.releases)
    compiled = compile_releases(releases)
    latest = releases[-1]["date"]
    compiled.update(id=f"{process.ocid}-compiled-{latest}", date=latest, tag=["compiled"])
    return compiled


def package_metadata(*, uri: str, published_date: datetime, license: str, publication_policy: str) -> dict:
    package: dict[str, Any] = {
        "uri": uri,
        "version": OCDS_VERSION,
        "publishedDate": ocds_datetime(published_date),
        "publisher": {"name": settings.WAGTAIL_SITE_NAME},
    }
    if license:
        package["license"] = license
    if publication_policy:
        package["publicationPolicy"] = publication_policy
    return package


def release_package(
    processes: Iterable[ContractingProcess],
    *,
    uri: str,
    published_date: datetime,
    license: str = "",
    publication_policy: str = "",
) -> dict:
    """Return an OCDS 1.1 release package of `processes` (with body, awards and their suppliers, contracts
    prefetched). Amounts are Decimals: write it with exactjson.dumps."""
    package = package_metadata(
        uri=uri, published_date=published_date, license=license, publication_policy=publication_policy
    )
    package["releases"] = [release for process in processes for release in releases_of(process)]
    return package


def record_package(
    processes: Iterable[ContractingProcess],
    *,
    uri: str,
    published_date: datetime,
    license: str = "",
    publication_policy: str = "",
) -> dict:
    """Return an OCDS 1.1 record package: one record per process, its releases and compiled release."""
    package = package_metadata(
        uri=uri, published_date=published_date, license=license, publication_policy=publication_policy
    )
    package["records"] = [
        {"ocid": process.ocid, "releases": releases_of(process), "compiledRelease": compiled_release(process)}
        for process in processes
    ]
    return package


# Validation against the vendored schemas ------------------------------------------------------------------


@cache
def schema_validator(name: str):
    """Return a Draft 4 validator of the vendored schema `name` ("release-package-schema.json"…), its references
    to the other OCDS schemas resolved from the vendored files, never over the network."""
    from jsonschema import Draft4Validator
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT4

    schemas = {path.name: json.loads(path.read_text(encoding="utf-8")) for path in SCHEMA_DIR.glob("*.json")}
    registry: Registry = Registry().with_resources(
        (schema["id"], Resource.from_contents(schema, default_specification=DRAFT4)) for schema in schemas.values()
    )
    return Draft4Validator(schemas[name], registry=registry)


def schema_errors(package: dict, name: str) -> list[str]:
    """Return what in `package` breaks the vendored schema `name` (empty when valid)."""
    # The schema's types are JSON's: Decimals are numbers there.
    data = json.loads(exactjson.dumps(package))
    return [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in schema_validator(name).iter_errors(data)
    ]
