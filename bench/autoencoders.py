"""Benchmark of the Autoencoders page's session: its training rate against a bare PyTorch
loop training the same two networks on the same batches (the engine's overhead), the
seconds to a reconstruction mark, and one live tick (snapshot + the page's live figures,
with their payload).

    python bench/autoencoders.py [--rounds 3]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.race_loop import machine_line, overhead_rounds, session_steps_per_s, tick_costs
from dlviz.autoencoder import AutoencoderConfig, AutoencoderSession
from dlviz.autoencoder.losses import kl_divergence, reconstruction_loss
from dlviz.figures import autoencoder as fig

SECONDS = 1.0
MARK = 0.04  # mean squared pixel error on the test digits (pixels in [0, 1]) for both nets


def bare(config: AutoencoderConfig, seconds: float) -> float:
    """Steps/s of a plain loop: each step both networks (the session's, fresh) take an Adam
    step on a random batch; no chunks, no checks, no history, no noise."""
    session = AutoencoderSession(config)
    x, gen = session.x_train, torch.Generator().manual_seed(0)
    steps, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for _ in range(20):
            batch = x[torch.randint(len(x), (config.batch_size,), generator=gen)]
            for net, optimizer in zip(session.nets, session.optimizers):
                logits, mean, log_var = net(batch, session._eps)
                loss = reconstruction_loss(logits, batch).mean()
                if log_var is not None:
                    loss = loss + config.beta * kl_divergence(mean, log_var).mean()
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                optimizer.step()
        steps += 20
    return steps / (time.perf_counter() - start)


def to_mark(config: AutoencoderConfig) -> tuple[int | None, float]:
    """Steps and seconds of training until both networks' test pixel error is below MARK
    (checked every 50 steps), or None by 10,000."""
    session = AutoencoderSession(config.replace(pace="max"))
    start = time.perf_counter()
    while session.step_count < 10_000:
        session.train_steps(50)
        v = session.latest.values
        if v["ae_mse"] < MARK and v["vae_mse"] < MARK:
            return session.step_count, time.perf_counter() - start
    return None, time.perf_counter() - start


def live_figures(snap) -> list:
    """The live view's figures, as pages/autoencoders.py draws them each tick."""
    found = [fig.loss_parts(snap), fig.rebuilt_digits(snap)]
    for view in snap.views:
        found += [fig.latent_map(view, snap.labels, snap.latent), fig.decoded_grid(view)]
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    print(machine_line())
    config = AutoencoderConfig(pace="max")
    print("\nAE + VAE, latent 2, 128 units, batch 64")
    s, b, ratio = overhead_rounds(lambda: bare(config, SECONDS),
                                  lambda: session_steps_per_s(AutoencoderSession(config),
                                                              SECONDS), args.rounds)  # fmt: skip
    print(f"| session steps/s {s:,.0f} | bare loop steps/s {b:,.0f} | session ÷ bare {ratio:.2f} |")
    print(f"\nTo a test pixel error below {MARK} for both networks:")
    for latent in (2, 8):
        for seed in range(3):
            steps, seconds = to_mark(AutoencoderConfig(latent=latent, seed=seed))
            said = (
                f"{steps:,} steps, {seconds:.1f} s" if steps else f"not by 10,000 ({seconds:.1f} s)"
            )
            print(f"  latent {latent}, seed {seed}: {said}")
    print("\n| live view | snapshot ms | figures + JSON ms | payload kB |")
    print("|---|--:|--:|--:|")
    for latent in (2, 8):
        cost = tick_costs(AutoencoderSession(AutoencoderConfig(latent=latent, pace="max")),
                          live_figures)  # fmt: skip
        print(f"| latent {latent} | {cost['snap']:.1f} | {cost['fig']:.1f} | {cost['kb']:.0f} |")


if __name__ == "__main__":
    main()
