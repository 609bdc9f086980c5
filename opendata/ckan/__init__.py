"""CKAN-compatible Action API: /api/3/action/<name> and /api/action/<name>."""
