// GraphDef import and export: formats, the round trip, TF's import semantics
// (prefix, input_map, return_elements, variables), errors and hostile bytes.
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>

#include "test_util.h"

namespace {

tf::Tensor random_tensor(const tf::Shape& shape, unsigned seed) {
  tf::Tensor t(tf::float32, shape);
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.f, 1.f);
  for (float& v : t.data<float>()) v = normal(rng);
  return t;
}

// A small conv net with constants of each kind an exported graph holds:
// float weights, int32 shapes and axes, a list input (ConcatV2), a Split.
struct Net {
  tf::Output x, y;
};
Net build_net() {
  auto x = tf::placeholder(tf::float32, {1, 8, 8, 3}, "x");
  tf::Output y;
  {
    tf::name_scope s("conv1");
    auto w = tf::constant(random_tensor({3, 3, 3, 4}, 1), "weights");
    auto b = tf::constant(random_tensor({4}, 2), "biases");
    y = tf::relu(tf::bias_add(tf::conv2d(x, w, {1, 1, 1, 1}, "SAME"), b));
  }
  auto pooled = tf::nn::max_pool(y, {1, 2, 2, 1}, {1, 2, 2, 1}, "VALID");
  auto parts = tf::split(pooled, 2, 3);
  auto joined = tf::concat({parts[1], parts[0]}, 3);
  auto flat = tf::reshape(joined, tf::constant(tf::Tensor::from<int32_t>({2}, {1, -1})), "flat");
  return {x, tf::identity(flat * 2.f, "y")};
}

bool same_attr(const tf::AttrValue& a, const tf::AttrValue& b) {
  if (a.index() != b.index()) return false;
  return std::visit(
      [&b](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        const T& y = std::get<T>(b);
        if constexpr (std::is_same_v<T, tf::Tensor>) {
          return x.dtype() == y.dtype() && x.shape() == y.shape() &&
                 std::memcmp(x.raw(), y.raw(), x.num_bytes()) == 0;
        } else {
          return x == y;
        }
      },
      a);
}

std::vector<std::string> attr_names(const tf::NodeDef& n) {
  std::vector<std::string> names;
  for (const auto& [k, v] : n.attr) names.push_back(k);
  return names;
}

}  // namespace

TEST_CASE("as_graph_def writes every op with TF's inputs and type attributes") {
  FreshGraph fg;
  build_net();
  const tf::GraphDef gd = fg.g.as_graph_def();
  REQUIRE(gd.node.size() == static_cast<size_t>(fg.g.num_operations()));
  const tf::NodeDef* conv = gd.find_node("conv1/Conv2D");
  REQUIRE(conv);
  CHECK(conv->op == "Conv2D");
  CHECK(conv->input == std::vector<std::string>{"x", "conv1/weights"});
  CHECK(attr_names(*conv) == std::vector<std::string>{"T", "data_format", "dilations", "explicit_paddings",
                                                      "padding", "strides", "use_cudnn_on_gpu"});
  CHECK(std::get<tf::DType>(conv->attr.at("T")) == tf::float32);
  const tf::NodeDef* reshape = gd.find_node("flat");
  REQUIRE(reshape);
  CHECK(std::get<tf::DType>(reshape->attr.at("T")) == tf::float32);
  CHECK(std::get<tf::DType>(reshape->attr.at("Tshape")) == tf::int32);
  const tf::NodeDef* concat = gd.find_node("concat");
  REQUIRE(concat);
  CHECK(concat->input == std::vector<std::string>{"split:1", "split", "concat/axis"});
  CHECK(attr_names(*concat) == std::vector<std::string>{"N", "T", "Tidx"});
  const tf::NodeDef* split = gd.find_node("split");
  REQUIRE(split);
  CHECK(attr_names(*split) == std::vector<std::string>{"T", "num_split"});  // split_dim is a fixed int32
}

