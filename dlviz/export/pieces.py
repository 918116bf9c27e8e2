"""Pieces the exported scripts share: how each optimizer of the registry is written in
torch.optim code, and the race tasks' data loaders (the spiral, the digits) as source text.
Text only: what the scripts say, not what dlviz runs."""

from __future__ import annotations

from dlviz.data.classification import SPIRAL_REACH, TRAIN_FRACTION
from dlviz.data.points import EXTENT
from dlviz.export.training import _maker_source
from dlviz.optimizers import get_optimizer

# How each optimizer of the registry is built (its other settings at the registry's
# defaults, as the race uses them): torch.optim code with {lr} and the hyperparameters.
OPTIMIZER_CODE = {
    "sgd": "torch.optim.SGD(params, lr={lr!r})",
    "momentum": "torch.optim.SGD(params, lr={lr!r}, momentum={momentum!r})",
    "nesterov": "torch.optim.SGD(params, lr={lr!r}, momentum={momentum!r}, nesterov=True)",
    "adagrad": "torch.optim.Adagrad(params, lr={lr!r})",
    "rmsprop": "torch.optim.RMSprop(params, lr={lr!r}, alpha={rho!r})",
    "adam": "torch.optim.Adam(params, lr={lr!r}, betas=({beta1!r}, {beta2!r}))",
    "adamw": "torch.optim.AdamW(params, lr={lr!r}, betas=({beta1!r}, {beta2!r}), "
    "weight_decay={weight_decay!r})",
}

# Dropout as dlviz draws it: inverted, its masks from a generator of its own, so the seed
# fixes them whatever else draws from torch's global generator. No braces: a template
# takes it as a value.
DROPOUT_SOURCE = '''class SeededDropout(nn.Module):
    """Inverted dropout whose masks come from its own random generator (dlviz's choice:
    the seed fixes them, whatever else uses torch's global generator)."""

    def __init__(self, p: float, generator: torch.Generator) -> None:
        super().__init__()
        self.p, self.generator = p, generator

    def forward(self, a: torch.Tensor) -> torch.Tensor:
        if not self.training or self.p == 0.0:
            return a
        keep = torch.rand(a.shape, generator=self.generator) >= self.p
        return a * keep / (1.0 - self.p)
'''

SPIRAL_SOURCE = '''EXTENT = {extent!r}  # the plane's points are clipped to [-EXTENT, EXTENT]^2
REACH = {reach!r}  # and then scaled to [-REACH, REACH]
TRAIN_FRACTION = {fraction!r}


{maker_source}

def load_task() -> tuple[torch.Tensor, torch.Tensor, int, int]:
    """The training part of 600 spiral points (a seeded split): inputs, labels, 2, 2."""
    x, y = make_spiral(600, 0.0, np.random.default_rng(SEED))
    x = np.clip(x, -EXTENT, EXTENT).astype(np.float32) * (REACH / EXTENT)
    y = (y > 0).astype(np.int64)
    order = np.random.default_rng(SEED + 1).permutation(len(y))
    train = order[: round(TRAIN_FRACTION * len(y))]
    x_train = np.ascontiguousarray(x[train]).astype(np.float32)
    return torch.from_numpy(x_train), torch.from_numpy(np.ascontiguousarray(y[train])), 2, 2
'''

DIGITS_SOURCE = '''TRAIN_FRACTION = {fraction!r}


def load_task() -> tuple[torch.Tensor, torch.Tensor, int, int]:
    """The training part of scikit-learn's 8x8 digits (a seeded split), pixels in [0, 1]:
    inputs, labels, 64, 10."""
    from sklearn.datasets import load_digits

    bunch = load_digits()
    x, y = (bunch.data / 16.0).astype(np.float32), bunch.target.astype(np.int64)
    order = np.random.default_rng(SEED + 1).permutation(len(y))
    train = order[: round(TRAIN_FRACTION * len(y))]
    x_train = np.ascontiguousarray(x[train]).astype(np.float32)
    return torch.from_numpy(x_train), torch.from_numpy(np.ascontiguousarray(y[train])), 64, 10
'''


# The end of every race script's main(): the lock-step loop over shared shuffled batches
# (as dlviz.race.RaceSession trains), printing each racer's training loss every 25 steps.
# Inserted whole, so its braces are the script's own.
RACE_LOOP = """\
    shuffle = torch.Generator().manual_seed(SEED + 2)  # every racer gets the same batches
    queue = torch.empty(0, dtype=torch.int64)
    for step in range(steps + 1):
        if step % CHECK_EVERY == 0:
            with torch.no_grad():
                losses = [float(F.cross_entropy(net(x_train), y_train)) for net in nets]
            print(f"step {step} " + " ".join(repr(loss) for loss in losses))
        if step == steps:
            break
        size = min(BATCH_SIZE, len(y_train))
        if len(queue) < size:  # shuffled epochs, one after another
            queue = torch.cat([queue, torch.randperm(len(y_train), generator=shuffle)])
        batch, queue = queue[:size], queue[size:]
        for net, optimizer in zip(nets, optimizers):
            optimizer.zero_grad(set_to_none=True)
            F.cross_entropy(net(x_train[batch]), y_train[batch]).backward()
            optimizer.step()


if __name__ == "__main__":
    main()
"""


