"""One agency, one line per year: printed names resolved to one identity (issue 18).

The pairs below are names real reports print — taken from the reports, openings, excerpts
and prose files in ``../shared/reports`` (titles, opening sentences, catalogs) — and the
regular variants the same agencies print in other years or places (with or without the
city, 人民政府 or 政府办, Traditional characters, brackets). Each pair is marked by hand:
``same`` (one agency: one id), ``different`` (never merged) or ``ambiguous`` (the first
name alone fits several agencies: no id, its candidates listed).
"""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import RAW, SHARED_REPORTS, shared_report

import shaoyang_report as sr
from shaoyang_report.cli import main
from shaoyang_report.publish.year_briefing import default_agency

SAME, DIFFERENT, AMBIGUOUS = "same", "different", "ambiguous"

PAIRS = [
    # the two Hongze PDFs' titles, 2023 and 2024
    ("洪泽区人民政府", "淮安市洪泽区人民政府", SAME),
    ("洪泽区", "淮安市洪泽区人民政府", SAME),
    ("洪泽区人民政府", "淮安市人民政府", DIFFERENT),
    # 邵阳市: the 2020 text prints 邵阳市, the 2023 opening 邵阳市人民政府; the 2020 office's opening
    ("邵阳市", "邵阳市人民政府", SAME),
    ("邵阳市人民政府", "邵阳市人民政府办公室", DIFFERENT),
    ("邵阳市人民政府办公室", "邵阳市政府办", SAME),
    ("邵阳市", "邵阳县", DIFFERENT),
    ("邵阳市", "北塔区", DIFFERENT),
    ("北塔区", "邵阳市北塔区人民政府", SAME),
    ("邵阳县(交通运输局)", "邵阳县交通运输局", SAME),
    ("邵阳县(交通运输局)", "邵阳县人民政府", DIFFERENT),
    ("邵阳市文化旅游广电体育局", "邵阳市人民政府", DIFFERENT),
    ("邵阳经济技术开发区", "邵阳经开区", SAME),
    ("城步县金紫乡", "金紫乡", SAME),
    ("金紫乡", "城步县人民政府", DIFFERENT),
    ("邵东市牛马司镇", "牛马司镇人民政府", SAME),
    ("绥宁县人民政府", "绥宁县", SAME),
    # excerpts and prose files
    ("沅陵縣二酉苗族鄉(xiāng)人民政府", "沅陵县二酉乡", SAME),
    ("西安市閻良區機關事務服務中心", "西安市阎良区机关事务服务中心", SAME),
    ("西安市阎良区文化旅游局", "西安市阎良区信访局", DIFFERENT),
    ("西安市阎良区文化旅游局", "阎良区文化和旅游局", SAME),
    ("西安市高陵区行政审批服务局", "高陵区", DIFFERENT),
    ("高陵区", "西安市高陵区人民政府", SAME),
    ("上海市科委", "上海市科学技术委员会", SAME),
    ("上海市科委", "上海市人民政府", DIFFERENT),
    ("廣州市人民政府辦公廳", "广州市人民政府办公厅", SAME),
    ("广州市人民政府办公厅", "广州市人民政府", DIFFERENT),
    ("重庆市大足区人民政府办公室", "大足区政府办", SAME),
    ("番禺区人民政府办公室", "广州市番禺区人民政府办公室", SAME),
    ("番禺区人民政府办公室", "番禺区人民政府", DIFFERENT),
    ("龙游县人民政府办公室", "龙游县政府办公室", SAME),
    ("合江县人民政府办公室", "合江县人民政府", DIFFERENT),
    ("石家庄市桥西区中山街道办事处", "桥西区中山街道", SAME),
    ("官洲街道办事处", "广州市海珠区官洲街道", SAME),
    ("北坡鎮", "遂溪县北坡镇", SAME),
    ("会仪镇人民政府", "绥江县会仪镇", SAME),
    ("西柳镇人民政府", "海城市西柳镇", SAME),
    ("渔洋镇", "潜江市渔洋镇", SAME),
    ("衡阳市衡东县杨林镇", "衡东县杨林镇人民政府", SAME),
    ("左贡县人民政府", "左贡县", SAME),
    # names alone that fit several agencies: never merged on a guess
    ("城中区人民政府", "西宁市城中区人民政府", AMBIGUOUS),
    ("大庙乡", "竹山县大庙乡", AMBIGUOUS),
    ("河东镇", "陆丰市河东镇", AMBIGUOUS),
    ("中山街道办事处", "石家庄市桥西区中山街道办事处", AMBIGUOUS),
    ("杨林镇", "衡阳市衡东县杨林镇", AMBIGUOUS),
    ("区发改局", "审计局", AMBIGUOUS),
]


