// Sharing trained weights between models: one program's graph saves the
// image filter's weights, another graph restores them under other names
// (tower2/...) with a key -> variable map, and both compute the same output.
#include <minitf/minitf.h>

#include <filesystem>
#include <iostream>

namespace tf = minitf;

namespace {

tf::Output filter(const tf::Output& image, const std::string& scope) {
  tf::variable_scope s(scope);
  tf::Output x = image;
  for (const char* layer : {"conv1", "conv2"}) {
    tf::variable_scope l(layer);
    auto weights = tf::get_variable("weights", {5, 5, 32, 32}, tf::random_normal_initializer(0.f, 0.05f));
    auto biases = tf::get_variable("biases", {32}, tf::constant_initializer(0.1f));
    x = tf::relu(tf::conv2d(x, weights, {1, 1, 1, 1}, "SAME") + biases);
  }
  return x;
}

}  // namespace

int main() {
  try {
    const std::string path = (std::filesystem::temp_directory_path() / "image_filters.safetensors").string();
    tf::Tensor picture(tf::float32, {1, 16, 16, 32});
    for (int64_t i = 0; i < picture.num_elements(); ++i) picture.data<float>()[i] = float(i % 13) / 13.f;

    // Model A: the tutorial's image_filters; its (here random) weights are saved.
    tf::Graph a;
    tf::Tensor out_a;
    {
      auto guard = a.as_default();
      auto image = tf::placeholder(tf::float32, picture.shape(), "image");
      auto y = filter(image, "image_filters");
      tf::Session sess(a);
      sess.run(tf::global_variables_initializer());
      tf::train::Saver().save(sess, path);
      out_a = sess.run(y, {{image, picture}});
      std::cout << "saved " << tf::global_variables().size() << " variables of image_filters/ to " << path
                << "\n";
    }

    // Model B: another graph whose tower is called tower2; the map renames.
    tf::Graph b;
    auto guard = b.as_default();
    auto image = tf::placeholder(tf::float32, picture.shape(), "image");
    auto y = filter(image, "tower2");
    std::map<std::string, tf::Variable> mapping;
    for (const auto& v : tf::global_variables()) {
      std::string key = v.op().name();
      key.replace(0, std::string("tower2").size(),
                  "image_filters");  // tower2/conv1/weights <- image_filters/conv1/weights
      mapping.emplace(key, v);
      std::cout << "  " << key << " -> " << v.op().name() << "\n";
    }
    tf::Session sess(b);
    tf::train::Saver(mapping).restore(sess, path);
    const tf::Tensor out_b = sess.run(y, {{image, picture}});

    const bool same =
        std::equal(out_a.data<float>().begin(), out_a.data<float>().end(), out_b.data<float>().begin());
    std::cout << "tower2 computes " << (same ? "exactly" : "NOT") << " what image_filters computes\n";
    std::filesystem::remove(path);
    return same ? 0 : 1;
  } catch (const tf::Error& e) {
    std::cerr << "share_weights: " << e.what() << "\n";
    return 1;
  }
}