TEST_CASE("a graph exported as binary and as text imports to the same ops and the same numbers") {
  tf::Graph original;
  Net net;
  {
    auto guard = original.as_default();
    net = build_net();
  }
  const tf::Tensor input = random_tensor({1, 8, 8, 3}, 7);
  tf::Session s0(original);
  const tf::Tensor want = s0.run(net.y, {{net.x, input}});
  for (bool as_text : {false, true}) {
    INFO((as_text ? "text" : "binary"));
    const std::string bytes = tf::serialize_graph_def(original.as_graph_def(), as_text);
    const tf::GraphDef back =
        tf::parse_graph_def(bytes, as_text ? tf::GraphDefFormat::text : tf::GraphDefFormat::binary);
    tf::Graph g;
    auto guard = g.as_default();
    auto r = tf::import_graph_def(back, {.name = "", .return_elements = {"x:0", "y:0"}});
    REQUIRE(r.size() == 2);
    CHECK(op_names_and_types(g) == op_names_and_types(original));
    for (const auto& op : original.operations()) {
      const tf::Operation o = g.get_operation_by_name(op.name());
      CHECK(o.attrs().size() == op.attrs().size());
      for (const auto& [k, v] : op.attrs()) {
        INFO(op.name() << " attribute " << k);
        REQUIRE(o.attrs().count(k));
        CHECK(same_attr(o.attrs().at(k), v));
      }
      for (int i = 0; i < op.num_outputs(); ++i) CHECK(o.output(i).shape() == op.output(i).shape());
    }
    tf::Session s(g);
    const tf::Tensor got = s.run(r[1].output(), {{r[0].output(), input}});
    CHECK(values(got) == values(want));
  }
}

TEST_CASE("train::write_graph writes a file read_graph_def reads back") {
  FreshGraph fg;
  build_net();
  const auto dir = std::filesystem::temp_directory_path() / "minitf_write_graph_test" / "sub";
  std::filesystem::remove_all(dir.parent_path());
  const std::string text = tf::train::write_graph(fg.g, dir.string(), "net.pbtxt", true);
  const std::string binary = tf::train::write_graph(fg.g, dir.string(), "net.pb", false);
  CHECK(text == (dir / "net.pbtxt").string());
  std::ifstream in(text);
  std::string first;
  std::getline(in, first);
  CHECK(first == "node {");
  for (const std::string& path : {text, binary}) {
    const tf::GraphDef gd = tf::read_graph_def(path);
    CHECK(gd.node.size() == static_cast<size_t>(fg.g.num_operations()));
    CHECK(gd.node[0].name == "x");
  }
  std::filesystem::remove_all(dir.parent_path());
}