def test_the_pair_table_is_large_enough():
    assert len(PAIRS) >= 40
    assert {kind for *_, kind in PAIRS} == {SAME, DIFFERENT, AMBIGUOUS}


@pytest.mark.parametrize(("a", "b", "kind"), PAIRS, ids=[f"{a}~{b}" for a, b, _ in PAIRS])
def test_printed_names_resolve_as_marked(a, b, kind):
    first, second = sr.resolve_agency(a), sr.resolve_agency(b)
    if kind == SAME:
        assert first.agency_id is not None and first.agency_id == second.agency_id, (first, second)
        assert not first.ambiguous and not second.ambiguous
    elif kind == DIFFERENT:
        assert first.agency_id != second.agency_id or first.agency_id is None, (first, second)
    else:
        assert first.ambiguous and first.agency_id is None, first
        assert second.agency_id is None or second.agency_id in first.candidates or not first.candidates, (first, second)


def test_an_identity_says_what_it_is_and_why():
    found = sr.resolve_agency("淮安市洪泽区人民政府")
    assert (found.agency_id, found.division_code, found.division_level, found.organ) == (
        "320813/人民政府", "320813", "county", "人民政府")
    assert found.division == "江苏省淮安市洪泽区" and "洪泽区" in found.evidence and not found.ambiguous
    town = sr.resolve_agency("城步县金紫乡")
    assert (town.division_level, town.division_code, town.agency_id) == ("township", "430529", "430529/金紫乡/人民政府")
    vague = sr.resolve_agency("城中区人民政府")  # 城中区 is a district of 西宁 and of 柳州
    assert vague.ambiguous and vague.agency_id is None and len(vague.candidates) == 2
    assert "ambiguous" in vague.evidence


def test_the_report_text_decides_an_ambiguous_name():
    assert sr.resolve_agency("城中区人民政府", context=["青海省西宁市城中区人民政府2024年政府信息公开工作年度报告"]
                             ).agency_id == sr.resolve_agency("西宁市城中区人民政府").agency_id
    # a name that prints no division takes the one its text names
    found = sr.resolve_agency("区发改局", context=["2020年西安市高陵区发改局政府信息公开工作年度报告"])
    assert found.division == "陕西省西安市高陵区" and found.organ == "发展改革局"


def test_a_renamed_division_keeps_its_id():
    """JioNLP's change list records 湖北省襄樊市 → 襄阳市 (2010-12-09)."""
    old, new = sr.resolve_agency("襄樊市人民政府"), sr.resolve_agency("襄阳市人民政府")
    assert old.agency_id == new.agency_id is not None
    assert "renamed" in old.evidence


def test_an_alias_overrides_the_resolver():
    found = sr.resolve_agency("审计局", aliases={"审计局": "610117/审计局"})
    assert found.agency_id == "610117/审计局" and found.division == "陕西省西安市高陵区" and found.evidence == "alias"


# ---------------------------------------------------------------------------- the real corpus
@pytest.fixture(scope="module")
def corpus():
    return sr.read_reports(SHARED_REPORTS, progress=False)


