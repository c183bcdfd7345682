"""Optimisers on one shared interface (chapter 01: SGD; chapter 05: the rest).

An optimiser is bound to a model and updates its parameters **in place**
(the model owns them) from the gradients its last backward pass left in
``module.grads``. Subclasses implement one method,

``delta(key, p, g) -> array``: the change to add to parameter ``p``,

where ``g`` already includes the L2 penalty's gradient :math:`\\lambda W` when
``weight_decay`` :math:`=\\lambda > 0` (applied to parameters whose role is
``"weight"``), and keep per-parameter state in ``self.state[key]``. ``lr`` may be
changed between steps (``dlcore.schedules``). Every optimiser's update rule is in
its docstring and is checked in ``tests/test_optim_rules.py`` against a separate
reference implementation of the published rule.

=============  ===========================  ==============================
name           class                        module
=============  ===========================  ==============================
``sgd``        :class:`SGD`                 :mod:`dlcore.optim.base`
``momentum``   :class:`Momentum`            :mod:`dlcore.optim.momentum`
``nesterov``   :class:`Nesterov`            :mod:`dlcore.optim.momentum`
``adagrad``    :class:`Adagrad`             :mod:`dlcore.optim.adaptive`
``rmsprop``    :class:`RMSprop`             :mod:`dlcore.optim.adaptive`
``adadelta``   :class:`Adadelta`            :mod:`dlcore.optim.adaptive`
``adam``       :class:`Adam`                :mod:`dlcore.optim.adam`
``adamw``      :class:`AdamW`               :mod:`dlcore.optim.adam`
``adamax``     :class:`Adamax`              :mod:`dlcore.optim.adam`
``nadam``      :class:`Nadam`               :mod:`dlcore.optim.adam`
``rprop``      :class:`Rprop`               :mod:`dlcore.optim.rprop`
=============  ===========================  ==============================

Each optimiser's state is ``opt.state[key]`` (``key`` as in ``model.named_parameters()``), a dict
of named arrays listed in the class's ``STATE``. The rules follow PyTorch's ``torch.optim`` (the
same place for ``eps``, the same defaults unless a docstring says otherwise) and are checked
against trajectories it produced (``scripts/optim_reference.py``,
``tests/fixtures/optim_reference.json``, ``tests/test_optim_reference.py``: 38 runs of 20 steps in
float64 agree to 1.7e-15 or better). Defaults that differ from PyTorch's, and the matching setting:

==============  ===========================================  ===========================================
optimiser       dlcore default                               as PyTorch's default
==============  ===========================================  ===========================================
Momentum        ``momentum=0.9``, m_0 = 0                    ``SGD(momentum=0.9)``; PyTorch's
                                                             ``dampening=mu`` is ``convention="average",
                                                             first_velocity="grad"``
RMSprop         ``lr=1e-3, rho=0.9`` (Hinton, Keras)         ``lr=0.01, rho=0.99`` (PyTorch's ``alpha``)
Adadelta        ``rho=0.95`` (Zeiler)                        ``rho=0.9``
Nadam           constant mu_t = beta1                        ``momentum_decay=0.004``
==============  ===========================================  ===========================================
"""
from .base import OPTIMIZERS, SGD, Optimizer, check_beta, check_betas, check_eps, check_lr, get_optimizer, register
from .momentum import Momentum, Nesterov
from .adaptive import Adadelta, Adagrad, RMSprop
from .adam import Adam, Adamax, AdamW, Nadam
from .rprop import Rprop

__all__ = ["Optimizer", "SGD", "Momentum", "Nesterov", "Adagrad", "RMSprop", "Adadelta", "Adam", "AdamW", "Adamax",
           "Nadam", "Rprop", "OPTIMIZERS", "get_optimizer", "register", "check_beta", "check_betas", "check_eps",
           "check_lr"]
