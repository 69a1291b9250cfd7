"""Layers built on the cells: dense, the sequence layer of any cell, bidirectional,
stacked, dropout, attention."""

from .attention import (
    AttentionCache,
    attention_backward,
    attention_forward,
    init_attention,
)
from .bidirectional import (
    BidirectionalCache,
    SumProjectionsCache,
    bidirectional_backward,
    bidirectional_forward,
    init_bidirectional,
    reverse_time,
    split_directions,
    stack_directions,
    sum_projections_backward,
    sum_projections_forward,
    unstack_directions,
)
from .dense import (
    DenseCache,
    dense_backward,
    dense_forward,
)
from .dropout import (
    DropoutCache,
    VariationalLayerCache,
    dropout_backward,
    dropout_forward,
    dropout_mask,
    variational_layer_backward,
    variational_layer_forward,
)
from .embedding import EmbeddingCache, embedding_backward, embedding_forward
from .sequence import (
    LayerCache,
    init_layer,
    layer_backward,
    layer_forward,
    zero_state,
)
from .stacked import (
    StackCache,
    init_stack,
    stack_backward,
    stack_forward,
    stack_param_counts,
)

__all__ = [
    "attention_backward",
    "attention_forward",
    "AttentionCache",
    "bidirectional_backward",
    "bidirectional_forward",
    "BidirectionalCache",
    "dense_backward",
    "dense_forward",
    "DenseCache",
    "dropout_backward",
    "dropout_forward",
    "dropout_mask",
    "DropoutCache",
    "embedding_backward",
    "embedding_forward",
    "EmbeddingCache",
    "init_attention",
    "init_bidirectional",
    "init_layer",
    "init_stack",
    "layer_backward",
    "layer_forward",
    "LayerCache",
    "reverse_time",
    "split_directions",
    "stack_backward",
    "stack_directions",
    "stack_forward",
    "stack_param_counts",
    "StackCache",
    "sum_projections_backward",
    "sum_projections_forward",
    "SumProjectionsCache",
    "unstack_directions",
    "variational_layer_backward",
    "variational_layer_forward",
    "VariationalLayerCache",
    "zero_state",
]
