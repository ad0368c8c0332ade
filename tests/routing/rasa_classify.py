"""Run by the Rasa environment's Python (3.10), not by pytest: train, persist, load and run our TF-IDF
intent classifier through Rasa's real model storage.

stdin: {"train": [[text, intent], …], "predict": [text, …]}
stdout (last line): {"rankings": [[[name, confidence], …], …], "sklearn": [[…probabilities…], …],
                     "classes": [...], "files": [...]}
"""

import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "routing" / "rasa"))

import numpy as np
from components.japanese_tokenizer import SudachiTokenizer
from components.tfidf_classifier import TfidfIntentClassifier
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

request = json.load(sys.stdin)
tokenizer = SudachiTokenizer(SudachiTokenizer.get_default_config())


def messages(pairs):
    out = [Message(data={"text": text, **({"intent": intent} if intent else {})}) for text, intent in pairs]
    tokenizer.process(out)
    return out


with tempfile.TemporaryDirectory() as directory:
    storage = LocalModelStorage(Path(directory))
    resource = Resource("tfidf_intent")
    context = ExecutionContext(GraphSchema({}), "test")
    config = {**TfidfIntentClassifier.get_default_config(), "C": 10.0}
    component = TfidfIntentClassifier.create(config, storage, resource, context)
    training = TrainingData(training_examples=messages(request["train"]))
    component.train(training)
    files = sorted(p.name for p in Path(directory).rglob("*") if p.is_file())

    loaded = TfidfIntentClassifier.load(config, storage, resource, context)
    queries = messages([(text, None) for text in request["predict"]])
    loaded.process(queries)
    rankings = [[[r["name"], r["confidence"]] for r in q.get("intent_ranking")] for q in queries]

    # the same model fitted by scikit-learn directly on the component's own matrix: our stored weights
    # and hand-written softmax must give its predict_proba
    from sklearn.linear_model import LogisticRegression

    train_messages = training.intent_examples
    reference = LogisticRegression(C=10.0, max_iter=3000)
    reference.fit(component._matrix(train_messages), [m.get("intent") for m in train_messages])
    probabilities = reference.predict_proba(loaded._matrix(queries))

print(json.dumps({"rankings": rankings, "sklearn": np.round(probabilities, 6).tolist(),
                  "classes": [str(c) for c in reference.classes_], "files": files}, ensure_ascii=False))