TEST_CASE("a TF-written text GraphDef imports: type attributes checked, internal attributes skipped") {
  const std::string pbtxt = R"pb(
    node {
      name: "x"
      op: "Placeholder"
      attr {
        key: "dtype"
        value { type: DT_FLOAT }
      }
      attr {
        key: "shape"
        value {
          shape {
            dim { size: -1 }
            dim { size: 3 }
          }
        }
      }
      attr {
        key: "_output_shapes"
        value {
          list {
            shape {
              dim { size: -1 }
              dim { size: 3 }
            }
          }
        }
      }
    }
    node {
      name: "w"
      op: "Const"
      attr {
        key: "dtype"
        value { type: DT_FLOAT }
      }
      attr {
        key: "value"
        value {
          tensor {
            dtype: DT_FLOAT
            tensor_shape {
              dim { size: 3 }
              dim { size: 2 }
            }
            float_val: 1
            float_val: 2
            float_val: 3
            float_val: 4
            float_val: 5
            float_val: 6
          }
        }
      }
    }
    node {
      name: "b"
      op: "Const"
      attr {
        key: "dtype"
        value { type: DT_FLOAT }
      }
      attr {
        key: "value"
        value {
          tensor {
            dtype: DT_FLOAT
            tensor_shape { dim { size: 2 } }
            float_val: 0.5
          }
        }
      }
    }
    node {
      name: "m"
      op: "MatMul"
      input: "x"
      input: "w"
      attr {
        key: "T"
        value { type: DT_FLOAT }
      }
      attr {
        key: "transpose_a"
        value { b: false }
      }
      attr {
        key: "transpose_b"
        value { b: false }
      }
    }
    node {
      name: "y"
      op: "BiasAdd"
      input: "m"
      input: "b"
      device: "/device:CPU:0"
      attr {
        key: "T"
        value { type: DT_FLOAT }
      }
      attr {
        key: "data_format"
        value { s: "NHWC" }
      }
    }
    versions { producer: 134 }
    library {}
  )pb";
  const tf::GraphDef gd = tf::parse_graph_def(pbtxt, tf::GraphDefFormat::text);
  CHECK(gd.producer == 134);
  REQUIRE(gd.node.size() == 5);
  CHECK(gd.node[0].attr.count("_output_shapes") == 0);
  FreshGraph fg;
  auto r = tf::import_graph_def(gd, {.return_elements = {"x:0", "y:0", "y"}});
  CHECK(r[1].output().name() == "import/y:0");
  CHECK_FALSE(r[2].is_output());
  CHECK(r[2].op().type() == "BiasAdd");
  REQUIRE_THROWS_MATCHES(r[2].output(), tf::ValueError, Has("'import/y' is an operation"));
  tf::Session s;
  const tf::Tensor out = s.run(r[1].output(), {{r[0], tf::Tensor::from<float>({1, 3}, {1, 1, 2})}});
  // [1,1,2] x [[1,2],[3,4],[5,6]] = [14, 18]; the bias's one value repeats (TF's rule): + 0.5
  CHECK(values(out) == std::vector<float>{14.5f, 18.5f});

  // A T that contradicts the input's dtype is refused, naming the node.
  std::string bad = pbtxt;
  // MatMul's T (the first "T" after its name) becomes int32.
  const size_t t = bad.find("DT_FLOAT", bad.find("key: \"T\"", bad.find("name: \"m\"")));
  bad.replace(t, 8, "DT_INT32");
  REQUIRE_THROWS_MATCHES(
      tf::import_graph_def(tf::parse_graph_def(bad, tf::GraphDefFormat::text)), tf::ValueError,
      Has("'import_1/m' (op: 'MatMul'): attribute T is int32 but input 'a' has dtype float32"));
}

TEST_CASE("import_graph_def names: a unique prefix, nodes in any order") {
  tf::GraphDef gd;
  gd.node.push_back({"out", "Relu", {"in"}, {}, {}});
  gd.node.push_back({"in", "Placeholder", {}, {}, {{"dtype", tf::float32}, {"shape", tf::Shape{2}}}});
  FreshGraph fg;
  tf::import_graph_def(gd);
  tf::import_graph_def(gd);
  {
    tf::name_scope s("tower");
    tf::import_graph_def(gd, {.name = "net"});
  }
  tf::import_graph_def(gd, {.name = ""});
  CHECK(op_names(fg.g) == std::vector<std::string>{"import/in", "import/out", "import_1/in", "import_1/out",
                                                   "tower/net/in", "tower/net/out", "in", "out"});
  REQUIRE_THROWS_MATCHES(tf::import_graph_def(gd, {.name = ""}), tf::ValueError,
                         Has("node 'out' is already taken in the graph"));
}

