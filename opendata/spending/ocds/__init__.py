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

from .importer import ContractImportReport, OcdsFileError, import_contracts
from .packages import record_package, release_package, with_package_data
from .standard import OCDS_VERSION, OCDS_VERSIONS, schema_errors

__all__ = [
    "OCDS_VERSION",
    "OCDS_VERSIONS",
    "ContractImportReport",
    "OcdsFileError",
    "import_contracts",
    "record_package",
    "release_package",
    "schema_errors",
    "with_package_data",
]
