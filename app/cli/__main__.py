"""`python -m app.cli` — what `madoguchi run` uses to start its children with the same interpreter."""

from app.cli import main

main()