TEST_CASE("input_map applies one imported model to two inputs") {
  tf::Graph model;
  {
    auto guard = model.as_default();
    auto x = tf::placeholder(tf::float32, {2, 2}, "x");
    tf::identity(tf::matmul(x, tf::constant(std::vector<float>{1, 2, 3, 4}, {2, 2}, "w")), "y");
  }
  const tf::GraphDef gd = model.as_graph_def();
  FreshGraph fg;
  auto a = tf::placeholder(tf::float32, {2, 2}, "a");
  auto b = tf::placeholder(tf::float32, {2, 2}, "b");
  tf::Output ya =
      tf::import_graph_def(gd, {.name = "tower", .input_map = {{"x:0", a}}, .return_elements = {"y:0"}})[0];
  tf::Output yb =
      tf::import_graph_def(gd, {.name = "tower", .input_map = {{"x", b}}, .return_elements = {"y:0"}})[0];
  CHECK(ya.name() == "tower/y:0");
  CHECK(yb.name() == "tower_1/y:0");
  CHECK(yb.op().inputs()[0].op().inputs()[0] == b);
  tf::Session s;
  auto outs = s.run({ya, yb}, {{a, tf::Tensor::from<float>({2, 2}, {1, 0, 0, 1})},
                               {b, tf::Tensor::from<float>({2, 2}, {0, 1, 1, 0})}});
  CHECK(values(outs[0]) == std::vector<float>{1, 2, 3, 4});
  CHECK(values(outs[1]) == std::vector<float>{3, 4, 1, 2});
}

TEST_CASE("variables=true turns a frozen graph's weights into variables that Saver and get_variable see") {
  tf::Graph model;
  {
    auto guard = model.as_default();
    auto x = tf::placeholder(tf::float32, {1, 3}, "x");
    tf::name_scope s("dense");
    auto w = tf::constant(std::vector<float>{1, 2, 3}, {3, 1}, "kernel");
    tf::identity(tf::matmul(x, w) + tf::constant(0.5f, "bias"), "y");
  }
  FreshGraph fg;
  auto r = tf::import_graph_def(
      model.as_graph_def(),
      {.name = "net", .return_elements = {"x:0", "dense/y:0", "dense/kernel:0"}, .variables = true});
  const auto vars = tf::global_variables();
  REQUIRE(vars.size() == 1);  // the scalar bias stays a constant
  CHECK(vars[0].name() == "net/dense/kernel:0");
  CHECK(r[2].output() == vars[0].value());
  {
    tf::variable_scope s("net/dense", {.reuse = tf::Reuse(true)});
    CHECK(tf::get_variable("kernel", {3, 1}) == vars[0]);
  }
  tf::Session sess;
  sess.run(tf::global_variables_initializer());
  const tf::FeedDict feed{{r[0], tf::Tensor::from<float>({1, 3}, {1, 1, 1})}};
  CHECK(values(sess.run(r[1].output(), feed)) == std::vector<float>{6.5f});
  const auto path = (std::filesystem::temp_directory_path() / "minitf_import_vars.safetensors").string();
  tf::train::Saver saver;
  sess.assign_variable(vars[0].op(), tf::Tensor::from<float>({3, 1}, {1, 1, 1}));
  saver.save(sess, path);
  tf::Session fresh;
  saver.restore(fresh, path);
  CHECK(values(fresh.run(r[1].output(), feed)) == std::vector<float>{3.5f});
  std::filesystem::remove(path);
}

