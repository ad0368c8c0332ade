"""Run by the Rasa environment's Python (3.10), not by pytest: tokenize texts with our graph component.

stdin: a JSON list of texts; stdout: a JSON list of token lists [[text, lemma, start, end], …].
"""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "routing" / "rasa"))

from components.japanese_tokenizer import SudachiTokenizer
from rasa.shared.nlu.training_data.message import Message

tokenizer = SudachiTokenizer(SudachiTokenizer.get_default_config())
out = []
for text in json.load(sys.stdin):
    tokens = tokenizer.tokenize(Message(data={"text": text}), "text")
    out.append([[t.text, t.lemma, t.start, t.end] for t in tokens])
print(json.dumps(out, ensure_ascii=False))
