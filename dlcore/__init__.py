"""dlcore: the small, tested NumPy library behind the book.

Import what a chapter needs from here::

    from dlcore import mlp, fit, digits, check_module

Every error dlcore raises about its input is a :class:`~dlcore.errors.DlcoreError` (and a
``ValueError`` or ``TypeError``) whose message names the argument, the value and what is allowed.

Importing dlcore imports NumPy and nothing heavier (no matplotlib, no
ipywidgets, no scikit-learn).
"""
from . import activations, cache, divergence, progress, sanity, clipping, data, dataset, diagnostics, gradcheck, init, layers, losses, optim, residual, rng, train
from . import schedules, surfaces, errors, validate
from .errors import DlcoreError, InvalidArgument, InvalidType, MissingMethod
from .activations import ACTIVATIONS, Activation, activation_names, get_activation
from .data import Dataset, DataError, blobs, digits, load_csv, load_csv_array, load_npz, moons, regression_1d, spirals
from .diagnostics import layer_stats
from .gradcheck import check_module, numerical_gradient, rel_error
from .clipping import GradientClipper, clip_by_global_norm, clip_by_value
from .init import get_init
from .layers import Linear, Sequential, mlp
from .losses import bce_with_logits, get_loss, log_softmax, logsumexp, quadratic, softmax, softmax_cross_entropy
from .module import Module, ShapeError
from .rng import as_generator, spawn
from .cache import cached, clear_caches
from .optim import SGD, Adadelta, Adagrad, Adam, Adamax, AdamW, Momentum, Nadam, Nesterov, Optimizer, RMSprop, Rprop, get_optimizer
from .schedules import LRScheduler, get_schedule
from .residual import Residual, residual_mlp
from . import conv, norm, norm_groups, norm_nets, weightnorm
from . import search
from .search import Choice, Int, LogUniform, Uniform
from .conv import AvgPool2d, Conv2d, Flatten, MaxPool2d, Reshape, conv_output_size
from .norm import BatchNorm1d, BatchNorm2d, LayerNorm
from .norm_groups import GroupNorm, InstanceNorm, LocalResponseNorm
from .weightnorm import WeightNormLinear
from . import noisy_norm
from .noisy_norm import NoisyBatchNorm1d, gaussian_kl, noisy_bn_mlp, wasserstein1
from .norm_nets import conv_net, norm_mlp
from .train import DivergenceError, History, LambdaCallback, evaluate, fit, predict
from . import augment, dropout, regularise
from .dropout import Dropout, dropout_mlp, set_dropout
from .regularise import EarlyStopping, MaxNorm, Penalty, max_norm_, penalty_value
from .augment import rotate_images, shift_images

__version__ = "0.1.0"

__all__ = [
    "activations", "cache", "divergence", "progress", "sanity", "clipping", "data", "dataset", "diagnostics", "rng", "spawn", "cached", "clear_caches", "gradcheck", "init", "layers", "losses", "optim", "residual",
    "train", "GradientClipper", "clip_by_global_norm", "clip_by_value", "Residual", "residual_mlp",
    "ACTIVATIONS", "Activation", "activation_names", "get_activation",
    "Dataset", "DataError", "blobs", "digits", "load_csv", "load_csv_array", "load_npz", "moons", "regression_1d", "spirals",
    "layer_stats", "check_module", "numerical_gradient", "rel_error", "get_init",
    "Linear", "Sequential", "mlp",
    "bce_with_logits", "get_loss", "log_softmax", "logsumexp", "quadratic", "softmax", "softmax_cross_entropy",
    "Module", "ShapeError", "as_generator", "SGD", "Optimizer", "get_optimizer",
    "DivergenceError", "History", "evaluate", "fit", "predict",
    "schedules", "surfaces", "Momentum", "Nesterov", "Adagrad", "RMSprop", "Adadelta", "Adam", "AdamW", "Adamax", "Nadam", "Rprop",
    "LRScheduler", "get_schedule",
    "errors", "validate", "DlcoreError", "InvalidArgument", "InvalidType", "MissingMethod", "LambdaCallback",
    "conv", "norm", "norm_groups", "norm_nets", "weightnorm", "conv_net", "norm_mlp", "AvgPool2d", "Conv2d", "Flatten", "MaxPool2d", "Reshape",
    "conv_output_size", "BatchNorm1d", "BatchNorm2d", "LayerNorm", "GroupNorm", "InstanceNorm", "LocalResponseNorm",
    "WeightNormLinear",
    "augment", "dropout", "regularise", "Dropout", "dropout_mlp", "set_dropout", "EarlyStopping", "MaxNorm", "Penalty",
    "max_norm_", "penalty_value", "rotate_images", "shift_images",
    "search", "Choice", "Int", "LogUniform", "Uniform",
]