TEST_CASE("import errors name the node and leave the graph as it was") {
  auto node = [](std::string name, std::string op, std::vector<std::string> in, tf::AttrMap attrs = {}) {
    return tf::NodeDef{std::move(name), std::move(op), std::move(in), {}, std::move(attrs)};
  };
  const tf::AttrMap ph{{"dtype", tf::float32}, {"shape", tf::Shape{1, 4, 4, 1}}};
  struct Bad {
    const char* what;
    tf::GraphDef gd;
    tf::ImportOptions options;
    std::string words;
    bool unimplemented = false;
  };
  std::vector<Bad> cases;
  cases.push_back(
      {"ops minitf lacks",
       {{node("x", "Placeholder", {}, ph), node("n", "NonMaxSuppressionV5", {"x"}),
         node("p", "ResizeBilinear", {"x", "x"}), node("p2", "ResizeBilinear", {"x", "x"})}},
       {},
       "Node 'n' has op 'NonMaxSuppressionV5', which minitf does not implement; the GraphDef uses 2 op "
       "types minitf lacks: NonMaxSuppressionV5 (1 nodes), ResizeBilinear (2 nodes)",
       true});
  cases.push_back({"a dangling input",
                   {{node("r", "Relu", {"nowhere:0"})}},
                   {},
                   "Node 'r': input 'nowhere:0' not found in graph_def"});
  cases.push_back({"a cycle",
                   {{node("a", "Relu", {"b"}), node("b", "Relu", {"a"})}},
                   {},
                   "GraphDef has a cycle: node 'a'"});
  cases.push_back({"a duplicate name",
                   {{node("x", "Placeholder", {}, ph), node("x", "Placeholder", {}, ph)}},
                   {},
                   "Duplicate node name in GraphDef: 'x'"});
  cases.push_back(
      {"an attribute of the wrong type",
       {{node("x", "Placeholder", {}, ph), node("p", "MaxPool", {"x"}, {{"ksize", std::string("2")}})}},
       {},
       "Op 'import/p' (op: 'MaxPool'): attribute 'ksize' must be of type list(int)"});
  cases.push_back({"an attribute the op does not have",
                   {{node("x", "Placeholder", {}, ph), node("r", "Relu", {"x"}, {{"alpha", 0.1f}})}},
                   {},
                   "Op 'import/r' (op: 'Relu') has no attribute 'alpha'"});
  cases.push_back({"an output the node lacks",
                   {{node("x", "Placeholder", {}, ph), node("s", "Softmax", {"x:1"})}},
                   {},
                   "Node 's': input 'x:1' names output 1 of 'x', which has 1 outputs"});
  cases.push_back({"an unknown input_map key",
                   {{node("x", "Placeholder", {}, ph)}},
                   {.input_map = {{"y:0", tf::Output()}}},
                   "Attempted to map inputs that were not found in graph_def: [y:0]"});
  cases.push_back({"an unknown return element",
                   {{node("x", "Placeholder", {}, ph)}},
                   {.return_elements = {"z:0"}},
                   "Requested return tensor 'z:0' not found in graph_def"});
  cases.push_back(
      {"a late failure",
       {{node("x", "Placeholder", {}, ph), node("r", "Relu", {"x"}),
         node("c", "Conv2D", {"r", "r"},
              {{"strides", std::vector<int64_t>{1, 1, 1, 1}}, {"padding", std::string("SAME")}})}},
       {},
       "'import/c' (op: 'Conv2D')"});
  for (const Bad& c : cases) {
    INFO(c.what);
    FreshGraph fg;
    tf::placeholder(tf::float32, {1}, "before");
    try {
      tf::import_graph_def(c.gd, c.options);
      FAIL("no error");
    } catch (const tf::UnimplementedError& e) {
      CHECK(c.unimplemented);
      CHECK_THAT(e.what(), Catch::Contains(c.words));
    } catch (const tf::ValueError& e) {
      CHECK_FALSE(c.unimplemented);
      CHECK_THAT(e.what(), Catch::Contains(c.words));
    }
    CHECK(op_names(fg.g) == std::vector<std::string>{"before"});
    // The failed import took no name: the next one is "import".
    tf::GraphDef ok{{node("x", "Placeholder", {}, ph)}};
    tf::import_graph_def(ok);
    CHECK(op_names(fg.g).back() == "import/x");
  }
}