def test_one_agency_one_id_across_names_and_years(corpus):
    reports = corpus.reports.set_index("report_id")
    hongze = reports.loc[["hongze_district_2023", "hongze_district_2024"]]
    assert hongze.agency_printed.tolist() == ["洪泽区人民政府", "淮安市洪泽区人民政府"]  # as the PDFs print
    assert set(hongze.agency_id) == {"320813/人民政府"} and set(hongze.organ) == {"人民政府"}
    city = reports.loc[["shaoyang_city_2019", "shaoyang_city_2020", "shaoyang_city_2021", "shaoyang_city_2023"]]
    assert set(city.agency_id) == {"430500/人民政府"} and set(city.division_code) == {"430500"}
    assert reports.loc["shaoyang_city_office_2020", "agency_id"] == "430500/人民政府办公室"


def test_compare_years_by_any_name(corpus):
    for name in ("洪泽区", "淮安市洪泽区人民政府", "洪泽区人民政府", "320813/人民政府"):
        comparison = sr.compare_years(corpus, name)
        permits = comparison[comparison.indicator == "permit_decisions"].set_index("year")
        assert permits.loc[2023, "value"] == 550 and permits.loc[2024, "value"] == 9487  # typed from the two PDFs
        assert permits.loc[2024, "change_abs"] == 9487 - 550
        assert comparison.attrs["names"] == {2023: "洪泽区人民政府", 2024: "淮安市洪泽区人民政府"}


def test_an_ambiguous_query_lists_its_candidates(tmp_path):
    for name in ("大庙乡", "河东镇"):
        (tmp_path / f"{name}.txt").write_text(f"{name}2021年政府信息公开工作年度报告\n一、总体情况\n", "utf-8")
    corpus = sr.read_reports(tmp_path, progress=False)
    assert corpus.reports.agency_id.isna().all()  # neither is merged with anything
    with pytest.raises(ValueError, match="is ambiguous"):
        sr.compare_years(corpus, "城中区")


def test_every_name_the_corpus_uses(corpus):
    table = sr.agencies(corpus)
    hongze = table[table.agency_id == "320813/人民政府"]
    assert set(hongze.agency_printed) == {"洪泽区人民政府", "淮安市洪泽区人民政府"} and hongze.reports.sum() == 2
    vague = table[table.agency == "城中区人民政府"].iloc[0]
    assert vague.agency_ambiguous and pd.isna(vague.agency_id) and "630103/人民政府" in vague.agency_candidates


def test_the_briefing_picks_the_agency_with_most_comparable_years(tmp_path):
    """邵阳市 has three files of 2019, 2021 and 2023 (no consecutive pair); 洪泽区 two, 2023 and 2024."""
    import shutil

    for name in ("shaoyang_city_2019_opening.txt", "shaoyang_city_2021_opening.txt", "shaoyang_city_2023_opening.txt"):
        shutil.copy(RAW / "openings" / name, tmp_path / name)
    for name in ("hongze_district_2023.pdf", "hongze_district_2024.pdf"):
        shutil.copy(shared_report(f"huaian/{name}"), tmp_path / name)
    (tmp_path / "catalog.csv").write_text(
        "report_id,agency,year,local_file\n" + "".join(
            f"{p.stem},{'邵阳市' if 'shaoyang' in p.name else '洪泽区'},{p.stem[-4:] if 'hongze' in p.name else p.stem[14:18]},"
            f"{p.name}\n" for p in sorted(tmp_path.iterdir()) if p.suffix in (".txt", ".pdf")), "utf-8")
    corpus = sr.read_reports(tmp_path, progress=False)
    assert default_agency(corpus) == "320813/人民政府"


# ---------------------------------------------------------------------------- folders
def test_catalogs_in_sub_folders_apply_to_their_folders(corpus):
    reports = corpus.reports.set_index("report_id")
    # shaoyang/catalog.csv names the openings: its ids, its agency names and its years
    assert reports.loc["chengbu_jinzi_township_2021", "agency"] == "城步县金紫乡"
    assert reports.loc["shaoyang_city_2019", "year"] == 2019


