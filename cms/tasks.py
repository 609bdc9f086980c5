"""Celery entry points of the cms app: each loads its objects again and calls one domain function."""