TEST_CASE("malformed and hostile GraphDef bytes are DataLossErrors or typed refusals") {
  REQUIRE_THROWS_MATCHES(tf::read_graph_def("/nonexistent/model.pb"), tf::NotFoundError,
                         Has("/nonexistent/model.pb"));
  REQUIRE_THROWS_AS(tf::parse_graph_def("node { name: ", tf::GraphDefFormat::text), tf::DataLossError);
  REQUIRE_THROWS_AS(tf::parse_graph_def(std::string("\x0a\xff\xff\xff\x0f", 5), tf::GraphDefFormat::binary),
                    tf::DataLossError);
  auto const_node = [](const std::string& tensor) {
    return "node { name: \"c\" op: \"Const\" attr { key: \"value\" value { tensor { " + tensor + " } } } }";
  };
  REQUIRE_THROWS_MATCHES(
      tf::parse_graph_def(
          const_node("dtype: DT_FLOAT tensor_shape { dim { size: 2 } } tensor_content: \"abc\""),
          tf::GraphDefFormat::text),
      tf::DataLossError, Has("3 bytes of content for shape [2] of float32"));
  REQUIRE_THROWS_MATCHES(
      tf::parse_graph_def(
          const_node(
              "dtype: DT_FLOAT tensor_shape { dim { size: 100000 } dim { size: 100000 } } float_val: 1"),
          tf::GraphDefFormat::text),
      tf::DataLossError, Has("would exceed 2 GiB"));
  REQUIRE_THROWS_MATCHES(
      tf::parse_graph_def(const_node("dtype: DT_FLOAT tensor_shape { dim { size: 10000 } dim { size: "
                                     "10000 } } float_val: 1"),
                          tf::GraphDefFormat::text),
      tf::DataLossError, Has("is given by repeated values and would exceed 256 MiB"));
  REQUIRE_THROWS_MATCHES(
      tf::parse_graph_def(const_node("dtype: DT_HALF tensor_shape { dim { size: 1 } } half_val: 1"),
                          tf::GraphDefFormat::text),
      tf::UnimplementedError, Has("attribute 'value' of node 'c' has dtype DT_HALF"));
  REQUIRE_THROWS_MATCHES(
      tf::parse_graph_def(
          const_node("dtype: DT_FLOAT tensor_shape { dim { size: 1 } } float_val: 1 float_val: 2"),
          tf::GraphDefFormat::text),
      tf::DataLossError, Has("holds 2 values for shape [1]"));
  // Random bytes never crash: each either parses (protobuf skips what it does not know) or is refused by
  // type.
  std::mt19937 rng(3);
  for (int i = 0; i < 300; ++i) {
    std::string bytes(static_cast<size_t>(rng() % 64), '\0');
    for (char& c : bytes) c = static_cast<char>(rng());
    for (auto format : {tf::GraphDefFormat::binary, tf::GraphDefFormat::text, tf::GraphDefFormat::tfjs}) {
      try {
        tf::Graph g;
        auto guard = g.as_default();
        tf::import_graph_def(tf::parse_graph_def(bytes, format, bytes));
      } catch (const tf::Error&) {
      }
    }
  }
}

