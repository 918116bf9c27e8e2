"""Convolution: explicit 2-D convolution and pooling window by window (windows.py), receptive
fields (receptive.py), the kernel registry and typed kernels (kernels.py), photos, uploads
and drawn digits (images.py), and a small CNN trained live on the digits (model.py,
session.py)."""
