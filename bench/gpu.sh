#!/usr/bin/env bash
# The GPU checks in one run, for a machine with a CUDA GPU: the engine and figure tests with
# every session on cuda (the CUDA smoke tests included), then each benchmark, short form.
# Writes everything to ${OUT:-.}/gpu.log. Usage: bash bench/gpu.sh
set -u
log="${OUT:-.}/gpu.log"
export PYTHONUNBUFFERED=1
{
  nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv
  python3 -c "import torch; print('torch', torch.__version__, 'cuda', torch.cuda.is_available())"
  echo "== tests (engine + figures) on the GPU"
  # (the pretrained-model tests are CPU-only by design and pin transformers 5.23)
  timeout 240 python3 -m pytest -q -p no:cacheprovider tests/engine tests/figures -rs \
    --ignore=tests/engine/test_attention_pretrained.py
  echo "== benchmarks"
  timeout 60 python3 bench/playground.py --quick
  timeout 60 python3 bench/activations.py --rounds 3
  timeout 60 python3 bench/descent.py --rounds 3
  timeout 60 python3 bench/attention.py --rounds 3 --seeds 3
  timeout 90 python3 bench/convolution.py --rounds 3 --seeds 3
  timeout 120 python3 bench/recurrent.py --rounds 3 --seeds 2
  timeout 120 python3 bench/gan.py --rounds 3 --seeds 2
  timeout 60 python3 bench/first_chapters.py --rounds 3
} 2>&1 | tee "$log"
