# syntax=docker/dockerfile:1

# --- build: install the locked dependencies, collect static files ---
FROM python:3.12-slim AS build

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PATH=/opt/venv/bin:$PATH

RUN python -m venv /opt/venv

WORKDIR /app

# Dependencies first, so a code change does not reinstall them.
COPY requirements.lock ./
RUN pip install --no-cache-dir -r requirements.lock

COPY . .

# The settings refuse to load with DEBUG off unless SECRET_KEY and ALLOWED_HOSTS are set, so
# compile_translations and collectstatic get throw-away values that exist only for this RUN line
# and are not stored in the image. compile_translations turns locale/*.po into the .mo files
# Django reads (pure Python, no GNU gettext in the image); DEBUG=0 selects the hashed,
# compressed static storage production serves from.
RUN chmod 0755 docker/entrypoint.sh \
    && export DEBUG=0 \
       SECRET_KEY="build-only-$(python -c 'import secrets; print(secrets.token_urlsafe(48))')" \
       ALLOWED_HOSTS=build \
    && python manage.py compile_translations \
    && python manage.py collectstatic --noinput

# --- runtime ---
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH \
    MEDIA_ROOT=/app/var/media

# A home directory of its own: gunicorn puts its control socket under $HOME.
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --create-home --home-dir /home/app \
       --shell /usr/sbin/nologin app

WORKDIR /app

COPY --from=build /opt/venv /opt/venv
COPY --from=build /app /app

# The code and static files stay owned by root (read-only for the app); only uploads are
# writable. A named volume mounted here starts with this directory's owner.
RUN mkdir -p /app/var/media && chown app:app /app/var/media

USER app

EXPOSE 8000

# /healthz answers 200 when the database and the cache answer; it is exempt from the HTTPS
# redirect, and the request carries an allowed Host so the host check lets it through.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request as r; host = os.environ.get('ALLOWED_HOSTS', '').split(',')[0].strip().lstrip('*.') or 'localhost'; r.urlopen(r.Request('http://127.0.0.1:8000/healthz', headers={'Host': host}), timeout=4)"]

ENTRYPOINT ["/app/docker/entrypoint.sh"]
