#pragma once
// tf.losses: losses reduced to a scalar, with TF's names.
#include <minitf/graph/graph.h>

namespace minitf::losses {

// tf.losses.sparse_softmax_cross_entropy with weights 1 and TF's default
// reduction (SUM_BY_NONZERO_WEIGHTS): the mean over the batch of
// tf::nn::sparse_softmax_cross_entropy_with_logits(labels, logits), built in
// the name scope "sparse_softmax_cross_entropy_loss" (xentropy, Sum, value).
// labels: int32 or int64 [N]; logits: float32 [N, classes].
Output sparse_softmax_cross_entropy(const Output& labels, const Output& logits, const OpName& scope = {});
// tf.losses.softmax_cross_entropy with one-hot (or probability) labels [N, classes].
Output softmax_cross_entropy(const Output& onehot_labels, const Output& logits, const OpName& scope = {});

}  // namespace minitf::losses
