from __future__ import annotations

from masking.anonymize import anonymize
from masking.detection import PiiDetector
from masking.detection.labels import PiiSpan


def test_same_surface_same_placeholder_and_mapping() -> None:
    text = "坂口 フミです。電話は090-1111-2222。坂口 フミの件、坂口さんに連絡。"
    spans = [
        PiiSpan(0, 5, "PERSON"),
        PiiSpan(11, 24, "PHONE_NUMBER"),
        PiiSpan(25, 30, "PERSON"),
        PiiSpan(33, 35, "PERSON"),
    ]
    masked = anonymize(text, spans)
    assert masked.text == "【氏名1】です。電話は【電話番号1】。【氏名1】の件、【氏名1】さんに連絡。"
    assert masked.mapping == {"【氏名1】": "坂口 フミ", "【電話番号1】": "090-1111-2222"}
    for span in masked.spans:
        assert masked.text[span.start : span.end] == span.placeholder


def test_different_people_are_numbered_in_order() -> None:
    text = "母の宮下 トシ子と娘の宮下 恵美"
    masked = anonymize(text, [PiiSpan(2, 8, "PERSON"), PiiSpan(11, 16, "PERSON")])
    assert masked.text == "母の【氏名1】と娘の【氏名2】"


def test_overlapping_spans_do_not_corrupt_text() -> None:
    masked = anonymize("abcdef", [PiiSpan(0, 4, "PERSON"), PiiSpan(2, 6, "LOCATION")])
    assert masked.text == "【氏名1】ef"


def test_end_to_end_spoken_and_typed(detector: PiiDetector) -> None:
    text = "お 名前 は\nのぐち かいと です わたし は 母親 の のぐち まゆみ です\nかいと は 学校 に"
    masked = anonymize(text, detector.detect(text))
    assert "のぐち" not in masked.text and "かいと" not in masked.text
    assert masked.text.count("【氏名") == 3


def test_masked_dev_transcripts_pass_the_high_risk_rescan(detector: PiiDetector) -> None:
    from tests.masking.conftest import load_jsonl

    texts = [row["text"] for row in load_jsonl("pii_dev.jsonl")]
    masked = [anonymize(t, spans).text for t, spans in zip(texts, detector.detect_batch(texts), strict=True)]
    assert all(not detector.high_risk(m) for m in masked)
    assert detector.high_risk("連絡先は090-1234-5678です") != []