TEST_CASE("TF.js weights: raw, uint8 and uint16 affine, float16 and quantized int32 decode as TF.js does") {
  auto const_node = [](const std::string& name, const std::string& dtype, int size) {
    return R"({"name":")" + name + R"(","op":"Const","attr":{"dtype":{"type":")" + dtype +
           R"("},"value":{"tensor":{"dtype":")" + dtype + R"(","tensorShape":{"dim":[{"size":")" +
           std::to_string(size) + R"("}]}}}}})";
  };
  const std::string model = R"({"format":"graph-model","modelTopology":{"node":[)" +
                            const_node("q8", "DT_FLOAT", 4) + "," + const_node("h", "DT_FLOAT", 4) + "," +
                            const_node("q16", "DT_FLOAT", 2) + "," + const_node("i", "DT_INT32", 1) + "," +
                            const_node("raw", "DT_FLOAT", 1) + R"(],"versions":{"producer":716}},
    "weightsManifest":[{"paths":["w.bin"],"weights":[
      {"name":"q8","shape":[4],"dtype":"float32","quantization":{"dtype":"uint8","min":-1,"scale":0.5}},
      {"name":"h","shape":[4],"dtype":"float32","quantization":{"dtype":"float16"}},
      {"name":"q16","shape":[2],"dtype":"float32","quantization":{"dtype":"uint16","min":0,"scale":0.0000152590219}},
      {"name":"i","shape":[1],"dtype":"int32","quantization":{"dtype":"uint8","min":0.4,"scale":1}},
      {"name":"raw","shape":[1],"dtype":"float32"}]}]})";
  std::string weights = {0, 1, 2, '\xff'};                        // q8
  weights += std::string("\x00\x3c\x00\xc0\xff\x7b\x01\x00", 8);  // h: 1, -2, 65504, 2^-24
  weights += std::string("\x00\x00\xff\xff", 4);                  // q16: 0, 65535
  weights += std::string("\x03", 1);                              // i: round(3 + 0.4)
  const float raw = 1.5f;
  weights += std::string(reinterpret_cast<const char*>(&raw), 4);
  const tf::GraphDef gd = tf::parse_graph_def(model, tf::GraphDefFormat::tfjs, weights);
  CHECK(gd.producer == 716);
  auto value = [&](const char* name) { return std::get<tf::Tensor>(gd.find_node(name)->attr.at("value")); };
  CHECK(values(value("q8")) == std::vector<float>{-1.f, -0.5f, 0.f, 126.5f});
  CHECK(values(value("h")) == std::vector<float>{1.f, -2.f, 65504.f, std::ldexp(1.f, -24)});
  const auto q16 = values(value("q16"));
  CHECK(q16[0] == 0.f);
  CHECK(std::abs(q16[1] - 1.f) < 1e-6f);
  CHECK(value("i").dtype() == tf::int32);
  CHECK(value("i").data<int32_t>()[0] == 3);
  CHECK(values(value("raw")) == std::vector<float>{1.5f});

  REQUIRE_THROWS_MATCHES(tf::parse_graph_def(model, tf::GraphDefFormat::tfjs, weights.substr(0, 20)),
                         tf::DataLossError, Has("weight 'raw' needs 4 more at offset 17"));
  std::string no_q8 = model;  // the node renamed: the manifest's q8 names no node, node qq has no weight
  no_q8.replace(no_q8.find(R"({"name":"q8")"), 12, R"({"name":"qq")");
  REQUIRE_THROWS_MATCHES(tf::parse_graph_def(no_q8, tf::GraphDefFormat::tfjs, weights), tf::DataLossError,
                         Has("TF.js Const node 'qq' has no weight in the manifest"));
  REQUIRE_THROWS_MATCHES(
      tf::parse_graph_def(R"({"format":"layers-model","modelTopology":{}})", tf::GraphDefFormat::tfjs),
      tf::UnimplementedError, Has("layers model"));

  // Shards are read beside model.json, never outside its folder.
  const auto dir = std::filesystem::temp_directory_path() / "minitf_tfjs_test";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "model.json") << model;
  std::ofstream(dir / "w.bin", std::ios::binary) << weights;
  CHECK(tf::read_graph_def((dir / "model.json").string()).node.size() == 5);
  std::string evil = model;
  evil.replace(evil.find("\"w.bin\""), 7, "\"../w.bin\"");
  std::ofstream(dir / "evil.json") << evil;
  REQUIRE_THROWS_MATCHES(tf::read_graph_def((dir / "evil.json").string()), tf::DataLossError,
                         Has("shard path '../w.bin' leaves the model's folder"));
  std::filesystem::remove(dir / "w.bin");
  REQUIRE_THROWS_MATCHES(tf::read_graph_def((dir / "model.json").string()), tf::NotFoundError,
                         Has("w.bin not found"));
  std::filesystem::remove_all(dir);
}

