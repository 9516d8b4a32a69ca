"""Every expectation in the suites has the SQL that quarantines its unexpected rows."""

import pytest

from buyer_messaging.quality.suites import SUITES, unexpected_keys


@pytest.mark.parametrize(
    ("suite", "class_name", "kwargs"),
    [(suite, cls, kw) for suite, entries in SUITES.items() for cls, kw in entries],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_every_expectation_translates_to_sql(suite, class_name, kwargs):
    from psycopg2 import sql

    assert isinstance(unexpected_keys("SELECT 1", class_name, kwargs), sql.Composed)


def test_an_expectation_without_sql_is_refused_not_skipped():
    with pytest.raises(ValueError, match="no SQL"):
        unexpected_keys("SELECT 1", "ExpectColumnValuesToBeIncreasing", {"column": "x"})
