"""minigrad.distributions (torch.distributions under minigrad.as_torch): probability distributions to sample
from and score with, for policy gradients, VAEs and Bayesian toy models.

    from torch.distributions import Categorical
    dist = Categorical(logits=policy(state))
    action = dist.sample()                               # torch's draws for the same seed
    loss = -(dist.log_prob(action) * reward).sum()       # backpropagates into the policy

Families: Normal, Uniform, Laplace, Exponential, Gamma, Beta, Dirichlet, Bernoulli, Categorical,
OneHotCategorical, MultivariateNormal, and Independent (batch dims read as event dims); kl_divergence with
register_kl; constraints.
"""
from . import constraints
from .bernoulli import Bernoulli
from .beta import Beta
from .categorical import Categorical
from .dirichlet import Dirichlet
from .distribution import Distribution
from .exp_family import ExponentialFamily
from .exponential import Exponential
from .gamma import Gamma
from .independent import Independent
from .kl import kl_divergence, register_kl
from .laplace import Laplace
from .multivariate_normal import MultivariateNormal
from .normal import Normal
from .one_hot_categorical import OneHotCategorical
from .uniform import Uniform

__all__ = [
    "Bernoulli", "Beta", "Categorical", "Dirichlet", "Distribution", "Exponential", "ExponentialFamily", "Gamma", "Independent", "Laplace",
    "MultivariateNormal", "Normal", "OneHotCategorical", "Uniform", "constraints", "kl_divergence", "register_kl",
]
