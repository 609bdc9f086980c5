"""Reading OCDS files into the portal's contracting processes (see the package's docstring)."""

import codecs
import json
import re
import uuid
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from opendata.spending import exactjson
from opendata.spending.auth import can_publish_spending
from opendata.spending.models import AMOUNT_DIGITS, Award, Contract, ContractingProcess, Supplier
from portal.bodies.models import PublicBody
from portal.files import decode
from portal.importing import ImportReport, RowError, assign_changed, update_if_changed

from ..publishing import publish_spending_datasets
from .standard import (
    OCDS_VERSIONS,
    as_list,
    combined_releases,
    compile_releases,
    currencies,
    parse_datetime,
    schema_errors,
)

# OCDS date fields: `date`, `dateSigned`, `startDate`, `releaseDate`…
DATE_KEY = re.compile(r"^date|Date$")
CENTS = Decimal("0.01")
# The namespace of process_uuid: a UUID5 of the URL of the OCDS identifiers' documentation.
OCID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://standard.open-contracting.org/1.1/en/schema/identifiers/")
# Schema problems reported per release: the first few say what is wrong, a hundred would drown the report.
MAX_SCHEMA_WARNINGS = 3
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
        # Imported all the same: the staff member learns what the packages the portal republishes will carry.
        for problem in schema_errors(tidied, "release-schema.json")[:MAX_SCHEMA_WARNINGS]:
            self.warn(ocid, _("release %(id)s does not follow OCDS 1.1: %(problem)s") % {
                "id": release["id"], "problem": problem,
            })  # fmt: skip
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
            _(
                "The file declares OCDS version %(version)s; the portal reads versions %(versions)s. "
                "Nothing was imported."
            )
            % {"version": version, "versions": ", ".join(OCDS_VERSIONS)}
        )
    published = package.get("publishedDate")
    return published if isinstance(published, str) else ""


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
            if value and value not in currencies():
                warn(
                    _("%(field)s: “%(value)s” is not an ISO 4217 currency, left out") % {"field": where, "value": value}
                )
                continue
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
        implementation = contract.get("implementation")
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
            "implementation": implementation if isinstance(implementation, dict) else {},
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


def process_uuid(ocid: str) -> uuid.UUID:
    """The API id of an imported process: the same ocid gets the same id on every installation and re-import."""
    return uuid.uuid5(OCID_NAMESPACE, ocid)


# The import -------------------------------------------------------------------------------------------------


def import_contracts(source: Path | str | bytes | IO[bytes], *, body: PublicBody, user=None) -> ContractImportReport:
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
            process = existing or ContractingProcess(ocid=ocid, body=body, uuid=process_uuid(ocid))
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
    if report.created or report.updated:
        publish_spending_datasets(body)  # the body's contracts dataset, with its OCDS packages
    return report
