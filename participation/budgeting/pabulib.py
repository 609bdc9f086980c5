"""Read and write Pabulib `.pb` files, the open format of participatory-budgeting elections.

The format (pabulib.org, "Pabulib: A Participatory Budgeting Library", arXiv:2012.06539) is three
`;`-separated sections in this order, each a line with its name and then a header line:

    META        key;value               budget, num_projects, num_votes, vote_type, ...
    PROJECTS    project_id;cost;...     one row per project (name, votes, selected, category, ...)
    VOTES       voter_id;vote;...       one row per ballot: project ids joined by ","; "points" too
                                        for cumulative and scoring ballots

`read_pb` checks everything a tally relies on and raises `PabulibError` naming the line, so that an
administrator who uploads a file hears what is wrong and where, instead of a wrong result. It reads
line by line and keeps one small object per ballot, so a file of a million ballots is read in one pass.

Money stays exact: costs and the budget are `Decimal` here and exact rationals in pabutools.
"""

from __future__ import annotations

import csv
import io
import os
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from pathlib import Path
from typing import IO, Any

SECTIONS = ("meta", "projects", "votes")
REQUIRED_META = ("budget", "num_projects", "num_votes", "vote_type")
VOTE_TYPES = ("approval", "choose-1", "cumulative", "scoring", "ordinal")
POINTS_VOTE_TYPES = ("cumulative", "scoring")
# Pabulib marks a project withdrawn after the vote with this cost (see the library's README).
WITHDRAWN_COST = Decimal(999999999)
# Project columns that have their own attribute on `PbProject`; every other column goes to `extra`.
PROJECT_FIELDS = ("project_id", "cost", "name", "votes", "selected")
VOTE_FIELDS = ("voter_id", "vote", "points")
# The META keys the writer puts first, in the order Pabulib's own files use.
META_ORDER = (
    "description",
    "country",
    "unit",
    "subunit",
    "instance",
    "num_projects",
    "num_votes",
    "budget",
    "vote_type",
    "rule",
)


