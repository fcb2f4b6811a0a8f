# Perspectief API image: serves with uvicorn; migrations run under an advisory lock, so replicas
# may start together.
#
#   docker build -t perspectief .
#   docker run -e PERSPECTIEF_DATABASE_URL=postgresql://user:pw@host/db \
#              -e PERSPECTIEF_JWKS_URL=... -e PERSPECTIEF_JWT_ISSUER=... -e PERSPECTIEF_JWT_AUDIENCE=... \
#              -p 8000:8000 perspectief
#
# The image runs with PERSPECTIEF_ENV=prod: it refuses to start (one line naming the variable)
# without a database URL and the identity provider's JWKS URL, issuer and audience; dev tokens
# are never accepted. It carries no embedded PostgreSQL. Other commands run in the same image,
# e.g. `docker run … perspectief migrate` or `perspectief dispatch`.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /srv/perspectief

# Dependencies first, in a layer of their own, exactly as pinned (with hashes) in the lock file
# (`make lock` regenerates it from pyproject.toml): a code change does not reinstall them.
COPY requirements.lock ./
RUN pip install --require-hashes --no-deps -r requirements.lock \
    && useradd --system --uid 10001 --home-dir /srv/perspectief --shell /usr/sbin/nologin perspectief

# Then the application itself, without resolving anything again.
COPY pyproject.toml README.md ./
COPY app ./app
RUN pip install --no-deps .

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
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/api/v1/health' % os.environ['PORT'], timeout=2)"]

# `exec` hands PID 1 to uvicorn, so SIGTERM from the orchestrator drains requests gracefully.
CMD ["/bin/sh", "-c", "exec perspectief serve --migrate --host 0.0.0.0 --port \"$PORT\" --workers \"$WEB_CONCURRENCY\""]
