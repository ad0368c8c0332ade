"""Convert the Rasa 1.x Markdown seed (``## intent:<window-id>`` + ``- example``) to Rasa 3 YAML.

The seed has one intent per window; Madoguchi's intents are needs (routing/data/needs.yaml maps
them to windows), so each window id is renamed to its need. Run once; the output is committed:

    python3 routing/rasa/tools/convert_seed.py nlu_seed.md routing/rasa/data/nlu/seed.yml
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

WINDOW_TO_NEED = {
    "chiiki-houkatsu": "elderly_care",
    "kikan-soudan": "disability",
    "jidou-soudanjo": "child_welfare",
    "kodomo-katei": "parenting",
    "seikatsu-hogo": "public_assistance",
    "jiritsu-soudan": "living_hardship",
    "dv-center": "domestic_violence",
    "hikikomori": "hikikomori",
    "seishin-hoken": "mental_health",
    "chukaku-center": "general_welfare",
    "shakyo": "welfare_loan",
    "kouken-center": "guardianship",
    "shohi-center": "consumer_trouble",
    "houterasu": "legal_trouble",
    "hoken-center": "maternal_child_health",
    "kyouiku-soudan": "school",
    "young-carer": "young_carer",
    "gaikokujin": "foreign_resident",
    "kokoro-dial": "phone_counseling",
    "yorisoi": "anytime_hotline",
    "gyakutai-189": "child_abuse",
    "dv-navi-8008": "dv_hotline",
    "dv-soudan-plus": "dv_remote",
    "kodomo-sos": "child_sos",
    "police-110": "police_emergency",
    "kyukyu-119": "ambulance",
    "kyukyu-7119": "medical_advice",
    "out_of_scope": "out_of_scope",
}


def convert(markdown: str) -> str:
    text = re.sub(r"<!--.*?-->", "", markdown, flags=re.S)
    blocks: dict[str, list[str]] = {}
    current: str | None = None
    for line in text.splitlines():
        heading = re.match(r"##\s*intent:(\S+)", line)
        if heading:
            current = WINDOW_TO_NEED[heading.group(1)]
            blocks.setdefault(current, [])
        elif line.startswith("- ") and current:
            blocks[current].append(line[2:].strip())
    out = ['version: "3.1"', "", "# Converted from the Markdown seed by tools/convert_seed.py.", "nlu:"]
    for intent, examples in blocks.items():
        out += [f"  - intent: {intent}", "    examples: |"]
        out += [f"      - {example}" for example in examples]
        out.append("")
    return "\n".join(out)


if __name__ == "__main__":
    source, target = Path(sys.argv[1]), Path(sys.argv[2])
    target.write_text(convert(source.read_text(encoding="utf-8")), encoding="utf-8")
    print(f"written {target}")
