# Perspectief API image: migrates the database, then serves with uvicorn.
#
#   docker build -t perspectief .
#   docker run -e PERSPECTIEF_DATABASE_URL=postgresql://user:pw@host/db \
#              -e PERSPECTIEF_JWKS_URL=... -e PERSPECTIEF_JWT_ISSUER=... -e PERSPECTIEF_JWT_AUDIENCE=... \
#              -p 8000:8000 perspectief
#
# The image runs with PERSPECTIEF_ENV=prod: it refuses to start without a database URL and the
# identity provider's JWKS URL, issuer and audience (dev tokens are never accepted).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /srv/perspectief

# Dependencies first, so that a code change does not reinstall them.
COPY pyproject.toml README.md ./
COPY app ./app
RUN pip install . \
    && useradd --system --uid 10001 --home-dir /srv/perspectief --shell /usr/sbin/nologin perspectief

# Migrations are read from the source tree: PYTHONPATH makes `app` resolve here, next to alembic/.
COPY alembic.ini ./
COPY alembic ./alembic
ENV PYTHONPATH=/srv/perspectief \
    PERSPECTIEF_ENV=prod \
    PERSPECTIEF_LOG_LEVEL=INFO \
    PORT=8000 \
    WEB_CONCURRENCY=2

USER perspectief
EXPOSE 8000

HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
    CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/api/v1/health' % os.environ['PORT'], timeout=2)"

# `exec` hands PID 1 to uvicorn, so SIGTERM from the orchestrator drains requests gracefully.
ENTRYPOINT ["/bin/sh", "-c", ": \"${PERSPECTIEF_DATABASE_URL:?PERSPECTIEF_DATABASE_URL must be set}\" && perspectief migrate && exec perspectief serve --host 0.0.0.0 --port \"$PORT\" --workers \"$WEB_CONCURRENCY\""]
