import pytest

from tests.cms.builders import council


@pytest.fixture
def council_page(commune):
    """The commune's council (an Arabic page tree under the home page)."""
    return council(commune, slug="apc-test")
