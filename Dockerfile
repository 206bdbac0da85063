# Image of the Quorumscope dashboard: Daphne (web) or a Celery worker
# (worker), chosen by the command. Built by docker-compose.yml.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

COPY requirements.txt ./
RUN pip install --no-cache-dir -r requirements.txt

COPY pyproject.toml README.md manage.py ./
COPY consensus ./consensus
COPY dashboard ./dashboard
COPY templates ./templates
COPY static ./static
RUN pip install --no-cache-dir --no-deps . \
    && useradd --system --uid 10001 --home-dir /app quorumscope \
    && mkdir -p /app/var \
    && chown quorumscope /app/var

USER quorumscope
EXPOSE 8000

CMD ["daphne", "-b", "0.0.0.0", "-p", "8000", "dashboard.asgi:application"]
