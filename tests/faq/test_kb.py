"""Knowledge base loading (clear errors), YAML/CSV round trips, console-style edits."""

from __future__ import annotations

from pathlib import Path

import pytest

from faq import DuplicateIdError, KbFormatError, KnowledgeBaseError, MissingFieldError, dump_kb, load_kb, save_kb
from faq.kb import DEFAULT_KB_PATH, parse_kb_yaml
from faq.kb_csv import dump_csv, parse_csv
from faq.model import Faq

ENTRY = """
  - id: {id}
    category: 納付方法
    question: 税金をコンビニで払えますか
    variants:
      - コンビニで固定資産税を払いたい
    answer_voice: バーコード付きの納付書なら払えます。
    answer_text: バーコード付きの納付書なら全国のコンビニで払えます。
    department: 納税課
    transfer: false
"""


def test_bundled_kb_has_every_faq() -> None:
    kb = load_kb()
    assert len(kb) == 87
    assert kb.city == "みらい市"
    assert len({f.id for f in kb}) == 87
    assert {f.id for f in kb if f.transfer} == {
        "JUMIN-012",
        "KOTEI-013",
        "NOFU-006",
        "NOFU-010",
        "TAINO-004",
        "TAINO-005",
        "GENMEN-003",
    }
    assert all(f.answer_voice and f.department for f in kb)


@pytest.mark.parametrize(
    ("text", "error", "message"),
    [
        ("faqs: [\n  - id: A\n    question: [unclosed\n", KbFormatError, "invalid YAML at line"),
        ("city: x\n", KbFormatError, "list under 'faqs'"),
        ("faqs: []\n", KbFormatError, "has no FAQs"),
        (
            "faqs:" + ENTRY.format(id="NOFU-002") + ENTRY.format(id="NOFU-002"),
            DuplicateIdError,
            "duplicate FAQ id 'NOFU-002' (entries #1 and #2)",
        ),
        (
            "faqs:\n  - id: X-1\n    category: c\n    question: q\n",
            MissingFieldError,
            "FAQ #1 (X-1): missing required field(s): answer_voice, answer_text, department",
        ),
        (
            "faqs:" + ENTRY.format(id="A-1").replace("transfer: false", "transfer: maybe"),
            KbFormatError,
            "'transfer' must be true or false",
        ),
        ("faqs:" + ENTRY.format(id="A-1") + "    answer: typo\n", KbFormatError, "unknown field(s): answer"),
        ("faqs:\n  - just a string\n", KbFormatError, "expected a mapping of fields"),
    ],
)
def test_load_errors_are_clear(text: str, error: type[Exception], message: str) -> None:
    with pytest.raises(error) as caught:
        parse_kb_yaml(text, source="city.yaml")
    assert message in str(caught.value)
    assert str(caught.value).startswith("city.yaml")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeBaseError, match="cannot read"):
        load_kb(tmp_path / "nope.yaml")


def test_yaml_round_trip(tmp_path: Path) -> None:
    kb = load_kb()
    path = tmp_path / "kb.yaml"
    save_kb(kb, path)
    assert load_kb(path) == kb
    assert parse_kb_yaml(dump_kb(kb)) == kb


def test_csv_round_trip(tmp_path: Path) -> None:
    kb = load_kb()
    path = tmp_path / "kb.csv"
    save_kb(kb, path)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # BOM: Excel opens it as UTF-8
    again = load_kb(path)
    assert again == kb
    assert again.city == "みらい市"


def test_csv_from_japanese_excel(tmp_path: Path) -> None:
    """Excel saves CSV as Shift_JIS (cp932); variants are lines inside one cell; ○ means true."""
    text = (
        "id,category,question,variants,answer_voice,answer_text,department,transfer\r\n"
        'X-1,証明書,納税証明書はどこで取れますか,"納税証明書がほしい\n完納証明がほしい",窓口で取れます。,'
        "市民課の窓口で取れます。,市民税課,○\r\n"
        ",,,,,,,\r\n"
    )
    path = tmp_path / "excel.csv"
    path.write_bytes(text.encode("cp932"))
    kb = load_kb(path)
    assert len(kb) == 1
    faq = kb["X-1"]
    assert faq.variants == ("納税証明書がほしい", "完納証明がほしい")
    assert faq.transfer is True


@pytest.mark.parametrize(
    ("csv_text", "message"),
    [
        ("id,category,question\r\nA,b,c\r\n", "missing column(s) in the header: answer_voice, answer_text, department"),
        (
            "id,category,question,variants,answer_voice,answer_text,department,transfer\r\nA,b,c,,d,e,f,たぶん\r\n",
            "row 2: 'transfer' must be true/false",
        ),
        (
            "id,category,question,variants,answer_voice,answer_text,department,transfer\r\nA,b,,,d,e,f,\r\n",
            "missing required field(s): question",
        ),
    ],
)
def test_csv_errors(csv_text: str, message: str) -> None:
    with pytest.raises(KnowledgeBaseError) as caught:
        parse_csv(csv_text, source="excel.csv")
    assert message in str(caught.value)


def test_csv_text_keeps_variants_in_one_cell() -> None:
    kb = parse_kb_yaml("faqs:" + ENTRY.format(id="A-1"))
    assert '"' not in dump_csv(kb).splitlines()[1]  # header line, no quoting needed


def test_console_edits_return_new_kbs() -> None:
    kb = load_kb()
    edited = kb.upsert(Faq(**{**_fields(kb["NOFU-002"]), "question": "コンビニで払えますか"}))
    assert edited["NOFU-002"].question == "コンビニで払えますか"
    assert kb["NOFU-002"].question == "税金をコンビニで払えますか"
    assert [f.id for f in edited] == [f.id for f in kb]
    added = kb.upsert(Faq(**{**_fields(kb["NOFU-002"]), "id": "NEW-001"}))
    assert added.faqs[-1].id == "NEW-001" and len(added) == 88
    removed = kb.remove("NOFU-002")
    assert "NOFU-002" not in removed and len(removed) == 86
    with pytest.raises(KeyError):
        kb.remove("NOPE")
    with pytest.raises(DuplicateIdError):
        type(kb)(faqs=(kb["NOFU-002"], kb["NOFU-002"]))


def test_search_for_a_list_page() -> None:
    kb = load_kb()
    hits = kb.search("コンビニ")
    assert "NOFU-002" in {f.id for f in hits}
    assert all(f.category == "証明書" for f in kb.search("コンビニ", category="証明書"))
    assert kb.categories[0] == "個人住民税"


def test_default_kb_path_is_inside_the_package() -> None:
    assert DEFAULT_KB_PATH.parent.name == "data" and DEFAULT_KB_PATH.parent.parent.name == "faq"


def _fields(faq: Faq) -> dict[str, object]:
    return {name: getattr(faq, name) for name in faq.__dataclass_fields__}
