// tf.losses (python/ops/losses/losses_impl.py), in our words.
#include <minitf/ops/losses.h>

#include <minitf/ops/array_ops.h>
#include <minitf/ops/math_ops.h>
#include <minitf/ops/nn_ops.h>

#include "name_scope_guard.h"

namespace minitf::losses {
namespace {

// compute_weighted_loss with weights 1: sum of the losses over their count ("value").
Output mean_of(const Output& losses) {
  const Output total = reduce_sum(losses * 1.f);
  const Output count = losses.shape().fully_defined()
                           ? constant(static_cast<float>(losses.shape().num_elements()), "num_present")
                           : cast(reduce_prod(shape(losses)), float32, "num_present");
  return divide(total, count, "value");
}

}  // namespace

Output sparse_softmax_cross_entropy(const Output& labels, const Output& logits, const OpName& scope) {
  Graph g = get_default_graph();
  NameScopeGuard s(g, g.unique_name(scope.empty() ? "sparse_softmax_cross_entropy_loss" : scope.str()));
  return mean_of(nn::sparse_softmax_cross_entropy_with_logits(labels, logits, "xentropy"));
}

Output softmax_cross_entropy(const Output& onehot_labels, const Output& logits, const OpName& scope) {
  Graph g = get_default_graph();
  NameScopeGuard s(g, g.unique_name(scope.empty() ? "softmax_cross_entropy_loss" : scope.str()));
  return mean_of(nn::softmax_cross_entropy_with_logits_v2(onehot_labels, logits, "xentropy"));
}

}  // namespace minitf::losses
