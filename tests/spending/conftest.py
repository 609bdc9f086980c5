from tests.spending.api_data import world

__all__ = ["world"]
