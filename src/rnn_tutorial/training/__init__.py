"""What training needs: losses, optimisers, clipping, gradient checks, BPTT and gradient flow."""

from .bptt import (
    sequence_loss_and_grads,
    truncated_bptt_chunks,
    truncated_bptt_grads,
)
from .clipping import (
    clip_elementwise,
    clip_global_norm,
    global_norm,
)
from .gradcheck import (
    grad_check,
    numerical_gradient,
    relative_error,
)
from .gradient_flow import (
    hidden_gradient_norms,
    jacobian_product_bound,
    scaled_recurrent_weights,
)
from .losses import (
    mse,
    softmax_cross_entropy,
)
from .optim import (
    SGD,
    Adagrad,
    Adam,
)

__all__ = [
    "Adagrad",
    "Adam",
    "clip_elementwise",
    "clip_global_norm",
    "global_norm",
    "grad_check",
    "hidden_gradient_norms",
    "jacobian_product_bound",
    "mse",
    "numerical_gradient",
    "relative_error",
    "scaled_recurrent_weights",
    "sequence_loss_and_grads",
    "SGD",
    "softmax_cross_entropy",
    "truncated_bptt_chunks",
    "truncated_bptt_grads",
]
