"""A fake CKAN 2.10 action API for FixtureServer, built from a list of package dicts.

It answers what a harvest asks, as CKAN does: the envelope `{help, success, result}`, errors as
`{help, success: false, error: {__type, message}}` with CKAN's statuses, both /api/action/ (where ckanapi POSTs
JSON, redirects off) and /api/3/action/, and package_search's q, fq (`organization:`, `groups:`, `name:`,
`metadata_modified:[X TO *]`), rows (at most 1000, as CKAN's `ckan.search.rows_max`), start, sort and fl.
"""

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from .servers import Reply, Request

ROWS_MAX = 1000
# One term of a filter query: `+field:value`, `field:"a value"` or `field:[low TO high]`.
TERM = re.compile(r'\+?([\w.]+):(\[[^\]]*\]|"[^"]*"|\S+)')
BASE = datetime(2024, 1, 1, 8, 0, tzinfo=UTC)


def ckan_time(moment: datetime) -> str:
    """A timestamp as CKAN writes metadata_modified: UTC, microseconds, no offset."""
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds")


def parse_time(text: str) -> datetime:
    text = text.strip().replace("Z", "+00:00")
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def package(number: int, *, organization: str = "commune", modified: datetime | None = None, **fields) -> dict:
    """A package dict as CKAN 2.10's package_show gives it (one CSV resource, one tag, one group)."""
    identifier = f"00000000-0000-4000-8000-{number:012d}"
    moment = modified or BASE + timedelta(minutes=number, microseconds=123456)
    result = {
        "id": identifier,
        "name": f"dataset_{number}",
        "title": f"Jeu de données {number}",
        "notes": f"Description du jeu {number}.",
        "type": "dataset",
        "state": "active",
        "private": False,
        "license_id": "cc-by",
        "license_title": "Creative Commons Attribution",
        "license_url": "http://www.opendefinition.org/licenses/cc-by",
        "metadata_created": ckan_time(BASE),
        "metadata_modified": ckan_time(moment),
        "maintainer_email": "data@example.org",
        "version": "1.0",
        "organization": {"id": f"org-{organization}", "name": organization, "title": organization.title()},
        "owner_org": f"org-{organization}",
        "groups": [{"id": "g-econ", "name": "economy", "title": "Economy"}],
        "tags": [{"id": "t-budget", "name": "budget", "display_name": "budget", "state": "active"}],
        "extras": [{"key": "frequency", "value": "http://publications.europa.eu/resource/authority/frequency/ANNUAL"}],
        "resources": [
            {
                "id": f"r-{number}",
                "package_id": identifier,
                "name": f"Données {number}",
                "description": "",
                "format": "CSV",
                "mimetype": "text/csv",
                "url": f"https://files.example.org/{number}.csv",
                "position": 0,
                "state": "active",
            }
        ],
        "num_resources": 1,
        "num_tags": 1,
    }
    result.update(fields)
    return result


def synthetic_packages(count: int, *, organization: str = "commune", multilingual: bool = False) -> list[dict]:
    """`count` packages of one organisation, modified a minute apart (the benchmark's 10,000)."""
    packages = [package(number, organization=organization) for number in range(1, count + 1)]
    if multilingual:
        for item in packages:
            make_multilingual(item)
    return packages


def make_multilingual(item: dict) -> dict:
    """The package as a ckanext-fluent / scheming portal gives it: title and notes as dicts of languages."""
    number = int(item["id"].rsplit("-", 1)[-1])
    item["title"] = {"ar": f"مجموعة بيانات {number}", "fr": f"Jeu de données {number}"}
    item["title_translated"] = item["title"]
    item["notes"] = {"ar": "وصف", "fr": f"Description du jeu {number}."}
    item["notes_translated"] = item["notes"]
    for resource in item["resources"]:
        resource["name"] = {"ar": f"بيانات {number}", "fr": resource["name"]}
    return item


class Failure:
    """The ways a CKAN fails in these tests."""

    SUCCESS_FALSE = "success-false"  # HTTP 200, success: false (a plugin's error, as some portals do)
    HTML = "html"  # a web page (a proxy's error page, a portal that is not CKAN)
    SERVER_ERROR = "500"  # HTTP 500 with CKAN's HTML error page


