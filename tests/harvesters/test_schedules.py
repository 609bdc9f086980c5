"""Harvest schedules: cron checked field by field, read back in words, and run the same way by Celery."""

import pytest
from celery.schedules import crontab
from django.core.exceptions import ValidationError
from django.utils import translation

from harvesters.schedules import cron_fields, describe_cron, validate_cron


class ValidateCronTestCase:
    @pytest.mark.parametrize(
        ("text", "numbers"),
        [
            ("0 3 * * *", "0 3 * * *"),
            ("  */15   *  * * * ", "*/15 * * * *"),
            ("30 6 * * MON", "30 6 * * 1"),
            ("30 6 * * Mon-Fri", "30 6 * * 1-5"),
            ("0 2 1 jan,jul *", "0 2 1 1,7 *"),
            ("0 2 1 january *", "0 2 1 1 *"),
            ("0-30/5 9-17 * * 1-5", "0-30/5 9-17 * * 1-5"),
            ("0 0 * * 7", "0 0 * * 0"),
            ("0 0 * * 5-7", "0 0 * * 0,5,6"),
            ("0 0 * * 0-7", "0 0 * * *"),
            ("59 23 31 12 *", "59 23 31 12 *"),
            ("0 */6 1,15 * *", "0 */6 1,15 * *"),
        ],
    )
    def test_it_accepts_cron_and_writes_it_in_numbers(self, text, numbers):
        assert validate_cron(text) == numbers

    def test_it_hands_celery_fields_it_runs_the_same_way(self):
        fields = cron_fields("15 6 * * sun,SAT")
        assert fields == {
            "minute": "15",
            "hour": "6",
            "day_of_month": "*",
            "month_of_year": "*",
            "day_of_week": "0,6",
        }
        schedule = crontab(**fields)
        assert schedule.day_of_week == {0, 6}
        assert crontab(**cron_fields("0 0 * * 7")).day_of_week == {0}
        assert crontab(**cron_fields("*/20 9-17/4 * jul *")).hour == {9, 13, 17}

    @pytest.mark.parametrize(
        ("text", "message"),
        [
            ("0 3 * *", "A schedule has five fields separated by spaces"),
            ("0 3 * * * *", "this one has 6"),
            ("", "this one has 0"),
            ("@daily", "“@daily” is not accepted: write the five fields"),
            ("61 * * * *", "The minute field “61” is not valid: minutes run from 0 to 59."),
            ("0 24 * * *", "The hour field “24” is not valid: hours run from 0 to 23."),
            ("0 0 0 * *", "The day of the month field “0” is not valid: days of the month run from 1 to 31."),
            ("0 0 32 * *", "The day of the month field “32”"),
            ("0 0 * 13 *", "The month field “13” is not valid: months run from 1 to 12 or JAN to DEC."),
            ("0 0 * foo *", "The month field “foo”"),
            ("0 0 * * 8", "The day of the week field “8” is not valid"),
            ("0 0 * * funday", "The day of the week field “funday”"),
            ("0 0 * jan-mon *", "The month field “jan-mon”"),
            ("*/0 * * * *", "a step of 0 does not fit"),
            ("*/90 * * * *", "a step of 90 does not fit"),
            ("5/15 * * * *", "a step goes after * or a range"),
            ("1,,2 * * * *", "write a number, a range such as 1-5"),
            ("-5 * * * *", "The minute field “-5”"),
            ("0 0 * * fri-mon", "the range fri-mon runs backwards"),
            ("0 0 1 * mon", "Give days of the month or days of the week, not both"),
        ],
    )
    def test_it_says_which_field_is_wrong(self, text, message):
        with pytest.raises(ValidationError) as caught:
            validate_cron(text)
        assert message in caught.value.messages[0]
        assert caught.value.code == "invalid_cron"


class DescribeCronTestCase:
    @pytest.mark.parametrize(
        ("text", "words"),
        [
            ("0 3 * * *", "Every day at 03:00"),
            ("*/15 * * * *", "Every 15 minutes"),
            ("* * * * *", "Every minute"),
            ("30 6 * * MON", "Every Monday at 06:30"),
            ("30 6 * * 1-5", "Every Monday to Friday at 06:30"),
            ("0 8 * * 1,3,5", "Every Monday, Wednesday and Friday at 08:00"),
            ("0 9 * * 7", "Every Sunday at 09:00"),
            ("0 2 1 * *", "On day 1 of every month at 02:00"),
            ("0 3 1,15 * *", "On days 1 and 15 of every month at 03:00"),
            ("0 2 1 jan,jul *", "On day 1 of January and July at 02:00"),
            ("5 * * * *", "Every hour at minute 5"),
            ("15 */2 * * *", "Every 2 hours at minute 15"),
            ("0 6,18 * * *", "Every day at 06:00 and 18:00"),
            ("*/10 * * * 1-5", "Every 10 minutes, on Monday to Friday"),
            ("5 * 1 * *", "Every hour at minute 5, on day 1 of every month"),
        ],
    )
    def test_it_reads_common_forms_as_a_sentence(self, text, words):
        assert describe_cron(text) == words

    @pytest.mark.parametrize(
        ("text", "words"),
        [
            (
                "0-30/5 9-17 * * 1-5",
                "Minutes: every 5 from 0 to 30; hours: 9 to 17; days of the week: Monday to Friday",
            ),
            ("* 3 * * *", "Every minute; hours: 3"),
            ("0 0-23/8 * 3-5 *", "Minutes: 0; hours: every 8 from 0 to 23; months: March to May"),
            ("0,10,20,30,40,50 1,2 * * *", "Minutes: 0, 10, 20, 30, 40 and 50; hours: 1 and 2"),
        ],
    )
    def test_it_reads_other_forms_field_by_field(self, text, words):
        assert describe_cron(text) == words

    def test_it_names_days_and_months_in_the_language_of_the_page(self):
        with translation.override("ar"):
            assert "الاثنين" in describe_cron("30 6 * * MON")
            assert "يناير" in describe_cron("0 2 1 jan *")
        with translation.override("fr"):
            assert "lundi" in describe_cron("30 6 * * MON")

    def test_it_returns_an_invalid_schedule_as_written(self):
        assert describe_cron("0 25 * * *") == "0 25 * * *"
