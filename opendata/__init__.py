"""Datasets and spending data: catalogue, previews, downloads, CKAN action API and DCAT."""
