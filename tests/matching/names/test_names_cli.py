from collections.abc import Callable

from click.testing import Result


def test_explain_person(oad: Callable[..., Result]) -> None:
    output = oad("names", "explain", "许家印").output
    assert "kind: person" in output
    assert "hui" in output and "xu jiayin" in output


def test_explain_company(oad: Callable[..., Result]) -> None:
    output = oad("names", "explain", "重庆市长江实业有限公司", "--kind", "company").output
    assert "places: 重庆" in output
    assert "trade: 长江" in output
    assert "legal_form: LTD" in output


def test_explain_company_shows_its_digits_as_written_first(oad: Callable[..., Result]) -> None:
    output = oad("names", "explain", "1001制作有限公司", "--kind", "company").output
    assert "blocking_keys: 1001, " in output


def test_help_has_an_example(oad: Callable[..., Result]) -> None:
    assert "oad names explain 许家印" in oad("names", "explain", "--help").output
    assert "Example:" in oad("names", "--help").output


def test_explain_person_shows_readings_by_system(oad: Callable[..., Result]) -> None:
    output = oad("names", "explain", "林绍良", "--kind", "person").output
    assert "readings:" in output
    assert "hokkien (Wikipedia: Sudono Salim) sioe" in output
    assert "tongyong pinyin" in output and "hokkien liong" in output
    assert "hokkien (Wikipedia: Lin (surname)): lim, liem" in output