# How the first network's weights are drawn (then copied to every racer), per init scheme.
INIT_CODE = {
    "playground": """            bound = 0.5  # TF Playground's: uniform in ±0.5, biases 0.1
            nn.init.uniform_(layer.weight, -bound, bound, generator=draws)
            nn.init.constant_(layer.bias, 0.1)""",
    "default": """            bound = 1.0 / layer.weight.shape[1] ** 0.5  # what nn.Linear draws
            nn.init.uniform_(layer.weight, -bound, bound, generator=draws)
            nn.init.uniform_(layer.bias, -bound, bound, generator=draws)""",
    "xavier": """            nn.init.xavier_uniform_(layer.weight, generator=draws)
            nn.init.zeros_(layer.bias)""",
    "he": """            nn.init.kaiming_normal_(layer.weight, nonlinearity="relu", generator=draws)
            nn.init.zeros_(layer.bias)""",
    "normal": """            nn.init.normal_(layer.weight, 0.0, {sigma!r}, generator=draws)
            nn.init.zeros_(layer.bias)""",
}

RACE_BODY = """\
class Net(nn.Module):
    \"\"\"DEPTH layers of WIDTH units with the given activation, then a linear readout.\"\"\"

    def __init__(self, n_in: int, n_out: int, activation) -> None:
        super().__init__()
        sizes = [n_in] + [WIDTH] * DEPTH
        self.hidden = nn.ModuleList(nn.Linear(a, b) for a, b in itertools.pairwise(sizes))
        self.out = nn.Linear(sizes[-1], n_out)
        self.activation = activation

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for layer in self.hidden:
            x = self.activation(layer(x))
        return self.out(x)


def optimizers_for(nets: list[nn.Module]) -> list[torch.optim.Optimizer]:
    \"\"\"One optimizer per network, in race order.\"\"\"
    return [
{optimizer_lines}
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=2000)
    steps = parser.parse_args().steps

    x_train, y_train, n_in, n_classes = load_task()
    nets = {nets}
    # The first network's weights, drawn from the seed; every other racer copies them, so
    # each starts from the very same point.
    draws = torch.Generator().manual_seed(SEED)
    with torch.no_grad():
        for layer in [*nets[0].hidden, nets[0].out]:
{init_code}
    for net in nets[1:]:
        net.load_state_dict(nets[0].state_dict())
    optimizers = optimizers_for(nets)

{race_loop}"""


def race_body(nets: str, init: str, sigma: float, optimizer_lines: list[str]) -> str:
    """Everything of a race script after its data loader: the network (with an activation
    per racer), the optimizers, and main(): `nets` is the expression that builds the racers,
    `init` the scheme the first one's weights are drawn with."""
    return RACE_BODY.format(
        nets=nets,
        init_code=INIT_CODE[init].format(sigma=sigma),
        optimizer_lines="\n".join(optimizer_lines),
        race_loop=RACE_LOOP,
    )


class Code(str):
    """Source text that `{x!r}` writes as it is (a constant's name, not a string)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return str(self)


def optimizer_code(name: str, params: str, lr: float | str = "LEARNING_RATE",
                   **constants: str) -> str:  # fmt: skip
    """The registry optimizer `name` as torch.optim code over `params` (code): at the
    learning rate `lr` (a number, or a script constant's name), its other settings at the
    registry's defaults except those named in `constants` (e.g. beta1="BETA1")."""
    settings = {k.name: k.default for k in get_optimizer(name).hypers}
    settings |= {k: Code(v) for k, v in constants.items()}
    rate = Code(lr) if isinstance(lr, str) else lr
    return OPTIMIZER_CODE[name].format(lr=rate, **settings).replace("params", params)


def optimizer_line(name: str, lr: float, index: int) -> str:
    """One racer's optimizer as a list item of code, its hyperparameters at the defaults."""
    code = optimizer_code(name, f"nets[{index}].parameters()", lr)
    return f"        # {get_optimizer(name).label}\n        {code},"


def task_source(task: str) -> str:
    """The source of `load_task()` for a race's task ("spiral" or "digits"), with the
    constants and the maker it needs."""
    if task == "spiral":
        source, _ = _maker_source("spiral")
        return SPIRAL_SOURCE.format(extent=EXTENT, reach=SPIRAL_REACH, fraction=TRAIN_FRACTION,
                                    maker_source=source)  # fmt: skip
    return DIGITS_SOURCE.format(fraction=TRAIN_FRACTION)
