"""The chat gateway's masker: masking/'s PII detection, with detected spans replaced by a mark."""

from __future__ import annotations

from routing.chat import MaskedMessage

MARK = "＊＊＊"


class DetectionMasker:
    """Builds masking/'s detector once (GiNZA load, a few seconds) and reuses it for every message."""

    def __init__(self) -> None:
        from masking.detection import build_detector

        self._detector = build_detector()

    def __call__(self, text: str) -> MaskedMessage:
        spans = sorted(self._detector.detect(text), key=lambda s: s.start)
        if not spans:
            return MaskedMessage(text, found_personal_information=False)
        pieces, cursor = [], 0
        for span in spans:
            if span.start < cursor:
                continue
            pieces += [text[cursor : span.start], MARK]
            cursor = span.end
        pieces.append(text[cursor:])
        return MaskedMessage("".join(pieces), found_personal_information=True)
