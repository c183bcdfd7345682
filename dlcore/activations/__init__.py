"""Activation functions: a registry of pointwise layers (chapters 01-03).

``get_activation("tanh")`` builds one by name; ``ACTIVATIONS`` maps every
registered name to its class; ``activation_names()`` lists them.
"""
from .base import ACTIVATIONS, Activation, activation_names, get_activation, register
from .basic import Identity, ReLU, Sigmoid, Tanh, sigmoid
from . import special, zoo
from .special import PReLU, RReLU, Softmax, softmax_jacobian
from .zoo import (ELU, GELU, SELU, HardSigmoid, HardTanh, LeakyReLU, Mish, SiLU, Softplus, Swish, gaussian_cdf,
                  mish, mish_log10, softplus)

__all__ = [
    "ACTIVATIONS", "Activation", "activation_names", "get_activation", "register",
    "Identity", "ReLU", "Sigmoid", "Tanh", "sigmoid", "special", "zoo",
    "ELU", "GELU", "SELU", "HardSigmoid", "HardTanh", "LeakyReLU", "Mish", "PReLU", "RReLU", "SiLU",
    "Softmax", "Softplus", "Swish", "gaussian_cdf", "mish", "mish_log10", "softmax_jacobian", "softplus",
]
