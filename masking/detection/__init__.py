"""Japanese PII detection: Presidio with GiNZA and Japanese recognizers. A pure library (no web,
no database), used by the masking workflow and by the chat gateway."""

from masking.detection.detector import DetectorConfig, PiiDetector, build_detector
from masking.detection.labels import ALL_LABELS, HIGH_RISK_LABELS, PiiSpan

__all__ = ["ALL_LABELS", "HIGH_RISK_LABELS", "DetectorConfig", "PiiDetector", "PiiSpan", "build_detector"]
