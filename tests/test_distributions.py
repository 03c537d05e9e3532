"""torch.distributions: minigrad's distributions against torch's, in the same process. Draws for a seed are
torch's (bit for bit where the whole computation is; within torch's own float32 error where one op after the
draws, log1p or a matrix product, is not replayed), log_prob/entropy/moments and their float64 gradients,
KL divergences, reprs and validation errors."""
import math

import numpy as np
import pytest
import torch

import minigrad
from conftest import assert_same, assert_same_bits
from parity.compare import FLOOR32, K32

RNG = np.random.default_rng(0)
LOC = RNG.normal(size=3)
SCALE = RNG.uniform(0.5, 2.0, 3)
PROBS = np.array([0.1, 0.5, 0.9])
WEIGHTS = RNG.uniform(0.0, 1.0, (3, 5))               # unnormalised category weights, a batch of 3
LOGITS = RNG.normal(size=(3, 5))
TRIL = np.tril(RNG.uniform(0.1, 1.0, (3, 3)), -1) + np.diag(RNG.uniform(0.5, 2.0, 3))


def D(lib):
    return lib.distributions


def params(lib, dtype, requires_grad=False):
    """The test parameters as leaves of `lib` in `dtype`."""
    dt = getattr(lib, dtype)

    def leaf(a):
        return lib.tensor(np.asarray(a), dtype=dt, requires_grad=requires_grad)
    return {"loc": leaf(LOC), "scale": leaf(SCALE), "probs": leaf(PROBS), "weights": leaf(WEIGHTS),
            "logits": leaf(LOGITS), "tril": leaf(TRIL)}


MAKERS = {
    "Normal": lambda d, p: d.Normal(p["loc"], p["scale"]),
    "Uniform": lambda d, p: d.Uniform(p["loc"], p["loc"] + p["scale"]),
    "Laplace": lambda d, p: d.Laplace(p["loc"], p["scale"]),
    "Exponential": lambda d, p: d.Exponential(p["scale"]),
    "Bernoulli": lambda d, p: d.Bernoulli(p["probs"]),
    "BernoulliLogits": lambda d, p: d.Bernoulli(logits=p["loc"]),
    "Categorical": lambda d, p: d.Categorical(p["weights"]),
    "CategoricalLogits": lambda d, p: d.Categorical(logits=p["logits"]),
    "OneHotCategorical": lambda d, p: d.OneHotCategorical(logits=p["logits"]),
    "MultivariateNormal": lambda d, p: d.MultivariateNormal(p["loc"], scale_tril=p["tril"]),
    "MultivariateNormalCov": lambda d, p: d.MultivariateNormal(p["loc"], covariance_matrix=p["tril"] @ p["tril"].T),
    "MultivariateNormalPrec": lambda d, p: d.MultivariateNormal(
        p["loc"], precision_matrix=(p["tril"] @ p["tril"].T).inverse()),
    "IndependentNormal": lambda d, p: d.Independent(d.Normal(p["loc"], p["scale"]), 1),
    "Gamma": lambda d, p: d.Gamma(p["scale"], p["scale"].flip(0)),
    "GammaBelowOne": lambda d, p: d.Gamma(p["scale"] * 0.3, 1.7),          # concentration < 1: boosted draws
    "Beta": lambda d, p: d.Beta(p["scale"], p["scale"].flip(0) + 0.2),
    "Dirichlet": lambda d, p: d.Dirichlet(p["weights"] + 0.2),
}
REPARAMETERISED = ["Normal", "Uniform", "Laplace", "Exponential", "MultivariateNormal", "IndependentNormal", "Gamma",
                   "GammaBelowOne", "Beta", "Dirichlet"]
EXACT_DRAWS = ["Normal", "Uniform", "Exponential", "Bernoulli", "BernoulliLogits", "Categorical",
               "CategoricalLogits", "OneHotCategorical", "IndependentNormal", "Gamma", "GammaBelowOne", "Beta",
               "Dirichlet"]


def make(lib, name, dtype="float64", requires_grad=False):
    p = params(lib, dtype, requires_grad)
    return MAKERS[name](D(lib), p), p


