"""What both GAN exporters share, as source text: each loss of the registry in torch, WGAN-GP's
penalty, one D step and one G step (dlviz.gan.game), and the two Adam optimizers. Text only:
what the scripts say, not what dlviz runs."""

from __future__ import annotations

import textwrap

from dlviz.export.pieces import optimizer_code
from dlviz.gan.losses import GP_WEIGHT, LOSSES

BETA1 = 0.5  # Adam's β₁ in both GAN sessions (dlviz.gan.game), the tutorials' choice

# Each loss of the registry: D's loss on its raw outputs for real and fake samples, G's on
# the fakes' (the expressions dlviz.gan.losses computes), each with what it means.
LOSS_CODE: dict[str, tuple[str, str, str, str]] = {
    "minimax": (
        "F.softplus(-real).mean() + F.softplus(fake).mean()",
        "−log σ(real) − log(1 − σ(fake)), as softplus(−s) = −log σ(s)",
        "-F.softplus(fake).mean()",
        "log(1 − σ(fake)), the game as first written: its gradient vanishes when D "
        "confidently rejects the fakes",
    ),
    "nonsaturating": (
        "F.softplus(-real).mean() + F.softplus(fake).mean()",
        "−log σ(real) − log(1 − σ(fake)), as softplus(−s) = −log σ(s)",
        "F.softplus(-fake).mean()",
        "−log σ(fake), the non-saturating loss: strong gradients early on",
    ),
    "least_squares": (
        "0.5 * ((real - 1) ** 2).mean() + 0.5 * (fake**2).mean()",
        "least squares, real scores pulled to 1 and fake ones to 0",
        "0.5 * ((fake - 1) ** 2).mean()",
        "least squares, the fakes' scores pulled to 1",
    ),
    "wgan_gp": (
        "fake.mean() - real.mean()",
        "the critic's estimate of the Wasserstein distance, negated (train_d adds the "
        "gradient penalty)",
        "-fake.mean()",
        "the critic's mean score of the fakes, negated",
    ),
    "hinge": (
        "F.relu(1 - real).mean() + F.relu(1 + fake).mean()",
        "hinge, real scores pushed above 1 and fake ones below −1",
        "-fake.mean()",
        "D's mean score of the fakes, negated",
    ),
}

LOSS_SOURCE = '''

def d_loss(real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
    """{d_about}"""
    return {d_code}


def g_loss(fake: torch.Tensor) -> torch.Tensor:
    """{g_about}"""
    return {g_code}
'''

PENALTY_SOURCE = '''

def gradient_penalty(
    critic: nn.Module, real: torch.Tensor, fake: torch.Tensor, gen: torch.Generator
) -> torch.Tensor:
    """WGAN-GP's penalty: the mean of (‖∇ critic(x̂)‖ − 1)² over points x̂ on random
    segments between real and fake samples (N, ·), with ε ~ U(0, 1) per pair drawn from
    `gen` (in dlviz, the generator of the batches)."""
    eps = torch.rand(len(real), 1, generator=gen)  # (N, 1)
    mixed = (eps * real + (1 - eps) * fake).requires_grad_(True)  # (N, ·)
    (grad,) = torch.autograd.grad(critic(mixed).sum(), mixed, create_graph=True)
    return ((grad.norm(dim=1) - 1) ** 2).mean()
'''

STEPS_SOURCE = '''

def train_d(
    d: nn.Module,
    g: nn.Module,
    d_opt: torch.optim.Optimizer,
    real: torch.Tensor,
    noise: torch.Tensor,{gen_param}
) -> None:
    """One step of D: real samples against G's samples of `noise` (both in train mode)."""
    with torch.no_grad():
        fake = g(noise)  # in train mode, so G's batch norm statistics (if any) move here too
    loss = d_loss(d(real), d(fake)){penalty_line}
    d_opt.zero_grad(set_to_none=True)
    loss.backward()
    d_opt.step()


def train_g(d: nn.Module, g: nn.Module, g_opt: torch.optim.Optimizer, noise: torch.Tensor) -> None:
    """One step of G on `noise` against D as it is (D's weights get no gradient)."""
    d.requires_grad_(False)
    loss = g_loss(d(g(noise)))
    g_opt.zero_grad(set_to_none=True)
    loss.backward()
    g_opt.step()
    d.requires_grad_(True)
'''


def game_source(loss: str) -> str:
    """The source of d_loss, g_loss (gradient_penalty for WGAN-GP), train_d and train_g for
    the loss `loss` (a LOSSES name); train_d takes the batches' generator `gen` last only
    when the loss has a penalty."""
    if loss not in LOSS_CODE:
        raise ValueError(f"unknown loss {loss!r}; choose one of {', '.join(LOSSES)}")
    d_code, d_about, g_code, g_about = LOSS_CODE[loss]
    d_about = f"D's loss on its raw outputs (N, 1) for real and fake samples: {d_about}."
    g_about = f"G's loss on D's raw outputs (N, 1) for its samples: {g_about}."
    source = LOSS_SOURCE.format(d_code=d_code, d_about=wrapped(d_about, indent=4), g_code=g_code,
                                g_about=wrapped(g_about, indent=4))  # fmt: skip
    penalty = LOSSES[loss].penalty
    if penalty:
        source = f"\n\nGP_WEIGHT = {GP_WEIGHT!r}  # λ of WGAN-GP\n" + PENALTY_SOURCE + source
    steps = STEPS_SOURCE.format(
        gen_param="\n    gen: torch.Generator," if penalty else "",
        penalty_line="\n    loss = loss + GP_WEIGHT * gradient_penalty(d, real, fake, gen)"
        if penalty else "",
    )  # fmt: skip
    return source + steps


def wrapped(*paragraphs: str, indent: int = 0) -> str:
    """Paragraphs of a docstring, each wrapped to 92 columns (the first line's indent is the
    caller's), blank lines between."""
    pad = " " * indent
    filled = (
        textwrap.fill(p, 92, initial_indent=pad, subsequent_indent=pad, break_on_hyphens=False)
        for p in paragraphs
    )
    return "\n\n".join(filled)[indent:]


def uses_functional(loss: str) -> bool:
    """Whether the script of loss `loss` needs `torch.nn.functional as F`."""
    return "F." in LOSS_CODE[loss][0] + LOSS_CODE[loss][2]


def adam_code(params: str, lr_name: str) -> str:
    """The registry's Adam as code over `params` at the constant `lr_name`, β₁ = BETA1 (a
    constant of the script) and β₂ at the registry's default."""
    return optimizer_code("adam", params, lr_name, beta1="BETA1")