@dataclass
class CkanFixture:
    """The app: `CkanFixture(packages)` is given to FixtureServer (or the `serve` fixture)."""

    packages: list[dict]
    organizations: dict[str, dict] = field(default_factory=dict)
    supports_fl: bool = True  # before 2.9, CKAN ignored fl and gave whole dicts
    failure: str = ""  # one of Failure's, for every action
    fail_after: int = 0  # with failure: the number of action calls answered well first
    calls: list[tuple[str, dict]] = field(default_factory=list)

    def __post_init__(self):
        for item in self.packages:
            organization = item.get("organization") or {}
            if organization.get("name"):
                self.organizations.setdefault(organization["name"], organization)

    def __call__(self, request: Request) -> Reply:
        for prefix in ("/api/3/action/", "/api/action/"):
            if request.path.startswith(prefix):
                action = request.path.removeprefix(prefix)
                break
        else:
            return Reply("<html><body>Not found</body></html>", status=404, content_type="text/html")
        params = self.params(request)
        self.calls.append((action, params))
        if self.failure and len(self.calls) > self.fail_after:
            return self.failed(action)
        handler = getattr(self, f"action_{action}", None)
        if handler is None:
            return self.error(action, 400, "Bad request - Action name not known: " + action, kind="")
        try:
            return self.success(action, handler(params))
        except LookupError as error:
            return self.error(action, 404, str(error.args[0]), kind="Not Found Error")
        except ValueError as error:
            return self.error(action, 409, str(error), kind="Search Query Error")

    @staticmethod
    def params(request: Request) -> dict[str, Any]:
        data: dict[str, Any] = {name: values[0] for name, values in request.query.items()}
        if request.body:
            try:
                body = json.loads(request.body)
            except ValueError:
                body = {}
            if isinstance(body, dict):
                data.update(body)
        return data

    def help(self, action: str) -> str:
        return f"http://ckan.example/api/3/action/help_show?name={action}"

    def success(self, action: str, result) -> Reply:
        return Reply.json({"help": self.help(action), "success": True, "result": result})

    def error(self, action: str, status: int, message: str, kind: str) -> Reply:
        if not kind:  # CKAN answers an unknown action with a bare message
            return Reply.json({"help": self.help(action), "success": False, "error": {"message": message}}, status)
        return Reply.json(
            {"help": self.help(action), "success": False, "error": {"__type": kind, "message": message}}, status
        )

    def failed(self, action: str) -> Reply:
        if self.failure == Failure.SUCCESS_FALSE:
            body = {"help": self.help(action), "success": False, "error": {"message": "Internal plugin failure"}}
            return Reply.json(body, 200)
        page = "<!DOCTYPE html><html><body><h1>Server Error</h1></body></html>"
        status = 500 if self.failure == Failure.SERVER_ERROR else 200
        return Reply(page, status=status, content_type="text/html; charset=utf-8")

    # Actions --------------------------------------------------------------------------------------------------

    def action_site_read(self, params) -> bool:
        return True

    def action_status_show(self, params) -> dict:
        return {"ckan_version": "2.10.4", "site_title": "Fixture CKAN", "site_url": "http://ckan.example"}

    def action_package_list(self, params) -> list[str]:
        return sorted(item["name"] for item in self.packages)

    def action_package_show(self, params) -> dict:
        key = params.get("id") or params.get("name_or_id") or ""
        for item in self.packages:
            if key in (item["id"], item["name"]):
                return item
        raise LookupError("Not found")

    def action_organization_show(self, params) -> dict:
        key = params.get("id", "")
        for organization in self.organizations.values():
            if key in (organization.get("id"), organization.get("name")):
                return {**organization, "package_count": sum(1 for p in self.packages if self.owned(p, key))}
        raise LookupError("Not found")

    @staticmethod
    def owned(item: dict, organization: str) -> bool:
        owner = item.get("organization") or {}
        return organization in (owner.get("name"), owner.get("id"))

    def action_package_search(self, params) -> dict:
        rows = min(int(params.get("rows", 10)), ROWS_MAX)
        start = int(params.get("start", 0))
        if rows < 0 or start < 0:
            raise ValueError("Search Query is invalid: rows and start must be positive")
        matched = [
            item
            for item in self.packages
            if self.matches_q(item, params.get("q", "")) and self.matches_fq(item, params.get("fq", ""))
        ]
        matched.sort(**self.sort_key(params.get("sort") or "score desc, metadata_modified desc"))
        page = matched[start : start + rows]
        fields = params.get("fl")
        if fields and self.supports_fl:
            names = fields if isinstance(fields, list) else fields.replace(",", " ").split()
            page = [{name: self.solr_value(item, name) for name in names if name in item} for item in page]
        return {"count": len(matched), "results": page, "facets": {}, "search_facets": {}, "sort": params.get("sort")}

    @staticmethod
    def solr_value(item: dict, name: str):
        """A field as package_search's `fl` gives it: from the Solr index, whose dates have milliseconds and "Z"."""
        if name in ("metadata_modified", "metadata_created"):
            return parse_time(item[name]).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        return item[name]

    @staticmethod
    def matches_q(item: dict, q: str) -> bool:
        q = q.strip()
        if q in ("", "*:*"):
            return True
        text = json.dumps([item.get("name"), item.get("title"), item.get("notes")], ensure_ascii=False).casefold()
        return all(word.casefold() in text for word in q.split())

    def matches_fq(self, item: dict, fq: str) -> bool:
        rest = TERM.sub("", fq).strip()
        if rest:
            raise ValueError(f"Search Query is invalid: {rest}")
        for name, value in TERM.findall(fq):
            value = value.strip('"')
            if name == "organization":
                if not self.owned(item, value):
                    return False
            elif name == "groups":
                if value not in {group.get("name") for group in item.get("groups", [])}:
                    return False
            elif name == "name":
                if item["name"] != value:
                    return False
            elif name == "metadata_modified":
                low, _to, high = value.strip("[]").partition(" TO ")
                if high.strip() != "*":
                    raise ValueError(f"Search Query is invalid: {value}")
                if parse_time(item["metadata_modified"]) < parse_time(low):
                    return False
            else:
                raise ValueError(f"Search Query is invalid: unknown field {name}")
        return True

    @staticmethod
    def sort_key(sort: str) -> dict:
        field_name, _space, order = sort.split(",")[0].strip().partition(" ")
        if field_name == "score":
            field_name, order = "metadata_modified", "desc"
        if field_name not in ("id", "name", "metadata_modified", "title"):
            raise ValueError(f"Search Query is invalid: cannot sort by {field_name}")
        return {"key": lambda item: str(item.get(field_name)), "reverse": order.strip() == "desc"}