TEST_CASE("a frozen TF graph keeps <weight>/read: variables=true makes it the variable's own read") {
  const std::string pbtxt = R"pb(
    node {
      name: "x"
      op: "Placeholder"
      attr {
        key: "dtype"
        value { type: DT_FLOAT }
      }
      attr {
        key: "shape"
        value { shape { dim { size: 2 } } }
      }
    }
    node {
      name: "w"
      op: "Const"
      attr {
        key: "dtype"
        value { type: DT_FLOAT }
      }
      attr {
        key: "value"
        value {
          tensor {
            dtype: DT_FLOAT
            tensor_shape { dim { size: 2 } }
            float_val: 3
          }
        }
      }
    }
    node {
      name: "w/read"
      op: "Identity"
      input: "w"
      attr {
        key: "T"
        value { type: DT_FLOAT }
      }
    }
    node {
      name: "y"
      op: "Mul"
      input: "x"
      input: "w/read"
      attr {
        key: "T"
        value { type: DT_FLOAT }
      }
    }
  )pb";
  FreshGraph fg;
  auto r = tf::import_graph_def(tf::parse_graph_def(pbtxt, tf::GraphDefFormat::text),
                                {.return_elements = {"x:0", "y:0", "w/read:0"}, .variables = true});
  REQUIRE(tf::global_variables().size() == 1);
  CHECK(tf::global_variables()[0].op().name() == "import/w");
  CHECK(r[2].output() == tf::global_variables()[0].value());
  tf::Session s;
  s.run(tf::global_variables_initializer());
  CHECK(values(s.run(r[1].output(), {{r[0].output(), tf::Tensor::from<float>({2}, {1, 2})}})) ==
        std::vector<float>{3, 6});
}

TEST_CASE("a constant mapped in by input_map is checked as a constant before anything is added") {
  tf::GraphDef gd;
  gd.node.push_back({"x", "Placeholder", {}, {}, {{"dtype", tf::float32}, {"shape", tf::Shape{6}}}});
  gd.node.push_back({"s", "Placeholder", {}, {}, {{"dtype", tf::int32}, {"shape", tf::Shape{1}}}});
  gd.node.push_back({"r", "Reshape", {"x", "s"}, {}, {}});
  FreshGraph fg;
  auto seven = tf::constant(tf::Tensor::from<int32_t>({1}, {7}), "seven");
  REQUIRE_THROWS_AS(tf::import_graph_def(gd, {.input_map = {{"s:0", seven}}}), tf::ValueError);
  CHECK(op_names(fg.g) == std::vector<std::string>{"seven"});
}

TEST_CASE("hostile TF.js manifests are DataLossErrors before anything large is allocated") {
  auto model = [](const std::string& weight) {
    return R"({"format":"graph-model","modelTopology":{"node":[]},"weightsManifest":[{"paths":["w.bin"],"weights":[)" +
           weight + "]}]}";
  };
  struct Bad {
    std::string weight, words;
  };
  const std::vector<Bad> cases = {
      {R"({"name":"w","shape":[2147483648],"dtype":"float32","quantization":{"dtype":"uint8","min":0,"scale":1}})",
       "weight 'w' needs 2147483648 more at offset 0"},
      {R"({"name":"w","shape":[65536,65536],"dtype":"float32","quantization":{"dtype":"float16"}})",
       "is too large"},
      {R"({"shape":[1],"dtype":"float32"})", "has no \"name\""},
      {R"({"name":5,"shape":[1],"dtype":"float32"})", "\"name\" is not a string"},
      {R"({"name":"w","shape":[1],"dtype":"float32","quantization":{"dtype":"uint8","min":0,"scale":1e308}})",
       "whose values do not fit float32"},
      {R"({"name":"w","shape":[1],"dtype":"int32","quantization":{"dtype":"uint16","min":0,"scale":1e9}})",
       "whose values do not fit int32"},
      {R"({"name":"w","shape":[[[1]]],"dtype":"float32"})", "\"shape\" holds a array"},
  };
  for (const Bad& c : cases) {
    INFO(c.weight);
    REQUIRE_THROWS_MATCHES(
        tf::parse_graph_def(model(c.weight), tf::GraphDefFormat::tfjs, std::string(16, '\0')),
        tf::DataLossError, Has(c.words));
  }
  const std::string deep =
      R"({"modelTopology":{"node":)" + std::string(100000, '[') + std::string(100000, ']') + "}}";
  REQUIRE_THROWS_MATCHES(tf::parse_graph_def(deep, tf::GraphDefFormat::tfjs), tf::DataLossError,
                         Has("nests deeper than 64 levels"));
}
