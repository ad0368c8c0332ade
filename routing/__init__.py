"""Welfare routing: the window directory, the crisis layer, the Rasa client and the routing decision.

``routing/rasa/`` is the Rasa project (its own Python 3.10 environment, ``.venv-rasa``); nothing in
this package imports Rasa, it talks to the running server over HTTP.
"""
