"""The training chapter's engine: every loss and slope against torch.nn.functional and
autograd, the metrics against scikit-learn at every threshold tried, early stopping against
a hand computation on a fixed curve, the outlier race (MSE pulled, MAE and Huber not), the
live classifier and the overfitting race (and its cures)."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from sklearn.metrics import (
    confusion_matrix,
    precision_recall_curve,
    precision_recall_fscore_support,
    roc_auc_score,
    roc_curve,
)

from dlviz.training import (
    THRESHOLDS,
    ClassifierConfig,
    ClassifierSession,
    EarlyStopping,
    OverfitConfig,
    OverfitSession,
    RobustConfig,
    RobustSession,
    classification_loss,
    confusion_at,
    make_line_data,
    pr_points,
    regression_loss,
    roc_auc,
    roc_points,
    threshold_table,
)


# --- losses ------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["mse", "mae", "huber"])
@pytest.mark.parametrize("delta", [0.5, 1.0, 2.5])
def test_regression_losses_and_slopes_equal_torch(name, delta):
    pred = torch.linspace(-4, 5, 37, dtype=torch.float64, requires_grad=True)
    target = torch.full_like(pred, 0.7)
    reference = {"mse": lambda: F.mse_loss(pred, target, reduction="none"),
                 "mae": lambda: F.l1_loss(pred, target, reduction="none"),
                 "huber": lambda: F.huber_loss(pred, target, reduction="none", delta=delta),
                 }[name]()  # fmt: skip
    (slope,) = torch.autograd.grad(reference.sum(), pred)
    mine, my_slope = regression_loss(name, pred.detach().numpy(), 0.7, delta)
    np.testing.assert_allclose(mine, reference.detach().numpy(), atol=1e-12)
    np.testing.assert_allclose(my_slope, slope.numpy(), atol=1e-12)


def test_huber_is_squared_inside_delta_and_linear_outside():
    value, slope = regression_loss("huber", np.array([0.5, 3.0]), 0.0, 1.0)
    assert value.tolist() == [0.125, 2.5] and slope.tolist() == [0.5, 1.0]
    with pytest.raises(ValueError):
        regression_loss("huber", np.zeros(2), 0.0, 0.0)
    with pytest.raises(ValueError, match="choose one of mse, mae, huber"):
        regression_loss("hinge", np.zeros(2), 0.0)


def test_cross_entropy_equals_torch_binary_and_categorical():
    p = np.linspace(0.01, 0.99, 25)
    loss, dl_dp, dl_dz = classification_loss("cross_entropy", p)
    target = torch.ones(25, dtype=torch.float64)
    np.testing.assert_allclose(loss, F.binary_cross_entropy(torch.from_numpy(p), target,
                                                            reduction="none").numpy())  # fmt: skip
    z = torch.logit(torch.from_numpy(p)).requires_grad_(True)
    bce = F.binary_cross_entropy_with_logits(z, target, reduction="sum")
    (grad_z,) = torch.autograd.grad(bce, z)
    np.testing.assert_allclose(dl_dz, grad_z.numpy(), atol=1e-12)
    pp = torch.from_numpy(p).requires_grad_(True)
    (grad_p,) = torch.autograd.grad(F.binary_cross_entropy(pp, target, reduction="sum"), pp)
    np.testing.assert_allclose(dl_dp, grad_p.numpy(), rtol=1e-10)
    # categorical: three classes whose softmax gives the true class p, the others the rest
    rest = torch.log(torch.from_numpy(1 - p) / 2)
    logits = torch.stack([torch.log(torch.from_numpy(p)), rest, rest], 1).requires_grad_(True)
    ce = F.cross_entropy(logits, torch.zeros(25, dtype=torch.long), reduction="none")
    np.testing.assert_allclose(loss, ce.detach().numpy(), atol=1e-12)
    (grad_logits,) = torch.autograd.grad(ce.sum(), logits)
    np.testing.assert_allclose(dl_dz, grad_logits[:, 0].numpy(), atol=1e-12)


def test_squared_error_on_p_equals_torch_and_its_slope_vanishes_when_sure_and_wrong():
    p = np.linspace(0.001, 0.999, 30)
    loss, dl_dp, dl_dz = classification_loss("squared_prob", p)
    np.testing.assert_allclose(dl_dp, -2 * (1 - p))
    z = torch.logit(torch.from_numpy(p)).requires_grad_(True)
    mse = F.mse_loss(torch.sigmoid(z), torch.ones(30, dtype=torch.float64), reduction="sum")
    (grad_z,) = torch.autograd.grad(mse, z)
    np.testing.assert_allclose(loss, (1 - p) ** 2)
    np.testing.assert_allclose(dl_dz, grad_z.numpy(), atol=1e-10)
    # sure and wrong (p = 0.001): cross-entropy's slope is near −1, squared error's near 0
    ce_slope = classification_loss("cross_entropy", p[:1])[2][0]
    assert abs(dl_dz[0]) < 0.01 < 0.99 < abs(ce_slope)


# --- metrics -----------------------------------------------------------------------------
def scored(seed, n=300, rare=False):
    rng = np.random.default_rng(seed)
    labels = (rng.uniform(size=n) < (0.1 if rare else 0.5)).astype(float)
    scores = np.clip(0.5 * labels + rng.normal(0.25, 0.2, n), 0, 1).round(3)
    return scores, labels


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("rare", [False, True])
def test_metrics_equal_scikit_learn_at_every_threshold(seed, rare):
    scores, labels = scored(seed, rare=rare)
    for t in THRESHOLDS:
        c = confusion_at(scores, labels, float(t))
        called = (scores >= t).astype(float)
        tn, fp, fn, tp = confusion_matrix(labels, called, labels=[0, 1]).ravel()
        assert (c.tn, c.fp, c.fn, c.tp) == (tn, fp, fn, tp)
        p, r, f, _ = precision_recall_fscore_support(labels, called, average="binary",
                                                     zero_division=0)  # fmt: skip
        assert (c.precision, c.recall, c.f1) == pytest.approx((p, r, f))
        assert c.accuracy == pytest.approx(np.mean(called == labels))
    rows = threshold_table(scores, labels)
    assert len(rows) == 101 and rows[50]["threshold"] == 0.5
    assert rows[50]["precision"] == pytest.approx(confusion_at(scores, labels, 0.5).precision)


@pytest.mark.parametrize("seed", [0, 3])
def test_roc_and_pr_curves_and_auc_equal_scikit_learn(seed):
    scores, labels = scored(seed)
    fpr, tpr, thresholds = roc_points(scores, labels)
    ref_fpr, ref_tpr, ref_t = roc_curve(labels, scores, drop_intermediate=False)
    np.testing.assert_allclose(fpr, ref_fpr)
    np.testing.assert_allclose(tpr, ref_tpr)
    np.testing.assert_allclose(thresholds[1:], ref_t[1:])
    assert roc_auc(scores, labels) == pytest.approx(roc_auc_score(labels, scores))
    recall, precision = pr_points(scores, labels)
    ref_p, ref_r, _ = precision_recall_curve(labels, scores, drop_intermediate=False)
    np.testing.assert_allclose(recall, ref_r[::-1][1:])
    np.testing.assert_allclose(precision, ref_p[::-1][1:])


def test_accuracy_misleads_on_rare_positives():
    scores, labels = scored(2, rare=True)
    never = confusion_at(scores, labels, 1.01)  # a model that never says positive
    assert never.accuracy > 0.85 and never.recall == 0 and never.f1 == 0


# --- early stopping ----------------------------------------------------------------------
def test_early_stopping_stops_where_a_hand_computation_says():
    # checks every 25 steps; the best is 0.40 at step 75; with patience 50 nothing better
    # comes by step 125, so it stops there and keeps step 75's weights
    curve = [(0, 1.0), (25, 0.7), (50, 0.5), (75, 0.40), (100, 0.45), (125, 0.41), (150, 0.3)]
    stop = EarlyStopping(50)
    said = [stop.update(s, v) for s, v in curve]
    assert said == [False, False, False, False, False, True, True]
    assert stop.stopped_at == 125 and stop.best_step == 75 and stop.best == 0.40
    off = EarlyStopping(0)
    assert not any(off.update(s, v) for s, v in curve) and off.best_step == 150


# --- the outlier race --------------------------------------------------------------------
def test_line_data_lifts_the_asked_share():
    x, y, lifted = make_line_data(0.25, 3)
    assert lifted.sum() == 20 and len(x) == 80
    assert np.all(y[lifted] - (1.5 * x[lifted] + 0.5) > 4)


def test_mse_is_pulled_by_outliers_while_mae_and_huber_are_not():
    session = RobustSession(RobustConfig(outliers=0.2))
    session.train_steps(1500)
    snap = session.snapshot()
    error = dict(zip(snap.names, snap.test_accuracy))
    assert error["mse"] > 1.0  # lifted by about 0.2 × 8 = 1.6
    assert error["mae"] < 0.4 and error["huber"] < 0.5
    assert snap.history_line_error.shape[0] == 3 and session.halted is None


def test_without_outliers_every_loss_finds_the_line():
    session = RobustSession(RobustConfig(outliers=0.0))
    session.train_steps(1500)
    assert np.all(session.snapshot().test_accuracy < 0.2)


# --- the live classifier -----------------------------------------------------------------
def test_classifier_learns_and_its_scores_rank_well():
    session = ClassifierSession(ClassifierConfig(pace="max"))
    first = session.snapshot()
    session.train_steps(400)
    snap = session.snapshot()
    assert snap.history_train[-1] < first.history_train[0]
    assert roc_auc(snap.scores, snap.labels) > 0.85
    assert snap.scores.min() >= 0 and snap.scores.max() <= 1


def test_rare_positives_are_one_in_ten():
    snap = ClassifierSession(ClassifierConfig(balance="rare")).snapshot()
    assert 0.05 < snap.labels.mean() < 0.15


def test_same_seed_same_classifier_snapshot():
    def run(seed):
        s = ClassifierSession(ClassifierConfig(seed=seed, pace="max"))
        s.train_steps(40)
        return s.snapshot()

    assert np.array_equal(run(1).scores, run(1).scores)
    assert not np.array_equal(run(1).scores, run(2).scores)


# --- overfitting -------------------------------------------------------------------------
def test_a_big_network_overfits_a_small_noisy_set():
    session = OverfitSession(OverfitConfig(train_size=40, noise=0.4, l2=0.0, dropout=0.0))
    session.train_steps(2000)
    snap = session.snapshot()
    assert snap.train_accuracy[0] == 1.0  # it memorised every training point
    assert snap.val_loss[0] > 5 * snap.train_loss[0] and snap.val_loss[0] > 1.0
    assert np.array_equal(snap.planes[0], snap.planes[1])  # no cure chosen: the same network


def test_cures_pull_the_validation_loss_back():
    bare = OverfitSession(OverfitConfig(l2=0.0, dropout=0.0))
    cured = OverfitSession(OverfitConfig(l2=0.01, dropout=0.3))
    bare.train_steps(2000)
    cured.train_steps(2000)
    b, c = bare.snapshot(), cured.snapshot()
    assert c.val_loss[1] < 0.5 * c.val_loss[0]
    assert c.val_loss[0] == pytest.approx(b.val_loss[0])  # the bare twin is untouched
    assert c.stopped_at is not None and c.best_step < c.stopped_at
    assert c.kept_val_loss is not None and c.kept_val_accuracy > 0.7


def test_both_networks_start_from_the_same_weights():
    session = OverfitSession(OverfitConfig(dropout=0.5, batch_norm=True))
    bare = [m for m in session.nets[0].modules() if isinstance(m, torch.nn.Linear)]
    cured = [m for m in session.nets[1].modules() if isinstance(m, torch.nn.Linear)]
    for a, b in zip(bare, cured, strict=True):
        assert torch.equal(a.weight, b.weight)


def test_more_data_is_a_cure():
    small = OverfitSession(OverfitConfig(train_size=20, l2=0.0, dropout=0.0))
    large = OverfitSession(OverfitConfig(train_size=400, l2=0.0, dropout=0.0))
    small.train_steps(2000)
    large.train_steps(2000)
    assert large.snapshot().val_loss[0] < small.snapshot().val_loss[0]


def test_bad_training_knobs_are_refused():
    for bad in ({"train_size": 5}, {"dropout": 0.9}, {"points": "galaxy"}):
        with pytest.raises(ValueError):
            OverfitConfig(**bad)
    with pytest.raises(ValueError):
        RobustConfig(losses=("mse",))
    with pytest.raises(ValueError):
        ClassifierConfig(balance="skewed")


def test_same_seed_same_races():
    def run(session_type, config):
        session = session_type(config)
        session.train_steps(100)
        return session.snapshot()

    a, b = run(RobustSession, RobustConfig(seed=4)), run(RobustSession, RobustConfig(seed=4))
    assert np.array_equal(a.slopes, b.slopes) and np.array_equal(a.history_loss, b.history_loss)
    assert not np.array_equal(a.y, run(RobustSession, RobustConfig(seed=5)).y)
    c, d = run(OverfitSession, OverfitConfig(seed=2)), run(OverfitSession, OverfitConfig(seed=2))
    assert np.array_equal(c.planes, d.planes) and np.array_equal(c.history_val, d.history_val)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_cuda_smoke_the_training_sessions_train_on_the_gpu():
    from dlviz.device import DEVICE

    assert DEVICE.type == "cuda"
    clf = ClassifierSession(ClassifierConfig(pace="max"))
    assert next(clf.net.parameters()).is_cuda and clf.x.is_cuda
    clf.train_steps(400)
    assert roc_auc(clf.snapshot().scores, clf.snapshot().labels) > 0.85
    fit = OverfitSession(OverfitConfig(dropout=0.3, batch_norm=True))
    assert all(next(n.parameters()).is_cuda for n in fit.nets)
    fit.train_steps(500)
    assert np.isfinite(fit.snapshot().planes).all() and fit.snapshot().kept_val_loss is not None
    robust = RobustSession(RobustConfig())
    robust.train_steps(500)
    assert robust.x_train.is_cuda and np.isfinite(robust.snapshot().slopes).all()


@pytest.mark.parametrize("points", ["moons", "circle", "spiral"])
def test_the_overfitting_race_trains_on_both_classes(points):
    # the point makers list their points class by class; the training cut must not
    session = OverfitSession(OverfitConfig(points=points, train_size=10))
    assert set(session.y_train.tolist()) == {0, 1}
    assert set(session.y_test.tolist()) == {0, 1}


def test_early_stopping_keeps_the_best_weights_once_stopped():
    session = OverfitSession(OverfitConfig(patience=100, l2=0.0, dropout=0.0))
    session.train_steps(1500)
    snap = session.snapshot()
    assert snap.stopped_at is not None and snap.best_step < snap.stopped_at
    # the kept weights are those of the best step: their validation loss is the best one
    assert snap.kept_val_loss == pytest.approx(session.stopping.best, rel=1e-6)


def test_l1_leaves_batch_norm_alone():
    session = OverfitSession(OverfitConfig(l1=1e-2, batch_norm=True, l2=0.0, dropout=0.0))
    cured = session.nets[1]
    batch = (session.x_train, session.y_train)
    penalised = session._loss(cured, batch)[0]
    with torch.no_grad():
        data_only = session._loss(cured, batch)[0]
    linears = sum(m.weight.abs().sum() for m in cured.modules() if isinstance(m, torch.nn.Linear))
    assert float(penalised - data_only) == pytest.approx(1e-2 * float(linears), rel=1e-5)