class PabulibError(ValueError):
    """A `.pb` file that cannot be tallied: `str()` is the message, `line` the 1-based line at fault
    (None when the file is empty), so callers write `FILE:LINE: message` as compilers do."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass(slots=True)
class PbProject:
    project_id: str
    cost: Decimal
    name: str = ""
    votes: int | None = None
    # 1 funded, 2 funded with extra money, 0 not funded, None when the file has no such column.
    selected: int | None = None
    extra: dict[str, str] = field(default_factory=dict)
    line: int | None = None

    @property
    def withdrawn(self) -> bool:
        return self.cost == WITHDRAWN_COST

    @property
    def funded(self) -> bool:
        return self.selected in (1, 2)


@dataclass(slots=True)
class PbVote:
    voter_id: str
    projects: tuple[str, ...]
    # One value per project for cumulative and scoring ballots, else None.
    points: tuple[Decimal, ...] | None = None
    extra: dict[str, str] | None = None


@dataclass
class Election:
    meta: dict[str, str]
    projects: list[PbProject]
    votes: list[PbVote]
    # 1-based line of each META key, so later checks can point at the right line.
    meta_lines: dict[str, int] = field(default_factory=dict)

    @property
    def budget(self) -> Decimal:
        return _decimal(self.meta["budget"])

    @property
    def vote_type(self) -> str:
        return self.meta["vote_type"]

    def project(self, project_id: str) -> PbProject:
        for project in self.projects:
            if project.project_id == project_id:
                return project
        raise KeyError(project_id)


def _decimal(text: str) -> Decimal:
    """Return the number in `text`; Pabulib files from some countries use a decimal comma."""
    value = Decimal(text.strip().replace(",", "."))
    if not value.is_finite():
        raise InvalidOperation(text)
    return value


def _decoded_lines(stream: IO[bytes]) -> Iterator[str]:
    """Yield the text lines of `stream`, UTF-8 with an optional BOM; a bad byte names its line."""
    for number, raw in enumerate(stream, start=1):
        if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise PabulibError(
                f"not UTF-8 text (byte {raw[exc.start]:#04x} at column {exc.start + 1}); save the file as UTF-8",
                line=number,
            ) from None


class _Reader:
    """One pass over the rows of a `.pb` file; `rows()` yields (line number, fields)."""

    def __init__(self, stream: IO[bytes]) -> None:
        self._lines = _decoded_lines(stream)
        self._csv = csv.reader(self._lines, delimiter=";")
        self.line = 0

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        while True:
            first = self._csv.line_num + 1
            try:
                row = next(self._csv)
            except StopIteration:
                return
            except csv.Error as exc:
                raise PabulibError(f"unreadable row: {exc}", line=first) from None
            self.line = self._csv.line_num
            if not row or (len(row) == 1 and not row[0].strip()):
                continue
            yield first, row


def read_pb(source: str | os.PathLike[str] | IO[bytes] | bytes) -> Election:
    """Return the election in a `.pb` file (a path, bytes or a binary stream).

    Raises PabulibError, with the line at fault, for anything a tally would get wrong: sections
    missing or out of order, missing META keys, rows of the wrong width, costs that are not numbers,
    unknown or repeated ids, counts that disagree with META, unparsable points, bad UTF-8.
    """
    if isinstance(source, bytes):
        return _read(io.BytesIO(source))
    if isinstance(source, (str, os.PathLike)):
        with Path(source).open("rb") as stream:
            return _read(stream)
    return _read(source)


def _read(stream: IO[bytes]) -> Election:
    reader = _Reader(stream)
    rows = reader.rows()
    meta: dict[str, str] = {}
    meta_lines: dict[str, int] = {}
    projects: list[PbProject] = []
    by_id: dict[str, str] = {}  # id -> the same id string, shared by every ballot naming it
    votes: list[PbVote] = []
    section_index = -1
    header: list[str] = []
    vote_type = ""
    seen_voters: set[str] = set()

    for line, row in rows:
        name = row[0].strip().lower()
        # A section's line is its name alone; spreadsheets add empty cells ("META;;").
        if name in SECTIONS and not any(cell.strip() for cell in row[1:]):
            index = SECTIONS.index(name)
            if index != section_index + 1:
                if index <= section_index:
                    raise PabulibError(f"section {name.upper()} appears twice or out of order", line)
                missing = SECTIONS[section_index + 1].upper()
                raise PabulibError(f"section {missing} is missing before {name.upper()}", line)
            if name == "projects":
                vote_type = _check_meta(meta, meta_lines, line)
            section_index = index
            header = _read_header(rows, name, vote_type, line)
            continue
        if section_index < 0:
            raise PabulibError("the file must start with a META section", line)
        section = SECTIONS[section_index]
        if len(row) != len(header):
            raise PabulibError(f"{section.upper()} row has {len(row)} fields, the header has {len(header)}", line)
        if section == "meta":
            key = row[0].strip()
            if key in meta:
                raise PabulibError(f"META key {key!r} appears twice", line)
            meta[key] = row[1].strip()
            meta_lines[key] = line
        elif section == "projects":
            project = _project(header, row, line)
            if project.project_id in by_id:
                raise PabulibError(f"project id {project.project_id!r} appears twice", line)
            by_id[project.project_id] = project.project_id
            projects.append(project)
        else:
            vote = _vote(header, row, line, vote_type, by_id)
            if vote.voter_id in seen_voters:
                raise PabulibError(f"voter id {vote.voter_id!r} appears twice", line)
            seen_voters.add(vote.voter_id)
            votes.append(vote)

    last = max(reader.line, 1)
    if section_index < 0:
        raise PabulibError("the file is empty; it must start with a META section", last)
    if section_index < len(SECTIONS) - 1:
        missing = SECTIONS[section_index + 1].upper()
        raise PabulibError(f"section {missing} is missing", last)
    _check_counts(meta, meta_lines, "num_projects", len(projects), "projects")
    _check_counts(meta, meta_lines, "num_votes", len(votes), "ballots")
    return Election(meta=meta, projects=projects, votes=votes, meta_lines=meta_lines)


def _read_header(rows: Iterator[tuple[int, list[str]]], section: str, vote_type: str, section_line: int) -> list[str]:
    try:
        line, header = next(rows)
    except StopIteration:
        raise PabulibError(f"section {section.upper()} has no header line", section_line) from None
    header = [column.strip() for column in header]
    expected = {"meta": "key", "projects": "project_id", "votes": "voter_id"}[section]
    if header[0] != expected:
        raise PabulibError(f"{section.upper()} header must start with {expected!r}, not {header[0]!r}", line)
    if len(set(header)) != len(header):
        raise PabulibError(f"{section.upper()} header repeats a column", line)
    if section == "meta" and header != ["key", "value"]:
        raise PabulibError("META header must be 'key;value'", line)
    if section == "projects" and "cost" not in header:
        raise PabulibError("PROJECTS header has no 'cost' column", line)
    if section == "votes":
        if "vote" not in header:
            raise PabulibError("VOTES header has no 'vote' column", line)
        if vote_type in POINTS_VOTE_TYPES and "points" not in header:
            raise PabulibError(f"VOTES header has no 'points' column, needed by {vote_type} ballots", line)
    return header


def _check_meta(meta: dict[str, str], meta_lines: dict[str, int], projects_line: int) -> str:
    """Check META once it is complete and return the vote type."""
    missing = [key for key in REQUIRED_META if key not in meta]
    if missing:
        raise PabulibError(f"META lacks {', '.join(missing)}", projects_line)
    try:
        budget = _decimal(meta["budget"])
    except InvalidOperation:
        raise PabulibError(f"budget {meta['budget']!r} is not a number", meta_lines["budget"]) from None
    if budget < 0:
        raise PabulibError("budget is negative", meta_lines["budget"])
    for key in ("num_projects", "num_votes"):
        if not meta[key].isdigit():
            raise PabulibError(f"{key} {meta[key]!r} is not a whole number", meta_lines[key])
    vote_type = meta["vote_type"]
    if vote_type not in VOTE_TYPES:
        raise PabulibError(f"vote_type {vote_type!r} is not one of {', '.join(VOTE_TYPES)}", meta_lines["vote_type"])
    return vote_type


def _check_counts(meta: dict[str, str], meta_lines: dict[str, int], key: str, counted: int, what: str) -> None:
    if int(meta[key]) != counted:
        raise PabulibError(f"{key} is {meta[key]} but the file has {counted} {what}", meta_lines[key])


def _project(header: list[str], row: list[str], line: int) -> PbProject:
    values = dict(zip(header, (value.strip() for value in row), strict=True))
    project_id = values["project_id"]
    if not project_id:
        raise PabulibError("project without an id", line)
    try:
        cost = _decimal(values["cost"])
    except InvalidOperation:
        raise PabulibError(f"cost {values['cost']!r} of project {project_id!r} is not a number", line) from None
    if cost < 0:
        raise PabulibError(f"cost of project {project_id!r} is negative", line)
    votes = _optional_int(values.get("votes"), "votes", project_id, line)
    selected = _optional_int(values.get("selected"), "selected", project_id, line)
    extra = {key: value for key, value in values.items() if key not in PROJECT_FIELDS}
    return PbProject(
        project_id=project_id,
        cost=cost,
        name=values.get("name", ""),
        votes=votes,
        selected=selected,
        extra=extra,
        line=line,
    )


def _optional_int(text: str | None, column: str, project_id: str, line: int) -> int | None:
    if text is None or text == "" or text.lower() == "none":
        return None
    try:
        return int(Decimal(text))
    except InvalidOperation:
        raise PabulibError(f"{column} {text!r} of project {project_id!r} is not a number", line) from None


def _vote(header: list[str], row: list[str], line: int, vote_type: str, by_id: dict[str, str]) -> PbVote:
    voter_id = row[0].strip()
    if not voter_id:
        raise PabulibError("ballot without a voter id", line)
    vote_index = header.index("vote")
    chosen: list[str] = []
    text = row[vote_index].strip()
    for part in text.split(",") if text else ():
        project_id = part.strip()
        try:
            chosen.append(by_id[project_id])
        except KeyError:
            raise PabulibError(f"ballot of voter {voter_id!r} names unknown project {project_id!r}", line) from None
    if len(set(chosen)) != len(chosen):
        raise PabulibError(f"ballot of voter {voter_id!r} names a project twice", line)
    if vote_type == "choose-1" and len(chosen) > 1:
        raise PabulibError(f"choose-1 ballot of voter {voter_id!r} names {len(chosen)} projects", line)
    points: tuple[Decimal, ...] | None = None
    if vote_type in POINTS_VOTE_TYPES:
        points = _points(row[header.index("points")], len(chosen), voter_id, line)
    extra = None
    if len(header) > 2:
        extra = {
            key: value.strip()
            for key, value in zip(header, row, strict=True)
            if key not in VOTE_FIELDS and value.strip()
        } or None
    return PbVote(voter_id=voter_id, projects=tuple(chosen), points=points, extra=extra)


def _points(text: str, expected: int, voter_id: str, line: int) -> tuple[Decimal, ...]:
    parts = [part.strip() for part in text.split(",")] if text.strip() else []
    if len(parts) != expected:
        raise PabulibError(f"ballot of voter {voter_id!r} gives {len(parts)} points for {expected} projects", line)
    try:
        points = tuple(Decimal(part) for part in parts)
    except InvalidOperation:
        raise PabulibError(f"points {text.strip()!r} of voter {voter_id!r} are not numbers", line) from None
    if any(not value.is_finite() or value < 0 for value in points):
        raise PabulibError(f"points {text.strip()!r} of voter {voter_id!r} must be positive numbers", line)
    return points


def _number(value: Decimal | Fraction | int) -> str:
    """Return `value` as Pabulib writes numbers: plain digits, never an exponent."""
    if isinstance(value, Fraction):
        if value.denominator != 1:
            raise ValueError(f"{value} cannot be written as a decimal cost")
        return str(value.numerator)
    if isinstance(value, Decimal):
        text = format(value, "f")
        return text
    return str(value)


def write_pb(meta: dict[str, Any], projects: Iterable[PbProject], votes: Iterable[PbVote]) -> str:
    """Return the `.pb` text of an election; `read_pb` and pabutools' `parse_pabulib` read it back.

    num_projects and num_votes are counted, not taken from `meta`. Project columns are the union of
    the projects' fields in first-seen order; fields containing ";" or quotes are quoted.
    """
    output = io.StringIO()
    write_pb_to(output, meta, projects, votes)
    return output.getvalue()


def write_pb_to(output: IO[str], meta: dict[str, Any], projects: Iterable[PbProject], votes: Iterable[PbVote]) -> None:
    """Write the `.pb` text to `output`, a ballot at a time (see `write_pb`)."""
    projects = list(projects)
    votes = votes if isinstance(votes, list) else list(votes)
    writer = csv.writer(output, delimiter=";", lineterminator="\n")
    meta = {key: _number(value) if isinstance(value, Decimal) else str(value) for key, value in meta.items()}
    meta["num_projects"] = str(len(projects))
    meta["num_votes"] = str(len(votes))
    vote_type = meta.setdefault("vote_type", "approval")
    ordered = [key for key in META_ORDER if key in meta] + [key for key in meta if key not in META_ORDER]
    writer.writerow(["META"])
    writer.writerow(["key", "value"])
    for key in ordered:
        writer.writerow([key, meta[key]])

    columns = ["project_id", "cost"]
    if any(project.name for project in projects):
        columns.append("name")
    if any(project.votes is not None for project in projects):
        columns.append("votes")
    if any(project.selected is not None for project in projects):
        columns.append("selected")
    for project in projects:
        columns.extend(key for key in project.extra if key not in columns)
    writer.writerow(["PROJECTS"])
    writer.writerow(columns)
    for project in projects:
        known = {
            "project_id": project.project_id,
            "cost": _number(project.cost),
            "name": project.name,
            "votes": "" if project.votes is None else str(project.votes),
            "selected": "" if project.selected is None else str(project.selected),
        }
        writer.writerow([known[key] if key in known else project.extra.get(key, "") for key in columns])

    vote_columns = ["voter_id", "vote"]
    if vote_type in POINTS_VOTE_TYPES:
        vote_columns.append("points")
    extra_columns: list[str] = []
    for vote in votes:
        if vote.extra:
            extra_columns.extend(key for key in vote.extra if key not in extra_columns)
    writer.writerow(["VOTES"])
    writer.writerow(vote_columns + extra_columns)
    for vote in votes:
        row = [vote.voter_id, ",".join(vote.projects)]
        if vote_type in POINTS_VOTE_TYPES:
            row.append(",".join(_number(value) for value in vote.points or ()))
        if extra_columns:
            row.extend((vote.extra or {}).get(key, "") for key in extra_columns)
        writer.writerow(row)


def to_pabutools(election: Election, *, multiprofile: bool = False) -> tuple[Any, Any]:
    """Return pabutools' (Instance, Profile) for `election`, costs and budget as exact rationals.

    Approval and choose-1 ballots give an approval profile, cumulative and scoring ballots a
    cumulative or cardinal profile, ordinal ballots an ordinal profile. With `multiprofile=True`,
    approval ballots are grouped (an `ApprovalMultiProfile`: each distinct ballot once, with how many
    voters cast it), which is how a million ballots fit in memory and tally fast.
    """
    from pabutools.election import (
        ApprovalBallot,
        ApprovalMultiProfile,
        ApprovalProfile,
        CardinalBallot,
        CardinalProfile,
        CumulativeBallot,
        CumulativeProfile,
        FrozenApprovalBallot,
        Instance,
        OrdinalBallot,
        OrdinalProfile,
        Project,
    )
    from pabutools.fractions import frac

    def exact(value: Decimal) -> Any:
        ratio = Fraction(value)
        return frac(ratio.numerator, ratio.denominator)

    instance = Instance(budget_limit=exact(election.budget))
    instance.meta = dict(election.meta)
    by_id: dict[str, Any] = {}
    categories: set[str] = set()
    targets: set[str] = set()
    for pb in election.projects:
        project = Project(pb.project_id, exact(pb.cost))
        category = pb.extra.get("category") or pb.extra.get("categories")
        if category:
            project.categories = {part.strip() for part in category.split(",")}
            categories |= project.categories
        target = pb.extra.get("target") or pb.extra.get("targets")
        if target:
            project.targets = {part.strip() for part in target.split(",")}
            targets |= project.targets
        instance.add(project)
        instance.project_meta[project] = {
            "project_id": pb.project_id,
            "cost": _number(pb.cost),
            "name": pb.name,
            **({"votes": str(pb.votes)} if pb.votes is not None else {}),
            **({"selected": str(pb.selected)} if pb.selected is not None else {}),
            **pb.extra,
        }
        by_id[pb.project_id] = project
    instance.categories = categories
    instance.targets = targets

    lengths = _legal_lengths(election.meta, len(election.projects))
    vote_type = election.vote_type
    profile: Any
    if vote_type in ("approval", "choose-1"):
        if multiprofile:
            counts = Counter(vote.projects for vote in election.votes)
            profile = ApprovalMultiProfile(instance=instance, **lengths)
            for projects, count in counts.items():
                ballot = FrozenApprovalBallot([by_id[project_id] for project_id in projects])
                profile[ballot] = profile.get(ballot, 0) + count
        else:
            profile = ApprovalProfile(
                [ApprovalBallot(by_id[project_id] for project_id in vote.projects) for vote in election.votes],
                instance=instance,
                **lengths,
            )
    elif vote_type in POINTS_VOTE_TYPES:
        ballot_class = CumulativeBallot if vote_type == "cumulative" else CardinalBallot
        profile_class = CumulativeProfile if vote_type == "cumulative" else CardinalProfile
        ballots = []
        for vote in election.votes:
            ballot = ballot_class()
            for project_id, points in zip(vote.projects, vote.points or (), strict=True):
                ballot[by_id[project_id]] = exact(points)
            ballots.append(ballot)
        profile = profile_class(ballots, instance=instance, **lengths)
    else:
        profile = OrdinalProfile(
            [OrdinalBallot([by_id[project_id] for project_id in vote.projects]) for vote in election.votes],
            instance=instance,
            **lengths,
        )
    return instance, profile


def _legal_lengths(meta: dict[str, str], num_projects: int) -> dict[str, int | None]:
    """Return the ballot-length limits of META as pabutools' profiles take them."""
    lengths: dict[str, int | None] = {}
    for key in ("min_length", "max_length"):
        value = meta.get(key, "")
        lengths[f"legal_{key}"] = int(value) if value.isdigit() else None
    if lengths["legal_min_length"] == 1:
        lengths["legal_min_length"] = None
    if (lengths["legal_max_length"] or 0) >= num_projects:
        lengths["legal_max_length"] = None
    return lengths