def test_a_file_two_catalogs_name_is_an_error_naming_both(tmp_path):
    import shutil

    sub = tmp_path / "city"
    sub.mkdir()
    shutil.copy(RAW / "shaoyang_city_2020.txt", sub / "report.txt")
    (tmp_path / "catalog.csv").write_text("report_id,agency,year,local_file\nouter,邵阳市,2020,city/report.txt\n", "utf-8")
    (sub / "catalog.csv").write_text("report_id,agency,year,local_file\ninner,邵阳市,2020,report.txt\n", "utf-8")
    corpus = sr.read_reports(tmp_path, progress=False)
    assert len(corpus) == 0 and len(corpus.errors) == 1
    message = corpus.errors.error.iloc[0]
    assert "named by two catalogs" in message and str(tmp_path / "catalog.csv") in message
    assert str(sub / "catalog.csv") in message and "outer" in message and "inner" in message


def test_agency_aliases_beside_a_catalog(tmp_path):
    (tmp_path / "a.txt").write_text("审计局2022年政府信息公开工作年度报告\n一、总体情况\n", "utf-8")
    (tmp_path / "b.txt").write_text("审计局2023年政府信息公开工作年度报告\n一、总体情况\n", "utf-8")
    assert sr.read_reports(tmp_path, progress=False).reports.agency_id.isna().all()  # no division: not merged
    (tmp_path / "agency_aliases.csv").write_text("name,agency_id\n审计局,610117/审计局\n", "utf-8")
    corpus = sr.read_reports(tmp_path, progress=False)
    assert corpus.reports.agency_id.tolist() == ["610117/审计局", "610117/审计局"]
    assert set(corpus.reports.agency_evidence) == {"alias"}


def test_every_file_in_a_folder_is_accounted_for(tmp_path, capsys):
    import shutil
    import zipfile

    shutil.copy(RAW / "shaoyang_city_2020.txt", tmp_path / "report.txt")
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500)
    (tmp_path / "old.doc").write_bytes(ole + "WordDocument".encode("utf-16-le"))
    (tmp_path / "table.xls").write_bytes(ole + "Workbook".encode("utf-16-le"))
    for name, member in (("report.ofd", "OFD.xml"), ("several.zip", "a.pdf")):
        with zipfile.ZipFile(tmp_path / name, "w") as z:
            z.writestr(member, "x")
    (tmp_path / "page.mhtml").write_text("From: <Saved by Blink>\nMIME-Version: 1.0\n"
                                         "Content-Type: multipart/related;\n\ttype=\"text/html\"\n", "utf-8")
    (tmp_path / "README.md").write_text("notes", "utf-8")
    corpus = sr.read_reports(tmp_path, progress=False)
    assert len(corpus) == 1
    # each kind that is read is read (issue 21): these, damaged, are an error each that names their kind
    errors = dict(zip((p.split("/")[-1] for p in corpus.errors.path), corpus.errors.error))
    assert set(errors) == {"old.doc", "table.xls", "report.ofd", "several.zip!a.pdf", "page.mhtml"}
    for name, kind in (("table.xls", "Excel 97-2003 workbook"), ("report.ofd", "OFD document"),
                       ("page.mhtml", "web archive (.mhtml)")):
        assert kind in errors[name], errors[name]
    if shutil.which("soffice"):
        assert "Word 97-2003 document" in errors["old.doc"]
    assert "not a 政府信息公开工作年度报告" in errors["several.zip!a.pdf"]  # the zip's member, read by its content
    kinds = dict(zip((p.split("/")[-1] for p in corpus.skipped.path), corpus.skipped.kind))
    assert kinds == {"README.md": "notes"}
    assert main(["check", str(tmp_path)]) == 1  # files that could not be read
    out = capsys.readouterr().out
    assert "跳过 1 个文件：" in out and "README.md — 说明文件" in out


def test_the_identity_columns_are_as_the_dictionary_declares(corpus):
    from shaoyang_report import dictionary

    dictionary.validate(corpus.reports[dictionary.columns("identity")], "identity")