def draw(lib, name, dtype, shape, method, seed=7):
    """A draw of `method` for `shape` after manual_seed(seed), and the generator's next numbers (so the draws
    took as many numbers as torch's)."""
    dist, _ = make(lib, name, dtype)
    lib.manual_seed(seed)
    x = getattr(dist, method)(shape)
    return x.detach().numpy(), lib.rand(3).numpy()


def value_of(lib, name, dtype="float64"):
    """A value in the support of `name`'s distributions, of its batch + event shape."""
    dist, _ = make(lib, name, dtype)
    lib.manual_seed(3)
    return dist.sample((2,))


# ------------------------------------------------------------------------------------------------ draws

@pytest.mark.parametrize("name", EXACT_DRAWS)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shape", [(), (4,), (20, 2)], ids=["one", "4", "20x2"])
def test_sample_draws_torchs_numbers_for_a_seed(name, dtype, shape):
    (t, t_next), (m, m_next) = draw(torch, name, dtype, shape, "sample"), draw(minigrad, name, dtype, shape, "sample")
    assert m.dtype == t.dtype and m.shape == t.shape
    np.testing.assert_array_equal(m, t)
    np.testing.assert_array_equal(m_next, t_next)


@pytest.mark.parametrize("name", ["Normal", "Uniform", "Exponential", "Gamma", "GammaBelowOne", "Beta", "Dirichlet"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_rsample_draws_torchs_numbers_for_a_seed(name, dtype):
    (t, t_next), (m, m_next) = draw(torch, name, dtype, (20, 2), "rsample"), draw(minigrad, name, dtype, (20, 2), "rsample")
    assert_same_bits(m, t)
    np.testing.assert_array_equal(m_next, t_next)


def _float32_within_torchs_own_error(m32, t32, t64):
    """minigrad's float32 result deviates from torch's float64 on the same draws by at most K32 times torch's
    own float32 deviation plus FLOOR32 (relative to the tensor's scale): the project's float32 rule."""
    scale = np.abs(t64).max()
    dev_m, dev_t = np.abs(m32 - t64).max() / scale, np.abs(t32 - t64).max() / scale
    assert dev_m <= K32 * dev_t + FLOOR32, (dev_m, dev_t)


@pytest.mark.parametrize("shape", [(4,), (20, 2)], ids=["4", "20x2"])
def test_laplace_draws_torchs_uniforms_and_rounds_within_torchs_float32_error(shape):
    """Laplace maps torch's uniform draws through log1p, whose float32 kernel torch does not share with NumPy
    (one ulp apart at times): the uniforms are torch's, the result within torch's own float32 error."""
    (t, t_next), (m, m_next) = draw(torch, "Laplace", "float32", shape, "rsample"), draw(minigrad, "Laplace", "float32", shape, "rsample")
    np.testing.assert_array_equal(m_next, t_next)
    torch.manual_seed(7)
    u = torch.empty(tuple(shape) + (3,)).uniform_(torch.finfo(torch.float32).eps - 1, 1).double()
    loc, scale = torch.tensor(LOC).float().double(), torch.tensor(SCALE).float().double()
    t64 = (loc - scale * u.sign() * torch.log1p(-u.abs())).numpy()
    _float32_within_torchs_own_error(m, t, t64)


def test_multivariate_normal_draws_torchs_normals_and_rounds_within_torchs_float32_error():
    (t, t_next), (m, m_next) = (draw(torch, "MultivariateNormal", "float32", (20, 2), "rsample"),
                                draw(minigrad, "MultivariateNormal", "float32", (20, 2), "rsample"))
    np.testing.assert_array_equal(m_next, t_next)
    torch.manual_seed(7)
    eps = torch.randn(20, 2, 3).double()
    loc, L = torch.tensor(LOC).float().double(), torch.tensor(TRIL).float().double()
    t64 = (loc + (L @ eps.unsqueeze(-1)).squeeze(-1)).numpy()
    _float32_within_torchs_own_error(m, t, t64)


@pytest.mark.parametrize("name", ["Laplace", "MultivariateNormal"])
def test_float64_draws_agree_to_rounding(name):
    (t, t_next), (m, m_next) = draw(torch, name, "float64", (20, 2), "rsample"), draw(minigrad, name, "float64", (20, 2), "rsample")
    np.testing.assert_array_equal(m_next, t_next)
    assert_same(m, t)


def test_categorical_draws_match_over_many_seeds():
    for seed in range(30):
        t, _ = draw(torch, "CategoricalLogits", "float32", (8,), "sample", seed)
        m, _ = draw(minigrad, "CategoricalLogits", "float32", (8,), "sample", seed)
        np.testing.assert_array_equal(m, t)


@pytest.mark.parametrize("k", [2, 5, 7, 16, 23, 100])
def test_dirichlet_rows_are_summed_in_torchs_order(k):
    """The float64 row sums that normalise Dirichlet's Gamma draws, bit for bit torch's."""
    from minigrad.distributions.dirichlet import _row_sums
    gammas = np.random.default_rng(k).gamma(0.5, size=(50, 3, k))
    assert_same_bits(_row_sums(gammas), torch.tensor(gammas).sum(-1, keepdim=True).numpy())


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("rate", [1.0, 3.0, 0.7])
def test_tensor_exponential_fill_is_torchs_stream(dtype, rate):
    out = []
    for lib in (torch, minigrad):
        lib.manual_seed(5)
        out.append(lib.empty(3000, dtype=getattr(lib, dtype)).exponential_(rate).numpy())
    assert_same_bits(out[1], out[0])


@pytest.mark.parametrize("name", REPARAMETERISED)
def test_rsample_keeps_the_graph_so_a_loss_of_the_draw_backpropagates(name):
    grads = []
    for lib in (torch, minigrad):
        dist, p = make(lib, name, "float64", requires_grad=True)
        lib.manual_seed(11)
        (dist.rsample((5,)) ** 2).sum().backward()
        grads.append([p[k].grad for k in ("loc", "scale", "tril", "weights")])
    for g_m, g_t in zip(grads[1], grads[0]):
        assert (g_m is None) == (g_t is None)
        if g_t is not None:
            assert_same(g_m, g_t)


def test_sample_is_cut_from_the_graph():
    dist, _ = make(minigrad, "Normal", "float64", requires_grad=True)
    assert not dist.sample().requires_grad and dist.rsample().requires_grad


# ------------------------------------------------------------------------------- values and gradients

STATS = ["log_prob", "entropy", "mean", "variance", "stddev"]
UNDEFINED = {("Categorical", "mean"), ("Categorical", "variance"), ("Categorical", "stddev"),
             ("CategoricalLogits", "mean"), ("CategoricalLogits", "variance"), ("CategoricalLogits", "stddev")}


def stat(lib, name, what, dtype="float64", requires_grad=False):
    dist, p = make(lib, name, dtype, requires_grad)
    if what == "log_prob":
        out = dist.log_prob(value_of(lib, name, dtype))
    elif what == "entropy":
        out = dist.entropy()
    else:
        out = getattr(dist, what)
    return out, p


@pytest.mark.parametrize("name", list(MAKERS))
@pytest.mark.parametrize("what", STATS)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_value_equals_torchs(name, what, dtype):
    t, _ = stat(torch, name, what, dtype)
    m, _ = stat(minigrad, name, what, dtype)
    assert_same(m, t)


@pytest.mark.parametrize("name", list(MAKERS))
@pytest.mark.parametrize("what", ["log_prob", "entropy", "mean", "variance"])
def test_float64_gradient_equals_torchs(name, what):
    if (name, what) in UNDEFINED:
        pytest.skip("nan everywhere, no graph (torch.full)")
    grads = []
    for lib in (torch, minigrad):
        out, p = stat(lib, name, what, "float64", requires_grad=True)
        if not out.requires_grad:
            grads.append(None)
            continue
        weights = lib.tensor(np.linspace(0.5, 1.5, out.numel()).reshape(tuple(out.shape)))
        (out * weights).sum().backward()
        grads.append({k: v.grad for k, v in p.items()})
    assert (grads[1] is None) == (grads[0] is None)
    if grads[0] is not None:
        for k in grads[0]:
            assert (grads[1][k] is None) == (grads[0][k] is None), k
            if grads[0][k] is not None:
                assert_same(grads[1][k], grads[0][k])


def test_policy_gradient_loss_backpropagates_into_the_logits():
    """REINFORCE: -(log_prob(action) * return).sum() for actions drawn from a Categorical of a policy's logits."""
    grads = []
    for lib in (torch, minigrad):
        logits = lib.tensor(LOGITS, requires_grad=True)
        dist = D(lib).Categorical(logits=logits)
        lib.manual_seed(0)
        actions = dist.sample((6,))
        returns = lib.tensor(np.linspace(-1, 2, 18).reshape(6, 3))
        (-(dist.log_prob(actions) * returns).sum() - 0.01 * dist.entropy().sum()).backward()
        grads.append(logits.grad)
    assert_same(grads[1], grads[0])


def test_categorical_normalises_probs_and_logits_as_torch():
    for kwargs in ({"probs": WEIGHTS}, {"logits": LOGITS}):
        out = []
        for lib in (torch, minigrad):
            dist = D(lib).Categorical(**{k: lib.tensor(v) for k, v in kwargs.items()})
            out.append((dist.probs, dist.logits))
        assert_same(out[1][0], out[0][0])
        assert_same(out[1][1], out[0][1])


def test_categorical_entropy_with_a_zero_probability_is_finite():
    out = [D(lib).Categorical(probs=lib.tensor([0.0, 0.3, 0.7])).entropy() for lib in (torch, minigrad)]
    assert_same(out[1], out[0])


@pytest.mark.parametrize("name", ["Normal", "Laplace", "Exponential", "Uniform"])
@pytest.mark.parametrize("fn", ["cdf", "icdf"])
def test_cdf_and_icdf_equal_torchs(name, fn):
    out = []
    for lib in (torch, minigrad):
        dist, _ = make(lib, name)
        x = value_of(lib, name) if fn == "cdf" else lib.tensor(np.array([[0.2, 0.5, 0.9], [0.01, 0.6, 0.3]]))
        out.append(getattr(dist, fn)(x))
    assert_same(out[1], out[0])


@pytest.mark.parametrize("name", ["Bernoulli", "Categorical", "OneHotCategorical"])
def test_enumerate_support_equals_torchs(name):
    out = [make(lib, name)[0].enumerate_support() for lib in (torch, minigrad)]
    assert_same(out[1], out[0])


def test_exponential_family_entropy_through_autograd_equals_the_closed_form():
    for name in ("Normal", "Exponential", "Bernoulli"):
        dist, _ = make(minigrad, name)
        generic = minigrad.distributions.ExponentialFamily.entropy(dist)
        assert_same(generic, make(torch, name)[0].entropy())


# ------------------------------------------------------------------------------------- shapes and expand

@pytest.mark.parametrize("name", list(MAKERS))
def test_batch_and_event_shapes_equal_torchs(name):
    shapes = [(make(lib, name)[0].batch_shape, make(lib, name)[0].event_shape) for lib in (torch, minigrad)]
    assert [tuple(s) for s in shapes[1]] == [tuple(s) for s in shapes[0]]
    assert repr(shapes[1][0]) == repr(shapes[0][0])


@pytest.mark.parametrize("name", ["Normal", "Bernoulli", "Categorical", "MultivariateNormal", "IndependentNormal"])
def test_expand_then_sample_equals_torchs(name):
    out = []
    for lib in (torch, minigrad):
        dist = make(lib, name)[0].expand((2, 3))
        lib.manual_seed(1)
        out.append((tuple(dist.batch_shape), dist.sample().numpy(), dist.log_prob(dist.sample()).detach().numpy()))
    assert out[1][0] == out[0][0]
    if name in EXACT_DRAWS:
        np.testing.assert_array_equal(out[1][1], out[0][1])
    else:                                   # MultivariateNormal: torch's normals through a matrix product
        assert_same(out[1][1], out[0][1])
    assert_same(out[1][2], out[0][2])


def test_numbers_make_a_scalar_distribution_of_the_default_dtype():
    out = []
    for lib in (torch, minigrad):
        dist = D(lib).Normal(0.0, 1.0)
        lib.manual_seed(2)
        out.append((tuple(dist.batch_shape), dist.loc.dtype == lib.float32, dist.rsample((3,)).numpy()))
    assert out[1][:2] == out[0][:2]
    np.testing.assert_array_equal(out[1][2], out[0][2])


# ---------------------------------------------------------------------------------------------- reprs

REPRS = [
    lambda lib: D(lib).Normal(0.0, 1.0),
    lambda lib: D(lib).Normal(lib.tensor([0.0, 1.0]), 1.0),
    lambda lib: D(lib).Uniform(lib.zeros(1), 1.0),
    lambda lib: D(lib).Bernoulli(logits=0.3),
    lambda lib: D(lib).Categorical(logits=lib.zeros(3)),
    lambda lib: D(lib).OneHotCategorical(lib.tensor([0.2, 0.8])),
    lambda lib: D(lib).MultivariateNormal(lib.zeros(2), lib.eye(2)),
    lambda lib: D(lib).Independent(D(lib).Normal(lib.zeros(3, 2), 1.0), 1),
    lambda lib: D(lib).Exponential(2.0),
    lambda lib: D(lib).Gamma(1.0, 2.0),
    lambda lib: D(lib).Beta(0.5, 0.5),
    lambda lib: D(lib).Dirichlet(lib.ones(3)),
    lambda lib: D(lib).Uniform(0.0, 1.0).support,
    lambda lib: D(lib).constraints.real_vector,
    lambda lib: D(lib).constraints.half_open_interval(0, 1),
    lambda lib: D(lib).constraints.nonnegative,
]


@pytest.mark.parametrize("make_it", REPRS, ids=range(len(REPRS)))
def test_repr_equals_torchs(make_it):
    assert repr(make_it(minigrad)) == repr(make_it(torch))


# ------------------------------------------------------------------------------------------ validation

BAD = [
    lambda lib: D(lib).Normal(0.0, -1.0),
    lambda lib: D(lib).Normal(lib.tensor([0.0, float("nan")]), 1.0),
    lambda lib: D(lib).Normal(lib.zeros(2), lib.ones(3)),
    lambda lib: D(lib).Uniform(1.0, 0.0),
    lambda lib: D(lib).Exponential(lib.tensor([1.0, -1.0])),
    lambda lib: D(lib).Bernoulli(1.5),
    lambda lib: D(lib).Bernoulli(),
    lambda lib: D(lib).Categorical(lib.tensor([-0.5, 1.5])),
    lambda lib: D(lib).Categorical(lib.tensor(0.5)),
    lambda lib: D(lib).Categorical(probs=lib.ones(2), logits=lib.ones(2)),
    lambda lib: D(lib).MultivariateNormal(lib.zeros(2), lib.tensor([[1.0, 2.0], [2.0, 1.0]])),
    lambda lib: D(lib).MultivariateNormal(lib.zeros(2), scale_tril=lib.tensor([[1.0, 1.0], [0.0, 1.0]])),
    lambda lib: D(lib).MultivariateNormal(lib.zeros(2)),
    lambda lib: D(lib).MultivariateNormal(lib.tensor(0.0), lib.eye(2)),
    lambda lib: D(lib).Independent(D(lib).Normal(lib.zeros(2), 1.0), 2),
    lambda lib: D(lib).Gamma(lib.tensor([1.0, 0.0]), 1.0),
    lambda lib: D(lib).Beta(lib.tensor([1.0, -2.0]), 1.0),
    lambda lib: D(lib).Dirichlet(lib.tensor(1.0)),
    lambda lib: D(lib).Dirichlet(lib.tensor([[1.0, 2.0], [0.5, -1.0]])),
    lambda lib: D(lib).Beta(2.0, 2.0).log_prob(lib.tensor(1.5)),
    lambda lib: D(lib).Dirichlet(lib.ones(3)).log_prob(lib.tensor([0.5, 0.6, 0.1])),
    lambda lib: D(lib).Normal(lib.zeros(2), lib.ones(2)).log_prob(lib.zeros(3)),
    lambda lib: D(lib).Normal(lib.zeros(2), lib.ones(2)).log_prob([0.0, 0.0]),
    lambda lib: D(lib).Bernoulli(lib.tensor([0.5])).log_prob(lib.tensor([0.5])),
    lambda lib: D(lib).Categorical(lib.tensor([0.5, 0.5])).log_prob(lib.tensor(2)),
    lambda lib: D(lib).Exponential(1.0).log_prob(lib.tensor(-1.0)),
    lambda lib: D(lib).OneHotCategorical(lib.tensor([0.5, 0.5])).log_prob(lib.tensor([1.0, 1.0])),
    lambda lib: D(lib).MultivariateNormal(lib.zeros(2), lib.eye(2)).log_prob(lib.zeros(3)),
    lambda lib: D(lib).Distribution.set_default_validate_args(3),
    lambda lib: D(lib).kl_divergence(D(lib).Normal(0.0, 1.0), D(lib).Bernoulli(0.5)),
    lambda lib: D(lib).kl_divergence(D(lib).Bernoulli(0.5), D(lib).Categorical(lib.ones(2))),
    lambda lib: D(lib).kl_divergence(D(lib).MultivariateNormal(lib.zeros(2), lib.eye(2)),
                                     D(lib).MultivariateNormal(lib.zeros(3), lib.eye(3))),
]


@pytest.mark.parametrize("bad", BAD, ids=range(len(BAD)))
def test_bad_input_raises_torchs_error(bad):
    errors = []
    for lib in (torch, minigrad):
        with pytest.raises(Exception) as info:
            bad(lib)
        errors.append((type(info.value), str(info.value)))
    assert errors[1] == errors[0]


def test_validate_args_false_accepts_what_validation_refuses():
    for lib in (torch, minigrad):
        assert lib.isnan(D(lib).Normal(0.0, -1.0, validate_args=False).log_prob(lib.tensor(0.0)))


def test_set_default_validate_args_turns_validation_off_and_on():
    Distribution = minigrad.distributions.Distribution
    try:
        Distribution.set_default_validate_args(False)
        minigrad.distributions.Normal(0.0, -1.0)
        Distribution.set_default_validate_args(True)
        with pytest.raises(ValueError):
            minigrad.distributions.Normal(0.0, -1.0)
    finally:
        Distribution.set_default_validate_args(True)


CHECKS = [("positive", [-1.0, 0.0, 2.0]), ("nonnegative", [-1.0, 0.0, 2.0]), ("unit_interval", [-0.1, 0.5, 1.0]),
          ("boolean", [0.0, 0.5, 1.0]), ("real", [float("nan"), 1.0, float("inf")]),
          ("simplex", [[0.2, 0.8], [0.5, 0.6]]), ("one_hot", [[0.0, 1.0], [1.0, 1.0]]),
          ("lower_cholesky", [[1.0, 0.0], [2.0, 3.0]]), ("positive_definite", [[2.0, 1.0], [1.0, 2.0]]),
          ("real_vector", [[1.0, float("nan")], [1.0, 2.0]]), ("nonnegative_integer", [0.0, 1.5, 2.0])]


@pytest.mark.parametrize("name, value", CHECKS, ids=[c[0] for c in CHECKS])
def test_constraint_check_equals_torchs(name, value):
    out = [getattr(D(lib).constraints, name).check(lib.tensor(value)) for lib in (torch, minigrad)]
    assert_same(out[1], out[0])


# ------------------------------------------------------------------------------------------------ KL

KL_PAIRS = [("Normal", "Normal"), ("Bernoulli", "BernoulliLogits"), ("Categorical", "CategoricalLogits"),
            ("OneHotCategorical", "OneHotCategorical"), ("Exponential", "Exponential"), ("Laplace", "Laplace"),
            ("Uniform", "Uniform"), ("MultivariateNormal", "MultivariateNormalCov"),
            ("IndependentNormal", "IndependentNormal"), ("Laplace", "Normal"), ("Normal", "Laplace"),
            ("Exponential", "Normal"), ("Uniform", "Normal"), ("Uniform", "Exponential"), ("Normal", "Uniform"),
            ("Exponential", "Uniform"), ("Laplace", "Uniform"), ("Gamma", "Gamma"), ("Beta", "Beta"),
            ("Dirichlet", "Dirichlet"), ("Exponential", "Gamma"), ("Gamma", "Exponential"), ("Gamma", "Normal"),
            ("Beta", "Normal"), ("Beta", "Exponential"), ("Beta", "Gamma"), ("Beta", "Uniform"), ("Uniform", "Beta"),
            ("Uniform", "Gamma"), ("Normal", "Gamma"), ("Gamma", "Beta")]


def _kl(lib, p_name, q_name, requires_grad=False):
    p, params_p = make(lib, p_name, "float64", requires_grad)
    q_params = {k: lib.tensor(np.asarray(v.detach().numpy()) * 1.3 + 0.1 if k in ("loc", "scale") else
                              v.detach().numpy() * 1.2 if k == "weights" else v.detach().numpy(), dtype=lib.float64)
                for k, v in params_p.items()}
    q = MAKERS[q_name](D(lib), q_params)
    return D(lib).kl_divergence(p, q), params_p


@pytest.mark.parametrize("p_name, q_name", KL_PAIRS, ids=[f"{p}-{q}" for p, q in KL_PAIRS])
def test_kl_divergence_equals_torchs(p_name, q_name):
    t, _ = _kl(torch, p_name, q_name)
    m, _ = _kl(minigrad, p_name, q_name)
    assert_same(m, t)


@pytest.mark.parametrize("p_name, q_name", [("Normal", "Normal"), ("Categorical", "CategoricalLogits"),
                                            ("MultivariateNormal", "MultivariateNormalCov"), ("Laplace", "Normal"),
                                            ("Gamma", "Gamma"), ("Beta", "Beta"), ("Dirichlet", "Dirichlet")])
def test_kl_divergence_float64_gradient_equals_torchs(p_name, q_name):
    grads = []
    for lib in (torch, minigrad):
        kl, p = _kl(lib, p_name, q_name, requires_grad=True)
        kl.sum().backward()
        grads.append({k: v.grad for k, v in p.items()})
    for k in grads[0]:
        assert (grads[1][k] is None) == (grads[0][k] is None), k
        if grads[0][k] is not None:
            assert_same(grads[1][k], grads[0][k])


def _two_exponentials_of_a_subclass(lib):
    class MyExponential(D(lib).Exponential):
        pass
    return MyExponential(lib.tensor(SCALE)), MyExponential(lib.tensor(SCALE[::-1].copy()))


def test_kl_of_a_subclass_pair_takes_the_parents_registered_form():
    out = [D(lib).kl_divergence(*_two_exponentials_of_a_subclass(lib)) for lib in (torch, minigrad)]
    assert_same(out[1], out[0])


def test_bregman_divergence_of_an_exponential_family_pair_equals_torchs():
    """The generic ExponentialFamily form (through autograd of the log-normaliser), called directly."""
    out = [D(lib).kl.__dict__["_kl_expfamily_expfamily"](*_two_exponentials_of_a_subclass(lib))
           for lib in (torch, minigrad)]
    assert_same(out[1], out[0])


def test_register_kl_adds_a_pair():
    mg = minigrad.distributions

    class MyNormal(mg.Normal):
        pass

    @mg.register_kl(MyNormal, mg.Laplace)
    def _kl_mine(p, q):
        return p.loc * 0 + 42.0

    assert mg.kl_divergence(MyNormal(0.0, 1.0), mg.Laplace(0.0, 1.0)).item() == 42.0
    assert mg.kl_divergence(mg.Normal(0.0, 1.0), mg.Laplace(0.0, 1.0)).item() != 42.0


def test_kl_where_q_rules_out_what_p_allows_is_infinite():
    out = [D(lib).kl_divergence(D(lib).Categorical(lib.tensor([0.5, 0.5])), D(lib).Categorical(lib.tensor([1.0, 0.0])))
           for lib in (torch, minigrad)]
    assert math.isinf(out[0].item()) and out[1].item() == out[0].item()


# ----------------------------------------------------------------------------------------------- import

def test_torch_distributions_imports_under_as_torch():
    import subprocess
    import sys
    code = ("import minigrad.as_torch as a; a.install()\n"
            "from torch.distributions import Categorical\n"
            "import torch.distributions as d, minigrad\n"
            "assert Categorical is minigrad.distributions.Categorical and d is minigrad.distributions\n")
    subprocess.run([sys.executable, "-c", code], check=True)
