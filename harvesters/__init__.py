"""Scheduled, idempotent imports from internal systems (CKAN, CSV/XLSX, feeds, GeoJSON)."""
