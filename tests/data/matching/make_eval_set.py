"""Builds the matching evaluation set in this folder (run from the repository root).

Companies: real Hong Kong registry rows from data/hk_companies_registry/SP_5.csv (the file the
names lexicon is NOT learned from). Each sampled row's Chinese name becomes a debtor (half of them
converted to simplified characters, as a mainland bank holds them); its English name becomes a
record, among English-named distractor rows of the same file. Persons: well-known public figures'
names with their published romanisations (Hong Kong, mainland, Taiwanese and Southeast Asian
spellings; the latter listed with the Wikipedia article that gives them), with synthetic birth
dates, plus decoys that must not link: the same name born 20 years apart, and near-miss names.

    .venv/bin/python tests/data/matching/make_eval_set.py
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

import opencc
from stdnum.cn import ric

HERE = Path(__file__).resolve().parent
SOURCE = HERE.parents[2] / "data" / "hk_companies_registry" / "SP_5.csv"
COMPANIES, DISTRACTORS, SEED = 400, 10000, 20261129

# (debtor name, record name as published abroad, record nationality)
PERSONS = [
    ("陈大文", "CHAN Tai Man", "Chinese"),
    ("张学友", "CHEUNG Hok Yau", "Chinese"),
    ("许家印", "HUI Ka Yan", "Chinese"),
    ("单立平", "SHAN Liping", "Chinese"),
    ("黄国强", "WONG Kwok Keung", "Chinese"),
    ("李嘉诚", "LI Ka Shing", "Chinese"),
    ("郑裕彤", "CHENG Yu Tung", "Chinese"),
    ("刘德华", "LAU Tak Wah", "Chinese"),
    ("梁朝伟", "LEUNG Chiu Wai", "Chinese"),
    ("周润发", "CHOW Yun Fat", "Chinese"),
    ("何鸿燊", "HO Hung Sun", "Chinese"),
    ("霍英东", "FOK Ying Tung", "Chinese"),
    ("欧阳明", "AU YEUNG Ming", "Chinese"),
    ("曾荫权", "TSANG Yam Kuen", "Chinese"),
    ("梁振英", "LEUNG Chun Ying", "Chinese"),
    ("董建华", "TUNG Chee Hwa", "Chinese"),
    ("李兆基", "LEE Shau Kee", "Chinese"),
    ("郑家纯", "CHENG Kar Shun", "Chinese"),
    ("王健林", "WANG Jianlin", "Chinese"),
    ("孙宏斌", "SUN Hongbin", "Chinese"),
    ("黄光裕", "HUANG Guangyu", "Chinese"),
    ("许荣茂", "HUI Wing Mau", "Chinese"),
    ("王小明", "Xiaoming WANG", "Chinese"),
    ("张伟", "ZHANG, Wei", "Chinese"),
    ("林郑月娥", "LAM CHENG Yuet Ngor", "Chinese"),
    ("吴光正", "WOO Kwong Ching", "Chinese"),
    # Southeast Asian and Taiwanese spellings (Hokkien, Teochew, Hakka, Dutch-era Indonesian,
    # Wade-Giles without apostrophes, Gwoyeu Romatzyh, one-off spellings), each as the English
    # Wikipedia article named in the comment gives the person's name.
    ("林绍良", "Liem Sioe Liong", "Indonesian"),  # Sudono Salim
    ("郭鹤年", "KUOK Hock Nien", "Malaysian"),  # Robert Kuok
    ("黄奕聪", "Oei Ek Tjhong", "Indonesian"),  # Eka Tjipta Widjaja
    ("王永庆", "WANG Yung-ching", "Taiwanese"),  # Wang Yung-ching
    ("蔡英文", "Tsai Ing-wen", "Taiwanese"),  # Tsai Ing-wen
    ("李光耀", "Lee Kuan Yew", "Singaporean"),  # Lee Kuan Yew
    ("吴作栋", "Goh Chok Tong", "Singaporean"),  # Goh Chok Tong
    ("蒋经国", "Chiang Ching-kuo", "Taiwanese"),  # Chiang Ching-kuo
    ("马英九", "MA Ying-jeou", "Taiwanese"),  # Ma Ying-jeou
    ("李登辉", "Lee Teng-hui", "Taiwanese"),  # Lee Teng-hui
    ("郭台铭", "GOU Tai-ming", "Taiwanese"),  # Terry Gou
    ("张忠谋", "CHANG Chung-mou", "Taiwanese"),  # Morris Chang
    ("黄仁勋", "HUANG Jen-hsun", "American"),  # Jensen Huang
    ("蔡衍明", "TSAI Eng-meng", "Taiwanese"),  # Tsai Eng-meng
    ("李显龙", "LEE Hsien Loong", "Singaporean"),  # Lee Hsien Loong
    ("黄循财", "WONG Shyun Tsai", "Singaporean"),  # Lawrence Wong
    ("陈嘉庚", "TAN Kah Kee", "Singaporean"),  # Tan Kah Kee
    ("胡文虎", "AW Boon Haw", "Singaporean"),  # Aw Boon Haw
    ("郭令灿", "QUEK Leng Chan", "Malaysian"),  # Quek Leng Chan
    ("郭令明", "KWEK Leng Beng", "Singaporean"),  # Kwek Leng Beng
    ("黄祖耀", "WEE Cho Yaw", "Singaporean"),  # Wee Cho Yaw
    ("杨忠礼", "YEOH Tiong Lay", "Malaysian"),  # Yeoh Tiong Lay
    ("林梧桐", "LIM Goh Tong", "Malaysian"),  # Lim Goh Tong
    ("邱德拔", "KHOO Teck Puat", "Singaporean"),  # Khoo Teck Puat
    ("黄廷方", "NG Teng Fong", "Singaporean"),  # Ng Teng Fong
    ("吴庆瑞", "GOH Keng Swee", "Singaporean"),  # Goh Keng Swee
    ("陈江和", "TAN Kang Hoo", "Indonesian"),  # Sukanto Tanoto
    ("李文正", "LIE Mo Tie", "Indonesian"),  # Mochtar Riady
    ("谢国民", "CHIA Kok Min", "Thai"),  # Dhanin Chearavanont
    ("陈弼臣", "TAN Piak Chin", "Thai"),  # Chin Sophonpanich
    ("张弼士", "CHEONG Fatt Tze", "Malaysian"),  # Cheong Fatt Tze
    ("叶亚来", "YAP Ah Loy", "Malaysian"),  # Yap Ah Loy
    ("王鼎昌", "ONG Teng Cheong", "Singaporean"),  # Ong Teng Cheong
    ("黄金辉", "WEE Kim Wee", "Singaporean"),  # Wee Kim Wee
    ("萧万长", "SIEW Wan-chang", "Taiwanese"),  # Vincent Siew
    ("苏贞昌", "SU Tseng-chang", "Taiwanese"),  # Su Tseng-chang
    ("柯文哲", "KO Wen-je", "Taiwanese"),  # Ko Wen-je
    ("侯友宜", "HOU Yu-ih", "Taiwanese"),  # Hou Yu-ih
    ("游锡堃", "YU Shyi-kun", "Taiwanese"),  # Yu Shyi-kun
    ("赖清德", "LAI Ching-te", "Taiwanese"),  # Lai Ching-te
    ("林清祥", "LIM Chin Siong", "Singaporean"),  # Lim Chin Siong
    ("贺一诚", "HO Iat Seng", "Chinese"),  # Ho Iat-seng (Macau spelling)
    ("何厚铧", "HO Hau Wah", "Chinese"),  # Edmund Ho
]
# Records that must not link to the debtor named: (debtor name, decoy record name, why)
DECOYS = [
    ("王小明", "WANG Xiaomin", "different given name"),
    ("刘洋", "YANG Liu", "surname field says YANG: that is 杨柳"),
    ("张学友", "CHEUNG Hok Man", "different given name"),
]


def hk_rows() -> list[tuple[str, str, str, str]]:
    """(registration number, English name, Chinese name, incorporated) of rows with both names."""
    with SOURCE.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))[1:]
    pairs = []
    for row in rows:
        english, _, chinese = row[2].partition("\n")
        if english.strip() and chinese.strip():
            pairs.append((row[1], english.strip(), chinese.strip(), row[3]))
    return pairs


def english_only(rows: list[tuple[str, str, str, str]]) -> list[tuple[str, str, str, str]]:
    return [(number, english, "", incorporated) for number, english, _, incorporated in rows]


def person_id(index: int, born: str) -> str:
    body = f"110105{born.replace('-', '')}{index:03d}"
    return body + ric.calc_check_digit(body + "0")


def main() -> None:
    rng = random.Random(SEED)
    t2s = opencc.OpenCC("t2s")
    pairs = hk_rows()
    rng.shuffle(pairs)
    chosen = pairs[:COMPANIES]
    distractors = english_only(pairs[COMPANIES : COMPANIES + DISTRACTORS])
    debtors = [["debtor_id", "name", "kind", "id_number", "birth_date"]]
    records = [["source_id", "name", "kind", "jurisdiction", "incorporation_date", "birth_date",
                "nationality"]]  # fmt: skip
    labels = [["debtor_id", "source", "source_id", "is_match"]]
    for index, (number, _english, chinese, _incorporated) in enumerate(chosen):
        debtor_id = f"C{index:04d}"
        name = t2s.convert(chinese) if index % 2 else chinese
        debtors.append([debtor_id, name, "company", "", ""])
        labels.append([debtor_id, "hk_companies_registry", number, "1"])
    for number, english, _, incorporated in [*english_only(chosen), *distractors]:
        records.append([number, english, "company", "HK", incorporated, "", ""])
    for index, (chinese, published, nationality) in enumerate(PERSONS):
        debtor_id, born = f"P{index:03d}", f"{1950 + index}-{index % 12 + 1:02d}-15"
        debtors.append([debtor_id, chinese, "person", person_id(index, born), ""])
        records.append([f"person-{index}", published, "person", "", "", born[:7], nationality])
        records.append([f"person-{index}-old", published, "person", "", "",
                        f"{1950 + index - 20}-{index % 12 + 1:02d}", nationality])  # fmt: skip
        labels.append([debtor_id, "officers", f"person-{index}", "1"])
        labels.append([debtor_id, "officers", f"person-{index}-old", "0"])
    for index, (chinese, decoy, _) in enumerate(DECOYS):
        owner = next((f"P{i:03d}" for i, p in enumerate(PERSONS) if p[0] == chinese), None)
        debtor_id = owner or f"Q{index:03d}"
        if owner is None:
            debtors.append([debtor_id, chinese, "person", "", "1980-01-01"])
        records.append([f"decoy-{index}", decoy, "person", "", "", "", "Chinese"])
        labels.append([debtor_id, "officers", f"decoy-{index}", "0"])
    _write("debtors.csv", debtors)
    _write("hk_records.csv", [records[0], *[r for r in records[1:] if r[2] == "company"]])
    _write("person_records.csv", [records[0], *[r for r in records[1:] if r[2] == "person"]])
    _write("labels.csv", labels)


def _write(name: str, rows: list[list[str]]) -> None:
    with (HERE / name).open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)


if __name__ == "__main__":
    main()
