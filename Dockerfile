# Goudkaart app image: the Flask app under gunicorn (gthread workers).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1

RUN useradd --create-home --uid 10001 goudkaart
WORKDIR /app
COPY pyproject.toml README.md ./
COPY graphsvc ./graphsvc
COPY queries ./queries
COPY importers ./importers
COPY visualisations ./visualisations
RUN pip install .

USER goudkaart
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=5 \
  CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status == 200 else 1)"
CMD ["graphsvc", "serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "2"]
