# The portal's image, used by the web, worker and beat services of docker-compose.yml.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# gettext: compilemessages. Nothing else is needed at run time (psycopg2-binary and
# cryptography ship their libraries in their wheels).
RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 portal \
    && useradd --system --uid 10001 --gid portal --home-dir /app --shell /usr/sbin/nologin portal

WORKDIR /app

# Dependencies first, in their own layer, so a code change does not reinstall them.
COPY pyproject.toml README.md ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

COPY . .

# The project itself. Editable, so `icpportal` is imported from /app, next to the
# templates/, static/ and locale/ folders its settings expect beside the package.
RUN pip install --no-deps -e .

# Catalogues and static files are built into the image. collectstatic runs with
# production storage (hashed names and the manifest) and throw-away values for the
# variables production requires; nothing connects to them.
RUN export ICP_ENV=production \
        ICP_SECRET_KEY="build-only-$(python -c 'import secrets; print(secrets.token_urlsafe(48))')" \
        ICP_ALLOWED_HOSTS=build.invalid \
        ICP_DATABASE_URL=postgres://build@127.0.0.1:5432/build \
        ICP_REDIS_URL=redis://127.0.0.1:6379/0 \
        ICP_FIELD_KEYS="$(python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')" \
    && python manage.py compilemessages --ignore=staticfiles \
    && python manage.py collectstatic --noinput --verbosity 0

# Private materials live in /data/media (a volume); the portal's user owns what it
# writes: uploads and the static volume that start-web.sh refreshes.
RUN mkdir -p /data/media \
    && chown -R portal:portal /data /app/staticfiles

ENV ICP_DATA_DIR=/data
USER portal

EXPOSE 8000

CMD ["deploy/start-web.sh"]
