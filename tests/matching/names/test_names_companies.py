import pytest

from matching.names.companies import parse_chinese_company, parse_english_company
from matching.names.keys import candidate_map
from matching.names.legal_forms import english_words, strip_chinese_form, strip_english_form
from matching.names.word_tables import places_in_english


@pytest.mark.parametrize(
    ("name", "rest", "form"),
    [
        ("深圳恒大科技有限公司", "深圳恒大科技", "LTD"),
        ("中国平安保险(集团)股份有限公司", "中国平安保险(集团)", "JSC"),
        ("北京某某有限责任公司", "北京某某", "LLC"),
    ],
)
def test_strip_chinese_form(name: str, rest: str, form: str) -> None:
    assert strip_chinese_form(name) == (rest, (form,))


@pytest.mark.parametrize(
    ("name", "rest", "form"),
    [
        ("Guangzhou Hengda Technology Co., Ltd.", ("guangzhou", "hengda", "technology"), "LTD"),
        ("ABC HOLDINGS LIMITED", ("abc", "holdings"), "LTD"),
        ("Lion Pte. Ltd.", ("lion",), "PTE_LTD"),
        ("Harimau Sdn. Bhd.", ("harimau",), "SDN_BHD"),
        ("Acme Inc.", ("acme",), "INC"),
        ("Acme LLC", ("acme",), "LLC"),
        ("Cayman Fund SPC", ("cayman", "fund"), "EXEMPTED"),
        ("ABC LIMITED LIMITED", ("abc",), "LTD"),  # repeatedly
        ("ABC Limited Partnership", ("abc",), "LP"),  # the longest form ending in the word
        ("ABC Trading Co Ltd", ("abc", "trading"), "LTD"),
        ("Company Limited", ("company",), "LTD"),  # a name is never emptied
    ],
)
def test_strip_english_form(name: str, rest: tuple[str, ...], form: str) -> None:
    words, forms = strip_english_form(english_words(name))
    assert words == rest
    assert form in forms


@pytest.mark.parametrize(
    ("name", "places", "trade", "industry"),
    [
        ("重庆市长江实业有限公司", ("重庆",), "长江", ("实业",)),
        ("深圳市腾讯计算机系统有限公司", ("深圳",), "腾讯", ("计算机", "系统")),
        ("深圳恒大科技有限公司", ("深圳",), "恒大", ("科技",)),
        ("俊天（香港）有限公司", ("香港",), "俊天", ()),
        ("美國瑞斯特製藥集團(香港)有限公司", ("美国", "香港"), "瑞斯特", ("制药", "集团")),
    ],
)
def test_parse_chinese_company(
    name: str, places: tuple[str, ...], trade: str, industry: tuple[str, ...]
) -> None:
    parts = parse_chinese_company(name)
    assert (parts.places, parts.trade, parts.industry) == (places, trade, industry)


@pytest.mark.parametrize(
    ("name", "implied", "not_implied"),
    [
        # the place by its table, the trade name by its sounds, nothing by the place's sounds
        ("香港波子玻璃厂有限公司", {"hongkong", "hk", "bo", "bochi"}, {"heung", "gong", "kongbo"}),
        # the industry word by its table, not by its sounds nor run into the trade name's
        ("昌达发展有限公司", {"cheongtat", "changda", "development"}, {"fazhan", "tatfat"}),
    ],
)
def test_only_the_trade_name_is_read_as_sounds(
    name: str, implied: set[str], not_implied: set[str]
) -> None:
    # as sure as a reading (the lexicon may still lend a place's character a word, less surely)
    words = {word for word, (weight, _) in candidate_map(name).items() if weight >= 0.9}
    assert implied <= words
    assert not (not_implied & words)


def test_parse_english_company() -> None:
    parts = parse_english_company("THE CONWELL & DEVELOPMENT (HONG KONG) LIMITED (d1997-04-25)")
    assert parts.words == ("conwell", "development", "hong", "kong")
    assert parts.places == ("香港",)
    assert parts.legal_form == "LTD"
    assert parts.dissolved


def test_the_indexs_dated_note_is_no_word_of_the_name() -> None:
    # a real index row (SP_10): the note's date is the company's incorporation date
    parts = parse_english_company("ALLIED POWER LIMITED (b2017-12-01)")
    assert parts.words == ("allied", "power") and not parts.dissolved


@pytest.mark.parametrize(
    ("words", "places"),
    [
        (("hong", "kong"), ("香港",)),
        (("kowloon", "hong", "kong", "trading"), ("九龙", "香港")),  # longest spelling first
        (("hong",), ()),  # the start of a spelling alone names nothing
        (("new", "york", "hong"), ()),
        (("shenzhen", "guangzhou", "shenzhen"), ("深圳", "广州")),  # each place once
    ],
)
def test_places_in_english(words: tuple[str, ...], places: tuple[str, ...]) -> None:
    assert places_in_english(words) == places
