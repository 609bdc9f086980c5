"""Dates as exports write them: day first, ISO 8601, or the serial numbers of spreadsheets."""

import re
from datetime import date, timedelta

# Dates as councils in Algeria, Morocco, Tunisia and France write them (31/12/2024, 31-12-2024, 31.12.2024),
# ISO dates, and the serial numbers of Excel's 1900 date system when a spreadsheet's date reaches a CSV as one.
DAY_FIRST = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")
EXCEL_SERIAL = re.compile(r"\d{5}(?:\.0+)?")
EXCEL_EPOCH = date(1899, 12, 30)  # serial 1 is 1 January 1900; Excel counts a 29 February 1900 that never was


def read_date(text: str, *, excel_serials: bool = False) -> date:
    """Return the date a cell writes day first (DD/MM/YYYY, DD-MM-YYYY, DD.MM.YYYY) or as YYYY-MM-DD (a time
    after it is ignored); with `excel_serials`, also a five-digit Excel serial number. ValueError otherwise."""
    text = text.strip()
    if match := DAY_FIRST.fullmatch(text):
        day, month, year = (int(part) for part in match.groups())
        return date(year, month, day)
    if excel_serials and EXCEL_SERIAL.fullmatch(text):
        return EXCEL_EPOCH + timedelta(days=int(float(text)))
    return date.fromisoformat(text[:10] if len(text) > 10 and text[10] in "T " else text)
