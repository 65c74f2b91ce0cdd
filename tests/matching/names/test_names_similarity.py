import pytest

from matching.names import company_similarity, person_keys, person_similarity
from matching.names.keys import person_name_readings

MATCH = 0.9
NO_MATCH = 0.6


@pytest.mark.parametrize(
    ("debtor", "foreign"),
    [
        ("陈大文", "CHAN Tai Man"),
        ("張學友", "CHEUNG Hok Yau"),
        ("张学友", "CHEUNG Hok Yau"),
        ("王国强", "WONG Kwok Keung"),
        ("黄国强", "WONG Kwok Keung"),
        ("单立平", "SHAN Liping"),
        ("王小明", "WANG Xiaoming"),
        ("王小明", "Xiao-Ming WANG"),
        ("王小明", "Wang, Xiao Ming"),
        ("陈大文", "Peter CHAN Tai-man"),
        ("欧阳春", "AU YEUNG Chun"),
        ("林郑月娥", "LAM CHENG Yuet-ngor"),
        ("曾志伟", "TSANG Chi Wai"),
        ("许家印", "HUI Ka Yan"),
        ("许家印", "Xu Jiayin"),
        ("张伟", "Chang Wei"),
        ("陈美玲", "TAN Mei Ling"),
        ("陈大文", "陳大文"),
        ("CHAN Tai Man", "Chan Tai-man"),
        ("沈娟", "SHEN Juan"),  # a surname the table does not list: its Mandarin reading
        ("庄伟", "ZHUANG Wei"),
        ("吕飞玉", "LYU Feiyu"),  # ü as Chinese passports write it
        ("吕飞玉", "LV Feiyu"),  # and as many Chinese systems do
        ("张绿新", "ZHANG Lvxin"),  # ü within a run-together given name
        ("张绿新", "ZHANG Lyuxin"),
    ],
)
def test_person_matches(debtor: str, foreign: str) -> None:
    score = person_similarity(debtor, foreign)
    assert score.score >= MATCH, score
    assert any(a.startswith("surname") for a in score.agreed)


@pytest.mark.parametrize(
    ("debtor", "foreign", "surname"),
    [
        ("王小明", "WANG Xiaomin", None),  # 明 ≠ 敏
        ("刘洋", "YANG Liu", None),  # all-caps YANG is the surname: that is 杨柳
        ("刘洋", "Yang, Liu", None),
        ("刘洋", "Yang Liu", "YANG"),
        ("陈大文", "CHAN Siu Ming", None),
        ("陈大文", "WONG Tai Man", None),
        ("单立平", "DAN Liping", None),  # 单 as a surname is Shan, not dan
        ("陈大文", "李大文", None),
    ],
)
def test_person_non_matches(debtor: str, foreign: str, surname: str | None) -> None:
    assert person_similarity(debtor, foreign, surname).score < NO_MATCH


def test_shared_surname_different_given_scores_clearly_below_a_match() -> None:
    true = person_similarity("王小明", "WANG Xiaoming").score
    false = person_similarity("王小明", "WANG Xiaomin").score
    assert true - false >= 0.3


def test_unmarked_surname_may_be_either_end() -> None:
    assert person_similarity("刘洋", "Yang Liu").score >= MATCH


def test_person_keys_share_blocking_keys_across_scripts() -> None:
    han = person_keys("张学友")
    latin = person_keys("CHEUNG Hok Yau")
    assert han.surname_keys & latin.surname_keys
    assert han.full_keys & latin.full_keys


@pytest.mark.parametrize(
    ("debtor", "foreign"),
    [
        ("深圳恒大科技有限公司", "Shenzhen Hengda Technology Co., Ltd."),
        ("恒大地产集团有限公司", "Evergrande Real Estate Group Limited"),
        ("重庆市长江实业有限公司", "Chongqing Changjiang Industrial Co Ltd"),
        ("大豐工程有限公司", "TAI FUNG ENGINEERING COMPANY LIMITED"),
        ("中華汽車服務有限公司", "CHUNG WAH AUTO SERVICES LIMITED"),
        ("安盛保險有限公司", "AXA INSURANCE LIMITED"),
        ("深圳恒大科技有限公司", "深圳恒大科技有限公司"),
        ("HENGDA TECHNOLOGY LIMITED", "Hengda Technology Ltd"),
        ("ABC Trading 有限公司", "ABC TRADING LIMITED"),  # Han in its legal form alone
        ("TCL科技集团股份有限公司", "TCL TECHNOLOGY GROUP CORPORATION"),
    ],
)
def test_company_matches(debtor: str, foreign: str) -> None:
    score = company_similarity(debtor, foreign)
    assert score.score >= 0.6, score
    assert score.agreed


@pytest.mark.parametrize(
    ("debtor", "foreign"),
    [
        ("深圳恒大科技有限公司", "Guangzhou Hengda Technology Co Ltd"),  # different region
        ("深圳恒大科技有限公司", "Shenzhen Wanda Trading Co Ltd"),
        ("大豐工程有限公司", "GOLDEN DRAGON TRADING LIMITED"),
        ("深圳恒大科技有限公司", "广州恒大科技有限公司"),
        ("ABC贸易有限公司", "ABC HOLDINGS LIMITED"),
    ],
)
def test_company_non_matches(debtor: str, foreign: str) -> None:
    # a shared city alone scores about 0.36 (深圳 Shenzhen is well learned): below the 0.4 level
    assert company_similarity(debtor, foreign).score < 0.4


def test_han_names_alike_in_their_latin_letters_alone_are_not_the_same_name() -> None:
    # as two Latin names, ABC and ABC, these scored 1.0
    assert company_similarity("ABC贸易有限公司", "ABC科技有限公司").score <= 0.6
    assert company_similarity("ABC贸易有限公司", "ABC贸易有限公司").score == 1.0


def test_region_conflict_costs_more_than_its_words() -> None:
    right = company_similarity("深圳恒大科技有限公司", "Shenzhen Hengda Technology Co Ltd")
    wrong = company_similarity("深圳恒大科技有限公司", "Guangzhou Hengda Technology Co Ltd")
    assert right.score - wrong.score >= 0.4


def test_person_similarity_reads_names_without_working_out_their_blocking_keys() -> None:
    # scoring a run's person pairs works out only the readings: the blocking keys (every
    # spelling and sound of the given name) cost more and are the features' business
    before = person_keys.cache_info().misses
    score = person_similarity("周润发", "Chow Yunfat")  # a spelling no other test reads
    assert person_keys.cache_info().misses == before
    readings = person_name_readings("CHOW Yun Fat")
    assert readings == (person_keys("CHOW Yun Fat").han_readings,
                        person_keys("CHOW Yun Fat").latin_readings)  # fmt: skip
    assert score.score == 1.0
