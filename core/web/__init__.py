"""Web building blocks shared by the domains: auth, CSRF, templates, rate limits, console registry.

The domains import these to build their own routers; the composition layer (``app``) wires them into
one FastAPI application. Nothing here imports ``app`` or a domain.
"""
