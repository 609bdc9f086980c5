"""PostgreSQL's COPY for the spending import: records as lines of COPY's text format, and a writer that sends
them from a thread of its own so that the database takes rows in while the next ones are checked."""

import operator
import os


def queued_writer(cursor):
    """psycopg's queued COPY writer (a thread sends what this one writes), its queue bounded to COPY_QUEUE blocks
    of 128 KiB (4 MiB, a few batches) instead of psycopg's 1,024 (128 MiB): memory stays flat when the database
    takes rows in more slowly than they are checked."""
    from queue import Queue

    from psycopg.copy import QueuedLibpqWriter  # PostgreSQL's driver, there when the database is

    writer = QueuedLibpqWriter(cursor)
    writer._queue = Queue(maxsize=COPY_QUEUE)  # before its first write starts the thread that reads it
    return writer


COPY_QUEUE = 32
# COPY's text format: a backslash, tab, newline or carriage return in a value is written escaped; \\N is NULL.
COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_text(batch, names: tuple[str, ...], prefix: str, *, uuids: bool = False) -> str:
    """The records of `batch` as lines of COPY's text format: with `uuids`, a random (version 4) UUID; `prefix`
    (the values every line has); the values `names`; the key. One string for the batch: psycopg's write_row,
    adapting value after value, took a fifth of the import's time. Values are written as they are, and again
    escaped in the rare batch where one holds a character COPY reads otherwise."""
    values_of = operator.itemgetter(*names, "key")
    rows = [values_of(record) for _line, record in batch]
    starts = [f"{uuid}\t{prefix}" for uuid in _random_uuids(len(rows))] if uuids else [prefix] * len(rows)
    lines = [
        "\t".join(
            [start, *[value if value.__class__ is str else "\\N" if value is None else str(value) for value in row]]
        )
        for start, row in zip(starts, rows, strict=True)
    ]
    text = "\n".join(lines) + "\n"
    tabs = (len(names) + 1 + prefix.count("\t") + uuids) * len(lines)
    backslashes = text.count("\\")  # one in each \N, unless a value has some
    if (
        text.count("\t") != tabs
        or text.count("\n") != len(lines)
        or "\r" in text
        or (backslashes and backslashes != sum(row.count(None) for row in rows))
    ):
        escaped = [
            "\t".join([start, *["\\N" if value is None else str(value).translate(COPY_ESCAPES) for value in row]])
            for start, row in zip(starts, rows, strict=True)
        ]
        text = "\n".join(escaped) + "\n"
    return text


def _random_uuids(count: int) -> list[str]:
    """`count` random version 4 UUIDs as 32 hexadecimal digits (what PostgreSQL reads), from one call to the
    system's random source, as uuid.uuid4 does for each."""
    import numpy

    random = numpy.frombuffer(os.urandom(16 * count), dtype=numpy.uint8).reshape(count, 16).copy()
    random[:, 6] = random[:, 6] & 0x0F | 0x40  # version 4
    random[:, 8] = random[:, 8] & 0x3F | 0x80  # the RFC 4122 variant
    digits = random.tobytes().hex()
    return [digits[at : at + 32] for at in range(0, 32 * count, 32)]
