# syntax=docker/dockerfile:1
# Car faults: production image. Build:  docker build -t carfaults .
# Run (see docs/deploy.md):  docker run -e SECRET_KEY=... -e DATABASE_URL=... -e REDIS_URL=... \
#                              -e ALLOWED_HOSTS=faults.example.org -e HTTPS=1 -p 8000:8000 carfaults
# Migrations are a separate, one-off step before a new version takes traffic:
#   docker run --rm -e DATABASE_URL=... -e SECRET_KEY=... carfaults python manage.py migrate --noinput
# (compose.yaml runs it as the `migrate` service.)

ARG PYTHON_VERSION=3.12

# --- builder: the project and its dependencies, installed into a venv from pyproject.toml ---
FROM python:${PYTHON_VERSION}-slim AS builder
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /src
COPY pyproject.toml README.md ./
COPY config ./config
COPY web ./web
COPY kb ./kb
COPY diagnosis ./diagnosis
COPY reports ./reports
COPY usage ./usage
COPY staff ./staff
# The code itself runs from /app (its templates/, static/ and fixtures/ live beside it), so
# the venv keeps the dependencies only: one copy of the code, BASE_DIR = /app.
RUN pip install . \
 && pip uninstall --yes carfaults \
 && find /opt/venv -name '__pycache__' -prune -exec rm -rf {} +
# The translations (locale/*/LC_MESSAGES/django.po) compiled to .mo here, with GNU gettext's
# msgfmt, so the runtime image needs neither gettext nor .mo files in git.
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends gettext \
 && rm -rf /var/lib/apt/lists/*
COPY manage.py ./
COPY locale ./locale
RUN SECRET_KEY=compilemessages-only-not-a-secret python manage.py compilemessages --ignore '.venv'

# --- final: slim runtime, non-root, static files collected at build time ---------------------
FROM python:${PYTHON_VERSION}-slim AS final
# The release id in every cache key (web/release.py): the commit, given at build time.
# Without it the app hashes its own source, which also changes with every changed file.
ARG RELEASE=""
ENV RELEASE=${RELEASE} \
    PATH=/opt/venv/bin:$PATH \
    PYTHONPATH=/app \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    DJANGO_SETTINGS_MODULE=config.settings \
    PORT=8000
RUN groupadd --system --gid 10001 app \
 && useradd --system --uid 10001 --gid app --home-dir /app --no-create-home \
      --shell /usr/sbin/nologin app
COPY --from=builder /opt/venv /opt/venv
WORKDIR /app
# Code and content are owned by root and read-only for the app user.
COPY manage.py pyproject.toml ./
COPY config ./config
COPY web ./web
COPY kb ./kb
COPY diagnosis ./diagnosis
COPY reports ./reports
COPY usage ./usage
COPY staff ./staff
COPY templates ./templates
COPY static ./static
COPY fixtures ./fixtures
COPY --from=builder /src/locale ./locale
# Hashed, gzip- and brotli-compressed static files, served by whitenoise (or a CDN).
# The key only lets settings load: it signs nothing and is not in the running container.
RUN DEBUG=0 PLAIN_STATIC=0 SECRET_KEY=collectstatic-only-not-a-secret \
      python manage.py collectstatic --noinput -v1 \
 && python -m compileall -q /app/config /app/web /app/kb /app/diagnosis /app/reports /app/usage /app/staff
USER app
EXPOSE 8000
# /healthz is liveness: the process answers (it never needs the database, so a database
# outage does not mark every replica unhealthy); /readyz adds the database (compose.yaml and
# load balancers use that one). The Host must be an allowed one and, with HTTPS=1, the request
# must look proxied over TLS, else Django answers 400 / a redirect: the probe sends both.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["python", "-c", "import os, urllib.request as u; h = os.environ.get('ALLOWED_HOSTS', '').split(',')[0].strip().lstrip('.'); h = h if h and h != '*' else 'localhost'; r = u.Request('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '8000'), headers={'Host': h, 'X-Forwarded-Proto': 'https'}); u.urlopen(r, timeout=4)"]
# exec form: gunicorn is PID 1 and receives SIGTERM for a graceful shutdown.
CMD ["gunicorn", "-c", "config/gunicorn.py", "config.wsgi"]
