# dlviz in a container: CPU-only PyTorch, Streamlit on port 8501, run as a non-root user.
#   docker build -t dlviz . && docker run --rm -p 8501:8501 dlviz
#   (podman build / podman run take the same arguments)
# Behind a balancer, name each container: docker run -e DLVIZ_REPLICA=r1 ... (deploy/).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    MALLOC_ARENA_MAX=2
# MALLOC_ARENA_MAX: every learner's script runs on its own thread, and glibc's per-thread
# malloc arenas otherwise hold on to freed memory (BENCHMARKS.md, "A class on one server").

WORKDIR /app

# torch first, from PyTorch's CPU-only index: PyPI's Linux wheel of torch pulls several GB
# of CUDA libraries, the CPU wheel (2.13.0+cpu on x86-64) none. --index-url, not
# --extra-index-url: with PyPI also in the running, nothing but pip's version ordering would
# keep PyPI's CUDA build out. The version is the one pinned in requirements.txt; the second
# install then finds torch==2.13.0 met by 2.13.0+cpu (an == pin without a local label
# matches any local label) and takes everything else from PyPI.
COPY requirements.txt .
RUN pip install --index-url https://download.pytorch.org/whl/cpu \
        "$(grep -E '^torch==' requirements.txt)" \
    && pip install -r requirements.txt

# The app belongs to root and is read-only to the user that runs it, except static/, where
# the app puts its copy of plotly.min.js (dlviz/ui/charts.py) at start.
RUN useradd --create-home --uid 10001 --user-group dlviz
COPY . .
RUN install -d -o dlviz -g dlviz static
USER 10001:10001

EXPOSE 8501
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD python -c "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://localhost:8501/_stcore/health', timeout=4).read() != b'ok')"
CMD ["streamlit", "run", "app.py", "--server.port", "8501", "--server.address", "0.0.0.0"]
