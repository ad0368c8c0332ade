"""Imports every module that declares tables, so Base.metadata (and Alembic) sees all of them."""

from core import audit, staff_sessions, users  # noqa: F401
from masking import models as masking_models  # noqa: F401
from voice import models as voice_models  # noqa: F401
