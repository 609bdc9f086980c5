"""The OCDS 1.1 release and record packages the portal publishes (see the package's docstring)."""

from collections.abc import Iterable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings

from opendata.spending.models import Contract, ContractingProcess

from .standard import OCDS_VERSION, codelist, compile_releases, in_date_order


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
    tags = (
        ["compiled"] if compiled else ["tender", *(["award"] if awards else []), *(["contract"] if contracts else [])]
    )
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
